package previewcli_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ohmycoins/infra/internal/migratecli"
	"github.com/ohmycoins/infra/internal/preview/previewtest"
	"github.com/ohmycoins/infra/internal/previewcli"
	"github.com/ohmycoins/infra/internal/stackplan"
)

func TestCLIPrintsATreeWithASummary(t *testing.T) {
	t.Parallel()
	code, stdout, stderr := previewtest.CLI("plan", "-stack", "staging")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stdout, " +   pulumi:pulumi:Stack ")
	require.Regexp(t, `\n \+   ├─ ohmycoins:network:Network +ohmycoins-staging +create\n`, stdout)
	require.Regexp(t, `\n \+   │  ├─ aws:ec2/vpc:Vpc +ohmycoins-staging-vpc +create\n`, stdout)
	require.Regexp(t, `\n \+   └─ pulumi:providers:aws +ohmycoins-staging-aws +create\n`, stdout)
	require.Regexp(t, `\n    vpc_id +: "vpc-[0-9a-f]{17}"\n`, stdout)
	plan := previewtest.Stack(t, "staging").Plan
	require.True(t, strings.HasSuffix(stdout, fmt.Sprintf("Resources:\n    + %d to create\n", len(plan.Resources))), stdout)
	require.Contains(t, stderr, "warning: secrets cannot be read offline; the preview used placeholders for ohmycoins:firstSuperuserPassword (unset), ")
}

func TestCLIPrintsTheJSONPlan(t *testing.T) {
	for _, stack := range []string{"staging", "production"} {
		t.Run(stack, func(t *testing.T) {
			t.Parallel()
			code, stdout, stderr := previewtest.CLI("plan", "-stack", stack, "-json")
			require.Equal(t, 0, code, stderr)
			plan, err := stackplan.ReadPlan([]byte(stdout))
			require.NoError(t, err)
			require.Equal(t, stack, plan.Stack)
			require.Len(t, plan.OfType("pulumi:providers:aws"), map[string]int{"staging": 1, "production": 2}[stack], "production's second replicates its backups")
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
	code, stdout, stderr := previewtest.CLI("plan", "-stack", "qa")
	require.Equal(t, 1, code)
	require.Empty(t, stdout)
	require.Equal(t, "unknown stack \"qa\": there is no Pulumi.qa.yaml (stacks: production, staging)\n", stderr)

	code, stdout, stderr = previewtest.CLI("check-init", "-stack", "qa")
	require.Equal(t, 1, code, "the same exit code as every other command for a stack it cannot read")
	require.Empty(t, stdout)
	require.Equal(t, "preview: unknown stack \"qa\": there is no Pulumi.qa.yaml (stacks: production, staging)\n", stderr)
	code, _, _ = previewtest.CLI("check-init", "-stack", "../etc")
	require.Equal(t, 2, code, "a name that is not a stack name is usage, as for every command")
}

// TestCLIPrintsOnlyTheValidationMessage: invalid settings exit 1 with the
// validation message and nothing else (no placeholder warning, no plan).
func TestCLIPrintsOnlyTheValidationMessage(t *testing.T) {
	t.Parallel()
	dir := previewtest.ProjectCopy(t, "staging", "  ohmycoins:database:\n    maxAllocatedStorage: 20\n  ohmycoins:secrets:\n    recoveryWindowDays: 3\n")
	var out, errOut bytes.Buffer
	code := previewcli.Main([]string{"plan", "-dir", dir, "-stack", "staging", "-json"}, &out, &errOut)
	require.Equal(t, 1, code)
	require.Empty(t, out.String())
	require.Equal(t, `invalid settings for stack "staging" (2):
  ohmycoins:database.maxAllocatedStorage = 20: must be greater than allocatedStorage = 20 (RDS rejects equal values, and storage autoscaling needs room: defect F2)
  ohmycoins:secrets.recoveryWindowDays = 3: must be 0 (delete at once) or 7-30 days, the values Secrets Manager accepts (defect B5)
`, errOut.String())
}

// oldPlanWith writes the plan of a stack, changed by f, as an old plan.
func oldPlanWith(t testing.TB, stack string, f func(r *stackplan.Resource)) string {
	t.Helper()
	old := previewtest.Stack(t, stack).Plan
	for i := range old.Resources {
		f(&old.Resources[i])
	}
	data, err := old.JSON()
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "old.json")
	require.NoError(t, os.WriteFile(path, data, 0o644))
	return path
}

// TestCLIDiffCheckFailsWhenTheProductionDatabaseWouldBeReplaced: deployed with
// another database name, the production instance would be replaced; it is
// protected, so pulumi up would fail, and -diff -check exits 1 saying so.
func TestCLIDiffCheckFailsWhenTheProductionDatabaseWouldBeReplaced(t *testing.T) {
	t.Parallel()
	path := oldPlanWith(t, "production", func(r *stackplan.Resource) {
		if r.Type == typeDBInstance {
			r.Inputs["dbName"] = "legacy"
		}
	})
	code, stdout, stderr := previewtest.CLI("diff", "-stack", "production", "-check", path)
	require.Equal(t, 1, code, stderr)
	require.Contains(t, stdout, "\n+- replace  aws:rds/instance:Instance  ohmycoins-prod-postgres\n     because dbName changes\n     dbName: \"legacy\" → \"app\"\n")
	require.Contains(t, stdout, "     note: holds the database: the replacement starts empty\n")
	require.Contains(t, stdout, "  !  pulumi up would fail: protected: pulumi up refuses to replace it;")
	require.NotContains(t, stdout, "ohmycoins-prod-postgres-dr",
		"the replication names its source by identifier: a replaced instance keeps it")
	require.Contains(t, stderr, "preview: pulumi up would fail on 1 change(s) of stack production\n")

	code, stdout, stderr = previewtest.CLI("diff", "-stack", "production", "-json", "-check", path)
	require.Equal(t, 1, code, stderr)
	var d stackplan.PlanDiff
	require.NoError(t, json.Unmarshal([]byte(stdout), &d))
	require.Equal(t, "production", d.Stack)
	db, ok := d.Find(typeDBInstance, "ohmycoins-prod-postgres")
	require.True(t, ok)
	require.Equal(t, stackplan.OpReplace, db.Op)
	require.Equal(t, []string{"dbName"}, db.ReplaceBecause)
	require.Equal(t, stackplan.ValueChange{Old: "legacy", New: "app"}, db.Inputs["dbName"])
	require.Len(t, db.Blocked, 2, "protected, and its identifier is still taken")
	require.Len(t, d.Blocked(), 1, "the database only: the replication of its backups stays")
	// A new instance has a new master secret: what reads its ARN changes too.
	task, ok := d.Find(typeTaskDef, "ohmycoins-prod-backend")
	require.True(t, ok)
	require.Equal(t, stackplan.OpReplace, task.Op)
	require.Equal(t, stackplan.Unknown, task.Inputs["containerDefinitions"].New)

	code, _, stderr = previewtest.CLI("diff", "-stack", "production", path)
	require.Equal(t, 0, code, "without -check the diff only reports: %s", stderr)
}

func TestCLIDiffShowsAnUpdateWithExitCodeZero(t *testing.T) {
	t.Parallel()
	path := oldPlanWith(t, "staging", func(r *stackplan.Resource) {
		if r.Type == typeDBInstance {
			r.Inputs["instanceClass"] = "db.t3.medium"
		}
	})
	code, stdout, stderr := previewtest.CLI("diff", "-stack", "staging", "-check", path)
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stdout, "\n~  update  aws:rds/instance:Instance  ohmycoins-staging-postgres\n     instanceClass: \"db.t3.medium\" → \"db.t3.micro\"\n")
	require.Contains(t, stdout, "Resources: 0 to create, 1 to update, 0 to replace, 0 to delete,")
}

func TestCLIDiffRefusesAnOldPlanOfAnotherStack(t *testing.T) {
	t.Parallel()
	empty := filepath.Join(t.TempDir(), "empty.json")
	require.NoError(t, os.WriteFile(empty, []byte("{}"), 0o644))
	for _, c := range []struct{ file, want string }{
		{oldPlanWith(t, "production", func(*stackplan.Resource) {}), `is the plan of stack "production": -diff compares two plans of stack "staging"`},
		{empty, "is not a plan: it lacks project, stack or resources"},
		{filepath.Join(t.TempDir(), "missing.json"), "no such file or directory"},
	} {
		code, stdout, stderr := previewtest.CLI("diff", "-stack", "staging", c.file)
		require.Equal(t, 2, code, stderr)
		require.Empty(t, stdout)
		require.Contains(t, stderr, "preview: -diff "+c.file)
		require.Contains(t, stderr, c.want)
	}
}

func TestCLIPrintsAMermaidDiagram(t *testing.T) {
	t.Parallel()
	code, stdout, stderr := previewtest.CLI("mermaid", "-stack", "production")
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
	require.ElementsMatch(t, []string{"encryption", "network", "rds", "redis", "secrets", "alb", "images", "ecs", "monitoring", "waf", "backup", "dns/Aliases", "dns/Certificate", "cicd/GitHubCI", "cicd/Boundary", "ohmycoins-prod-aws", "ohmycoins-prod-aws-dr"}, mapValues(labels))
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
		// Every role is created under the environment's boundary.
		"network --> cicd/Boundary", "rds --> cicd/Boundary", "ecs --> cicd/Boundary",
		"cicd/GitHubCI --> network",
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
	var out, errOut bytes.Buffer
	code := previewcli.Main(nil, &out, &errOut)
	stderr := errOut.String()
	require.Equal(t, 2, code)
	require.Contains(t, stderr, "usage: preview <command> -stack NAME [flags]")
	for _, name := range []string{"plan", "diff", "cost", "check", "check-init", "mermaid"} {
		require.Contains(t, stderr, "\n  "+name+" ", "the usage names every command")
	}
	code, _, stderr = previewtest.CLI("mermaid", "-stack", "staging", "-json")
	require.Equal(t, 2, code)
	require.Contains(t, stderr, "flag provided but not defined: -json")
	code, _, stderr = previewtest.CLI("plan")
	require.Equal(t, 2, code)
	require.Contains(t, stderr, "preview: -stack is required")
	code, _, stderr = previewtest.CLI("nope", "-stack", "staging")
	require.Equal(t, 2, code)
	require.Contains(t, stderr, `preview: "nope" is not a command (plan, diff, cost, check, backend, check-init, alerts, mermaid)`)
	code, _, stderr = previewtest.CLI("check", "-stack", "staging", "extra")
	require.Equal(t, 2, code)
	require.Contains(t, stderr, `preview check: "extra": the command takes no arguments besides its flags`)
	code, _, stderr = previewtest.CLI("diff", "-stack", "staging")
	require.Equal(t, 2, code)
	require.Contains(t, stderr, "usage: preview diff -stack NAME [-json] [-check] OLD.json")
}

// TestTheEarlierFlagsStillWorkAndNameTheirCommand: the one-command form of
// the last release gives the same output, with a note of the command that
// replaces it, and still refuses modes together.
func TestTheEarlierFlagsStillWorkAndNameTheirCommand(t *testing.T) {
	t.Parallel()
	for legacy, command := range map[string][]string{
		"-stack staging -cost -json":            {"cost", "-stack", "staging", "-json"},
		"-stack production -check":              {"check", "-stack", "production"},
		"-stack staging":                        {"plan", "-stack", "staging"},
		"-stack staging -json":                  {"plan", "-stack", "staging", "-json"},
		"-stack staging -mermaid":               {"mermaid", "-stack", "staging"},
		"-stack staging -check-init":            {"check-init", "-stack", "staging"},
		"-program bootstrap -stack state -json": {"plan", "-program", "bootstrap", "-stack", "state", "-json"},
	} {
		oldCode, oldOut, oldErr := previewtest.CLI(strings.Fields(legacy)...)
		newCode, newOut, newErr := previewtest.CLI(command...)
		require.Equal(t, newCode, oldCode, legacy)
		require.Equal(t, newOut, oldOut, legacy)
		require.Equal(t, "note: this form of preview works for one more release; the command is now: preview "+strings.Join(command, " ")+"\n"+newErr, oldErr, legacy)
	}
	code, _, stderr := previewtest.CLI("-stack", "staging", "-json", "-mermaid")
	require.Equal(t, 2, code)
	require.Contains(t, stderr, "exclude each other")
}

// TestCheckInitSaysWhatInitialisesAStackFile: the committed stack files have
// no encryptedkey and no secrets yet; -check-init says so with the commands
// (the workflows run it before pulumi), and passes a file that has both.
func TestCheckInitSaysWhatInitialisesAStackFile(t *testing.T) {
	t.Parallel()
	code, _, stderr := previewtest.CLI("check-init", "-stack", "production")
	require.Equal(t, 1, code)
	require.Contains(t, stderr, `Pulumi.production.yaml is not initialised for the Pulumi CLI: it has no encryptedkey and the required secrets ohmycoins:secretKey, ohmycoins:firstSuperuserPassword, ohmycoins:openaiApiKey, ohmycoins:redisAuthToken, ohmycoins:pagingUrl are unset. Run once, with an administrator's AWS credentials, and commit the file (docs/RUNBOOK.md, "Initialising a stack"):`)
	for _, command := range []string{
		"pulumi stack init production --secrets-provider 'awskms://alias/ohmycoins-pulumi-production?region=ap-southeast-2'",
		"  # or, where the stack exists in the backend already: pulumi stack change-secrets-provider --stack production 'awskms://alias/ohmycoins-pulumi-production?region=ap-southeast-2'",
		`pulumi config set --secret --stack production ohmycoins:secretKey "$(openssl rand -hex 32)"`,
		`pulumi config set --secret --stack production ohmycoins:redisAuthToken "$(openssl rand -hex 32)"`,
		"git add Pulumi.production.yaml && git commit -m 'Initialise the production stack: its data key and secrets'",
	} {
		require.Contains(t, stderr, "\n    "+command, "the exact command")
	}
	require.NotContains(t, stderr, "ohmycoins:sentryDsn", "optional secrets are not asked for")

	_, _, previewErr := previewtest.CLI("plan", "-stack", "production")
	require.Contains(t, previewErr, "warning: Pulumi.production.yaml is not initialised for the Pulumi CLI", "the offline preview says so too")

	dir := previewtest.ProjectCopy(t, "production", "  ohmycoins:secretKey:\n    secure: v1:AAECAwQFBgcICQoL:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n  ohmycoins:firstSuperuserPassword:\n    secure: v1:AAECAwQFBgcICQoL:AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEB\n"+
		"  ohmycoins:openaiApiKey:\n    secure: v1:AAECAwQFBgcICQoL:AgICAgICAgICAgICAgICAgICAgICAgIC\nencryptedkey: AQICAAABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4fICEiIyQlJic=\n")
	var out, errOut bytes.Buffer
	require.Equal(t, 1, previewcli.Main([]string{"check-init", "-dir", dir, "-stack", "production"}, &out, &errOut), "redisAuthToken is still unset")
	require.Contains(t, errOut.String(), "the required secrets ohmycoins:redisAuthToken, ohmycoins:pagingUrl are unset")
	require.NotContains(t, errOut.String(), "stack init", "the data key is there")

	data, err := os.ReadFile(filepath.Join(dir, "Pulumi.production.yaml"))
	require.NoError(t, err)
	data = []byte(strings.Replace(string(data), "encryptedkey:", "  ohmycoins:redisAuthToken:\n    secure: v1:AAECAwQFBgcICQoL:AwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMD\n  ohmycoins:pagingUrl:\n    secure: v1:AAECAwQFBgcICQoL:BAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE\nencryptedkey:", 1))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "Pulumi.production.yaml"), data, 0o644))
	out.Reset()
	errOut.Reset()
	require.Equal(t, 0, previewcli.Main([]string{"check-init", "-dir", dir, "-stack", "production"}, &out, &errOut), errOut.String())
	require.Equal(t, "Pulumi.production.yaml is initialised: awskms://alias/ohmycoins-pulumi-production?region=ap-southeast-2, with its encrypted data key and every required secret\n", out.String())
}

// TestCheckInitRefusesWhatTheCLICannotDecrypt: a data key or a secure value
// that is not what the Pulumi CLI writes would fail every run; -check-init
// names it and says what replaces it.
func TestCheckInitRefusesWhatTheCLICannotDecrypt(t *testing.T) {
	t.Parallel()
	secrets := "  ohmycoins:secretKey:\n    secure: v1:AAECAwQFBgcICQoL:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n  ohmycoins:firstSuperuserPassword:\n    secure: v1:AAECAwQFBgcICQoL:AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEB\n" +
		"  ohmycoins:openaiApiKey:\n    secure: v1:AAECAwQFBgcICQoL:AgICAgICAgICAgICAgICAgICAgICAgIC\n  ohmycoins:redisAuthToken:\n    secure: v1:AAECAwQFBgcICQoL:AwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMD\n"
	for _, c := range []struct{ name, add, want, command string }{
		{"a data key that is not base64", secrets + "encryptedkey: '!!!notbase64'\n",
			`its encryptedkey "!!!notbase64" is not a KMS ciphertext in base64, as the Pulumi CLI writes it`,
			"# first delete the encryptedkey and encryptionsalt lines of Pulumi.staging.yaml, then:"},
		{"an empty secure value", strings.Replace(secrets, "secure: v1:AAECAwQFBgcICQoL:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "secure: ''", 1) + "encryptedkey: AQICAAABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4fICEiIyQlJic=\n",
			`ohmycoins:secretKey cannot be decrypted: "" is not a ciphertext the Pulumi CLI writes (v1:<nonce>:<ciphertext>)`,
			`pulumi config set --secret --stack staging ohmycoins:secretKey "$(openssl rand -hex 32)"`},
		{"a passphrase salt that is not the CLI's", secrets + "encryptionsalt: v1:salt\n",
			`its encryptionsalt "v1:salt" is not v1:<salt>:<ciphertext>, as the Pulumi CLI writes it`,
			"pulumi stack init staging --secrets-provider"},
	} {
		dir := previewtest.ProjectCopy(t, "staging", c.add)
		var out, errOut bytes.Buffer
		require.Equal(t, 1, previewcli.Main([]string{"check-init", "-dir", dir, "-stack", "staging"}, &out, &errOut), c.name)
		require.Contains(t, errOut.String(), c.want, c.name)
		require.Contains(t, errOut.String(), "\n    "+c.command, c.name)
	}
}

// BenchmarkDiff measures the offline diff between two production plans that
// differ in a replacement that cascades (a new database name: the instance,
// then everything that reads its secret's ARN), and the whole `-diff`
// command in-process: preview, read the old plan, diff, render. The budget of
// each is 100 ms.
func BenchmarkDiff(b *testing.B) {
	current := previewtest.Stack(b, "production").Plan
	old := previewtest.Stack(b, "production").Plan
	for i := range old.Resources {
		if old.Resources[i].Type == typeDBInstance {
			old.Resources[i].Inputs["dbName"] = "legacy"
		}
	}
	b.Run("plans", func(b *testing.B) {
		for b.Loop() {
			if d := stackplan.Diff(old, current); len(d.Changes) == 0 {
				b.Fatal("no changes")
			}
		}
	})
	data, err := old.JSON()
	if err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(b.TempDir(), "old.json")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		b.Fatal(err)
	}
	b.Run("command", func(b *testing.B) {
		for b.Loop() {
			if code, _, stderr := previewtest.CLI("diff", "-stack", "production", "-json", path); code != 0 {
				b.Fatal(stderr)
			}
		}
	})
}

// TestEveryToolExplainsItselfOnHelp: -h says what the tool does and exits 0.
func TestEveryToolExplainsItselfOnHelp(t *testing.T) {
	t.Parallel()
	for name, main := range map[string]func([]string, *bytes.Buffer, *bytes.Buffer) int{
		"preview": func(a []string, o, e *bytes.Buffer) int { return previewcli.Main(a, o, e) },
		"migrate": func(a []string, o, e *bytes.Buffer) int { return migratecli.Main(a, o, e) },
	} {
		var out, errOut bytes.Buffer
		require.Equal(t, 0, main([]string{"-h"}, &out, &errOut), name)
		require.Contains(t, errOut.String(), name+" ", name)
		require.Contains(t, errOut.String(), "usage: ", name)
	}
}

// TestUsageErrorsExitTwo: a program, a stack name or a flag that is not one.
func TestUsageErrorsExitTwo(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-program", "nope", "-stack", "staging"}, `-program "nope": must be main (the stacks) or bootstrap`},
		{[]string{"-stack", "/../Pulumi.staging"}, `stack name "/../Pulumi.staging": must be letters, digits, -, _ and .`},
		{[]string{"-stack", "../staging"}, `stack name "../staging"`},
		{[]string{"-stack", "staging", "-check-init", "-nope"}, "flag provided but not defined: -nope"},
	} {
		code, _, stderr := previewtest.CLI(c.args...)
		require.Equal(t, 2, code, "%v", c.args)
		require.Contains(t, stderr, c.want)
	}
}

// TestNoCommandReadsWithoutEnd: every file a command is given is read only
// when it is a regular file within its limit; /dev/zero, a directory or a
// named pipe with no writer is an error at once, with the input's flag.
func TestNoCommandReadsWithoutEnd(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	pipe := filepath.Join(dir, "fifo")
	require.NoError(t, syscall.Mkfifo(pipe, 0o644))
	for _, c := range []struct {
		main func([]string, *bytes.Buffer, *bytes.Buffer) int
		args []string
		code int
		want string
	}{
		{previewMain, []string{"diff", "-stack", "staging", "/dev/zero"}, 2, "preview: -diff /dev/zero is a device, not a regular file: give the path of a file"},
		{previewMain, []string{"diff", "-stack", "staging", pipe}, 2, "preview: -diff " + pipe + " is a named pipe, not a regular file"},
		{previewMain, []string{"diff", "-stack", "staging", "-terraform-state", "/dev/zero"}, 2, "preview: -terraform-state /dev/zero is a device, not a regular file"},
		{previewMain, []string{"diff", "-stack", "production", "-terraform-state", "../migrate/testdata/terraform/production.json", "-import", dir}, 2, "-import " + dir + " is a directory, not a regular file"},
		{previewMain, []string{"diff", "-stack", "staging", filepath.Join(dir, "missing.json")}, 2, "preview: -diff " + filepath.Join(dir, "missing.json") + ": stat "},
		{migrateMain, []string{"-stack", "staging", "-terraform-state", "/dev/zero"}, migratecli.ExitBadInput, "-terraform-state /dev/zero is a device, not a regular file"},
	} {
		var out, errOut bytes.Buffer
		require.Equal(t, c.code, c.main(c.args, &out, &errOut), "%v: %s", c.args, errOut.String())
		require.Contains(t, errOut.String(), c.want, "%v", c.args)
		require.Empty(t, out.String(), "%v", c.args)
	}
}

func previewMain(a []string, o, e *bytes.Buffer) int {
	return previewcli.Main(append([]string{a[0], "-dir", "../.."}, a[1:]...), o, e)
}
func migrateMain(a []string, o, e *bytes.Buffer) int {
	return migratecli.Main(append([]string{"-dir", "../.."}, a...), o, e)
}

// TestAlertsSaysWhereAnAlertArrivesAndSendsOne: the routes come from the
// plan (each address, the chat channel, the pager of production); -publish
// runs the test alert's command with the AWS CLI on PATH.
func TestAlertsSaysWhereAnAlertArrivesAndSendsOne(t *testing.T) {
	dir := previewtest.ProjectCopy(t, "staging", "  ohmycoins:alerts:\n    slack:\n      workspaceId: T0123ABCD\n      channelId: C0456EFGH\n")
	var out, errOut bytes.Buffer
	require.Equal(t, 0, previewcli.Main([]string{"alerts", "-dir", dir, "-stack", "staging"}, &out, &errOut), errOut.String())
	require.Equal(t, "An alert of staging goes through its topic ohmycoins-staging-alerts to:\n"+
		"  e-mail  devops@ohmycoins.com (once its recipient has confirmed the subscription)\n"+
		"  Slack   channel C0456EFGH of workspace T0123ABCD (AWS Chatbot ohmycoins-staging-slack-t0123abcd)\n"+
		"The test puts ohmycoins-staging-rds-low-storage into ALARM: each of these gets it within a minute, then OK when the alarm next evaluates (within five minutes):\n"+
		"  aws cloudwatch set-alarm-state --alarm-name ohmycoins-staging-rds-low-storage --state-value ALARM --state-reason 'Alert test of ohmycoins-staging: no action needed' --region ap-southeast-2\n",
		out.String())

	code, stdout, _ := previewtest.CLI("alerts", "-stack", "production")
	require.Equal(t, 0, code)
	require.Contains(t, stdout, "  pager   the integration URL of ohmycoins:pagingUrl (PagerDuty or Opsgenie)")

	// -publish runs the command: an aws on PATH that records its arguments.
	bin := t.TempDir()
	record := filepath.Join(bin, "args")
	require.NoError(t, os.WriteFile(filepath.Join(bin, "aws"), []byte("#!/bin/sh\nprintf '%s\\n' \"$@\" > "+record+"\n"), 0o755))
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	out.Reset()
	require.Equal(t, 0, previewcli.Main([]string{"alerts", "-dir", dir, "-stack", "staging", "-publish"}, &out, &errOut), errOut.String())
	args, err := os.ReadFile(record)
	require.NoError(t, err)
	require.Equal(t, "cloudwatch\nset-alarm-state\n--alarm-name\nohmycoins-staging-rds-low-storage\n--state-value\nALARM\n--state-reason\nAlert test of ohmycoins-staging: no action needed\n--region\nap-southeast-2\n", string(args))
	require.Contains(t, out.String(), "Sent: ohmycoins-staging-rds-low-storage is in ALARM.\n")

	require.NoError(t, os.WriteFile(filepath.Join(bin, "aws"), []byte("#!/bin/sh\necho 'AccessDenied' >&2\nexit 254\n"), 0o755))
	errOut.Reset()
	require.Equal(t, 1, previewcli.Main([]string{"alerts", "-dir", dir, "-stack", "staging", "-publish"}, &out, &errOut))
	require.Contains(t, errOut.String(), "AccessDenied")
}
