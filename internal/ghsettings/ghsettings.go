// Package ghsettings checks the GitHub settings the CI identity relies on,
// through GitHub's REST API: the roles' trust policies name GitHub
// environments and the main branch, and only these settings make those names
// mean what the design says (docs/RUNBOOK.md, "CI identity"):
//
//   - the production environment has required reviewers and deploys only
//     from main; staging's deploys only from main;
//   - main takes changes only through reviewed pull requests;
//   - workflows get a read-only token by default and cannot approve pull
//     requests ("Allow GitHub Actions to create and approve pull requests"
//     off), so a workflow cannot approve its own way to main;
//   - the OIDC subject template is GitHub's default or the one that pins the
//     repository's immutable ids, the two the trust policies are written for.
//
// A setting that is missing is a finding, not a warning: the deploy workflow
// stops before any role is assumed.
package ghsettings

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/ohmycoins/infra/components/cicd"
)

// Client reads a repository's settings.
type Client struct {
	// BaseURL is https://api.github.com, or a test server's URL.
	BaseURL string
	// Repository is owner/name.
	Repository string
	// Token reads environments and rules (the workflow's GITHUB_TOKEN);
	// AdminToken reads the Actions settings, which need Administration:
	// read (a fine-grained token, GITHUB_SETTINGS_TOKEN).
	Token, AdminToken string
	HTTP              *http.Client
}

// environment is the part of GET /repos/{o}/{r}/environments/{name} read here.
type environment struct {
	ProtectionRules []struct {
		Type      string `json:"type"`
		Reviewers []any  `json:"reviewers"`
	} `json:"protection_rules"`
	DeploymentBranchPolicy *struct {
		ProtectedBranches    bool `json:"protected_branches"`
		CustomBranchPolicies bool `json:"custom_branch_policies"`
	} `json:"deployment_branch_policy"`
}

// Check returns every setting that is missing, one line each, naming the
// setting and where to set it; nil when all hold. An error is a failure to
// read, not a finding.
func (c Client) Check(ctx context.Context) ([]string, error) {
	var findings []string
	for _, name := range []string{"staging", "production"} {
		var env environment
		status, err := c.get(ctx, c.Token, "/environments/"+name, &env)
		if err != nil {
			return nil, err
		}
		if status == http.StatusNotFound {
			findings = append(findings, fmt.Sprintf("environment %s: does not exist (Settings > Environments > New environment); its deploy role trusts only jobs in it", name))
			continue
		}
		onlyMain, err := c.deploysOnlyFromMain(ctx, name, env)
		if err != nil {
			return nil, err
		}
		if !onlyMain {
			findings = append(findings, fmt.Sprintf("environment %s: deployment branches must be main only (Settings > Environments > %s > Deployment branches and tags: Selected, main)", name, name))
		}
		if name == "production" && !hasReviewers(env) {
			findings = append(findings, "environment production: needs required reviewers (Settings > Environments > production > Required reviewers): its roles decrypt production's secrets")
		}
	}

	var rules []struct {
		Type string `json:"type"`
	}
	if _, err := c.get(ctx, c.Token, "/rules/branches/main", &rules); err != nil {
		return nil, err
	}
	if !slices.ContainsFunc(rules, func(r struct {
		Type string `json:"type"`
	}) bool {
		return r.Type == "pull_request"
	}) {
		findings = append(findings, "branch main: needs a ruleset that requires a pull request with an approving review before merging (Settings > Rules > Rulesets); every merge deploys staging")
	}

	// The subject template: GitHub's default (the repository's name), or the
	// one that pins its immutable ids (cicd.Settings.Subject); any other
	// gives tokens whose subject no role trusts.
	var template struct {
		UseDefault       bool     `json:"use_default"`
		IncludeClaimKeys []string `json:"include_claim_keys"`
	}
	if status, err := c.get(ctx, c.Token, "/actions/oidc/customization/sub", &template); err != nil {
		return nil, err
	} else if status == http.StatusOK && !template.UseDefault && !slices.Equal(template.IncludeClaimKeys, cicd.SubjectClaimKeys) {
		findings = append(findings, fmt.Sprintf("OIDC subject template: includes %v; the roles trust GitHub's default or %v (docs/RUNBOOK.md, \"CI identity\")",
			template.IncludeClaimKeys, cicd.SubjectClaimKeys))
	}

	if c.AdminToken == "" {
		return append(findings, "actions settings: unreadable without GITHUB_SETTINGS_TOKEN, a fine-grained token of this repository with Administration: read (repository secret)"), nil
	}
	var actions struct {
		DefaultWorkflowPermissions   string `json:"default_workflow_permissions"`
		CanApprovePullRequestReviews bool   `json:"can_approve_pull_request_reviews"`
	}
	if _, err := c.get(ctx, c.AdminToken, "/actions/permissions/workflow", &actions); err != nil {
		return nil, err
	}
	if actions.CanApprovePullRequestReviews {
		findings = append(findings, `actions settings: "Allow GitHub Actions to create and approve pull requests" must be off (Settings > Actions > General > Workflow permissions)`)
	}
	if actions.DefaultWorkflowPermissions != "read" {
		findings = append(findings, fmt.Sprintf(`actions settings: default workflow permissions are %q, must be "read" (Settings > Actions > General > Workflow permissions: Read repository contents)`, actions.DefaultWorkflowPermissions))
	}
	return findings, nil
}

func hasReviewers(env environment) bool {
	for _, r := range env.ProtectionRules {
		if r.Type == "required_reviewers" && len(r.Reviewers) > 0 {
			return true
		}
	}
	return false
}

// deploysOnlyFromMain: a custom policy naming main alone (or the protected
// branches, when main is the only one the rules protect, which the ruleset
// check covers).
func (c Client) deploysOnlyFromMain(ctx context.Context, name string, env environment) (bool, error) {
	p := env.DeploymentBranchPolicy
	switch {
	case p == nil:
		return false, nil
	case p.ProtectedBranches:
		return true, nil
	}
	var policies struct {
		BranchPolicies []struct {
			Name string `json:"name"`
			Type string `json:"type"`
		} `json:"branch_policies"`
	}
	if _, err := c.get(ctx, c.Token, "/environments/"+name+"/deployment-branch-policies", &policies); err != nil {
		return false, err
	}
	if len(policies.BranchPolicies) != 1 {
		return false, nil
	}
	only := policies.BranchPolicies[0]
	return only.Name == "main" && only.Type != "tag", nil
}

// get reads one endpoint of the repository into v; a 404 is returned as a
// status, any other failure as an error.
func (c Client) get(ctx context.Context, token, path string, v any) (int, error) {
	url := strings.TrimSuffix(c.BaseURL, "/") + "/repos/" + c.Repository + path
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Accept", "application/vnd.github+json")
	req.Header.Set("X-GitHub-Api-Version", "2022-11-28")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	client := c.HTTP
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return 0, err
	}
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return resp.StatusCode, nil
	case resp.StatusCode != http.StatusOK:
		return resp.StatusCode, fmt.Errorf("GET %s: %s: %s", url, resp.Status, strings.TrimSpace(string(body)))
	}
	if err := json.Unmarshal(body, v); err != nil {
		return resp.StatusCode, fmt.Errorf("GET %s: %w", url, err)
	}
	return resp.StatusCode, nil
}
