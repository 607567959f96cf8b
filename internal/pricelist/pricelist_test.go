package pricelist_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ohmycoins/infra/internal/cost"
	"github.com/ohmycoins/infra/internal/pricelist"
)

// offers are offer files made for these tests in the Price List's format
// (formatVersion, offerCode, version, publicationDate, products with their
// attributes, terms.OnDemand with price dimensions): Sydney's products and
// decoys a selector must not take (Multi-AZ, MySQL, Valkey and Memcached,
// ARM Fargate, another region's load balancer, later tiers, a reserved term).
const offers = "testdata/offers"

// tableCopy copies the committed price table to a temporary file.
func tableCopy(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile("../cost/prices.json")
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "prices.json")
	require.NoError(t, os.WriteFile(path, data, 0o644))
	return path
}

func readTable(t *testing.T, path string) cost.Table {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var table cost.Table
	require.NoError(t, json.Unmarshal(data, &table))
	return table
}

func run(args ...string) (int, string, string) {
	var out, errOut strings.Builder
	code := pricelist.Main(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// TestRefreshRewritesTheTableFromTheOfferFiles: each price a selector names
// gets its offer's On-Demand rate, SKU, source and the date; new instance
// classes are added; prices from pricing pages are kept; the report says
// what moved.
func TestRefreshRewritesTheTableFromTheOfferFiles(t *testing.T) {
	t.Parallel()
	path := tableCopy(t)
	before := readTable(t, path)
	code, stdout, stderr := run("refresh", "-offers", offers, "-table", path, "-date", "2026-12-02")
	require.Equal(t, 0, code, stderr)
	after := readTable(t, path)

	require.Equal(t, "2026-12-02", after.PricedAt)
	nat := after.Prices["nat.hour"]
	require.Equal(t, 0.062, nat.USD, "the offer's rate: 0.0620000000")
	require.Equal(t, "2026-12-02", nat.Checked)
	require.Regexp(t, `^[0-9A-F]{16}$`, nat.SKU)
	require.Equal(t, "https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AmazonEC2/current/ap-southeast-2/index.json ($0.062 per NAT Gateway Hour)", nat.Source)
	require.Equal(t, "NAT gateway-hour", nat.Unit)
	require.Empty(t, nat.Note, "the note that it could not be checked is gone")

	require.Equal(t, 0.028, after.Prices["rds.db.t3.micro"].USD, "Single-AZ PostgreSQL, not the Multi-AZ or MySQL product")
	require.Equal(t, 0.024, after.Prices["elasticache.cache.t3.micro"].USD, "Redis, not Valkey")
	require.Equal(t, 0.04856, after.Prices["fargate.vcpu-hour"].USD, "x86, not ARM")
	require.Equal(t, 0.0252, after.Prices["alb.hour"].USD, "Sydney's, not us-east-1's 0.0225")
	require.Equal(t, 0.01, after.Prices["endpoint.gb"].USD, "the first tier")
	require.Equal(t, 0.025, after.Prices["s3.standard-gb-month"].USD, "the first 50 TB")
	require.Equal(t, 0.76, after.Prices["logs.vended-gb"].USD, "the first 10 TB")
	added := after.Prices["rds.db.m7g.large"]
	require.Equal(t, cost.Price{USD: 0.224, Unit: "instance-hour, PostgreSQL Single-AZ", Checked: "2026-12-02", SKU: added.SKU,
		Source: "https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AmazonRDS/current/ap-southeast-2/index.json (RDS db.m7g.large Single-AZ instance hour (or partial hour) running PostgreSQL)"}, added)
	require.Equal(t, 0.213, after.Prices["elasticache.cache.m7g.large"].USD)
	for _, key := range []string{"ipv4.hour", "budgets.budget-month", "route53.hosted-zone-month", "rds.performance-insights.7-days", "route53.alias-query", "kms.rotation-month"} {
		require.Equal(t, before.Prices[key], after.Prices[key], "%s comes from a pricing page: kept as it is", key)
	}
	for key, p := range after.Prices {
		if strings.HasPrefix(p.Source, "https://pricing.us-east-1.amazonaws.com/") {
			require.Equal(t, "2026-12-02", p.Checked, "%s is read from its offer file", key)
		}
	}

	require.Contains(t, stdout, "Prices of ap-southeast-2 refreshed on 2026-12-02 from the AWS Price List:\n  AWSELB 20261201120000 (published 2026-12-01T12:00:00Z)\n")
	require.Contains(t, stdout, "\n17 price(s) changed or added, 38 unchanged.\n")
	for _, line := range []string{"+ elasticache.cache.m7g.large: $0.213 (new)", "+ elasticache.valkey.cache.m7g.large: $0.1704 (new)",
		"~ nat.gb: $0.059 → $0.062", "~ nat.hour: $0.059 → $0.062", "+ rds.db.m7g.large: $0.224 (new)",
		"~ rds.gp3.iops-month: $0.02 → $0.024", "~ fargate.ephemeral-gb-hour: $0.000111 → $0.000133"} {
		require.Contains(t, stdout, "\n  "+line+"\n", "us-east-1's stand-ins are replaced by Sydney's rates")
	}
	require.Contains(t, stdout, "Not in any offer file, kept as they are (each with its own source and date): budgets.budget-month, cloudwatch.metric-month, ipv4.hour, kms.rotation-month, rds.backup-replica-gb-month, rds.performance-insights.7-days, route53.alias-query, route53.hosted-zone-month, transfer.inter-region-gb, waf.million-requests, waf.rule-month, waf.web-acl-month\n")

	// A second refresh from the same files changes nothing but the dates.
	code, stdout, stderr = run("refresh", "-offers", offers, "-table", path, "-date", "2026-12-03")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stdout, "\n0 price(s) changed or added, 55 unchanged.\n")
}

// TestASelectorThatNamesTwoProductsKeepsItsPrice: the offer changed under
// the selector (a second NAT gateway product); its price is kept, the report
// names both SKUs, the rest is refreshed and the command exits 1.
func TestASelectorThatNamesTwoProductsKeepsItsPrice(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	entries, err := os.ReadDir(offers)
	require.NoError(t, err)
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(offers, e.Name()))
		require.NoError(t, err)
		if e.Name() == "AmazonEC2.json" {
			var doc map[string]any
			require.NoError(t, json.Unmarshal(data, &doc))
			products := doc["products"].(map[string]any)
			for sku, p := range products {
				if p.(map[string]any)["attributes"].(map[string]any)["usagetype"] == "APS2-NatGateway-Hours" {
					twin := map[string]any{"sku": "TWINTWINTWINTWIN", "productFamily": "NAT Gateway", "attributes": map[string]any{
						"usagetype": "APS2-NatGateway-Hours", "operation": "RegionalNatGateway", "regionCode": "ap-southeast-2"}}
					products["TWINTWINTWINTWIN"] = twin
					terms := doc["terms"].(map[string]any)["OnDemand"].(map[string]any)
					terms["TWINTWINTWINTWIN"] = terms[sku]
				}
			}
			data, err = json.Marshal(doc)
			require.NoError(t, err)
		}
		require.NoError(t, os.WriteFile(filepath.Join(dir, e.Name()), data, 0o644))
	}
	path := tableCopy(t)
	code, stdout, _ := run("refresh", "-offers", dir, "-table", path, "-date", "2026-12-02")
	require.Equal(t, 1, code)
	require.Regexp(t, `\n1 selector\(s\) could not be read; their prices are kept \(internal/pricelist/selectors.json\):\n  ! nat.hour: 2 products of AmazonEC2 match \([0-9A-F]{16}, TWINTWINTWINTWIN\): the selector must name exactly one\n`, stdout)
	after := readTable(t, path)
	require.Equal(t, 0.059, after.Prices["nat.hour"].USD, "kept")
	require.Equal(t, "", after.Prices["nat.hour"].Checked, "still not checked")
	require.Equal(t, 0.062, after.Prices["nat.gb"].USD, "the rest is refreshed")
}

// TestTheCommandRefusesWhatIsNotAnOfferFile: a missing file names where to
// download it; a file of another offer, a directory or garbage is refused
// with exit 2 and the table is left as it was.
func TestTheCommandRefusesWhatIsNotAnOfferFile(t *testing.T) {
	t.Parallel()
	path := tableCopy(t)
	original, err := os.ReadFile(path)
	require.NoError(t, err)

	code, _, stderr := run("refresh", "-offers", t.TempDir(), "-table", path)
	require.Equal(t, 2, code)
	require.Contains(t, stderr, "AWSELB.json: no such file or directory (download it from https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AWSELB/current/ap-southeast-2/index.json)")

	bad := t.TempDir()
	entries, err := os.ReadDir(offers)
	require.NoError(t, err)
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(offers, e.Name()))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(bad, e.Name()), data, 0o644))
	}
	data, err := os.ReadFile(filepath.Join(offers, "AmazonS3.json"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(bad, "AmazonRDS.json"), data, 0o644))
	code, _, stderr = run("refresh", "-offers", bad, "-table", path)
	require.Equal(t, 2, code)
	require.Contains(t, stderr, "AmazonRDS.json is the offer file of AmazonS3, not of AmazonRDS")

	require.NoError(t, os.WriteFile(filepath.Join(bad, "AmazonRDS.json"), []byte(`{"offerCode": "AmazonRDS", "terms": {}, "products": {}}`), 0o644))
	code, _, stderr = run("refresh", "-offers", bad, "-table", path)
	require.Equal(t, 2, code)
	require.Contains(t, stderr, "its terms come before its products")

	require.NoError(t, os.Remove(filepath.Join(bad, "AmazonRDS.json")))
	require.NoError(t, os.Mkdir(filepath.Join(bad, "AmazonRDS.json"), 0o755))
	code, _, stderr = run("refresh", "-offers", bad, "-table", path)
	require.Equal(t, 2, code)
	require.Contains(t, stderr, "AmazonRDS.json is not a regular file")

	code, _, stderr = run("refresh", "-offers", offers, "-table", path, "-date", "December")
	require.Equal(t, 2, code)
	require.Contains(t, stderr, `-date = "December": must be a date, YYYY-MM-DD`)

	code, _, stderr = run("refresh", "-offers", offers, "-table", "/dev/zero")
	require.Equal(t, 2, code)
	require.Contains(t, stderr, "-table")

	after, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, string(original), string(after), "nothing written")
}

// TestTheOffersCommandListsWhatToDownload, one offer code and URL a line.
func TestTheOffersCommandListsWhatToDownload(t *testing.T) {
	t.Parallel()
	code, stdout, stderr := run("offers", "-table", "../cost/prices.json")
	require.Equal(t, 0, code, stderr)
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	require.Len(t, lines, 11)
	require.Equal(t, "AWSELB https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AWSELB/current/ap-southeast-2/index.json", lines[0])
	require.Contains(t, lines, "AmazonRDS https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AmazonRDS/current/ap-southeast-2/index.json")
	require.Contains(t, lines, "awskms https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/awskms/current/ap-southeast-2/index.json")
}

// TestEveryOfferPriceHasASelector: a price whose source is an offer file is
// read by a selector, and every fixed selector key is a price of the table,
// so the refresh covers the table and nothing it reads is a stray.
func TestEveryOfferPriceHasASelector(t *testing.T) {
	t.Parallel()
	selectors, err := pricelist.Selectors()
	require.NoError(t, err)
	table, err := cost.Prices()
	require.NoError(t, err)
	fixed := map[string]bool{}
	for _, s := range selectors {
		if s.Each == "" {
			fixed[s.Key] = true
			require.Contains(t, table.Prices, s.Key)
		}
	}
	for key, p := range table.Prices {
		if strings.HasPrefix(p.Source, "https://pricing.us-east-1.amazonaws.com/") && !strings.HasPrefix(key, "rds.db.") && !strings.HasPrefix(key, "elasticache.cache.") &&
			!strings.HasPrefix(key, "elasticache.valkey.cache.") {
			require.True(t, fixed[key], "%s is read from an offer file: a selector must name it", key)
		}
	}
}
