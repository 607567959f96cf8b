// Package pricelist refreshes internal/cost/prices.json from the AWS Price
// List bulk offer files, the public JSON of one service in one region that
// AWS publishes at pricing.us-east-1.amazonaws.com: each price a selector
// names gets the offer's On-Demand rate, its SKU, the offer it was read from
// and the date. It keeps the cost estimate's prices current without anyone
// copying numbers by hand; the monthly workflow .github/workflows/prices.yml
// runs it through cmd/prices.
package pricelist

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
)

// Offer is the part of an offer file the refresh reads: its identity, the
// products some selector may want, and their On-Demand terms.
type Offer struct {
	FormatVersion   string
	OfferCode       string
	Version         string
	PublicationDate string
	// Products are by SKU, only those the reader kept.
	Products map[string]Product
	// OnDemand are the On-Demand terms of the kept products, by SKU, then by
	// the term's code (SKU.offerTermCode).
	OnDemand map[string]map[string]Term
}

// Product is one product of an offer file.
type Product struct {
	SKU           string            `json:"sku"`
	ProductFamily string            `json:"productFamily"`
	Attributes    map[string]string `json:"attributes"`
}

// Term is one On-Demand term of a product: its price dimensions, one per
// tier or unit.
type Term struct {
	OfferTermCode   string               `json:"offerTermCode"`
	SKU             string               `json:"sku"`
	EffectiveDate   string               `json:"effectiveDate"`
	PriceDimensions map[string]Dimension `json:"priceDimensions"`
}

// Dimension is one rate: USD per Unit from BeginRange to EndRange.
type Dimension struct {
	RateCode     string            `json:"rateCode"`
	Description  string            `json:"description"`
	BeginRange   string            `json:"beginRange"`
	EndRange     string            `json:"endRange"`
	Unit         string            `json:"unit"`
	PricePerUnit map[string]string `json:"pricePerUnit"`
}

// OfferLimit is the largest offer file read: AmazonEC2's regional file, the
// largest, is a few hundred MB.
const OfferLimit int64 = 4 << 30

// ReadOfferFile reads an offer file, keeping the products keep accepts.
func ReadOfferFile(path string, keep func(Product) bool) (*Offer, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file: want an offer file (index.json of the Price List)", path)
	}
	if info.Size() > OfferLimit {
		return nil, fmt.Errorf("%s is %d bytes, more than an offer file's limit of %d", path, info.Size(), OfferLimit)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	o, err := ReadOffer(io.LimitReader(f, OfferLimit), keep)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return o, nil
}

// ReadOffer reads an offer file as a stream, keeping only the products keep
// accepts and their On-Demand terms: an offer file holds every product of a
// service in a region, and the refresh wants a few dozen.
func ReadOffer(r io.Reader, keep func(Product) bool) (*Offer, error) {
	dec := json.NewDecoder(r)
	o := &Offer{Products: map[string]Product{}, OnDemand: map[string]map[string]Term{}}
	if err := delim(dec, '{'); err != nil {
		return nil, fmt.Errorf("not an offer file: %w", err)
	}
	sawProducts, sawTerms := false, false
	for dec.More() {
		key, err := name(dec)
		if err != nil {
			return nil, err
		}
		switch key {
		case "formatVersion", "offerCode", "version", "publicationDate":
			var v string
			if err := dec.Decode(&v); err != nil {
				return nil, fmt.Errorf("%s: %w", key, err)
			}
			switch key {
			case "formatVersion":
				o.FormatVersion = v
			case "offerCode":
				o.OfferCode = v
			case "version":
				o.Version = v
			default:
				o.PublicationDate = v
			}
		case "products":
			sawProducts = true
			err = object(dec, func(sku string) error {
				var p Product
				if err := dec.Decode(&p); err != nil {
					return fmt.Errorf("product %s: %w", sku, err)
				}
				if keep == nil || keep(p) {
					o.Products[sku] = p
				}
				return nil
			})
		case "terms":
			if !sawProducts {
				return nil, errors.New("its terms come before its products: the refresh reads offer files as AWS writes them, products first")
			}
			sawTerms = true
			err = object(dec, func(kind string) error {
				if kind != "OnDemand" {
					return skip(dec)
				}
				return object(dec, func(sku string) error {
					if _, kept := o.Products[sku]; !kept {
						return skip(dec)
					}
					var terms map[string]Term
					if err := dec.Decode(&terms); err != nil {
						return fmt.Errorf("terms of %s: %w", sku, err)
					}
					o.OnDemand[sku] = terms
					return nil
				})
			})
		default:
			err = skip(dec)
		}
		if err != nil {
			return nil, err
		}
	}
	if err := delim(dec, '}'); err != nil {
		return nil, err
	}
	if o.OfferCode == "" || !sawProducts || !sawTerms {
		return nil, errors.New("not an offer file: it lacks offerCode, products or terms")
	}
	return o, nil
}

// object walks a JSON object, calling each with its keys; the value is the
// next thing the decoder reads.
func object(dec *json.Decoder, each func(key string) error) error {
	if err := delim(dec, '{'); err != nil {
		return err
	}
	for dec.More() {
		key, err := name(dec)
		if err != nil {
			return err
		}
		if err := each(key); err != nil {
			return err
		}
	}
	return delim(dec, '}')
}

func delim(dec *json.Decoder, want json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return fmt.Errorf("expected %q, found %v", want, tok)
	}
	return nil
}

func name(dec *json.Decoder) (string, error) {
	tok, err := dec.Token()
	if err != nil {
		return "", err
	}
	s, ok := tok.(string)
	if !ok {
		return "", fmt.Errorf("expected a key, found %v", tok)
	}
	return s, nil
}

func skip(dec *json.Decoder) error {
	var v json.RawMessage
	return dec.Decode(&v)
}
