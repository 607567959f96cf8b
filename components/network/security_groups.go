package network

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/vpc"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/ohmycoins/infra/internal/physicalname"
	"github.com/ohmycoins/infra/internal/ports"
	"github.com/ohmycoins/infra/internal/service"
)

// tierGroups are the security groups of the tiers: one per service, so that
// the data tiers can admit the services with data access and nothing else
// (defect D3).
type tierGroups struct {
	alb, database, cache *ec2.SecurityGroup
	// services are the services' groups, by service name.
	services  map[string]*ec2.SecurityGroup
	endpoints *ec2.SecurityGroup // nil without interface endpoints
}

// rule is one security group rule: ingress from, or egress to, either a CIDR
// block or another security group.
type rule struct {
	suffix      string // of the rule's name: <group>-<suffix>
	egress      bool
	port        int
	cidrIPv4    string
	cidrIPv6    string
	peer        *ec2.SecurityGroup
	description string
}

// serviceGroupDescription says what a service's group lets through; it is
// part of the group's identity (a new description replaces the group).
func serviceGroupDescription(s service.Service) string {
	in := "in from the load balancer"
	if !s.BehindLoadBalancer() {
		in = "no inbound"
	}
	out := "out to HTTPS only"
	if s.DataAccess {
		out = "out to the data tiers and HTTPS"
	}
	return s.Title() + " tasks: " + in + ", " + out
}

// dataTierSuffix names a data tier's ingress rule from a client: the api
// service's rules keep the names they had when it was the only client.
func dataTierSuffix(base string, client service.Service) string {
	if client.Role == service.API {
		return base
	}
	return base + "-" + client.Name
}

// securityGroups creates one group per tier and per service, and their rules:
// the whole traffic policy of the environment.
//
//	internet --80/443--> alb --8000--> api (backend) --5432--> database
//	                         --80----> web (frontend)   --6379--> cache
//	                  every service --443--> AWS APIs, ECR (with data access also the LLM provider)
//	                  workers: no inbound; with data access, to the database and the cache
//
// The data tiers have no egress at all and admit only the services with
// data access; the ALB may only reach the services behind it, each on its
// own port.
func (b *builder) securityGroups() (tierGroups, error) {
	g := tierGroups{services: map[string]*ec2.SecurityGroup{}}
	clients := service.Sentence(service.Names(service.DataClients(b.args.Services)))
	var err error
	if g.alb, err = b.securityGroup("alb-sg", "Load balancer: HTTP and HTTPS from the internet, out to the services only"); err != nil {
		return g, err
	}
	for _, s := range b.args.Services {
		if g.services[s.Name], err = b.securityGroup(s.Name+"-sg", serviceGroupDescription(s)); err != nil {
			return g, err
		}
	}
	if g.database, err = b.securityGroup("rds-sg", "PostgreSQL: in from the "+clients+" tasks only, no egress"); err != nil {
		return g, err
	}
	if g.cache, err = b.securityGroup("redis-sg", "Redis: in from the "+clients+" tasks only, no egress"); err != nil {
		return g, err
	}
	if b.args.InterfaceEndpoints {
		if g.endpoints, err = b.securityGroup("vpce-sg", "VPC interface endpoints: HTTPS from the ECS tasks only"); err != nil {
			return g, err
		}
	}

	type ruleSet struct {
		group *ec2.SecurityGroup
		name  string
		rules []rule
	}
	albRules := []rule{
		{suffix: "in-https-ipv4", port: ports.HTTPS, cidrIPv4: anywhere, description: "HTTPS from the internet"},
		{suffix: "in-https-ipv6", port: ports.HTTPS, cidrIPv6: "::/0", description: "HTTPS from the internet (IPv6)"},
		{suffix: "in-http-ipv4", port: ports.HTTP, cidrIPv4: anywhere, description: "HTTP from the internet, redirected to HTTPS when a certificate is set"},
		{suffix: "in-http-ipv6", port: ports.HTTP, cidrIPv6: "::/0", description: "HTTP from the internet (IPv6)"},
	}
	var databaseIngress, cacheIngress, endpointIngress []rule
	var serviceSets []ruleSet
	for _, s := range b.args.Services {
		group := g.services[s.Name]
		var rules []rule
		if s.BehindLoadBalancer() {
			albRules = append(albRules, rule{suffix: "out-" + s.Name, egress: true, port: s.Port(), peer: group, description: "To the " + s.Name + " tasks"})
			rules = append(rules, rule{suffix: "in-" + s.Name, port: s.Port(), peer: g.alb, description: s.Title() + " traffic from the load balancer"})
		}
		if s.DataAccess {
			rules = append(rules,
				rule{suffix: "out-https", egress: true, port: ports.HTTPS, cidrIPv4: anywhere, description: "HTTPS to ECR, AWS APIs and the LLM provider"},
				rule{suffix: "out-postgres", egress: true, port: ports.Postgres, peer: g.database, description: "PostgreSQL"},
				rule{suffix: "out-redis", egress: true, port: ports.Redis, peer: g.cache, description: "Redis"})
			if b.args.SMTPPort != 0 {
				rules = append(rules, rule{suffix: "out-smtp", egress: true, port: b.args.SMTPPort, cidrIPv4: anywhere, description: "SMTP relay for outgoing mail"})
			}
			databaseIngress = append(databaseIngress, rule{suffix: dataTierSuffix("in-postgres", s), port: ports.Postgres, peer: group, description: "PostgreSQL from the " + s.Name + " tasks"})
			cacheIngress = append(cacheIngress, rule{suffix: dataTierSuffix("in-redis", s), port: ports.Redis, peer: group, description: "Redis from the " + s.Name + " tasks"})
		} else {
			rules = append(rules, rule{suffix: "out-https", egress: true, port: ports.HTTPS, cidrIPv4: anywhere, description: "HTTPS to ECR and CloudWatch Logs"})
		}
		endpointIngress = append(endpointIngress, rule{suffix: "in-https-" + s.Name, port: ports.HTTPS, peer: group, description: "HTTPS from the " + s.Name + " tasks"})
		serviceSets = append(serviceSets, ruleSet{group, s.Name + "-sg", rules})
	}
	for i, cidr := range b.args.ManagementCIDRs {
		databaseIngress = append(databaseIngress, rule{suffix: fmt.Sprintf("in-management-%d", i+1), port: ports.Postgres, cidrIPv4: cidr, description: "PostgreSQL from management network " + cidr})
	}

	sets := append([]ruleSet{{g.alb, "alb-sg", albRules}}, serviceSets...)
	sets = append(sets,
		ruleSet{g.database, "rds-sg", databaseIngress},
		ruleSet{g.cache, "redis-sg", cacheIngress},
		ruleSet{g.endpoints, "vpce-sg", endpointIngress})
	for _, set := range sets {
		if set.group == nil {
			continue
		}
		for _, r := range set.rules {
			if err := b.securityGroupRule(set.group, b.name+"-"+set.name+"-"+r.suffix, r); err != nil {
				return g, err
			}
		}
	}
	return g, nil
}

// SecurityGroupName is the AWS name of a tier's security group: <prefix>-<role>
// and a digest of what forces its replacement (its description and the VPC,
// which only a new VPC CIDR replaces), so that a replacement is created beside
// the group it replaces instead of failing on its name. A group in use cannot
// be deleted first.
func SecurityGroupName(prefix, role, description, vpcCIDR string) string {
	return physicalname.Unique(prefix+"-"+role, 6, description, vpcCIDR)
}

// securityGroup creates an empty group; rules are separate resources, and AWS's
// default allow-all egress rule is removed on creation.
func (b *builder) securityGroup(role, description string) (*ec2.SecurityGroup, error) {
	name := b.name + "-" + role
	return ec2.NewSecurityGroup(b.ctx, name, &ec2.SecurityGroupArgs{
		Name:        pulumi.String(SecurityGroupName(b.name, role, description, b.args.VPCCIDR)),
		Description: pulumi.String(description),
		VpcId:       b.vpcID,
		// The ALB and the service groups reference each other: revoke rules first
		// so a delete does not wait on the other group.
		RevokeRulesOnDelete: pulumi.Bool(true),
		Tags:                nameTag(name),
		// Created before the original is deleted, though the provider would
		// delete first (the program sets the name): the name carries a digest
		// of what forces a replacement, so the new group takes a new name, the
		// services move to it, and the old one, no longer in use, goes last.
	}, b.parent, pulumi.DeleteBeforeReplace(false))
}

// securityGroupRule creates one ingress or egress rule (TCP, one port).
func (b *builder) securityGroupRule(group *ec2.SecurityGroup, name string, r rule) error {
	var cidr4, cidr6, peer pulumi.StringPtrInput
	if r.cidrIPv4 != "" {
		cidr4 = pulumi.String(r.cidrIPv4)
	}
	if r.cidrIPv6 != "" {
		cidr6 = pulumi.String(r.cidrIPv6)
	}
	if r.peer != nil {
		peer = r.peer.ID().ToStringOutput()
	}
	tags := nameTag(name)
	if r.egress {
		_, err := vpc.NewSecurityGroupEgressRule(b.ctx, name, &vpc.SecurityGroupEgressRuleArgs{
			SecurityGroupId: group.ID(), IpProtocol: pulumi.String("tcp"),
			FromPort: pulumi.Int(r.port), ToPort: pulumi.Int(r.port),
			CidrIpv4: cidr4, CidrIpv6: cidr6, ReferencedSecurityGroupId: peer,
			Description: pulumi.String(r.description), Tags: tags,
		}, b.parent)
		return err
	}
	_, err := vpc.NewSecurityGroupIngressRule(b.ctx, name, &vpc.SecurityGroupIngressRuleArgs{
		SecurityGroupId: group.ID(), IpProtocol: pulumi.String("tcp"),
		FromPort: pulumi.Int(r.port), ToPort: pulumi.Int(r.port),
		CidrIpv4: cidr4, CidrIpv6: cidr6, ReferencedSecurityGroupId: peer,
		Description: pulumi.String(r.description), Tags: tags,
	}, b.parent)
	return err
}
