package engine

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ohmycoins/infra/internal/migrate"
	"github.com/ohmycoins/infra/internal/tfstate"
)

// TestTheMigrationImportsThroughTheEngineAndItsPreviewIsTheReport: the
// account holds the original environment (the Terraform fixture's
// resources that the migration adopts, under the ids it imports them by,
// with the values the state records), `pulumi import --file` takes the
// file cmd/migrate writes, and the engine's preview that follows takes
// exactly the steps the migration's diff announced for the first
// `pulumi up`: what it updates, replaces and creates, and nothing else.
func TestTheMigrationImportsThroughTheEngineAndItsPreviewIsTheReport(t *testing.T) {
	t.Parallel()
	for _, stack := range []string{"staging", "production"} {
		t.Run(stack, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			fixture := filepath.Join(projectDir, "internal", "migrate", "testdata", "terraform", stack+".json")
			data, err := os.ReadFile(fixture)
			require.NoError(t, err)
			state, err := tfstate.Parse(fixture, data)
			require.NoError(t, err)
			result, err := w.rehearsal.SeedTerraform(projectDir, stack, state, fixture)
			require.NoError(t, err)
			w.initStack(stack)
			file, err := result.Import.JSON()
			require.NoError(t, err)
			importFile := filepath.Join(t.TempDir(), "import.json")
			require.NoError(t, os.WriteFile(importFile, file, 0o644))
			w.pulumi("", "import", "--stack", stack, "--file", importFile, "--yes", "--generate-code=false")

			adopted := w.stateURNs("", stack)
			for _, urn := range result.Import.URNs(result.Imported) {
				require.Contains(t, adopted, urn, "pulumi import adopts what the file lists")
			}
			offline := offlineSteps(result.Diff)
			require.NotEmpty(t, offline, "the first pulumi up creates what the original lacks")
			engine := w.engineSteps(stack)
			requireSameSteps(t, engine, offline)
			// The report's line for each adopted resource says the same.
			updated := 0
			for _, e := range result.Entries {
				if e.Verdict != migrate.Adopt {
					continue
				}
				want := ""
				if slices.ContainsFunc(e.Changes, func(c string) bool { return !strings.HasPrefix(c, "option ") }) {
					want, updated = "update", updated+1
				}
				require.Equal(t, want, engine[e.URN], "%s: the report says the first pulumi up changes %v", e.Address, e.Changes)
			}
			require.Greater(t, updated, 10, "the first pulumi up updates adopted resources in place")
		})
	}
}
