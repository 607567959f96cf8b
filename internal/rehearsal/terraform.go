package rehearsal

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/ohmycoins/infra/internal/migrate"
	"github.com/ohmycoins/infra/internal/simaws"
	"github.com/ohmycoins/infra/internal/tfstate"
)

// SeedTerraform puts into the account, before any program ran, the
// original environment of a Terraform state: the resources the migration
// adopts (under the ids it imports them by, with the values the state
// records), and its hosted zones. It returns the migration's result.
func (w *World) SeedTerraform(project, stack string, state *tfstate.State, stateName string) (*migrate.Result, error) {
	result, err := migrate.Run(migrate.Options{Dir: project, Stack: stack, State: state, StateName: stateName})
	if err != nil {
		return nil, err
	}
	settings := simaws.Settings{ID: result.Settings.AccountID, Zones: map[string]string{}}
	for _, z := range state.Data("aws_route53_zone") {
		settings.Zones[strings.ToLower(strings.TrimSuffix(z.String("name"), "."))] = z.String("zone_id")
	}
	data, err := json.Marshal(settings)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(w.AccountDir, "account.json"), data, 0o644); err != nil {
		return nil, err
	}
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
		if err := w.Account.Seed(simaws.Resource{Type: r.Type, ID: id, Name: r.Name, Region: result.Settings.Region, Inputs: r.Inputs, Outputs: r.Outputs}); err != nil {
			return nil, fmt.Errorf("seeding %s: %w", r.URN, err)
		}
	}
	return result, nil
}
