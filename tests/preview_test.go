package tests

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/require"

	"github.com/ohmycoins/infra/internal/preview"
	"github.com/ohmycoins/infra/internal/preview/previewtest"
	"github.com/ohmycoins/infra/internal/previewcli"
	"github.com/ohmycoins/infra/internal/stackplan"
)

var update = flag.Bool("update", false, "rewrite the golden plans in tests/testdata")

var allStacks = []string{"staging", "production"}

// TestGoldenPlans compares each stack's JSON plan with tests/testdata/<stack>.json,
// so every infrastructure change is a reviewable diff in the pull request.
// `go test ./tests -update` rewrites them.
func TestGoldenPlans(t *testing.T) {
	for _, c := range []struct{ program, stack, file string }{
		{"main", "staging", "staging.json"},
		{"main", "production", "production.json"},
		{"bootstrap", "state", "bootstrap-state.json"},
	} {
		stack := c.stack
		t.Run(c.file, func(t *testing.T) {
			t.Parallel()
			result, err := preview.Preview(preview.Options{Dir: projectDir, Stack: c.stack, Program: previewcli.Programs[c.program]})
			require.NoError(t, err)
			got, err := result.Plan.JSON()
			require.NoError(t, err)
			path := filepath.Join("testdata", c.file)
			if *update {
				require.NoError(t, os.WriteFile(path, got, 0o644))
			}
			want, err := os.ReadFile(path)
			require.NoError(t, err, "no golden plan: run go test ./tests -update")
			if !bytes.Equal(want, got) {
				old, err := stackplan.ReadPlan(want)
				require.NoError(t, err)
				var diff strings.Builder
				current, err := stackplan.ReadPlan(got)
				require.NoError(t, err)
				stackplan.Diff(old, current).Write(&diff)
				t.Fatalf("the %s plan differs from %s; review and run go test ./tests -update\n%s", stack, path, diff.String())
			}
		})
	}
}

func TestPreviewIsDeterministic(t *testing.T) {
	for _, stack := range allStacks {
		t.Run(stack, func(t *testing.T) {
			t.Parallel()
			first, err := previewtest.Stack(t, stack).Plan.JSON()
			require.NoError(t, err)
			for range 3 {
				again, err := previewtest.Stack(t, stack).Plan.JSON()
				require.NoError(t, err)
				require.Equal(t, string(first), string(again))
			}
		})
	}
}

// TestPlanFollowsTheJSONContract checks the shape other tools rely on
// (docs/ARCHITECTURE.md): every field present, resources sorted by URN, every parent
// and dependency a resource of the plan.
func TestPlanFollowsTheJSONContract(t *testing.T) {
	for _, stack := range allStacks {
		t.Run(stack, func(t *testing.T) {
			t.Parallel()
			data, err := previewtest.Stack(t, stack).Plan.JSON()
			require.NoError(t, err)
			var plan struct {
				Project   string                       `json:"project"`
				Stack     string                       `json:"stack"`
				Resources []map[string]json.RawMessage `json:"resources"`
				Outputs   map[string]any               `json:"outputs"`
			}
			require.NoError(t, json.Unmarshal(data, &plan))
			require.Equal(t, "ohmycoins", plan.Project)
			require.Equal(t, stack, plan.Stack)
			require.NotEmpty(t, plan.Resources)

			urns := map[string]bool{}
			var order []string
			for _, r := range plan.Resources {
				keys := make([]string, 0, len(r))
				for k := range r {
					keys = append(keys, k)
				}
				sort.Strings(keys)
				require.Equal(t, []string{"custom", "deleteBeforeReplace", "dependencies", "ignoreChanges", "import", "inputs",
					"name", "outputs", "parent", "propertyDependencies", "protect", "provider", "retainOnDelete",
					"secretDigests", "type", "urn"}, keys)
				var urn string
				require.NoError(t, json.Unmarshal(r["urn"], &urn))
				urns[urn] = true
				order = append(order, urn)
			}
			require.True(t, sort.StringsAreSorted(order), "resources are sorted by URN")

			p, err := stackplan.ReadPlan(data)
			require.NoError(t, err)
			for _, r := range p.Resources {
				if r.Type != stackplan.RootType {
					require.True(t, urns[r.Parent], "%s: parent %s is in the plan", r.URN, r.Parent)
				}
				for _, d := range r.Dependencies {
					require.True(t, urns[d], "%s: dependency %s is in the plan", r.URN, d)
				}
				for key, deps := range r.PropertyDependencies {
					require.Contains(t, r.Inputs, key, "%s: property dependencies are of inputs", r.URN)
					for _, d := range deps {
						require.Contains(t, r.Dependencies, d, "%s: %s's dependency %s is among the resource's", r.URN, key, d)
					}
				}
				if r.Custom && !strings.HasPrefix(r.Type, "pulumi:providers:") {
					require.True(t, urns[r.ProviderURN], "%s: its provider %q is in the plan", r.URN, r.ProviderURN)
				}
				for key, digest := range r.SecretDigests {
					require.Equal(t, stackplan.Secret, r.Inputs[key], "%s: only secret inputs have digests", r.URN)
					require.Regexp(t, `^sha256:[0-9a-f]{16}$`, digest)
				}
			}
			require.Equal(t, "urn:pulumi:"+stack+"::ohmycoins::pulumi:pulumi:Stack::ohmycoins-"+stack, p.Root().URN)
		})
	}
}

// TestProviderCarriesRegionAndDefaultTags: every taggable resource gets the
// three tags through the explicit provider.
func TestProviderCarriesRegionAndDefaultTags(t *testing.T) {
	for _, c := range []struct{ stack, prefix, environment string }{
		{"staging", "ohmycoins-staging", "staging"},
		{"production", "ohmycoins-prod", "production"},
	} {
		t.Run(c.stack, func(t *testing.T) {
			t.Parallel()
			plan := previewtest.Stack(t, c.stack).Plan
			provider, ok := plan.Named("pulumi:providers:aws", c.prefix+"-aws")
			require.True(t, ok, "the explicit provider %s-aws", c.prefix)
			require.Equal(t, "ap-southeast-2", provider.Inputs["region"])
			require.Equal(t, map[string]any{"tags": map[string]any{
				"Project": "Oh My Coins", "Environment": c.environment, "ManagedBy": "Pulumi",
			}}, provider.Inputs["defaultTags"])
			require.Equal(t, plan.Root().URN, provider.Parent)
		})
	}
}

// TestEveryAWSResourceUsesTheExplicitProvider: a resource that forgot its
// provider option would get a default provider, with the ambient region and no tags.
func TestEveryAWSResourceUsesTheExplicitProvider(t *testing.T) {
	for _, stack := range allStacks {
		t.Run(stack, func(t *testing.T) {
			t.Parallel()
			result := previewtest.Stack(t, stack)
			plan, s := result.Plan, result.Settings
			providers := plan.OfType("pulumi:providers:aws")
			own := previewtest.Named(t, plan, "pulumi:providers:aws", s.NamePrefix+"-aws")
			refs := map[string]bool{own.URN + "::" + own.ID: true}
			if s.DR.On() {
				// The backup region's, for the replicated backups and their key only.
				dr := previewtest.Named(t, plan, "pulumi:providers:aws", s.NamePrefix+"-aws-dr")
				require.Equal(t, s.DR.Region, dr.Inputs["region"])
				require.Equal(t, own.Inputs["defaultTags"], dr.Inputs["defaultTags"])
				require.Equal(t, own.Inputs["allowedAccountIds"], dr.Inputs["allowedAccountIds"])
				refs[dr.URN+"::"+dr.ID] = true
				var there []string
				for _, r := range plan.Resources {
					if r.Provider == dr.URN+"::"+dr.ID {
						there = append(there, r.Name)
					}
				}
				require.ElementsMatch(t, []string{s.NamePrefix + "-dr-key", s.NamePrefix + "-dr-key-alias", s.NamePrefix + "-postgres-dr"}, there)
			}
			require.Len(t, providers, len(refs), "the explicit providers only, no default_* provider")
			for _, r := range plan.Resources {
				if r.Custom && strings.HasPrefix(r.Type, "aws:") {
					require.True(t, refs[r.Provider], "%s uses an explicit provider", r.URN)
				}
			}
		})
	}
}

// TestStackOutputsCarryTheResourcesValues: each output the runbook reads is the
// value of the resource it names (the full set is checked once every tier exists).
func TestStackOutputsCarryTheResourcesValues(t *testing.T) {
	t.Parallel()
	plan := previewtest.Stack(t, "production").Plan
	db := previewtest.Named(t, plan, "aws:rds/instance:Instance", "ohmycoins-prod-postgres")
	secret := previewtest.Named(t, plan, "aws:secretsmanager/secret:Secret", "ohmycoins-prod-app-secrets")
	want := map[string]any{
		"vpc_id":               previewtest.Named(t, plan, "aws:ec2/vpc:Vpc", "ohmycoins-prod-vpc").ID,
		"kms_key_arn":          previewtest.Named(t, plan, "aws:kms/key:Key", "ohmycoins-prod-key").Outputs["arn"],
		"db_instance_address":  db.Outputs["address"],
		"db_endpoint":          db.Outputs["endpoint"],
		"db_master_secret_arn": db.Outputs["masterUserSecrets"].([]any)[0].(map[string]any)["secretArn"],
		"app_secrets_arn":      secret.Outputs["arn"],
		"secret_arn":           secret.Outputs["arn"],
	}
	for name, value := range want {
		require.Equal(t, value, plan.Outputs[name], name)
	}
	require.True(t, strings.HasSuffix(plan.Outputs["db_endpoint"].(string), ":5432"))
}

// TestSecretsAppearOnlyMasked runs a program with a secret resource input and a
// secret stack output: neither value may reach the plan.
func TestSecretsAppearOnlyMasked(t *testing.T) {
	t.Parallel()
	const value = "do-not-print-me-0123456789"
	result, err := preview.Preview(preview.Options{Dir: projectDir, Stack: "staging",
		Run: func(ctx *pulumi.Context) error {
			_, err := aws.NewProvider(ctx, "with-secret", &aws.ProviderArgs{
				Region:    pulumi.String("ap-southeast-2"),
				AccessKey: pulumi.ToSecret(pulumi.String(value)).(pulumi.StringOutput),
			})
			ctx.Export("token", pulumi.ToSecret(pulumi.String(value)))
			return err
		},
	})
	require.NoError(t, err)
	data, err := result.Plan.JSON()
	require.NoError(t, err)
	require.NotContains(t, string(data), value)
	provider, ok := result.Plan.Named("pulumi:providers:aws", "with-secret")
	require.True(t, ok)
	require.Equal(t, stackplan.Secret, provider.Inputs["accessKey"])
	require.Equal(t, stackplan.Secret, result.Plan.Outputs["token"])
}

func TestPreviewListsThePlaceholdersItUsed(t *testing.T) {
	t.Parallel()
	result := previewtest.Stack(t, "staging", previewtest.SetSecret("ohmycoins:openaiApiKey", "sk-real"))
	require.Equal(t, []string{
		"ohmycoins:firstSuperuserPassword (unset)",
		"ohmycoins:redisAuthToken (unset)",
		"ohmycoins:secretKey (unset)",
	}, result.Placeholders)
}

func TestEncryptedStackValuesBecomePlaceholders(t *testing.T) {
	t.Parallel()
	dir := previewtest.ProjectCopy(t, "staging", "  ohmycoins:secretKey:\n    secure: v1:AAAABBBBCCCC\n")
	result, err := preview.Preview(preview.Options{Dir: dir, Stack: "staging"})
	require.NoError(t, err)
	require.Contains(t, result.Placeholders, "ohmycoins:secretKey (encrypted)")
	require.NotContains(t, result.Placeholders, "ohmycoins:secretKey (unset)")
}

// TestArchitectureDiagramIsCurrent: docs/ARCHITECTURE.md shows the diagram the
// program produces today; `go test ./tests -update` rewrites it.
func TestArchitectureDiagramIsCurrent(t *testing.T) {
	t.Parallel()
	var diagram strings.Builder
	previewtest.Stack(t, "production").Plan.WriteMermaid(&diagram)
	path := filepath.Join(projectDir, "docs/ARCHITECTURE.md")
	doc, err := os.ReadFile(path)
	require.NoError(t, err)
	const open, close = "```mermaid\n", "```\n"
	start := strings.Index(string(doc), open)
	require.GreaterOrEqual(t, start, 0, "docs/ARCHITECTURE.md has a mermaid block")
	start += len(open)
	end := start + strings.Index(string(doc[start:]), close)
	if *update {
		updated := string(doc[:start]) + diagram.String() + string(doc[end:])
		require.NoError(t, os.WriteFile(path, []byte(updated), 0o644))
		return
	}
	require.Equal(t, diagram.String(), string(doc[start:end]), "docs/ARCHITECTURE.md is out of date: run go test ./tests -update")
}

func TestCLIDiffAgainstTheGoldenPlan(t *testing.T) {
	t.Parallel()
	golden := filepath.Join("testdata", "production.json")
	code, stdout, stderr := previewtest.CLI("diff", "-stack", "production", golden)
	require.Equal(t, 0, code, stderr)
	data, err := os.ReadFile(golden)
	require.NoError(t, err)
	plan, err := stackplan.ReadPlan(data)
	require.NoError(t, err)
	require.Equal(t, fmt.Sprintf("Changes to stack production, offline (replacement rules of pulumi-aws v6.83.4):\n\nNo changes. %d resources unchanged.\n", len(plan.Resources)), stdout)
}
