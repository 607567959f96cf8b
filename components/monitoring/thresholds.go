package monitoring

import "github.com/ohmycoins/infra/internal/settings"

// Thresholds are the thresholds of the runbook alarms, the config key
// ohmycoins:alarms of a stack: each key is the alarm's name without the
// prefix, in camelCase, its unit appended where it has one (GiB); the presets
// give the values (relaxed in staging,
// strict in production), Validate holds the rules.
type Thresholds struct {
	// EcsHighCPU: the api service's and each worker's average CPU %.
	EcsHighCPU float64 `json:"ecsHighCpu"`
	// EcsHighMemory: the api service's and each worker's average memory %.
	EcsHighMemory float64 `json:"ecsHighMemory"`
	// EcsErrorLines: error lines the api service logged in 5 minutes (its
	// log's metric filter counts them).
	EcsErrorLines float64 `json:"ecsErrorLines"`
	// AlbHigh5xxErrors: target 5xx responses per 5 minutes.
	AlbHigh5xxErrors float64 `json:"albHigh5xxErrors"`
	// AlbUnhealthyTargets: unhealthy targets of the api service.
	AlbUnhealthyTargets float64 `json:"albUnhealthyTargets"`
	// RdsHighCPU: database average CPU %.
	RdsHighCPU float64 `json:"rdsHighCpu"`
	// RdsLowStorageGiB: free storage below which the alarm fires.
	RdsLowStorageGiB float64 `json:"rdsLowStorageGiB"`
	// RedisLowCacheHitRate: cache hit rate % below which the alarm fires.
	RedisLowCacheHitRate float64 `json:"redisLowCacheHitRate"`
	// RedisHighCPU: Redis engine CPU %.
	RedisHighCPU float64 `json:"redisHighCpu"`
	// WafBlockedRequests: requests the web ACL blocked (or, counting,
	// would have blocked) in 5 minutes, above which a spike is reported.
	WafBlockedRequests float64 `json:"wafBlockedRequests"`
}

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
	if t.EcsErrorLines < 1 {
		p.Add("ecsErrorLines", t.EcsErrorLines, "must be at least 1 line in 5 minutes")
	}
	if t.WafBlockedRequests < 1 {
		p.Add("wafBlockedRequests", t.WafBlockedRequests, "must be at least 1 request in 5 minutes")
	}
	if t.AlbUnhealthyTargets < 0 {
		p.Add("albUnhealthyTargets", t.AlbUnhealthyTargets, "must not be negative")
	}
	if t.RdsLowStorageGiB <= 0 {
		p.Add("rdsLowStorageGiB", t.RdsLowStorageGiB, "must be greater than 0")
	}
}
