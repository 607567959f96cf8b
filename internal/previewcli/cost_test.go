package previewcli_test

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ohmycoins/infra/internal/cost"
	"github.com/ohmycoins/infra/internal/preview/previewtest"
	"github.com/ohmycoins/infra/internal/previewcli"
	"github.com/ohmycoins/infra/internal/stackplan"
	"github.com/ohmycoins/infra/stacks"
)

// TestCostCommandPrintsTheEstimate: -cost and -cost -json, fast enough to run
// on every preview.
func TestCostCommandPrintsTheEstimate(t *testing.T) {
	t.Parallel()
	code, stdout, stderr := previewtest.CLI("cost", "-stack", "production", "-json")
	require.Equal(t, 0, code, stderr)
	var doc struct {
		Stack    string  `json:"stack"`
		Currency string  `json:"currency"`
		PricedAt string  `json:"pricedAt"`
		Monthly  float64 `json:"monthly"`
		Items    []struct {
			URN, Type, Name, Basis string
			Monthly                float64
		} `json:"items"`
		Assumptions []cost.Assumption `json:"assumptions"`
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &doc))
	require.Equal(t, "production", doc.Stack)
	require.Equal(t, "USD", doc.Currency)
	require.Equal(t, "2026-11-27", doc.PricedAt)
	sum := 0.0
	for _, it := range doc.Items {
		require.True(t, strings.HasPrefix(it.URN, "urn:pulumi:production::ohmycoins::"), it.URN)
		require.NotEmpty(t, it.Basis)
		sum += it.Monthly
	}
	require.InDelta(t, sum, doc.Monthly, 0.01)
	require.Len(t, doc.Assumptions, 7)

	code, stdout, stderr = previewtest.CLI("cost", "-stack", "staging")
	require.Equal(t, 0, code, stderr)
	require.Regexp(t, `(?m)^Total: \$\d+\.\d\d per month$`, stdout)
	require.Contains(t, stdout, "Per component:\n")
	require.Regexp(t, `(?m)^  rds +\$\d+\.\d\d$`, stdout)
	require.Contains(t, stdout, "natGatewayGbPerMonth = 20: GB through the NAT gateways per month")
	require.Contains(t, stdout, fmt.Sprintf("Budget: $%d per month (the estimate plus 20 %%, rounded up to 10, is $%d)",
		stacks.Staging().Budget.MonthlyUSD, cost.Budget(previewtest.Estimate(t, "staging"), 20)), "the committed stack, awaiting its images")

	code, _, stderr = previewtest.CLI("cost", "-stack", "staging", "-mermaid")
	require.Equal(t, 2, code)
	require.Contains(t, stderr, "flag provided but not defined: -mermaid")
}

// TestTheDiffCarriesTheCostDelta: a bigger database costs more, per resource
// and in total, in the text and in the JSON diff.
func TestTheDiffCarriesTheCostDelta(t *testing.T) {
	t.Parallel()
	old := filepath.Join(t.TempDir(), "old.json")
	code, stdout, stderr := previewtest.CLI("plan", "-stack", "production", "-json")
	require.Equal(t, 0, code, stderr)
	require.NoError(t, os.WriteFile(old, []byte(stdout), 0o644))
	db := stacks.Production().Database
	bigger := "db.t3.large"
	if db.InstanceClass == bigger {
		bigger = "db.t4g.medium"
	}
	dir := previewtest.ProjectCopy(t, "production", "  ohmycoins:database:\n    instanceClass: "+bigger+"\n")
	table, err := cost.Prices()
	require.NoError(t, err)
	copies := map[bool]float64{true: 2, false: 1}[db.MultiAZ]
	delta := math.Round(copies*table.HoursPerMonth*(table.Prices["rds."+bigger].USD-table.Prices["rds."+db.InstanceClass].USD)*100) / 100
	var out, errOut strings.Builder
	require.Equal(t, 0, previewcli.Main([]string{"diff", "-dir", dir, "-stack", "production", old}, &out, &errOut), errOut.String())
	require.Regexp(t, regexp.MustCompile(`Monthly cost \(On-Demand, USD, prices of `+table.PricedAt+`\): \$\d+\.\d\d → \$\d+\.\d\d \(\+\$`+regexp.QuoteMeta(fmt.Sprintf("%.2f", delta))+`\)`), out.String())
	require.Contains(t, out.String(), fmt.Sprintf("   +$%.2f  aws:rds/instance:Instance ohmycoins-prod-postgres: $", delta))

	out.Reset()
	require.Equal(t, 0, previewcli.Main([]string{"diff", "-dir", dir, "-stack", "production", "-json", old}, &out, &errOut))
	var d stackplan.PlanDiff
	require.NoError(t, json.Unmarshal([]byte(out.String()), &d))
	require.NotNil(t, d.Cost)
	require.InDelta(t, delta, d.Cost.Delta, 0.005)
	require.Len(t, d.Cost.Items, 1)
	require.Equal(t, "ohmycoins-prod-postgres", d.Cost.Items[0].Name)
}
