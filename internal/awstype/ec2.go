package awstype

import (
	"fmt"

	"github.com/ohmycoins/infra/internal/mockcloud"
	"github.com/ohmycoins/infra/internal/stackplan"
)

// The network: VPC, subnets, gateways, routes, security groups, endpoints,
// flow logs and Elastic IPs (aws:ec2/*, aws:vpc/*).
func init() {
	register(
		Entry{
			Token: "aws:ec2/vpc:Vpc",
			Answer: func(e mockcloud.Env, r *mockcloud.Request) string {
				id := ec2ID("vpc", "vpc")(e, r)
				r.Set("defaultSecurityGroupId", "sg-"+r.Hash(17)[1:]+"d")
				r.Set("defaultRouteTableId", "rtb-"+r.Hash(17)[1:]+"d")
				r.Set("mainRouteTableId", "rtb-"+r.Hash(17)[1:]+"d")
				r.Set("defaultNetworkAclId", "acl-"+r.Hash(17))
				return id
			},
			Free:      "a VPC costs nothing; what runs in it does",
			Terraform: Terraform{Identity: []Key{nameTag}, ImportID: importBy("id")},
		},
		Entry{
			Token:     "aws:ec2/subnet:Subnet",
			Answer:    ec2ID("subnet", "subnet"),
			Free:      "subnets cost nothing",
			Terraform: Terraform{Identity: []Key{nameTag}, ImportID: importBy("id")},
		},
		Entry{
			Token:     "aws:ec2/internetGateway:InternetGateway",
			Answer:    ec2ID("igw", "internet-gateway"),
			Free:      "an internet gateway costs nothing; the public IPv4 addresses behind it are priced where they are held",
			Terraform: Terraform{Identity: []Key{nameTag}, ImportID: importBy("id")},
		},
		Entry{
			Token:  "aws:ec2/natGateway:NatGateway",
			Answer: ec2ID("nat", ""),
			Price: func(p Pricing, r stackplan.Resource) (Cost, bool) {
				h := p.Hours()
				gb := p.Assume("natGatewayGbPerMonth") / float64(len(p.Plan().OfType(r.Type)))
				return Cost{Monthly: h*p.Price("nat.hour") + gb*p.Price("nat.gb"),
					Basis: fmt.Sprintf("%g h × $%g + %.4g GB × $%g (its share of natGatewayGbPerMonth)", h, p.Price("nat.hour"), gb, p.Price("nat.gb"))}, true
			},
			Terraform: Terraform{Identity: []Key{nameTag}, ImportID: importBy("id")},
		},
		Entry{
			Token:     "aws:ec2/routeTable:RouteTable",
			Answer:    ec2ID("rtb", "route-table"),
			Free:      "route tables cost nothing",
			Terraform: Terraform{Identity: []Key{nameTag}, ImportID: importBy("id")},
		},
		Entry{
			Token:  "aws:ec2/route:Route",
			Answer: idOnly("r-rtb-"),
			Free:   "routes cost nothing",
			Terraform: Terraform{Identity: []Key{byRef("route_table_id"), byName("destination_cidr_block")},
				ImportID: importJoined("_", "route_table_id", "destination_cidr_block")},
		},
		Entry{
			Token:  "aws:ec2/routeTableAssociation:RouteTableAssociation",
			Answer: idOnly("rtbassoc-"),
			Free:   "route table associations cost nothing",
			Terraform: Terraform{Identity: []Key{byRef("route_table_id"), byRef("subnet_id")},
				ImportID: importJoined("/", "subnet_id", "route_table_id")},
		},
		Entry{
			Token:     "aws:ec2/securityGroup:SecurityGroup",
			Answer:    ec2ID("sg", "security-group"),
			Free:      "security groups cost nothing",
			Terraform: Terraform{Identity: []Key{byRef("vpc_id"), byName("name")}, ImportID: importBy("id")},
		},
		Entry{
			Token:     "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
			Answer:    ec2ID("sg", "security-group"),
			Free:      "security groups cost nothing",
			Terraform: Terraform{ImportID: importBy("id")},
		},
		Entry{
			Token:     "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
			Answer:    ec2ID("sgr", "security-group-rule"),
			Free:      "security group rules cost nothing",
			Terraform: Terraform{ImportID: importBy("security_group_rule_id")},
		},
		Entry{
			Token:     "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
			Answer:    ec2ID("sgr", "security-group-rule"),
			Free:      "security group rules cost nothing",
			Terraform: Terraform{ImportID: importBy("security_group_rule_id")},
		},
		Entry{
			Token:  "aws:ec2/vpcEndpoint:VpcEndpoint",
			Answer: ec2ID("vpce", "vpc-endpoint"),
			Price: func(p Pricing, r stackplan.Resource) (Cost, bool) {
				if str(r.Inputs["vpcEndpointType"]) != "Interface" {
					return Cost{}, false // gateway endpoints (S3) are free
				}
				h := p.Hours()
				azs := float64(len(list(r.Inputs["subnetIds"])))
				interfaces := 0
				for _, e := range p.Plan().OfType(r.Type) {
					if str(e.Inputs["vpcEndpointType"]) == "Interface" {
						interfaces++
					}
				}
				gb := p.Assume("endpointGbPerMonth") / float64(interfaces)
				return Cost{Monthly: azs*h*p.Price("endpoint.az-hour") + gb*p.Price("endpoint.gb"),
					Basis: fmt.Sprintf("%g AZ × %g h × $%g + %.4g GB × $%g (its share of endpointGbPerMonth)", azs, h, p.Price("endpoint.az-hour"), gb, p.Price("endpoint.gb"))}, true
			},
			Terraform: Terraform{Identity: []Key{byRef("vpc_id"), byName("service_name")}, ImportID: importBy("id")},
		},
		Entry{
			Token:     "aws:ec2/flowLog:FlowLog",
			Answer:    ec2ID("fl", "vpc-flow-log"),
			Free:      "a flow log costs nothing by itself: its records are priced as vended-logs ingestion into its log group",
			Terraform: Terraform{Identity: []Key{byRef("vpc_id"), byName("traffic_type")}, ImportID: importBy("id")},
		},
		Entry{
			Token: "aws:ec2/eip:Eip",
			Answer: func(e mockcloud.Env, r *mockcloud.Request) string {
				id := "eipalloc-" + r.Hash(17)
				h := r.Hash(2)
				var last int
				fmt.Sscanf(h, "%x", &last)
				r.Set("allocationId", id)
				r.Set("publicIp", fmt.Sprintf("203.0.113.%d", last%254+1))
				r.Set("arn", e.ARN("ec2", "elastic-ip/"+id))
				return id
			},
			Price: func(p Pricing, _ stackplan.Resource) (Cost, bool) {
				h := p.Hours()
				return Cost{Monthly: h * p.Price("ipv4.hour"), Basis: fmt.Sprintf("a public IPv4 address: %g h × $%g", h, p.Price("ipv4.hour"))}, true
			},
			Terraform: Terraform{Identity: []Key{nameTag}, ImportID: importBy("id")},
		},
	)
}
