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
			Price: func(p Pricing, r stackplan.Resource) (Cost, bool) {
				metrics := 1.0
				if queries := list(r.Inputs["metricQueries"]); len(queries) > 0 {
					metrics = 0
					for _, q := range queries {
						if m, ok := q.(map[string]any); ok && m["metric"] != nil {
							metrics++
						}
					}
				}
				return Cost{Monthly: metrics * p.Price("cloudwatch.alarm-metric-month"),
					Basis: fmt.Sprintf("%g metric(s) × $%g", metrics, p.Price("cloudwatch.alarm-metric-month"))}, true
			},
			Terraform: Terraform{Identity: []Key{{Input: "name", Attr: "alarm_name"}}, Renamed: map[string]string{"name": "alarm_name"},
				ImportID: importBy("alarm_name")},
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

// priceLogGroup prices ingestion and storage: the flow-log group's share of
// flowLogGbPerMonth at the vended-logs price, the others' share of
// appLogGbPerMonth, kept as long as their retention (a year for "never").
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
	var gb float64
	ingest, what := "logs.ingest-gb", "its share of appLogGbPerMonth"
	if isFlowLogGroup(str(r.Inputs["name"])) {
		gb = p.Assume("flowLogGbPerMonth")
		ingest, what = "logs.vended-gb", "flowLogGbPerMonth"
	} else {
		groups := 0
		for _, g := range plan.OfType(r.Type) {
			if !isFlowLogGroup(str(g.Inputs["name"])) {
				groups++
			}
		}
		gb = p.Assume("appLogGbPerMonth") / float64(groups)
	}
	days := num(r.Inputs["retentionInDays"])
	if days == 0 || days > 365 {
		days = 365
	}
	stored := gb * days / 30
	return Cost{Monthly: gb*p.Price(ingest) + stored*p.Price("logs.storage-gb-month"),
		Basis: fmt.Sprintf("%.4g GB ingested × $%g (%s) + %.4g GB kept (%g days) × $%g", gb, p.Price(ingest), what, stored, days, p.Price("logs.storage-gb-month"))}, true
}
