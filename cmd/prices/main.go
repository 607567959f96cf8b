// Command prices refreshes internal/cost/prices.json from the AWS Price List
// bulk offer files: it lists the offer files to download, then reads them and rewrites each price
// with its rate, SKU, source and date. The monthly workflow
// .github/workflows/prices.yml runs it and opens a pull request.
//
//	go run ./cmd/prices offers
//	go run ./cmd/prices refresh -offers DIR
package main

import (
	"os"

	"github.com/ohmycoins/infra/internal/pricelist"
)

func main() {
	os.Exit(pricelist.Main(os.Args[1:], os.Stdout, os.Stderr))
}
