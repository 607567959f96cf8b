// Package verify checks a deployed environment from the outside, the way the
// original's post-deployment-validation.sh meant to (defect H2): the backend's
// health endpoint answers its JSON, the API docs are FastAPI's and the
// frontend serves HTML, through the load balancer and with TLS verified for
// the names users reach; and, with AWS access, the ECS services run what they
// should, every target is healthy, no alarm of the stack is in ALARM, and the
// app secret is encrypted with the environment key. It prints a table, fails
// on any failed check or missing output, retries what may still be settling
// (a target registering, a task starting), and never runs past its deadline.
package verify

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"
	"text/tabwriter"
	"time"
)

// Config is what to check and how patiently.
type Config struct {
	// APIURL and AppURL are where the backend and the frontend answer
	// (https://api.<domain>, https://dashboard.<domain>).
	APIURL, AppURL string
	// Address, when set, is where to connect instead (the load balancer's
	// own name, before DNS points at it): requests still name, and TLS still
	// verifies, the hosts of APIURL and AppURL, like curl --connect-to.
	Address string
	// Outputs are the stack outputs; the AWS checks read names and ARNs from them.
	Outputs Outputs
	// AWS runs the AWS checks; nil skips them.
	AWS AWS
	// Attempts, RetryDelay and RequestTimeout bound each HTTP check; Deadline
	// bounds the whole run, and the AWS checks retry until it.
	Attempts       int
	RetryDelay     time.Duration
	RequestTimeout time.Duration
	Deadline       time.Duration
	// Roots are the certificate authorities TLS trusts; nil is the system's.
	Roots *x509.CertPool
	// Client makes the HTTP requests; nil builds one (NewHTTPClient).
	Client *http.Client
}

// Defaults for Config's timing.
const (
	DefaultAttempts       = 5
	DefaultRetryDelay     = 5 * time.Second
	DefaultRequestTimeout = 10 * time.Second
	DefaultDeadline       = 3 * time.Minute
)

// HealthPath is the backend's health endpoint, which answers the JSON true.
const HealthPath = "/api/v1/utils/health-check/"

// Result is one check's outcome.
type Result struct {
	Check  string
	OK     bool
	Detail string
}

// httpCheck is one request and what its answer must be.
type httpCheck struct {
	name, base, path string
	// want judges a 200's headers and body; "" accepts it.
	want func(h http.Header, body []byte) string
}

// Run runs every check within the deadline, writes the table to out and
// reports whether all passed.
func Run(ctx context.Context, cfg Config, out io.Writer) bool {
	cfg.defaults()
	ctx, cancel := context.WithTimeout(ctx, cfg.Deadline)
	defer cancel()

	var results []Result
	for _, c := range []httpCheck{
		{"backend health", cfg.APIURL, HealthPath, wantJSONTrue},
		{"API docs", cfg.APIURL, "/docs", wantBody("swagger-ui", "FastAPI's Swagger UI")},
		{"frontend", cfg.AppURL, "/", wantHTML},
	} {
		if c.base == "" {
			results = append(results, Result{Check: c.name, Detail: "no URL to check: " + missingURL(c.name)})
			continue
		}
		results = append(results, checkHTTP(ctx, cfg, c))
	}
	if cfg.AWS != nil {
		results = append(results, retryAWS(ctx, cfg)...)
	}
	return writeTable(out, results)
}

func missingURL(check string) string {
	output := "api_url"
	if check == "frontend" {
		output = "app_url"
	}
	return "the stack output " + output + " is missing, and no -url was given"
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
		c.Client = NewHTTPClient(c.Address, c.Roots)
	}
}

// NewHTTPClient returns a client that reports redirects instead of following
// them (a health endpoint that redirects is misrouted, not healthy: defect E1)
// and, with address, connects there whatever host a request names, while TLS
// verifies the named host against roots (nil: the system's).
func NewHTTPClient(address string, roots *x509.CertPool) *http.Client {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.TLSClientConfig = &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
	if address != "" {
		u, err := url.Parse(address)
		if err == nil {
			dialAddr := u.Host
			if u.Port() == "" {
				dialAddr = net.JoinHostPort(u.Hostname(), map[string]string{"http": "80"}[u.Scheme]+map[string]string{"https": "443"}[u.Scheme])
			}
			dialer := &net.Dialer{Timeout: 30 * time.Second}
			transport.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
				return dialer.DialContext(ctx, network, dialAddr)
			}
		}
	}
	return &http.Client{
		Transport:     transport,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// target is the URL a check requests: the base URL's host and path, on the
// scheme and port of the address the client connects to, if any.
func target(cfg Config, base, path string) string {
	u, err := url.Parse(strings.TrimSuffix(base, "/") + path)
	if err != nil || cfg.Address == "" {
		return strings.TrimSuffix(base, "/") + path
	}
	if a, err := url.Parse(cfg.Address); err == nil {
		u.Scheme = a.Scheme
		if a.Port() != "" {
			u.Host = net.JoinHostPort(u.Hostname(), a.Port())
		}
	}
	return u.String()
}

// checkHTTP wants a 200 with the right body from url, retrying failures until
// the attempts or the deadline run out.
func checkHTTP(ctx context.Context, cfg Config, c httpCheck) Result {
	url := target(cfg, c.base, c.path)
	via := ""
	if cfg.Address != "" {
		via = " via " + cfg.Address
	}
	var last string
	for attempt := 1; attempt <= cfg.Attempts; attempt++ {
		detail := get(ctx, cfg, url, c.want)
		if detail == "" {
			return Result{Check: c.name, OK: true, Detail: fmt.Sprintf("200 from %s%s (attempt %d)", url, via, attempt)}
		}
		last = detail
		if attempt == cfg.Attempts {
			break
		}
		select {
		case <-ctx.Done():
			return Result{Check: c.name, Detail: fmt.Sprintf("%s%s: deadline reached after %d attempts (last: %s)", url, via, attempt, last)}
		case <-time.After(cfg.RetryDelay):
		}
	}
	return Result{Check: c.name, Detail: fmt.Sprintf("%s%s: %s after %d attempts", url, via, last, cfg.Attempts)}
}

// get makes one request and says what is wrong with the answer; "" is a pass.
func get(ctx context.Context, cfg Config, url string, want func(http.Header, []byte) string) string {
	ctx, cancel := context.WithTimeout(ctx, cfg.RequestTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err.Error()
	}
	resp, err := cfg.Client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Sprintf("no answer within %s", cfg.RequestTimeout)
		}
		var certErr *tls.CertificateVerificationError
		if errors.As(err, &certErr) {
			return "TLS: " + certErr.Error()
		}
		return err.Error()
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	switch {
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		return fmt.Sprintf("%d redirect to %s, want 200", resp.StatusCode, resp.Header.Get("Location"))
	case resp.StatusCode != http.StatusOK:
		return fmt.Sprintf("%d, want 200", resp.StatusCode)
	case want != nil:
		return want(resp.Header, body)
	}
	return ""
}

// wantJSONTrue is the backend health endpoint's answer: the JSON value true.
// A frontend that answers index.html for every path fails it.
func wantJSONTrue(h http.Header, body []byte) string {
	var v any
	if err := json.Unmarshal(body, &v); err != nil || v != true {
		return fmt.Sprintf("200 with the body %q (%s), want the JSON true of the backend's health check", abbreviate(body), mediaType(h))
	}
	return ""
}

// wantHTML is the frontend's answer: an HTML page.
func wantHTML(h http.Header, body []byte) string {
	if mediaType(h) != "text/html" {
		return fmt.Sprintf("200 with %s %q, want an HTML page", mediaType(h), abbreviate(body))
	}
	return ""
}

// wantBody wants text in the body.
func wantBody(text, what string) func(http.Header, []byte) string {
	return func(h http.Header, body []byte) string {
		if !bytes.Contains(body, []byte(text)) {
			return fmt.Sprintf("200 with %s %q, want %s", mediaType(h), abbreviate(body), what)
		}
		return ""
	}
}

func mediaType(h http.Header) string {
	t, _, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil {
		return "no content type"
	}
	return t
}

func abbreviate(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 60 {
		return s[:60] + "..."
	}
	return s
}

// retryAWS runs the AWS checks until all pass or the deadline is near: a
// target still registering or a task still starting passes a moment later.
func retryAWS(ctx context.Context, cfg Config) []Result {
	for attempt := 1; ; attempt++ {
		results := checkAWS(ctx, cfg.AWS, cfg.Outputs)
		failed := 0
		for _, r := range results {
			if !r.OK {
				failed++
			}
		}
		if failed == 0 || missingOutputs(results) {
			return results
		}
		// Another look needs the pause and time to answer before the deadline.
		deadline, _ := ctx.Deadline()
		if time.Until(deadline) < cfg.RetryDelay+cfg.RequestTimeout {
			for i := range results {
				if !results[i].OK {
					results[i].Detail += fmt.Sprintf(" (after %d attempts)", attempt)
				}
			}
			return results
		}
		select {
		case <-ctx.Done():
			return results
		case <-time.After(cfg.RetryDelay):
		}
	}
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
