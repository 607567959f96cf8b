package stacks

import (
	"fmt"

	"github.com/ohmycoins/infra/internal/settings"
)

// The value sets AWS accepts for settings whose rules are not a simple range.
// Each is checked before anything is created, so a preview fails where an apply
// would have failed twenty minutes in.

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

// fargateCPUValues is the sorted list of task CPU values Fargate offers.
var fargateCPUValues = []int{256, 512, 1024, 2048, 4096, 8192, 16384}

// FargateSizeOK reports whether Fargate offers a task of cpu units with memory MiB.
func FargateSizeOK(cpu, memory int) bool {
	r, ok := fargateMemoryRange[cpu]
	if !ok || memory < r.min || memory > r.max || (cpu == 256 && memory == 1536) {
		return false
	}
	return (memory-r.min)%r.step == 0
}

// fargateMemoryRule describes the memory Fargate offers with a CPU value.
func fargateMemoryRule(cpu int) string {
	if cpu == 256 {
		return "512, 1024 or 2048"
	}
	r := fargateMemoryRange[cpu]
	return fmt.Sprintf("%d-%d in steps of %d", r.min, r.max, r.step)
}

// ValidLogRetention reports whether CloudWatch Logs accepts a retention in days.
func ValidLogRetention(days int) bool { return settings.ValidLogRetention(days) }

// AWSRegions are the commercial regions, as of 2026-11: a region outside them
// is a typo, and the provider would only fail at the first API call.
var AWSRegions = []string{
	"af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1", "ap-south-2",
	"ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5", "ap-southeast-6", "ap-southeast-7",
	"ca-central-1", "ca-west-1", "eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1", "eu-south-2", "eu-west-1",
	"eu-west-2", "eu-west-3", "il-central-1", "me-central-1", "me-south-1", "mx-central-1", "sa-east-1", "us-east-1",
	"us-east-2", "us-west-1", "us-west-2",
}

// MaxTasksPerService is ECS's default quota of tasks per service.
const MaxTasksPerService = 5000

// Redis AUTH token rules (ElastiCache CreateReplicationGroup AuthToken).
const (
	redisAuthTokenMin       = 16
	redisAuthTokenMax       = 128
	redisAuthTokenForbidden = `@"/`
	redisAuthTokenSpecials  = "!&#$^<>-"
	minSecretKeyLength      = 32
	maxNamePrefixLength     = 18 // target group names "<prefix>-frontend-<4 hex>" must fit in 32 characters
)
