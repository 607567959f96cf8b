package engine

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/ohmycoins/infra/internal/simaws"
)

// What the engine and the provider do on day 2 that no offline diff can
// tell: a deployment that ECS rolls back, a restore under a snapshot's own
// key, `pulumi up --replace` of the database, drift. docs/RUNBOOK.md's
// procedures must be written for these facts (the rehearsals of issue 22
// run them verbatim).

const typeService = "aws:ecs/service:Service"

// upWithImages brings a stack up with the backend and frontend running images.
func (w *world) upWithImages(stack string) {
	w.t.Helper()
	w.initStack(stack)
	for _, svc := range []string{"backend", "frontend"} {
		w.pulumi("", "config", "set", "--stack", stack, "--path", "ohmycoins:"+svc+".imageDigest", "sha256:"+strings.Repeat("b1", 32))
	}
	w.pulumi("", "up", "--stack", stack, "--yes", "--skip-preview")
}

// settings rewrites the account's own facts.
func (w *world) settings(change func(*simaws.Settings)) {
	w.t.Helper()
	s, err := w.account.Settings()
	require.NoError(w.t, err)
	change(&s)
	data, err := json.Marshal(s)
	require.NoError(w.t, err)
	require.NoError(w.t, os.WriteFile(filepath.Join(w.accountDir, "account.json"), data, 0o644))
}

// holding returns the one resource of a type with a logical name the account holds.
func (w *world) holding(typ, name string) simaws.Resource {
	w.t.Helper()
	var found []simaws.Resource
	for _, r := range w.resources() {
		if r.Type == typ && r.Name == name {
			found = append(found, r)
		}
	}
	require.Len(w.t, found, 1, "%s %s", typ, name)
	return found[0]
}

// TestADeploymentThatRollsBackStillEndsInASuccessfulUp: a new backend image
// whose tasks never become healthy is rolled back by the service's circuit
// breaker; pulumi up reports success all the same (the provider's waiter
// sees a steady service), the service runs the previous task definition,
// and only the next preview shows it: the service differs from the program.
func TestADeploymentThatRollsBackStillEndsInASuccessfulUp(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.upWithImages("staging")
	before := w.holding(typeService, "ohmycoins-staging-backend-service").Inputs["taskDefinition"]

	bad := "sha256:" + strings.Repeat("ba", 32)
	w.settings(func(s *simaws.Settings) { s.FailingImages = []string{"ohmycoins-staging-backend@" + bad} })
	w.pulumi("", "config", "set", "--stack", "staging", "--path", "ohmycoins:backend.imageDigest", bad)
	out := w.pulumi("", "up", "--stack", "staging", "--yes", "--skip-preview")
	require.Regexp(t, `~ +aws:ecs:Service ohmycoins-staging-backend-service updated`, out, "pulumi up succeeds")

	require.Equal(t, before, w.holding(typeService, "ohmycoins-staging-backend-service").Inputs["taskDefinition"], "ECS rolled back: the service runs the previous task definition")
	steps := w.engineSteps("staging")
	require.Equal(t, "update", steps["urn:pulumi:staging::ohmycoins::ohmycoins:ecs:Cluster$aws:ecs/service:Service::ohmycoins-staging-backend-service"],
		"the next preview finds the service on the old task definition: %v", steps)
}

// TestARestoreFromASnapshotUnderAnotherKeyWouldBeReplacedByTheNextUp: a
// database created from a snapshot encrypted with another key (the
// original's aws/rds key) comes back under that key, not the environment's;
// the next preview replaces it (kmsKeyId forces a new instance), which is
// why docs/RUNBOOK.md copies such a snapshot under the environment key first.
func TestARestoreFromASnapshotUnderAnotherKeyWouldBeReplacedByTheNextUp(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	const foreignKey = "arn:aws:kms:ap-southeast-2:220711411889:key/aws-rds-managed"
	require.NoError(t, w.account.SeedSnapshot(simaws.Snapshot{Type: "rds", Identifier: "ohmycoins-staging-from-terraform", KMSKeyID: foreignKey}))
	w.initStack("staging")
	w.pulumi("", "config", "set", "--stack", "staging", "--path", "ohmycoins:database.snapshotIdentifier", "ohmycoins-staging-from-terraform")
	w.pulumi("", "up", "--stack", "staging", "--yes", "--skip-preview")

	db := w.holding("aws:rds/instance:Instance", "ohmycoins-staging-postgres")
	require.Equal(t, foreignKey, db.Inputs["kmsKeyId"], "restored under the snapshot's key")
	steps := w.engineSteps("staging")
	require.Equal(t, "replace", steps["urn:pulumi:staging::ohmycoins::ohmycoins:rds:Database$aws:rds/instance:Instance::ohmycoins-staging-postgres"], "%v", steps)
}

// TestUpReplaceOfTheDatabaseAsksNoProvider: `pulumi up --replace` of the
// database creates the new instance first under the same identifier, which
// AWS refuses, and the original stays; in production the engine refuses
// before anything, the database being protected.
func TestUpReplaceOfTheDatabaseAsksNoProvider(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.initStack("staging")
	w.pulumi("", "up", "--stack", "staging", "--yes", "--skip-preview")
	original := w.holding("aws:rds/instance:Instance", "ohmycoins-staging-postgres")
	out, err := w.try("", "up", "--stack", "staging", "--yes", "--skip-preview",
		"--replace", "urn:pulumi:staging::ohmycoins::ohmycoins:rds:Database$aws:rds/instance:Instance::ohmycoins-staging-postgres")
	require.Error(t, err)
	require.Contains(t, out, "AlreadyExists", "created beside the original, under its identifier")
	require.Equal(t, original.ID, w.holding("aws:rds/instance:Instance", "ohmycoins-staging-postgres").ID, "the original stays, alone")
}

// TestDriftShowsOnlyAfterARefresh: a log group's retention changed in the
// console is invisible to a plain preview (the state is what the engine
// diffs), shows with --refresh, and `pulumi up --refresh` puts it back.
func TestDriftShowsOnlyAfterARefresh(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.initStack("staging")
	w.pulumi("", "up", "--stack", "staging", "--yes", "--skip-preview")
	const typ = "aws:cloudwatch/logGroup:LogGroup"
	group := w.holding(typ, "ohmycoins-staging-backend-logs")
	retention := group.Inputs["retentionInDays"]
	require.NoError(t, w.account.Drift("ap-southeast-2", typ, group.ID, map[string]any{"retentionInDays": 1.0}))

	w.pulumi("", "preview", "--stack", "staging", "--expect-no-changes")
	out, err := w.try("", "preview", "--stack", "staging", "--refresh", "--expect-no-changes", "--diff")
	require.Error(t, err, "a refreshed preview finds the drift")
	require.Regexp(t, `~ retentionInDays: 1 => `, out, "the group's retention, and nothing else, is put back")
	w.pulumi("", "up", "--stack", "staging", "--refresh", "--yes", "--skip-preview")
	require.Equal(t, retention, w.holding(typ, "ohmycoins-staging-backend-logs").Inputs["retentionInDays"])
}

// driftStep is the script of the drift workflow's refresh-preview step.
func driftStep(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(projectDir, ".github", "workflows", "drift.yml"))
	require.NoError(t, err)
	var w struct {
		Jobs map[string]struct {
			Steps []struct {
				ID  string `yaml:"id"`
				Run string `yaml:"run"`
			} `yaml:"steps"`
		} `yaml:"jobs"`
	}
	require.NoError(t, yaml.Unmarshal(data, &w))
	for _, s := range w.Jobs["drift"].Steps {
		if s.ID == "preview" {
			return s.Run
		}
	}
	t.Fatal("drift.yml has no step with id preview")
	return ""
}

// TestTheDriftWorkflowTellsDriftFromFailure: the drift workflow's preview
// step, run as the workflow runs it (bash -e, GITHUB_OUTPUT), says
// drift=false for a stack that matches AWS, drift=true once the account
// drifted, and fails without a verdict when the preview cannot run at all
// (credentials of another account).
func TestTheDriftWorkflowTellsDriftFromFailure(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.initStack("staging")
	w.pulumi("", "up", "--stack", "staging", "--yes", "--skip-preview")
	script := driftStep(t)
	run := func() (verdict, log string, err error) {
		output := filepath.Join(t.TempDir(), "github-output")
		cmd := exec.Command("bash", "-e", "-c", script)
		cmd.Dir, cmd.Env = w.dir, append(w.env, "STACK=staging", "GITHUB_OUTPUT="+output)
		out, err := cmd.CombinedOutput()
		data, _ := os.ReadFile(output)
		return strings.TrimSpace(string(data)), string(out), err
	}

	verdict, log, err := run()
	require.NoError(t, err, log)
	require.Equal(t, "drift=false", verdict)

	group := w.holding("aws:cloudwatch/logGroup:LogGroup", "ohmycoins-staging-backend-logs")
	require.NoError(t, w.account.Drift("ap-southeast-2", group.Type, group.ID, map[string]any{"retentionInDays": 1.0}))
	verdict, log, err = run()
	require.NoError(t, err, log)
	require.Equal(t, "drift=true", verdict)
	preview, err := os.ReadFile(filepath.Join(w.dir, "preview.txt"))
	require.NoError(t, err)
	require.Contains(t, string(preview), "ohmycoins-staging-backend-logs", "the issue's text names what drifted")

	w.settings(func(s *simaws.Settings) { s.ID = "210987654321" })
	verdict, log, err = run()
	require.Error(t, err, "not drift: the job fails")
	require.Empty(t, verdict)
	require.Contains(t, log, "AWS account ID not allowed")
}
