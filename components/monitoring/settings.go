package monitoring

import "github.com/ohmycoins/infra/internal/settings"

// Validate records every rule the thresholds break; the stacks add the one
// that spans tiers (the low-storage threshold below the database's storage).
func (t Thresholds) Validate(p settings.Problems) {
	for _, pct := range []struct {
		key   string
		value float64
	}{
		{"ecsHighCpu", t.EcsHighCPU}, {"ecsHighMemory", t.EcsHighMemory}, {"rdsHighCpu", t.RdsHighCPU},
		{"redisLowCacheHitRate", t.RedisLowCacheHitRate}, {"redisHighCpu", t.RedisHighCPU},
	} {
		if pct.value < 0 || pct.value > 100 {
			p.Add(pct.key, pct.value, "must be a percentage, 0-100")
		}
	}
	if t.AlbHigh5xxErrors < 0 {
		p.Add("albHigh5xxErrors", t.AlbHigh5xxErrors, "must not be negative")
	}
	if t.AlbUnhealthyTargets < 0 {
		p.Add("albUnhealthyTargets", t.AlbUnhealthyTargets, "must not be negative")
	}
	if t.RdsLowStorageGiB <= 0 {
		p.Add("rdsLowStorageGiB", t.RdsLowStorageGiB, "must be greater than 0")
	}
}
