package tests

import (
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ohmycoins/infra/internal/mockcloud"
	"github.com/ohmycoins/infra/internal/preview/previewtest"
	"github.com/ohmycoins/infra/internal/replacement"
	"github.com/ohmycoins/infra/internal/stackplan"
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
	result := previewtest.Stack(t, "production",
		previewtest.Set("ohmycoins:database", `{"snapshotIdentifier": "ohmycoins-prod-from-terraform"}`),
		previewtest.Set("ohmycoins:cache", `{"snapshotName": "ohmycoins-prod-redis-from-terraform"}`))
	db := previewtest.Named(t, result.Plan, typeDBInstance, "ohmycoins-prod-postgres")
	require.Equal(t, "ohmycoins-prod-from-terraform", db.Inputs["snapshotIdentifier"])
	require.Equal(t, []string{"snapshotIdentifier"}, db.IgnoreChanges)
	require.True(t, db.Protect)
	cache := previewtest.Named(t, result.Plan, typeReplicationGroup, "ohmycoins-prod-redis")
	require.Equal(t, "ohmycoins-prod-redis-from-terraform", cache.Inputs["snapshotName"])
	require.Equal(t, []string{"snapshotName"}, cache.IgnoreChanges)
	require.Equal(t, db.Inputs["kmsKeyId"], cache.Inputs["kmsKeyId"], "both stay on the environment key")

	require.Contains(t, result.Warnings, `ohmycoins:database.snapshotIdentifier = "ohmycoins-prod-from-terraform" is read only when the database is created; on a live stack it changes nothing. The snapshot must be encrypted with the environment key alias/ohmycoins-prod and have the master user "postgres" and the database "app", or the next update replaces the restored database (docs/RUNBOOK.md, "Restoring the database")`)
	require.Contains(t, result.Warnings, `ohmycoins:cache.snapshotName = "ohmycoins-prod-redis-from-terraform" is read only when the cache is created; on a live stack it changes nothing (docs/RUNBOOK.md, "Restoring the cache")`)

	plain := previewtest.Stack(t, "production").Plan
	require.NotContains(t, previewtest.Named(t, plain, typeDBInstance, "ohmycoins-prod-postgres").Inputs, "snapshotIdentifier", "an empty database by default")
	require.NotContains(t, previewtest.Named(t, plain, typeReplicationGroup, "ohmycoins-prod-redis").Inputs, "snapshotName")
}

// The alias records take over the records that exist already (production's
// were made by Terraform, staging's by hand) instead of failing to create them.
func TestAliasRecordsTakeOverExistingRecords(t *testing.T) {
	t.Parallel()
	for _, stack := range allStacks {
		plan := previewtest.Stack(t, stack).Plan
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
		provider := previewtest.Stack(t, stack).Plan.OfType("pulumi:providers:aws")
		require.Len(t, provider, 1)
		require.Equal(t, []any{"220711411889"}, provider[0].Inputs["allowedAccountIds"], stack)
	}
	unset := previewtest.Stack(t, "staging", previewtest.Unset("ohmycoins:accountId")).Plan.OfType("pulumi:providers:aws")
	require.NotContains(t, unset[0].Inputs, "allowedAccountIds")
}

// Destroying staging never touches what production needs: no input of a
// production resource is built from a resource the staging stack owns (its
// id, its ARN, its physical name), and the other way round. What both need
// belongs to the account-level program (bootstrap/): the GitHub OIDC provider,
// which neither stack creates, the state bucket and the secrets key.
func TestNeitherEnvironmentDependsOnTheOther(t *testing.T) {
	t.Parallel()
	plans := map[string]*stackplan.Plan{}
	for _, stack := range allStacks {
		plans[stack] = previewtest.Stack(t, stack).Plan
		require.Empty(t, plans[stack].OfType("aws:iam/openIdConnectProvider:OpenIdConnectProvider"), "%s owns no account-level resource", stack)
	}
	for _, pair := range [][2]string{{"production", "staging"}, {"staging", "production"}} {
		user := plans[pair[0]]
		require.Empty(t, crossReferences(user, plans[pair[1]]), "%s uses what %s owns", pair[0], pair[1])
		require.NotContains(t, mustJSON(t, user), map[string]string{"staging": "ohmycoins-prod-", "production": "ohmycoins-staging-"}[pair[0]])
	}
	for _, stack := range allStacks {
		require.Equal(t, []string{"arn:aws:iam::" + mockcloud.MockAccountID + ":oidc-provider/token.actions.githubusercontent.com"},
			trust(t, plans[stack], map[string]string{"staging": "ohmycoins-staging-github-deploy", "production": "ohmycoins-prod-github-deploy"}[stack]).Principal.Federated,
			"%s trusts the account's provider", stack)
	}
}

// The check finds a reference when there is one: a production role policy
// that named staging's secret would depend on staging.
func TestCrossReferencesAreFound(t *testing.T) {
	t.Parallel()
	production, staging := previewtest.Stack(t, "production").Plan, previewtest.Stack(t, "staging").Plan
	secret := previewtest.Named(t, staging, "aws:secretsmanager/secret:Secret", "ohmycoins-staging-app-secrets")
	doctored := *production
	doctored.Resources = append([]stackplan.Resource(nil), production.Resources...)
	for i, r := range doctored.Resources {
		if r.Type == "aws:iam/rolePolicy:RolePolicy" && r.Name == "ohmycoins-prod-ecs-task-execution-secrets" {
			r.Inputs = map[string]any{"policy": `{"Statement":[{"Resource":["` + secret.Outputs["arn"].(string) + `"]}]}`}
			doctored.Resources[i] = r
		}
	}
	require.Equal(t, []string{"aws:iam/rolePolicy:RolePolicy ohmycoins-prod-ecs-task-execution-secrets uses aws:secretsmanager/secret:Secret ohmycoins-staging-app-secrets"},
		crossReferences(&doctored, staging))
}

// crossReferences lists the resources of user whose inputs hold an id or ARN
// (anywhere in a value: a policy, a container definition) or a physical name
// (as a whole value) of a resource that owner owns.
func crossReferences(user, owner *stackplan.Plan) []string {
	ids, names := map[string]string{}, map[string]string{}
	// A value names the resource whose id it is before one that carries it as
	// its arn (a secret version's arn is its secret's).
	for _, key := range []string{"id", "arn"} {
		for _, r := range owner.Resources {
			if !r.Custom || strings.HasPrefix(r.Type, "pulumi:providers:") {
				continue
			}
			v := any(r.ID)
			if key == "arn" {
				v = r.Outputs["arn"]
			}
			if s, ok := v.(string); ok && len(s) > 6 && ids[s] == "" {
				ids[s] = r.Type + " " + r.Name
			}
			if s, ok := physicalName(r).(string); ok {
				names[s] = r.Type + " " + r.Name
			}
		}
	}
	var found []string
	for _, r := range user.Resources {
		collectStrings(r.Inputs, func(s string) {
			for value, what := range ids {
				if strings.Contains(s, value) {
					found = append(found, r.Type+" "+r.Name+" uses "+what)
				}
			}
			if what, ok := names[s]; ok {
				found = append(found, r.Type+" "+r.Name+" names "+what)
			}
		})
	}
	slices.Sort(found)
	return slices.Compact(found)
}

// physicalName is what names a resource in AWS: its name property.
func physicalName(r stackplan.Resource) any {
	ty, ok := replacement.MustLoad().Lookup(r.Type)
	if !ok || ty.NameProperty == "" {
		return nil
	}
	return r.Inputs[ty.NameProperty]
}

func collectStrings(v any, f func(string)) {
	switch x := v.(type) {
	case string:
		f(x)
	case []any:
		for _, e := range x {
			collectStrings(e, f)
		}
	case map[string]any:
		for _, e := range x {
			collectStrings(e, f)
		}
	}
}

func mustJSON(t *testing.T, p *stackplan.Plan) string {
	t.Helper()
	b, err := p.JSON()
	require.NoError(t, err)
	return string(b)
}
