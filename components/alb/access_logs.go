package alb

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/elb"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/ohmycoins/infra/internal/policydoc"
	"github.com/ohmycoins/infra/internal/privatebucket"
)

// accessLogBucket creates <name>-alb-logs: private, encrypted, expiring its
// objects, writable only by the region's ELB log-delivery account under
// AWSLogs/<account>/, and reachable only over TLS. ALB access logs support only
// S3-managed keys (SSE-S3), not KMS. It returns the bucket name and the policy
// the ALB must wait for.
func accessLogBucket(ctx *pulumi.Context, name string, args Args, parent pulumi.ResourceOrInvokeOption) (pulumi.StringOutput, pulumi.Resource, error) {
	if args.AccessLogExpirationDays < 1 {
		return pulumi.StringOutput{}, nil, fmt.Errorf("alb: AccessLogExpirationDays = %d: must be at least 1", args.AccessLogExpirationDays)
	}
	if args.AccountID == nil {
		return pulumi.StringOutput{}, nil, fmt.Errorf("alb: AccessLogs needs AccountID")
	}
	logDelivery := elb.GetServiceAccountOutput(ctx, elb.GetServiceAccountOutputArgs{}, parent).Arn()
	bucket, err := privatebucket.New(ctx, name+"-alb-logs", privatebucket.Args{
		LifecycleRuleID: "expire-access-logs",
		ExpireDays:      args.AccessLogExpirationDays,
		Statements: func(bucketARN string, v []string) []policydoc.Statement {
			return []policydoc.Statement{AccessLogDelivery(bucketARN, v[0], v[1])}
		},
		Inputs:  []pulumi.StringInput{logDelivery, args.AccountID},
		Protect: args.Protect,
	}, parent)
	if err != nil {
		return pulumi.StringOutput{}, nil, err
	}
	return bucket.Bucket.Bucket, bucket.Policy, nil
}

// AccessLogDelivery lets the ELB log-delivery account put objects under AWSLogs/<account>/.
func AccessLogDelivery(bucketARN, logDeliveryARN, account string) policydoc.Statement {
	deliver := policydoc.Allow("ElbDeliversAccessLogs", []string{"s3:PutObject"}, bucketARN+"/AWSLogs/"+account+"/*")
	deliver.Principal = &policydoc.Principal{AWS: []string{logDeliveryARN}}
	return deliver
}
