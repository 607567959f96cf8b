package engine

import (
	"encoding/json"
	"fmt"
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
// procedures are written for these facts, and the ones that act on them (the
// restore, the drift workflow's step) are rehearsed here verbatim.

const typeService = "aws:ecs/service:Service"

// upWithImages brings a stack up with the backend and frontend running images.
func (w *world) upWithImages(stack string) {
	w.t.Helper()
	w.initStack(stack)
	require.NoError(w.t, w.rehearsal.StartRunning(stack, rehearsalClock))
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
	require.NoError(t, w.account.PushImage("ap-southeast-2", "ohmycoins-staging-backend", bad, "git-bad"))
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

// restoreBlock is docs/RUNBOOK.md's "Restoring the database", its
// commands joined, with the database URN and a snapshot of the rehearsal
// filled in; the aws command that lists the snapshots is the operator's
// reading, which the snapshot seeded here stands for.
func restoreBlock(t *testing.T, snapshot string) []string {
	t.Helper()
	var out []string
	for _, c := range joinContinued(runbookBlock(t, "## Restoring the database")) {
		if strings.HasPrefix(c, "aws rds describe-db-snapshots ") || strings.HasPrefix(c, "current=$(aws ") {
			continue // the look at the snapshots and the major version's check: the rehearsal runs those
		}
		c = strings.ReplaceAll(c, "<the database URN>", "urn:pulumi:production::ohmycoins::ohmycoins:rds:Database$aws:rds/instance:Instance::ohmycoins-prod-postgres")
		c = strings.ReplaceAll(c, "rds:ohmycoins-prod-postgres-2026-11-27-03-05", snapshot)
		out = append(out, c)
	}
	return out
}

// TestRestoringTheDatabaseAsTheRunbookSays: production is up; the runbook's
// block, run verbatim, replaces the database with one restored from a
// snapshot under the environment key: the original is deleted first with its
// final snapshot, the restored instance comes back under the same
// identifier, protected again, and the stack then has nothing to change.
// Put an old fault back (a plain --replace, or one without lifting deletion
// protection) and the restore fails with the original still in place; a
// second restore in a row works too (its final snapshot has a name of its own).
func TestRestoringTheDatabaseAsTheRunbookSays(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.upWithImages("production")
	const typ = "aws:rds/instance:Instance"
	original := w.holding(typ, "ohmycoins-prod-postgres")
	snapshot := "ohmycoins-prod-postgres-2026-11-27-03-05"
	require.NoError(t, w.account.SeedSnapshot(simaws.Snapshot{Type: "rds", Identifier: snapshot, Source: original.ID, KMSKeyID: original.Inputs["kmsKeyId"].(string)}))
	block := restoreBlock(t, snapshot)

	// The faults put back: the old block (no delete-first, protection on),
	// and the new one without lifting deletion protection.
	replace := []string{block[3], block[4], block[5]} // snapshotIdentifier, unprotect, up --replace
	require.Contains(t, replace[2], "--replace")
	out, err := w.runBlock(replace)
	require.Error(t, err, "a successor beside the original")
	require.Contains(t, out, "AlreadyExists", "AWS refuses the identifier")
	require.Equal(t, original.ID, w.holding(typ, "ohmycoins-prod-postgres").ID, "nothing lost: the original stays")
	out, err = w.runBlock(append([]string{block[1], block[2]}, replace...)) // delete first, protection still on
	require.Error(t, err, "deletion protection stops the deletion")
	require.Contains(t, out, "Cannot delete protected DB Instance")
	require.Equal(t, original.ID, w.holding(typ, "ohmycoins-prod-postgres").ID, "nothing lost: the original stays")
	w.pulumi("", "config", "rm", "--stack", "production", "--path", "ohmycoins:database.snapshotIdentifier")
	w.pulumi("", "config", "rm", "--stack", "production", "--path", "ohmycoins:database.replaceDeletingFirst")
	w.pulumi("", "up", "--stack", "production", "--yes", "--skip-preview") // protected again, as the program says
	w.pulumi("", "preview", "--stack", "production", "--expect-no-changes")

	out, err = w.runBlock(block)
	require.NoError(t, err, "the runbook's block:\n%s", tail(out, 40))
	restored := w.holding(typ, "ohmycoins-prod-postgres")
	require.Equal(t, snapshot, restored.Inputs["snapshotIdentifier"], "restored from the snapshot")
	require.Equal(t, true, restored.Inputs["deletionProtection"])
	snapshots, err := w.account.Snapshots()
	require.NoError(t, err)
	var finals []string
	for _, s := range snapshots {
		if strings.Contains(s.Identifier, "-final-") {
			finals = append(finals, s.Identifier)
		}
	}
	require.Len(t, finals, 1, "the original's final snapshot")
	require.Contains(t, w.pulumi("", "stack", "--stack", "production", "--show-urns"), "urn:pulumi:production::ohmycoins::ohmycoins:rds:Database$aws:rds/instance:Instance::ohmycoins-prod-postgres")
	w.pulumi("", "preview", "--stack", "production", "--expect-no-changes")
	_, err = w.try("", "state", "delete", "--stack", "production", "urn:pulumi:production::ohmycoins::ohmycoins:rds:Database$aws:rds/instance:Instance::ohmycoins-prod-postgres", "--yes")
	require.Error(t, err, "protected again")
	replication := w.holding("aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication", "ohmycoins-prod-postgres-dr")
	require.Equal(t, "ap-southeast-4", replication.Region)
	require.Equal(t, restored.Outputs["arn"], replication.Inputs["sourceDbInstanceArn"], "the restored instance's backups replicate to the DR region again")

	// A second restore in the same environment: the restored instance's
	// final snapshot has a name of its own, so its deletion is not refused.
	second := "ohmycoins-prod-postgres-2026-11-28-03-05"
	require.NoError(t, w.account.SeedSnapshot(simaws.Snapshot{Type: "rds", Identifier: second, Source: original.ID, KMSKeyID: original.Inputs["kmsKeyId"].(string)}))
	out, err = w.runBlock(restoreBlock(t, second))
	require.NoError(t, err, "the runbook's block, again:\n%s", tail(out, 40))
	require.Equal(t, second, w.holding(typ, "ohmycoins-prod-postgres").Inputs["snapshotIdentifier"])
	snapshots, err = w.account.Snapshots()
	require.NoError(t, err)
	finals = nil
	for _, s := range snapshots {
		if strings.Contains(s.Identifier, "-final-") {
			finals = append(finals, s.Identifier)
		}
	}
	require.Len(t, finals, 2, "each incarnation's own final snapshot")
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

// driftSteps are the scripts of the drift workflow's refresh-preview step
// (bash) and of the step that opens, updates or closes the issue (the
// JavaScript that actions/github-script runs).
func driftSteps(t *testing.T) (preview, issue string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(projectDir, ".github", "workflows", "drift.yml"))
	require.NoError(t, err)
	var w struct {
		Jobs map[string]struct {
			Steps []struct {
				ID   string            `yaml:"id"`
				Uses string            `yaml:"uses"`
				Run  string            `yaml:"run"`
				With map[string]string `yaml:"with"`
			} `yaml:"steps"`
		} `yaml:"jobs"`
	}
	require.NoError(t, yaml.Unmarshal(data, &w))
	for _, s := range w.Jobs["drift"].Steps {
		switch {
		case s.ID == "preview":
			preview = s.Run
		case strings.HasPrefix(s.Uses, "actions/github-script@"):
			issue = s.With["script"]
		}
	}
	require.NotEmpty(t, preview, "drift.yml has a step with id preview")
	require.NotEmpty(t, issue, "drift.yml has an actions/github-script step")
	return preview, issue
}

// githubScript runs a github-script step's script as the action does (an
// async function given require, github and context) with node, against a
// stand-in of the issues API that keeps the repository's issues in a JSON
// file: listForRepo (open, by label), create, update and createComment. It
// is a stand-in: only the calls the drift workflow makes, GitHub's field
// names.
const githubScript = `
const fs = require('fs');
const file = process.env.ISSUES_FILE;
const issues = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : [];
const find = (n) => { const i = issues.find(i => i.number === n); if (!i) throw new Error('no issue ' + n); return i; };
const github = {
  paginate: async (fn, params) => (await fn(params)).data,
  rest: { issues: {
    listForRepo: async ({ state, labels }) => ({ data: issues.filter(i => i.state === state && i.labels.includes(labels)) }),
    create: async ({ title, body, labels }) => { issues.push({ number: issues.length + 1, title, body, labels, state: 'open', comments: [] }); return { data: {} }; },
    update: async ({ issue_number, body, state, state_reason }) => { const i = find(issue_number); if (body !== undefined) i.body = body; if (state) i.state = state; if (state_reason) i.reason = state_reason; return { data: {} }; },
    createComment: async ({ issue_number, body }) => { find(issue_number).comments.push(body); return { data: {} }; },
  } },
};
const context = { repo: { owner: 'MarkLimmage', repo: 'ohmycoins' }, serverUrl: 'https://github.com', runId: 42 };
(async () => { %s
})().then(() => fs.writeFileSync(file, JSON.stringify(issues, null, 2)), (e) => { console.error(e); process.exit(1); });
`

// ghIssue is an issue of the stand-in issues API.
type ghIssue struct {
	Number   int      `json:"number"`
	Title    string   `json:"title"`
	Body     string   `json:"body"`
	Labels   []string `json:"labels"`
	State    string   `json:"state"`
	Reason   string   `json:"reason"`
	Comments []string `json:"comments"`
}

// TestTheDriftWorkflowOpensItsIssueOnDrift runs the drift job's two steps
// night after night, for both stacks, as the workflow runs them (bash -e
// with GITHUB_OUTPUT, then the issue script with node): no drift opens
// nothing; drift injected in the account opens one issue that names what
// drifted, and the next night updates it; once `pulumi up --refresh` put it
// back, the issue is closed with a comment. A preview that cannot run at all
// (credentials of another account) fails the job without a verdict, and the
// issue step does not run.
func TestTheDriftWorkflowOpensItsIssueOnDrift(t *testing.T) {
	t.Parallel()
	node, err := exec.LookPath("node")
	require.NoError(t, err, "the issue step is JavaScript: the engine tests need node (.ci/run checks for it)")
	previewScript, issueScript := driftSteps(t)
	script := filepath.Join(t.TempDir(), "issue.js")
	require.NoError(t, os.WriteFile(script, []byte(fmt.Sprintf(githubScript, issueScript)), 0o644))

	for stack, prefix := range map[string]string{"staging": "ohmycoins-staging", "production": "ohmycoins-prod"} {
		t.Run(stack, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			w.initStack(stack)
			w.pulumi("", "up", "--stack", stack, "--yes", "--skip-preview")
			issues := filepath.Join(t.TempDir(), "issues.json")
			night := func() (verdict, log string, err error) {
				output := filepath.Join(t.TempDir(), "github-output")
				cmd := exec.Command("bash", "-e", "-c", previewScript)
				cmd.Dir, cmd.Env = w.dir, append(w.env, "STACK="+stack, "GITHUB_OUTPUT="+output)
				out, err := cmd.CombinedOutput()
				data, _ := os.ReadFile(output)
				verdict = strings.TrimSpace(string(data))
				if err != nil {
					return verdict, string(out), err
				}
				issue := exec.Command(node, script)
				issue.Dir = w.dir
				issue.Env = append(w.env, "STACK="+stack, "DRIFT="+strings.TrimPrefix(verdict, "drift="), "ISSUES_FILE="+issues)
				more, err := issue.CombinedOutput()
				return verdict, string(out) + string(more), err
			}
			opened := func() []ghIssue {
				var all []ghIssue
				if data, err := os.ReadFile(issues); err == nil {
					require.NoError(t, json.Unmarshal(data, &all))
				}
				return all
			}
			title := "Drift: " + stack + " no longer matches its stack"

			verdict, log, err := night()
			require.NoError(t, err, log)
			require.Equal(t, "drift=false", verdict)
			require.Empty(t, opened(), "no drift, no issue")

			group := w.holding("aws:cloudwatch/logGroup:LogGroup", prefix+"-backend-logs")
			require.NoError(t, w.account.Drift("ap-southeast-2", group.Type, group.ID, map[string]any{"retentionInDays": 1.0}))
			for n := 1; n <= 2; n++ {
				verdict, log, err = night()
				require.NoError(t, err, log)
				require.Equal(t, "drift=true", verdict)
				all := opened()
				require.Len(t, all, 1, "night %d: one issue per stack, opened once and then updated", n)
				require.Equal(t, title, all[0].Title)
				require.Equal(t, []string{"drift"}, all[0].Labels)
				require.Equal(t, "open", all[0].State)
				require.Contains(t, all[0].Body, prefix+"-backend-logs", "the issue names what drifted")
				require.Contains(t, all[0].Body, "retentionInDays", "and which input")
			}

			w.pulumi("", "up", "--stack", stack, "--refresh", "--yes", "--skip-preview")
			verdict, log, err = night()
			require.NoError(t, err, log)
			require.Equal(t, "drift=false", verdict)
			all := opened()
			require.Len(t, all, 1)
			require.Equal(t, "closed", all[0].State, "the first night without drift closes the issue")
			require.Equal(t, "completed", all[0].Reason)
			require.Len(t, all[0].Comments, 1)
			require.Contains(t, all[0].Comments[0], "No drift in "+stack)

			w.settings(func(s *simaws.Settings) { s.ID = "210987654321" })
			verdict, log, err = night()
			require.Error(t, err, "not drift: the job fails")
			require.Empty(t, verdict)
			require.Contains(t, log, "AWS account ID not allowed")
			require.Equal(t, all, opened(), "and opens nothing")
		})
	}
}
