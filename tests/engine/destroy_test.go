package engine

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestDestroyingProductionDeletesNothing: pulumi destroy of production, with
// or without its preview, leaves every resource in the account: the destroy
// guard (stacks/guard.go) is the first thing it must delete, and cannot.
// Without the guard, --skip-preview deleted 32 resources before it reached
// the protected database.
func TestDestroyingProductionDeletesNothing(t *testing.T) {
	for _, args := range [][]string{{"--yes"}, {"--yes", "--skip-preview"}} {
		t.Run(args[len(args)-1], func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			w.initStack("production")
			w.pulumi("", "up", "--stack", "production", "--yes", "--skip-preview")
			before := len(w.resources())
			out, err := w.try("", append([]string{"destroy", "--stack", "production"}, args...)...)
			require.Error(t, err, "destroy must fail in production:\n%s", tail(out, 20))
			require.Contains(t, out, "ohmycoins-prod-destroy-guard", "the destroy guard stops it")
			require.Equal(t, before, len(w.resources()), "destroy deleted resources of production before it stopped:\n%s", tail(out, 30))
		})
	}
}

// runbookBlock is the first shell block after a heading of docs/RUNBOOK.md,
// its commands without their comments.
func runbookBlock(t *testing.T, heading string) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(projectDir, "docs", "RUNBOOK.md"))
	require.NoError(t, err)
	_, after, ok := strings.Cut(string(data), "\n"+heading+"\n")
	require.True(t, ok, "docs/RUNBOOK.md has %q", heading)
	_, block, ok := strings.Cut(after, "```sh\n")
	require.True(t, ok)
	block, _, _ = strings.Cut(block, "```")
	var out []string
	for _, line := range strings.Split(block, "\n") {
		line, _, _ = strings.Cut(line, "#")
		if line = strings.TrimSpace(line); line != "" {
			out = append(out, line)
		}
	}
	return out
}
