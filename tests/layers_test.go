package tests

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const module = "github.com/ohmycoins/infra/"

// helpers are the packages below the components: they import no package of
// this module but each other.
var helpers = []string{"internal/physicalname", "internal/policydoc", "internal/ports", "internal/privatebucket", "internal/service", "internal/settings", "internal/statebackend"}

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
// stacks or a tool, and the program never imports a tool (preview, policy,
// cost, migrate, verify) or the bootstrap program.
func TestImportsRunDownward(t *testing.T) {
	t.Parallel()
	entries, err := os.ReadDir(filepath.Join(projectDir, "components"))
	require.NoError(t, err)
	var components []string
	for _, e := range entries {
		components = append(components, "components/"+e.Name())
	}
	require.Len(t, components, 11)
	for _, c := range components {
		for _, imp := range imports(t, c) {
			require.Contains(t, helpers, imp, "%s imports %s: a component imports only helpers, never another component or a tool", c, imp)
		}
	}
	for _, h := range helpers {
		for _, imp := range imports(t, h) {
			require.Contains(t, helpers, imp, "%s imports %s: a helper imports only other helpers", h, imp)
		}
	}
	for _, imp := range imports(t, "stacks") {
		require.True(t, slices.Contains(components, imp) || slices.Contains(helpers, imp),
			"stacks imports %s: the program imports components and helpers, never a tool or bootstrap", imp)
	}
	require.Equal(t, []string{"stacks"}, imports(t, "."), "main.go runs the stacks")
}
