package awstype

import "github.com/ohmycoins/infra/internal/mockcloud"

// Autoscaling: the services' scalable targets and policies (aws:appautoscaling/*).
func init() {
	register(
		Entry{
			Token: "aws:appautoscaling/target:Target",
			Answer: func(e mockcloud.Env, r *mockcloud.Request) string {
				r.Set("arn", e.ARN("application-autoscaling", "scalable-target/"+r.Hash(24)))
				return r.Str("resourceId")
			},
			Free: "Application Auto Scaling is free; the tasks it starts are priced on their service, up to its maximum",
			Terraform: Terraform{Identity: []Key{byName("resource_id"), byName("scalable_dimension")},
				ImportID: importJoined("/", "service_namespace", "resource_id", "scalable_dimension")},
		},
		Entry{
			Token: "aws:appautoscaling/policy:Policy",
			Answer: func(e mockcloud.Env, r *mockcloud.Request) string {
				n := r.Physical("name")
				r.Set("name", n)
				r.Set("arn", e.ARN("autoscaling", "scalingPolicy:"+r.UUID()+":resource/"+r.Str("resourceId")+":policyName/"+n))
				return n
			},
			Free: "Application Auto Scaling itself is free (the alarms a target-tracking policy creates for itself are not priced here)",
			Terraform: Terraform{Identity: []Key{byName("resource_id"), byName("name")},
				ImportID: importJoined("/", "service_namespace", "resource_id", "scalable_dimension", "name")},
		},
	)
}
