// Package privatebucket creates an S3 bucket the way this project keeps every
// bucket: public access blocked, owner-enforced object ownership, default
// encryption, a lifecycle rule, and a policy that refuses requests without TLS
// (Security Hub S3.5, S3.8). The ALB access-log bucket and the Pulumi state
// bucket differ only in the arguments.
package privatebucket

import (
	"slices"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/ohmycoins/infra/internal/policydoc"
)

// Args configure a bucket.
type Args struct {
	// KMSKeyARN encrypts objects with SSE-KMS; nil means SSE-S3 (AES256), the
	// only encryption ALB access logs accept.
	KMSKeyARN pulumi.StringInput
	// Versioning keeps every version of every object.
	Versioning bool
	// LifecycleRuleID names the lifecycle rule; ExpireDays expires objects and
	// NoncurrentDays old versions (0: never). Incomplete uploads go after 7 days.
	LifecycleRuleID string
	ExpireDays      int
	NoncurrentDays  int
	// Statements are policy statements besides the TLS-only one, built once the
	// bucket's ARN and the Inputs are known (values in the order of Inputs).
	Statements func(bucketARN string, inputs []string) []policydoc.Statement
	Inputs     []pulumi.StringInput
	// Protect marks the bucket itself as Pulumi-protected.
	Protect bool
}

// Bucket is the created bucket and its policy (which a writer such as ELB must wait for).
type Bucket struct {
	Bucket *s3.BucketV2
	Policy *s3.BucketPolicy
}

// New creates the bucket <name> and its configuration, named <name>-<part>.
func New(ctx *pulumi.Context, name string, args Args, opts ...pulumi.ResourceOption) (*Bucket, error) {
	bucket, err := s3.NewBucketV2(ctx, name, &s3.BucketV2Args{Bucket: pulumi.String(name)},
		slices.Concat(opts, []pulumi.ResourceOption{pulumi.Protect(args.Protect)})...)
	if err != nil {
		return nil, err
	}
	if args.Versioning {
		if _, err := s3.NewBucketVersioningV2(ctx, name+"-versioning", &s3.BucketVersioningV2Args{
			Bucket:                  bucket.ID(),
			VersioningConfiguration: &s3.BucketVersioningV2VersioningConfigurationArgs{Status: pulumi.String("Enabled")},
		}, opts...); err != nil {
			return nil, err
		}
	}
	sse := &s3.BucketServerSideEncryptionConfigurationV2RuleApplyServerSideEncryptionByDefaultArgs{SseAlgorithm: pulumi.String("AES256")}
	var bucketKey pulumi.BoolPtrInput
	if args.KMSKeyARN != nil {
		sse = &s3.BucketServerSideEncryptionConfigurationV2RuleApplyServerSideEncryptionByDefaultArgs{
			SseAlgorithm: pulumi.String("aws:kms"), KmsMasterKeyId: args.KMSKeyARN,
		}
		bucketKey = pulumi.Bool(true)
	}
	if _, err := s3.NewBucketServerSideEncryptionConfigurationV2(ctx, name+"-encryption", &s3.BucketServerSideEncryptionConfigurationV2Args{
		Bucket: bucket.ID(),
		Rules: s3.BucketServerSideEncryptionConfigurationV2RuleArray{s3.BucketServerSideEncryptionConfigurationV2RuleArgs{
			ApplyServerSideEncryptionByDefault: sse,
			BucketKeyEnabled:                   bucketKey,
		}},
	}, opts...); err != nil {
		return nil, err
	}
	block, err := s3.NewBucketPublicAccessBlock(ctx, name+"-public-access-block", &s3.BucketPublicAccessBlockArgs{
		Bucket:                bucket.ID(),
		BlockPublicAcls:       pulumi.Bool(true),
		BlockPublicPolicy:     pulumi.Bool(true),
		IgnorePublicAcls:      pulumi.Bool(true),
		RestrictPublicBuckets: pulumi.Bool(true),
	}, opts...)
	if err != nil {
		return nil, err
	}
	if _, err := s3.NewBucketOwnershipControls(ctx, name+"-ownership", &s3.BucketOwnershipControlsArgs{
		Bucket: bucket.ID(),
		Rule:   &s3.BucketOwnershipControlsRuleArgs{ObjectOwnership: pulumi.String("BucketOwnerEnforced")},
	}, opts...); err != nil {
		return nil, err
	}
	rule := s3.BucketLifecycleConfigurationV2RuleArgs{
		Id:     pulumi.String(args.LifecycleRuleID),
		Status: pulumi.String("Enabled"),
		Filter: &s3.BucketLifecycleConfigurationV2RuleFilterArgs{},
		AbortIncompleteMultipartUpload: &s3.BucketLifecycleConfigurationV2RuleAbortIncompleteMultipartUploadArgs{
			DaysAfterInitiation: pulumi.Int(7),
		},
	}
	if args.ExpireDays > 0 {
		rule.Expiration = &s3.BucketLifecycleConfigurationV2RuleExpirationArgs{Days: pulumi.Int(args.ExpireDays)}
	}
	if args.NoncurrentDays > 0 {
		rule.NoncurrentVersionExpiration = &s3.BucketLifecycleConfigurationV2RuleNoncurrentVersionExpirationArgs{
			NoncurrentDays: pulumi.Int(args.NoncurrentDays),
		}
	}
	if _, err := s3.NewBucketLifecycleConfigurationV2(ctx, name+"-lifecycle", &s3.BucketLifecycleConfigurationV2Args{
		Bucket: bucket.ID(),
		Rules:  s3.BucketLifecycleConfigurationV2RuleArray{rule},
	}, opts...); err != nil {
		return nil, err
	}
	policy, err := s3.NewBucketPolicy(ctx, name+"-policy", &s3.BucketPolicyArgs{
		Bucket: bucket.ID(),
		Policy: policydoc.Output(func(v []string) policydoc.Document {
			var statements []policydoc.Statement
			if args.Statements != nil {
				statements = args.Statements(v[0], v[1:])
			}
			return policydoc.New(append(statements, policydoc.DenyInsecureTransport(v[0]))...)
		}, append([]pulumi.StringInput{bucket.Arn}, args.Inputs...)...),
	}, slices.Concat(opts, []pulumi.ResourceOption{pulumi.DependsOn([]pulumi.Resource{block})})...)
	if err != nil {
		return nil, err
	}
	return &Bucket{Bucket: bucket, Policy: policy}, nil
}
