package tests

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/require"

	"github.com/ohmycoins/infra/components/encryption"
	"github.com/ohmycoins/infra/internal/mockcloud"
	"github.com/ohmycoins/infra/internal/policydoc"
	"github.com/ohmycoins/infra/internal/preview"
	"github.com/ohmycoins/infra/internal/preview/previewtest"
)

func TestEnvironmentKeyRotatesAndIsProtectedInProduction(t *testing.T) {
	for _, c := range []struct {
		stack, prefix string
		protect       bool
	}{{"staging", "ohmycoins-staging", false}, {"production", "ohmycoins-prod", true}} {
		t.Run(c.stack, func(t *testing.T) {
			t.Parallel()
			plan := previewtest.Stack(t, c.stack).Plan
			key := previewtest.Named(t, plan, typeKey, c.prefix+"-key")
			require.Equal(t, true, key.Inputs["enableKeyRotation"])
			require.Equal(t, 30.0, key.Inputs["deletionWindowInDays"])
			require.Equal(t, c.protect, key.Protect, "deleting the key would make every encrypted backup unreadable")
			alias := previewtest.Named(t, plan, typeAlias, c.prefix+"-key-alias")
			require.Equal(t, "alias/"+c.prefix, alias.Inputs["name"])
			require.Equal(t, key.Outputs["keyId"], alias.Inputs["targetKeyId"])
			component := plan.OfType(typeEncryptedKey)
			require.Len(t, component, 1)
			require.Equal(t, component[0].URN, key.Parent)
			require.Equal(t, key.Outputs["arn"], plan.Outputs["kms_key_arn"])
		})
	}
}

func TestKeyPolicyLetsAlarmsAndThisStacksLogsUseTheKey(t *testing.T) {
	t.Parallel()
	plan := previewtest.Stack(t, "staging").Plan
	policy, err := policydoc.Parse(previewtest.Named(t, plan, typeKey, "ohmycoins-staging-key").Inputs["policy"].(string))
	require.NoError(t, err)
	statements := map[string]policydoc.Statement{}
	for _, s := range policy.Statement {
		require.Equal(t, "Allow", s.Effect)
		statements[s.Sid] = s
	}
	require.Len(t, statements, 3)

	root := statements["AccountAdministersTheKey"]
	require.Equal(t, []string{"arn:aws:iam::" + mockcloud.MockAccountID + ":root"}, root.Principal.AWS)

	alarms := statements["AlarmsAndBudgetsPublishToTheEncryptedTopic"]
	require.Equal(t, []string{"cloudwatch.amazonaws.com", "budgets.amazonaws.com"}, alarms.Principal.Service, "the alarms (defect A10) and the budget publish to the encrypted topic")
	require.ElementsMatch(t, []string{"kms:Decrypt", "kms:GenerateDataKey*"}, alarms.Action)

	logs := statements["CloudWatchLogsEncryptsThisStacksLogGroups"]
	require.Equal(t, []string{"logs.ap-southeast-2.amazonaws.com"}, logs.Principal.Service)
	prefix := "arn:aws:logs:ap-southeast-2:" + mockcloud.MockAccountID + ":log-group:"
	require.Equal(t, []string{
		prefix + "/aws/vpc/flow-logs/ohmycoins-staging",
		prefix + "/ecs/ohmycoins-staging-*",
		prefix + "/aws/elasticache/ohmycoins-staging/*",
		prefix + "/aws/rds/instance/ohmycoins-staging-postgres/*",
		prefix + "/aws/vendedlogs/states/ohmycoins-staging-*-redeploy",
	}, logs.Condition["ArnLike"]["kms:EncryptionContext:aws:logs:arn"], "only this stack's log groups")
	require.NotContains(t, logs.Action, "kms:*")
}

func TestKeyComponentRefusesAnInvalidDeletionWindow(t *testing.T) {
	t.Parallel()
	_, err := preview.Preview(preview.Options{Dir: projectDir, Stack: "staging",
		Run: func(ctx *pulumi.Context) error {
			_, err := encryption.New(ctx, "test", encryption.Args{
				Region: "ap-southeast-2", AccountID: pulumi.String("123456789012"), DeletionWindowDays: 3,
			})
			return err
		},
	})
	require.ErrorContains(t, err, "encryption: DeletionWindowDays = 3: must be 7-30 (KMS limits)")
}
