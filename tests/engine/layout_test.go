package engine

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ohmycoins/infra/internal/simaws"
)

// adoptLayout copies the two-account layout's stack files over the project
// copy's, as docs/RUNBOOK.md ("One account or two") has an operator adopt it;
// edit rewrites a file's text on the way.
func (w *world) adoptLayout(files []string, edit func(name, text string) string) {
	w.t.Helper()
	for _, name := range files {
		data, err := os.ReadFile(filepath.Join(projectDir, "layouts", "two-accounts", name))
		require.NoError(w.t, err)
		text := string(data)
		if edit != nil {
			text = edit(name, text)
		}
		require.NoError(w.t, os.WriteFile(filepath.Join(w.dir, name), []byte(text), 0o644))
	}
}

// TestTheTwoAccountLayoutComesUpEndToEnd: staging's account is bootstrapped
// (its bucket, key, OIDC provider and zone), staging comes up in it with
// every record in that zone; production's account delegates staging's name
// to that zone's name servers; and staging's stack file, run with the
// production account's credentials, is refused before anything is touched.
func TestTheTwoAccountLayoutComesUpEndToEnd(t *testing.T) {
	t.Parallel()
	staging := newWorld(t)
	staging.settings(func(s *simaws.Settings) { s.ID = "111122223333" })
	staging.adoptLayout([]string{"Pulumi.staging.yaml", "bootstrap/Pulumi.staging-account.yaml"}, nil)
	staging.pulumi("bootstrap", "stack", "init", "staging-account")
	staging.pulumi("bootstrap", "up", "--stack", "staging-account", "--yes", "--skip-preview")
	var servers map[string][]string
	require.NoError(t, json.Unmarshal([]byte(staging.stdout("bootstrap", "stack", "output", "hosted_zone_name_servers", "--json", "--stack", "staging-account", "--show-secrets")), &servers))
	require.Len(t, servers["staging.ohmycoins.com"], 4)
	zone := staging.holding("aws:route53/zone:Zone", "ohmycoins-zone-staging.ohmycoins.com")
	require.Equal(t, "ohmycoins-pulumi-state-staging", staging.holding("aws:s3/bucketV2:BucketV2", "ohmycoins-pulumi-state-staging").Outputs["bucket"])

	staging.initStack("staging")
	staging.pulumi("", "up", "--stack", "staging", "--yes", "--skip-preview")
	records := 0
	for _, r := range staging.resources() {
		if r.Type == "aws:route53/record:Record" {
			records++
			require.Equal(t, zone.ID, r.Inputs["zoneId"], "%s is in the zone of staging's account", r.Name)
		}
	}
	require.Greater(t, records, 4, "aliases and validation records")

	production := newWorld(t)
	production.adoptLayout([]string{"Pulumi.production.yaml", "Pulumi.staging.yaml"}, func(name, text string) string {
		if name != "Pulumi.production.yaml" {
			return text
		}
		// The placeholders give way to the name servers of staging's zone,
		// as the RUNBOOK has the operator paste them.
		var lines []string
		for _, l := range strings.Split(text, "\n") {
			if strings.Contains(l, "- ns-") && strings.Contains(l, ".awsdns-") {
				continue
			}
			lines = append(lines, l)
			if strings.TrimSpace(l) == "staging.ohmycoins.com:" {
				for _, ns := range servers["staging.ohmycoins.com"] {
					lines = append(lines, "        - "+ns)
				}
			}
		}
		return strings.Join(lines, "\n")
	})
	production.initStack("production")
	production.pulumi("", "up", "--stack", "production", "--yes", "--skip-preview")
	delegation := production.holding("aws:route53/record:Record", "ohmycoins-prod-delegation-staging.ohmycoins.com")
	require.Equal(t, "NS", delegation.Inputs["type"])
	var got []string
	for _, ns := range delegation.Inputs["records"].([]any) {
		got = append(got, ns.(string))
	}
	require.ElementsMatch(t, servers["staging.ohmycoins.com"], got, "production's zone delegates to the zone of staging's account")

	before := len(production.resources())
	production.initStack("staging")
	out, err := production.try("", "up", "--stack", "staging", "--yes", "--skip-preview")
	require.Error(t, err, "staging's stack file with production's credentials")
	require.Contains(t, out, "AWS account ID not allowed")
	require.Len(t, production.resources(), before, "refused before anything is created")
}
