// Package standin holds the stand-in plugins the real Pulumi CLI runs
// against the simulated account, built by the engine tests and never
// shipped: pulumi-resource-aws and pulumi-resource-docker (internal/simprovider)
// and pulumi-language-go (internal/simlanguage).
package standin

import (
	"fmt"
	"os"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"

	"github.com/ohmycoins/infra/internal/simprovider"
)

// ServeProvider serves the stand-in provider of a package at a version until
// the engine lets it go: it prints its port, as a plugin does.
func ServeProvider(pkg, version string) {
	fmt.Fprintln(os.Stderr, simprovider.Notice)
	p, err := simprovider.FromEnvironment(pkg, version)
	if err != nil {
		fail(err)
	}
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{Init: func(s *grpc.Server) error {
		pulumirpc.RegisterResourceProviderServer(s, plugin.NewProviderServer(p))
		return nil
	}})
	if err != nil {
		fail(err)
	}
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}
