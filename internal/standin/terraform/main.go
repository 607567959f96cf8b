// Command terraform is the stand-in for Terraform in rehearsals of "Moving
// from Terraform" (internal/rehearsal): it acts on the rehearsal's copy of
// the original's state and on the simulated account, never on AWS.
package main

import (
	"os"

	"github.com/ohmycoins/infra/internal/awscli"
)

func main() { os.Exit(awscli.TerraformMain(os.Args[1:], os.Stdout, os.Stderr)) }
