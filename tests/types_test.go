package tests

// The resource types the tests look up.
const (
	typeAttachment       = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
	typeBucket           = "aws:s3/bucketV2:BucketV2"
	typeCluster          = "aws:ecs/cluster:Cluster"
	typeDBInstance       = "aws:rds/instance:Instance"
	typeDBParameterGroup = "aws:rds/parameterGroup:ParameterGroup"
	typeFlowLog          = "aws:ec2/flowLog:FlowLog"
	typeLogGroup         = "aws:cloudwatch/logGroup:LogGroup"
	typeNat              = "aws:ec2/natGateway:NatGateway"
	typeRecord           = "aws:route53/record:Record"
	typeReplicationGroup = "aws:elasticache/replicationGroup:ReplicationGroup"
	typeRepoLifecycle    = "aws:ecr/lifecyclePolicy:LifecyclePolicy"
	typeRepository       = "aws:ecr/repository:Repository"
	typeRole             = "aws:iam/role:Role"
	typeRolePolicy       = "aws:iam/rolePolicy:RolePolicy"
	typeSG               = "aws:ec2/securityGroup:SecurityGroup"
	typeSecret           = "aws:secretsmanager/secret:Secret"
	typeSecretVersion    = "aws:secretsmanager/secretVersion:SecretVersion"
	typeService          = "aws:ecs/service:Service"
	typeTaskDef          = "aws:ecs/taskDefinition:TaskDefinition"
)
