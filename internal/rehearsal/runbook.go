// Package rehearsal runs a procedure of docs/RUNBOOK.md verbatim against a
// simulated account before anyone runs it against the real one: the pulumi
// commands of its code blocks through the real Pulumi CLI with the
// stand-in plugins, the aws commands through the AWS CLI stand-in
// (internal/awscli). After every step it reports what changed, whether the
// application could be reached, and at the end which data was lost. The
// RUNBOOK's own text says how each procedure is rehearsed: its rules sit
// next to the procedure, in a comment the rendered page does not show.
package rehearsal

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Procedure is one section of the RUNBOOK that the rehearsal can run: its
// commands in order and the rules that say how.
type Procedure struct {
	// Title is the heading's text; Slug is the title in lower case with
	// spaces as hyphens (the name -procedure takes besides the title).
	Title, Slug string
	// Commands are the shell commands of the section's code blocks, in
	// order, comments stripped and continued lines joined.
	Commands []string
	// Blocks are, for each command, the code block it is in (counted from
	// 0): a block starts in the repository's root, and a `cd` holds until
	// the block ends, as for an operator who runs a block from the root.
	Blocks []int
	Rules  Rules
	// Text is the section's own text, up to its first subsection.
	Text string
	// Before are the steps of another procedure that run first, set by
	// Prepare from the After rule.
	Before *Procedure
}

// Rules say how a procedure is rehearsed, written next to it in the RUNBOOK:
//
//	<!-- rehearsal
//	starts from: the running stack
//	stacks: staging, production
//	also running: staging
//	written for: production
//	for staging: ohmycoins-prod => ohmycoins-staging
//	fill: <the database URN> = urn aws:rds/instance:Instance
//	fill: rds:ohmycoins-prod-postgres-2026-11-27-03-05 = newest automated snapshot
//	window: 6-6 the database is deleted first, then restored
//	window for production: 24-43 production's load balancer is replaced
//	discards: aws:cloudwatch/logGroup:LogGroup
//	skip for staging: 4-5 production's part
//	subsections: included
//	drift: aws:cloudwatch/logGroup:LogGroup ohmycoins-staging-backend-logs retentionInDays=1
//	fails: 1 no changes were expected
//	deployed failing: backend
//	after for production: moving-from-terraform-the-original-environments step 12
//	outage: ap-southeast-2
//	recovers: aws:rds/instance:Instance
//	-->
type Rules struct {
	// StartsFrom is what exists before the first command: StartsFromNothing
	// (an initialised stack), StartsFromRunningStack (the stack up and
	// serving its images, with RDS's automated snapshot of its database) or
	// StartsFromTerraform (the original environment of a Terraform state).
	StartsFrom string
	// Stacks are the stacks the procedure applies to.
	Stacks []string
	// AlsoRunning are other stacks up and serving before the first step
	// (NewerImage: staging ahead of production), for a procedure between
	// stacks (promoting an image).
	AlsoRunning []string
	// WrittenFor is the stack the commands name: for another stack,
	// "--stack <WrittenFor>" (and cmd/preview's "-stack") names that stack instead, and Renames[stack]
	// replace the rest (its resources' prefix).
	WrittenFor string
	Renames    map[string][]Rename
	// Fills are the placeholders and how each is filled.
	Fills []Fill
	// Windows are the step ranges in which the RUNBOOK announces that the
	// application cannot be reached.
	Windows []Window
	// Discards are the data types the procedure deletes on purpose (a
	// teardown's logs): lost, and announced.
	Discards []string
	// Subsections says the procedure's commands include its subsections'
	// (a procedure in numbered steps); otherwise they are its own text's.
	Subsections bool
	// Skips are the steps (1-based, of the commands as written) a stack
	// leaves out: another stack's part of the procedure.
	Skips map[string][]Window
	// Drifts are changes made behind the program's back before the first
	// step (what a procedure about drift starts from).
	Drifts []Drift
	// DeployedFailing are services whose last deployment, committed and
	// run before the first step, was an image whose tasks fail their health
	// checks (FailingImage), which ECS rolled back.
	DeployedFailing []string
	// Fails are the steps expected to fail, each with a text its output
	// must hold (a preview that finds drift).
	Fails map[int]string
	// Bucket is the state bucket's URL as the commands name it: the
	// rehearsal stands a local directory in for it.
	Bucket string
	// After is where the procedure starts in another one, by stack: that
	// procedure's steps up to a number (of that stack's steps) run first,
	// as its set-up (a way back from the middle of a move).
	After map[string]After
	// Outage are regions down from before the first step to the end (a
	// restore in another region): their regional services answer nothing,
	// and what they hold is neither lost nor reachable.
	Outage []string
	// Recovers are data types the procedure brings back out of the
	// regions in the outage: each body of them that a resource there held
	// before the first step, a resource outside them holds after the last.
	Recovers []string
}

// After names steps of another procedure that run before a procedure: the
// first Steps of Procedure (a slug).
type After struct {
	Procedure string
	Steps     int
}

// Drift is a change of a resource's values behind the program's back.
type Drift struct {
	// Type and Name are the resource's type and logical name.
	Type, Name string
	Values     map[string]any
}

// The starting points a procedure can name.
const (
	StartsFromNothing      = "nothing"
	StartsFromRunningStack = "the running stack"
	StartsFromTerraform    = "the terraform state"
)

// Rename is a text of the commands and what it is for another stack.
type Rename struct{ From, To string }

// Fill is one placeholder of a procedure's commands and its rule: "urn
// <type>" (the URN of the stack's one resource of that type) or "newest
// automated snapshot" (of the stack's database).
type Fill struct {
	Placeholder, Rule string
}

// Window is a range of steps (1-based, inclusive) in which the application
// is announced to be unreachable, and why.
type Window struct {
	From int    `json:"from"`
	To   int    `json:"to"`
	Why  string `json:"why"`
	// Stack is the one stack a window is announced for ("window for
	// <stack>:", in that stack's steps); "" for every stack.
	Stack string `json:"-"`
}

// Slug is a title in lower case with spaces as hyphens, without the
// characters a shell would need quoted ("Upgrading PostgreSQL (major
// version)" is upgrading-postgresql-major-version).
func Slug(title string) string {
	var b strings.Builder
	hyphen := false
	for _, r := range strings.ToLower(title) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			if hyphen && b.Len() > 0 {
				b.WriteByte('-')
			}
			hyphen = false
			b.WriteRune(r)
		default:
			hyphen = true
		}
	}
	return b.String()
}

var heading = regexp.MustCompile(`^(#{2,4}) (.+)$`)

// Procedures are the RUNBOOK's sections that carry rehearsal rules. A
// section runs to the next heading of its level or above, subsections
// included.
func Procedures(runbook string) ([]Procedure, error) {
	lines := strings.Split(runbook, "\n")
	type section struct {
		level      int
		title      string
		start, end int
	}
	var sections []section
	fenced := false
	for i, l := range lines {
		if strings.HasPrefix(l, "```") {
			fenced = !fenced
			continue
		}
		if m := heading.FindStringSubmatch(l); m != nil && !fenced {
			for j := range sections {
				if sections[j].end == 0 && sections[j].level >= len(m[1]) {
					sections[j].end = i
				}
			}
			sections = append(sections, section{level: len(m[1]), title: m[2], start: i + 1})
		}
	}
	var out []Procedure
	for _, s := range sections {
		if s.end == 0 {
			s.end = len(lines)
		}
		body := lines[s.start:s.end]
		rules, ok, err := parseRules(ownText(body))
		if err != nil {
			return nil, fmt.Errorf("docs/RUNBOOK.md, %q: %w", s.title, err)
		}
		if !ok {
			continue
		}
		text := body
		if !rules.Subsections {
			text = strings.Split(ownText(body), "\n")
		}
		commands, blocks := commands(text)
		out = append(out, Procedure{Title: s.title, Slug: Slug(s.title), Commands: commands, Blocks: blocks, Rules: rules, Text: ownText(body)})
	}
	return out, nil
}

// Find is the procedure a name means: its title or its slug.
func Find(procedures []Procedure, name string) (Procedure, error) {
	var names []string
	for _, p := range procedures {
		if p.Title == name || p.Slug == name {
			return p, nil
		}
		names = append(names, p.Slug)
	}
	return Procedure{}, fmt.Errorf("-procedure %q: docs/RUNBOOK.md has no rehearsed procedure of that title or slug; the rehearsed ones are %s", name, strings.Join(names, ", "))
}

// ownText is a section's text up to its first subsection: where its rules
// are written.
func ownText(body []string) string {
	fenced := false
	for i, l := range body {
		if strings.HasPrefix(l, "```") {
			fenced = !fenced
		}
		if !fenced && heading.MatchString(l) {
			return strings.Join(body[:i], "\n")
		}
	}
	return strings.Join(body, "\n")
}

// commands are the shell commands of a section's ```sh blocks, and the
// block of each.
func commands(body []string) ([]string, []int) {
	var out []string
	var blocks []int
	block := -1
	fenced, shell := false, false
	pending := ""
	for _, l := range body {
		if strings.HasPrefix(l, "```") {
			if !fenced {
				shell = strings.TrimSpace(strings.TrimPrefix(l, "```")) == "sh"
				if shell {
					block++
				}
			}
			fenced = !fenced
			continue
		}
		if !fenced || !shell {
			continue
		}
		l = stripComment(l)
		if strings.TrimSpace(l) == "" {
			continue
		}
		if strings.HasSuffix(l, "\\") {
			pending += strings.TrimSuffix(l, "\\")
			continue
		}
		out = append(out, strings.Join(strings.Fields(pending+l), " "))
		blocks = append(blocks, block)
		pending = ""
	}
	return out, blocks
}

// stripComment cuts a shell comment off a line: a # that starts a word,
// outside quotes.
func stripComment(l string) string {
	quote := rune(0)
	for i, r := range l {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			}
		case r == '\'' || r == '"':
			quote = r
		case r == '#' && (i == 0 || l[i-1] == ' ' || l[i-1] == '\t'):
			return strings.TrimRight(l[:i], " \t")
		}
	}
	return strings.TrimRight(l, " \t")
}

var rulesComment = regexp.MustCompile(`(?s)<!-- rehearsal\n(.*?)-->`)

// parseRules reads a section's rules; ok is false where it has none.
func parseRules(text string) (Rules, bool, error) {
	m := rulesComment.FindStringSubmatch(text)
	if m == nil {
		return Rules{}, false, nil
	}
	var r Rules
	for _, line := range strings.Split(m[1], "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		key, value, ok := strings.Cut(line, ": ")
		if !ok {
			return r, true, fmt.Errorf("rehearsal rule %q: want <key>: <value>", line)
		}
		switch key {
		case "starts from":
			if !slices.Contains([]string{StartsFromNothing, StartsFromRunningStack, StartsFromTerraform, StartsFromTheProviderInTheStack, StartsFromTheLocalBootstrap}, value) {
				return r, true, fmt.Errorf("rehearsal rule %q: starts from %q, %q, %q, %q or %q", line, StartsFromNothing, StartsFromRunningStack, StartsFromTerraform, StartsFromTheProviderInTheStack, StartsFromTheLocalBootstrap)
			}
			r.StartsFrom = value
		case "stacks":
			r.Stacks = append(r.Stacks, commaList(value)...)
		case "also running":
			r.AlsoRunning = append(r.AlsoRunning, commaList(value)...)
		case "written for":
			r.WrittenFor = value
		case "fill":
			placeholder, rule, ok := strings.Cut(value, " = ")
			if !ok {
				return r, true, fmt.Errorf("rehearsal rule %q: want fill: <placeholder> = <rule>", line)
			}
			r.Fills = append(r.Fills, Fill{Placeholder: placeholder, Rule: rule})
		case "window":
			w, err := parseWindow(value)
			if err != nil {
				return r, true, fmt.Errorf("rehearsal rule %q: want window: <first step>-<last step> <why>", line)
			}
			r.Windows = append(r.Windows, w)
		case "discards":
			r.Discards = append(r.Discards, commaList(value)...)
		case "drift":
			fields := strings.Fields(value)
			if len(fields) < 3 {
				return r, true, fmt.Errorf("rehearsal rule %q: want drift: <type> <logical name> <input>=<JSON value> [<input>=<JSON value>]", line)
			}
			d := Drift{Type: fields[0], Name: fields[1], Values: map[string]any{}}
			for _, kv := range fields[2:] {
				k, v, ok := strings.Cut(kv, "=")
				var value any
				if !ok || json.Unmarshal([]byte(v), &value) != nil {
					return r, true, fmt.Errorf("rehearsal rule %q: %q is not <input>=<JSON value>", line, kv)
				}
				d.Values[k] = value
			}
			r.Drifts = append(r.Drifts, d)
		case "deployed failing":
			r.DeployedFailing = append(r.DeployedFailing, commaList(value)...)
		case "fails":
			step, text, _ := strings.Cut(value, " ")
			n, err := strconv.Atoi(step)
			if err != nil || n < 1 || text == "" {
				return r, true, fmt.Errorf("rehearsal rule %q: want fails: <step> <text its output holds>", line)
			}
			if r.Fails == nil {
				r.Fails = map[int]string{}
			}
			r.Fails[n] = text
		case "bucket":
			r.Bucket = value
		case "outage":
			r.Outage = append(r.Outage, commaList(value)...)
		case "recovers":
			r.Recovers = append(r.Recovers, commaList(value)...)
		case "subsections":
			if value != "included" {
				return r, true, fmt.Errorf("rehearsal rule %q: want subsections: included", line)
			}
			r.Subsections = true
		default:
			if stack, ok := strings.CutPrefix(key, "after for "); ok {
				slug, n, ok := strings.Cut(value, " step ")
				steps, err := strconv.Atoi(n)
				if !ok || err != nil || steps < 1 {
					return r, true, fmt.Errorf("rehearsal rule %q: want after for <stack>: <procedure> step <n>", line)
				}
				if r.After == nil {
					r.After = map[string]After{}
				}
				r.After[stack] = After{Procedure: slug, Steps: steps}
				continue
			}
			if stack, ok := strings.CutPrefix(key, "window for "); ok {
				w, err := parseWindow(value)
				if err != nil {
					return r, true, fmt.Errorf("rehearsal rule %q: want window for <stack>: <first step>-<last step> <why>", line)
				}
				w.Stack = stack
				r.Windows = append(r.Windows, w)
				continue
			}
			if stack, ok := strings.CutPrefix(key, "skip for "); ok {
				w, err := parseWindow(value)
				if err != nil {
					return r, true, fmt.Errorf("rehearsal rule %q: want skip for <stack>: <first step>-<last step> <why>", line)
				}
				if r.Skips == nil {
					r.Skips = map[string][]Window{}
				}
				r.Skips[stack] = append(r.Skips[stack], w)
				continue
			}
			stack, ok := strings.CutPrefix(key, "for ")
			if !ok {
				return r, true, fmt.Errorf("rehearsal rule %q: unknown key %q (starts from, stacks, written for, for <stack>, fill, window)", line, key)
			}
			for _, pair := range strings.Split(value, ",") {
				from, to, ok := strings.Cut(strings.TrimSpace(pair), " => ")
				if !ok {
					return r, true, fmt.Errorf("rehearsal rule %q: want for <stack>: <text> => <text>[, <text> => <text>]", line)
				}
				if r.Renames == nil {
					r.Renames = map[string][]Rename{}
				}
				r.Renames[stack] = append(r.Renames[stack], Rename{From: from, To: to})
			}
		}
	}
	if r.StartsFrom == "" || len(r.Stacks) == 0 {
		return r, true, fmt.Errorf("rehearsal rules need \"starts from\" and \"stacks\"")
	}
	if len(r.Recovers) > 0 && len(r.Outage) == 0 {
		return r, true, fmt.Errorf("rehearsal rules: recovers %s from an outage, but no \"outage:\" rule names the regions down", strings.Join(r.Recovers, ", "))
	}
	for _, s := range r.Stacks {
		if r.WrittenFor != "" && s != r.WrittenFor && len(r.Renames[s]) == 0 {
			return r, true, fmt.Errorf("rehearsal rules: written for %s, rehearsed for %s too, but no \"for %s:\" rule says what its names are", r.WrittenFor, s, s)
		}
	}
	return r, true, nil
}

// commaList is a rule's value split at its commas, each item trimmed.
func commaList(value string) []string {
	var out []string
	for _, item := range strings.Split(value, ",") {
		out = append(out, strings.TrimSpace(item))
	}
	return out
}

// parseWindow reads "<from>-<to> <why>".
func parseWindow(value string) (Window, error) {
	span, why, _ := strings.Cut(value, " ")
	from, to, _ := strings.Cut(span, "-")
	f, err1 := strconv.Atoi(from)
	t, err2 := strconv.Atoi(to)
	if err1 != nil || err2 != nil || f < 1 || t < f {
		return Window{}, fmt.Errorf("not a step range")
	}
	return Window{From: f, To: t, Why: why}, nil
}

// For is the procedure's commands for a stack, and its placeholders
// renamed the same way.
func (p Procedure) For(stack string) (Procedure, error) {
	if !slices.Contains(p.Rules.Stacks, stack) {
		return p, fmt.Errorf("-stack %s: %q is rehearsed for %s only", stack, p.Title, strings.Join(p.Rules.Stacks, ", "))
	}
	for _, skip := range p.Rules.Skips[stack] {
		if skip.To > len(p.Commands) {
			return p, fmt.Errorf("%q: skip for %s: %d-%d, but it has %d commands", p.Title, stack, skip.From, skip.To, len(p.Commands))
		}
	}
	var windows []Window
	for _, w := range p.Rules.Windows {
		if w.Stack == "" || w.Stack == stack {
			windows = append(windows, w)
		}
	}
	p.Rules.Windows = windows
	p.Commands, p.Blocks = p.skipped(stack)
	if p.Rules.WrittenFor == "" || stack == p.Rules.WrittenFor {
		return p, nil
	}
	rename := func(s string) string {
		s = regexp.MustCompile(`(--?stack) `+regexp.QuoteMeta(p.Rules.WrittenFor)+`\b`).ReplaceAllString(s, "$1 "+stack)
		for _, r := range p.Rules.Renames[stack] {
			s = strings.ReplaceAll(s, r.From, r.To)
		}
		return s
	}
	out := p
	out.Commands = nil
	for _, c := range p.Commands {
		out.Commands = append(out.Commands, rename(c))
	}
	out.Rules.Drifts = nil
	for _, d := range p.Rules.Drifts {
		d.Name = rename(d.Name)
		out.Rules.Drifts = append(out.Rules.Drifts, d)
	}
	out.Rules.Fills = nil
	for _, f := range p.Rules.Fills {
		out.Rules.Fills = append(out.Rules.Fills, Fill{Placeholder: rename(f.Placeholder), Rule: rename(f.Rule)})
	}
	return out, nil
}

// skipped are the commands a stack runs, and their blocks: all but its
// skips.
func (p Procedure) skipped(stack string) ([]string, []int) {
	var out []string
	var blocks []int
	for i, c := range p.Commands {
		if !slices.ContainsFunc(p.Rules.Skips[stack], func(w Window) bool { return w.From <= i+1 && i+1 <= w.To }) {
			out = append(out, c)
			if i < len(p.Blocks) {
				blocks = append(blocks, p.Blocks[i])
			}
		}
	}
	return out, blocks
}
