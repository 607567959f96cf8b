// Package previewcli is the offline preview command (cmd/preview): it runs a
// stack's program under mocks (internal/preview) and prints the plan as a tree,
// JSON, a diff or a diagram, or checks it against the policy rules
// (internal/policy).
package previewcli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/ohmycoins/infra/bootstrap/state"
	"github.com/ohmycoins/infra/components/monitoring"
	"github.com/ohmycoins/infra/internal/boundedread"
	"github.com/ohmycoins/infra/internal/cost"
	"github.com/ohmycoins/infra/internal/policy"
	"github.com/ohmycoins/infra/internal/preview"
	"github.com/ohmycoins/infra/internal/settings"
	"github.com/ohmycoins/infra/internal/stackplan"
	"github.com/ohmycoins/infra/stacks"
)

// Main is the offline preview command (cmd/preview) without the process: it
// parses args, writes to stdout and stderr, and returns the exit code: 0 on
// success (a diff included), 1 when the program fails (bad stack, invalid
// settings: the message and nothing else), check finds a policy violation, or
// diff -check finds a change pulumi up would fail on; 2 on bad usage or an
// old plan that is not a plan of this stack.
//
// The first argument names the command (plan, diff, cost, check,
// check-init, mermaid); the flags of the earlier form (-stack S -cost, ...)
// still work for a release, with a note that names the command.
func Main(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	if strings.HasPrefix(args[0], "-") {
		return legacy(args, stdout, stderr)
	}
	if args[0] == "help" {
		usage(stderr)
		return 0
	}
	for _, c := range commands {
		if c.name == args[0] {
			return c.main(args[1:], stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "preview: %q is not a command (%s)\n", args[0], strings.Join(commandNames(), ", "))
	return 2
}

// options are what every command reads from its flags.
type options struct {
	stack, dir, program string
	json, check         bool
	// publish makes alerts send its test alert.
	publish bool
	// old is diff's earlier plan; tfState and importFile are diff's adoption
	// of the original Terraform environment instead.
	old, tfState, importFile string
}

// command is one subcommand: its flags and what it does.
type command struct {
	name, summary string
	// flags adds the command's own flags to the common ones.
	flags func(f *flag.FlagSet, o *options)
	// args says what positional arguments the command takes ("" for none).
	args string
	run  func(o options, stdout, stderr io.Writer) int
}

var commands = []command{
	{name: "plan", summary: "what the stack would create: a tree like pulumi preview, or with -json the plan (docs/ARCHITECTURE.md)",
		flags: withProgram(withJSON), run: runPlan},
	{name: "diff", args: "OLD.json", summary: "what pulumi up would do to a stack deployed from an earlier plan (cmd/preview plan -json), or with -terraform-state to a stack that adopts the original Terraform environment",
		flags: func(f *flag.FlagSet, o *options) {
			withProgram(withJSON)(f, o)
			f.BoolVar(&o.check, "check", false, "exit 1 when pulumi up would fail (a protected resource replaced or deleted, a replacement that collides, an adopted resource that holds data replaced)")
			f.StringVar(&o.tfState, "terraform-state", "", "instead of OLD.json: what pulumi import and the first pulumi up do to a stack that adopts the original Terraform environment in `file` (terraform show -json; see cmd/migrate)")
			f.StringVar(&o.importFile, "import", "", "with -terraform-state: adopt what the pulumi import `file` lists (an edited output of cmd/migrate) instead of what cmd/migrate would choose")
		}, run: runDiff},
	{name: "cost", summary: "the stack's monthly cost estimate (On-Demand, ap-southeast-2, USD: internal/cost/prices.json and the stack's ohmycoins:cost assumptions); with -json as JSON (docs/ARCHITECTURE.md)",
		flags: withJSON, run: runCost},
	{name: "check", summary: "the policy rules (internal/policy) over the plan, and the budget against the cost estimate: exit 1 on a violation",
		flags: withProgram(nil), run: runCheck},
	{name: "backend", summary: "the stack's Pulumi state backend, s3://<ohmycoins:stateBackend.bucket>?region=ap-southeast-2: the workflows and the two-account layout run export PULUMI_BACKEND_URL=\"$(go run ./cmd/preview backend -stack NAME)\" (docs/RUNBOOK.md, \"One account or two\")",
		run: func(o options, stdout, stderr io.Writer) int { return backendURL(o.dir, o.stack, stdout, stderr) }},
	{name: "check-init", summary: "whether the stack file is initialised for the Pulumi CLI (its encryptedkey and required secrets, docs/RUNBOOK.md \"Initialising a stack\"): exit 1 with the commands that initialise it when not",
		run: func(o options, stdout, stderr io.Writer) int { return initCheck(o.dir, o.stack, stdout, stderr) }},
	{name: "alerts", summary: "where the stack's alerts arrive (each address, chat channel and pager of its topic) and the command that sends a test alert through them; -publish sends it with the AWS CLI (docs/RUNBOOK.md, \"Alarm test\")",
		flags: func(f *flag.FlagSet, o *options) {
			f.BoolVar(&o.publish, "publish", false, "send the test alert: put the stack's "+TestAlarm+" alarm into ALARM with the AWS CLI (the credentials of the stack's account)")
		}, run: alertTest},
	{name: "mermaid", summary: "a Mermaid flowchart of the components and their dependencies",
		flags: withProgram(nil), run: runMermaid},
}

func withJSON(f *flag.FlagSet, o *options) {
	f.BoolVar(&o.json, "json", false, "print JSON (the contracts of docs/ARCHITECTURE.md)")
}

// withProgram adds -program to a command's flags.
func withProgram(more func(*flag.FlagSet, *options)) func(*flag.FlagSet, *options) {
	return func(f *flag.FlagSet, o *options) {
		f.StringVar(&o.program, "program", "main", "the program to run: main (the stacks) or bootstrap (the state backend)")
		if more != nil {
			more(f, o)
		}
	}
}

func commandNames() []string {
	var names []string
	for _, c := range commands {
		names = append(names, c.name)
	}
	return names
}

func usage(stderr io.Writer) {
	fmt.Fprintln(stderr, "preview runs the Pulumi program offline, against a mock cloud, and prints what a stack would create (a tree, JSON, a diff against an earlier plan, the policy check, the monthly cost); no AWS account and no Pulumi CLI needed.")
	fmt.Fprintln(stderr, "usage: preview <command> -stack NAME [flags]; preview <command> -h for its flags")
	for _, c := range commands {
		fmt.Fprintf(stderr, "  %-10s %s\n", c.name, c.summary)
	}
}

// main parses a command's flags and runs it.
func (c command) main(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("preview "+c.name, flag.ContinueOnError)
	flags.SetOutput(stderr)
	o := options{program: "main"}
	flags.StringVar(&o.stack, "stack", "", "stack: a Pulumi.<stack>.yaml in the project (staging, production)")
	flags.StringVar(&o.dir, "dir", ".", "the project directory, or a directory below it")
	if c.flags != nil {
		c.flags(flags, &o)
	}
	flags.Usage = func() {
		fmt.Fprintf(stderr, "preview %s: %s\nusage: preview %s -stack NAME [flags] %s\n", c.name, c.summary, c.name, c.args)
		flags.PrintDefaults()
	}
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if code := o.valid(stderr); code != 0 {
		return code
	}
	positional := flags.Args()
	switch {
	case c.name == "diff" && o.tfState == "" && len(positional) == 1:
		o.old = positional[0]
	case c.name == "diff" && o.tfState == "":
		fmt.Fprintln(stderr, "usage: preview diff -stack NAME [-json] [-check] OLD.json, or preview diff -stack NAME -terraform-state STATE.json [-import IMPORT.json] [-json] [-check]")
		return 2
	case len(positional) > 0:
		fmt.Fprintf(stderr, "preview %s: %q: the command takes no arguments besides its flags\n", c.name, positional[0])
		return 2
	}
	return c.run(o, stdout, stderr)
}

// valid checks what every command needs: a stack, and a program there is.
func (o options) valid(stderr io.Writer) int {
	if _, ok := Programs[o.program]; !ok {
		fmt.Fprintf(stderr, "preview: -program %q: must be main (the stacks) or bootstrap (the account-level program)\n", o.program)
		return 2
	}
	if o.stack == "" {
		fmt.Fprintln(stderr, "preview: -stack is required: staging, production (or state, with -program bootstrap)")
		return 2
	}
	if err := preview.CheckStackName(o.stack); err != nil {
		fmt.Fprintln(stderr, "preview:", err)
		return 2
	}
	if o.importFile != "" && o.tfState == "" {
		fmt.Fprintln(stderr, "preview: -import needs -terraform-state: the import file names what to adopt, the state what it is")
		return 2
	}
	return 0
}

// legacy runs the flags of the earlier form (one command, several mode
// flags), and says which command replaces them.
func legacy(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("preview", flag.ContinueOnError)
	flags.SetOutput(stderr)
	var o options
	flags.StringVar(&o.stack, "stack", "", "stack to preview: a Pulumi.<stack>.yaml in the project (staging, production)")
	flags.StringVar(&o.dir, "dir", ".", "the project directory, or a directory below it")
	flags.StringVar(&o.program, "program", "main", "the program to run: main (the stacks) or bootstrap (the state backend)")
	flags.BoolVar(&o.json, "json", false, "print the plan as JSON (docs/ARCHITECTURE.md); with -diff, the diff as JSON")
	flags.StringVar(&o.old, "diff", "", "print what pulumi up would do to a stack deployed from an earlier JSON plan `file`")
	mermaid := flags.Bool("mermaid", false, "print a Mermaid flowchart of components and their dependencies")
	flags.BoolVar(&o.check, "check", false, "check the plan against the policy rules (internal/policy) and the budget against the cost estimate; with -diff or -terraform-state, check the diff")
	flags.StringVar(&o.tfState, "terraform-state", "", "print what pulumi import and the first pulumi up do to a stack that adopts the original Terraform environment in `file`")
	costFlag := flags.Bool("cost", false, "print the stack's monthly cost estimate; with -json, as JSON (docs/ARCHITECTURE.md)")
	checkInit := flags.Bool("check-init", false, "check that the stack file is initialised for the Pulumi CLI")
	flags.StringVar(&o.importFile, "import", "", "with -terraform-state: adopt what the pulumi import `file` lists")
	flags.Usage = func() {
		usage(stderr)
		fmt.Fprintln(stderr, "The earlier form's flags still work for a release: preview [-program main|bootstrap] -stack NAME [-json | -diff OLD.json [-json] [-check] | -terraform-state STATE.json [-import IMPORT.json] [-json] [-check] | -mermaid | -check | -cost [-json] | -check-init]")
	}
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if flags.NArg() > 0 {
		flags.Usage()
		return 2
	}
	diffing := o.old != "" || o.tfState != ""
	modes := 0
	for _, on := range []bool{o.json && !diffing && !*costFlag, o.old != "", o.tfState != "", *mermaid, o.check && !diffing, *costFlag} {
		if on {
			modes++
		}
	}
	if modes > 1 {
		fmt.Fprintln(stderr, "preview: -json, -diff, -terraform-state, -mermaid, -check and -cost exclude each other, except -diff or -terraform-state with -json and -check, and -cost with -json")
		return 2
	}
	if code := o.valid(stderr); code != 0 {
		return code
	}
	var c command
	switch {
	case *checkInit:
		c = find("check-init")
	case diffing:
		c = find("diff")
	case *costFlag:
		c = find("cost")
	case *mermaid:
		c = find("mermaid")
	case o.check:
		c = find("check")
	default:
		c = find("plan")
	}
	fmt.Fprintf(stderr, "note: this form of preview works for one more release; the command is now: %s\n", o.commandLine(c.name))
	return c.run(o, stdout, stderr)
}

func find(name string) command {
	for _, c := range commands {
		if c.name == name {
			return c
		}
	}
	panic("previewcli: no command " + name)
}

// commandLine is the command that does what o asks.
func (o options) commandLine(name string) string {
	line := []string{"preview", name}
	if o.program != "main" && name != "cost" && name != "check-init" {
		line = append(line, "-program", o.program)
	}
	line = append(line, "-stack", o.stack)
	if o.json && name != "check" && name != "mermaid" && name != "check-init" {
		line = append(line, "-json")
	}
	if o.check && name == "diff" {
		line = append(line, "-check")
	}
	if o.tfState != "" {
		line = append(line, "-terraform-state", o.tfState)
	}
	if o.importFile != "" {
		line = append(line, "-import", o.importFile)
	}
	if o.old != "" {
		line = append(line, o.old)
	}
	return strings.Join(line, " ")
}

// load runs the program for the stack and prints its warnings; ok false when it failed.
func load(o options, stderr io.Writer) (*preview.Result, bool) {
	result, err := preview.Preview(preview.Options{Dir: o.dir, Stack: o.stack, Program: Programs[o.program]})
	if err != nil {
		fmt.Fprintln(stderr, err)
		return nil, false
	}
	for _, w := range result.Warnings {
		fmt.Fprintln(stderr, "warning: "+w)
	}
	if len(result.Placeholders) > 0 {
		fmt.Fprintf(stderr, "warning: secrets cannot be read offline; the preview used placeholders for %s\n",
			strings.Join(result.Placeholders, ", "))
	}
	if o.program == "main" {
		if projectDir, err := preview.FindProjectDir(o.dir); err == nil {
			if state, err := preview.ReadInitialisation(projectDir, o.stack); err == nil && !state.Done() {
				fmt.Fprintln(stderr, "warning: "+state.Report())
			}
		}
	}
	return result, true
}

func runPlan(o options, stdout, stderr io.Writer) int {
	result, ok := load(o, stderr)
	if !ok {
		return 1
	}
	if !o.json {
		result.Plan.WriteTree(stdout)
		return 0
	}
	data, err := result.Plan.JSON()
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	_, _ = stdout.Write(data)
	return 0
}

func runMermaid(o options, stdout, stderr io.Writer) int {
	result, ok := load(o, stderr)
	if !ok {
		return 1
	}
	result.Plan.WriteMermaid(stdout)
	return 0
}

func runDiff(o options, stdout, stderr io.Writer) int {
	if o.tfState != "" {
		return adoption(o.dir, o.stack, o.tfState, o.importFile, o.json, o.check, stdout, stderr)
	}
	oldPlan, err := boundedread.File(o.old, boundedread.DocumentLimit, "-diff")
	if err != nil {
		fmt.Fprintf(stderr, "preview: %v\n", withFlag("-diff", o.old, err))
		return 2
	}
	result, ok := load(o, stderr)
	if !ok {
		return 1
	}
	old, err := stackplan.ReadPlanOf(oldPlan, result.Plan.Project, result.Plan.Stack)
	if err != nil {
		fmt.Fprintf(stderr, "preview: -diff %s %v\n", o.old, err)
		return 2
	}
	d := stackplan.Diff(old, result.Plan)
	d.Cost = cost.Delta(old, result.Plan)
	return writeDiff(d, o.json, o.check, stdout, stderr, "")
}

func runCost(o options, stdout, stderr io.Writer) int {
	if o.program != "main" {
		fmt.Fprintln(stderr, "preview: -cost prices the stacks of the main program; the bootstrap program's keys and bucket cost a few dollars a month")
		return 2
	}
	result, ok := load(o, stderr)
	if !ok {
		return 1
	}
	estimate := cost.Of(result.Plan, *result.Plan.CostBasis)
	if o.json {
		data, err := estimate.JSON()
		if err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
		_, _ = stdout.Write(data)
		return 0
	}
	estimate.Write(stdout)
	fmt.Fprintf(stdout, "\nBudget: %s\n", budgetLine(estimate, result.Settings.Budget))
	return 0
}

func runCheck(o options, stdout, stderr io.Writer) int {
	result, ok := load(o, stderr)
	if !ok {
		return 1
	}
	report := policy.Check(result.Plan, policy.StackOf(result.Settings))
	report.Write(stdout)
	if !report.Passed() {
		return 1
	}
	if result.Settings != nil {
		estimate := cost.Of(result.Plan, *result.Plan.CostBasis)
		if len(estimate.Unpriced) > 0 {
			estimate.WriteUnpriced(stdout, "cost: ")
			return 1
		}
		if problem := cost.BudgetProblem(estimate, result.Settings.Budget); problem != "" {
			fmt.Fprintln(stdout, "budget: "+problem)
			return 1
		}
	}
	return 0
}

// Programs are the programs the preview command runs, by the name -program
// takes: the stacks, and the account-level program.
var Programs = map[string]preview.Program{
	"main":      preview.MainProgram,
	"bootstrap": BootstrapProgram,
}

// BootstrapProgram is the account-level program (bootstrap/), whose one stack is state.
var BootstrapProgram = preview.Program{Dir: "bootstrap", Body: func([]string) pulumi.RunFunc { return state.Program }}

// budgetLine says whether the stack's budget is the estimate plus its margin.
func budgetLine(e cost.Estimate, b stacks.BudgetSettings) string {
	if b.MonthlyUSD == 0 {
		return "none (ohmycoins:budget.monthlyUsd is 0)"
	}
	if problem := cost.BudgetProblem(e, b); problem != "" {
		return problem
	}
	return fmt.Sprintf("$%d per month (the estimate plus %d %%, rounded up to 10, is $%d): alerts at %d %% of the forecast and %d %% of the actual month",
		b.MonthlyUSD, b.MarginPercent, cost.Budget(e, b.MarginPercent), monitoring.ForecastAlertPercent, monitoring.ActualAlertPercent)
}

// writeDiff prints a diff as text or JSON and, with check, exits 1 when
// pulumi up would fail on a change.
func writeDiff(d stackplan.PlanDiff, asJSON, check bool, stdout, stderr io.Writer, after string) int {
	if asJSON {
		data, err := d.JSON()
		if err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
		_, _ = stdout.Write(data)
	} else {
		d.Write(stdout)
	}
	if check && len(d.Blocked()) > 0 {
		fmt.Fprintf(stderr, "preview: pulumi up would fail on %d change(s) of stack %s%s\n", len(d.Blocked()), d.Stack, after)
		return 1
	}
	return 0
}

// initCheck reports whether the stack file is initialised for the real CLI:
// 0 when it is, 1 with the commands that initialise it, 2 on bad input.
// backendURL prints the state backend of the stack, read from its stack file
// as the program reads it: the bucket its account's bootstrap created.
func backendURL(dir, stack string, stdout, stderr io.Writer) int {
	projectDir, err := preview.FindProjectDir(dir)
	if err != nil {
		fmt.Fprintln(stderr, "preview:", err)
		return 2
	}
	cfg, err := preview.ReadStackConfig(projectDir, stack)
	if err != nil {
		fmt.Fprintln(stderr, "preview:", err)
		return 2
	}
	s, err := stacks.LoadFromMap(stack, cfg.Values, cfg.SecretKeys)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	problems := settings.NewProblems()
	s.StateBackend.Validate(problems.In("stateBackend"))
	for _, p := range problems.List() {
		fmt.Fprintf(stderr, "preview: %s:%s = %q: %s\n", stacks.Project, p.Key, p.Value, p.Rule)
	}
	if len(problems.List()) > 0 {
		return 2
	}
	fmt.Fprintln(stdout, s.StateBackend.LoginURL())
	return 0
}

func initCheck(dir, stack string, stdout, stderr io.Writer) int {
	projectDir, err := preview.FindProjectDir(dir)
	if err != nil {
		fmt.Fprintln(stderr, "preview:", err)
		return 2
	}
	state, err := preview.ReadInitialisation(projectDir, stack)
	if err != nil {
		// A stack it cannot read (unknown, not YAML): 1, as for every
		// other command; a name that is not a stack name was refused as
		// usage, 2, before.
		fmt.Fprintln(stderr, "preview:", err)
		return 1
	}
	if !state.Done() {
		fmt.Fprintln(stderr, "error: "+state.Report())
		return 1
	}
	fmt.Fprintf(stdout, "%s is initialised: %s, with its encrypted data key and every required secret\n", state.File, state.SecretsProvider)
	return 0
}
