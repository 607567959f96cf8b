// Package preview runs a program of this repository offline for a stack file:
// it reads Pulumi.<stack>.yaml as the Pulumi CLI would (placeholders for the
// secrets it cannot decrypt), runs the program in-process under the mock
// cloud (internal/harness), and returns the plan (internal/stackplan) with the
// settings the program loaded. No AWS account, CLI or provider plugin is
// involved, so this is how every behaviour of the stacks is proven on
// machines without them.
package preview

import (
	"errors"
	"maps"
	"path/filepath"
	"slices"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/ohmycoins/infra/internal/cost"
	"github.com/ohmycoins/infra/internal/harness"
	"github.com/ohmycoins/infra/internal/mockcloud"
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
	World mockcloud.World
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
	harness.Result
	// Placeholders lists the secrets the preview replaced, e.g. "ohmycoins:secretKey (unset)".
	Placeholders []string
	// Warnings are what the program warned about its settings.
	Warnings []string
	// Settings are the loaded settings of the main program (nil for others):
	// the policy check reads its waivers from them.
	Settings *stacks.Settings
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
	project, err := readProjectName(dir)
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
	result, err := runIn(opts.World, project, opts.Stack, dir, cfg, run)
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
		// The plan carries what its cost estimate reads besides its
		// resources, so that a later diff prices it as it is priced today.
		basis, err := cost.Basis(settings)
		if err != nil {
			return nil, err
		}
		result.Plan.CostBasis = &basis
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

// runIn runs a program for project/stack in a mock cloud that holds what
// world says exists already, with the given config, and returns the recorded
// plan with the stack's outputs.
func runIn(world mockcloud.World, project, stack, dir string, cfg StackConfig, program pulumi.RunFunc) (*Result, error) {
	run, err := harness.Run(world, project, stack, mockcloud.Config{Values: cfg.Values, SecretKeys: cfg.SecretKeys, RootDirectory: dir}, program)
	if err != nil {
		return nil, err
	}
	return &Result{Result: *run, Placeholders: cfg.PlaceholderList()}, nil
}
