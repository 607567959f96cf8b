package waf

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/require"

	"github.com/ohmycoins/infra/internal/componenttest"
	"github.com/ohmycoins/infra/internal/settings"
)

const (
	albARN = "arn:aws:elasticloadbalancing:ap-southeast-2:123456789012:loadbalancer/app/env-alb/50dc6c495c0c9188"
	keyARN = "arn:aws:kms:ap-southeast-2:123456789012:key/11111111-2222-3333-4444-555555555555"
)

var blocking = Settings{Enabled: true, Mode: Block, RateLimit: 2000, APIRateLimit: 1000, LoginRateLimit: 20, LoginPaths: []string{"/api/v1/login/"}}

func firewall(s Settings, protect bool) pulumi.RunFunc {
	return func(ctx *pulumi.Context) error {
		_, err := New(ctx, "env", Args{
			LoadBalancerARN: pulumi.String(albARN), KMSKeyARN: pulumi.String(keyARN),
			LogRetentionDays: 30, Settings: s, Protect: protect,
		})
		return err
	}
}

// rule finds a rule of the web ACL by name.
func rule(t *testing.T, rules []any, name string) map[string]any {
	t.Helper()
	for _, r := range rules {
		if m := r.(map[string]any); m["name"] == name {
			return m
		}
	}
	t.Fatalf("no rule %s", name)
	return nil
}

func TestTheWebACLRunsTheManagedGroupsThenTheRateLimitsInOrder(t *testing.T) {
	t.Parallel()
	plan := componenttest.Run(t, firewall(blocking, false))
	acl := componenttest.Named(t, plan, "aws:wafv2/webAcl:WebAcl", "env-waf")
	require.Equal(t, "env-waf", acl.Inputs["name"])
	require.Equal(t, "REGIONAL", acl.Inputs["scope"])
	require.Equal(t, map[string]any{"allow": map[string]any{}}, acl.Inputs["defaultAction"])
	rules := acl.Inputs["rules"].([]any)
	var names []string
	var priorities []float64
	for _, r := range rules {
		names = append(names, r.(map[string]any)["name"].(string))
		priorities = append(priorities, r.(map[string]any)["priority"].(float64))
	}
	require.Equal(t, []string{
		"AWSManagedRulesAmazonIpReputationList", "rate-login", "rate-api", "rate-all",
		"AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet", "AWSManagedRulesSQLiRuleSet", "AWSManagedRulesLinuxRuleSet",
	}, names)
	require.Equal(t, RuleNames(), names)
	require.Equal(t, []float64{0, 10, 11, 12, 20, 30, 40, 50}, priorities)

	common := rule(t, rules, "AWSManagedRulesCommonRuleSet")
	require.Equal(t, map[string]any{"vendorName": "AWS", "name": "AWSManagedRulesCommonRuleSet"}, common["statement"].(map[string]any)["managedRuleGroupStatement"])
	require.Equal(t, map[string]any{"none": map[string]any{}}, common["overrideAction"], "blocking: the group's own actions")
	require.Equal(t, map[string]any{"cloudwatchMetricsEnabled": true, "metricName": "env-waf-AWSManagedRulesCommonRuleSet", "sampledRequestsEnabled": true}, common["visibilityConfig"])

	login := rule(t, rules, "rate-login")["statement"].(map[string]any)["rateBasedStatement"].(map[string]any)
	require.Equal(t, 20.0, login["limit"])
	require.Equal(t, "IP", login["aggregateKeyType"])
	require.Equal(t, 300.0, login["evaluationWindowSec"])
	match := login["scopeDownStatement"].(map[string]any)["byteMatchStatement"].(map[string]any)
	require.Equal(t, "/api/v1/login/", match["searchString"])
	require.Equal(t, "STARTS_WITH", match["positionalConstraint"])
	require.Equal(t, map[string]any{"uriPath": map[string]any{}}, match["fieldToMatch"])
	require.Equal(t, map[string]any{"block": map[string]any{}}, rule(t, rules, "rate-login")["action"])

	api := rule(t, rules, "rate-api")["statement"].(map[string]any)["rateBasedStatement"].(map[string]any)
	require.Equal(t, 1000.0, api["limit"])
	require.Equal(t, "/api/", api["scopeDownStatement"].(map[string]any)["byteMatchStatement"].(map[string]any)["searchString"])
	all := rule(t, rules, "rate-all")["statement"].(map[string]any)["rateBasedStatement"].(map[string]any)
	require.Equal(t, 2000.0, all["limit"])
	require.NotContains(t, all, "scopeDownStatement", "every path")
}

func TestCountModeOnlyCounts(t *testing.T) {
	t.Parallel()
	s := blocking
	s.Mode = Count
	plan := componenttest.Run(t, firewall(s, false))
	rules := componenttest.Named(t, plan, "aws:wafv2/webAcl:WebAcl", "env-waf").Inputs["rules"].([]any)
	for _, name := range RuleNames() {
		r := rule(t, rules, name)
		if r["overrideAction"] != nil {
			require.Equal(t, map[string]any{"count": map[string]any{}}, r["overrideAction"], name)
		} else {
			require.Equal(t, map[string]any{"count": map[string]any{}}, r["action"], name)
		}
	}
}

func TestSeveralLoginPathsAreAnyOf(t *testing.T) {
	t.Parallel()
	s := blocking
	s.LoginPaths = []string{"/api/v1/login/", "/api/v1/password-recovery/"}
	plan := componenttest.Run(t, firewall(s, false))
	rules := componenttest.Named(t, plan, "aws:wafv2/webAcl:WebAcl", "env-waf").Inputs["rules"].([]any)
	scope := rule(t, rules, "rate-login")["statement"].(map[string]any)["rateBasedStatement"].(map[string]any)["scopeDownStatement"].(map[string]any)
	statements := scope["orStatement"].(map[string]any)["statements"].([]any)
	require.Len(t, statements, 2)
	require.Equal(t, "/api/v1/password-recovery/", statements[1].(map[string]any)["byteMatchStatement"].(map[string]any)["searchString"])
}

func TestTheACLProtectsTheLoadBalancerAndLogsWhatItBlocksRedacted(t *testing.T) {
	t.Parallel()
	plan := componenttest.Run(t, firewall(blocking, true))
	acl := componenttest.Named(t, plan, "aws:wafv2/webAcl:WebAcl", "env-waf")
	assoc := componenttest.Named(t, plan, "aws:wafv2/webAclAssociation:WebAclAssociation", "env-waf-alb")
	require.Equal(t, albARN, assoc.Inputs["resourceArn"])
	require.True(t, *assoc.DeleteBeforeReplace, "a load balancer holds one web ACL")
	require.Equal(t, acl.Outputs["arn"], assoc.Inputs["webAclArn"])

	group := componenttest.Named(t, plan, "aws:cloudwatch/logGroup:LogGroup", "aws-waf-logs-env")
	require.Equal(t, "aws-waf-logs-env", group.Inputs["name"], "WAF delivers only to aws-waf-logs-*")
	require.Equal(t, keyARN, group.Inputs["kmsKeyId"])
	require.Equal(t, 30.0, group.Inputs["retentionInDays"])
	require.True(t, group.Protect, "evidence")

	logging := componenttest.Named(t, plan, "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration", "env-waf-logging")
	require.Equal(t, acl.Outputs["arn"], logging.Inputs["resourceArn"])
	require.True(t, *logging.DeleteBeforeReplace, "a web ACL holds one logging configuration")
	require.Equal(t, []any{group.Outputs["arn"]}, logging.Inputs["logDestinationConfigs"])
	require.Equal(t, []any{
		map[string]any{"singleHeader": map[string]any{"name": "authorization"}},
		map[string]any{"singleHeader": map[string]any{"name": "cookie"}},
	}, logging.Inputs["redactedFields"])
	filter := logging.Inputs["loggingFilter"].(map[string]any)
	require.Equal(t, "DROP", filter["defaultBehavior"])
	kept := filter["filters"].([]any)[0].(map[string]any)
	require.Equal(t, "KEEP", kept["behavior"])
	require.Equal(t, []any{
		map[string]any{"actionCondition": map[string]any{"action": "BLOCK"}},
		map[string]any{"actionCondition": map[string]any{"action": "COUNT"}},
	}, kept["conditions"])
}

func TestBadSettingsAreRefusedBeforeAnythingIsCreated(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		change func(*Settings)
		want   string
	}{
		{func(s *Settings) { s.Mode = "Block" }, `mode = Block: must be "block" (the rules act) or "count" (they only count)`},
		{func(s *Settings) { s.LoginRateLimit = 5 }, "loginRateLimit = 5: must be 10-2000000000 requests per client IP in 5 minutes (AWS WAF's bounds)"},
		{func(s *Settings) { s.APIRateLimit = 3000 }, "apiRateLimit = 3000: must not exceed rateLimit (2000): the API's limit is the stricter one"},
		{func(s *Settings) { s.LoginRateLimit = 1500 }, "loginRateLimit = 1500: must not exceed apiRateLimit (1000): signing in is the strictest limit"},
		{func(s *Settings) { s.LoginPaths = nil }, `loginPaths = []: must name at least one path prefix, e.g. ["/api/v1/login/"]`},
		{func(s *Settings) { s.LoginPaths = []string{"/login*"} }, "loginPaths = /login*: must be a path prefix under /api/"},
		{func(s *Settings) { s.LoginPaths = []string{"/api/a/", "/api/a/"} }, "loginPaths = /api/a/: is listed twice"},
	} {
		s := blocking
		s.LoginPaths = append([]string(nil), blocking.LoginPaths...)
		c.change(&s)
		err := componenttest.Error(t, firewall(s, false))
		require.ErrorContains(t, err, "waf: "+c.want)
	}
}

func TestTheCapacityStaysWithinTheBasePrice(t *testing.T) {
	t.Parallel()
	// 25 + 700 + 200 + 200 + 200 for the groups, 2 + 4 + (2 + 2) for the rate rules.
	require.Equal(t, 1335, blocking.Capacity())
	many := blocking
	for i := range 90 {
		many.LoginPaths = append(many.LoginPaths, "/api/p"+string(rune('a'+i%26))+string(rune('a'+i/26))+"/")
	}
	require.Greater(t, many.Capacity(), MaxCapacity)
	p := settings.NewProblems()
	many.Validate(p)
	require.ErrorContains(t, p.Err("waf"), "above the 1500 its base price covers")
}
