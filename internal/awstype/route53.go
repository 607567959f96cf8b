package awstype

import (
	"fmt"
	"strings"

	"github.com/ohmycoins/infra/internal/mockcloud"
	"github.com/ohmycoins/infra/internal/stackplan"
)

// DNS: the alias and validation records, and the zone an account's
// bootstrap owns in the two-account layout (aws:route53/*).
func init() {
	register(
		Entry{
			// A public hosted zone: Route 53 gives it an id and four name
			// servers of a delegation set, which the parent zone delegates to.
			Token: "aws:route53/zone:Zone",
			Answer: func(e mockcloud.Env, r *mockcloud.Request) string {
				// The id the zone's lookup (getZone) answers with, so the
				// stacks find the zone a bootstrap stack created.
				name := strings.TrimSuffix(r.Str("name"), ".")
				id := "Z" + strings.ToUpper(mockcloud.HashOf(20, "zone", name))
				if known, ok := e.Zones[name]; ok {
					id = known
				}
				r.Set("zoneId", id)
				r.Set("name", name)
				r.Set("arn", "arn:aws:route53:::hostedzone/"+id)
				h := r.Hash(8)
				servers := []any{}
				for i, tld := range []string{"com", "net", "org", "co.uk"} {
					servers = append(servers, fmt.Sprintf("ns-%d.awsdns-%02d.%s", 512*i+int(h[i])%512, int(h[4])%64, tld))
				}
				r.Set("nameServers", servers)
				r.Set("primaryNameServer", servers[0])
				return id
			},
			Price: func(p Pricing, _ stackplan.Resource) (Cost, bool) {
				return Cost{Monthly: p.Price("route53.hosted-zone-month"),
					Basis: fmt.Sprintf("1 hosted zone × $%g (the first 25 of the account)", p.Price("route53.hosted-zone-month"))}, true
			},
			// Terraform's id is the zone id, the import form.
			Terraform: Terraform{Identity: []Key{{Input: "name", Attr: "name", DNS: true}}, ImportID: importBy("zone_id")},
		},
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
