// Package dns puts the environment on its domain: an ACM certificate for its
// hosts, validated through DNS records in the existing public Route 53 zone
// (the original hard-coded a certificate made by hand: defect E3), and alias A
// records that point the hosts at the load balancer, and the NS records of the
// subdomains the zone delegates to another account's zone.
//
// It is two components because the load balancer sits between them: the
// certificate must be valid before the HTTPS listener uses it, and the alias
// records need the load balancer's DNS name.
package dns

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/acm"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/route53"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Hosts are the host names of an environment on domain within zone: the API
// and the dashboard always; the apex and www when the domain is the zone's apex
// (production). Aliases point at the load balancer; Certificate is what the
// certificate covers: the aliases and the domain itself.
type Hosts struct {
	Aliases     []string
	Certificate []string
}

// HostsFor lists the hosts of domain in zone.
func HostsFor(domain, zone string) Hosts {
	var h Hosts
	if domain == zone {
		h.Aliases = []string{domain, "www." + domain}
	}
	h.Aliases = append(h.Aliases, "api."+domain, "dashboard."+domain)
	h.Certificate = append([]string{domain}, without(h.Aliases, domain)...)
	return h
}

func without(list []string, s string) []string {
	var out []string
	for _, v := range list {
		if v != s {
			out = append(out, v)
		}
	}
	return out
}

// CertificateArgs configure the certificate.
type CertificateArgs struct {
	// ZoneName is the existing public hosted zone, e.g. ohmycoins.com.
	ZoneName string
	// Domains are the names the certificate covers; the first is its subject.
	Domains []string
}

// Certificate is the validated certificate component.
type Certificate struct {
	pulumi.ResourceState

	// ARN is the certificate's ARN once ACM has validated it: a listener given
	// this ARN waits for the validation.
	ARN pulumi.StringOutput
	// ZoneID is the hosted zone's id.
	ZoneID pulumi.StringOutput
}

// NewCertificate requests the certificate and validates it through DNS. The
// component's name is the environment's name prefix.
func NewCertificate(ctx *pulumi.Context, name string, args CertificateArgs, opts ...pulumi.ResourceOption) (*Certificate, error) {
	if args.ZoneName == "" || len(args.Domains) == 0 {
		return nil, fmt.Errorf("dns: ZoneName and Domains are required")
	}
	for _, d := range args.Domains {
		if d != args.ZoneName && !strings.HasSuffix(d, "."+args.ZoneName) {
			return nil, fmt.Errorf("dns: %s is not in zone %s", d, args.ZoneName)
		}
	}
	c := &Certificate{}
	if err := ctx.RegisterComponentResource("ohmycoins:dns:Certificate", name, c, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(c)

	zone := route53.LookupZoneOutput(ctx, route53.LookupZoneOutputArgs{
		Name: pulumi.String(args.ZoneName), PrivateZone: pulumi.Bool(false),
	}, parent)
	c.ZoneID = zone.ZoneId()

	cert, err := acm.NewCertificate(ctx, name+"-certificate", &acm.CertificateArgs{
		DomainName:              pulumi.String(args.Domains[0]),
		SubjectAlternativeNames: pulumi.ToStringArray(args.Domains[1:]),
		ValidationMethod:        pulumi.String("DNS"),
		KeyAlgorithm:            pulumi.String("RSA_2048"),
	}, parent)
	if err != nil {
		return nil, err
	}

	// One validation record per name on the certificate; ACM lists them in the
	// order of the request, subject first.
	var fqdns pulumi.StringArray
	for i := range args.Domains {
		option := cert.DomainValidationOptions.Index(pulumi.Int(i))
		record, err := route53.NewRecord(ctx, fmt.Sprintf("%s-certificate-validation-%d", name, i+1), &route53.RecordArgs{
			ZoneId:         c.ZoneID,
			Name:           option.ResourceRecordName().Elem(),
			Type:           option.ResourceRecordType().Elem(),
			Records:        pulumi.StringArray{option.ResourceRecordValue().Elem()},
			Ttl:            pulumi.Int(300),
			AllowOverwrite: pulumi.Bool(true),
		}, parent)
		if err != nil {
			return nil, err
		}
		fqdns = append(fqdns, record.Fqdn)
	}
	validation, err := acm.NewCertificateValidation(ctx, name+"-certificate-validation", &acm.CertificateValidationArgs{
		CertificateArn:        cert.Arn,
		ValidationRecordFqdns: fqdns,
	}, parent)
	if err != nil {
		return nil, err
	}
	c.ARN = validation.CertificateArn
	return c, ctx.RegisterResourceOutputs(c, pulumi.Map{"arn": c.ARN, "zoneId": c.ZoneID})
}

// AliasesArgs configure the alias records.
type AliasesArgs struct {
	ZoneID pulumi.StringInput
	// Hosts each get an A alias to the load balancer.
	Hosts []string
	// LoadBalancerDNSName and LoadBalancerZoneID are the ALB's.
	LoadBalancerDNSName pulumi.StringInput
	LoadBalancerZoneID  pulumi.StringInput
	// Delegations are the subdomains the zone hands to another account's
	// zone, with its name servers (Settings.Delegations): each gets an NS record.
	Delegations map[string][]string
}

// DelegationTTL is the delegations' NS records' time to live, in seconds:
// the two days Route 53 gives a zone's own NS record, since the name servers
// of a zone never change while the zone lives.
const DelegationTTL = 172800

// Aliases is the alias records component.
type Aliases struct {
	pulumi.ResourceState

	// ZoneID is the hosted zone the records are in: the zone whose records
	// the stack manages.
	ZoneID pulumi.StringOutput
}

// NewAliases points each host at the load balancer. The component's name is
// the environment's name prefix; record i is named after its host. The
// delegations' NS records are named after their subdomains.
func NewAliases(ctx *pulumi.Context, name string, args AliasesArgs, opts ...pulumi.ResourceOption) (*Aliases, error) {
	if args.ZoneID == nil || args.LoadBalancerDNSName == nil || args.LoadBalancerZoneID == nil {
		return nil, fmt.Errorf("dns: ZoneID and the load balancer's DNS name and zone are required")
	}
	c := &Aliases{ZoneID: args.ZoneID.ToStringOutput()}
	if err := ctx.RegisterComponentResource("ohmycoins:dns:Aliases", name, c, opts...); err != nil {
		return nil, err
	}
	for _, host := range args.Hosts {
		if _, err := route53.NewRecord(ctx, name+"-alias-"+host, &route53.RecordArgs{
			ZoneId: args.ZoneID,
			Name:   pulumi.String(host),
			Type:   pulumi.String("A"),
			// The original environments' records exist (made by Terraform or
			// by hand): the create takes them over instead of failing.
			AllowOverwrite: pulumi.Bool(true),
			Aliases: route53.RecordAliasArray{route53.RecordAliasArgs{
				Name:                 args.LoadBalancerDNSName,
				ZoneId:               args.LoadBalancerZoneID,
				EvaluateTargetHealth: pulumi.Bool(true),
			}},
		}, pulumi.Parent(c)); err != nil {
			return nil, err
		}
	}
	for _, sub := range slices.Sorted(maps.Keys(args.Delegations)) {
		if _, err := route53.NewRecord(ctx, name+"-delegation-"+sub, &route53.RecordArgs{
			ZoneId:  args.ZoneID,
			Name:    pulumi.String(sub),
			Type:    pulumi.String("NS"),
			Ttl:     pulumi.Int(DelegationTTL),
			Records: pulumi.ToStringArray(args.Delegations[sub]),
		}, pulumi.Parent(c)); err != nil {
			return nil, err
		}
	}
	return c, ctx.RegisterResourceOutputs(c, pulumi.Map{"hosts": pulumi.ToStringArray(args.Hosts)})
}
