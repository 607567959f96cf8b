// Package awscli is a stand-in for the AWS CLI v2 that acts on a simulated
// account (internal/simaws): the commands docs/RUNBOOK.md's rehearsed
// procedures use, with the CLI's --query (JMESPath), --output and exit
// codes, so that a procedure's aws lines run verbatim in a rehearsal; and
// the stand-ins for crane's copy between the account's ECR repositories and
// for Terraform on the original environment's state (terraform.go). A
// command it does not know is an error that names it; it never reaches AWS.
package awscli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/jmespath/go-jmespath"

	"github.com/ohmycoins/infra/internal/simaws"
	"github.com/ohmycoins/infra/internal/simprovider"
)

// Exit codes of the AWS CLI v2.
const (
	exitUsage   = 252 // the command or its arguments are wrong
	exitService = 254 // the service refused the request
	exitConnect = 255 // the endpoint did not answer
)

// call is one command's arguments and the account it acts on.
type call struct {
	account *simaws.Account
	region  string
	options map[string][]string
}

// one is an option's single value, or "".
func (c call) one(name string) string {
	if v := c.options[name]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// has reports whether a flag was given.
func (c call) has(name string) bool { _, ok := c.options[name]; return ok }

// command is one `aws <service> <operation>` the stand-in knows: the
// options it requires, and what it answers.
type command struct {
	required []string
	run      func(call) (any, error)
}

// Main runs the stand-in with the CLI's arguments and returns its exit code.
func Main(args []string, stdout, stderr io.Writer) int {
	var positional []string
	options := map[string][]string{}
	for i := 0; i < len(args); i++ {
		if name, ok := strings.CutPrefix(args[i], "--"); ok {
			if name, value, ok := strings.Cut(name, "="); ok {
				options[name] = append(options[name], value)
				continue
			}
			options[name] = options[name][:0:0]
			for i+1 < len(args) && !strings.HasPrefix(args[i+1], "--") {
				i++
				options[name] = append(options[name], args[i])
			}
			continue
		}
		positional = append(positional, args[i])
	}
	if len(positional) < 2 {
		fmt.Fprintln(stderr, "aws (the rehearsal's stand-in): usage: aws <service> <operation> [options]")
		return exitUsage
	}
	name := positional[0] + " " + positional[1]
	cmd, ok := commands[name]
	if len(positional) > 2 && positional[1] == "wait" {
		name += " " + positional[2]
		cmd, ok = commands[name]
	}
	if !ok {
		fmt.Fprintf(stderr, "aws %s: the rehearsal's AWS CLI stand-in does not know this command (it knows %s)\n", name, strings.Join(known(), ", "))
		return exitUsage
	}
	for _, r := range cmd.required {
		if len(options[r]) == 0 {
			fmt.Fprintf(stderr, "aws %s: the following arguments are required: --%s\n", name, r)
			return exitUsage
		}
	}
	dir := os.Getenv(simprovider.AccountEnv)
	if dir == "" {
		fmt.Fprintf(stderr, "aws (the rehearsal's stand-in): %s is not set: it acts only on a simulated account\n", simprovider.AccountEnv)
		return exitUsage
	}
	account, err := simaws.Open(dir)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitService
	}
	region := first(options["region"], os.Getenv("AWS_REGION"), "ap-southeast-2")
	settings, err := account.Settings()
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitService
	}
	if settings.Down(region, positional[0]) != nil {
		// What the CLI prints when the region's endpoint does not answer.
		fmt.Fprintf(stderr, "\nCould not connect to the endpoint URL: \"https://%s.%s.amazonaws.com/\"\n", positional[0], region)
		return exitConnect
	}
	answer, err := cmd.run(call{account: account, region: region, options: options})
	if err != nil {
		var refusal *simaws.Refusal
		if errors.As(err, &refusal) {
			fmt.Fprintf(stderr, "\nAn error occurred (%s) when calling the %s operation: %s\n", refusal.Code, operationName(positional[1]), refusal.Message)
		} else {
			fmt.Fprintf(stderr, "aws %s: %v\n", name, err)
		}
		return exitService
	}
	if answer == nil {
		return 0
	}
	var generic any
	data, _ := json.Marshal(answer)
	_ = json.Unmarshal(data, &generic)
	if q := options["query"]; len(q) > 0 {
		if generic, err = jmespath.Search(q[0], generic); err != nil {
			fmt.Fprintf(stderr, "aws %s: --query %q: %v\n", name, q[0], err)
			return exitUsage
		}
	}
	switch output := first(options["output"], "json"); output {
	case "json":
		data, _ := json.MarshalIndent(generic, "", "    ")
		fmt.Fprintln(stdout, string(data))
	case "text":
		fmt.Fprint(stdout, text(generic))
	case "table":
		fmt.Fprint(stdout, table(name, generic))
	default:
		fmt.Fprintf(stderr, "aws %s: --output %q: json, text or table\n", name, output)
		return exitUsage
	}
	return 0
}

func first(values []string, fallbacks ...string) string {
	if len(values) > 0 && values[0] != "" {
		return values[0]
	}
	for _, f := range fallbacks {
		if f != "" {
			return f
		}
	}
	return ""
}

// operationName is the API operation of a CLI operation:
// describe-db-snapshots is DescribeDBSnapshots.
func operationName(op string) string {
	var b strings.Builder
	for _, part := range strings.Split(op, "-") {
		switch part {
		case "db", "arn", "id":
			b.WriteString(strings.ToUpper(part))
		default:
			if part != "" {
				b.WriteString(strings.ToUpper(part[:1]) + part[1:])
			}
		}
	}
	return b.String()
}

func known() []string {
	var out []string
	for name := range commands {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

// text is the CLI's text output: scalars as they are, a list's scalars on
// one line separated by tabs, each list or object of a list on a line.
func text(v any) string {
	var b strings.Builder
	var line func(v any) []string
	line = func(v any) []string {
		switch x := v.(type) {
		case nil:
			return []string{"None"}
		case []any:
			var out []string
			for _, e := range x {
				out = append(out, line(e)...)
			}
			return out
		case map[string]any:
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			var out []string
			for _, k := range keys {
				out = append(out, line(x[k])...)
			}
			return out
		case float64:
			return []string{strings.TrimSuffix(strings.TrimSuffix(fmt.Sprintf("%f", x), "0000000"), ".000000")}
		default:
			return []string{fmt.Sprint(x)}
		}
	}
	if list, ok := v.([]any); ok && len(list) > 0 {
		if _, nested := list[0].([]any); nested {
			for _, row := range list {
				b.WriteString(strings.Join(line(row), "\t") + "\n")
			}
			return b.String()
		}
		if _, nested := list[0].(map[string]any); nested {
			for _, row := range list {
				b.WriteString(strings.Join(line(row), "\t") + "\n")
			}
			return b.String()
		}
	}
	b.WriteString(strings.Join(line(v), "\t") + "\n")
	return b.String()
}

// table is the CLI's table output, simplified: a title and a row per line
// of the text output.
func table(title string, v any) string {
	rows := strings.Split(strings.TrimRight(text(v), "\n"), "\n")
	width := len(title)
	for i, r := range rows {
		rows[i] = strings.ReplaceAll(r, "\t", " | ")
		width = max(width, len(rows[i]))
	}
	rule := "+" + strings.Repeat("-", width+2) + "+\n"
	out := rule + "| " + title + strings.Repeat(" ", width-len(title)) + " |\n" + rule
	for _, r := range rows {
		out += "| " + r + strings.Repeat(" ", width-len(r)) + " |\n"
	}
	return out + rule
}
