package stacks_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/internals"
	"github.com/stretchr/testify/require"

	"github.com/ohmycoins/infra/internal/preview"
	"github.com/ohmycoins/infra/internal/preview/previewtest"
	"github.com/ohmycoins/infra/stacks"
)

// loadSettings runs only stacks.LoadWith against a real stack file (with option
// changes) under the mock engine, and returns what it loaded.
func loadSettings(t *testing.T, stack string, opts ...func(*preview.Options)) *stacks.Settings {
	t.Helper()
	var loaded *stacks.Settings
	capture := func(o *preview.Options) {
		o.Program = preview.Program{Dir: ".", Body: func(keys []string) pulumi.RunFunc {
			return func(ctx *pulumi.Context) error {
				s, err := stacks.LoadWith(ctx, stacks.LoadOptions{ConfigKeys: keys})
				loaded = s
				return err
			}
		}}
	}
	previewtest.Stack(t, stack, append(opts, capture)...)
	require.NotNil(t, loaded)
	return loaded
}

func TestStackFilesLoadTheirPresetsAndSiteValues(t *testing.T) {
	t.Parallel()
	staging := loadSettings(t, "staging")
	require.Equal(t, "staging", staging.Stack)
	require.Equal(t, stacks.EnvStaging, staging.Environment)
	require.Equal(t, "ohmycoins-staging", staging.NamePrefix)
	require.Equal(t, stacks.Staging().Network, staging.Network)
	require.Equal(t, stacks.Staging().Database, staging.Database)
	require.Equal(t, "staging.ohmycoins.com", staging.Site.Domain)
	require.Equal(t, "api.staging.ohmycoins.com", staging.APIHost())
	require.Equal(t, []string{"devops@ohmycoins.com"}, staging.Site.AlertEmails)
	require.Equal(t, "MarkLimmage/ohmycoins", staging.GitHub.Repository)
	require.Empty(t, staging.GitHub.OIDCProviderARN, "the account's provider, which the account-level program owns")
	require.Empty(t, staging.Services["backend"].ImageDigest, "no image yet: the repositories are new")
	require.Equal(t, []string{"https://dashboard.staging.ohmycoins.com", "http://localhost:5173"}, staging.App.CORSOrigins)
	// Derived from the domain because the stack file leaves them out.
	require.Equal(t, "admin@staging.ohmycoins.com", staging.App.FirstSuperuser)
	require.Equal(t, "noreply@staging.ohmycoins.com", staging.App.EmailsFromEmail)
	// The preset's task size.
	require.Equal(t, 1024, staging.Services["backend"].CPU)
	require.Equal(t, 2048, staging.Services["backend"].MemoryMiB)

	production := loadSettings(t, "production")
	require.Equal(t, "ohmycoins-prod", production.NamePrefix)
	require.Equal(t, stacks.Production().Cache, production.Cache)
	require.Equal(t, []string{"https://ohmycoins.com", "https://www.ohmycoins.com", "https://dashboard.ohmycoins.com"}, production.App.CORSOrigins,
		"the frontend is served on the apex and www too (the load balancer's default action)")
	require.Equal(t, []string{"devops@ohmycoins.com", "oncall@ohmycoins.com"}, production.Site.AlertEmails)
	require.Empty(t, production.Services["frontend"].ImageDigest, "no image yet: promoted from staging")
}

func TestStructuredConfigOverridesOnlyTheKeysItSets(t *testing.T) {
	t.Parallel()
	s := loadSettings(t, "production",
		previewtest.Set("ohmycoins:database", `{"allocatedStorage": 200, "maxAllocatedStorage": 1e3}`),
		previewtest.Set("ohmycoins:backend", `{"imageDigest": "sha256:abababababababababababababababababababababababababababababababab", "autoscaling": {"maxCount": 20}}`),
		previewtest.Set("ohmycoins:alarms", `{"rdsLowStorageGiB": 40}`),
	)
	require.Equal(t, 200, s.Database.AllocatedStorageGB)
	require.Equal(t, 1000, s.Database.MaxAllocatedStorageGB, "1e3 is a whole number as JSON writes it")
	require.Equal(t, stacks.Production().Database.InstanceClass, s.Database.InstanceClass, "keys left out keep the preset")
	require.Equal(t, 20, s.Services["backend"].Autoscaling.MaxCount)
	require.Equal(t, "sha256:"+strings.Repeat("ab", 32), s.Services["backend"].ImageDigest)
	preset := stacks.Production()
	require.Equal(t, preset.Services["backend"].Autoscaling.MinCount, s.Services["backend"].Autoscaling.MinCount, "nested keys left out keep the preset")
	require.Equal(t, preset.Services["backend"].Autoscaling.MemoryTargetPercent, s.Services["backend"].Autoscaling.MemoryTargetPercent)
	require.Equal(t, 40.0, s.Alarms.RdsLowStorageGiB)
	require.Equal(t, preset.Alarms.RdsHighCPU, s.Alarms.RdsHighCPU)
}

func TestStackSecretsAreLoadedAsSecrets(t *testing.T) {
	t.Parallel()
	s := loadSettings(t, "staging", previewtest.SetSecret("ohmycoins:sentryDsn", "https://key@sentry.example.com/1"))
	require.Equal(t, "https://key@sentry.example.com/1", s.Credentials.SentryDSN.Reveal())
	require.True(t, s.Credentials.SecretKey.IsSet(), "the preview's placeholder stands in for the unset secret")
	require.False(t, s.Credentials.NansenAPIKey.IsSet(), "optional secrets get no placeholder")
}

// TestLoadRefusesBadConfig covers what only stack config can get wrong: keys
// and types, unset and plain-text secrets, the environment itself.
func TestLoadRefusesBadConfig(t *testing.T) {
	cases := []struct {
		name string
		opts []func(*preview.Options)
		want []string
	}{
		{"unknown environment", []func(*preview.Options){previewtest.Set("ohmycoins:environment", "qa")},
			[]string{`ohmycoins:environment = "qa": must be staging or production`}},
		{"environment not set", []func(*preview.Options){previewtest.Unset("ohmycoins:environment")},
			[]string{"ohmycoins:environment is not set: it must be staging or production (pulumi config set --stack staging ohmycoins:environment staging)"}},
		{"misspelt key in a structured object", []func(*preview.Options){previewtest.Set("ohmycoins:database", `{"allocatedStorag": 30}`)},
			[]string{"ohmycoins:database.allocatedStorag is not a setting of this program (did you mean allocatedStorage?)"}},
		{"unknown key in a nested object", []func(*preview.Options){previewtest.Set("ohmycoins:backend", `{"autoscaling": {"minimum": 1}}`)},
			[]string{"ohmycoins:backend.autoscaling.minimum is not a setting of this program"}},
		{"misspelt top-level key", []func(*preview.Options){previewtest.Set("ohmycoins:databse", `{"allocatedStorage": 30}`)},
			[]string{"ohmycoins:databse is not a setting of this program (did you mean database?)"}},
		{"value of the wrong type", []func(*preview.Options){previewtest.Set("ohmycoins:database", `{"allocatedStorage": "30"}`)},
			[]string{`ohmycoins:database.allocatedStorage = "30": must be a whole number`}},
		{"a count beyond any size", []func(*preview.Options){previewtest.Set("ohmycoins:cache", `{"nodes": 1e20}`)},
			[]string{`ohmycoins:cache.nodes = 1e20: is out of range: no setting is anywhere near that large`}},
		{"fractional count", []func(*preview.Options){previewtest.Set("ohmycoins:cache", `{"nodes": 1.5}`)},
			[]string{`ohmycoins:cache.nodes = 1.5: must be a whole number`}},
		{"list expected", []func(*preview.Options){previewtest.Set("ohmycoins:network", `{"managementCidrs": "10.8.0.0/16"}`)},
			[]string{`ohmycoins:network.managementCidrs = "10.8.0.0/16": must be a list of strings`}},
		{"object expected", []func(*preview.Options){previewtest.Set("ohmycoins:database", "30")},
			[]string{"ohmycoins:database = 30: must be an object with the keys allocatedStorage, applyImmediately"}},
		{"a placeholder left in, shown as written", []func(*preview.Options){previewtest.Set("ohmycoins:domain", "<your domain>")},
			[]string{`ohmycoins:domain = "<your domain>": `}},
		{"a --path key written as typed", []func(*preview.Options){previewtest.Set("ohmycoins:database.instanceClass", "db.t3.small")},
			[]string{"ohmycoins:database.instanceClass is not a setting of this program: the stack file nests a setting under its area (ohmycoins:database: then instanceClass: indented below it), which pulumi config set --path 'ohmycoins:database.instanceClass' writes"}},
		{"an instance class AWS does not have", []func(*preview.Options){previewtest.Set("ohmycoins:database", `{"instanceClass": "db.zz9.gigantic"}`)},
			[]string{`ohmycoins:database.instanceClass = "db.zz9.gigantic": is not an RDS instance class that runs PostgreSQL`}},
		{"a retired instance class", []func(*preview.Options){previewtest.Set("ohmycoins:database", `{"instanceClass": "db.m1.small"}`)},
			[]string{`ohmycoins:database.instanceClass = "db.m1.small": is not an RDS instance class that runs PostgreSQL`}},
		{"a PostgreSQL that does not exist", []func(*preview.Options){previewtest.Set("ohmycoins:database", `{"engineVersion": "99"}`)},
			[]string{`ohmycoins:database.engineVersion = "99": is not a PostgreSQL major version RDS runs (18, 17, 16, 15, 14, 13, 12, 11;`}},
		{"a node type AWS does not have", []func(*preview.Options){previewtest.Set("ohmycoins:cache", `{"nodeType": "cache.zz.huge"}`)},
			[]string{`ohmycoins:cache.nodeType = "cache.zz.huge": is not an ElastiCache node type`}},
		{"an alert e-mail twice", []func(*preview.Options){previewtest.Set("ohmycoins:alertEmails", `["devops@ohmycoins.com", "oncall@ohmycoins.com", "DevOps@ohmycoins.com"]`)},
			[]string{`ohmycoins:alertEmails[2] = "DevOps@ohmycoins.com": is alertEmails[0] again: each address would get its own subscription and every alarm twice`}},
		{"alert e-mails not a list", []func(*preview.Options){previewtest.Set("ohmycoins:alertEmails", "devops@ohmycoins.com")},
			[]string{`ohmycoins:alertEmails = "devops@ohmycoins.com": must be a list of e-mail addresses`}},
		{"required secret not set", []func(*preview.Options){previewtest.NoPlaceholders},
			[]string{`ohmycoins:secretKey is not set: run pulumi config set --secret --stack staging ohmycoins:secretKey "$(openssl rand -hex 32)"`}},
		{"secret stored in plain text", []func(*preview.Options){previewtest.Set("ohmycoins:redisAuthToken", "plain-text-token-0000")},
			[]string{"ohmycoins:redisAuthToken is stored in plain text in Pulumi.staging.yaml: remove it and run pulumi config set --secret --stack staging ohmycoins:redisAuthToken"}},
		{"bad secret value", []func(*preview.Options){previewtest.SetSecret("ohmycoins:redisAuthToken", "has/slash/0000000000")},
			[]string{`ohmycoins:redisAuthToken contains '/'`}},
		{"missing domain", []func(*preview.Options){previewtest.Unset("ohmycoins:domain")},
			[]string{"ohmycoins:domain is not set"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			previewtest.RequireProblem(t, previewtest.Problems(t, "staging", c.opts...), c.want...)
		})
	}
}

func TestEveryUnsetRequiredSecretIsNamedWithItsCommand(t *testing.T) {
	t.Parallel()
	problems := previewtest.Problems(t, "production", previewtest.NoPlaceholders)
	for _, sec := range stacks.StackSecrets {
		if sec.Required {
			previewtest.RequireProblem(t, problems, "ohmycoins:"+sec.Key+" is not set: run "+sec.SetCommand("production"))
		}
	}
	previewtest.RequireProblem(t, problems, "ohmycoins:pagingUrl is not set: production pages through it (alerts.page); run pulumi config set --secret --stack production ohmycoins:pagingUrl 'https://events.pagerduty.com/integration/<integration key>/enqueue', or set alerts.page to false and waive ALERTS.PAGE with the reason")
	require.Len(t, problems, 5, "exactly the four required secrets and production's pager: %v", problems)
}

// TestLoadReadsTheKeysThePulumiCLIPasses covers the real-run path, where the
// config keys come from PULUMI_CONFIG rather than from the preview.
func TestLoadReadsTheKeysThePulumiCLIPasses(t *testing.T) {
	keys, err := json.Marshal(map[string]string{"ohmycoins:environment": "staging", "ohmycoins:domian": "x"})
	require.NoError(t, err)
	t.Setenv(pulumi.EnvConfig, string(keys))
	_, err = preview.Preview(preview.Options{Stack: "staging",
		Run: func(ctx *pulumi.Context) error { _, err := stacks.Load(ctx); return err },
	})
	require.ErrorContains(t, err, "ohmycoins:domian is not a setting of this program (did you mean domain?)")
}

func TestConfigKeysListsEveryArea(t *testing.T) {
	t.Parallel()
	require.Equal(t, []string{
		"accountId", "alarms", "alertEmails", "alerts", "app", "backend", "budget", "cache", "certificateArn", "cost", "cryptopanicApiKey",
		"database", "dns", "domain", "dr", "ecs", "environment", "firstSuperuserPassword", "frontend",
		"github", "loadBalancer", "logs", "namePrefix", "nansenApiKey", "network", "newscatcherApiKey",
		"openaiApiKey", "pagingUrl", "policy", "redisAuthToken", "region", "secretKey", "secrets", "sentryDsn", "services", "smtpPassword", "stateBackend", "waf",
	}, stacks.ConfigKeys())
}

func TestProblemsComeInAStableOrder(t *testing.T) {
	t.Parallel()
	bad := []func(*preview.Options){
		previewtest.Set("ohmycoins:database", `{"allocatedStorage": "x"}`),
		previewtest.Set("ohmycoins:cache", `{"nodes": "x"}`),
		previewtest.Set("ohmycoins:backend", `{"cpu": "x"}`),
	}
	first := previewtest.Problems(t, "staging", bad...)
	require.Equal(t, []string{
		`ohmycoins:backend.cpu = "x": must be a whole number`,
		`ohmycoins:cache.nodes = "x": must be a whole number`,
		`ohmycoins:database.allocatedStorage = "x": must be a whole number`,
	}, first)
	for range 5 {
		require.Equal(t, first, previewtest.Problems(t, "staging", bad...))
	}
}

// TestSecretOutputStaysSecret: resources receive stack secrets as secret outputs,
// so Pulumi encrypts them in state.
func TestSecretOutputStaysSecret(t *testing.T) {
	t.Parallel()
	var awaited internals.UnsafeAwaitOutputResult
	previewtest.Stack(t, "staging", func(o *preview.Options) {
		o.Run = func(ctx *pulumi.Context) error {
			var err error
			awaited, err = internals.UnsafeAwaitOutput(ctx.Context(), stacks.NewSecret("s3cr3t-value").Output())
			return err
		}
	})
	require.True(t, awaited.Secret)
	require.Equal(t, "s3cr3t-value", awaited.Value)
}

// TestAStackMayNotTakeALiveEnvironmentsPrefix: every physical name derives
// from the prefix, so a stack named otherwise that keeps staging's or
// production's prefix would plan the live environment's resources from a
// second state; only the stack of that name may use it.
func TestAStackMayNotTakeALiveEnvironmentsPrefix(t *testing.T) {
	t.Parallel()
	projectDir, err := preview.FindProjectDir(".")
	require.NoError(t, err)
	for _, c := range []struct{ stack, file, extra, want string }{
		{"Staging", "staging", "", `ohmycoins:namePrefix = "ohmycoins-staging": is the staging stack's: every physical name derives from it, so the stack Staging would plan staging's live resources from a second state, and each pulumi up of one would undo the other's; give it a prefix of its own (pulumi config set --stack Staging ohmycoins:namePrefix ohmycoins-<name>)`},
		{"staging2", "staging", "", `ohmycoins:namePrefix = "ohmycoins-staging": is the staging stack's`},
		{"production-drill", "production", "", `ohmycoins:namePrefix = "ohmycoins-prod": is the production stack's`},
		{"staging", "staging", "  ohmycoins:namePrefix: ohmycoins-prod\n", `ohmycoins:namePrefix = "ohmycoins-prod": is the production stack's: every physical name derives from it, so the stack staging would plan production's live resources`},
	} {
		base, err := os.ReadFile(filepath.Join(projectDir, "Pulumi."+c.file+".yaml"))
		require.NoError(t, err)
		dir := previewtest.WriteStack(t, c.stack, string(base)+c.extra)
		_, err = preview.Preview(preview.Options{Dir: dir, Stack: c.stack})
		require.Error(t, err, c.stack)
		require.Contains(t, err.Error(), c.want, c.stack)
	}
	base, err := os.ReadFile(filepath.Join(projectDir, "Pulumi.production.yaml"))
	require.NoError(t, err)
	dir := previewtest.WriteStack(t, "production-drill", string(base)+"  ohmycoins:namePrefix: ohmycoins-drill\n")
	_, err = preview.Preview(preview.Options{Dir: dir, Stack: "production-drill"})
	require.NoError(t, err, "a prefix of its own")
}

// TestOneMistakeIsOneProblem: what derives from a wrong value is not
// reported again: a wrong domain is one line (not the e-mail addresses and
// zone that derive from it), a production VPC range moved without its
// subnets is the range's two lines (not one per subnet), a secret in plain
// text is not also unset.
func TestOneMistakeIsOneProblem(t *testing.T) {
	t.Parallel()
	require.Equal(t, []string{`ohmycoins:domain = "com": must be a domain of at least two labels, such as example.com: com alone is a top-level domain`},
		previewtest.Problems(t, "staging", previewtest.Set("ohmycoins:domain", "com")))
	require.Equal(t, []string{
		`ohmycoins:network.vpcCidr = "10.9.0.0/16": holds none of the 9 subnets (publicSubnetCidrs, appSubnetCidrs, dataSubnetCidrs, such as 10.1.1.0/24): change them with it`,
		`ohmycoins:network.vpcCidr = "10.9.0.0/16": must stay "10.1.0.0/16" in the production stack: a new range replaces the VPC and every subnet, and the database and cache cannot follow their subnet groups into another VPC. To move production, build the new environment as a new stack and restore the data into it (docs/RUNBOOK.md, "Moving production")`,
	}, previewtest.Problems(t, "production", previewtest.Set("ohmycoins:network", `{"vpcCidr": "10.9.0.0/16"}`)))
	require.Equal(t, []string{`ohmycoins:redisAuthToken is stored in plain text in Pulumi.staging.yaml: remove it and run pulumi config set --secret --stack staging ohmycoins:redisAuthToken "$(openssl rand -hex 32)"`},
		previewtest.Problems(t, "staging", previewtest.Set("ohmycoins:redisAuthToken", "plain-text-token-0000")))
	require.Equal(t, []string{`ohmycoins:namePrefix = "ohmycoins-prod": is the production stack's: every physical name derives from it, so the stack staging would plan production's live resources from a second state, and each pulumi up of one would undo the other's; give it a prefix of its own (pulumi config set --stack staging ohmycoins:namePrefix ohmycoins-<name>)`},
		previewtest.Problems(t, "staging", previewtest.Set("ohmycoins:namePrefix", "ohmycoins-prod")), "not also the overlap of the CI roles' scopes")
}
