package engine

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ohmycoins/infra/internal/preview"
	"github.com/ohmycoins/infra/internal/previewcli"
	"github.com/ohmycoins/infra/internal/simaws"
	"github.com/ohmycoins/infra/internal/stackplan"
)

// TestTheBootstrapComesUpInAnAccountWithoutAnOIDCProvider: the account-level
// program, its key removed as docs/RUNBOOK.md ("State backend") says for an
// account that has no GitHub OIDC provider, creates what its offline plan
// has, and a second preview changes nothing.
func TestTheBootstrapComesUpInAnAccountWithoutAnOIDCProvider(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	file := filepath.Join(w.dir, "bootstrap", "Pulumi.state.yaml")
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	var kept []string
	for _, line := range strings.Split(string(data), "\n") {
		if !strings.Contains(line, "githubOidcProviderArn") {
			kept = append(kept, line)
		}
	}
	require.NoError(t, os.WriteFile(file, []byte(strings.Join(kept, "\n")), 0o644))
	w.pulumi("bootstrap", "stack", "init", "state")
	w.pulumi("bootstrap", "up", "--stack", "state", "--yes", "--skip-preview")
	w.pulumi("bootstrap", "preview", "--stack", "state", "--expect-no-changes")

	result, err := preview.Preview(preview.Options{Dir: filepath.Join(w.dir, "bootstrap"), Stack: "state", Program: previewcli.Programs["bootstrap"]})
	require.NoError(t, err)
	custom := 0
	for _, r := range result.Plan.Resources {
		if r.Custom && !strings.HasPrefix(r.Type, "pulumi:providers:") {
			custom++
		}
	}
	require.Len(t, w.resources(), custom, "the account holds every resource of the offline plan")
}

// seedOIDCProvider puts into the account the GitHub OIDC provider made by
// hand for the original Terraform, which the committed bootstrap stack file
// adopts, and returns it as the offline plan has it.
func (w *world) seedOIDCProvider() stackplan.Resource {
	w.t.Helper()
	result, err := preview.Preview(preview.Options{Dir: filepath.Join(w.dir, "bootstrap"), Stack: "state", Program: previewcli.Programs["bootstrap"]})
	require.NoError(w.t, err)
	planned := result.Plan.OfType("aws:iam/openIdConnectProvider:OpenIdConnectProvider")
	require.Len(w.t, planned, 1)
	require.Equal(w.t, "arn:aws:iam::220711411889:oidc-provider/token.actions.githubusercontent.com", planned[0].Import)
	require.NoError(w.t, w.account.Seed(simaws.Resource{Type: planned[0].Type, ID: planned[0].Import, Name: "made-by-hand", Region: "ap-southeast-2",
		Inputs: planned[0].Inputs, Outputs: map[string]any{"arn": planned[0].Import, "url": planned[0].Inputs["url"]}}))
	return planned[0]
}

// TestTheBootstrapAdoptsTheAccountsOIDCProvider: where the account has the
// GitHub OIDC provider already (made by hand for the original Terraform), the
// first pulumi up imports it, as the committed stack file asks, instead of
// failing to create a second one; the account still holds one.
func TestTheBootstrapAdoptsTheAccountsOIDCProvider(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	const typ = "aws:iam/openIdConnectProvider:OpenIdConnectProvider"
	w.seedOIDCProvider()

	w.pulumi("bootstrap", "stack", "init", "state")
	out := w.pulumi("bootstrap", "up", "--stack", "state", "--yes", "--skip-preview")
	require.Regexp(t, `= +aws:iam:OpenIdConnectProvider \S+ imported`, out)
	w.pulumi("bootstrap", "preview", "--stack", "state", "--expect-no-changes")
	providers := 0
	for _, r := range w.resources() {
		if r.Type == typ {
			providers++
		}
	}
	require.Equal(t, 1, providers, "adopted, not created a second time")
}

// TestTheBootstrapImportsADifferingOIDCProviderAndThenUpdatesIt: where the
// hand-made provider differs from the program (another audience, other
// thumbprints), the engine does not refuse the import: it imports, then
// updates what the program sets, here the audiences (pulumi/pulumi v3.274.1
// continues an import step with a diff). The thumbprints, which the program
// ignores, stay as they were made.
func TestTheBootstrapImportsADifferingOIDCProviderAndThenUpdatesIt(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	result, err := preview.Preview(preview.Options{Dir: filepath.Join(w.dir, "bootstrap"), Stack: "state", Program: previewcli.Programs["bootstrap"]})
	require.NoError(t, err)
	const typ = "aws:iam/openIdConnectProvider:OpenIdConnectProvider"
	planned := result.Plan.OfType(typ)[0]
	handMade := map[string]any{"url": planned.Inputs["url"], "clientIdLists": []any{"sts.amazonaws.com", "legacy-audience"},
		"thumbprintLists": []any{strings.Repeat("0", 40)}}
	require.NoError(t, w.account.Seed(simaws.Resource{Type: typ, ID: planned.Import, Name: "made-by-hand", Region: "ap-southeast-2",
		Inputs: handMade, Outputs: map[string]any{"arn": planned.Import, "url": planned.Inputs["url"]}}))

	w.pulumi("bootstrap", "stack", "init", "state")
	out := w.pulumi("bootstrap", "up", "--stack", "state", "--yes", "--skip-preview")
	require.Regexp(t, `aws:iam:OpenIdConnectProvider \S+ imported`, out)
	require.Regexp(t, `~ +aws:iam:OpenIdConnectProvider \S+ updated`, out, "imported, then updated to the program's audiences")
	var held simaws.Resource
	for _, r := range w.resources() {
		if r.Type == typ {
			held = r
		}
	}
	require.Equal(t, planned.Import, held.ID, "the hand-made provider, not a second one")
	require.Equal(t, planned.Inputs["clientIdLists"], held.Inputs["clientIdLists"])
	require.Equal(t, []any{strings.Repeat("0", 40)}, held.Inputs["thumbprintLists"], "ignoreChanges: the thumbprints stay as made")
	w.pulumi("bootstrap", "preview", "--stack", "state", "--expect-no-changes")
}

// TestTheBootstrapStateMovesIntoTheBucket: docs/RUNBOOK.md,
// "Moving the bootstrap state into the bucket", without its `pulumi stack init` fails
// where it failed before: `pulumi stack import` writes only into a stack that
// exists. The procedure as written is rehearsed by
// TestEveryRehearsedProcedureCompletesAndLosesNothing.
func TestTheBootstrapStateMovesIntoTheBucket(t *testing.T) {
	t.Parallel()
	w, p := setUp(t, "state", "moving-the-bootstrap-state-into-the-bucket")
	i := slices.Index(p.Commands, "pulumi stack init state")
	require.Equal(t, 3, i)
	p.Commands, p.Blocks = slices.Delete(p.Commands, i, i+1), slices.Delete(p.Blocks, i, i+1)
	report := w.perform(p, "state")
	require.False(t, report.Completed)
	require.Len(t, report.Steps, 4)
	require.Contains(t, report.Steps[3].Error, "no stack named 'state' found")
}

// TestCIIdentityHandsTheOIDCProviderToTheAccountLevelProgram: docs/RUNBOOK.md,
// "CI identity", without the update that leaves the provider alone (its
// first command) fails where it failed before: the roles depend on the
// provider in the stack's state, so deleting it from the state alone is
// refused, and nothing changes. The procedure as written is rehearsed by
// TestEveryRehearsedProcedureCompletesAndLosesNothing.
func TestCIIdentityHandsTheOIDCProviderToTheAccountLevelProgram(t *testing.T) {
	t.Parallel()
	w, p := setUp(t, "staging", "ci-identity-github-actions")
	require.Contains(t, p.Commands[0], "--exclude")
	p.Commands, p.Blocks = p.Commands[1:], p.Blocks[1:]
	report := w.perform(p, "staging")
	require.False(t, report.Completed)
	require.Len(t, report.Steps, 1)
	require.Contains(t, report.Steps[0].Error, "can't be safely deleted because the following resources depend on it", "the roles depend on it")
	require.Contains(t, w.stateURNs("", "staging"), oidcURN, "still in the stack's state")
}

// oidcURN is the GitHub OIDC provider in a staging stack from before the move.
const oidcURN = "urn:pulumi:staging::ohmycoins::ohmycoins:cicd:GitHubCI$aws:iam/openIdConnectProvider:OpenIdConnectProvider::ohmycoins-staging-github-oidc"

// joinContinued joins the lines a trailing backslash continues.
func joinContinued(lines []string) []string {
	var out []string
	pending := ""
	for _, l := range lines {
		if s, ok := strings.CutSuffix(l, `\`); ok {
			pending += s + " "
			continue
		}
		out = append(out, pending+l)
		pending = ""
	}
	return out
}
