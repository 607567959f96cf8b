package stacks_test

// The resource types the tests look up.
const (
	typeDBInstance       = "aws:rds/instance:Instance"
	typeKey              = "aws:kms/key:Key"
	typeLogGroup         = "aws:cloudwatch/logGroup:LogGroup"
	typeReplicationGroup = "aws:elasticache/replicationGroup:ReplicationGroup"
	typeSG               = "aws:ec2/securityGroup:SecurityGroup"
	typeSecret           = "aws:secretsmanager/secret:Secret"
	typeSecretVersion    = "aws:secretsmanager/secretVersion:SecretVersion"
	typeSubnet           = "aws:ec2/subnet:Subnet"
	typeCacheSubnetGroup = "aws:elasticache/subnetGroup:SubnetGroup"
	typeDBSubnetGroup    = "aws:rds/subnetGroup:SubnetGroup"
	typeEgress           = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
	typeFlowLog          = "aws:ec2/flowLog:FlowLog"
	typeVpc              = "aws:ec2/vpc:Vpc"
	typeAttachment       = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
	typeRole             = "aws:iam/role:Role"
	typeRolePolicy       = "aws:iam/rolePolicy:RolePolicy"
)
