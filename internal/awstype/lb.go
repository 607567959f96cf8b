package awstype

import (
	"fmt"
	"strings"

	"github.com/ohmycoins/infra/internal/mockcloud"
	"github.com/ohmycoins/infra/internal/stackplan"
)

// albZoneIDs are the Route 53 hosted-zone ids of ALBs per region (ELB endpoints table).
var albZoneIDs = map[string]string{
	"ap-southeast-2": "Z1GM3OXH4ZPM65",
	"us-east-1":      "Z35SXDOTRQ7X7K",
}

// hashNumber turns hex into a 10-digit decimal number, like the one in ALB DNS names.
func hashNumber(h string) int64 {
	var n int64
	fmt.Sscanf(h, "%x", &n)
	return n%9000000000 + 1000000000
}

// Load balancing: the load balancer, its target groups, listeners and rules (aws:lb/*).
func init() {
	register(
		Entry{
			Token: "aws:lb/loadBalancer:LoadBalancer",
			Answer: func(e mockcloud.Env, r *mockcloud.Request) string {
				n := r.Physical("name")
				suffix := "app/" + n + "/" + r.Hash(16)
				arn := e.ARN("elasticloadbalancing", "loadbalancer/"+suffix)
				r.Set("name", n)
				r.Set("arn", arn)
				r.Set("arnSuffix", suffix)
				r.Set("dnsName", fmt.Sprintf("%s-%d.%s.elb.amazonaws.com", n, hashNumber(r.Hash(8)), e.Region))
				r.Set("zoneId", albZoneIDs[e.Region])
				return arn
			},
			Price: func(p Pricing, r stackplan.Resource) (Cost, bool) {
				h := p.Hours()
				lcus := p.Assume("loadBalancerLcus")
				kind, unit := "alb", "LCU"
				if t := str(r.Inputs["loadBalancerType"]); t == "network" {
					kind, unit = "nlb", "NLCU"
				}
				monthly := h*p.Price(kind+".hour") + h*lcus*p.Price(kind+".lcu-hour")
				basis := fmt.Sprintf("%g h × $%g + %g %s × %g h × $%g", h, p.Price(kind+".hour"), lcus, unit, h, p.Price(kind+".lcu-hour"))
				if r.Inputs["internal"] != true {
					ips := float64(len(list(r.Inputs["subnets"])))
					monthly += ips * h * p.Price("ipv4.hour")
					basis += fmt.Sprintf(" + %g public IPv4 (one per AZ) × %g h × $%g", ips, h, p.Price("ipv4.hour"))
				}
				return Cost{Monthly: monthly, Basis: basis}, true
			},
			Terraform: Terraform{Identity: []Key{byName("name")}, ImportID: importBy("arn")},
		},
		Entry{
			Token: "aws:lb/targetGroup:TargetGroup",
			Answer: func(e mockcloud.Env, r *mockcloud.Request) string {
				n := r.Physical("name")
				suffix := "targetgroup/" + n + "/" + r.Hash(16)
				arn := e.ARN("elasticloadbalancing", suffix)
				r.Set("name", n)
				r.Set("arn", arn)
				r.Set("arnSuffix", suffix)
				return arn
			},
			Free:      "target groups cost nothing; the load balancer's hours and LCUs are priced on it",
			Terraform: Terraform{Identity: []Key{byName("name")}, ImportID: importBy("arn")},
		},
		Entry{
			Token: "aws:lb/listener:Listener",
			Answer: func(e mockcloud.Env, r *mockcloud.Request) string {
				lb := strings.TrimPrefix(r.Str("loadBalancerArn"), e.ARN("elasticloadbalancing", "loadbalancer/"))
				arn := e.ARN("elasticloadbalancing", "listener/"+lb+"/"+r.Hash(16))
				r.Set("arn", arn)
				return arn
			},
			Free:      "listeners cost nothing; the load balancer's hours and LCUs are priced on it",
			Terraform: Terraform{Identity: []Key{byRef("load_balancer_arn"), byName("port")}, ImportID: importBy("arn")},
		},
		Entry{
			Token: "aws:lb/listenerRule:ListenerRule",
			Answer: func(e mockcloud.Env, r *mockcloud.Request) string {
				listener := strings.TrimPrefix(r.Str("listenerArn"), e.ARN("elasticloadbalancing", "listener/"))
				arn := e.ARN("elasticloadbalancing", "listener-rule/"+listener+"/"+r.Hash(16))
				r.Set("arn", arn)
				return arn
			},
			Free:      "listener rules cost nothing; the rules they evaluate count in the load balancer's LCUs",
			Terraform: Terraform{Identity: []Key{byRef("listener_arn"), byName("priority")}, ImportID: importBy("arn")},
		},
	)
}
