package waf

import (
	"fmt"
	"strings"

	"github.com/ohmycoins/infra/internal/settings"
)

// Modes a web ACL's rules run in.
const (
	// Block: every rule acts; production.
	Block = "block"
	// Count: every rule only counts what it would have blocked, so staging
	// learns what the rules would do to real traffic before they act.
	Count = "count"
)

// The bounds AWS WAF puts on a rate-based rule's limit (requests per client
// IP in the evaluation window).
const (
	MinRateLimit = 10
	MaxRateLimit = 2_000_000_000
)

// Settings are the web application firewall's settings, the config key
// ohmycoins:waf of a stack: json tags name the keys, the presets give the
// values, Validate holds the rules.
type Settings struct {
	// Enabled puts a web ACL on the load balancer; both presets do, and the
	// policy check refuses a production plan without one.
	Enabled bool `json:"enabled"`
	// Mode is block (production) or count (staging: the rules count what
	// they would block).
	Mode string `json:"mode"`
	// RateLimit is the most requests one client IP may send in 5 minutes,
	// to any path.
	RateLimit int `json:"rateLimit"`
	// APIRateLimit is the most requests one client IP may send in 5
	// minutes to the API paths (/api/): stricter than RateLimit, which the
	// static frontend's many small files need.
	APIRateLimit int `json:"apiRateLimit"`
	// LoginRateLimit is the most requests one client IP may send in 5
	// minutes to LoginPaths: the strictest, against password guessing.
	LoginRateLimit int `json:"loginRateLimit"`
	// LoginPaths are the path prefixes of the API's sign-in and password
	// recovery (the FastAPI template's /api/v1/login/ and
	// /api/v1/password-recovery/).
	LoginPaths []string `json:"loginPaths"`
}

// Validate records every rule the settings break.
func (s Settings) Validate(p settings.Problems) {
	if !s.Enabled {
		return
	}
	if s.Mode != Block && s.Mode != Count {
		p.Add("mode", s.Mode, fmt.Sprintf("must be %q (the rules act) or %q (they only count)", Block, Count))
	}
	for _, limit := range []struct {
		key   string
		value int
	}{{"rateLimit", s.RateLimit}, {"apiRateLimit", s.APIRateLimit}, {"loginRateLimit", s.LoginRateLimit}} {
		if limit.value < MinRateLimit || limit.value > MaxRateLimit {
			p.Add(limit.key, limit.value, fmt.Sprintf("must be %d-%d requests per client IP in 5 minutes (AWS WAF's bounds)", MinRateLimit, MaxRateLimit))
		}
	}
	if s.APIRateLimit > s.RateLimit {
		p.Add("apiRateLimit", s.APIRateLimit, fmt.Sprintf("must not exceed rateLimit (%d): the API's limit is the stricter one", s.RateLimit))
	}
	if s.LoginRateLimit > s.APIRateLimit {
		p.Add("loginRateLimit", s.LoginRateLimit, fmt.Sprintf("must not exceed apiRateLimit (%d): signing in is the strictest limit", s.APIRateLimit))
	}
	if len(s.LoginPaths) == 0 {
		p.Add("loginPaths", s.LoginPaths, `must name at least one path prefix, e.g. ["/api/v1/login/"]`)
	}
	for _, path := range s.LoginPaths {
		if !strings.HasPrefix(path, "/api/") || strings.ContainsAny(path, " *?") || len(path) > maxSearchString {
			p.Add("loginPaths", path, fmt.Sprintf("must be a path prefix under /api/ without spaces or wildcards, at most %d characters, e.g. /api/v1/login/", maxSearchString))
		}
	}
	if dup := settings.FirstDuplicate(s.LoginPaths); dup != "" {
		p.Add("loginPaths", dup, "is listed twice")
	}
	if c := s.Capacity(); c > MaxCapacity {
		p.Add("loginPaths", len(s.LoginPaths), fmt.Sprintf("make the web ACL's capacity %d WCU, above the %d its base price covers: name fewer paths", c, MaxCapacity))
	}
}

// maxSearchString is the longest search string of a byte match statement.
const maxSearchString = 200

// Counting reports whether the rules only count.
func (s Settings) Counting() bool { return s.Mode == Count }

// ManagedRuleGroup is one of the AWS managed rule groups the web ACL runs.
type ManagedRuleGroup struct {
	Name string
	// Capacity is the group's web ACL capacity units (WCU), as AWS
	// documents them.
	Capacity int
	// Why it fits this application.
	Why string
}

// ManagedRuleGroups are the AWS managed rule groups the web ACL runs, in
// order of evaluation: the ones AWS recommends for every application, and
// those for what this one runs on (Linux containers, a PostgreSQL-backed
// API). The Windows, PHP and WordPress groups do not apply.
var ManagedRuleGroups = []ManagedRuleGroup{
	{"AWSManagedRulesAmazonIpReputationList", 25, "addresses Amazon's threat intelligence knows for bots and attacks"},
	{"AWSManagedRulesCommonRuleSet", 700, "the OWASP Top 10 basics: cross-site scripting, bad paths, oversized inputs"},
	{"AWSManagedRulesKnownBadInputsRuleSet", 200, "request patterns of known exploits (Log4j, Java deserialisation, localhost Host headers)"},
	{"AWSManagedRulesSQLiRuleSet", 200, "SQL injection into the PostgreSQL-backed API"},
	{"AWSManagedRulesLinuxRuleSet", 200, "local file inclusion on the Linux containers"},
}

// Web ACL capacity units (WCU) as AWS WAF counts them: a rate-based rule 2
// plus its scope-down statement's, a byte match on a path prefix without a
// text transformation 2 (an OR of several, the sum of them).
const (
	rateRuleCapacity  = 2
	byteMatchCapacity = 2
)

// MaxCapacity is the web ACL capacity AWS WAF's base request price covers;
// above it every request costs more, and above 5,000 the ACL is refused.
const MaxCapacity = 1500

// Capacity is the web ACL's capacity: its managed groups and its three rate
// rules (every path, the API's, the login paths').
func (s Settings) Capacity() int {
	total := rateRuleCapacity + (rateRuleCapacity + byteMatchCapacity) + (rateRuleCapacity + byteMatchCapacity*len(s.LoginPaths))
	for _, g := range ManagedRuleGroups {
		total += g.Capacity
	}
	return total
}
