package stacks

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Program is the Pulumi program of every stack: load the stack's settings, then
// deploy them. main.go runs it; the offline preview and the tests run it under mocks.
func Program(ctx *pulumi.Context) error {
	return ProgramWith(LoadOptions{})(ctx)
}

// ProgramWith is Program with explicit load options; the offline preview passes
// the config keys of the stack file it read.
func ProgramWith(opts LoadOptions) pulumi.RunFunc {
	return func(ctx *pulumi.Context) error {
		settings, err := LoadWith(ctx, opts)
		if err != nil {
			return err
		}
		_, err = Deploy(ctx, *settings)
		return err
	}
}

// Deployment is what Deploy created, for composition and tests.
type Deployment struct {
	// Provider is the explicit AWS provider every component uses: the region and
	// default tags come from it, never from ambient aws:* config.
	Provider *aws.Provider
}

// Deploy creates the environment described by valid settings and exports the
// stack outputs. Components are added here as they are built; each receives its
// settings through Args and the provider through resource options.
func Deploy(ctx *pulumi.Context, s Settings) (*Deployment, error) {
	provider, err := aws.NewProvider(ctx, s.Name("aws"), &aws.ProviderArgs{
		Region: pulumi.String(s.Region),
		DefaultTags: &aws.ProviderDefaultTagsArgs{
			Tags: pulumi.ToStringMap(s.DefaultTags()),
		},
	})
	if err != nil {
		return nil, err
	}

	ctx.Export("environment", pulumi.String(s.Environment))
	ctx.Export("name_prefix", pulumi.String(s.NamePrefix))
	ctx.Export("region", pulumi.String(s.Region))
	return &Deployment{Provider: provider}, nil
}

// DefaultTags are set on every taggable resource through the provider.
func (s Settings) DefaultTags() map[string]string {
	return map[string]string{
		"Project":     ProjectTag,
		"Environment": s.Environment,
		"ManagedBy":   "Pulumi",
	}
}
