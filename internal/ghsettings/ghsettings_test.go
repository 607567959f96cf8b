package ghsettings

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// github is a stand-in of GitHub's REST API serving one repository's
// settings, as documented for each endpoint; admin is the token the Actions
// settings need.
func github(t *testing.T, settings map[string]any, admin string) *httptest.Server {
	t.Helper()
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path := strings.TrimPrefix(r.URL.Path, "/repos/example/app")
		if path == "/actions/permissions/workflow" && r.Header.Get("Authorization") != "Bearer "+admin {
			http.Error(w, `{"message":"Resource not accessible by integration"}`, http.StatusForbidden)
			return
		}
		v, ok := settings[path]
		if !ok {
			http.Error(w, `{"message":"Not Found"}`, http.StatusNotFound)
			return
		}
		require.NoError(t, json.NewEncoder(w).Encode(v))
	}))
}

func safe() map[string]any {
	mainOnly := map[string]any{"protected_branches": false, "custom_branch_policies": true}
	return map[string]any{
		"/environments/staging": map[string]any{"protection_rules": []any{}, "deployment_branch_policy": mainOnly},
		"/environments/production": map[string]any{
			"protection_rules":         []any{map[string]any{"type": "required_reviewers", "reviewers": []any{map[string]any{"type": "Team"}}}},
			"deployment_branch_policy": mainOnly,
		},
		"/environments/staging/deployment-branch-policies":    map[string]any{"branch_policies": []any{map[string]any{"name": "main", "type": "branch"}}},
		"/environments/production/deployment-branch-policies": map[string]any{"branch_policies": []any{map[string]any{"name": "main", "type": "branch"}}},
		"/rules/branches/main":                                []any{map[string]any{"type": "deletion"}, map[string]any{"type": "pull_request"}},
		"/actions/permissions/workflow":                       map[string]any{"default_workflow_permissions": "read", "can_approve_pull_request_reviews": false},
		"/actions/oidc/customization/sub":                     map[string]any{"use_default": true},
	}
}

func check(t *testing.T, settings map[string]any, adminToken string) []string {
	t.Helper()
	server := github(t, settings, "admin-token")
	defer server.Close()
	findings, err := Client{BaseURL: server.URL, Repository: "example/app", Token: "token", AdminToken: adminToken}.Check(context.Background())
	require.NoError(t, err)
	return findings
}

// TestTheSettingsTheDesignReliesOn: a repository with every setting passes;
// each missing setting is one finding that names it and where to set it.
func TestTheSettingsTheDesignReliesOn(t *testing.T) {
	t.Parallel()
	require.Empty(t, check(t, safe(), "admin-token"))
	pinned := safe()
	pinned["/actions/oidc/customization/sub"] = map[string]any{"use_default": false, "include_claim_keys": []any{"repository_owner_id", "repository_id", "context"}}
	require.Empty(t, check(t, pinned, "admin-token"), "the template that pins the immutable ids")

	for _, c := range []struct {
		name   string
		change func(map[string]any)
		want   string
	}{
		{"no reviewers on production", func(s map[string]any) {
			s["/environments/production"].(map[string]any)["protection_rules"] = []any{}
		}, "environment production: needs required reviewers"},
		{"production deploys from any branch", func(s map[string]any) {
			s["/environments/production"].(map[string]any)["deployment_branch_policy"] = nil
		}, "environment production: deployment branches must be main only"},
		{"staging deploys from main and a release branch", func(s map[string]any) {
			s["/environments/staging/deployment-branch-policies"] = map[string]any{"branch_policies": []any{
				map[string]any{"name": "main", "type": "branch"}, map[string]any{"name": "release/*", "type": "branch"}}}
		}, "environment staging: deployment branches must be main only"},
		{"no production environment", func(s map[string]any) { delete(s, "/environments/production") },
			"environment production: does not exist"},
		{"main without required reviews", func(s map[string]any) {
			s["/rules/branches/main"] = []any{map[string]any{"type": "deletion"}}
		}, "branch main: needs a ruleset that requires a pull request"},
		{"Actions may approve pull requests", func(s map[string]any) {
			s["/actions/permissions/workflow"] = map[string]any{"default_workflow_permissions": "read", "can_approve_pull_request_reviews": true}
		}, `"Allow GitHub Actions to create and approve pull requests" must be off`},
		{"a subject template the roles were not written for", func(s map[string]any) {
			s["/actions/oidc/customization/sub"] = map[string]any{"use_default": false, "include_claim_keys": []any{"repo", "context", "job_workflow_ref"}}
		}, "OIDC subject template: includes [repo context job_workflow_ref]"},
		{"write tokens by default", func(s map[string]any) {
			s["/actions/permissions/workflow"] = map[string]any{"default_workflow_permissions": "write", "can_approve_pull_request_reviews": false}
		}, `default workflow permissions are "write", must be "read"`},
	} {
		s := safe()
		c.change(s)
		findings := check(t, s, "admin-token")
		require.Len(t, findings, 1, c.name)
		require.Contains(t, findings[0], c.want, c.name)
	}
	require.Equal(t, []string{"actions settings: unreadable without GITHUB_SETTINGS_TOKEN, a fine-grained token of this repository with Administration: read (repository secret)"},
		check(t, safe(), ""), "the Actions settings need a token with Administration: read")

	server := github(t, safe(), "admin-token")
	defer server.Close()
	_, err := Client{BaseURL: server.URL, Repository: "example/app", Token: "token", AdminToken: "wrong"}.Check(context.Background())
	require.ErrorContains(t, err, "403 Forbidden", "a token that cannot read is an error, not a pass")
}
