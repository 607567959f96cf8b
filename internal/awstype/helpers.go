package awstype

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/ohmycoins/infra/internal/mockcloud"
	"github.com/ohmycoins/infra/internal/stackplan"
)

// Answers shared by several types.

// ec2ID answers EC2 resources whose id is <prefix>-<17 hex> and whose ARN is
// arn:aws:ec2:<region>:<account>:<arnType>/<id> (no ARN when arnType is empty).
func ec2ID(prefix, arnType string) mockcloud.Answer {
	return func(e mockcloud.Env, r *mockcloud.Request) string {
		id := prefix + "-" + r.Hash(17)
		if arnType != "" {
			r.Set("arn", e.ARN("ec2", arnType+"/"+id))
		}
		r.Set("ownerId", e.Account)
		return id
	}
}

// named answers resources whose id is their physical name (input key), with an
// ARN built by arnOf from that name (none when arnOf is nil).
func named(key string, arnOf func(e mockcloud.Env, name string) string) mockcloud.Answer {
	return func(e mockcloud.Env, r *mockcloud.Request) string {
		n := r.Physical(key)
		if key != "" {
			r.Set(key, n)
		}
		if arnOf != nil {
			r.Set("arn", arnOf(e, n))
		}
		return n
	}
}

// idOnly answers resources AWS identifies by a generated id with no ARN the program reads.
func idOnly(prefix string) mockcloud.Answer {
	return func(_ mockcloud.Env, r *mockcloud.Request) string { return prefix + r.Hash(17) }
}

// Terraform identities and import ids.

// nameTag identifies the EC2 resources that have no name by their Name tag.
var nameTag = Key{Input: "tags.Name", Attr: "tags.Name"}

// byName identifies by a Terraform attribute and the Pulumi input of the same name.
func byName(attr string) Key { return Key{Input: Camel(attr), Attr: attr} }

// byRef identifies by the id or ARN of another resource.
func byRef(attr string) Key { return Key{Input: Camel(attr), Attr: attr, Ref: true} }

// importBy imports by one Terraform attribute (the id, the name, the ARN).
func importBy(attr string) func(func(string) string) string {
	return func(a func(string) string) string { return a(attr) }
}

// importJoined imports by attributes joined with sep.
func importJoined(sep string, attrs ...string) func(func(string) string) string {
	return func(a func(string) string) string {
		parts := make([]string, len(attrs))
		for i, at := range attrs {
			parts[i] = a(at)
		}
		return strings.Join(parts, sep)
	}
}

// Camel is the Pulumi name of a Terraform attribute: snake_case to camelCase.
func Camel(snake string) string {
	parts := strings.Split(snake, "_")
	for i := 1; i < len(parts); i++ {
		if parts[i] != "" {
			parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
		}
	}
	return strings.Join(parts, "")
}

// Reading plan values in prices.

func str(v any) string {
	s, _ := v.(string)
	return s
}

func num(v any) float64 {
	switch t := v.(type) {
	case float64:
		return t
	case string:
		f, _ := strconv.ParseFloat(t, 64)
		return f
	}
	return 0
}

func list(v any) []any {
	l, _ := v.([]any)
	return l
}

// flat prices a resource at one monthly price: "<what>: $<price>".
func flat(what, key string) Pricer {
	return func(p Pricing, _ stackplan.Resource) (Cost, bool) {
		return Cost{Monthly: p.Price(key), Basis: fmt.Sprintf("%s: $%g", what, p.Price(key))}, true
	}
}
