package simaws_test

import (
	"errors"
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
	require.Equal(t, []simaws.Snapshot{{Type: "rds", Identifier: "env-final", Source: db.ID, KMSKeyID: "arn:aws:kms:ap-southeast-2:123456789012:key/k"}}, snapshots)
	require.NoError(t, a.Delete("ap-southeast-2", typeSecurityGroup, sg.ID, ""), "no longer in use")

	again, err := a.Create(typeDB, "env-postgres", "ap-southeast-2", props(map[string]any{"identifier": "env-postgres", "finalSnapshotIdentifier": "env-final"}))
	require.NoError(t, err)
	refusal(t, a.Delete("ap-southeast-2", typeDB, again.ID, ""), "DBSnapshotAlreadyExists")
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
