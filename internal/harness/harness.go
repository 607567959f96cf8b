// Package harness runs a Pulumi program in-process under the mock cloud
// (internal/mockcloud), answered by the AWS-type catalog (internal/awstype),
// and records its plan (internal/stackplan). It knows no program of its own:
// the offline preview runs the stacks through it, and a component's own test
// runs that one component through it and asserts on the plan it gets back.
package harness

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/ohmycoins/infra/internal/awstype"
	"github.com/ohmycoins/infra/internal/mockcloud"
	"github.com/ohmycoins/infra/internal/stackplan"
)

// Result is one run: the plan, the data sources read, and the raw registrations.
type Result struct {
	Plan *stackplan.Plan
	// Invokes lists the data-source calls the program made.
	Invokes []string
	// Registrations are the raw registrations, sorted by URN, with secret values
	// still inside their secret wrappers: for tests that must look at a secret's
	// content. Nothing may print them.
	Registrations []mockcloud.Registration
}

// Run runs a program for project/stack in a mock cloud that holds what world
// says exists already, with the config cfg, and records its plan.
func Run(world mockcloud.World, project, stack string, cfg mockcloud.Config, program pulumi.RunFunc) (*Result, error) {
	cloud := mockcloud.New(awstype.Answer, world, project, stack)
	exports, err := cloud.Run(cfg, program)
	if err != nil {
		return nil, err
	}
	regs := cloud.Registrations()
	plan, err := stackplan.New(project, stack, regs, exports)
	if err != nil {
		return nil, err
	}
	return &Result{Plan: plan, Invokes: cloud.Invokes(), Registrations: regs}, nil
}

// Component runs one piece of a program (a component's New with its
// arguments) as stack "test" of project "test", with no config, in an empty
// account: what a component's own test asserts on.
func Component(program pulumi.RunFunc) (*stackplan.Plan, error) {
	result, err := Run(mockcloud.World{}, "test", "test", mockcloud.Config{}, program)
	if err != nil {
		return nil, err
	}
	return result.Plan, nil
}
