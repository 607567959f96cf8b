package tests

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ohmycoins/infra/internal/mockcloud"
	"github.com/ohmycoins/infra/internal/policydoc"
	"github.com/ohmycoins/infra/internal/preview"
	"github.com/ohmycoins/infra/internal/preview/previewtest"
	"github.com/ohmycoins/infra/internal/previewcli"
	"github.com/ohmycoins/infra/internal/stackplan"
)

const (
	typeTopic        = "aws:sns/topic:Topic"
	typeSubscription = "aws:sns/topicSubscription:TopicSubscription"
	typeAlarm        = "aws:cloudwatch/metricAlarm:MetricAlarm"
	typeDashboard    = "aws:cloudwatch/dashboard:Dashboard"
)

// publishedDimensions are the dimension sets CloudWatch publishes each
// namespace's metrics under (the subset this program may use).
var publishedDimensions = map[string][]string{
	"AWS/ECS":               {"ClusterName,ServiceName", "ClusterName"},
	"ECS/ContainerInsights": {"ClusterName,ServiceName", "ClusterName"},
	"AWS/ApplicationELB":    {"LoadBalancer", "LoadBalancer,TargetGroup", "TargetGroup"},
	"AWS/RDS":               {"DBInstanceIdentifier"},
	"AWS/ElastiCache":       {"CacheClusterId", "CacheClusterId,CacheNodeId"},
}

// dimensionFacts are the values each dimension must carry, read from the
// resources that publish the metrics.
func dimensionFacts(t *testing.T, plan *stackplan.Plan, prefix string) map[string][]string {
	var members []string
	for _, m := range previewtest.Named(t, plan, typeReplicationGroup, prefix+"-redis").Outputs["memberClusters"].([]any) {
		members = append(members, m.(string))
	}
	return map[string][]string{
		"ClusterName":          {previewtest.Named(t, plan, typeCluster, prefix+"-cluster").Outputs["name"].(string)},
		"ServiceName":          {previewtest.Named(t, plan, typeService, prefix+"-backend-service").Outputs["name"].(string), previewtest.Named(t, plan, typeService, prefix+"-frontend-service").Outputs["name"].(string)},
		"LoadBalancer":         {previewtest.Named(t, plan, typeLoadBalancer, prefix+"-alb").Outputs["arnSuffix"].(string)},
		"TargetGroup":          {previewtest.Named(t, plan, typeTargetGroup, prefix+"-backend-tg").Outputs["arnSuffix"].(string), previewtest.Named(t, plan, typeTargetGroup, prefix+"-frontend-tg").Outputs["arnSuffix"].(string)},
		"DBInstanceIdentifier": {previewtest.Named(t, plan, typeDBInstance, prefix+"-postgres").Outputs["identifier"].(string)},
		"CacheClusterId":       members,
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
	require.Contains(t, publishedDimensions[namespace], strings.Join(names, ","), "%s: %s publishes no metric under %v", where, namespace, names)
	for n, v := range dims {
		require.Contains(t, facts[n], v, "%s: %s = %q is not a value of this stack", where, n, v)
	}
}

func stringMap(v any) map[string]string {
	out := map[string]string{}
	for k, x := range v.(map[string]any) {
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
		require.Equal(t, "email", s.Inputs["protocol"])
		require.Equal(t, topic.Outputs["arn"], s.Inputs["topic"])
		endpoints = append(endpoints, s.Inputs["endpoint"].(string))
	}
	require.ElementsMatch(t, []string{"devops@ohmycoins.com", "oncall@ohmycoins.com"}, endpoints)
}

func TestTheEightAlarmsHaveTheSpecThresholds(t *testing.T) {
	type spec struct {
		suffix, namespace, metric, stat, comparison string
		period, evaluations                         float64
		staging, production                         float64
	}
	gib := float64(1 << 30)
	specs := []spec{
		{"ecs-high-cpu", "AWS/ECS", "CPUUtilization", "Average", "GreaterThanThreshold", 300, 2, 90, 70},
		{"ecs-high-memory", "AWS/ECS", "MemoryUtilization", "Average", "GreaterThanThreshold", 300, 2, 90, 70},
		{"alb-high-5xx-errors", "AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", "Sum", "GreaterThanThreshold", 300, 2, 20, 5},
		{"alb-unhealthy-targets", "AWS/ApplicationELB", "UnHealthyHostCount", "Maximum", "GreaterThanThreshold", 60, 1, 0, 0},
		{"rds-high-cpu", "AWS/RDS", "CPUUtilization", "Average", "GreaterThanThreshold", 300, 2, 90, 70},
		{"rds-low-storage", "AWS/RDS", "FreeStorageSpace", "Average", "LessThanThreshold", 300, 1, 5 * gib, 20 * gib},
		{"redis-low-cache-hit-rate", "AWS/ElastiCache", "CacheHitRate", "Average", "LessThanThreshold", 300, 2, 60, 80},
		{"redis-high-cpu", "AWS/ElastiCache", "EngineCPUUtilization", "Average", "GreaterThanThreshold", 300, 2, 80, 60},
	}
	for _, c := range []struct{ stack, prefix string }{{"staging", "ohmycoins-staging"}, {"production", "ohmycoins-prod"}} {
		t.Run(c.stack, func(t *testing.T) {
			t.Parallel()
			plan := previewtest.Stack(t, c.stack).Plan
			topic := previewtest.Named(t, plan, typeTopic, c.prefix+"-alerts").Outputs["arn"]
			var names []any
			for _, s := range specs {
				names = append(names, c.prefix+"-"+s.suffix)
			}
			require.Equal(t, names, plan.Outputs["alarm_names"], "the runbook's eight names, in its order")
			require.Len(t, plan.OfType(typeAlarm), 8)

			for _, s := range specs {
				a := previewtest.Named(t, plan, typeAlarm, c.prefix+"-"+s.suffix)
				in := a.Inputs
				threshold := map[string]float64{"staging": s.staging, "production": s.production}[c.stack]
				require.Equal(t, c.prefix+"-"+s.suffix, in["name"])
				require.Equal(t, threshold, in["threshold"], s.suffix)
				require.Equal(t, s.comparison, in["comparisonOperator"], s.suffix)
				require.Equal(t, s.evaluations, in["evaluationPeriods"], s.suffix)
				require.Equal(t, []any{topic}, in["alarmActions"], s.suffix)
				require.Equal(t, []any{topic}, in["okActions"], "%s notifies when it recovers too", s.suffix)
				require.Equal(t, "notBreaching", in["treatMissingData"], "%s: an idle service is not an alarm", s.suffix)
				queries, math := in["metricQueries"].([]any)
				// Metric math exactly where a Redis alarm watches several members.
				require.Equal(t, c.stack == "production" && strings.HasPrefix(s.suffix, "redis-"), math, "%s: metric math", s.suffix)
				if math {
					for _, q := range queries {
						m, ok := q.(map[string]any)["metric"].(map[string]any)
						if !ok {
							continue
						}
						require.Equal(t, s.namespace, m["namespace"])
						require.Equal(t, s.metric, m["metricName"])
						require.Equal(t, s.stat, m["stat"])
						require.Equal(t, s.period, m["period"])
					}
					continue
				}
				require.Equal(t, s.namespace, in["namespace"], s.suffix)
				require.Equal(t, s.metric, in["metricName"], s.suffix)
				require.Equal(t, s.stat, in["statistic"], s.suffix)
				require.Equal(t, s.period, in["period"], s.suffix)
			}
		})
	}
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
			require.Equal(t, facts["TargetGroup"][0], unhealthy["TargetGroup"], "the backend target group")
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
			plan := previewtest.Stack(t, c.stack).Plan
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
						Title, Region string
						Metrics       [][]any
					}
				}
			}
			require.NoError(t, json.Unmarshal([]byte(dashboard.Inputs["dashboardBody"].(string)), &body))
			var titles []string
			for i, w := range body.Widgets {
				require.Equal(t, "metric", w.Type)
				require.Equal(t, [4]int{(i % 2) * 12, (i / 2) * 6, 12, 6}, [4]int{w.X, w.Y, w.Width, w.Height}, "widget %d", i)
				require.Equal(t, "ap-southeast-2", w.Properties.Region)
				titles = append(titles, w.Properties.Title)
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
			require.Equal(t, []string{
				"ECS Backend Service - CPU & Memory", "ALB Response Times", "ALB HTTP Status Codes",
				"RDS Metrics", "Redis Cache Metrics", c.lastTitle,
			}, titles)
			require.Equal(t, c.lastNamespace, body.Widgets[5].Properties.Metrics[0][0], "task counts only where Container Insights is on (defect A6)")
			require.Len(t, body.Widgets[1].Properties.Metrics, 3, "average, p95 and p99")
		})
	}
}

// TestEachEnvironmentHasABudgetThatAlertsItsTopic: a monthly cost budget over
// the environment's tagged costs, alerting the alert topic at 80 % of the
// forecast and 100 % of the actual month; AWS Budgets may publish to the
// topic (and use its key: TestAlertTopicIsEncryptedAndSubscribed).
func TestEachEnvironmentHasABudgetThatAlertsItsTopic(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		stack, prefix, env string
		limit              string
	}{{"staging", "ohmycoins-staging", "staging", "220"}, {"production", "ohmycoins-prod", "production", "780"}} {
		plan := previewtest.Stack(t, c.stack).Plan
		topic := previewtest.Named(t, plan, typeTopic, c.prefix+"-alerts")
		budget := previewtest.Named(t, plan, "aws:budgets/budget:Budget", c.prefix+"-monthly-budget")
		require.Equal(t, c.prefix+"-monthly", budget.Inputs["name"])
		require.Equal(t, "COST", budget.Inputs["budgetType"])
		require.Equal(t, c.limit, budget.Inputs["limitAmount"])
		require.Equal(t, "USD", budget.Inputs["limitUnit"])
		require.Equal(t, "MONTHLY", budget.Inputs["timeUnit"])
		require.Equal(t, []any{map[string]any{"name": "TagKeyValue", "values": []any{"user:Environment$" + c.env}}}, budget.Inputs["costFilters"])
		require.Equal(t, []any{
			map[string]any{"notificationType": "FORECASTED", "comparisonOperator": "GREATER_THAN", "threshold": 80.0, "thresholdType": "PERCENTAGE", "subscriberSnsTopicArns": []any{topic.Outputs["arn"]}},
			map[string]any{"notificationType": "ACTUAL", "comparisonOperator": "GREATER_THAN", "threshold": 100.0, "thresholdType": "PERCENTAGE", "subscriberSnsTopicArns": []any{topic.Outputs["arn"]}},
		}, budget.Inputs["notifications"])
		require.Equal(t, "20", budget.Inputs["tags"].(map[string]any)["EstimateMarginPercent"])

		topicPolicy := previewtest.Named(t, plan, "aws:sns/topicPolicy:TopicPolicy", c.prefix+"-alerts-policy")
		require.Equal(t, topic.Outputs["arn"], topicPolicy.Inputs["arn"])
		doc, err := policydoc.Parse(topicPolicy.Inputs["policy"].(string))
		require.NoError(t, err)
		budgets := doc.Statement[1]
		require.Equal(t, "AlarmsAndBudgetsPublish", budgets.Sid)
		require.Equal(t, []string{"cloudwatch.amazonaws.com", "budgets.amazonaws.com"}, budgets.Principal.Service)
		require.Equal(t, []string{"sns:Publish"}, budgets.Action)
		require.Equal(t, []string{mockcloud.MockAccountID}, budgets.Condition["StringEquals"]["aws:SourceAccount"])
		require.Equal(t, []string{mockcloud.MockAccountID}, doc.Statement[0].Condition["StringEquals"]["AWS:SourceOwner"],
			"the account's own publishers (the alarms) keep the default policy's grant")
	}
	_, ok := previewtest.Stack(t, "staging", previewtest.Set("ohmycoins:budget", `{"monthlyUsd": 0}`)).Plan.Named("aws:budgets/budget:Budget", "ohmycoins-staging-monthly-budget")
	require.False(t, ok, "monthlyUsd 0: no budget")

	bootstrap, err := preview.Preview(preview.Options{Dir: projectDir, Stack: "state", Program: previewcli.BootstrapProgram})
	require.NoError(t, err)
	tag := previewtest.Named(t, bootstrap.Plan, "aws:costexplorer/costAllocationTag:CostAllocationTag", "ohmycoins-environment-cost-allocation-tag")
	require.Equal(t, map[string]any{"tagKey": "Environment", "status": "Active"}, tag.Inputs, "the account-level program activates the tag the budgets filter by")
}

// TestRedisAlarmsWatchEveryMember: with two members (production), each Redis
// alarm is metric math over both, the worst member deciding (defect A4); with
// one (staging), a plain metric on that member. Asserted without conditions,
// so a change to when the math applies fails here, not only in the snapshot.
func TestRedisAlarmsWatchEveryMember(t *testing.T) {
	t.Parallel()
	production := previewtest.Stack(t, "production").Plan
	members := previewtest.Named(t, production, "aws:elasticache/replicationGroup:ReplicationGroup", "ohmycoins-prod-redis").Outputs["memberClusters"].([]any)
	require.Len(t, members, 2)
	for alarm, aggregate := range map[string]string{"ohmycoins-prod-redis-low-cache-hit-rate": "MIN", "ohmycoins-prod-redis-high-cpu": "MAX"} {
		a := previewtest.Named(t, production, "aws:cloudwatch/metricAlarm:MetricAlarm", alarm)
		require.Nil(t, a.Inputs["metricName"], "%s: metric math, not one metric", alarm)
		queries := a.Inputs["metricQueries"].([]any)
		require.Len(t, queries, 3, alarm)
		var watched []any
		for _, q := range queries[:2] {
			metric := q.(map[string]any)["metric"].(map[string]any)
			watched = append(watched, metric["dimensions"].(map[string]any)["CacheClusterId"])
		}
		require.ElementsMatch(t, members, watched, "%s watches both members", alarm)
		require.Equal(t, aggregate+"([m1,m2])", queries[2].(map[string]any)["expression"], alarm)
		require.Equal(t, true, queries[2].(map[string]any)["returnData"])
	}

	staging := previewtest.Stack(t, "staging").Plan
	member := previewtest.Named(t, staging, "aws:elasticache/replicationGroup:ReplicationGroup", "ohmycoins-staging-redis").Outputs["memberClusters"].([]any)
	require.Len(t, member, 1)
	a := previewtest.Named(t, staging, "aws:cloudwatch/metricAlarm:MetricAlarm", "ohmycoins-staging-redis-high-cpu")
	require.Equal(t, "EngineCPUUtilization", a.Inputs["metricName"])
	require.Nil(t, a.Inputs["metricQueries"])
	require.Equal(t, map[string]any{"CacheClusterId": member[0]}, a.Inputs["dimensions"])
}
