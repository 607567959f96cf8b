package awstype

import "github.com/ohmycoins/infra/internal/mockcloud"

// Billing: the environment's budget (aws:budgets/*) and the cost allocation
// tag it filters by (aws:costexplorer/*).
func init() {
	register(
		Entry{
			Token: "aws:budgets/budget:Budget",
			// A budget's ID is <account>:<name>; its ARN has no region.
			Answer: func(e mockcloud.Env, r *mockcloud.Request) string {
				n := r.Physical("name")
				r.Set("name", n)
				r.Set("accountId", e.Account)
				r.Set("arn", "arn:aws:budgets::"+e.Account+":budget/"+n)
				return e.Account + ":" + n
			},
			Free:      "an account's first two budgets without actions are free, and each environment has one",
			Terraform: Terraform{ImportID: importJoined(":", "account_id", "name")},
		},
		Entry{
			Token: "aws:costexplorer/costAllocationTag:CostAllocationTag",
			// A cost allocation tag's ID is its key; tags that resources carry are UserDefined.
			Answer: func(_ mockcloud.Env, r *mockcloud.Request) string {
				r.Set("type", "UserDefined")
				return r.Str("tagKey")
			},
			Free:      "activating a cost allocation tag is free",
			Terraform: Terraform{ImportID: importBy("tag_key")},
		},
	)
}
