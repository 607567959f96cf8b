package awstype

import (
	"fmt"

	"github.com/ohmycoins/infra/internal/mockcloud"
	"github.com/ohmycoins/infra/internal/stackplan"
)

// Encryption: the environment key and its alias (aws:kms/*).
func init() {
	register(
		Entry{
			Token: "aws:kms/key:Key",
			Answer: func(e mockcloud.Env, r *mockcloud.Request) string {
				id := r.UUID()
				r.Set("keyId", id)
				r.Set("arn", e.ARN("kms", "key/"+id))
				return id
			},
			Price:     priceKey,
			Terraform: Terraform{ImportID: importBy("id")},
		},
		Entry{
			Token: "aws:kms/alias:Alias",
			Answer: func(e mockcloud.Env, r *mockcloud.Request) string {
				n := r.Physical("name")
				r.Set("name", n)
				r.Set("arn", e.ARN("kms", n))
				r.Set("targetKeyArn", e.ARN("kms", "key/"+r.Str("targetKeyId")))
				return n
			},
			Free:      "aliases cost nothing",
			Terraform: Terraform{ImportID: importBy("name")},
		},
	)
}

// priceKey prices a customer managed key at its steady state: $1 a month,
// and with automatic rotation $1 more for each of the first two rotations
// (KMS caps the surcharge there), so $3 from its second year on.
func priceKey(p Pricing, r stackplan.Resource) (Cost, bool) {
	key := p.Price("kms.key-month")
	if r.Inputs["enableKeyRotation"] != true {
		return Cost{Monthly: key, Basis: fmt.Sprintf("a customer managed key: $%g", key)}, true
	}
	rotation := p.Price("kms.rotation-month")
	return Cost{Monthly: key + 2*rotation,
		Basis: fmt.Sprintf("a customer managed key $%g + 2 rotations × $%g (rotated yearly: $%g the first year, $%g the second, then capped)", key, rotation, key, key+rotation)}, true
}
