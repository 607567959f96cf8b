package stacks

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// DestroyGuardType is the type token of the destroy guard.
const DestroyGuardType = Project + ":stack:DestroyGuard"

// DestroyGuard makes `pulumi destroy` of a stack delete nothing. It is a
// protected component that depends on every component of the stack, so the
// engine must delete it before anything else and cannot: the destroy stops
// at its first step, with or without a preview. (Without it, a destroy with
// --skip-preview deletes every resource that nothing protected depends on
// before it reaches the first protected one.) Ordinary updates pass it by:
// it owns nothing, and nothing is replaced through it. Tearing a guarded
// stack down is deliberate: docs/RUNBOOK.md, "Tearing production down".
type DestroyGuard struct {
	pulumi.ResourceState
}

// guardAgainstDestroy registers the stack's destroy guard after everything it guards.
func guardAgainstDestroy(ctx *pulumi.Context, s Settings, d *Deployment) error {
	guarded := []pulumi.Resource{d.Key, d.Network, d.Database, d.Cache, d.AppSecret, d.LoadBalancer, d.Images, d.Cluster, d.Monitoring, d.CI}
	if d.Certificate != nil {
		guarded = append(guarded, d.Certificate)
	}
	if d.Aliases != nil {
		guarded = append(guarded, d.Aliases)
	}
	return ctx.RegisterComponentResource(DestroyGuardType, s.Name("destroy-guard"), &DestroyGuard{},
		pulumi.DependsOn(guarded), pulumi.Protect(true))
}
