package tests

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/ohmycoins/infra/internal/iamsim"
	"github.com/ohmycoins/infra/internal/preview"
	"github.com/ohmycoins/infra/internal/preview/previewtest"
	"github.com/ohmycoins/infra/internal/stackplan"
)

// twoAccounts is the two-account layout's project directory.
var twoAccounts = filepath.Join(projectDir, "layouts", "two-accounts")

// The accounts of the two-account layout: production stays in the account of
// today, staging moves to an account of its own (a placeholder id).
const (
	productionAccount = "220711411889"
	stagingAccount    = "111122223333"
)

// TestBothLayoutsPreviewAndPassThePolicyCheck: the one account of today and
// the two-account layout each preview offline, with their bootstrap stacks,
// and pass every policy rule.
func TestBothLayoutsPreviewAndPassThePolicyCheck(t *testing.T) {
	t.Parallel()
	for _, dir := range []string{projectDir, twoAccounts} {
		for _, stack := range allStacks {
			code, stdout, stderr := previewtest.CLI("check", "-stack", stack, "-dir", dir)
			require.Equal(t, 0, code, "%s %s: %s", dir, stack, stderr)
			require.Regexp(t, `\d+ rules, 0 violations`, stdout, "%s %s", dir, stack)
		}
	}
	for dir, bootstrapStacks := range map[string][]string{projectDir: {"state"}, twoAccounts: {"state", "staging-account"}} {
		for _, stack := range bootstrapStacks {
			code, _, stderr := previewtest.CLI("plan", "-program", "bootstrap", "-stack", stack, "-dir", dir)
			require.Equal(t, 0, code, "%s bootstrap %s: %s", dir, stack, stderr)
		}
	}
}

// inAccount previews a stack of the two-account layout in its own account,
// as AWS would answer it there.
func inAccount(t *testing.T, stack, account string) *stackplan.Plan {
	t.Helper()
	return previewtest.Stack(t, stack, func(o *preview.Options) {
		o.Dir = twoAccounts
		o.World.AccountID = account
	}).Plan
}

var accountInARN = regexp.MustCompile(`arn:aws:[a-z0-9-]+:[a-z0-9-]*:([0-9]{12}):`)

// TestTheTwoAccountsShareNothing: in the two-account layout neither stack's
// plan names the other's account anywhere (no policy grants it, no resource
// policy lets it in, no ARN points into it), each stack's CI roles reach the
// state bucket of their own account only, and the only record production's
// deploy role may write for staging's names is the delegation's NS record.
func TestTheTwoAccountsShareNothing(t *testing.T) {
	t.Parallel()
	plans := map[string]*stackplan.Plan{
		"staging":    inAccount(t, "staging", stagingAccount),
		"production": inAccount(t, "production", productionAccount),
	}
	own := map[string]string{"staging": stagingAccount, "production": productionAccount}
	buckets := map[string]string{"staging": "ohmycoins-pulumi-state-staging", "production": "ohmycoins-pulumi-state"}
	for stack, plan := range plans {
		raw, err := json.Marshal(plan)
		require.NoError(t, err)
		for other, account := range own {
			if other != stack {
				require.False(t, strings.Contains(string(raw), account), "%s's plan names %s's account %s", stack, other, account)
			}
		}
		accounts := map[string]bool{}
		for _, m := range accountInARN.FindAllStringSubmatch(string(raw), -1) {
			accounts[m[1]] = true
		}
		require.True(t, accounts[own[stack]], "%s's ARNs are in its account", stack)

		prefix := map[string]string{"staging": "ohmycoins-staging", "production": "ohmycoins-prod"}[stack]
		state := previewtest.RolePolicies(t, plan, prefix+"-github-preview")[prefix+"-github-preview-state"]
		var objects []string
		for _, s := range state.Statement {
			if s.Sid == "StackState" {
				objects = s.Resource
			}
		}
		require.NotEmpty(t, objects)
		for _, o := range objects {
			require.True(t, strings.HasPrefix(o, "arn:aws:s3:::"+buckets[stack]+"/.pulumi/"), "%s's state is in its account's bucket: %s", stack, o)
		}
	}

	stagingZone, productionZone := previewtest.ZoneID(t, plans["staging"]), previewtest.ZoneID(t, plans["production"])
	require.NotEqual(t, stagingZone, productionZone, "staging's records live in its own zone")
	for _, r := range plans["staging"].OfType(typeRecord) {
		require.Equal(t, stagingZone, r.Inputs["zoneId"], r.Name)
	}
	delegation := previewtest.Named(t, plans["production"], typeRecord, "ohmycoins-prod-delegation-staging.ohmycoins.com")
	require.Equal(t, "NS", delegation.Inputs["type"])
	require.Equal(t, productionZone, delegation.Inputs["zoneId"])

	change := func(zone, name, typ string) iamsim.Request {
		return request("route53:ChangeResourceRecordSets", "arn:aws:route53:::hostedzone/"+zone,
			"route53:ChangeResourceRecordSetsNormalizedRecordNames", []string{name}, "route53:ChangeResourceRecordSetsRecordTypes", []string{typ})
	}
	deploy := previewtest.DeployPolicy(t, plans["production"], "ohmycoins-prod")
	require.Equal(t, iamsim.Allowed, iamsim.Evaluate(change(productionZone, "staging.ohmycoins.com", "NS"), deploy), "the delegation")
	for _, c := range []iamsim.Request{
		change(productionZone, "staging.ohmycoins.com", "A"),
		change(productionZone, "api.staging.ohmycoins.com", "A"),
		change(productionZone, "_0123456789abcdef0123456789abcdef.api.staging.ohmycoins.com", "CNAME"),
		change(stagingZone, "api.staging.ohmycoins.com", "A"),
	} {
		require.Equal(t, iamsim.ImplicitDeny, iamsim.Evaluate(c, deploy), "production's deploy role may not %+v", c)
	}
	stagingDeploy := previewtest.DeployPolicy(t, plans["staging"], "ohmycoins-staging")
	require.Equal(t, iamsim.Allowed, iamsim.Evaluate(change(stagingZone, "api.staging.ohmycoins.com", "A"), stagingDeploy), "staging's own alias")
	require.Equal(t, iamsim.ImplicitDeny, iamsim.Evaluate(change(productionZone, "staging.ohmycoins.com", "NS"), stagingDeploy), "staging cannot move its delegation")
}

// TestEachStackNamesTheBackendOfItsAccount: the backend command prints the
// bucket each stack file names; in the one account of today both are
// Pulumi.yaml's backend, in the two-account layout Pulumi.yaml has none and
// each stack names the bucket its account's bootstrap stack creates, in the
// account the bootstrap stack runs in.
func TestEachStackNamesTheBackendOfItsAccount(t *testing.T) {
	t.Parallel()
	type project struct {
		Backend *struct{ URL string } `yaml:"backend"`
	}
	read := func(path string, v any) {
		data, err := os.ReadFile(path)
		require.NoError(t, err)
		require.NoError(t, yaml.Unmarshal(data, v))
	}
	var root, layout project
	read(filepath.Join(projectDir, "Pulumi.yaml"), &root)
	read(filepath.Join(twoAccounts, "Pulumi.yaml"), &layout)
	require.NotNil(t, root.Backend)
	require.Nil(t, layout.Backend, "no project-wide backend when each account holds its own")

	backend := func(dir, stack string) string {
		code, stdout, stderr := previewtest.CLI("backend", "-stack", stack, "-dir", dir)
		require.Equal(t, 0, code, stderr)
		return strings.TrimSpace(stdout)
	}
	for _, stack := range allStacks {
		require.Equal(t, root.Backend.URL, backend(projectDir, stack), stack)
	}

	type stackFile struct {
		Config map[string]any `yaml:"config"`
	}
	bootstrapOf := map[string]string{"staging": "staging-account", "production": "state"}
	for _, stack := range allStacks {
		var s, b stackFile
		read(filepath.Join(twoAccounts, "Pulumi."+stack+".yaml"), &s)
		read(filepath.Join(twoAccounts, "bootstrap", "Pulumi."+bootstrapOf[stack]+".yaml"), &b)
		bucket := s.Config["ohmycoins:stateBackend"].(map[string]any)["bucket"]
		require.Equal(t, b.Config["ohmycoins-state:bucket"], bucket, "%s's bucket is its account's", stack)
		require.Equal(t, "s3://"+bucket.(string)+"?region=ap-southeast-2", backend(twoAccounts, stack))
		require.Equal(t, b.Config["ohmycoins-state:accountId"], s.Config["ohmycoins:accountId"], "%s runs in the account of its bootstrap stack", stack)
		require.Equal(t, []any{stack}, b.Config["ohmycoins-state:stacks"], "the account holds %s alone", stack)
	}
	var b stackFile
	read(filepath.Join(twoAccounts, "bootstrap", "Pulumi.staging-account.yaml"), &b)
	require.Equal(t, []any{"staging.ohmycoins.com"}, b.Config["ohmycoins-state:hostedZones"], "the zone production's delegates to")

	bad := previewtest.ProjectCopy(t, "staging", "  ohmycoins:stateBackend:\n    bucket: Bad_Bucket\n")
	code, stdout, stderr := previewtest.CLI("backend", "-stack", "staging", "-dir", bad)
	require.Equal(t, 2, code)
	require.Empty(t, stdout, "no URL a workflow could log in to")
	require.Contains(t, stderr, `ohmycoins:stateBackend.bucket = "Bad_Bucket": must be an S3 bucket name`)
}

// TestTheDelegationIsTheZoneStagingsAccountOwns: production's stack file
// delegates staging's domain, staging's stack file puts its records in a
// zone of that name, and every record staging's deploy role may write is
// under the delegated name.
func TestTheDelegationIsTheZoneStagingsAccountOwns(t *testing.T) {
	t.Parallel()
	staging := previewtest.Stack(t, "staging", func(o *preview.Options) { o.Dir = twoAccounts })
	production := previewtest.Stack(t, "production", func(o *preview.Options) { o.Dir = twoAccounts })
	require.Equal(t, "staging.ohmycoins.com", staging.Settings.DNS.ZoneName)
	require.Equal(t, []string{"staging.ohmycoins.com"}, slices.Sorted(maps.Keys(production.Settings.DNS.Delegations)))
	for _, s := range previewtest.DeployPolicy(t, staging.Plan, "ohmycoins-staging").Statement {
		if s.Sid != "DnsRecords" {
			continue
		}
		for _, name := range s.Condition["ForAllValues:StringLike"]["route53:ChangeResourceRecordSetsNormalizedRecordNames"] {
			require.True(t, name == "staging.ohmycoins.com" || strings.HasSuffix(name, ".staging.ohmycoins.com"), name)
		}
	}
}
