// Package state is the bootstrap program: the S3 bucket ohmycoins-pulumi-state
// that holds every stack's Pulumi state (versioned, so an accidental overwrite
// can be undone; SSE-KMS; public access blocked; TLS only; old versions expire)
// and the KMS key alias/ohmycoins-pulumi that encrypts the stacks' secrets. It
// replaces the original's hand-made, AES256-only Terraform state bucket.
//
// It lives in an importable package, not in main, so the offline preview and
// the tests run it exactly like the main program.
package state

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/ohmycoins/infra/internal/policydoc"
	"github.com/ohmycoins/infra/internal/statebackend"
)

// NoncurrentVersionDays is how long an overwritten state file can be restored.
const NoncurrentVersionDays = 90

// Program creates the state backend. Both resources are protected: losing
// either loses every stack's state or secrets.
func Program(ctx *pulumi.Context) error {
	provider, err := aws.NewProvider(ctx, "ohmycoins-state-aws", &aws.ProviderArgs{
		Region: pulumi.String(statebackend.Region),
		DefaultTags: &aws.ProviderDefaultTagsArgs{Tags: pulumi.StringMap{
			"Project": pulumi.String("Oh My Coins"), "Environment": pulumi.String("shared"), "ManagedBy": pulumi.String("Pulumi"),
		}},
	})
	if err != nil {
		return err
	}
	opts := []pulumi.ResourceOption{pulumi.Provider(provider)}
	protected := append(opts, pulumi.Protect(true))
	account := aws.GetCallerIdentityOutput(ctx, aws.GetCallerIdentityOutputArgs{}, pulumi.Provider(provider)).AccountId()

	key, err := kms.NewKey(ctx, "ohmycoins-pulumi-key", &kms.KeyArgs{
		Description:          pulumi.String("Encrypts the secrets of the ohmycoins Pulumi stacks and their state bucket"),
		EnableKeyRotation:    pulumi.Bool(true),
		DeletionWindowInDays: pulumi.Int(30),
		Policy: policydoc.Output(func(v []string) policydoc.Document {
			admin := policydoc.Allow("AccountAdministersTheKey", []string{"kms:*"}, "*")
			admin.Principal = &policydoc.Principal{AWS: []string{fmt.Sprintf("arn:aws:iam::%s:root", v[0])}}
			return policydoc.New(admin)
		}, account),
	}, protected...)
	if err != nil {
		return err
	}
	if _, err := kms.NewAlias(ctx, "ohmycoins-pulumi-key-alias", &kms.AliasArgs{
		Name:        pulumi.String(statebackend.KeyAlias),
		TargetKeyId: key.KeyId,
	}, opts...); err != nil {
		return err
	}

	name := statebackend.BucketName
	bucket, err := s3.NewBucketV2(ctx, name, &s3.BucketV2Args{Bucket: pulumi.String(name)}, protected...)
	if err != nil {
		return err
	}
	if _, err := s3.NewBucketVersioningV2(ctx, name+"-versioning", &s3.BucketVersioningV2Args{
		Bucket:                  bucket.ID(),
		VersioningConfiguration: &s3.BucketVersioningV2VersioningConfigurationArgs{Status: pulumi.String("Enabled")},
	}, opts...); err != nil {
		return err
	}
	if _, err := s3.NewBucketServerSideEncryptionConfigurationV2(ctx, name+"-encryption", &s3.BucketServerSideEncryptionConfigurationV2Args{
		Bucket: bucket.ID(),
		Rules: s3.BucketServerSideEncryptionConfigurationV2RuleArray{s3.BucketServerSideEncryptionConfigurationV2RuleArgs{
			ApplyServerSideEncryptionByDefault: &s3.BucketServerSideEncryptionConfigurationV2RuleApplyServerSideEncryptionByDefaultArgs{
				SseAlgorithm:   pulumi.String("aws:kms"),
				KmsMasterKeyId: key.Arn,
			},
			BucketKeyEnabled: pulumi.Bool(true),
		}},
	}, opts...); err != nil {
		return err
	}
	block, err := s3.NewBucketPublicAccessBlock(ctx, name+"-public-access-block", &s3.BucketPublicAccessBlockArgs{
		Bucket:          bucket.ID(),
		BlockPublicAcls: pulumi.Bool(true), BlockPublicPolicy: pulumi.Bool(true),
		IgnorePublicAcls: pulumi.Bool(true), RestrictPublicBuckets: pulumi.Bool(true),
	}, opts...)
	if err != nil {
		return err
	}
	if _, err := s3.NewBucketOwnershipControls(ctx, name+"-ownership", &s3.BucketOwnershipControlsArgs{
		Bucket: bucket.ID(),
		Rule:   &s3.BucketOwnershipControlsRuleArgs{ObjectOwnership: pulumi.String("BucketOwnerEnforced")},
	}, opts...); err != nil {
		return err
	}
	if _, err := s3.NewBucketLifecycleConfigurationV2(ctx, name+"-lifecycle", &s3.BucketLifecycleConfigurationV2Args{
		Bucket: bucket.ID(),
		Rules: s3.BucketLifecycleConfigurationV2RuleArray{s3.BucketLifecycleConfigurationV2RuleArgs{
			Id:     pulumi.String("expire-old-state-versions"),
			Status: pulumi.String("Enabled"),
			Filter: &s3.BucketLifecycleConfigurationV2RuleFilterArgs{},
			NoncurrentVersionExpiration: &s3.BucketLifecycleConfigurationV2RuleNoncurrentVersionExpirationArgs{
				NoncurrentDays: pulumi.Int(NoncurrentVersionDays),
			},
			AbortIncompleteMultipartUpload: &s3.BucketLifecycleConfigurationV2RuleAbortIncompleteMultipartUploadArgs{
				DaysAfterInitiation: pulumi.Int(7),
			},
		}},
	}, opts...); err != nil {
		return err
	}
	if _, err := s3.NewBucketPolicy(ctx, name+"-policy", &s3.BucketPolicyArgs{
		Bucket: bucket.ID(),
		Policy: policydoc.Output(func(v []string) policydoc.Document {
			return policydoc.New(policydoc.DenyInsecureTransport(v[0]))
		}, bucket.Arn),
	}, append(opts, pulumi.DependsOn([]pulumi.Resource{block}))...); err != nil {
		return err
	}

	ctx.Export("bucket_name", bucket.Bucket)
	ctx.Export("key_arn", key.Arn)
	ctx.Export("key_alias", pulumi.String(statebackend.KeyAlias))
	ctx.Export("login_url", pulumi.String(statebackend.LoginURL()))
	ctx.Export("secrets_provider", pulumi.String(statebackend.SecretsProvider()))
	return nil
}
