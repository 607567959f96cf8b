package tests

import (
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const module = "github.com/ohmycoins/infra/"

// The tiers of the module, bottom up. Every package is in exactly one, and a
// package imports only from its own tier's allowed list: the layers below it
// (and, for helpers and tools, other packages of its tier, which Go keeps
// free of cycles).
var (
	// helpers are below the components: they import nothing of the module but each other.
	helpers = []string{"internal/awscatalog", "internal/awsread", "internal/boundedread", "internal/physicalname", "internal/policydoc", "internal/ports", "internal/privatebucket", "internal/service", "internal/settings", "internal/statebackend"}
	// offline is what the program runs on without AWS: the mock cloud, the
	// replacement rules, the plan and its contracts, the AWS-type catalog, the
	// harness. It knows no program, so a component's test links only it.
	offline = []string{"internal/mockcloud", "internal/replacement", "internal/stackplan", "internal/awstype", "internal/harness"}
	// tools read and judge the program from outside: the preview, the policy
	// rules, the cost, the move from Terraform, the checks of a deployment.
	tools = []string{"internal/preview", "internal/previewcli", "internal/policy", "internal/cost", "internal/migrate", "internal/migratecli",
		"internal/tfstate", "internal/verify", "internal/iamsim", "internal/ghsettings", "internal/pricelist"}
	// standins are what the real engine runs against instead of AWS: the
	// simulated account, the provider plugins and the Go language host.
	// They stand on the offline tier and know no program.
	standins = []string{"internal/simaws", "internal/simprovider", "internal/simlanguage", "internal/standin",
		"internal/standin/pulumi-resource-aws", "internal/standin/pulumi-resource-docker", "internal/standin/pulumi-language-go",
		"internal/awscli", "internal/standin/aws", "internal/standin/crane", "internal/standin/terraform"}
	// commands are the entry points of the tools and the programs.
	commands = []string{"cmd/preview", "cmd/migrate", "cmd/verify", "cmd/ghsettings", "cmd/prices", "bootstrap", "."}
)

// imports lists the module's packages that the non-test files of dir import.
func imports(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(projectDir, dir, "*.go"))
	require.NoError(t, err)
	seen := map[string]bool{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		parsed, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
		require.NoError(t, err)
		for _, spec := range parsed.Imports {
			path, _ := strconv.Unquote(spec.Path.Value)
			if strings.HasPrefix(path, module) {
				seen[strings.TrimPrefix(path, module)] = true
			}
		}
	}
	var out []string
	for p := range seen {
		out = append(out, p)
	}
	slices.Sort(out)
	return out
}

// TestImportsRunDownward: main → stacks → components → helpers, and no arrow
// back up: no component imports another, no helper imports a component, the
// stacks or a tool, and the program never imports a tool or the bootstrap
// program. Below the tools, the offline tier imports no program and no tool,
// so a component's own test links the component and the mock cloud only.
// Tools import the program and the tiers below, never a command or a test
// helper; nothing but tests imports a test helper.
func TestImportsRunDownward(t *testing.T) {
	t.Parallel()
	entries, err := os.ReadDir(filepath.Join(projectDir, "components"))
	require.NoError(t, err)
	var components []string
	for _, e := range entries {
		components = append(components, "components/"+e.Name())
	}
	program := append(append([]string{"stacks", "bootstrap/state"}, components...), helpers...)
	below := func(tiers ...[]string) []string {
		var out []string
		for _, t := range tiers {
			out = append(out, t...)
		}
		return out
	}
	allowed := map[string][]string{}
	for _, c := range components {
		allowed[c] = helpers
	}
	for _, h := range helpers {
		allowed[h] = helpers
	}
	allowed["stacks"] = below(components, helpers)
	allowed["bootstrap/state"] = below(components, helpers)
	for _, o := range offline {
		// Helpers import nothing of the module: the catalog checks its types
		// against internal/awsread, which the CI component reads too.
		allowed[o] = below(offline, helpers)
	}
	for _, tool := range tools {
		allowed[tool] = below(tools, offline, program)
	}
	for _, st := range standins {
		allowed[st] = below(standins, offline)
	}
	// The test helpers: a component's tests link the offline tier only.
	allowed["internal/componenttest"] = offline
	allowed["internal/preview/previewtest"] = below(tools, offline, program)
	// The update matrix: the rows tests/ and tests/engine both take.
	allowed["internal/updatematrix"] = below(tools, offline, program)
	allowed["internal/verify/verifytest"] = nil
	for _, c := range commands {
		allowed[c] = below(tools, program)
	}
	// The rehearsal runs the RUNBOOK on the stand-ins: the one tool above
	// them, and only its command imports it.
	allowed["internal/rehearsal"] = below(tools, standins, offline, program)
	allowed["cmd/rehearse"] = []string{"internal/rehearsal"}
	allowed["."] = []string{"stacks"}
	allowed["bootstrap"] = []string{"bootstrap/state"}

	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}}", "../...").Output()
	require.NoError(t, err)
	for _, pkg := range strings.Fields(string(out)) {
		dir := strings.TrimPrefix(strings.TrimPrefix(pkg, strings.TrimSuffix(module, "/")), "/")
		if dir == "" {
			dir = "."
		}
		if dir == "tests" || dir == "tests/engine" {
			continue
		}
		ok, placed := allowed[dir]
		require.True(t, placed, "%s is in no tier of tests/layers_test.go: place it", dir)
		for _, imp := range imports(t, dir) {
			require.Contains(t, ok, imp, "%s imports %s, which its tier may not", dir, imp)
		}
	}
	require.Len(t, components, 13)
	require.Equal(t, []string{"stacks"}, imports(t, "."), "main.go runs the stacks")
	deps, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", "../internal/componenttest").Output()
	require.NoError(t, err)
	for _, dep := range strings.Fields(string(deps)) {
		if rest, ours := strings.CutPrefix(dep, module); ours && rest != "internal/componenttest" {
			require.Contains(t, below(offline, helpers), rest, "a component's test links the offline tier (and the helpers) only, never the program: componenttest depends on %s", rest)
		}
	}
}
