package cicd

import (
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
}

var (
	// GitHub: an owner is 1-39 letters, digits and single hyphens, neither
	// first nor last; a repository name is letters, digits, ., - and _, not
	// "." or "..".
	githubRepository = regexp.MustCompile(`^[A-Za-z0-9](?:-?[A-Za-z0-9]){0,38}/(?:[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}|\.[A-Za-z0-9_-][A-Za-z0-9._-]{0,98}|\.\.[A-Za-z0-9._-]{1,98})$`)
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
	if s.OIDCProviderARN != "" && !oidcProviderARN.MatchString(s.OIDCProviderARN) {
		p.Add("oidcProviderArn", s.OIDCProviderARN, "must be arn:aws:iam::<account>:oidc-provider/token.actions.githubusercontent.com")
	}
}
