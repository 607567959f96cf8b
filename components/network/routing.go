package network

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// anywhere is the IPv4 default route.
const anywhere = "0.0.0.0/0"

// tier is one subnet tier: its subnets and their names, in AZ order.
type tier struct {
	subnets []*ec2.Subnet
	names   []string
}

func (t tier) ids() pulumi.StringArrayOutput {
	ids := make(pulumi.StringArray, len(t.subnets))
	for i, s := range t.subnets {
		ids[i] = s.ID().ToStringOutput()
	}
	return ids.ToStringArrayOutput()
}

// only is the tier's i-th subnet as a tier of its own.
func (t tier) only(i int) tier { return tier{subnets: t.subnets[i : i+1], names: t.names[i : i+1]} }

// subnetsAndRoutes creates the internet gateway, the three subnet tiers, the NAT
// gateways and the route tables: public -> internet gateway, app -> NAT (its
// own AZ's with perAz, the single one otherwise, none with NATNone), data -> no
// route out at all.
func (b *builder) subnetsAndRoutes() error {
	igw, err := ec2.NewInternetGateway(b.ctx, b.name+"-igw", &ec2.InternetGatewayArgs{
		VpcId: b.vpcID,
		Tags:  nameTag(b.name + "-igw"),
	}, b.parent)
	if err != nil {
		return err
	}

	for i, az := range b.args.AvailabilityZones {
		n := i + 1
		for _, s := range []struct {
			tier *tier
			name string
			cidr string
			kind string
		}{
			{&b.public, fmt.Sprintf("%s-public-subnet-%d", b.name, n), b.args.PublicSubnetCIDRs[i], "public"},
			{&b.app, fmt.Sprintf("%s-private-app-subnet-%d", b.name, n), b.args.AppSubnetCIDRs[i], "private-app"},
			{&b.data, fmt.Sprintf("%s-private-db-subnet-%d", b.name, n), b.args.DataSubnetCIDRs[i], "private-db"},
		} {
			subnet, err := ec2.NewSubnet(b.ctx, s.name, &ec2.SubnetArgs{
				VpcId:            b.vpcID,
				CidrBlock:        pulumi.String(s.cidr),
				AvailabilityZone: pulumi.String(az),
				// Nothing that should have a public address is launched into a subnet:
				// the ALB and the NAT gateways get theirs explicitly.
				MapPublicIpOnLaunch: pulumi.Bool(false),
				Tags:                pulumi.StringMap{"Name": pulumi.String(s.name), "Tier": pulumi.String(s.kind)},
			}, b.parent)
			if err != nil {
				return err
			}
			s.tier.subnets = append(s.tier.subnets, subnet)
			s.tier.names = append(s.tier.names, s.name)
		}
	}

	publicTable, err := b.routeTable(b.name+"-public-rt", b.public)
	if err != nil {
		return err
	}
	if _, err := ec2.NewRoute(b.ctx, b.name+"-public-internet-route", &ec2.RouteArgs{
		RouteTableId:         publicTable.ID(),
		DestinationCidrBlock: pulumi.String(anywhere),
		GatewayId:            igw.ID(),
	}, b.parent); err != nil {
		return err
	}

	nats, err := b.natGateways(igw)
	if err != nil {
		return err
	}
	for i := range b.app.subnets {
		n := i + 1
		table, err := b.routeTable(fmt.Sprintf("%s-private-app-rt-%d", b.name, n), b.app.only(i))
		if err != nil {
			return err
		}
		b.appRouteTables = append(b.appRouteTables, table.ID().ToStringOutput())
		if len(nats) == 0 {
			continue
		}
		nat := nats[min(i, len(nats)-1)] // its own AZ's NAT, or the single one
		if _, err := ec2.NewRoute(b.ctx, fmt.Sprintf("%s-private-app-nat-route-%d", b.name, n), &ec2.RouteArgs{
			RouteTableId:         table.ID(),
			DestinationCidrBlock: pulumi.String(anywhere),
			NatGatewayId:         nat.ID(),
		}, b.parent); err != nil {
			return err
		}
	}
	for i := range b.data.subnets {
		if _, err := b.routeTable(fmt.Sprintf("%s-private-db-rt-%d", b.name, i+1), b.data.only(i)); err != nil {
			return err
		}
	}
	return nil
}

// natGateways creates the NAT gateways the strategy asks for, each with its
// Elastic IP, in the public subnets in AZ order.
func (b *builder) natGateways(igw *ec2.InternetGateway) ([]*ec2.NatGateway, error) {
	count := 0
	switch b.args.NATGateways {
	case NATSingle:
		count = 1
	case NATPerAZ:
		count = len(b.args.AvailabilityZones)
	}
	var nats []*ec2.NatGateway
	for i := range count {
		n := i + 1
		eip, err := ec2.NewEip(b.ctx, fmt.Sprintf("%s-nat-eip-%d", b.name, n), &ec2.EipArgs{
			Domain: pulumi.String("vpc"),
			Tags:   nameTag(fmt.Sprintf("%s-nat-eip-%d", b.name, n)),
		}, b.parent, pulumi.DependsOn([]pulumi.Resource{igw}))
		if err != nil {
			return nil, err
		}
		// A NAT gateway moved to a new subnet keeps its Elastic IP, which AWS
		// associates with one gateway at a time: the old one goes first, a
		// minute without egress for that AZ's tasks.
		nat, err := ec2.NewNatGateway(b.ctx, fmt.Sprintf("%s-nat-gateway-%d", b.name, n), &ec2.NatGatewayArgs{
			AllocationId: eip.AllocationId,
			SubnetId:     b.public.subnets[i].ID(),
			Tags:         nameTag(fmt.Sprintf("%s-nat-gateway-%d", b.name, n)),
		}, b.parent, pulumi.DependsOn([]pulumi.Resource{igw}), pulumi.DeleteBeforeReplace(true))
		if err != nil {
			return nil, err
		}
		nats = append(nats, nat)
		b.natIDs = append(b.natIDs, nat.ID().ToStringOutput())
	}
	return nats, nil
}

// routeTable creates a route table (with no routes but the local one) and
// associates the subnets of t with it; association i is <subnet name>-rta.
func (b *builder) routeTable(name string, t tier) (*ec2.RouteTable, error) {
	table, err := ec2.NewRouteTable(b.ctx, name, &ec2.RouteTableArgs{
		VpcId: b.vpcID,
		Tags:  nameTag(name),
	}, b.parent)
	if err != nil {
		return nil, err
	}
	for i, subnet := range t.subnets {
		if _, err := ec2.NewRouteTableAssociation(b.ctx, t.names[i]+"-rta", &ec2.RouteTableAssociationArgs{
			SubnetId:     subnet.ID(),
			RouteTableId: table.ID(),
		}, b.parent); err != nil {
			return nil, err
		}
	}
	return table, nil
}
