// Command rehearse runs a procedure of docs/RUNBOOK.md verbatim against a
// simulated account, with the real Pulumi CLI and stand-in plugins, and
// reports after each step what changed and whether the application could
// be reached, and at the end what data was lost:
//
//	go run ./cmd/rehearse -stack production -procedure restoring-the-database [-json]
//	go run ./cmd/rehearse -stack staging -procedure moving-from-terraform-the-original-environments -terraform-state /tmp/staging.tfstate.json
//
// Exit 0: the procedure completed, lost nothing and was unreachable only in
// the windows the RUNBOOK announces; 1: it did not (the report says why);
// 2: bad input (nothing is created). The -json report is a contract
// (docs/ARCHITECTURE.md, "The rehearsal report").
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/ohmycoins/infra/internal/rehearsal"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("rehearse", flag.ContinueOnError)
	flags.SetOutput(stderr)
	stack := flags.String("stack", "", "the stack: staging or production")
	procedure := flags.String("procedure", "", "the RUNBOOK section: its title, or its slug (restoring-the-database)")
	state := flags.String("terraform-state", "", "the original environment's Terraform state, for procedures that start from it")
	asJSON := flags.Bool("json", false, "print the report as JSON")
	cli := flags.String("pulumi", os.Getenv("OHMYCOINS_PULUMI_CLI"), "the Pulumi CLI (default $OHMYCOINS_PULUMI_CLI, else pulumi on PATH)")
	bin := flags.String("standins", "", "a directory of prebuilt stand-ins (default: build them)")
	keep := flags.String("keep", "", "keep the rehearsal's world (project copy, account, state) in this new directory")
	project := flags.String("project", ".", "the repository's root")
	if err := flags.Parse(args); err != nil {
		return 2
	}
	if *stack == "" || *procedure == "" {
		fmt.Fprintln(stderr, "rehearse: -stack and -procedure are required")
		flags.Usage()
		return 2
	}
	o := rehearsal.Options{Project: *project, Stack: *stack, Procedure: *procedure, TerraformState: *state, Bin: *bin}
	if _, _, err := rehearsal.Prepare(o); err != nil {
		fmt.Fprintln(stderr, "rehearse:", err)
		return 2
	}
	if *cli == "" {
		path, err := exec.LookPath("pulumi")
		if err != nil {
			fmt.Fprintln(stderr, "rehearse: -pulumi: no Pulumi CLI given and none on PATH (set OHMYCOINS_PULUMI_CLI; .ci/run builds it from tools/pulumi)")
			return 2
		}
		*cli = path
	}
	o.PulumiCLI, _ = filepath.Abs(*cli)
	root := *keep
	if root == "" {
		dir, err := os.MkdirTemp("", "ohmycoins-rehearsal-")
		if err != nil {
			fmt.Fprintln(stderr, "rehearse:", err)
			return 1
		}
		defer os.RemoveAll(dir)
		root = dir
	} else if err := os.Mkdir(root, 0o755); err != nil {
		fmt.Fprintln(stderr, "rehearse: -keep:", err)
		return 2
	}
	o.Root = filepath.Join(root, "world")
	if o.Bin == "" {
		o.Bin = filepath.Join(root, "standins")
		fmt.Fprintln(stderr, "rehearse: building the stand-ins")
		if err := rehearsal.BuildStandins(*project, o.Bin); err != nil {
			fmt.Fprintln(stderr, "rehearse:", err)
			return 1
		}
	}
	if !*asJSON {
		o.Log = stderr
	}
	report, err := rehearsal.Rehearse(o)
	if err != nil {
		fmt.Fprintln(stderr, "rehearse:", err)
		return 1
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetEscapeHTML(false) // the commands' <placeholders> as written
		enc.SetIndent("", "  ")
		if err := enc.Encode(report); err != nil {
			fmt.Fprintln(stderr, "rehearse:", err)
			return 1
		}
	} else {
		printText(stdout, report)
	}
	if len(report.Faults()) > 0 {
		return 1
	}
	return 0
}

// printText prints the report for a person: a line per step, then the verdict.
func printText(w io.Writer, r *rehearsal.Report) {
	fmt.Fprintf(w, "Rehearsal of %q for %s\n", r.Procedure, r.Stack)
	if len(r.Outage) > 0 {
		fmt.Fprintf(w, "with %s down from before the first step to the end\n", strings.Join(r.Outage, ", "))
	}
	fmt.Fprintln(w)
	for _, s := range r.Steps {
		mark := "ok"
		switch {
		case !s.OK:
			mark = "FAILED"
		case s.ExpectedToFail:
			mark = "failed, as the procedure expects:"
		}
		c := s.Changes
		fmt.Fprintf(w, "%2d. %-6s %s\n    +%d ~%d +-%d -%d", s.N, mark, s.Command, c.Create, c.Update, c.Replace, c.Delete)
		if len(s.Unreachable) == 0 {
			fmt.Fprintln(w, "  application reachable")
		} else {
			var hosts []string
			for host, why := range s.Unreachable {
				hosts = append(hosts, host+" ("+why+")")
			}
			sort.Strings(hosts)
			fmt.Fprintf(w, "  UNREACHABLE: %s\n", strings.Join(hosts, "; "))
		}
		if s.Error != "" {
			fmt.Fprintf(w, "    error: %s\n", s.Error)
		}
	}
	for _, l := range r.Lost {
		announced := ""
		if slices.Contains(r.Discards, l.Type) {
			announced = " (announced: the procedure discards it)"
		}
		fmt.Fprintf(w, "\nlost: %s %s%s", l.Type, l.Name, announced)
	}
	for _, l := range r.Unrecovered {
		fmt.Fprintf(w, "\nnot recovered: %s %s (held only in %s)", l.Type, l.Name, strings.Join(r.Outage, ", "))
	}
	for _, win := range r.Windows {
		fmt.Fprintf(w, "\nannounced window, steps %d-%d: %s", win.From, win.To, win.Why)
	}
	faults := r.Faults()
	if len(faults) == 0 {
		fmt.Fprintf(w, "\n\ncompleted, nothing lost but what it announces, reachable outside the announced windows\n")
		return
	}
	fmt.Fprintf(w, "\n\nthe rehearsal found %d fault(s):\n", len(faults))
	for _, f := range faults {
		fmt.Fprintln(w, "  -", f)
	}
}
