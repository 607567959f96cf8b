package awstype

import "github.com/ohmycoins/infra/internal/mockcloud"

// Secrets: the application secret and its versions (aws:secretsmanager/*).
func init() {
	register(
		Entry{
			Token: "aws:secretsmanager/secret:Secret",
			Answer: func(e mockcloud.Env, r *mockcloud.Request) string {
				arn := e.ARN("secretsmanager", "secret:"+r.Physical("name")+"-"+r.Hash(6))
				r.Set("name", r.Physical("name"))
				r.Set("arn", arn)
				return arn
			},
			Price:     flat("a secret", "secretsmanager.secret-month"),
			Terraform: Terraform{Identity: []Key{byName("name")}, ImportID: importBy("arn")},
		},
		Entry{
			Token: "aws:secretsmanager/secretVersion:SecretVersion",
			Answer: func(_ mockcloud.Env, r *mockcloud.Request) string {
				version := r.UUID()
				r.Set("versionId", version)
				r.Set("arn", r.Str("secretId"))
				return r.Str("secretId") + "|" + version
			},
			Free: "versions cost nothing beyond their secret's monthly price (API calls are not priced)",
			// Terraform's id is <secret ARN>|<version id>, the import form.
			Terraform: Terraform{Identity: []Key{byRef("secret_id")}, ImportID: importBy("id")},
		},
	)
}
