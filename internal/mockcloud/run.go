package mockcloud

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/internals"
)

// Config is the config a program run receives, as the Pulumi CLI would pass
// it: full keys (namespace:key) to raw values, objects and lists as JSON.
type Config struct {
	Values     map[string]string
	SecretKeys []string
	// RootDirectory is the project directory the program sees (ctx.RootDirectory()).
	RootDirectory string
}

// Export is one stack output once the program has run.
type Export struct {
	Value  any
	Secret bool
	Known  bool
}

// Run runs a program for the cloud's project and stack under Pulumi mocks
// answered by the cloud, with cfg, and returns the stack outputs. What the
// program registered is then in c.Registrations().
func (c *Cloud) Run(cfg Config, program pulumi.RunFunc) (map[string]Export, error) {
	var exports map[string]Export
	err := pulumi.RunErr(func(ctx *pulumi.Context) error {
		if err := program(ctx); err != nil {
			return err
		}
		var err error
		exports, err = awaitExports(ctx)
		return err
	}, pulumi.WithMocks(c.project, c.stack, c), func(info *pulumi.RunInfo) {
		info.Config = cfg.Values
		info.ConfigSecretKeys = cfg.SecretKeys
		info.RootDirectory = cfg.RootDirectory
	})
	if err != nil {
		return nil, unwrapSingle(err)
	}
	return exports, nil
}

// unwrapSingle strips the "1 error occurred" list RunErr wraps a program's
// error in, so callers see (and print) the program's own error.
func unwrapSingle(err error) error {
	if list, ok := err.(interface{ WrappedErrors() []error }); ok && len(list.WrappedErrors()) == 1 {
		return list.WrappedErrors()[0]
	}
	return err
}

// awaitExports resolves the stack outputs exported so far.
func awaitExports(ctx *pulumi.Context) (map[string]Export, error) {
	outputs := map[string]Export{}
	for name, input := range ctx.GetCurrentExportMap() {
		result, err := internals.UnsafeAwaitOutput(ctx.Context(), pulumi.ToOutput(input))
		if err != nil {
			return nil, fmt.Errorf("stack output %s: %w", name, err)
		}
		outputs[name] = Export{Value: result.Value, Secret: result.Secret, Known: result.Known}
	}
	return outputs, nil
}
