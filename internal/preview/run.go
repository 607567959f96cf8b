// Package preview runs the real Pulumi program offline: stacks.Program executes
// in-process under Pulumi mocks (pulumi.WithMocks) against a mock AWS (Cloud),
// with the config of a real stack file, and every registration is recorded into
// a Plan. Renderers print the plan as a tree like `pulumi preview`, as JSON (the
// contract in docs/ARCHITECTURE.md), as a diff against an earlier plan, or as a
// Mermaid diagram. No AWS account, CLI or provider plugin is involved, so this
// is how every behaviour of the program is proven on machines without them.
package preview

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/internals"

	"github.com/ohmycoins/infra/stacks"
)

// Options say which stack to preview and how to adjust its config.
type Options struct {
	// Dir is the project directory or any directory below it; "" means the working directory.
	Dir string
	// Stack names the stack file Pulumi.<Stack>.yaml.
	Stack string
	// Set overrides or adds plain config values (full keys, raw values: objects as JSON).
	Set map[string]string
	// SetSecret overrides or adds secret config values.
	SetSecret map[string]string
	// Unset removes config keys, e.g. to prove a missing value is refused.
	Unset []string
	// NoPlaceholders leaves unset required secrets unset, so validation reports them.
	NoPlaceholders bool
	// Program is the program to run; the zero Program is the main one
	// (MainProgram). The CLI names the programs it can run (previewcli.Programs).
	Program Program
	// Run replaces the program's body, for tests that run part of it
	// (stacks.Load alone, one component) against a real stack file.
	Run pulumi.RunFunc
	// World is what the mock cloud holds already; the zero World is an empty account.
	World World
}

// A Program is a Pulumi program the harness runs: its project directory,
// relative to the main project's, and its body given the config keys of the
// stack file (a program under mocks cannot list them itself).
type Program struct {
	Dir  string
	Body func(configKeys []string) pulumi.RunFunc
}

// MainProgram is the program of the ohmycoins stacks.
var MainProgram = Program{Dir: ".", Body: func(keys []string) pulumi.RunFunc {
	return stacks.ProgramWith(stacks.LoadOptions{ConfigKeys: keys})
}}

// Result is one preview: the plan, and the secrets that had to be stood in for.
type Result struct {
	Plan *Plan
	// Placeholders lists the secrets the preview replaced, e.g. "ohmycoins:secretKey (unset)".
	Placeholders []string
	// Warnings are what the program warned about its settings.
	Warnings []string
	// Settings are the loaded settings of the main program (nil for others):
	// the policy check reads its waivers from them.
	Settings *stacks.Settings
	// Invokes lists the data-source calls the program made.
	Invokes []string
	// Registrations are the raw registrations, sorted by URN, with secret values
	// still inside their secret wrappers: for tests that must look at a secret's
	// content. Nothing may print them.
	Registrations []Registration
}

// Preview reads a stack file, applies the options and runs the program under mocks.
func Preview(opts Options) (*Result, error) {
	if opts.Stack == "" {
		return nil, errors.New("no stack given")
	}
	start := opts.Dir
	if start == "" {
		start = "."
	}
	program := opts.Program
	if program.Body == nil {
		program = MainProgram
	}
	dir, err := FindProjectDir(start)
	if err != nil {
		return nil, err
	}
	if program.Dir != "." && filepath.Base(dir) != program.Dir {
		dir = filepath.Join(dir, program.Dir)
	}
	project, err := ReadProjectName(dir)
	if err != nil {
		return nil, err
	}
	cfg, err := ReadStackConfig(dir, opts.Stack)
	if err != nil {
		return nil, err
	}
	cfg = opts.apply(cfg)
	run := opts.Run
	if run == nil {
		run = program.Body(cfg.Keys())
	}
	result, err := RunIn(opts.World, project, opts.Stack, dir, cfg, run)
	if err != nil {
		return nil, err
	}
	if project == stacks.Project {
		// The program ran with these settings: the preview reads them from the
		// same config, directly (its waivers, warnings and usage assumptions).
		settings, err := stacks.LoadFromMap(opts.Stack, cfg.Values, cfg.SecretKeys)
		if err != nil {
			return nil, err
		}
		result.Settings = settings
		result.Warnings = settings.Warnings()
	}
	result.Warnings = append(cfg.Notes, result.Warnings...)
	return result, nil
}

// apply changes cfg as the options say.
func (o Options) apply(cfg StackConfig) StackConfig {
	secret := map[string]bool{}
	for _, k := range cfg.SecretKeys {
		secret[k] = true
	}
	forget := func(k string) {
		delete(secret, k)
		delete(cfg.Placeholders, k)
	}
	for k, v := range o.Set {
		forget(k)
		cfg.Values[k] = v
	}
	for k, v := range o.SetSecret {
		forget(k)
		cfg.Values[k] = v
		secret[k] = true
	}
	for _, k := range o.Unset {
		forget(k)
		delete(cfg.Values, k)
	}
	if o.NoPlaceholders {
		for k, why := range cfg.Placeholders {
			if why == placeholderUnset {
				forget(k)
				delete(cfg.Values, k)
			}
		}
	}
	cfg.SecretKeys = slices.Sorted(maps.Keys(secret))
	return cfg
}

// Run runs a program for project/stack under a fresh mock cloud with the given
// config and returns the recorded plan with the stack's outputs.
func Run(project, stack, dir string, cfg StackConfig, program pulumi.RunFunc) (*Result, error) {
	return RunIn(World{}, project, stack, dir, cfg, program)
}

// RunIn is Run in a mock cloud that holds what world says exists already.
func RunIn(world World, project, stack, dir string, cfg StackConfig, program pulumi.RunFunc) (*Result, error) {
	cloud := NewCloudIn(world, project, stack)
	var outputs map[string]any
	err := pulumi.RunErr(func(ctx *pulumi.Context) error {
		if err := program(ctx); err != nil {
			return err
		}
		var err error
		outputs, err = awaitExports(ctx)
		return err
	}, pulumi.WithMocks(project, stack, cloud), func(info *pulumi.RunInfo) {
		info.Config = cfg.Values
		info.ConfigSecretKeys = cfg.SecretKeys
		info.RootDirectory = dir
	})
	if err != nil {
		return nil, unwrapSingle(err)
	}
	regs := cloud.Registrations()
	return &Result{
		Plan:          newPlan(project, stack, regs, outputs),
		Placeholders:  cfg.PlaceholderList(),
		Invokes:       cloud.Invokes(),
		Registrations: regs,
	}, nil
}

// unwrapSingle strips the "1 error occurred" list RunErr wraps a program's
// error in, so callers see (and print) the program's own error.
func unwrapSingle(err error) error {
	if list, ok := err.(interface{ WrappedErrors() []error }); ok && len(list.WrappedErrors()) == 1 {
		return list.WrappedErrors()[0]
	}
	return err
}

// awaitExports resolves the stack outputs exported so far; secret ones become "[secret]".
func awaitExports(ctx *pulumi.Context) (map[string]any, error) {
	outputs := map[string]any{}
	for name, input := range ctx.GetCurrentExportMap() {
		result, err := internals.UnsafeAwaitOutput(ctx.Context(), pulumi.ToOutput(input))
		if err != nil {
			return nil, fmt.Errorf("stack output %s: %w", name, err)
		}
		switch {
		case result.Secret:
			outputs[name] = Secret
		case !result.Known:
			outputs[name] = Unknown
		default:
			plainValue, err := jsonRoundTrip(result.Value)
			if err != nil {
				return nil, fmt.Errorf("stack output %s: %w", name, err)
			}
			outputs[name] = plainValue
		}
	}
	return outputs, nil
}

// jsonRoundTrip turns a Go value into the plain JSON value a reader of the plan
// gets ([]string becomes []any), so a plan in memory equals the plan read back.
func jsonRoundTrip(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var out any
	err = json.Unmarshal(b, &out)
	return out, err
}
