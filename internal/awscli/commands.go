package awscli

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ohmycoins/infra/internal/simaws"
)

const (
	typeInstance         = "aws:rds/instance:Instance"
	typeParameterGroup   = "aws:rds/parameterGroup:ParameterGroup"
	typeReplicationGroup = "aws:elasticache/replicationGroup:ReplicationGroup"
	typeService          = "aws:ecs/service:Service"
	typeAlias            = "aws:kms/alias:Alias"
	typeKey              = "aws:kms/key:Key"
)

// commands are what the stand-in answers: the aws lines of the rehearsed
// procedures of docs/RUNBOOK.md.
var commands = map[string]command{
	"sts get-caller-identity": {run: func(c call) (any, error) {
		s, err := c.account.Settings()
		return map[string]any{"Account": s.ID, "Arn": "arn:aws:iam::" + s.ID + ":user/rehearsal", "UserId": "AIDAREHEARSAL"}, err
	}},
	"rds describe-db-snapshots": {run: func(c call) (any, error) {
		snapshots, err := c.account.Snapshots()
		var out []any
		for _, s := range snapshots {
			if s.Type != "rds" || s.Region != c.region || c.has("db-instance-identifier") && s.Source != c.one("db-instance-identifier") || c.has("db-snapshot-identifier") && s.Identifier != c.one("db-snapshot-identifier") {
				continue
			}
			kind := "manual"
			if s.Automated() {
				kind = "automated"
			}
			out = append(out, map[string]any{
				"DBSnapshotIdentifier": s.Identifier, "DBInstanceIdentifier": s.Source, "SnapshotType": kind,
				"SnapshotCreateTime": createTime(s), "KmsKeyId": s.KMSKeyID, "Encrypted": s.KMSKeyID != "", "Status": "available",
				"Engine": "postgres", "EngineVersion": s.EngineVersion,
			})
		}
		if c.has("db-snapshot-identifier") && len(out) == 0 {
			return nil, &simaws.Refusal{Code: "DBSnapshotNotFound", Message: "DBSnapshot " + c.one("db-snapshot-identifier") + " not found."}
		}
		return map[string]any{"DBSnapshots": orEmpty(out)}, err
	}},
	"rds describe-db-instances": {run: func(c call) (any, error) {
		instances, err := c.resources(typeInstance, c.one("db-instance-identifier"))
		if err != nil {
			return nil, err
		}
		if c.has("db-instance-identifier") && len(instances) == 0 {
			return nil, &simaws.Refusal{Code: "DBInstanceNotFound", Message: "DBInstance " + c.one("db-instance-identifier") + " not found."}
		}
		var out []any
		for _, r := range instances {
			out = append(out, map[string]any{
				"DBInstanceIdentifier": r.ID, "DBInstanceStatus": "available", "Engine": r.Inputs["engine"],
				"EngineVersion": r.Inputs["engineVersion"], "DeletionProtection": r.Inputs["deletionProtection"] == true,
				"KmsKeyId": r.Inputs["kmsKeyId"], "PendingModifiedValues": map[string]any{},
				"DBParameterGroups": []any{map[string]any{"DBParameterGroupName": r.Inputs["parameterGroupName"], "ParameterApplyStatus": "in-sync"}},
			})
		}
		return map[string]any{"DBInstances": orEmpty(out)}, nil
	}},
	"rds create-db-snapshot": {required: []string{"db-instance-identifier", "db-snapshot-identifier"}, run: func(c call) (any, error) {
		instances, err := c.resources(typeInstance, c.one("db-instance-identifier"))
		if err != nil || len(instances) == 0 {
			return nil, or(err, &simaws.Refusal{Code: "DBInstanceNotFound", Message: "DBInstance " + c.one("db-instance-identifier") + " not found."})
		}
		key, _ := instances[0].Inputs["kmsKeyId"].(string)
		s := simaws.Snapshot{Type: "rds", Identifier: c.one("db-snapshot-identifier"), Region: c.region, Source: instances[0].ID, KMSKeyID: key}
		return map[string]any{"DBSnapshot": map[string]any{"DBSnapshotIdentifier": s.Identifier, "Status": "creating"}}, c.account.SeedSnapshot(s)
	}},
	"rds copy-db-snapshot": {required: []string{"source-db-snapshot-identifier", "target-db-snapshot-identifier"}, run: func(c call) (any, error) {
		key, err := c.keyARN(c.one("kms-key-id"))
		if err != nil {
			return nil, err
		}
		source := c.one("source-db-snapshot-identifier")
		if _, after, ok := strings.Cut(source, ":snapshot:"); ok {
			source = after
		}
		if key == "" {
			snapshots, err := c.account.Snapshots()
			if err != nil {
				return nil, err
			}
			if i := slices.IndexFunc(snapshots, func(s simaws.Snapshot) bool { return s.Region == c.region && s.Identifier == source }); i >= 0 {
				key = snapshots[i].KMSKeyID
			}
		}
		target := c.one("target-db-snapshot-identifier")
		return map[string]any{"DBSnapshot": map[string]any{"DBSnapshotIdentifier": target, "KmsKeyId": key, "Status": "creating"}}, c.account.CopySnapshot(c.region, source, target, key)
	}},
	"rds delete-db-parameter-group": {required: []string{"db-parameter-group-name"}, run: func(c call) (any, error) {
		return c.delete(typeParameterGroup, c.one("db-parameter-group-name"), "DBParameterGroupNotFound")
	}},
	"rds wait db-snapshot-available": {run: func(c call) (any, error) {
		snapshots, err := c.account.Snapshots()
		if err != nil {
			return nil, err
		}
		name := c.one("db-snapshot-identifier")
		if !slices.ContainsFunc(snapshots, func(s simaws.Snapshot) bool { return s.Region == c.region && s.Identifier == name }) {
			return nil, waiterFailed(fmt.Sprintf("Waiter DBSnapshotAvailable failed: Waiter encountered a terminal failure state: snapshot %s does not exist", name))
		}
		return nil, nil
	}},
	"rds wait db-instance-available": {run: func(c call) (any, error) {
		instances, err := c.resources(typeInstance, c.one("db-instance-identifier"))
		if err == nil && len(instances) == 0 {
			err = waiterFailed(fmt.Sprintf("Waiter DBInstanceAvailable failed: Waiter encountered a terminal failure state: DBInstance %s not found", c.one("db-instance-identifier")))
		}
		return nil, err
	}},
	"rds wait db-instance-deleted": {run: func(c call) (any, error) {
		instances, err := c.resources(typeInstance, c.one("db-instance-identifier"))
		if err == nil && len(instances) > 0 {
			err = waiterFailed(fmt.Sprintf("Waiter DBInstanceDeleted failed: Max attempts exceeded: %s still exists", c.one("db-instance-identifier")))
		}
		return nil, err
	}},
	"ecr describe-images": {required: []string{"repository-name"}, run: func(c call) (any, error) {
		repo := c.one("repository-name")
		if found, err := c.resources("aws:ecr/repository:Repository", repo); err != nil || len(found) == 0 {
			return nil, or(err, &simaws.Refusal{Code: "RepositoryNotFoundException", Message: "The repository with name '" + repo + "' does not exist in the registry"})
		}
		images, err := c.account.Images(c.region, repo)
		var out []any
		for _, im := range images {
			if ids := c.options["image-ids"]; len(ids) > 0 && !slices.ContainsFunc(ids, func(id string) bool {
				return id == "imageDigest="+im.Digest || slices.ContainsFunc(im.Tags, func(t string) bool { return id == "imageTag="+t })
			}) {
				continue
			}
			out = append(out, map[string]any{"repositoryName": repo, "imageDigest": im.Digest, "imageTags": im.Tags})
		}
		if len(c.options["image-ids"]) > 0 && len(out) == 0 {
			return nil, &simaws.Refusal{Code: "ImageNotFoundException", Message: "The image requested does not exist in the specified repository."}
		}
		return map[string]any{"imageDetails": orEmpty(out)}, err
	}},
	"ecr delete-repository": {required: []string{"repository-name"}, run: func(c call) (any, error) {
		repo := c.one("repository-name")
		found, err := c.resources("aws:ecr/repository:Repository", repo)
		if err != nil || len(found) == 0 {
			return nil, or(err, &simaws.Refusal{Code: "RepositoryNotFoundException", Message: "The repository with name '" + repo + "' does not exist in the registry"})
		}
		if c.has("force") {
			// --force deletes the images with the repository.
			if err := c.account.Drift(c.region, "aws:ecr/repository:Repository", repo, map[string]any{"forceDelete": true}); err != nil {
				return nil, err
			}
		}
		return map[string]any{"repository": map[string]any{"repositoryName": repo, "repositoryArn": found[0].Outputs["arn"]}}, c.account.Delete(c.region, "aws:ecr/repository:Repository", repo, "")
	}},
	"elasticache delete-cache-parameter-group": {required: []string{"cache-parameter-group-name"}, run: func(c call) (any, error) {
		return c.delete("aws:elasticache/parameterGroup:ParameterGroup", c.one("cache-parameter-group-name"), "CacheParameterGroupNotFound")
	}},
	"elasticache describe-snapshots": {run: func(c call) (any, error) {
		snapshots, err := c.account.Snapshots()
		var out []any
		for _, s := range snapshots {
			if s.Type == "elasticache" && (!c.has("replication-group-id") || s.Source == c.one("replication-group-id")) {
				source := "manual"
				if s.Automated() {
					source = "automated"
				}
				out = append(out, map[string]any{"SnapshotName": s.Identifier, "ReplicationGroupId": s.Source, "KmsKeyId": s.KMSKeyID, "SnapshotStatus": "available", "SnapshotSource": source})
			}
		}
		return map[string]any{"Snapshots": orEmpty(out)}, err
	}},
	"elasticache copy-snapshot": {required: []string{"source-snapshot-name", "target-snapshot-name"}, run: func(c call) (any, error) {
		key, err := c.keyARN(c.one("kms-key-id"))
		if err != nil {
			return nil, err
		}
		snapshots, err := c.account.Snapshots()
		if err != nil {
			return nil, err
		}
		source := c.one("source-snapshot-name")
		if !slices.ContainsFunc(snapshots, func(s simaws.Snapshot) bool {
			return s.Type == "elasticache" && s.Region == c.region && s.Identifier == source
		}) {
			return nil, &simaws.Refusal{Code: "SnapshotNotFoundFault", Message: "Snapshot " + source + " not found."}
		}
		target := c.one("target-snapshot-name")
		return map[string]any{"Snapshot": map[string]any{"SnapshotName": target, "SnapshotStatus": "creating"}}, c.account.CopySnapshot(c.region, source, target, key)
	}},
	"ecs describe-services": {required: []string{"cluster", "services"}, run: func(c call) (any, error) {
		all, err := c.resources(typeService, "")
		if err != nil {
			return nil, err
		}
		var out, failures []any
		for _, name := range c.options["services"] {
			i := slices.IndexFunc(all, func(r simaws.Resource) bool { return r.Inputs["name"] == name })
			if i < 0 {
				failures = append(failures, map[string]any{"arn": name, "reason": "MISSING"})
				continue
			}
			r := all[i]
			rollouts, err := c.account.Rollouts(c.region, r.ID)
			if err != nil {
				return nil, err
			}
			if len(rollouts) == 0 {
				rollouts = []simaws.Rollout{{TaskDefinition: fmt.Sprint(r.Inputs["taskDefinition"]), State: "COMPLETED", Reason: "ECS deployment completed."}}
			}
			// The newest deployment is the primary; the one before it, when
			// it failed and was rolled back, is still listed.
			deployments := []any{deployment("PRIMARY", rollouts[len(rollouts)-1], r)}
			if n := len(rollouts); n > 1 && rollouts[n-2].State == "FAILED" {
				deployments = append(deployments, deployment("INACTIVE", rollouts[n-2], r))
			}
			events := []any{map[string]any{"message": "(service " + name + ") has reached a steady state."}}
			for j := len(rollouts) - 1; j >= 0 && len(events) < 10; j-- {
				events = append(events, map[string]any{"message": "(service " + name + ") deployment of " + rollouts[j].TaskDefinition + " " + strings.ToLower(rollouts[j].State) + ": " + rollouts[j].Reason})
			}
			out = append(out, map[string]any{
				"serviceName": name, "status": "ACTIVE", "desiredCount": r.Inputs["desiredCount"], "runningCount": r.Inputs["desiredCount"],
				"taskDefinition": r.Inputs["taskDefinition"], "deployments": deployments, "events": events,
			})
		}
		return map[string]any{"services": orEmpty(out), "failures": orEmpty(failures)}, nil
	}},
	"ecs wait services-stable": {required: []string{"cluster", "services"}, run: func(c call) (any, error) {
		all, err := c.resources(typeService, "")
		for _, name := range c.options["services"] {
			if !slices.ContainsFunc(all, func(r simaws.Resource) bool { return r.Inputs["name"] == name }) {
				return nil, waiterFailed(fmt.Sprintf("Waiter ServicesStable failed: Waiter encountered a terminal failure state: service %s is MISSING", name))
			}
		}
		return nil, err
	}},
}

// deployment is one entry of a service's deployments.
func deployment(status string, r simaws.Rollout, svc simaws.Resource) map[string]any {
	return map[string]any{"status": status, "taskDefinition": r.TaskDefinition, "rolloutState": r.State, "rolloutStateReason": r.Reason,
		"desiredCount": svc.Inputs["desiredCount"], "runningCount": svc.Inputs["desiredCount"]}
}

// waiterFailed is a waiter's failure, in the AWS CLI's words.
type waiterFailed string

func (w waiterFailed) Error() string { return string(w) }

// resources are the account's resources of a type in the call's region,
// those with an id where one is given.
func (c call) resources(typ, id string) ([]simaws.Resource, error) {
	all, err := c.account.Resources()
	var out []simaws.Resource
	for _, r := range all {
		if r.Type == typ && r.Region == c.region && (id == "" || r.ID == id) {
			out = append(out, r)
		}
	}
	return out, err
}

// delete deletes a resource as its API would, or answers notFound.
func (c call) delete(typ, id, notFound string) (any, error) {
	found, err := c.resources(typ, id)
	if err != nil {
		return nil, err
	}
	if len(found) == 0 {
		return nil, &simaws.Refusal{Code: notFound, Message: id + " not found."}
	}
	return nil, c.account.Delete(c.region, typ, id, "")
}

// keyARN is the ARN of a KMS key given as an ARN, an id or an alias.
func (c call) keyARN(key string) (string, error) {
	if key == "" || strings.HasPrefix(key, "arn:aws:kms:") && !strings.Contains(key, ":alias/") {
		return key, nil
	}
	all, err := c.account.Resources()
	if err != nil {
		return "", err
	}
	target := key
	if _, alias, ok := strings.Cut(key, ":alias/"); ok {
		key = "alias/" + alias
	}
	if strings.HasPrefix(key, "alias/") {
		i := slices.IndexFunc(all, func(r simaws.Resource) bool {
			return r.Type == typeAlias && r.Region == c.region && r.Inputs["name"] == key
		})
		if i < 0 {
			return "", &simaws.Refusal{Code: "NotFoundException", Message: "Alias " + key + " is not found."}
		}
		target, _ = all[i].Inputs["targetKeyId"].(string)
	}
	for _, r := range all {
		if r.Type == typeKey && r.Region == c.region && (r.ID == target || r.Outputs["arn"] == target) {
			return r.Outputs["arn"].(string), nil
		}
	}
	return "", &simaws.Refusal{Code: "NotFoundException", Message: "Key " + target + " does not exist."}
}

// createTime is an automated snapshot's time, from its identifier.
func createTime(s simaws.Snapshot) any {
	if !s.Automated() {
		return nil
	}
	stamp := s.Identifier[len(s.Identifier)-len("2006-01-02-15-04"):]
	t, err := time.Parse("2006-01-02-15-04", stamp)
	if err != nil {
		return nil
	}
	return t.Format(time.RFC3339)
}

func orEmpty(list []any) []any {
	if list == nil {
		return []any{}
	}
	return list
}

func or(err, otherwise error) error {
	if err != nil {
		return err
	}
	return otherwise
}
