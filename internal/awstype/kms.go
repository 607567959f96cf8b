package awstype

import "github.com/ohmycoins/infra/internal/mockcloud"

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
			Price:     flat("a customer managed key", "kms.key-month"),
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
