package network

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/ohmycoins/infra/internal/policydoc"
)

// flowLogs records all of the VPC's traffic into a KMS-encrypted log group with
// the environment's retention, delivered through a role that may write only to
// that group (defect C7: the original allowed its log actions on *).
func (b *builder) flowLogs() error {
	a := b.args
	group, err := cloudwatch.NewLogGroup(b.ctx, b.name+"-flow-logs", &cloudwatch.LogGroupArgs{
		Name:            pulumi.String(a.FlowLogGroupName),
		RetentionInDays: pulumi.Int(a.FlowLogRetentionDays),
		KmsKeyId:        a.LogsKMSKeyARN,
		Tags:            nameTag(b.name + "-flow-logs"),
	}, b.parent, pulumi.Protect(a.Protect), pulumi.DeleteBeforeReplace(false)) // its records are never deleted first
	if err != nil {
		return err
	}

	role, err := iam.NewRole(b.ctx, b.name+"-flow-logs-role", &iam.RoleArgs{
		Name:                pulumi.String(b.name + "-flow-logs-role"),
		PermissionsBoundary: a.PermissionsBoundary,
		Description:         pulumi.String("Delivers the VPC flow logs of " + b.name + " to CloudWatch Logs"),
		AssumeRolePolicy:    policydoc.Of(a.AccountID, func(account string) policydoc.Document { return FlowLogTrustPolicy(account, a.Region) }),
	}, b.parent)
	if err != nil {
		return err
	}
	policy, err := iam.NewRolePolicy(b.ctx, b.name+"-flow-logs-policy", &iam.RolePolicyArgs{
		Name: pulumi.String(b.name + "-flow-logs-policy"),
		Role: role.ID(),
		Policy: policydoc.Of2(group.Arn, a.AccountID, func(groupARN, account string) policydoc.Document {
			return FlowLogDeliveryPolicy(groupARN, account, a.Region)
		}),
	}, b.parent)
	if err != nil {
		return err
	}

	// The flow log waits for its role's policy: EC2 checks that it may deliver.
	// Any change replaces it, and AWS holds one flow log per VPC, traffic type
	// and destination, so the old one goes first: a minute without records.
	_, err = ec2.NewFlowLog(b.ctx, b.name+"-flow-logs", &ec2.FlowLogArgs{
		VpcId:                  b.vpcID,
		TrafficType:            pulumi.String("ALL"),
		LogDestinationType:     pulumi.String("cloud-watch-logs"),
		LogDestination:         group.Arn,
		IamRoleArn:             role.Arn,
		MaxAggregationInterval: pulumi.Int(60),
		Tags:                   nameTag(b.name + "-flow-logs"),
	}, b.parent, pulumi.DependsOn([]pulumi.Resource{policy}), pulumi.DeleteBeforeReplace(true))
	return err
}

// FlowLogTrustPolicy lets only the VPC Flow Logs service assume the role, and
// only for flow logs of this account (the confused-deputy guard AWS recommends).
func FlowLogTrustPolicy(account, region string) policydoc.Document {
	s := policydoc.Allow("VpcFlowLogsAssumeRole", []string{"sts:AssumeRole"})
	s.Principal = &policydoc.Principal{Service: []string{"vpc-flow-logs.amazonaws.com"}}
	s.Condition = map[string]map[string][]string{
		"StringEquals": {"aws:SourceAccount": {account}},
		"ArnLike":      {"aws:SourceArn": {fmt.Sprintf("arn:aws:ec2:%s:%s:vpc-flow-log/*", region, account)}},
	}
	return policydoc.New(s)
}

// FlowLogDeliveryPolicy allows writing to one log group (its streams) and
// nothing else; DescribeLogGroups, a read-only listing the service performs,
// cannot be narrowed below the account's log groups of the region.
func FlowLogDeliveryPolicy(groupARN, account, region string) policydoc.Document {
	return policydoc.New(
		policydoc.Allow("WriteFlowLogsToTheGroup",
			[]string{"logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"},
			groupARN, groupARN+":*"),
		policydoc.Allow("ListLogGroups",
			[]string{"logs:DescribeLogGroups"},
			fmt.Sprintf("arn:aws:logs:%s:%s:log-group:*", region, account)),
	)
}

// FlowLogGroupName is the log group a name prefix's VPC flow logs go to.
func FlowLogGroupName(prefix string) string { return "/aws/vpc/flow-logs/" + prefix }
