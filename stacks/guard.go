package stacks

import (
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// DestroyGuardType is the type token of the destroy guard.
const DestroyGuardType = Project + ":stack:DestroyGuard"

// DestroyGuard makes `pulumi destroy` of a stack delete nothing. It is a
// protected component that depends on every resource of the stack, so the
// engine must delete it before anything else and cannot: the destroy stops
// at its first step, with or without a preview. (Without it, a destroy with
// --skip-preview deletes every resource that nothing protected depends on
// before it reaches the first protected one.) Ordinary updates pass it by:
// it owns nothing, and nothing is replaced through it. Tearing a guarded
// stack down is deliberate: docs/RUNBOOK.md, "Tearing production down".
type DestroyGuard struct {
	pulumi.ResourceState
}

// guardRecorder records every custom resource the program registers after
// it, through a stack transformation, which runs as each is constructed: the
// guard then depends on exactly these, whatever order their registrations
// reach the engine in.
type guardRecorder struct {
	mu        sync.Mutex
	resources []pulumi.Resource
}

// watch starts recording.
func (g *guardRecorder) watch(ctx *pulumi.Context) error {
	return ctx.RegisterStackTransformation(func(args *pulumi.ResourceTransformationArgs) *pulumi.ResourceTransformationResult {
		if r, ok := args.Resource.(pulumi.CustomResource); ok {
			g.mu.Lock()
			g.resources = append(g.resources, r)
			g.mu.Unlock()
		}
		return nil
	})
}

// guard registers the stack's destroy guard, depending on what was recorded.
func (g *guardRecorder) guard(ctx *pulumi.Context, s Settings) error {
	g.mu.Lock()
	guarded := append([]pulumi.Resource(nil), g.resources...)
	g.mu.Unlock()
	return ctx.RegisterComponentResource(DestroyGuardType, s.Name("destroy-guard"), &DestroyGuard{},
		pulumi.DependsOn(guarded), pulumi.Protect(true))
}
