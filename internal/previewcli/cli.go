// Package previewcli is the offline preview command (cmd/preview): it runs a
// stack's program under mocks (internal/preview) and prints the plan as a tree,
// JSON, a diff or a diagram, or checks it against the policy rules
// (internal/policy).
package previewcli

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/ohmycoins/infra/internal/policy"
	"github.com/ohmycoins/infra/internal/preview"
)

// Main is the offline preview command (cmd/preview) without the process: it
// parses args, writes to stdout and stderr, and returns the exit code: 0 on
// success (a diff included), 1 when the program fails (bad stack, invalid
// settings: the message and nothing else) or -check finds a violation, 2 on
// bad usage.
func Main(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("preview", flag.ContinueOnError)
	flags.SetOutput(stderr)
	stack := flags.String("stack", "", "stack to preview: a Pulumi.<stack>.yaml in the project (staging, production)")
	dir := flags.String("dir", ".", "the project directory, or a directory below it")
	program := flags.String("program", "main", "the program to run: main (the stacks) or bootstrap (the state backend)")
	asJSON := flags.Bool("json", false, "print the plan as JSON (the contract in ARCHITECTURE.md)")
	diff := flags.String("diff", "", "print the changes against an earlier JSON plan `file`")
	mermaid := flags.Bool("mermaid", false, "print a Mermaid flowchart of components and their dependencies")
	check := flags.Bool("check", false, "check the plan against the policy rules (internal/policy); exit 1 on a violation")
	if err := flags.Parse(args); err != nil {
		return 2
	}
	if *stack == "" || flags.NArg() > 0 {
		fmt.Fprintln(stderr, "usage: preview [-program main|bootstrap] -stack NAME [-json | -diff OLD.json | -mermaid | -check]")
		return 2
	}
	modes := 0
	for _, on := range []bool{*asJSON, *diff != "", *mermaid, *check} {
		if on {
			modes++
		}
	}
	if modes > 1 {
		fmt.Fprintln(stderr, "preview: -json, -diff, -mermaid and -check exclude each other")
		return 2
	}

	var old *preview.Plan
	if *diff != "" {
		data, err := os.ReadFile(*diff)
		if err == nil {
			old, err = preview.ReadPlan(data)
		}
		if err != nil {
			fmt.Fprintf(stderr, "preview: reading %s: %v\n", *diff, err)
			return 1
		}
	}

	result, err := preview.Preview(preview.Options{Dir: *dir, Stack: *stack, ProgramName: *program})
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

	switch {
	case *asJSON:
		data, err := result.Plan.JSON()
		if err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
		_, _ = stdout.Write(data)
	case old != nil:
		preview.Diff(old, result.Plan).Write(stdout, *stack)
	case *mermaid:
		result.Plan.WriteMermaid(stdout)
	case *check:
		var waivers map[string]string
		if result.Settings != nil {
			waivers = result.Settings.Policy.Waivers
		}
		report := policy.Check(result.Plan, waivers)
		report.Write(stdout)
		if !report.Passed() {
			return 1
		}
	default:
		result.Plan.WriteTree(stdout)
	}
	return 0
}
