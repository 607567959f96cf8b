// Package policy checks a recorded plan against rules before anyone runs
// `pulumi up`: the AWS Security Hub foundational controls that apply to what
// this program deploys, production's data-protection rules, and the AWS limits
// that would otherwise fail an apply halfway. Rules are data (an id citing the
// control or limit, a title, a severity) plus a function over the plan, so the
// tests, CI and `cmd/preview -check` run the same set.
//
// A stack may waive a rule with a reason (stacks.PolicySettings); waived
// violations are listed with their reason and do not fail the check.
package policy

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/ohmycoins/infra/internal/service"
	"github.com/ohmycoins/infra/internal/stackplan"
	"github.com/ohmycoins/infra/stacks"
)

// Severity ranks a rule.
type Severity string

// Severities, as Security Hub ranks its controls.
const (
	Critical Severity = "CRITICAL"
	High     Severity = "HIGH"
	Medium   Severity = "MEDIUM"
	Low      Severity = "LOW"
)

// Rule is one check over a plan.
type Rule struct {
	// ID is the Security Hub control (RDS.3) or a name of our own (DATA.*, LIMIT.*).
	ID    string
	Title string
	// Severity ranks a violation.
	Severity Severity
	// ProductionOnly rules do not apply to other environments.
	ProductionOnly bool
	// Check returns the violations of the rule in a plan.
	Check func(p Plan) []Violation
}

// Violation is one resource breaking one rule.
type Violation struct {
	Rule     string
	Resource string
	Message  string
	// Waiver is the reason the stack gives for not following the rule; empty if not waived.
	Waiver string
}

// Report is the outcome of checking a plan.
type Report struct {
	Rules      int
	Violations []Violation
	Waived     []Violation
	// UnknownWaivers name rules that do not exist (a typo would otherwise waive nothing silently).
	UnknownWaivers []string
}

// Passed reports whether nothing but waived violations was found.
func (r Report) Passed() bool { return len(r.Violations) == 0 && len(r.UnknownWaivers) == 0 }

// Stack is what the rules need to know of the stack besides its plan.
type Stack struct {
	// Production turns on production's data-protection rules.
	Production bool
	// Waivers are the stack's ohmycoins:policy.waivers: rule id → reason.
	Waivers map[string]string
	// DataClients are the services with data access (internal/service):
	// the only ones the database and the cache may admit.
	DataClients []string
}

// StackOf is what a stack's settings tell the rules.
func StackOf(s *stacks.Settings) Stack {
	if s == nil {
		return Stack{}
	}
	return Stack{Production: s.Environment == stacks.EnvProduction, Waivers: s.Policy.Waivers,
		DataClients: service.Names(service.DataClients(s.ServiceList()))}
}

// Check evaluates every rule on a plan of the stack, applying its waivers;
// production's rules only on production.
func Check(plan *stackplan.Plan, stack Stack) Report {
	clients := stack.DataClients
	if clients == nil {
		clients = service.Names(service.DataClients(service.Defaults))
	}
	p := Plan{Plan: plan, Production: stack.Production, DataClients: clients}
	waivers := stack.Waivers
	report := Report{}
	known := map[string]bool{}
	for _, rule := range Rules {
		known[rule.ID] = true
		if rule.ProductionOnly && !p.Production {
			continue
		}
		report.Rules++
		for _, v := range rule.Check(p) {
			v.Rule = rule.ID
			if reason, ok := waivers[rule.ID]; ok {
				v.Waiver = reason
				report.Waived = append(report.Waived, v)
			} else {
				report.Violations = append(report.Violations, v)
			}
		}
	}
	for id := range waivers {
		if !known[id] {
			report.UnknownWaivers = append(report.UnknownWaivers, id)
		}
	}
	sort.Strings(report.UnknownWaivers)
	return report
}

// Write prints each violation and waived violation, then the summary
// "N rules, M violations, W waived".
func (r Report) Write(w io.Writer) {
	if len(r.Violations)+len(r.Waived) > 0 {
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "RULE\tRESOURCE\tMESSAGE")
		for _, v := range r.Violations {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", v.Rule, v.Resource, v.Message)
		}
		for _, v := range r.Waived {
			fmt.Fprintf(tw, "%s\t%s\t%s (waived: %s)\n", v.Rule, v.Resource, v.Message, v.Waiver)
		}
		_ = tw.Flush()
	}
	for _, id := range r.UnknownWaivers {
		fmt.Fprintf(w, "ohmycoins:policy.waivers.%s waives a rule that does not exist\n", id)
	}
	fmt.Fprintf(w, "%d rules, %d violations, %d waived\n", r.Rules, len(r.Violations), len(r.Waived))
}

// RuleIDs lists the ids of every rule.
func RuleIDs() []string {
	ids := make([]string, len(Rules))
	for i, r := range Rules {
		ids[i] = r.ID
	}
	return ids
}

// Plan is a plan with what the rules ask of it.
type Plan struct {
	*stackplan.Plan
	// Production is whether the stack is production (Stack.Production).
	Production bool
	// DataClients are the services the data tiers may admit (Stack.DataClients).
	DataClients []string
}

// each runs f on every resource of a type and collects its messages as violations.
func (p Plan) each(typ string, f func(r stackplan.Resource) []string) []Violation {
	var out []Violation
	for _, r := range p.OfType(typ) {
		for _, msg := range f(r) {
			out = append(out, Violation{Resource: r.Name, Message: msg})
		}
	}
	return out
}

// unless returns msg when ok is false.
func unless(ok bool, format string, args ...any) []string {
	if ok {
		return nil
	}
	return []string{fmt.Sprintf(format, args...)}
}

// in reads a nested input: in(r, "healthCheck", "path").
func in(r stackplan.Resource, path ...string) any {
	var v any = r.Inputs
	for _, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func str(v any) string  { s, _ := v.(string); return s }
func num(v any) float64 { f, _ := v.(float64); return f }
func isTrue(v any) bool { b, _ := v.(bool); return b }

func list(v any) []any { l, _ := v.([]any); return l }

// hasPrefixAny reports whether s starts with one of the prefixes.
func hasPrefixAny(s string, prefixes ...string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}
