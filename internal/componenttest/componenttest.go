// Package componenttest runs one component on its own, as its package's
// tests need it: its New with the arguments the test gives, under the mock
// cloud answered by the AWS-type catalog, in an empty account (the mock
// account id, ap-southeast-2), and returns the plan to assert on. It links
// the component and the catalog only, never the program, so a component's
// tests build and run in seconds.
package componenttest

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/internals"
	"github.com/stretchr/testify/require"

	"github.com/ohmycoins/infra/internal/harness"
	"github.com/ohmycoins/infra/internal/mockcloud"
	"github.com/ohmycoins/infra/internal/stackplan"
)

// Account is the account id the mock cloud gives every ARN.
const Account = mockcloud.MockAccountID

// Run runs program (a component's New with its arguments) and returns the
// plan it registers; an error fails t.
func Run(t testing.TB, program pulumi.RunFunc) *stackplan.Plan {
	t.Helper()
	plan, err := harness.Component(program)
	require.NoError(t, err)
	return plan
}

// Result runs program and returns the whole run: the plan, the data
// sources read, and the raw registrations, secret values still inside their
// wrappers (for a test that reads a secret's content).
func Result(t testing.TB, program pulumi.RunFunc) *harness.Result {
	t.Helper()
	result, err := harness.Run(mockcloud.World{}, "test", "test", mockcloud.Config{}, program)
	require.NoError(t, err)
	return result
}

// Secret returns an input of a registration as a string, revealed, and
// whether it was a secret.
func Secret(t testing.TB, regs []mockcloud.Registration, typ, name, key string) (value string, secret bool) {
	t.Helper()
	for _, r := range regs {
		if r.Type != typ || r.Name != name {
			continue
		}
		v := r.Inputs[resource.PropertyKey(key)]
		secret = v.ContainsSecrets()
		for v.IsSecret() || v.IsOutput() {
			if v.IsSecret() {
				v = v.SecretValue().Element
			} else {
				v = v.OutputValue().Element
			}
		}
		require.True(t, v.IsString(), "%s.%s is a string", name, key)
		return v.StringValue(), secret
	}
	t.Fatalf("no %s named %s", typ, name)
	return "", false
}

// Error runs program and returns the error it must refuse with.
func Error(t testing.TB, program pulumi.RunFunc) error {
	t.Helper()
	_, err := harness.Component(program)
	require.Error(t, err)
	return err
}

// Named returns the resource of a type with a logical name, or fails t.
func Named(t testing.TB, plan *stackplan.Plan, typ, name string) stackplan.Resource {
	t.Helper()
	r, ok := plan.Named(typ, name)
	require.True(t, ok, "no %s named %s in the plan", typ, name)
	return r
}

// Await resolves an output inside a program, for a test that reads what a
// component exposes.
func Await[T any](ctx *pulumi.Context, o pulumi.Output) (T, error) {
	var zero T
	result, err := internals.UnsafeAwaitOutput(ctx.Context(), o)
	if err != nil {
		return zero, err
	}
	v, _ := result.Value.(T)
	return v, nil
}
