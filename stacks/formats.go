package stacks

import (
	"fmt"
	"net/mail"
	"net/netip"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// Parsers for the string formats settings use. Each returns a reason when the
// value is malformed, phrased to follow "must ..." in a validation message.

// parseIPv4CIDR parses a network address in CIDR form, e.g. 10.0.1.0/24.
func parseIPv4CIDR(s string) (netip.Prefix, string) {
	prefix, err := netip.ParsePrefix(s)
	if err != nil || !prefix.Addr().Is4() {
		return netip.Prefix{}, "must be an IPv4 CIDR block such as 10.0.1.0/24"
	}
	if masked := prefix.Masked(); masked != prefix {
		return netip.Prefix{}, fmt.Sprintf("must be a network address (did you mean %s?)", masked)
	}
	return prefix, ""
}

// prefixContains reports whether inner lies entirely inside outer.
func prefixContains(outer, inner netip.Prefix) bool {
	return inner.Bits() >= outer.Bits() && outer.Contains(inner.Addr())
}

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

// A window is a time range in UTC, in minutes from the start of its period
// (a day for daily windows, Monday 00:00 for weekly ones).
type window struct{ start, length, period int }

var (
	dailyWindow  = regexp.MustCompile(`^([01][0-9]|2[0-3]):([0-5][0-9])-([01][0-9]|2[0-3]):([0-5][0-9])$`)
	weeklyWindow = regexp.MustCompile(`^(mon|tue|wed|thu|fri|sat|sun):([01][0-9]|2[0-3]):([0-5][0-9])-(mon|tue|wed|thu|fri|sat|sun):([01][0-9]|2[0-3]):([0-5][0-9])$`)
	weekdays     = map[string]int{"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
)

const (
	minutesPerDay  = 24 * 60
	minutesPerWeek = 7 * minutesPerDay
)

// parseDailyWindow parses hh:mm-hh:mm (UTC).
func parseDailyWindow(s string) (window, string) {
	m := dailyWindow.FindStringSubmatch(s)
	if m == nil {
		return window{}, "must be a daily UTC window hh:mm-hh:mm such as 03:00-04:00"
	}
	start, end := atoi(m[1])*60+atoi(m[2]), atoi(m[3])*60+atoi(m[4])
	return window{start: start, length: mod(end-start, minutesPerDay), period: minutesPerDay}, ""
}

// parseWeeklyWindow parses ddd:hh:mm-ddd:hh:mm (UTC).
func parseWeeklyWindow(s string) (window, string) {
	m := weeklyWindow.FindStringSubmatch(s)
	if m == nil {
		return window{}, "must be a weekly UTC window ddd:hh:mm-ddd:hh:mm such as sun:04:00-sun:05:00"
	}
	start := weekdays[m[1]]*minutesPerDay + atoi(m[2])*60 + atoi(m[3])
	end := weekdays[m[4]]*minutesPerDay + atoi(m[5])*60 + atoi(m[6])
	return window{start: start, length: mod(end-start, minutesPerWeek), period: minutesPerWeek}, ""
}

// overlapsWeekly reports whether a daily window d and a weekly window w share a minute.
func overlapsWeekly(d, w window) bool {
	for day := range 7 {
		start := day*minutesPerDay + d.start
		if mod(w.start-start, minutesPerWeek) < d.length || mod(start-w.start, minutesPerWeek) < w.length {
			return true
		}
	}
	return false
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

func mod(a, n int) int { return ((a % n) + n) % n }

var (
	// GitHub: an owner is 1-39 letters, digits and single hyphens, neither
	// first nor last; a repository name is letters, digits, ., - and _, not
	// "." or "..".
	githubRepository = regexp.MustCompile(`^[A-Za-z0-9](?:-?[A-Za-z0-9]){0,38}/(?:[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}|\.[A-Za-z0-9_-][A-Za-z0-9._-]{0,98}|\.\.[A-Za-z0-9._-]{1,98})$`)
	namePrefixFormat = regexp.MustCompile(`^[a-z][a-z0-9-]*[a-z0-9]$`)
	regionFormat     = regexp.MustCompile(`^[a-z]{2}(-gov)?-[a-z]+-[0-9]$`)
	accountIDFormat  = regexp.MustCompile(`^[0-9]{12}$`)
	// A DB snapshot: a manual snapshot's identifier, an automated one's
	// (rds:<instance>-<date>), or either's ARN.
	dbSnapshotID  = regexp.MustCompile(`^(rds:)?[a-zA-Z](?:[a-zA-Z0-9]|-[a-zA-Z0-9]){0,254}$`)
	dbSnapshotARN = regexp.MustCompile(`^arn:aws[a-z-]*:rds:([a-z0-9-]+):[0-9]{12}:snapshot:(rds:)?[a-zA-Z](?:[a-zA-Z0-9]|-[a-zA-Z0-9]){0,254}$`)
	// An ElastiCache snapshot: a manual one's name or an automatic one's
	// (automatic.<group>-<date>).
	cacheSnapshotName = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9.-]{0,254}$`)
	dbInstanceClass   = regexp.MustCompile(`^db\.[a-z0-9]+\.[a-z0-9]+$`)
	cacheNodeType     = regexp.MustCompile(`^cache\.[a-z0-9]+\.[a-z0-9]+$`)
	majorVersion      = regexp.MustCompile(`^[0-9]+$`)
	majorMinor        = regexp.MustCompile(`^[0-9]+\.[0-9]+$`)
)

// certificateARN matches an ACM certificate ARN and captures its region.
var certificateARN = regexp.MustCompile(`^arn:aws[a-z-]*:acm:([a-z0-9-]+):[0-9]{12}:certificate/[0-9a-f-]{36}$`)

// oidcProviderARN matches the ARN of the GitHub Actions OIDC provider.
var oidcProviderARN = regexp.MustCompile(`^arn:aws[a-z-]*:iam::[0-9]{12}:oidc-provider/token\.actions\.githubusercontent\.com$`)
