package awstype

import (
	"fmt"

	"github.com/ohmycoins/infra/internal/mockcloud"
	"github.com/ohmycoins/infra/internal/stackplan"
)

// The web application firewall: the web ACL, its association with the load
// balancer and its logging (aws:wafv2/*).
func init() {
	register(
		Entry{
			// A regional web ACL: WAF gives it an id; its ARN names both,
			// and its capacity is the WCU of its rules.
			Token: "aws:wafv2/webAcl:WebAcl",
			Answer: func(e mockcloud.Env, r *mockcloud.Request) string {
				id := r.UUID()
				name := r.Physical("name")
				r.Set("name", name)
				r.Set("arn", e.ARN("wafv2", "regional/webacl/"+name+"/"+id))
				r.Set("lockToken", r.UUID())
				r.Set("applicationIntegrationUrl", "")
				return id
			},
			Price: priceWebACL,
			// Terraform's id is the web ACL's id; the import form adds its
			// name and scope (id/name/scope).
			Terraform: Terraform{Identity: []Key{byName("name"), byName("scope")}, ImportID: importJoined("/", "id", "name", "scope")},
		},
		Entry{
			Token: "aws:wafv2/webAclAssociation:WebAclAssociation",
			// The association's id joins the web ACL's ARN and the resource's.
			Answer: func(_ mockcloud.Env, r *mockcloud.Request) string {
				return r.Str("webAclArn") + "," + r.Str("resourceArn")
			},
			Free:      "an association costs nothing: the web ACL's requests are priced with it",
			Terraform: Terraform{Identity: []Key{byRef("resource_arn")}, ImportID: importJoined(",", "web_acl_arn", "resource_arn")},
		},
		Entry{
			Token: "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration",
			// A web ACL has one logging configuration; its id is the ACL's ARN.
			Answer: func(_ mockcloud.Env, r *mockcloud.Request) string {
				return r.Str("resourceArn")
			},
			Free:      "logging costs nothing by itself: the log group it delivers to prices the logs (wafLogGbPerMonth)",
			Terraform: Terraform{Identity: []Key{byRef("resource_arn")}, ImportID: importBy("resource_arn")},
		},
	)
}

// priceWebACL prices a web ACL as AWS WAF does: the ACL, each of its rules
// (a managed rule group is one rule), and the requests it inspects
// (wafRequestsMillionsPerMonth).
func priceWebACL(p Pricing, r stackplan.Resource) (Cost, bool) {
	rules := float64(len(list(r.Inputs["rules"])))
	requests := p.Assume("wafRequestsMillionsPerMonth")
	acl, rule, million := p.Price("waf.web-acl-month"), p.Price("waf.rule-month"), p.Price("waf.million-requests")
	return Cost{Monthly: acl + rules*rule + requests*million,
		Basis: fmt.Sprintf("1 web ACL × $%g + %g rules × $%g + %g million requests × $%g (wafRequestsMillionsPerMonth)", acl, rules, rule, requests, million)}, true
}
