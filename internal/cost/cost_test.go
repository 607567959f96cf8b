package cost_test

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ohmycoins/infra/internal/cost"
	"github.com/ohmycoins/infra/internal/preview"
	"github.com/ohmycoins/infra/internal/preview/previewtest"
	"github.com/ohmycoins/infra/internal/stackplan"
	"github.com/ohmycoins/infra/stacks"
)

// TestEveryPriceNamesItsSource: the table is dated, in USD for Sydney, and
// each price has a value, a unit, the page or offer file it comes from, and
// either the date it was checked there or a note saying why not.
func TestEveryPriceNamesItsSource(t *testing.T) {
	t.Parallel()
	table, err := cost.Prices()
	require.NoError(t, err)
	require.Equal(t, "USD", table.Currency)
	require.Equal(t, "ap-southeast-2", table.Region)
	require.Regexp(t, `^\d{4}-\d{2}-\d{2}$`, table.PricedAt)
	require.Equal(t, 730.0, table.HoursPerMonth)
	require.GreaterOrEqual(t, len(table.Prices), 30)
	for key, p := range table.Prices {
		require.GreaterOrEqual(t, p.USD, 0.0, key)
		require.NotEmpty(t, p.Unit, key)
		require.Regexp(t, `https://`, p.Source, "%s: a source", key)
		if p.Checked == "" {
			require.NotEmpty(t, p.Note, "%s: a price not checked says why", key)
		} else {
			require.Regexp(t, `^\d{4}-\d{2}-\d{2}$`, p.Checked, key)
		}
	}
}

// TestStagingCostsWhatTheTableSays checks the staging total (with its
// services running images) against a hand calculation from the table and the
// stack's settings, line by line, so the engine's arithmetic cannot drift from
// what the table and the plan say.
func TestStagingCostsWhatTheTableSays(t *testing.T) {
	t.Parallel()
	p := priceOf(t)
	const h = 730.0
	result := previewtest.Stack(t, "staging", previewtest.WithImages())
	s, plan := result.Settings, result.Plan
	require.False(t, s.Network.FlowLogs, "staging has no flow logs: every log group is an application's")
	appLogGroups := float64(len(plan.OfType("aws:cloudwatch/logGroup:LogGroup")) - 1) // the services', redeploy's, 2 RDS exports, 2 Redis logs; not the web ACL's
	alarms := float64(len(plan.OfType("aws:cloudwatch/metricAlarm:MetricAlarm")))
	// Stored for 7 days, compressed to logStorageCompression (0.15) of what was ingested.
	logGroup := r2(s.Cost.AppLogGBPerMonth/appLogGroups*p("logs.ingest-gb") + s.Cost.AppLogGBPerMonth/appLogGroups*7/30*s.Cost.LogStorageCompression*p("logs.storage-gb-month"))
	want := map[string]float64{
		"ohmycoins-staging-alb":                 h*p("alb.hour") + s.Cost.LoadBalancerLCUs*h*p("alb.lcu-hour") + 2*h*p("ipv4.hour"),
		"ohmycoins-staging-nat-gateway-1":       h*p("nat.hour") + s.Cost.NATGatewayGBPerMonth*p("nat.gb"),
		"ohmycoins-staging-nat-eip-1":           h * p("ipv4.hour"),
		"ohmycoins-staging-postgres":            h*p("rds."+s.Database.InstanceClass) + float64(s.Database.AllocatedStorageGB)*p("rds.storage.gp3") + p("secretsmanager.secret-month"),
		"ohmycoins-staging-redis":               h * p("elasticache."+s.Cache.NodeType),
		"ohmycoins-staging-key":                 p("kms.key-month") + 2*p("kms.rotation-month"), // rotated yearly: two rotations billed
		"ohmycoins-staging-app-secrets":         p("secretsmanager.secret-month"),
		"ohmycoins-staging-infrastructure":      p("cloudwatch.dashboard-month"),
		"ohmycoins-staging-backend-logs":        logGroup,
		"ohmycoins-staging-alb-high-5xx-errors": p("cloudwatch.alarm-metric-month"),
		// The web ACL: itself, its 8 rules (5 managed groups, 3 rate limits), the requests it inspects.
		"ohmycoins-staging-waf": p("waf.web-acl-month") + 8*p("waf.rule-month") + s.Cost.WAFRequestsMillionsPerMonth*p("waf.million-requests"),
		// Its log group: vended logs, kept 7 days, compressed.
		"aws-waf-logs-ohmycoins-staging": s.Cost.WAFLogGBPerMonth*p("logs.vended-gb") + s.Cost.WAFLogGBPerMonth*7/30*s.Cost.LogStorageCompression*p("logs.storage-gb-month"),
		// The error-lines filter's custom metric and the alarm of the same
		// name on it (counted with the alarms below); the saved queries are free.
		"ohmycoins-staging-ecs-error-lines": p("cloudwatch.metric-month") + p("cloudwatch.alarm-metric-month"),
	}
	total := 0.0
	for name, v := range want {
		switch {
		case name == "ohmycoins-staging-ecs-error-lines":
			total += p("cloudwatch.metric-month")
		case !strings.HasSuffix(name, "-backend-logs") && !strings.HasSuffix(name, "-errors"):
			total += r2(v)
		}
	}
	for name, svc := range s.Services {
		// The desired count the plan gives: none for a service still awaiting its image.
		count := previewtest.Named(t, plan, "aws:ecs/service:Service", "ohmycoins-staging-"+name+"-service").Inputs["desiredCount"].(float64)
		task := count * h * (float64(svc.CPU)/1024*p("fargate.vcpu-hour") + float64(svc.MemoryMiB)/1024*p("fargate.gb-hour"))
		want["ohmycoins-staging-"+name+"-service"] = task
		want["ohmycoins-staging-"+name] = s.Cost.ImageGBPerRepository * p("ecr.storage-gb-month")
		total += r2(task) + r2(want["ohmycoins-staging-"+name])
	}
	e := cost.Of(plan, *plan.CostBasis)
	got := map[string]float64{}
	for _, it := range e.Items {
		got[it.Name] += it.Monthly
	}
	for name, v := range want {
		require.InDelta(t, r2(v), got[name], 0.005, name)
	}
	total += alarms*p("cloudwatch.alarm-metric-month") + appLogGroups*logGroup
	require.InDelta(t, total, e.Monthly, 0.005, "the total is the sum of the hand calculation")
	require.Len(t, e.Items, 11+2*len(s.Services)+int(alarms)+int(appLogGroups), "every priced resource, and nothing else")
	require.Equal(t, e.Monthly, e.MonthlyMax, "staging does not autoscale")
	require.Equal(t, int(math.Ceil(total*1.2/10)*10), cost.Budget(e, 20), "the estimate plus 20 %, rounded up to 10")
	require.Equal(t, cost.Budget(e, 20), stacks.Staging().Budget.MonthlyUSD, "the preset budget is the estimate with images plus 20 %")
}

// TestProductionIsPricedAtItsAutoscalingRange: the services at their
// autoscaling minimum, the maximum as a range; Multi-AZ doubles the database.
func TestProductionIsPricedAtItsAutoscalingRange(t *testing.T) {
	t.Parallel()
	e := previewtest.Estimate(t, "production", previewtest.WithImages())
	items := map[string]cost.Item{}
	for _, it := range e.Items {
		items[it.Name] = it
	}
	backend := items["ohmycoins-prod-backend-service"]
	require.InDelta(t, 2*730*(0.04856+2*0.00532), backend.Monthly, 0.01, "the minimum: 2 tasks")
	require.InDelta(t, 10*730*(0.04856+2*0.00532), backend.MonthlyMax, 0.01, "the maximum: 10 tasks")
	require.Contains(t, backend.Basis, "autoscaling 2-10 tasks")
	require.Contains(t, items["ohmycoins-prod-postgres"].Basis, "Multi-AZ (two copies)")
	require.Greater(t, e.MonthlyMax, e.Monthly)
	for _, name := range []string{"ohmycoins-prod-nat-gateway-1", "ohmycoins-prod-nat-gateway-2", "ohmycoins-prod-nat-gateway-3"} {
		require.Contains(t, items[name].Basis, "33.33 GB", "each gateway's share of natGatewayGbPerMonth = 100")
	}
	require.Equal(t, stacks.Production().Budget.MonthlyUSD, cost.Budget(e, 20), "the preset budget is the estimate with images plus 20 %")
	for _, a := range e.Assumptions {
		require.True(t, a.Used, "production has something each assumption prices: %s", a.Key)
	}
}

// TestAStackOverridesTheUsageItKnowsBetter, the way Infracost's usage file does.
func TestAStackOverridesTheUsageItKnowsBetter(t *testing.T) {
	t.Parallel()
	base := previewtest.Estimate(t, "staging", previewtest.WithImages())
	more := previewtest.Estimate(t, "staging", previewtest.WithImages(), previewtest.Set("ohmycoins:cost", `{"natGatewayGbPerMonth": 120}`))
	require.InDelta(t, 100*0.059, more.Monthly-base.Monthly, 0.01, "100 GB more through the NAT gateway")
	for _, a := range more.Assumptions {
		if a.Key == "natGatewayGbPerMonth" {
			require.Equal(t, 120.0, a.Value)
			require.True(t, a.Used)
		}
	}
	errs := previewtest.Problems(t, "staging", previewtest.Set("ohmycoins:cost", `{"natGatewayGbPerMonth": -1}`))
	require.Contains(t, errs, "ohmycoins:cost.natGatewayGbPerMonth = -1: must be 0-1000000: an amount of usage per month")
}

// BenchmarkCost measures -cost in-process: a production plan priced.
func BenchmarkCost(b *testing.B) {
	result, err := preview.Preview(preview.Options{Stack: "production"})
	require.NoError(b, err)
	for b.Loop() {
		cost.Of(result.Plan, *result.Plan.CostBasis)
	}
}

// TestATypeTheCatalogLacksIsUnpricedNotFatal: a resource of a type the
// catalog does not know is one unpriced item with the reason; the rest of
// the plan is priced as before.
func TestATypeTheCatalogLacksIsUnpricedNotFatal(t *testing.T) {
	t.Parallel()
	result := previewtest.Stack(t, "staging")
	base := cost.Of(result.Plan, *result.Plan.CostBasis)
	plan := previewtest.CopyPlan(t, result.Plan)
	plan.Resources = append(plan.Resources, stackplan.Resource{URN: "urn:pulumi:staging::ohmycoins::aws:shield/protection:Protection::ohmycoins-staging-alb",
		Type: "aws:shield/protection:Protection", Name: "ohmycoins-staging-alb", Custom: true, Parent: plan.Root().URN})
	e := cost.Of(plan, *plan.CostBasis)
	require.Equal(t, base.Monthly, e.Monthly)
	require.Len(t, e.Items, len(base.Items))
	require.Equal(t, []cost.Unpriced{{URN: "urn:pulumi:staging::ohmycoins::aws:shield/protection:Protection::ohmycoins-staging-alb", Type: "aws:shield/protection:Protection",
		Name: "ohmycoins-staging-alb", Reason: "its type has no entry in the AWS-type catalog (internal/awstype): add one, with its price or the reason it is free"}}, e.Unpriced)
	var out strings.Builder
	e.Write(&out)
	require.Contains(t, out.String(), "Not priced (1, left out of the total):\n  shield/protection ohmycoins-staging-alb: its type has no entry")
	require.NotContains(t, out.String(), "To price them, add", "no price key would help: the catalog needs the type")
}

// TestTheEstimateSaysWhatItLeavesOut: the header counts the prices used and
// those checked; the footer names what the total leaves out, Container
// Insights only where a cluster enables it (production).
func TestTheEstimateSaysWhatItLeavesOut(t *testing.T) {
	t.Parallel()
	table, err := cost.Prices()
	require.NoError(t, err)
	for stack, insights := range map[string]bool{"staging": false, "production": true} {
		e := previewtest.Estimate(t, stack)
		checked := 0
		for _, key := range e.PricesUsed {
			if table.Prices[key].Checked != "" {
				checked++
			}
		}
		require.Equal(t, len(e.PricesUsed)-checked, len(e.UncheckedPrices), stack)
		var out strings.Builder
		e.Write(&out)
		require.Contains(t, out.String(), fmt.Sprintf("prices of 2026-11-27 (%d of the %d prices used checked against their source, %d as last known)\n",
			checked, len(e.PricesUsed), len(e.UncheckedPrices)), stack)
		require.Contains(t, out.String(), "\nNot in the total:\n  - data transfer out to the internet and between Availability Zones\n", stack)
		require.Contains(t, e.NotIncluded, "taxes and AWS Support")
		cluster := "ohmycoins-staging-cluster"
		if stack == "production" {
			cluster = "ohmycoins-prod-cluster"
		}
		require.Equal(t, insights, slices.Contains(e.NotIncluded, "Container Insights of cluster "+cluster+": its metrics are billed as custom metrics per task, service and cluster"), stack)
	}
}

// TestTheModelFollowsInfracostsComponents prices each cost component
// Infracost has for these types (and what it leaves out) on production's plan
// with inputs changed, against a hand calculation from the table: gp3 IOPS
// and throughput above the baseline, io1, Extended Support, backups beyond
// the free allowance, Valkey nodes and kept snapshots, Fargate ARM64,
// ephemeral storage and Spot, high-resolution and anomaly detection alarms,
// logs stored compressed, a rotated key, an NLB and a bucket no assumption
// prices.
func TestTheModelFollowsInfracostsComponents(t *testing.T) {
	t.Parallel()
	p := priceOf(t)
	const h = 730.0
	result := previewtest.Stack(t, "production", previewtest.WithImages())
	u := result.Settings.Cost
	require.Equal(t, 150.0, u.DatabaseBackupGB)
	require.Equal(t, 0.5, u.CacheSnapshotGB)
	require.Equal(t, 0.15, u.LogStorageCompression)

	type change struct {
		name   string // the resource (by logical name) whose inputs change
		inputs map[string]any
		want   float64
		basis  string
	}
	class := result.Settings.Database.InstanceClass
	node := result.Settings.Cache.NodeType
	secret := p("secretsmanager.secret-month")
	backups := (150 - 100) * p("rds.backup-gb-month")
	for _, c := range []change{
		{"ohmycoins-prod-postgres", map[string]any{"allocatedStorage": 500.0, "iops": 15000.0, "storageThroughput": 600.0},
			2*(h*p("rds."+class)+500*p("rds.storage.gp3")+3000*p("rds.gp3.iops-month")+100*p("rds.gp3.mibps-month")) + secret,
			"3000 IOPS above the baseline 12000"},
		{"ohmycoins-prod-postgres", map[string]any{"storageType": "io1", "allocatedStorage": 200.0, "iops": 5000.0, "multiAz": false},
			h*p("rds."+class) + 200*p("rds.storage.io1") + 5000*p("rds.io1.iops-month") + secret, "5000 provisioned IOPS"},
		{"ohmycoins-prod-postgres", map[string]any{"engineVersion": "13"},
			2*(h*p("rds."+class)+100*p("rds.storage.gp3")+2*h*p("rds.extended-support.yr1-2.vcpu-hour")) + backups + secret,
			"Extended Support (PostgreSQL 13, yr1-2): 2 instances × 2 vCPU"},
		{"ohmycoins-prod-postgres", map[string]any{},
			2*(h*p("rds."+class)+100*p("rds.storage.gp3")) + backups + secret, "50 GB of backups beyond the free 100 GB"},
		{"ohmycoins-prod-redis", map[string]any{"engine": "valkey"},
			2*h*p("elasticache.valkey."+node) + 6*0.5*p("elasticache.backup-gb-month"), "Valkey"},
		{"ohmycoins-prod-redis", map[string]any{"snapshotRetentionLimit": 1.0}, 2 * h * p("elasticache."+node), "Redis OSS"},
		{"ohmycoins-prod-backend", map[string]any{"runtimePlatform": map[string]any{"cpuArchitecture": "ARM64", "operatingSystemFamily": "LINUX"},
			"ephemeralStorage": map[string]any{"sizeInGib": 50.0}}, 0, ""}, // the task definition: priced through its service, below
		{"ohmycoins-prod-ecs-high-cpu", map[string]any{"period": 10.0}, p("cloudwatch.alarm-metric-month.high-resolution"), "1 high-resolution metric(s)"},
		{"ohmycoins-prod-rds-high-cpu", map[string]any{"comparisonOperator": "LessThanLowerOrGreaterThanUpperThreshold"},
			3 * p("cloudwatch.alarm-metric-month"), "anomaly detection band"},
		{"ohmycoins-prod-flow-logs", map[string]any{}, 20*p("logs.vended-gb") + 20*90.0/30*0.15*p("logs.storage-gb-month"), "compressed to 0.15"},
		{"ohmycoins-prod-key", map[string]any{"enableKeyRotation": false}, p("kms.key-month"), "a customer managed key"},
		{"ohmycoins-prod-alb", map[string]any{"loadBalancerType": "network"},
			h*p("nlb.hour") + 2*h*p("nlb.lcu-hour") + 3*h*p("ipv4.hour"), "2 NLCU"},
	} {
		plan := previewtest.CopyPlan(t, result.Plan)
		for i, r := range plan.Resources {
			if r.Name == c.name {
				for k, v := range c.inputs {
					plan.Resources[i].Inputs[k] = v
				}
			}
		}
		e := cost.Of(plan, *plan.CostBasis)
		require.Empty(t, e.Unpriced, c.name)
		if c.basis == "" {
			continue
		}
		item := itemNamed(t, e, c.name)
		require.InDelta(t, r2(c.want), item.Monthly, 0.005, "%s with %v: %s", c.name, c.inputs, item.Basis)
		require.Contains(t, item.Basis, c.basis)
	}

	// Fargate: ARM64 rates, 30 GB of ephemeral storage beyond the free 20;
	// then a quarter of the tasks on Spot, whose price floats and which the
	// table does not hold: unpriced, naming the keys.
	plan := previewtest.CopyPlan(t, result.Plan)
	for i, r := range plan.Resources {
		if r.Name == "ohmycoins-prod-backend" {
			plan.Resources[i].Inputs["runtimePlatform"] = map[string]any{"cpuArchitecture": "ARM64", "operatingSystemFamily": "LINUX"}
			plan.Resources[i].Inputs["ephemeralStorage"] = map[string]any{"sizeInGib": 50.0}
		}
	}
	backend := result.Settings.Services["backend"]
	vcpu, gb := float64(backend.CPU)/1024, float64(backend.MemoryMiB)/1024
	perTask := h * (vcpu*p("fargate.arm.vcpu-hour") + gb*p("fargate.arm.gb-hour") + 30*p("fargate.ephemeral-gb-hour"))
	item := itemNamed(t, cost.Of(plan, *plan.CostBasis), "ohmycoins-prod-backend-service")
	require.InDelta(t, r2(float64(backend.Autoscaling.MinCount)*perTask), item.Monthly, 0.005, item.Basis)
	require.InDelta(t, r2(float64(backend.Autoscaling.MaxCount)*perTask), item.MonthlyMax, 0.005)
	require.Contains(t, item.Basis, "ARM64 task(s)")
	require.Contains(t, item.Basis, "30 GB of ephemeral storage beyond the free 20")
	for i, r := range plan.Resources {
		if r.Name == "ohmycoins-prod-backend-service" {
			plan.Resources[i].Inputs["capacityProviderStrategies"] = []any{
				map[string]any{"capacityProvider": "FARGATE", "weight": 1.0}, map[string]any{"capacityProvider": "FARGATE_SPOT", "weight": 3.0}}
		}
	}
	e := cost.Of(plan, *plan.CostBasis)
	require.Len(t, e.Unpriced, 1)
	require.Equal(t, []string{"fargate.spot.vcpu-hour", "fargate.spot.gb-hour"}, e.Unpriced[0].Missing)

	// A bucket that holds no access logs is not priced with accessLogGbStored:
	// the estimate says it is left out.
	plan = previewtest.CopyPlan(t, result.Plan)
	for i, r := range plan.Resources {
		if r.Type == "aws:lb/loadBalancer:LoadBalancer" {
			delete(plan.Resources[i].Inputs, "accessLogs")
		}
	}
	e = cost.Of(plan, *plan.CostBasis)
	for _, it := range e.Items {
		require.NotEqual(t, "aws:s3/bucketV2:BucketV2", it.Type)
	}
	require.Contains(t, e.NotIncluded, "what bucket ohmycoins-prod-alb-logs stores: no assumption of ohmycoins:cost says how much")
}

func itemNamed(t *testing.T, e cost.Estimate, name string) cost.Item {
	t.Helper()
	for _, it := range e.Items {
		if it.Name == name {
			return it
		}
	}
	require.Failf(t, "no item", "%s is not priced", name)
	return cost.Item{}
}

// priceOf reads the table's prices by key, failing t on a key it lacks.
func priceOf(t *testing.T) func(key string) float64 {
	t.Helper()
	table, err := cost.Prices()
	require.NoError(t, err)
	return func(key string) float64 {
		price, ok := table.Prices[key]
		require.True(t, ok, key)
		return price.USD
	}
}

// r2 rounds to the cent, as the estimate rounds each item.
func r2(v float64) float64 { return math.Round(v*100) / 100 }
