package redis

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/require"

	"github.com/ohmycoins/infra/internal/componenttest"
	"github.com/ohmycoins/infra/internal/stackplan"
)

const keyARN = "arn:aws:kms:ap-southeast-2:123456789012:key/k"

// single is one node, no failover, changes applied at once.
func single() Settings {
	return Settings{NodeType: "cache.t3.micro", EngineVersion: "7.1", Nodes: 1, SnapshotRetentionDays: 1,
		SnapshotWindow: "03:00-05:00", MaintenanceWindow: "sun:05:00-sun:07:00", ApplyImmediately: true}
}

// replicated is a primary and a replica in two AZs with failover.
func replicated() Settings {
	s := single()
	s.Nodes, s.AutomaticFailover, s.MultiAZ, s.SnapshotRetentionDays, s.ApplyImmediately = 2, true, true, 7, false
	return s
}

func cache(s Settings, protect bool) pulumi.RunFunc {
	return func(ctx *pulumi.Context) error {
		_, err := New(ctx, "env", Args{
			SubnetIDs: pulumi.ToStringArray([]string{"subnet-a", "subnet-b"}), SecurityGroupID: pulumi.String("sg-cache"),
			KMSKeyARN: pulumi.String(keyARN), AuthToken: pulumi.ToSecret(pulumi.String("Redis-Token-0123456789")).(pulumi.StringOutput),
			Settings: s, LogRetentionDays: 7, Protect: protect,
		})
		return err
	}
}

func TestReplicationGroupTakesItsSettingsWithTLSAndAuthAlwaysOn(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		s       Settings
		protect bool
	}{{single(), false}, {replicated(), true}} {
		plan := componenttest.Run(t, cache(c.s, c.protect))
		group := componenttest.Named(t, plan, "aws:elasticache/replicationGroup:ReplicationGroup", "env-redis")
		want := map[string]any{
			"replicationGroupId": "env-redis", "engine": "redis", "engineVersion": c.s.EngineVersion,
			"nodeType": c.s.NodeType, "numCacheClusters": float64(c.s.Nodes), "port": 6379.0,
			"atRestEncryptionEnabled": true, "kmsKeyId": keyARN, "transitEncryptionEnabled": true,
			"authToken":                stackplan.Secret,
			"automaticFailoverEnabled": c.s.AutomaticFailover, "multiAzEnabled": c.s.MultiAZ,
			"snapshotRetentionLimit": float64(c.s.SnapshotRetentionDays), "snapshotWindow": c.s.SnapshotWindow,
			"maintenanceWindow": c.s.MaintenanceWindow, "autoMinorVersionUpgrade": true, "applyImmediately": c.s.ApplyImmediately,
			"parameterGroupName": "env-redis7", "subnetGroupName": "env-redis-subnet-group",
			"securityGroupIds": []any{"sg-cache"},
		}
		for k, v := range want {
			require.Equal(t, v, group.Inputs[k], k)
		}
		require.Equal(t, c.protect, group.Protect)
		require.Equal(t, []string{"snapshotName"}, group.IgnoreChanges, "a snapshot is read only when the group is created")
		if c.protect {
			require.Equal(t, FinalSnapshotID("env-redis", keyARN, ""), group.Inputs["finalSnapshotIdentifier"])
			require.Regexp(t, `^env-redis-final-[0-9a-f]{8}$`, group.Inputs["finalSnapshotIdentifier"])
		} else {
			require.NotContains(t, group.Inputs, "finalSnapshotIdentifier")
		}
		require.Equal(t, []any{"subnet-a", "subnet-b"}, componenttest.Named(t, plan, "aws:elasticache/subnetGroup:SubnetGroup", "env-redis-subnet-group").Inputs["subnetIds"])
		params := componenttest.Named(t, plan, "aws:elasticache/parameterGroup:ParameterGroup", "env-redis7")
		require.Equal(t, "redis7", params.Inputs["family"])
		require.Equal(t, []any{map[string]any{"name": "maxmemory-policy", "value": "allkeys-lru"}}, params.Inputs["parameters"])
		require.Equal(t, !c.s.ApplyImmediately, params.RetainOnDelete, "a major upgrade that waits for the window still uses the old group")
	}
}

func TestSlowAndEngineLogsGoToEncryptedGroupsMadeFirst(t *testing.T) {
	t.Parallel()
	for _, protect := range []bool{false, true} {
		plan := componenttest.Run(t, cache(replicated(), protect))
		group := componenttest.Named(t, plan, "aws:elasticache/replicationGroup:ReplicationGroup", "env-redis")
		var deliveries []string
		for _, d := range group.Inputs["logDeliveryConfigurations"].([]any) {
			m := d.(map[string]any)
			require.Equal(t, "cloudwatch-logs", m["destinationType"])
			require.Equal(t, "json", m["logFormat"])
			deliveries = append(deliveries, m["logType"].(string)+" -> "+m["destination"].(string))
			logGroup := componenttest.Named(t, plan, "aws:cloudwatch/logGroup:LogGroup", "env-redis-"+m["logType"].(string))
			require.Equal(t, m["destination"], logGroup.Inputs["name"])
			require.Equal(t, 7.0, logGroup.Inputs["retentionInDays"])
			require.Equal(t, keyARN, logGroup.Inputs["kmsKeyId"])
			require.Equal(t, protect, logGroup.Protect)
			require.Contains(t, group.Dependencies, logGroup.URN)
		}
		require.Equal(t, []string{"slow-log -> /aws/elasticache/env/slow-log", "engine-log -> /aws/elasticache/env/engine-log"}, deliveries)
	}
	require.Equal(t, "/aws/elasticache/env/*", LogGroupPattern("env"))
}

func TestAGroupRestoresFromASnapshotOnlyWhenCreated(t *testing.T) {
	t.Parallel()
	s := replicated()
	s.SnapshotName = "env-redis-from-terraform"
	group := componenttest.Named(t, componenttest.Run(t, cache(s, true)), "aws:elasticache/replicationGroup:ReplicationGroup", "env-redis")
	require.Equal(t, "env-redis-from-terraform", group.Inputs["snapshotName"])
}

func TestMemberClustersAreSortedForTheAlarms(t *testing.T) {
	t.Parallel()
	var members []string
	componenttest.Run(t, func(ctx *pulumi.Context) error {
		c, err := New(ctx, "env", Args{SubnetIDs: pulumi.ToStringArray([]string{"subnet-a"}), SecurityGroupID: pulumi.String("sg-cache"),
			KMSKeyARN: pulumi.String(keyARN), AuthToken: pulumi.String("Redis-Token-0123456789"), Settings: replicated(), LogRetentionDays: 7})
		if err != nil {
			return err
		}
		members, err = componenttest.Await[[]string](ctx, c.MemberClusters.ToStringArrayOutput().ApplyT(func(ids []string) []string { return ids }))
		return err
	})
	require.Equal(t, []string{"env-redis-001", "env-redis-002"}, members)
}

// TestNewRefusesWhatValidationRefuses: the component checks its settings with
// the rules the stack's validation reports, before it registers anything.
func TestNewRefusesWhatValidationRefuses(t *testing.T) {
	t.Parallel()
	bad := single()
	bad.MultiAZ = true
	err := componenttest.Error(t, cache(bad, false))
	require.ErrorContains(t, err, "redis: multiAz = true: needs cache.nodes >= 2 (is 1): Multi-AZ keeps a replica in another AZ")
	require.ErrorContains(t, err, "redis: multiAz = true: needs cache.automaticFailover = true")
}
