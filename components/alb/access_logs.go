package alb

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/elb"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/ohmycoins/infra/internal/policydoc"
)

// accessLogBucket creates <name>-alb-logs: private, encrypted, owner-enforced,
// expiring its objects, writable only by the region's ELB log-delivery account
// under AWSLogs/<account>/, and reachable only over TLS. ALB access logs support
// only S3-managed keys (SSE-S3), not KMS. It returns the bucket name and the
// policy the ALB must wait for.
func accessLogBucket(ctx *pulumi.Context, name string, args Args, parent pulumi.ResourceOrInvokeOption) (pulumi.StringOutput, pulumi.Resource, error) {
	if args.AccessLogExpirationDays < 1 {
		return pulumi.StringOutput{}, nil, fmt.Errorf("alb: AccessLogExpirationDays = %d: must be at least 1", args.AccessLogExpirationDays)
	}
	if args.AccountID == nil {
		return pulumi.StringOutput{}, nil, fmt.Errorf("alb: AccessLogs needs AccountID")
	}
	bucketName := name + "-alb-logs"
	bucket, err := s3.NewBucketV2(ctx, bucketName, &s3.BucketV2Args{
		Bucket: pulumi.String(bucketName),
	}, parent)
	if err != nil {
		return pulumi.StringOutput{}, nil, err
	}
	block, err := s3.NewBucketPublicAccessBlock(ctx, bucketName+"-public-access-block", &s3.BucketPublicAccessBlockArgs{
		Bucket:                bucket.ID(),
		BlockPublicAcls:       pulumi.Bool(true),
		BlockPublicPolicy:     pulumi.Bool(true),
		IgnorePublicAcls:      pulumi.Bool(true),
		RestrictPublicBuckets: pulumi.Bool(true),
	}, parent)
	if err != nil {
		return pulumi.StringOutput{}, nil, err
	}
	if _, err := s3.NewBucketOwnershipControls(ctx, bucketName+"-ownership", &s3.BucketOwnershipControlsArgs{
		Bucket: bucket.ID(),
		Rule:   &s3.BucketOwnershipControlsRuleArgs{ObjectOwnership: pulumi.String("BucketOwnerEnforced")},
	}, parent); err != nil {
		return pulumi.StringOutput{}, nil, err
	}
	if _, err := s3.NewBucketServerSideEncryptionConfigurationV2(ctx, bucketName+"-encryption", &s3.BucketServerSideEncryptionConfigurationV2Args{
		Bucket: bucket.ID(),
		Rules: s3.BucketServerSideEncryptionConfigurationV2RuleArray{s3.BucketServerSideEncryptionConfigurationV2RuleArgs{
			ApplyServerSideEncryptionByDefault: &s3.BucketServerSideEncryptionConfigurationV2RuleApplyServerSideEncryptionByDefaultArgs{
				SseAlgorithm: pulumi.String("AES256"),
			},
		}},
	}, parent); err != nil {
		return pulumi.StringOutput{}, nil, err
	}
	if _, err := s3.NewBucketLifecycleConfigurationV2(ctx, bucketName+"-lifecycle", &s3.BucketLifecycleConfigurationV2Args{
		Bucket: bucket.ID(),
		Rules: s3.BucketLifecycleConfigurationV2RuleArray{s3.BucketLifecycleConfigurationV2RuleArgs{
			Id:     pulumi.String("expire-access-logs"),
			Status: pulumi.String("Enabled"),
			Filter: &s3.BucketLifecycleConfigurationV2RuleFilterArgs{},
			Expiration: &s3.BucketLifecycleConfigurationV2RuleExpirationArgs{
				Days: pulumi.Int(args.AccessLogExpirationDays),
			},
			AbortIncompleteMultipartUpload: &s3.BucketLifecycleConfigurationV2RuleAbortIncompleteMultipartUploadArgs{
				DaysAfterInitiation: pulumi.Int(7),
			},
		}},
	}, parent); err != nil {
		return pulumi.StringOutput{}, nil, err
	}

	logDelivery := elb.GetServiceAccountOutput(ctx, elb.GetServiceAccountOutputArgs{}, parent).Arn()
	policy, err := s3.NewBucketPolicy(ctx, bucketName+"-policy", &s3.BucketPolicyArgs{
		Bucket: bucket.ID(),
		Policy: policydoc.Output(func(v []string) policydoc.Document {
			return AccessLogBucketPolicy(v[0], v[1], v[2])
		}, bucket.Arn, logDelivery, args.AccountID),
	}, parent, pulumi.DependsOn([]pulumi.Resource{block}))
	if err != nil {
		return pulumi.StringOutput{}, nil, err
	}
	return bucket.Bucket, policy, nil
}

// AccessLogBucketPolicy lets the ELB log-delivery account put objects under
// AWSLogs/<account>/ and refuses every request that is not over TLS.
func AccessLogBucketPolicy(bucketARN, logDeliveryARN, account string) policydoc.Document {
	deliver := policydoc.Allow("ElbDeliversAccessLogs", []string{"s3:PutObject"}, bucketARN+"/AWSLogs/"+account+"/*")
	deliver.Principal = &policydoc.Principal{AWS: []string{logDeliveryARN}}
	return policydoc.New(deliver, policydoc.DenyInsecureTransport(bucketARN))
}
