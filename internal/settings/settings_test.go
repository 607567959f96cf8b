package settings

import "testing"

func TestFirstDuplicateIsTheFirstValueSeenTwice(t *testing.T) {
	for _, c := range []struct {
		list []string
		want string
	}{
		{nil, ""},
		{[]string{"a", "b"}, ""},
		{[]string{"a", "b", "b", "a"}, "b"},
		{[]string{"/api/", "/API/"}, ""},
	} {
		if got := FirstDuplicate(c.list); got != c.want {
			t.Errorf("FirstDuplicate(%q) = %q, want %q", c.list, got, c.want)
		}
	}
}

// TestCheckDomainSaysWhichRuleANameBreaks: each wrong domain is told the
// rule it breaks, not one message for all.
func TestCheckDomainSaysWhichRuleANameBreaks(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]string{
		"staging.ohmycoins.com":           "",
		"com":                             "must be a domain of at least two labels, such as example.com: com alone is a top-level domain",
		"ohmycoins.com.":                  "must be written without the final dot, such as ohmycoins.com",
		"Staging.OhMyCoins.com":           "must be lower case: staging.ohmycoins.com",
		"-api.ohmycoins.com":              `has the label "-api", which is not a DNS label (1-63 lower-case letters, digits and hyphens, no hyphen first or last)`,
		"https://staging.ohmycoins.com/x": "must be a host name, not a URL: staging.ohmycoins.com",
		"10.0.0.1":                        "must end in a top-level domain, not a number: an IP address is not a domain",
		"":                                "must be a DNS name such as staging.example.com",
		"under_score.ohmycoins.com":       `has the label "under_score", which is not a DNS label (1-63 lower-case letters, digits and hyphens, no hyphen first or last)`,
	} {
		if got := CheckDomain(name); got != want {
			t.Errorf("CheckDomain(%q) = %q, want %q", name, got, want)
		}
	}
}
