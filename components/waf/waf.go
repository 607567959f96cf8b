// Package waf puts an AWS WAF web ACL <prefix>-waf in front of the
// environment's load balancer: the AWS managed rule groups that fit this
// application (ManagedRuleGroups), a rate limit per client IP on every path,
// a stricter one on the API and the strictest on signing in, all of them
// blocking (production) or only counting (staging, to learn first); and the
// log group aws-waf-logs-<prefix>, KMS-encrypted and expiring, that receives
// what the rules blocked or counted, with the credentials redacted.
//
// The original had no WAF although its README priced "ALB Standard with
// WAF" and its guide named one for production.
package waf

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/wafv2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/ohmycoins/infra/internal/settings"
)

// APIPath is the path prefix of every API call: the API rate rule's scope.
const APIPath = "/api/"

// Args configure the firewall.
type Args struct {
	// LoadBalancerARN is the load balancer the web ACL protects.
	LoadBalancerARN pulumi.StringInput
	// KMSKeyARN encrypts the log group; the key must let CloudWatch Logs
	// use it for LogGroupName.
	KMSKeyARN pulumi.StringInput
	// LogRetentionDays is how long the log group keeps what the rules did.
	LogRetentionDays int
	// Settings are the stack's ohmycoins:waf, which New checks with Validate.
	Settings
	// Protect keeps the log group (evidence) from deletion or replacement
	// by an ordinary update; production.
	Protect bool
}

// Firewall is the web application firewall component.
type Firewall struct {
	pulumi.ResourceState

	// WebACLName is the web ACL's name: the WebACL dimension of its
	// metrics in AWS/WAFV2.
	WebACLName string
	WebACLARN  pulumi.StringOutput
	// LogGroupName is where its logs go.
	LogGroupName string
	// Counting says the rules only count: the blocked-requests alarm then
	// watches CountedRequests.
	Counting bool
}

// WebACLName is the web ACL of a name prefix.
func WebACLName(prefix string) string { return prefix + "-waf" }

// LogGroupName is the log group of a name prefix's web ACL: AWS WAF
// delivers only to log groups named aws-waf-logs-*.
func LogGroupName(prefix string) string { return "aws-waf-logs-" + prefix }

// RedactedHeaders are left out of the logs: the API's bearer tokens and the
// session cookies.
var RedactedHeaders = []string{"authorization", "cookie"}

// New creates the web ACL, its association with the load balancer, its log
// group and its logging. The component's name is the environment's name
// prefix.
func New(ctx *pulumi.Context, name string, args Args, opts ...pulumi.ResourceOption) (*Firewall, error) {
	if !args.Enabled {
		return nil, fmt.Errorf("waf: Enabled is false: the stack creates no firewall then, and must not call New")
	}
	problems := settings.NewProblems()
	args.Settings.Validate(problems)
	if !settings.ValidLogRetention(args.LogRetentionDays) {
		problems.Add("logRetentionDays", args.LogRetentionDays, settings.LogRetentionRule)
	}
	if err := problems.Err("waf"); err != nil {
		return nil, err
	}
	if args.LoadBalancerARN == nil || args.KMSKeyARN == nil {
		return nil, fmt.Errorf("waf: LoadBalancerARN and KMSKeyARN are required")
	}
	c := &Firewall{WebACLName: WebACLName(name), LogGroupName: LogGroupName(name), Counting: args.Counting()}
	if err := ctx.RegisterComponentResource("ohmycoins:waf:Firewall", name, c, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(c)

	acl, err := wafv2.NewWebAcl(ctx, c.WebACLName, &wafv2.WebAclArgs{
		Name:        pulumi.String(c.WebACLName),
		Description: pulumi.String(fmt.Sprintf("Oh My Coins %s: managed rules and rate limits in front of %s-alb (%s mode)", name, name, args.Mode)),
		Scope:       pulumi.String("REGIONAL"),
		DefaultAction: &wafv2.WebAclDefaultActionArgs{
			Allow: &wafv2.WebAclDefaultActionAllowArgs{},
		},
		Rules:            rules(c.WebACLName, args.Settings),
		VisibilityConfig: &wafv2.WebAclVisibilityConfigArgs{CloudwatchMetricsEnabled: pulumi.Bool(true), MetricName: pulumi.String(c.WebACLName), SampledRequestsEnabled: pulumi.Bool(true)},
	}, parent)
	if err != nil {
		return nil, err
	}
	// A load balancer holds one web ACL, and a web ACL one logging
	// configuration: a replacement created before its original is deleted
	// would overwrite it, and the original's delete would then remove the
	// replacement (pulumi/pulumi-aws#4782). Both are deleted first.
	deleteFirst := pulumi.DeleteBeforeReplace(true)
	if _, err := wafv2.NewWebAclAssociation(ctx, c.WebACLName+"-alb", &wafv2.WebAclAssociationArgs{
		ResourceArn: args.LoadBalancerARN,
		WebAclArn:   acl.Arn,
	}, parent, deleteFirst); err != nil {
		return nil, err
	}

	groupOpts := []pulumi.ResourceOption{parent}
	if args.Protect {
		groupOpts = append(groupOpts, pulumi.Protect(true))
	}
	group, err := cloudwatch.NewLogGroup(ctx, c.LogGroupName, &cloudwatch.LogGroupArgs{
		Name:            pulumi.String(c.LogGroupName),
		RetentionInDays: pulumi.Int(args.LogRetentionDays),
		KmsKeyId:        args.KMSKeyARN,
	}, groupOpts...)
	if err != nil {
		return nil, err
	}
	var redacted wafv2.WebAclLoggingConfigurationRedactedFieldArray
	for _, h := range RedactedHeaders {
		redacted = append(redacted, wafv2.WebAclLoggingConfigurationRedactedFieldArgs{
			SingleHeader: &wafv2.WebAclLoggingConfigurationRedactedFieldSingleHeaderArgs{Name: pulumi.String(h)},
		})
	}
	var kept wafv2.WebAclLoggingConfigurationLoggingFilterFilterConditionArray
	for _, action := range []string{"BLOCK", "COUNT"} {
		kept = append(kept, wafv2.WebAclLoggingConfigurationLoggingFilterFilterConditionArgs{
			ActionCondition: &wafv2.WebAclLoggingConfigurationLoggingFilterFilterConditionActionConditionArgs{Action: pulumi.String(action)},
		})
	}
	if _, err := wafv2.NewWebAclLoggingConfiguration(ctx, c.WebACLName+"-logging", &wafv2.WebAclLoggingConfigurationArgs{
		ResourceArn:           acl.Arn,
		LogDestinationConfigs: pulumi.StringArray{group.Arn},
		RedactedFields:        redacted,
		// Only what a rule blocked or counted is logged: what it let
		// through is in the load balancer's access logs already.
		LoggingFilter: &wafv2.WebAclLoggingConfigurationLoggingFilterArgs{
			DefaultBehavior: pulumi.String("DROP"),
			Filters: wafv2.WebAclLoggingConfigurationLoggingFilterFilterArray{
				wafv2.WebAclLoggingConfigurationLoggingFilterFilterArgs{
					Behavior: pulumi.String("KEEP"), Requirement: pulumi.String("MEETS_ANY"), Conditions: kept,
				},
			},
		},
	}, parent, deleteFirst); err != nil {
		return nil, err
	}

	c.WebACLARN = acl.Arn
	return c, ctx.RegisterResourceOutputs(c, pulumi.Map{
		"webAclName":   pulumi.String(c.WebACLName),
		"webAclArn":    acl.Arn,
		"logGroupName": pulumi.String(c.LogGroupName),
	})
}

// Priorities of the rules: reputation first (the cheapest verdict), then
// the rate limits, strictest first, then the managed inspections.
const (
	priorityLogin = 10
	priorityAPI   = 11
	priorityAll   = 12
)

// RuleNames are the web ACL's rules in order of evaluation, each also its
// metric's name after the ACL's: <acl>-<rule>.
func RuleNames() []string {
	names := []string{ManagedRuleGroups[0].Name, "rate-login", "rate-api", "rate-all"}
	for _, g := range ManagedRuleGroups[1:] {
		names = append(names, g.Name)
	}
	return names
}

// rules are the managed groups and the rate rules, in Settings' mode.
func rules(acl string, s Settings) wafv2.WebAclRuleArray {
	visibility := func(rule string) *wafv2.WebAclRuleVisibilityConfigArgs {
		return &wafv2.WebAclRuleVisibilityConfigArgs{
			CloudwatchMetricsEnabled: pulumi.Bool(true), MetricName: pulumi.String(acl + "-" + rule), SampledRequestsEnabled: pulumi.Bool(true),
		}
	}
	override := &wafv2.WebAclRuleOverrideActionArgs{None: &wafv2.WebAclRuleOverrideActionNoneArgs{}}
	action := &wafv2.WebAclRuleActionArgs{Block: &wafv2.WebAclRuleActionBlockArgs{}}
	if s.Counting() {
		override = &wafv2.WebAclRuleOverrideActionArgs{Count: &wafv2.WebAclRuleOverrideActionCountArgs{}}
		action = &wafv2.WebAclRuleActionArgs{Count: &wafv2.WebAclRuleActionCountArgs{}}
	}
	managed := func(priority int, g ManagedRuleGroup) wafv2.WebAclRuleArgs {
		return wafv2.WebAclRuleArgs{
			Name: pulumi.String(g.Name), Priority: pulumi.Int(priority), OverrideAction: override,
			Statement: &wafv2.WebAclRuleStatementArgs{ManagedRuleGroupStatement: &wafv2.WebAclRuleStatementManagedRuleGroupStatementArgs{
				VendorName: pulumi.String("AWS"), Name: pulumi.String(g.Name),
			}},
			VisibilityConfig: visibility(g.Name),
		}
	}
	rate := func(name string, priority, limit int, scope *wafv2.WebAclRuleStatementRateBasedStatementScopeDownStatementArgs) wafv2.WebAclRuleArgs {
		return wafv2.WebAclRuleArgs{
			Name: pulumi.String(name), Priority: pulumi.Int(priority), Action: action,
			Statement: &wafv2.WebAclRuleStatementArgs{RateBasedStatement: &wafv2.WebAclRuleStatementRateBasedStatementArgs{
				Limit: pulumi.Int(limit), AggregateKeyType: pulumi.String("IP"), EvaluationWindowSec: pulumi.Int(300),
				ScopeDownStatement: scope,
			}},
			VisibilityConfig: visibility(name),
		}
	}
	out := wafv2.WebAclRuleArray{managed(0, ManagedRuleGroups[0])}
	out = append(out,
		rate("rate-login", priorityLogin, s.LoginRateLimit, startsWithAny(s.LoginPaths)),
		rate("rate-api", priorityAPI, s.APIRateLimit, startsWithAny([]string{APIPath})),
		rate("rate-all", priorityAll, s.RateLimit, nil),
	)
	for i, g := range ManagedRuleGroups[1:] {
		out = append(out, managed(20+10*i, g))
	}
	return out
}

// startsWithAny scopes a rate rule down to requests whose path starts with
// one of prefixes: a byte match for one, an OR of them for several. Paths are
// matched as sent (FastAPI's routes are case-sensitive).
func startsWithAny(prefixes []string) *wafv2.WebAclRuleStatementRateBasedStatementScopeDownStatementArgs {
	if len(prefixes) == 1 {
		return &wafv2.WebAclRuleStatementRateBasedStatementScopeDownStatementArgs{
			ByteMatchStatement: &wafv2.WebAclRuleStatementRateBasedStatementScopeDownStatementByteMatchStatementArgs{
				SearchString: pulumi.String(prefixes[0]), PositionalConstraint: pulumi.String("STARTS_WITH"),
				FieldToMatch: &wafv2.WebAclRuleStatementRateBasedStatementScopeDownStatementByteMatchStatementFieldToMatchArgs{
					UriPath: &wafv2.WebAclRuleStatementRateBasedStatementScopeDownStatementByteMatchStatementFieldToMatchUriPathArgs{},
				},
				TextTransformations: wafv2.WebAclRuleStatementRateBasedStatementScopeDownStatementByteMatchStatementTextTransformationArray{
					wafv2.WebAclRuleStatementRateBasedStatementScopeDownStatementByteMatchStatementTextTransformationArgs{Priority: pulumi.Int(0), Type: pulumi.String("NONE")},
				},
			},
		}
	}
	var any wafv2.WebAclRuleStatementArray
	for _, p := range prefixes {
		any = append(any, wafv2.WebAclRuleStatementArgs{
			ByteMatchStatement: &wafv2.WebAclRuleStatementByteMatchStatementArgs{
				SearchString: pulumi.String(p), PositionalConstraint: pulumi.String("STARTS_WITH"),
				FieldToMatch: &wafv2.WebAclRuleStatementByteMatchStatementFieldToMatchArgs{
					UriPath: &wafv2.WebAclRuleStatementByteMatchStatementFieldToMatchUriPathArgs{},
				},
				TextTransformations: wafv2.WebAclRuleStatementByteMatchStatementTextTransformationArray{
					wafv2.WebAclRuleStatementByteMatchStatementTextTransformationArgs{Priority: pulumi.Int(0), Type: pulumi.String("NONE")},
				},
			},
		})
	}
	return &wafv2.WebAclRuleStatementRateBasedStatementScopeDownStatementArgs{
		OrStatement: &wafv2.WebAclRuleStatementRateBasedStatementScopeDownStatementOrStatementArgs{Statements: any},
	}
}
