package engine

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ohmycoins/infra/internal/rehearsal"
	"github.com/ohmycoins/infra/internal/simaws"
)

// projectDir is the repository's root, relative to this package.
const projectDir = "../.."

var (
	buildOnce sync.Once
	binDir    string
	buildErr  error
)

// TestMain removes the stand-ins the run built (about 375 MB), which a
// temporary directory of the tests' own would otherwise leave behind.
func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		_ = os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// standins builds the stand-ins once per test binary (rehearsal.Standins:
// the plugins, the AWS CLI stand-in and the two programs): every world's
// project names its prebuilt program in the runtime option binary, as
// pulumi-language-go allows, so that no CLI run links the program again.
func standins(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		if binDir, buildErr = os.MkdirTemp("", "ohmycoins-standins-"); buildErr == nil {
			buildErr = rehearsal.BuildStandins(projectDir, binDir)
		}
	})
	require.NoError(t, buildErr, "building the stand-ins")
	return binDir
}

// cli is the real Pulumi CLI, or the test skips.
func cli(t *testing.T) string {
	t.Helper()
	if os.Getenv("OHMYCOINS_ENGINE") != "1" {
		t.Skip("set OHMYCOINS_ENGINE=1 and OHMYCOINS_PULUMI_CLI to run the real engine against the simulated account (.ci/run does)")
	}
	path := os.Getenv("OHMYCOINS_PULUMI_CLI")
	if path == "" {
		t.Skip("OHMYCOINS_PULUMI_CLI names no Pulumi CLI (.ci/run builds it from tools/pulumi)")
	}
	return path
}

// world is one simulated account, a copy of the project that uses it, and
// a local state backend: the rehearsal's world (internal/rehearsal), with
// the test that uses it.
type world struct {
	t       *testing.T
	dir     string // the project copy
	account *simaws.Account
	// accountDir is the simulated account's directory.
	accountDir string
	env        []string
	rehearsal  *rehearsal.World
}

// in is the same world for a subtest.
func (w *world) in(t *testing.T) *world {
	c := *w
	c.t = t
	return &c
}

// newWorld copies the project into a temporary directory whose stacks keep
// their state locally and their secrets under a passphrase, and opens an
// empty account with the stacks' account id.
func newWorld(t *testing.T) *world {
	t.Helper()
	pulumi := cli(t)
	bin := standins(t)
	rw, err := rehearsal.NewWorld(projectDir, t.TempDir(), bin, pulumi)
	require.NoError(t, err)
	return &world{t: t, dir: rw.Dir, account: rw.Account, accountDir: rw.AccountDir, env: rw.Env, rehearsal: rw}
}

// pulumi runs the CLI in a directory of the project copy ("" the project,
// "bootstrap" the account-level program) and returns its combined output;
// a failure fails the test with that output.
func (w *world) pulumi(dir string, args ...string) string {
	w.t.Helper()
	out, err := w.try(dir, args...)
	require.NoError(w.t, err, "pulumi %s:\n%s", strings.Join(args, " "), tail(out, 60))
	return out
}

// try runs the CLI and returns its output and error.
func (w *world) try(dir string, args ...string) (string, error) {
	w.t.Helper()
	cmd := exec.Command(lookPath(w.env, "pulumi"), args...)
	cmd.Dir = filepath.Join(w.dir, dir)
	cmd.Env = w.env
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// stdout runs the CLI and returns its standard output alone (a --json
// answer); a failure fails the test with both outputs.
func (w *world) stdout(dir string, args ...string) string {
	w.t.Helper()
	cmd := exec.Command(lookPath(w.env, "pulumi"), args...)
	cmd.Dir = filepath.Join(w.dir, dir)
	cmd.Env = w.env
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(w.t, err, "pulumi %s:\n%s\n%s", strings.Join(args, " "), tail(string(out), 30), tail(stderr.String(), 30))
	return string(out)
}

// initStack creates a stack from its committed stack file, with its secrets
// under the passphrase and the four required secrets set.
func (w *world) initStack(stack string) {
	w.t.Helper()
	require.NoError(w.t, w.rehearsal.InitStack(stack))
}

// runBlock runs commands as an operator's shell does, one after another,
// with confirmations answered yes.
func (w *world) runBlock(commands []string) (string, error) {
	w.t.Helper()
	cmd := exec.Command("bash", "-c", "set -euo pipefail\n"+strings.Join(commands, "\n"))
	cmd.Dir, cmd.Env = w.dir, append(w.env, "PULUMI_SKIP_CONFIRMATIONS=true")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// stateURNs are the URNs of a stack's state (dir "" the project,
// "bootstrap" the account-level program): the stack, its providers, its
// components and its custom resources.
func (w *world) stateURNs(dir, stack string) []string {
	w.t.Helper()
	var export struct {
		Deployment struct {
			Resources []struct {
				URN string `json:"urn"`
			} `json:"resources"`
		} `json:"deployment"`
	}
	require.NoError(w.t, json.Unmarshal([]byte(w.stdout(dir, "stack", "export", "--stack", stack)), &export))
	var out []string
	for _, r := range export.Deployment.Resources {
		out = append(out, r.URN)
	}
	return out
}

// resources are what the account holds.
func (w *world) resources() []simaws.Resource {
	w.t.Helper()
	rs, err := w.account.Resources()
	require.NoError(w.t, err)
	return rs
}

// held names what the account holds, "<type> <id>" each.
func (w *world) held() []string {
	w.t.Helper()
	var out []string
	for _, r := range w.resources() {
		out = append(out, r.Type+" "+r.ID)
	}
	return out
}

func lookPath(env []string, name string) string {
	for _, e := range env {
		if p, ok := strings.CutPrefix(e, "PATH="); ok {
			for _, d := range filepath.SplitList(p) {
				if _, err := os.Stat(filepath.Join(d, name)); err == nil {
					return filepath.Join(d, name)
				}
			}
		}
	}
	return name
}

func tail(s string, lines int) string {
	all := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(all) > lines {
		all = all[len(all)-lines:]
	}
	return strings.Join(all, "\n")
}
