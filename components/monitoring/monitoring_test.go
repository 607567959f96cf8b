package monitoring

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/require"

	"github.com/ohmycoins/infra/internal/componenttest"
	"github.com/ohmycoins/infra/internal/iamsim"
	"github.com/ohmycoins/infra/internal/policydoc"
	"github.com/ohmycoins/infra/internal/service"
	"github.com/ohmycoins/infra/internal/stackplan"
)

const keyARN = "arn:aws:kms:ap-southeast-2:123456789012:key/k"

// thresholds are distinct values, so each alarm's threshold tells which setting it took.
var thresholds = Thresholds{EcsHighCPU: 71, EcsHighMemory: 72, AlbHigh5xxErrors: 3, AlbUnhealthyTargets: 1,
	RdsHighCPU: 73, RdsLowStorageGiB: 4, RedisLowCacheHitRate: 74, RedisHighCPU: 75, WafBlockedRequests: 76, EcsErrorLines: 77}

// services are an api service and a web service behind the load balancer and, when asked, a worker.
func services(worker bool) []Service {
	out := []Service{
		{Service: service.New("backend", service.API, false), ECSName: "env-backend-service", LogGroupName: "/ecs/env-backend", TargetGroupARNSuffix: pulumi.String("targetgroup/env-backend-1a2b/0123")},
		{Service: service.New("frontend", service.Web, false), ECSName: "env-frontend-service", LogGroupName: "/ecs/env-frontend", TargetGroupARNSuffix: pulumi.String("targetgroup/env-frontend-3c4d/4567")},
	}
	if worker {
		out = append(out, Service{Service: service.New("worker", service.Worker, true), ECSName: "env-worker-service", LogGroupName: "/ecs/env-worker"})
	}
	return out
}

func args(nodes int, worker, insights bool) Args {
	members := []string{"env-redis-001", "env-redis-002"}[:nodes]
	return Args{
		Environment: "production", Region: "ap-southeast-2", KMSKeyARN: pulumi.String(keyARN),
		AccountID: pulumi.String(componenttest.Account), SubscriberRole: "env-github-deploy",
		AlertEmails: []string{"devops@example.com", "oncall@example.com"}, Thresholds: thresholds,
		ClusterName: "env-cluster", Services: services(worker),
		LoadBalancerARNSuffix: pulumi.String("app/env-alb/89ab"), DBInstanceIdentifier: pulumi.String("env-postgres"),
		CacheMembers: pulumi.ToStringArray(members), CacheNodes: nodes, ContainerInsights: insights,
		DatabaseLogGroup: "/aws/rds/instance/env-postgres/postgresql",
		Budget:           Budget{MonthlyUSD: 780, MarginPercent: 20, EnvironmentTag: "production"},
	}
}

func monitor(a Args, got **Monitoring) pulumi.RunFunc {
	return func(ctx *pulumi.Context) error {
		m, err := New(ctx, "env", a)
		if got != nil {
			*got = m
		}
		return err
	}
}

func TestAlertTopicIsEncryptedAndSubscribed(t *testing.T) {
	t.Parallel()
	plan := componenttest.Run(t, monitor(args(1, false, false), nil))
	topic := componenttest.Named(t, plan, "aws:sns/topic:Topic", "env-alerts")
	require.Equal(t, "env-alerts", topic.Inputs["name"])
	require.Equal(t, "Oh My Coins production Alerts", topic.Inputs["displayName"])
	require.Equal(t, keyARN, topic.Inputs["kmsMasterKeyId"])
	var endpoints []string
	for _, s := range plan.OfType("aws:sns/topicSubscription:TopicSubscription") {
		require.Equal(t, "email", s.Inputs["protocol"])
		require.Equal(t, topic.Outputs["arn"], s.Inputs["topic"])
		endpoints = append(endpoints, s.Inputs["endpoint"].(string))
	}
	require.ElementsMatch(t, []string{"devops@example.com", "oncall@example.com"}, endpoints)
}

// TestAlarmsHaveTheirThresholdsAndNotifyBothWays: the runbook's alarms, in
// its order, each on its setting's threshold; a worker adds its own CPU and
// memory alarms after them.
func TestAlarmsHaveTheirThresholdsAndNotifyBothWays(t *testing.T) {
	t.Parallel()
	type spec struct {
		name, namespace, metric, stat, comparison string
		period, evaluations, threshold            float64
	}
	specs := []spec{
		{"env-ecs-high-cpu", "AWS/ECS", "CPUUtilization", "Average", "GreaterThanThreshold", 300, 2, 71},
		{"env-ecs-high-memory", "AWS/ECS", "MemoryUtilization", "Average", "GreaterThanThreshold", 300, 2, 72},
		{"env-ecs-error-lines", "OhMyCoins/env", "ErrorLines", "Sum", "GreaterThanThreshold", 300, 1, 77},
		{"env-alb-high-5xx-errors", "AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", "Sum", "GreaterThanThreshold", 300, 2, 3},
		{"env-alb-unhealthy-targets", "AWS/ApplicationELB", "UnHealthyHostCount", "Maximum", "GreaterThanThreshold", 60, 1, 1},
		{"env-rds-high-cpu", "AWS/RDS", "CPUUtilization", "Average", "GreaterThanThreshold", 300, 2, 73},
		{"env-rds-low-storage", "AWS/RDS", "FreeStorageSpace", "Average", "LessThanThreshold", 300, 1, 4 << 30},
		{"env-redis-low-cache-hit-rate", "AWS/ElastiCache", "CacheHitRate", "Average", "LessThanThreshold", 300, 2, 74},
		{"env-redis-high-cpu", "AWS/ElastiCache", "EngineCPUUtilization", "Average", "GreaterThanThreshold", 300, 2, 75},
		{"env-worker-ecs-high-cpu", "AWS/ECS", "CPUUtilization", "Average", "GreaterThanThreshold", 300, 2, 71},
		{"env-worker-ecs-high-memory", "AWS/ECS", "MemoryUtilization", "Average", "GreaterThanThreshold", 300, 2, 72},
	}
	var m *Monitoring
	plan := componenttest.Run(t, monitor(args(1, true, false), &m))
	topic := componenttest.Named(t, plan, "aws:sns/topic:Topic", "env-alerts").Outputs["arn"]
	var names []string
	for _, s := range specs {
		names = append(names, s.name)
		in := componenttest.Named(t, plan, "aws:cloudwatch/metricAlarm:MetricAlarm", s.name).Inputs
		require.Equal(t, s.name, in["name"])
		require.Equal(t, s.threshold, in["threshold"], s.name)
		require.Equal(t, s.comparison, in["comparisonOperator"], s.name)
		require.Equal(t, s.evaluations, in["evaluationPeriods"], s.name)
		require.Equal(t, []any{topic}, in["alarmActions"], s.name)
		require.Equal(t, []any{topic}, in["okActions"], "%s notifies when it recovers too", s.name)
		require.Equal(t, "notBreaching", in["treatMissingData"], "%s: an idle service is not an alarm", s.name)
		require.Equal(t, s.namespace, in["namespace"], s.name)
		require.Equal(t, s.metric, in["metricName"], s.name)
		require.Equal(t, s.stat, in["statistic"], s.name)
		require.Equal(t, s.period, in["period"], s.name)
	}
	require.Equal(t, names, m.AlarmNames, "the runbook's order, then the worker's")
	require.Len(t, plan.OfType("aws:cloudwatch/metricAlarm:MetricAlarm"), len(specs))
	dims := func(name string) any {
		return componenttest.Named(t, plan, "aws:cloudwatch/metricAlarm:MetricAlarm", name).Inputs["dimensions"]
	}
	require.Equal(t, map[string]any{"ClusterName": "env-cluster", "ServiceName": "env-backend-service"}, dims("env-ecs-high-cpu"))
	require.Equal(t, map[string]any{"ClusterName": "env-cluster", "ServiceName": "env-worker-service"}, dims("env-worker-ecs-high-memory"))
	require.Equal(t, map[string]any{"LoadBalancer": "app/env-alb/89ab", "TargetGroup": "targetgroup/env-backend-1a2b/0123"}, dims("env-alb-unhealthy-targets"), "the api service's targets")
	require.Equal(t, map[string]any{"DBInstanceIdentifier": "env-postgres"}, dims("env-rds-high-cpu"))
	require.Equal(t, map[string]any{"CacheClusterId": "env-redis-001"}, dims("env-redis-high-cpu"), "one member: a plain metric on it")
}

// TestTheFirewallAlarmWatchesWhatItsRulesDo: a blocking web ACL's blocked
// requests; one that only counts, what it would have blocked. The dashboard
// shows all three.
func TestTheFirewallAlarmWatchesWhatItsRulesDo(t *testing.T) {
	t.Parallel()
	for _, counting := range []bool{false, true} {
		a := args(1, false, false)
		a.Firewall = &Firewall{WebACLName: "env-waf", Counting: counting}
		var m *Monitoring
		plan := componenttest.Run(t, monitor(a, &m))
		in := componenttest.Named(t, plan, "aws:cloudwatch/metricAlarm:MetricAlarm", "env-waf-blocked-requests").Inputs
		require.Equal(t, "AWS/WAFV2", in["namespace"])
		require.Equal(t, map[bool]string{false: "BlockedRequests", true: "CountedRequests"}[counting], in["metricName"])
		require.Equal(t, "Sum", in["statistic"])
		require.Equal(t, 300.0, in["period"])
		require.Equal(t, 76.0, in["threshold"])
		require.Equal(t, "GreaterThanThreshold", in["comparisonOperator"])
		require.Equal(t, map[string]any{"WebACL": "env-waf", "Region": "ap-southeast-2", "Rule": "ALL"}, in["dimensions"])
		require.Equal(t, "env-waf-blocked-requests", m.AlarmNames[len(m.AlarmNames)-1])
		var body Dashboard
		require.NoError(t, json.Unmarshal([]byte(componenttest.Named(t, plan, "aws:cloudwatch/dashboard:Dashboard", "env-infrastructure").Inputs["dashboardBody"].(string)), &body))
		last := body.Widgets[len(body.Widgets)-3].Properties
		require.Equal(t, "Web ACL Requests", last.Title, "the last metric widget, before the two log widgets")
		require.Equal(t, []any{"AWS/WAFV2", "CountedRequests", "WebACL", "env-waf", "Region", "ap-southeast-2", "Rule", "ALL",
			map[string]any{"label": "Counted (would be blocked)", "stat": "Sum"}}, last.Metrics[2])
	}
	plan := componenttest.Run(t, monitor(args(1, false, false), nil))
	for _, a := range plan.OfType("aws:cloudwatch/metricAlarm:MetricAlarm") {
		require.NotEqual(t, "env-waf-blocked-requests", a.Name, "no firewall, no alarm")
	}
}

// TestTheOnCallQuestionsAreSavedQueries: each saved query over the log
// groups that answer it, in the stack's folder; the first two on the
// dashboard; the api service's error lines counted into the stack's own
// namespace.
func TestTheOnCallQuestionsAreSavedQueries(t *testing.T) {
	t.Parallel()
	plan := componenttest.Run(t, monitor(args(1, true, false), nil))
	type saved struct {
		name   string
		groups []any
		has    []string
	}
	all := []any{"/ecs/env-backend", "/ecs/env-frontend", "/ecs/env-worker"}
	for _, q := range []saved{
		{"errors-by-message", all, []string{"filter @message like /ERROR|CRITICAL|Traceback|Exception/", "stats count(*) as lines, latest(@timestamp) as last by @log, @message"}},
		{"5xx-by-path", []any{"/ecs/env-backend"}, []string{`parse @message /"(?<method>[A-Z]+) (?<path>[^ ?"]+)[^"]*" (?<status>\d{3})/`, "filter status >= 500", "by status, method, path"}},
		{"slow-database-statements", []any{"/aws/rds/instance/env-postgres/postgresql"}, []string{"duration: (?<ms>[0-9.]+) ms", "sort ms desc"}},
		{"task-last-lines", all, []string{"filter @logStream like /TASK_ID/", "sort @timestamp desc", "limit 100"}},
		{"database-connection-errors", []any{"/ecs/env-backend", "/ecs/env-worker", "/aws/rds/instance/env-postgres/postgresql"}, []string{"too many connections", "password authentication failed"}},
	} {
		r := componenttest.Named(t, plan, "aws:cloudwatch/queryDefinition:QueryDefinition", "env-query-"+q.name)
		require.Equal(t, "env/"+q.name, r.Inputs["name"], "in the stack's folder")
		require.Equal(t, q.groups, r.Inputs["logGroupNames"], q.name)
		for _, s := range q.has {
			require.Contains(t, r.Inputs["queryString"], s, q.name)
		}
	}
	require.Len(t, plan.OfType("aws:cloudwatch/queryDefinition:QueryDefinition"), 5)

	filter := componenttest.Named(t, plan, "aws:cloudwatch/logMetricFilter:LogMetricFilter", "env-ecs-error-lines")
	require.Equal(t, "/ecs/env-backend", filter.Inputs["logGroupName"], "the api service's log")
	require.Equal(t, "?ERROR ?CRITICAL ?Traceback", filter.Inputs["pattern"])
	require.Equal(t, map[string]any{"namespace": "OhMyCoins/env", "name": "ErrorLines", "value": "1", "defaultValue": "0", "unit": "Count"},
		filter.Inputs["metricTransformation"])
	alarm := componenttest.Named(t, plan, "aws:cloudwatch/metricAlarm:MetricAlarm", "env-ecs-error-lines").Inputs
	require.NotContains(t, alarm, "dimensions", "a metric filter's metric has none")

	d := dashboard(t, plan)
	logs := d.Widgets[len(d.Widgets)-2:]
	require.Equal(t, "log", logs[0].Type)
	require.Equal(t, "table", logs[0].Properties.View)
	require.Equal(t, "SOURCE '/ecs/env-backend' | SOURCE '/ecs/env-frontend' | SOURCE '/ecs/env-worker' | fields @timestamp, @log, @message | filter @message like /ERROR|CRITICAL|Traceback|Exception/ | stats count(*) as lines, latest(@timestamp) as last by @log, @message | sort lines desc | limit 50",
		logs[0].Properties.Query)
	require.Empty(t, logs[0].Properties.Metrics)
	require.Equal(t, "Logs: 5xx-by-path", logs[1].Properties.Title)
}

// TestOnlyTheAPIServicesDeploymentsWatchAlarms: its 5xx answers and unhealthy
// targets roll its deployments back; the web service and a worker are left to
// the circuit breaker.
func TestOnlyTheAPIServicesDeploymentsWatchAlarms(t *testing.T) {
	t.Parallel()
	var m *Monitoring
	var alarms []string
	componenttest.Run(t, func(ctx *pulumi.Context) error {
		if err := monitor(args(1, true, false), &m)(ctx); err != nil {
			return err
		}
		var err error
		alarms, err = componenttest.Await[[]string](ctx, m.DeploymentAlarms["backend"].ApplyT(func(a []string) []string { return a }))
		return err
	})
	require.Len(t, m.DeploymentAlarms, 1)
	require.Equal(t, []string{"env-alb-high-5xx-errors", "env-alb-unhealthy-targets"}, alarms)
}

// TestRedisAlarmsWatchEveryMember: with two members each Redis alarm is
// metric math over both, the worst member deciding (defect A4).
func TestRedisAlarmsWatchEveryMember(t *testing.T) {
	t.Parallel()
	plan := componenttest.Run(t, monitor(args(2, false, false), nil))
	for alarm, aggregate := range map[string]string{"env-redis-low-cache-hit-rate": "MIN", "env-redis-high-cpu": "MAX"} {
		a := componenttest.Named(t, plan, "aws:cloudwatch/metricAlarm:MetricAlarm", alarm)
		require.Nil(t, a.Inputs["metricName"], "%s: metric math, not one metric", alarm)
		queries := a.Inputs["metricQueries"].([]any)
		require.Len(t, queries, 3, alarm)
		var watched []any
		for _, q := range queries[:2] {
			require.Equal(t, false, q.(map[string]any)["returnData"])
			metric := q.(map[string]any)["metric"].(map[string]any)
			watched = append(watched, metric["dimensions"].(map[string]any)["CacheClusterId"])
		}
		require.Equal(t, []any{"env-redis-001", "env-redis-002"}, watched, "%s watches both members", alarm)
		require.Equal(t, aggregate+"([m1,m2])", queries[2].(map[string]any)["expression"], alarm)
		require.Equal(t, true, queries[2].(map[string]any)["returnData"])
	}
}

func dashboard(t *testing.T, plan *stackplan.Plan) Dashboard {
	var d Dashboard
	require.NoError(t, json.Unmarshal([]byte(componenttest.Named(t, plan, "aws:cloudwatch/dashboard:Dashboard", "env-infrastructure").Inputs["dashboardBody"].(string)), &d))
	return d
}

func TestDashboardLaysOutItsWidgetsInTheOriginalsOrder(t *testing.T) {
	t.Parallel()
	var titles []string
	d := dashboard(t, componenttest.Run(t, monitor(args(2, true, false), nil)))
	for i, w := range d.Widgets {
		require.Equal(t, [4]int{(i % 2) * 12, (i / 2) * 6, 12, 6}, [4]int{w.X, w.Y, w.Width, w.Height}, "widget %d", i)
		require.Equal(t, "ap-southeast-2", w.Properties.Region)
		titles = append(titles, w.Properties.Title)
	}
	require.Equal(t, []string{"ECS Backend Service - CPU & Memory", "ALB Response Times", "ALB HTTP Status Codes",
		"RDS Metrics", "Redis Cache Metrics", "Healthy Targets per Target Group", "ECS Worker Service - CPU & Memory",
		"Logs: errors-by-message", "Logs: 5xx-by-path"}, titles)
	require.Equal(t, []any{"AWS/ApplicationELB", "HealthyHostCount", "TargetGroup", "targetgroup/env-backend-1a2b/0123", "LoadBalancer", "app/env-alb/89ab",
		map[string]any{"label": "Backend healthy targets", "stat": "Minimum"}}, d.Widgets[5].Properties.Metrics[0])
	require.Len(t, d.Widgets[5].Properties.Metrics, 2, "the worker has no target group")
	require.Len(t, d.Widgets[4].Properties.Metrics, 6, "three metrics for each of two members")

	// Task counts exist only in the Container Insights namespace (defect A6).
	insights := dashboard(t, componenttest.Run(t, monitor(args(1, true, true), nil)))
	counts := insights.Widgets[5]
	require.Equal(t, "ECS Task Counts", counts.Properties.Title)
	require.Len(t, counts.Properties.Metrics, 6, "running and desired of each service, the worker's too")
	for _, r := range counts.Properties.Metrics {
		require.Equal(t, "ECS/ContainerInsights", r[0])
	}
}

func TestTheBudgetAlertsTheTopicAtItsForecastAndItsActual(t *testing.T) {
	t.Parallel()
	plan := componenttest.Run(t, monitor(args(1, false, false), nil))
	topic := componenttest.Named(t, plan, "aws:sns/topic:Topic", "env-alerts")
	budget := componenttest.Named(t, plan, "aws:budgets/budget:Budget", "env-monthly-budget")
	require.Equal(t, "env-monthly", budget.Inputs["name"])
	require.Equal(t, "COST", budget.Inputs["budgetType"])
	require.Equal(t, "780", budget.Inputs["limitAmount"])
	require.Equal(t, "USD", budget.Inputs["limitUnit"])
	require.Equal(t, "MONTHLY", budget.Inputs["timeUnit"])
	require.Equal(t, []any{map[string]any{"name": "TagKeyValue", "values": []any{"user:Environment$production"}}}, budget.Inputs["costFilters"])
	require.Equal(t, []any{
		map[string]any{"notificationType": "FORECASTED", "comparisonOperator": "GREATER_THAN", "threshold": 80.0, "thresholdType": "PERCENTAGE", "subscriberSnsTopicArns": []any{topic.Outputs["arn"]}},
		map[string]any{"notificationType": "ACTUAL", "comparisonOperator": "GREATER_THAN", "threshold": 100.0, "thresholdType": "PERCENTAGE", "subscriberSnsTopicArns": []any{topic.Outputs["arn"]}},
	}, budget.Inputs["notifications"])
	require.Equal(t, "20", budget.Inputs["tags"].(map[string]any)["EstimateMarginPercent"])

	doc := alertTopicPolicy(t, plan)
	budgets := doc.Statement[1]
	require.Equal(t, "TheAccountsBudgetsPublish", budgets.Sid)
	require.Equal(t, []string{"budgets.amazonaws.com"}, budgets.Principal.Service)
	require.Equal(t, []string{"sns:Publish"}, budgets.Action)
	require.Equal(t, []string{componenttest.Account}, budgets.Condition["StringEquals"]["aws:SourceAccount"])

	none := args(1, false, false)
	none.Budget.MonthlyUSD = 0
	noBudget := componenttest.Run(t, monitor(none, nil))
	require.Empty(t, noBudget.OfType("aws:budgets/budget:Budget"), "monthlyUsd 0: no budget")
	for _, s := range alertTopicPolicy(t, noBudget).Statement {
		require.NotEqual(t, "TheAccountsBudgetsPublish", s.Sid, "no budget, no grant to AWS Budgets")
	}
}

func alertTopicPolicy(t *testing.T, plan *stackplan.Plan) policydoc.Document {
	t.Helper()
	topicPolicy := componenttest.Named(t, plan, "aws:sns/topicPolicy:TopicPolicy", "env-alerts-policy")
	require.Equal(t, componenttest.Named(t, plan, "aws:sns/topic:Topic", "env-alerts").Outputs["arn"], topicPolicy.Inputs["arn"])
	doc, err := policydoc.Parse(topicPolicy.Inputs["policy"].(string))
	require.NoError(t, err)
	require.Empty(t, iamsim.Unknown(doc))
	return doc
}

// TestOnlyTheEnvironmentPublishesAndOnlyItsDeployRoleSubscribes: the topic
// policy replaces SNS's default (every principal of the account publishes
// and subscribes): the environment's alarms publish, another environment's
// do not; of the program's roles only the deploy role subscribes, an
// administrator may too (the first pulumi up is theirs), and no address
// outside the stack file is ever subscribed; the subscriptions wait for the
// policy, so a new address is admitted first.
func TestOnlyTheEnvironmentPublishesAndOnlyItsDeployRoleSubscribes(t *testing.T) {
	t.Parallel()
	var m *Monitoring
	plan := componenttest.Run(t, monitor(args(1, true, true), &m))
	for _, name := range m.AlarmNames {
		require.True(t, strings.HasPrefix(name, "env-"), "%s publishes under the environment's prefix", name)
	}
	doc := alertTopicPolicy(t, plan)
	topic := componenttest.Named(t, plan, "aws:sns/topic:Topic", "env-alerts").Outputs["arn"].(string)
	alarms := doc.Statement[0]
	require.Equal(t, []string{"cloudwatch.amazonaws.com"}, alarms.Principal.Service)
	alarm := func(name string) iamsim.Request {
		return iamsim.Request{Action: "sns:Publish", Resource: topic, Context: iamsim.ConditionKeys(
			"aws:SourceAccount", componenttest.Account, "aws:SourceArn", "arn:aws:cloudwatch:ap-southeast-2:"+componenttest.Account+":alarm:"+name)}
	}
	require.Equal(t, iamsim.Allowed, iamsim.Evaluate(alarm("env-alb-high-5xx-errors"), doc))
	require.Equal(t, iamsim.ImplicitDeny, iamsim.Evaluate(alarm("other-alb-high-5xx-errors"), doc), "another environment's alarm")
	deployRole := "arn:aws:iam::" + componenttest.Account + ":role/env-github-deploy"
	subscribe := func(principal, endpoint string) iamsim.Request {
		return iamsim.Request{Action: "sns:Subscribe", Resource: topic, Context: iamsim.ConditionKeys(
			"aws:PrincipalArn", principal, "sns:Endpoint", endpoint, "sns:Protocol", "email")}
	}
	// The deploy role's own policy allows it; the topic policy denies nothing then.
	require.Equal(t, iamsim.ImplicitDeny, iamsim.Evaluate(subscribe(deployRole, "oncall@example.com"), doc))
	require.Equal(t, iamsim.ExplicitDeny, iamsim.Evaluate(subscribe(deployRole, "attacker@example.net"), doc), "an address outside the stack file")
	require.Equal(t, iamsim.ImplicitDeny, iamsim.Evaluate(subscribe("arn:aws:iam::"+componenttest.Account+":role/other-github-deploy", "oncall@example.com"), doc),
		"another environment's deploy role: no grant here, none in its own policy (tests/isolation_test.go)")
	require.Equal(t, iamsim.ExplicitDeny, iamsim.Evaluate(subscribe("arn:aws:iam::"+componenttest.Account+":role/other-github-deploy", "attacker@example.net"), doc))
	require.Equal(t, iamsim.ExplicitDeny, iamsim.Evaluate(subscribe("arn:aws:iam::"+componenttest.Account+":role/env-ecs-task-role", "oncall@example.com"), doc),
		"the environment's own application role")
	admin := "arn:aws:iam::" + componenttest.Account + ":role/AWSReservedSSO_AdministratorAccess_0123"
	require.Equal(t, iamsim.ImplicitDeny, iamsim.Evaluate(subscribe(admin, "oncall@example.com"), doc), "an administrator's own IAM decides")
	require.Equal(t, iamsim.ExplicitDeny, iamsim.Evaluate(subscribe(admin, "attacker@example.net"), doc), "not even an administrator subscribes an outside address")
	for _, sub := range plan.OfType("aws:sns/topicSubscription:TopicSubscription") {
		require.Contains(t, sub.Dependencies, componenttest.Named(t, plan, "aws:sns/topicPolicy:TopicPolicy", "env-alerts-policy").URN, "%s waits for the policy", sub.Name)
	}
}

func TestNewRefusesWhatItCannotWatch(t *testing.T) {
	t.Parallel()
	noMembers := args(1, false, false)
	noMembers.CacheNodes = 0
	workerBehind := args(1, true, false)
	workerBehind.Services[2].TargetGroupARNSuffix = pulumi.String("targetgroup/x/1")
	badThreshold := args(1, false, false)
	badThreshold.Thresholds.EcsHighCPU = 120
	for want, a := range map[string]Args{
		"monitoring: CacheNodes = 0: needs the Redis member ids":                                                                                 noMembers,
		"monitoring: service worker needs its ECS name and log group, and a target group ARN suffix exactly when it is behind the load balancer": workerBehind,
		"monitoring: ecsHighCpu = 120": badThreshold,
	} {
		require.ErrorContains(t, componenttest.Error(t, monitor(a, nil)), want)
	}
	noWeb := args(1, false, false)
	noWeb.Services = noWeb.Services[:1]
	require.True(t, strings.Contains(componenttest.Error(t, monitor(noWeb, nil)).Error(), "monitoring: Services: needs exactly one web service"))
}

// TestAlertsReachChatAndThePager: a Slack and a Teams channel through AWS
// Chatbot, with a role under the boundary and a read-only guardrail, and the
// pager over HTTPS; the topic admits their endpoints and no other.
func TestAlertsReachChatAndThePager(t *testing.T) {
	t.Parallel()
	a := args(1, false, false)
	a.Routes = Routes{
		Slack: SlackChannel{WorkspaceID: "T0123ABCD", ChannelID: "C0456EFGH"},
		Teams: TeamsChannel{TenantID: "11111111-2222-3333-4444-555555555555", TeamID: "66666666-7777-8888-9999-000000000000",
			ChannelID: "19%3a0123abcd%40thread.tacv2"},
		Page: true,
	}
	a.PagingURL = pulumi.ToSecret(pulumi.String("https://events.pagerduty.com/integration/abc/enqueue")).(pulumi.StringOutput)
	a.PagingService = "pagerduty"
	a.PermissionsBoundary = pulumi.String("arn:aws:iam::123456789012:policy/env-app-boundary")
	var m *Monitoring
	plan := componenttest.Run(t, monitor(a, &m))
	topic := componenttest.Named(t, plan, "aws:sns/topic:Topic", "env-alerts").Outputs["arn"]

	paging := componenttest.Named(t, plan, "aws:sns/topicSubscription:TopicSubscription", "env-alerts-paging")
	require.Equal(t, "https", paging.Inputs["protocol"])
	require.Equal(t, true, paging.Inputs["endpointAutoConfirms"])
	url, secret := componenttest.Secret(t, componenttest.Result(t, monitor(a, nil)).Registrations, "aws:sns/topicSubscription:TopicSubscription", "env-alerts-paging", "endpoint")
	require.Equal(t, "https://events.pagerduty.com/integration/abc/enqueue", url)
	require.True(t, secret, "the integration URL stays a secret")

	role := componenttest.Named(t, plan, "aws:iam/role:Role", "env-chatbot")
	require.Equal(t, "arn:aws:iam::123456789012:policy/env-app-boundary", role.Inputs["permissionsBoundary"])
	trust, err := policydoc.Parse(role.Inputs["assumeRolePolicy"].(string))
	require.NoError(t, err)
	require.Equal(t, []string{"chatbot.amazonaws.com"}, trust.Statement[0].Principal.Service)
	require.Equal(t, []policydoc.ServiceRole{{Name: "env-chatbot", Service: "chatbot.amazonaws.com"}}, m.Roles)
	rolePolicy, err := policydoc.Parse(componenttest.Named(t, plan, "aws:iam/rolePolicy:RolePolicy", "env-chatbot-policy").Inputs["policy"].(string))
	require.NoError(t, err)
	require.Equal(t, iamsim.Allowed, iamsim.Evaluate(iamsim.Request{Action: "cloudwatch:DescribeAlarms",
		Resource: "arn:aws:cloudwatch:ap-southeast-2:" + componenttest.Account + ":alarm:env-rds-high-cpu"}, rolePolicy))
	require.NotEqual(t, iamsim.Allowed, iamsim.Evaluate(iamsim.Request{Action: "cloudwatch:DescribeAlarms",
		Resource: "arn:aws:cloudwatch:ap-southeast-2:" + componenttest.Account + ":alarm:other-rds-high-cpu"}, rolePolicy), "the environment's alarms only")

	slack := componenttest.Named(t, plan, "aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration", "env-slack-t0123abcd")
	require.Equal(t, "env-slack-t0123abcd", slack.Inputs["configurationName"])
	require.Equal(t, "T0123ABCD", slack.Inputs["slackTeamId"])
	require.Equal(t, "C0456EFGH", slack.Inputs["slackChannelId"])
	require.Equal(t, []any{topic}, slack.Inputs["snsTopicArns"])
	require.Equal(t, role.Outputs["arn"], slack.Inputs["iamRoleArn"])
	require.Equal(t, []any{"arn:aws:iam::aws:policy/CloudWatchReadOnlyAccess"}, slack.Inputs["guardrailPolicyArns"])
	require.Equal(t, true, slack.Inputs["userAuthorizationRequired"])
	teams := componenttest.Named(t, plan, "aws:chatbot/teamsChannelConfiguration:TeamsChannelConfiguration", "env-teams-66666666-7777-8888-9999-000000000000")
	require.Equal(t, "19%3a0123abcd%40thread.tacv2", teams.Inputs["channelId"])
	require.Equal(t, "11111111-2222-3333-4444-555555555555", teams.Inputs["tenantId"])

	doc := alertTopicPolicy(t, plan)
	subscribe := func(endpoint string) iamsim.Decision {
		return iamsim.Evaluate(iamsim.Request{Action: "sns:Subscribe", Resource: topic.(string), Context: iamsim.ConditionKeys(
			"aws:PrincipalArn", "arn:aws:iam::"+componenttest.Account+":role/env-github-deploy", "sns:Endpoint", endpoint)}, doc)
	}
	// The deploy role's own policy allows it; the topic policy denies nothing then.
	require.Equal(t, iamsim.ImplicitDeny, subscribe("https://global.sns-api.chatbot.amazonaws.com"))
	require.Equal(t, iamsim.ImplicitDeny, subscribe("https://events.pagerduty.com/integration/abc/enqueue"))
	require.Equal(t, iamsim.ImplicitDeny, subscribe("devops@example.com"))
	require.Equal(t, iamsim.ExplicitDeny, subscribe("https://attacker.example.com/events.pagerduty.com/"), "no other HTTPS endpoint")
	require.Equal(t, iamsim.ExplicitDeny, subscribe("https://api.opsgenie.com/v1/json/amazonsns"), "another paging service than the stack's")
}

func TestBadRoutesAreRefused(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		routes Routes
		want   string
	}{
		{Routes{Slack: SlackChannel{WorkspaceID: "T0123ABCD", ChannelID: "#alerts"}}, "monitoring: alerts.slack.channelId = #alerts: must be the channel's id"},
		{Routes{Slack: SlackChannel{ChannelID: "C0456EFGH"}}, "monitoring: alerts.slack.workspaceId = : must be the Slack workspace's team id"},
		{Routes{Teams: TeamsChannel{TenantID: "x", TeamID: "66666666-7777-8888-9999-000000000000", ChannelID: "19%3ax%40thread.tacv2"}}, "monitoring: alerts.teams.tenantId = x: must be the Microsoft Entra tenant id"},
		{Routes{Teams: TeamsChannel{TenantID: "11111111-2222-3333-4444-555555555555", TeamID: "66666666-7777-8888-9999-000000000000", ChannelID: "19:x@thread.tacv2"}}, "monitoring: alerts.teams.channelId = 19:x@thread.tacv2: must be the channel's id as its link gives it, URL-encoded"},
	} {
		a := args(1, false, false)
		a.Routes = c.routes
		a.PermissionsBoundary = pulumi.String("arn:aws:iam::123456789012:policy/env-app-boundary")
		require.ErrorContains(t, componenttest.Error(t, monitor(a, nil)), c.want)
	}
	service, problem := PagingServiceOf("https://api.eu.opsgenie.com/v1/json/amazonsns?apiKey=x")
	require.Equal(t, "opsgenie", service)
	require.Empty(t, problem)
	_, problem = PagingServiceOf("http://events.pagerduty.com/integration/x/enqueue")
	require.Equal(t, "is not an integration URL of PagerDuty or Opsgenie: it must start with https://api.opsgenie.com/, https://api.eu.opsgenie.com/, https://events.pagerduty.com/ (the service's Amazon CloudWatch or SNS integration gives it)", problem)
}
