package ecs

import (
	"encoding/json"
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ecs"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sfn"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/ohmycoins/infra/internal/policydoc"
)

// A container reads its secrets once, when its task starts. RDS rotates the
// master password it manages every seven days, and an operator rotates a value
// of the application secret with `pulumi up`; either way the running tasks keep
// the old value, and their next new database connection fails. So a service
// that reads secrets is rolled whenever one of them gets a new current value:
//
//	Secrets Manager "Secret Label Updated" (AWSCURRENT moved, one of the service's secrets)
//	  -> EventBridge rule <name>-secret-rotated
//	  -> Step Functions state machine <name>-redeploy: ecs:UpdateService forceNewDeployment
//	  -> ECS replaces the tasks one by one (minimum healthy 100 %), each reading the new value.
//
// The event is one Secrets Manager publishes itself (no CloudTrail trail is
// needed), and the state machine calls ECS through Step Functions' own AWS SDK
// integration: there is no function code to build, patch or run.
//
// A service whose deployments watch alarms (the api's 5xx answers and
// unhealthy targets) is redeployed with the alarms switched off, and the
// state machine puts them back once the service has a single deployment left.
// The tasks that still hold the old password are what answers 5xx during the
// redeploy: watched, those answers would roll the deployment back onto the
// very tasks that cannot connect, and leave them running. A redeploy changes
// no task definition, so there is nothing an alarm could roll back to; the
// circuit breaker still rolls back tasks that do not start.

// Deployment limits of every service: a rolling update that keeps the full
// count running (minimum healthy) and starts at most as many new tasks again.
const (
	DeploymentMinimumHealthyPercent = 100
	DeploymentMaximumPercent        = 200
)

// RedeployEventPattern is the EventBridge pattern that matches a new current
// version of any of the secrets.
func RedeployEventPattern(secretARNs []string) string {
	pattern := map[string]any{
		"source":      []string{"aws.secretsmanager"},
		"detail-type": []string{"Secret Label Updated"},
		"resources":   secretARNs,
		"detail":      map[string]any{"labelUpdated": []string{"AWSCURRENT"}},
	}
	b, _ := json.Marshal(pattern)
	return string(b)
}

// aslRetry is a state's retry rule (Amazon States Language).
type aslRetry struct {
	ErrorEquals     []string `json:"ErrorEquals"`
	IntervalSeconds int      `json:"IntervalSeconds"`
	MaxAttempts     int      `json:"MaxAttempts"`
	BackoffRate     float64  `json:"BackoffRate"`
}

// aslChoice is one rule of a Choice state.
type aslChoice struct {
	Variable           string `json:"Variable"`
	NumericGreaterThan int    `json:"NumericGreaterThan"`
	Next               string `json:"Next"`
}

// aslState is one state of a state machine; ResultPath "null" discards the
// task's result.
type aslState struct {
	Type           string          `json:"Type"`
	Resource       string          `json:"Resource,omitempty"`
	Parameters     map[string]any  `json:"Parameters,omitempty"`
	ResultSelector map[string]any  `json:"ResultSelector,omitempty"`
	ResultPath     json.RawMessage `json:"ResultPath,omitempty"`
	Seconds        int             `json:"Seconds,omitempty"`
	Choices        []aslChoice     `json:"Choices,omitempty"`
	Default        string          `json:"Default,omitempty"`
	Retry          []aslRetry      `json:"Retry,omitempty"`
	Next           string          `json:"Next,omitempty"`
	End            bool            `json:"End,omitempty"`
}

// RedeployDefinition is the state machine (Amazon States Language) that starts
// a new deployment of one service, retrying while ECS is busy or throttles.
// With deployment alarms, the deployment runs without them and the service's
// deployment configuration (the program's, DeploymentConfiguration) is put
// back once a single deployment is left.
func RedeployDefinition(clusterARN, serviceName string, alarmNames []string) string {
	retry := []aslRetry{{ErrorEquals: []string{"States.ALL"}, IntervalSeconds: 30, MaxAttempts: 6, BackoffRate: 2}}
	service := map[string]any{"Cluster": clusterARN, "Service": serviceName}
	with := func(extra map[string]any) map[string]any {
		out := map[string]any{}
		for k, v := range service {
			out[k] = v
		}
		for k, v := range extra {
			out[k] = v
		}
		return out
	}
	definition := struct {
		Comment string              `json:"Comment"`
		StartAt string              `json:"StartAt"`
		States  map[string]aslState `json:"States"`
	}{Comment: "Start a new deployment of " + serviceName + " so that its tasks read the rotated secrets"}
	if len(alarmNames) == 0 {
		definition.StartAt = "ForceNewDeployment"
		definition.States = map[string]aslState{"ForceNewDeployment": {
			Type: "Task", Resource: "arn:aws:states:::aws-sdk:ecs:updateService",
			Parameters: with(map[string]any{"ForceNewDeployment": true}),
			Retry:      retry, End: true,
		}}
	} else {
		definition.Comment += ", without rolling back on its alarms (the tasks that still hold the old value trip them), which it puts back after the rollout"
		definition.StartAt = "RedeployWithoutAlarms"
		definition.States = map[string]aslState{
			"RedeployWithoutAlarms": {
				Type: "Task", Resource: "arn:aws:states:::aws-sdk:ecs:updateService",
				Parameters: with(map[string]any{"ForceNewDeployment": true, "DeploymentConfiguration": DeploymentConfiguration(alarmNames, false)}),
				ResultPath: json.RawMessage("null"), Retry: retry, Next: "WaitForTheRollout",
			},
			"WaitForTheRollout": {Type: "Wait", Seconds: 30, Next: "ReadTheRollout"},
			"ReadTheRollout": {
				Type: "Task", Resource: "arn:aws:states:::aws-sdk:ecs:describeServices",
				Parameters:     map[string]any{"Cluster": clusterARN, "Services": []string{serviceName}},
				ResultSelector: map[string]any{"deployments.$": "States.ArrayLength($.Services[0].Deployments)"},
				ResultPath:     json.RawMessage(`"$.rollout"`), Retry: retry, Next: "RolloutOver",
			},
			// A rollout is over, completed or rolled back, when the service
			// has one deployment left.
			"RolloutOver": {
				Type:    "Choice",
				Choices: []aslChoice{{Variable: "$.rollout.deployments", NumericGreaterThan: 1, Next: "WaitForTheRollout"}},
				Default: "PutBackTheAlarms",
			},
			"PutBackTheAlarms": {
				Type: "Task", Resource: "arn:aws:states:::aws-sdk:ecs:updateService",
				Parameters: with(map[string]any{"DeploymentConfiguration": DeploymentConfiguration(alarmNames, true)}),
				ResultPath: json.RawMessage("null"), Retry: retry, End: true,
			},
		}
	}
	b, _ := json.Marshal(definition)
	return string(b)
}

// DeploymentConfiguration is the service's deployment configuration as ECS's
// UpdateService takes it: the program's limits, the circuit breaker with its
// rollback, and the deployment alarms on (the program's) or off.
func DeploymentConfiguration(alarmNames []string, alarmsOn bool) map[string]any {
	return map[string]any{
		"MinimumHealthyPercent":    DeploymentMinimumHealthyPercent,
		"MaximumPercent":           DeploymentMaximumPercent,
		"DeploymentCircuitBreaker": map[string]any{"Enable": true, "Rollback": true},
		"Alarms":                   map[string]any{"AlarmNames": alarmNames, "Enable": alarmsOn, "Rollback": alarmsOn},
	}
}

// RedeployPolicy lets the state machine start deployments of one service,
// follow them, and deliver its error log; log delivery offers no
// resource-level permission, so it is limited to the region.
func RedeployPolicy(serviceARN, clusterARN, region string) policydoc.Document {
	update := policydoc.Allow("RedeployTheService", []string{"ecs:UpdateService", "ecs:DescribeServices"}, serviceARN)
	update.Condition = map[string]map[string][]string{"ArnEquals": {"ecs:cluster": {clusterARN}}}
	logs := policydoc.Allow("DeliverTheErrorLog", LogDeliveryActions, "*")
	logs.Condition = map[string]map[string][]string{"StringEquals": {"aws:RequestedRegion": {region}}}
	return policydoc.New(update, logs)
}

// LogDeliveryActions are what Step Functions needs to deliver its logs to
// CloudWatch Logs (AWS: "IAM policies for logging to CloudWatch Logs"), but
// logs:PutResourcePolicy: the account-level program owns the resource policy
// that covers the log group (bootstrap/state, LogDeliveryPolicy), and the
// environment's boundary would take it away.
var LogDeliveryActions = []string{
	"logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery",
	"logs:ListLogDeliveries", "logs:DescribeResourcePolicies", "logs:DescribeLogGroups",
}

// RedeployLogGroup is the log group of a service's redeploy state machine; the
// /aws/vendedlogs/ prefix keeps CloudWatch Logs' resource policy short.
func RedeployLogGroup(name string) string { return "/aws/vendedlogs/states/" + name + "-redeploy" }

// redeployOnRotation creates the rule, state machine and roles that roll the
// service s (named <name>-service) when one of its secrets rotates. It returns
// the roles it created.
func redeployOnRotation(ctx *pulumi.Context, name string, args Args, s Service, cluster *ecs.Cluster, service *ecs.Service, parent pulumi.ResourceOption) ([]policydoc.ServiceRole, error) {
	serviceName := name + "-service"
	logGroup, err := cloudwatch.NewLogGroup(ctx, name+"-redeploy-logs", &cloudwatch.LogGroupArgs{
		Name:            pulumi.String(RedeployLogGroup(name)),
		RetentionInDays: pulumi.Int(args.LogRetentionDays),
		KmsKeyId:        args.KMSKeyARN,
	}, parent, pulumi.Protect(args.Protect), pulumi.DeleteBeforeReplace(false)) // its records are never deleted first
	if err != nil {
		return nil, err
	}

	machineRole, err := iam.NewRole(ctx, name+"-redeploy-role", &iam.RoleArgs{
		Name:                pulumi.String(name + "-redeploy-role"),
		PermissionsBoundary: args.PermissionsBoundary,
		Description:         pulumi.String("Step Functions starts new deployments of " + serviceName + " after a secret rotation"),
		AssumeRolePolicy: policydoc.Of(args.AccountID, func(account string) policydoc.Document {
			return serviceTrustPolicy("StatesAssumeRole", "states.amazonaws.com", account)
		}),
	}, parent)
	if err != nil {
		return nil, err
	}
	machinePolicy, err := iam.NewRolePolicy(ctx, name+"-redeploy-policy", &iam.RolePolicyArgs{
		Name: pulumi.String(name + "-redeploy-policy"),
		Role: machineRole.ID(),
		Policy: policydoc.Of2(service.ID().ToStringOutput(), cluster.Arn, func(serviceARN, clusterARN string) policydoc.Document {
			return RedeployPolicy(serviceARN, clusterARN, args.Region)
		}),
	}, parent)
	if err != nil {
		return nil, err
	}
	machine, err := sfn.NewStateMachine(ctx, name+"-redeploy", &sfn.StateMachineArgs{
		Name:    pulumi.String(name + "-redeploy"),
		Type:    pulumi.String("STANDARD"),
		RoleArn: machineRole.Arn,
		Definition: pulumi.All(cluster.Arn, alarmNames(s.DeploymentAlarms)).ApplyT(func(v []interface{}) string {
			return RedeployDefinition(v[0].(string), serviceName, v[1].([]string))
		}).(pulumi.StringOutput),
		LoggingConfiguration: &sfn.StateMachineLoggingConfigurationArgs{
			Level:                pulumi.String("ERROR"),
			IncludeExecutionData: pulumi.Bool(false),
			LogDestination:       pulumi.Sprintf("%s:*", logGroup.Arn),
		},
	}, parent, pulumi.DependsOn([]pulumi.Resource{machinePolicy}))
	if err != nil {
		return nil, err
	}

	eventsRole, err := iam.NewRole(ctx, name+"-secret-rotated-role", &iam.RoleArgs{
		Name:                pulumi.String(name + "-secret-rotated-role"),
		PermissionsBoundary: args.PermissionsBoundary,
		Description:         pulumi.String("EventBridge starts the redeploy of " + serviceName + " when its secrets rotate"),
		AssumeRolePolicy: policydoc.Of(args.AccountID, func(account string) policydoc.Document {
			return serviceTrustPolicy("EventsAssumeRole", "events.amazonaws.com", account)
		}),
	}, parent)
	if err != nil {
		return nil, err
	}
	eventsPolicy, err := iam.NewRolePolicy(ctx, name+"-secret-rotated-policy", &iam.RolePolicyArgs{
		Name: pulumi.String(name + "-secret-rotated-policy"),
		Role: eventsRole.ID(),
		Policy: policydoc.Of(machine.Arn, func(machineARN string) policydoc.Document {
			return policydoc.New(policydoc.Allow("StartTheRedeploy", []string{"states:StartExecution"}, machineARN))
		}),
	}, parent)
	if err != nil {
		return nil, err
	}

	secretARNs := make([]interface{}, len(s.RedeployOnRotation))
	for i, arn := range s.RedeployOnRotation {
		secretARNs[i] = arn
	}
	rule, err := cloudwatch.NewEventRule(ctx, name+"-secret-rotated", &cloudwatch.EventRuleArgs{
		Name:        pulumi.String(name + "-secret-rotated"),
		Description: pulumi.String("A secret " + serviceName + " reads has a new current value"),
		EventPattern: pulumi.All(secretARNs...).ApplyT(func(v []interface{}) string {
			arns := make([]string, len(v))
			for i, a := range v {
				arns[i] = fmt.Sprint(a)
			}
			return RedeployEventPattern(arns)
		}).(pulumi.StringOutput),
	}, parent)
	if err != nil {
		return nil, err
	}
	if _, err := cloudwatch.NewEventTarget(ctx, name+"-secret-rotated-redeploy", &cloudwatch.EventTargetArgs{
		Rule:     rule.Name,
		TargetId: pulumi.String("redeploy"),
		Arn:      machine.Arn,
		RoleArn:  eventsRole.Arn,
	}, parent, pulumi.DependsOn([]pulumi.Resource{eventsPolicy})); err != nil {
		return nil, err
	}
	return []policydoc.ServiceRole{
		{Name: name + "-redeploy-role", Service: policydoc.StepFunctions},
		{Name: name + "-secret-rotated-role", Service: policydoc.EventBridge},
	}, nil
}

// serviceTrustPolicy lets an AWS service assume a role on behalf of this account only.
func serviceTrustPolicy(sid, service, account string) policydoc.Document {
	s := policydoc.Allow(sid, []string{"sts:AssumeRole"})
	s.Principal = &policydoc.Principal{Service: []string{service}}
	s.Condition = map[string]map[string][]string{"StringEquals": {"aws:SourceAccount": {account}}}
	return policydoc.New(s)
}

// alarmNames are a service's deployment alarms, none when it has none.
func alarmNames(alarms pulumi.StringArrayInput) pulumi.StringArrayOutput {
	if alarms == nil {
		return pulumi.StringArray{}.ToStringArrayOutput()
	}
	return alarms.ToStringArrayOutput()
}
