// Command preview runs the Pulumi program of one stack offline, under mocks: what
// it would create (plan: a tree like `pulumi preview`, or -json), what pulumi up
// would change against an earlier plan (diff), what it costs (cost), whether it
// passes the policy rules (check), whether its stack file is initialised
// (check-init), and a diagram of its components (mermaid). It needs no AWS
// account, no Pulumi CLI and no provider plugin.
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
