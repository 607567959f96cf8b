package policy

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ohmycoins/infra/internal/stackplan"
)

// BaselineRuleGroups are the AWS managed rule groups every web ACL runs: the
// ones AWS recommends for any application behind a load balancer.
var BaselineRuleGroups = []string{"AWSManagedRulesAmazonIpReputationList", "AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet"}

// elbBehindWebACL: every internet-facing load balancer is associated with a
// web ACL of the plan (Security Hub ELB.16).
func elbBehindWebACL(p Plan) []Violation {
	protected := map[string]bool{}
	for _, a := range p.OfType(tWebACLAssoc) {
		protected[str(in(a, "resourceArn"))] = true
	}
	return p.each(tLB, func(r stackplan.Resource) []string {
		if isTrue(in(r, "internal")) {
			return nil
		}
		return unless(protected[str(out(r, "arn"))], "no web ACL is associated with it (ohmycoins:waf.enabled)")
	})
}

// wafBaseline: a web ACL runs the baseline managed groups and at least one
// rate-based rule (Security Hub WAF.10 asks for one rule at least).
func wafBaseline(p Plan) []Violation {
	return p.each(tWebACL, func(r stackplan.Resource) []string {
		var groups []string
		rate := false
		for _, rule := range list(in(r, "rules")) {
			statement, _ := rule.(map[string]any)["statement"].(map[string]any)
			if g, ok := statement["managedRuleGroupStatement"].(map[string]any); ok && str(g["vendorName"]) == "AWS" {
				groups = append(groups, str(g["name"]))
			}
			if _, ok := statement["rateBasedStatement"].(map[string]any); ok {
				rate = true
			}
		}
		var problems []string
		for _, want := range BaselineRuleGroups {
			if !slices.Contains(groups, want) {
				problems = append(problems, "does not run the AWS managed rule group "+want)
			}
		}
		if !rate {
			problems = append(problems, "has no rate-based rule limiting requests per client IP")
		}
		return problems
	})
}

// wafLogging: every web ACL has a logging configuration (Security Hub WAF.11).
func wafLogging(p Plan) []Violation {
	logged := map[string]bool{}
	for _, l := range p.OfType(tWebACLLogging) {
		if len(list(in(l, "logDestinationConfigs"))) > 0 {
			logged[str(in(l, "resourceArn"))] = true
		}
	}
	return p.each(tWebACL, func(r stackplan.Resource) []string {
		return unless(logged[str(out(r, "arn"))], "has no logging configuration delivering to a log destination")
	})
}

// wafBlocks: in production every rule acts; a managed group overridden to
// count, or a rule whose action is count, only watches (staging's mode).
func wafBlocks(p Plan) []Violation {
	return p.each(tWebACL, func(r stackplan.Resource) []string {
		var counting []string
		for _, rule := range list(in(r, "rules")) {
			m, _ := rule.(map[string]any)
			override, _ := m["overrideAction"].(map[string]any)
			action, _ := m["action"].(map[string]any)
			if _, ok := override["count"]; ok {
				counting = append(counting, str(m["name"]))
			} else if _, ok := action["count"]; ok {
				counting = append(counting, str(m["name"]))
			}
		}
		if len(counting) == 0 {
			return nil
		}
		return []string{fmt.Sprintf("rules only count: %s (ohmycoins:waf.mode must be block)", strings.Join(counting, ", "))}
	})
}

// alertsPage: production's alert topic pages someone: an HTTPS subscription
// (the paging service's integration) besides the e-mail addresses, which
// nobody reads at 3 a.m.
func alertsPage(p Plan) []Violation {
	paged := map[string]bool{}
	for _, s := range p.OfType(tSubscription) {
		if str(in(s, "protocol")) == "https" {
			paged[str(in(s, "topic"))] = true
		}
	}
	return p.each(tTopic, func(r stackplan.Resource) []string {
		return unless(paged[str(out(r, "arn"))], "no paging service is subscribed to it (ohmycoins:alerts.page and ohmycoins:pagingUrl)")
	})
}

// chatbotGuarded: a chat channel's members act through AWS Chatbot within
// guardrails narrower than AWS's default (AdministratorAccess), and only
// after each authorises as themselves.
func chatbotGuarded(p Plan) []Violation {
	check := func(r stackplan.Resource) []string {
		var problems []string
		guardrails := list(in(r, "guardrailPolicyArns"))
		if len(guardrails) == 0 {
			problems = append(problems, "has no guardrail policy: AWS Chatbot then applies AdministratorAccess")
		}
		for _, g := range guardrails {
			if slices.Contains(BroadPolicies, str(g)) {
				problems = append(problems, "its guardrail "+str(g)+" lets the channel do more than read")
			}
		}
		if !isTrue(in(r, "userAuthorizationRequired")) {
			problems = append(problems, "userAuthorizationRequired is false: anyone in the channel acts with the role")
		}
		return problems
	}
	return append(p.each(tSlack, check), p.each(tTeams, check)...)
}

// BroadPolicies are AWS managed policies no guardrail may be: they allow
// writes, or reads of every log, secret and object.
var BroadPolicies = []string{
	"arn:aws:iam::aws:policy/AdministratorAccess", "arn:aws:iam::aws:policy/PowerUserAccess",
	"arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::aws:policy/IAMFullAccess",
}

// dataCrossRegionBackups: production's database outlives its region: its
// automated backups are replicated to another region, under a key of that
// region, and both are protected.
func dataCrossRegionBackups(p Plan) []Violation {
	replicated := map[string]stackplan.Resource{}
	for _, r := range p.OfType(tReplication) {
		replicated[str(in(r, "sourceDbInstanceArn"))] = r
	}
	return p.each(tDB, func(db stackplan.Resource) []string {
		r, ok := replicated[str(out(db, "arn"))]
		if !ok {
			return []string{"its backups are not replicated to another region (ohmycoins:dr.region)"}
		}
		var problems []string
		if !r.Protect {
			problems = append(problems, "the replication of its backups is not protected")
		}
		if key, ok := p.keyByARN(str(in(r, "kmsKeyId"))); !ok || !key.Protect {
			problems = append(problems, "the replicated backups are not encrypted with a protected key of the stack")
		}
		return problems
	})
}
