package preview_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/ohmycoins/infra/internal/preview"
	"github.com/ohmycoins/infra/internal/preview/previewtest"
	"github.com/stretchr/testify/require"
)

// projectDir is where Pulumi.yaml and the stack files live, relative to this package.
const projectDir = "../.."

// BenchmarkPreview measures one full in-process preview of each stack: reading
// the stack file, loading and validating settings, running the program under
// the mock cloud and building the plan. The target is under 100 ms.
func BenchmarkPreview(b *testing.B) {
	for _, stack := range []string{"staging", "production"} {
		b.Run(stack, func(b *testing.B) {
			for b.Loop() {
				previewtest.Stack(b, stack)
			}
		})
	}
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
		{"an account id that starts with 0, unquoted", "config:\n  ohmycoins:environment: staging\n  ohmycoins:accountId: 012345678901\n",
			`ohmycoins:accountId = "12345678901": must be a 12-digit AWS account id (aws sts get-caller-identity --query Account), or unset; an id that starts with 0 must be quoted in the stack file (ohmycoins:accountId: '012345678901'): unquoted, YAML reads it as a number and drops the zero`},
		{"a key twice, with and without its namespace", "config:\n  ohmycoins:environment: staging\n  domain: x.example.com\n  ohmycoins:domain: y.example.com\n",
			"Pulumi.staging.yaml: ohmycoins:domain is set twice, as domain (line 3) and ohmycoins:domain (line 4): the Pulumi CLI reads both as ohmycoins:domain and keeps one of them; delete the other"},
		{"a list as the secrets provider", "secretsprovider:\n  - awskms://alias/a\nconfig:\n  ohmycoins:environment: staging\n",
			"Pulumi.staging.yaml: secretsprovider (line 1) must be a single value, not a list: the Pulumi CLI refuses the file"},
		{"a mapping as the encrypted key", "encryptedkey: {a: b}\nconfig:\n  ohmycoins:environment: staging\n",
			"Pulumi.staging.yaml: encryptedkey (line 1) must be a single value, not a mapping: the Pulumi CLI refuses the file"},
	} {
		dir := previewtest.WriteStack(t, "staging", c.text)
		_, err := preview.Preview(preview.Options{Dir: dir, Stack: "staging"})
		require.Error(t, err, c.name)
		require.Contains(t, err.Error(), c.want, c.name)
		previewtest.RequireUserTerms(t, err.Error())
	}
}

// TestASecureKeyWithoutCiphertextIsAPlainObject: the CLI reads {secure: x}
// as a secret only when x is text; {secure: 123} is a plain object, so a
// stack secret written so is refused as plain text, as pulumi up refuses it.
func TestASecureKeyWithoutCiphertextIsAPlainObject(t *testing.T) {
	t.Parallel()
	base, err := os.ReadFile(filepath.Join(projectDir, "Pulumi.staging.yaml"))
	require.NoError(t, err)
	dir := previewtest.WriteStack(t, "staging", string(base)+"  ohmycoins:secretKey:\n    secure: 123\n")
	_, err = preview.Preview(preview.Options{Dir: dir, Stack: "staging"})
	require.Error(t, err)
	require.Contains(t, err.Error(), "ohmycoins:secretKey is stored in plain text in Pulumi.staging.yaml")
}

// TestAKeyWithoutItsNamespaceIsReadAsTheCLIReadsIt: the CLI takes database:
// for ohmycoins:database; so does the preview, and it says so.
func TestAKeyWithoutItsNamespaceIsReadAsTheCLIReadsIt(t *testing.T) {
	t.Parallel()
	base, err := os.ReadFile(filepath.Join(projectDir, "Pulumi.staging.yaml"))
	require.NoError(t, err)
	dir := previewtest.WriteStack(t, "staging", string(base)+"  database:\n    instanceClass: db.t3.small\n  aws:region: ap-southeast-2\n")
	result, err := preview.Preview(preview.Options{Dir: dir, Stack: "staging"})
	require.NoError(t, err)
	require.Equal(t, "db.t3.small", previewtest.Named(t, result.Plan, typeDBInstance, "ohmycoins-staging-postgres").Inputs["instanceClass"])
	require.Contains(t, result.Warnings, "Pulumi.staging.yaml: database has no namespace: the Pulumi CLI reads it as ohmycoins:database; write it so")
	require.Contains(t, result.Warnings, "Pulumi.staging.yaml: aws:region is in the namespace aws, which this program does not read")
}

// FuzzStackFile feeds any text to the stack file reader: it answers with
// settings or with an error in the file's terms, never a panic or Go's words.
func FuzzStackFile(f *testing.F) {
	for _, stack := range []string{"staging", "production"} {
		data, err := os.ReadFile(filepath.Join(projectDir, "Pulumi."+stack+".yaml"))
		require.NoError(f, err)
		f.Add(string(data))
	}
	f.Add("config:\n  - a\n")
	f.Add("config:\n  ohmycoins:alarms:\n    rdsHighCpu: .inf\n")
	f.Add("config: {ohmycoin:x: 1, y: 2}\n")
	f.Fuzz(func(t *testing.T, text string) {
		dir := previewtest.WriteStack(t, "staging", text)
		if _, err := preview.ReadStackConfig(dir, "staging"); err != nil {
			previewtest.RequireUserTerms(t, err.Error())
		}
	})
}
