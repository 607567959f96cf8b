// Command migrate moves an original Terraform environment into a stack of this
// program. It reads what `terraform show -json` prints for the environment's
// state and writes to stdout the file `pulumi import --file` takes: the
// resources the stack adopts, under the program's types, names and parents.
// The report on stderr gives every original resource a verdict (adopt,
// recreate, retire, conflict) and says how to resolve each conflict without
// replacing what holds data. docs/RUNBOOK.md, "Moving from Terraform", is the
// procedure around it.
//
//	go run ./cmd/migrate -stack production -terraform-state production.tfstate.json > import.json
//
// Bad input (a plan instead of a state, another environment's state, an
// unknown format, truncated or empty JSON) exits 2 and writes nothing.
package main

import (
	"os"

	"github.com/ohmycoins/infra/internal/migratecli"
)

func main() {
	os.Exit(migratecli.Main(os.Args[1:], os.Stdout, os.Stderr))
}
