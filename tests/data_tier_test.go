package tests

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/internals"
	"github.com/stretchr/testify/require"

	"github.com/ohmycoins/infra/components/rds"
	"github.com/ohmycoins/infra/components/redis"
	"github.com/ohmycoins/infra/components/secrets"
	"github.com/ohmycoins/infra/internal/mockcloud"
	"github.com/ohmycoins/infra/internal/policydoc"
	"github.com/ohmycoins/infra/internal/preview"
	"github.com/ohmycoins/infra/internal/preview/previewtest"
	"github.com/ohmycoins/infra/internal/stackplan"
	"github.com/ohmycoins/infra/stacks"
)

const (
	typeDBInstance       = "aws:rds/instance:Instance"
	typeDBSubnetGroup    = "aws:rds/subnetGroup:SubnetGroup"
	typeDBParameterGroup = "aws:rds/parameterGroup:ParameterGroup"
	typeReplicationGroup = "aws:elasticache/replicationGroup:ReplicationGroup"
	typeCacheSubnetGroup = "aws:elasticache/subnetGroup:SubnetGroup"
	typeCacheParameters  = "aws:elasticache/parameterGroup:ParameterGroup"
	typeSecret           = "aws:secretsmanager/secret:Secret"
	typeSecretVersion    = "aws:secretsmanager/secretVersion:SecretVersion"
	typeAttachment       = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
)

// subnetIDs are the ids of a tier's subnets in AZ order.
func subnetIDs(t *testing.T, plan *stackplan.Plan, prefix, tier string, azs int) []any {
	var ids []any
	for i := 1; i <= azs; i++ {
		ids = append(ids, previewtest.Named(t, plan, typeSubnet, prefix+"-"+tier+"-subnet-"+string(rune('0'+i))).ID)
	}
	return ids
}

func TestDatabaseHasEverySpecSetting(t *testing.T) {
	for _, c := range []struct {
		stack, prefix                string
		azs                          int
		class                        string
		storage, maxStorage, backups float64
		multiAZ, protected           bool
		retention                    float64
	}{
		{"staging", "ohmycoins-staging", 2, "db.t3.micro", 20, 100, 3, false, false, 7},
		{"production", "ohmycoins-prod", 3, "db.t3.small", 100, 500, 30, true, true, 30},
	} {
		t.Run(c.stack, func(t *testing.T) {
			t.Parallel()
			plan := previewtest.Stack(t, c.stack).Plan
			keyARN := previewtest.Named(t, plan, typeKey, c.prefix+"-key").Outputs["arn"]
			db := previewtest.Named(t, plan, typeDBInstance, c.prefix+"-postgres")
			in := db.Inputs
			want := map[string]any{
				"identifier":                   c.prefix + "-postgres",
				"engine":                       "postgres",
				"engineVersion":                "17",
				"autoMinorVersionUpgrade":      true,
				"allowMajorVersionUpgrade":     true,
				"instanceClass":                c.class,
				"allocatedStorage":             c.storage,
				"maxAllocatedStorage":          c.maxStorage,
				"storageType":                  "gp3",
				"storageEncrypted":             true,
				"kmsKeyId":                     keyARN,
				"dbName":                       "app",
				"username":                     "postgres",
				"manageMasterUserPassword":     true,
				"masterUserSecretKmsKeyId":     keyARN,
				"port":                         5432.0,
				"multiAz":                      c.multiAZ,
				"publiclyAccessible":           false,
				"caCertIdentifier":             "rds-ca-rsa2048-g1",
				"backupRetentionPeriod":        c.backups,
				"backupWindow":                 "03:00-04:00",
				"maintenanceWindow":            "sun:04:00-sun:05:00",
				"copyTagsToSnapshot":           true,
				"deleteAutomatedBackups":       false,
				"deletionProtection":           c.protected,
				"skipFinalSnapshot":            !c.protected,
				"enabledCloudwatchLogsExports": []any{"postgresql", "upgrade"},
				"monitoringInterval":           60.0,
				"performanceInsightsEnabled":   c.protected,
				"dbSubnetGroupName":            c.prefix + "-db-subnet-group",
				"parameterGroupName":           c.prefix + "-postgres17",
				"vpcSecurityGroupIds":          []any{previewtest.Named(t, plan, typeSG, c.prefix+"-rds-sg").ID},
				"monitoringRoleArn":            previewtest.Named(t, plan, typeRole, c.prefix+"-rds-monitoring-role").Outputs["arn"],
			}
			for k, v := range want {
				require.Equal(t, v, in[k], "%s: %s", c.stack, k)
			}
			require.NotContains(t, in, "password", "RDS manages the master password (defect B4)")
			require.Equal(t, c.protected, db.Protect)
			if c.protected {
				require.Equal(t, rds.FinalSnapshotID("ohmycoins-prod-postgres", keyARN.(string), "app", "postgres"), in["finalSnapshotIdentifier"], "a stable name (defect F1)")
				require.Regexp(t, `^ohmycoins-prod-postgres-final-[0-9a-f]{8}$`, in["finalSnapshotIdentifier"])
				require.Equal(t, keyARN, in["performanceInsightsKmsKeyId"])
				require.Equal(t, 7.0, in["performanceInsightsRetentionPeriod"])
			} else {
				require.NotContains(t, in, "finalSnapshotIdentifier")
				require.NotContains(t, in, "performanceInsightsKmsKeyId")
			}

			subnetGroup := previewtest.Named(t, plan, typeDBSubnetGroup, c.prefix+"-db-subnet-group")
			require.Equal(t, subnetIDs(t, plan, c.prefix, "private-db", c.azs), subnetGroup.Inputs["subnetIds"], "the data subnets")

			for _, export := range []string{"postgresql", "upgrade"} {
				group := previewtest.Named(t, plan, typeLogGroup, c.prefix+"-postgres-"+export+"-logs")
				require.Equal(t, "/aws/rds/instance/"+c.prefix+"-postgres/"+export, group.Inputs["name"])
				require.Equal(t, c.retention, group.Inputs["retentionInDays"])
				require.Equal(t, keyARN, group.Inputs["kmsKeyId"])
				require.Contains(t, db.Dependencies, group.URN, "the log group exists before RDS would create it (defect F4)")
				require.Equal(t, c.protected, group.Protect, "production's logs are evidence")
			}
			attachment := previewtest.Named(t, plan, typeAttachment, c.prefix+"-rds-monitoring-policy")
			require.Contains(t, db.Dependencies, attachment.URN, "RDS checks the monitoring role when it is given it")
		})
	}
}

func TestDatabaseParametersForceTLSAndLogSlowQueries(t *testing.T) {
	t.Parallel()
	plan := previewtest.Stack(t, "staging").Plan
	group := previewtest.Named(t, plan, typeDBParameterGroup, "ohmycoins-staging-postgres17")
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
}

func TestDatabaseMonitoringRole(t *testing.T) {
	t.Parallel()
	plan := previewtest.Stack(t, "production").Plan
	role := previewtest.Named(t, plan, typeRole, "ohmycoins-prod-rds-monitoring-role")
	trust, err := policydoc.Parse(role.Inputs["assumeRolePolicy"].(string))
	require.NoError(t, err)
	require.Equal(t, []string{"monitoring.rds.amazonaws.com"}, trust.Statement[0].Principal.Service)
	attachment := previewtest.Named(t, plan, typeAttachment, "ohmycoins-prod-rds-monitoring-policy")
	require.Equal(t, "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole", attachment.Inputs["policyArn"])
	require.Equal(t, "ohmycoins-prod-rds-monitoring-role", attachment.Inputs["role"])
}

func TestRedisHasEverySpecSetting(t *testing.T) {
	for _, c := range []struct {
		stack, prefix       string
		azs                 int
		nodeType            string
		nodes, snapshots    float64
		failover, protected bool
		retention           float64
	}{
		{"staging", "ohmycoins-staging", 2, "cache.t3.micro", 1, 1, false, false, 7},
		{"production", "ohmycoins-prod", 3, "cache.t3.small", 2, 7, true, true, 30},
	} {
		t.Run(c.stack, func(t *testing.T) {
			t.Parallel()
			plan := previewtest.Stack(t, c.stack).Plan
			keyARN := previewtest.Named(t, plan, typeKey, c.prefix+"-key").Outputs["arn"]
			group := previewtest.Named(t, plan, typeReplicationGroup, c.prefix+"-redis")
			in := group.Inputs
			want := map[string]any{
				"replicationGroupId":       c.prefix + "-redis",
				"engine":                   "redis",
				"engineVersion":            "7.1",
				"nodeType":                 c.nodeType,
				"numCacheClusters":         c.nodes,
				"port":                     6379.0,
				"atRestEncryptionEnabled":  true,
				"kmsKeyId":                 keyARN,
				"transitEncryptionEnabled": true,
				"authToken":                stackplan.Secret,
				"automaticFailoverEnabled": c.failover,
				"multiAzEnabled":           c.failover,
				"snapshotRetentionLimit":   c.snapshots,
				"snapshotWindow":           "03:00-05:00",
				"maintenanceWindow":        "sun:05:00-sun:07:00",
				"autoMinorVersionUpgrade":  true,
				"parameterGroupName":       c.prefix + "-redis7",
				"subnetGroupName":          c.prefix + "-redis-subnet-group",
				"securityGroupIds":         []any{previewtest.Named(t, plan, typeSG, c.prefix+"-redis-sg").ID},
			}
			for k, v := range want {
				require.Equal(t, v, in[k], "%s: %s", c.stack, k)
			}
			require.Equal(t, c.protected, group.Protect)
			if c.protected {
				require.Equal(t, redis.FinalSnapshotID("ohmycoins-prod-redis", previewtest.Named(t, plan, typeKey, c.prefix+"-key").Outputs["arn"].(string)), in["finalSnapshotIdentifier"])
				require.Regexp(t, `^ohmycoins-prod-redis-final-[0-9a-f]{8}$`, in["finalSnapshotIdentifier"])
			} else {
				require.NotContains(t, in, "finalSnapshotIdentifier")
			}

			var deliveries []string
			for _, d := range in["logDeliveryConfigurations"].([]any) {
				m := d.(map[string]any)
				require.Equal(t, "cloudwatch-logs", m["destinationType"])
				require.Equal(t, "json", m["logFormat"])
				deliveries = append(deliveries, m["logType"].(string)+" -> "+m["destination"].(string))
				logGroup := previewtest.Named(t, plan, typeLogGroup, c.prefix+"-redis-"+m["logType"].(string))
				require.Equal(t, m["destination"], logGroup.Inputs["name"])
				require.Equal(t, c.retention, logGroup.Inputs["retentionInDays"])
				require.Equal(t, keyARN, logGroup.Inputs["kmsKeyId"])
			}
			require.Equal(t, []string{
				"slow-log -> /aws/elasticache/" + c.prefix + "/slow-log",
				"engine-log -> /aws/elasticache/" + c.prefix + "/engine-log",
			}, deliveries)

			params := previewtest.Named(t, plan, typeCacheParameters, c.prefix+"-redis7")
			require.Equal(t, "redis7", params.Inputs["family"])
			require.Equal(t, []any{map[string]any{"name": "maxmemory-policy", "value": "allkeys-lru"}}, params.Inputs["parameters"])
			subnets := previewtest.Named(t, plan, typeCacheSubnetGroup, c.prefix+"-redis-subnet-group")
			require.Equal(t, subnetIDs(t, plan, c.prefix, "private-db", c.azs), subnets.Inputs["subnetIds"])

			require.Equal(t, group.Outputs["primaryEndpointAddress"], plan.Outputs["redis_primary_endpoint_address"])
			require.Equal(t, group.Outputs["readerEndpointAddress"], plan.Outputs["redis_reader_endpoint_address"])
		})
	}
}

// rawInput returns the registered value of an input, secret or not, as a string.
func rawInput(t *testing.T, result *preview.Result, typ, name, key string) (value string, secret bool) {
	t.Helper()
	for _, r := range result.Registrations {
		if r.Type == typ && r.Name == name {
			v := r.Inputs[resourceKey(key)]
			secret = v.IsSecret() || (v.IsOutput() && v.OutputValue().Secret)
			for v.IsSecret() || v.IsOutput() {
				if v.IsSecret() {
					v = v.SecretValue().Element
				} else {
					v = v.OutputValue().Element
				}
			}
			require.True(t, v.IsString(), "%s.%s is a string", name, key)
			return v.StringValue(), secret
		}
	}
	t.Fatalf("no %s named %s", typ, name)
	return "", false
}

func TestAppSecretHoldsEveryKeyTheBackendReads(t *testing.T) {
	t.Parallel()
	result := previewtest.Stack(t, "staging", previewtest.SetSecret(
		"ohmycoins:openaiApiKey", "sk-test-openai",
		"ohmycoins:redisAuthToken", "Redis-Token-1234567890",
		"ohmycoins:nansenApiKey", "nansen-key",
	))
	value, secret := rawInput(t, result, typeSecretVersion, "ohmycoins-staging-app-secrets-version", "secretString")
	require.True(t, secret, "the secret version is a secret in state")
	var object map[string]string
	require.NoError(t, json.Unmarshal([]byte(value), &object))
	keys := make([]string, 0, len(object))
	for k := range object {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	require.Equal(t, []string{
		"CRYPTOPANIC_API_KEY", "FIRST_SUPERUSER", "FIRST_SUPERUSER_PASSWORD", "NANSEN_API_KEY", "NEWSCATCHER_API_KEY",
		"OPENAI_API_KEY", "REDIS_PASSWORD", "SECRET_KEY", "SENTRY_DSN", "SMTP_PASSWORD", "SMTP_USER",
	}, keys, "the keys the backend reads (defect B1); POSTGRES_PASSWORD comes from RDS's secret")
	require.Equal(t, "admin@staging.ohmycoins.com", object["FIRST_SUPERUSER"])
	require.Equal(t, "sk-test-openai", object["OPENAI_API_KEY"])
	require.Equal(t, "Redis-Token-1234567890", object["REDIS_PASSWORD"])
	require.Equal(t, "nansen-key", object["NANSEN_API_KEY"])
	require.Equal(t, "", object["SENTRY_DSN"], "optional and unset: present and empty")

	token, secret := rawInput(t, result, typeReplicationGroup, "ohmycoins-staging-redis", "authToken")
	require.True(t, secret)
	require.Equal(t, object["REDIS_PASSWORD"], token, "the app authenticates with the token Redis was given")

	plan := result.Plan
	s := previewtest.Named(t, plan, typeSecret, "ohmycoins-staging-app-secrets")
	require.Equal(t, "ohmycoins-staging-app-secrets", s.Inputs["name"])
	require.Equal(t, previewtest.Named(t, plan, typeKey, "ohmycoins-staging-key").Outputs["arn"], s.Inputs["kmsKeyId"])
	require.Equal(t, 0.0, s.Inputs["recoveryWindowInDays"])
	require.Equal(t, stackplan.Secret, previewtest.Named(t, plan, typeSecretVersion, "ohmycoins-staging-app-secrets-version").Inputs["secretString"])
	require.Equal(t, s.Outputs["arn"], plan.Outputs["app_secrets_arn"])
	require.Equal(t, s.Outputs["arn"], plan.Outputs["secret_arn"])
}

// The secret is protected; its version is not: the provider replaces a version
// whenever the value changes (secret_string forces a new resource), so a
// protected version would make every rotation of a production value fail.
func TestProductionSecretIsProtectedWithAThirtyDayWindow(t *testing.T) {
	t.Parallel()
	plan := previewtest.Stack(t, "production").Plan
	s := previewtest.Named(t, plan, typeSecret, "ohmycoins-prod-app-secrets")
	require.Equal(t, 30.0, s.Inputs["recoveryWindowInDays"])
	require.True(t, s.Protect)
	require.False(t, previewtest.Named(t, plan, typeSecretVersion, "ohmycoins-prod-app-secrets-version").Protect, "a rotation replaces the version")
}

func TestUnmanagedSecretValuesAreWrittenOnce(t *testing.T) {
	t.Parallel()
	managed := previewtest.Stack(t, "staging").Plan
	require.Empty(t, previewtest.Named(t, managed, typeSecretVersion, "ohmycoins-staging-app-secrets-version").IgnoreChanges)
	unmanaged := previewtest.Stack(t, "staging", previewtest.Set("ohmycoins:secrets", `{"manageValues": false}`)).Plan
	require.Equal(t, []string{"secretString"}, previewtest.Named(t, unmanaged, typeSecretVersion, "ohmycoins-staging-app-secrets-version").IgnoreChanges)
}

// TestSecretReadPolicyIsLeastPrivilege awaits the policy the ECS execution role
// will attach: read the app secret and RDS's, decrypt only through Secrets Manager.
func TestSecretReadPolicyIsLeastPrivilege(t *testing.T) {
	t.Parallel()
	var policyJSON, appARN, masterARN, keyARN string
	await := func(ctx *pulumi.Context, out pulumi.Output) string {
		r, err := internals.UnsafeAwaitOutput(ctx.Context(), out)
		require.NoError(t, err)
		return r.Value.(string)
	}
	previewtest.Stack(t, "production", func(o *preview.Options) {
		o.Program = preview.Program{Dir: ".", Body: func(keys []string) pulumi.RunFunc {
			return func(ctx *pulumi.Context) error {
				s, err := stacks.LoadWith(ctx, stacks.LoadOptions{ConfigKeys: keys})
				if err != nil {
					return err
				}
				d, err := stacks.Deploy(ctx, *s)
				if err != nil {
					return err
				}
				policyJSON, appARN = await(ctx, d.AppSecret.ReadPolicy), await(ctx, d.AppSecret.ARN)
				masterARN, keyARN = await(ctx, d.Database.MasterSecretARN), await(ctx, d.Key.ARN)
				return nil
			}
		}}
	})
	policy, err := policydoc.Parse(policyJSON)
	require.NoError(t, err)
	require.Equal(t, secrets.ReadPolicy(keyARN, "ap-southeast-2", []string{appARN, masterARN}), policy)
	require.Equal(t, []string{"secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"}, policy.Statement[0].Action)
	require.Equal(t, []string{appARN, masterARN}, policy.Statement[0].Resource)
	require.Equal(t, []string{"kms:Decrypt"}, policy.Statement[1].Action)
	require.Equal(t, []string{keyARN}, policy.Statement[1].Resource, "the key's ARN, not the secret's (defect B8)")
	require.Equal(t, []string{"secretsmanager.ap-southeast-2.amazonaws.com"}, policy.Statement[1].Condition["StringEquals"]["kms:ViaService"])
}

// TestNoSecretValueReachesThePlan: known stack secrets, the placeholders, and
// anything that looks like a password must not appear in the JSON plan.
func TestNoSecretValueReachesThePlan(t *testing.T) {
	values := []string{"sk-live-9f8e7d6c5b4a", "Redis-Token-abcdef0123456789", "superuser-Pa55word!", strings.Repeat("s3", 20)}
	for _, stack := range allStacks {
		t.Run(stack, func(t *testing.T) {
			t.Parallel()
			result := previewtest.Stack(t, stack, previewtest.SetSecret(
				"ohmycoins:openaiApiKey", values[0], "ohmycoins:redisAuthToken", values[1],
				"ohmycoins:firstSuperuserPassword", values[2], "ohmycoins:secretKey", values[3],
			))
			data, err := result.Plan.JSON()
			require.NoError(t, err)
			for _, v := range values {
				require.NotContains(t, string(data), v)
			}
			placeholders, err := previewtest.Stack(t, stack).Plan.JSON()
			require.NoError(t, err)
			require.NotContains(t, string(placeholders), "preview-placeholder")
		})
	}
}

// TestTheDatabaseRulesLiveOnceWithTheTier: the rds component checks its
// settings with the same rules the stack's validation reports (rds.Settings
// owns them), so a component used on its own refuses what the stack would.
func TestTheDatabaseRulesLiveOnceWithTheTier(t *testing.T) {
	t.Parallel()
	bad := stacks.Production().Database
	bad.MaxAllocatedStorageGB = bad.AllocatedStorageGB
	bad.EngineVersion = "17.4"
	_, err := preview.Preview(preview.Options{Dir: projectDir, Stack: "production",
		Run: func(ctx *pulumi.Context) error {
			_, err := rds.New(ctx, "test", rds.Args{Settings: bad, AccountID: pulumi.String(mockcloud.MockAccountID),
				SubnetIDs: pulumi.ToStringArray([]string{"subnet-1"}), SecurityGroupID: pulumi.String("sg-1"), KMSKeyARN: pulumi.String("arn:aws:kms:ap-southeast-2:123456789012:key/k")})
			return err
		}})
	require.ErrorContains(t, err, `rds: engineVersion = 17.4: must be a PostgreSQL major version only`)
	require.ErrorContains(t, err, `rds: maxAllocatedStorage = 100: must be greater than allocatedStorage = 100`)

	errs := strings.Join(previewtest.Problems(t, "production", previewtest.Set("ohmycoins:database", `{"maxAllocatedStorage": 100, "engineVersion": "17.4"}`)), "\n")
	require.Contains(t, errs, `ohmycoins:database.engineVersion = "17.4": must be a PostgreSQL major version only`, "the same rule, in the stack's terms")
	require.Contains(t, errs, `ohmycoins:database.maxAllocatedStorage = 100: must be greater than allocatedStorage = 100`)
}

// TestTheCacheRulesLiveOnceWithTheTier: as for the database, the redis
// component refuses with the rules the stack's validation reports.
func TestTheCacheRulesLiveOnceWithTheTier(t *testing.T) {
	t.Parallel()
	bad := stacks.Staging().Cache
	bad.MultiAZ = true
	_, err := preview.Preview(preview.Options{Dir: projectDir, Stack: "staging",
		Run: func(ctx *pulumi.Context) error {
			_, err := redis.New(ctx, "test", redis.Args{Settings: bad, AuthToken: pulumi.String("x"),
				SubnetIDs: pulumi.ToStringArray([]string{"subnet-1"}), SecurityGroupID: pulumi.String("sg-1"), KMSKeyARN: pulumi.String("arn:aws:kms:ap-southeast-2:123456789012:key/k")})
			return err
		}})
	require.ErrorContains(t, err, "redis: multiAz = true: needs cache.nodes >= 2 (is 1): Multi-AZ keeps a replica in another AZ")
	require.ErrorContains(t, err, "redis: multiAz = true: needs cache.automaticFailover = true")

	errs := strings.Join(previewtest.Problems(t, "staging", previewtest.Set("ohmycoins:cache", `{"multiAz": true}`)), "\n")
	require.Contains(t, errs, "ohmycoins:cache.multiAz = true: needs cache.nodes >= 2 (is 1): Multi-AZ keeps a replica in another AZ")
}
