package ecs

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/ohmycoins/infra/internal/policydoc"
)

// ExecutionRolePolicyARN is AWS's policy for pulling images and writing logs.
const ExecutionRolePolicyARN = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"

// ExecActions are what the ECS Exec agent needs; AWS offers no resource-level
// permissions for them, hence Resource *.
var ExecActions = []string{
	"ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel",
	"ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel",
}

// roles are the tasks' roles and the policies that make them usable, which a
// task definition must wait for.
type roles struct {
	execution, task *iam.Role
	policies        []pulumi.Resource
}

// createRoles creates the execution role (ECS itself: pull the image, write
// logs, inject the secrets) and the task role (the application: nothing at all,
// unless ECS Exec is on; the original granted S3, logs and secrets on wildcards:
// defect C5).
func createRoles(ctx *pulumi.Context, name string, args Args, parent pulumi.ResourceOption) (roles, error) {
	trust := policydoc.Of(args.AccountID, func(account string) policydoc.Document { return TasksTrustPolicy(account) })

	execution, err := iam.NewRole(ctx, name+"-ecs-task-execution-role", &iam.RoleArgs{
		Name:                pulumi.String(name + "-ecs-task-execution-role"),
		PermissionsBoundary: args.PermissionsBoundary,
		Description:         pulumi.String("ECS starts the tasks of " + name + ": image pull, logs, secrets"),
		AssumeRolePolicy:    trust,
	}, parent)
	if err != nil {
		return roles{}, err
	}
	managed, err := iam.NewRolePolicyAttachment(ctx, name+"-ecs-task-execution-policy", &iam.RolePolicyAttachmentArgs{
		Role:      execution.Name,
		PolicyArn: pulumi.String(ExecutionRolePolicyARN),
	}, parent)
	if err != nil {
		return roles{}, err
	}
	secrets, err := iam.NewRolePolicy(ctx, name+"-ecs-task-execution-secrets", &iam.RolePolicyArgs{
		Name:   pulumi.String(name + "-ecs-task-execution-secrets"),
		Role:   execution.ID(),
		Policy: args.SecretReadPolicy,
	}, parent)
	if err != nil {
		return roles{}, err
	}
	r := roles{execution: execution, policies: []pulumi.Resource{managed, secrets}}

	if r.task, err = iam.NewRole(ctx, name+"-ecs-task-role", &iam.RoleArgs{
		Name:                pulumi.String(name + "-ecs-task-role"),
		PermissionsBoundary: args.PermissionsBoundary,
		Description:         pulumi.String("The application containers of " + name),
		AssumeRolePolicy:    trust,
	}, parent); err != nil {
		return roles{}, err
	}
	if args.ExecEnabled {
		exec, err := iam.NewRolePolicy(ctx, name+"-ecs-task-exec", &iam.RolePolicyArgs{
			Name:   pulumi.String(name + "-ecs-task-exec"),
			Role:   r.task.ID(),
			Policy: pulumi.String(ExecPolicy().JSON()),
		}, parent)
		if err != nil {
			return roles{}, err
		}
		r.policies = append(r.policies, exec)
	}
	return r, nil
}

// TasksTrustPolicy lets ECS tasks of this account assume a role.
func TasksTrustPolicy(account string) policydoc.Document {
	s := policydoc.Allow("EcsTasksAssumeRole", []string{"sts:AssumeRole"})
	s.Principal = &policydoc.Principal{Service: []string{"ecs-tasks.amazonaws.com"}}
	s.Condition = map[string]map[string][]string{"StringEquals": {"aws:SourceAccount": {account}}}
	return policydoc.New(s)
}

// ExecPolicy is what ECS Exec needs on the task role (defect C6).
func ExecPolicy() policydoc.Document {
	return policydoc.New(policydoc.Allow("EcsExecSessions", ExecActions, "*"))
}
