package ecs

import (
	"fmt"
	"slices"

	"github.com/ohmycoins/infra/internal/settings"
)

// ClusterSettings are the cluster's settings, the config key ohmycoins:ecs
// of a stack: json tags name the keys, the presets give the values.
type ClusterSettings struct {
	// ExecEnabled turns on ECS Exec (with the ssmmessages permissions, defect C6); staging only.
	ExecEnabled bool `json:"execEnabled"`
	// ContainerInsights publishes ECS/ContainerInsights metrics; production only.
	ContainerInsights bool `json:"containerInsights"`
}

// fargateMemoryRange gives, per task CPU value, the memory sizes Fargate offers
// (Linux, platform 1.4.0; AWS ECS developer guide, "Task CPU and memory"):
// from min to max MiB in steps of step.
var fargateMemoryRange = map[int]struct{ min, max, step int }{
	256:   {512, 2048, 512}, // except 1536, which 256 CPU units do not offer
	512:   {1024, 4096, 1024},
	1024:  {2048, 8192, 1024},
	2048:  {4096, 16384, 1024},
	4096:  {8192, 30720, 1024},
	8192:  {16384, 61440, 4096},
	16384: {32768, 122880, 8192},
}

// FargateCPUValues is the sorted list of task CPU values Fargate offers.
var FargateCPUValues = []int{256, 512, 1024, 2048, 4096, 8192, 16384}

// FargateSizeOK reports whether Fargate offers a task of cpu units with memory MiB.
func FargateSizeOK(cpu, memory int) bool {
	r, ok := fargateMemoryRange[cpu]
	if !ok || memory < r.min || memory > r.max || (cpu == 256 && memory == 1536) {
		return false
	}
	return (memory-r.min)%r.step == 0
}

// FargateMemoryRule describes the memory Fargate offers with a CPU value.
func FargateMemoryRule(cpu int) string {
	if cpu == 256 {
		return "512, 1024 or 2048"
	}
	r := fargateMemoryRange[cpu]
	return fmt.Sprintf("%d-%d in steps of %d", r.min, r.max, r.step)
}

// MaxTasksPerService is ECS's default quota of tasks per service.
const MaxTasksPerService = 5000

// ValidateTask records every rule a service's task size, count and
// autoscaling break (keys cpu, memory, desiredCount, autoscaling.*): the
// stack reports them for ohmycoins:backend and :frontend, New refuses them.
func ValidateTask(p settings.Problems, cpu, memory, desired int, a Autoscaling) {
	if !slices.Contains(FargateCPUValues, cpu) {
		p.Add("cpu", cpu, "must be a Fargate task CPU value: "+settings.JoinInts(FargateCPUValues))
	} else if !FargateSizeOK(cpu, memory) {
		p.Add("memory", memory, fmt.Sprintf("is not a Fargate task size with cpu %d (memory must be %s MiB)", cpu, FargateMemoryRule(cpu)))
	}
	if desired < 0 {
		p.Add("desiredCount", desired, "must not be negative")
	} else if desired > MaxTasksPerService {
		p.Add("desiredCount", desired, fmt.Sprintf("must be at most %d, ECS's quota of tasks per service", MaxTasksPerService))
	}
	if a.MinCount < 0 {
		p.Add("autoscaling.minCount", a.MinCount, "must not be negative")
	}
	if a.MaxCount < 0 {
		p.Add("autoscaling.maxCount", a.MaxCount, "must not be negative")
	}
	if !a.Enabled {
		return
	}
	if a.MaxCount < 1 {
		p.Add("autoscaling.maxCount", a.MaxCount, "must be at least 1")
	}
	if a.MinCount > a.MaxCount {
		p.Add("autoscaling.minCount", a.MinCount, fmt.Sprintf("must not exceed autoscaling.maxCount = %d", a.MaxCount))
	} else if desired >= 0 && (desired < a.MinCount || desired > a.MaxCount) {
		p.Add("desiredCount", desired, fmt.Sprintf("must lie within autoscaling minCount-maxCount = %d-%d", a.MinCount, a.MaxCount))
	}
	if a.CPUTargetPercent < 1 || a.CPUTargetPercent > 100 {
		p.Add("autoscaling.cpuTargetPercent", a.CPUTargetPercent, "must be 1-100")
	}
	if a.MemoryTargetPercent < 0 || a.MemoryTargetPercent > 100 {
		p.Add("autoscaling.memoryTargetPercent", a.MemoryTargetPercent, "must be 1-100, or 0 for no memory policy")
	}
}
