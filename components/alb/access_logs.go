package alb

import (
	"fmt"
	"slices"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/elb"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/ohmycoins/infra/internal/policydoc"
	"github.com/ohmycoins/infra/internal/privatebucket"
)

// LogDeliveryAccountRegions are the regions where an ELB account of the
// region delivers ALB access logs: the regions of the provider's
// aws_elb_service_account
// (terraform-provider-aws/internal/service/elb/service_account_data_source.go,
// accountIDPerRegionMap),
// which fails with "unsupported AWS Region" anywhere else. The regions
// opened since, ap-southeast-4 among them (production's DR region), deliver
// them as the service LogDeliveryService (Elastic Load Balancing user guide,
// "Enable access logs for your Application Load Balancer").
var LogDeliveryAccountRegions = []string{
	"af-south-1", "ap-east-1", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1",
	"ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ca-central-1", "cn-north-1", "cn-northwest-1",
	"eu-central-1", "eu-north-1", "eu-south-1", "eu-west-1", "eu-west-2", "eu-west-3", "me-south-1",
	"sa-east-1", "us-east-1", "us-east-2", "us-gov-east-1", "us-gov-west-1", "us-west-1", "us-west-2",
}

// LogDeliveryService is the service principal that delivers access logs
// in the regions LogDeliveryAccountRegions does not name.
const LogDeliveryService = "logdelivery.elasticloadbalancing.amazonaws.com"

// accessLogBucket creates <name>-alb-logs: private, encrypted, expiring its
// objects, writable only by the region's ELB log delivery (its account, or
// LogDeliveryService) under AWSLogs/<account>/, and reachable only over TLS. ALB access logs support only
// S3-managed keys (SSE-S3), not KMS. It returns the bucket name and the policy
// the ALB must wait for.
func accessLogBucket(ctx *pulumi.Context, name string, args Args, parent pulumi.ResourceOrInvokeOption) (pulumi.StringOutput, pulumi.Resource, error) {
	if args.AccessLogExpirationDays < 1 {
		return pulumi.StringOutput{}, nil, fmt.Errorf("alb: AccessLogExpirationDays = %d: must be at least 1", args.AccessLogExpirationDays)
	}
	if args.AccountID == nil {
		return pulumi.StringOutput{}, nil, fmt.Errorf("alb: AccessLogs needs AccountID")
	}
	if args.Region == "" {
		return pulumi.StringOutput{}, nil, fmt.Errorf("alb: AccessLogs needs Region: who delivers the logs depends on it")
	}
	// The service principal where the region has no log-delivery account:
	// "" stands for it in the statement's inputs.
	logDelivery := pulumi.String("").ToStringOutput()
	if slices.Contains(LogDeliveryAccountRegions, args.Region) {
		logDelivery = elb.GetServiceAccountOutput(ctx, elb.GetServiceAccountOutputArgs{}, parent).Arn()
	}
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

// AccessLogDelivery lets the ELB log delivery put objects under
// AWSLogs/<account>/: the region's log-delivery account (logDeliveryARN),
// or LogDeliveryService where logDeliveryARN is "".
func AccessLogDelivery(bucketARN, logDeliveryARN, account string) policydoc.Statement {
	deliver := policydoc.Allow("ElbDeliversAccessLogs", []string{"s3:PutObject"}, bucketARN+"/AWSLogs/"+account+"/*")
	deliver.Principal = &policydoc.Principal{AWS: []string{logDeliveryARN}}
	if logDeliveryARN == "" {
		deliver.Principal = &policydoc.Principal{Service: []string{LogDeliveryService}}
	}
	return deliver
}
