package tests

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// Day 0: the program moves in beside the original Terraform environments.
// These tests cover what the stacks themselves do for it; tests/migrate_test.go
// covers cmd/migrate.

// The database and the cache can be created from a snapshot. The provider
// replaces either when the snapshot input changes, so the program ignores the
// input once they exist: setting it on a live stack changes nothing (the
// update matrix proves that over the diff), and the operator is told so.
func TestDataTiersRestoreFromSnapshots(t *testing.T) {
	t.Parallel()
	result := previewStack(t, "production",
		set("ohmycoins:database", `{"snapshotIdentifier": "ohmycoins-prod-from-terraform"}`),
		set("ohmycoins:cache", `{"snapshotName": "ohmycoins-prod-redis-from-terraform"}`))
	db := mustNamed(t, result.Plan, typeDBInstance, "ohmycoins-prod-postgres")
	require.Equal(t, "ohmycoins-prod-from-terraform", db.Inputs["snapshotIdentifier"])
	require.Equal(t, []string{"snapshotIdentifier"}, db.IgnoreChanges)
	require.True(t, db.Protect)
	cache := mustNamed(t, result.Plan, typeReplicationGroup, "ohmycoins-prod-redis")
	require.Equal(t, "ohmycoins-prod-redis-from-terraform", cache.Inputs["snapshotName"])
	require.Equal(t, []string{"snapshotName"}, cache.IgnoreChanges)
	require.Equal(t, db.Inputs["kmsKeyId"], cache.Inputs["kmsKeyId"], "both stay on the environment key")

	require.Contains(t, result.Warnings, `ohmycoins:database.snapshotIdentifier = "ohmycoins-prod-from-terraform" is read only when the database is created; on a live stack it changes nothing. The snapshot must be encrypted with the environment key alias/ohmycoins-prod and have the master user "postgres" and the database "app", or the next update replaces the restored database (docs/RUNBOOK.md, "Restoring the database")`)
	require.Contains(t, result.Warnings, `ohmycoins:cache.snapshotName = "ohmycoins-prod-redis-from-terraform" is read only when the cache is created; on a live stack it changes nothing (docs/RUNBOOK.md, "Restoring the cache")`)

	plain := previewStack(t, "production").Plan
	require.NotContains(t, mustNamed(t, plain, typeDBInstance, "ohmycoins-prod-postgres").Inputs, "snapshotIdentifier", "an empty database by default")
	require.NotContains(t, mustNamed(t, plain, typeReplicationGroup, "ohmycoins-prod-redis").Inputs, "snapshotName")
}

// The alias records take over the records that exist already (production's
// were made by Terraform, staging's by hand) instead of failing to create them.
func TestAliasRecordsTakeOverExistingRecords(t *testing.T) {
	t.Parallel()
	for _, stack := range allStacks {
		plan := previewStack(t, stack).Plan
		records := 0
		for _, r := range plan.OfType(typeRecord) {
			if _, alias := r.Inputs["aliases"]; !alias {
				continue
			}
			records++
			require.Equal(t, true, r.Inputs["allowOverwrite"], r.Name)
		}
		require.Equal(t, map[string]int{"staging": 2, "production": 4}[stack], records, stack)
	}
}

// The provider refuses credentials of any account but the stack's.
func TestStacksOnlyRunInTheirAccount(t *testing.T) {
	t.Parallel()
	for _, stack := range allStacks {
		provider := previewStack(t, stack).Plan.OfType("pulumi:providers:aws")
		require.Len(t, provider, 1)
		require.Equal(t, []any{"220711411889"}, provider[0].Inputs["allowedAccountIds"], stack)
	}
	unset := previewStack(t, "staging", unset("ohmycoins:accountId")).Plan.OfType("pulumi:providers:aws")
	require.NotContains(t, unset[0].Inputs, "allowedAccountIds")
}
