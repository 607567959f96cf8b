package policy

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/ohmycoins/infra/components/ecs"
	"github.com/ohmycoins/infra/internal/stackplan"
	"github.com/ohmycoins/infra/stacks"
)

func limitLBNames(p Plan) []Violation {
	var out []Violation
	for _, typ := range []string{tLB, tTG} {
		out = append(out, p.each(typ, func(r stackplan.Resource) []string {
			name := str(in(r, "name"))
			return unless(len(name) <= 32, "name %q has %d characters; AWS allows 32", name, len(name))
		})...)
	}
	return out
}

func limitFargateSizes(p Plan) []Violation {
	return p.each(tTaskDef, func(r stackplan.Resource) []string {
		cpu, _ := strconv.Atoi(str(in(r, "cpu")))
		memory, _ := strconv.Atoi(str(in(r, "memory")))
		return unless(ecs.FargateSizeOK(cpu, memory), "Fargate offers no task of cpu %d with memory %d", cpu, memory)
	})
}

func limitLogRetention(p Plan) []Violation {
	return p.each(tLogGroup, func(r stackplan.Resource) []string {
		days := int(num(in(r, "retentionInDays")))
		return unless(days == 0 || stacks.ValidLogRetention(days), "retention %d days is not a value CloudWatch Logs accepts", days)
	})
}

var (
	rdsIdentifier = regexp.MustCompile(`^[a-z][a-z0-9-]{0,62}$`)
	cacheID       = regexp.MustCompile(`^[a-z][a-z0-9-]{0,39}$`)
)

func limitRDSIdentifier(p Plan) []Violation {
	return p.each(tDB, func(r stackplan.Resource) []string {
		id := str(in(r, "identifier"))
		return unless(rdsIdentifier.MatchString(id) && !strings.Contains(id, "--") && !strings.HasSuffix(id, "-"),
			"identifier %q: 1-63 lower-case letters, digits and single hyphens, starting with a letter", id)
	})
}

func limitRedisID(p Plan) []Violation {
	return p.each(tCache, func(r stackplan.Resource) []string {
		id := str(in(r, "replicationGroupId"))
		return unless(cacheID.MatchString(id) && !strings.Contains(id, "--") && !strings.HasSuffix(id, "-"),
			"replication group id %q: 1-40 lower-case letters, digits and single hyphens, starting with a letter", id)
	})
}

func limitRecoveryWindow(p Plan) []Violation {
	return p.each(tSecret, func(r stackplan.Resource) []string {
		w := num(in(r, "recoveryWindowInDays"))
		return unless(w == 0 || (w >= 7 && w <= 30), "recovery window %v days: Secrets Manager accepts 0 or 7-30", w)
	})
}

// PublishedDimensions are the dimension sets CloudWatch publishes each
// namespace's metrics under (the ones this program's alarms may use).
var PublishedDimensions = map[string][]string{
	"AWS/ECS":               {"ClusterName,ServiceName", "ClusterName"},
	"ECS/ContainerInsights": {"ClusterName,ServiceName", "ClusterName"},
	"AWS/ApplicationELB":    {"LoadBalancer", "LoadBalancer,TargetGroup", "TargetGroup"},
	"AWS/RDS":               {"DBInstanceIdentifier"},
	"AWS/ElastiCache":       {"CacheClusterId", "CacheClusterId,CacheNodeId"},
	// A regional web ACL's metrics, of a rule or of them all (Rule=ALL).
	"AWS/WAFV2": {"Region,Rule,WebACL"},
}

// CustomNamespacePrefix starts the namespaces of the stacks' own metrics
// (their log metric filters'), which carry no dimension.
const CustomNamespacePrefix = "OhMyCoins/"

// Published are the dimension sets a namespace's metrics are published
// under: AWS's, or none for a metric filter's own metric.
func Published(namespace string) []string {
	if strings.HasPrefix(namespace, CustomNamespacePrefix) {
		return []string{""}
	}
	return PublishedDimensions[namespace]
}

func dimensionSet(v any) string {
	m, _ := v.(map[string]any)
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	return strings.Join(names, ",")
}

func limitAlarmDimensions(p Plan) []Violation {
	check := func(namespace string, dims any) string {
		set := dimensionSet(dims)
		for _, allowed := range Published(namespace) {
			if allowed == set {
				return ""
			}
		}
		return fmt.Sprintf("%s publishes no metric under dimensions [%s]", namespace, set)
	}
	return p.each(tAlarm, func(r stackplan.Resource) []string {
		var out []string
		if queries := list(in(r, "metricQueries")); len(queries) > 0 {
			for _, q := range queries {
				if m, ok := q.(map[string]any)["metric"].(map[string]any); ok {
					if msg := check(str(m["namespace"]), m["dimensions"]); msg != "" {
						out = append(out, msg)
					}
				}
			}
			return out
		}
		if msg := check(str(in(r, "namespace")), in(r, "dimensions")); msg != "" {
			out = append(out, msg)
		}
		return out
	})
}

// IAM's size limits: a role's inline policies together, a managed policy,
// a trust policy.
const (
	maxInlinePolicy  = 10240
	maxManagedPolicy = 6144
	maxTrustPolicy   = 2048
)

func limitPolicySize(p Plan) []Violation {
	inline := map[string]int{}
	for _, r := range p.OfType(tRolePolicy) {
		inline[str(in(r, "role"))] += len(str(in(r, "policy")))
	}
	out := p.each(tRolePolicy, func(r stackplan.Resource) []string {
		n := inline[str(in(r, "role"))]
		return unless(n <= maxInlinePolicy, "the inline policies of role %s hold %d characters together; IAM allows %d", str(in(r, "role")), n, maxInlinePolicy)
	})
	out = append(out, p.each(tPolicy, func(r stackplan.Resource) []string {
		n := len(str(in(r, "policy")))
		return unless(n <= maxManagedPolicy, "%d characters; a managed policy holds %d", n, maxManagedPolicy)
	})...)
	return append(out, p.each(tRole, func(r stackplan.Resource) []string {
		n := len(str(in(r, "assumeRolePolicy")))
		return unless(n <= maxTrustPolicy, "trust policy of %d characters; IAM allows %d", n, maxTrustPolicy)
	})...)
}

func limitScalingBounds(p Plan) []Violation {
	return p.each(tScalableTarget, func(r stackplan.Resource) []string {
		return unless(num(in(r, "minCapacity")) <= num(in(r, "maxCapacity")), "minCapacity %v exceeds maxCapacity %v",
			in(r, "minCapacity"), in(r, "maxCapacity"))
	})
}
