package rds

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/require"

	"github.com/ohmycoins/infra/internal/componenttest"
	"github.com/ohmycoins/infra/internal/policydoc"
)

const keyARN = "arn:aws:kms:ap-southeast-2:123456789012:key/k"

// small is a valid single-AZ instance that can be deleted without a snapshot.
func small() Settings {
	return Settings{
		InstanceClass: "db.t3.micro", EngineVersion: "17", AllocatedStorageGB: 20, MaxAllocatedStorageGB: 100,
		StorageType: "gp3", BackupRetentionDays: 3, BackupWindow: "03:00-04:00", MaintenanceWindow: "sun:04:00-sun:05:00",
		SkipFinalSnapshot: true, PerformanceInsightsRetentionDays: 7, MonitoringIntervalSeconds: 60, ApplyImmediately: true,
	}
}

// kept is a Multi-AZ instance that is kept: deletion protection, a final
// snapshot, Performance Insights.
func kept() Settings {
	s := small()
	s.MultiAZ, s.DeletionProtection, s.SkipFinalSnapshot, s.PerformanceInsights, s.ApplyImmediately = true, true, false, true, false
	return s
}

func database(s Settings, protect bool) pulumi.RunFunc {
	return func(ctx *pulumi.Context) error {
		_, err := New(ctx, "env", Args{
			AccountID: pulumi.String(componenttest.Account), PermissionsBoundary: pulumi.String("arn:aws:iam::" + componenttest.Account + ":policy/env-app-boundary"), SubnetIDs: pulumi.ToStringArray([]string{"subnet-a", "subnet-b"}),
			SecurityGroupID: pulumi.String("sg-db"), KMSKeyARN: pulumi.String(keyARN),
			Settings: s, LogRetentionDays: 30, Protect: protect,
		})
		return err
	}
}

func TestInstanceTakesItsSettingsAndEncryptsEverythingWithTheKey(t *testing.T) {
	t.Parallel()
	for _, s := range []Settings{small(), kept()} {
		plan := componenttest.Run(t, database(s, s.DeletionProtection))
		db := componenttest.Named(t, plan, "aws:rds/instance:Instance", "env-postgres")
		want := map[string]any{
			"identifier": "env-postgres", "engine": "postgres", "engineVersion": s.EngineVersion,
			"autoMinorVersionUpgrade": true, "allowMajorVersionUpgrade": true,
			"instanceClass": s.InstanceClass, "allocatedStorage": float64(s.AllocatedStorageGB), "maxAllocatedStorage": float64(s.MaxAllocatedStorageGB),
			"storageType": s.StorageType, "storageEncrypted": true, "kmsKeyId": keyARN,
			"dbName": "app", "username": "postgres", "manageMasterUserPassword": true, "masterUserSecretKmsKeyId": keyARN,
			"port": 5432.0, "multiAz": s.MultiAZ, "publiclyAccessible": false, "caCertIdentifier": "rds-ca-rsa2048-g1",
			"backupRetentionPeriod": float64(s.BackupRetentionDays), "backupWindow": s.BackupWindow, "maintenanceWindow": s.MaintenanceWindow,
			"copyTagsToSnapshot": true, "deleteAutomatedBackups": false,
			"deletionProtection": s.DeletionProtection, "skipFinalSnapshot": s.SkipFinalSnapshot, "applyImmediately": s.ApplyImmediately,
			"enabledCloudwatchLogsExports": []any{"postgresql", "upgrade"}, "monitoringInterval": 60.0,
			"performanceInsightsEnabled": s.PerformanceInsights,
			"dbSubnetGroupName":          "env-db-subnet-group", "parameterGroupName": "env-postgres17",
			"vpcSecurityGroupIds": []any{"sg-db"},
			"monitoringRoleArn":   componenttest.Named(t, plan, "aws:iam/role:Role", "env-rds-monitoring-role").Outputs["arn"],
		}
		for k, v := range want {
			require.Equal(t, v, db.Inputs[k], k)
		}
		require.NotContains(t, db.Inputs, "password", "RDS manages the master password (defect B4)")
		require.Equal(t, s.DeletionProtection, db.Protect)
		require.Equal(t, []string{"snapshotIdentifier"}, db.IgnoreChanges, "a snapshot is read only when the instance is created")
		if s.SkipFinalSnapshot {
			require.NotContains(t, db.Inputs, "finalSnapshotIdentifier")
			require.NotContains(t, db.Inputs, "performanceInsightsKmsKeyId")
		} else {
			require.Equal(t, FinalSnapshotID("env-postgres", keyARN, "app", "postgres", ""), db.Inputs["finalSnapshotIdentifier"], "a stable name (defect F1)")
			require.Regexp(t, `^env-postgres-final-[0-9a-f]{8}$`, db.Inputs["finalSnapshotIdentifier"])
			require.Equal(t, keyARN, db.Inputs["performanceInsightsKmsKeyId"])
			require.Equal(t, 7.0, db.Inputs["performanceInsightsRetentionPeriod"])
		}
		require.Equal(t, []any{"subnet-a", "subnet-b"}, componenttest.Named(t, plan, "aws:rds/subnetGroup:SubnetGroup", "env-db-subnet-group").Inputs["subnetIds"])
	}
}

func TestLogGroupsExistBeforeTheInstanceAndAreKeptAsEvidence(t *testing.T) {
	t.Parallel()
	for _, protect := range []bool{false, true} {
		plan := componenttest.Run(t, database(kept(), protect))
		db := componenttest.Named(t, plan, "aws:rds/instance:Instance", "env-postgres")
		for _, export := range []string{"postgresql", "upgrade"} {
			group := componenttest.Named(t, plan, "aws:cloudwatch/logGroup:LogGroup", "env-postgres-"+export+"-logs")
			require.Equal(t, "/aws/rds/instance/env-postgres/"+export, group.Inputs["name"])
			require.Equal(t, LogGroupName("env-postgres", export), group.Inputs["name"])
			require.Equal(t, 30.0, group.Inputs["retentionInDays"])
			require.Equal(t, keyARN, group.Inputs["kmsKeyId"])
			require.Contains(t, db.Dependencies, group.URN, "the log group exists before RDS would create it (defect F4)")
			require.Equal(t, protect, group.Protect, "production's logs are evidence")
		}
		attachment := componenttest.Named(t, plan, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "env-rds-monitoring-policy")
		require.Contains(t, db.Dependencies, attachment.URN, "RDS checks the monitoring role when it is given it")
	}
	require.Equal(t, "/aws/rds/instance/env-postgres/*", LogGroupPattern(InstanceIdentifier("env")))
}

func TestParametersForceTLSAndLogSlowQueries(t *testing.T) {
	t.Parallel()
	plan := componenttest.Run(t, database(small(), false))
	group := componenttest.Named(t, plan, "aws:rds/parameterGroup:ParameterGroup", "env-postgres17")
	require.Equal(t, "postgres17", group.Inputs["family"])
	params := map[string]any{}
	for _, p := range group.Inputs["parameters"].([]any) {
		m := p.(map[string]any)
		params[m["name"].(string)] = m["value"]
	}
	require.Equal(t, map[string]any{
		"log_connections": "1", "log_disconnections": "1", "log_min_duration_statement": "1000",
		"shared_preload_libraries": "pg_stat_statements", "rds.force_ssl": "1",
	}, params)
	require.False(t, group.RetainOnDelete, "applied at once, the old group is free when it goes")
	waits := componenttest.Run(t, database(kept(), false))
	require.True(t, componenttest.Named(t, waits, "aws:rds/parameterGroup:ParameterGroup", "env-postgres17").RetainOnDelete,
		"a major upgrade that waits for the window still uses the old group when Pulumi deletes it")
}

func TestMonitoringRoleTrustsRDSMonitoringOnly(t *testing.T) {
	t.Parallel()
	plan := componenttest.Run(t, database(small(), false))
	role := componenttest.Named(t, plan, "aws:iam/role:Role", "env-rds-monitoring-role")
	trust, err := policydoc.Parse(role.Inputs["assumeRolePolicy"].(string))
	require.NoError(t, err)
	require.Equal(t, MonitoringTrustPolicy(componenttest.Account), trust)
	require.Equal(t, []string{"monitoring.rds.amazonaws.com"}, trust.Statement[0].Principal.Service)
	attachment := componenttest.Named(t, plan, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "env-rds-monitoring-policy")
	require.Equal(t, "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole", attachment.Inputs["policyArn"])
	require.Equal(t, "env-rds-monitoring-role", attachment.Inputs["role"])

	off := small()
	off.MonitoringIntervalSeconds = 0
	none := componenttest.Run(t, database(off, false))
	require.Empty(t, none.OfType("aws:iam/role:Role"), "no enhanced monitoring, no role")
	require.NotContains(t, componenttest.Named(t, none, "aws:rds/instance:Instance", "env-postgres").Inputs, "monitoringRoleArn")
}

func TestAnInstanceRestoresFromASnapshotOnlyWhenCreated(t *testing.T) {
	t.Parallel()
	s := kept()
	s.SnapshotIdentifier = "env-from-terraform"
	db := componenttest.Named(t, componenttest.Run(t, database(s, true)), "aws:rds/instance:Instance", "env-postgres")
	require.Equal(t, "env-from-terraform", db.Inputs["snapshotIdentifier"])
	require.Equal(t, []string{"snapshotIdentifier"}, db.IgnoreChanges)
}

func TestFinalSnapshotNamesDifferForEachIncarnation(t *testing.T) {
	t.Parallel()
	a := FinalSnapshotID("env-postgres", keyARN, "app", "postgres", "")
	require.NotEqual(t, a, FinalSnapshotID("env-postgres", keyARN+"2", "app", "postgres", ""), "a new environment key")
	require.NotEqual(t, a, FinalSnapshotID("env-postgres", keyARN, "other", "postgres", ""), "a new database name replaces the instance")
	require.NotEqual(t, a, FinalSnapshotID("env-postgres", keyARN, "app", "postgres", "rds:env-postgres-2026-11-27"), "a restore is an incarnation of its own")
	require.Equal(t, a, FinalSnapshotID("env-postgres", keyARN, "app", "postgres", ""), "stable while the instance stays")
	require.Equal(t, "env-postgres-final-", a[:len("env-postgres-final-")])
}

// TestNewRefusesWhatValidationRefuses: the component checks its settings with
// the rules the stack's validation reports (Settings owns them), before it
// registers anything.
func TestNewRefusesWhatValidationRefuses(t *testing.T) {
	t.Parallel()
	bad := kept()
	bad.MaxAllocatedStorageGB = bad.AllocatedStorageGB
	bad.EngineVersion = "17.4"
	err := componenttest.Error(t, database(bad, true))
	require.ErrorContains(t, err, `rds: engineVersion = 17.4: must be a PostgreSQL major version only`)
	require.ErrorContains(t, err, `rds: maxAllocatedStorage = 20: must be greater than allocatedStorage = 20`)
	err = componenttest.Error(t, func(ctx *pulumi.Context) error {
		_, err := New(ctx, "env", Args{Settings: small()})
		return err
	})
	require.ErrorContains(t, err, "rds: SubnetIDs, SecurityGroupID, KMSKeyARN, AccountID and PermissionsBoundary are required")
}
