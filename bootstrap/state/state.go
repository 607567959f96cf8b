// Package state is the bootstrap program, the account-level program: what one
// AWS account holds once for every stack of ohmycoins.
//
//   - The S3 bucket ohmycoins-pulumi-state that holds every stack's Pulumi
//     state (versioned, so an accidental overwrite can be undone; SSE-KMS with
//     the key alias/ohmycoins-pulumi; public access blocked; TLS only; old
//     versions expire). It replaces the original's hand-made, AES256-only
//     Terraform state bucket.
//   - One KMS key per stack, alias/ohmycoins-pulumi-<stack>, that encrypts
//     that stack's secrets (its secretsprovider): staging's CI roles may
//     decrypt staging's key only, so a pull request that runs with them can
//     never read production's secrets.
//   - The Environment tag activated as a cost allocation tag, which each
//     environment's budget filters by; only by the payer account of an AWS
//     Organization (ohmycoins-state:activateCostAllocationTag is false in a
//     member account).
//   - The account's CloudWatch Logs resource policy that lets AWS services
//     deliver their logs (ElastiCache's, Step Functions') to the stacks'
//     vended log groups. It is account-wide, so no environment may write it:
//     their deploy roles lack logs:PutResourcePolicy, and AWS sets up a
//     delivery without it when a policy like this one covers the group.
//   - The account's GitHub OIDC provider, which the CI roles of every stack
//     trust. AWS holds one per issuer URL, so no environment may own it:
//     destroying staging must not break production's CI. An account that has
//     one already (the original's was made by hand) adopts it: set
//     ohmycoins-state:githubOidcProviderArn and the first `pulumi up` imports it.
//   - In the two-account layout (docs/RUNBOOK.md, "One account or two"), the
//     public hosted zone of the environment the account holds
//     (ohmycoins-state:hostedZones, staging.ohmycoins.com), which the other
//     account's zone delegates to. It outlives the stack that fills it: a
//     delegation to a deleted zone is one anybody can take over.
//
// One stack of it runs in each account: ohmycoins-state:stacks names the
// stacks whose state and secrets the account holds (both in the one account of
// today), and ohmycoins-state:bucket the account's state bucket.
//
// It lives in an importable package, not in main, so the offline preview and
// the tests run it exactly like the main program.
package state

import (
	"fmt"
	"regexp"
	"slices"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/costexplorer"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/route53"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/ohmycoins/infra/components/cicd"

	"github.com/ohmycoins/infra/internal/policydoc"
	"github.com/ohmycoins/infra/internal/privatebucket"
	"github.com/ohmycoins/infra/internal/statebackend"
)

// NoncurrentVersionDays is how long an overwritten state file can be restored.
const NoncurrentVersionDays = 90

// CostAllocationTag is the tag whose values (staging, production) the
// environments' budgets filter their costs by.
const CostAllocationTag = "Environment"

// ConfigNamespace is the config namespace of the bootstrap project.
const ConfigNamespace = "ohmycoins-state"

// oidcProviderARN is the form of an existing GitHub OIDC provider's ARN.
var oidcProviderARN = regexp.MustCompile(`^arn:aws:iam::[0-9]{12}:oidc-provider/token\.actions\.githubusercontent\.com$`)

// Program creates the account-level resources. All are protected: losing the
// bucket or the key loses every stack's state or secrets, losing the OIDC
// provider every stack's CI, losing a delegated zone its environment's names.
func Program(ctx *pulumi.Context) error {
	account, err := readAccount(ctx)
	if err != nil {
		return err
	}
	providerArgs := &aws.ProviderArgs{
		Region: pulumi.String(statebackend.Region),
		DefaultTags: &aws.ProviderDefaultTagsArgs{Tags: pulumi.StringMap{
			"Project": pulumi.String("Oh My Coins"), "Environment": pulumi.String("shared"), "ManagedBy": pulumi.String("Pulumi"),
		}},
	}
	if account.ID != "" {
		providerArgs.AllowedAccountIds = pulumi.ToStringArray([]string{account.ID})
	}
	provider, err := aws.NewProvider(ctx, "ohmycoins-state-aws", providerArgs)
	if err != nil {
		return err
	}
	opts := []pulumi.ResourceOption{pulumi.Provider(provider)}
	protected := slices.Concat(opts, []pulumi.ResourceOption{pulumi.Protect(true)})
	callerAccount := aws.GetCallerIdentityOutput(ctx, aws.GetCallerIdentityOutputArgs{}, pulumi.Provider(provider)).AccountId()

	key, err := kms.NewKey(ctx, "ohmycoins-pulumi-key", &kms.KeyArgs{
		Description:          pulumi.String("Encrypts the objects of the ohmycoins Pulumi state bucket"),
		EnableKeyRotation:    pulumi.Bool(true),
		DeletionWindowInDays: pulumi.Int(30),
		Policy:               accountAdministered(callerAccount),
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

	stackKeys := pulumi.Map{}
	for _, stack := range account.Stacks {
		stackKey, err := stackSecretsKey(ctx, stack, callerAccount, protected, opts)
		if err != nil {
			return err
		}
		stackKeys[stack] = stackKey.Arn
	}

	bucket, err := privatebucket.New(ctx, account.Bucket, privatebucket.Args{
		KMSKeyARN:       key.Arn,
		Versioning:      true,
		LifecycleRuleID: "expire-old-state-versions",
		NoncurrentDays:  NoncurrentVersionDays,
		Protect:         true,
	}, opts...)
	if err != nil {
		return err
	}

	oidc, err := githubOIDCProvider(ctx, account.AdoptOIDCProvider, protected)
	if err != nil {
		return err
	}

	// Each environment's budget counts the costs tagged with its Environment:
	// a tag is a cost allocation tag only once activated, once per payer
	// account (an Organization's member accounts cannot).
	if account.CostAllocationTag {
		if _, err := costexplorer.NewCostAllocationTag(ctx, "ohmycoins-environment-cost-allocation-tag", &costexplorer.CostAllocationTagArgs{
			TagKey: pulumi.String(CostAllocationTag),
			Status: pulumi.String("Active"),
		}, opts...); err != nil {
			return err
		}
	}

	if _, err := cloudwatch.NewLogResourcePolicy(ctx, LogDeliveryPolicyName, &cloudwatch.LogResourcePolicyArgs{
		PolicyName: pulumi.String(LogDeliveryPolicyName),
		PolicyDocument: callerAccount.ApplyT(func(account string) string {
			return LogDeliveryPolicy(statebackend.Region, account).JSON()
		}).(pulumi.StringOutput),
	}, opts...); err != nil {
		return err
	}

	ctx.Export("bucket_name", bucket.Bucket.Bucket)
	ctx.Export("github_oidc_provider_arn", oidc.Arn)
	ctx.Export("key_arn", key.Arn)
	ctx.Export("key_alias", pulumi.String(statebackend.KeyAlias))
	ctx.Export("login_url", pulumi.String(statebackend.Settings{Bucket: account.Bucket}.LoginURL()))
	providers := pulumi.StringMap{}
	for _, stack := range account.Stacks {
		providers[stack] = pulumi.String(statebackend.SecretsProvider(stack))
	}
	ctx.Export("secrets_providers", providers)
	ctx.Export("secrets_key_arns", stackKeys)

	nameServers := pulumi.StringArrayMap{}
	for _, name := range account.HostedZones {
		zone, err := route53.NewZone(ctx, "ohmycoins-zone-"+name, &route53.ZoneArgs{
			Name:    pulumi.String(name),
			Comment: pulumi.String("The zone of " + name + ", delegated by its parent's zone in the other account"),
		}, protected...)
		if err != nil {
			return err
		}
		nameServers[name] = zone.NameServers
	}
	if len(account.HostedZones) > 0 {
		ctx.Export("hosted_zone_name_servers", nameServers)
	}
	return nil
}

// LogDeliveryPolicyName is the account's log delivery resource policy. It is
// not AWS's own AWSLogDeliveryWrite20150319, which AWS appends to when a
// delivery is set up by a caller allowed to: that one stays as it is.
const LogDeliveryPolicyName = "ohmycoins-log-delivery"

// LogDeliveryGroups are the log group patterns AWS services deliver to: every
// stack names its vended log groups so (ElastiCache's under /aws/elasticache/,
// Step Functions' under /aws/vendedlogs/, AWS WAF's aws-waf-logs-<prefix>,
// the only names WAF delivers to).
var LogDeliveryGroups = []string{"/aws/elasticache/*", "/aws/vendedlogs/*", "aws-waf-logs-*"}

// LogDeliveryPolicy lets CloudWatch Logs' delivery service write the streams
// of the delivery log groups, for deliveries of this account only (the form
// AWS writes itself: "Logs sent to CloudWatch Logs").
func LogDeliveryPolicy(region, account string) policydoc.Document {
	var streams []string
	for _, g := range LogDeliveryGroups {
		streams = append(streams, fmt.Sprintf("arn:aws:logs:%s:%s:log-group:%s:log-stream:*", region, account, g))
	}
	s := policydoc.Allow("AWSLogDeliveryWrite", []string{"logs:CreateLogStream", "logs:PutLogEvents"}, streams...)
	s.Principal = &policydoc.Principal{Service: []string{"delivery.logs.amazonaws.com"}}
	s.Condition = map[string]map[string][]string{
		"StringEquals": {"aws:SourceAccount": {account}},
		"ArnLike":      {"aws:SourceArn": {fmt.Sprintf("arn:aws:logs:%s:%s:*", region, account)}},
	}
	return policydoc.New(s)
}

// accountAdministered is a key policy that leaves the key's use to IAM: the
// account administers it, and identity policies grant each use (the CI roles
// get Decrypt on their own stack's key only).
func accountAdministered(account pulumi.StringOutput) pulumi.StringOutput {
	return policydoc.Of(account, func(account string) policydoc.Document {
		admin := policydoc.Allow("AccountAdministersTheKey", []string{"kms:*"}, "*")
		admin.Principal = &policydoc.Principal{AWS: []string{fmt.Sprintf("arn:aws:iam::%s:root", account)}}
		return policydoc.New(admin)
	})
}

// stackSecretsKey is the key of one stack's secrets. Its policy leaves its use
// to IAM (the account administers it); each stack's CI roles are granted
// Decrypt on their own stack's key only, by alias.
func stackSecretsKey(ctx *pulumi.Context, stack string, account pulumi.StringOutput, protected, opts []pulumi.ResourceOption) (*kms.Key, error) {
	name := "ohmycoins-pulumi-" + stack + "-key"
	key, err := kms.NewKey(ctx, name, &kms.KeyArgs{
		Description:          pulumi.String("Encrypts the secrets of the ohmycoins stack " + stack),
		EnableKeyRotation:    pulumi.Bool(true),
		DeletionWindowInDays: pulumi.Int(30),
		Policy:               accountAdministered(account),
		Tags:                 pulumi.StringMap{"Stack": pulumi.String(stack)},
	}, protected...)
	if err != nil {
		return nil, err
	}
	_, err = kms.NewAlias(ctx, name+"-alias", &kms.AliasArgs{
		Name:        pulumi.String(statebackend.SecretsKeyAlias(stack)),
		TargetKeyId: key.KeyId,
	}, opts...)
	return key, err
}

// githubOIDCProvider is the account's GitHub OIDC provider. With adopt (the
// ARN of the provider the account has), the first `pulumi up` imports it
// rather than failing to create a second one. An import does not have to
// match: where the hand-made provider differs (another audience), the engine
// imports it and then updates it to the program's values (pulumi v3.274.1;
// tests/engine). Its thumbprints are left as they are, since AWS no longer
// checks them for GitHub and rewriting them would only churn.
func githubOIDCProvider(ctx *pulumi.Context, adopt string, opts []pulumi.ResourceOption) (*iam.OpenIdConnectProvider, error) {
	if adopt != "" {
		opts = slices.Concat(opts, []pulumi.ResourceOption{pulumi.Import(pulumi.ID(adopt)), pulumi.IgnoreChanges([]string{"thumbprintLists"})})
	}
	return iam.NewOpenIdConnectProvider(ctx, "ohmycoins-github-oidc", &iam.OpenIdConnectProviderArgs{
		Url:             pulumi.String(cicd.GitHubOIDCURL),
		ClientIdLists:   pulumi.ToStringArray([]string{cicd.GitHubOIDCAudience}),
		ThumbprintLists: pulumi.ToStringArray(cicd.GitHubOIDCThumbprints),
	}, opts...)
}
