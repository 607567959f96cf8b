// Command bootstrap is the Pulumi program that creates the state backend of the
// ohmycoins stacks; everything it does lives in package state.
package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/ohmycoins/infra/bootstrap/state"
)

func main() {
	pulumi.Run(state.Program)
}
