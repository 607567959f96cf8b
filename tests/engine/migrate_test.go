package engine

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ohmycoins/infra/internal/migrate"
	"github.com/ohmycoins/infra/internal/simaws"
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
			result, err := migrate.Run(migrate.Options{Dir: projectDir, Stack: stack, State: state, StateName: fixture})
			require.NoError(t, err)

			w.seedOriginal(state, result)
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

// seedOriginal puts into the account, before any program ran, the original
// environment's resources that the migration adopts, and its hosted zones.
func (w *world) seedOriginal(state *tfstate.State, result *migrate.Result) {
	w.t.Helper()
	settings := simaws.Settings{ID: result.Settings.AccountID, Zones: map[string]string{}}
	for _, z := range state.Data("aws_route53_zone") {
		settings.Zones[strings.ToLower(strings.TrimSuffix(z.String("name"), "."))] = z.String("zone_id")
	}
	data, err := json.Marshal(settings)
	require.NoError(w.t, err)
	require.NoError(w.t, os.WriteFile(filepath.Join(w.accountDir, "account.json"), data, 0o644))
	ids := map[string]string{}
	for _, e := range result.Entries {
		if e.Verdict == migrate.Adopt {
			ids[e.URN] = e.ImportID
		}
	}
	for _, r := range result.Imported.Resources {
		id, adopted := ids[r.URN]
		if !adopted {
			continue
		}
		require.NoError(w.t, w.account.Seed(simaws.Resource{
			Type: r.Type, ID: id, Name: r.Name, Region: result.Settings.Region,
			Inputs: r.Inputs, Outputs: r.Outputs,
		}), "seeding %s", r.URN)
	}
}
