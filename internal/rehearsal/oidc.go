package rehearsal

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/ohmycoins/infra/internal/preview"
	"github.com/ohmycoins/infra/internal/previewcli"
	"github.com/ohmycoins/infra/internal/simaws"
	"github.com/ohmycoins/infra/internal/stackplan"
)

// StartsFromTheProviderInTheStack is the starting point of "CI identity":
// a stack deployed before the account-level program owned the GitHub OIDC
// provider, whose state still holds it.
const StartsFromTheProviderInTheStack = "the stack holding the oidc provider"

// oidcProviderType is the GitHub OIDC provider's type.
const oidcProviderType = "aws:iam/openIdConnectProvider:OpenIdConnectProvider"

// seedOIDCProvider puts into the account the GitHub OIDC provider the
// original made by hand, as the account-level program plans it.
func (w *World) seedOIDCProvider() (stackplan.Resource, error) {
	result, err := preview.Preview(preview.Options{Dir: filepath.Join(w.Dir, "bootstrap"), Stack: "state", Program: previewcli.Programs["bootstrap"]})
	if err != nil {
		return stackplan.Resource{}, err
	}
	planned := result.Plan.OfType(oidcProviderType)
	if len(planned) != 1 {
		return stackplan.Resource{}, fmt.Errorf("the account-level program plans %d GitHub OIDC providers, not one", len(planned))
	}
	provider := planned[0]
	return provider, w.Account.Seed(simaws.Resource{Type: provider.Type, ID: provider.Import, Name: "made-by-hand", Region: "ap-southeast-2",
		Inputs: provider.Inputs, Outputs: map[string]any{"arn": provider.Import, "url": provider.Inputs["url"]}})
}

// StartsFromTheLocalBootstrap is the starting point of "Moving the bootstrap
// state into the bucket": the account-level program up, its state in a
// local backend (the machine that ran it first).
const StartsFromTheLocalBootstrap = "the account-level program in a local backend"

// startLocalBootstrap brings the account-level program up with its state in
// a local directory, as section 1 of the RUNBOOK does before the bucket
// exists; the commands then find no backend set but the one logged in to.
func (w *World) startLocalBootstrap(stack string) error {
	w.Env = slices.DeleteFunc(w.Env, func(e string) bool { return strings.HasPrefix(e, "PULUMI_BACKEND_URL=") })
	if _, err := w.seedOIDCProvider(); err != nil {
		return err
	}
	local := filepath.Join(filepath.Dir(w.Dir), "local-backend")
	for _, dir := range []string{local, w.Bucket()} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	}
	for _, args := range [][]string{{"login", "file://" + local}, {"stack", "init", stack}, {"up", "--stack", stack, "--yes", "--skip-preview"}} {
		if _, err := w.Pulumi(append([]string{"--cwd", "bootstrap"}, args...)...); err != nil {
			return err
		}
	}
	return nil
}

// startHoldingTheProvider builds a stack as one deployed before the GitHub
// OIDC provider moved to the account-level program: the account holds the
// provider (made by hand for the original), the stack is up, its state holds
// the provider under its CI component and its CI roles depend on it there;
// the account-level program's stack exists and has not run since.
func (w *World) startHoldingTheProvider(stack string) error {
	provider, err := w.seedOIDCProvider()
	if err != nil {
		return err
	}
	if _, err := w.Pulumi("up", "--stack", stack, "--yes", "--skip-preview"); err != nil {
		return err
	}
	out, err := w.Pulumi("stack", "export", "--stack", stack)
	if err != nil {
		return err
	}
	var export map[string]any
	if err := json.Unmarshal([]byte(out), &export); err != nil {
		return err
	}
	deployment, _ := export["deployment"].(map[string]any)
	resources, _ := deployment["resources"].([]any)
	prefix := ""
	parent := ""
	for _, r := range resources {
		m, _ := r.(map[string]any)
		if m["type"] == "ohmycoins:cicd:GitHubCI" {
			parent, _ = m["urn"].(string)
			prefix = parent[strings.LastIndex(parent, "::")+2:]
		}
	}
	if parent == "" {
		return fmt.Errorf("the stack %s has no CI identity component", stack)
	}
	urn := strings.Replace(parent, "ohmycoins:cicd:GitHubCI::", "ohmycoins:cicd:GitHubCI$"+oidcProviderType+"::", 1) + "-github-oidc"
	var providerRef string
	for _, r := range resources {
		m, _ := r.(map[string]any)
		if m["type"] == "aws:iam/role:Role" && strings.Contains(fmt.Sprint(m["urn"]), "::"+prefix+"-github-") {
			deps, _ := m["dependencies"].([]any)
			m["dependencies"] = append(deps, urn)
			providerRef, _ = m["provider"].(string)
		}
	}
	if providerRef == "" {
		return fmt.Errorf("the stack %s has no CI roles", stack)
	}
	// A state lists what a resource depends on before it: the provider goes
	// right after its parent.
	at := slices.IndexFunc(resources, func(r any) bool { m, _ := r.(map[string]any); return m["urn"] == parent })
	resources = slices.Insert(resources, at+1, any(map[string]any{
		"urn": urn, "custom": true, "type": provider.Type, "id": provider.Import, "parent": parent, "provider": providerRef,
		"inputs": provider.Inputs, "outputs": map[string]any{"arn": provider.Import, "url": provider.Inputs["url"]},
	}))
	deployment["resources"] = resources
	data, err := json.Marshal(export)
	if err != nil {
		return err
	}
	file := filepath.Join(w.Tmp, stack+"-before-the-provider-moved.json")
	if err := os.WriteFile(file, data, 0o600); err != nil {
		return err
	}
	if _, err := w.Pulumi("stack", "import", "--stack", stack, "--file", file); err != nil {
		return err
	}
	// Section 1 made the account-level program's stack; it has not run since.
	_, err = w.Pulumi("--cwd", "bootstrap", "stack", "init", "state")
	return err
}
