package engine

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ohmycoins/infra/internal/simaws"
	"github.com/ohmycoins/infra/internal/simprovider"
	"github.com/ohmycoins/infra/internal/updatematrix"
)

// projectDir is the repository's root, relative to this package.
const projectDir = "../.."

var (
	buildOnce sync.Once
	binDir    string
	buildErr  error
)

// standins builds the stand-in plugins once per test binary, and the two
// programs (programs/project, programs/bootstrap): every world's project
// names its prebuilt program in the runtime option binary, as
// pulumi-language-go allows, so that no CLI run links the program again.
func standins(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		binDir, buildErr = os.MkdirTemp("", "ohmycoins-standins-")
		if buildErr != nil {
			return
		}
		for _, args := range [][]string{
			{"-o", binDir + string(filepath.Separator), "./internal/standin/pulumi-resource-aws", "./internal/standin/pulumi-resource-docker", "./internal/standin/pulumi-language-go"},
			{"-o", filepath.Join(binDir, "programs", "project"), "."},
			{"-o", filepath.Join(binDir, "programs", "bootstrap"), "./bootstrap"},
		} {
			cmd := exec.Command("go", append([]string{"build"}, args...)...)
			cmd.Dir = projectDir
			if out, err := cmd.CombinedOutput(); err != nil {
				buildErr = fmt.Errorf("go build %s: %v\n%s", strings.Join(args, " "), err, out)
				return
			}
		}
	})
	require.NoError(t, buildErr, "building the stand-in plugins")
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
// a local state backend.
type world struct {
	t       *testing.T
	dir     string // the project copy
	account *simaws.Account
	// accountDir is the simulated account's directory.
	accountDir string
	env        []string
}

// in is the same world for a subtest.
func (w *world) in(t *testing.T) *world {
	c := *w
	c.t = t
	return &c
}

// newWorld copies the project (its Go code and Pulumi files) into a
// temporary directory whose stacks keep their state locally and their
// secrets under a passphrase, and opens an empty account with the stacks'
// account id.
func newWorld(t *testing.T) *world {
	t.Helper()
	pulumi := cli(t)
	bin := standins(t)
	root := t.TempDir()
	dir := filepath.Join(root, "project")
	copyProject(t, dir)
	for project, program := range map[string]string{"": "project", "bootstrap": "bootstrap"} {
		prebuilt(t, filepath.Join(dir, project, "Pulumi.yaml"), filepath.Join(bin, "programs", program))
	}
	account, err := simaws.Open(filepath.Join(root, "account"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(root, "account", "account.json"), []byte(`{"id": "220711411889"}`), 0o644))
	for _, d := range []string{"state", "home", "cli"} {
		require.NoError(t, os.MkdirAll(filepath.Join(root, d), 0o755))
	}
	require.NoError(t, os.Symlink(pulumi, filepath.Join(root, "cli", "pulumi")))
	var env []string
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, "PATH=") && !strings.HasPrefix(e, "PULUMI_") {
			env = append(env, e)
		}
	}
	return &world{t: t, dir: dir, account: account, accountDir: filepath.Join(root, "account"), env: append(env,
		"PATH="+bin+string(os.PathListSeparator)+filepath.Join(root, "cli")+string(os.PathListSeparator)+os.Getenv("PATH"),
		"PULUMI_HOME="+filepath.Join(root, "home"),
		"PULUMI_BACKEND_URL=file://"+filepath.Join(root, "state"),
		"PULUMI_CONFIG_PASSPHRASE=engine-test",
		"PULUMI_SKIP_UPDATE_CHECK=true",
		"PULUMI_DIY_BACKEND_NO_LEGACY_WARNING=true",
		"PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true",
		"NO_COLOR=1",
		simprovider.AccountEnv+"="+filepath.Join(root, "account"),
	)}
}

// prebuilt makes a project run a prebuilt program: runtime go with the
// option binary.
func prebuilt(t *testing.T, project, program string) {
	t.Helper()
	data, err := os.ReadFile(project)
	require.NoError(t, err)
	text := strings.Replace(string(data), "\nruntime: go\n", "\nruntime:\n  name: go\n  options:\n    binary: "+program+"\n", 1)
	require.NotEqual(t, string(data), text, "%s names runtime go on a line of its own", project)
	require.NoError(t, os.WriteFile(project, []byte(text), 0o644))
}

// copyProject copies what the programs run from: the Go module and the
// Pulumi files, without the tests, documents and tools (but with the build
// context of the update matrix's build rows).
func copyProject(t *testing.T, dst string) {
	t.Helper()
	copyTree(t, projectDir, dst, map[string]bool{".git": true, "tests": true, "docs": true, "tools": true, ".github": true, ".ci": true})
	copyTree(t, filepath.Join(projectDir, updatematrix.BuildContext), filepath.Join(dst, updatematrix.BuildContext), nil)
}

// copyTree copies a directory without the directories skip names (relative
// to src), testdata and Go tests.
func copyTree(t *testing.T, src, dst string, skip map[string]bool) {
	t.Helper()
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		if d.IsDir() {
			if skip[rel] || d.Name() == "testdata" {
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		if strings.HasSuffix(rel, "_test.go") {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	require.NoError(t, err)
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
	file := filepath.Join(w.dir, "Pulumi."+stack+".yaml")
	data, err := os.ReadFile(file)
	require.NoError(w.t, err)
	lines := strings.Split(string(data), "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "secretsprovider:") {
			lines[i] = "secretsprovider: passphrase"
		}
	}
	require.NoError(w.t, os.WriteFile(file, []byte(strings.Join(lines, "\n")), 0o644))
	w.pulumi("", "stack", "init", stack)
	for _, key := range []string{"secretKey", "firstSuperuserPassword", "openaiApiKey", "redisAuthToken"} {
		w.pulumi("", "config", "set", "--secret", "--stack", stack, "ohmycoins:"+key, "Engine-Test-Secret-0123456789abcdef0123456789")
	}
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
