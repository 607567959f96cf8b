package stacks

import (
	"net/mail"
	"net/url"
	"regexp"
	"strings"

	"github.com/ohmycoins/infra/internal/settings"
)

// Parsers for the string formats settings use. Each returns a reason when the
// value is malformed, phrased to follow "must ..." in a validation message.

// checkEmail accepts a bare address such as devops@example.com (no display name).
func checkEmail(s string) string {
	const rule = "must be an e-mail address such as devops@example.com"
	addr, err := mail.ParseAddress(s)
	if err != nil || addr.Address != s || addr.Name != "" {
		return rule
	}
	_, domain, _ := strings.Cut(s, "@")
	if settings.CheckDomain(strings.ToLower(domain)) != "" {
		return rule
	}
	return ""
}

// checkOrigin accepts a browser origin: scheme://host[:port], no path.
func checkOrigin(s string) string {
	const rule = "must be an origin such as https://dashboard.example.com or http://localhost:5173"
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
		return rule
	}
	return ""
}

var (
	namePrefixFormat = regexp.MustCompile(`^[a-z][a-z0-9-]*[a-z0-9]$`)
	// serviceName is a service's name: its physical names start <prefix>-<name>.
	serviceName     = regexp.MustCompile(`^[a-z](?:[a-z0-9-]{0,18}[a-z0-9])?$`)
	regionFormat    = regexp.MustCompile(`^[a-z]{2}(-gov)?-[a-z]+-[0-9]$`)
	accountIDFormat = regexp.MustCompile(`^[0-9]{12}$`)
)

// certificateARN matches an ACM certificate ARN and captures its region.
var certificateARN = regexp.MustCompile(`^arn:aws[a-z-]*:acm:([a-z0-9-]+):[0-9]{12}:certificate/[0-9a-f-]{36}$`)
