package tests

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ohmycoins/infra/internal/preview"
	"github.com/ohmycoins/infra/internal/preview/previewtest"
	"github.com/ohmycoins/infra/internal/stackplan"
	"github.com/ohmycoins/infra/internal/updatematrix"
	"github.com/ohmycoins/infra/stacks"
)

// The update matrix: every key an operator can set, given a second valid
// value in each stack, previewed before and after, and every resource that
// changes recorded with what happens to it, in testdata/update-matrix.txt.
// A reviewer reads what each knob does to production there, and a pull
// request that changes what a knob does shows it as a diff of that file:
// `go test ./tests -run TestUpdateMatrix -update` rewrites it from what the
// program does now. Whatever the file says, no ordinary change may replace
// or delete what holds data in production, nor make pulumi up fail there.
//
// Notation of a change: "<op> <type> <name>", with
//   - op: + create, ~ update, +- replace, -+ replace deleting first, - delete,
//     = options only (Pulumi's state; nothing changes in AWS);
//   - type: the middle of the type token (rds/instance for aws:rds/instance:Instance;
//     dns:Certificate for the component ohmycoins:dns:Certificate);
//   - name: the logical name without the stack's prefix;
//   - "(a, b)" after a replacement: the inputs that force it;
//   - " !" at the end: pulumi up would fail on it (a protected resource, a collision).
//
// Two outcomes are summarised: a step that renames every resource
// ("recreates every resource under new names") and one whose new provider
// replaces every resource (a region); each lists only the changes a reviewer
// must see, those that fail and, for a new provider, those deleting first.

// matrixFile holds what each step does, as the program does it.
var matrixFile = filepath.Join("testdata", "update-matrix.txt")

// outcome is what a step does: refused by validation with problems, or the
// changes it makes, in the notation above; recreated says it recreates every
// resource under new logical names, and changes then lists only what would fail;
// reprovided says a new provider replaces every resource, and changes then
// lists only what deletes first or would fail.
type outcome struct {
	refused    string
	changes    []string
	recreated  bool
	reprovided bool
}

func TestUpdateMatrixCoversEverySettableKey(t *testing.T) {
	t.Parallel()
	covered := map[string]bool{}
	for _, k := range updatematrix.Rows() {
		require.False(t, covered[k.Key], "%s has two rows", k.Key)
		covered[k.Key] = true
	}
	for _, key := range stacks.SettableKeys() {
		require.True(t, covered[key], "the update matrix has no row for ohmycoins:%s: give it a second value, then go test ./tests -run TestUpdateMatrix -update", key)
	}
	require.Len(t, covered, len(stacks.SettableKeys()), "every row is a settable key")
}

// dataHolding are the resources no ordinary change may replace or delete in production.
var dataHolding = []string{
	"aws:rds/instance:Instance", "aws:elasticache/replicationGroup:ReplicationGroup", "aws:secretsmanager/secret:Secret",
	"aws:kms/key:Key", "aws:cloudwatch/logGroup:LogGroup", "aws:ecr/repository:Repository", "aws:s3/bucketV2:BucketV2",
}

func TestUpdateMatrix(t *testing.T) {
	baseline := map[string]*stackplan.Plan{}
	for _, stack := range allStacks {
		baseline[stack] = previewtest.Stack(t, stack, func(o *preview.Options) { o.Set = updatematrix.DeployedImages() }).Plan
	}
	var mu sync.Mutex
	got := map[string]string{}
	t.Run("steps", func(t *testing.T) {
		for _, k := range updatematrix.Rows() {
			for _, stack := range allStacks {
				s := k.For(stack)
				t.Run(k.Key+"/"+stack, func(t *testing.T) {
					t.Parallel()
					o := run(t, stack, s, baseline[stack], k.Key)
					mu.Lock()
					got[updatematrix.Title(k.Key, stack, s)] = o.String()
					mu.Unlock()
				})
			}
		}
	})
	var text strings.Builder
	text.WriteString("# What each settable key does to a live stack, the update matrix of tests/update_matrix_test.go:\n" +
		"# written by `go test ./tests -run TestUpdateMatrix -update`; a change here is a change of what pulumi up does.\n" +
		"# <op> <type> <name>: + create, ~ update, +- replace, -+ replace deleting first, - delete, = options only; (inputs) force a replacement; ! pulumi up fails on it.\n" +
		"# A step that renames every resource, or whose new provider replaces every one, lists only what fails or deletes first.\n")
	for _, k := range updatematrix.Rows() {
		for _, stack := range allStacks {
			s := k.For(stack)
			title := updatematrix.Title(k.Key, stack, s)
			fmt.Fprintf(&text, "\n## %s\n%s", title, got[title])
		}
	}
	if *update {
		require.NoError(t, os.WriteFile(matrixFile, []byte(text.String()), 0o644))
		return
	}
	want, err := os.ReadFile(matrixFile)
	require.NoError(t, err, "go test ./tests -run TestUpdateMatrix -update writes it")
	require.Equal(t, string(want), text.String(), "the update matrix changed: review the difference, then go test ./tests -run TestUpdateMatrix -update")
}

// run previews one step against the baseline and returns what it does; in
// production it also fails what would lose data or fail pulumi up.
func run(t *testing.T, stack string, s updatematrix.Step, baseline *stackplan.Plan, key string) outcome {
	opts, err := updatematrix.Options(projectDir, stack, s)
	require.NoError(t, err)
	result, err := preview.Preview(opts)
	if err != nil {
		var verr *stacks.ValidationError
		require.ErrorAs(t, err, &verr, "%s = %v in %s", key, s.Set, stack)
		return outcome{refused: strings.Join(verr.Problems, "\n")}
	}
	d := stackplan.Diff(baseline, result.Plan)
	var o outcome
	o.changes, o.recreated, o.reprovided = notation(d, baseline)
	if stack == "production" && !o.recreated {
		for _, c := range d.Changes {
			if slices.Contains(dataHolding, c.Type) && (c.Op == stackplan.OpReplace || c.Op == stackplan.OpDelete) {
				t.Errorf("%s replaces or deletes %s %s in production, which holds data: refuse it in validation", key, c.Type, c.Name)
			}
			// A provider that refuses its configuration fails pulumi up
			// before it touches anything: that failure is the safeguard.
			if len(c.Blocked) > 0 && !strings.HasPrefix(c.Type, "pulumi:providers:") {
				t.Errorf("%s makes pulumi up fail on %s %s in production: %v", key, c.Type, c.Name, c.Blocked)
			}
		}
	}
	return o
}

// String writes an outcome as the matrix file has it, one line each.
func (o outcome) String() string {
	var b strings.Builder
	switch {
	case o.refused != "":
		b.WriteString("refused:\n")
		for _, line := range strings.Split(o.refused, "\n") {
			b.WriteString("  " + line + "\n")
		}
		return b.String()
	case o.recreated:
		b.WriteString("recreates every resource under new names\n")
	case o.reprovided:
		b.WriteString("a new provider replaces every resource; those deleting first or failing:\n")
	case len(o.changes) == 0:
		return "no change\n"
	}
	changes := slices.Clone(o.changes)
	slices.Sort(changes)
	for _, c := range changes {
		b.WriteString("  " + c + "\n")
	}
	return b.String()
}

// notation writes a diff in the matrix's notation; a diff that deletes every
// resource of the old plan and creates every one of the new is "recreated",
// with only its failures listed; one whose new provider replaces every
// resource is "reprovided", with only its deletes-first and failures listed.
func notation(d stackplan.PlanDiff, old *stackplan.Plan) (changes []string, recreated, reprovided bool) {
	prefix := ""
	for _, r := range old.Resources {
		if r.Type == "pulumi:providers:aws" {
			prefix = strings.TrimSuffix(r.Name, "-aws") + "-"
		}
	}
	recreated = d.Count(stackplan.OpDelete) >= len(old.Resources)-1 && d.Count(stackplan.OpUpdate) == 0 && d.Count(stackplan.OpReplace) == 0
	reprovided = slices.ContainsFunc(d.Changes, func(c stackplan.Change) bool { return c.Type == "pulumi:providers:aws" && c.Op == stackplan.OpReplace })
	for _, c := range d.Changes {
		reprovided = reprovided && c.Op == stackplan.OpReplace && (c.Type == "pulumi:providers:aws" || slices.Contains(c.ReplaceBecause, "provider"))
	}
	for _, c := range d.Changes {
		if recreated && len(c.Blocked) == 0 ||
			reprovided && len(c.Blocked) == 0 && !c.DeleteFirst && c.Type != "pulumi:providers:aws" {
			continue
		}
		symbol := map[stackplan.Op]string{stackplan.OpCreate: "+", stackplan.OpUpdate: "~", stackplan.OpReplace: "+-", stackplan.OpDelete: "-", stackplan.OpSame: "="}[c.Op]
		if c.Op == stackplan.OpReplace && c.DeleteFirst {
			symbol = "-+"
		}
		typ := c.Type
		if parts := strings.Split(typ, ":"); len(parts) == 3 {
			switch parts[0] {
			case "aws":
				typ = parts[1]
			case stacks.Project:
				typ = parts[1] + ":" + parts[2] // a component: dns:Certificate
			default:
				typ = parts[0] + ":" + parts[1]
			}
		}
		line := symbol + " " + typ + " " + strings.TrimPrefix(c.Name, prefix)
		if len(c.ReplaceBecause) > 0 {
			line += " (" + strings.Join(c.ReplaceBecause, ", ") + ")"
		}
		if len(c.Blocked) > 0 {
			line += " !"
		}
		changes = append(changes, line)
	}
	return changes, recreated, reprovided
}
