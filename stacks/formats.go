package stacks

import (
	"net/mail"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// Parsers for the string formats settings use. Each returns a reason when the
// value is malformed, phrased to follow "must ..." in a validation message.

var dnsLabel = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)

// checkDomain accepts a lower-case DNS name of two or more labels, e.g. staging.ohmycoins.com.
func checkDomain(s string) string {
	const rule = "must be a lower-case DNS name such as staging.example.com"
	if s == "" || len(s) > 253 || strings.HasSuffix(s, ".") {
		return rule
	}
	labels := strings.Split(s, ".")
	if len(labels) < 2 {
		return rule
	}
	for _, l := range labels {
		if !dnsLabel.MatchString(l) {
			return rule
		}
	}
	if _, err := strconv.Atoi(labels[len(labels)-1]); err == nil {
		return rule
	}
	return ""
}

// checkEmail accepts a bare address such as devops@example.com (no display name).
func checkEmail(s string) string {
	const rule = "must be an e-mail address such as devops@example.com"
	addr, err := mail.ParseAddress(s)
	if err != nil || addr.Address != s || addr.Name != "" {
		return rule
	}
	_, domain, _ := strings.Cut(s, "@")
	if checkDomain(strings.ToLower(domain)) != "" {
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

// imageDigest is an image digest as ECR and docker push print it.
var imageDigest = regexp.MustCompile(`^sha256:[a-f0-9]{64}$`)

var (
	// GitHub: an owner is 1-39 letters, digits and single hyphens, neither
	// first nor last; a repository name is letters, digits, ., - and _, not
	// "." or "..".
	githubRepository = regexp.MustCompile(`^[A-Za-z0-9](?:-?[A-Za-z0-9]){0,38}/(?:[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}|\.[A-Za-z0-9_-][A-Za-z0-9._-]{0,98}|\.\.[A-Za-z0-9._-]{1,98})$`)
	namePrefixFormat = regexp.MustCompile(`^[a-z][a-z0-9-]*[a-z0-9]$`)
	regionFormat     = regexp.MustCompile(`^[a-z]{2}(-gov)?-[a-z]+-[0-9]$`)
	accountIDFormat  = regexp.MustCompile(`^[0-9]{12}$`)
)

// certificateARN matches an ACM certificate ARN and captures its region.
var certificateARN = regexp.MustCompile(`^arn:aws[a-z-]*:acm:([a-z0-9-]+):[0-9]{12}:certificate/[0-9a-f-]{36}$`)

// oidcProviderARN matches the ARN of the GitHub Actions OIDC provider.
var oidcProviderARN = regexp.MustCompile(`^arn:aws[a-z-]*:iam::[0-9]{12}:oidc-provider/token\.actions\.githubusercontent\.com$`)
