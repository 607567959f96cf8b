package pricelist

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/ohmycoins/infra/internal/boundedread"
	"github.com/ohmycoins/infra/internal/cost"
)

// DefaultTable is the price table's path from the repository's root.
const DefaultTable = "internal/cost/prices.json"

// Main runs cmd/prices with args and returns its exit code: 0 done, 1 some
// selector could not be read (the rest is refreshed), 2 bad usage or input.
//
//	prices offers [-table FILE]                          the offer files to download: code and URL per line
//	prices refresh -offers DIR [-table FILE] [-date D]   rewrite the table from DIR/<code>.json
func Main(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || (args[0] != "offers" && args[0] != "refresh") {
		fmt.Fprintln(stderr, "usage: go run ./cmd/prices offers | refresh -offers DIR [-table FILE] [-date YYYY-MM-DD]")
		return 2
	}
	fs := flag.NewFlagSet("prices "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	tablePath := fs.String("table", DefaultTable, "the price table to read and rewrite")
	offersDir := fs.String("offers", "", "the directory of the downloaded offer files, one <offer code>.json each (refresh)")
	date := fs.String("date", time.Now().UTC().Format(time.DateOnly), "the date the prices are checked on (refresh)")
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "prices: unexpected arguments %q\n", fs.Args())
		return 2
	}
	selectors, err := Selectors()
	if err != nil {
		fmt.Fprintln(stderr, "prices:", err)
		return 2
	}
	data, err := boundedread.File(*tablePath, boundedread.DocumentLimit, "-table")
	if err != nil {
		fmt.Fprintln(stderr, "prices:", err)
		return 2
	}
	var table cost.Table
	if err := json.Unmarshal(data, &table); err != nil || table.Region == "" || table.Prices == nil {
		fmt.Fprintf(stderr, "prices: -table %s is not a price table (want internal/cost/prices.json): %v\n", *tablePath, err)
		return 2
	}
	if args[0] == "offers" {
		for _, code := range Offers(selectors) {
			fmt.Fprintf(stdout, "%s %s\n", code, URL(code, table.Region))
		}
		return 0
	}
	if *offersDir == "" {
		fmt.Fprintln(stderr, "prices: refresh needs -offers DIR, the directory the offer files were downloaded to (go run ./cmd/prices offers lists them)")
		return 2
	}
	if _, err := time.Parse(time.DateOnly, *date); err != nil {
		fmt.Fprintf(stderr, "prices: -date = %q: must be a date, YYYY-MM-DD\n", *date)
		return 2
	}
	offers := map[string]*Offer{}
	for _, code := range Offers(selectors) {
		path := filepath.Join(*offersDir, code+".json")
		o, err := ReadOfferFile(path, Keep(selectors, code, table.Region))
		if err != nil {
			fmt.Fprintf(stderr, "prices: %v (download it from %s)\n", err, URL(code, table.Region))
			return 2
		}
		if o.OfferCode != code {
			fmt.Fprintf(stderr, "prices: %s is the offer file of %s, not of %s\n", path, o.OfferCode, code)
			return 2
		}
		offers[code] = o
	}
	report := Refresh(&table, selectors, offers, *date)
	out, err := table.JSON()
	if err != nil {
		fmt.Fprintln(stderr, "prices:", err)
		return 2
	}
	if err := os.WriteFile(*tablePath, out, 0o644); err != nil {
		fmt.Fprintln(stderr, "prices:", err)
		return 2
	}
	report.Write(stdout)
	if len(report.Problems) > 0 {
		return 1
	}
	return 0
}
