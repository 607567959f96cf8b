package cicd

import (
	"encoding/json"
	"regexp"

	"github.com/ohmycoins/infra/internal/settings"
)

// Settings are the CI identity's settings, the config key ohmycoins:github of
// a stack: json tags name the keys, Validate holds the rules.
type Settings struct {
	// Repository is owner/name; only its workflows may assume the CI roles.
	Repository string `json:"repository"`
	// OIDCProviderARN is the account's GitHub OIDC provider, which the account-level
	// program (bootstrap/) owns; empty (the default) means the one of the account
	// the stack deploys into.
	OIDCProviderARN string `json:"oidcProviderArn"`
	// RepositoryID and OwnerID are the repository's and its owner's immutable
	// ids (gh api repos/<owner>/<name> --jq '.id, .owner.id'): set both, once
	// the repository's OIDC subject template includes them (docs/RUNBOOK.md,
	// "CI identity"), and the roles trust the ids instead of the names.
	RepositoryID GitHubID `json:"repositoryId"`
	OwnerID      GitHubID `json:"ownerId"`
}

// GitHubID is one of GitHub's numeric ids, held as its decimal string. It
// reads a JSON number as well as a string: `pulumi config set --path` writes
// 123456789 as a number.
type GitHubID string

// UnmarshalJSON reads a whole JSON number or a string.
func (id *GitHubID) UnmarshalJSON(b []byte) error {
	var n json.Number
	if err := json.Unmarshal(b, &n); err == nil {
		*id = GitHubID(n.String())
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	*id = GitHubID(s)
	return nil
}

var (
	// GitHub: an owner is 1-39 letters, digits and single hyphens, neither
	// first nor last; a repository name is letters, digits, ., - and _, not
	// "." or "..".
	githubRepository = regexp.MustCompile(`^[A-Za-z0-9](?:-?[A-Za-z0-9]){0,38}/(?:[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}|\.[A-Za-z0-9_-][A-Za-z0-9._-]{0,98}|\.\.[A-Za-z0-9._-]{1,98})$`)
	numericID        = regexp.MustCompile(`^[1-9][0-9]{0,19}$`)
	oidcProviderARN  = regexp.MustCompile(`^arn:aws[a-z-]*:iam::[0-9]{12}:oidc-provider/token\.actions\.githubusercontent\.com$`)
)

// Validate records every rule the settings break; setCommand is the command
// that sets the repository, for the message when it is unset.
func (s Settings) Validate(setCommand string, p settings.Problems) {
	if s.Repository == "" {
		p.Addf("repository", "is not set: the CI roles trust only this repository's workflows (%s)", setCommand)
	} else if !githubRepository.MatchString(s.Repository) {
		p.Add("repository", s.Repository, "must be owner/name, without a wildcard")
	}
	for _, id := range []struct{ key, value string }{{"repositoryId", string(s.RepositoryID)}, {"ownerId", string(s.OwnerID)}} {
		if id.value != "" && !numericID.MatchString(id.value) {
			p.Add(id.key, id.value, "must be GitHub's numeric id (gh api repos/<owner>/<name> --jq '.id, .owner.id')")
		}
	}
	if (s.RepositoryID == "") != (s.OwnerID == "") {
		p.Addf("repositoryId", "and github.ownerId must be set together: the subject pins both ids or neither")
	}
	if s.OIDCProviderARN != "" && !oidcProviderARN.MatchString(s.OIDCProviderARN) {
		p.Add("oidcProviderArn", s.OIDCProviderARN, "must be arn:aws:iam::<account>:oidc-provider/token.actions.githubusercontent.com")
	}
}
