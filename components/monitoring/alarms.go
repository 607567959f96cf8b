package monitoring

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/ohmycoins/infra/internal/service"
)

// gibibyte converts the low-storage threshold to the bytes FreeStorageSpace is published in.
const gibibyte = 1024 * 1024 * 1024

// alarm is one of the runbook alarms.
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
	// rollsBack names the service whose deployments watch the alarm: ECS
	// rolls back a deployment that trips it.
	rollsBack string
}

const (
	greater = "GreaterThanThreshold"
	less    = "LessThanThreshold"
)

// alarms are the runbook's alarms with their dimensions: the api service's
// CPU, memory and error lines, the load balancer's 5xx answers and the api service's
// unhealthy targets (which roll its deployments back), the database's and
// the cache's, the web ACL's blocked requests, then each worker's CPU and
// memory.
func alarms(name string, a Args) []alarm {
	t := a.Thresholds
	var api Service
	var workers []Service
	for _, s := range a.Services {
		switch s.Role {
		case service.API:
			api = s
		case service.Worker:
			workers = append(workers, s)
		}
	}
	lb := pulumi.StringMap{"LoadBalancer": a.LoadBalancerARNSuffix}
	db := pulumi.StringMap{"DBInstanceIdentifier": a.DBInstanceIdentifier}
	list := serviceAlarms(name+"-ecs", api, a)
	list = append(list,
		alarm{name: name + "-ecs-error-lines", description: "The " + api.Name + " logs errors (run the saved query " + QueryPath(name, "errors-by-message") + ")",
			namespace: ErrorMetricNamespace(name), metric: ErrorLinesMetric, stat: "Sum", period: 300, evaluations: 1,
			comparison: greater, threshold: t.EcsErrorLines},
		alarm{name: name + "-alb-high-5xx-errors", description: "The " + api.Name + " answers with 5xx errors",
			namespace: "AWS/ApplicationELB", metric: "HTTPCode_Target_5XX_Count", stat: "Sum", period: 300, evaluations: 2,
			comparison: greater, threshold: t.AlbHigh5xxErrors, dimensions: lb, rollsBack: api.Name},
		alarm{name: name + "-alb-unhealthy-targets", description: "A " + api.Name + " task fails the load balancer's health check",
			namespace: "AWS/ApplicationELB", metric: "UnHealthyHostCount", stat: "Maximum", period: 60, evaluations: 1,
			comparison: greater, threshold: t.AlbUnhealthyTargets,
			dimensions: pulumi.StringMap{"LoadBalancer": a.LoadBalancerARNSuffix, "TargetGroup": api.TargetGroupARNSuffix}, rollsBack: api.Name},
		alarm{name: name + "-rds-high-cpu", description: "PostgreSQL CPU is high",
			namespace: "AWS/RDS", metric: "CPUUtilization", stat: "Average", period: 300, evaluations: 2,
			comparison: greater, threshold: t.RdsHighCPU, dimensions: db},
		alarm{name: name + "-rds-low-storage", description: fmt.Sprintf("PostgreSQL has less than %g GiB free", t.RdsLowStorageGiB),
			namespace: "AWS/RDS", metric: "FreeStorageSpace", stat: "Average", period: 300, evaluations: 1,
			comparison: less, threshold: t.RdsLowStorageGiB * gibibyte, dimensions: db},
		alarm{name: name + "-redis-low-cache-hit-rate", description: "Redis serves too few reads from cache (worst member)",
			namespace: "AWS/ElastiCache", metric: "CacheHitRate", stat: "Average", period: 300, evaluations: 2,
			comparison: less, threshold: t.RedisLowCacheHitRate, perCacheMember: true, aggregate: "MIN"},
		alarm{name: name + "-redis-high-cpu", description: "Redis engine CPU is high (busiest member)",
			namespace: "AWS/ElastiCache", metric: "EngineCPUUtilization", stat: "Average", period: 300, evaluations: 2,
			comparison: greater, threshold: t.RedisHighCPU, perCacheMember: true, aggregate: "MAX"},
	)
	if f := a.Firewall; f != nil {
		list = append(list, alarm{name: name + "-waf-blocked-requests",
			description: fmt.Sprintf("The web ACL %s %s more requests than usual: an attack, or a rule that blocks real users (its log group says which)", f.WebACLName, map[bool]string{true: "would have blocked", false: "blocked"}[f.Counting]),
			namespace:   "AWS/WAFV2", metric: f.Metric(), stat: "Sum", period: 300, evaluations: 1,
			comparison: greater, threshold: t.WafBlockedRequests,
			dimensions: pulumi.StringMap{"WebACL": pulumi.String(f.WebACLName), "Region": pulumi.String(a.Region), "Rule": pulumi.String("ALL")}})
	}
	for _, w := range workers {
		list = append(list, serviceAlarms(name+"-"+w.Name+"-ecs", w, a)...)
	}
	return list
}

// serviceAlarms are a service's CPU and memory alarms, named <prefix>-high-cpu
// and <prefix>-high-memory.
func serviceAlarms(prefix string, s Service, a Args) []alarm {
	dims := pulumi.StringMap{"ClusterName": pulumi.String(a.ClusterName), "ServiceName": pulumi.String(s.ECSName)}
	return []alarm{
		{name: prefix + "-high-cpu", description: s.Title() + " service CPU is high",
			namespace: "AWS/ECS", metric: "CPUUtilization", stat: "Average", period: 300, evaluations: 2,
			comparison: greater, threshold: a.Thresholds.EcsHighCPU, dimensions: dims},
		{name: prefix + "-high-memory", description: s.Title() + " service memory is high",
			namespace: "AWS/ECS", metric: "MemoryUtilization", stat: "Average", period: 300, evaluations: 2,
			comparison: greater, threshold: a.Thresholds.EcsHighMemory, dimensions: dims},
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
