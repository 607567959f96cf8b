// Command pulumi-resource-docker is the stand-in for the pulumi-docker
// provider plugin v4.10.0: the simulated account, never a Docker engine.
package main

import "github.com/ohmycoins/infra/internal/standin"

func main() { standin.ServeProvider("docker", "4.10.0") }
