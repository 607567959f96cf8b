// Package verify checks a deployed environment from the outside, the way the
// original's post-deployment-validation.sh meant to (defect H2): the backend's
// health endpoint, the API docs and the frontend answer 200 through the load
// balancer; and, with AWS access, the ECS services run what they should, every
// target is healthy, no alarm of the stack is in ALARM, and the app secret is
// encrypted with the environment key. It prints a table, fails on any failed
// check, and never runs past its deadline.
package verify

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"text/tabwriter"
	"time"
)

// Config is what to check and how patiently.
type Config struct {
	// APIURL and AppURL are where the backend and the frontend answer.
	APIURL, AppURL string
	// APIHost, when set, is sent as the Host header of the backend checks (to
	// reach api.<domain> through the ALB's own name).
	APIHost string
	// Outputs are the stack outputs; the AWS checks read names and ARNs from them.
	Outputs Outputs
	// AWS runs the AWS checks; nil skips them.
	AWS AWS
	// Attempts, RetryDelay and RequestTimeout bound each HTTP check; Deadline bounds the whole run.
	Attempts       int
	RetryDelay     time.Duration
	RequestTimeout time.Duration
	Deadline       time.Duration
	// Client makes the HTTP requests; it must not follow redirects (NewHTTPClient).
	Client *http.Client
}

// Defaults for Config's timing.
const (
	DefaultAttempts       = 5
	DefaultRetryDelay     = 5 * time.Second
	DefaultRequestTimeout = 10 * time.Second
	DefaultDeadline       = 3 * time.Minute
)

// Result is one check's outcome.
type Result struct {
	Check  string
	OK     bool
	Detail string
}

// Run runs every check within the deadline, writes the table to out and
// reports whether all passed.
func Run(ctx context.Context, cfg Config, out io.Writer) bool {
	cfg.defaults()
	ctx, cancel := context.WithTimeout(ctx, cfg.Deadline)
	defer cancel()

	var results []Result
	for _, c := range []struct{ name, base, path, host string }{
		{"backend health", cfg.APIURL, "/api/v1/utils/health-check/", cfg.APIHost},
		{"API docs", cfg.APIURL, "/docs", cfg.APIHost},
		{"frontend", cfg.AppURL, "/", ""},
	} {
		if c.base == "" {
			continue
		}
		results = append(results, checkHTTP(ctx, cfg, c.name, strings.TrimSuffix(c.base, "/")+c.path, c.host))
	}
	if cfg.AWS != nil {
		results = append(results, checkAWS(ctx, cfg.AWS, cfg.Outputs)...)
	}
	return writeTable(out, results)
}

func (c *Config) defaults() {
	if c.Attempts < 1 {
		c.Attempts = DefaultAttempts
	}
	if c.RetryDelay == 0 {
		c.RetryDelay = DefaultRetryDelay
	}
	if c.RequestTimeout == 0 {
		c.RequestTimeout = DefaultRequestTimeout
	}
	if c.Deadline == 0 {
		c.Deadline = DefaultDeadline
	}
	if c.Client == nil {
		c.Client = NewHTTPClient()
	}
}

// NewHTTPClient returns a client that reports redirects instead of following
// them: a health endpoint that redirects is misrouted, not healthy (defect E1).
func NewHTTPClient() *http.Client {
	return &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// checkHTTP wants a 200 from url, retrying failures until the attempts or the deadline run out.
func checkHTTP(ctx context.Context, cfg Config, name, url, host string) Result {
	var last string
	for attempt := 1; attempt <= cfg.Attempts; attempt++ {
		status, detail := get(ctx, cfg, url, host)
		if status == http.StatusOK {
			return Result{Check: name, OK: true, Detail: fmt.Sprintf("200 from %s (attempt %d)", url, attempt)}
		}
		last = detail
		if attempt == cfg.Attempts {
			break
		}
		select {
		case <-ctx.Done():
			return Result{Check: name, Detail: fmt.Sprintf("%s: deadline reached after %d attempts (last: %s)", url, attempt, last)}
		case <-time.After(cfg.RetryDelay):
		}
	}
	return Result{Check: name, Detail: fmt.Sprintf("%s: %s after %d attempts", url, last, cfg.Attempts)}
}

// get makes one request and describes what came back.
func get(ctx context.Context, cfg Config, url, host string) (int, string) {
	ctx, cancel := context.WithTimeout(ctx, cfg.RequestTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, err.Error()
	}
	if host != "" {
		req.Host = host
	}
	resp, err := cfg.Client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return 0, fmt.Sprintf("no answer within %s", cfg.RequestTimeout)
		}
		return 0, err.Error()
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		return resp.StatusCode, fmt.Sprintf("%d redirect to %s, want 200", resp.StatusCode, resp.Header.Get("Location"))
	}
	return resp.StatusCode, fmt.Sprintf("%d, want 200", resp.StatusCode)
}

// writeTable prints the results and a summary line; it reports whether all passed.
func writeTable(out io.Writer, results []Result) bool {
	w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "CHECK\tRESULT\tDETAIL")
	failed := 0
	for _, r := range results {
		status := "ok"
		if !r.OK {
			status = "FAIL"
			failed++
		}
		fmt.Fprintf(w, "%s\t%s\t%s\n", r.Check, status, r.Detail)
	}
	_ = w.Flush()
	fmt.Fprintf(out, "%d checks: %d passed, %d failed\n", len(results), len(results)-failed, failed)
	return failed == 0 && len(results) > 0
}
