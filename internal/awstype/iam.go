package awstype

import (
	"strings"

	"github.com/ohmycoins/infra/internal/mockcloud"
)

// Identity: roles, their policies, managed policies and the GitHub OIDC provider (aws:iam/*).
func init() {
	register(
		Entry{
			Token: "aws:iam/role:Role",
			Answer: func(e mockcloud.Env, r *mockcloud.Request) string {
				n := r.Physical("name")
				path := r.Str("path")
				if path == "" {
					path = "/"
				}
				r.Set("name", n)
				r.Set("arn", e.GlobalARN("iam", "role"+path+n))
				r.Set("uniqueId", "AROA"+strings.ToUpper(r.Hash(17)))
				return n
			},
			Free:      "IAM is free",
			Terraform: Terraform{Identity: []Key{byName("name")}, ImportID: importBy("name")},
		},
		Entry{
			Token: "aws:iam/policy:Policy",
			Answer: func(e mockcloud.Env, r *mockcloud.Request) string {
				arn := e.GlobalARN("iam", "policy/"+r.Physical("name"))
				r.Set("name", r.Physical("name"))
				r.Set("arn", arn)
				r.Set("policyId", "ANPA"+strings.ToUpper(r.Hash(17)))
				return arn
			},
			Free:      "IAM is free",
			Terraform: Terraform{ImportID: importBy("arn")},
		},
		Entry{
			Token: "aws:iam/rolePolicy:RolePolicy",
			Answer: func(_ mockcloud.Env, r *mockcloud.Request) string {
				return r.Str("role") + ":" + r.Physical("name")
			},
			Free:      "IAM is free",
			Terraform: Terraform{Identity: []Key{byName("role"), byName("name")}, ImportID: importJoined(":", "role", "name")},
		},
		Entry{
			Token: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
			Answer: func(_ mockcloud.Env, r *mockcloud.Request) string {
				return r.Str("role") + "-" + r.Hash(26)
			},
			Free:      "IAM is free",
			Terraform: Terraform{Identity: []Key{byName("role"), byName("policy_arn")}, ImportID: importJoined("/", "role", "policy_arn")},
		},
		Entry{
			Token: "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
			Answer: func(e mockcloud.Env, r *mockcloud.Request) string {
				arn := e.GlobalARN("iam", "oidc-provider/"+strings.TrimPrefix(r.Str("url"), "https://"))
				r.Set("arn", arn)
				return arn
			},
			Free:      "IAM is free",
			Terraform: Terraform{ImportID: importBy("arn")},
		},
	)
}
