package dns

import (
	"fmt"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/require"

	"github.com/ohmycoins/infra/internal/componenttest"
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
