package network

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/require"

	"github.com/ohmycoins/infra/internal/componenttest"
	"github.com/ohmycoins/infra/internal/policydoc"
	"github.com/ohmycoins/infra/internal/service"
	"github.com/ohmycoins/infra/internal/stackplan"
)

const (
	typeVpc          = "aws:ec2/vpc:Vpc"
	typeSubnet       = "aws:ec2/subnet:Subnet"
	typeNat          = "aws:ec2/natGateway:NatGateway"
	typeEip          = "aws:ec2/eip:Eip"
	typeRouteTable   = "aws:ec2/routeTable:RouteTable"
	typeRoute        = "aws:ec2/route:Route"
	typeRTA          = "aws:ec2/routeTableAssociation:RouteTableAssociation"
	typeIgw          = "aws:ec2/internetGateway:InternetGateway"
	typeEndpoint     = "aws:ec2/vpcEndpoint:VpcEndpoint"
	typeFlowLog      = "aws:ec2/flowLog:FlowLog"
	typeSG           = "aws:ec2/securityGroup:SecurityGroup"
	typeDefaultSG    = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
	typeIngress      = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
	typeEgress       = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
	typeLogGroup     = "aws:cloudwatch/logGroup:LogGroup"
	typeRole         = "aws:iam/role:Role"
	typeRolePolicy   = "aws:iam/rolePolicy:RolePolicy"
	typeNetwork      = "ohmycoins:network:Network"
	typeKey          = "aws:kms/key:Key"
	typeAlias        = "aws:kms/alias:Alias"
	typeEncryptedKey = "ohmycoins:encryption:Key"
)

const keyARN = "arn:aws:kms:ap-southeast-2:123456789012:key/k"

// layouts are the two shapes a network takes: two AZs behind one NAT
// gateway without endpoints or flow logs, and three AZs, a NAT gateway
// each, the interface endpoints and flow logs.
var layouts = map[string]Settings{
	"ohmycoins-staging": {
		VPCCIDR: "10.0.0.0/16", AvailabilityZones: []string{"ap-southeast-2a", "ap-southeast-2b"},
		PublicSubnetCIDRs: []string{"10.0.1.0/24", "10.0.2.0/24"}, AppSubnetCIDRs: []string{"10.0.11.0/24", "10.0.12.0/24"},
		DataSubnetCIDRs: []string{"10.0.21.0/24", "10.0.22.0/24"}, NATGateways: NATSingle, FlowLogRetentionDays: 90,
	},
	"ohmycoins-prod": {
		VPCCIDR: "10.1.0.0/16", AvailabilityZones: []string{"ap-southeast-2a", "ap-southeast-2b", "ap-southeast-2c"},
		PublicSubnetCIDRs: []string{"10.1.1.0/24", "10.1.2.0/24", "10.1.3.0/24"}, AppSubnetCIDRs: []string{"10.1.11.0/24", "10.1.12.0/24", "10.1.13.0/24"},
		DataSubnetCIDRs: []string{"10.1.21.0/24", "10.1.22.0/24", "10.1.23.0/24"}, NATGateways: NATPerAZ,
		InterfaceEndpoints: true, FlowLogs: true, FlowLogRetentionDays: 90,
	},
}

// build runs the network of a layout, named prefix, with the changes given.
func build(t *testing.T, prefix string, change ...func(*Args)) *stackplan.Plan {
	t.Helper()
	args := Args{Region: "ap-southeast-2", AccountID: pulumi.String(componenttest.Account), PermissionsBoundary: pulumi.String("arn:aws:iam::" + componenttest.Account + ":policy/env-app-boundary"), Settings: layouts[prefix],
		FlowLogGroupName: FlowLogGroupName(prefix), LogsKMSKeyARN: pulumi.String(keyARN), Protect: prefix == "ohmycoins-prod",
		Services: service.Defaults}
	for _, f := range change {
		f(&args)
	}
	return componenttest.Run(t, func(ctx *pulumi.Context) error { _, err := New(ctx, prefix, args); return err })
}

// byID finds resources by the id the mock cloud gave them.
func byID(plan *stackplan.Plan) map[string]stackplan.Resource {
	ids := map[string]stackplan.Resource{}
	for _, r := range plan.Resources {
		if r.ID != "" {
			ids[r.ID] = r
		}
	}
	return ids
}

func TestNetworkResourceCounts(t *testing.T) {
	cases := []struct {
		prefix string
		counts map[string]int
	}{
		{"ohmycoins-staging", map[string]int{
			typeVpc: 1, typeIgw: 1, typeSubnet: 6, typeNat: 1, typeEip: 1, typeRouteTable: 5, typeRoute: 3, typeRTA: 6,
			typeEndpoint: 1, typeFlowLog: 0, typeSG: 5, typeDefaultSG: 1, typeIngress: 8, typeEgress: 6,
			typeLogGroup: 0, typeRole: 0,
		}},
		{"ohmycoins-prod", map[string]int{
			typeVpc: 1, typeIgw: 1, typeSubnet: 9, typeNat: 3, typeEip: 3, typeRouteTable: 7, typeRoute: 4, typeRTA: 9,
			typeEndpoint: 5, typeFlowLog: 1, typeSG: 6, typeDefaultSG: 1, typeIngress: 10, typeEgress: 6,
			typeLogGroup: 1, typeRole: 1, typeRolePolicy: 1,
		}},
	}
	for _, c := range cases {
		t.Run(c.prefix, func(t *testing.T) {
			t.Parallel()
			plan := build(t, c.prefix)
			network := plan.OfType(typeNetwork)[0]
			for typ, want := range c.counts {
				var inNetwork []stackplan.Resource
				for _, r := range plan.OfType(typ) {
					if r.Parent == network.URN {
						inNetwork = append(inNetwork, r)
					}
				}
				require.Len(t, inNetwork, want, "%s count of %s in the network", c.prefix, typ)
			}
			interfaceEndpoints := 0
			for _, e := range plan.OfType(typeEndpoint) {
				if e.Inputs["vpcEndpointType"] == "Interface" {
					interfaceEndpoints++
				}
			}
			require.Equal(t, map[string]int{"ohmycoins-staging": 0, "ohmycoins-prod": 4}[c.prefix], interfaceEndpoints)
		})
	}
}

func TestVpcHasDNSAndTheEnvironmentRange(t *testing.T) {
	for prefix, layout := range layouts {
		t.Run(prefix, func(t *testing.T) {
			t.Parallel()
			vpc := componenttest.Named(t, build(t, prefix), typeVpc, prefix+"-vpc")
			require.Equal(t, layout.VPCCIDR, vpc.Inputs["cidrBlock"])
			require.Equal(t, true, vpc.Inputs["enableDnsSupport"])
			require.Equal(t, true, vpc.Inputs["enableDnsHostnames"])
			require.Equal(t, map[string]any{"Name": prefix + "-vpc"}, vpc.Inputs["tags"])
		})
	}
}

func TestSubnetsHaveTheirCIDRsAndAZs(t *testing.T) {
	for prefix, n := range layouts {
		t.Run(prefix, func(t *testing.T) {
			t.Parallel()
			plan := build(t, prefix)
			vpc := componenttest.Named(t, plan, typeVpc, prefix+"-vpc")
			for i, az := range n.AvailabilityZones {
				for _, tier := range []struct{ name, cidr, kind string }{
					{fmt.Sprintf("%s-public-subnet-%d", prefix, i+1), n.PublicSubnetCIDRs[i], "public"},
					{fmt.Sprintf("%s-private-app-subnet-%d", prefix, i+1), n.AppSubnetCIDRs[i], "private-app"},
					{fmt.Sprintf("%s-private-db-subnet-%d", prefix, i+1), n.DataSubnetCIDRs[i], "private-db"},
				} {
					s := componenttest.Named(t, plan, typeSubnet, tier.name)
					require.Equal(t, tier.cidr, s.Inputs["cidrBlock"], tier.name)
					require.Equal(t, az, s.Inputs["availabilityZone"], tier.name)
					require.Equal(t, vpc.ID, s.Inputs["vpcId"], tier.name)
					require.Equal(t, false, s.Inputs["mapPublicIpOnLaunch"], "%s: no public IPs on launch", tier.name)
					require.Equal(t, map[string]any{"Name": tier.name, "Tier": tier.kind}, s.Inputs["tags"])
				}
			}
		})
	}
}

// routesOf returns the routes of a route table, by destination.
func routesOf(plan *stackplan.Plan, table stackplan.Resource) map[string]stackplan.Resource {
	routes := map[string]stackplan.Resource{}
	for _, r := range plan.OfType(typeRoute) {
		if r.Inputs["routeTableId"] == table.ID {
			routes[r.Inputs["destinationCidrBlock"].(string)] = r
		}
	}
	return routes
}

// associatedSubnets returns the names of the subnets associated with a route table.
func associatedSubnets(plan *stackplan.Plan, table stackplan.Resource) []string {
	ids := byID(plan)
	var names []string
	for _, a := range plan.OfType(typeRTA) {
		if a.Inputs["routeTableId"] == table.ID {
			names = append(names, ids[a.Inputs["subnetId"].(string)].Name)
		}
	}
	sort.Strings(names)
	return names
}

func TestRouteTablesSendEachTierWhereItShouldGo(t *testing.T) {
	for _, c := range []struct {
		prefix  string
		azs     int
		natOfAZ []int // the NAT gateway (1-based) each AZ's app table routes to
	}{
		{"ohmycoins-staging", 2, []int{1, 1}},
		{"ohmycoins-prod", 3, []int{1, 2, 3}},
	} {
		t.Run(c.prefix, func(t *testing.T) {
			t.Parallel()
			plan := build(t, c.prefix)
			ids := byID(plan)

			public := componenttest.Named(t, plan, typeRouteTable, c.prefix+"-public-rt")
			routes := routesOf(plan, public)
			require.Len(t, routes, 1)
			require.Equal(t, componenttest.Named(t, plan, typeIgw, c.prefix+"-igw").ID, routes["0.0.0.0/0"].Inputs["gatewayId"])
			var publicSubnets []string
			for i := 1; i <= c.azs; i++ {
				publicSubnets = append(publicSubnets, fmt.Sprintf("%s-public-subnet-%d", c.prefix, i))
			}
			require.Equal(t, publicSubnets, associatedSubnets(plan, public))

			for i := 1; i <= c.azs; i++ {
				app := componenttest.Named(t, plan, typeRouteTable, fmt.Sprintf("%s-private-app-rt-%d", c.prefix, i))
				routes := routesOf(plan, app)
				require.Len(t, routes, 1)
				nat := ids[routes["0.0.0.0/0"].Inputs["natGatewayId"].(string)]
				require.Equal(t, fmt.Sprintf("%s-nat-gateway-%d", c.prefix, c.natOfAZ[i-1]), nat.Name, "app route table %d", i)
				require.Equal(t, []string{fmt.Sprintf("%s-private-app-subnet-%d", c.prefix, i)}, associatedSubnets(plan, app))

				data := componenttest.Named(t, plan, typeRouteTable, fmt.Sprintf("%s-private-db-rt-%d", c.prefix, i))
				require.Empty(t, routesOf(plan, data), "data route table %d has no route out", i)
				require.Equal(t, []string{fmt.Sprintf("%s-private-db-subnet-%d", c.prefix, i)}, associatedSubnets(plan, data))
			}

			// Each NAT gateway sits in the public subnet of its AZ, with its own Elastic IP.
			for i, nat := range plan.OfType(typeNat) {
				n := i + 1
				require.Equal(t, fmt.Sprintf("%s-public-subnet-%d", c.prefix, n), ids[nat.Inputs["subnetId"].(string)].Name)
				eip := componenttest.Named(t, plan, typeEip, fmt.Sprintf("%s-nat-eip-%d", c.prefix, n))
				require.Equal(t, eip.Outputs["allocationId"], nat.Inputs["allocationId"])
				require.Equal(t, "vpc", eip.Inputs["domain"])
				igw := componenttest.Named(t, plan, typeIgw, c.prefix+"-igw")
				require.Contains(t, nat.Dependencies, igw.URN, "a NAT gateway needs the internet gateway attached first")
			}
		})
	}
}

func TestNATNoneLeavesAppSubnetsToTheEndpoints(t *testing.T) {
	t.Parallel()
	plan := build(t, "ohmycoins-prod", func(a *Args) { a.NATGateways = NATNone })
	require.Empty(t, plan.OfType(typeNat))
	require.Empty(t, plan.OfType(typeEip))
	for i := 1; i <= 3; i++ {
		require.Empty(t, routesOf(plan, componenttest.Named(t, plan, typeRouteTable, fmt.Sprintf("ohmycoins-prod-private-app-rt-%d", i))))
	}
	require.Len(t, plan.OfType(typeEndpoint), 5, "S3 gateway and the four interface endpoints still serve the app subnets")
}

func TestEndpointsServeTheAppTier(t *testing.T) {
	t.Parallel()
	plan := build(t, "ohmycoins-prod")
	ids := byID(plan)
	appSubnets := []any{}
	var appTables []any
	for i := 1; i <= 3; i++ {
		appSubnets = append(appSubnets, componenttest.Named(t, plan, typeSubnet, fmt.Sprintf("ohmycoins-prod-private-app-subnet-%d", i)).ID)
		appTables = append(appTables, componenttest.Named(t, plan, typeRouteTable, fmt.Sprintf("ohmycoins-prod-private-app-rt-%d", i)).ID)
	}

	s3 := componenttest.Named(t, plan, typeEndpoint, "ohmycoins-prod-s3-endpoint")
	require.Equal(t, "com.amazonaws.ap-southeast-2.s3", s3.Inputs["serviceName"])
	require.Equal(t, "Gateway", s3.Inputs["vpcEndpointType"])
	require.Equal(t, appTables, s3.Inputs["routeTableIds"])

	vpceSG := componenttest.Named(t, plan, typeSG, "ohmycoins-prod-vpce-sg")
	for _, service := range []string{"ecr.api", "ecr.dkr", "logs", "secretsmanager"} {
		e := componenttest.Named(t, plan, typeEndpoint, "ohmycoins-prod-"+strings.ReplaceAll(service, ".", "-")+"-endpoint")
		require.Equal(t, "com.amazonaws.ap-southeast-2."+service, e.Inputs["serviceName"])
		require.Equal(t, "Interface", e.Inputs["vpcEndpointType"])
		require.Equal(t, true, e.Inputs["privateDnsEnabled"])
		require.Equal(t, appSubnets, e.Inputs["subnetIds"])
		require.Equal(t, []any{vpceSG.ID}, e.Inputs["securityGroupIds"])
	}
	require.Equal(t, "ohmycoins-prod-vpce-sg", ids[vpceSG.ID].Name)

	staging := build(t, "ohmycoins-staging")
	s3 = componenttest.Named(t, staging, typeEndpoint, "ohmycoins-staging-s3-endpoint")
	require.Len(t, s3.Inputs["routeTableIds"], 2, "staging: the S3 gateway endpoint on both app route tables")
}

// sgRule is a security group rule as the tests write it: group, direction,
// port, and the peer group's logical name or the CIDR.
type sgRule struct {
	group, direction string
	port             int
	peer             string
}

// securityGroupRules reads every rule of a plan in that form.
func securityGroupRules(t *testing.T, plan *stackplan.Plan) []sgRule {
	ids := byID(plan)
	var rules []sgRule
	for _, typ := range []string{typeIngress, typeEgress} {
		for _, r := range plan.OfType(typ) {
			require.Equal(t, "tcp", r.Inputs["ipProtocol"], r.Name)
			require.Equal(t, r.Inputs["fromPort"], r.Inputs["toPort"], r.Name)
			require.NotEmpty(t, r.Inputs["description"], "%s has a description", r.Name)
			peer := ""
			switch {
			case r.Inputs["referencedSecurityGroupId"] != nil:
				peer = ids[r.Inputs["referencedSecurityGroupId"].(string)].Name
			case r.Inputs["cidrIpv4"] != nil:
				peer = r.Inputs["cidrIpv4"].(string)
			case r.Inputs["cidrIpv6"] != nil:
				peer = r.Inputs["cidrIpv6"].(string)
			}
			direction := "in"
			if typ == typeEgress {
				direction = "out"
			}
			rules = append(rules, sgRule{ids[r.Inputs["securityGroupId"].(string)].Name, direction, int(r.Inputs["fromPort"].(float64)), peer})
		}
	}
	return rules
}

func TestSecurityGroupRulesAreExactlyTheTierPolicy(t *testing.T) {
	// Each service has its own group; the data tiers admit the backend's only (defect D3).
	common := func(p string) []sgRule {
		return []sgRule{
			{p + "-alb-sg", "in", 443, "0.0.0.0/0"}, {p + "-alb-sg", "in", 443, "::/0"},
			{p + "-alb-sg", "in", 80, "0.0.0.0/0"}, {p + "-alb-sg", "in", 80, "::/0"},
			{p + "-alb-sg", "out", 8000, p + "-backend-sg"}, {p + "-alb-sg", "out", 80, p + "-frontend-sg"},
			{p + "-backend-sg", "in", 8000, p + "-alb-sg"},
			{p + "-backend-sg", "out", 443, "0.0.0.0/0"},
			{p + "-backend-sg", "out", 5432, p + "-rds-sg"}, {p + "-backend-sg", "out", 6379, p + "-redis-sg"},
			{p + "-frontend-sg", "in", 80, p + "-alb-sg"},
			{p + "-frontend-sg", "out", 443, "0.0.0.0/0"},
			{p + "-rds-sg", "in", 5432, p + "-backend-sg"},
			{p + "-redis-sg", "in", 6379, p + "-backend-sg"},
		}
	}
	for _, c := range []struct {
		prefix string
		want   []sgRule
	}{
		{"ohmycoins-staging", common("ohmycoins-staging")},
		{"ohmycoins-prod", append(common("ohmycoins-prod"),
			sgRule{"ohmycoins-prod-vpce-sg", "in", 443, "ohmycoins-prod-backend-sg"},
			sgRule{"ohmycoins-prod-vpce-sg", "in", 443, "ohmycoins-prod-frontend-sg"})},
	} {
		t.Run(c.prefix, func(t *testing.T) {
			t.Parallel()
			require.ElementsMatch(t, c.want, securityGroupRules(t, build(t, c.prefix)))
		})
	}
}

func TestOnlyTheLoadBalancerIsOpenToTheInternetAndOnlyOnWebPorts(t *testing.T) {
	for prefix := range layouts {
		t.Run(prefix, func(t *testing.T) {
			t.Parallel()
			plan := build(t, prefix, func(a *Args) { a.ManagementCIDRs = []string{"10.8.0.0/16"} })
			for _, r := range securityGroupRules(t, plan) {
				if r.direction == "in" && (r.peer == "0.0.0.0/0" || r.peer == "::/0") {
					require.Contains(t, []int{80, 443}, r.port, "%+v", r)
					require.True(t, strings.HasSuffix(r.group, "-alb-sg"), "%+v", r)
				}
				if strings.HasSuffix(r.group, "-rds-sg") || strings.HasSuffix(r.group, "-redis-sg") || strings.HasSuffix(r.group, "-vpce-sg") {
					require.Equal(t, "in", r.direction, "the data tiers have no egress: %+v", r)
				}
			}
			for _, sg := range plan.OfType(typeSG) {
				require.Nil(t, sg.Inputs["ingress"], "%s: no inline rules", sg.Name)
				require.Nil(t, sg.Inputs["egress"], "%s: no inline rules", sg.Name)
				require.Equal(t, true, sg.Inputs["revokeRulesOnDelete"], sg.Name)
			}
			def := plan.OfType(typeDefaultSG)[0]
			require.Nil(t, def.Inputs["ingress"], "the default security group keeps no rules")
			require.Nil(t, def.Inputs["egress"], "the default security group keeps no rules")
		})
	}
}

func TestManagementCIDRsAndSMTPGetTheirOwnRules(t *testing.T) {
	t.Parallel()
	plan := build(t, "ohmycoins-staging", func(a *Args) {
		a.ManagementCIDRs = []string{"10.8.0.0/16", "192.168.10.0/24"}
		a.SMTPPort = 2587
	})
	rules := securityGroupRules(t, plan)
	require.Contains(t, rules, sgRule{"ohmycoins-staging-rds-sg", "in", 5432, "10.8.0.0/16"})
	require.Contains(t, rules, sgRule{"ohmycoins-staging-rds-sg", "in", 5432, "192.168.10.0/24"})
	require.Contains(t, rules, sgRule{"ohmycoins-staging-backend-sg", "out", 2587, "0.0.0.0/0"})
	require.NotContains(t, rules, sgRule{"ohmycoins-staging-frontend-sg", "out", 2587, "0.0.0.0/0"}, "only the backend sends mail")
	require.Len(t, rules, 17)
	componenttest.Named(t, plan, typeIngress, "ohmycoins-staging-rds-sg-in-management-2")
}

func TestFlowLogsWriteOnlyToTheirEncryptedGroup(t *testing.T) {
	t.Parallel()
	plan := build(t, "ohmycoins-prod")
	group := componenttest.Named(t, plan, typeLogGroup, "ohmycoins-prod-flow-logs")
	require.Equal(t, "/aws/vpc/flow-logs/ohmycoins-prod", group.Inputs["name"])
	require.Equal(t, 90.0, group.Inputs["retentionInDays"])
	require.Equal(t, keyARN, group.Inputs["kmsKeyId"])
	require.True(t, group.Protect, "production's flow logs are evidence")

	role := componenttest.Named(t, plan, typeRole, "ohmycoins-prod-flow-logs-role")
	trust, err := policydoc.Parse(role.Inputs["assumeRolePolicy"].(string))
	require.NoError(t, err)
	require.Len(t, trust.Statement, 1)
	require.Equal(t, []string{"vpc-flow-logs.amazonaws.com"}, trust.Statement[0].Principal.Service)
	require.Equal(t, []string{"sts:AssumeRole"}, trust.Statement[0].Action)
	require.Equal(t, []string{componenttest.Account}, trust.Statement[0].Condition["StringEquals"]["aws:SourceAccount"])

	policy, err := policydoc.Parse(componenttest.Named(t, plan, typeRolePolicy, "ohmycoins-prod-flow-logs-policy").Inputs["policy"].(string))
	require.NoError(t, err)
	groupARN := group.Outputs["arn"].(string)
	for _, s := range policy.Statement {
		for _, a := range s.Action {
			require.NotEqual(t, "logs:*", a)
			if a != "logs:DescribeLogGroups" {
				require.Equal(t, []string{groupARN, groupARN + ":*"}, s.Resource, "%s is scoped to the flow-log group", a)
			}
		}
		require.NotContains(t, s.Resource, "*")
	}

	flow := componenttest.Named(t, plan, typeFlowLog, "ohmycoins-prod-flow-logs")
	require.Equal(t, "ALL", flow.Inputs["trafficType"])
	require.Equal(t, groupARN, flow.Inputs["logDestination"])
	require.Equal(t, role.Outputs["arn"], flow.Inputs["iamRoleArn"])
	require.Equal(t, componenttest.Named(t, plan, typeVpc, "ohmycoins-prod-vpc").ID, flow.Inputs["vpcId"])
}

func TestNetworkChildrenHangUnderTheComponent(t *testing.T) {
	for prefix := range layouts {
		t.Run(prefix, func(t *testing.T) {
			t.Parallel()
			plan := build(t, prefix)
			components := plan.OfType(typeNetwork)
			require.Len(t, components, 1)
			component := components[0]
			require.Equal(t, plan.Root().URN, component.Parent)
			require.Equal(t, prefix, component.Name)
			children := plan.Children(component.URN)
			require.NotEmpty(t, children)
			for _, c := range children {
				require.True(t, strings.HasPrefix(c.Name, prefix+"-"), "%s is named after the component", c.Name)
			}
			for _, typ := range []string{typeVpc, typeSubnet, typeNat, typeSG, typeIngress, typeEgress, typeRouteTable} {
				for _, r := range plan.OfType(typ) {
					require.Equal(t, component.URN, r.Parent, "%s hangs under the network component", r.Name)
				}
			}
		})
	}
}

// TestNetworkComponentRefusesInconsistentArgs: the component guards its own
// inputs when used without the stack's validation in front of it.
func TestNetworkComponentRefusesInconsistentArgs(t *testing.T) {
	good := Args{Region: "ap-southeast-2", Services: service.Defaults, Settings: Settings{
		VPCCIDR: "10.0.0.0/16", AvailabilityZones: []string{"ap-southeast-2a", "ap-southeast-2b"},
		PublicSubnetCIDRs: []string{"10.0.1.0/24", "10.0.2.0/24"}, AppSubnetCIDRs: []string{"10.0.11.0/24", "10.0.12.0/24"},
		DataSubnetCIDRs: []string{"10.0.21.0/24", "10.0.22.0/24"}, NATGateways: NATSingle, FlowLogRetentionDays: 90,
	}}
	cases := []struct {
		name   string
		mutate func(*Args)
		want   string
	}{
		{"subnets per AZ", func(a *Args) { a.AppSubnetCIDRs = a.AppSubnetCIDRs[:1] }, "network: appSubnetCidrs = [10.0.11.0/24]: must have one CIDR per availability zone (2), has 1"},
		{"NAT none without endpoints", func(a *Args) { a.NATGateways = NATNone }, "network: natGateways = none: needs network.interfaceEndpoints = true"},
		{"unknown NAT strategy", func(a *Args) { a.NATGateways = "many" }, "network: natGateways = many: must be single, perAz or none"},
		{"flow logs without a key", func(a *Args) { a.FlowLogs = true }, "network: FlowLogs needs FlowLogGroupName, LogsKMSKeyARN, AccountID and PermissionsBoundary"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			args := good
			c.mutate(&args)
			err := componenttest.Error(t, func(ctx *pulumi.Context) error { _, err := New(ctx, "test", args); return err })
			require.ErrorContains(t, err, c.want)
		})
	}
}

// A replaced security group is created before the old one is deleted (one in
// use cannot be deleted first), so its name must differ: it carries a digest
// of what forces the replacement, the description and the VPC's range.
func TestSecurityGroupNamesChangeExactlyWhenTheGroupIsReplaced(t *testing.T) {
	t.Parallel()
	plan := build(t, "ohmycoins-staging")
	backend := componenttest.Named(t, plan, typeSG, "ohmycoins-staging-backend-sg")
	require.Equal(t, SecurityGroupName("ohmycoins-staging", "backend-sg", backend.Inputs["description"].(string), "10.0.0.0/16"), backend.Inputs["name"])
	require.Regexp(t, `^ohmycoins-staging-backend-sg-[0-9a-f]{6}$`, backend.Inputs["name"])

	moved := build(t, "ohmycoins-staging", func(a *Args) {
		a.VPCCIDR = "10.9.0.0/16"
		a.PublicSubnetCIDRs = []string{"10.9.1.0/24", "10.9.2.0/24"}
		a.AppSubnetCIDRs = []string{"10.9.11.0/24", "10.9.12.0/24"}
		a.DataSubnetCIDRs = []string{"10.9.21.0/24", "10.9.22.0/24"}
	})
	for _, sg := range plan.OfType(typeSG) {
		after := componenttest.Named(t, moved, typeSG, sg.Name)
		require.NotEqual(t, sg.Inputs["name"], after.Inputs["name"], "%s: a new VPC replaces the group under a new name", sg.Name)
	}
	again := build(t, "ohmycoins-staging", func(a *Args) { a.ManagementCIDRs = []string{"10.8.0.0/16"} })
	for _, sg := range plan.OfType(typeSG) {
		require.Equal(t, sg.Inputs["name"], componenttest.Named(t, again, typeSG, sg.Name).Inputs["name"], "%s: unchanged while nothing forces a replacement", sg.Name)
	}
	require.NotEqual(t,
		SecurityGroupName("p", "backend-sg", "old description", "10.0.0.0/16"),
		SecurityGroupName("p", "backend-sg", "new description", "10.0.0.0/16"))
}

// TestAWorkerGetsAGroupOfItsOwnAndTheDataTiersAdmitItOnlyWithDataAccess: a
// worker has no inbound rule; with data access it reaches the database and
// the cache, which admit it beside the api service under rules of its own
// name; without, it reaches HTTPS only. The api service's rules keep their
// names.
func TestAWorkerGetsAGroupOfItsOwnAndTheDataTiersAdmitItOnlyWithDataAccess(t *testing.T) {
	t.Parallel()
	p := "ohmycoins-staging"
	with := func(dataAccess bool) []sgRule {
		return securityGroupRules(t, build(t, p, func(a *Args) {
			a.Services = append(append([]service.Service(nil), service.Defaults...), service.New("worker", service.Worker, dataAccess))
			a.SMTPPort = 587
		}))
	}
	rules := with(true)
	require.Subset(t, rules, []sgRule{
		{p + "-worker-sg", "out", 443, "0.0.0.0/0"}, {p + "-worker-sg", "out", 5432, p + "-rds-sg"},
		{p + "-worker-sg", "out", 6379, p + "-redis-sg"}, {p + "-worker-sg", "out", 587, "0.0.0.0/0"},
		{p + "-rds-sg", "in", 5432, p + "-worker-sg"}, {p + "-redis-sg", "in", 6379, p + "-worker-sg"},
		{p + "-rds-sg", "in", 5432, p + "-backend-sg"},
	})
	for _, r := range rules {
		require.False(t, r.group == p+"-worker-sg" && r.direction == "in", "no inbound rule: %+v", r)
		if r.group == p+"-alb-sg" {
			require.NotEqual(t, p+"-worker-sg", r.peer, "the load balancer does not reach a worker")
		}
	}
	plan := build(t, p, func(a *Args) {
		a.Services = append(append([]service.Service(nil), service.Defaults...), service.New("worker", service.Worker, true))
	})
	componenttest.Named(t, plan, typeIngress, p+"-rds-sg-in-postgres")
	componenttest.Named(t, plan, typeIngress, p+"-rds-sg-in-postgres-worker")
	componenttest.Named(t, plan, typeIngress, p+"-redis-sg-in-redis-worker")
	require.Equal(t, "PostgreSQL: in from the backend and worker tasks only, no egress", componenttest.Named(t, plan, typeSG, p+"-rds-sg").Inputs["description"])
	require.Equal(t, "Worker tasks: no inbound, out to the data tiers and HTTPS", componenttest.Named(t, plan, typeSG, p+"-worker-sg").Inputs["description"])

	without := with(false)
	require.Contains(t, without, sgRule{p + "-worker-sg", "out", 443, "0.0.0.0/0"})
	for _, r := range without {
		require.NotEqual(t, p+"-worker-sg", r.peer, "the data tiers do not admit a worker without data access: %+v", r)
		if r.group == p+"-worker-sg" {
			require.Equal(t, 443, r.port, "HTTPS only: %+v", r)
		}
	}
}

func TestNetworkRefusesServicesTheLoadBalancerCannotRouteTo(t *testing.T) {
	t.Parallel()
	err := componenttest.Error(t, func(ctx *pulumi.Context) error {
		_, err := New(ctx, "test", Args{Region: "ap-southeast-2", Settings: layouts["ohmycoins-staging"],
			Services: []service.Service{service.New("backend", service.API, false)}})
		return err
	})
	require.ErrorContains(t, err, "network: Services: needs exactly one web service for the load balancer to route to, has 0")
}
