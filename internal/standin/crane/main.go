// Command crane is the stand-in for crane (go-containerregistry) in
// rehearsals (internal/rehearsal): crane copy between repositories of the
// simulated account's ECR, never a real registry.
package main

import (
	"os"

	"github.com/ohmycoins/infra/internal/awscli"
)

func main() { os.Exit(awscli.CraneMain(os.Args[1:], os.Stdout, os.Stderr)) }
