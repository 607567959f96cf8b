package stacks_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ohmycoins/infra/components/ecs"
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

// TestTheLoadBalancerIsWiredToThePublicSubnetsAndItsGroup: the stack puts
// the load balancer on its public subnets behind the network's group, with
// its preset's protection and access logs.
func TestTheLoadBalancerIsWiredToThePublicSubnetsAndItsGroup(t *testing.T) {
	for _, p := range presets {
		t.Run(p.stack, func(t *testing.T) {
			t.Parallel()
			s := p.settings()
			plan := previewtest.Stack(t, p.stack).Plan
			alb := previewtest.Named(t, plan, typeLoadBalancer, s.NamePrefix+"-alb")
			require.Equal(t, previewtest.SubnetIDs(t, plan, s.NamePrefix, "public", len(s.Network.AvailabilityZones)), alb.Inputs["subnets"])
			require.Equal(t, []any{previewtest.Named(t, plan, typeSG, s.NamePrefix+"-alb-sg").ID}, alb.Inputs["securityGroups"])
			require.Equal(t, s.LoadBalancer.DeletionProtection, alb.Inputs["enableDeletionProtection"])
			require.Equal(t, s.LoadBalancer.AccessLogs, alb.Inputs["accessLogs"] != nil)
			for _, tg := range plan.OfType(typeTargetGroup) {
				require.Equal(t, previewtest.Named(t, plan, typeVpc, s.NamePrefix+"-vpc").ID, tg.Inputs["vpcId"])
			}
		})
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

// TestWithoutACertificateOrZoneTheSiteIsPlainHTTP: the stack says so, and
// its URLs and routing follow.
func TestWithoutACertificateOrZoneTheSiteIsPlainHTTP(t *testing.T) {
	t.Parallel()
	result := previewtest.Stack(t, "staging", previewtest.Unset("ohmycoins:dns"))
	plan := result.Plan
	require.Contains(t, result.Warnings, "ohmycoins:certificateArn and ohmycoins:dns.zoneName are not set: the load balancer serves plain HTTP")
	require.Equal(t, "http://api.staging.ohmycoins.com", plan.Outputs["api_url"])
	require.Empty(t, plan.OfType("aws:acm/certificate:Certificate"))
	listeners := plan.OfType(typeListener)
	require.Len(t, listeners, 1, "no certificate: one listener, on :80")
	require.Equal(t, []string{
		"hostHeader api.staging.ohmycoins.com -> ohmycoins-staging-backend-tg",
		"pathPattern /api/*,/docs,/redoc,/openapi.json -> ohmycoins-staging-backend-tg",
	}, backendRoutes(t, plan, listeners[0]), "the API host is the domain's")
}

// TestAGivenCertificateServesHTTPS: a certificate ARN in the stack file is
// the HTTPS listener's, and the URLs are https.
func TestAGivenCertificateServesHTTPS(t *testing.T) {
	t.Parallel()
	result := previewtest.Stack(t, "production", previewtest.Set("ohmycoins:certificateArn", testCertificate))
	plan := result.Plan
	https := previewtest.Named(t, plan, typeListener, "ohmycoins-prod-https")
	require.Equal(t, testCertificate, https.Inputs["certificateArn"])
	require.Equal(t, []string{
		"hostHeader api.ohmycoins.com -> ohmycoins-prod-backend-tg",
		"pathPattern /api/*,/docs,/redoc,/openapi.json -> ohmycoins-prod-backend-tg",
	}, backendRoutes(t, plan, https))
	require.Equal(t, "https://api.ohmycoins.com", plan.Outputs["api_url"])
	require.Equal(t, "https://dashboard.ohmycoins.com", plan.Outputs["app_url"])
	require.NotContains(t, strings.Join(result.Warnings, "\n"), "plain HTTP")
}

// TestEachServiceGetsWhatItsRoleNeeds: the stack gives each service its
// preset's task size, and by its role: the api service the database's and
// the cache's endpoints and every secret it reads, and its own health check;
// the web service the API's URL.
func TestEachServiceGetsWhatItsRoleNeeds(t *testing.T) {
	for _, p := range presets {
		t.Run(p.stack, func(t *testing.T) {
			t.Parallel()
			s := p.settings()
			c := struct{ stack, prefix, domain string }{p.stack, s.NamePrefix, map[string]string{"staging": "staging.ohmycoins.com", "production": "ohmycoins.com"}[p.stack]}
			plan := previewtest.Stack(t, c.stack).Plan
			db := previewtest.Named(t, plan, typeDBInstance, c.prefix+"-postgres")
			redis := previewtest.Named(t, plan, typeReplicationGroup, c.prefix+"-redis")
			secretARN := previewtest.Named(t, plan, typeSecret, c.prefix+"-app-secrets").Outputs["arn"].(string)
			masterARN := plan.Outputs["db_master_secret_arn"].(string)

			for name, svc := range s.Services {
				task := previewtest.Named(t, plan, typeTaskDef, c.prefix+"-"+name)
				require.Equal(t, fmt.Sprint(svc.CPU), task.Inputs["cpu"], name)
				require.Equal(t, fmt.Sprint(svc.MemoryMiB), task.Inputs["memory"], name)
				d := previewtest.Containers(t, task)[0]
				require.Equal(t, s.ECS.ExecEnabled, d.LinuxParameters != nil && d.LinuxParameters.InitProcessEnabled)
			}

			backend := previewtest.Containers(t, previewtest.Named(t, plan, typeTaskDef, c.prefix+"-backend"))[0]
			require.Equal(t, []ecs.PortMapping{{ContainerPort: 8000, Protocol: "tcp"}}, backend.PortMappings)
			env := previewtest.Env(backend)
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

			frontend := previewtest.Containers(t, previewtest.Named(t, plan, typeTaskDef, c.prefix+"-frontend"))[0]
			require.Equal(t, []ecs.PortMapping{{ContainerPort: 80, Protocol: "tcp"}}, frontend.PortMappings)
			require.Equal(t, map[string]string{"VITE_API_URL": "https://api." + c.domain}, previewtest.Env(frontend))
			require.Empty(t, frontend.Secrets)
			require.Nil(t, frontend.HealthCheck)
		})
	}
}

// TestServicesRunOnTheAppSubnetsBehindTheirTargetGroups: each service runs
// in the network's app subnets in its own group, on its target group, at its
// preset's count, after the listener rules, with the cluster's settings; and
// autoscales as its preset says once it has an image.
func TestServicesRunOnTheAppSubnetsBehindTheirTargetGroups(t *testing.T) {
	for _, p := range presets {
		t.Run(p.stack, func(t *testing.T) {
			t.Parallel()
			s := p.settings()
			prefix := s.NamePrefix
			plan := previewtest.Stack(t, p.stack, previewtest.WithImages()).Plan
			cluster := previewtest.Named(t, plan, typeCluster, prefix+"-cluster")
			require.Equal(t, []any{map[string]any{"name": "containerInsights", "value": map[bool]string{true: "enabled", false: "disabled"}[s.ECS.ContainerInsights]}}, cluster.Inputs["settings"])
			rules := plan.OfType(typeListenerRule)
			for name, settings := range s.Services {
				svc := previewtest.Named(t, plan, typeService, prefix+"-"+name+"-service")
				in := svc.Inputs
				require.Equal(t, cluster.Outputs["arn"], in["cluster"])
				require.Equal(t, float64(settings.DesiredCount), in["desiredCount"])
				require.Equal(t, map[string]any{
					"subnets":        previewtest.SubnetIDs(t, plan, prefix, "private-app", len(s.Network.AvailabilityZones)),
					"securityGroups": []any{previewtest.Named(t, plan, typeSG, prefix+"-"+name+"-sg").ID},
					"assignPublicIp": false,
				}, in["networkConfiguration"])
				tg := previewtest.Named(t, plan, typeTargetGroup, prefix+"-"+name+"-tg")
				require.Equal(t, tg.Outputs["arn"], in["loadBalancers"].([]any)[0].(map[string]any)["targetGroupArn"])
				require.Equal(t, s.ECS.ExecEnabled, in["enableExecuteCommand"])
				for _, r := range rules {
					require.Contains(t, svc.Dependencies, r.URN, "created after the listener rules (defect E6)")
				}
				target, scaled := plan.Named(typeScalingTarget, prefix+"-"+name+"-scaling-target")
				require.Equal(t, settings.Autoscaling.Enabled, scaled)
				if scaled {
					require.Equal(t, float64(settings.Autoscaling.MinCount), target.Inputs["minCapacity"])
					require.Equal(t, float64(settings.Autoscaling.MaxCount), target.Inputs["maxCapacity"])
				}
			}
		})
	}
}

// TestTheExecutionRoleReadsExactlyTheSecretsTheContainersGet: the stack
// hands ECS the secret's read policy over the app secret and the RDS master
// secret, decrypted with the environment key, nothing else.
func TestTheExecutionRoleReadsExactlyTheSecretsTheContainersGet(t *testing.T) {
	for _, p := range presets {
		t.Run(p.stack, func(t *testing.T) {
			t.Parallel()
			prefix := p.settings().NamePrefix
			plan := previewtest.Stack(t, p.stack).Plan
			secrets := previewtest.RolePolicies(t, plan, prefix+"-ecs-task-execution-role")[prefix+"-ecs-task-execution-secrets"]
			require.Len(t, secrets.Statement, 2)
			require.ElementsMatch(t, []string{
				previewtest.Named(t, plan, typeSecret, prefix+"-app-secrets").Outputs["arn"].(string),
				plan.Outputs["db_master_secret_arn"].(string),
			}, secrets.Statement[0].Resource, "the app secret and the RDS master secret, nothing else")
			require.Equal(t, []string{previewtest.Named(t, plan, typeKey, prefix+"-key").Outputs["arn"].(string)}, secrets.Statement[1].Resource)
		})
	}
}

// TestNoPolicyGrantsEverythingOnEverything: across every inline IAM policy of
// both stacks, no action is "*", and a "*" resource appears only with the
// ssmmessages actions (which have no resource-level permissions) or under an
// aws:RequestedRegion condition (calls whose resources cannot be named before
// they exist); a service-wide action ("ecs:*") always names its resources.
func TestNoPolicyGrantsEverythingOnEverything(t *testing.T) {
	for _, stack := range []string{"staging", "production"} {
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

// TestRepositoriesAreTheEnvironmentsOwn: each service's repository is
// encrypted with the environment key, keeps its tags in production only, can
// be destroyed with staging, and is exported.
func TestRepositoriesAreTheEnvironmentsOwn(t *testing.T) {
	for _, p := range presets {
		t.Run(p.stack, func(t *testing.T) {
			t.Parallel()
			s := p.settings()
			plan := previewtest.Stack(t, p.stack).Plan
			key := previewtest.Named(t, plan, typeKey, s.NamePrefix+"-key").Outputs["arn"]
			for name := range s.Services {
				repo := previewtest.Named(t, plan, typeRepository, s.NamePrefix+"-"+name)
				require.Equal(t, map[bool]string{true: "IMMUTABLE", false: "MUTABLE"}[s.Environment == "production"], repo.Inputs["imageTagMutability"])
				require.Equal(t, !s.ProtectStatefulResources, repo.Inputs["forceDelete"], "staging can be destroyed in one run")
				require.Equal(t, []any{map[string]any{"encryptionType": "KMS", "kmsKey": key}}, repo.Inputs["encryptionConfigurations"])
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
				container := previewtest.Containers(t, previewtest.Named(t, result.Plan, typeTaskDef, prefix+"-"+svc))[0]
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
		container := previewtest.Containers(t, previewtest.Named(t, c.plan, typeTaskDef, c.prefix+"-backend"))[0]
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

func TestAServiceBuiltFromSourceRunsThePushedDigest(t *testing.T) {
	t.Parallel()
	context := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(context, "Dockerfile"), []byte("FROM python:3.12-slim\n"), 0o644))
	result := previewtest.Stack(t, "staging", previewtest.Set("ohmycoins:backend", `{"build": {"context": "`+context+`", "target": "runtime"}}`))
	plan := result.Plan
	images := plan.OfType(typeDockerImage)
	require.Len(t, images, 1)
	image := images[0]
	require.Equal(t, "runtime", image.Inputs["build"].(map[string]any)["target"])
	require.Contains(t, result.Invokes, "aws:ecr/getAuthorizationToken:getAuthorizationToken")
	task := previewtest.Named(t, plan, typeTaskDef, "ohmycoins-staging-backend")
	require.Equal(t, image.Outputs["repoDigest"], previewtest.Containers(t, task)[0].Image, "the task runs the pushed digest: a new build is a new deployment")
	require.Contains(t, task.Dependencies, image.URN)
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
