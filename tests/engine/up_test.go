package engine

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ohmycoins/infra/internal/preview/previewtest"
)

// TestStacksComeUpFromAnEmptyAccountAndStayUp: pulumi up of each stack
// creates every resource of its offline plan in an empty account, and a
// second preview changes nothing.
func TestStacksComeUpFromAnEmptyAccountAndStayUp(t *testing.T) {
	for _, stack := range []string{"staging", "production"} {
		t.Run(stack, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			w.initStack(stack)
			w.pulumi("", "up", "--stack", stack, "--yes", "--skip-preview")
			w.pulumi("", "preview", "--stack", stack, "--expect-no-changes")

			plan := previewtest.Stack(t, stack).Plan
			custom := 0
			for _, r := range plan.Resources {
				if r.Custom && r.Type != "pulumi:providers:aws" && r.Type != "pulumi:providers:docker" {
					custom++
				}
			}
			require.Len(t, w.resources(), custom, "the account holds every resource of the offline plan")
			// The engine's state has the plan's resources, the stack, and the default docker provider the plan leaves out.
			require.GreaterOrEqual(t, len(w.stateURNs("", stack)), len(plan.Resources))
		})
	}
}
