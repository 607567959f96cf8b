package awscli

import (
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/ohmycoins/infra/internal/simaws"
)

// The commands of the way back after the cutover window (docs/RUNBOOK.md,
// "Going back during the move from Terraform"): the original's database and
// cache restored from snapshots, before Terraform puts back the rest.
func init() {
	for name, cmd := range restoreCommands {
		commands[name] = cmd
	}
}

var restoreCommands = map[string]command{
	// The restored instance comes back under the snapshot's key, in the
	// subnet group given; the rest (security groups, parameter group, sizes)
	// is the snapshot's or the defaults, which the original's `terraform
	// apply` then sets.
	"rds restore-db-instance-from-db-snapshot": {required: []string{"db-instance-identifier", "db-snapshot-identifier", "db-subnet-group-name"}, run: func(c call) (any, error) {
		group := c.one("db-subnet-group-name")
		if groups, err := c.resources(typeSubnetGroup, group); err != nil || len(groups) == 0 {
			return nil, or(err, &simaws.Refusal{Code: "DBSubnetGroupNotFoundFault", Message: "DB subnet group '" + group + "' does not exist."})
		}
		id := c.one("db-instance-identifier")
		r, err := c.account.Create(typeInstance, id, c.region, resource.NewPropertyMapFromMap(map[string]any{
			"identifier": id, "snapshotIdentifier": c.one("db-snapshot-identifier"), "dbSubnetGroupName": group,
		}))
		if err != nil {
			return nil, err
		}
		return map[string]any{"DBInstance": map[string]any{"DBInstanceIdentifier": r.ID, "DBInstanceStatus": "creating", "KmsKeyId": r.Outputs["kmsKeyId"]}}, nil
	}},
	// A replication group created from a snapshot holds the snapshot's data;
	// what the command does not set, the original's `terraform apply` sets.
	"elasticache create-replication-group": {required: []string{"replication-group-id", "replication-group-description", "snapshot-name", "cache-subnet-group-name"}, run: func(c call) (any, error) {
		group := c.one("cache-subnet-group-name")
		if groups, err := c.resources(typeCacheSubnetGroup, group); err != nil || len(groups) == 0 {
			return nil, or(err, &simaws.Refusal{Code: "CacheSubnetGroupNotFoundFault", Message: "CacheSubnetGroup " + group + " not found."})
		}
		id := c.one("replication-group-id")
		r, err := c.account.Create(typeReplicationGroup, id, c.region, resource.NewPropertyMapFromMap(map[string]any{
			"replicationGroupId": id, "description": c.one("replication-group-description"),
			"snapshotName": c.one("snapshot-name"), "subnetGroupName": group,
		}))
		if err != nil {
			return nil, err
		}
		return map[string]any{"ReplicationGroup": map[string]any{"ReplicationGroupId": r.ID, "Status": "creating"}}, nil
	}},
	"elasticache wait replication-group-available": {required: []string{"replication-group-id"}, run: func(c call) (any, error) {
		groups, err := c.resources(typeReplicationGroup, c.one("replication-group-id"))
		if err == nil && len(groups) == 0 {
			err = waiterFailed("Waiter ReplicationGroupAvailable failed: Waiter encountered a terminal failure state: replication group " + c.one("replication-group-id") + " not found")
		}
		return nil, err
	}},
}

// The program's load balancer group and target groups that an adopted load
// balancer still used when the stack forgot it (staging's way back after the
// window): deleted once Terraform has put the original's back.
func init() {
	commands["ec2 delete-security-group"] = command{required: []string{"group-id"}, run: func(c call) (any, error) {
		return c.delete(typeSecurityGroup, c.one("group-id"), "InvalidGroup.NotFound")
	}}
	commands["elbv2 delete-target-group"] = command{required: []string{"target-group-arn"}, run: func(c call) (any, error) {
		r, err := c.byARN(typeTargetGroup, c.one("target-group-arn"), "TargetGroupNotFound")
		if err != nil {
			return nil, err
		}
		return nil, c.account.Delete(c.region, typeTargetGroup, r.ID, c.one("target-group-arn"))
	}}
}

const (
	typeSecurityGroup = "aws:ec2/securityGroup:SecurityGroup"
	typeTargetGroup   = "aws:lb/targetGroup:TargetGroup"
)
