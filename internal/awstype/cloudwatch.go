package awstype

import (
	"fmt"
	"strings"

	"github.com/ohmycoins/infra/internal/mockcloud"
	"github.com/ohmycoins/infra/internal/stackplan"
)

// Monitoring and logs: log groups, alarms, the dashboard, and the EventBridge
// rule and target of the rotation redeploy (aws:cloudwatch/*).
func init() {
	register(
		Entry{
			Token:     "aws:cloudwatch/logGroup:LogGroup",
			Answer:    named("name", func(e mockcloud.Env, n string) string { return e.ARN("logs", "log-group:"+n) }),
			Price:     priceLogGroup,
			Terraform: Terraform{Identity: []Key{byName("name")}, ImportID: importBy("name")},
		},
		Entry{
			// An account-level policy of CloudWatch Logs, named by its id.
			Token:     "aws:cloudwatch/logResourcePolicy:LogResourcePolicy",
			Answer:    named("policyName", nil),
			Free:      "resource policies cost nothing",
			Terraform: Terraform{ImportID: importBy("policy_name")},
		},
		Entry{
			Token: "aws:cloudwatch/metricAlarm:MetricAlarm",
			Answer: named("name", func(e mockcloud.Env, n string) string {
				return e.ARN("cloudwatch", "alarm:"+n)
			}),
			Price: priceAlarm,
			Terraform: Terraform{Identity: []Key{{Input: "name", Attr: "alarm_name"}}, Renamed: map[string]string{"name": "alarm_name"},
				ImportID: importBy("alarm_name")},
		},
		Entry{
			// A metric filter is named within its log group; Terraform's id
			// is its name, the import form joins the two.
			Token:  "aws:cloudwatch/logMetricFilter:LogMetricFilter",
			Answer: named("name", nil),
			Price:  priceMetricFilter,
			Terraform: Terraform{Identity: []Key{byName("log_group_name"), byName("name")},
				ImportID: importJoined(":", "log_group_name", "name")},
		},
		Entry{
			// A saved Logs Insights query: CloudWatch Logs gives it an id.
			Token: "aws:cloudwatch/queryDefinition:QueryDefinition",
			Answer: func(e mockcloud.Env, r *mockcloud.Request) string {
				id := r.UUID()
				r.Set("queryDefinitionId", id)
				return id
			},
			Free: "saved queries cost nothing; running one is priced per GB it scans, which the estimate leaves out like other per-request charges",
			Terraform: Terraform{Identity: []Key{byName("name")},
				NoImport: "pulumi import takes its ARN (arn:aws:logs:<region>:<account>:query-definition:<id>), which its Terraform attributes do not hold; the original saved no queries, and the stack saves its own"},
		},
		Entry{
			Token: "aws:cloudwatch/dashboard:Dashboard",
			Answer: func(e mockcloud.Env, r *mockcloud.Request) string {
				n := r.Physical("dashboardName")
				r.Set("dashboardArn", e.GlobalARN("cloudwatch", "dashboard/"+n))
				return n
			},
			Price:     flat("a dashboard", "cloudwatch.dashboard-month"),
			Terraform: Terraform{ImportID: importBy("dashboard_name")},
		},
		Entry{
			Token: "aws:cloudwatch/eventRule:EventRule",
			Answer: func(e mockcloud.Env, r *mockcloud.Request) string {
				n := r.Physical("name")
				r.Set("name", n)
				r.Set("arn", e.ARN("events", "rule/"+n))
				return n
			},
			Free: "AWS service events on the default event bus are delivered free",
			Terraform: Terraform{ImportID: func(a func(string) string) string {
				return onEventBus(a("event_bus_name"), a("name"))
			}},
		},
		Entry{
			Token: "aws:cloudwatch/eventTarget:EventTarget",
			Answer: func(_ mockcloud.Env, r *mockcloud.Request) string {
				return r.Str("rule") + "-" + r.Str("targetId")
			},
			Free: "EventBridge targets cost nothing; the state machine they start is priced per transition, not here",
			Terraform: Terraform{ImportID: func(a func(string) string) string {
				return onEventBus(a("event_bus_name"), a("rule")+"/"+a("target_id"))
			}},
		},
	)
}

// onEventBus prefixes an EventBridge import id with its bus, unless it is the
// default bus, which the import form leaves out.
func onEventBus(bus, id string) string {
	if bus == "" || bus == "default" {
		return id
	}
	return bus + "/" + id
}

// wafLogGroupPrefix starts the name of every log group AWS WAF delivers to.
const wafLogGroupPrefix = "aws-waf-logs-"

// priceLogGroup prices ingestion and storage: the flow-log group's share of
// flowLogGbPerMonth and a web ACL's group's wafLogGbPerMonth at the
// vended-logs price, the others' share of appLogGbPerMonth, kept as long as
// their retention (a year for "never").
func priceLogGroup(p Pricing, r stackplan.Resource) (Cost, bool) {
	plan := p.Plan()
	isFlowLogGroup := func(name string) bool {
		for _, f := range plan.OfType("aws:ec2/flowLog:FlowLog") {
			if strings.HasSuffix(str(f.Inputs["logDestination"]), ":log-group:"+name) {
				return true
			}
		}
		return false
	}
	isWAFLogGroup := func(name string) bool { return strings.HasPrefix(name, wafLogGroupPrefix) }
	var gb float64
	ingest, what := "logs.ingest-gb", "its share of appLogGbPerMonth"
	switch name := str(r.Inputs["name"]); {
	case isFlowLogGroup(name):
		gb = p.Assume("flowLogGbPerMonth")
		ingest, what = "logs.vended-gb", "flowLogGbPerMonth"
	case isWAFLogGroup(name):
		gb = p.Assume("wafLogGbPerMonth")
		ingest, what = "logs.vended-gb", "wafLogGbPerMonth"
	default:
		groups := 0
		for _, g := range plan.OfType(r.Type) {
			if n := str(g.Inputs["name"]); !isFlowLogGroup(n) && !isWAFLogGroup(n) {
				groups++
			}
		}
		gb = p.Assume("appLogGbPerMonth") / float64(groups)
	}
	days := num(r.Inputs["retentionInDays"])
	if days == 0 || days > 365 {
		days = 365
	}
	compression := p.Assume("logStorageCompression")
	stored := gb * days / 30 * compression
	return Cost{Monthly: gb*p.Price(ingest) + stored*p.Price("logs.storage-gb-month"),
		Basis: fmt.Sprintf("%.4g GB ingested × $%g (%s) + %.4g GB kept (%g days, compressed to %g) × $%g", gb, p.Price(ingest), what, stored, days, compression, p.Price("logs.storage-gb-month"))}, true
}

// priceMetricFilter prices the custom metric a metric filter publishes; the
// filter itself is free.
func priceMetricFilter(p Pricing, _ stackplan.Resource) (Cost, bool) {
	return Cost{Monthly: p.Price("cloudwatch.metric-month"),
		Basis: fmt.Sprintf("1 custom metric × $%g (the filter itself is free)", p.Price("cloudwatch.metric-month"))}, true
}

// anomalyOperators are the comparison operators of an anomaly detection
// alarm, which CloudWatch bills as three metrics (the metric and its band).
var anomalyOperators = map[string]bool{"LessThanLowerOrGreaterThanUpperThreshold": true, "LessThanLowerThreshold": true, "GreaterThanUpperThreshold": true}

// priceAlarm prices an alarm per metric it watches, as Infracost's
// aws_cloudwatch_metric_alarm does: the metrics of its queries (expressions
// cost nothing), at the high-resolution rate when its period is under a
// minute, three per metric for an anomaly detection band.
func priceAlarm(p Pricing, r stackplan.Resource) (Cost, bool) {
	metrics, period := 1.0, num(r.Inputs["period"])
	if queries := list(r.Inputs["metricQueries"]); len(queries) > 0 {
		metrics, period = 0, 0
		for _, q := range queries {
			m, _ := q.(map[string]any)
			metric, _ := m["metric"].(map[string]any)
			if metric == nil {
				continue
			}
			metrics++
			if period == 0 || num(metric["period"]) < period {
				period = num(metric["period"])
			}
		}
	}
	key, resolution := "cloudwatch.alarm-metric-month", "standard"
	if period < 60 {
		key, resolution = "cloudwatch.alarm-metric-month.high-resolution", "high-resolution"
	}
	basis := fmt.Sprintf("%g %s metric(s) × $%g", metrics, resolution, p.Price(key))
	if anomalyOperators[str(r.Inputs["comparisonOperator"])] {
		metrics *= 3
		basis = fmt.Sprintf("%g %s metric(s) of an anomaly detection band (3 per metric) × $%g", metrics, resolution, p.Price(key))
	}
	return Cost{Monthly: metrics * p.Price(key), Basis: basis}, true
}
