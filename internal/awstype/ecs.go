package awstype

import (
	"fmt"
	"strings"

	"github.com/ohmycoins/infra/internal/mockcloud"
	"github.com/ohmycoins/infra/internal/stackplan"
)

// The services: the cluster, task definitions and Fargate services (aws:ecs/*).
func init() {
	register(
		Entry{
			Token: "aws:ecs/cluster:Cluster",
			Answer: func(e mockcloud.Env, r *mockcloud.Request) string {
				n := r.Physical("name")
				arn := e.ARN("ecs", "cluster/"+n)
				r.Set("name", n)
				r.Set("arn", arn)
				return arn
			},
			Free:      "an ECS cluster costs nothing; its Fargate tasks are priced on their services",
			Terraform: Terraform{Identity: []Key{byName("name")}, ImportID: importBy("name")},
		},
		Entry{
			Token: "aws:ecs/taskDefinition:TaskDefinition",
			Answer: func(e mockcloud.Env, r *mockcloud.Request) string {
				family := r.Physical("family")
				r.Set("revision", 1)
				r.Set("arn", e.ARN("ecs", "task-definition/"+family+":1"))
				r.Set("arnWithoutRevision", e.ARN("ecs", "task-definition/"+family))
				return family
			},
			Free:      "a task definition costs nothing; its size is priced on the service that runs it",
			Terraform: Terraform{Identity: []Key{byName("family")}, ImportID: importBy("arn")},
		},
		Entry{
			Token: "aws:ecs/service:Service",
			Answer: func(e mockcloud.Env, r *mockcloud.Request) string {
				n := r.Physical("name")
				cluster := r.Str("cluster")
				cluster = cluster[strings.LastIndex(cluster, "/")+1:]
				arn := e.ARN("ecs", "service/"+cluster+"/"+n)
				r.Set("name", n)
				r.Set("arn", arn)
				return arn
			},
			Price: priceService,
			Terraform: Terraform{Identity: []Key{byRef("cluster"), byName("name")},
				ImportID: func(a func(string) string) string {
					cluster := a("cluster")
					return cluster[strings.LastIndex(cluster, "/")+1:] + "/" + a("name")
				}},
		},
	)
}

// priceService prices a Fargate service at its desired count, or at its
// autoscaling minimum with the maximum as MonthlyMax: its task definition's
// vCPU and memory, per task-hour.
func priceService(p Pricing, r stackplan.Resource) (Cost, bool) {
	plan, h := p.Plan(), p.Hours()
	var task stackplan.Resource
	for _, t := range plan.OfType("aws:ecs/taskDefinition:TaskDefinition") {
		if t.Outputs["arn"] == r.Inputs["taskDefinition"] {
			task = t
		}
	}
	vcpu := num(task.Inputs["cpu"]) / 1024
	gb := num(task.Inputs["memory"]) / 1024
	perTask := h * (vcpu*p.Price("fargate.vcpu-hour") + gb*p.Price("fargate.gb-hour"))
	count, maxCount, scaled := num(r.Inputs["desiredCount"]), 0.0, false
	for _, t := range plan.OfType("aws:appautoscaling/target:Target") {
		if strings.HasSuffix(str(t.Inputs["resourceId"]), "/"+str(r.Inputs["name"])) {
			count, maxCount, scaled = num(t.Inputs["minCapacity"]), num(t.Inputs["maxCapacity"]), true
		}
	}
	awaiting := false
	if count == 0 && !scaled {
		if n, m, ok := p.AwaitingImage(str(r.Inputs["name"])); ok {
			count, maxCount, scaled, awaiting = n, m, m > 0, true
		}
	}
	basis := fmt.Sprintf("%g task(s) × (%g vCPU × $%g + %g GB × $%g) × %g h", count, vcpu, p.Price("fargate.vcpu-hour"), gb, p.Price("fargate.gb-hour"), h)
	c := Cost{Monthly: count * perTask, Basis: basis, AwaitingImage: awaiting}
	if scaled {
		c.MonthlyMax = maxCount * perTask
		c.Basis = fmt.Sprintf("%s; autoscaling %g-%g tasks", basis, count, maxCount)
	}
	switch {
	case awaiting:
		c.Basis += " (once its image is set: no task runs until then)"
	case count == 0:
		c.Basis += " (no task)"
	}
	return c, true
}
