// Package settings is what the components' settings types share, below the
// components: a list of problems, each naming its key, its value and the rule
// it breaks (a component validates its own settings with it, and the stacks
// report the problems of every tier together), and the maintenance-window
// rules RDS and ElastiCache have in common.
package settings

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Problem is one broken rule: a key (area.field), the value, the rule.
type Problem struct {
	Key string
	// Value is the offending value; HasValue is false for problems without
	// one (a setting that needs another).
	Value    any
	HasValue bool
	Rule     string
}

// Problems collects problems under a key prefix (an area: database, cache).
type Problems struct {
	prefix string
	list   *[]Problem
}

// NewProblems is an empty list.
func NewProblems() Problems { return Problems{list: &[]Problem{}} }

// In is the same list, with keys under area.
func (p Problems) In(area string) Problems {
	return Problems{prefix: p.prefix + area + ".", list: p.list}
}

// Add records that key = value breaks rule.
func (p Problems) Add(key string, value any, rule string) {
	*p.list = append(*p.list, Problem{Key: p.prefix + key, Value: value, HasValue: true, Rule: rule})
}

// Addf records a problem of key without a value.
func (p Problems) Addf(key, format string, args ...any) {
	*p.list = append(*p.list, Problem{Key: p.prefix + key, Rule: fmt.Sprintf(format, args...)})
}

// Key is key as the problems name it, under their prefix (frontend.imageDigest).
func (p Problems) Key(key string) string { return p.prefix + key }

// List is what was recorded, in order.
func (p Problems) List() []Problem { return *p.list }

// Err is the problems as one error of component ("rds: allocatedStorage = 20: ..."), nil for none.
func (p Problems) Err(component string) error {
	var errs []error
	for _, q := range *p.list {
		if q.HasValue {
			errs = append(errs, fmt.Errorf("%s: %s = %v: %s", component, q.Key, q.Value, q.Rule))
		} else {
			errs = append(errs, fmt.Errorf("%s: %s %s", component, q.Key, q.Rule))
		}
	}
	return errors.Join(errs...)
}

// LogRetentionDays are the retentions CloudWatch Logs accepts, in days.
var LogRetentionDays = []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

// ValidLogRetention reports whether CloudWatch Logs accepts a retention in days.
func ValidLogRetention(days int) bool { return slices.Contains(LogRetentionDays, days) }

// LogRetentionRule is the rule a wrong retention breaks.
var LogRetentionRule = "must be a retention CloudWatch Logs accepts: " + JoinInts(LogRetentionDays)

// JoinInts lists values for a rule's text: "0, 1, 5".
func JoinInts(values []int) string {
	parts := make([]string, len(values))
	for i, v := range values {
		parts[i] = strconv.Itoa(v)
	}
	return strings.Join(parts, ", ")
}

// CheckWindows checks a daily (backup, snapshot) and a weekly (maintenance)
// window of service: their format, their length, and that they do not overlap.
func CheckWindows(p Problems, dailyKey, daily, weeklyKey, weekly string, minMinutes int, service string) {
	tooShort := fmt.Sprintf("must last at least %d minutes", minMinutes)
	d, reason := parseDailyWindow(daily)
	if reason != "" {
		p.Add(dailyKey, daily, reason)
	} else if d.length < minMinutes {
		p.Add(dailyKey, daily, tooShort)
	}
	w, wreason := parseWeeklyWindow(weekly)
	if wreason != "" {
		p.Add(weeklyKey, weekly, wreason)
	} else if w.length < minMinutes {
		p.Add(weeklyKey, weekly, tooShort)
	}
	if reason == "" && wreason == "" && overlapsWeekly(d, w) {
		p.Add(weeklyKey, weekly, fmt.Sprintf("must not overlap %s%s = %q (%s rejects overlapping windows)", p.prefix, dailyKey, daily, service))
	}
}

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

// EditDistance is the Levenshtein distance of two short strings: how a
// misspelt key or namespace finds what was meant.
func EditDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

var dnsLabel = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)

// CheckDomain accepts a lower-case DNS name of two or more labels, e.g. staging.ohmycoins.com.
func CheckDomain(s string) string {
	switch labels := strings.Split(s, "."); {
	case s == "":
		return "must be a DNS name such as staging.example.com"
	case strings.Contains(s, "://"):
		_, host, _ := strings.Cut(s, "://")
		host, _, _ = strings.Cut(host, "/")
		return "must be a host name, not a URL: " + host
	case len(s) > 253:
		return fmt.Sprintf("must be a DNS name of at most 253 characters, not %d", len(s))
	case strings.HasSuffix(s, "."):
		return "must be written without the final dot, such as " + strings.TrimSuffix(s, ".")
	default:
		for _, l := range labels {
			if !dnsLabel.MatchString(l) {
				if dnsLabel.MatchString(strings.ToLower(l)) {
					return "must be lower case: " + strings.ToLower(s)
				}
				return fmt.Sprintf("has the label %q, which is not a DNS label (1-63 lower-case letters, digits and hyphens, no hyphen first or last)", l)
			}
		}
		if len(labels) < 2 {
			return "must be a domain of at least two labels, such as example.com: " + s + " alone is a top-level domain"
		}
		if _, err := strconv.Atoi(labels[len(labels)-1]); err == nil {
			return "must end in a top-level domain, not a number: an IP address is not a domain"
		}
	}
	return ""
}

// FirstDuplicate is the first value listed twice in list, "" when none is.
func FirstDuplicate(list []string) string {
	seen := map[string]bool{}
	for _, v := range list {
		if seen[v] {
			return v
		}
		seen[v] = true
	}
	return ""
}
