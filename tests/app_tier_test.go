package tests

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ohmycoins/infra/components/alb"
	"github.com/ohmycoins/infra/components/ecs"
	"github.com/ohmycoins/infra/internal/mockcloud"
	"github.com/ohmycoins/infra/internal/policydoc"
	"github.com/ohmycoins/infra/internal/preview"
	"github.com/ohmycoins/infra/internal/preview/previewtest"
	"github.com/ohmycoins/infra/internal/stackplan"
)

const (
	typeLoadBalancer  = "aws:lb/loadBalancer:LoadBalancer"
	typeTargetGroup   = "aws:lb/targetGroup:TargetGroup"
	typeListener      = "aws:lb/listener:Listener"
	typeListenerRule  = "aws:lb/listenerRule:ListenerRule"
	typeBucket        = "aws:s3/bucketV2:BucketV2"
	typeBucketPolicy  = "aws:s3/bucketPolicy:BucketPolicy"
	typeCluster       = "aws:ecs/cluster:Cluster"
	typeTaskDef       = "aws:ecs/taskDefinition:TaskDefinition"
	typeService       = "aws:ecs/service:Service"
	typeScalingTarget = "aws:appautoscaling/target:Target"
	typeScalingPolicy = "aws:appautoscaling/policy:Policy"
	typeRepository    = "aws:ecr/repository:Repository"
	typeRepoLifecycle = "aws:ecr/lifecyclePolicy:LifecyclePolicy"
	typeDockerImage   = "docker:index/image:Image"
)

const testCertificate = "arn:aws:acm:ap-southeast-2:123456789012:certificate/8ac367f3-94cf-4aac-8fa9-10e037951521"

func TestLoadBalancerSettings(t *testing.T) {
	for _, c := range []struct {
		stack, prefix string
		azs           int
		production    bool
	}{{"staging", "ohmycoins-staging", 2, false}, {"production", "ohmycoins-prod", 3, true}} {
		t.Run(c.stack, func(t *testing.T) {
			t.Parallel()
			plan := previewtest.Stack(t, c.stack).Plan
			alb := previewtest.Named(t, plan, typeLoadBalancer, c.prefix+"-alb")
			in := alb.Inputs
			require.Equal(t, c.prefix+"-alb", in["name"])
			require.Equal(t, false, in["internal"])
			require.Equal(t, "application", in["loadBalancerType"])
			require.Equal(t, subnetIDs(t, plan, c.prefix, "public", c.azs), in["subnets"])
			require.Equal(t, []any{previewtest.Named(t, plan, typeSG, c.prefix+"-alb-sg").ID}, in["securityGroups"])
			require.Equal(t, true, in["enableHttp2"])
			require.Equal(t, true, in["dropInvalidHeaderFields"])
			require.Equal(t, 60.0, in["idleTimeout"])
			require.Equal(t, c.production, in["enableDeletionProtection"])
			if !c.production {
				require.NotContains(t, in, "accessLogs")
				require.Empty(t, plan.OfType(typeBucket))
				return
			}
			require.Equal(t, map[string]any{"bucket": "ohmycoins-prod-alb-logs", "enabled": true}, in["accessLogs"])
			policy := previewtest.Named(t, plan, typeBucketPolicy, "ohmycoins-prod-alb-logs-policy")
			require.Contains(t, alb.Dependencies, policy.URN, "ELB checks the bucket policy when logs are enabled")
		})
	}
}

func TestAccessLogBucketIsPrivateEncryptedAndExpiring(t *testing.T) {
	t.Parallel()
	plan := previewtest.Stack(t, "production").Plan
	bucket := previewtest.Named(t, plan, typeBucket, "ohmycoins-prod-alb-logs")
	require.Equal(t, "ohmycoins-prod-alb-logs", bucket.Inputs["bucket"])
	block := previewtest.Named(t, plan, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "ohmycoins-prod-alb-logs-public-access-block")
	for _, k := range []string{"blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"} {
		require.Equal(t, true, block.Inputs[k], k)
	}
	encryption := previewtest.Named(t, plan, "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2", "ohmycoins-prod-alb-logs-encryption")
	require.Equal(t, "AES256", encryption.Inputs["rules"].([]any)[0].(map[string]any)["applyServerSideEncryptionByDefault"].(map[string]any)["sseAlgorithm"],
		"ALB access logs support only SSE-S3")
	lifecycle := previewtest.Named(t, plan, "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2", "ohmycoins-prod-alb-logs-lifecycle")
	rule := lifecycle.Inputs["rules"].([]any)[0].(map[string]any)
	require.Equal(t, "Enabled", rule["status"])
	require.Equal(t, 90.0, rule["expiration"].(map[string]any)["days"])
	ownership := previewtest.Named(t, plan, "aws:s3/bucketOwnershipControls:BucketOwnershipControls", "ohmycoins-prod-alb-logs-ownership")
	require.Equal(t, "BucketOwnerEnforced", ownership.Inputs["rule"].(map[string]any)["objectOwnership"])

	policy, err := policydoc.Parse(previewtest.Named(t, plan, typeBucketPolicy, "ohmycoins-prod-alb-logs-policy").Inputs["policy"].(string))
	require.NoError(t, err)
	require.Len(t, policy.Statement, 2)
	deliver, deny := policy.Statement[0], policy.Statement[1]
	require.Equal(t, []string{"arn:aws:iam::783225319266:root"}, deliver.Principal.AWS, "the ap-southeast-2 ELB log-delivery account")
	require.Equal(t, []string{"s3:PutObject"}, deliver.Action)
	require.Equal(t, []string{"arn:aws:s3:::ohmycoins-prod-alb-logs/AWSLogs/" + mockcloud.MockAccountID + "/*"}, deliver.Resource)
	require.Equal(t, "Deny", deny.Effect)
	require.Equal(t, []string{"false"}, deny.Condition["Bool"]["aws:SecureTransport"])
}

func TestTargetGroupsHaveTheSpecHealthChecks(t *testing.T) {
	t.Parallel()
	plan := previewtest.Stack(t, "staging").Plan
	vpc := previewtest.Named(t, plan, typeVpc, "ohmycoins-staging-vpc")
	for _, c := range []struct {
		service string
		port    float64
		path    string
	}{
		{"backend", 8000, "/api/v1/utils/health-check/"},
		{"frontend", 80, "/"},
	} {
		tg := previewtest.Named(t, plan, typeTargetGroup, "ohmycoins-staging-"+c.service+"-tg")
		name := tg.Inputs["name"].(string)
		// A target group in use cannot be deleted first, so its name changes
		// with what forces its replacement, and the new one is created beside it.
		require.Equal(t, alb.TargetGroupName("ohmycoins-staging", c.service, int(c.port), "10.0.0.0/16"), name)
		require.Regexp(t, `^ohmycoins-staging-`+c.service+`-[0-9a-f]{4}$`, name)
		require.NotEqual(t, name, alb.TargetGroupName("ohmycoins-staging", c.service, int(c.port)+1, "10.0.0.0/16"), "a new port, a new name")
		require.NotEqual(t, name, alb.TargetGroupName("ohmycoins-staging", c.service, int(c.port), "10.9.0.0/16"), "a new VPC, a new name")
		require.Equal(t, c.port, tg.Inputs["port"])
		require.Equal(t, "HTTP", tg.Inputs["protocol"])
		require.Equal(t, "ip", tg.Inputs["targetType"])
		require.Equal(t, vpc.ID, tg.Inputs["vpcId"])
		require.Equal(t, 30.0, tg.Inputs["deregistrationDelay"])
		require.Equal(t, map[string]any{
			"enabled": true, "path": c.path, "protocol": "HTTP", "matcher": "200",
			"interval": 30.0, "timeout": 5.0, "healthyThreshold": 2.0, "unhealthyThreshold": 3.0,
		}, tg.Inputs["healthCheck"])
		require.LessOrEqual(t, len(name), 32, "target group names are limited to 32 characters")
	}
}

// backendRoutes returns the rules on a listener as "condition -> target group name".
func backendRoutes(t *testing.T, plan *stackplan.Plan, listener stackplan.Resource) []string {
	names := map[any]string{}
	for _, tg := range plan.OfType(typeTargetGroup) {
		names[tg.Outputs["arn"]] = tg.Name
	}
	var routes []string
	for _, r := range plan.OfType(typeListenerRule) {
		if r.Inputs["listenerArn"] != listener.Outputs["arn"] {
			continue
		}
		condition := r.Inputs["conditions"].([]any)[0].(map[string]any)
		action := r.Inputs["actions"].([]any)[0].(map[string]any)
		require.Equal(t, "forward", action["type"])
		for kind, v := range condition {
			var values []string
			for _, x := range v.(map[string]any)["values"].([]any) {
				values = append(values, x.(string))
			}
			routes = append(routes, kind+" "+strings.Join(values, ",")+" -> "+names[action["targetGroupArn"]])
		}
	}
	slices.Sort(routes)
	return routes
}

func TestHTTPModeServesOnPort80WithHostAndPathRouting(t *testing.T) {
	t.Parallel()
	result := previewtest.Stack(t, "staging", previewtest.Unset("ohmycoins:dns"))
	plan := result.Plan
	require.Contains(t, result.Warnings, "ohmycoins:certificateArn and ohmycoins:dns.zoneName are not set: the load balancer serves plain HTTP")
	require.Equal(t, "http://api.staging.ohmycoins.com", plan.Outputs["api_url"])
	require.Empty(t, plan.OfType("aws:acm/certificate:Certificate"))
	listeners := plan.OfType(typeListener)
	require.Len(t, listeners, 1, "no certificate: one listener, on :80")
	http := listeners[0]
	require.Equal(t, 80.0, http.Inputs["port"])
	require.Equal(t, "HTTP", http.Inputs["protocol"])
	require.Equal(t, previewtest.Named(t, plan, typeLoadBalancer, "ohmycoins-staging-alb").Outputs["arn"], http.Inputs["loadBalancerArn"])
	frontend := previewtest.Named(t, plan, typeTargetGroup, "ohmycoins-staging-frontend-tg")
	require.Equal(t, []any{map[string]any{"type": "forward", "targetGroupArn": frontend.Outputs["arn"]}}, http.Inputs["defaultActions"])
	require.Equal(t, []string{
		"hostHeader api.staging.ohmycoins.com -> ohmycoins-staging-backend-tg",
		"pathPattern /api/*,/docs,/redoc,/openapi.json -> ohmycoins-staging-backend-tg",
	}, backendRoutes(t, plan, http))
}

func TestHTTPSModeRedirectsAndRoutesOn443(t *testing.T) {
	t.Parallel()
	result := previewtest.Stack(t, "production", previewtest.Set("ohmycoins:certificateArn", testCertificate))
	plan := result.Plan
	http := previewtest.Named(t, plan, typeListener, "ohmycoins-prod-http")
	https := previewtest.Named(t, plan, typeListener, "ohmycoins-prod-https")
	require.Equal(t, []any{map[string]any{"type": "redirect", "redirect": map[string]any{
		"protocol": "HTTPS", "port": "443", "statusCode": "HTTP_301",
	}}}, http.Inputs["defaultActions"])
	require.Equal(t, 443.0, https.Inputs["port"])
	require.Equal(t, "HTTPS", https.Inputs["protocol"])
	require.Equal(t, "ELBSecurityPolicy-TLS13-1-2-2021-06", https.Inputs["sslPolicy"])
	require.Equal(t, testCertificate, https.Inputs["certificateArn"])
	require.Equal(t, []string{
		"hostHeader api.ohmycoins.com -> ohmycoins-prod-backend-tg",
		"pathPattern /api/*,/docs,/redoc,/openapi.json -> ohmycoins-prod-backend-tg",
	}, backendRoutes(t, plan, https), "the same routing in both modes (defect E1)")
	require.Empty(t, backendRoutes(t, plan, http), "the redirecting listener has no rules")
	require.Equal(t, "https://api.ohmycoins.com", plan.Outputs["api_url"])
	require.Equal(t, "https://dashboard.ohmycoins.com", plan.Outputs["app_url"])
	require.NotContains(t, strings.Join(result.Warnings, "\n"), "plain HTTP")
}

// containers reads a task definition's container definitions back.
func containers(t *testing.T, task stackplan.Resource) []ecs.ContainerDefinition {
	var defs []ecs.ContainerDefinition
	require.NoError(t, json.Unmarshal([]byte(task.Inputs["containerDefinitions"].(string)), &defs))
	return defs
}

func envOf(c ecs.ContainerDefinition) map[string]string {
	env := map[string]string{}
	for _, kv := range c.Environment {
		env[kv.Name] = kv.Value
	}
	return env
}

func TestTaskDefinitionsRunTheSpecContainers(t *testing.T) {
	for _, c := range []struct {
		stack, prefix, domain string
		backendSize           [2]string
		frontendSize          [2]string
		exec                  bool
	}{
		{"staging", "ohmycoins-staging", "staging.ohmycoins.com", [2]string{"1024", "2048"}, [2]string{"256", "512"}, true},
		{"production", "ohmycoins-prod", "ohmycoins.com", [2]string{"1024", "2048"}, [2]string{"512", "1024"}, false},
	} {
		t.Run(c.stack, func(t *testing.T) {
			t.Parallel()
			plan := previewtest.Stack(t, c.stack).Plan
			execRole := previewtest.Named(t, plan, typeRole, c.prefix+"-ecs-task-execution-role")
			taskRole := previewtest.Named(t, plan, typeRole, c.prefix+"-ecs-task-role")
			db := previewtest.Named(t, plan, typeDBInstance, c.prefix+"-postgres")
			redis := previewtest.Named(t, plan, typeReplicationGroup, c.prefix+"-redis")
			secretARN := previewtest.Named(t, plan, typeSecret, c.prefix+"-app-secrets").Outputs["arn"].(string)
			masterARN := plan.Outputs["db_master_secret_arn"].(string)

			for name, size := range map[string][2]string{"backend": c.backendSize, "frontend": c.frontendSize} {
				task := previewtest.Named(t, plan, typeTaskDef, c.prefix+"-"+name)
				require.Equal(t, c.prefix+"-"+name, task.Inputs["family"])
				require.Equal(t, size[0], task.Inputs["cpu"], name)
				require.Equal(t, size[1], task.Inputs["memory"], name)
				require.Equal(t, "awsvpc", task.Inputs["networkMode"])
				require.Equal(t, []any{"FARGATE"}, task.Inputs["requiresCompatibilities"])
				require.Equal(t, map[string]any{"operatingSystemFamily": "LINUX", "cpuArchitecture": "X86_64"}, task.Inputs["runtimePlatform"], "defect E10")
				require.Equal(t, execRole.Outputs["arn"], task.Inputs["executionRoleArn"])
				require.Equal(t, taskRole.Outputs["arn"], task.Inputs["taskRoleArn"])

				defs := containers(t, task)
				require.Len(t, defs, 1)
				d := defs[0]
				require.Equal(t, name, d.Name)
				require.True(t, d.Essential)
				require.Equal(t, "awslogs", d.LogConfiguration.LogDriver)
				require.Equal(t, map[string]string{
					"awslogs-group": "/ecs/" + c.prefix + "-" + name, "awslogs-region": "ap-southeast-2", "awslogs-stream-prefix": "ecs",
				}, d.LogConfiguration.Options)
				require.Equal(t, c.exec, d.LinuxParameters != nil && d.LinuxParameters.InitProcessEnabled)
			}

			backend := containers(t, previewtest.Named(t, plan, typeTaskDef, c.prefix+"-backend"))[0]
			require.Equal(t, []ecs.PortMapping{{ContainerPort: 8000, Protocol: "tcp"}}, backend.PortMappings)
			env := envOf(backend)
			names := make([]string, 0, len(env))
			for n := range env {
				names = append(names, n)
			}
			require.ElementsMatch(t, []string{
				"ENVIRONMENT", "PROJECT_NAME", "DOMAIN", "FRONTEND_HOST", "BACKEND_CORS_ORIGINS", "POSTGRES_SERVER",
				"POSTGRES_PORT", "POSTGRES_DB", "POSTGRES_USER", "REDIS_HOST", "REDIS_PORT", "REDIS_TLS",
				"EMAILS_FROM_EMAIL", "SMTP_PORT", "SMTP_TLS", "SMTP_SSL", "LLM_PROVIDER", "OPENAI_MODEL",
			}, names, "SMTP_HOST is unset, not empty: ECS drops empty values, which would show as a change on every update")
			for n, v := range env {
				require.NotEmpty(t, v, "%s is empty", n)
			}
			require.Equal(t, c.stack, env["ENVIRONMENT"])
			require.Equal(t, c.domain, env["DOMAIN"])
			require.Equal(t, "https://dashboard."+c.domain, env["FRONTEND_HOST"], "the certificate from the DNS zone makes it HTTPS")
			require.Equal(t, db.Outputs["address"], env["POSTGRES_SERVER"])
			require.Equal(t, "5432", env["POSTGRES_PORT"])
			require.Equal(t, "app", env["POSTGRES_DB"])
			require.Equal(t, "postgres", env["POSTGRES_USER"])
			require.Equal(t, redis.Outputs["primaryEndpointAddress"], env["REDIS_HOST"])
			require.Equal(t, "6379", env["REDIS_PORT"])
			require.Equal(t, "true", env["REDIS_TLS"], "Redis only accepts TLS (defect E8)")
			require.Equal(t, "noreply@"+c.domain, env["EMAILS_FROM_EMAIL"])

			secrets := map[string]string{}
			for _, s := range backend.Secrets {
				secrets[s.Name] = s.ValueFrom
			}
			require.Len(t, secrets, 12)
			for _, key := range []string{"SECRET_KEY", "FIRST_SUPERUSER", "FIRST_SUPERUSER_PASSWORD", "SMTP_USER", "SMTP_PASSWORD",
				"OPENAI_API_KEY", "SENTRY_DSN", "CRYPTOPANIC_API_KEY", "NEWSCATCHER_API_KEY", "NANSEN_API_KEY", "REDIS_PASSWORD"} {
				require.Equal(t, secretARN+":"+key+"::", secrets[key], "valueFrom of %s names its own key (defect B1)", key)
			}
			require.Equal(t, masterARN+":password::", secrets["POSTGRES_PASSWORD"], "from the RDS-managed secret (defect B4)")
			require.Equal(t, &ecs.HealthCheck{
				Command:  []string{"CMD-SHELL", "curl -f http://localhost:8000/api/v1/utils/health-check/ || exit 1"},
				Interval: 30, Timeout: 5, Retries: 3, StartPeriod: 60,
			}, backend.HealthCheck)

			frontend := containers(t, previewtest.Named(t, plan, typeTaskDef, c.prefix+"-frontend"))[0]
			require.Equal(t, []ecs.PortMapping{{ContainerPort: 80, Protocol: "tcp"}}, frontend.PortMappings)
			require.Equal(t, map[string]string{"VITE_API_URL": "https://api." + c.domain}, envOf(frontend))
			require.Empty(t, frontend.Secrets)
			require.Nil(t, frontend.HealthCheck)
		})
	}
}

func TestServicesRunPrivatelyBehindTheirTargetGroups(t *testing.T) {
	for _, c := range []struct {
		stack, prefix string
		azs           int
		desired       float64
		exec          bool
	}{{"staging", "ohmycoins-staging", 2, 1, true}, {"production", "ohmycoins-prod", 3, 2, false}} {
		t.Run(c.stack, func(t *testing.T) {
			t.Parallel()
			plan := previewtest.Stack(t, c.stack, previewtest.WithImages()).Plan
			cluster := previewtest.Named(t, plan, typeCluster, c.prefix+"-cluster")
			rules := plan.OfType(typeListenerRule)
			require.Len(t, rules, 2)
			for _, name := range []string{"backend", "frontend"} {
				svc := previewtest.Named(t, plan, typeService, c.prefix+"-"+name+"-service")
				in := svc.Inputs
				tg := previewtest.Named(t, plan, typeTargetGroup, c.prefix+"-"+name+"-tg")
				port := map[string]float64{"backend": 8000, "frontend": 80}[name]
				require.Equal(t, c.prefix+"-"+name+"-service", in["name"])
				require.Equal(t, cluster.Outputs["arn"], in["cluster"])
				require.Equal(t, previewtest.Named(t, plan, typeTaskDef, c.prefix+"-"+name).Outputs["arn"], in["taskDefinition"])
				require.Equal(t, c.desired, in["desiredCount"])
				require.Equal(t, "FARGATE", in["launchType"])
				require.Equal(t, map[string]any{
					"subnets":        subnetIDs(t, plan, c.prefix, "private-app", c.azs),
					"securityGroups": []any{previewtest.Named(t, plan, typeSG, c.prefix+"-"+name+"-sg").ID},
					"assignPublicIp": false,
				}, in["networkConfiguration"])
				require.Equal(t, []any{map[string]any{"targetGroupArn": tg.Outputs["arn"], "containerName": name, "containerPort": port}}, in["loadBalancers"])
				require.Equal(t, map[string]any{"enable": true, "rollback": true}, in["deploymentCircuitBreaker"], "defect E4")
				require.Equal(t, 60.0, in["healthCheckGracePeriodSeconds"])
				require.Equal(t, 100.0, in["deploymentMinimumHealthyPercent"])
				require.Equal(t, 200.0, in["deploymentMaximumPercent"])
				require.Equal(t, c.exec, in["enableExecuteCommand"])
				require.Equal(t, true, in["waitForSteadyState"])
				for _, r := range rules {
					require.Contains(t, svc.Dependencies, r.URN, "created after the listener rules (defect E6)")
				}
				if c.stack == "production" {
					require.Equal(t, []string{"desiredCount"}, svc.IgnoreChanges, "autoscaling owns the count (defect E5)")
				} else {
					require.Empty(t, svc.IgnoreChanges)
				}
			}
			insights := map[string]string{"staging": "disabled", "production": "enabled"}[c.stack]
			require.Equal(t, []any{map[string]any{"name": "containerInsights", "value": insights}}, cluster.Inputs["settings"])
			for _, name := range []string{"backend", "frontend"} {
				group := previewtest.Named(t, plan, typeLogGroup, c.prefix+"-"+name+"-logs")
				require.Equal(t, "/ecs/"+c.prefix+"-"+name, group.Inputs["name"], "the name the runbook tails")
				require.Equal(t, previewtest.Named(t, plan, typeKey, c.prefix+"-key").Outputs["arn"], group.Inputs["kmsKeyId"])
			}
		})
	}
}

func TestProductionAutoscaling(t *testing.T) {
	t.Parallel()
	plan := previewtest.Stack(t, "production", previewtest.WithImages()).Plan
	targets := map[string]stackplan.Resource{}
	for _, tgt := range plan.OfType(typeScalingTarget) {
		targets[tgt.Inputs["resourceId"].(string)] = tgt
	}
	require.Len(t, targets, 2)
	for name, bounds := range map[string][2]float64{"backend": {2, 10}, "frontend": {2, 5}} {
		tgt := targets["service/ohmycoins-prod-cluster/ohmycoins-prod-"+name+"-service"]
		require.Equal(t, bounds[0], tgt.Inputs["minCapacity"], name)
		require.Equal(t, bounds[1], tgt.Inputs["maxCapacity"], name)
		require.Equal(t, "ecs:service:DesiredCount", tgt.Inputs["scalableDimension"])
		require.Equal(t, "ecs", tgt.Inputs["serviceNamespace"])
	}
	policies := map[string]string{}
	for _, p := range plan.OfType(typeScalingPolicy) {
		cfg := p.Inputs["targetTrackingScalingPolicyConfiguration"].(map[string]any)
		require.Equal(t, "TargetTrackingScaling", p.Inputs["policyType"])
		require.Equal(t, 300.0, cfg["scaleInCooldown"])
		require.Equal(t, 60.0, cfg["scaleOutCooldown"])
		metric := cfg["predefinedMetricSpecification"].(map[string]any)["predefinedMetricType"].(string)
		policies[p.Name] = metric + "@" + strings.TrimSuffix(strings.TrimSuffix(jsonNumber(cfg["targetValue"]), ".0"), ".00")
	}
	require.Equal(t, map[string]string{
		"ohmycoins-prod-backend-cpu-scaling":    "ECSServiceAverageCPUUtilization@70",
		"ohmycoins-prod-backend-memory-scaling": "ECSServiceAverageMemoryUtilization@80",
		"ohmycoins-prod-frontend-cpu-scaling":   "ECSServiceAverageCPUUtilization@70",
	}, policies)
	require.Empty(t, previewtest.Stack(t, "staging").Plan.OfType(typeScalingTarget), "no autoscaling in staging")
}

func jsonNumber(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// rolePolicies returns the parsed inline policies attached to a role, by name.
func rolePolicies(t *testing.T, plan *stackplan.Plan, role string) map[string]policydoc.Document {
	out := map[string]policydoc.Document{}
	for _, p := range plan.OfType(typeRolePolicy) {
		if p.Inputs["role"] == role {
			doc, err := policydoc.Parse(p.Inputs["policy"].(string))
			require.NoError(t, err)
			out[p.Name] = doc
		}
	}
	return out
}

func TestTaskRolesAreLeastPrivilege(t *testing.T) {
	for _, c := range []struct {
		stack, prefix string
		exec          bool
	}{{"staging", "ohmycoins-staging", true}, {"production", "ohmycoins-prod", false}} {
		t.Run(c.stack, func(t *testing.T) {
			t.Parallel()
			plan := previewtest.Stack(t, c.stack).Plan
			for _, role := range []string{c.prefix + "-ecs-task-execution-role", c.prefix + "-ecs-task-role"} {
				trust, err := policydoc.Parse(previewtest.Named(t, plan, typeRole, role).Inputs["assumeRolePolicy"].(string))
				require.NoError(t, err)
				require.Equal(t, []string{"ecs-tasks.amazonaws.com"}, trust.Statement[0].Principal.Service)
				require.Equal(t, []string{mockcloud.MockAccountID}, trust.Statement[0].Condition["StringEquals"]["aws:SourceAccount"])
			}
			attachment := previewtest.Named(t, plan, typeAttachment, c.prefix+"-ecs-task-execution-policy")
			require.Equal(t, "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy", attachment.Inputs["policyArn"])

			execution := rolePolicies(t, plan, c.prefix+"-ecs-task-execution-role")
			secrets := execution[c.prefix+"-ecs-task-execution-secrets"]
			require.Len(t, secrets.Statement, 2)
			require.ElementsMatch(t, []string{
				previewtest.Named(t, plan, typeSecret, c.prefix+"-app-secrets").Outputs["arn"].(string),
				plan.Outputs["db_master_secret_arn"].(string),
			}, secrets.Statement[0].Resource, "the app secret and the RDS master secret, nothing else")
			require.Equal(t, []string{previewtest.Named(t, plan, typeKey, c.prefix+"-key").Outputs["arn"].(string)}, secrets.Statement[1].Resource)

			task := rolePolicies(t, plan, c.prefix+"-ecs-task-role")
			if !c.exec {
				require.Empty(t, task, "the application needs no AWS permission (defect C5)")
				return
			}
			require.Len(t, task, 1)
			exec := task[c.prefix+"-ecs-task-exec"]
			require.Equal(t, ecs.ExecActions, exec.Statement[0].Action, "ECS Exec works (defect C6)")
		})
	}
}

// TestNoPolicyGrantsEverythingOnEverything: across every inline IAM policy of
// both stacks, no action is "*", and a "*" resource appears only with the
// ssmmessages actions (which have no resource-level permissions) or under an
// aws:RequestedRegion condition (calls whose resources cannot be named before
// they exist); a service-wide action ("ecs:*") always names its resources.
func TestNoPolicyGrantsEverythingOnEverything(t *testing.T) {
	for _, stack := range allStacks {
		t.Run(stack, func(t *testing.T) {
			t.Parallel()
			plan := previewtest.Stack(t, stack).Plan
			for _, p := range plan.OfType(typeRolePolicy) {
				doc, err := policydoc.Parse(p.Inputs["policy"].(string))
				require.NoError(t, err)
				for _, s := range doc.Statement {
					require.NotContains(t, s.Action, "*", "%s %s", p.Name, s.Sid)
					if !slices.Contains(s.Resource, "*") {
						continue
					}
					regional := s.Condition["StringEquals"]["aws:RequestedRegion"]
					if slices.Equal(s.Action, ecs.ExecActions) {
						continue
					}
					require.Equal(t, []string{"ap-southeast-2"}, regional, "%s %s: Resource * only within the stack's region", p.Name, s.Sid)
				}
			}
		})
	}
}

func TestRepositoriesScanEncryptAndExpire(t *testing.T) {
	for _, c := range []struct {
		stack, prefix, mutability string
		forceDelete               bool
	}{
		{"staging", "ohmycoins-staging", "MUTABLE", true}, {"production", "ohmycoins-prod", "IMMUTABLE", false},
	} {
		t.Run(c.stack, func(t *testing.T) {
			t.Parallel()
			plan := previewtest.Stack(t, c.stack).Plan
			key := previewtest.Named(t, plan, typeKey, c.prefix+"-key").Outputs["arn"]
			for _, name := range []string{"backend", "frontend"} {
				repo := previewtest.Named(t, plan, typeRepository, c.prefix+"-"+name)
				require.Equal(t, c.prefix+"-"+name, repo.Inputs["name"])
				require.Equal(t, c.mutability, repo.Inputs["imageTagMutability"])
				require.Equal(t, c.forceDelete, repo.Inputs["forceDelete"], "staging can be destroyed in one run")
				require.Equal(t, map[string]any{"scanOnPush": true}, repo.Inputs["imageScanningConfiguration"])
				require.Equal(t, []any{map[string]any{"encryptionType": "KMS", "kmsKey": key}}, repo.Inputs["encryptionConfigurations"])
				var lifecycle struct {
					Rules []struct {
						Selection struct {
							TagStatus, CountType string
							CountNumber          int
						}
						Action struct{ Type string }
					}
				}
				require.NoError(t, json.Unmarshal([]byte(previewtest.Named(t, plan, typeRepoLifecycle, c.prefix+"-"+name+"-lifecycle").Inputs["policy"].(string)), &lifecycle))
				require.Len(t, lifecycle.Rules, 1)
				require.Equal(t, 30, lifecycle.Rules[0].Selection.CountNumber)
				require.Equal(t, "imageCountMoreThan", lifecycle.Rules[0].Selection.CountType)
				require.Equal(t, "expire", lifecycle.Rules[0].Action.Type)
				require.Equal(t, repo.Outputs["repositoryUrl"], plan.Outputs[name+"_repository_url"])
			}
		})
	}
}

// TestServicesAwaitTheirFirstImage: the committed stacks name no image, since
// their repositories are new. The first pulumi up must still complete, so each
// service is created with no task to pull anything, waits for nothing, and has
// no scaling target that would start one.
func TestServicesAwaitTheirFirstImage(t *testing.T) {
	t.Parallel()
	for _, stack := range []string{"staging", "production"} {
		t.Run(stack, func(t *testing.T) {
			t.Parallel()
			result := previewtest.Stack(t, stack)
			prefix := map[string]string{"staging": "ohmycoins-staging", "production": "ohmycoins-prod"}[stack]
			require.Empty(t, result.Plan.OfType(typeDockerImage), "nothing to build")
			require.Empty(t, result.Plan.OfType(typeScalingTarget), "no scaling target may start a task before an image exists")
			for _, svc := range []string{"backend", "frontend"} {
				repo := previewtest.Named(t, result.Plan, typeRepository, prefix+"-"+svc)
				container := containers(t, previewtest.Named(t, result.Plan, typeTaskDef, prefix+"-"+svc))[0]
				require.Equal(t, repo.Outputs["repositoryUrl"].(string)+":awaiting-first-image", container.Image,
					"the stack's own repository, never another registry")
				service := previewtest.Named(t, result.Plan, typeService, prefix+"-"+svc+"-service")
				require.Equal(t, 0.0, service.Inputs["desiredCount"])
				require.Equal(t, false, service.Inputs["waitForSteadyState"])
				require.Contains(t, result.Warnings, fmt.Sprintf(`ohmycoins:%s has no image yet: its service is created with no task until you push an image to the ECR repository %s-%s and set %s.imageDigest (docs/RUNBOOK.md, "Deploying a new image")`,
					svc, prefix, svc, svc))
			}
		})
	}
}

// TestImageDigestsRunFromTheStacksOwnRepository: a digest runs from the
// stack's own repository, with the preset's count and autoscaling. The same
// digest promoted from staging runs from production's repository, never from
// staging's.
func TestImageDigestsRunFromTheStacksOwnRepository(t *testing.T) {
	t.Parallel()
	digest := "sha256:" + strings.Repeat("5e", 32)
	images := []func(*preview.Options){
		previewtest.Set("ohmycoins:backend", `{"imageDigest": "`+digest+`"}`), previewtest.Set("ohmycoins:frontend", `{"imageDigest": "`+digest+`"}`),
	}
	staging := previewtest.Stack(t, "staging", images...).Plan
	production := previewtest.Stack(t, "production", images...).Plan
	for _, c := range []struct {
		plan   *stackplan.Plan
		prefix string
		count  float64
	}{{staging, "ohmycoins-staging", 1}, {production, "ohmycoins-prod", 2}} {
		repo := previewtest.Named(t, c.plan, typeRepository, c.prefix+"-backend").Outputs["repositoryUrl"].(string)
		require.True(t, strings.HasSuffix(repo, "/"+c.prefix+"-backend"), repo)
		container := containers(t, previewtest.Named(t, c.plan, typeTaskDef, c.prefix+"-backend"))[0]
		require.Equal(t, repo+"@"+digest, container.Image)
		service := previewtest.Named(t, c.plan, typeService, c.prefix+"-backend-service")
		require.Equal(t, c.count, service.Inputs["desiredCount"])
		require.Equal(t, true, service.Inputs["waitForSteadyState"])
	}
	require.Len(t, production.OfType(typeScalingTarget), 2, "production autoscales both services once they have images")
	target := previewtest.Named(t, production, typeScalingTarget, "ohmycoins-prod-backend-scaling-target")
	require.Equal(t, 2.0, target.Inputs["minCapacity"])
}

func TestARetiredImageReferenceIsRefusedWithWhatReplacedIt(t *testing.T) {
	t.Parallel()
	err := previewtest.Problems(t, "production", previewtest.Set("ohmycoins:backend", `{"image": "ghcr.io/marklimmage/ohmycoins-backend:v1.0.0"}`))
	require.Contains(t, err, `ohmycoins:backend.image is no longer a setting: services run images only from the stack's own ECR repository, by digest (defect E9): push the image there and set imageDigest to its sha256 digest (docs/RUNBOOK.md, "Deploying a new image"); remove it (pulumi config rm --path --stack production 'ohmycoins:backend.image')`)
}

func TestBuiltImagesArePushedAndRunByDigest(t *testing.T) {
	t.Parallel()
	context := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(context, "Dockerfile"), []byte("FROM python:3.12-slim\n"), 0o644))
	result := previewtest.Stack(t, "staging", previewtest.Set("ohmycoins:backend", `{"build": {"context": "`+context+`", "target": "runtime"}}`))
	plan := result.Plan
	images := plan.OfType(typeDockerImage)
	require.Len(t, images, 1)
	image := images[0]
	repo := previewtest.Named(t, plan, typeRepository, "ohmycoins-staging-backend")
	require.Regexp(t, "^"+regexp.QuoteMeta(repo.Outputs["repositoryUrl"].(string))+`:src-[0-9a-f]{12}$`, image.Inputs["imageName"])
	build := image.Inputs["build"].(map[string]any)
	require.Equal(t, "linux/amd64", build["platform"], "Fargate runs X86_64 (defect E10)")
	require.Equal(t, context, build["context"])
	require.Equal(t, filepath.Join(context, "Dockerfile"), build["dockerfile"])
	require.Equal(t, "runtime", build["target"])
	registry := image.Inputs["registry"].(map[string]any)
	require.Equal(t, repo.Outputs["repositoryUrl"], registry["server"])
	require.Equal(t, stackplan.Secret, registry["password"])
	require.Contains(t, result.Invokes, "aws:ecr/getAuthorizationToken:getAuthorizationToken")

	backend := containers(t, previewtest.Named(t, plan, typeTaskDef, "ohmycoins-staging-backend"))[0]
	require.Equal(t, image.Outputs["repoDigest"], backend.Image, "the task runs the pushed digest: a new build is a new deployment")
	require.Contains(t, previewtest.Named(t, plan, typeTaskDef, "ohmycoins-staging-backend").Dependencies, image.URN)

	// The tag follows the sources: change a file, get a new tag.
	require.NoError(t, os.WriteFile(filepath.Join(context, "app.py"), []byte("print('hi')\n"), 0o644))
	again := previewtest.Stack(t, "staging", previewtest.Set("ohmycoins:backend", `{"build": {"context": "`+context+`"}}`)).Plan
	require.NotEqual(t, image.Inputs["imageName"], again.OfType(typeDockerImage)[0].Inputs["imageName"])
}

func TestBuildContextMustExist(t *testing.T) {
	t.Parallel()
	_, err := preview.Preview(preview.Options{Dir: projectDir, Stack: "staging",
		Set: map[string]string{"ohmycoins:frontend": `{"build": {"context": "no/such/dir"}}`}})
	require.ErrorContains(t, err, "images: frontend build context no/such/dir")
}

func TestAppTierOutputs(t *testing.T) {
	t.Parallel()
	plan := previewtest.Stack(t, "staging").Plan
	alb := previewtest.Named(t, plan, typeLoadBalancer, "ohmycoins-staging-alb")
	require.Equal(t, alb.Outputs["dnsName"], plan.Outputs["alb_dns_name"])
	require.Equal(t, alb.Outputs["zoneId"], plan.Outputs["alb_zone_id"])
	require.Equal(t, "ohmycoins-staging-cluster", plan.Outputs["ecs_cluster_name"])
	require.Equal(t, "ohmycoins-staging-backend-service", plan.Outputs["backend_service_name"], "the runbook's name")
	require.Equal(t, "ohmycoins-staging-frontend-service", plan.Outputs["frontend_service_name"])
	require.Equal(t, previewtest.Named(t, plan, typeTargetGroup, "ohmycoins-staging-backend-tg").Outputs["arn"], plan.Outputs["backend_target_group_arn"])
	require.Equal(t, previewtest.Named(t, plan, typeTargetGroup, "ohmycoins-staging-frontend-tg").Outputs["arn"], plan.Outputs["frontend_target_group_arn"])
	require.Equal(t, "https://api.staging.ohmycoins.com", plan.Outputs["api_url"])
	require.Equal(t, "https://dashboard.staging.ohmycoins.com", plan.Outputs["app_url"])
}

// TestBackendDeploymentsRollBackOnAlarms: a backend deployment whose tasks
// start and then answer 5xx, or fail the load balancer's health check, trips
// an alarm, and ECS rolls it back; the circuit breaker stays for tasks that do
// not start. The service waits for the alarms it names.
func TestBackendDeploymentsRollBackOnAlarms(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ stack, prefix string }{{"staging", "ohmycoins-staging"}, {"production", "ohmycoins-prod"}} {
		plan := previewtest.Stack(t, c.stack, previewtest.WithImages()).Plan
		backend := previewtest.Named(t, plan, typeService, c.prefix+"-backend-service")
		names := []any{c.prefix + "-alb-high-5xx-errors", c.prefix + "-alb-unhealthy-targets"}
		require.Equal(t, map[string]any{"alarmNames": names, "enable": true, "rollback": true}, backend.Inputs["alarms"], c.stack)
		require.Equal(t, map[string]any{"enable": true, "rollback": true}, backend.Inputs["deploymentCircuitBreaker"])
		for _, name := range names {
			alarm := previewtest.Named(t, plan, "aws:cloudwatch/metricAlarm:MetricAlarm", name.(string))
			require.Contains(t, backend.Dependencies, alarm.URN, "the service is created after %s", name)
		}
		fiveXX := previewtest.Named(t, plan, "aws:cloudwatch/metricAlarm:MetricAlarm", c.prefix+"-alb-high-5xx-errors")
		require.Equal(t, "HTTPCode_Target_5XX_Count", fiveXX.Inputs["metricName"])
		unhealthy := previewtest.Named(t, plan, "aws:cloudwatch/metricAlarm:MetricAlarm", c.prefix+"-alb-unhealthy-targets")
		require.Equal(t, previewtest.Named(t, plan, typeTargetGroup, c.prefix+"-backend-tg").Outputs["arnSuffix"], unhealthy.Inputs["dimensions"].(map[string]any)["TargetGroup"],
			"the backend's own targets")
		frontend := previewtest.Named(t, plan, typeService, c.prefix+"-frontend-service")
		require.Nil(t, frontend.Inputs["alarms"], "the frontend's failures are the circuit breaker's")
	}
}
