// Package ecs runs the application on ECS Fargate: the cluster <prefix>-cluster,
// one log group, task definition and service per application service (backend,
// frontend, and any worker) with the names the runbook uses, the execution and
// task roles, and target-tracking autoscaling where asked.
//
// Services run in the private app subnets with no public IP, with a
// deployment circuit breaker that rolls a failed deployment back. Those behind
// the load balancer have their target groups and a health-check grace period,
// and are created only after the listener rules that attach their target
// groups (defects E4, E5, E6); a worker has neither.
package ecs

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ecs"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/ohmycoins/infra/internal/policydoc"
	"github.com/ohmycoins/infra/internal/settings"
)

// HealthCheckGracePeriodSeconds lets a new task start before the ALB's health
// checks count against it.
const HealthCheckGracePeriodSeconds = 60

// Args configure the cluster and its services.
type Args struct {
	// Region is where the logs go; AccountID scopes the roles' trust.
	Region    string
	AccountID pulumi.StringInput
	// PermissionsBoundary is the environment's boundary (cicd.NewBoundary),
	// which every role the component creates carries: the deploy role may
	// write these roles only with it in place.
	PermissionsBoundary pulumi.StringInput
	// AppSubnetIDs are where the tasks run; each service brings its own security group.
	AppSubnetIDs pulumi.StringArrayInput
	// KMSKeyARN encrypts the log groups, kept LogRetentionDays (7 / 30).
	KMSKeyARN        pulumi.StringInput
	LogRetentionDays int
	// ClusterSettings are the cluster's settings (the stack's ohmycoins:ecs):
	// Container Insights (production) and ECS Exec, with what the task role
	// needs for it (staging).
	ClusterSettings
	// SecretReadPolicy is the IAM policy (JSON) that lets the execution role read
	// the secrets the containers get and decrypt them.
	SecretReadPolicy pulumi.StringInput
	// Services are the application's services.
	Services []Service
	// Routing are the listener and rules the services' target groups hang on;
	// the services are created after them.
	Routing []pulumi.Resource
	// Protect keeps the log groups (evidence) from deletion or replacement by an
	// ordinary update; production.
	Protect bool
	// SecretsReady are what the secrets the containers read must exist as (the
	// secret versions): task definitions and services wait for them, so a first
	// task never starts against a secret without a value.
	SecretsReady []pulumi.Resource
}

// Service is one application service.
type Service struct {
	// Name is the service's (backend, frontend, ...): the container is <Name>, the task family
	// <prefix>-<Name>, the service <prefix>-<Name>-service, the log group /ecs/<prefix>-<Name>.
	Name  string
	Image pulumi.StringInput
	// Command overrides the image's command; none by default.
	Command []string
	// CPU and MemoryMiB are a Fargate task size.
	CPU, MemoryMiB int
	// DesiredCount is the number of tasks; with autoscaling, the initial number only.
	DesiredCount int
	// SecurityGroupID is the service's own security group: the data tiers admit
	// those of the services with data access and no other (defect D3).
	SecurityGroupID pulumi.StringInput
	// ContainerPort receives the traffic of TargetGroupARN; both are unset for
	// a worker, which no load balancer reaches.
	ContainerPort  int
	TargetGroupARN pulumi.StringInput
	// Environment and Secrets are the container's variables; a secret's value is
	// its valueFrom (<secret ARN>:<JSON key>::).
	Environment map[string]pulumi.StringInput
	Secrets     map[string]pulumi.StringInput
	// HealthCheck is the container health check command (CMD-SHELL); empty for none.
	HealthCheck string
	// Autoscaling is target tracking on the desired count.
	Autoscaling Autoscaling
	// RedeployOnRotation are secrets (ARNs) whose current value the service's
	// tasks read only when they start: when one rotates, the service is rolled
	// so that new tasks read the new value (redeploy.go).
	RedeployOnRotation []pulumi.StringInput
	// DeploymentAlarms are CloudWatch alarm names a deployment watches: one in
	// ALARM during the deployment (or its bake time) rolls it back, which the
	// circuit breaker cannot do for tasks that start and then answer 5xx.
	DeploymentAlarms pulumi.StringArrayInput
}

// ClusterName is the cluster of an environment's name prefix.
func ClusterName(prefix string) string { return prefix + "-cluster" }

// ServiceName is an ECS service's name: <prefix>-<service>-service.
func ServiceName(prefix, service string) string { return prefix + "-" + service + "-service" }

// Autoscaling is target tracking for one service.
type Autoscaling struct {
	// Enabled turns autoscaling on; production only.
	Enabled bool `json:"enabled"`
	// MinCount and MaxCount bound the task count: backend 2-10, frontend 2-5.
	MinCount int `json:"minCount"`
	MaxCount int `json:"maxCount"`
	// CPUTargetPercent is the average CPU the service is kept at: 70.
	CPUTargetPercent int `json:"cpuTargetPercent"`
	// MemoryTargetPercent is the average memory target: backend 80, frontend 0 (no memory policy).
	MemoryTargetPercent int `json:"memoryTargetPercent"`
}

// Cluster is the ECS component.
type Cluster struct {
	pulumi.ResourceState

	Name string
	ARN  pulumi.StringOutput
	// ExecutionRoleARN and TaskRoleARN are the roles the tasks use.
	ExecutionRoleARN pulumi.StringOutput
	TaskRoleARN      pulumi.StringOutput
	// Roles are the roles the component created (execution, task, and the
	// redeploy roles of services that roll on rotation), each with the service
	// it is passed to.
	Roles []policydoc.ServiceRole
	// TaskDefinitionARNs are, per service, the revision the stack deployed:
	// what cmd/verify holds the service's primary deployment to, since ECS
	// may roll a failed deployment back while pulumi up reports success.
	TaskDefinitionARNs map[string]pulumi.StringOutput
}

// New creates the cluster and the services. The component's name is the
// environment's name prefix.
func New(ctx *pulumi.Context, name string, args Args, opts ...pulumi.ResourceOption) (*Cluster, error) {
	if err := args.validate(); err != nil {
		return nil, err
	}
	c := &Cluster{Name: ClusterName(name), TaskDefinitionARNs: map[string]pulumi.StringOutput{}}
	if err := ctx.RegisterComponentResource("ohmycoins:ecs:Cluster", name, c, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(c)

	insights := "disabled"
	if args.ContainerInsights {
		insights = "enabled"
	}
	cluster, err := ecs.NewCluster(ctx, c.Name, &ecs.ClusterArgs{
		Name:     pulumi.String(c.Name),
		Settings: ecs.ClusterSettingArray{ecs.ClusterSettingArgs{Name: pulumi.String("containerInsights"), Value: pulumi.String(insights)}},
	}, parent)
	if err != nil {
		return nil, err
	}
	roles, err := createRoles(ctx, name, args, parent)
	if err != nil {
		return nil, err
	}
	// A task can start only once its roles may pull, log and read the secrets,
	// and the secrets hold their values.
	ready := append(append([]pulumi.Resource(nil), roles.policies...), args.SecretsReady...)

	for _, s := range args.Services {
		logGroup := LogGroupName(name, s.Name)
		group, err := cloudwatch.NewLogGroup(ctx, name+"-"+s.Name+"-logs", &cloudwatch.LogGroupArgs{
			Name:            pulumi.String(logGroup),
			RetentionInDays: pulumi.Int(args.LogRetentionDays),
			KmsKeyId:        args.KMSKeyARN,
		}, parent, pulumi.Protect(args.Protect), pulumi.DeleteBeforeReplace(false)) // its records are never deleted first
		if err != nil {
			return nil, err
		}
		task, err := ecs.NewTaskDefinition(ctx, name+"-"+s.Name, &ecs.TaskDefinitionArgs{
			Family:                  pulumi.String(name + "-" + s.Name),
			Cpu:                     pulumi.String(fmt.Sprint(s.CPU)),
			Memory:                  pulumi.String(fmt.Sprint(s.MemoryMiB)),
			NetworkMode:             pulumi.String("awsvpc"),
			RequiresCompatibilities: pulumi.StringArray{pulumi.String("FARGATE")},
			RuntimePlatform: &ecs.TaskDefinitionRuntimePlatformArgs{
				OperatingSystemFamily: pulumi.String("LINUX"),
				CpuArchitecture:       pulumi.String("X86_64"),
			},
			ExecutionRoleArn:     roles.execution.Arn,
			TaskRoleArn:          roles.task.Arn,
			ContainerDefinitions: containerDefinitions(s, group.Name, args.Region, args.ExecEnabled),
			// A replaced revision stays ACTIVE, as AWS CDK leaves it: a
			// rollback can name it, and the deploy role needs no
			// ecs:DeregisterTaskDefinition, which IAM cannot scope to a family
			// (it would deregister another environment's revisions too).
			SkipDestroy: pulumi.Bool(true),
		}, parent, pulumi.DependsOn(ready))
		if err != nil {
			return nil, err
		}
		c.TaskDefinitionARNs[s.Name] = task.Arn

		serviceName := ServiceName(name, s.Name)
		serviceOpts := []pulumi.ResourceOption{parent, pulumi.DependsOn(ready)}
		var loadBalancers ecs.ServiceLoadBalancerArray
		var gracePeriod pulumi.IntPtrInput
		if s.TargetGroupARN != nil {
			serviceOpts = append(serviceOpts, pulumi.DependsOn(args.Routing))
			loadBalancers = ecs.ServiceLoadBalancerArray{ecs.ServiceLoadBalancerArgs{
				TargetGroupArn: s.TargetGroupARN,
				ContainerName:  pulumi.String(s.Name),
				ContainerPort:  pulumi.Int(s.ContainerPort),
			}}
			gracePeriod = pulumi.Int(HealthCheckGracePeriodSeconds)
		}
		if s.Autoscaling.Enabled {
			// Autoscaling owns the count after creation: an update must not reset it (defect E5).
			serviceOpts = append(serviceOpts, pulumi.IgnoreChanges([]string{"desiredCount"}))
		}
		service, err := ecs.NewService(ctx, serviceName, &ecs.ServiceArgs{
			Name:           pulumi.String(serviceName),
			Cluster:        cluster.Arn,
			TaskDefinition: task.Arn,
			DesiredCount:   pulumi.Int(s.DesiredCount),
			LaunchType:     pulumi.String("FARGATE"),
			NetworkConfiguration: &ecs.ServiceNetworkConfigurationArgs{
				Subnets:        args.AppSubnetIDs,
				SecurityGroups: pulumi.StringArray{s.SecurityGroupID},
				AssignPublicIp: pulumi.Bool(false),
			},
			LoadBalancers:                   loadBalancers,
			DeploymentCircuitBreaker:        &ecs.ServiceDeploymentCircuitBreakerArgs{Enable: pulumi.Bool(true), Rollback: pulumi.Bool(true)},
			HealthCheckGracePeriodSeconds:   gracePeriod,
			DeploymentMinimumHealthyPercent: pulumi.Int(DeploymentMinimumHealthyPercent),
			DeploymentMaximumPercent:        pulumi.Int(DeploymentMaximumPercent),
			EnableExecuteCommand:            pulumi.Bool(args.ExecEnabled),
			EnableEcsManagedTags:            pulumi.Bool(true),
			PropagateTags:                   pulumi.String("SERVICE"),
			// Waiting for tasks that will never run would only hang the update.
			WaitForSteadyState: pulumi.Bool(s.DesiredCount > 0),
			Alarms:             deploymentAlarms(s.DeploymentAlarms),
		}, serviceOpts...)
		if err != nil {
			return nil, err
		}
		if s.Autoscaling.Enabled {
			if err := autoscale(ctx, name+"-"+s.Name, c.Name, serviceName, s.Autoscaling, service, parent); err != nil {
				return nil, err
			}
		}
		if len(s.RedeployOnRotation) > 0 {
			redeployRoles, err := redeployOnRotation(ctx, name+"-"+s.Name, args, s, cluster, service, parent)
			if err != nil {
				return nil, err
			}
			c.Roles = append(c.Roles, redeployRoles...)
		}
	}

	c.ARN = cluster.Arn
	c.ExecutionRoleARN, c.TaskRoleARN = roles.execution.Arn, roles.task.Arn
	c.Roles = append([]policydoc.ServiceRole{
		{Name: name + "-ecs-task-execution-role", Service: policydoc.ECSTasks},
		{Name: name + "-ecs-task-role", Service: policydoc.ECSTasks},
	}, c.Roles...)
	return c, ctx.RegisterResourceOutputs(c, pulumi.Map{
		"name":             pulumi.String(c.Name),
		"arn":              c.ARN,
		"executionRoleArn": c.ExecutionRoleARN,
		"taskRoleArn":      c.TaskRoleARN,
	})
}

func (a Args) validate() error {
	if len(a.Services) == 0 {
		return fmt.Errorf("ecs: no Services")
	}
	if a.SecretReadPolicy == nil || a.AccountID == nil || a.KMSKeyARN == nil || a.AppSubnetIDs == nil || a.PermissionsBoundary == nil {
		return fmt.Errorf("ecs: SecretReadPolicy, AccountID, KMSKeyARN, AppSubnetIDs and PermissionsBoundary are required")
	}
	for _, s := range a.Services {
		problems := settings.NewProblems()
		ValidateTask(problems.In(s.Name), s.CPU, s.MemoryMiB, s.DesiredCount, s.Autoscaling)
		if err := problems.Err("ecs"); err != nil {
			return err
		}
		if s.Image == nil || s.SecurityGroupID == nil {
			return fmt.Errorf("ecs: service %s needs Image and SecurityGroupID", s.Name)
		}
		if (s.TargetGroupARN == nil) != (s.ContainerPort == 0) {
			return fmt.Errorf("ecs: service %s: TargetGroupARN and ContainerPort go together: a service behind the load balancer has both, a worker neither", s.Name)
		}
	}
	return nil
}

// deploymentAlarms turns alarm names into the service's deployment alarms,
// rolling back on ALARM; nil for none.
func deploymentAlarms(names pulumi.StringArrayInput) ecs.ServiceAlarmsPtrInput {
	if names == nil {
		return nil
	}
	return &ecs.ServiceAlarmsArgs{AlarmNames: names, Enable: pulumi.Bool(true), Rollback: pulumi.Bool(true)}
}

// LogGroupName is a service's log group; LogGroupPattern covers every
// service's of a name prefix. The key policy and the deploy role cover the pattern.
func LogGroupName(prefix, service string) string { return "/ecs/" + prefix + "-" + service }

// LogGroupPattern covers the services' log groups of a name prefix.
func LogGroupPattern(prefix string) string { return LogGroupName(prefix, "*") }
