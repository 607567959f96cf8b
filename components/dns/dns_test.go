package dns

import (
	"fmt"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/require"

	"github.com/ohmycoins/infra/internal/componenttest"
	"github.com/ohmycoins/infra/internal/settings"
)

func TestHostsAreTheDomainsAndTheApexOnlyWhenTheDomainIsTheZone(t *testing.T) {
	t.Parallel()
	sub := HostsFor("staging.example.com", "example.com")
	require.Equal(t, []string{"api.staging.example.com", "dashboard.staging.example.com"}, sub.Aliases)
	require.Equal(t, []string{"staging.example.com", "api.staging.example.com", "dashboard.staging.example.com"}, sub.Certificate)
	apex := HostsFor("example.com", "example.com")
	require.Equal(t, []string{"example.com", "www.example.com", "api.example.com", "dashboard.example.com"}, apex.Aliases)
	require.Equal(t, []string{"example.com", "www.example.com", "api.example.com", "dashboard.example.com"}, apex.Certificate)
}

// TestTheCertificateIsValidatedThroughTheZone: one validation record per
// name, as ACM asks for it, in the zone; the ARN given out is the
// validation's, so a listener waits for it.
func TestTheCertificateIsValidatedThroughTheZone(t *testing.T) {
	t.Parallel()
	domains := []string{"example.com", "www.example.com", "api.example.com"}
	result := componenttest.Result(t, func(ctx *pulumi.Context) error {
		_, err := NewCertificate(ctx, "env", CertificateArgs{ZoneName: "example.com", Domains: domains})
		return err
	})
	require.Contains(t, result.Invokes, "aws:route53/getZone:getZone", "the zone exists already: it is looked up, not created")
	plan := result.Plan
	cert := componenttest.Named(t, plan, "aws:acm/certificate:Certificate", "env-certificate")
	require.Equal(t, "example.com", cert.Inputs["domainName"])
	require.Equal(t, []any{"www.example.com", "api.example.com"}, cert.Inputs["subjectAlternativeNames"])
	require.Equal(t, "DNS", cert.Inputs["validationMethod"])
	var fqdns []any
	var zone any
	for i, option := range cert.Outputs["domainValidationOptions"].([]any) {
		o := option.(map[string]any)
		record := componenttest.Named(t, plan, "aws:route53/record:Record", fmt.Sprintf("env-certificate-validation-%d", i+1))
		require.Equal(t, o["resourceRecordName"], record.Inputs["name"])
		require.Equal(t, o["resourceRecordType"], record.Inputs["type"])
		require.Equal(t, []any{o["resourceRecordValue"]}, record.Inputs["records"])
		require.Equal(t, true, record.Inputs["allowOverwrite"], "a record left by an earlier request is taken over")
		if zone == nil {
			zone = record.Inputs["zoneId"]
		}
		require.Equal(t, zone, record.Inputs["zoneId"])
		fqdns = append(fqdns, record.Outputs["fqdn"])
	}
	require.Len(t, fqdns, len(domains), "one validation record per name")
	validation := componenttest.Named(t, plan, "aws:acm/certificateValidation:CertificateValidation", "env-certificate-validation")
	require.Equal(t, cert.Outputs["arn"], validation.Inputs["certificateArn"])
	require.Equal(t, fqdns, validation.Inputs["validationRecordFqdns"])
}

func TestEachHostIsAnAliasOfTheLoadBalancer(t *testing.T) {
	t.Parallel()
	hosts := []string{"api.example.com", "dashboard.example.com"}
	plan := componenttest.Run(t, func(ctx *pulumi.Context) error {
		_, err := NewAliases(ctx, "env", AliasesArgs{ZoneID: pulumi.String("Z1"), Hosts: hosts,
			LoadBalancerDNSName: pulumi.String("env-alb-1.elb.amazonaws.com"), LoadBalancerZoneID: pulumi.String("Z1GM3OXH4ZPM65")})
		return err
	})
	records := plan.OfType("aws:route53/record:Record")
	require.Len(t, records, len(hosts))
	for _, host := range hosts {
		r := componenttest.Named(t, plan, "aws:route53/record:Record", "env-alias-"+host)
		require.Equal(t, host, r.Inputs["name"])
		require.Equal(t, "A", r.Inputs["type"])
		require.Equal(t, "Z1", r.Inputs["zoneId"])
		require.Equal(t, true, r.Inputs["allowOverwrite"], "records made by hand are taken over")
		require.Equal(t, []any{map[string]any{"name": "env-alb-1.elb.amazonaws.com", "zoneId": "Z1GM3OXH4ZPM65", "evaluateTargetHealth": true}}, r.Inputs["aliases"])
	}
}

func TestDNSRefusesNamesOutsideTheZone(t *testing.T) {
	t.Parallel()
	err := componenttest.Error(t, func(ctx *pulumi.Context) error {
		_, err := NewCertificate(ctx, "env", CertificateArgs{ZoneName: "example.com", Domains: []string{"example.org"}})
		return err
	})
	require.ErrorContains(t, err, "dns: example.org is not in zone example.com")
	err = componenttest.Error(t, func(ctx *pulumi.Context) error {
		_, err := NewAliases(ctx, "env", AliasesArgs{Hosts: []string{"a.example.com"}})
		return err
	})
	require.ErrorContains(t, err, "dns: ZoneID and the load balancer's DNS name and zone are required")
}

// TestTheZoneDelegatesSubdomainsToAnotherAccountsZone: each delegation is one
// NS record of the subdomain with the other zone's name servers, kept two
// days, beside the aliases.
func TestTheZoneDelegatesSubdomainsToAnotherAccountsZone(t *testing.T) {
	t.Parallel()
	servers := []string{"ns-1.awsdns-01.com", "ns-600.awsdns-01.net", "ns-1100.awsdns-01.org", "ns-1600.awsdns-01.co.uk"}
	plan := componenttest.Run(t, func(ctx *pulumi.Context) error {
		_, err := NewAliases(ctx, "env", AliasesArgs{ZoneID: pulumi.String("Z1"), Hosts: []string{"api.example.com"},
			LoadBalancerDNSName: pulumi.String("env-alb-1.elb.amazonaws.com"), LoadBalancerZoneID: pulumi.String("Z1GM3OXH4ZPM65"),
			Delegations: map[string][]string{"staging.example.com": servers}})
		return err
	})
	require.Len(t, plan.OfType("aws:route53/record:Record"), 2)
	ns := componenttest.Named(t, plan, "aws:route53/record:Record", "env-delegation-staging.example.com")
	require.Equal(t, "staging.example.com", ns.Inputs["name"])
	require.Equal(t, "NS", ns.Inputs["type"])
	require.Equal(t, "Z1", ns.Inputs["zoneId"])
	require.Equal(t, 172800.0, ns.Inputs["ttl"])
	require.Equal(t, []any{servers[0], servers[1], servers[2], servers[3]}, ns.Inputs["records"])
	require.Nil(t, ns.Inputs["allowOverwrite"], "a delegation that exists already is an error to look at, never taken over")
}

// TestDelegationsAreCheckedBeforeAnythingIsCreated: a delegation must be a
// subdomain of the stack's zone with 2 to 8 distinct name servers.
func TestDelegationsAreCheckedBeforeAnythingIsCreated(t *testing.T) {
	t.Parallel()
	four := []string{"ns-1.awsdns-01.com", "ns-600.awsdns-01.net", "ns-1100.awsdns-01.org", "ns-1600.awsdns-01.co.uk"}
	problems := func(s Settings) []string {
		p := settings.NewProblems()
		s.Validate(p.In("dns"))
		var out []string
		for _, problem := range p.List() {
			out = append(out, fmt.Sprintf("%s = %v: %s", problem.Key, problem.Value, problem.Rule))
		}
		return out
	}
	require.Empty(t, problems(Settings{ZoneName: "example.com", Delegations: map[string][]string{"staging.example.com": four}}))
	require.Equal(t, []string{"dns.delegations.staging.example.org = staging.example.org: must be a subdomain of the zone example.com: the zone can delegate only names below it"},
		problems(Settings{ZoneName: "example.com", Delegations: map[string][]string{"staging.example.org": four}}))
	require.Equal(t, []string{"dns.delegations.example.com = example.com: must be a subdomain of the zone example.com: the zone can delegate only names below it"},
		problems(Settings{ZoneName: "example.com", Delegations: map[string][]string{"example.com": four}}))
	require.Equal(t, []string{"dns.delegations.staging.example.com = [ns-1.awsdns-01.com]: must list the delegated zone's 2 to 8 name servers (pulumi stack output hosted_zone_name_servers of its account's bootstrap stack)"},
		problems(Settings{ZoneName: "example.com", Delegations: map[string][]string{"staging.example.com": four[:1]}}))
	require.Equal(t, []string{"dns.delegations.staging.example.com = ns-1.awsdns-01.com: is listed twice"},
		problems(Settings{ZoneName: "example.com", Delegations: map[string][]string{"staging.example.com": {four[0], four[1], "ns-1.awsdns-01.com."}}}))
	require.Equal(t, []string{`dns.delegations.staging.example.com = ns 1: each name server has the label "ns 1", which is not a DNS label (1-63 lower-case letters, digits and hyphens, no hyphen first or last)`},
		problems(Settings{ZoneName: "example.com", Delegations: map[string][]string{"staging.example.com": {four[0], "ns 1"}}}))
	require.Equal(t, []string{"dns.delegations.staging.example.com = [ns-1.awsdns-01.com ns-600.awsdns-01.net ns-1100.awsdns-01.org ns-1600.awsdns-01.co.uk]: needs dns.zoneName: a delegation is an NS record in the stack's zone"},
		problems(Settings{Delegations: map[string][]string{"staging.example.com": four}}))
	s := Settings{ZoneName: "example.com", Delegations: map[string][]string{"staging.example.com": four}}
	require.Equal(t, "staging.example.com", s.DelegationCovering("api.staging.example.com"))
	require.Equal(t, "staging.example.com", s.DelegationCovering("staging.example.com"))
	require.Equal(t, "", s.DelegationCovering("xstaging.example.com"))
	require.Equal(t, "", s.DelegationCovering("api.example.com"))
}
