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
	"os"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/ohmycoins/infra/bootstrap/state"
	"github.com/ohmycoins/infra/components/monitoring"
	"github.com/ohmycoins/infra/internal/cost"
	"github.com/ohmycoins/infra/internal/policy"
	"github.com/ohmycoins/infra/internal/preview"
	"github.com/ohmycoins/infra/internal/stackplan"
	"github.com/ohmycoins/infra/stacks"
)

// Main is the offline preview command (cmd/preview) without the process: it
// parses args, writes to stdout and stderr, and returns the exit code: 0 on
// success (a diff included), 1 when the program fails (bad stack, invalid
// settings: the message and nothing else), -check finds a policy violation, or
// -diff -check finds a change pulumi up would fail on; 2 on bad usage or an
// old plan that is not a plan of this stack.
func Main(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("preview", flag.ContinueOnError)
	flags.SetOutput(stderr)
	stack := flags.String("stack", "", "stack to preview: a Pulumi.<stack>.yaml in the project (staging, production)")
	dir := flags.String("dir", ".", "the project directory, or a directory below it")
	program := flags.String("program", "main", "the program to run: main (the stacks) or bootstrap (the state backend)")
	asJSON := flags.Bool("json", false, "print the plan as JSON (docs/ARCHITECTURE.md); with -diff, the diff as JSON")
	diff := flags.String("diff", "", "print what pulumi up would do to a stack deployed from an earlier JSON plan `file`")
	mermaid := flags.Bool("mermaid", false, "print a Mermaid flowchart of components and their dependencies")
	check := flags.Bool("check", false, "check the plan against the policy rules (internal/policy) and the budget against the cost estimate; with -diff or -terraform-state, check the diff: exit 1 when pulumi up would fail (a protected resource replaced or deleted, a replacement that collides, an adopted resource that holds data replaced)")
	tfState := flags.String("terraform-state", "", "print what pulumi import and the first pulumi up do to a stack that adopts the original Terraform environment in `file` (terraform show -json; see cmd/migrate)")
	costFlag := flags.Bool("cost", false, "print the stack's monthly cost estimate (On-Demand, ap-southeast-2, USD; internal/cost/prices.json and the stack's ohmycoins:cost assumptions); with -json, as JSON (docs/ARCHITECTURE.md)")
	checkInit := flags.Bool("check-init", false, "check that the stack file is initialised for the Pulumi CLI (its encryptedkey and required secrets, docs/RUNBOOK.md \"Initialising a stack\"): exit 1 with the commands that initialise it when not; workflows run it before pulumi")
	importFile := flags.String("import", "", "with -terraform-state: adopt what the pulumi import `file` lists (an edited output of cmd/migrate) instead of what cmd/migrate would choose")
	flags.Usage = func() {
		fmt.Fprintln(stderr, "preview runs the Pulumi program offline, against a mock cloud, and prints what a stack would create (a tree, JSON, a diff against an earlier plan, the policy check, the monthly cost); no AWS account and no Pulumi CLI needed.")
		fmt.Fprintln(stderr, "usage: preview [-program main|bootstrap] -stack NAME [flags]")
		flags.PrintDefaults()
	}
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if _, ok := Programs[*program]; !ok {
		fmt.Fprintf(stderr, "preview: -program %q: must be main (the stacks) or bootstrap (the account-level program)\n", *program)
		return 2
	}
	if *stack != "" {
		if err := preview.CheckStackName(*stack); err != nil {
			fmt.Fprintln(stderr, "preview:", err)
			return 2
		}
	}
	if *stack == "" || flags.NArg() > 0 {
		fmt.Fprintln(stderr, "usage: preview [-program main|bootstrap] -stack NAME [-json | -diff OLD.json [-json] [-check] | -terraform-state STATE.json [-import IMPORT.json] [-json] [-check] | -mermaid | -check | -cost [-json] | -check-init]")
		return 2
	}
	diffing := *diff != "" || *tfState != ""
	modes := 0
	for _, on := range []bool{*asJSON && !diffing && !*costFlag, *diff != "", *tfState != "", *mermaid, *check && !diffing, *costFlag} {
		if on {
			modes++
		}
	}
	if modes > 1 {
		fmt.Fprintln(stderr, "preview: -json, -diff, -terraform-state, -mermaid, -check and -cost exclude each other, except -diff or -terraform-state with -json and -check, and -cost with -json")
		return 2
	}
	if *costFlag && *program != "main" {
		fmt.Fprintln(stderr, "preview: -cost prices the stacks of the main program; the bootstrap program's keys and bucket cost a few dollars a month")
		return 2
	}
	if *importFile != "" && *tfState == "" {
		fmt.Fprintln(stderr, "preview: -import needs -terraform-state: the import file names what to adopt, the state what it is")
		return 2
	}
	if *checkInit {
		return initCheck(*dir, *stack, stdout, stderr)
	}
	if *tfState != "" {
		return adoption(*dir, *stack, *tfState, *importFile, *asJSON, *check, stdout, stderr)
	}

	var oldPlan []byte
	if *diff != "" {
		data, err := os.ReadFile(*diff)
		if err != nil {
			fmt.Fprintf(stderr, "preview: -diff %s: %v\n", *diff, err)
			return 2
		}
		oldPlan = data
	}

	result, err := preview.Preview(preview.Options{Dir: *dir, Stack: *stack, Program: Programs[*program]})
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	for _, w := range result.Warnings {
		fmt.Fprintln(stderr, "warning: "+w)
	}
	if len(result.Placeholders) > 0 {
		fmt.Fprintf(stderr, "warning: secrets cannot be read offline; the preview used placeholders for %s\n",
			strings.Join(result.Placeholders, ", "))
	}
	if *program == "main" {
		if projectDir, err := preview.FindProjectDir(*dir); err == nil {
			if state, err := preview.ReadInitialisation(projectDir, *stack); err == nil && !state.Done() {
				fmt.Fprintln(stderr, "warning: "+state.Report())
			}
		}
	}

	switch {
	case oldPlan != nil:
		old, err := stackplan.ReadPlanOf(oldPlan, result.Plan.Project, result.Plan.Stack)
		if err != nil {
			fmt.Fprintf(stderr, "preview: -diff %s %v\n", *diff, err)
			return 2
		}
		d := stackplan.Diff(old, result.Plan)
		if result.Settings != nil {
			before, errBefore := cost.Of(old, result.Settings.Cost)
			after, errAfter := cost.Of(result.Plan, result.Settings.Cost)
			if err := errors.Join(errBefore, errAfter); err != nil {
				fmt.Fprintln(stderr, "preview:", err)
				return 1
			}
			d.Cost = cost.Delta(before, after)
		}
		return writeDiff(d, *asJSON, *check, stdout, stderr, "")
	case *costFlag:
		estimate, err := cost.Of(result.Plan, result.Settings.Cost)
		if err != nil {
			fmt.Fprintln(stderr, "preview:", err)
			return 1
		}
		if *asJSON {
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
	case *asJSON:
		data, err := result.Plan.JSON()
		if err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
		_, _ = stdout.Write(data)
	case *mermaid:
		result.Plan.WriteMermaid(stdout)
	case *check:
		report := policy.Check(result.Plan, policy.StackOf(result.Settings))
		report.Write(stdout)
		if !report.Passed() {
			return 1
		}
		if result.Settings != nil {
			estimate, err := cost.Of(result.Plan, result.Settings.Cost)
			if err != nil {
				fmt.Fprintln(stderr, "preview:", err)
				return 1
			}
			if problem := cost.BudgetProblem(estimate, result.Settings.Budget); problem != "" {
				fmt.Fprintln(stdout, "budget: "+problem)
				return 1
			}
		}
	default:
		result.Plan.WriteTree(stdout)
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
func initCheck(dir, stack string, stdout, stderr io.Writer) int {
	projectDir, err := preview.FindProjectDir(dir)
	if err != nil {
		fmt.Fprintln(stderr, "preview:", err)
		return 2
	}
	state, err := preview.ReadInitialisation(projectDir, stack)
	if err != nil {
		fmt.Fprintln(stderr, "preview:", err)
		return 2
	}
	if !state.Done() {
		fmt.Fprintln(stderr, "error: "+state.Report())
		return 1
	}
	fmt.Fprintf(stdout, "%s is initialised: %s, with its encrypted data key and every required secret\n", state.File, state.SecretsProvider)
	return 0
}
