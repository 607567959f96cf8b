package network

import (
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// InterfaceEndpointServices are what Fargate tasks need from AWS without a NAT:
// pulling images (ecr.api, ecr.dkr; the layers come through the S3 gateway
// endpoint), shipping logs, and reading secrets at task start.
var InterfaceEndpointServices = []string{"ecr.api", "ecr.dkr", "logs", "secretsmanager"}

// endpoints creates the S3 gateway endpoint on the app route tables and, when
// asked, the interface endpoints in the app subnets with private DNS, so that
// calls to the regular service names stay inside the VPC.
func (b *builder) endpoints(groups tierGroups) error {
	if _, err := ec2.NewVpcEndpoint(b.ctx, b.name+"-s3-endpoint", &ec2.VpcEndpointArgs{
		VpcId:           b.vpcID,
		ServiceName:     pulumi.String("com.amazonaws." + b.args.Region + ".s3"),
		VpcEndpointType: pulumi.String("Gateway"),
		RouteTableIds:   b.appRouteTables,
		Tags:            nameTag(b.name + "-s3-endpoint"),
	}, b.parent); err != nil {
		return err
	}
	if !b.args.InterfaceEndpoints {
		return nil
	}
	for _, service := range InterfaceEndpointServices {
		name := b.name + "-" + strings.ReplaceAll(service, ".", "-") + "-endpoint"
		if _, err := ec2.NewVpcEndpoint(b.ctx, name, &ec2.VpcEndpointArgs{
			VpcId:             b.vpcID,
			ServiceName:       pulumi.String("com.amazonaws." + b.args.Region + "." + service),
			VpcEndpointType:   pulumi.String("Interface"),
			SubnetIds:         b.app.ids(),
			SecurityGroupIds:  pulumi.StringArray{groups.endpoints.ID().ToStringOutput()},
			PrivateDnsEnabled: pulumi.Bool(true),
			Tags:              nameTag(name),
		}, b.parent); err != nil {
			return err
		}
	}
	return nil
}
