// Package awstype is the catalog of the AWS resource types the programs
// register: one entry per type, holding everything the program knows about
// it, so that a new type is one entry and nothing is left to a default.
//
// An entry says what AWS answers when the resource is created (the mock
// cloud's answer: its id, ARN and computed outputs), what it costs per month
// or why it costs nothing, how the original Terraform names it (its resource
// type, the values that identify the same AWS object on both sides, the id
// `pulumi import` adopts it with), and, from internal/replacement's table
// read from the upstream provider, what forces a replacement and in what
// order, the physical name and what AWS holds only once. Its SDK arguments are
// the pulumi-aws SDK's for its token: the catalog's test reads them from the
// SDK source that go.mod pins and checks every input the entry names.
//
// The catalog's test fails a registered type missing any of these, so no
// type is priced at $0 or matched by nothing through silence.
package awstype

import (
	"sort"
	"strings"

	"github.com/ohmycoins/infra/internal/awsread"
	"github.com/ohmycoins/infra/internal/mockcloud"
	"github.com/ohmycoins/infra/internal/replacement"
	"github.com/ohmycoins/infra/internal/stackplan"
)

// Entry is everything the program knows about one resource type.
type Entry struct {
	// Token is the Pulumi type token, aws:rds/instance:Instance.
	Token string
	// Answer is what AWS replies when one is created: the mock cloud's answer.
	Answer mockcloud.Answer
	// Price is its monthly cost; nil for a type that costs nothing by itself,
	// which Free then explains.
	Price Pricer
	Free  string
	// Terraform is how the original Terraform environments know the type.
	Terraform Terraform
	// PlannedUnknown are the outputs that the provider's plan of an update
	// leaves unknown, each with the inputs whose change does it
	// (terraform-provider-aws CustomizeDiff, customdiff.ComputedIf): what
	// reads them shows a change in a preview, as with the real provider.
	PlannedUnknown map[string][]string
}

// Rules are the type's replacement rules, physical name and unique key:
// internal/replacement/replacements.json, read from the upstream provider.
func (e Entry) Rules() (replacement.Type, bool) {
	return replacement.MustLoad().Lookup(e.Token)
}

// TerraformType is the Terraform resource type of the type (aws_db_instance),
// as its replacement rules name it; "" for types of no Terraform AWS provider.
func (e Entry) TerraformType() string {
	rules, _ := e.Rules()
	return rules.Source.Resource
}

// A Pricer prices one resource per month; false when this one costs nothing
// after all (a gateway endpoint, where interface endpoints cost).
type Pricer func(p Pricing, r stackplan.Resource) (Cost, bool)

// Pricing is what a price reads besides its resource: the dated price table,
// the stack's usage assumptions, and the rest of the plan (a service's task
// size is its task definition's).
type Pricing interface {
	// Price is the table's price in USD under key (internal/cost/prices.json).
	Price(key string) float64
	// Assume is the stack's usage assumption under its ohmycoins:cost key.
	Assume(key string) float64
	// Hours are the hours of a month the table prices by.
	Hours() float64
	// Plan is the plan being priced.
	Plan() *stackplan.Plan
	// AwaitingImage is the tasks an ECS service (by name) starts once its
	// first image is set, when it awaits one: the plan shows it with none.
	AwaitingImage(service string) (count, max float64, ok bool)
	// Date is the price table's date: what a dated rule (RDS Extended
	// Support) is judged on, so the same plan always costs the same.
	Date() string
	// NotPriced records something the resource costs that no assumption
	// prices (an S3 bucket's contents): the estimate lists it as left out.
	NotPriced(what string)
}

// Cost is what one resource costs per month, and how that was reached.
type Cost struct {
	// Monthly is the cost at the desired count (or the autoscaling minimum).
	Monthly float64
	// MonthlyMax is the cost at the autoscaling maximum, for autoscaled services.
	MonthlyMax float64
	// Basis shows the quantities, hours and prices.
	Basis string
	// AwaitingImage marks a service that runs no task until its image is
	// set: the cost is what it starts then.
	AwaitingImage bool
}

// Terraform is a type as the original Terraform has it; its resource type
// (aws_db_instance) is the one its replacement rules were read from
// (Entry.TerraformType).
type Terraform struct {
	// Identity are the values that name the same AWS object in the original
	// and in this program (a name, an identifier, a record's zone and name,
	// or an EC2 resource's Name tag); never a Terraform address. Empty: an
	// original of the type is never adopted, and this program creates its own.
	Identity []Key
	// Renamed maps the Pulumi inputs whose Terraform attribute the
	// snake_case rule does not give (a metric alarm's name is alarm_name).
	Renamed map[string]string
	// ImportID is the id `pulumi import` adopts a resource with, in the form
	// the pulumi-aws documentation gives (its "Import" section), from the
	// original's Terraform attributes. Nil when the type cannot be imported,
	// which NoImport then explains.
	ImportID func(attr func(name string) string) string
	NoImport string
}

// Key is one value of an identity, under its Pulumi input path and its
// Terraform attribute path ("tags.Name" reads a tag).
type Key struct {
	Input, Attr string
	// Ref marks the id or ARN of another resource: two such values match
	// when they point at resources that match.
	Ref bool
	// DNS marks a DNS name: compared without case or a trailing dot.
	DNS bool
}

var catalog = map[string]Entry{}

// register adds the entries of one AWS service's file.
func register(entries ...Entry) {
	for _, e := range entries {
		if _, dup := catalog[e.Token]; dup {
			panic("awstype: " + e.Token + " registered twice")
		}
		catalog[e.Token] = e
	}
}

// Lookup returns the entry of a type token.
func Lookup(token string) (Entry, bool) {
	e, ok := catalog[token]
	return e, ok
}

// Answer is the mock cloud's answer for a type token (mockcloud.Answers).
func Answer(token string) (mockcloud.Answer, bool) {
	e, ok := catalog[token]
	return e.Answer, ok && e.Answer != nil
}

// Tokens lists every type of the catalog, sorted.
func Tokens() []string {
	out := make([]string, 0, len(catalog))
	for t := range catalog {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// ByTerraformType returns the entry whose original Terraform type is tfType.
func ByTerraformType(tfType string) (Entry, bool) {
	for _, t := range Tokens() {
		if e := catalog[t]; e.TerraformType() == tfType {
			return e, true
		}
	}
	return Entry{}, false
}

// Missing lists, for a type token, what its entry lacks: an answer, a price
// or the reason it is free, its Terraform type and import id (or why it has
// none), its replacement rules. Empty when the entry is whole.
func Missing(token string) []string {
	e, ok := catalog[token]
	if !ok {
		return []string{"an entry in internal/awstype"}
	}
	var missing []string
	if e.Answer == nil {
		missing = append(missing, "the mock cloud's answer (Answer)")
	}
	if (e.Price == nil) == (e.Free == "") {
		missing = append(missing, "a price (Price) or the reason it costs nothing (Free), one of the two")
	}
	if e.TerraformType() == "" && strings.HasPrefix(token, "aws:") {
		missing = append(missing, "its Terraform resource type (the source.resource of its replacement rules)")
	}
	if (e.Terraform.ImportID == nil) == (e.Terraform.NoImport == "") {
		missing = append(missing, "its import id (Terraform.ImportID) or why it cannot be imported (Terraform.NoImport), one of the two")
	}
	if _, ok := e.Rules(); !ok {
		missing = append(missing, "its replacement rules in internal/replacement/replacements.json")
	}
	if _, ok := awsread.Lookup(token); !ok && strings.HasPrefix(token, "aws:") {
		missing = append(missing, "the IAM actions reading it back calls, in internal/awsread (the CI roles may call nothing else)")
	}
	return missing
}
