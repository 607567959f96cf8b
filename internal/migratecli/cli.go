// Package migratecli is cmd/migrate's command line, importable so the tests
// run it in-process exactly as an operator does.
package migratecli

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/ohmycoins/infra/internal/boundedread"
	"github.com/ohmycoins/infra/internal/migrate"
	"github.com/ohmycoins/infra/internal/preview"
	"github.com/ohmycoins/infra/internal/tfstate"
)

// Exit codes.
const (
	exitOK       = 0
	exitFailed   = 1 // the program could not run (a broken stack file, say)
	ExitBadInput = 2 // bad flags or a file that is not the stack's Terraform state
)

// Main runs the command with args and returns its exit code. The import file
// goes to stdout, everything else to stderr; on any error nothing reaches
// stdout.
func Main(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	stack := fs.String("stack", "", "the stack to move into: staging or production (required)")
	statePath := fs.String("terraform-state", "", "the original environment's state, as `terraform show -json` prints it (required)")
	dir := fs.String("dir", ".", "the project directory")
	report := fs.String("report", "text", "the report's form on stderr: text or json")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "migrate moves a stack in beside the original Terraform environment: it matches each resource of its state to this program's, writes the file pulumi import takes (stdout) and reports a verdict per resource (stderr).")
		fmt.Fprintf(stderr, "usage: go run ./cmd/migrate -stack S -terraform-state FILE > import.json\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return ExitBadInput
	}
	switch {
	case *stack == "" || *statePath == "":
		fmt.Fprintln(stderr, "migrate: -stack and -terraform-state are required")
		fs.Usage()
		return ExitBadInput
	case fs.NArg() > 0:
		fmt.Fprintf(stderr, "migrate: unexpected arguments %q\n", fs.Args())
		return ExitBadInput
	case preview.CheckStackName(*stack) != nil:
		fmt.Fprintf(stderr, "migrate: %v\n", preview.CheckStackName(*stack))
		return ExitBadInput
	case *report != "text" && *report != "json":
		fmt.Fprintf(stderr, "migrate: -report = %q: must be text or json\n", *report)
		return ExitBadInput
	}
	data, err := boundedread.File(*statePath, boundedread.DocumentLimit, "-terraform-state")
	if err != nil {
		fmt.Fprintf(stderr, "migrate: %v\n", err)
		return ExitBadInput
	}
	state, err := tfstate.Parse(*statePath, data)
	if err != nil {
		return fail(stderr, err)
	}
	result, err := migrate.Run(migrate.Options{Dir: *dir, Stack: *stack, State: state, StateName: *statePath})
	if err != nil {
		return fail(stderr, err)
	}
	file, err := result.Import.JSON()
	if err != nil {
		return fail(stderr, err)
	}
	var out bytes.Buffer
	if *report == "json" {
		b, err := result.ReportJSON()
		if err != nil {
			return fail(stderr, err)
		}
		out.Write(b)
	} else {
		result.WriteReport(&out, *statePath)
	}
	if _, err := stdout.Write(file); err != nil {
		return fail(stderr, err)
	}
	_, _ = stderr.Write(out.Bytes())
	return exitOK
}

func fail(stderr io.Writer, err error) int {
	fmt.Fprintf(stderr, "migrate: %v\n", err)
	var input *tfstate.InputError
	if errors.As(err, &input) {
		return ExitBadInput
	}
	return exitFailed
}
