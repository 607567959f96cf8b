package verify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"time"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"

	"github.com/ohmycoins/infra/internal/boundedread"
)

// Outputs are a stack's outputs, as `pulumi stack output --json` prints them.
type Outputs map[string]any

// String returns a string output, or "".
func (o Outputs) String(name string) string {
	s, _ := o[name].(string)
	return s
}

// Strings returns a list-of-strings output.
func (o Outputs) Strings(name string) []string {
	var out []string
	list, _ := o[name].([]any)
	for _, v := range list {
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// ReadOutputs parses `pulumi stack output --json`.
func ReadOutputs(r io.Reader) (Outputs, error) {
	var o Outputs
	if err := json.NewDecoder(r).Decode(&o); err != nil {
		return nil, fmt.Errorf("reading stack outputs: %w", err)
	}
	for _, name := range slices.Sorted(maps.Keys(o)) {
		if want := outputShape(name); want != "" && !shaped(o[name], want) {
			b, _ := json.Marshal(o[name])
			return nil, fmt.Errorf("reading stack outputs: %s = %s: must be %s, as this program exports it (is this pulumi stack output --json of an ohmycoins stack?)", name, b, want)
		}
	}
	return o, nil
}

// outputShape is what an output the checks read must be, "" for one they
// do not read.
func outputShape(name string) string {
	switch {
	case name == "api_url" || name == "app_url":
		return "a string (a URL such as https://api.staging.ohmycoins.com)"
	case name == "alarm_names":
		return "a list of strings"
	case slices.Contains(awsOutputs, name), strings.HasSuffix(name, serviceNameSuffix),
		strings.HasSuffix(name, targetGroupSuffix), strings.HasSuffix(name, taskDefinitionSuffix):
		return "a string"
	}
	return ""
}

// shaped reports whether v is what outputShape describes.
func shaped(v any, shape string) bool {
	if shape == "a list of strings" {
		list, ok := v.([]any)
		for _, e := range list {
			if _, text := e.(string); !text {
				return false
			}
		}
		return ok
	}
	_, ok := v.(string)
	return ok
}

// StackOutputs runs `pulumi stack output --json --stack <stack>`.
func StackOutputs(ctx context.Context, stack string) (Outputs, error) {
	cmd := exec.CommandContext(ctx, "pulumi", "stack", "output", "--json", "--stack", stack)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("pulumi stack output --stack %s: %w", stack, err)
	}
	return ReadOutputs(bytes.NewReader(out))
}

// Main is the verify command without the process: it returns the exit code
// (0 all checks passed, 1 a check failed, 2 bad usage).
//
//	verify -stack staging                 outputs from pulumi, HTTP and AWS checks
//	verify -outputs outputs.json          outputs from a file (- for stdin)
//	verify -stack staging -url https://<alb-dns>   connect to the load balancer, verify TLS for api_url's and app_url's hosts
//	verify -url https://<alb-dns> -api-host api.example.com -app-host dashboard.example.com -aws=false
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("verify", flag.ContinueOnError)
	flags.SetOutput(stderr)
	flags.Usage = func() {
		fmt.Fprintln(stderr, "verify checks a deployed stack from the outside: the backend's health endpoint, the API docs and the frontend, and with AWS credentials its services, targets, alarms and secret.")
		fmt.Fprintln(stderr, "usage: verify -stack NAME | -outputs FILE | -url URL -api-host HOST -app-host HOST [flags]")
		flags.PrintDefaults()
	}
	stack := flags.String("stack", "", "read the outputs of this stack with the Pulumi CLI (pulumi stack output --json)")
	outputsFile := flags.String("outputs", "", "read stack outputs (pulumi stack output --json) from this file, - for stdin")
	address := flags.String("url", "", "connect to this base URL (e.g. https://<the ALB's DNS name>) instead of the hosts' DNS; requests and TLS still use the API and app hosts")
	apiHost := flags.String("api-host", "", "the backend's host, e.g. api.staging.ohmycoins.com (default: the host of the output api_url)")
	appHost := flags.String("app-host", "", "the frontend's host, e.g. dashboard.staging.ohmycoins.com (default: the host of the output app_url)")
	checkAWS := flags.Bool("aws", true, "also check ECS, target health, alarms and the secret (needs AWS credentials and stack outputs)")
	endpoint := flags.String("aws-endpoint", "", "AWS endpoint override (tests)")
	attempts := flags.Int("attempts", DefaultAttempts, "attempts per HTTP check")
	retryDelay := flags.Duration("retry-delay", DefaultRetryDelay, "pause between attempts")
	timeout := flags.Duration("timeout", DefaultRequestTimeout, "timeout of one request")
	deadline := flags.Duration("deadline", DefaultDeadline, "the whole run's deadline")
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if problem := usageProblem(flags, *stack, *outputsFile, *address, *apiHost, *appHost, *attempts, *retryDelay, *timeout, *deadline); problem != "" {
		fmt.Fprintln(stderr, "verify: "+problem)
		fmt.Fprintln(stderr, "usage: verify -stack NAME | -outputs FILE | -url URL -api-host HOST -app-host HOST [flags] (verify -h lists them)")
		return 2
	}

	ctx, cancel := context.WithTimeout(context.Background(), *deadline+30*time.Second)
	defer cancel()
	cfg := Config{Attempts: *attempts, RetryDelay: *retryDelay, RequestTimeout: *timeout, Deadline: *deadline, Address: *address}
	var err error
	switch {
	case *stack != "":
		cfg.Outputs, err = StackOutputs(ctx, *stack)
	case *outputsFile == "-":
		var data []byte
		if data, err = boundedread.Reader(stdin, boundedread.DocumentLimit, "standard input"); err == nil {
			cfg.Outputs, err = ReadOutputs(bytes.NewReader(data))
		}
	case *outputsFile != "":
		var data []byte
		if data, err = boundedread.File(*outputsFile, boundedread.DocumentLimit, "-outputs"); err == nil {
			cfg.Outputs, err = ReadOutputs(bytes.NewReader(data))
		}
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	cfg.APIURL = withHost(cfg.Outputs.String("api_url"), *apiHost)
	cfg.AppURL = withHost(cfg.Outputs.String("app_url"), *appHost)
	if *checkAWS && cfg.Outputs != nil {
		awsCfg, err := awsconfig.LoadDefaultConfig(ctx)
		if err != nil {
			fmt.Fprintln(stderr, "AWS configuration:", err)
			return 1
		}
		cfg.AWS = NewSDK(awsCfg, *endpoint)
	}
	if !Run(ctx, cfg, stdout) {
		return 1
	}
	return 0
}

// usageProblem says what is wrong with the flags, or "".
func usageProblem(flags *flag.FlagSet, stack, outputsFile, address, apiHost, appHost string, attempts int, retryDelay, timeout, deadline time.Duration) string {
	switch {
	case flags.NArg() > 0:
		return fmt.Sprintf("unexpected argument %q", flags.Arg(0))
	case stack != "" && outputsFile != "":
		return "-stack and -outputs exclude each other: the outputs come from one place"
	case stack == "" && outputsFile == "" && address == "":
		return "nothing to check: give -stack, -outputs or -url"
	case stack == "" && outputsFile == "" && (apiHost == "" || appHost == ""):
		return "-url without stack outputs needs -api-host and -app-host: the names TLS is verified for"
	case attempts < 1:
		return fmt.Sprintf("-attempts %d: must be at least 1", attempts)
	case retryDelay < 0 || timeout <= 0 || deadline <= 0:
		return "-retry-delay must not be negative, -timeout and -deadline must be positive"
	}
	if address != "" {
		u, err := url.Parse(address)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || (u.Path != "" && u.Path != "/") {
			return fmt.Sprintf("-url %q: must be http(s)://host[:port], the address to connect to", address)
		}
	}
	for name, host := range map[string]string{"-api-host": apiHost, "-app-host": appHost} {
		if host != "" && !hostname.MatchString(host) {
			return fmt.Sprintf("%s %q: must be a host name such as api.staging.ohmycoins.com", name, host)
		}
	}
	return ""
}

// hostname is a DNS name.
var hostname = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$`)

// withHost is base with its host replaced by host, or https://host when base is empty.
func withHost(base, host string) string {
	if host == "" {
		return base
	}
	u, err := url.Parse(base)
	if base == "" || err != nil {
		return "https://" + host
	}
	u.Host = host
	return u.String()
}
