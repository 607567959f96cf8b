// Command pulumi-language-go is the stand-in Go language host, for runs
// against the simulated account only (internal/simlanguage).
package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"

	"github.com/ohmycoins/infra/internal/simlanguage"
)

func main() {
	host := &simlanguage.Host{Version: "3.274.1"}
	for _, arg := range os.Args[1:] {
		if !strings.HasPrefix(arg, "-") {
			host.Engine = arg // the engine's address; flags (-root, -tracing) are the real host's
		}
	}
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{Init: host.Register})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
