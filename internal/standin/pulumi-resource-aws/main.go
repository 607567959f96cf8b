// Command pulumi-resource-aws is the stand-in for the pulumi-aws provider
// plugin v6.83.4: the simulated account, never AWS.
package main

import "github.com/ohmycoins/infra/internal/standin"

func main() { standin.ServeProvider("aws", "6.83.4") }
