// Command preview runs the Pulumi program of one stack offline, under mocks, and
// prints what it would create: a tree like `pulumi preview` (default), the JSON
// plan (-json), the changes against an earlier JSON plan (-diff OLD.json), or a
// Mermaid diagram of the components (-mermaid), or checks it against the policy
// rules (-check). It needs no AWS account, no Pulumi CLI and no provider plugin.
//
//	go run ./cmd/preview plan -stack staging
//	go run ./cmd/preview plan -stack production -json > plan.json
//	go run ./cmd/preview diff -stack staging base.json
package main

import (
	"os"

	"github.com/ohmycoins/infra/internal/previewcli"
)

func main() {
	os.Exit(previewcli.Main(os.Args[1:], os.Stdout, os.Stderr))
}
