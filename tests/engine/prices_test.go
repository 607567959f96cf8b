package engine

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// pricesSteps are the prices workflow's run steps, in order, by name.
func pricesSteps(t *testing.T) (names, scripts []string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(projectDir, ".github", "workflows", "prices.yml"))
	require.NoError(t, err)
	var w struct {
		Jobs map[string]struct {
			Steps []struct {
				Name string `yaml:"name"`
				Run  string `yaml:"run"`
			} `yaml:"steps"`
		} `yaml:"jobs"`
	}
	require.NoError(t, yaml.Unmarshal(data, &w))
	for _, s := range w.Jobs["refresh"].Steps {
		if s.Run != "" {
			names, scripts = append(names, s.Name), append(scripts, s.Run)
		}
	}
	return names, scripts
}

// stubs are the stand-ins of the workflow's network tools: curl serves the
// offer files made for internal/pricelist's tests by the offer code in the
// URL; gh records its arguments and answers `pr list` from GH_OPEN_PR.
const (
	curlStub = `#!/usr/bin/env bash
out=""; url=""
while [ $# -gt 0 ]; do
  case "$1" in
    --output) out="$2"; shift 2 ;;
    --*) shift ;;
    *) url="$1"; shift ;;
  esac
done
offer=$(echo "$url" | sed -n 's#^https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/\([^/]*\)/current/ap-southeast-2/index.json$#\1#p')
[ -n "$offer" ] && [ -f "$OFFERS/$offer.json" ] || { echo "curl stand-in: no offer file for $url" >&2; exit 22; }
cp "$OFFERS/$offer.json" "$out"
`
	ghStub = `#!/usr/bin/env bash
echo "gh $*" >> "$GH_LOG"
if [ "$1 $2" = "pr list" ]; then echo "$GH_OPEN_PR"; fi
`
)

// TestThePricesWorkflowOpensAPullRequestWithTheEffect runs the prices
// workflow's steps as GitHub runs them (bash -eo pipefail) in a copy of the
// repository whose origin is a local bare repository, with curl serving the
// offer files made for the tests (nat.hour and nat.gb move from $0.059 to
// $0.062; db.m7g.large and cache.m7g.large are new) and gh recorded: the
// table is rewritten, the pull request's text carries the report and each
// stack's cost line naming the prices that moved, the branch is pushed, and a
// second month edits the open pull request instead of opening another.
func TestThePricesWorkflowOpensAPullRequestWithTheEffect(t *testing.T) {
	if os.Getenv("OHMYCOINS_ENGINE") != "1" {
		t.Skip("set OHMYCOINS_ENGINE=1 to run the workflows' steps (.ci/run does)")
	}
	t.Parallel()
	names, scripts := pricesSteps(t)
	require.Equal(t, []string{"Plans at the current prices", "Download the offer files", "Refresh internal/cost/prices.json",
		"What the new prices do to each stack", "Open or update the pull request", "Fail when a selector could not be read"}, names)

	tmp := t.TempDir()
	repo, origin, runner, stubs := filepath.Join(tmp, "repo"), filepath.Join(tmp, "origin.git"), filepath.Join(tmp, "runner"), filepath.Join(tmp, "bin")
	for _, d := range []string{repo, runner, stubs} {
		require.NoError(t, os.MkdirAll(d, 0o755))
	}
	// The working tree as it is (committed or not), as the checkout has it.
	files, err := exec.Command("git", "-C", projectDir, "ls-files", "-co", "--exclude-standard").Output()
	require.NoError(t, err)
	for _, f := range strings.Fields(string(files)) {
		data, err := os.ReadFile(filepath.Join(projectDir, f))
		if os.IsNotExist(err) {
			continue // deleted in the working tree
		}
		require.NoError(t, err)
		info, err := os.Stat(filepath.Join(projectDir, f))
		require.NoError(t, err)
		require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(repo, f)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(repo, f), data, info.Mode().Perm()))
	}
	git := func(dir string, args ...string) string {
		cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=test", "GIT_AUTHOR_EMAIL=test@example.com", "GIT_COMMITTER_NAME=test", "GIT_COMMITTER_EMAIL=test@example.com")
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "git %v: %s", args, out)
		return string(out)
	}
	require.NoError(t, exec.Command("git", "init", "-q", "--bare", origin).Run())
	git(repo, "init", "-q", "-b", "main")
	git(repo, "add", "-A")
	git(repo, "commit", "-q", "-m", "main")
	git(repo, "remote", "add", "origin", origin)
	git(repo, "push", "-q", "origin", "main")
	require.NoError(t, os.WriteFile(filepath.Join(stubs, "curl"), []byte(curlStub), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(stubs, "gh"), []byte(ghStub), 0o755))
	fixtures, err := filepath.Abs(filepath.Join(projectDir, "internal", "pricelist", "testdata", "offers"))
	require.NoError(t, err)
	ghLog, summary := filepath.Join(tmp, "gh.log"), filepath.Join(tmp, "summary.md")

	month := func(openPR string) {
		for i, script := range scripts {
			cmd := exec.Command("bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script)
			cmd.Dir = repo
			cmd.Env = append(os.Environ(), "PATH="+stubs+string(os.PathListSeparator)+os.Getenv("PATH"),
				"RUNNER_TEMP="+runner, "GITHUB_STEP_SUMMARY="+summary, "OFFERS="+fixtures, "GH_LOG="+ghLog, "GH_OPEN_PR="+openPR, "GH_TOKEN=token")
			out, err := cmd.CombinedOutput()
			require.NoError(t, err, "step %q:\n%s", names[i], out)
		}
	}
	month("")

	body, err := os.ReadFile(filepath.Join(runner, "body.md"))
	require.NoError(t, err)
	text := string(body)
	require.Contains(t, text, "\n17 price(s) changed or added, 38 unchanged.\n")
	require.Contains(t, text, "\n  ~ nat.gb: $0.059 → $0.062\n  ~ nat.hour: $0.059 → $0.062\n  ~ rds.backup-gb-month: $0.095 → $0.114\n  + rds.db.m7g.large: $0.224 (new)\n")
	for _, stack := range []string{"staging", "production"} {
		section := text[strings.Index(text, "### "+stack):]
		require.Regexp(t, regexp.MustCompile(`Changes to stack `+stack+`, offline \(replacement rules of pulumi-aws v[0-9.]+\):\n\nNo changes\. \d+ resources unchanged\.\nMonthly cost \(On-Demand, USD, prices of \d{4}-\d\d-\d\d\): \$\d+\.\d\d → \$\d+\.\d\d \(\+\$\d+\.\d\d\)\n`), section)
		require.Contains(t, section, "   the old plan was priced with the prices of 2026-11-27\n")
		require.Contains(t, section, "     price nat.gb: $0.059 → $0.062\n     price nat.hour: $0.059 → $0.062\n", stack)
		require.Regexp(t, `   of which the resources \+\$0\.00, the changed assumptions and prices \+\$\d+\.\d\d:`, section)
	}
	summaryText, err := os.ReadFile(summary)
	require.NoError(t, err)
	require.Equal(t, text, string(summaryText), "the run's summary shows the same text")

	pushed := git(origin, "show", "prices/refresh:internal/cost/prices.json")
	require.Contains(t, pushed, `"rds.db.m7g.large": {`)
	require.Regexp(t, `"nat.hour": \{\n      "usd": 0.062,`, pushed)
	require.Contains(t, git(origin, "log", "-1", "--format=%an %s", "prices/refresh"), "github-actions[bot] prices: refresh internal/cost/prices.json from the AWS Price List")
	log, err := os.ReadFile(ghLog)
	require.NoError(t, err)
	require.Equal(t, "gh auth setup-git\ngh pr list --head prices/refresh --state open --json number --jq .[].number\n"+
		"gh pr create --base main --head prices/refresh --title prices: monthly refresh from the AWS Price List --body-file "+filepath.Join(runner, "body.md")+"\n", string(log))

	// The next month, on main again, with the pull request still open: the
	// branch is pushed again and the pull request's text edited.
	git(repo, "checkout", "-q", "-f", "main")
	require.NoError(t, os.Remove(ghLog))
	month("7")
	log, err = os.ReadFile(ghLog)
	require.NoError(t, err)
	require.Contains(t, string(log), "gh pr edit prices/refresh --body-file "+filepath.Join(runner, "body.md")+"\n")
	require.NotContains(t, string(log), "gh pr create")
}
