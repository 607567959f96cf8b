package migrate_test

// The resource types the tests look up.
const (
	typeDBInstance       = "aws:rds/instance:Instance"
	typeRecord           = "aws:route53/record:Record"
	typeReplicationGroup = "aws:elasticache/replicationGroup:ReplicationGroup"
)
