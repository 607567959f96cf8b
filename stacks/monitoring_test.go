package stacks_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"unicode"

	"github.com/stretchr/testify/require"

	"github.com/ohmycoins/infra/internal/policy"
	"github.com/ohmycoins/infra/internal/policydoc"
	"github.com/ohmycoins/infra/internal/preview"
	"github.com/ohmycoins/infra/internal/preview/previewtest"
	"github.com/ohmycoins/infra/internal/previewcli"
	"github.com/ohmycoins/infra/internal/service"
	"github.com/ohmycoins/infra/internal/stackplan"
)

const (
	typeTopic        = "aws:sns/topic:Topic"
	typeSubscription = "aws:sns/topicSubscription:TopicSubscription"
	typeAlarm        = "aws:cloudwatch/metricAlarm:MetricAlarm"
	typeDashboard    = "aws:cloudwatch/dashboard:Dashboard"
)

// dimensionFacts are the values each dimension must carry, read from the
// resources that publish the metrics.
func dimensionFacts(t *testing.T, plan *stackplan.Plan, prefix string) map[string][]string {
	var members []string
	for _, m := range previewtest.Named(t, plan, typeReplicationGroup, prefix+"-redis").Outputs["memberClusters"].([]any) {
		members = append(members, m.(string))
	}
	var services, targetGroups []string
	for _, s := range plan.OfType(typeService) {
		services = append(services, s.Outputs["name"].(string))
	}
	for _, g := range plan.OfType(typeTargetGroup) {
		targetGroups = append(targetGroups, g.Outputs["arnSuffix"].(string))
	}
	return map[string][]string{
		"ClusterName":          {previewtest.Named(t, plan, typeCluster, prefix+"-cluster").Outputs["name"].(string)},
		"ServiceName":          services,
		"LoadBalancer":         {previewtest.Named(t, plan, typeLoadBalancer, prefix+"-alb").Outputs["arnSuffix"].(string)},
		"TargetGroup":          targetGroups,
		"DBInstanceIdentifier": {previewtest.Named(t, plan, typeDBInstance, prefix+"-postgres").Outputs["identifier"].(string)},
		"CacheClusterId":       members,
		"WebACL":               {previewtest.Named(t, plan, "aws:wafv2/webAcl:WebAcl", prefix+"-waf").Outputs["name"].(string)},
		"Region":               {previewtest.Named(t, plan, "pulumi:providers:aws", prefix+"-aws").Inputs["region"].(string)},
		"Rule":                 {"ALL"},
	}
}

// checkDimensions asserts one metric's dimensions: a set the namespace
// publishes, each value one a resource of the stack really has.
func checkDimensions(t *testing.T, where, namespace string, dims map[string]string, facts map[string][]string) {
	t.Helper()
	names := make([]string, 0, len(dims))
	for n := range dims {
		names = append(names, n)
	}
	sort.Strings(names)
	require.Contains(t, policy.Published(namespace), strings.Join(names, ","), "%s: %s publishes no metric under %v", where, namespace, names)
	for n, v := range dims {
		require.Contains(t, facts[n], v, "%s: %s = %q is not a value of this stack", where, n, v)
	}
}

func stringMap(v any) map[string]string {
	out := map[string]string{}
	m, _ := v.(map[string]any) // a metric filter's metric has no dimensions
	for k, x := range m {
		out[k] = x.(string)
	}
	return out
}

func TestAlertTopicIsEncryptedAndSubscribed(t *testing.T) {
	t.Parallel()
	plan := previewtest.Stack(t, "production").Plan
	topic := previewtest.Named(t, plan, typeTopic, "ohmycoins-prod-alerts")
	key := previewtest.Named(t, plan, typeKey, "ohmycoins-prod-key")
	require.Equal(t, "ohmycoins-prod-alerts", topic.Inputs["name"])
	require.Equal(t, "Oh My Coins production Alerts", topic.Inputs["displayName"])
	require.Equal(t, key.Outputs["arn"], topic.Inputs["kmsMasterKeyId"])
	require.Equal(t, topic.Outputs["arn"], plan.Outputs["monitoring_sns_topic_arn"])

	// CloudWatch must be able to use the topic's key, or alarms publish nothing (defect A10).
	policy, err := policydoc.Parse(key.Inputs["policy"].(string))
	require.NoError(t, err)
	for _, service := range []string{"cloudwatch.amazonaws.com", "budgets.amazonaws.com"} {
		var actions []string
		for _, s := range policy.Statement {
			if s.Principal != nil && slices.Contains(s.Principal.Service, service) {
				actions = append(actions, s.Action...)
			}
		}
		require.ElementsMatch(t, []string{"kms:Decrypt", "kms:GenerateDataKey*"}, actions, "%s publishes to the encrypted topic", service)
	}

	var endpoints []string
	for _, s := range plan.OfType(typeSubscription) {
		require.Equal(t, topic.Outputs["arn"], s.Inputs["topic"])
		if s.Name == "ohmycoins-prod-alerts-paging" {
			// The pager's integration URL is a secret: the plan never shows it.
			require.Equal(t, "https", s.Inputs["protocol"])
			require.Equal(t, true, s.Inputs["endpointAutoConfirms"])
			require.NotContains(t, fmt.Sprint(s.Inputs["endpoint"]), "pagerduty.com", "production pages, secretly")
			continue
		}
		require.Equal(t, "email", s.Inputs["protocol"])
		endpoints = append(endpoints, s.Inputs["endpoint"].(string))
	}
	require.ElementsMatch(t, []string{"devops@ohmycoins.com", "oncall@ohmycoins.com"}, endpoints)
	require.Len(t, plan.OfType(typeSubscription), 3, "two addresses and the pager")
}

// TestTheAlarmsAreThePresetsAndExported: each key of ohmycoins:alarms is the
// threshold of the alarm it names, at the stack's preset value (a worker's
// CPU and memory alarms take the ecs ones), every alarm has one, and
// alarm_names exports them all.
func TestTheAlarmsAreThePresetsAndExported(t *testing.T) {
	for _, p := range presets {
		t.Run(p.stack, func(t *testing.T) {
			t.Parallel()
			result := previewtest.Stack(t, p.stack)
			s, plan := result.Settings, result.Plan
			require.Equal(t, p.settings().Alarms, s.Alarms, "the stack file keeps the preset's thresholds")
			raw, err := json.Marshal(s.Alarms)
			require.NoError(t, err)
			var thresholds map[string]float64
			require.NoError(t, json.Unmarshal(raw, &thresholds))
			workers := service.Names(service.Only(s.ServiceList(), service.Worker))
			for key, value := range thresholds {
				suffix, want := alarmOfThreshold(key, value)
				require.Equal(t, want, previewtest.Named(t, plan, typeAlarm, s.NamePrefix+"-"+suffix).Inputs["threshold"], "ohmycoins:alarms.%s", key)
				if rest, ok := strings.CutPrefix(suffix, "ecs-"); ok {
					for _, w := range workers {
						require.Equal(t, want, previewtest.Named(t, plan, typeAlarm, s.NamePrefix+"-"+w+"-ecs-"+rest).Inputs["threshold"], "ohmycoins:alarms.%s, worker %s", key, w)
					}
				}
			}
			var names []any
			for _, a := range plan.OfType(typeAlarm) {
				names = append(names, a.Name)
			}
			require.Len(t, names, len(thresholds)+2*len(workers), "one alarm per threshold setting, and a CPU and a memory alarm per worker")
			require.ElementsMatch(t, names, plan.Outputs["alarm_names"])
		})
	}
}

// alarmOfThreshold is the alarm a threshold key names, the key in kebab-case
// ("albHigh5xxErrors" is alb-high-5xx-errors), and the threshold as AWS takes
// it: a key ending in its unit GiB is that many bytes.
func alarmOfThreshold(key string, value float64) (string, float64) {
	if k, ok := strings.CutSuffix(key, "GiB"); ok {
		key, value = k, value*(1<<30)
	}
	var b strings.Builder
	for i, r := range key {
		prev := rune(0)
		if i > 0 {
			prev = rune(key[i-1])
		}
		if unicode.IsUpper(r) || (unicode.IsDigit(r) && unicode.IsLetter(prev)) {
			b.WriteByte('-')
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String(), value
}

// TestAlarmDimensionsReceiveData: every alarm's dimensions are a set the
// namespace publishes and carry values of this stack's resources.
func TestAlarmDimensionsReceiveData(t *testing.T) {
	for _, c := range []struct {
		stack, prefix string
		members       int
	}{{"staging", "ohmycoins-staging", 1}, {"production", "ohmycoins-prod", 2}} {
		t.Run(c.stack, func(t *testing.T) {
			t.Parallel()
			plan := previewtest.Stack(t, c.stack).Plan
			facts := dimensionFacts(t, plan, c.prefix)
			require.Len(t, facts["CacheClusterId"], c.members)
			for _, a := range plan.OfType(typeAlarm) {
				queries, math := a.Inputs["metricQueries"].([]any)
				require.Equal(t, c.members > 1 && strings.Contains(a.Name, "-redis-"), math, "%s: metric math over several members only", a.Name)
				if math {
					var ids, seen []string
					var expression string
					for _, q := range queries {
						query := q.(map[string]any)
						if m, ok := query["metric"].(map[string]any); ok {
							require.Equal(t, false, query["returnData"])
							dims := stringMap(m["dimensions"])
							checkDimensions(t, a.Name, m["namespace"].(string), dims, facts)
							ids = append(ids, query["id"].(string))
							seen = append(seen, dims["CacheClusterId"])
						} else {
							require.Equal(t, true, query["returnData"])
							expression = query["expression"].(string)
						}
					}
					require.ElementsMatch(t, facts["CacheClusterId"], seen, "%s watches every member (defect A4)", a.Name)
					aggregate := map[bool]string{true: "MIN", false: "MAX"}[strings.Contains(a.Name, "cache-hit-rate")]
					require.Equal(t, aggregate+"(["+strings.Join(ids, ",")+"])", expression, "the worst member decides")
					continue
				}
				checkDimensions(t, a.Name, a.Inputs["namespace"].(string), stringMap(a.Inputs["dimensions"]), facts)
			}
			db := previewtest.Named(t, plan, typeAlarm, c.prefix+"-rds-high-cpu")
			require.Equal(t, c.prefix+"-postgres", stringMap(db.Inputs["dimensions"])["DBInstanceIdentifier"], "the identifier, not the resource id (defect A3)")
			unhealthy := stringMap(previewtest.Named(t, plan, typeAlarm, c.prefix+"-alb-unhealthy-targets").Inputs["dimensions"])
			require.Equal(t, previewtest.Named(t, plan, typeTargetGroup, c.prefix+"-backend-tg").Outputs["arnSuffix"], unhealthy["TargetGroup"], "the backend target group")
			cpu := stringMap(previewtest.Named(t, plan, typeAlarm, c.prefix+"-ecs-high-cpu").Inputs["dimensions"])
			require.Equal(t, c.prefix+"-backend-service", cpu["ServiceName"])
		})
	}
}

func TestDashboardRowsAreWrittenInFullWithRealDimensions(t *testing.T) {
	for _, c := range []struct {
		stack, prefix, lastTitle, lastNamespace string
	}{
		{"staging", "ohmycoins-staging", "Healthy Targets per Target Group", "AWS/ApplicationELB"},
		{"production", "ohmycoins-prod", "ECS Task Counts", "ECS/ContainerInsights"},
	} {
		t.Run(c.stack, func(t *testing.T) {
			t.Parallel()
			result := previewtest.Stack(t, c.stack)
			plan := result.Plan
			facts := dimensionFacts(t, plan, c.prefix)
			dashboard := previewtest.Named(t, plan, typeDashboard, c.prefix+"-infrastructure")
			require.Equal(t, c.prefix+"-infrastructure", dashboard.Inputs["dashboardName"])
			require.Equal(t, c.prefix+"-infrastructure", plan.Outputs["dashboard_name"])
			require.Equal(t, "https://ap-southeast-2.console.aws.amazon.com/cloudwatch/home?region=ap-southeast-2#dashboards:name="+c.prefix+"-infrastructure", plan.Outputs["dashboard_url"])

			var body struct {
				Widgets []struct {
					Type                string
					X, Y, Width, Height int
					Properties          struct {
						Title, Region, Query string
						Metrics              [][]any
					}
				}
			}
			require.NoError(t, json.Unmarshal([]byte(dashboard.Inputs["dashboardBody"].(string)), &body))
			var titles []string
			for i, w := range body.Widgets {
				require.Equal(t, [4]int{(i % 2) * 12, (i / 2) * 6, 12, 6}, [4]int{w.X, w.Y, w.Width, w.Height}, "widget %d", i)
				require.Equal(t, "ap-southeast-2", w.Properties.Region)
				titles = append(titles, w.Properties.Title)
				if w.Type == "log" {
					// A saved query's results: over the stack's own log groups.
					require.Regexp(t, `^SOURCE '/ecs/`+result.Settings.NamePrefix+`-backend' \| `, w.Properties.Query)
					require.NotContains(t, w.Properties.Query, "TASK_ID", "only the queries that need no editing")
					continue
				}
				require.Equal(t, "metric", w.Type)
				require.NotEmpty(t, w.Properties.Metrics)
				for _, r := range w.Properties.Metrics {
					where := fmt.Sprintf("widget %q row %v", w.Properties.Title, r)
					require.GreaterOrEqual(t, len(r), 5, where)
					require.Equal(t, 1, len(r)%2, "%s: namespace, metric, name/value pairs, options", where)
					options, ok := r[len(r)-1].(map[string]any)
					require.True(t, ok, "%s ends with its options", where)
					require.NotContains(t, options, "dimensions", "%s: dimensions go inline (defect A5)", where)
					dims := map[string]string{}
					for j := 2; j < len(r)-1; j += 2 {
						name, value := r[j].(string), r[j+1].(string)
						require.NotContains(t, []string{".", "..."}, name, where)
						dims[name] = value
					}
					for _, part := range r[:len(r)-1] {
						require.NotContains(t, []any{".", "..."}, part, "%s: no shorthand", where)
					}
					checkDimensions(t, where, r[0].(string), dims, facts)
				}
			}
			want := []string{
				"ECS Backend Service - CPU & Memory", "ALB Response Times", "ALB HTTP Status Codes",
				"RDS Metrics", "Redis Cache Metrics", c.lastTitle,
			}
			for _, w := range service.Only(result.Settings.ServiceList(), service.Worker) {
				want = append(want, "ECS "+w.Title()+" Service - CPU & Memory")
			}
			want = append(want, "Web ACL Requests", "Logs: errors-by-message", "Logs: 5xx-by-path")
			require.Equal(t, want, titles)
			require.Equal(t, c.lastNamespace, body.Widgets[5].Properties.Metrics[0][0], "task counts only where Container Insights is on (defect A6)")
			require.Len(t, body.Widgets[1].Properties.Metrics, 3, "average, p95 and p99")
		})
	}
}

// TestEachEnvironmentHasItsPresetsBudget: the budget counts the costs
// tagged with the stack's environment, at its preset's limit; the
// account-level program activates that tag as a cost allocation tag.
func TestEachEnvironmentHasItsPresetsBudget(t *testing.T) {
	t.Parallel()
	for _, p := range presets {
		s := p.settings()
		budget := previewtest.Named(t, previewtest.Stack(t, p.stack).Plan, "aws:budgets/budget:Budget", s.NamePrefix+"-monthly-budget")
		require.Equal(t, fmt.Sprint(s.Budget.MonthlyUSD), budget.Inputs["limitAmount"])
		require.Equal(t, []any{map[string]any{"name": "TagKeyValue", "values": []any{"user:Environment$" + s.Environment}}}, budget.Inputs["costFilters"])
	}
	_, ok := previewtest.Stack(t, "staging", previewtest.Set("ohmycoins:budget", `{"monthlyUsd": 0}`)).Plan.Named("aws:budgets/budget:Budget", "ohmycoins-staging-monthly-budget")
	require.False(t, ok, "monthlyUsd 0: no budget")

	bootstrap, err := preview.Preview(preview.Options{Stack: "state", Program: previewcli.BootstrapProgram})
	require.NoError(t, err)
	tag := previewtest.Named(t, bootstrap.Plan, "aws:costexplorer/costAllocationTag:CostAllocationTag", "ohmycoins-environment-cost-allocation-tag")
	require.Equal(t, map[string]any{"tagKey": "Environment", "status": "Active"}, tag.Inputs, "the account-level program activates the tag the budgets filter by")
}
