package tests

import (
	"bytes"
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ohmycoins/infra/internal/cost"
	"github.com/ohmycoins/infra/internal/policy"
	"github.com/ohmycoins/infra/internal/preview"
	"github.com/ohmycoins/infra/internal/preview/previewtest"
	"github.com/ohmycoins/infra/internal/verify"
	"github.com/ohmycoins/infra/internal/verify/verifytest"
)

// workerEntry is the one stack-file entry that adds a worker: a queue
// consumer run from its own image, reaching the data tiers.
const workerEntry = `
  ohmycoins:services:
    worker:
      role: worker
      dataAccess: true
      imageDigest: sha256:a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1
      command: [python, -m, app.worker]
      cpu: 512
      memory: 1024
      desiredCount: 2
      autoscaling: {enabled: true, minCount: 2, maxCount: 6, cpuTargetPercent: 60}
`

// TestAWorkerIsOneStackFileEntry: everything a worker needs follows from
// its role: its image repository and task, its security group (no inbound;
// out to the data tiers, which admit it), the backend's settings and
// secrets, its logs, its alarms in the runbook's list, its autoscaling, its
// outputs and cmd/verify's check of it, the policy rules that let it reach
// the data, and its cost.
func TestAWorkerIsOneStackFileEntry(t *testing.T) {
	t.Parallel()
	dir := previewtest.ProjectCopy(t, "production", workerEntry)
	result, err := preview.Preview(preview.Options{Dir: dir, Stack: "production"})
	require.NoError(t, err)
	plan := result.Plan
	p := "ohmycoins-prod"

	repo := previewtest.Named(t, plan, typeRepository, p+"-worker")
	task := previewtest.Named(t, plan, typeTaskDef, p+"-worker")
	require.Equal(t, "512", task.Inputs["cpu"])
	container := previewtest.Containers(t, task)[0]
	require.Equal(t, repo.Outputs["repositoryUrl"].(string)+"@sha256:"+strings.Repeat("a1", 32), container.Image)
	require.Equal(t, []string{"python", "-m", "app.worker"}, container.Command)
	require.Empty(t, container.PortMappings)
	backend := previewtest.Containers(t, previewtest.Named(t, plan, typeTaskDef, p+"-backend"))[0]
	require.Equal(t, backend.Environment, container.Environment, "the backend's settings: the database, the cache, the app")
	require.Equal(t, backend.Secrets, container.Secrets, "and its secrets")

	service := previewtest.Named(t, plan, typeService, p+"-worker-service")
	require.NotContains(t, service.Inputs, "loadBalancers", "no load balancer reaches a worker")
	require.Equal(t, []any{previewtest.Named(t, plan, typeSG, p+"-worker-sg").ID}, service.Inputs["networkConfiguration"].(map[string]any)["securityGroups"])
	previewtest.Named(t, plan, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", p+"-rds-sg-in-postgres-worker")
	previewtest.Named(t, plan, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", p+"-redis-sg-in-redis-worker")
	previewtest.Named(t, plan, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", p+"-vpce-sg-in-https-worker")
	_, inbound := plan.Named("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", p+"-worker-sg-in-worker")
	require.False(t, inbound)
	require.Equal(t, "/ecs/"+p+"-worker", previewtest.Named(t, plan, typeLogGroup, p+"-worker-logs").Inputs["name"])
	previewtest.Named(t, plan, "aws:sfn/stateMachine:StateMachine", p+"-worker-redeploy")
	target := previewtest.Named(t, plan, "aws:appautoscaling/target:Target", p+"-worker-scaling-target")
	require.Equal(t, 6.0, target.Inputs["maxCapacity"])

	alarms := plan.Outputs["alarm_names"].([]any)
	require.Equal(t, []any{p + "-worker-ecs-high-cpu", p + "-worker-ecs-high-memory"}, alarms[len(alarms)-2:], "the runbook's list, then the worker's")
	require.Equal(t, p+"-worker-service", plan.Outputs["worker_service_name"])
	require.Equal(t, repo.Outputs["repositoryUrl"], plan.Outputs["worker_repository_url"])
	require.NotContains(t, plan.Outputs, "worker_target_group_arn")

	report := policy.Check(plan, policy.StackOf(result.Settings))
	require.Empty(t, report.Violations, "the data tiers may admit the worker: it has data access")
	estimate := cost.Of(plan, *plan.CostBasis)
	require.Empty(t, estimate.Unpriced)
	var priced bool
	for _, item := range estimate.Items {
		priced = priced || item.Name == p+"-worker-service" && item.Monthly > 0
	}
	require.True(t, priced, "its tasks are priced")

	// cmd/verify checks the worker's ECS service with the others, and no target group of it.
	outputs := verify.Outputs{}
	for k, v := range plan.Outputs {
		outputs[k] = v
	}
	app := httptest.NewServer(verifytest.AppHandler(200, 0))
	defer app.Close()
	fake := &healthyAWS{key: plan.Outputs["kms_key_arn"].(string), deployed: map[string]string{}}
	for _, svc := range []string{"backend", "frontend", "worker"} {
		fake.deployed[outputs.String(svc+"_service_name")] = outputs.String(svc + "_task_definition_arn")
	}
	var out bytes.Buffer
	ok := verify.Run(context.Background(), verify.Config{APIURL: app.URL, AppURL: app.URL, Outputs: outputs, AWS: fake,
		Attempts: 1, RetryDelay: time.Millisecond, RequestTimeout: time.Second, Deadline: 10 * time.Second}, &out)
	require.True(t, ok, out.String())
	require.Contains(t, out.String(), "ECS "+p+"-worker-service")
	require.Equal(t, []string{p + "-backend-service", p + "-frontend-service", p + "-worker-service"}, fake.services)
	require.Len(t, fake.targetGroups, 2, "the backend's and the frontend's")
}

// healthyAWS answers the AWS checks as a healthy deployment does, and
// records what it was asked.
type healthyAWS struct {
	key          string
	services     []string
	targetGroups []string
	// deployed is, per ECS service, the revision it runs: the stack's.
	deployed map[string]string
}

func (h *healthyAWS) Services(_ context.Context, _ string, services []string) (map[string]verify.ServiceState, error) {
	h.services = services
	out := map[string]verify.ServiceState{}
	for _, s := range services {
		out[s] = verify.ServiceState{Status: "ACTIVE", Running: 2, Desired: 2, TaskDefinition: h.deployed[s], Rollout: "COMPLETED"}
	}
	return out, nil
}

func (h *healthyAWS) TargetStates(_ context.Context, arn string) ([]string, error) {
	h.targetGroups = append(h.targetGroups, arn)
	return []string{"healthy", "healthy"}, nil
}

func (h *healthyAWS) AlarmStates(_ context.Context, names []string) (map[string]string, error) {
	out := map[string]string{}
	for _, n := range names {
		out[n] = "OK"
	}
	return out, nil
}

func (h *healthyAWS) SecretKey(context.Context, string) (string, error) { return h.key, nil }
