package awscli

import (
	"bytes"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/stretchr/testify/require"

	"github.com/ohmycoins/infra/internal/simaws"
	"github.com/ohmycoins/infra/internal/simprovider"
)

// account is a simulated account with a database under a key with an
// alias, its parameter group, and an automated snapshot.
func account(t *testing.T) *simaws.Account {
	t.Helper()
	dir := t.TempDir()
	t.Setenv(simprovider.AccountEnv, dir)
	t.Setenv("AWS_REGION", "ap-southeast-2")
	a, err := simaws.Open(dir)
	require.NoError(t, err)
	create := func(typ, name string, in map[string]any) simaws.Resource {
		r, err := a.Create(typ, name, "ap-southeast-2", resource.NewPropertyMapFromMap(in))
		require.NoError(t, err)
		return r
	}
	key := create(typeKey, "env-key", map[string]any{"description": "env"})
	create(typeAlias, "env-alias", map[string]any{"name": "alias/env", "targetKeyId": key.ID})
	create(typeParameterGroup, "env-postgres17", map[string]any{"name": "env-postgres17", "family": "postgres17"})
	create(typeInstance, "env-postgres", map[string]any{"identifier": "env-postgres", "engineVersion": "17", "parameterGroupName": "env-postgres17", "kmsKeyId": key.Outputs["arn"]})
	require.NoError(t, a.SeedSnapshot(simaws.Snapshot{Type: "rds", Identifier: "rds:env-postgres-2026-11-27-03-05", Source: "env-postgres", KMSKeyID: "arn:aws:kms:ap-southeast-2:123456789012:key/other"}))
	return a
}

func aws(args string) (code int, stdout, stderr string) {
	var out, errs bytes.Buffer
	code = Main(strings.Fields(args), &out, &errs)
	return code, out.String(), errs.String()
}

// TestTheStandInAnswersAsTheCLIDoes: --query and --output shape the
// answer as the AWS CLI's do; a refusal is the CLI's error line and exit
// 254; a command it does not know is exit 252 and named.
func TestTheStandInAnswersAsTheCLIDoes(t *testing.T) {
	a := account(t)
	code, out, _ := aws("rds describe-db-snapshots --db-instance-identifier env-postgres --query DBSnapshots[*].[DBSnapshotIdentifier,SnapshotCreateTime] --output text")
	require.Equal(t, 0, code)
	require.Equal(t, "rds:env-postgres-2026-11-27-03-05\t2026-11-27T03:05:00Z\n", out)

	code, out, _ = aws("rds describe-db-instances --db-instance-identifier env-postgres --query DBInstances[0].EngineVersion --output json")
	require.Equal(t, 0, code)
	require.Equal(t, "\"17\"\n", out)

	code, _, errs := aws("rds delete-db-parameter-group --db-parameter-group-name env-postgres17 --region ap-southeast-2")
	require.Equal(t, 254, code, "in use by the instance")
	require.Contains(t, errs, "An error occurred (InvalidDBParameterGroupState) when calling the DeleteDBParameterGroup operation: aws:rds/parameterGroup:ParameterGroup env-postgres17 is in use by aws:rds/instance:Instance env-postgres")

	code, _, _ = aws("rds copy-db-snapshot --source-db-snapshot-identifier rds:env-postgres-2026-11-27-03-05 --target-db-snapshot-identifier env-copy --kms-key-id alias/env")
	require.Equal(t, 0, code)
	snapshots, err := a.Snapshots()
	require.NoError(t, err)
	require.Equal(t, "env-copy", snapshots[1].Identifier)
	require.Regexp(t, `^arn:aws:kms:ap-southeast-2:\d{12}:key/`, snapshots[1].KMSKeyID, "the alias's key")
	require.NotEqual(t, snapshots[0].KMSKeyID, snapshots[1].KMSKeyID)
	require.Equal(t, snapshots[0].Data, snapshots[1].Data, "the copy keeps the data")

	code, _, errs = aws("rds copy-db-snapshot --source-db-snapshot-identifier nothing --target-db-snapshot-identifier x --kms-key-id alias/env")
	require.Equal(t, 254, code)
	require.Contains(t, errs, "An error occurred (DBSnapshotNotFound) when calling the CopyDBSnapshot operation: DBSnapshot nothing not found.")

	code, _, errs = aws("ec2 describe-vpcs --vpc-ids vpc-1")
	require.Equal(t, 252, code)
	require.Contains(t, errs, "aws ec2 describe-vpcs: the rehearsal's AWS CLI stand-in does not know this command")

	code, _, errs = aws("rds create-db-snapshot --db-instance-identifier env-postgres")
	require.Equal(t, 252, code)
	require.Contains(t, errs, "the following arguments are required: --db-snapshot-identifier")
}

// TestARestoreNeedsItsSubnetGroupAndAFreeIdentifier: the original's
// database comes back from a snapshot, holding its data under its key,
// only into a subnet group that exists and under an identifier not taken.
func TestARestoreNeedsItsSubnetGroupAndAFreeIdentifier(t *testing.T) {
	a := account(t)
	code, _, errs := aws("rds restore-db-instance-from-db-snapshot --db-instance-identifier env-old --db-snapshot-identifier rds:env-postgres-2026-11-27-03-05 --db-subnet-group-name env-db")
	require.Equal(t, 254, code)
	require.Contains(t, errs, "(DBSubnetGroupNotFoundFault) when calling the RestoreDBInstanceFromDBSnapshot operation: DB subnet group 'env-db' does not exist.")

	_, err := a.Create(typeSubnetGroup, "env-db", "ap-southeast-2", resource.NewPropertyMapFromMap(map[string]any{"name": "env-db", "subnetIds": []any{"subnet-1"}}))
	require.NoError(t, err)
	code, _, errs = aws("rds restore-db-instance-from-db-snapshot --db-instance-identifier env-postgres --db-snapshot-identifier rds:env-postgres-2026-11-27-03-05 --db-subnet-group-name env-db")
	require.Equal(t, 254, code, "the identifier is taken: %s", errs)

	code, _, errs = aws("rds restore-db-instance-from-db-snapshot --db-instance-identifier env-old --db-snapshot-identifier rds:env-postgres-2026-11-27-03-05 --db-subnet-group-name env-db")
	require.Equal(t, 0, code, errs)
	restored, ok, err := a.Get("ap-southeast-2", typeInstance, "env-old", "")
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, "arn:aws:kms:ap-southeast-2:123456789012:key/other", restored.Outputs["kmsKeyId"], "under the snapshot's key")
	snapshots, err := a.Snapshots()
	require.NoError(t, err)
	require.Equal(t, snapshots[0].Data, restored.Data, "holding the snapshot's data")
}

// TestTheDatabaseIsRestoredInTheOtherRegion: the replicated backups are
// found by asking the other region, and a restore from them there holds the
// database's data under the replication's key (steps 1 and 2 of
// docs/RUNBOOK.md, "Restoring in another region").
func TestTheDatabaseIsRestoredInTheOtherRegion(t *testing.T) {
	a := account(t)
	source, ok, err := a.Get("ap-southeast-2", typeInstance, "env-postgres", "")
	require.NoError(t, err)
	require.True(t, ok)
	key := "arn:aws:kms:ap-southeast-4:123456789012:key/dr"
	replication, err := a.Create(typeBackupReplication, "env-postgres-dr", "ap-southeast-4", resource.NewPropertyMapFromMap(map[string]any{
		"sourceDbInstanceArn": source.Outputs["arn"], "kmsKeyId": key, "retentionPeriod": 14.0}))
	require.NoError(t, err)

	code, out, errs := aws(`rds describe-db-instance-automated-backups --region ap-southeast-4 --query DBInstanceAutomatedBackups[?DBInstanceIdentifier=='env-postgres'].DBInstanceAutomatedBackupsArn|[0] --output text`)
	require.Equal(t, 0, code, errs)
	require.Equal(t, replication.ID+"\n", out)
	code, out, _ = aws("rds describe-db-instance-automated-backups --region ap-southeast-2 --output json")
	require.Equal(t, 0, code)
	require.JSONEq(t, `{"DBInstanceAutomatedBackups": []}`, out, "the source's region holds no replicated backups")

	code, _, errs = aws("rds restore-db-instance-to-point-in-time --region ap-southeast-4 --source-db-instance-automated-backups-arn " + replication.ID +
		" --use-latest-restorable-time --target-db-instance-identifier env-dr-restore --db-instance-class db.t3.small --no-publicly-accessible")
	require.Equal(t, 0, code, errs)
	code, _, errs = aws("rds wait db-instance-available --db-instance-identifier env-dr-restore --region ap-southeast-4")
	require.Equal(t, 0, code, errs)
	restored, ok, err := a.Get("ap-southeast-4", typeInstance, "env-dr-restore", "")
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, source.Data, restored.Data, "the database's data")
	require.Equal(t, key, restored.Inputs["kmsKeyId"], "under the replication's key")

	code, _, errs = aws("rds restore-db-instance-to-point-in-time --region ap-southeast-2 --source-db-instance-automated-backups-arn " + replication.ID +
		" --use-latest-restorable-time --target-db-instance-identifier env-other")
	require.Equal(t, 254, code)
	require.Contains(t, errs, "(DBInstanceAutomatedBackupNotFound) when calling the RestoreDBInstanceToPointInTime operation")
}

// TestTheOtherRegionAnswersWhileTheFirstIsDown: with ap-southeast-2 in an
// outage, every command there fails as the CLI fails on an endpoint that
// does not answer (exit 255), and the rest of the restore in another
// region runs there: its snapshot, a copy under that region's key (an
// alias is looked up in the call's region), the temporary instance's
// deletion (the aws steps of docs/RUNBOOK.md,
// "Restoring in another region").
func TestTheOtherRegionAnswersWhileTheFirstIsDown(t *testing.T) {
	a := account(t)
	source, _, err := a.Get("ap-southeast-2", typeInstance, "env-postgres", "")
	require.NoError(t, err)
	replication, err := a.Create(typeBackupReplication, "env-postgres-dr", "ap-southeast-4", resource.NewPropertyMapFromMap(map[string]any{
		"sourceDbInstanceArn": source.Outputs["arn"], "kmsKeyId": "arn:aws:kms:ap-southeast-4:123456789012:key/dr", "retentionPeriod": 14.0}))
	require.NoError(t, err)
	drKey, err := a.Create(typeKey, "dr-env-key", "ap-southeast-4", resource.NewPropertyMapFromMap(map[string]any{"description": "dr env"}))
	require.NoError(t, err)
	_, err = a.Create(typeAlias, "dr-env-alias", "ap-southeast-4", resource.NewPropertyMapFromMap(map[string]any{"name": "alias/dr-env", "targetKeyId": drKey.ID}))
	require.NoError(t, err)
	require.NoError(t, a.SetOutage("ap-southeast-2"))

	code, _, errs := aws("rds describe-db-instances --db-instance-identifier env-postgres --region ap-southeast-2")
	require.Equal(t, 255, code)
	require.Equal(t, "\nCould not connect to the endpoint URL: \"https://rds.ap-southeast-2.amazonaws.com/\"\n", errs)

	for _, line := range []string{
		"rds restore-db-instance-to-point-in-time --region ap-southeast-4 --source-db-instance-automated-backups-arn " + replication.ID +
			" --use-latest-restorable-time --target-db-instance-identifier env-dr-restore --db-instance-class db.t3.small",
		"rds create-db-snapshot --db-instance-identifier env-dr-restore --db-snapshot-identifier env-dr-restored --region ap-southeast-4",
		"rds wait db-snapshot-available --db-snapshot-identifier env-dr-restored --region ap-southeast-4",
		"rds copy-db-snapshot --source-db-snapshot-identifier env-dr-restored --target-db-snapshot-identifier env-dr-restored-own-key --kms-key-id alias/dr-env --region ap-southeast-4",
		"rds delete-db-instance --db-instance-identifier env-dr-restore --skip-final-snapshot --region ap-southeast-4",
	} {
		code, _, errs = aws(line)
		require.Equal(t, 0, code, "%s: %s", line, errs)
	}
	code, out, errs := aws("rds describe-db-snapshots --region ap-southeast-4 --query DBSnapshots[*].[DBSnapshotIdentifier,KmsKeyId] --output text")
	require.Equal(t, 0, code, errs)
	require.Equal(t, "env-dr-restored\tarn:aws:kms:ap-southeast-4:123456789012:key/dr\nenv-dr-restored-own-key\t"+drKey.Outputs["arn"].(string)+"\n", out)
	snapshots, err := a.Snapshots()
	require.NoError(t, err)
	require.Equal(t, source.Data, snapshots[len(snapshots)-1].Data, "the copy holds the database's data")

	code, _, errs = aws("rds copy-db-snapshot --source-db-snapshot-identifier env-dr-restored --target-db-snapshot-identifier x --kms-key-id alias/env --region ap-southeast-4")
	require.Equal(t, 254, code, "alias/env is ap-southeast-2's")
	require.Contains(t, errs, "Alias alias/env is not found.")
	code, _, _ = aws("rds delete-db-instance --db-instance-identifier env-dr-restore --skip-final-snapshot --region ap-southeast-4")
	require.Equal(t, 254, code, "deleted already")
}
