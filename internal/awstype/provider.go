package awstype

import "github.com/ohmycoins/infra/internal/mockcloud"

// The explicit AWS provider every component is created with.
func init() {
	register(Entry{
		Token:     "pulumi:providers:aws",
		Answer:    func(_ mockcloud.Env, r *mockcloud.Request) string { return r.UUID() },
		Free:      "a provider is Pulumi's, not an AWS resource",
		Terraform: Terraform{NoImport: "a provider is configuration in the stack, not an AWS resource"},
	})
}
