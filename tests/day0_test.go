package tests

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ohmycoins/infra/internal/migrate"
	"github.com/ohmycoins/infra/internal/migratecli"
	"github.com/ohmycoins/infra/internal/mockcloud"
	"github.com/ohmycoins/infra/internal/preview/previewtest"
	"github.com/ohmycoins/infra/internal/replacement"
	"github.com/ohmycoins/infra/internal/stackplan"
)

// Day 0: the program moves in beside the original Terraform environments.
// These tests cover what the stacks themselves do for it; internal/migrate/migrate_test.go
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
		providers := previewtest.Stack(t, stack).Plan.OfType("pulumi:providers:aws")
		require.NotEmpty(t, providers)
		for _, provider := range providers { // production's backup region's too
			require.Equal(t, []any{"220711411889"}, provider.Inputs["allowedAccountIds"], "%s: %s", stack, provider.Name)
		}
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
			previewtest.Trust(t, plans[stack], map[string]string{"staging": "ohmycoins-staging-github-deploy", "production": "ohmycoins-prod-github-deploy"}[stack]).Principal.Federated,
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

// The offline preview shows what the import and the first `pulumi up` do:
// the adopted resources as imports, what the update then changes, and with
// -check it fails when an adopted resource that holds data would be replaced,
// as when an operator adds the database to the import file.
func TestPreviewShowsTheAdoption(t *testing.T) {
	t.Parallel()
	code, stdout, stderr := previewtest.CLI("diff", "-stack", "production", "-terraform-state", terraformState("production"), "-check")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stdout, "\n=  import  aws:ecs/cluster:Cluster  ohmycoins-prod-cluster\n     adopts ohmycoins-prod-cluster\n     option protect: true → false\n")
	require.Contains(t, stdout, "\n=~ import, then update  aws:cloudwatch/logGroup:LogGroup  ohmycoins-prod-flow-logs\n     adopts /aws/vpc/flow-logs/ohmycoins-prod\n     kmsKeyId: \"\" → [unknown]\n     retentionInDays: 7 → 90\n")
	require.Regexp(t, `\nResources: 22 to import, \d+ to create, \d+ to update, 0 to replace, 0 to delete, \d+ unchanged\n`, stdout)

	code, stdout, stderr = previewtest.CLI("diff", "-stack", "production", "-terraform-state", terraformState("production"), "-json")
	require.Equal(t, 0, code, stderr)
	d := decodeDiff(t, stdout)
	c, ok := d.Find("aws:route53/record:Record", "ohmycoins-prod-alias-www.ohmycoins.com")
	require.True(t, ok)
	require.Equal(t, stackplan.OpUpdate, c.Op)
	require.Equal(t, "Z0812345ABCDEFGHIJKL_www.ohmycoins.com_A", c.Import)

	_, importFile, _ := runMigrate("-stack", "production", "-terraform-state", terraformState("production"))
	var file migrate.ImportFile
	require.NoError(t, json.Unmarshal([]byte(importFile), &file))
	file.Resources = append(file.Resources, migrate.ImportResource{Type: typeDBInstance, Name: "ohmycoins-prod-postgres", ID: "ohmycoins-prod-postgres",
		Parent: "ohmycoins-prod.rds:Database", Provider: "ohmycoins-prod-aws", Version: migrate.ProviderVersion})
	withDB, err := file.JSON()
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "import.json")
	require.NoError(t, os.WriteFile(path, withDB, 0o600))
	code, stdout, stderr = previewtest.CLI("diff", "-stack", "production", "-terraform-state", terraformState("production"), "-import", path, "-check")
	require.Equal(t, 1, code, "adopting the database would replace it")
	require.Contains(t, stdout, "=+- import, then replace  aws:rds/instance:Instance  ohmycoins-prod-postgres\n     adopts ohmycoins-prod-postgres\n     because kmsKeyId changes\n")
	require.Contains(t, stdout, "  !  pulumi up would fail: adopted, and holds the database: the first pulumi up would replace it, and the replacement starts empty\n")
	require.Contains(t, stderr, "pulumi up would fail on 1 change(s) of stack production after the import")

	code, _, stderr = previewtest.CLI("diff", "-stack", "production", "-import", path)
	require.Equal(t, 2, code)
	require.Contains(t, stderr, "-import needs -terraform-state")
}

func decodeDiff(t *testing.T, s string) stackplan.PlanDiff {
	t.Helper()
	var d stackplan.PlanDiff
	require.NoError(t, json.Unmarshal([]byte(s), &d))
	return d
}

// terraformState is the recorded state of an original Terraform environment,
// the fixture of cmd/migrate's tests.
func terraformState(stack string) string {
	return filepath.Join(projectDir, "internal", "migrate", "testdata", "terraform", stack+".json")
}

// runMigrate runs the move command in-process.
func runMigrate(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = migratecli.Main(append([]string{"-dir", projectDir}, args...), &out, &errOut)
	return code, out.String(), errOut.String()
}
