package stackplan_test

// The resource types the tests look up.
const (
	typeDBInstance       = "aws:rds/instance:Instance"
	typeIngress          = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
	typeLogGroup         = "aws:cloudwatch/logGroup:LogGroup"
	typeReplicationGroup = "aws:elasticache/replicationGroup:ReplicationGroup"
	typeSG               = "aws:ec2/securityGroup:SecurityGroup"
	typeSecret           = "aws:secretsmanager/secret:Secret"
	typeSecretVersion    = "aws:secretsmanager/secretVersion:SecretVersion"
	typeService          = "aws:ecs/service:Service"
	typeTargetGroup      = "aws:lb/targetGroup:TargetGroup"
	typeTaskDef          = "aws:ecs/taskDefinition:TaskDefinition"
	typeVpc              = "aws:ec2/vpc:Vpc"
)
