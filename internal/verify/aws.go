package verify

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// AWS is what the checks ask AWS; SDK implements it with aws-sdk-go-v2.
type AWS interface {
	// Services returns status, running and desired counts per service name.
	Services(ctx context.Context, cluster string, services []string) (map[string]ServiceState, error)
	// TargetStates returns the health state of each target of a target group.
	TargetStates(ctx context.Context, targetGroupARN string) ([]string, error)
	// AlarmStates returns the state of each named alarm.
	AlarmStates(ctx context.Context, names []string) (map[string]string, error)
	// SecretKey returns the KMS key id or ARN a secret is encrypted with.
	SecretKey(ctx context.Context, secretID string) (string, error)
}

// ServiceState is an ECS service's state.
type ServiceState struct {
	Status                    string
	Running, Desired, Pending int32
	// TaskDefinition is the revision of the primary deployment, what the
	// service runs or rolls out; Rollout and RolloutReason are that
	// deployment's rollout state and ECS's reason for it.
	TaskDefinition, Rollout, RolloutReason string
}

// SDK is AWS through aws-sdk-go-v2 clients.
type SDK struct {
	ECS            *ecs.Client
	ELB            *elbv2.Client
	CloudWatch     *cloudwatch.Client
	SecretsManager *secretsmanager.Client
}

var _ AWS = SDK{}

// NewSDK builds the clients from one AWS config.
func NewSDK(cfg aws.Config, endpoint string) SDK {
	var base *string
	if endpoint != "" {
		base = aws.String(endpoint)
	}
	return SDK{
		ECS:            ecs.NewFromConfig(cfg, func(o *ecs.Options) { o.BaseEndpoint = base }),
		ELB:            elbv2.NewFromConfig(cfg, func(o *elbv2.Options) { o.BaseEndpoint = base }),
		CloudWatch:     cloudwatch.NewFromConfig(cfg, func(o *cloudwatch.Options) { o.BaseEndpoint = base }),
		SecretsManager: secretsmanager.NewFromConfig(cfg, func(o *secretsmanager.Options) { o.BaseEndpoint = base }),
	}
}

// Services implements AWS.
func (s SDK) Services(ctx context.Context, cluster string, services []string) (map[string]ServiceState, error) {
	out, err := s.ECS.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String(cluster), Services: services})
	if err != nil {
		return nil, err
	}
	states := map[string]ServiceState{}
	for _, svc := range out.Services {
		st := ServiceState{
			Status: aws.ToString(svc.Status), Running: svc.RunningCount, Desired: svc.DesiredCount, Pending: svc.PendingCount,
			TaskDefinition: aws.ToString(svc.TaskDefinition),
		}
		for _, d := range svc.Deployments {
			if aws.ToString(d.Status) == "PRIMARY" {
				st.TaskDefinition, st.Rollout, st.RolloutReason = aws.ToString(d.TaskDefinition), string(d.RolloutState), aws.ToString(d.RolloutStateReason)
			}
		}
		states[aws.ToString(svc.ServiceName)] = st
	}
	return states, nil
}

// TargetStates implements AWS.
func (s SDK) TargetStates(ctx context.Context, targetGroupARN string) ([]string, error) {
	out, err := s.ELB.DescribeTargetHealth(ctx, &elbv2.DescribeTargetHealthInput{TargetGroupArn: aws.String(targetGroupARN)})
	if err != nil {
		return nil, err
	}
	var states []string
	for _, d := range out.TargetHealthDescriptions {
		if d.TargetHealth != nil {
			states = append(states, string(d.TargetHealth.State))
		}
	}
	return states, nil
}

// AlarmStates implements AWS.
func (s SDK) AlarmStates(ctx context.Context, names []string) (map[string]string, error) {
	out, err := s.CloudWatch.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: names})
	if err != nil {
		return nil, err
	}
	states := map[string]string{}
	for _, a := range out.MetricAlarms {
		states[aws.ToString(a.AlarmName)] = string(a.StateValue)
	}
	return states, nil
}

// SecretKey implements AWS.
func (s SDK) SecretKey(ctx context.Context, secretID string) (string, error) {
	out, err := s.SecretsManager.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(secretID)})
	if err != nil {
		return "", err
	}
	return aws.ToString(out.KmsKeyId), nil
}

// awsOutputs are the stack outputs the AWS checks read, besides each
// service's <name>_service_name and, behind the load balancer,
// <name>_target_group_arn.
var awsOutputs = []string{"ecs_cluster_name", "alarm_names", "app_secrets_arn", "kms_key_arn"}

// Service and target group outputs end so.
const (
	serviceNameSuffix = "_service_name"
	targetGroupSuffix = "_target_group_arn"
	// taskDefinitionSuffix ends the output of the revision a service was
	// deployed with; a stack from before it has none, and the check is skipped.
	taskDefinitionSuffix = "_task_definition_arn"
)

// services are the services the stack exports, by their output's prefix
// (backend, frontend, a worker), sorted.
func (o Outputs) services() []string {
	var out []string
	for name := range o {
		if svc, ok := strings.CutSuffix(name, serviceNameSuffix); ok {
			out = append(out, svc)
		}
	}
	slices.Sort(out)
	return out
}

// missingOutputCheck names the result that reports missing stack outputs.
const missingOutputCheck = "stack outputs"

// missingOutputs reports whether the results say outputs are missing, which
// no retry mends.
func missingOutputs(results []Result) bool {
	return len(results) == 1 && results[0].Check == missingOutputCheck && !results[0].OK
}

// checkAWS runs the checks that need AWS access, from the stack's outputs.
func checkAWS(ctx context.Context, a AWS, o Outputs) []Result {
	var missing []string
	for _, name := range awsOutputs {
		if _, ok := o[name]; !ok {
			missing = append(missing, name)
		}
	}
	if len(o.services()) == 0 {
		missing = append(missing, "<service>"+serviceNameSuffix)
	}
	if len(missing) > 0 {
		return []Result{{Check: missingOutputCheck, Detail: "missing " + strings.Join(missing, ", ") +
			": the AWS checks read them (is this the stack's output, pulumi stack output --json?)"}}
	}
	var results []Result
	cluster := o.String("ecs_cluster_name")
	var ecsNames []string
	deployed := map[string]string{}
	for _, svc := range o.services() {
		ecsNames = append(ecsNames, o.String(svc+serviceNameSuffix))
		deployed[o.String(svc+serviceNameSuffix)] = o.String(svc + taskDefinitionSuffix)
	}
	desired := map[string]int32{}
	if states, err := a.Services(ctx, cluster, ecsNames); err != nil {
		results = append(results, Result{Check: "ECS services", Detail: err.Error()})
	} else {
		for _, name := range ecsNames {
			st, ok := states[name]
			r := Result{Check: "ECS " + name}
			switch {
			case !ok:
				r.Detail = "not found in cluster " + cluster
			case st.Status != "ACTIVE":
				r.Detail = "status " + st.Status + ", want ACTIVE"
			case deployed[name] != "" && st.TaskDefinition != deployed[name]:
				// pulumi up reports success after ECS rolled back: the
				// service then runs another revision than the stack's.
				r.Detail = fmt.Sprintf("runs %s, not the stack's %s: ECS rolled the deployment back (%s: %s)",
					revision(st.TaskDefinition), revision(deployed[name]), st.Rollout, st.RolloutReason)
			case st.Rollout == "FAILED":
				r.Detail = fmt.Sprintf("its deployment of %s failed: %s", revision(st.TaskDefinition), st.RolloutReason)
			case st.Running != st.Desired:
				r.Detail = fmt.Sprintf("running %d, desired %d (pending %d)", st.Running, st.Desired, st.Pending)
			default:
				r.OK, r.Detail = true, fmt.Sprintf("ACTIVE, running %d = desired %d", st.Running, st.Desired)
			}
			desired[name] = st.Desired
			results = append(results, r)
		}
	}

	// A worker has no target group: the load balancer checks only the
	// services behind it.
	for _, svc := range o.services() {
		output := svc + targetGroupSuffix
		if _, ok := o[output]; !ok {
			continue
		}
		r := Result{Check: strings.TrimSuffix(output, "_arn")}
		states, err := a.TargetStates(ctx, o.String(output))
		switch {
		case err != nil:
			r.Detail = err.Error()
		case len(states) == 0 && desired[o.String(svc+serviceNameSuffix)] > 0:
			r.Detail = "no registered targets"
		default:
			unhealthy := 0
			for _, s := range states {
				if s != "healthy" {
					unhealthy++
				}
			}
			r.OK = unhealthy == 0
			r.Detail = fmt.Sprintf("%d targets, %d not healthy %v", len(states), unhealthy, states)
		}
		results = append(results, r)
	}

	names := o.Strings("alarm_names")
	r := Result{Check: "alarms"}
	if states, err := a.AlarmStates(ctx, names); err != nil {
		r.Detail = err.Error()
	} else {
		var alarming, missing []string
		for _, n := range names {
			switch s, ok := states[n]; {
			case !ok:
				missing = append(missing, n)
			case s == "ALARM":
				alarming = append(alarming, n)
			}
		}
		r.OK = len(alarming) == 0 && len(missing) == 0 && len(names) > 0
		r.Detail = fmt.Sprintf("%d alarms, in ALARM: %v, missing: %v", len(names), alarming, missing)
	}
	results = append(results, r)

	r = Result{Check: "app secret"}
	if key, err := a.SecretKey(ctx, o.String("app_secrets_arn")); err != nil {
		r.Detail = err.Error()
	} else {
		want := o.String("kms_key_arn")
		r.OK = key != "" && (key == want || strings.HasSuffix(want, "/"+key))
		r.Detail = fmt.Sprintf("encrypted with %q, want the environment key %s", key, want)
	}
	return append(results, r)
}

// revision is a task definition ARN's family:revision.
func revision(arn string) string {
	if i := strings.LastIndex(arn, "/"); i >= 0 {
		return arn[i+1:]
	}
	return arn
}
