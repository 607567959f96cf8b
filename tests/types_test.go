package tests

// The resource types the tests look up.
const (
	typeAlias            = "aws:kms/alias:Alias"
	typeAttachment       = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
	typeDBInstance       = "aws:rds/instance:Instance"
	typeDBParameterGroup = "aws:rds/parameterGroup:ParameterGroup"
	typeFlowLog          = "aws:ec2/flowLog:FlowLog"
	typeKey              = "aws:kms/key:Key"
	typeLogGroup         = "aws:cloudwatch/logGroup:LogGroup"
	typeNat              = "aws:ec2/natGateway:NatGateway"
	typeReplicationGroup = "aws:elasticache/replicationGroup:ReplicationGroup"
	typeRole             = "aws:iam/role:Role"
	typeRolePolicy       = "aws:iam/rolePolicy:RolePolicy"
	typeSG               = "aws:ec2/securityGroup:SecurityGroup"
	typeSecret           = "aws:secretsmanager/secret:Secret"
	typeSecretVersion    = "aws:secretsmanager/secretVersion:SecretVersion"
	typeSubnet           = "aws:ec2/subnet:Subnet"
	typeVpc              = "aws:ec2/vpc:Vpc"
)
