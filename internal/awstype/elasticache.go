package awstype

import (
	"fmt"
	"strings"

	"github.com/ohmycoins/infra/internal/mockcloud"
	"github.com/ohmycoins/infra/internal/stackplan"
)

// shortRegion is the region code in ElastiCache endpoints (apse2 for ap-southeast-2).
func shortRegion(region string) string {
	parts := strings.Split(region, "-")
	if len(parts) != 3 {
		return strings.ReplaceAll(region, "-", "")
	}
	dir := map[string]string{"southeast": "se", "northeast": "ne", "southwest": "sw", "northwest": "nw",
		"east": "e", "west": "w", "south": "s", "north": "n", "central": "c"}[parts[1]]
	return parts[0] + dir + parts[2]
}

// The cache: the replication group, its subnet group and parameter group (aws:elasticache/*).
func init() {
	register(
		Entry{
			Token: "aws:elasticache/replicationGroup:ReplicationGroup",
			Answer: func(e mockcloud.Env, r *mockcloud.Request) string {
				id := r.Physical("replicationGroupId")
				host := fmt.Sprintf("%s.%s.%s.cache.amazonaws.com", id, r.Hash(6), shortRegion(e.Region))
				var members []any
				for i := 1; i <= r.Num("numCacheClusters", 1); i++ {
					members = append(members, fmt.Sprintf("%s-%03d", id, i))
				}
				r.Set("replicationGroupId", id)
				r.Set("arn", e.ARN("elasticache", "replicationgroup:"+id))
				r.Set("primaryEndpointAddress", "master."+host)
				r.Set("readerEndpointAddress", "replica."+host)
				r.Set("memberClusters", members)
				r.Set("port", r.Num("port", 6379))
				r.Set("clusterEnabled", false)
				return id
			},
			Price:     priceCache,
			Terraform: Terraform{Identity: []Key{byName("replication_group_id")}, ImportID: importBy("replication_group_id")},
			// terraform-provider-aws, aws_elasticache_replication_group's
			// CustomizeDiff: member_clusters is ComputedIf num_cache_clusters,
			// num_node_groups or replicas_per_node_group change.
			PlannedUnknown: map[string][]string{"memberClusters": {"numCacheClusters", "numNodeGroups", "replicasPerNodeGroup"}},
		},
		Entry{
			Token:     "aws:elasticache/subnetGroup:SubnetGroup",
			Answer:    named("name", func(e mockcloud.Env, n string) string { return e.ARN("elasticache", "subnetgroup:"+n) }),
			Free:      "cache subnet groups cost nothing",
			Terraform: Terraform{Identity: []Key{byName("name")}, ImportID: importBy("name")},
		},
		Entry{
			Token:     "aws:elasticache/parameterGroup:ParameterGroup",
			Answer:    named("name", func(e mockcloud.Env, n string) string { return e.ARN("elasticache", "parametergroup:"+n) }),
			Free:      "cache parameter groups cost nothing",
			Terraform: Terraform{Identity: []Key{byName("name")}, ImportID: importBy("name")},
		},
	)
}

// priceCache prices a replication group's nodes by engine (Valkey's nodes
// cost less than Redis OSS's: elasticache.valkey.<node>) and the snapshots it
// keeps beyond the one ElastiCache stores free (cacheSnapshotGb each).
func priceCache(p Pricing, r stackplan.Resource) (Cost, bool) {
	node, n, h := str(r.Inputs["nodeType"]), num(r.Inputs["numCacheClusters"]), p.Hours()
	if n == 0 {
		n = 1 // the provider's default
	}
	key, engine := "elasticache."+node, "Redis OSS"
	if str(r.Inputs["engine"]) == "valkey" {
		key, engine = "elasticache.valkey."+node, "Valkey"
	}
	price := p.Price(key)
	c := Cost{Monthly: n * h * price, Basis: fmt.Sprintf("%g × %s %s × %g h × $%g", n, node, engine, h, price)}
	if kept := num(r.Inputs["snapshotRetentionLimit"]); kept > 1 {
		gb := p.Assume("cacheSnapshotGb")
		c.Monthly += (kept - 1) * gb * p.Price("elasticache.backup-gb-month")
		c.Basis += fmt.Sprintf(" + %g snapshots beyond the free one × %g GB × $%g", kept-1, gb, p.Price("elasticache.backup-gb-month"))
	}
	return c, true
}
