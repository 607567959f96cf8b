package verify_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/smithy-go/encoding/cbor"
	"github.com/stretchr/testify/require"

	"github.com/ohmycoins/infra/internal/verify"
	"github.com/ohmycoins/infra/internal/verify/verifytest"
)

// app is a fake deployment over plain HTTP (appHandler).
func app(t *testing.T, status int, delay time.Duration) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(verifytest.AppHandler(status, delay))
	t.Cleanup(srv.Close)
	return srv
}

// quick are timings that keep the tests fast.
func quick(base string) verify.Config {
	return verify.Config{APIURL: base, AppURL: base, Attempts: 2, RetryDelay: 10 * time.Millisecond,
		RequestTimeout: 200 * time.Millisecond, Deadline: 5 * time.Second}
}

func TestVerifyPassesAHealthyDeployment(t *testing.T) {
	t.Parallel()
	srv := app(t, http.StatusOK, 0)
	var out bytes.Buffer
	require.True(t, verify.Run(context.Background(), quick(srv.URL), &out))
	require.Contains(t, out.String(), "backend health  ok      200 from "+srv.URL+"/api/v1/utils/health-check/ (attempt 1)")
	require.Contains(t, out.String(), "3 checks: 3 passed, 0 failed")
}

func TestVerifyFailsEachKindOfBadAnswer(t *testing.T) {
	cases := []struct {
		name   string
		status int
		delay  time.Duration
		want   string
	}{
		{"server error", http.StatusInternalServerError, 0, "500, want 200 after 2 attempts"},
		{"slow", http.StatusOK, time.Second, "no answer within 200ms after 2 attempts"},
		{"redirect", http.StatusMovedPermanently, 0, "301 redirect to https://elsewhere.example.com/api/v1/utils/health-check/, want 200"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			srv := app(t, c.status, c.delay)
			var out bytes.Buffer
			require.False(t, verify.Run(context.Background(), quick(srv.URL), &out))
			require.Contains(t, out.String(), "backend health  FAIL")
			require.Contains(t, out.String(), c.want)
			require.Contains(t, out.String(), "3 checks: 0 passed, 3 failed")
		})
	}
}

func TestVerifyRetriesUntilTheServiceAnswers(t *testing.T) {
	t.Parallel()
	calls := 0
	healthy := verifytest.AppHandler(http.StatusOK, 0)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		if calls < 3 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		healthy(w, r)
	}))
	t.Cleanup(srv.Close)
	cfg := quick(srv.URL)
	cfg.Attempts = 5
	var out bytes.Buffer
	require.True(t, verify.Run(context.Background(), cfg, &out), out.String())
	require.Contains(t, out.String(), "(attempt 3)")
}

// TestVerifyNeverRunsPastItsDeadline: an app that never answers is given up
// at the overall deadline, in the first attempt of each check, not after the
// request timeout and not after a thousand attempts.
func TestVerifyNeverRunsPastItsDeadline(t *testing.T) {
	t.Parallel()
	var requests atomic.Int32
	slow := verifytest.AppHandler(http.StatusOK, 10*time.Second)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		slow(w, r)
	}))
	t.Cleanup(srv.Close)
	cfg := quick(srv.URL)
	cfg.Attempts, cfg.RequestTimeout, cfg.Deadline = 1000, 5*time.Second, 300*time.Millisecond
	var out bytes.Buffer
	require.False(t, verify.Run(context.Background(), cfg, &out))
	require.Regexp(t, `(?m)^backend health  FAIL    \S+: deadline reached after 1 attempts`, out.String())
	require.LessOrEqual(t, requests.Load(), int32(3), "one request per check: none retried past the deadline")
}

// fakeAWS serves the recorded responses in testdata/aws the way each
// service's protocol does: ECS and Secrets Manager JSON 1.1 (by X-Amz-Target),
// ELBv2 the query protocol (XML), CloudWatch RPC v2 CBOR. edit may change a
// response before it is sent.
type fakeAWS struct {
	t    *testing.T
	edit func(operation, request, body string) string
}

func (f fakeAWS) respond(operation, request, file string) string {
	data, err := os.ReadFile(filepath.Join("testdata", "aws", file))
	require.NoError(f.t, err)
	if f.edit != nil {
		return f.edit(operation, request, string(data))
	}
	return string(data)
}

func (f fakeAWS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	switch target := r.Header.Get("X-Amz-Target"); {
	case target == "AmazonEC2ContainerServiceV20141113.DescribeServices":
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		fmt.Fprint(w, f.respond("DescribeServices", string(body), "ecs-describe-services.json"))
	case target == "secretsmanager.DescribeSecret":
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		fmt.Fprint(w, f.respond("DescribeSecret", string(body), "secretsmanager-describe-secret.json"))
	case strings.HasSuffix(r.URL.Path, "/operation/DescribeAlarms"):
		var doc any
		require.NoError(f.t, json.Unmarshal([]byte(f.respond("DescribeAlarms", "", "cloudwatch-describe-alarms.json")), &doc))
		w.Header().Set("Content-Type", "application/cbor")
		w.Header().Set("Smithy-Protocol", "rpc-v2-cbor")
		_, _ = w.Write(cbor.Encode(toCBOR(doc)))
	default:
		form, _ := url.ParseQuery(string(body))
		if form.Get("Action") != "DescribeTargetHealth" {
			http.Error(w, "unexpected request "+string(body), http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "text/xml")
		fmt.Fprint(w, f.respond("DescribeTargetHealth", form.Get("TargetGroupArn"), "elbv2-describe-target-health.xml"))
	}
}

// toCBOR converts decoded JSON to CBOR values.
func toCBOR(v any) cbor.Value {
	switch t := v.(type) {
	case map[string]any:
		m := cbor.Map{}
		for k, x := range t {
			m[k] = toCBOR(x)
		}
		return m
	case []any:
		l := cbor.List{}
		for _, x := range t {
			l = append(l, toCBOR(x))
		}
		return l
	case string:
		return cbor.String(t)
	case float64:
		return cbor.Float64(t)
	case bool:
		return cbor.Bool(t)
	}
	return &cbor.Nil{}
}

// stagingOutputs are stack outputs as the AWS checks read them.
func stagingOutputs(api string) verify.Outputs {
	var alarms []any
	for _, s := range []string{"ecs-high-cpu", "ecs-high-memory", "alb-high-5xx-errors", "alb-unhealthy-targets",
		"rds-high-cpu", "rds-low-storage", "redis-low-cache-hit-rate", "redis-high-cpu"} {
		alarms = append(alarms, "ohmycoins-staging-"+s)
	}
	return verify.Outputs{
		"api_url": api, "app_url": api,
		"ecs_cluster_name":             "ohmycoins-staging-cluster",
		"backend_service_name":         "ohmycoins-staging-backend-service",
		"frontend_service_name":        "ohmycoins-staging-frontend-service",
		"backend_task_definition_arn":  "arn:aws:ecs:ap-southeast-2:123456789012:task-definition/ohmycoins-staging-backend:7",
		"frontend_task_definition_arn": "arn:aws:ecs:ap-southeast-2:123456789012:task-definition/ohmycoins-staging-frontend:5",
		"backend_target_group_arn":     "arn:aws:elasticloadbalancing:ap-southeast-2:123456789012:targetgroup/ohmycoins-staging-backend-tg/d16cfb40541f1957",
		"frontend_target_group_arn":    "arn:aws:elasticloadbalancing:ap-southeast-2:123456789012:targetgroup/ohmycoins-staging-frontend-tg/c2d117f840a7fef0",
		"alarm_names":                  alarms,
		"app_secrets_arn":              "arn:aws:secretsmanager:ap-southeast-2:123456789012:secret:ohmycoins-staging-app-secrets-AbCdEf",
		"kms_key_arn":                  "arn:aws:kms:ap-southeast-2:123456789012:key/1ea75ec2-9996-e0b1-6b16-abc5436f69b5",
	}
}

// awsClients talks to a fake AWS endpoint with static credentials.
func awsClients(t *testing.T, fake fakeAWS) verify.SDK {
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	cfg := aws.Config{
		Region:           "ap-southeast-2",
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", ""),
		RetryMaxAttempts: 1,
	}
	return verify.NewSDK(cfg, srv.URL)
}

func TestVerifyChecksTheDeploymentInAWS(t *testing.T) {
	t.Parallel()
	srv := app(t, http.StatusOK, 0)
	cfg := quick(srv.URL)
	cfg.Outputs = stagingOutputs(srv.URL)
	cfg.AWS = awsClients(t, fakeAWS{t: t})
	var out bytes.Buffer
	require.True(t, verify.Run(context.Background(), cfg, &out), out.String())
	for _, line := range []string{
		"ECS ohmycoins-staging-backend-service   ok      ACTIVE, running 1 = desired 1",
		"backend_target_group                    ok      1 targets, 0 not healthy [healthy]",
		"alarms                                  ok      8 alarms, in ALARM: [], missing: []",
		"app secret                              ok",
		"9 checks: 9 passed, 0 failed",
	} {
		require.Contains(t, out.String(), line)
	}
}

func TestVerifyFailsEachKindOfAWSProblem(t *testing.T) {
	cases := []struct {
		name      string
		operation string
		request   string // the edit applies to requests containing this
		from, to  string
		want      string
	}{
		{"a task missing", "DescribeServices", "", `"runningCount": 1`, `"runningCount": 0`, "running 0, desired 1"},
		{"a service draining", "DescribeServices", "", `"status": "ACTIVE"`, `"status": "DRAINING"`, "status DRAINING, want ACTIVE"},
		// pulumi up deployed revision 7, ECS rolled back to 6, and pulumi up reported success.
		{"a deployment rolled back", "DescribeServices", "", `"status": "PRIMARY",
          "taskDefinition": "arn:aws:ecs:ap-southeast-2:123456789012:task-definition/ohmycoins-staging-backend:7",
          "desiredCount": 1,
          "pendingCount": 0,
          "runningCount": 1,
          "failedTasks": 0,
          "launchType": "FARGATE",
          "rolloutState": "COMPLETED",
          "rolloutStateReason": "ECS deployment ecs-svc/1000000000000000007 completed."`, `"status": "PRIMARY",
          "taskDefinition": "arn:aws:ecs:ap-southeast-2:123456789012:task-definition/ohmycoins-staging-backend:6",
          "desiredCount": 1,
          "pendingCount": 0,
          "runningCount": 1,
          "failedTasks": 3,
          "launchType": "FARGATE",
          "rolloutState": "COMPLETED",
          "rolloutStateReason": "ECS deployment ecs-svc/1000000000000000006 completed."`,
			"runs ohmycoins-staging-backend:6, not the stack's ohmycoins-staging-backend:7: ECS rolled the deployment back"},
		{"a deployment failing", "DescribeServices", "", `"rolloutState": "COMPLETED"`, `"rolloutState": "FAILED"`, "its deployment of ohmycoins-staging-backend:7 failed"},
		{"an unhealthy target", "DescribeTargetHealth", "backend-tg", "<State>healthy</State>", "<State>unhealthy</State>", "1 targets, 1 not healthy [unhealthy]"},
		{"an alarm firing", "DescribeAlarms", "", `"ohmycoins-staging-rds-high-cpu", "StateValue": "OK"`, `"ohmycoins-staging-rds-high-cpu", "StateValue": "ALARM"`,
			"in ALARM: [ohmycoins-staging-rds-high-cpu]"},
		{"the secret on another key", "DescribeSecret", "", "1ea75ec2-9996-e0b1-6b16-abc5436f69b5", "aws/secretsmanager", `encrypted with "arn:aws:kms:ap-southeast-2:123456789012:key/aws/secretsmanager"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			srv := app(t, http.StatusOK, 0)
			cfg := quick(srv.URL)
			cfg.Outputs = stagingOutputs(srv.URL)
			cfg.AWS = awsClients(t, fakeAWS{t: t, edit: func(op, request, body string) string {
				if op != c.operation || !strings.Contains(request, c.request) {
					return body
				}
				require.Contains(t, body, c.from, "the recorded response has what the case changes")
				return strings.Replace(body, c.from, c.to, 1)
			}})
			cfg.Deadline = 300 * time.Millisecond // the AWS checks retry until it
			var out bytes.Buffer
			require.False(t, verify.Run(context.Background(), cfg, &out))
			require.Contains(t, out.String(), c.want)
			require.Contains(t, out.String(), "9 checks: 8 passed, 1 failed")
		})
	}
}

func TestVerifyCommandReadsOutputsFromStdin(t *testing.T) {
	srv := app(t, http.StatusOK, 0)
	fake := httptest.NewServer(fakeAWS{t: t})
	t.Cleanup(fake.Close)
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDTEST")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_REGION", "ap-southeast-2")
	outputs, err := json.Marshal(stagingOutputs(srv.URL))
	require.NoError(t, err)

	var stdout, stderr bytes.Buffer
	code := verify.Main([]string{"-outputs", "-", "-aws-endpoint", fake.URL, "-attempts", "1", "-timeout", "1s"},
		bytes.NewReader(outputs), &stdout, &stderr)
	require.Equal(t, 0, code, stdout.String()+stderr.String())
	require.Contains(t, stdout.String(), "9 checks: 9 passed, 0 failed")

	stdout.Reset()
	broken := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(broken.Close)
	code = verify.Main([]string{"-url", broken.URL, "-api-host", "api.staging.example.com", "-app-host", "dashboard.staging.example.com", "-attempts", "1", "-aws=false"}, nil, &stdout, &stderr)
	require.Equal(t, 1, code)
	require.Contains(t, stdout.String(), "404, want 200")
	require.Contains(t, stdout.String(), "via "+broken.URL, "the checks name the hosts and connect to -url")
}

// TestVerifyRefusesOutputsOfTheWrongShape: an output the checks read that
// is not what the program exports is named with its value, not called
// missing.
func TestVerifyRefusesOutputsOfTheWrongShape(t *testing.T) {
	t.Parallel()
	for input, want := range map[string]string{
		`{"api_url": 42}`:                 "reading stack outputs: api_url = 42: must be a string (a URL such as https://api.staging.ohmycoins.com), as this program exports it",
		`{"alarm_names": "a"}`:            `reading stack outputs: alarm_names = "a": must be a list of strings`,
		`{"backend_service_name": ["x"]}`: `reading stack outputs: backend_service_name = ["x"]: must be a string`,
	} {
		var stdout, stderr bytes.Buffer
		require.Equal(t, 1, verify.Main([]string{"-outputs", "-", "-aws=false"}, strings.NewReader(input), &stdout, &stderr), input)
		require.Contains(t, stderr.String(), want, input)
		require.Empty(t, stdout.String(), "no check runs on outputs it cannot read")
	}
}

// TestVerifyRefusesBadFlagsAsUsageErrors: exit 2, with what is wrong.
func TestVerifyRefusesBadFlagsAsUsageErrors(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, "nothing to check: give -stack, -outputs or -url"},
		{[]string{"-stack", "staging", "-outputs", "o.json"}, "-stack and -outputs exclude each other"},
		{[]string{"-url", "https://alb.example.com"}, "-url without stack outputs needs -api-host and -app-host"},
		{[]string{"-url", "alb.example.com", "-api-host", "api.example.com", "-app-host", "app.example.com"}, `-url "alb.example.com": must be http(s)://host[:port]`},
		{[]string{"-url", "https://alb.example.com/api", "-api-host", "api.example.com", "-app-host", "app.example.com"}, "must be http(s)://host[:port]"},
		{[]string{"-stack", "staging", "-api-host", "https://api.example.com"}, `-api-host "https://api.example.com": must be a host name`},
		{[]string{"-stack", "staging", "-attempts", "0"}, "-attempts 0: must be at least 1"},
		{[]string{"-stack", "staging", "-deadline", "0s"}, "-timeout and -deadline must be positive"},
		{[]string{"-stack", "staging", "extra"}, `unexpected argument "extra"`},
		{[]string{"-no-such-flag"}, "flag provided but not defined: -no-such-flag"},
	} {
		var stdout, stderr bytes.Buffer
		require.Equal(t, 2, verify.Main(c.args, nil, &stdout, &stderr), "%v", c.args)
		require.Contains(t, stderr.String(), c.want, "%v", c.args)
	}
	var stdout, stderr bytes.Buffer
	require.Equal(t, 0, verify.Main([]string{"-h"}, nil, &stdout, &stderr), "help is not an error")
	require.Contains(t, stderr.String(), "verify checks a deployed stack from the outside")
}

// TestVerifyFailsAWrongBody: a frontend that answers its index.html for every
// path (the ALB routing /api to the wrong target group) answers 200, and is
// not a healthy backend.
func TestVerifyFailsAWrongBody(t *testing.T) {
	t.Parallel()
	spa := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, `<!doctype html><div id="root"></div>`)
	}))
	t.Cleanup(spa.Close)
	var out bytes.Buffer
	require.False(t, verify.Run(context.Background(), quick(spa.URL), &out))
	require.Contains(t, out.String(), `backend health  FAIL    `+spa.URL+`/api/v1/utils/health-check/: 200 with the body "<!doctype html><div id=\"root\"></div>" (text/html), want the JSON true of the backend's health check after 2 attempts`)
	require.Contains(t, out.String(), "API docs        FAIL")
	require.Contains(t, out.String(), "want FastAPI's Swagger UI")
	require.Contains(t, out.String(), "frontend        ok")
}

// TestVerifyFailsAMissingOutput: no api_url is a failure that says so, not a
// check skipped; so are the outputs the AWS checks need.
func TestVerifyFailsAMissingOutput(t *testing.T) {
	t.Parallel()
	srv := app(t, http.StatusOK, 0)
	outputs := stagingOutputs(srv.URL)
	delete(outputs, "api_url")
	delete(outputs, "kms_key_arn")
	cfg := quick("")
	cfg.AppURL = srv.URL
	cfg.Outputs = outputs
	cfg.AWS = awsClients(t, fakeAWS{t: t})
	var out bytes.Buffer
	require.False(t, verify.Run(context.Background(), cfg, &out))
	require.Contains(t, out.String(), "backend health  FAIL    no URL to check: the stack output api_url is missing, and no -url was given")
	// Not retried until the deadline: a retried failure ends "(after N attempts)".
	require.Regexp(t, `(?m)^stack outputs   FAIL    missing kms_key_arn: the AWS checks read them \(is this the stack's output, pulumi stack output --json\?\)$`, out.String(), "a missing output is not retried")
	require.Contains(t, out.String(), "API docs        FAIL    no URL to check: the stack output api_url is missing")
	require.Contains(t, out.String(), "4 checks: 1 passed, 3 failed")
}

// TestVerifyChecksTLSForTheNamesUsersReach: connecting to the load balancer's
// own name (-url), the checks still ask for, and verify the certificate of,
// the API and app hosts; a certificate for other names fails.
func TestVerifyChecksTLSForTheNamesUsersReach(t *testing.T) {
	t.Parallel()
	roots, srv := verifytest.TLSApp(t, "api.staging.example.com", "dashboard.staging.example.com")
	cfg := quick("https://api.staging.example.com")
	cfg.AppURL, cfg.Address, cfg.Roots = "https://dashboard.staging.example.com", srv.URL, roots
	var out bytes.Buffer
	require.True(t, verify.Run(context.Background(), cfg, &out), out.String())
	port := strings.TrimPrefix(srv.URL, "https://127.0.0.1")
	require.Contains(t, out.String(), "200 from https://api.staging.example.com"+port+"/api/v1/utils/health-check/ via "+srv.URL)
	require.Contains(t, out.String(), "200 from https://dashboard.staging.example.com"+port+"/ via "+srv.URL)

	cfg.APIURL = "https://api.production.example.com"
	out.Reset()
	require.False(t, verify.Run(context.Background(), cfg, &out))
	require.Contains(t, out.String(), "TLS: tls: failed to verify certificate: x509: certificate is valid for api.staging.example.com, dashboard.staging.example.com, not api.production.example.com")

	untrusted := quick("https://api.staging.example.com")
	untrusted.AppURL, untrusted.Address = "https://dashboard.staging.example.com", srv.URL
	out.Reset()
	require.False(t, verify.Run(context.Background(), untrusted, &out), "the system's roots do not trust the test CA")
	require.Contains(t, out.String(), "TLS: tls: failed to verify certificate: x509: certificate signed by unknown authority")
}

// TestVerifyRetriesTheAWSChecksUntilTheDeadline: a target still registering
// is healthy a moment later; the check passes then, not on the first look.
func TestVerifyRetriesTheAWSChecksUntilTheDeadline(t *testing.T) {
	t.Parallel()
	srv := app(t, http.StatusOK, 0)
	var mu sync.Mutex
	looks := 0
	cfg := quick(srv.URL)
	cfg.Outputs = stagingOutputs(srv.URL)
	cfg.AWS = awsClients(t, fakeAWS{t: t, edit: func(op, request, body string) string {
		if op != "DescribeTargetHealth" || !strings.Contains(request, "backend-tg") {
			return body
		}
		mu.Lock()
		defer mu.Unlock()
		looks++
		if looks < 3 {
			return strings.Replace(body, "<State>healthy</State>", "<State>initial</State>", 1)
		}
		return body
	}})
	var out bytes.Buffer
	require.True(t, verify.Run(context.Background(), cfg, &out), out.String())
	require.Equal(t, 3, looks, "two looks while registering, the third healthy")
}

// TestVerifyReadsBoundedOutputs: outputs from a device or an endless
// standard input are refused at the limit instead of read without end.
func TestVerifyReadsBoundedOutputs(t *testing.T) {
	t.Parallel()
	var stdout, stderr bytes.Buffer
	require.Equal(t, 1, verify.Main([]string{"-outputs", "/dev/zero", "-aws=false"}, nil, &stdout, &stderr))
	require.Contains(t, stderr.String(), "-outputs /dev/zero is a device, not a regular file: give the path of a file")

	zero, err := os.Open("/dev/zero")
	require.NoError(t, err)
	defer zero.Close()
	stderr.Reset()
	require.Equal(t, 1, verify.Main([]string{"-outputs", "-", "-aws=false"}, zero, &stdout, &stderr))
	require.Contains(t, stderr.String(), "standard input is larger than the limit of 64 MiB")
}
