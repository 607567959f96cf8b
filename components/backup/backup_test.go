package backup

import (
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/require"

	"github.com/ohmycoins/infra/internal/componenttest"
	"github.com/ohmycoins/infra/internal/policydoc"
)

const source = "arn:aws:rds:ap-southeast-2:123456789012:db:env-postgres"

func replicate(s Settings, protect bool) pulumi.RunFunc {
	return func(ctx *pulumi.Context) error {
		there, err := aws.NewProvider(ctx, "env-aws-dr", &aws.ProviderArgs{Region: pulumi.String(s.Region)})
		if err != nil {
			return err
		}
		_, err = New(ctx, "env", Args{AccountID: pulumi.String(componenttest.Account), SourceInstanceARN: pulumi.String(source),
			Source: there, Provider: there, Settings: s, Protect: protect})
		return err
	}
}

// TestTheBackupsAreReplicatedUnderAKeyOfTheOtherRegion: the key and the
// replication live in the DR region (their ARNs say so), the key rotates and
// only the account administers it, and production protects both.
func TestTheBackupsAreReplicatedUnderAKeyOfTheOtherRegion(t *testing.T) {
	t.Parallel()
	plan := componenttest.Run(t, replicate(Settings{Region: "ap-southeast-4", BackupRetentionDays: 14}, true))
	key := componenttest.Named(t, plan, "aws:kms/key:Key", "env-dr-key")
	require.Regexp(t, `^arn:aws:kms:ap-southeast-4:123456789012:key/`, key.Outputs["arn"])
	require.Equal(t, true, key.Inputs["enableKeyRotation"])
	require.Equal(t, 30.0, key.Inputs["deletionWindowInDays"])
	require.True(t, key.Protect, "deleting it makes every replicated backup unreadable")
	policy, err := policydoc.Parse(key.Inputs["policy"].(string))
	require.NoError(t, err)
	require.Equal(t, []string{"arn:aws:iam::123456789012:root"}, policy.Statement[0].Principal.AWS)
	require.Len(t, policy.Statement, 1)
	require.Equal(t, "alias/env-dr", componenttest.Named(t, plan, "aws:kms/alias:Alias", "env-dr-key-alias").Inputs["name"])

	replication := componenttest.Named(t, plan, "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication", "env-postgres-dr")
	require.Equal(t, source, replication.Inputs["sourceDbInstanceArn"])
	require.Equal(t, key.Outputs["arn"], replication.Inputs["kmsKeyId"])
	require.Equal(t, 14.0, replication.Inputs["retentionPeriod"])
	require.Regexp(t, `^arn:aws:rds:ap-southeast-4:123456789012:auto-backup:ab-`, replication.ID)
	require.True(t, replication.Protect)
	require.True(t, *replication.DeleteBeforeReplace, "a successor beside it would be stopped with it")
}

func TestBadSettingsAreRefused(t *testing.T) {
	t.Parallel()
	for s, want := range map[Settings]string{
		{Region: "melbourne", BackupRetentionDays: 7}:       "backup: region = melbourne: must be an AWS region name, e.g. ap-southeast-4",
		{Region: "ap-southeast-4", BackupRetentionDays: 0}:  "backup: backupRetentionDays = 0: must be 1-35 days, the retention RDS accepts for replicated backups",
		{Region: "ap-southeast-4", BackupRetentionDays: 36}: "backup: backupRetentionDays = 36: must be 1-35 days",
		{}: "backup: region is empty: New replicates to a region",
	} {
		require.ErrorContains(t, componenttest.Error(t, replicate(s, false)), want)
	}
}
