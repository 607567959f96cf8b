// Command ohmycoins is the Pulumi program that builds the Oh My Coins environment
// on AWS; everything it does lives in package stacks.
package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/ohmycoins/infra/stacks"
)

func main() {
	pulumi.Run(stacks.Program)
}
