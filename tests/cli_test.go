package tests

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ohmycoins/infra/internal/preview"
	"github.com/ohmycoins/infra/internal/previewcli"
)

// runCLI runs the offline preview command in-process.
func runCLI(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = previewcli.Main(append([]string{"-dir", projectDir}, args...), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestCLIPrintsATreeWithASummary(t *testing.T) {
	t.Parallel()
	code, stdout, stderr := runCLI("-stack", "staging")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stdout, " +   pulumi:pulumi:Stack ")
	require.Regexp(t, `\n \+   ├─ ohmycoins:network:Network +ohmycoins-staging +create\n`, stdout)
	require.Regexp(t, `\n \+   │  ├─ aws:ec2/vpc:Vpc +ohmycoins-staging-vpc +create\n`, stdout)
	require.Regexp(t, `\n \+   └─ pulumi:providers:aws +ohmycoins-staging-aws +create\n`, stdout)
	require.Regexp(t, `\n    vpc_id +: "vpc-[0-9a-f]{17}"\n`, stdout)
	plan := previewStack(t, "staging").Plan
	require.True(t, strings.HasSuffix(stdout, fmt.Sprintf("Resources:\n    + %d to create\n", len(plan.Resources))), stdout)
	require.Contains(t, stderr, "warning: secrets cannot be read offline; the preview used placeholders for ohmycoins:firstSuperuserPassword (unset), ")
}

func TestCLIPrintsTheJSONPlan(t *testing.T) {
	for _, stack := range allStacks {
		t.Run(stack, func(t *testing.T) {
			t.Parallel()
			code, stdout, stderr := runCLI("-stack", stack, "-json")
			require.Equal(t, 0, code, stderr)
			plan, err := preview.ReadPlan([]byte(stdout))
			require.NoError(t, err)
			require.Equal(t, stack, plan.Stack)
			require.Len(t, plan.OfType("pulumi:providers:aws"), 1)
			provider := plan.OfType("pulumi:providers:aws")[0]
			tags := provider.Inputs["defaultTags"].(map[string]any)["tags"].(map[string]any)
			require.Equal(t, "Pulumi", tags["ManagedBy"])
			require.Equal(t, "Oh My Coins", tags["Project"])
			require.Equal(t, stack, tags["Environment"])
			require.True(t, json.Valid([]byte(stdout)))
		})
	}
}

func TestCLIRefusesAnUnknownStack(t *testing.T) {
	t.Parallel()
	code, stdout, stderr := runCLI("-stack", "qa")
	require.Equal(t, 1, code)
	require.Empty(t, stdout)
	require.Equal(t, "unknown stack \"qa\": there is no Pulumi.qa.yaml (stacks: production, staging)\n", stderr)
}

// TestCLIPrintsOnlyTheValidationMessage: invalid settings exit 1 with the
// validation message and nothing else (no placeholder warning, no plan).
func TestCLIPrintsOnlyTheValidationMessage(t *testing.T) {
	t.Parallel()
	dir := projectCopy(t, "staging", "  ohmycoins:database:\n    maxAllocatedStorage: 20\n  ohmycoins:secrets:\n    recoveryWindowDays: 3\n")
	var out, errOut bytes.Buffer
	code := previewcli.Main([]string{"-dir", dir, "-stack", "staging", "-json"}, &out, &errOut)
	require.Equal(t, 1, code)
	require.Empty(t, out.String())
	require.Equal(t, `invalid settings for stack "staging" (2):
  ohmycoins:database.maxAllocatedStorage = 20: must be greater than allocatedStorage = 20 (RDS rejects equal values, and storage autoscaling needs room: defect F2)
  ohmycoins:secrets.recoveryWindowDays = 3: must be 0 (delete at once) or 7-30 days, the values Secrets Manager accepts (defect B5)
`, errOut.String())
}

func TestCLIDiffAgainstTheGoldenPlan(t *testing.T) {
	t.Parallel()
	golden := filepath.Join("testdata", "production.json")
	code, stdout, stderr := runCLI("-stack", "production", "-diff", golden)
	require.Equal(t, 0, code, stderr)
	data, err := os.ReadFile(golden)
	require.NoError(t, err)
	plan, err := preview.ReadPlan(data)
	require.NoError(t, err)
	require.Equal(t, fmt.Sprintf("Infrastructure changes for stack production:\nNo changes.\nResources: 0 added, 0 removed, 0 changed, %d unchanged\n", len(plan.Resources)), stdout)
}

func TestCLIDiffShowsChangesWithExitCodeZero(t *testing.T) {
	t.Parallel()
	golden, err := os.ReadFile(filepath.Join("testdata", "staging.json"))
	require.NoError(t, err)
	old, err := preview.ReadPlan(golden)
	require.NoError(t, err)
	for i := range old.Resources {
		if old.Resources[i].Type == "pulumi:providers:aws" {
			old.Resources[i].Inputs["region"] = "us-east-1"
			old.Resources[i].Protect = true
		}
	}
	old.Outputs["retired_output"] = "x"
	data, err := old.JSON()
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "old.json")
	require.NoError(t, os.WriteFile(path, data, 0o644))

	code, stdout, stderr := runCLI("-stack", "staging", "-diff", path)
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stdout, "~ pulumi:providers:aws  ohmycoins-staging-aws  (inputs: region; options: protect)\n")
	require.Contains(t, stdout, "Stack outputs: -retired_output\n")
	require.Contains(t, stdout, fmt.Sprintf("Resources: 0 added, 0 removed, 1 changed, %d unchanged\n", len(old.Resources)-1))
}

func TestCLIPrintsAMermaidDiagram(t *testing.T) {
	t.Parallel()
	code, stdout, stderr := runCLI("-stack", "production", "-mermaid")
	require.Equal(t, 0, code, stderr)
	require.True(t, strings.HasPrefix(stdout, "flowchart LR\n"), stdout)

	// Read the nodes back by their label, then the edges by label.
	node := regexp.MustCompile(`^  (n[0-9]+)\(?\["([^<]+)<br/>`)
	edge := regexp.MustCompile(`^  (n[0-9]+) --> (n[0-9]+)$`)
	labels := map[string]string{}
	var edges []string
	for _, line := range strings.Split(stdout, "\n") {
		if m := node.FindStringSubmatch(line); m != nil {
			labels[m[1]] = m[2]
		} else if m := edge.FindStringSubmatch(line); m != nil {
			edges = append(edges, labels[m[1]]+" --> "+labels[m[2]])
		}
	}
	require.ElementsMatch(t, []string{"encryption", "network", "rds", "redis", "secrets", "alb", "images", "ecs", "monitoring", "dns/Aliases", "dns/Certificate", "cicd", "ohmycoins-prod-aws"}, mapValues(labels))
	for _, e := range []string{
		"network --> encryption", // the flow-log group is encrypted with the key
		"rds --> network", "rds --> encryption",
		"redis --> network", "redis --> encryption",
		"secrets --> encryption",
		"alb --> network",
		"images --> encryption",
		"ecs --> alb", "ecs --> network", "ecs --> rds", "ecs --> redis", "ecs --> secrets",
		"monitoring --> encryption", "monitoring --> alb", "monitoring --> rds", "monitoring --> redis",
		"alb --> dns/Certificate", "dns/Aliases --> alb",
	} {
		require.Contains(t, edges, e)
	}
}

func mapValues(m map[string]string) []string {
	var out []string
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

func TestCLIUsageErrors(t *testing.T) {
	t.Parallel()
	code, _, stderr := runCLI()
	require.Equal(t, 2, code)
	require.Contains(t, stderr, "usage: preview [-program main|bootstrap] -stack NAME")
	code, _, stderr = runCLI("-stack", "staging", "-json", "-mermaid")
	require.Equal(t, 2, code)
	require.Contains(t, stderr, "exclude each other")
}
