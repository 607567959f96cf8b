// Package iamsim evaluates identity policies the way IAM does for one request,
// so tests and checks can prove what a role may do and, above all, what it may
// not: an explicit Deny wins, then any Allow, else the request is implicitly
// denied. It covers the part of the policy language this program writes:
// Action and Resource globs (* and ?), NotResource, and the condition
// operators StringEquals, StringNotEquals, StringLike, StringNotLike, ArnLike,
// ArnEquals, Bool and Null, with the ForAnyValue:/ForAllValues: set
// qualifiers and the IfExists suffix. An operator it does not know makes the
// statement fail to match, and Unknown reports it, so a test cannot pass on a
// condition it did not understand.
package iamsim

import (
	"fmt"
	"strings"

	"github.com/ohmycoins/infra/internal/policydoc"
)

// Request is one authorisation IAM makes: an action on one resource, with the
// request's condition keys. A call that touches several resources (creating a
// subnet in a VPC) is authorised once per resource, each with its own context.
type Request struct {
	Action   string
	Resource string
	// Context maps condition keys (aws:ResourceTag/Environment,
	// kms:ResourceAliases, ...) to their values; a key absent here is absent
	// from the request.
	Context map[string][]string
}

// Decision is the outcome of an evaluation.
type Decision string

// The three outcomes IAM distinguishes.
const (
	Allowed      Decision = "allowed"
	ImplicitDeny Decision = "implicitly denied"
	ExplicitDeny Decision = "explicitly denied"
)

// Evaluate decides the request against the identity policies of one principal.
func Evaluate(r Request, docs ...policydoc.Document) Decision {
	allowed := false
	for _, d := range docs {
		for _, s := range d.Statement {
			if !matches(s, r) {
				continue
			}
			if s.Effect == "Deny" {
				return ExplicitDeny
			}
			allowed = true
		}
	}
	if allowed {
		return Allowed
	}
	return ImplicitDeny
}

// Unknown lists the condition operators of the documents Evaluate does not
// understand; a test should require it empty.
func Unknown(docs ...policydoc.Document) []string {
	var out []string
	for _, d := range docs {
		for _, s := range d.Statement {
			for op := range s.Condition {
				if _, _, _, ok := parseOperator(op); !ok {
					out = append(out, fmt.Sprintf("%s: %s", s.Sid, op))
				}
			}
		}
	}
	return out
}

func matches(s policydoc.Statement, r Request) bool {
	if !anyGlob(s.Action, r.Action, true) {
		return false
	}
	switch {
	case len(s.Resource) == 0 && len(s.NotResource) == 0:
		// A resource-based policy (a trust policy): it applies to its resource.
	case len(s.NotResource) > 0:
		if anyGlob(s.NotResource, r.Resource, false) {
			return false
		}
	case !anyGlob(s.Resource, r.Resource, false):
		return false
	}
	for op, keys := range s.Condition {
		for key, values := range keys {
			if !condition(op, r.Context[key], values) {
				return false
			}
		}
	}
	return true
}

// condition evaluates one operator on one key: have are the request's values
// (nil when the key is absent), want the policy's.
func condition(op string, have, want []string) bool {
	base, set, ifExists, ok := parseOperator(op)
	if !ok {
		return false
	}
	if base == "Null" {
		absent := len(have) == 0
		return len(want) == 1 && (want[0] == "true") == absent
	}
	if len(have) == 0 {
		// A missing key: IfExists and ForAllValues pass, negated operators
		// pass, everything else fails.
		return ifExists || set == "ForAllValues" || strings.HasPrefix(base, "StringNot") || strings.HasPrefix(base, "ArnNot")
	}
	negated := strings.Contains(base, "Not")
	match := func(v string) bool {
		for _, w := range want {
			if compare(base, v, w) {
				return true
			}
		}
		return false
	}
	switch set {
	case "ForAllValues":
		for _, v := range have {
			if match(v) == negated {
				return false
			}
		}
		return true
	default: // single-valued keys and ForAnyValue
		for _, v := range have {
			if match(v) != negated {
				return true
			}
		}
		return false
	}
}

// compare applies a base operator's comparison (not its negation).
func compare(base, value, pattern string) bool {
	switch base {
	case "StringEquals", "StringNotEquals", "ArnEquals", "ArnNotEquals":
		return value == pattern
	case "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase":
		return strings.EqualFold(value, pattern)
	case "StringLike", "StringNotLike", "ArnLike", "ArnNotLike":
		return glob(pattern, value)
	case "Bool":
		return strings.EqualFold(value, pattern)
	}
	return false
}

var operators = map[string]bool{
	"StringEquals": true, "StringNotEquals": true, "StringEqualsIgnoreCase": true, "StringNotEqualsIgnoreCase": true,
	"StringLike": true, "StringNotLike": true, "ArnEquals": true, "ArnNotEquals": true, "ArnLike": true, "ArnNotLike": true,
	"Bool": true, "Null": true,
}

func parseOperator(op string) (base, set string, ifExists, ok bool) {
	base = op
	for _, q := range []string{"ForAnyValue:", "ForAllValues:"} {
		if strings.HasPrefix(base, q) {
			set, base = strings.TrimSuffix(q, ":"), strings.TrimPrefix(base, q)
		}
	}
	if strings.HasSuffix(base, "IfExists") && base != "IfExists" {
		base, ifExists = strings.TrimSuffix(base, "IfExists"), true
	}
	return base, set, ifExists, operators[base]
}

func anyGlob(patterns []string, s string, foldCase bool) bool {
	for _, p := range patterns {
		if foldCase {
			if glob(strings.ToLower(p), strings.ToLower(s)) {
				return true
			}
		} else if glob(p, s) {
			return true
		}
	}
	return false
}

// glob matches IAM wildcards: * any run of characters (across / and :), ? one.
func glob(pattern, s string) bool {
	p, i := 0, 0
	star, mark := -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == s[i]):
			p++
			i++
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case star >= 0:
			p = star + 1
			mark++
			i = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

// ConditionKeys builds a request's condition keys from key, value pairs (a
// []string value for multivalued keys).
func ConditionKeys(kv ...any) map[string][]string {
	ctx := map[string][]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		switch v := kv[i+1].(type) {
		case string:
			ctx[kv[i].(string)] = []string{v}
		case []string:
			ctx[kv[i].(string)] = v
		}
	}
	return ctx
}
