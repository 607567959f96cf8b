package rehearsal

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/ohmycoins/infra/internal/boundedread"
	"github.com/ohmycoins/infra/internal/simaws"
	"github.com/ohmycoins/infra/internal/tfstate"
)

// Report is what a rehearsal found; its JSON is the contract of
// `cmd/rehearse -json` (docs/ARCHITECTURE.md, "The rehearsal report").
type Report struct {
	Stack     string `json:"stack"`
	Procedure string `json:"procedure"`
	// Completed is true when every step ran and succeeded.
	Completed bool   `json:"completed"`
	Steps     []Step `json:"steps"`
	// Lost is the data that existed before the first step and exists
	// nowhere after the last: no resource, no snapshot, no copy.
	Lost []Lost `json:"lost"`
	// Unreachable are the step ranges after which the application's hosts
	// could not all be reached.
	Unreachable []Span `json:"unreachable"`
	// Windows are the ranges in which the RUNBOOK announces it.
	Windows []Window `json:"windows"`
	// Discards are the data types the RUNBOOK announces the procedure
	// deletes on purpose.
	Discards []string `json:"discards"`
	// Outage are the regions down throughout (the rules' outage).
	Outage []string `json:"outage"`
	// Unrecovered is the data of the types the procedure recovers that a
	// resource in a region of the outage held before the first step and
	// no resource outside the outage holds after the last.
	Unrecovered []Lost `json:"unrecovered"`
}

// Step is one command of the procedure and what it did.
type Step struct {
	N       int     `json:"n"`
	Command string  `json:"command"`
	OK      bool    `json:"ok"`
	Error   string  `json:"error,omitempty"`
	Changes Changes `json:"changes"`
	// Unreachable names each application host that could not be reached
	// after the step, and where the request stopped.
	Unreachable map[string]string `json:"unreachableHosts,omitempty"`
	// ExpectedToFail marks a step the procedure expects to fail (a preview
	// that finds drift): ok means it failed as expected.
	ExpectedToFail bool `json:"expectedToFail,omitempty"`
	// Output is the command's output (text reports only).
	Output string `json:"-"`
}

// Changes count what the step changed in the account.
type Changes struct {
	Create  int `json:"create"`
	Update  int `json:"update"`
	Replace int `json:"replace"`
	Delete  int `json:"delete"`
}

// Lost is one body of data the procedure lost: the resource that held it.
type Lost struct {
	Type string `json:"type"`
	Name string `json:"name"`
}

// Span is a range of steps, inclusive.
type Span struct {
	From int `json:"from"`
	To   int `json:"to"`
}

// Options say what to rehearse, and where.
type Options struct {
	// Project is the repository's root; its docs/RUNBOOK.md is rehearsed.
	Project string
	Stack   string
	// Procedure is a title or slug of the RUNBOOK.
	Procedure string
	// TerraformState is the state file of the original environment, for
	// procedures that start from it.
	TerraformState string
	// PulumiCLI is the Pulumi CLI to run; Bin the prebuilt stand-ins
	// (BuildStandins); Root an empty directory for the world.
	PulumiCLI, Bin, Root string
	// Log receives each command and its output as it runs.
	Log io.Writer
	// Now is the rehearsal's clock (the automated snapshots' time).
	Now time.Time
}

// Prepare reads the procedure and checks the input before anything is
// created: the procedure exists and applies to the stack, every command is
// one the rehearsal can run, a Terraform state is one where needed.
func Prepare(o Options) (Procedure, *tfstate.State, error) {
	data, err := os.ReadFile(filepath.Join(o.Project, "docs", "RUNBOOK.md"))
	if err != nil {
		return Procedure{}, nil, err
	}
	all, err := Procedures(string(data))
	if err != nil {
		return Procedure{}, nil, err
	}
	p, err := Find(all, o.Procedure)
	if err != nil {
		return p, nil, err
	}
	stackFile := "Pulumi." + o.Stack + ".yaml"
	if p.Rules.StartsFrom == StartsFromTheLocalBootstrap {
		stackFile = filepath.Join("bootstrap", stackFile) // the account-level program's stack
	}
	if _, err := os.Stat(filepath.Join(o.Project, stackFile)); err != nil {
		return p, nil, fmt.Errorf("-stack %q: the repository has no %s (its stacks are staging and production, and the account-level program's state)", o.Stack, stackFile)
	}
	if p, err = p.For(o.Stack); err != nil {
		return p, nil, err
	}
	for i, c := range p.Commands {
		if err := Runnable(c); err != nil {
			return p, nil, fmt.Errorf("%q, step %d (%s): %w", p.Title, i+1, c, err)
		}
	}
	if after, ok := p.Rules.After[o.Stack]; ok {
		before, err := Find(all, after.Procedure)
		if err != nil {
			return p, nil, fmt.Errorf("%q starts after %s: %w", p.Title, after.Procedure, err)
		}
		if before, err = before.For(o.Stack); err != nil {
			return p, nil, err
		}
		if after.Steps > len(before.Commands) {
			return p, nil, fmt.Errorf("%q starts after step %d of %q, which has %d steps for %s", p.Title, after.Steps, before.Title, len(before.Commands), o.Stack)
		}
		// The steps it starts after keep their windows and expected
		// failures: a way back from inside a window starts with the sites down.
		before.Commands, before.Blocks = before.Commands[:after.Steps], before.Blocks[:min(after.Steps, len(before.Blocks))]
		p.Before = &before
	} else if len(p.Rules.After) > 0 {
		return p, nil, fmt.Errorf("-stack %s: %q says where it starts for %s only", o.Stack, p.Title, strings.Join(slices.Sorted(maps.Keys(p.Rules.After)), ", "))
	}
	var state *tfstate.State
	switch {
	case p.Rules.StartsFrom == StartsFromTerraform && o.TerraformState == "":
		return p, nil, fmt.Errorf("%q starts from the original environment: give its Terraform state with -terraform-state", p.Title)
	case p.Rules.StartsFrom != StartsFromTerraform && o.TerraformState != "":
		return p, nil, fmt.Errorf("-terraform-state: %q starts from %s, not from a Terraform state", p.Title, p.Rules.StartsFrom)
	case o.TerraformState != "":
		raw, err := boundedread.File(o.TerraformState, boundedread.DocumentLimit, "the state")
		if err != nil {
			return p, nil, fmt.Errorf("-terraform-state: %w", err)
		}
		if state, err = tfstate.Parse(o.TerraformState, raw); err != nil {
			return p, nil, fmt.Errorf("-terraform-state %s: %w", o.TerraformState, err)
		}
	}
	return p, state, nil
}

// programs the rehearsal runs: the Pulumi CLI, the AWS CLI stand-in, git in
// the project copy, the repository's own commands, and shell built-ins.
var runnable = map[string]bool{
	"pulumi": true, "aws": true, "crane": true, "terraform": true, "git": true, "go": true,
	"echo": true, "export": true, "cd": true, "less": true, "jq": true, "xargs": true, "done": true, "rm": true,
}

// keywords are shell words that start a compound command; the command
// after them is what runs ("do aws ...").
var keywords = map[string]bool{"do": true, "then": true, "else": true}

// StandInCommands are commands of the RUNBOOK that a rehearsal runs through
// a stand-in on PATH instead: crane, which the RUNBOOK runs with go run at a
// pinned version, copies between the simulated account's repositories.
var StandInCommands = map[string]string{
	"go run github.com/google/go-containerregistry/cmd/crane@v0.22.1": "crane",
}

// standIn is a command with its stand-ins.
func standIn(command string) string {
	for real, stand := range StandInCommands {
		command = strings.ReplaceAll(command, real, stand)
	}
	return command
}

var assignment = regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_]*)=`)

// Runnable says why the rehearsal cannot run a command, or nil: it runs
// pulumi, aws, crane and terraform (their stand-ins), git, `go run
// ./cmd/...`, and jq, xargs, less and rm on what they print and write.
func Runnable(command string) error {
	for _, segment := range segments(standIn(command)) {
		words := strings.Fields(segment)
		for len(words) > 0 && assignment.MatchString(words[0]) {
			words = words[1:] // NAME=value before a command, or alone
		}
		for len(words) > 0 && keywords[words[0]] {
			words = words[1:]
		}
		if len(words) > 0 && words[0] == "for" {
			continue // for NAME in WORDS: the words are data (a substitution is a segment of its own)
		}
		if len(words) > 0 && words[0] == "xargs" {
			words = words[1:] // xargs runs the command after its options
			for len(words) > 0 && strings.HasPrefix(words[0], "-") {
				words = words[1:]
			}
		}
		if len(words) == 0 {
			continue
		}
		if !runnable[words[0]] {
			return fmt.Errorf("the rehearsal cannot run %s: it runs pulumi, aws, crane and terraform (their stand-ins), git, go run ./cmd/<command>, jq, xargs, less and rm", words[0])
		}
		if words[0] == "go" && (len(words) < 3 || words[1] != "run") {
			return fmt.Errorf("the rehearsal runs go only as go run ./cmd/<command>")
		}
		if words[0] == "go" && !strings.HasPrefix(words[2], "./cmd/") {
			return fmt.Errorf("the rehearsal runs go only as go run ./cmd/<command>, the repository's own commands")
		}
	}
	return nil
}

// segments are the simple commands of a command line: split at pipes and
// lists outside quotes; a command substitution ($(...), inside double quotes
// too) is a command of its own, and the command around it goes on after it.
func segments(command string) []string {
	type level struct {
		cur   strings.Builder
		quote byte
	}
	stack := []*level{{}}
	var out []string
	flush := func(l *level) {
		out = append(out, l.cur.String())
		l.cur.Reset()
	}
	for i := 0; i < len(command); i++ {
		c, l := command[i], stack[len(stack)-1]
		switch {
		case l.quote == '\'':
			if c == '\'' {
				l.quote = 0
			}
			l.cur.WriteByte(c)
		case c == '$' && i+1 < len(command) && command[i+1] == '(':
			stack = append(stack, &level{})
			i++
		case c == ')' && l.quote == 0 && len(stack) > 1:
			flush(l)
			stack = stack[:len(stack)-1]
		case l.quote == '"':
			if c == '"' {
				l.quote = 0
			}
			l.cur.WriteByte(c)
		case c == '\'' || c == '"':
			l.quote = c
			l.cur.WriteByte(c)
		case c == '&' && (i > 0 && command[i-1] == '>' || i+1 < len(command) && command[i+1] == '>'):
			l.cur.WriteByte(c) // a redirection (2>&1, &>), not a list
		case c == '|' || c == ';' || c == '&' || c == ')' || c == '(':
			flush(l)
		default:
			l.cur.WriteByte(c)
		}
	}
	for i := len(stack) - 1; i >= 0; i-- {
		flush(stack[i])
	}
	return out
}

var placeholder = regexp.MustCompile(`<[a-z][a-z -]*[a-z]>`)

// Rehearse sets up the world the procedure starts from and runs its
// commands, reporting after each. An error is a rehearsal that could not
// be set up; a procedure that fails is a report with Completed false.
func Rehearse(o Options) (*Report, error) {
	w, p, err := Setup(o)
	if err != nil {
		return nil, err
	}
	return w.Perform(p, o.Stack, o.Log)
}

// Setup checks the input (Prepare) and builds the world the procedure
// starts from: the stack initialised, and up and serving, or the original
// environment of the Terraform state in the account.
func Setup(o Options) (*World, Procedure, error) {
	p, state, err := Prepare(o)
	if err != nil {
		return nil, p, err
	}
	w, err := NewWorld(o.Project, o.Root, o.Bin, o.PulumiCLI)
	if err != nil {
		return nil, p, err
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	if state != nil {
		if _, err := w.SeedTerraform(o.Project, o.Stack, state, o.TerraformState); err != nil {
			return nil, p, err
		}
		// The original repository's checkout beside this one, with the
		// environment's directory, where the procedure runs terraform.
		if err := os.MkdirAll(filepath.Join(filepath.Dir(w.Dir), OriginalCheckout, "infrastructure", "terraform", "environments", o.Stack), 0o755); err != nil {
			return nil, p, err
		}
	}
	if p.Rules.StartsFrom == StartsFromTheLocalBootstrap {
		if err := w.startLocalBootstrap(o.Stack); err != nil {
			return nil, p, err
		}
	} else if err := w.InitStack(o.Stack); err != nil {
		return nil, p, err
	}
	if p.Rules.StartsFrom == StartsFromRunningStack {
		if err := w.StartRunning(o.Stack, o.Now); err != nil {
			return nil, p, err
		}
	}
	if p.Rules.StartsFrom == StartsFromTheProviderInTheStack {
		if err := w.startHoldingTheProvider(o.Stack); err != nil {
			return nil, p, err
		}
	}
	for _, other := range p.Rules.AlsoRunning {
		if err := w.InitStack(other); err != nil {
			return nil, p, err
		}
		if err := w.startRunning(other, o.Now, NewerImage); err != nil {
			return nil, p, err
		}
	}
	for _, svc := range p.Rules.DeployedFailing {
		if err := w.DeployFailing(o.Stack, svc); err != nil {
			return nil, p, err
		}
	}
	for _, d := range p.Rules.Drifts {
		if err := w.drift(d); err != nil {
			return nil, p, err
		}
	}
	if p.Before != nil {
		var log strings.Builder
		report, err := w.Perform(*p.Before, o.Stack, &log)
		if err != nil {
			return nil, p, err
		}
		if faults := report.Faults(); len(faults) > 0 {
			return nil, p, fmt.Errorf("%q starts after step %d of %q, which failed: %s\n%s", p.Title, len(p.Before.Commands), p.Before.Title, strings.Join(faults, "; "), log.String())
		}
	}
	if len(p.Rules.Outage) > 0 {
		// What served before the regions went down is what the procedure
		// must bring back.
		hosts, err := w.Reach()
		if err != nil {
			return nil, p, err
		}
		w.ServedBeforeOutage = hosts.Reachable()
		if err := w.Account.SetOutage(p.Rules.Outage...); err != nil {
			return nil, p, err
		}
	}
	return w, p, nil
}

// Perform runs a procedure's commands in the world, one after another as
// an operator's shell does (variables a command sets are kept, answers to
// confirmations are yes), and stops at the first that fails.
func (w *World) Perform(p Procedure, stack string, log io.Writer) (*Report, error) {
	if log == nil {
		log = io.Discard
	}
	report := &Report{Stack: stack, Procedure: p.Title, Completed: true, Lost: []Lost{}, Unreachable: []Span{}, Windows: p.Rules.Windows,
		Outage: append([]string{}, p.Rules.Outage...), Unrecovered: []Lost{}}
	if report.Windows == nil {
		report.Windows = []Window{}
	}
	report.Discards = append([]string{}, p.Rules.Discards...)
	dataBefore, err := w.Account.Data()
	if err != nil {
		return nil, err
	}
	before, err := w.Account.Resources()
	if err != nil {
		return nil, err
	}
	hosts, err := w.Reach()
	if err != nil {
		return nil, err
	}
	served := hosts.Reachable()
	if w.ServedBeforeOutage != nil {
		served = w.ServedBeforeOutage
	}
	toRecover := heldIn(before, p.Rules.Recovers, func(region string) bool { return slices.Contains(p.Rules.Outage, region) })
	vars := filepath.Join(filepath.Dir(w.Dir), "vars.sh")
	var stops []Reach
	dir, block := w.Dir, -1
	for i, c := range p.Commands {
		step := Step{N: i + 1, Command: c}
		if i < len(p.Blocks) && p.Blocks[i] != block {
			dir, block = w.Dir, p.Blocks[i] // each block starts in the repository's root
		}
		filled, err := w.fill(c, p.Rules.Fills, stack)
		if err == nil {
			fmt.Fprintf(log, "\n== step %d: %s\n", step.N, filled)
			if p.Rules.Bucket != "" {
				filled = strings.ReplaceAll(filled, p.Rules.Bucket, "file://"+w.Bucket())
			}
			filled = kmsSecretsProvider.ReplaceAllString(filled, "${1}passphrase")
			step.Output, err = w.shell(w.ownTmp(standIn(filled)), vars, dir)
			fmt.Fprint(log, step.Output)
			if target, ok := strings.CutPrefix(filled, "cd "); ok && err == nil && !strings.ContainsAny(target, " ;&|") {
				dir = filepath.Join(dir, target) // the rest of the block runs there
			}
		}
		if expected, ok := p.Rules.Fails[step.N]; ok {
			step.ExpectedToFail = true
			switch {
			case err == nil:
				err = fmt.Errorf("expected to fail (%q), it succeeded", expected)
				step.Output += "\nthe rehearsal expected this step to fail\n"
			case strings.Contains(step.Output, expected):
				err = nil // it failed as the procedure says it does
			}
		}
		if err != nil {
			step.Error = summary(step.Output, err)
			report.Completed = false
		}
		step.OK = err == nil
		after, aerr := w.Account.Resources()
		if aerr != nil {
			return nil, aerr
		}
		step.Changes = changes(before, after)
		before = after
		hosts, err := w.Reach()
		if err != nil {
			return nil, err
		}
		stops = append(stops, hosts)
		report.Steps = append(report.Steps, step)
		if !step.OK {
			break
		}
	}
	if len(served) == 0 && len(stops) > 0 {
		served = stops[len(stops)-1].Reachable() // a procedure that builds the application: what serves at its end
	}
	for i := range report.Steps {
		down := map[string]string{}
		for _, host := range served {
			if why, ok := stops[i][host]; !ok {
				down[host] = "no alias record"
			} else if why != "" {
				down[host] = why
			}
		}
		if len(down) == 0 {
			continue
		}
		report.Steps[i].Unreachable = down
		if n := len(report.Unreachable); n > 0 && report.Unreachable[n-1].To == i {
			report.Unreachable[n-1].To = i + 1
		} else {
			report.Unreachable = append(report.Unreachable, Span{From: i + 1, To: i + 1})
		}
	}
	dataAfter, err := w.Account.Data()
	if err != nil {
		return nil, err
	}
	for _, d := range dataBefore {
		if !slices.Contains(dataAfter, d) {
			report.Lost = append(report.Lost, Lost{Type: d.Type, Name: d.Name})
		}
	}
	recovered := heldIn(before, p.Rules.Recovers, func(region string) bool { return !slices.Contains(p.Rules.Outage, region) })
	for _, d := range toRecover {
		if !slices.Contains(recovered, d) {
			report.Unrecovered = append(report.Unrecovered, Lost{Type: d.Type, Name: d.Name})
		}
	}
	return report, nil
}

// heldIn is the data held by the resources of the types whose region in
// accepts.
func heldIn(resources []simaws.Resource, types []string, in func(region string) bool) []simaws.Datum {
	var out []simaws.Datum
	for _, r := range resources {
		if slices.Contains(types, r.Type) && in(r.Region) {
			for _, d := range r.Data {
				if d.Type == r.Type && !slices.Contains(out, d) {
					out = append(out, d)
				}
			}
		}
	}
	return out
}

// drift changes the one resource of a type and logical name behind the
// program's back.
func (w *World) drift(d Drift) error {
	resources, err := w.Account.Resources()
	if err != nil {
		return err
	}
	for _, r := range resources {
		if r.Type == d.Type && r.Name == d.Name {
			return w.Account.Drift(r.Region, r.Type, r.ID, d.Values)
		}
	}
	return fmt.Errorf("rehearsal rule drift: the account holds no %s named %s", d.Type, d.Name)
}

// Reach traces the application's hosts in the account as it is.
func (w *World) Reach() (Reach, error) {
	resources, err := w.Account.Resources()
	if err != nil {
		return nil, err
	}
	inactive, err := w.Account.Inactive()
	if err != nil {
		return nil, err
	}
	resources = append(resources, inactive...) // a rolled-back service runs a deregistered revision
	settings, err := w.Account.Settings()
	if err != nil {
		return nil, err
	}
	// A region in an outage serves nothing: a request never reaches what
	// it holds.
	resources = slices.DeleteFunc(resources, func(r simaws.Resource) bool { return settings.Down(r.Region, r.Type) != nil })
	var failed error
	reach := Trace(resources, func(service simaws.Resource, image string) string {
		problem, err := w.Account.ImageProblem(service.Region, image)
		if err == nil && problem == "" {
			problem, err = w.Account.ServiceProblem(service.Region, service.ID)
		}
		if err != nil {
			failed = err
		}
		return problem
	})
	for host, why := range reach {
		for _, region := range settings.DownRegions {
			if strings.Contains(why, "."+region+".elb.") {
				reach[host] = strings.Replace(why, " does not exist", " is in "+region+", which is down", 1)
			}
		}
	}
	return reach, failed
}

// Bucket is the directory that stands in for the state bucket.
func (w *World) Bucket() string { return filepath.Join(filepath.Dir(w.Dir), "bucket") }

// OriginalCheckout is the directory, beside this repository's, where the
// RUNBOOK expects the original repository (MarkLimmage/ohmycoins) checked out.
const OriginalCheckout = "ohmycoins"

// kmsSecretsProvider is a secrets provider of the real account's KMS in a
// command: the rehearsal stands the passphrase in for it, as InitStack
// does for a stack file's.
var kmsSecretsProvider = regexp.MustCompile(`(--secrets-provider[ =])'?awskms://[^ ']*'?`)

// ownTmp points a command's files in /tmp at the world's own directory, so
// that rehearsals side by side do not share them.
func (w *World) ownTmp(command string) string {
	if w.Tmp == "" {
		return command
	}
	return tmpPath.ReplaceAllString(command, "${1}"+w.Tmp+"/")
}

// tmpPath is /tmp/ where a path starts: at a word, after a quote, = or <>.
var tmpPath = regexp.MustCompile(`(^|[\s'"=<>])/tmp/`)

// shell runs one command in bash in a directory, with the variables
// earlier commands set.
func (w *World) shell(command, vars, dir string) (string, error) {
	script := "set -eo pipefail\n[ -f " + quote(vars) + " ] && source " + quote(vars) + "\n" + command + "\n"
	if m := assignment.FindStringSubmatch(command); m != nil {
		script += "printf '%s=%q\\n' " + m[1] + " \"$" + m[1] + "\" >> " + quote(vars) + "\n"
	}
	cmd := exec.Command("bash", "-c", script)
	cmd.Dir, cmd.Env = dir, append(slices.Clone(w.Env), "PULUMI_SKIP_CONFIRMATIONS=true")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// fill replaces a command's placeholders by their rules.
func (w *World) fill(command string, fills []Fill, stack string) (string, error) {
	for _, f := range fills {
		if !strings.Contains(command, f.Placeholder) {
			continue
		}
		value, err := w.resolve(f.Rule, stack)
		if err != nil {
			return command, fmt.Errorf("filling %s (%s): %w", f.Placeholder, f.Rule, err)
		}
		command = strings.ReplaceAll(command, f.Placeholder, value)
	}
	if left := placeholder.FindString(command); left != "" {
		return command, fmt.Errorf("%s has no fill rule next to the procedure", left)
	}
	return command, nil
}

// resolve fills a placeholder by its rule, from the state or the account.
func (w *World) resolve(rule, stack string) (string, error) {
	if typ, ok := strings.CutPrefix(rule, "urn "); ok {
		out, err := w.Pulumi("stack", "export", "--stack", stack)
		if err != nil {
			return "", err
		}
		var export struct {
			Deployment struct {
				Resources []struct {
					URN  string `json:"urn"`
					Type string `json:"type"`
				} `json:"resources"`
			} `json:"deployment"`
		}
		if err := json.Unmarshal([]byte(out), &export); err != nil {
			return "", err
		}
		var urns []string
		for _, r := range export.Deployment.Resources {
			if r.Type == typ {
				urns = append(urns, r.URN)
			}
		}
		if len(urns) != 1 {
			return "", fmt.Errorf("the stack holds %d resources of type %s, not one", len(urns), typ)
		}
		return urns[0], nil
	}
	if id, ok := strings.CutPrefix(rule, "newest automated snapshot of "); ok {
		snapshots, err := w.Account.Snapshots()
		if err != nil {
			return "", err
		}
		var names []string
		for _, s := range snapshots {
			if s.Automated() && s.Source == id {
				names = append(names, s.Identifier)
			}
		}
		if len(names) == 0 {
			return "", fmt.Errorf("the account holds no automated snapshot of %s", id)
		}
		sort.Strings(names)
		return names[len(names)-1], nil
	}
	return "", fmt.Errorf("unknown rule %q (urn <type>, newest automated snapshot of <instance>)", rule)
}

// changes counts what changed between two listings of the account: a
// resource of the same type and logical name whose incarnation changed is
// replaced.
func changes(before, after []simaws.Resource) Changes {
	var c Changes
	old := map[int]simaws.Resource{}
	for _, r := range before {
		old[r.Serial] = r
	}
	type key struct{ typ, name string }
	name := func(r simaws.Resource) key {
		if r.Name == "" {
			return key{r.Type, r.ID}
		}
		return key{r.Type, r.Name}
	}
	created := map[key]int{}
	for _, r := range after {
		o, ok := old[r.Serial]
		if !ok {
			created[name(r)]++
			continue
		}
		delete(old, r.Serial)
		a, _ := json.Marshal(r.Inputs)
		b, _ := json.Marshal(o.Inputs)
		if string(a) != string(b) {
			c.Update++
		}
	}
	for _, r := range old {
		if created[name(r)] > 0 {
			created[name(r)]--
			c.Replace++
			continue
		}
		c.Delete++
	}
	for _, n := range created {
		c.Create += n
	}
	return c
}

// summary is the reason a step failed: the CLI's error lines, else the
// output's last line.
func summary(output string, err error) string {
	var lines []string
	for _, l := range strings.Split(output, "\n") {
		if t := strings.TrimSpace(l); strings.HasPrefix(t, "error:") || strings.Contains(t, "An error occurred") {
			lines = append(lines, t)
		}
	}
	if len(lines) == 0 {
		if t := strings.TrimSpace(tail(output, 1)); t != "" {
			lines = append(lines, t)
		} else {
			lines = append(lines, err.Error())
		}
	}
	s := strings.Join(lines, " ")
	if len(s) > 600 {
		s = s[:600] + "..."
	}
	return s
}

// Faults are what makes a rehearsal fail: a step that failed, data lost,
// the application unreachable outside the windows the RUNBOOK announces.
func (r *Report) Faults() []string {
	var out []string
	for _, s := range r.Steps {
		if !s.OK {
			out = append(out, fmt.Sprintf("step %d (%s) failed: %s", s.N, s.Command, s.Error))
		}
	}
	for _, l := range r.Unrecovered {
		out = append(out, fmt.Sprintf("not recovered: %s %s is held only in %s, which is down", l.Type, l.Name, strings.Join(r.Outage, ", ")))
	}
	for _, l := range r.Lost {
		if slices.Contains(r.Discards, l.Type) {
			continue // deleted on purpose, and announced
		}
		out = append(out, fmt.Sprintf("lost: %s %s exists nowhere any more (no resource, no snapshot, no copy)", l.Type, l.Name))
	}
	for _, s := range r.Steps {
		if len(s.Unreachable) == 0 || slices.ContainsFunc(r.Windows, func(w Window) bool { return w.From <= s.N && s.N <= w.To }) {
			continue
		}
		var hosts []string
		for host, why := range s.Unreachable {
			hosts = append(hosts, host+": "+why)
		}
		sort.Strings(hosts)
		out = append(out, fmt.Sprintf("unreachable after step %d (%s), outside any announced window: %s", s.N, s.Command, strings.Join(hosts, "; ")))
	}
	return out
}
