package stacks_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ohmycoins/infra/internal/mockcloud"
	"github.com/ohmycoins/infra/internal/policydoc"
	"github.com/ohmycoins/infra/internal/preview/previewtest"
)

// TestTheEnvironmentKeyEncryptsExactlyThisStacksLogGroups: the key the stack
// makes is protected where data is, exported, and lets CloudWatch Logs use it
// for the log groups of this stack only, each named by the component that
// makes it.
func TestTheEnvironmentKeyEncryptsExactlyThisStacksLogGroups(t *testing.T) {
	for _, p := range presets {
		t.Run(p.stack, func(t *testing.T) {
			t.Parallel()
			s := p.settings()
			plan := previewtest.Stack(t, p.stack).Plan
			key := previewtest.Named(t, plan, typeKey, s.NamePrefix+"-key")
			require.Equal(t, s.ProtectStatefulResources, key.Protect, "deleting the key would make every encrypted backup unreadable")
			require.Equal(t, key.Outputs["arn"], plan.Outputs["kms_key_arn"])
			policy, err := policydoc.Parse(key.Inputs["policy"].(string))
			require.NoError(t, err)
			var logs policydoc.Statement
			for _, st := range policy.Statement {
				if st.Sid == "CloudWatchLogsEncryptsThisStacksLogGroups" {
					logs = st
				}
			}
			prefix := "arn:aws:logs:ap-southeast-2:" + mockcloud.MockAccountID + ":log-group:"
			p := s.NamePrefix
			require.Equal(t, []string{
				prefix + "/aws/vpc/flow-logs/" + p,
				prefix + "/ecs/" + p + "-*",
				prefix + "/aws/elasticache/" + p + "/*",
				prefix + "/aws/rds/instance/" + p + "-postgres/*",
				prefix + "/aws/vendedlogs/states/" + p + "-*-redeploy",
				prefix + "aws-waf-logs-" + p,
			}, logs.Condition["ArnLike"]["kms:EncryptionContext:aws:logs:arn"], "only this stack's log groups")
		})
	}
}
