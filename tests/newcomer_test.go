package tests

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ohmycoins/infra/internal/migratecli"
	"github.com/ohmycoins/infra/internal/preview"
	"github.com/ohmycoins/infra/internal/preview/previewtest"
	"github.com/ohmycoins/infra/internal/previewcli"
	"github.com/ohmycoins/infra/internal/stackplan"
)

// goInternals are phrases of Go's own error texts that no message may show.
var goInternals = []string{"!!seq", "!!map", "interface {}", "Go value of type", "json: unsupported value", "map[string]"}

func requireUserTerms(t *testing.T, msg string) {
	t.Helper()
	for _, phrase := range goInternals {
		require.NotContains(t, msg, phrase, "the message speaks Go, not the user's terms: %s", msg)
	}
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
		code, _, stderr := runCLI(c.args...)
		require.Equal(t, 2, code, "%v", c.args)
		require.Contains(t, stderr, c.want)
	}
}

// writeStack writes a project with one stack file of the given text.
func writeStack(t *testing.T, stack, text string) string {
	t.Helper()
	dir := t.TempDir()
	project, err := os.ReadFile(filepath.Join(projectDir, "Pulumi.yaml"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "Pulumi.yaml"), project, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "Pulumi."+stack+".yaml"), []byte(text), 0o644))
	return dir
}

// TestStackFileMistakesAreSaidInTheFilesTerms: what a hand-edited stack file
// gets wrong is named in YAML's and the program's terms.
func TestStackFileMistakesAreSaidInTheFilesTerms(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ name, text, want string }{
		{"config as a list", "config:\n  - ohmycoins:environment\n", "Pulumi.staging.yaml: config (line 2) must be a mapping of keys to values (ohmycoins:domain: ...), not a list"},
		{"the file as a list", "- a\n- b\n", "Pulumi.staging.yaml must be a mapping (secretsprovider:, config:), not a list"},
		{"not YAML", "config: [\n", "Pulumi.staging.yaml is not valid YAML:"},
		{"a value that is not a number", "config:\n  ohmycoins:environment: staging\n  ohmycoins:alarms:\n    rdsHighCpu: .nan\n", "ohmycoins:alarms: NaN is not a value a stack setting can hold"},
		{"a misspelt namespace", "config:\n  ohmycoin:environment: staging\n", `the namespace "ohmycoin" is not this project's: did you mean ohmycoins:environment?`},
	} {
		dir := writeStack(t, "staging", c.text)
		_, err := preview.Preview(preview.Options{Dir: dir, Stack: "staging"})
		require.Error(t, err, c.name)
		require.Contains(t, err.Error(), c.want, c.name)
		requireUserTerms(t, err.Error())
	}
}

// TestAKeyWithoutItsNamespaceIsReadAsTheCLIReadsIt: the CLI takes database:
// for ohmycoins:database; so does the preview, and it says so.
func TestAKeyWithoutItsNamespaceIsReadAsTheCLIReadsIt(t *testing.T) {
	t.Parallel()
	base, err := os.ReadFile(filepath.Join(projectDir, "Pulumi.staging.yaml"))
	require.NoError(t, err)
	dir := writeStack(t, "staging", string(base)+"  database:\n    instanceClass: db.t3.small\n  aws:region: ap-southeast-2\n")
	result, err := preview.Preview(preview.Options{Dir: dir, Stack: "staging"})
	require.NoError(t, err)
	require.Equal(t, "db.t3.small", previewtest.Named(t, result.Plan, typeDBInstance, "ohmycoins-staging-postgres").Inputs["instanceClass"])
	require.Contains(t, result.Warnings, "Pulumi.staging.yaml: database has no namespace: the Pulumi CLI reads it as ohmycoins:database; write it so")
	require.Contains(t, result.Warnings, "Pulumi.staging.yaml: aws:region is in the namespace aws, which this program does not read")
}

// TestAPlanThatIsNotOneIsSaidInItsTerms: -diff against a file that is not a
// plan names what is wrong with it, not Go's types.
func TestAPlanThatIsNotOneIsSaidInItsTerms(t *testing.T) {
	t.Parallel()
	for text, want := range map[string]string{
		`[1, 2]`:                  "the document is a JSON array where a plan has an object",
		`{"project": 3}`:          "project is a JSON number where a plan has a string",
		`{"project": "ohmy`:       "the JSON ends too early",
		`{"project": "a",, }`:     "invalid JSON at byte",
		`{"resources": {"a": 1}}`: "resources is a JSON object where a plan has a list",
	} {
		_, err := stackplan.ReadPlanOf([]byte(text), "ohmycoins", "staging")
		require.Error(t, err, text)
		require.Contains(t, err.Error(), want, text)
		requireUserTerms(t, err.Error())
	}
}

// TestSettingsAcceptedWithoutAWordAreRefused: each input a newcomer's review
// found accepted in silence now gets an error that names it.
func TestSettingsAcceptedWithoutAWordAreRefused(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		set  []string
		want string
	}{
		{[]string{"ohmycoins:region", "zz-moon-1"}, `ohmycoins:region = "zz-moon-1": is not an AWS region`},
		{[]string{"ohmycoins:github", `{"repository": "owner-/.."}`}, `ohmycoins:github.repository = "owner-/..": must be owner/name`},
		{[]string{"ohmycoins:github", `{"repository": "owner/.."}`}, `ohmycoins:github.repository = "owner/..": must be owner/name`},
		{[]string{"ohmycoins:backend", `{"desiredCount": 1000000}`}, "ohmycoins:backend.desiredCount = 1000000: must be at most 5000, ECS's quota of tasks per service"},
		{[]string{"ohmycoins:database", `{"storageType": "io1"}`}, `ohmycoins:database.storageType = "io1": needs provisioned IOPS, which this program does not set: use gp3`},
	} {
		errs := strings.Join(previewtest.Problems(t, "staging", previewtest.Set(c.set...)), "\n")
		require.Contains(t, errs, c.want)
	}
	require.NotNil(t, previewtest.Stack(t, "staging", previewtest.Set("ohmycoins:github", `{"repository": "Mark-Limmage/.github"}`)).Plan, "a real repository name still passes")
}

// TestTheChecksOutputIsIgnored: what the README's commands write into the
// checkout (a plan as JSON, a binary) is not a change to commit.
func TestTheChecksOutputIsIgnored(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(filepath.Join(projectDir, ".gitignore"))
	require.NoError(t, err)
	for _, pattern := range []string{"/*.json", "/preview", "/verify", "/migrate"} {
		require.Contains(t, strings.Split(string(data), "\n"), pattern)
	}
}

// FuzzStackFile feeds any text to the stack file reader: it answers with
// settings or with an error in the file's terms, never a panic or Go's words.
func FuzzStackFile(f *testing.F) {
	for _, stack := range allStacks {
		data, err := os.ReadFile(filepath.Join(projectDir, "Pulumi."+stack+".yaml"))
		require.NoError(f, err)
		f.Add(string(data))
	}
	f.Add("config:\n  - a\n")
	f.Add("config:\n  ohmycoins:alarms:\n    rdsHighCpu: .inf\n")
	f.Add("config: {ohmycoin:x: 1, y: 2}\n")
	f.Fuzz(func(t *testing.T, text string) {
		dir := writeStack(t, "staging", text)
		if _, err := preview.ReadStackConfig(dir, "staging"); err != nil {
			requireUserTerms(t, err.Error())
		}
	})
}

// FuzzPlanReader feeds any bytes to the -diff plan reader.
func FuzzPlanReader(f *testing.F) {
	data, err := os.ReadFile(filepath.Join("testdata", "staging.json"))
	require.NoError(f, err)
	f.Add(data)
	f.Add([]byte(`[1]`))
	f.Add([]byte(`{"project": "ohmycoins", "stack": "staging", "resources": []}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if _, err := stackplan.ReadPlanOf(data, "ohmycoins", "staging"); err != nil {
			requireUserTerms(t, err.Error())
		}
	})
}
