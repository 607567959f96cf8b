package engine

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ohmycoins/infra/internal/preview/previewtest"
	"github.com/ohmycoins/infra/internal/stackplan"
)

// enginePreview is what `pulumi preview --json --show-replacement-steps` says.
type enginePreview struct {
	Steps []struct {
		Op  string `json:"op"`
		URN string `json:"urn"`
	} `json:"steps"`
	Diagnostics []struct {
		Message  string `json:"message"`
		Severity string `json:"severity"`
	} `json:"diagnostics"`
}

// engineSteps is what the engine's preview of a stack says an update does.
func (w *world) engineSteps(stack string) map[string]string {
	w.t.Helper()
	steps, diagnostics, err := w.previewSteps(stack)
	require.NoError(w.t, err, "the engine's preview:\n%s", tail(diagnostics, 30))
	return steps
}

// steps are the preview's steps per custom resource (components and
// providers take no step of their own in the offline diff): its op, and for
// a replacement whether the original is deleted first ("replace, delete
// first").
func (p enginePreview) steps() map[string]string {
	out := map[string]string{}
	deletedFirst := map[string]bool{}
	for _, s := range p.Steps {
		if parts := strings.Split(s.URN, "::"); len(parts) < 4 || !strings.Contains(parts[2][strings.LastIndex(parts[2], "$")+1:], "/") {
			continue
		}
		switch s.Op {
		case "delete-replaced":
			if out[s.URN] == "" {
				deletedFirst[s.URN] = true
			}
		case "create-replacement":
			out[s.URN] = "replace"
		case "replace":
			if out[s.URN] == "" {
				out[s.URN] = "replace"
			}
		case "create", "update", "delete":
			out[s.URN] = s.Op
		}
	}
	for urn, op := range out {
		if op == "replace" && deletedFirst[urn] {
			out[urn] = "replace, delete first"
		}
	}
	return out
}

// offlineSteps is the same from the offline diff of cmd/preview.
func offlineSteps(d stackplan.PlanDiff) map[string]string {
	out := map[string]string{}
	for _, c := range d.Changes {
		if !strings.Contains(c.Type, "/") || c.Op == stackplan.OpImport || c.Op == stackplan.OpSame {
			continue // components take no step of their own; an import or new options alone is "same" to the engine
		}
		op := map[stackplan.Op]string{stackplan.OpCreate: "create", stackplan.OpUpdate: "update", stackplan.OpReplace: "replace", stackplan.OpDelete: "delete"}[c.Op]
		if c.Op == stackplan.OpReplace && c.DeleteFirst {
			op = "replace, delete first"
		}
		out[c.URN] = op
	}
	return out
}

// TestTheEngineAndTheOfflineDiffAgreeOnAddingAWorker: a worker with data
// access renames the database's and the cache's security groups; the
// engine's preview and cmd/preview's diff name the same steps in the same
// order (the groups created before the originals are deleted, as the
// program asks), and the update goes through: AWS would refuse to delete a
// group still in use.
func TestTheEngineAndTheOfflineDiffAgreeOnAddingAWorker(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.initStack("staging")
	w.pulumi("", "up", "--stack", "staging", "--yes", "--skip-preview")
	w.pulumi("", "config", "set", "--stack", "staging", "--path", "ohmycoins:services.worker.role", "worker")
	w.pulumi("", "config", "set", "--stack", "staging", "--path", "ohmycoins:services.worker.dataAccess", "true")

	engine := w.engineSteps("staging")
	before := previewtest.Stack(t, "staging").Plan
	after := previewtest.Stack(t, "staging", previewtest.Set("ohmycoins:services", `{"worker": {"role": "worker", "dataAccess": true}}`)).Plan
	offline := offlineSteps(stackplan.Diff(before, after))
	requireSameSteps(t, engine, offline)
	require.Equal(t, "replace", engine[previewtest.Named(t, before, "aws:ec2/securityGroup:SecurityGroup", "ohmycoins-staging-rds-sg").URN])

	w.pulumi("", "up", "--stack", "staging", "--yes", "--skip-preview")
	w.pulumi("", "preview", "--stack", "staging", "--expect-no-changes")
}
