package stacks_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ohmycoins/infra/internal/preview/previewtest"
	"github.com/ohmycoins/infra/internal/service"
)

// TestTheNetworkIsTheStacksLayout: the stack builds its preset's layout,
// sends its flow logs to its own group under the environment key, and opens
// the backend's SMTP port only when the app sends mail.
func TestTheNetworkIsTheStacksLayout(t *testing.T) {
	for _, p := range presets {
		t.Run(p.stack, func(t *testing.T) {
			t.Parallel()
			s := p.settings()
			plan := previewtest.Stack(t, p.stack).Plan
			vpc := previewtest.Named(t, plan, typeVpc, s.NamePrefix+"-vpc")
			require.Equal(t, s.Network.VPCCIDR, vpc.Inputs["cidrBlock"])
			require.Equal(t, vpc.ID, plan.Outputs["vpc_id"])
			require.Len(t, plan.OfType(typeSubnet), 3*len(s.Network.AvailabilityZones))
			require.Len(t, plan.OfType(typeFlowLog), map[bool]int{true: 1, false: 0}[s.Network.FlowLogs])
			if s.Network.FlowLogs {
				group := previewtest.Named(t, plan, typeLogGroup, s.NamePrefix+"-flow-logs")
				require.Equal(t, s.FlowLogGroupName(), group.Inputs["name"])
				require.Equal(t, previewtest.Named(t, plan, typeKey, s.NamePrefix+"-key").Outputs["arn"], group.Inputs["kmsKeyId"])
				require.Equal(t, s.ProtectStatefulResources, group.Protect)
			}
			for _, r := range plan.OfType(typeEgress) {
				require.NotEqual(t, 587.0, r.Inputs["fromPort"], "no SMTP rule without an SMTP host")
			}
		})
	}
	withSMTP := previewtest.Stack(t, "staging", previewtest.Set("ohmycoins:app", `{"smtpHost": "smtp.example.com", "smtpPort": 2587}`))
	plan := withSMTP.Plan
	smtp := 0
	for _, r := range plan.OfType(typeEgress) {
		if r.Inputs["fromPort"] == 2587.0 {
			smtp++
		}
	}
	require.Equal(t, len(service.DataClients(withSMTP.Settings.ServiceList())), smtp, "each data client's way to the SMTP relay")
}
