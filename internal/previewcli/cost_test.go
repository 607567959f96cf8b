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
	require.Len(t, doc.Assumptions, 14)

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

// planFile writes the committed stack's plan to a file, as the pull-request
// job writes the base commit's, and returns its path and the plan.
func planFile(t *testing.T, stack string) (string, *stackplan.Plan) {
	t.Helper()
	code, stdout, stderr := previewtest.CLI("plan", "-stack", stack, "-json")
	require.Equal(t, 0, code, stderr)
	plan, err := stackplan.ReadPlan([]byte(stdout))
	require.NoError(t, err)
	require.NotNil(t, plan.CostBasis, "a plan records what it was priced with")
	path := filepath.Join(t.TempDir(), stack+".json")
	require.NoError(t, os.WriteFile(path, []byte(stdout), 0o644))
	return path, plan
}

// run runs cmd/preview in dir.
func run(t *testing.T, dir string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut strings.Builder
	code = previewcli.Main(append([]string{args[0], "-dir", dir}, args[1:]...), &out, &errOut)
	return code, out.String(), errOut.String()
}

// perTask is a Fargate task's monthly price by the table.
func perTask(t *testing.T, cpu, memoryMiB int) float64 {
	table, err := cost.Prices()
	require.NoError(t, err)
	return table.HoursPerMonth * (float64(cpu)/1024*table.Prices["fargate.vcpu-hour"].USD + float64(memoryMiB)/1024*table.Prices["fargate.gb-hour"].USD)
}

// TestAnInstanceClassTheTableLacksLeavesTheRestPriced: a valid class the
// table has no price for (db.m7g.large) is one unpriced item, named with the
// key to add; the estimate, the diff (the pull request's comment) and the
// JSON carry everything else, and -check names every missing key at once.
func TestAnInstanceClassTheTableLacksLeavesTheRestPriced(t *testing.T) {
	t.Parallel()
	base := previewtest.Estimate(t, "production")
	var database cost.Item
	for _, it := range base.Items {
		if it.Name == "ohmycoins-prod-postgres" {
			database = it
		}
	}
	require.Greater(t, database.Monthly, 100.0)
	old, _ := planFile(t, "production")
	dir := previewtest.ProjectCopy(t, "production", "  ohmycoins:database:\n    instanceClass: db.m7g.large\n  ohmycoins:cache:\n    nodeType: cache.m7g.large\n")

	code, stdout, stderr := run(t, dir, "cost", "-stack", "production", "-json")
	require.Equal(t, 0, code, stderr)
	var e cost.Estimate
	require.NoError(t, json.Unmarshal([]byte(stdout), &e))
	require.Len(t, e.Unpriced, 2)
	require.Equal(t, "ohmycoins-prod-postgres", e.Unpriced[0].Name)
	require.Equal(t, []string{"rds.db.m7g.large"}, e.Unpriced[0].Missing)
	require.Equal(t, []string{"elasticache.cache.m7g.large"}, e.Unpriced[1].Missing)
	var redis cost.Item
	for _, it := range base.Items {
		if it.Name == "ohmycoins-prod-redis" {
			redis = it
		}
	}
	require.InDelta(t, base.Monthly-database.Monthly-redis.Monthly, e.Monthly, 0.011, "everything else, priced in full")
	require.Len(t, e.Items, len(base.Items)-2)

	code, stdout, stderr = run(t, dir, "cost", "-stack", "production")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stdout, "Not priced (2, left out of the total):\n")
	require.Contains(t, stdout, `  rds/instance ohmycoins-prod-postgres: internal/cost/prices.json has no price "rds.db.m7g.large" (USD per instance-hour, PostgreSQL Single-AZ, from https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AmazonRDS/current/ap-southeast-2/index.json)`,
		"the key, and the unit and source of the like prices")
	require.Contains(t, stdout, fmt.Sprintf("Total: $%.2f per month", e.Monthly))

	code, stdout, stderr = run(t, dir, "diff", "-stack", "production", old)
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stdout, fmt.Sprintf("instanceClass: %q → \"db.m7g.large\"", stacks.Production().Database.InstanceClass), "the whole diff")
	require.Contains(t, stdout, `   not priced, left out of the totals: aws:rds/instance:Instance ohmycoins-prod-postgres: internal/cost/prices.json has no price "rds.db.m7g.large"`)
	require.Contains(t, stdout, fmt.Sprintf("Monthly cost (On-Demand, USD, prices of %s): $%.2f → $%.2f (-$%.2f without the 2 resource(s) not priced, listed below)\n",
		base.PricedAt, base.Monthly, e.Monthly, base.Monthly-e.Monthly))
	require.NotContains(t, stdout, "ohmycoins-prod-postgres: $", "no cost line pretends the database became free")

	code, stdout, _ = run(t, dir, "check", "-stack", "production")
	require.Equal(t, 1, code, "the budget cannot be checked against a partial estimate")
	require.Contains(t, stdout, `cost: To price them, add to internal/cost/prices.json (each with its unit, source and date checked): "elasticache.cache.m7g.large", "rds.db.m7g.large"`)
}

// TestRaisingTheAutoscalingMaximumShowsInTheDiff: the monthly figure at the
// minimum stays, the worst case moves, and the diff says by how much.
func TestRaisingTheAutoscalingMaximumShowsInTheDiff(t *testing.T) {
	t.Parallel()
	digest := "sha256:" + strings.Repeat("ab", 32)
	images := fmt.Sprintf("  ohmycoins:backend:\n    imageDigest: %s\n", digest)
	dir := previewtest.ProjectCopy(t, "production", images)
	code, stdout, stderr := run(t, dir, "plan", "-stack", "production", "-json")
	require.Equal(t, 0, code, stderr)
	old := filepath.Join(t.TempDir(), "old.json")
	require.NoError(t, os.WriteFile(old, []byte(stdout), 0o644))

	backend := stacks.Production().Services["backend"]
	require.Equal(t, 10, backend.Autoscaling.MaxCount)
	dir = previewtest.ProjectCopy(t, "production", images+"    autoscaling:\n      maxCount: 30\n")
	code, stdout, stderr = run(t, dir, "diff", "-stack", "production", "-json", old)
	require.Equal(t, 0, code, stderr)
	var d stackplan.PlanDiff
	require.NoError(t, json.Unmarshal([]byte(stdout), &d))
	task := perTask(t, backend.CPU, backend.MemoryMiB)
	require.Equal(t, 0.0, d.Cost.Delta, "the minimum does not move")
	require.InDelta(t, 20*task, d.Cost.DeltaMax, 0.02, "20 more tasks at the maximum")
	require.Len(t, d.Cost.Items, 1)
	require.Equal(t, "ohmycoins-prod-backend-service", d.Cost.Items[0].Name)
	require.InDelta(t, 30*task, d.Cost.Items[0].AfterMax, 0.01)

	code, stdout, stderr = run(t, dir, "diff", "-stack", "production", old)
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stdout, fmt.Sprintf("   at the autoscaling maximum: $%.2f → $%.2f (+$%.2f)\n", d.Cost.BeforeMax, d.Cost.AfterMax, d.Cost.DeltaMax))
	require.Contains(t, stdout, fmt.Sprintf("   +$0.00  aws:ecs/service:Service ohmycoins-prod-backend-service: $%.2f → $%.2f (at the maximum $%.2f → $%.2f)\n",
		d.Cost.Items[0].Before, d.Cost.Items[0].After, d.Cost.Items[0].BeforeMax, d.Cost.Items[0].AfterMax))
}

// TestAChangedAssumptionShowsACostLine: nothing in AWS changes, and the diff
// still says what the new assumption does to the estimate, and which it is.
func TestAChangedAssumptionShowsACostLine(t *testing.T) {
	t.Parallel()
	old, plan := planFile(t, "production")
	require.Equal(t, 100.0, plan.CostBasis.Assumptions["natGatewayGbPerMonth"])
	dir := previewtest.ProjectCopy(t, "production", "  ohmycoins:cost:\n    natGatewayGbPerMonth: 150\n")
	code, stdout, stderr := run(t, dir, "diff", "-stack", "production", old)
	require.Equal(t, 0, code, stderr)
	r2 := func(v float64) float64 { return math.Round(v*100) / 100 }
	gateway := func(gb float64) float64 {
		return r2(730*plan.CostBasis.Prices["nat.hour"] + gb/3*plan.CostBasis.Prices["nat.gb"])
	}
	delta := 3 * (gateway(150) - gateway(100)) // each of the three gateways, rounded to the cent
	require.InDelta(t, 50*plan.CostBasis.Prices["nat.gb"], delta, 0.015)
	require.Contains(t, stdout, "\nNo changes. ")
	require.Regexp(t, `Monthly cost \(On-Demand, USD, prices of 2026-11-27\): \$\d+\.\d\d → \$\d+\.\d\d \(\+\$`+regexp.QuoteMeta(fmt.Sprintf("%.2f", delta))+`\)`, stdout)
	require.Contains(t, stdout, fmt.Sprintf("   of which the resources +$0.00, the changed assumptions and prices +$%.2f:\n     assumption natGatewayGbPerMonth: 100 → 150\n", delta))
}

// TestAPriceRefreshShowsACostLine: the old plan was priced with an older
// table; the diff prices each side with its own and names the prices that
// moved.
func TestAPriceRefreshShowsACostLine(t *testing.T) {
	t.Parallel()
	_, plan := planFile(t, "production")
	now := plan.CostBasis.Prices["nat.hour"]
	plan.CostBasis.Prices["nat.hour"] = now - 0.01
	plan.CostBasis.PricedAt = "2026-10-01"
	data, err := plan.JSON()
	require.NoError(t, err)
	old := filepath.Join(t.TempDir(), "old.json")
	require.NoError(t, os.WriteFile(old, data, 0o644))

	code, stdout, stderr := previewtest.CLI("diff", "-stack", "production", old)
	require.Equal(t, 0, code, stderr)
	gateways := float64(len(plan.OfType("aws:ec2/natGateway:NatGateway")))
	require.Equal(t, 3.0, gateways)
	delta := gateways * 730 * 0.01
	require.Contains(t, stdout, "\nNo changes. ")
	require.Contains(t, stdout, "   the old plan was priced with the prices of 2026-10-01\n")
	require.Contains(t, stdout, fmt.Sprintf("the changed assumptions and prices +$%.2f:\n     price nat.hour: $%g → $%g\n", delta, now-0.01, now))
	require.Contains(t, stdout, fmt.Sprintf("   +$%.2f  aws:ec2/natGateway:NatGateway ohmycoins-prod-nat-gateway-1: $", delta/3))

	// A basis recorded before a price or an assumption was added: what it
	// lacks is priced as today, so nothing is unpriced and nothing moves.
	plan.CostBasis.Prices["nat.hour"] = now
	delete(plan.CostBasis.Prices, "kms.rotation-month")
	delete(plan.CostBasis.Assumptions, "logStorageCompression")
	data, err = plan.JSON()
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(old, data, 0o644))
	code, stdout, stderr = previewtest.CLI("diff", "-stack", "production", old)
	require.Equal(t, 0, code, stderr)
	require.NotContains(t, stdout, "not priced")
	require.NotContains(t, stdout, "Monthly cost", "nothing moves: "+stdout)

	// The same plan without its basis (made before 2026-12-04): both sides
	// are priced with today's table, and the diff says so.
	plan.CostBasis = nil
	data, err = plan.JSON()
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(old, data, 0o644))
	code, stdout, stderr = previewtest.CLI("diff", "-stack", "production", old)
	require.Equal(t, 0, code, stderr)
	require.Equal(t, "Changes to stack production, offline (replacement rules of pulumi-aws v6.83.4):\n\nNo changes. "+fmt.Sprint(len(plan.Resources))+" resources unchanged.\n", stdout,
		"nothing moves, so no cost line")
}

// TestTasksArePricedBeforeTheFirstImage: a committed stack awaits its
// images; its services are priced at the tasks they start once an image is
// set, marked so, and a change of their count shows in the diff.
func TestTasksArePricedBeforeTheFirstImage(t *testing.T) {
	t.Parallel()
	awaiting := previewtest.Estimate(t, "staging")
	imaged := previewtest.Estimate(t, "staging", previewtest.WithImages())
	require.Equal(t, imaged.Monthly, awaiting.Monthly, "what the stack will cost once its images are set")
	backend := stacks.Staging().Services["backend"]
	task := perTask(t, backend.CPU, backend.MemoryMiB)
	var item cost.Item
	for _, it := range awaiting.Items {
		if it.Name == "ohmycoins-staging-backend-service" {
			item = it
		}
	}
	require.True(t, item.AwaitingImage)
	require.InDelta(t, float64(backend.DesiredCount)*task, item.Monthly, 0.01)
	require.Contains(t, item.Basis, "(once its image is set: no task runs until then)")
	require.Greater(t, awaiting.AwaitingImage, item.Monthly-0.01)

	old, _ := planFile(t, "staging")
	dir := previewtest.ProjectCopy(t, "staging", "  ohmycoins:backend:\n    desiredCount: 2\n")
	code, stdout, stderr := run(t, dir, "diff", "-stack", "staging", old)
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stdout, "\nNo changes. ", "the service runs no task either way")
	r2 := func(v float64) float64 { return math.Round(v*100) / 100 }
	require.Contains(t, stdout, fmt.Sprintf("   +$%.2f  aws:ecs/service:Service ohmycoins-staging-backend-service: $%.2f → $%.2f (once its image is set)\n",
		r2(2*task)-r2(task), task, 2*task))
}
