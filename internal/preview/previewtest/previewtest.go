// Package previewtest runs the stacks of this repository offline for the
// tests that need the whole program (the stacks' own tests, the tools',
// the scenarios of tests/): the real stack files, changed by options, through
// internal/preview, and the settings a valid stack file gives.
package previewtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ohmycoins/infra/components/cicd"
	"github.com/ohmycoins/infra/components/ecs"
	"github.com/ohmycoins/infra/internal/cost"
	"github.com/ohmycoins/infra/internal/policydoc"
	"github.com/ohmycoins/infra/internal/preview"
	"github.com/ohmycoins/infra/internal/previewcli"
	"github.com/ohmycoins/infra/internal/stackplan"
	"github.com/ohmycoins/infra/stacks"
)

// An Option changes the preview: a config value set or removed.
type Option = func(*preview.Options)

// Stack runs the program for a real stack file (found from the working
// directory up) with the given changes; an error fails t.
func Stack(t testing.TB, stack string, opts ...Option) *preview.Result {
	t.Helper()
	result, err := preview.Preview(options(stack, opts))
	require.NoError(t, err)
	return result
}

// Problems runs the program and returns the validation problems it refused with.
func Problems(t testing.TB, stack string, opts ...Option) []string {
	t.Helper()
	_, err := preview.Preview(options(stack, opts))
	require.Error(t, err)
	var verr *stacks.ValidationError
	require.True(t, errors.As(err, &verr), "want a *stacks.ValidationError, got %T: %v", err, err)
	return verr.Problems
}

func options(stack string, opts []Option) preview.Options {
	o := preview.Options{Stack: stack}
	for _, f := range opts {
		f(&o)
	}
	return o
}

// Set overrides plain config values (full keys; objects as JSON).
func Set(kv ...string) Option {
	return func(o *preview.Options) {
		if o.Set == nil {
			o.Set = map[string]string{}
		}
		for i := 0; i+1 < len(kv); i += 2 {
			o.Set[kv[i]] = kv[i+1]
		}
	}
}

// SetSecret overrides secret config values.
func SetSecret(kv ...string) Option {
	return func(o *preview.Options) {
		if o.SetSecret == nil {
			o.SetSecret = map[string]string{}
		}
		for i := 0; i+1 < len(kv); i += 2 {
			o.SetSecret[kv[i]] = kv[i+1]
		}
	}
}

// Unset removes config keys.
func Unset(keys ...string) Option {
	return func(o *preview.Options) { o.Unset = append(o.Unset, keys...) }
}

// NoPlaceholders leaves unset required secrets unset.
func NoPlaceholders(o *preview.Options) { o.NoPlaceholders = true }

// WithImages gives both services an image digest: a stack past its first
// deployment, whose services run tasks (the committed stack files await their
// first image, with no task).
func WithImages() Option {
	return Set("ohmycoins:backend", `{"imageDigest": "sha256:`+strings.Repeat("b1", 32)+`"}`,
		"ohmycoins:frontend", `{"imageDigest": "sha256:`+strings.Repeat("f1", 32)+`"}`)
}

// RequireProblem asserts that exactly one problem line contains every fragment.
func RequireProblem(t testing.TB, problems []string, fragments ...string) {
	t.Helper()
	var matches []string
	for _, p := range problems {
		all := true
		for _, f := range fragments {
			all = all && strings.Contains(p, f)
		}
		if all {
			matches = append(matches, p)
		}
	}
	require.Len(t, matches, 1, "want one problem containing %q among:\n  %s", fragments, strings.Join(problems, "\n  "))
}

// Named returns the resource of a type with a logical name, or fails t.
func Named(t testing.TB, plan *stackplan.Plan, typ, name string) stackplan.Resource {
	t.Helper()
	r, ok := plan.Named(typ, name)
	require.True(t, ok, "no %s named %s in the %s plan", typ, name, plan.Stack)
	return r
}

// ValidStaging is the staging preset completed with the site values and
// secrets a real stack file gives, so that it validates.
func ValidStaging() stacks.Settings {
	s := stacks.Staging()
	s.Stack = "staging"
	completeSite(&s)
	return s
}

// ValidProduction is ValidStaging for production.
func ValidProduction() stacks.Settings {
	s := stacks.Production()
	s.Stack = "production"
	completeSite(&s)
	digest(&s, "backend", "cd")
	digest(&s, "frontend", "ab")
	s.Credentials.PagingURL = stacks.NewSecret("https://events.pagerduty.com/integration/0123456789abcdef0123456789abcdef/enqueue")
	return s
}

// digest gives a service an image digest of the byte b, repeated.
func digest(s *stacks.Settings, name, b string) {
	svc := s.Services[name]
	svc.ImageDigest = "sha256:" + strings.Repeat(b, 32)
	s.Services[name] = svc
}

func completeSite(s *stacks.Settings) {
	s.Site.Domain = "staging.example.com"
	s.Site.AlertEmails = []string{"devops@example.com"}
	s.GitHub.Repository = "example/ohmycoins"
	digest(s, "backend", "01")
	digest(s, "frontend", "02")
	s.App.FirstSuperuser = "admin@example.com"
	s.App.EmailsFromEmail = "noreply@example.com"
	s.App.CORSOrigins = []string{"https://dashboard.staging.example.com"}
	s.Credentials = stacks.Credentials{
		SecretKey:              stacks.NewSecret(strings.Repeat("k", 40)),
		FirstSuperuserPassword: stacks.NewSecret("a strong password"),
		OpenAIAPIKey:           stacks.NewSecret("sk-test"),
		RedisAuthToken:         stacks.NewSecret("Redis-Token-0123456789"),
	}
}

// ProjectCopy copies the project file and one stack file, with extraConfig
// appended, into a new directory: for a test that changes the file itself.
func ProjectCopy(t testing.TB, stack, extraConfig string) string {
	t.Helper()
	root, err := preview.FindProjectDir(".")
	require.NoError(t, err)
	dir := t.TempDir()
	for _, name := range []string{"Pulumi.yaml", "Pulumi." + stack + ".yaml"} {
		data, err := os.ReadFile(filepath.Join(root, name))
		require.NoError(t, err)
		if name != "Pulumi.yaml" {
			data = append(data, extraConfig...)
		}
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), data, 0o644))
	}
	return dir
}

// Change returns the change of a resource in a diff, or fails t.
func Change(t testing.TB, d stackplan.PlanDiff, typ, name string) stackplan.Change {
	t.Helper()
	c, ok := d.Find(typ, name)
	require.True(t, ok, "no change of %s %s in\n%s", typ, name, DiffText(d))
	return c
}

// DiffText is a diff as a reviewer reads it.
func DiffText(d stackplan.PlanDiff) string {
	var b strings.Builder
	d.Write(&b)
	return b.String()
}

// Estimate is the monthly cost of a stack, with its own usage assumptions.
func Estimate(t testing.TB, stack string, opts ...Option) cost.Estimate {
	t.Helper()
	result := Stack(t, stack, opts...)
	require.NotNil(t, result.Settings)
	require.NotNil(t, result.Plan.CostBasis, "the preview records the plan's cost basis")
	return cost.Of(result.Plan, *result.Plan.CostBasis)
}

// CopyPlan deep-copies a plan, keeping the ids and provider references the
// JSON contract leaves out, for a test that edits it.
func CopyPlan(t testing.TB, p *stackplan.Plan) *stackplan.Plan {
	t.Helper()
	out := *p
	out.Resources = nil
	for _, r := range p.Resources {
		c := r
		for _, m := range []*map[string]any{&c.Inputs, &c.Outputs} {
			data, err := json.Marshal(*m)
			require.NoError(t, err)
			fresh := map[string]any{}
			require.NoError(t, json.Unmarshal(data, &fresh))
			*m = fresh
		}
		out.Resources = append(out.Resources, c)
	}
	return &out
}

// goInternals are phrases of Go's own error texts that no message may show.
var goInternals = []string{"!!seq", "!!map", "interface {}", "Go value of type", "json: unsupported value", "map[string]"}

// RequireUserTerms asserts that a message speaks the user's terms (the
// file's, the setting's), not Go's.
func RequireUserTerms(t testing.TB, msg string) {
	t.Helper()
	for _, phrase := range goInternals {
		require.NotContains(t, msg, phrase, "the message speaks Go, not the user's terms: %s", msg)
	}
}

// WriteStack writes a project with one stack file of the given text.
func WriteStack(t testing.TB, stack, text string) string {
	t.Helper()
	root, err := preview.FindProjectDir(".")
	require.NoError(t, err)
	dir := t.TempDir()
	project, err := os.ReadFile(filepath.Join(root, "Pulumi.yaml"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "Pulumi.yaml"), project, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "Pulumi."+stack+".yaml"), []byte(text), 0o644))
	return dir
}

// Trust reads a role's one-statement trust policy.
func Trust(t testing.TB, plan *stackplan.Plan, role string) policydoc.Statement {
	t.Helper()
	doc, err := policydoc.Parse(Named(t, plan, "aws:iam/role:Role", role).Inputs["assumeRolePolicy"].(string))
	require.NoError(t, err)
	require.Len(t, doc.Statement, 1)
	return doc.Statement[0]
}

// SubnetIDs are the ids of a tier's subnets (public, private-app,
// private-db) in AZ order.
func SubnetIDs(t testing.TB, plan *stackplan.Plan, prefix, tier string, azs int) []any {
	t.Helper()
	var ids []any
	for i := 1; i <= azs; i++ {
		ids = append(ids, Named(t, plan, "aws:ec2/subnet:Subnet", fmt.Sprintf("%s-%s-subnet-%d", prefix, tier, i)).ID)
	}
	return ids
}

// Containers reads a task definition's container definitions back.
func Containers(t testing.TB, task stackplan.Resource) []ecs.ContainerDefinition {
	t.Helper()
	var defs []ecs.ContainerDefinition
	require.NoError(t, json.Unmarshal([]byte(task.Inputs["containerDefinitions"].(string)), &defs))
	return defs
}

// Env is a container's plain environment by name.
func Env(c ecs.ContainerDefinition) map[string]string {
	env := map[string]string{}
	for _, kv := range c.Environment {
		env[kv.Name] = kv.Value
	}
	return env
}

// RolePolicies are the inline policies of a role, parsed, by name.
func RolePolicies(t testing.TB, plan *stackplan.Plan, role string) map[string]policydoc.Document {
	t.Helper()
	out := map[string]policydoc.Document{}
	for _, p := range plan.OfType("aws:iam/rolePolicy:RolePolicy") {
		if p.Inputs["role"] == role {
			doc, err := policydoc.Parse(p.Inputs["policy"].(string))
			require.NoError(t, err)
			out[p.Name] = doc
		}
	}
	return out
}

// DeployPolicy is the CI deploy role's managed policies as one document,
// after checking each is attached to the role and fits IAM's 6,144 characters.
func DeployPolicy(t testing.TB, plan *stackplan.Plan, prefix string) policydoc.Document {
	t.Helper()
	role := Named(t, plan, "aws:iam/role:Role", prefix+"-github-deploy")
	var all policydoc.Document
	for _, part := range cicd.DeployPolicyParts {
		managed := Named(t, plan, "aws:iam/policy:Policy", prefix+"-github-deploy-"+part)
		raw := managed.Inputs["policy"].(string)
		require.Less(t, len(raw), 6144, "a managed policy holds at most 6,144 characters")
		attachment := Named(t, plan, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", prefix+"-github-deploy-"+part)
		require.Equal(t, managed.Outputs["arn"], attachment.Inputs["policyArn"])
		require.Equal(t, role.Outputs["name"], attachment.Inputs["role"])
		doc, err := policydoc.Parse(raw)
		require.NoError(t, err)
		all.Statement = append(all.Statement, doc.Statement...)
	}
	return all
}

// ZoneID is the hosted zone id of the plan's DNS records.
func ZoneID(t testing.TB, plan *stackplan.Plan) string {
	t.Helper()
	for _, r := range plan.OfType("aws:route53/record:Record") {
		return r.Inputs["zoneId"].(string)
	}
	t.Fatal("no DNS record in the plan")
	return ""
}

// CLI runs the offline preview command in-process on the project found from
// the working directory up: a command and its flags (plan -stack staging), or
// the earlier flags alone.
func CLI(args ...string) (code int, stdout, stderr string) {
	root, err := preview.FindProjectDir(".")
	if err != nil {
		return 2, "", err.Error()
	}
	var out, errOut bytes.Buffer
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		args = append([]string{args[0], "-dir", root}, args[1:]...) // a command, then its flags
	} else {
		args = append([]string{"-dir", root}, args...) // the earlier form
	}
	code = previewcli.Main(args, &out, &errOut)
	return code, out.String(), errOut.String()
}
