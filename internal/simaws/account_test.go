package simaws_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/stretchr/testify/require"

	"github.com/ohmycoins/infra/internal/simaws"
)

const (
	typeDB            = "aws:rds/instance:Instance"
	typeSecurityGroup = "aws:ec2/securityGroup:SecurityGroup"
	typeLogGroup      = "aws:cloudwatch/logGroup:LogGroup"
)

func open(t *testing.T) *simaws.Account {
	t.Helper()
	a, err := simaws.Open(t.TempDir())
	require.NoError(t, err)
	return a
}

func props(m map[string]any) resource.PropertyMap { return resource.NewPropertyMapFromMap(m) }

func refusal(t *testing.T, err error, code string) {
	t.Helper()
	var r *simaws.Refusal
	require.True(t, errors.As(err, &r), "want a refusal %s, got %v", code, err)
	require.Equal(t, code, r.Code, r.Message)
}

// TestTheAccountRemembersAcrossOpens: what one plugin process creates, the
// next one sees, with the id and outputs the catalog's answer gives.
func TestTheAccountRemembersAcrossOpens(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a, err := simaws.Open(dir)
	require.NoError(t, err)
	group, err := a.Create(typeLogGroup, "env-logs", "ap-southeast-2", props(map[string]any{"name": "/ecs/env", "retentionInDays": 30}))
	require.NoError(t, err)
	require.Equal(t, "/ecs/env", group.ID)
	require.Equal(t, "arn:aws:logs:ap-southeast-2:123456789012:log-group:/ecs/env", group.Outputs["arn"])

	again, err := simaws.Open(dir)
	require.NoError(t, err)
	got, ok, err := again.Get("ap-southeast-2", typeLogGroup, "/ecs/env", "")
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, 30.0, got.Inputs["retentionInDays"])
}

// TestANameIsHeldOnce: a second log group of one name is refused while the
// first exists, as CreateLogGroup answers ResourceAlreadyExists.
func TestANameIsHeldOnce(t *testing.T) {
	t.Parallel()
	a := open(t)
	_, err := a.Create(typeLogGroup, "one", "ap-southeast-2", props(map[string]any{"name": "/ecs/env"}))
	require.NoError(t, err)
	_, err = a.Create(typeLogGroup, "two", "ap-southeast-2", props(map[string]any{"name": "/ecs/env"}))
	refusal(t, err, "AlreadyExists")
	_, err = a.Create(typeLogGroup, "three", "us-east-1", props(map[string]any{"name": "/ecs/env"}))
	require.NoError(t, err, "a log group name is unique per region")
}

// TestAReplacementBesideItsOriginalGetsItsOwnID: two security groups of one
// logical name (a create-before-delete replacement) get two ids.
func TestAReplacementBesideItsOriginalGetsItsOwnID(t *testing.T) {
	t.Parallel()
	a := open(t)
	first, err := a.Create(typeSecurityGroup, "env-sg", "ap-southeast-2", props(map[string]any{"name": "env-sg-1", "vpcId": "vpc-1"}))
	require.NoError(t, err)
	second, err := a.Create(typeSecurityGroup, "env-sg", "ap-southeast-2", props(map[string]any{"name": "env-sg-2", "vpcId": "vpc-1"}))
	require.NoError(t, err)
	require.NotEqual(t, first.ID, second.ID)
	require.Regexp(t, `^sg-[0-9a-f]{17}$`, second.ID)
}

// TestDeletionIsRefusedAsAWSRefusesIt: a protected database, a security
// group a database still uses; the final snapshot is written once.
func TestDeletionIsRefusedAsAWSRefusesIt(t *testing.T) {
	t.Parallel()
	a := open(t)
	sg, err := a.Create(typeSecurityGroup, "env-rds-sg", "ap-southeast-2", props(map[string]any{"name": "env-rds-sg", "vpcId": "vpc-1"}))
	require.NoError(t, err)
	db, err := a.Create(typeDB, "env-postgres", "ap-southeast-2", props(map[string]any{
		"identifier": "env-postgres", "deletionProtection": true, "finalSnapshotIdentifier": "env-final",
		"vpcSecurityGroupIds": []any{sg.ID}, "kmsKeyId": "arn:aws:kms:ap-southeast-2:123456789012:key/k",
	}))
	require.NoError(t, err)

	refusal(t, a.Delete("ap-southeast-2", typeSecurityGroup, sg.ID, ""), "DependencyViolation")
	refusal(t, a.Delete("ap-southeast-2", typeDB, db.ID, ""), "InvalidParameterCombination")

	_, err = a.Update("ap-southeast-2", typeDB, db.ID, "", props(map[string]any{
		"identifier": "env-postgres", "deletionProtection": false, "finalSnapshotIdentifier": "env-final",
		"vpcSecurityGroupIds": []any{sg.ID}, "kmsKeyId": "arn:aws:kms:ap-southeast-2:123456789012:key/k",
	}))
	require.NoError(t, err)
	require.NoError(t, a.Delete("ap-southeast-2", typeDB, db.ID, ""))
	snapshots, err := a.Snapshots()
	require.NoError(t, err)
	require.Equal(t, []simaws.Snapshot{{Type: "rds", Identifier: "env-final", Region: "ap-southeast-2", Source: db.ID, KMSKeyID: "arn:aws:kms:ap-southeast-2:123456789012:key/k", Data: db.Data}}, snapshots)
	require.NoError(t, a.Delete("ap-southeast-2", typeSecurityGroup, sg.ID, ""), "no longer in use")

	again, err := a.Create(typeDB, "env-postgres", "ap-southeast-2", props(map[string]any{"identifier": "env-postgres", "finalSnapshotIdentifier": "env-final"}))
	require.NoError(t, err)
	refusal(t, a.Delete("ap-southeast-2", typeDB, again.ID, ""), "DBSnapshotAlreadyExists")
}

// TestDeletingADatabaseStopsTheReplicationOfItsBackups: the replication
// of a database's backups to another region stops when the database is
// deleted (its backups there are RETAINED, which the provider reads as gone);
// another database's replication goes on.
func TestDeletingADatabaseStopsTheReplicationOfItsBackups(t *testing.T) {
	t.Parallel()
	a := open(t)
	const typeReplication = "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication"
	replicate := func(name string) (simaws.Resource, simaws.Resource) {
		db, err := a.Create(typeDB, name, "ap-southeast-2", props(map[string]any{"identifier": name, "skipFinalSnapshot": true}))
		require.NoError(t, err)
		arn, _ := db.Outputs["arn"].(string)
		require.Regexp(t, `^arn:aws:rds:ap-southeast-2:\d{12}:db:`+name+`$`, arn)
		r, err := a.Create(typeReplication, name+"-dr", "ap-southeast-4", props(map[string]any{"sourceDbInstanceArn": arn, "retentionPeriod": 14.0}))
		require.NoError(t, err)
		return db, r
	}
	db, replication := replicate("env-postgres")
	_, other := replicate("env-other")

	require.NoError(t, a.Delete("ap-southeast-2", typeDB, db.ID, ""))
	_, ok, err := a.Get("ap-southeast-4", typeReplication, replication.ID, "")
	require.NoError(t, err)
	require.False(t, ok, "stopped with its source")
	_, ok, err = a.Get("ap-southeast-4", typeReplication, other.ID, "")
	require.NoError(t, err)
	require.True(t, ok, "another database's replication goes on")
	_, ok, err = a.Get("ap-southeast-2", typeDB, db.ID, "")
	require.NoError(t, err)
	require.False(t, ok, "the database itself is deleted")
}

// TestADatabaseIsRestoredFromItsReplicatedBackups: another region holds
// the database's data in its replicated backups: an instance restored from
// them there holds the same data, under the replication's key; an ARN the
// region does not hold is refused.
func TestADatabaseIsRestoredFromItsReplicatedBackups(t *testing.T) {
	t.Parallel()
	a := open(t)
	const typeReplication = "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication"
	db, err := a.Create(typeDB, "env-postgres", "ap-southeast-2", props(map[string]any{"identifier": "env-postgres", "engineVersion": "17", "skipFinalSnapshot": true}))
	require.NoError(t, err)
	key := "arn:aws:kms:ap-southeast-4:123456789012:key/dr"
	replication, err := a.Create(typeReplication, "env-postgres-dr", "ap-southeast-4", props(map[string]any{"sourceDbInstanceArn": db.Outputs["arn"], "kmsKeyId": key, "retentionPeriod": 14.0}))
	require.NoError(t, err)
	require.Regexp(t, `^arn:aws:rds:ap-southeast-4:\d{12}:auto-backup:ab-`, replication.ID)

	restored, err := a.RestoreFromReplicatedBackups("ap-southeast-4", replication.ID, "env-dr-restore", "db.t3.small")
	require.NoError(t, err)
	require.Equal(t, "ap-southeast-4", restored.Region)
	require.Equal(t, "env-dr-restore", restored.ID)
	require.Equal(t, db.Data, restored.Data, "the source's data")
	require.Equal(t, key, restored.Inputs["kmsKeyId"])
	require.Equal(t, "17", restored.Inputs["engineVersion"])
	require.Equal(t, "db.t3.small", restored.Inputs["instanceClass"])

	_, err = a.RestoreFromReplicatedBackups("ap-southeast-2", replication.ID, "env-wrong-region", "db.t3.small")
	refusal(t, err, "DBInstanceAutomatedBackupNotFound")
}

// TestATaskDefinitionFamilyHoldsItsRevisions: a new revision beside the
// old one (a replacement) shares the family's id and gets the next ARN;
// deleting one by its ARN leaves the other.
func TestATaskDefinitionFamilyHoldsItsRevisions(t *testing.T) {
	t.Parallel()
	a := open(t)
	const typ = "aws:ecs/taskDefinition:TaskDefinition"
	one, err := a.Create(typ, "env-backend", "ap-southeast-2", props(map[string]any{"family": "env-backend", "containerDefinitions": "[1]"}))
	require.NoError(t, err)
	two, err := a.Create(typ, "env-backend", "ap-southeast-2", props(map[string]any{"family": "env-backend", "containerDefinitions": "[2]"}))
	require.NoError(t, err)
	require.Equal(t, "env-backend", two.ID)
	require.Equal(t, "arn:aws:ecs:ap-southeast-2:123456789012:task-definition/env-backend:1", one.Outputs["arn"])
	require.Equal(t, "arn:aws:ecs:ap-southeast-2:123456789012:task-definition/env-backend:2", two.Outputs["arn"])
	require.NoError(t, a.Delete("ap-southeast-2", typ, "env-backend", str(one.Outputs["arn"])))
	left, ok, err := a.Get("ap-southeast-2", typ, "env-backend", "")
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, "[2]", left.Inputs["containerDefinitions"])
}

func str(v any) string { s, _ := v.(string); return s }

// TestDeletedSecretsAndKeysWaitOutTheirWindow: a secret deleted with a
// recovery window keeps its name taken, one deleted with no window frees
// it; a KMS key is scheduled for deletion, and nothing may use it then.
func TestDeletedSecretsAndKeysWaitOutTheirWindow(t *testing.T) {
	t.Parallel()
	a := open(t)
	const secret, key = "aws:secretsmanager/secret:Secret", "aws:kms/key:Key"
	s, err := a.Create(secret, "env-app-secrets", "ap-southeast-2", props(map[string]any{"name": "env/app-secrets", "recoveryWindowInDays": 7.0}))
	require.NoError(t, err)
	require.NoError(t, a.Delete("ap-southeast-2", secret, s.ID, ""))
	_, err = a.Create(secret, "env-app-secrets", "ap-southeast-2", props(map[string]any{"name": "env/app-secrets"}))
	refusal(t, err, "InvalidRequestException")

	forced, err := a.Create(secret, "other", "ap-southeast-2", props(map[string]any{"name": "env/other", "recoveryWindowInDays": 0.0}))
	require.NoError(t, err)
	require.NoError(t, a.Delete("ap-southeast-2", secret, forced.ID, ""))
	_, err = a.Create(secret, "other", "ap-southeast-2", props(map[string]any{"name": "env/other"}))
	require.NoError(t, err, "deleted without a recovery window: the name is free")

	k, err := a.Create(key, "env-key", "ap-southeast-2", props(map[string]any{"description": "env", "deletionWindowInDays": 7.0}))
	require.NoError(t, err)
	require.NoError(t, a.Delete("ap-southeast-2", key, k.ID, ""))
	_, err = a.Create(typeLogGroup, "env-logs", "ap-southeast-2", props(map[string]any{"name": "/env/logs", "kmsKeyId": k.Outputs["arn"]}))
	refusal(t, err, "KMSInvalidStateException")
}

// TestARestoreComesBackUnderTheSnapshotsKey: an instance restored from a
// snapshot needs the snapshot, and is encrypted with the snapshot's key
// whatever key it asked for; a copy under another key restores under that.
func TestARestoreComesBackUnderTheSnapshotsKey(t *testing.T) {
	t.Parallel()
	a := open(t)
	const original, environment = "arn:aws:kms:ap-southeast-2:220711411889:key/aws-rds", "arn:aws:kms:ap-southeast-2:220711411889:key/env"
	restore := func(name, snapshot string) (simaws.Resource, error) {
		return a.Create(typeDB, name, "ap-southeast-2", props(map[string]any{"identifier": name, "snapshotIdentifier": snapshot, "kmsKeyId": environment}))
	}
	_, err := restore("env-postgres", "missing")
	refusal(t, err, "DBSnapshotNotFound")

	require.NoError(t, a.SeedSnapshot(simaws.Snapshot{Type: "rds", Identifier: "from-terraform", KMSKeyID: original}))
	db, err := restore("env-postgres", "from-terraform")
	require.NoError(t, err)
	require.Equal(t, original, db.Inputs["kmsKeyId"], "restored under the snapshot's key")
	require.Equal(t, original, db.Outputs["kmsKeyId"])

	require.NoError(t, a.CopySnapshot("ap-southeast-2", "from-terraform", "from-terraform-env", environment))
	refusal(t, a.CopySnapshot("ap-southeast-2", "from-terraform", "from-terraform-env", environment), "DBSnapshotAlreadyExists")
	copied, err := restore("env-postgres-2", "arn:aws:rds:ap-southeast-2:220711411889:snapshot:from-terraform-env")
	require.NoError(t, err)
	require.Equal(t, environment, copied.Outputs["kmsKeyId"], "the copy carries the environment's key")
}

// TestAFailedDeploymentRollsBack: a service given a task definition whose
// image never becomes healthy stays on its previous task definition where
// its circuit breaker rolls back, and the update is not refused (the
// provider's waiter reports success); without the rollback it fails.
func TestAFailedDeploymentRollsBack(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a, err := simaws.Open(dir)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "account.json"), []byte(`{"id": "220711411889", "failingImages": ["app@sha256:bad"]}`), 0o644))
	const typeTaskDef, typeService = "aws:ecs/taskDefinition:TaskDefinition", "aws:ecs/service:Service"
	task := func(image string) string {
		td, err := a.Create(typeTaskDef, "env-backend", "ap-southeast-2", props(map[string]any{"family": "env-backend", "containerDefinitions": `[{"image":"` + image + `"}]`}))
		require.NoError(t, err)
		return td.Outputs["arn"].(string)
	}
	good, bad := task("app@sha256:good"), task("app@sha256:bad")
	breaker := map[string]any{"enable": true, "rollback": true}
	svc, err := a.Create(typeService, "env-backend-service", "ap-southeast-2", props(map[string]any{"name": "env-backend-service", "taskDefinition": good, "deploymentCircuitBreaker": breaker}))
	require.NoError(t, err)

	rolled, err := a.Update("ap-southeast-2", typeService, svc.ID, "", props(map[string]any{"name": "env-backend-service", "taskDefinition": bad, "deploymentCircuitBreaker": breaker}))
	require.NoError(t, err, "the waiter sees the rolled-back deployment as steady")
	require.Equal(t, good, rolled.Outputs["taskDefinition"], "ECS rolled back to the previous task definition")

	_, err = a.Update("ap-southeast-2", typeService, svc.ID, "", props(map[string]any{"name": "env-backend-service", "taskDefinition": bad, "deploymentCircuitBreaker": map[string]any{"enable": false}}))
	refusal(t, err, "ServiceNotStable")
}

// TestDriftIsWhatAWSReports: a change behind the program's back is what the
// account reports next.
func TestDriftIsWhatAWSReports(t *testing.T) {
	t.Parallel()
	a := open(t)
	g, err := a.Create(typeLogGroup, "env-logs", "ap-southeast-2", props(map[string]any{"name": "/env/logs", "retentionInDays": 30.0}))
	require.NoError(t, err)
	require.NoError(t, a.Drift("ap-southeast-2", typeLogGroup, g.ID, map[string]any{"retentionInDays": 1.0}))
	got, ok, err := a.Get("ap-southeast-2", typeLogGroup, g.ID, "")
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, 1.0, got.Inputs["retentionInDays"])
	refusal(t, a.Drift("ap-southeast-2", typeLogGroup, "/env/none", map[string]any{"retentionInDays": 1.0}), "NotFound")
}

// TestDataFollowsSnapshotsAndRestores: a database's data lives on in its
// final snapshot and in a database restored from it, under the same
// identifier; a database deleted without a snapshot takes its data with it,
// and so do the automated backups RDS deletes with it unless they are retained.
func TestDataFollowsSnapshotsAndRestores(t *testing.T) {
	t.Parallel()
	a := open(t)
	first, err := a.Create(typeDB, "env-postgres", "ap-southeast-2", props(map[string]any{"identifier": "env-postgres", "finalSnapshotIdentifier": "env-final-1", "deleteAutomatedBackups": false}))
	require.NoError(t, err)
	original := simaws.Datum{Type: typeDB, Name: "env-postgres", Serial: first.Serial}
	require.Equal(t, []simaws.Datum{original}, first.Data)
	require.NoError(t, a.SeedSnapshot(simaws.Snapshot{Type: "rds", Identifier: "rds:env-postgres-2026-11-27-03-05", Source: "env-postgres"}))

	require.NoError(t, a.Delete("ap-southeast-2", typeDB, "env-postgres", ""))
	data, err := a.Data()
	require.NoError(t, err)
	require.Equal(t, []simaws.Datum{original}, data, "kept by the final snapshot and the retained automated one")

	restored, err := a.Create(typeDB, "env-postgres", "ap-southeast-2", props(map[string]any{"identifier": "env-postgres", "snapshotIdentifier": "env-final-1", "skipFinalSnapshot": true}))
	require.NoError(t, err)
	require.Greater(t, restored.Serial, first.Serial, "a new incarnation under the same identifier")
	require.Equal(t, []simaws.Datum{original}, restored.Data, "it holds the original's data")

	empty, err := a.Create(typeDB, "env-other", "ap-southeast-2", props(map[string]any{"identifier": "env-other", "skipFinalSnapshot": true}))
	require.NoError(t, err)
	require.NoError(t, a.SeedSnapshot(simaws.Snapshot{Type: "rds", Identifier: "rds:env-other-2026-11-27-03-05", Source: "env-other"}))
	require.NoError(t, a.Delete("ap-southeast-2", typeDB, "env-other", ""))
	data, err = a.Data()
	require.NoError(t, err)
	require.NotContains(t, data, simaws.Datum{Type: typeDB, Name: "env-other", Serial: empty.Serial}, "no final snapshot, automated backups deleted with it: lost")
	snapshots, err := a.Snapshots()
	require.NoError(t, err)
	var names []string
	for _, s := range snapshots {
		names = append(names, s.Identifier)
	}
	require.ElementsMatch(t, []string{"env-final-1", "rds:env-postgres-2026-11-27-03-05"}, names)
}

// TestTasksRunOnlyImagesTheirRepositoryHolds: a service of this account's
// ECR runs an image pushed to its repository; one never pushed cannot be
// pulled (rolled back with the circuit breaker, refused without); a tag of
// an immutable repository moves to no other digest; a repository that
// holds images is deleted only with forceDelete; a scalable target moves the
// service's desired count into its range.
func TestTasksRunOnlyImagesTheirRepositoryHolds(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a, err := simaws.Open(dir)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "account.json"), []byte(`{"id": "220711411889"}`), 0o644))
	const region, typeRepo = "ap-southeast-2", "aws:ecr/repository:Repository"
	refusal(t, a.PushImage(region, "env-backend", "sha256:aa"), "RepositoryNotFoundException")
	_, err = a.Create(typeRepo, "env-backend", region, props(map[string]any{"name": "env-backend", "imageTagMutability": "IMMUTABLE"}))
	require.NoError(t, err)
	require.NoError(t, a.PushImage(region, "env-backend", "sha256:aa", "v1"))
	refusal(t, a.PushImage(region, "env-backend", "sha256:bb", "v1"), "ImageTagAlreadyExistsException")
	require.NoError(t, a.PushImage(region, "env-backend", "sha256:bb", "v2"))

	const typeTaskDef, typeService = "aws:ecs/taskDefinition:TaskDefinition", "aws:ecs/service:Service"
	task := func(digest string) string {
		td, err := a.Create(typeTaskDef, "env-backend", region, props(map[string]any{"family": "env-backend",
			"containerDefinitions": `[{"image":"220711411889.dkr.ecr.ap-southeast-2.amazonaws.com/env-backend@` + digest + `"}]`}))
		require.NoError(t, err)
		return td.Outputs["arn"].(string)
	}
	breaker := map[string]any{"enable": true, "rollback": true}
	cluster := "arn:aws:ecs:ap-southeast-2:220711411889:cluster/env-cluster"
	_, err = a.Create(typeService, "env-backend-service", region, props(map[string]any{"name": "env-backend-service", "cluster": cluster, "desiredCount": 1.0, "taskDefinition": task("sha256:cc"), "deploymentCircuitBreaker": breaker}))
	refusal(t, err, "ServiceNotStable")
	good := task("sha256:aa")
	svc, err := a.Create(typeService, "env-backend-service", region, props(map[string]any{"name": "env-backend-service", "cluster": cluster, "desiredCount": 1.0, "taskDefinition": good, "deploymentCircuitBreaker": breaker}))
	require.NoError(t, err)
	rolled, err := a.Update(region, typeService, svc.ID, "", props(map[string]any{"name": "env-backend-service", "cluster": cluster, "desiredCount": 1.0, "taskDefinition": task("sha256:dd"), "deploymentCircuitBreaker": breaker}))
	require.NoError(t, err)
	require.Equal(t, good, rolled.Inputs["taskDefinition"], "never pushed: rolled back")
	problem, err := a.ImageProblem(region, "220711411889.dkr.ecr.ap-southeast-2.amazonaws.com/env-backend@sha256:dd")
	require.NoError(t, err)
	require.Equal(t, "CannotPullContainerError: 220711411889.dkr.ecr.ap-southeast-2.amazonaws.com/env-backend@sha256:dd not found in env-backend", problem)

	_, err = a.Create("aws:appautoscaling/target:Target", "env-backend-scaling", region, props(map[string]any{"resourceId": "service/env-cluster/env-backend-service", "scalableDimension": "ecs:service:DesiredCount", "minCapacity": 2.0, "maxCapacity": 10.0}))
	require.NoError(t, err)
	scaled, _, err := a.Get(region, typeService, svc.ID, "")
	require.NoError(t, err)
	require.Equal(t, 2.0, scaled.Inputs["desiredCount"], "moved into [2, 10]")

	refusal(t, a.Delete(region, typeRepo, "env-backend", ""), "RepositoryNotEmptyException")
	require.NoError(t, a.Drift(region, typeRepo, "env-backend", map[string]any{"forceDelete": true}))
	require.NoError(t, a.Delete(region, typeRepo, "env-backend", ""))
	images, err := a.Images(region, "env-backend")
	require.NoError(t, err)
	require.Empty(t, images, "deleted with their repository")
}

// TestARegionInAnOutageAnswersNothingAndLosesNothing: while a region is
// down its regional services refuse every call, global ones (IAM, Route
// 53) and what is not AWS answer, and what it holds is still there when
// it comes back; another region restores from the backups replicated out
// of it.
func TestARegionInAnOutageAnswersNothingAndLosesNothing(t *testing.T) {
	t.Parallel()
	a := open(t)
	const typeReplication = "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication"
	db, err := a.Create(typeDB, "env-postgres", "ap-southeast-2", props(map[string]any{"identifier": "env-postgres", "engineVersion": "17", "skipFinalSnapshot": true}))
	require.NoError(t, err)
	replication, err := a.Create(typeReplication, "env-postgres-dr", "ap-southeast-4", props(map[string]any{"sourceDbInstanceArn": db.Outputs["arn"], "kmsKeyId": "arn:aws:kms:ap-southeast-4:123456789012:key/dr", "retentionPeriod": 14.0}))
	require.NoError(t, err)

	require.NoError(t, a.SetOutage("ap-southeast-2"))
	_, _, err = a.Get("ap-southeast-2", typeDB, db.ID, "")
	refusal(t, err, "RequestError")
	refusal(t, a.Delete("ap-southeast-2", typeDB, db.ID, ""), "RequestError")
	_, err = a.Create(typeSecurityGroup, "env-sg", "ap-southeast-2", props(map[string]any{"name": "env-sg"}))
	refusal(t, err, "RequestError")
	refusal(t, a.SeedSnapshot(simaws.Snapshot{Type: "rds", Identifier: "manual", Source: db.ID}), "RequestError")
	_, err = a.Create("aws:iam/role:Role", "env-role", "ap-southeast-2", props(map[string]any{"name": "env-role", "assumeRolePolicy": "{}"}))
	require.NoError(t, err, "IAM is global")

	restored, err := a.RestoreFromReplicatedBackups("ap-southeast-4", replication.ID, "env-dr-restore", "db.t3.small")
	require.NoError(t, err, "the other region answers")
	require.Equal(t, db.Data, restored.Data)

	require.NoError(t, a.SetOutage())
	back, ok, err := a.Get("ap-southeast-2", typeDB, db.ID, "")
	require.NoError(t, err)
	require.True(t, ok, "the region comes back with what it held")
	require.Equal(t, db.Data, back.Data)
}

// TestSnapshotsAreRegional: a snapshot is found, copied and restored only
// in its region, and the same identifier may exist in two regions.
func TestSnapshotsAreRegional(t *testing.T) {
	t.Parallel()
	a := open(t)
	db, err := a.Create(typeDB, "env-dr-restore", "ap-southeast-4", props(map[string]any{"identifier": "env-dr-restore", "kmsKeyId": "arn:aws:kms:ap-southeast-4:123456789012:key/dr", "skipFinalSnapshot": true}))
	require.NoError(t, err)
	require.NoError(t, a.SeedSnapshot(simaws.Snapshot{Type: "rds", Identifier: "restored", Region: "ap-southeast-4", Source: db.ID, KMSKeyID: "arn:aws:kms:ap-southeast-4:123456789012:key/dr"}))
	require.NoError(t, a.SeedSnapshot(simaws.Snapshot{Type: "rds", Identifier: "restored", Source: "elsewhere"}), "another region's snapshot of the same name")
	snapshots, err := a.Snapshots()
	require.NoError(t, err)
	require.Len(t, snapshots, 2)
	require.Equal(t, "ap-southeast-4", snapshots[0].Region)
	require.Equal(t, db.Data, snapshots[0].Data, "a snapshot of the region's instance keeps its data")
	require.Equal(t, simaws.HomeRegion, snapshots[1].Region)
	require.Empty(t, snapshots[1].Data)

	refusal(t, a.CopySnapshot("ap-southeast-2", "missing", "x", ""), "DBSnapshotNotFound")
	const own = "arn:aws:kms:ap-southeast-4:123456789012:key/own"
	require.NoError(t, a.CopySnapshot("ap-southeast-4", "restored", "restored-own-key", own))
	_, err = a.Create(typeDB, "env-postgres", "ap-southeast-2", props(map[string]any{"identifier": "env-postgres", "snapshotIdentifier": "restored-own-key"}))
	refusal(t, err, "DBSnapshotNotFound")
	restored, err := a.Create(typeDB, "env-postgres", "ap-southeast-4", props(map[string]any{"identifier": "env-postgres", "snapshotIdentifier": "restored-own-key"}))
	require.NoError(t, err)
	require.Equal(t, own, restored.Inputs["kmsKeyId"])
	require.Equal(t, db.Data, restored.Data)

	refusal(t, a.DeleteDBInstance("ap-southeast-4", db.ID, "", false), "InvalidParameterCombination")
	require.NoError(t, a.DeleteDBInstance("ap-southeast-4", db.ID, "", true))
	_, ok, err := a.Get("ap-southeast-4", typeDB, db.ID, "")
	require.NoError(t, err)
	require.False(t, ok)
	data, err := a.Data()
	require.NoError(t, err)
	require.Contains(t, data, db.Data[0], "the restored instance and the snapshots still hold it")
}
