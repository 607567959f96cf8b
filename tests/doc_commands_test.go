package tests

import (
	"bufio"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ohmycoins/infra/internal/preview"
	"github.com/ohmycoins/infra/internal/preview/previewtest"
	"github.com/ohmycoins/infra/internal/previewcli"
	"github.com/ohmycoins/infra/internal/verify/verifytest"
)

// pulumiCLIEnv names the real Pulumi CLI binary the doc test runs; .ci/run
// builds it from tools/pulumi (v3.274.1) and sets it.
const pulumiCLIEnv = "OHMYCOINS_PULUMI_CLI"

// The offline stand-ins for what needs AWS: a KMS secrets provider becomes a
// passphrase (the CLI treats both alike, but for who encrypts the data key),
// and placeholders in the documents get values the program accepts.
var docSubstitutions = []struct {
	pattern *regexp.Regexp
	with    string
}{
	{regexp.MustCompile(`awskms://[^'"\s]+`), "passphrase"},
	// The state bucket is a local directory of the workspace ($DOC_BUCKET).
	{regexp.MustCompile(`'?s3://ohmycoins-pulumi-state\?region=ap-southeast-2'?`), `"file://$$DOC_BUCKET"`}, // $$: a literal $ in the replacement
	{regexp.MustCompile(`sha256:<digest>`), "sha256:" + strings.Repeat("d0", 32)},
	{regexp.MustCompile(`<budget>`), "900"},
	{regexp.MustCompile(`<repository id>`), "123456789"},
	{regexp.MustCompile(`<owner id>`), "4242"},
}

// docCommand is one command of a document, where it is and the directory it
// runs in ("" the project, "bootstrap" the account-level program).
type docCommand struct {
	where, dir, run string
}

var (
	fenceOpen     = regexp.MustCompile("^```(sh|bash)\\s*$")
	cliCommand    = regexp.MustCompile(`^pulumi (login|stack|config)\b`)
	otherPulumi   = regexp.MustCompile(`^pulumi \S+`)
	assignPulumi  = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*=\$\((pulumi (?:stack|config) [^)]*)\)$`)
	nestedPulumi  = regexp.MustCompile(`\$\((pulumi (?:login|stack|config) [^)]*)\)`)
	inlineSet     = regexp.MustCompile("`(pulumi config set [^`]*--stack [^`]*)`")
	cdCommand     = regexp.MustCompile(`^cd (\S+)$`)
	exportCommand = regexp.MustCompile(`^export [A-Z_]+=\S*$`)
	createsStack  = regexp.MustCompile(`^pulumi stack (?:init (\S+)|select --create (\S+))`)
)

// outside marks commands in another directory than this repository's.
const outside = "(outside the repository)"

// docCommands extracts, in document order, every pulumi login, stack and
// config command of a markdown file that can run without AWS: each line of a
// sh block that is one (a $(pulumi ...) inside another command runs on its
// own; an assignment from one is kept for the lines after it), the cd and
// export lines around them, and inline `pulumi config set --stack ...`.
func docCommands(t *testing.T, path string) []docCommand {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	var out []docCommand
	dir, inBlock, number, pending := "", false, 0, ""
	scanner := bufio.NewScanner(f)
	for scanner.Scan() {
		number++
		line := scanner.Text()
		if !inBlock {
			if fenceOpen.MatchString(line) {
				inBlock, dir = true, ""
				continue
			}
			for _, m := range inlineSet.FindAllStringSubmatch(line, -1) {
				out = append(out, docCommand{where: fmt.Sprintf("%s:%d", filepath.Base(path), number), run: m[1]})
			}
			continue
		}
		if strings.HasPrefix(line, "```") {
			inBlock = false
			continue
		}
		if strings.HasSuffix(line, `\`) {
			pending += strings.TrimSuffix(line, `\`) + " "
			continue
		}
		line, pending = strings.TrimSpace(stripComment(pending+line)), ""
		where := fmt.Sprintf("%s:%d", filepath.Base(path), number)
		switch {
		case line == "":
		case dir == outside:
			// In another repository (the original Terraform's): nothing here runs.
		case cdCommand.MatchString(line):
			switch target := cdCommand.FindStringSubmatch(line)[1]; {
			case target == "..":
				dir = ""
			case target == "bootstrap":
				dir = target
			default:
				dir = outside
				continue
			}
			out = append(out, docCommand{where: where, dir: dir, run: line})
		case exportCommand.MatchString(line):
			out = append(out, docCommand{where: where, dir: dir, run: line})
		case cliCommand.MatchString(line), assignPulumi.MatchString(line):
			// What follows && (go run ./cmd/verify, git commit) is not the CLI's.
			line, _, _ = strings.Cut(line, " && ")
			out = append(out, docCommand{where: where, dir: dir, run: line})
		case otherPulumi.MatchString(line):
			// pulumi up, preview, destroy, refresh, import, state: they need AWS.
		default:
			for _, m := range nestedPulumi.FindAllStringSubmatch(line, -1) {
				out = append(out, docCommand{where: where, dir: dir, run: m[1] + " > /dev/null"})
			}
		}
	}
	require.NoError(t, scanner.Err())
	for i := range out {
		for _, s := range docSubstitutions {
			out[i].run = s.pattern.ReplaceAllString(out[i].run, s.with)
		}
	}
	return out
}

// stripComment drops a shell comment: a # that starts a word outside quotes.
func stripComment(line string) string {
	quote := byte(0)
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '#' && (i == 0 || line[i-1] == ' ' || line[i-1] == '\t'):
			return line[:i]
		}
	}
	return line
}

// docWorkspace is a temporary copy of the project's and the bootstrap
// program's Pulumi files, with the project's backend a local directory, the
// real CLI on PATH and a home of its own.
type docWorkspace struct {
	dir, bin string
	env      []string
	// checkpoints holds each stack's checkpoint (<stack>.json), imported
	// after the document creates the stack so that `pulumi stack output` has
	// outputs to read.
	checkpoints string
}

func newDocWorkspace(t *testing.T, cli string) docWorkspace {
	t.Helper()
	root := t.TempDir()
	ws := filepath.Join(root, "project")
	for _, f := range []string{"Pulumi.yaml", "Pulumi.staging.yaml", "Pulumi.production.yaml", "bootstrap/Pulumi.yaml", "bootstrap/Pulumi.state.yaml"} {
		data, err := os.ReadFile(filepath.Join(projectDir, f))
		require.NoError(t, err)
		if f == "Pulumi.yaml" {
			// PULUMI_BACKEND_URL would win too; rewriting backend.url keeps the
			// documents' own precedence: no login is needed for the project.
			data = []byte(strings.Replace(string(data), "url: s3://ohmycoins-pulumi-state?region=ap-southeast-2", "url: file://"+filepath.Join(root, "state"), 1))
			require.Contains(t, string(data), "url: file://", "Pulumi.yaml names the state bucket as backend.url")
		}
		require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(ws, f)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(ws, f), data, 0o644))
	}
	for _, d := range []string{"state", "home", "bin", "backend", "checkpoints", "bucket"} {
		require.NoError(t, os.MkdirAll(filepath.Join(root, d), 0o755))
	}
	for stack, program := range map[string]string{"staging": "main", "production": "main", "state": "bootstrap"} {
		require.NoError(t, os.WriteFile(filepath.Join(root, "checkpoints", stack+".json"), checkpoint(t, stack, program), 0o644))
	}
	// ../backend, the build context the runbook's build-from-source example names.
	require.NoError(t, os.WriteFile(filepath.Join(root, "backend", "Dockerfile"), []byte("FROM python:3.12-slim\n"), 0o644))
	require.NoError(t, os.Symlink(cli, filepath.Join(root, "bin", "pulumi")))
	return docWorkspace{dir: ws, bin: filepath.Join(root, "bin"), checkpoints: filepath.Join(root, "checkpoints"), env: []string{
		"PATH=" + filepath.Join(root, "bin") + ":" + os.Getenv("PATH"),
		"HOME=" + filepath.Join(root, "home"),
		"PULUMI_HOME=" + filepath.Join(root, "home", ".pulumi"),
		"PULUMI_CONFIG_PASSPHRASE=doc-test",
		"DOC_BUCKET=" + filepath.Join(root, "bucket"),
		"PULUMI_SKIP_UPDATE_CHECK=true",
		"PULUMI_DIY_BACKEND_NO_LEGACY_WARNING=true",
		"NO_COLOR=1",
	}}
}

// checkpoint is a stack's state as pulumi stack export writes it, holding
// only the stack outputs the offline plan computes: what a deployed stack
// answers to `pulumi stack output`.
func checkpoint(t *testing.T, stack, program string) []byte {
	t.Helper()
	result, err := preview.Preview(preview.Options{Dir: projectDir, Stack: stack, Program: previewcli.Programs[program]})
	require.NoError(t, err)
	plan := result.Plan
	export := map[string]any{"version": 3, "deployment": map[string]any{
		// An empty manifest version needs no magic cookie.
		"manifest": map[string]any{"time": "2026-11-27T00:00:00Z", "magic": "", "version": ""},
		"resources": []any{map[string]any{
			"urn":     fmt.Sprintf("urn:pulumi:%s::%s::pulumi:pulumi:Stack::%s-%s", plan.Stack, plan.Project, plan.Project, plan.Stack),
			"custom":  false,
			"type":    "pulumi:pulumi:Stack",
			"outputs": plan.Outputs,
		}},
	}}
	data, err := json.MarshalIndent(export, "", "  ")
	require.NoError(t, err)
	return data
}

// run runs the commands as one bash script (so cd, export and variables carry
// over), failing the test with the command that failed and its output.
func (w docWorkspace) run(t *testing.T, commands []docCommand) string {
	t.Helper()
	var script strings.Builder
	script.WriteString("set -euo pipefail\n")
	for _, c := range commands {
		fmt.Fprintf(&script, "printf '\\n### %%s\\n' %s >&2\n%s\n", shellQuote(c.where+": "+c.run), c.run)
		if m := createsStack.FindStringSubmatch(c.run); m != nil {
			stack := m[1] + m[2]
			file := filepath.Join(w.checkpoints, stack+".json")
			if _, err := os.Stat(file); err == nil {
				fmt.Fprintf(&script, "pulumi stack import --stack %s --file %s\n", stack, shellQuote(file))
			}
		}
	}
	cmd := exec.Command("bash", "-c", script.String())
	cmd.Dir, cmd.Env = w.dir, w.env
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "a documented command failed with the real CLI:\n%s", tail(string(out), 40))
	return string(out)
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

func tail(s string, lines int) string {
	all := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(all) > lines {
		all = all[len(all)-lines:]
	}
	return strings.Join(all, "\n")
}

// TestDocumentedPulumiCommandsRunWithTheRealCLI runs every pulumi login,
// stack and config command of README.md and docs/RUNBOOK.md that can run
// offline, in document order, with the real Pulumi CLI against a local
// backend and a passphrase provider, on a copy of the stack files. The
// program must then accept the files it left, initialised, with their
// comments and settings intact; the promoted digest must run in production;
// and cmd/verify -stack must read the outputs of a checkpoint through
// the CLI and check TLS for the hosts they name.
func TestDocumentedPulumiCommandsRunWithTheRealCLI(t *testing.T) {
	cli := os.Getenv(pulumiCLIEnv)
	if cli == "" {
		t.Skipf("%s is not set: .ci/run builds the real Pulumi CLI (tools/pulumi) and sets it", pulumiCLIEnv)
	}
	for _, doc := range []string{"README.md", "docs/RUNBOOK.md"} {
		t.Run(doc, func(t *testing.T) {
			t.Parallel()
			commands := docCommands(t, filepath.Join(projectDir, doc))
			require.NotEmpty(t, commands)
			ws := newDocWorkspace(t, cli)
			ws.run(t, commands)
			for _, stack := range allStacks {
				if !initialises(commands, stack) {
					continue
				}
				assertStackFileIntact(t, ws.dir, stack)
			}
			if doc == "docs/RUNBOOK.md" {
				// "Moving the bootstrap state into the bucket" left it there.
				moved, err := filepath.Glob(filepath.Join(filepath.Dir(ws.dir), "bucket", ".pulumi", "stacks", "ohmycoins-state", "state.json*"))
				require.NoError(t, err)
				require.NotEmpty(t, moved, "the bootstrap stack is in the bucket after the runbook moved it")
				assertPromotion(t, ws.dir)
				assertVerifyReadsTheCLIsOutputs(t, ws)
			}
		})
	}
}

// initialises reports whether the commands initialise the stack.
func initialises(commands []docCommand, stack string) bool {
	for _, c := range commands {
		if strings.HasPrefix(c.run, "pulumi stack init "+stack+" ") {
			return true
		}
	}
	return false
}

// assertStackFileIntact: the CLI kept every comment and setting of the
// committed file, added the data key and the required secrets, and the
// program accepts the result.
func assertStackFileIntact(t *testing.T, ws, stack string) {
	t.Helper()
	name := "Pulumi." + stack + ".yaml"
	before, err := os.ReadFile(filepath.Join(projectDir, name))
	require.NoError(t, err)
	after, err := os.ReadFile(filepath.Join(ws, name))
	require.NoError(t, err)
	for _, line := range strings.Split(string(before), "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "#") || (strings.HasPrefix(line, "  ohmycoins:") && !strings.Contains(line, "imageDigest")) {
			require.Contains(t, string(after), line, "%s: the CLI kept %q", name, line)
		}
	}
	state, err := preview.ReadInitialisation(ws, stack)
	require.NoError(t, err)
	require.True(t, state.Done(), "%s is initialised after the documented commands: %s", name, state.Report())
	_, err = preview.Preview(preview.Options{Dir: ws, Stack: stack})
	require.NoError(t, err, "the program accepts %s as the documented commands left it", name)
}

// assertPromotion: the digest the runbook promotes from staging runs in
// production, from production's own repository.
func assertPromotion(t *testing.T, ws string) {
	t.Helper()
	digest := "sha256:" + strings.Repeat("d0", 32)
	result, err := preview.Preview(preview.Options{Dir: ws, Stack: "production"})
	require.NoError(t, err)
	repo := previewtest.Named(t, result.Plan, typeRepository, "ohmycoins-prod-backend").Outputs["repositoryUrl"].(string)
	require.Equal(t, repo+"@"+digest, previewtest.Containers(t, previewtest.Named(t, result.Plan, typeTaskDef, "ohmycoins-prod-backend"))[0].Image)
}

// assertVerifyReadsTheCLIsOutputs runs cmd/verify -stack staging, which reads
// `pulumi stack output --json` of the checkpoint through the real
// CLI, against a load balancer stand-in: with a certificate for the hosts the
// outputs name it passes, with another it fails.
func assertVerifyReadsTheCLIsOutputs(t *testing.T, ws docWorkspace) {
	t.Helper()
	bin := filepath.Join(ws.bin, "verify")
	build := exec.Command("go", "build", "-o", bin, "./cmd/verify")
	build.Dir = projectDir
	out, err := build.CombinedOutput()
	require.NoError(t, err, string(out))

	ca := verifytest.NewCA(t)
	caFile := filepath.Join(ws.bin, "ca.pem")
	require.NoError(t, os.WriteFile(caFile, ca.PEM, 0o644))
	for _, c := range []struct {
		names []string
		code  int
		want  string
	}{
		{[]string{"api.staging.ohmycoins.com", "dashboard.staging.ohmycoins.com"}, 0, "3 checks: 3 passed, 0 failed"},
		{[]string{"api.ohmycoins.com", "dashboard.ohmycoins.com"}, 1, "x509: certificate is valid for api.ohmycoins.com, dashboard.ohmycoins.com, not api.staging.ohmycoins.com"},
	} {
		srv := httptest.NewUnstartedServer(verifytest.AppHandler(200, 0))
		srv.TLS = &tls.Config{Certificates: []tls.Certificate{ca.Leaf(t, c.names...)}}
		srv.StartTLS()
		cmd := exec.Command(bin, "-stack", "staging", "-url", srv.URL, "-aws=false", "-attempts", "1", "-timeout", "5s")
		cmd.Dir, cmd.Env = ws.dir, append(append([]string{}, ws.env...), "SSL_CERT_FILE="+caFile)
		out, err := cmd.CombinedOutput()
		srv.Close()
		code := 0
		if exit, ok := err.(*exec.ExitError); ok {
			code = exit.ExitCode()
		} else {
			require.NoError(t, err)
		}
		require.Equal(t, c.code, code, string(out))
		require.Contains(t, string(out), c.want)
		require.Contains(t, string(out), "https://api.staging.ohmycoins.com:", "the API URL comes from the checkpoint's api_url, through pulumi stack output")
	}
}

// TestDocCommandsAreFound guards the extraction the doc test relies on: the
// commands it must run are found, with substitutions, and nothing that needs
// AWS is.
func TestDocCommandsAreFound(t *testing.T) {
	t.Parallel()
	runbook := docCommands(t, filepath.Join(projectDir, "docs", "RUNBOOK.md"))
	var runs []string
	for _, c := range runbook {
		runs = append(runs, c.run)
		require.NotRegexp(t, `^pulumi (up|preview|destroy|refresh|import|state)\b`, c.run, c.where)
		require.NotContains(t, c.run, "awskms://", c.where)
	}
	for _, want := range []string{
		"pulumi login --local",
		"pulumi stack export --stack state --file bootstrap-state.json",
		`pulumi login "file://$DOC_BUCKET"`,
		"pulumi stack import --stack state --file bootstrap-state.json",
		"pulumi stack init staging --secrets-provider 'passphrase'",
		"pulumi stack init production --secrets-provider 'passphrase'",
		`pulumi config set --secret --stack staging ohmycoins:secretKey "$(openssl rand -hex 32)"`,
		"digest=$(pulumi config get --stack staging --path 'ohmycoins:backend.imageDigest')",
		`pulumi config set --stack production --path 'ohmycoins:backend.imageDigest' "$digest"`,
		"SECRET_ARN=$(pulumi stack output --stack staging app_secrets_arn)",
		"pulumi stack output --json --stack staging > /tmp/outputs.json",
		"pulumi stack output --stack staging monitoring_sns_topic_arn > /dev/null",
		"cd bootstrap",
	} {
		require.Contains(t, runs, want)
	}
	readme := docCommands(t, filepath.Join(projectDir, "README.md"))
	var readmeRuns []string
	for _, c := range readme {
		readmeRuns = append(readmeRuns, c.run)
	}
	require.Contains(t, readmeRuns, "pulumi config set --stack staging --path 'ohmycoins:database.allocatedStorage' 50", "inline examples run too")
	require.Equal(t, `pulumi config set --secret x "a # b"`, strings.TrimSpace(stripComment(`pulumi config set --secret x "a # b"   # comment`)))
}
