package awscli

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/ohmycoins/infra/internal/simaws"
)

const (
	typeSubnetGroup      = "aws:rds/subnetGroup:SubnetGroup"
	typeCacheSubnetGroup = "aws:elasticache/subnetGroup:SubnetGroup"
	typeNATGateway       = "aws:ec2/natGateway:NatGateway"
	typeLoadBalancer     = "aws:lb/loadBalancer:LoadBalancer"
	typeListener         = "aws:lb/listener:Listener"
	typeListenerRule     = "aws:lb/listenerRule:ListenerRule"
	typeSecret           = "aws:secretsmanager/secret:Secret"
	typeSecretVersion    = "aws:secretsmanager/secretVersion:SecretVersion"
)

// The commands of "Moving from Terraform" (docs/RUNBOOK.md): the snapshots
// before the move, and what the cutover window deletes and renames.
func init() {
	for name, cmd := range cutoverCommands {
		commands[name] = cmd
	}
}

// memberSuffix is what ElastiCache appends to a replication group's id to
// name its member clusters (ohmycoins-prod-redis-002).
var memberSuffix = regexp.MustCompile(`-\d{3}$`)

var cutoverCommands = map[string]command{
	"elasticache create-snapshot": {required: []string{"snapshot-name"}, run: func(c call) (any, error) {
		group := c.one("replication-group-id")
		if member := c.one("cache-cluster-id"); member != "" {
			group = memberSuffix.ReplaceAllString(member, "") // a member's snapshot is its group's data
		}
		groups, err := c.resources(typeReplicationGroup, group)
		if err == nil && len(groups) > 0 && c.has("cache-cluster-id") && !hasMember(groups[0], c.one("cache-cluster-id")) {
			groups = nil
		}
		if err != nil || len(groups) == 0 || group == "" {
			what := "ReplicationGroup " + group
			if c.has("cache-cluster-id") {
				what = "CacheCluster " + c.one("cache-cluster-id")
			}
			return nil, or(err, &simaws.Refusal{Code: "CacheClusterNotFound", Message: what + " not found."})
		}
		key, _ := groups[0].Inputs["kmsKeyId"].(string)
		s := simaws.Snapshot{Type: "elasticache", Identifier: c.one("snapshot-name"), Region: c.region, Source: groups[0].ID, KMSKeyID: key}
		return map[string]any{"Snapshot": map[string]any{"SnapshotName": s.Identifier, "SnapshotStatus": "creating"}}, c.account.SeedSnapshot(s)
	}},
	"rds modify-db-instance": {required: []string{"db-instance-identifier"}, run: func(c call) (any, error) {
		id := c.one("db-instance-identifier")
		found, err := c.resources(typeInstance, id)
		if err != nil || len(found) == 0 {
			return nil, or(err, &simaws.Refusal{Code: "DBInstanceNotFound", Message: "DBInstance " + id + " not found."})
		}
		switch {
		case c.has("no-deletion-protection"):
			err = c.account.Drift(c.region, typeInstance, id, map[string]any{"deletionProtection": false})
		case c.has("deletion-protection"):
			err = c.account.Drift(c.region, typeInstance, id, map[string]any{"deletionProtection": true})
		}
		if err != nil {
			return nil, err
		}
		if renamed := c.one("new-db-instance-identifier"); renamed != "" {
			if !c.has("apply-immediately") {
				return nil, &simaws.Refusal{Code: "InvalidParameterCombination", Message: "the rehearsal renames only with --apply-immediately; without it RDS renames in the next maintenance window"}
			}
			if err := c.account.Rename(c.region, typeInstance, id, renamed); err != nil {
				return nil, err
			}
			id = renamed
		}
		return map[string]any{"DBInstance": map[string]any{"DBInstanceIdentifier": id, "DBInstanceStatus": "modifying"}}, nil
	}},
	"rds delete-db-instance": {required: []string{"db-instance-identifier"}, run: func(c call) (any, error) {
		id := c.one("db-instance-identifier")
		found, err := c.resources(typeInstance, id)
		if err != nil || len(found) == 0 {
			return nil, or(err, &simaws.Refusal{Code: "DBInstanceNotFound", Message: "DBInstance " + id + " not found."})
		}
		final := map[string]any{"skipFinalSnapshot": c.has("skip-final-snapshot"), "finalSnapshotIdentifier": c.one("final-db-snapshot-identifier")}
		if c.has("skip-final-snapshot") == c.has("final-db-snapshot-identifier") {
			return nil, &simaws.Refusal{Code: "InvalidParameterCombination", Message: "FinalDBSnapshotIdentifier is required unless SkipFinalSnapshot is specified, and not allowed with it"}
		}
		// Deleting a database keeps its automated backups only when asked to.
		final["deleteAutomatedBackups"] = !c.has("no-delete-automated-backups")
		if err := c.account.Drift(c.region, typeInstance, id, final); err != nil {
			return nil, err
		}
		return map[string]any{"DBInstance": map[string]any{"DBInstanceIdentifier": id, "DBInstanceStatus": "deleting"}}, c.account.Delete(c.region, typeInstance, id, "")
	}},
	"rds delete-db-subnet-group": {required: []string{"db-subnet-group-name"}, run: func(c call) (any, error) {
		return c.delete(typeSubnetGroup, c.one("db-subnet-group-name"), "DBSubnetGroupNotFoundFault")
	}},
	"elasticache delete-replication-group": {required: []string{"replication-group-id"}, run: func(c call) (any, error) {
		id := c.one("replication-group-id")
		found, err := c.resources(typeReplicationGroup, id)
		if err != nil || len(found) == 0 {
			return nil, or(err, &simaws.Refusal{Code: "ReplicationGroupNotFoundFault", Message: "ReplicationGroup " + id + " not found."})
		}
		if err := c.account.Drift(c.region, typeReplicationGroup, id, map[string]any{"finalSnapshotIdentifier": c.one("final-snapshot-identifier")}); err != nil {
			return nil, err
		}
		return map[string]any{"ReplicationGroup": map[string]any{"ReplicationGroupId": id, "Status": "deleting"}}, c.account.Delete(c.region, typeReplicationGroup, id, "")
	}},
	"elasticache wait replication-group-deleted": {required: []string{"replication-group-id"}, run: func(c call) (any, error) {
		found, err := c.resources(typeReplicationGroup, c.one("replication-group-id"))
		if err == nil && len(found) > 0 {
			err = waiterFailed(fmt.Sprintf("Waiter ReplicationGroupDeleted failed: Max attempts exceeded: %s still exists", c.one("replication-group-id")))
		}
		return nil, err
	}},
	"elasticache delete-cache-subnet-group": {required: []string{"cache-subnet-group-name"}, run: func(c call) (any, error) {
		return c.delete(typeCacheSubnetGroup, c.one("cache-subnet-group-name"), "CacheSubnetGroupNotFoundFault")
	}},
	"ec2 delete-nat-gateway": {required: []string{"nat-gateway-id"}, run: func(c call) (any, error) {
		id := c.one("nat-gateway-id")
		if _, err := c.delete(typeNATGateway, id, "NatGatewayNotFound"); err != nil {
			return nil, err
		}
		return map[string]any{"NatGatewayId": id}, nil
	}},
	"ec2 wait nat-gateway-deleted": {required: []string{"nat-gateway-ids"}, run: func(c call) (any, error) {
		for _, id := range c.options["nat-gateway-ids"] {
			found, err := c.resources(typeNATGateway, id)
			if err != nil {
				return nil, err
			}
			if len(found) > 0 {
				return nil, waiterFailed(fmt.Sprintf("Waiter NatGatewayDeleted failed: Max attempts exceeded: %s still exists", id))
			}
		}
		return nil, nil
	}},
	"ecs update-service": {required: []string{"cluster", "service"}, run: func(c call) (any, error) {
		all, err := c.resources(typeService, "")
		if err != nil {
			return nil, err
		}
		name := c.one("service")
		i := slices.IndexFunc(all, func(r simaws.Resource) bool {
			return r.Inputs["name"] == name && strings.HasSuffix(fmt.Sprint(r.Inputs["cluster"]), c.one("cluster"))
		})
		if i < 0 {
			return nil, &simaws.Refusal{Code: "ServiceNotFoundException", Message: "Service not found."}
		}
		if c.has("desired-count") {
			var count float64
			if _, err := fmt.Sscan(c.one("desired-count"), &count); err != nil {
				return nil, &simaws.Refusal{Code: "InvalidParameterException", Message: "desired-count: " + c.one("desired-count")}
			}
			if err := c.account.Drift(c.region, typeService, all[i].ID, map[string]any{"desiredCount": count}); err != nil {
				return nil, err
			}
		}
		return map[string]any{"service": map[string]any{"serviceName": name, "desiredCount": c.one("desired-count")}}, nil
	}},
	"elbv2 modify-load-balancer-attributes": {required: []string{"load-balancer-arn", "attributes"}, run: func(c call) (any, error) {
		lb, err := c.byARN(typeLoadBalancer, c.one("load-balancer-arn"), "LoadBalancerNotFound")
		if err != nil {
			return nil, err
		}
		for _, a := range c.options["attributes"] {
			switch a {
			case "Key=deletion_protection.enabled,Value=false":
				err = c.account.Drift(c.region, typeLoadBalancer, lb.ID, map[string]any{"enableDeletionProtection": false})
			case "Key=deletion_protection.enabled,Value=true":
				err = c.account.Drift(c.region, typeLoadBalancer, lb.ID, map[string]any{"enableDeletionProtection": true})
			default:
				return nil, &simaws.Refusal{Code: "ValidationError", Message: "the rehearsal's stand-in sets only deletion_protection.enabled, not " + a}
			}
		}
		return map[string]any{"Attributes": []any{}}, err
	}},
	"elbv2 delete-load-balancer": {required: []string{"load-balancer-arn"}, run: func(c call) (any, error) {
		lb, err := c.byARN(typeLoadBalancer, c.one("load-balancer-arn"), "LoadBalancerNotFound")
		if err != nil {
			return nil, err
		}
		if err := c.account.Delete(c.region, typeLoadBalancer, lb.ID, ""); err != nil {
			return nil, err
		}
		// Its listeners and their rules go with it.
		all, err := c.account.Resources()
		if err != nil {
			return nil, err
		}
		arn := fmt.Sprint(lb.Outputs["arn"])
		var listeners []string
		for _, r := range all {
			if r.Type == typeListener && r.Inputs["loadBalancerArn"] == arn {
				listeners = append(listeners, fmt.Sprint(r.Outputs["arn"]))
			}
		}
		for _, r := range all {
			if r.Type == typeListenerRule && slices.Contains(listeners, fmt.Sprint(r.Inputs["listenerArn"])) {
				if err := c.account.Delete(r.Region, r.Type, r.ID, ""); err != nil {
					return nil, err
				}
			}
		}
		for _, r := range all {
			if r.Type == typeListener && r.Inputs["loadBalancerArn"] == arn {
				if err := c.account.Delete(r.Region, r.Type, r.ID, ""); err != nil {
					return nil, err
				}
			}
		}
		return map[string]any{}, nil
	}},
	"secretsmanager get-secret-value": {required: []string{"secret-id"}, run: func(c call) (any, error) {
		id := c.one("secret-id")
		secrets, err := c.resources(typeSecret, "")
		if err != nil {
			return nil, err
		}
		i := slices.IndexFunc(secrets, func(r simaws.Resource) bool {
			return r.ID == id || r.Inputs["name"] == id || r.Outputs["arn"] == id
		})
		if i < 0 {
			return nil, &simaws.Refusal{Code: "ResourceNotFoundException", Message: "Secrets Manager can't find the specified secret."}
		}
		arn := fmt.Sprint(secrets[i].Outputs["arn"])
		versions, err := c.resources(typeSecretVersion, "")
		if err != nil {
			return nil, err
		}
		for j := len(versions) - 1; j >= 0; j-- {
			v := versions[j]
			if v.Inputs["secretId"] == arn || v.Inputs["secretId"] == secrets[i].ID {
				return map[string]any{"ARN": arn, "Name": secrets[i].Inputs["name"], "SecretString": v.Inputs["secretString"], "VersionStages": []any{"AWSCURRENT"}}, nil
			}
		}
		return nil, &simaws.Refusal{Code: "ResourceNotFoundException", Message: "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT"}
	}},
}

// byARN is the resource of a type with an ARN, or notFound.
func (c call) byARN(typ, arn, notFound string) (simaws.Resource, error) {
	all, err := c.resources(typ, "")
	if err != nil {
		return simaws.Resource{}, err
	}
	for _, r := range all {
		if r.Outputs["arn"] == arn || r.ID == arn {
			return r, nil
		}
	}
	return simaws.Resource{}, &simaws.Refusal{Code: notFound, Message: "One or more load balancers not found: " + arn}
}

// hasMember reports whether a replication group has a member cluster: by
// its member list where the account knows it, else by its number of nodes
// (members are numbered -001, -002, ...).
func hasMember(group simaws.Resource, member string) bool {
	if members, ok := group.Outputs["memberClusters"].([]any); ok && len(members) > 0 {
		return slices.Contains(members, any(member))
	}
	var n int
	if _, err := fmt.Sscanf(member[len(member)-3:], "%03d", &n); err != nil {
		return false
	}
	count, _ := group.Inputs["numCacheClusters"].(float64)
	return n >= 1 && float64(n) <= count
}
