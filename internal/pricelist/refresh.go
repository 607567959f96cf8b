package pricelist

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/ohmycoins/infra/internal/cost"
)

//go:embed selectors.json
var selectorsJSON []byte

// Selector names the product of an offer file a price of the table is read
// from: the offer, the product family, the attributes that tell it from the
// others and the unit of its rate. With Each, it names one price per value of
// that attribute (every PostgreSQL instance class of the region), the key
// holding the value where it says {}.
type Selector struct {
	Key           string `json:"key"`
	Offer         string `json:"offer"`
	ProductFamily string `json:"productFamily"`
	// Attributes must equal these values; Patterns must match these regular
	// expressions (a usage type, whose region prefix varies: APS2-).
	Attributes map[string]string `json:"attributes,omitempty"`
	Patterns   map[string]string `json:"patterns,omitempty"`
	Each       string            `json:"each,omitempty"`
	// EachMatch keeps, with Each, only the values this regular expression matches.
	EachMatch string `json:"eachMatch,omitempty"`
	// Unit, when set, is the offer's unit of the rate (Hrs, GB-Mo, ...);
	// BeginRange the tier it starts ("0", the first, unless set).
	Unit       string `json:"unit,omitempty"`
	BeginRange string `json:"beginRange,omitempty"`
	// Label is the unit as the table says it (instance-hour, GB-month).
	Label string `json:"label"`

	compiled map[string]*regexp.Regexp // Patterns, and EachMatch under ""
}

// pattern is a compiled pattern of the selector ("" for EachMatch).
func (s *Selector) pattern(attr string) *regexp.Regexp {
	if re, ok := s.compiled[attr]; ok {
		return re
	}
	source := s.EachMatch
	if attr != "" {
		source = s.Patterns[attr]
	}
	re := regexp.MustCompile(source) // Selectors checked it
	if s.compiled == nil {
		s.compiled = map[string]*regexp.Regexp{}
	}
	s.compiled[attr] = re
	return re
}

// Selectors are the embedded selectors.json: which product each price is.
func Selectors() ([]Selector, error) {
	var s []Selector
	if err := json.Unmarshal(selectorsJSON, &s); err != nil {
		return nil, fmt.Errorf("internal/pricelist/selectors.json: %w", err)
	}
	for i, sel := range s {
		switch {
		case sel.Key == "" || sel.Offer == "" || sel.Label == "":
			return nil, fmt.Errorf("internal/pricelist/selectors.json: selector %d lacks key, offer or label", i)
		case len(sel.Attributes)+len(sel.Patterns) == 0 && sel.ProductFamily == "":
			return nil, fmt.Errorf("internal/pricelist/selectors.json: %s names no product family, attribute or pattern", sel.Key)
		case (sel.Each == "") == strings.Contains(sel.Key, "{}"):
			return nil, fmt.Errorf("internal/pricelist/selectors.json: %s: a key holds {} exactly when the selector has each", sel.Key)
		}
		for attr, pattern := range sel.Patterns {
			if _, err := regexp.Compile(pattern); err != nil {
				return nil, fmt.Errorf("internal/pricelist/selectors.json: %s: patterns.%s: %w", sel.Key, attr, err)
			}
		}
		if _, err := regexp.Compile(sel.EachMatch); err != nil {
			return nil, fmt.Errorf("internal/pricelist/selectors.json: %s: eachMatch: %w", sel.Key, err)
		}
		for attr := range sel.Patterns {
			s[i].pattern(attr)
		}
		s[i].pattern("")
	}
	return s, nil
}

// Offers lists the offer codes the selectors read, sorted.
func Offers(selectors []Selector) []string {
	set := map[string]bool{}
	for _, s := range selectors {
		set[s.Offer] = true
	}
	return slices.Sorted(maps.Keys(set))
}

// URL is where AWS publishes an offer's file for a region.
func URL(offer, region string) string {
	return fmt.Sprintf("https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/%s/current/%s/index.json", offer, region)
}

// Keep says whether a product is one a selector of offer may want, so that
// ReadOffer keeps no more of a large file than the refresh reads.
func Keep(selectors []Selector, offer, region string) func(Product) bool {
	return func(p Product) bool {
		if rc, ok := p.Attributes["regionCode"]; ok && rc != region {
			return false
		}
		for i := range selectors {
			if selectors[i].Offer == offer && selectors[i].matches(p) {
				return true
			}
		}
		return false
	}
}

func (s *Selector) matches(p Product) bool {
	if s.ProductFamily != "" && p.ProductFamily != s.ProductFamily {
		return false
	}
	for k, v := range s.Attributes {
		if p.Attributes[k] != v {
			return false
		}
	}
	for k := range s.Patterns {
		if v, ok := p.Attributes[k]; !ok || !s.pattern(k).MatchString(v) {
			return false
		}
	}
	if s.Each != "" {
		v, ok := p.Attributes[s.Each]
		return ok && s.pattern("").MatchString(v)
	}
	return true
}

// Change is one price the refresh moved, added or found unchanged.
type Change struct {
	Key    string
	Before float64 // 0 for an added price
	After  float64
	Added  bool
}

// Report is what a refresh did.
type Report struct {
	Date, Region string
	// Offers are the offer files read: code, version and publication date.
	Offers []string
	// Changed are the prices whose value moved or that are new.
	Changed []Change
	// Unchanged counts the prices read again at the same value.
	Unchanged int
	// NotInOffers are the table's prices no selector reads (from a pricing
	// page, or free): kept as they are, with their own date checked.
	NotInOffers []string
	// Problems are the selectors that matched no product, or more than one,
	// or whose product has no rate in their unit: their prices are kept.
	Problems []string
}

// Refresh sets every price the selectors name from the offers (by offer
// code), with its SKU, its source and date; it keeps, and reports, what it
// cannot read. The table's date becomes date.
func Refresh(table *cost.Table, selectors []Selector, offers map[string]*Offer, date string) Report {
	r := Report{Date: date, Region: table.Region}
	for _, code := range slices.Sorted(maps.Keys(offers)) {
		o := offers[code]
		r.Offers = append(r.Offers, fmt.Sprintf("%s %s (published %s)", o.OfferCode, o.Version, o.PublicationDate))
	}
	read := map[string]bool{}
	for i := range selectors {
		s := &selectors[i]
		o, ok := offers[s.Offer]
		if !ok {
			r.Problems = append(r.Problems, fmt.Sprintf("%s: no offer file of %s was given (%s)", s.Key, s.Offer, URL(s.Offer, table.Region)))
			continue
		}
		for key, skus := range s.products(o) {
			if len(skus) != 1 {
				r.Problems = append(r.Problems, fmt.Sprintf("%s: %d products of %s match (%s): the selector must name exactly one", key, len(skus), s.Offer, strings.Join(skus, ", ")))
				continue
			}
			sku := skus[0]
			dim, err := s.rate(o, sku)
			if err != nil {
				r.Problems = append(r.Problems, fmt.Sprintf("%s: %v", key, err))
				continue
			}
			usd, err := strconv.ParseFloat(dim.PricePerUnit["USD"], 64)
			if err != nil {
				r.Problems = append(r.Problems, fmt.Sprintf("%s: SKU %s: its USD price %q is not a number", key, sku, dim.PricePerUnit["USD"]))
				continue
			}
			read[key] = true
			old, existed := table.Prices[key]
			switch {
			case !existed:
				r.Changed = append(r.Changed, Change{Key: key, After: usd, Added: true})
			case old.USD != usd:
				r.Changed = append(r.Changed, Change{Key: key, Before: old.USD, After: usd})
			default:
				r.Unchanged++
			}
			table.Prices[key] = cost.Price{USD: usd, Unit: s.Label, Source: fmt.Sprintf("%s (%s)", URL(s.Offer, table.Region), dim.Description),
				Checked: date, SKU: sku, Note: keptNote(old.Note)}
		}
	}
	for key := range table.Prices {
		if !read[key] && !covered(selectors, key) {
			r.NotInOffers = append(r.NotInOffers, key)
		}
	}
	sort.Strings(r.NotInOffers)
	sort.Slice(r.Changed, func(i, j int) bool { return r.Changed[i].Key < r.Changed[j].Key })
	sort.Strings(r.Problems)
	if len(read) > 0 {
		table.PricedAt = date
	}
	return r
}

// products groups the SKUs a selector matches by the key each gives.
func (s *Selector) products(o *Offer) map[string][]string {
	out := map[string][]string{}
	if s.Each == "" {
		out[s.Key] = nil
	}
	for _, sku := range slices.Sorted(maps.Keys(o.Products)) {
		p := o.Products[sku]
		if !s.matches(p) {
			continue
		}
		key := s.Key
		if s.Each != "" {
			key = strings.ReplaceAll(s.Key, "{}", p.Attributes[s.Each])
		}
		out[key] = append(out[key], sku)
	}
	return out
}

// rate is the product's On-Demand rate in the selector's unit and tier.
func (s Selector) rate(o *Offer, sku string) (Dimension, error) {
	begin := s.BeginRange
	if begin == "" {
		begin = "0"
	}
	var found []Dimension
	for _, term := range o.OnDemand[sku] {
		for _, d := range term.PriceDimensions {
			if (s.Unit == "" || d.Unit == s.Unit) && (d.BeginRange == begin || d.BeginRange == "") {
				found = append(found, d)
			}
		}
	}
	if len(found) != 1 {
		unit := s.Unit
		if unit == "" {
			unit = "any unit"
		}
		return Dimension{}, fmt.Errorf("SKU %s has %d On-Demand rates in %s from %s: want exactly one", sku, len(found), unit, begin)
	}
	return found[0], nil
}

// covered says whether a selector reads key (a fixed key, or one an Each
// selector would give), so that a price the offer no longer lists is a
// problem, not a price from elsewhere.
func covered(selectors []Selector, key string) bool {
	for i := range selectors {
		s := &selectors[i]
		if s.Key == key {
			return true
		}
		before, after, ok := strings.Cut(s.Key, "{}")
		if ok && len(key) > len(before)+len(after) && strings.HasPrefix(key, before) && strings.HasSuffix(key, after) &&
			s.pattern("").MatchString(key[len(before):len(key)-len(after)]) {
			return true
		}
	}
	return false
}

// uncheckedNote is how the table's notes begin for a price that could not be
// compared with its offer file; a refresh that reads the price drops it.
const uncheckedNote = "the published Sydney rate as last known"

func keptNote(note string) string {
	if strings.HasPrefix(note, uncheckedNote) {
		if _, rest, ok := strings.Cut(note, "; "); ok && !strings.HasPrefix(rest, "this machine cannot reach") {
			return rest
		}
		if i := strings.Index(note, ": refresh the value from it; "); i >= 0 {
			return note[i+len(": refresh the value from it; "):]
		}
		return ""
	}
	return note
}

// Write prints the report for the pull request the workflow opens.
func (r Report) Write(w io.Writer) {
	fmt.Fprintf(w, "Prices of %s refreshed on %s from the AWS Price List:\n", r.Region, r.Date)
	for _, o := range r.Offers {
		fmt.Fprintf(w, "  %s\n", o)
	}
	fmt.Fprintf(w, "\n%d price(s) changed or added, %d unchanged.\n", len(r.Changed), r.Unchanged)
	for _, c := range r.Changed {
		if c.Added {
			fmt.Fprintf(w, "  + %s: $%g (new)\n", c.Key, c.After)
		} else {
			fmt.Fprintf(w, "  ~ %s: $%g → $%g\n", c.Key, c.Before, c.After)
		}
	}
	if len(r.NotInOffers) > 0 {
		fmt.Fprintf(w, "\nNot in any offer file, kept as they are (each with its own source and date): %s\n", strings.Join(r.NotInOffers, ", "))
	}
	if len(r.Problems) > 0 {
		fmt.Fprintf(w, "\n%d selector(s) could not be read; their prices are kept (internal/pricelist/selectors.json):\n", len(r.Problems))
		for _, p := range r.Problems {
			fmt.Fprintf(w, "  ! %s\n", p)
		}
	}
}
