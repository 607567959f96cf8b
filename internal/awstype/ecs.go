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
// vCPU and memory per task-hour, at the ARM64 rates for a Graviton task,
// with ephemeral storage beyond the free 20 GB, and with the share of its
// tasks a capacity provider strategy puts on Fargate Spot at Spot's rates.
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
	arch, what := "fargate.", ""
	if platform, _ := task.Inputs["runtimePlatform"].(map[string]any); platform != nil && str(platform["cpuArchitecture"]) == "ARM64" {
		arch, what = "fargate.arm.", " ARM64"
	}
	perTask := h * (vcpu*p.Price(arch+"vcpu-hour") + gb*p.Price(arch+"gb-hour"))
	taskBasis := fmt.Sprintf("(%g vCPU × $%g + %g GB × $%g", vcpu, p.Price(arch+"vcpu-hour"), gb, p.Price(arch+"gb-hour"))
	if storage, _ := task.Inputs["ephemeralStorage"].(map[string]any); storage != nil {
		if extra := num(storage["sizeInGib"]) - 20; extra > 0 {
			perTask += h * extra * p.Price("fargate.ephemeral-gb-hour")
			taskBasis += fmt.Sprintf(" + %g GB of ephemeral storage beyond the free 20 × $%g", extra, p.Price("fargate.ephemeral-gb-hour"))
		}
	}
	taskBasis += ")"
	spot := spotShare(r)
	if spot > 0 {
		spotTask := h * (vcpu*p.Price("fargate.spot.vcpu-hour") + gb*p.Price("fargate.spot.gb-hour"))
		perTask = (1-spot)*perTask + spot*spotTask
		taskBasis += fmt.Sprintf(", %g %% of the tasks on Fargate Spot (vCPU $%g, GB $%g)", 100*spot, p.Price("fargate.spot.vcpu-hour"), p.Price("fargate.spot.gb-hour"))
	}
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
	basis := fmt.Sprintf("%g%s task(s) × %s × %g h", count, what, taskBasis, h)
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

// spotShare is the share of a service's tasks its capacity provider strategy
// puts on FARGATE_SPOT, by weight (a strategy's base is left out: it is a
// minimum, not a share). 0 for a launch type.
func spotShare(r stackplan.Resource) float64 {
	var spot, all float64
	for _, s := range list(r.Inputs["capacityProviderStrategies"]) {
		m, _ := s.(map[string]any)
		w := num(m["weight"])
		all += w
		if str(m["capacityProvider"]) == "FARGATE_SPOT" {
			spot += w
		}
	}
	if all == 0 {
		return 0
	}
	return spot / all
}
