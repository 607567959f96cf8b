package verify

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"time"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"
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
	return o, nil
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
//	verify -url https://alb-dns [-api-host api.example.com]   HTTP checks only
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("verify", flag.ContinueOnError)
	flags.SetOutput(stderr)
	stack := flags.String("stack", "", "read the outputs of this stack with the Pulumi CLI")
	outputsFile := flags.String("outputs", "", "read stack outputs (pulumi stack output --json) from this file, - for stdin")
	url := flags.String("url", "", "check this base URL (the ALB's or the domain's) instead of the stack's api_url/app_url")
	apiHost := flags.String("api-host", "", "Host header for the backend checks, e.g. api.staging.ohmycoins.com")
	checkAWS := flags.Bool("aws", true, "also check ECS, target health, alarms and the secret (needs AWS credentials and stack outputs)")
	endpoint := flags.String("aws-endpoint", "", "AWS endpoint override (tests)")
	attempts := flags.Int("attempts", DefaultAttempts, "attempts per HTTP check")
	retryDelay := flags.Duration("retry-delay", DefaultRetryDelay, "pause between attempts")
	timeout := flags.Duration("timeout", DefaultRequestTimeout, "timeout of one request")
	deadline := flags.Duration("deadline", DefaultDeadline, "the whole run's deadline")
	if err := flags.Parse(args); err != nil {
		return 2
	}
	if (*stack == "") == (*outputsFile == "") && *url == "" {
		fmt.Fprintln(stderr, "usage: verify -stack NAME | -outputs FILE | -url URL [-api-host HOST]")
		return 2
	}

	ctx, cancel := context.WithTimeout(context.Background(), *deadline+30*time.Second)
	defer cancel()
	cfg := Config{Attempts: *attempts, RetryDelay: *retryDelay, RequestTimeout: *timeout, Deadline: *deadline, APIHost: *apiHost}
	var err error
	switch {
	case *stack != "":
		cfg.Outputs, err = StackOutputs(ctx, *stack)
	case *outputsFile == "-":
		cfg.Outputs, err = ReadOutputs(stdin)
	case *outputsFile != "":
		var f *os.File
		if f, err = os.Open(*outputsFile); err == nil {
			cfg.Outputs, err = ReadOutputs(f)
			f.Close()
		}
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	cfg.APIURL, cfg.AppURL = cfg.Outputs.String("api_url"), cfg.Outputs.String("app_url")
	if *url != "" {
		cfg.APIURL, cfg.AppURL = *url, *url
	}
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
