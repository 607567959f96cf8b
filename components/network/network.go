// Package network creates an environment's VPC: three subnet tiers per AZ
// (public for the ALB and NAT, private-app for Fargate, private-data for RDS and
// Redis, the last with no route out), the NAT strategy, the S3 gateway endpoint
// and, where asked, interface endpoints for ECR, CloudWatch Logs and Secrets
// Manager, VPC flow logs, and one security group per tier and per service,
// with each rule its own resource.
//
// Security groups live here, not in the components they protect, so that every
// component receives them as inputs and no import cycle can form; the tier rules
// (ALB -> backend -> database and cache, ALB -> frontend) are readable in one
// file, security_groups.go.
package network

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/ohmycoins/infra/internal/policydoc"
	"github.com/ohmycoins/infra/internal/service"
	"github.com/ohmycoins/infra/internal/settings"
)

// NAT strategies (Args.NATGateways).
const (
	NATSingle = "single" // one NAT gateway, in the first public subnet, shared by every AZ
	NATPerAZ  = "perAz"  // one NAT gateway per AZ: an AZ outage cannot cut the others off
	NATNone   = "none"   // no NAT: app subnets reach AWS through the interface endpoints only
)

// Args configure the network. The component's name is the environment's name
// prefix (ohmycoins-staging); every child's name starts with it.
type Args struct {
	// Region names the endpoint services (com.amazonaws.<region>.s3).
	Region string
	// PermissionsBoundary is the environment's boundary (cicd.NewBoundary),
	// which every role the component creates carries: the deploy role may
	// write these roles only with it in place.
	PermissionsBoundary pulumi.StringInput
	// AccountID scopes the flow-log role's trust to this account.
	AccountID pulumi.StringInput
	// Settings are the VPC's layout (the stack's ohmycoins:network), which New
	// checks with Settings.Validate: subnet i of each tier is in AZ i; with
	// FlowLogs, the records go to FlowLogGroupName, encrypted with LogsKMSKeyARN.
	Settings
	FlowLogGroupName string
	LogsKMSKeyARN    pulumi.StringInput
	// Services are the application's services: each gets its own security
	// group, the load balancer reaches those behind it, and the data tiers
	// admit those with data access.
	Services []service.Service
	// SMTPPort, when not 0, lets the services with data access reach an SMTP
	// relay on that port.
	SMTPPort int
	// Protect keeps the flow-log group (evidence) from deletion or replacement
	// by an ordinary update; production.
	Protect bool
}

// Network is the network component: what the other tiers attach to.
type Network struct {
	pulumi.ResourceState

	VpcID   pulumi.StringOutput
	VpcCIDR string
	// AvailabilityZones are the AZ names, in the order of the subnet id lists.
	AvailabilityZones []string
	PublicSubnetIDs   pulumi.StringArrayOutput
	AppSubnetIDs      pulumi.StringArrayOutput
	DataSubnetIDs     pulumi.StringArrayOutput
	NATGatewayIDs     pulumi.StringArrayOutput
	// Security groups of the tiers, and of each service by its name.
	ALBSecurityGroupID      pulumi.StringOutput
	ServiceSecurityGroupIDs map[string]pulumi.StringOutput
	DatabaseSecurityGroupID pulumi.StringOutput
	CacheSecurityGroupID    pulumi.StringOutput
	// Roles are the IAM roles the network created (the flow-log role), for
	// the CI permissions that may update and pass them.
	Roles []policydoc.ServiceRole
}

// validate checks what the component relies on; stacks.Validate has already
// checked the settings in detail, this guards direct use.
func (a Args) validate() error {
	problems := settings.NewProblems()
	a.Settings.Validate(a.Region, problems)
	if err := problems.Err("network"); err != nil {
		return err
	}
	if why := service.Check(a.Services); why != "" {
		return fmt.Errorf("network: Services: %s", why)
	}
	if a.FlowLogs && (a.LogsKMSKeyARN == nil || a.FlowLogGroupName == "" || a.AccountID == nil || a.PermissionsBoundary == nil) {
		return fmt.Errorf("network: FlowLogs needs FlowLogGroupName, LogsKMSKeyARN, AccountID and PermissionsBoundary")
	}
	return nil
}

// New creates the network.
func New(ctx *pulumi.Context, name string, args Args, opts ...pulumi.ResourceOption) (*Network, error) {
	if err := args.validate(); err != nil {
		return nil, err
	}
	c := &Network{VpcCIDR: args.VPCCIDR, AvailabilityZones: append([]string(nil), args.AvailabilityZones...)}
	if err := ctx.RegisterComponentResource("ohmycoins:network:Network", name, c, opts...); err != nil {
		return nil, err
	}
	b := &builder{ctx: ctx, name: name, args: args, parent: pulumi.Parent(c)}

	vpc, err := ec2.NewVpc(ctx, name+"-vpc", &ec2.VpcArgs{
		CidrBlock:          pulumi.String(args.VPCCIDR),
		EnableDnsSupport:   pulumi.Bool(true),
		EnableDnsHostnames: pulumi.Bool(true),
		Tags:               nameTag(name + "-vpc"),
	}, b.parent)
	if err != nil {
		return nil, err
	}
	b.vpcID = vpc.ID().ToStringOutput()

	// AWS creates a default security group in every VPC that allows all traffic
	// between its members; adopting it with no rules closes it (Security Hub EC2.2).
	if _, err := ec2.NewDefaultSecurityGroup(ctx, name+"-default-sg", &ec2.DefaultSecurityGroupArgs{
		VpcId: b.vpcID,
		Tags:  nameTag(name + "-default-sg"),
	}, b.parent); err != nil {
		return nil, err
	}

	if err := b.subnetsAndRoutes(); err != nil {
		return nil, err
	}
	groups, err := b.securityGroups()
	if err != nil {
		return nil, err
	}
	if err := b.endpoints(groups); err != nil {
		return nil, err
	}
	if args.FlowLogs {
		if err := b.flowLogs(); err != nil {
			return nil, err
		}
		c.Roles = append(c.Roles, policydoc.ServiceRole{Name: name + "-flow-logs-role", Service: policydoc.FlowLogs})
	}

	c.VpcID = b.vpcID
	c.PublicSubnetIDs = b.public.ids()
	c.AppSubnetIDs = b.app.ids()
	c.DataSubnetIDs = b.data.ids()
	c.NATGatewayIDs = b.natIDs.ToStringArrayOutput()
	c.ALBSecurityGroupID = groups.alb.ID().ToStringOutput()
	c.ServiceSecurityGroupIDs = map[string]pulumi.StringOutput{}
	serviceGroups := pulumi.StringMap{}
	for name, g := range groups.services {
		c.ServiceSecurityGroupIDs[name] = g.ID().ToStringOutput()
		serviceGroups[name] = c.ServiceSecurityGroupIDs[name]
	}
	c.DatabaseSecurityGroupID = groups.database.ID().ToStringOutput()
	c.CacheSecurityGroupID = groups.cache.ID().ToStringOutput()
	return c, ctx.RegisterResourceOutputs(c, pulumi.Map{
		"vpcId":                   c.VpcID,
		"publicSubnetIds":         c.PublicSubnetIDs,
		"appSubnetIds":            c.AppSubnetIDs,
		"dataSubnetIds":           c.DataSubnetIDs,
		"natGatewayIds":           c.NATGatewayIDs,
		"albSecurityGroupId":      c.ALBSecurityGroupID,
		"serviceSecurityGroupIds": serviceGroups,
		"databaseSecurityGroupId": c.DatabaseSecurityGroupID,
		"cacheSecurityGroupId":    c.CacheSecurityGroupID,
	})
}

// builder carries what the parts of New share.
type builder struct {
	ctx    *pulumi.Context
	name   string
	args   Args
	parent pulumi.ResourceOption

	vpcID             pulumi.StringOutput
	public, app, data tier
	appRouteTables    pulumi.StringArray
	natIDs            pulumi.StringArray
}

// nameTag is the Name tag AWS consoles show; Project, Environment and
// ManagedBy come from the provider's default tags.
func nameTag(name string) pulumi.StringMap {
	return pulumi.StringMap{"Name": pulumi.String(name)}
}
