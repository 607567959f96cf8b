package awstype

import (
	"strings"

	"github.com/ohmycoins/infra/internal/mockcloud"
)

// DNS: the alias and validation records (aws:route53/*).
func init() {
	register(
		Entry{
			Token: "aws:route53/record:Record",
			Answer: func(_ mockcloud.Env, r *mockcloud.Request) string {
				name := strings.TrimSuffix(r.Str("name"), ".")
				r.Set("fqdn", name)
				return r.Str("zoneId") + "_" + name + "_" + r.Str("type")
			},
			Free: "alias queries to a load balancer are free, and records cost nothing (the zone, outside the stacks, is billed)",
			// Terraform's id is ZONE_name_TYPE, the import form.
			Terraform: Terraform{Identity: []Key{byName("zone_id"), {Input: "name", Attr: "name", DNS: true}, byName("type")},
				ImportID: importBy("id")},
		},
	)
}
