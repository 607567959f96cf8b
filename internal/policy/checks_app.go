package policy

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"

	"github.com/ohmycoins/infra/internal/policydoc"
	"github.com/ohmycoins/infra/internal/stackplan"
)

func ecsNoPublicIP(p Plan) []Violation {
	return p.each(tService, func(r stackplan.Resource) []string {
		return unless(!isTrue(in(r, "networkConfiguration", "assignPublicIp")), "assignPublicIp is true")
	})
}

// secretLooking are environment variable names that hold secrets.
var secretLooking = regexp.MustCompile(`PASSWORD|SECRET|TOKEN|API_KEY|_DSN$|PRIVATE_KEY`)

// containerDefinitions reads a task definition's containers.
func containerDefinitions(r stackplan.Resource) []struct {
	Name        string
	Environment []struct{ Name, Value string }
} {
	var defs []struct {
		Name        string
		Environment []struct{ Name, Value string }
	}
	_ = json.Unmarshal([]byte(str(in(r, "containerDefinitions"))), &defs)
	return defs
}

func ecsNoSecretsInEnvironment(p Plan) []Violation {
	return p.each(tTaskDef, func(r stackplan.Resource) []string {
		var out []string
		for _, c := range containerDefinitions(r) {
			for _, e := range c.Environment {
				if secretLooking.MatchString(e.Name) {
					out = append(out, "container "+c.Name+" gets "+e.Name+" as plain environment; inject it from Secrets Manager")
				}
			}
		}
		return out
	})
}

func ecsContainerInsights(p Plan) []Violation {
	return p.each(tCluster, func(r stackplan.Resource) []string {
		for _, s := range list(in(r, "settings")) {
			if m, ok := s.(map[string]any); ok && m["name"] == "containerInsights" && m["value"] == "enabled" {
				return nil
			}
		}
		return []string{"Container Insights is off"}
	})
}

func ecsCircuitBreaker(p Plan) []Violation {
	return p.each(tService, func(r stackplan.Resource) []string {
		return unless(isTrue(in(r, "deploymentCircuitBreaker", "enable")) && isTrue(in(r, "deploymentCircuitBreaker", "rollback")),
			"no deployment circuit breaker with rollback")
	})
}

func ecsRuntimePlatform(p Plan) []Violation {
	return p.each(tTaskDef, func(r stackplan.Resource) []string {
		return unless(in(r, "runtimePlatform", "operatingSystemFamily") == "LINUX" && in(r, "runtimePlatform", "cpuArchitecture") == "X86_64",
			"runtimePlatform is not LINUX/X86_64")
	})
}

func ecrScanOnPush(p Plan) []Violation {
	return p.each(tRepo, func(r stackplan.Resource) []string {
		return unless(isTrue(in(r, "imageScanningConfiguration", "scanOnPush")), "scanOnPush is false")
	})
}

func ecrImmutableTags(p Plan) []Violation {
	return p.each(tRepo, func(r stackplan.Resource) []string {
		return unless(in(r, "imageTagMutability") == "IMMUTABLE", "tags are mutable")
	})
}

func ecrLifecycle(p Plan) []Violation {
	managed := map[any]bool{}
	for _, l := range p.OfType(tRepoLifecycle) {
		managed[in(l, "repository")] = true
	}
	return p.each(tRepo, func(r stackplan.Resource) []string {
		return unless(managed[in(r, "name")], "no lifecycle policy")
	})
}

func snsEncrypted(p Plan) []Violation {
	return p.each(tTopic, func(r stackplan.Resource) []string {
		return unless(strings.HasPrefix(str(in(r, "kmsMasterKeyId")), "arn:aws:kms:"), "not encrypted with a customer key")
	})
}

func alarmsHaveActions(p Plan) []Violation {
	return p.each(tAlarm, func(r stackplan.Resource) []string {
		return unless(len(list(in(r, "alarmActions"))) > 0, "no alarm action")
	})
}

func alarmActionsEnabled(p Plan) []Violation {
	return p.each(tAlarm, func(r stackplan.Resource) []string {
		v, set := r.Inputs["actionsEnabled"]
		return unless(!set || isTrue(v), "actionsEnabled is false")
	})
}

func logRetentionSet(p Plan) []Violation {
	return p.each(tLogGroup, func(r stackplan.Resource) []string {
		return unless(num(in(r, "retentionInDays")) > 0, "logs are kept forever")
	})
}

func logGroupsEncrypted(p Plan) []Violation {
	return p.each(tLogGroup, func(r stackplan.Resource) []string {
		return unless(strings.HasPrefix(str(in(r, "kmsKeyId")), "arn:aws:kms:"), "not encrypted with a customer key")
	})
}

func keyPolicyScoped(p Plan) []Violation {
	return p.each(tKey, func(r stackplan.Resource) []string {
		doc, err := policydoc.Parse(str(in(r, "policy")))
		if err != nil {
			return []string{"the key policy does not parse: " + err.Error()}
		}
		var out []string
		for _, s := range doc.Statement {
			if s.Principal == nil {
				continue
			}
			if slices.Contains(s.Principal.AWS, "*") {
				out = append(out, s.Sid+": any AWS principal")
			}
			for _, svc := range s.Principal.Service {
				switch {
				case svc == "cloudwatch.amazonaws.com":
					for _, a := range s.Action {
						if a != "kms:Decrypt" && a != "kms:GenerateDataKey*" {
							out = append(out, s.Sid+": CloudWatch may "+a)
						}
					}
				case strings.HasPrefix(svc, "logs."):
					if len(s.Condition["ArnLike"]["kms:EncryptionContext:aws:logs:arn"]) == 0 {
						out = append(out, s.Sid+": CloudWatch Logs may use the key for any log group")
					}
				}
			}
		}
		return out
	})
}

// bucketChildren maps a bucket name to what configures it, by type.
func bucketChildren(p Plan, typ string) map[string]stackplan.Resource {
	out := map[string]stackplan.Resource{}
	for _, r := range p.OfType(typ) {
		out[str(in(r, "bucket"))] = r
	}
	return out
}

func s3TLSOnly(p Plan) []Violation {
	policies := bucketChildren(p, tBucketPolicy)
	return p.each(tBucket, func(r stackplan.Resource) []string {
		policy, ok := policies[r.ID]
		if !ok {
			return []string{"no bucket policy"}
		}
		doc, err := policydoc.Parse(str(in(policy, "policy")))
		if err == nil {
			for _, s := range doc.Statement {
				if s.Effect == "Deny" && slices.Equal(s.Condition["Bool"]["aws:SecureTransport"], []string{"false"}) {
					return nil
				}
			}
		}
		return []string{"the bucket policy does not refuse requests without TLS"}
	})
}

func s3PublicAccessBlocked(p Plan) []Violation {
	blocks := bucketChildren(p, tBucketBlock)
	return p.each(tBucket, func(r stackplan.Resource) []string {
		b, ok := blocks[r.ID]
		return unless(ok && isTrue(in(b, "blockPublicAcls")) && isTrue(in(b, "blockPublicPolicy")) &&
			isTrue(in(b, "ignorePublicAcls")) && isTrue(in(b, "restrictPublicBuckets")), "public access is not blocked")
	})
}

func s3Encrypted(p Plan) []Violation {
	sse := bucketChildren(p, tBucketSSE)
	return p.each(tBucket, func(r stackplan.Resource) []string {
		_, ok := sse[r.ID]
		return unless(ok, "no default encryption")
	})
}

// stableContainerDefinitions: a container definition that ECS would store
// differently from how the program sends it shows as a change on every
// update, and registers a new revision that rolls the service each time. The
// provider compares definitions after sorting variables and dropping empty
// lists, but it keeps what ECS drops: empty values (terraform-provider-aws
// #39533) and one of two variables with the same name.
func stableContainerDefinitions(p Plan) []Violation {
	return p.each(tTaskDef, func(r stackplan.Resource) []string {
		var defs []struct {
			Name         string
			Environment  []struct{ Name, Value string }
			Secrets      []struct{ Name, ValueFrom string }
			PortMappings []struct{ Protocol string }
		}
		if err := json.Unmarshal([]byte(str(in(r, "containerDefinitions"))), &defs); err != nil {
			return []string{"containerDefinitions is not JSON: " + err.Error()}
		}
		var out []string
		for _, c := range defs {
			seen := map[string]bool{}
			for _, e := range c.Environment {
				if e.Value == "" {
					out = append(out, "container "+c.Name+": "+e.Name+" is empty; ECS drops it, so every update shows a change (leave it out)")
				}
				if seen[e.Name] {
					out = append(out, "container "+c.Name+": "+e.Name+" is set twice")
				}
				seen[e.Name] = true
			}
			for _, s := range c.Secrets {
				if s.ValueFrom == "" {
					out = append(out, "container "+c.Name+": secret "+s.Name+" has no valueFrom")
				}
				if seen[s.Name] {
					out = append(out, "container "+c.Name+": "+s.Name+" is set twice")
				}
				seen[s.Name] = true
			}
			for _, m := range c.PortMappings {
				if m.Protocol != "" && m.Protocol != "tcp" && m.Protocol != "udp" {
					out = append(out, "container "+c.Name+": port protocol "+m.Protocol+" is not lower-case; ECS stores tcp or udp")
				}
			}
		}
		return out
	})
}

// stableAutoscaledCount: a service whose task count autoscaling owns must
// ignore desiredCount, or every update resets the count (defect E5) and shows
// a change.
func stableAutoscaledCount(p Plan) []Violation {
	scaled := map[string]bool{}
	for _, t := range p.OfType(tScalableTarget) {
		scaled[str(in(t, "resourceId"))] = true
	}
	return p.each(tService, func(r stackplan.Resource) []string {
		cluster := str(in(r, "cluster"))
		id := "service/" + cluster[strings.LastIndex(cluster, "/")+1:] + "/" + str(in(r, "name"))
		return unless(!scaled[id] || slices.Contains(r.IgnoreChanges, "desiredCount"),
			"autoscaling owns its task count, but desiredCount is not ignored")
	})
}
