package state_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ohmycoins/infra/bootstrap/state"
	"github.com/ohmycoins/infra/components/ecs"
	"github.com/ohmycoins/infra/components/redis"
	"github.com/ohmycoins/infra/internal/iamsim"
	"github.com/ohmycoins/infra/internal/mockcloud"
	"github.com/ohmycoins/infra/internal/policydoc"
	"github.com/ohmycoins/infra/internal/preview"
	"github.com/ohmycoins/infra/internal/preview/previewtest"
	"github.com/ohmycoins/infra/internal/previewcli"
)

func TestBootstrapCreatesTheStateBackend(t *testing.T) {
	t.Parallel()
	result, err := preview.Preview(preview.Options{Stack: "state", Program: previewcli.BootstrapProgram})
	require.NoError(t, err)
	plan := result.Plan
	require.Equal(t, "ohmycoins-state", plan.Project)

	bucket := previewtest.Named(t, plan, typeBucket, "ohmycoins-pulumi-state")
	key := previewtest.Named(t, plan, typeKey, "ohmycoins-pulumi-key")
	require.True(t, bucket.Protect, "losing the bucket loses every stack's state")
	require.True(t, key.Protect, "losing the key loses every stack's secrets")
	require.Equal(t, true, key.Inputs["enableKeyRotation"])
	require.Equal(t, "alias/ohmycoins-pulumi", previewtest.Named(t, plan, typeAlias, "ohmycoins-pulumi-key-alias").Inputs["name"])

	versioning := previewtest.Named(t, plan, "aws:s3/bucketVersioningV2:BucketVersioningV2", "ohmycoins-pulumi-state-versioning")
	require.Equal(t, map[string]any{"status": "Enabled"}, versioning.Inputs["versioningConfiguration"])
	encryption := previewtest.Named(t, plan, "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2", "ohmycoins-pulumi-state-encryption")
	require.Equal(t, []any{map[string]any{
		"applyServerSideEncryptionByDefault": map[string]any{"sseAlgorithm": "aws:kms", "kmsMasterKeyId": key.Outputs["arn"]},
		"bucketKeyEnabled":                   true,
	}}, encryption.Inputs["rules"])
	block := previewtest.Named(t, plan, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "ohmycoins-pulumi-state-public-access-block")
	for _, k := range []string{"blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"} {
		require.Equal(t, true, block.Inputs[k], k)
	}
	lifecycle := previewtest.Named(t, plan, "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2", "ohmycoins-pulumi-state-lifecycle")
	rule := lifecycle.Inputs["rules"].([]any)[0].(map[string]any)
	require.Equal(t, 90.0, rule["noncurrentVersionExpiration"].(map[string]any)["noncurrentDays"])
	policy, err := policydoc.Parse(previewtest.Named(t, plan, typeBucketPolicy, "ohmycoins-pulumi-state-policy").Inputs["policy"].(string))
	require.NoError(t, err)
	require.Equal(t, "Deny", policy.Statement[0].Effect)
	require.Equal(t, []string{"false"}, policy.Statement[0].Condition["Bool"]["aws:SecureTransport"], "TLS only")

	oidc := previewtest.Named(t, plan, "aws:iam/openIdConnectProvider:OpenIdConnectProvider", "ohmycoins-github-oidc")
	require.True(t, oidc.Protect, "losing the provider breaks every stack's CI")
	require.Equal(t, "https://token.actions.githubusercontent.com", oidc.Inputs["url"])
	require.Equal(t, []any{"sts.amazonaws.com"}, oidc.Inputs["clientIdLists"])
	const adopted = "arn:aws:iam::220711411889:oidc-provider/token.actions.githubusercontent.com"
	require.Equal(t, adopted, oidc.Import, "the account's provider is adopted, not created twice")
	require.Equal(t, []string{"thumbprintLists"}, oidc.IgnoreChanges)
	require.Equal(t, adopted, plan.Outputs["github_oidc_provider_arn"])

	require.Equal(t, "s3://ohmycoins-pulumi-state?region=ap-southeast-2", plan.Outputs["login_url"])
	require.Equal(t, map[string]any{
		"staging":    "awskms://alias/ohmycoins-pulumi-staging?region=ap-southeast-2",
		"production": "awskms://alias/ohmycoins-pulumi-production?region=ap-southeast-2",
	}, plan.Outputs["secrets_providers"])
	for _, stack := range []string{"staging", "production"} {
		stackKey := previewtest.Named(t, plan, typeKey, "ohmycoins-pulumi-"+stack+"-key")
		require.True(t, stackKey.Protect, "losing %s's key loses its secrets", stack)
		require.Equal(t, true, stackKey.Inputs["enableKeyRotation"])
		require.Equal(t, "alias/ohmycoins-pulumi-"+stack, previewtest.Named(t, plan, typeAlias, "ohmycoins-pulumi-"+stack+"-key-alias").Inputs["name"])
		require.Equal(t, stackKey.Outputs["arn"], plan.Outputs["secrets_key_arns"].(map[string]any)[stack])
	}
}

// An account without a GitHub OIDC provider gets one created; a provider ARN
// that is not one is refused before anything is created.
func TestBootstrapCreatesOrAdoptsTheOIDCProvider(t *testing.T) {
	t.Parallel()
	result, err := preview.Preview(preview.Options{Stack: "state", Program: previewcli.BootstrapProgram,
		Unset: []string{"ohmycoins-state:githubOidcProviderArn"}})
	require.NoError(t, err)
	oidc := previewtest.Named(t, result.Plan, "aws:iam/openIdConnectProvider:OpenIdConnectProvider", "ohmycoins-github-oidc")
	require.Empty(t, oidc.Import, "nothing to adopt: created")
	require.Empty(t, oidc.IgnoreChanges)

	_, err = preview.Preview(preview.Options{Stack: "state", Program: previewcli.BootstrapProgram,
		Set: map[string]string{"ohmycoins-state:githubOidcProviderArn": "arn:aws:iam::220711411889:oidc-provider/accounts.google.com"}})
	require.ErrorContains(t, err, `ohmycoins-state:githubOidcProviderArn = "arn:aws:iam::220711411889:oidc-provider/accounts.google.com": must be arn:aws:iam::<account>:oidc-provider/token.actions.githubusercontent.com`)
}

// TestTheAccountOwnsTheLogDeliveryPolicy: the account-level program writes
// the one resource policy the stacks' log deliveries need, for every group a
// stack delivers to (ElastiCache's logs, the redeploy state machines'), so no
// environment's deploy role needs logs:PutResourcePolicy.
func TestTheAccountOwnsTheLogDeliveryPolicy(t *testing.T) {
	t.Parallel()
	result, err := preview.Preview(preview.Options{Stack: "state", Program: previewcli.BootstrapProgram})
	require.NoError(t, err)
	resource := previewtest.Named(t, result.Plan, "aws:cloudwatch/logResourcePolicy:LogResourcePolicy", state.LogDeliveryPolicyName)
	require.Equal(t, "ohmycoins-log-delivery", resource.Inputs["policyName"])
	doc, err := policydoc.Parse(resource.Inputs["policyDocument"].(string))
	require.NoError(t, err)
	require.Len(t, doc.Statement, 1)
	s := doc.Statement[0]
	require.Equal(t, []string{"delivery.logs.amazonaws.com"}, s.Principal.Service)
	require.Equal(t, []string{"logs:CreateLogStream", "logs:PutLogEvents"}, s.Action)
	require.Equal(t, []string{mockcloud.MockAccountID}, s.Condition["StringEquals"]["aws:SourceAccount"])
	for _, group := range []string{redis.LogGroupName("ohmycoins-prod", "slow-log"), redis.LogGroupName("ohmycoins-staging", "engine-log"), ecs.RedeployLogGroup("ohmycoins-prod-backend")} {
		stream := "arn:aws:logs:ap-southeast-2:" + mockcloud.MockAccountID + ":log-group:" + group + ":log-stream:x"
		require.Equal(t, iamsim.Allowed, iamsim.Evaluate(iamsim.Request{Action: "logs:PutLogEvents", Resource: stream, Context: iamsim.ConditionKeys(
			"aws:SourceAccount", mockcloud.MockAccountID, "aws:SourceArn", "arn:aws:logs:ap-southeast-2:"+mockcloud.MockAccountID+":delivery-source:x")}, doc), group)
	}
	ecsGroup := "arn:aws:logs:ap-southeast-2:" + mockcloud.MockAccountID + ":log-group:" + ecs.LogGroupName("ohmycoins-prod", "backend") + ":log-stream:x"
	require.Equal(t, iamsim.ImplicitDeny, iamsim.Evaluate(iamsim.Request{Action: "logs:PutLogEvents", Resource: ecsGroup, Context: iamsim.ConditionKeys(
		"aws:SourceAccount", mockcloud.MockAccountID, "aws:SourceArn", "arn:aws:logs:ap-southeast-2:"+mockcloud.MockAccountID+":x")}, doc), "the services' own log groups are written by their tasks")
}

// twoAccounts is the two-account layout's bootstrap stacks, one per account.
func twoAccounts(t *testing.T, stack string, opts ...func(*preview.Options)) (*preview.Result, error) {
	t.Helper()
	o := preview.Options{Dir: "../../layouts/two-accounts", Stack: stack, Program: previewcli.BootstrapProgram}
	for _, f := range opts {
		f(&o)
	}
	return preview.Preview(o)
}

// TestEachAccountHoldsOnlyItsOwnStack: in the two-account layout, staging's
// account gets a bucket of its own, staging's secrets key alone, a GitHub
// OIDC provider of its own and the zone production's delegates to; the
// account of today keeps its bucket and production's key alone. Neither
// stack's provider runs with the other account's credentials.
func TestEachAccountHoldsOnlyItsOwnStack(t *testing.T) {
	t.Parallel()
	result, err := twoAccounts(t, "staging-account")
	require.NoError(t, err)
	plan := result.Plan
	require.True(t, previewtest.Named(t, plan, typeBucket, "ohmycoins-pulumi-state-staging").Protect)
	require.Equal(t, "s3://ohmycoins-pulumi-state-staging?region=ap-southeast-2", plan.Outputs["login_url"])
	require.Equal(t, map[string]any{"staging": "awskms://alias/ohmycoins-pulumi-staging?region=ap-southeast-2"}, plan.Outputs["secrets_providers"])
	require.Len(t, plan.OfType(typeKey), 2, "the bucket's key and staging's")
	require.Equal(t, "alias/ohmycoins-pulumi-staging", previewtest.Named(t, plan, typeAlias, "ohmycoins-pulumi-staging-key-alias").Inputs["name"])
	oidc := previewtest.Named(t, plan, "aws:iam/openIdConnectProvider:OpenIdConnectProvider", "ohmycoins-github-oidc")
	require.Empty(t, oidc.Import, "a new account has no provider: created")
	zone := previewtest.Named(t, plan, "aws:route53/zone:Zone", "ohmycoins-zone-staging.ohmycoins.com")
	require.True(t, zone.Protect, "a delegation to a deleted zone can be taken over")
	require.Equal(t, "staging.ohmycoins.com", zone.Inputs["name"])
	require.Len(t, zone.Outputs["nameServers"], 4)
	require.Equal(t, map[string]any{"staging.ohmycoins.com": zone.Outputs["nameServers"]}, plan.Outputs["hosted_zone_name_servers"])
	require.Equal(t, []any{"111122223333"}, previewtest.Named(t, plan, "pulumi:providers:aws", "ohmycoins-state-aws").Inputs["allowedAccountIds"])
	require.Empty(t, plan.OfType("aws:costexplorer/costAllocationTag:CostAllocationTag"), "a member account cannot activate it; the payer account does")

	result, err = twoAccounts(t, "state")
	require.NoError(t, err)
	plan = result.Plan
	require.True(t, previewtest.Named(t, plan, typeBucket, "ohmycoins-pulumi-state").Protect, "production's state stays where it is")
	require.Equal(t, map[string]any{"production": "awskms://alias/ohmycoins-pulumi-production?region=ap-southeast-2"}, plan.Outputs["secrets_providers"])
	require.Len(t, plan.OfType(typeKey), 2, "the bucket's key and production's")
	require.Empty(t, plan.OfType("aws:route53/zone:Zone"), "ohmycoins.com exists already, outside the program")
	require.Nil(t, plan.Outputs["hosted_zone_name_servers"])
	require.Equal(t, []any{"220711411889"}, previewtest.Named(t, plan, "pulumi:providers:aws", "ohmycoins-state-aws").Inputs["allowedAccountIds"])
	require.Equal(t, "Active", previewtest.Named(t, plan, "aws:costexplorer/costAllocationTag:CostAllocationTag", "ohmycoins-environment-cost-allocation-tag").Inputs["status"])
}

// TestTheAccountsSettingsAreCheckedBeforeAnythingIsCreated: every broken rule
// is named at once, with its key, value and rule.
func TestTheAccountsSettingsAreCheckedBeforeAnythingIsCreated(t *testing.T) {
	t.Parallel()
	_, err := twoAccounts(t, "staging-account", func(o *preview.Options) {
		o.Set = map[string]string{
			"ohmycoins-state:bucket":                    "Ohmycoins_State",
			"ohmycoins-state:stacks":                    `["staging","qa","staging"]`,
			"ohmycoins-state:hostedZones":               `["Staging.ohmycoins.com"]`,
			"ohmycoins-state:accountId":                 "12345",
			"ohmycoins-state:activateCostAllocationTag": "maybe",
			"ohmycoins-state:githubOidcProviderArn":     "arn:aws:iam::220711411889:oidc-provider/token.actions.githubusercontent.com",
		}
	})
	require.Error(t, err)
	for _, want := range []string{
		`invalid settings for stack "staging-account" (7):`,
		`ohmycoins-state:activateCostAllocationTag = "maybe": must be true or false`,
		`ohmycoins-state:bucket = "Ohmycoins_State": must be an S3 bucket name`,
		`ohmycoins-state:stacks = "qa": must be a stack of the project: staging, production`,
		`ohmycoins-state:stacks = "staging": is listed twice`,
		`ohmycoins-state:hostedZones = "Staging.ohmycoins.com": must be lower case: staging.ohmycoins.com`,
		`ohmycoins-state:accountId = "12345": must be a 12-digit AWS account id`,
	} {
		require.ErrorContains(t, err, want)
	}
	_, err = twoAccounts(t, "staging-account", func(o *preview.Options) {
		o.Set = map[string]string{"ohmycoins-state:githubOidcProviderArn": "arn:aws:iam::220711411889:oidc-provider/token.actions.githubusercontent.com"}
	})
	require.ErrorContains(t, err, `ohmycoins-state:githubOidcProviderArn = "arn:aws:iam::220711411889:oidc-provider/token.actions.githubusercontent.com": must be the provider of the stack's own account 111122223333 (ohmycoins-state:accountId)`)
}
