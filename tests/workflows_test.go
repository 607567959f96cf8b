package tests

import (
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// workflow is the part of a GitHub Actions workflow the checks read.
type workflow struct {
	On          map[string]any    `yaml:"on"`
	Permissions map[string]string `yaml:"permissions"`
	Env         map[string]string `yaml:"env"`
	Jobs        map[string]struct {
		If             string            `yaml:"if"`
		Needs          any               `yaml:"needs"`
		Environment    string            `yaml:"environment"`
		TimeoutMinutes int               `yaml:"timeout-minutes"`
		Permissions    map[string]string `yaml:"permissions"`
		Strategy       struct {
			Matrix map[string]any `yaml:"matrix"`
		} `yaml:"strategy"`
		Steps []struct {
			Name string            `yaml:"name"`
			Uses string            `yaml:"uses"`
			Run  string            `yaml:"run"`
			With map[string]string `yaml:"with"`
		} `yaml:"steps"`
	} `yaml:"jobs"`
}

func readWorkflow(t *testing.T, name string) workflow {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(projectDir, ".github", "workflows", name))
	require.NoError(t, err)
	var w workflow
	require.NoError(t, yaml.Unmarshal(data, &w))
	return w
}

var pinnedAction = regexp.MustCompile(`^[a-z0-9-]+/[a-z0-9-]+@[0-9a-f]{40}$`)

// TestWorkflowsAreSafeToRun: what a security review of the delivery path
// found, as rules over every workflow: actions pinned by commit, a timeout on
// every job, the Pulumi CLI pinned to the tested version, checks never run
// with id-token, deploys only from main after the checks, and no pull
// request's code with production's roles.
func TestWorkflowsAreSafeToRun(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join(projectDir, ".github", "workflows", "*.yml"))
	require.NoError(t, err)
	require.Len(t, files, 5)
	for _, f := range files {
		w := readWorkflow(t, filepath.Base(f))
		require.Equal(t, map[string]string{"contents": "read"}, pick(w.Permissions, "contents"), "%s: read-only by default", f)
		for name, job := range w.Jobs {
			where := filepath.Base(f) + " " + name
			require.Positive(t, job.TimeoutMinutes, "%s: a timeout", where)
			for _, step := range job.Steps {
				if step.Uses != "" {
					require.Regexp(t, pinnedAction, step.Uses, "%s: actions pinned by commit SHA", where)
				}
				if strings.HasPrefix(step.Uses, "pulumi/actions@") {
					require.Equal(t, "${{ env.PULUMI_VERSION }}", step.With["pulumi-version"], "%s: the CLI version is pinned", where)
					require.Equal(t, "3.274.1", w.Env["PULUMI_VERSION"], "%s: the version the doc test runs (tools/pulumi)", where)
					require.Empty(t, step.With["cloud-url"], "%s: the backend is Pulumi.yaml's", where)
				}
				if strings.HasPrefix(step.Uses, "actions/checkout@") {
					require.Equal(t, "false", step.With["persist-credentials"], "%s: no token left in .git/config", where)
				}
			}
			if job.Permissions["id-token"] == "write" {
				require.NotContains(t, job.Permissions, "pull-requests", "%s: a job that runs code with a role holds no write token", where)
				for _, step := range job.Steps {
					require.NotContains(t, step.Run, ".ci/run", "%s: no tests or linters while a role can be assumed", where)
					require.NotContains(t, step.Run, "go test", where)
				}
			}
		}
	}

	deployWorkflow := readWorkflow(t, "deploy.yml")
	deploy := deployWorkflow.Jobs["deploy"]
	require.Equal(t, "!cancelled() && needs.checks.result == 'success' && needs.github-settings.result == 'success' "+
		"&& needs.production-preview.result != 'failure' "+
		"&& github.ref == 'refs/heads/main' && (github.event_name != 'push' || vars.DEPLOYS_PAUSED != 'true')", strings.ReplaceAll(deploy.If, "\n", " "),
		"deploys run from main only, after the checks and the settings check, and a merge deploys nothing while a migration pauses them")
	require.Equal(t, []any{"checks", "github-settings", "production-preview"}, deploy.Needs,
		"deploys wait for the checks job (no id-token), the GitHub settings and, for production, the preview its approver reads")
	settings := deployWorkflow.Jobs["github-settings"]
	require.Empty(t, settings.Permissions["id-token"], "the settings are checked before any role can be had")
	require.Equal(t, `go run ./cmd/ghsettings -repository "$GITHUB_REPOSITORY"`, settings.Steps[len(settings.Steps)-1].Run)
	productionPreview := deployWorkflow.Jobs["production-preview"]
	require.Contains(t, productionPreview.If, "inputs.stack == 'production'")
	require.Empty(t, productionPreview.Permissions["id-token"], "computed offline, with no role")
	require.Contains(t, productionPreview.Steps[len(productionPreview.Steps)-1].Run, `go run ./cmd/preview diff -stack production -check "$RUNNER_TEMP/deployed.json"`)
	require.Contains(t, productionPreview.Steps[len(productionPreview.Steps)-1].Run, `>> "$GITHUB_STEP_SUMMARY"`, "in the run's summary, which the approver reads")
	require.Equal(t, "write", deploy.Permissions["id-token"])
	require.Equal(t, "${{ github.event_name == 'push' && 'staging' || inputs.stack }}", deploy.Environment)
	var runs []string
	for _, s := range deploy.Steps {
		runs = append(runs, s.Run)
	}
	require.Contains(t, runs, `go run ./cmd/preview check-init -stack "$STACK"`, "an uninitialised stack stops with the commands, not a KMS error")
	require.Contains(t, runs, `go run ./cmd/verify -stack "$STACK"`)

	pr := readWorkflow(t, "pull-request.yml")
	preview := pr.Jobs["pulumi-preview"]
	require.Equal(t, "github.event.pull_request.head.repo.full_name == github.repository", preview.If)
	require.Empty(t, preview.Strategy.Matrix, "one stack: staging")
	var previewed bool
	for _, s := range preview.Steps {
		require.NotContains(t, s.With["role-to-assume"], "PRODUCTION", "no production role for pull-request code")
		if strings.HasPrefix(s.Uses, "pulumi/actions@") {
			require.Empty(t, s.With["command"], "the action installs the CLI; the step below previews")
		}
		if strings.Contains(s.Run, "pulumi preview --stack") {
			require.Contains(t, s.Run, "pulumi preview --stack staging")
			previewed = true
		}
	}
	require.True(t, previewed, "pull requests of the repository's branches preview staging against AWS")
	require.Equal(t, []any{"staging", "production"}, pr.Jobs["offline-diff"].Strategy.Matrix["stack"], "production is previewed offline")
	require.NotContains(t, preview.Permissions, "pull-requests", "the job that runs the pull request's code holds no write token")
	require.Empty(t, pr.Jobs["offline-diff"].Permissions, "the offline diff needs no credentials")

	// The monthly price refresh writes a branch and a pull request: it runs
	// main's code only, on a schedule or by hand, with no cloud role.
	prices := readWorkflow(t, "prices.yml")
	require.ElementsMatch(t, []string{"schedule", "workflow_dispatch"}, slices.Collect(maps.Keys(prices.On)), "no pull request's code runs with its write token")
	refresh := prices.Jobs["refresh"]
	require.Equal(t, "github.ref == 'refs/heads/main'", refresh.If)
	require.Equal(t, map[string]string{"contents": "write", "pull-requests": "write"}, refresh.Permissions, "no id-token: the offer files are public")
	var refreshRun string
	for _, s := range refresh.Steps {
		if strings.Contains(s.Run, "refresh -offers") {
			refreshRun = s.Run
		}
	}
	require.Contains(t, refreshRun, `go build -o "$RUNNER_TEMP/bin/prices" ./cmd/prices`, "go run would turn exit 2 into 1")
	require.Contains(t, refreshRun, `"$RUNNER_TEMP/bin/prices" refresh -offers "$RUNNER_TEMP/offers"`)
	require.Contains(t, refreshRun, `if [ "$status" -gt 1 ]; then`, "only exit 1 is a selector that matched badly")

	comment, err := os.ReadFile(filepath.Join(projectDir, ".github", "workflows", "pr-comment.yml"))
	require.NoError(t, err)
	require.NotContains(t, string(comment), "pr-number", "the pull request comes from the API, not from the artifact")
	require.Contains(t, string(comment), "p.head.sha === run.head_sha")
	require.Contains(t, string(comment), "c.user.login === 'github-actions[bot]'", "only its own comments are edited")
	require.Contains(t, string(comment), "const marker = `<!-- ${kind}:${stack} -->`", "fixed markers")
	require.Contains(t, string(comment), "was produced by this pull request's own code", "each comment says which text the pull request's code produced")
	require.Contains(t, string(comment), "github.rest.pulls.listFiles", "what the comment states itself comes from GitHub's API")
}

// TestDriftIsCheckedNightlyWithTheReadOnlyRoles: a scheduled refresh-preview
// of each stack with its preview role, one issue per stack.
func TestDriftIsCheckedNightlyWithTheReadOnlyRoles(t *testing.T) {
	t.Parallel()
	w := readWorkflow(t, "drift.yml")
	require.Contains(t, w.On, "schedule")
	job := w.Jobs["drift"]
	require.Equal(t, "github.ref == 'refs/heads/main'", job.If, "staging's preview role trusts main's workflows")
	require.Equal(t, "${{ matrix.environment }}", job.Environment, "production's run waits for production's reviewers")
	require.Equal(t, `${{ fromJSON(github.event.schedule == '17 17 * * *' && '[{"stack":"staging","environment":""}]' || '[{"stack":"staging","environment":""},{"stack":"production","environment":"production"}]') }}`,
		job.Strategy.Matrix["include"], "staging nightly; production weekly and by hand, in its environment")
	require.Equal(t, "write", job.Permissions["issues"])
	var preview, roles, script string
	for _, s := range job.Steps {
		if strings.HasPrefix(s.Uses, "pulumi/actions@") {
			// Only installs the CLI: the action sets no output when the
			// command fails, and drift is a failing preview.
			require.Empty(t, s.With["command"])
			require.Equal(t, "${{ env.PULUMI_VERSION }}", s.With["pulumi-version"])
		}
		if strings.Contains(s.Run, "pulumi preview") {
			require.Contains(t, s.Run, `pulumi preview --stack "$STACK" --refresh --expect-no-changes`)
			require.Contains(t, s.Run, `echo "drift=true" >> "$GITHUB_OUTPUT"`)
			preview = s.Run
		}
		if strings.HasPrefix(s.Uses, "aws-actions/configure-aws-credentials@") {
			roles = s.With["role-to-assume"]
		}
		if strings.HasPrefix(s.Uses, "actions/github-script@") {
			script = s.With["script"]
		}
	}
	require.NotEmpty(t, preview, "a step runs the refresh-preview itself (tests/engine runs it against the simulated account)")
	require.Equal(t, "${{ matrix.stack == 'staging' && vars.STAGING_PREVIEW_ROLE_ARN || vars.PRODUCTION_PREVIEW_ROLE_ARN }}", roles)
	require.NotContains(t, roles, "DEPLOY")
	require.Contains(t, script, "labels: ['drift']", "one issue per stack, labelled")
	require.Contains(t, script, "state: 'closed'", "closed when the drift is gone")
	require.Contains(t, script, "process.env.DRIFT === 'true'", "the issue follows the preview step's verdict")
}

func pick(m map[string]string, keys ...string) map[string]string {
	out := map[string]string{}
	for _, k := range keys {
		if v, ok := m[k]; ok {
			out[k] = v
		}
	}
	return out
}

// TestDependabotWatchesWhatIsPinned: the pinned actions, the program's
// modules and the tools module that pins the CLI.
func TestDependabotWatchesWhatIsPinned(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(filepath.Join(projectDir, ".github", "dependabot.yml"))
	require.NoError(t, err)
	var cfg struct {
		Updates []struct {
			Ecosystem string `yaml:"package-ecosystem"`
			Directory string `yaml:"directory"`
		} `yaml:"updates"`
	}
	require.NoError(t, yaml.Unmarshal(data, &cfg))
	var got []string
	for _, u := range cfg.Updates {
		got = append(got, u.Ecosystem+" "+u.Directory)
	}
	require.ElementsMatch(t, []string{"github-actions /", "gomod /", "gomod /tools/pulumi"}, got)
}

// TestEveryPulumiRunUsesTheStacksOwnBackend: every job that runs the real
// Pulumi CLI first exports the backend its stack file names
// (cmd/preview backend), before its AWS credentials and the CLI, so the
// two-account layout's stacks each reach the bucket of their own account.
func TestEveryPulumiRunUsesTheStacksOwnBackend(t *testing.T) {
	t.Parallel()
	runs := 0
	for _, name := range []string{"deploy.yml", "drift.yml", "pull-request.yml"} {
		for jobName, job := range readWorkflow(t, name).Jobs {
			backend, credentials := -1, -1
			for i, s := range job.Steps {
				if strings.Contains(s.Run, "go run ./cmd/preview backend -stack") && strings.Contains(s.Run, `echo "PULUMI_BACKEND_URL=$url" >> "$GITHUB_ENV"`) {
					backend = i
				}
				if strings.HasPrefix(s.Uses, "aws-actions/configure-aws-credentials@") && credentials < 0 {
					credentials = i
				}
				if strings.HasPrefix(s.Uses, "pulumi/actions@") {
					runs++
					require.GreaterOrEqual(t, backend, 0, "%s %s runs pulumi without the stack's backend", name, jobName)
					require.Less(t, backend, credentials, "%s %s: the backend comes from the stack file, before any credentials", name, jobName)
				}
			}
		}
	}
	require.Equal(t, 3, runs, "deploy, drift and the pull request's preview")
}
