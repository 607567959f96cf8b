// Package tests holds every test of the program in one package, so the large AWS
// SDK packages are linked into one test binary, built once. Tests run
// the real program under the mock cloud of internal/preview and assert on the
// recorded plan.
package tests

import (
	"errors"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/stretchr/testify/require"

	"github.com/ohmycoins/infra/internal/preview"
	"github.com/ohmycoins/infra/internal/stackplan"
	"github.com/ohmycoins/infra/stacks"
)

// projectDir is where Pulumi.yaml and the stack files live, relative to this package.
const projectDir = ".."

// previewStack runs the program for a real stack file with the given option changes.
func previewStack(t testing.TB, stack string, opts ...func(*preview.Options)) *preview.Result {
	t.Helper()
	o := preview.Options{Dir: projectDir, Stack: stack}
	for _, f := range opts {
		f(&o)
	}
	result, err := preview.Preview(o)
	require.NoError(t, err)
	return result
}

// previewError runs the program and returns the validation problems it refused with.
func previewError(t *testing.T, stack string, opts ...func(*preview.Options)) []string {
	t.Helper()
	o := preview.Options{Dir: projectDir, Stack: stack}
	for _, f := range opts {
		f(&o)
	}
	_, err := preview.Preview(o)
	require.Error(t, err)
	var verr *stacks.ValidationError
	require.True(t, errors.As(err, &verr), "want a *stacks.ValidationError, got %T: %v", err, err)
	return verr.Problems
}

// set overrides plain config values (full keys; objects as JSON).
// withImages gives both services an image digest: a stack past its first
// deployment, whose services run tasks (the committed stack files await their
// first image, with no task).
func withImages() func(*preview.Options) {
	return set("ohmycoins:backend", `{"imageDigest": "sha256:`+strings.Repeat("b1", 32)+`"}`,
		"ohmycoins:frontend", `{"imageDigest": "sha256:`+strings.Repeat("f1", 32)+`"}`)
}

func set(kv ...string) func(*preview.Options) {
	return func(o *preview.Options) {
		if o.Set == nil {
			o.Set = map[string]string{}
		}
		for i := 0; i+1 < len(kv); i += 2 {
			o.Set[kv[i]] = kv[i+1]
		}
	}
}

// setSecret overrides secret config values.
func setSecret(kv ...string) func(*preview.Options) {
	return func(o *preview.Options) {
		if o.SetSecret == nil {
			o.SetSecret = map[string]string{}
		}
		for i := 0; i+1 < len(kv); i += 2 {
			o.SetSecret[kv[i]] = kv[i+1]
		}
	}
}

// unset removes config keys.
func unset(keys ...string) func(*preview.Options) {
	return func(o *preview.Options) { o.Unset = append(o.Unset, keys...) }
}

// noPlaceholders leaves unset required secrets unset.
func noPlaceholders(o *preview.Options) { o.NoPlaceholders = true }

// requireProblem asserts that exactly one problem line contains every fragment.
func requireProblem(t *testing.T, problems []string, fragments ...string) {
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

// validStaging is the staging preset completed with the site values and
// secrets a real stack file gives, so that it validates.
func validStaging() stacks.Settings {
	s := stacks.Staging()
	s.Stack = "staging"
	completeSite(&s)
	return s
}

// validProduction is validStaging for production.
func validProduction() stacks.Settings {
	s := stacks.Production()
	s.Stack = "production"
	completeSite(&s)
	s.Backend.ImageDigest = "sha256:" + strings.Repeat("cd", 32)
	s.Frontend.ImageDigest = "sha256:" + strings.Repeat("ab", 32)
	return s
}

func completeSite(s *stacks.Settings) {
	s.Site.Domain = "staging.example.com"
	s.Site.AlertEmails = []string{"devops@example.com"}
	s.GitHub.Repository = "example/ohmycoins"
	s.Backend.ImageDigest = "sha256:" + strings.Repeat("01", 32)
	s.Frontend.ImageDigest = "sha256:" + strings.Repeat("02", 32)
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

// mustNamed returns the resource of a type with a logical name, or fails.
func mustNamed(t testing.TB, plan *stackplan.Plan, typ, name string) stackplan.Resource {
	t.Helper()
	r, ok := plan.Named(typ, name)
	require.True(t, ok, "no %s named %s in the %s plan", typ, name, plan.Stack)
	return r
}

// resourceKey is a property key of a raw registration.
func resourceKey(key string) resource.PropertyKey { return resource.PropertyKey(key) }
