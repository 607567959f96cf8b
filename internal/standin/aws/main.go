// Command aws is the stand-in for the AWS CLI v2 in rehearsals
// (internal/rehearsal): the commands docs/RUNBOOK.md uses, acting on the
// simulated account, never AWS.
package main

import (
	"os"

	"github.com/ohmycoins/infra/internal/awscli"
)

func main() { os.Exit(awscli.Main(os.Args[1:], os.Stdout, os.Stderr)) }
