package encryption

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/require"

	"github.com/ohmycoins/infra/internal/componenttest"
	"github.com/ohmycoins/infra/internal/policydoc"
)

func newKey(args Args) pulumi.RunFunc {
	return func(ctx *pulumi.Context) error {
		_, err := New(ctx, "env", args)
		return err
	}
}

func TestKeyRotatesAndIsProtectedWhenAsked(t *testing.T) {
	t.Parallel()
	for _, protect := range []bool{false, true} {
		plan := componenttest.Run(t, newKey(Args{Region: "ap-southeast-2", AccountID: pulumi.String(componenttest.Account), Protect: protect}))
		key := componenttest.Named(t, plan, "aws:kms/key:Key", "env-key")
		require.Equal(t, true, key.Inputs["enableKeyRotation"])
		require.Equal(t, 30.0, key.Inputs["deletionWindowInDays"], "the longest window by default")
		require.Equal(t, protect, key.Protect, "deleting the key would make every encrypted backup unreadable")
		alias := componenttest.Named(t, plan, "aws:kms/alias:Alias", "env-key-alias")
		require.Equal(t, "alias/env", alias.Inputs["name"])
		require.Equal(t, key.Outputs["keyId"], alias.Inputs["targetKeyId"])
		component := plan.OfType("ohmycoins:encryption:Key")
		require.Len(t, component, 1)
		require.Equal(t, component[0].URN, key.Parent)
	}
}

func TestKeyPolicyLetsAlarmsAndTheGivenLogGroupsUseTheKey(t *testing.T) {
	t.Parallel()
	plan := componenttest.Run(t, newKey(Args{Region: "ap-southeast-2", AccountID: pulumi.String(componenttest.Account),
		LogGroups: []string{"/ecs/env-*", "/aws/vpc/flow-logs/env"}}))
	policy, err := policydoc.Parse(componenttest.Named(t, plan, "aws:kms/key:Key", "env-key").Inputs["policy"].(string))
	require.NoError(t, err)
	statements := map[string]policydoc.Statement{}
	for _, s := range policy.Statement {
		require.Equal(t, "Allow", s.Effect)
		statements[s.Sid] = s
	}
	require.Len(t, statements, 3)

	root := statements["AccountAdministersTheKey"]
	require.Equal(t, []string{"arn:aws:iam::" + componenttest.Account + ":root"}, root.Principal.AWS)

	alarms := statements["AlarmsAndBudgetsPublishToTheEncryptedTopic"]
	require.Equal(t, []string{"cloudwatch.amazonaws.com", "budgets.amazonaws.com"}, alarms.Principal.Service, "the alarms (defect A10) and the budget publish to the encrypted topic")
	require.ElementsMatch(t, []string{"kms:Decrypt", "kms:GenerateDataKey*"}, alarms.Action)

	logs := statements["CloudWatchLogsEncryptsThisStacksLogGroups"]
	require.Equal(t, []string{"logs.ap-southeast-2.amazonaws.com"}, logs.Principal.Service, "the regional Logs principal")
	prefix := "arn:aws:logs:ap-southeast-2:" + componenttest.Account + ":log-group:"
	require.Equal(t, []string{prefix + "/ecs/env-*", prefix + "/aws/vpc/flow-logs/env"},
		logs.Condition["ArnLike"]["kms:EncryptionContext:aws:logs:arn"], "only the given log groups")
	require.NotContains(t, logs.Action, "kms:*")
}

func TestKeyRefusesAnInvalidDeletionWindow(t *testing.T) {
	t.Parallel()
	for _, days := range []int{3, 6, 31} {
		err := componenttest.Error(t, newKey(Args{Region: "ap-southeast-2", AccountID: pulumi.String(componenttest.Account), DeletionWindowDays: days}))
		require.ErrorContains(t, err, "must be 7-30 (KMS limits)")
	}
	err := componenttest.Error(t, newKey(Args{AccountID: pulumi.String(componenttest.Account)}))
	require.ErrorContains(t, err, "encryption: Region and AccountID are required")
	plan := componenttest.Run(t, newKey(Args{Region: "ap-southeast-2", AccountID: pulumi.String(componenttest.Account), DeletionWindowDays: 7}))
	require.Equal(t, 7.0, componenttest.Named(t, plan, "aws:kms/key:Key", "env-key").Inputs["deletionWindowInDays"])
}
