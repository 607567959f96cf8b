package cicd

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/ohmycoins/infra/internal/policydoc"
)

// BoundaryName is the managed policy that bounds every application role of an
// environment (the component's name is the environment's name prefix).
func BoundaryName(prefix string) string { return prefix + "-app-boundary" }

// BoundaryARN is the ARN of an environment's boundary in an account.
func BoundaryARN(account, prefix string) string {
	return fmt.Sprintf("arn:aws:iam::%s:policy/%s", account, BoundaryName(prefix))
}

// BoundaryScope is what an environment's application roles may ever do, at most.
type BoundaryScope struct {
	Prefix, Region, Account string
	// Environment is the Environment tag of the environment's keys.
	Environment string
	// LogGroups are the environment's log group name patterns.
	LogGroups []string
}

// BoundaryPolicy is the permissions boundary of an environment's application
// roles: the most any of them may do, whatever policy is put on it. The
// deploy role runs every merged commit and may rewrite these roles' policies,
// so without a boundary it could make one of them an administrator and act
// through it (a task, a state machine). With it, the roles' effective
// permissions are the intersection of their policies and this document:
//
//   - pull the environment's images, write the environment's log groups (and
//     RDSOSMetrics, the account's one group of enhanced monitoring, by stream);
//   - read the environment's secrets and RDS-managed master secrets, and
//     decrypt only through Secrets Manager with a key that
//     carries the environment's tag: another environment's master secret is
//     named rds!db-… too, but its key is not this environment's, so it cannot
//     be decrypted;
//   - redeploy the environment's services, start its state machines, deliver
//     their logs, and open ECS Exec sessions;
//   - show the environment's alarms and draw metrics (AWS Chatbot's role).
//
// Nothing of IAM, of the state bucket or of another environment's names.
func BoundaryPolicy(b BoundaryScope) policydoc.Document {
	arn := func(service, resource string) string {
		return fmt.Sprintf("arn:aws:%s:%s:%s:%s", service, b.Region, b.Account, resource)
	}
	regional := func(s policydoc.Statement) policydoc.Statement {
		s.Condition = map[string]map[string][]string{"StringEquals": {"aws:RequestedRegion": {b.Region}}}
		return s
	}
	var groups []string
	for _, g := range b.LogGroups {
		groups = append(groups, arn("logs", "log-group:"+g), arn("logs", "log-group:"+g+":*"))
	}
	p := b.Prefix
	decrypt := policydoc.Allow("DecryptWithTheEnvironmentsKeyThroughSecretsManager", []string{"kms:Decrypt"}, arn("kms", "key/*"))
	decrypt.Condition = map[string]map[string][]string{"StringEquals": {
		"aws:ResourceTag/Environment": {b.Environment},
		"kms:ViaService":              {"secretsmanager." + b.Region + ".amazonaws.com"},
	}}
	return policydoc.New(
		regional(policydoc.Allow("ImageRegistryToken", []string{"ecr:GetAuthorizationToken"}, "*")),
		policydoc.Allow("PullTheEnvironmentsImages", []string{"ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"},
			arn("ecr", "repository/"+p+"-*")),
		policydoc.Allow("WriteTheEnvironmentsLogs", []string{"logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"}, groups...),
		regional(policydoc.Allow("ListLogGroups", []string{"logs:DescribeLogGroups"}, "*")), // no resource type to scope it to
		policydoc.Allow("EnhancedMonitoringMetrics", []string{"logs:CreateLogGroup", "logs:PutRetentionPolicy", "logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"},
			arn("logs", "log-group:RDSOSMetrics"), arn("logs", "log-group:RDSOSMetrics:log-stream:*")),
		policydoc.Allow("ReadTheEnvironmentsSecrets", []string{"secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"},
			arn("secretsmanager", "secret:"+p+"-*"), arn("secretsmanager", "secret:rds!db-*")),
		decrypt,
		policydoc.Allow("RedeployTheEnvironmentsServices", []string{"ecs:UpdateService", "ecs:DescribeServices"}, arn("ecs", "service/"+p+"-*")),
		policydoc.Allow("StartTheEnvironmentsStateMachines", []string{"states:StartExecution"}, arn("states", "stateMachine:"+p+"-*")),
		regional(policydoc.Allow("DeliverStateMachineLogs", []string{
			"logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery",
			"logs:ListLogDeliveries", "logs:DescribeResourcePolicies",
		}, "*")),
		policydoc.Allow("ExecSessions", []string{
			"ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel", "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel",
		}, "*"),
		policydoc.Allow("ShowTheEnvironmentsAlarms", []string{"cloudwatch:DescribeAlarms", "cloudwatch:DescribeAlarmHistory"}, arn("cloudwatch", "alarm:"+p+"-*")),
		regional(policydoc.Allow("DrawMetrics", []string{"cloudwatch:GetMetricData", "cloudwatch:GetMetricWidgetImage"}, "*")), // no resource type to scope them to
	)
}

// Boundary is the component that holds the environment's permissions
// boundary: created before every component with roles, which name its ARN.
type Boundary struct {
	pulumi.ResourceState

	// ARN is the boundary's ARN, every application role's permissionsBoundary.
	ARN pulumi.StringOutput
}

// NewBoundary creates the environment's permissions boundary, which every
// application role names (its components' PermissionsBoundary). Like the CI
// identity, the deploy role cannot change it; an administrator applies it.
// The component's name is the environment's name prefix.
func NewBoundary(ctx *pulumi.Context, prefix string, scope BoundaryScope, account pulumi.StringInput, opts ...pulumi.ResourceOption) (*Boundary, error) {
	b := &Boundary{}
	if err := ctx.RegisterComponentResource("ohmycoins:cicd:Boundary", prefix, b, opts...); err != nil {
		return nil, err
	}
	policy, err := iam.NewPolicy(ctx, BoundaryName(prefix), &iam.PolicyArgs{
		Name:        pulumi.String(BoundaryName(prefix)),
		Description: pulumi.String("The most any application role of " + prefix + " may do, whatever its own policies say"),
		Policy: policydoc.Of(account, func(account string) policydoc.Document {
			scope.Prefix, scope.Account = prefix, account
			return BoundaryPolicy(scope)
		}),
	}, pulumi.Parent(b))
	if err != nil {
		return nil, err
	}
	b.ARN = policy.Arn
	return b, ctx.RegisterResourceOutputs(b, pulumi.Map{"arn": b.ARN})
}
