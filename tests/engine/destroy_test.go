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

// TestProductionIsTornDownOnlyOnPurpose rehearses the runbook's section
// docs/RUNBOOK.md, "Tearing production down", command by command (with
// --yes, as a terminal would confirm): afterwards the account holds nothing of production but the
// database's final snapshot and the parameter groups the runbook then
// deletes by hand.
func TestProductionIsTornDownOnlyOnPurpose(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.initStack("production")
	w.pulumi("", "up", "--stack", "production", "--yes", "--skip-preview")
	commands := runbookBlock(t, "### Tearing production down")
	require.Len(t, commands, 5)
	for _, c := range commands {
		args := strings.Fields(strings.ReplaceAll(c, "'", ""))
		require.Equal(t, "pulumi", args[0], c)
		if args[1] == "up" || args[1] == "destroy" {
			args = append(args, "--yes")
		}
		w.pulumi("", args[1:]...)
	}
	left := w.held()
	require.ElementsMatch(t, []string{
		"aws:elasticache/parameterGroup:ParameterGroup ohmycoins-prod-redis7",
		"aws:rds/parameterGroup:ParameterGroup ohmycoins-prod-postgres17",
	}, left, "the account holds nothing of production but the parameter groups it retains (the runbook deletes them with the AWS CLI)")
	snapshots, err := w.account.Snapshots()
	require.NoError(t, err)
	require.Len(t, snapshots, 1)
	require.Regexp(t, `^ohmycoins-prod-postgres-final-[0-9a-f]{8}$`, snapshots[0].Identifier)
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

// TestDestroyingStagingLeavesNothing: docs/RUNBOOK.md, "Destroying staging":
// pulumi destroy removes every resource of staging from the account and
// leaves no snapshot (staging skips the final one).
func TestDestroyingStagingLeavesNothing(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.initStack("staging")
	w.pulumi("", "up", "--stack", "staging", "--yes", "--skip-preview")
	commands := runbookBlock(t, "## Destroying staging")
	require.Equal(t, []string{"pulumi destroy --stack staging"}, commands)
	w.pulumi("", "destroy", "--stack", "staging", "--yes")
	left := w.held()
	require.Empty(t, left)
	snapshots, err := w.account.Snapshots()
	require.NoError(t, err)
	require.Empty(t, snapshots)
}
