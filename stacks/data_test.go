package stacks_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ohmycoins/infra/internal/componenttest"
	"github.com/ohmycoins/infra/internal/preview/previewtest"
	"github.com/ohmycoins/infra/stacks"
)

// presets are the two stacks and the settings their files load.
var presets = []struct {
	stack    string
	settings func() stacks.Settings
}{{"staging", stacks.Staging}, {"production", stacks.Production}}

// TestTheDataTierIsWiredToTheNetworkAndTheKey: the stack gives the database
// and the cache the network's data subnets and their own security groups, the
// environment key, its preset's settings and its protection, and exports
// their endpoints.
func TestTheDataTierIsWiredToTheNetworkAndTheKey(t *testing.T) {
	for _, p := range presets {
		t.Run(p.stack, func(t *testing.T) {
			t.Parallel()
			s := p.settings()
			plan := previewtest.Stack(t, p.stack).Plan
			prefix, azs := s.NamePrefix, len(s.Network.AvailabilityZones)
			keyARN := previewtest.Named(t, plan, typeKey, prefix+"-key").Outputs["arn"]
			dataSubnets := previewtest.SubnetIDs(t, plan, prefix, "private-db", azs)

			db := previewtest.Named(t, plan, typeDBInstance, prefix+"-postgres")
			require.Equal(t, s.Database.InstanceClass, db.Inputs["instanceClass"])
			require.Equal(t, float64(s.Database.AllocatedStorageGB), db.Inputs["allocatedStorage"])
			require.Equal(t, s.Database.MultiAZ, db.Inputs["multiAz"])
			require.Equal(t, keyARN, db.Inputs["kmsKeyId"])
			require.Equal(t, []any{previewtest.Named(t, plan, typeSG, prefix+"-rds-sg").ID}, db.Inputs["vpcSecurityGroupIds"])
			require.Equal(t, dataSubnets, previewtest.Named(t, plan, typeDBSubnetGroup, prefix+"-db-subnet-group").Inputs["subnetIds"])
			require.Equal(t, s.ProtectStatefulResources, db.Protect)
			require.Equal(t, float64(s.Logs.RetentionDays), previewtest.Named(t, plan, typeLogGroup, prefix+"-postgres-postgresql-logs").Inputs["retentionInDays"])
			require.Equal(t, db.Outputs["address"], plan.Outputs["db_instance_address"])
			require.Equal(t, db.Outputs["endpoint"], plan.Outputs["db_endpoint"])

			cache := previewtest.Named(t, plan, typeReplicationGroup, prefix+"-redis")
			require.Equal(t, s.Cache.NodeType, cache.Inputs["nodeType"])
			require.Equal(t, float64(s.Cache.Nodes), cache.Inputs["numCacheClusters"])
			require.Equal(t, keyARN, cache.Inputs["kmsKeyId"])
			require.Equal(t, []any{previewtest.Named(t, plan, typeSG, prefix+"-redis-sg").ID}, cache.Inputs["securityGroupIds"])
			require.Equal(t, dataSubnets, previewtest.Named(t, plan, typeCacheSubnetGroup, prefix+"-redis-subnet-group").Inputs["subnetIds"])
			require.Equal(t, s.ProtectStatefulResources, cache.Protect)
			require.Equal(t, cache.Outputs["primaryEndpointAddress"], plan.Outputs["redis_primary_endpoint_address"])
			require.Equal(t, cache.Outputs["readerEndpointAddress"], plan.Outputs["redis_reader_endpoint_address"])

			secret := previewtest.Named(t, plan, typeSecret, prefix+"-app-secrets")
			require.Equal(t, keyARN, secret.Inputs["kmsKeyId"])
			require.Equal(t, float64(s.Secrets.RecoveryWindowDays), secret.Inputs["recoveryWindowInDays"])
			require.Equal(t, s.ProtectStatefulResources, secret.Protect)
			require.Equal(t, secret.Outputs["arn"], plan.Outputs["app_secrets_arn"])
			require.Equal(t, secret.Outputs["arn"], plan.Outputs["secret_arn"])
		})
	}
}

// TestAppSecretHoldsEveryKeyTheBackendReads: the stack writes every key the
// backend reads into the app secret, from its secrets and settings, and the
// token Redis was given is the one the app authenticates with.
func TestAppSecretHoldsEveryKeyTheBackendReads(t *testing.T) {
	t.Parallel()
	result := previewtest.Stack(t, "staging", previewtest.SetSecret(
		"ohmycoins:openaiApiKey", "sk-test-openai",
		"ohmycoins:redisAuthToken", "Redis-Token-1234567890",
		"ohmycoins:nansenApiKey", "nansen-key",
	))
	value, secret := componenttest.Secret(t, result.Registrations, typeSecretVersion, "ohmycoins-staging-app-secrets-version", "secretString")
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

	token, secret := componenttest.Secret(t, result.Registrations, typeReplicationGroup, "ohmycoins-staging-redis", "authToken")
	require.True(t, secret)
	require.Equal(t, object["REDIS_PASSWORD"], token, "the app authenticates with the token Redis was given")
}

// TestNoSecretValueReachesThePlan: known stack secrets, the placeholders, and
// anything that looks like a password must not appear in the JSON plan.
func TestNoSecretValueReachesThePlan(t *testing.T) {
	values := []string{"sk-live-9f8e7d6c5b4a", "Redis-Token-abcdef0123456789", "superuser-Pa55word!", strings.Repeat("s3", 20)}
	for _, p := range presets {
		t.Run(p.stack, func(t *testing.T) {
			t.Parallel()
			result := previewtest.Stack(t, p.stack, previewtest.SetSecret(
				"ohmycoins:openaiApiKey", values[0], "ohmycoins:redisAuthToken", values[1],
				"ohmycoins:firstSuperuserPassword", values[2], "ohmycoins:secretKey", values[3],
			))
			data, err := result.Plan.JSON()
			require.NoError(t, err)
			for _, v := range values {
				require.NotContains(t, string(data), v)
			}
			placeholders, err := previewtest.Stack(t, p.stack).Plan.JSON()
			require.NoError(t, err)
			require.NotContains(t, string(placeholders), "preview-placeholder")
		})
	}
}

// TestTheTiersRulesAreReportedInTheStacksTerms: a tier's own rule (rds,
// redis) reaches the operator under the stack's config key.
func TestTheTiersRulesAreReportedInTheStacksTerms(t *testing.T) {
	t.Parallel()
	errs := strings.Join(previewtest.Problems(t, "production", previewtest.Set("ohmycoins:database", `{"maxAllocatedStorage": 100, "engineVersion": "17.4"}`)), "\n")
	require.Contains(t, errs, `ohmycoins:database.engineVersion = "17.4": must be a PostgreSQL major version only`)
	require.Contains(t, errs, `ohmycoins:database.maxAllocatedStorage = 100: must be greater than allocatedStorage = 100`)
	errs = strings.Join(previewtest.Problems(t, "staging", previewtest.Set("ohmycoins:cache", `{"multiAz": true}`)), "\n")
	require.Contains(t, errs, "ohmycoins:cache.multiAz = true: needs cache.nodes >= 2 (is 1): Multi-AZ keeps a replica in another AZ")
}
