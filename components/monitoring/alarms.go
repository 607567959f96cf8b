package monitoring

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// gibibyte converts the low-storage threshold to the bytes FreeStorageSpace is published in.
const gibibyte = 1024 * 1024 * 1024

// alarm is one of the eight runbook alarms.
type alarm struct {
	name, description string
	namespace, metric string
	stat              string
	period            int // seconds
	evaluations       int
	comparison        string
	threshold         float64
	dimensions        pulumi.StringMap
	// perCacheMember alarms watch every Redis member: with several members,
	// metric math over all of them, aggregated so the worst member decides.
	perCacheMember bool
	aggregate      string // MIN or MAX
	// treatMissingData is notBreaching everywhere: these metrics go silent when
	// a service is idle or scaled to zero, and silence is not a failure (defect A11).
	treatMissingData string
	// rollsBackBackend makes the alarm one the backend's deployments watch:
	// a deployment that trips it is rolled back by ECS.
	rollsBackBackend bool
}

const (
	greater = "GreaterThanThreshold"
	less    = "LessThanThreshold"
)

// alarms are the runbook's eight alarms with their dimensions.
func alarms(name string, a Args) []alarm {
	t := a.Thresholds
	backend := pulumi.StringMap{"ClusterName": pulumi.String(a.ClusterName), "ServiceName": pulumi.String(a.BackendServiceName)}
	lb := pulumi.StringMap{"LoadBalancer": a.LoadBalancerARNSuffix}
	db := pulumi.StringMap{"DBInstanceIdentifier": a.DBInstanceIdentifier}
	return []alarm{
		{name: name + "-ecs-high-cpu", description: "Backend service CPU is high",
			namespace: "AWS/ECS", metric: "CPUUtilization", stat: "Average", period: 300, evaluations: 2,
			comparison: greater, threshold: t.EcsHighCPU, dimensions: backend},
		{name: name + "-ecs-high-memory", description: "Backend service memory is high",
			namespace: "AWS/ECS", metric: "MemoryUtilization", stat: "Average", period: 300, evaluations: 2,
			comparison: greater, threshold: t.EcsHighMemory, dimensions: backend},
		{name: name + "-alb-high-5xx-errors", description: "The backend answers with 5xx errors",
			namespace: "AWS/ApplicationELB", metric: "HTTPCode_Target_5XX_Count", stat: "Sum", period: 300, evaluations: 2,
			comparison: greater, threshold: t.AlbHigh5xxErrors, dimensions: lb, rollsBackBackend: true},
		{name: name + "-alb-unhealthy-targets", description: "A backend task fails the load balancer's health check",
			namespace: "AWS/ApplicationELB", metric: "UnHealthyHostCount", stat: "Maximum", period: 60, evaluations: 1,
			comparison: greater, threshold: t.AlbUnhealthyTargets,
			dimensions: pulumi.StringMap{"LoadBalancer": a.LoadBalancerARNSuffix, "TargetGroup": a.BackendTargetGroupARNSuffix}, rollsBackBackend: true},
		{name: name + "-rds-high-cpu", description: "PostgreSQL CPU is high",
			namespace: "AWS/RDS", metric: "CPUUtilization", stat: "Average", period: 300, evaluations: 2,
			comparison: greater, threshold: t.RdsHighCPU, dimensions: db},
		{name: name + "-rds-low-storage", description: fmt.Sprintf("PostgreSQL has less than %g GiB free", t.RdsLowStorageGiB),
			namespace: "AWS/RDS", metric: "FreeStorageSpace", stat: "Average", period: 300, evaluations: 1,
			comparison: less, threshold: t.RdsLowStorageGiB * gibibyte, dimensions: db},
		{name: name + "-redis-low-cache-hit-rate", description: "Redis serves too few reads from cache (worst member)",
			namespace: "AWS/ElastiCache", metric: "CacheHitRate", stat: "Average", period: 300, evaluations: 2,
			comparison: less, threshold: t.RedisLowCacheHitRate, perCacheMember: true, aggregate: "MIN"},
		{name: name + "-redis-high-cpu", description: "Redis engine CPU is high (busiest member)",
			namespace: "AWS/ElastiCache", metric: "EngineCPUUtilization", stat: "Average", period: 300, evaluations: 2,
			comparison: greater, threshold: t.RedisHighCPU, perCacheMember: true, aggregate: "MAX"},
	}
}

// createAlarm creates one alarm notifying the topic on ALARM and on OK.
func createAlarm(ctx *pulumi.Context, a alarm, args Args, topic pulumi.StringOutput, parent pulumi.ResourceOption) (*cloudwatch.MetricAlarm, error) {
	missing := a.treatMissingData
	if missing == "" {
		missing = "notBreaching"
	}
	alarmArgs := &cloudwatch.MetricAlarmArgs{
		Name:               pulumi.String(a.name),
		AlarmDescription:   pulumi.String(a.description),
		ComparisonOperator: pulumi.String(a.comparison),
		EvaluationPeriods:  pulumi.Int(a.evaluations),
		Threshold:          pulumi.Float64(a.threshold),
		TreatMissingData:   pulumi.String(missing),
		AlarmActions:       pulumi.Array{topic},
		OkActions:          pulumi.Array{topic},
	}
	members := args.CacheMembers.ToStringArrayOutput()
	switch {
	case a.perCacheMember && args.CacheNodes > 1:
		var queries cloudwatch.MetricAlarmMetricQueryArray
		var ids []string
		for i := range args.CacheNodes {
			id := fmt.Sprintf("m%d", i+1)
			ids = append(ids, id)
			queries = append(queries, cloudwatch.MetricAlarmMetricQueryArgs{
				Id:         pulumi.String(id),
				ReturnData: pulumi.Bool(false),
				Metric: &cloudwatch.MetricAlarmMetricQueryMetricArgs{
					Namespace:  pulumi.String(a.namespace),
					MetricName: pulumi.String(a.metric),
					Stat:       pulumi.String(a.stat),
					Period:     pulumi.Int(a.period),
					Dimensions: pulumi.StringMap{"CacheClusterId": members.Index(pulumi.Int(i))},
				},
			})
		}
		queries = append(queries, cloudwatch.MetricAlarmMetricQueryArgs{
			Id:         pulumi.String("worst"),
			Expression: pulumi.String(fmt.Sprintf("%s([%s])", a.aggregate, strings.Join(ids, ","))),
			Label:      pulumi.String(fmt.Sprintf("%s, %s of %d members", a.metric, a.aggregate, args.CacheNodes)),
			ReturnData: pulumi.Bool(true),
		})
		alarmArgs.MetricQueries = queries
	default:
		dims := a.dimensions
		if a.perCacheMember {
			dims = pulumi.StringMap{"CacheClusterId": members.Index(pulumi.Int(0))}
		}
		alarmArgs.Namespace = pulumi.String(a.namespace)
		alarmArgs.MetricName = pulumi.String(a.metric)
		alarmArgs.Statistic = pulumi.String(a.stat)
		alarmArgs.Period = pulumi.Int(a.period)
		alarmArgs.Dimensions = dims
	}
	return cloudwatch.NewMetricAlarm(ctx, a.name, alarmArgs, parent)
}
