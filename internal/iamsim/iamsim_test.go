package iamsim_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ohmycoins/infra/internal/iamsim"
	"github.com/ohmycoins/infra/internal/policydoc"
)

// TestIAMSimulatorFollowsIAMsEvaluationLogic checks the evaluator the
// isolation tests rely on against the rules of IAM's policy evaluation logic
// and condition operators, case by case.
func TestIAMSimulatorFollowsIAMsEvaluationLogic(t *testing.T) {
	t.Parallel()
	allowS3 := policydoc.Allow("Read", []string{"s3:Get*"}, "arn:aws:s3:::bucket/*")
	fence := policydoc.Deny("Fence", []string{"s3:GetObject"})
	fence.Resource = nil
	fence.NotResource = []string{"arn:aws:s3:::bucket/mine/*"}
	tagged := policydoc.Allow("Tagged", []string{"ec2:*"}, "*")
	tagged.Condition = map[string]map[string][]string{"StringEquals": {"aws:ResourceTag/Environment": {"staging"}}}
	ifExists := policydoc.Allow("Create", []string{"kms:TagResource"}, "*")
	ifExists.Condition = map[string]map[string][]string{
		"StringEquals":         {"aws:RequestTag/Environment": {"staging"}},
		"StringEqualsIfExists": {"aws:ResourceTag/Environment": {"staging"}},
	}
	names := policydoc.Allow("Records", []string{"route53:ChangeResourceRecordSets"}, "*")
	names.Condition = map[string]map[string][]string{
		"ForAllValues:StringLike": {"route53:ChangeResourceRecordSetsNormalizedRecordNames": {"*.staging.example.com", "_??.example.com"}},
		"Null":                    {"route53:ChangeResourceRecordSetsNormalizedRecordNames": {"false"}},
	}
	aliases := policydoc.Allow("Key", []string{"kms:Decrypt"}, "*")
	aliases.Condition = map[string]map[string][]string{"ForAnyValue:StringEquals": {"kms:ResourceAliases": {"alias/mine"}}}
	notEquals := policydoc.Deny("NotStaging", []string{"sns:Publish"}, "*")
	notEquals.Condition = map[string]map[string][]string{"StringNotEquals": {"aws:ResourceTag/Environment": {"staging"}}}
	allowSNS := policydoc.Allow("SNS", []string{"sns:*"}, "*")
	doc := policydoc.New(allowS3, fence, tagged, ifExists, names, aliases, notEquals, allowSNS)
	require.Empty(t, iamsim.Unknown(doc))

	ctx := iamsim.ConditionKeys
	for _, c := range []struct {
		name string
		req  iamsim.Request
		want iamsim.Decision
	}{
		{"allowed by a glob on action and resource", iamsim.Request{Action: "s3:GetObjectTagging", Resource: "arn:aws:s3:::bucket/mine/a"}, iamsim.Allowed},
		{"actions match without regard to case", iamsim.Request{Action: "S3:getobjecttagging", Resource: "arn:aws:s3:::bucket/x"}, iamsim.Allowed},
		{"an explicit deny wins over an allow", iamsim.Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::bucket/theirs/a"}, iamsim.ExplicitDeny},
		{"NotResource exempts what it lists", iamsim.Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::bucket/mine/a"}, iamsim.Allowed},
		{"resources match case-sensitively", iamsim.Request{Action: "s3:GetObjectTagging", Resource: "arn:aws:s3:::BUCKET/a"}, iamsim.ImplicitDeny},
		{"nothing allows it", iamsim.Request{Action: "s3:PutObject", Resource: "arn:aws:s3:::bucket/mine/a"}, iamsim.ImplicitDeny},
		{"tag condition met", iamsim.Request{Action: "ec2:DeleteVpc", Resource: "arn:aws:ec2:r:a:vpc/v", Context: ctx("aws:ResourceTag/Environment", "staging")}, iamsim.Allowed},
		{"tag condition not met", iamsim.Request{Action: "ec2:DeleteVpc", Resource: "arn:aws:ec2:r:a:vpc/v", Context: ctx("aws:ResourceTag/Environment", "production")}, iamsim.ImplicitDeny},
		{"a missing key fails StringEquals", iamsim.Request{Action: "ec2:DeleteVpc", Resource: "arn:aws:ec2:r:a:vpc/v"}, iamsim.ImplicitDeny},
		{"IfExists passes a missing key", iamsim.Request{Action: "kms:TagResource", Resource: "k", Context: ctx("aws:RequestTag/Environment", "staging")}, iamsim.Allowed},
		{"IfExists still checks a present key", iamsim.Request{Action: "kms:TagResource", Resource: "k", Context: ctx("aws:RequestTag/Environment", "staging", "aws:ResourceTag/Environment", "production")}, iamsim.ImplicitDeny},
		{"ForAllValues: every value matches", iamsim.Request{Action: "route53:ChangeResourceRecordSets", Resource: "z", Context: ctx("route53:ChangeResourceRecordSetsNormalizedRecordNames", []string{"api.staging.example.com", "_ab.example.com"})}, iamsim.Allowed},
		{"ForAllValues: one value outside fails", iamsim.Request{Action: "route53:ChangeResourceRecordSets", Resource: "z", Context: ctx("route53:ChangeResourceRecordSetsNormalizedRecordNames", []string{"api.staging.example.com", "example.com"})}, iamsim.ImplicitDeny},
		{"? is exactly one character", iamsim.Request{Action: "route53:ChangeResourceRecordSets", Resource: "z", Context: ctx("route53:ChangeResourceRecordSetsNormalizedRecordNames", "_abc.example.com")}, iamsim.ImplicitDeny},
		{"ForAllValues passes an absent key, Null catches it", iamsim.Request{Action: "route53:ChangeResourceRecordSets", Resource: "z"}, iamsim.ImplicitDeny},
		{"ForAnyValue: one value matches", iamsim.Request{Action: "kms:Decrypt", Resource: "k", Context: ctx("kms:ResourceAliases", []string{"alias/other", "alias/mine"})}, iamsim.Allowed},
		{"ForAnyValue: no value matches", iamsim.Request{Action: "kms:Decrypt", Resource: "k", Context: ctx("kms:ResourceAliases", []string{"alias/other"})}, iamsim.ImplicitDeny},
		{"StringNotEquals denies another value", iamsim.Request{Action: "sns:Publish", Resource: "t", Context: ctx("aws:ResourceTag/Environment", "production")}, iamsim.ExplicitDeny},
		{"StringNotEquals passes a missing key", iamsim.Request{Action: "sns:Publish", Resource: "t"}, iamsim.ExplicitDeny},
		{"StringNotEquals lets the value through", iamsim.Request{Action: "sns:Publish", Resource: "t", Context: ctx("aws:ResourceTag/Environment", "staging")}, iamsim.Allowed},
	} {
		require.Equal(t, c.want, iamsim.Evaluate(c.req, doc), c.name)
	}

	unknown := policydoc.Allow("Odd", []string{"s3:*"}, "*")
	unknown.Condition = map[string]map[string][]string{"DateGreaterThan": {"aws:CurrentTime": {"2020-01-01T00:00:00Z"}}}
	require.Equal(t, []string{"Odd: DateGreaterThan"}, iamsim.Unknown(policydoc.New(unknown)), "an operator it cannot evaluate is reported")
	require.Equal(t, iamsim.ImplicitDeny, iamsim.Evaluate(iamsim.Request{Action: "s3:GetObject", Resource: "x"}, policydoc.New(unknown)))
}
