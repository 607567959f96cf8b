package ecs

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/require"

	"github.com/ohmycoins/infra/internal/componenttest"
	"github.com/ohmycoins/infra/internal/policydoc"
	"github.com/ohmycoins/infra/internal/stackplan"
)

const (
	keyARN    = "arn:aws:kms:ap-southeast-2:123456789012:key/k"
	secretARN = "arn:aws:secretsmanager:ap-southeast-2:123456789012:secret:env-app-secrets-AbCdEf"
	image     = "123456789012.dkr.ecr.ap-southeast-2.amazonaws.com/env-api@sha256:5e5e"
)

// api is a service behind the load balancer, with a health check, secrets,
// autoscaling and deployment alarms.
func api() Service {
	return Service{
		Name: "api", Image: pulumi.String(image), CPU: 1024, MemoryMiB: 2048, DesiredCount: 2,
		SecurityGroupID: pulumi.String("sg-api"), ContainerPort: 8000, TargetGroupARN: pulumi.String("arn:aws:elasticloadbalancing:tg/api"),
		Environment:        map[string]pulumi.StringInput{"ENVIRONMENT": pulumi.String("production"), "EMPTY": pulumi.String("")},
		Secrets:            map[string]pulumi.StringInput{"SECRET_KEY": pulumi.String(secretARN + ":SECRET_KEY::")},
		HealthCheck:        "curl -f http://localhost:8000/health || exit 1",
		Autoscaling:        Autoscaling{Enabled: true, MinCount: 2, MaxCount: 10, CPUTargetPercent: 70, MemoryTargetPercent: 80},
		RedeployOnRotation: []pulumi.StringInput{pulumi.String(secretARN)},
		DeploymentAlarms:   pulumi.ToStringArray([]string{"env-alb-high-5xx-errors"}),
	}
}

// worker runs with no load balancer and a command of its own.
func worker() Service {
	return Service{Name: "worker", Image: pulumi.String(image), Command: []string{"python", "-m", "app.worker"},
		CPU: 256, MemoryMiB: 512, DesiredCount: 1, SecurityGroupID: pulumi.String("sg-worker")}
}

func cluster(exec bool, services ...Service) pulumi.RunFunc {
	return func(ctx *pulumi.Context) error {
		_, err := New(ctx, "env", Args{
			Region: "ap-southeast-2", AccountID: pulumi.String(componenttest.Account),
			PermissionsBoundary: pulumi.String("arn:aws:iam::" + componenttest.Account + ":policy/env-app-boundary"),
			AppSubnetIDs:        pulumi.ToStringArray([]string{"subnet-a", "subnet-b"}), KMSKeyARN: pulumi.String(keyARN),
			LogRetentionDays: 30, ClusterSettings: ClusterSettings{ExecEnabled: exec, ContainerInsights: !exec},
			SecretReadPolicy: pulumi.String(`{"Version":"2012-10-17","Statement":[]}`),
			Services:         services, Protect: !exec,
		})
		return err
	}
}

func containers(t *testing.T, task stackplan.Resource) []ContainerDefinition {
	var defs []ContainerDefinition
	require.NoError(t, json.Unmarshal([]byte(task.Inputs["containerDefinitions"].(string)), &defs))
	return defs
}

func TestTaskDefinitionsRunTheirContainerOnFargate(t *testing.T) {
	t.Parallel()
	for _, exec := range []bool{false, true} {
		plan := componenttest.Run(t, cluster(exec, api(), worker()))
		execRole := componenttest.Named(t, plan, "aws:iam/role:Role", "env-ecs-task-execution-role")
		taskRole := componenttest.Named(t, plan, "aws:iam/role:Role", "env-ecs-task-role")
		for _, s := range []Service{api(), worker()} {
			task := componenttest.Named(t, plan, "aws:ecs/taskDefinition:TaskDefinition", "env-"+s.Name)
			require.Equal(t, "env-"+s.Name, task.Inputs["family"])
			require.Equal(t, map[string]string{"api": "1024", "worker": "256"}[s.Name], task.Inputs["cpu"])
			require.Equal(t, map[string]string{"api": "2048", "worker": "512"}[s.Name], task.Inputs["memory"])
			require.Equal(t, "awsvpc", task.Inputs["networkMode"])
			require.Equal(t, []any{"FARGATE"}, task.Inputs["requiresCompatibilities"])
			require.Equal(t, map[string]any{"operatingSystemFamily": "LINUX", "cpuArchitecture": "X86_64"}, task.Inputs["runtimePlatform"], "defect E10")
			require.Equal(t, execRole.Outputs["arn"], task.Inputs["executionRoleArn"])
			require.Equal(t, taskRole.Outputs["arn"], task.Inputs["taskRoleArn"])
			defs := containers(t, task)
			require.Len(t, defs, 1)
			d := defs[0]
			require.Equal(t, s.Name, d.Name)
			require.Equal(t, image, d.Image)
			require.True(t, d.Essential)
			require.Equal(t, s.Command, d.Command)
			require.Equal(t, map[string]string{
				"awslogs-group": LogGroupName("env", s.Name), "awslogs-region": "ap-southeast-2", "awslogs-stream-prefix": "ecs",
			}, d.LogConfiguration.Options)
			require.Equal(t, exec, d.LinuxParameters != nil && d.LinuxParameters.InitProcessEnabled)
			group := componenttest.Named(t, plan, "aws:cloudwatch/logGroup:LogGroup", "env-"+s.Name+"-logs")
			require.Equal(t, "/ecs/env-"+s.Name, group.Inputs["name"], "the name the runbook tails")
			require.Equal(t, keyARN, group.Inputs["kmsKeyId"])
			require.Equal(t, !exec, group.Protect)
		}
		a := containers(t, componenttest.Named(t, plan, "aws:ecs/taskDefinition:TaskDefinition", "env-api"))[0]
		require.Equal(t, []PortMapping{{ContainerPort: 8000, Protocol: "tcp"}}, a.PortMappings)
		require.Equal(t, []KeyValue{{Name: "ENVIRONMENT", Value: "production"}}, a.Environment,
			"an empty value is unset: ECS drops it, which would show as a change on every update")
		require.Equal(t, []SecretRef{{Name: "SECRET_KEY", ValueFrom: secretARN + ":SECRET_KEY::"}}, a.Secrets)
		require.Equal(t, &HealthCheck{Command: []string{"CMD-SHELL", "curl -f http://localhost:8000/health || exit 1"},
			Interval: 30, Timeout: 5, Retries: 3, StartPeriod: 60}, a.HealthCheck)
		w := containers(t, componenttest.Named(t, plan, "aws:ecs/taskDefinition:TaskDefinition", "env-worker"))[0]
		require.Empty(t, w.PortMappings, "a worker listens on nothing")
		require.Nil(t, w.HealthCheck)
	}
}

func TestServicesRunPrivatelyAndOnlyThoseBehindTheLoadBalancerHangOnIt(t *testing.T) {
	t.Parallel()
	plan := componenttest.Run(t, cluster(false, api(), worker()))
	ecsCluster := componenttest.Named(t, plan, "aws:ecs/cluster:Cluster", "env-cluster")
	require.Equal(t, []any{map[string]any{"name": "containerInsights", "value": "enabled"}}, ecsCluster.Inputs["settings"])
	for _, s := range []Service{api(), worker()} {
		svc := componenttest.Named(t, plan, "aws:ecs/service:Service", "env-"+s.Name+"-service")
		in := svc.Inputs
		require.Equal(t, ServiceName("env", s.Name), in["name"])
		require.Equal(t, ecsCluster.Outputs["arn"], in["cluster"])
		require.Equal(t, componenttest.Named(t, plan, "aws:ecs/taskDefinition:TaskDefinition", "env-"+s.Name).Outputs["arn"], in["taskDefinition"])
		require.Equal(t, float64(s.DesiredCount), in["desiredCount"])
		require.Equal(t, "FARGATE", in["launchType"])
		require.Equal(t, map[string]any{
			"subnets": []any{"subnet-a", "subnet-b"}, "securityGroups": []any{"sg-" + s.Name}, "assignPublicIp": false,
		}, in["networkConfiguration"])
		require.Equal(t, map[string]any{"enable": true, "rollback": true}, in["deploymentCircuitBreaker"], "defect E4")
		require.Equal(t, 100.0, in["deploymentMinimumHealthyPercent"])
		require.Equal(t, 200.0, in["deploymentMaximumPercent"])
		require.Equal(t, true, in["waitForSteadyState"])
	}
	a := componenttest.Named(t, plan, "aws:ecs/service:Service", "env-api-service")
	require.Equal(t, []any{map[string]any{"targetGroupArn": "arn:aws:elasticloadbalancing:tg/api", "containerName": "api", "containerPort": 8000.0}}, a.Inputs["loadBalancers"])
	require.Equal(t, float64(HealthCheckGracePeriodSeconds), a.Inputs["healthCheckGracePeriodSeconds"])
	require.Equal(t, map[string]any{"alarmNames": []any{"env-alb-high-5xx-errors"}, "enable": true, "rollback": true}, a.Inputs["alarms"])
	require.Equal(t, []string{"desiredCount"}, a.IgnoreChanges, "autoscaling owns the count (defect E5)")
	w := componenttest.Named(t, plan, "aws:ecs/service:Service", "env-worker-service")
	require.NotContains(t, w.Inputs, "loadBalancers")
	require.NotContains(t, w.Inputs, "healthCheckGracePeriodSeconds", "ECS refuses a grace period without a load balancer")
	require.NotContains(t, w.Inputs, "alarms")
	require.Empty(t, w.IgnoreChanges)
}

func TestAutoscalingTracksCPUAndMemory(t *testing.T) {
	t.Parallel()
	plan := componenttest.Run(t, cluster(false, api(), worker()))
	targets := plan.OfType("aws:appautoscaling/target:Target")
	require.Len(t, targets, 1, "the worker does not autoscale")
	target := targets[0]
	require.Equal(t, "service/env-cluster/env-api-service", target.Inputs["resourceId"])
	require.Equal(t, 2.0, target.Inputs["minCapacity"])
	require.Equal(t, 10.0, target.Inputs["maxCapacity"])
	require.Equal(t, "ecs:service:DesiredCount", target.Inputs["scalableDimension"])
	policies := map[string]string{}
	for _, p := range plan.OfType("aws:appautoscaling/policy:Policy") {
		cfg := p.Inputs["targetTrackingScalingPolicyConfiguration"].(map[string]any)
		require.Equal(t, "TargetTrackingScaling", p.Inputs["policyType"])
		require.Equal(t, 300.0, cfg["scaleInCooldown"])
		require.Equal(t, 60.0, cfg["scaleOutCooldown"])
		metric := cfg["predefinedMetricSpecification"].(map[string]any)["predefinedMetricType"].(string)
		policies[p.Name] = metric + "@" + strings.TrimSuffix(jsonNumber(cfg["targetValue"]), ".0")
	}
	require.Equal(t, map[string]string{
		"env-api-cpu-scaling":    "ECSServiceAverageCPUUtilization@70",
		"env-api-memory-scaling": "ECSServiceAverageMemoryUtilization@80",
	}, policies)
}

func jsonNumber(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestRolesAreLeastPrivilege(t *testing.T) {
	t.Parallel()
	for _, exec := range []bool{false, true} {
		plan := componenttest.Run(t, cluster(exec, api()))
		for _, role := range []string{"env-ecs-task-execution-role", "env-ecs-task-role"} {
			trust, err := policydoc.Parse(componenttest.Named(t, plan, "aws:iam/role:Role", role).Inputs["assumeRolePolicy"].(string))
			require.NoError(t, err)
			require.Equal(t, []string{"ecs-tasks.amazonaws.com"}, trust.Statement[0].Principal.Service)
			require.Equal(t, []string{componenttest.Account}, trust.Statement[0].Condition["StringEquals"]["aws:SourceAccount"])
			require.Equal(t, "arn:aws:iam::"+componenttest.Account+":policy/env-app-boundary", componenttest.Named(t, plan, "aws:iam/role:Role", role).Inputs["permissionsBoundary"],
				"%s: under the environment's boundary, which the deploy role needs to write it", role)
		}
		attachment := componenttest.Named(t, plan, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "env-ecs-task-execution-policy")
		require.Equal(t, "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy", attachment.Inputs["policyArn"])
		require.Equal(t, `{"Version":"2012-10-17","Statement":[]}`, componenttest.Named(t, plan, "aws:iam/rolePolicy:RolePolicy", "env-ecs-task-execution-secrets").Inputs["policy"],
			"the secrets' read policy, as given")
		inline := plan.OfType("aws:iam/rolePolicy:RolePolicy")
		var onTask []string
		for _, p := range inline {
			if p.Inputs["role"] == "env-ecs-task-role" {
				onTask = append(onTask, p.Name)
				doc, err := policydoc.Parse(p.Inputs["policy"].(string))
				require.NoError(t, err)
				require.Equal(t, ExecActions, doc.Statement[0].Action, "ECS Exec works (defect C6)")
			}
		}
		if len(onTask) > 0 {
			require.Equal(t, []string{"env-ecs-task-exec"}, onTask)
		}
	}
	require.Empty(t, policiesOn(componenttest.Run(t, cluster(false, api())), "env-ecs-task-role"), "without ECS Exec the application needs no AWS permission (defect C5)")
}

func policiesOn(plan *stackplan.Plan, role string) []string {
	var out []string
	for _, p := range plan.OfType("aws:iam/rolePolicy:RolePolicy") {
		if p.Inputs["role"] == role {
			out = append(out, p.Name)
		}
	}
	return out
}

func TestAServiceWithoutTasksWaitsForNone(t *testing.T) {
	t.Parallel()
	s := api()
	s.DesiredCount, s.Autoscaling = 0, Autoscaling{}
	svc := componenttest.Named(t, componenttest.Run(t, cluster(false, s)), "aws:ecs/service:Service", "env-api-service")
	require.Equal(t, 0.0, svc.Inputs["desiredCount"])
	require.Equal(t, false, svc.Inputs["waitForSteadyState"], "waiting for tasks that never run would only hang the update")
}

func TestNewRefusesServicesItCannotRun(t *testing.T) {
	t.Parallel()
	half := worker()
	half.ContainerPort = 80
	noGroup := worker()
	noGroup.SecurityGroupID = nil
	small := api()
	small.MemoryMiB = 1024
	for want, s := range map[string]Service{
		"ecs: service worker: TargetGroupARN and ContainerPort go together": half,
		"ecs: service worker needs Image and SecurityGroupID":               noGroup,
		"ecs: api.memory = 1024":                                            small,
	} {
		require.ErrorContains(t, componenttest.Error(t, cluster(false, s)), want)
	}
	require.ErrorContains(t, componenttest.Error(t, cluster(false)), "ecs: no Services")
}
