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
	"slices"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/ohmycoins/infra/internal/policydoc"
	"github.com/ohmycoins/infra/internal/privatebucket"
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
	protected := slices.Concat(opts, []pulumi.ResourceOption{pulumi.Protect(true)})
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

	bucket, err := privatebucket.New(ctx, statebackend.BucketName, privatebucket.Args{
		KMSKeyARN:       key.Arn,
		Versioning:      true,
		LifecycleRuleID: "expire-old-state-versions",
		NoncurrentDays:  NoncurrentVersionDays,
		Protect:         true,
	}, opts...)
	if err != nil {
		return err
	}

	ctx.Export("bucket_name", bucket.Bucket.Bucket)
	ctx.Export("key_arn", key.Arn)
	ctx.Export("key_alias", pulumi.String(statebackend.KeyAlias))
	ctx.Export("login_url", pulumi.String(statebackend.LoginURL()))
	ctx.Export("secrets_provider", pulumi.String(statebackend.SecretsProvider()))
	return nil
}
