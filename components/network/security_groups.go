package network

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/vpc"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/ohmycoins/infra/internal/physicalname"
	"github.com/ohmycoins/infra/internal/ports"
)

// tierGroups are the security groups of the tiers: one per service, so that
// the data tiers can admit the backend and nothing else (defect D3).
type tierGroups struct {
	alb, backend, frontend, database, cache *ec2.SecurityGroup
	endpoints                               *ec2.SecurityGroup // nil without interface endpoints
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

// securityGroups creates one group per tier and per service, and their rules:
// the whole traffic policy of the environment.
//
//	internet --80/443--> alb --8000--> backend --5432--> database
//	                         --80----> frontend          --6379--> cache
//	                  backend, frontend --443--> AWS APIs, ECR (the backend also the LLM provider)
//
// The data tiers have no egress at all and admit only the backend; the ALB
// may only reach the services, each on its own port.
func (b *builder) securityGroups() (tierGroups, error) {
	var g tierGroups
	var err error
	for _, group := range []struct {
		sg          **ec2.SecurityGroup
		role        string
		description string
	}{
		{&g.alb, "alb-sg", "Load balancer: HTTP and HTTPS from the internet, out to the services only"},
		{&g.backend, "backend-sg", "Backend tasks: in from the load balancer, out to the data tiers and HTTPS"},
		{&g.frontend, "frontend-sg", "Frontend tasks: in from the load balancer, out to HTTPS only"},
		{&g.database, "rds-sg", "PostgreSQL: in from the backend tasks only, no egress"},
		{&g.cache, "redis-sg", "Redis: in from the backend tasks only, no egress"},
	} {
		if *group.sg, err = b.securityGroup(group.role, group.description); err != nil {
			return g, err
		}
	}
	if b.args.InterfaceEndpoints {
		if g.endpoints, err = b.securityGroup("vpce-sg", "VPC interface endpoints: HTTPS from the ECS tasks only"); err != nil {
			return g, err
		}
	}

	backendEgress := []rule{
		{suffix: "out-https", egress: true, port: ports.HTTPS, cidrIPv4: anywhere, description: "HTTPS to ECR, AWS APIs and the LLM provider"},
		{suffix: "out-postgres", egress: true, port: ports.Postgres, peer: g.database, description: "PostgreSQL"},
		{suffix: "out-redis", egress: true, port: ports.Redis, peer: g.cache, description: "Redis"},
	}
	if b.args.SMTPPort != 0 {
		backendEgress = append(backendEgress, rule{suffix: "out-smtp", egress: true, port: b.args.SMTPPort, cidrIPv4: anywhere, description: "SMTP relay for outgoing mail"})
	}
	databaseIngress := []rule{{suffix: "in-postgres", port: ports.Postgres, peer: g.backend, description: "PostgreSQL from the backend tasks"}}
	for i, cidr := range b.args.ManagementCIDRs {
		databaseIngress = append(databaseIngress, rule{suffix: fmt.Sprintf("in-management-%d", i+1), port: ports.Postgres, cidrIPv4: cidr, description: "PostgreSQL from management network " + cidr})
	}

	for _, set := range []struct {
		group *ec2.SecurityGroup
		name  string
		rules []rule
	}{
		{g.alb, "alb-sg", []rule{
			{suffix: "in-https-ipv4", port: ports.HTTPS, cidrIPv4: anywhere, description: "HTTPS from the internet"},
			{suffix: "in-https-ipv6", port: ports.HTTPS, cidrIPv6: "::/0", description: "HTTPS from the internet (IPv6)"},
			{suffix: "in-http-ipv4", port: ports.HTTP, cidrIPv4: anywhere, description: "HTTP from the internet, redirected to HTTPS when a certificate is set"},
			{suffix: "in-http-ipv6", port: ports.HTTP, cidrIPv6: "::/0", description: "HTTP from the internet (IPv6)"},
			{suffix: "out-backend", egress: true, port: ports.Backend, peer: g.backend, description: "To the backend tasks"},
			{suffix: "out-frontend", egress: true, port: ports.Frontend, peer: g.frontend, description: "To the frontend tasks"},
		}},
		{g.backend, "backend-sg", append([]rule{
			{suffix: "in-backend", port: ports.Backend, peer: g.alb, description: "Backend traffic from the load balancer"},
		}, backendEgress...)},
		{g.frontend, "frontend-sg", []rule{
			{suffix: "in-frontend", port: ports.Frontend, peer: g.alb, description: "Frontend traffic from the load balancer"},
			{suffix: "out-https", egress: true, port: ports.HTTPS, cidrIPv4: anywhere, description: "HTTPS to ECR and CloudWatch Logs"},
		}},
		{g.database, "rds-sg", databaseIngress},
		{g.cache, "redis-sg", []rule{{suffix: "in-redis", port: ports.Redis, peer: g.backend, description: "Redis from the backend tasks"}}},
		{g.endpoints, "vpce-sg", []rule{
			{suffix: "in-https-backend", port: ports.HTTPS, peer: g.backend, description: "HTTPS from the backend tasks"},
			{suffix: "in-https-frontend", port: ports.HTTPS, peer: g.frontend, description: "HTTPS from the frontend tasks"},
		}},
	} {
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
	}, b.parent)
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
