package tests

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ohmycoins/infra/components/ecs"
	"github.com/ohmycoins/infra/components/rds"
	"github.com/ohmycoins/infra/components/redis"
	"github.com/ohmycoins/infra/internal/policydoc"
	"github.com/ohmycoins/infra/internal/preview"
	"github.com/ohmycoins/infra/internal/preview/previewtest"
	"github.com/ohmycoins/infra/internal/service"
	"github.com/ohmycoins/infra/internal/stackplan"
)

// The second `pulumi up` and every one after: each test here fails without
// its fix (issue "Day 2").

const (
	typeEventRule    = "aws:cloudwatch/eventRule:EventRule"
	typeEventTarget  = "aws:cloudwatch/eventTarget:EventTarget"
	typeStateMachine = "aws:sfn/stateMachine:StateMachine"
)

// diffAgainst previews a stack with options and diffs it against the stack as committed.
func diffAgainst(t *testing.T, stack string, opts ...func(*preview.Options)) stackplan.PlanDiff {
	t.Helper()
	return stackplan.Diff(previewtest.Stack(t, stack).Plan, previewtest.Stack(t, stack, opts...).Plan)
}

// Rotating a value of the production application secret: the provider
// replaces the version (secret_string forces a new one), which must not be
// protected; the secret, which holds every version, stays protected and
// untouched.
func TestRotatingAProductionSecretValueReplacesOnlyItsVersion(t *testing.T) {
	t.Parallel()
	d := diffAgainst(t, "production", previewtest.SetSecret("ohmycoins:openaiApiKey", "sk-rotated"))
	require.Len(t, d.Changes, 1, previewtest.DiffText(d))
	c := d.Changes[0]
	require.Equal(t, typeSecretVersion, c.Type)
	require.Equal(t, stackplan.OpReplace, c.Op)
	require.Equal(t, []string{"secretString"}, c.ReplaceBecause)
	require.Empty(t, c.Blocked, "a protected version would make every rotation fail")
	require.Equal(t, stackplan.ValueChange{Old: stackplan.Secret, New: stackplan.Secret}, c.Inputs["secretString"], "never shown")
	require.True(t, previewtest.Named(t, previewtest.Stack(t, "production").Plan, typeSecret, "ohmycoins-prod-app-secrets").Protect)
}

// RDS rotates the master password it manages every seven days, and the tasks
// read POSTGRES_PASSWORD only when they start: the backend is rolled when
// the master secret (or the application secret) gets a new current value.
func TestTheBackendIsRolledWhenItsSecretsRotate(t *testing.T) {
	for _, c := range []struct{ stack, prefix string }{{"staging", "ohmycoins-staging"}, {"production", "ohmycoins-prod"}} {
		t.Run(c.stack, func(t *testing.T) {
			t.Parallel()
			plan := previewtest.Stack(t, c.stack).Plan
			p := c.prefix

			rule := previewtest.Named(t, plan, typeEventRule, p+"-backend-secret-rotated")
			require.Equal(t, p+"-backend-secret-rotated", rule.Inputs["name"])
			var pattern struct {
				Source     []string `json:"source"`
				DetailType []string `json:"detail-type"`
				Resources  []string `json:"resources"`
				Detail     struct {
					LabelUpdated []string `json:"labelUpdated"`
				} `json:"detail"`
			}
			require.NoError(t, json.Unmarshal([]byte(rule.Inputs["eventPattern"].(string)), &pattern))
			require.Equal(t, []string{"aws.secretsmanager"}, pattern.Source)
			require.Equal(t, []string{"Secret Label Updated"}, pattern.DetailType, "published by Secrets Manager itself, no trail needed")
			require.Equal(t, []string{"AWSCURRENT"}, pattern.Detail.LabelUpdated)
			require.ElementsMatch(t, []string{plan.Outputs["db_master_secret_arn"].(string), plan.Outputs["app_secrets_arn"].(string)}, pattern.Resources)

			machine := previewtest.Named(t, plan, typeStateMachine, p+"-backend-redeploy")
			target := previewtest.Named(t, plan, typeEventTarget, p+"-backend-secret-rotated-redeploy")
			require.Equal(t, rule.Inputs["name"], target.Inputs["rule"])
			require.Equal(t, machine.Outputs["arn"], target.Inputs["arn"])
			eventsRole := previewtest.Named(t, plan, typeRole, p+"-backend-secret-rotated-role")
			require.Equal(t, eventsRole.Outputs["arn"], target.Inputs["roleArn"])

			cluster := previewtest.Named(t, plan, typeCluster, p+"-cluster")
			service := previewtest.Named(t, plan, typeService, p+"-backend-service")
			alarms := service.Inputs["alarms"].(map[string]any)
			var alarmNames []string
			for _, n := range alarms["alarmNames"].([]any) {
				alarmNames = append(alarmNames, n.(string))
			}
			require.ElementsMatch(t, []string{p + "-alb-high-5xx-errors", p + "-alb-unhealthy-targets"}, alarmNames, "the api's deployments watch its 5xx and unhealthy targets")
			require.JSONEq(t, ecs.RedeployDefinition(cluster.Outputs["arn"].(string), p+"-backend-service", alarmNames), machine.Inputs["definition"].(string))
			var definition struct {
				StartAt string `json:"StartAt"`
				States  map[string]struct {
					Type       string         `json:"Type"`
					Resource   string         `json:"Resource"`
					Parameters map[string]any `json:"Parameters"`
					Next       string         `json:"Next"`
					Default    string         `json:"Default"`
					End        bool           `json:"End"`
				} `json:"States"`
			}
			require.NoError(t, json.Unmarshal([]byte(machine.Inputs["definition"].(string)), &definition))
			// The redeploy runs without the alarms (the tasks holding the old
			// password answer 5xx until they are replaced), then puts back
			// exactly what the service is created with.
			first := definition.States[definition.StartAt]
			require.Equal(t, "arn:aws:states:::aws-sdk:ecs:updateService", first.Resource)
			require.Equal(t, true, first.Parameters["ForceNewDeployment"])
			require.Equal(t, p+"-backend-service", first.Parameters["Service"])
			require.Equal(t, cluster.Outputs["arn"], first.Parameters["Cluster"])
			off := first.Parameters["DeploymentConfiguration"].(map[string]any)
			require.Equal(t, map[string]any{"AlarmNames": toAny(alarmNames), "Enable": false, "Rollback": false}, off["Alarms"])
			require.Equal(t, map[string]any{"Enable": true, "Rollback": true}, off["DeploymentCircuitBreaker"], "tasks that do not start are still rolled back")
			last := definition.States["PutBackTheAlarms"]
			require.True(t, last.End)
			require.Nil(t, last.Parameters["ForceNewDeployment"], "putting the alarms back starts no deployment")
			on := last.Parameters["DeploymentConfiguration"].(map[string]any)
			require.Equal(t, map[string]any{"AlarmNames": toAny(alarmNames), "Enable": true, "Rollback": true}, on["Alarms"])
			require.Equal(t, service.Inputs["deploymentMinimumHealthyPercent"], on["MinimumHealthyPercent"])
			require.Equal(t, service.Inputs["deploymentMaximumPercent"], on["MaximumPercent"])
			require.Equal(t, map[string]any{"Enable": service.Inputs["deploymentCircuitBreaker"].(map[string]any)["enable"],
				"Rollback": service.Inputs["deploymentCircuitBreaker"].(map[string]any)["rollback"]}, on["DeploymentCircuitBreaker"])
			require.Equal(t, alarms["enable"], on["Alarms"].(map[string]any)["Enable"])
			require.Equal(t, alarms["rollback"], on["Alarms"].(map[string]any)["Rollback"])
			require.Equal(t, "ReadTheRollout", definition.States["WaitForTheRollout"].Next)
			require.Equal(t, "PutBackTheAlarms", definition.States["RolloutOver"].Default)
			require.Equal(t, map[string]any{
				"level": "ERROR", "includeExecutionData": false,
				"logDestination": previewtest.Named(t, plan, typeLogGroup, p+"-backend-redeploy-logs").Outputs["arn"].(string) + ":*",
			}, machine.Inputs["loggingConfiguration"])

			machineRole := previewtest.Named(t, plan, typeRole, p+"-backend-redeploy-role")
			require.Equal(t, machineRole.Outputs["arn"], machine.Inputs["roleArn"])
			trust, err := policydoc.Parse(machineRole.Inputs["assumeRolePolicy"].(string))
			require.NoError(t, err)
			require.Equal(t, []string{"states.amazonaws.com"}, trust.Statement[0].Principal.Service)
			policy, err := policydoc.Parse(previewtest.Named(t, plan, typeRolePolicy, p+"-backend-redeploy-policy").Inputs["policy"].(string))
			require.NoError(t, err)
			require.Equal(t, []string{"ecs:UpdateService", "ecs:DescribeServices"}, policy.Statement[0].Action)
			require.Equal(t, []string{service.ID}, policy.Statement[0].Resource, "this service only")
			start, err := policydoc.Parse(previewtest.Named(t, plan, typeRolePolicy, p+"-backend-secret-rotated-policy").Inputs["policy"].(string))
			require.NoError(t, err)
			require.Equal(t, []string{"states:StartExecution"}, start.Statement[0].Action)
			require.Equal(t, []string{machine.Outputs["arn"].(string)}, start.Statement[0].Resource)

			_, ok := plan.Named(typeStateMachine, p+"-frontend-redeploy")
			require.False(t, ok, "the frontend reads no secret")
		})
	}
}

// A final snapshot name is used when the resource is deleted. A fixed one
// fails the second deletion of a re-created environment (the first one's
// snapshot exists); the name carries the environment key, new with each
// environment, and stays put while the resource does.
func TestFinalSnapshotNamesNeverRepeatAcrossIncarnations(t *testing.T) {
	t.Parallel()
	first := rds.FinalSnapshotID("ohmycoins-prod-postgres", "arn:aws:kms:ap-southeast-2:1:key/aaaa", "app", "postgres", "")
	require.Equal(t, first, rds.FinalSnapshotID("ohmycoins-prod-postgres", "arn:aws:kms:ap-southeast-2:1:key/aaaa", "app", "postgres", ""), "stable while the instance stays")
	require.NotEqual(t, first, rds.FinalSnapshotID("ohmycoins-prod-postgres", "arn:aws:kms:ap-southeast-2:1:key/bbbb", "app", "postgres", ""), "a re-created environment has a new key")
	require.NotEqual(t, first, rds.FinalSnapshotID("ohmycoins-prod-postgres", "arn:aws:kms:ap-southeast-2:1:key/aaaa", "app2", "postgres", ""), "a replaced instance has a new name")
	require.NotEqual(t, redis.FinalSnapshotID("ohmycoins-prod-redis", "arn:aws:kms:ap-southeast-2:1:key/aaaa", ""),
		redis.FinalSnapshotID("ohmycoins-prod-redis", "arn:aws:kms:ap-southeast-2:1:key/bbbb", ""))
	require.NotEqual(t, redis.FinalSnapshotID("ohmycoins-prod-redis", "arn:aws:kms:ap-southeast-2:1:key/aaaa", ""),
		redis.FinalSnapshotID("ohmycoins-prod-redis", "arn:aws:kms:ap-southeast-2:1:key/aaaa", "ohmycoins-prod-redis-restore"), "a restored group's final snapshot is its own")

	// And the name causes no diff while nothing changes.
	require.True(t, diffAgainst(t, "production").Empty())
}

// A major upgrade is an update of the instance: the new family's parameter
// group is created, the instance moves to it with the new version, and where
// modifications wait for the maintenance window the old group is left in AWS
// (it is still in use until then) instead of failing the update.
func TestAMajorPostgresUpgradeIsAnUpdate(t *testing.T) {
	for _, c := range []struct {
		stack, prefix string
		retained      bool
	}{{"staging", "ohmycoins-staging", false}, {"production", "ohmycoins-prod", true}} {
		t.Run(c.stack, func(t *testing.T) {
			t.Parallel()
			d := diffAgainst(t, c.stack, previewtest.Set("ohmycoins:database", `{"engineVersion": "18"}`))
			db := previewtest.Change(t, d, typeDBInstance, c.prefix+"-postgres")
			require.Equal(t, stackplan.OpUpdate, db.Op)
			require.Equal(t, stackplan.ValueChange{Old: "17", New: "18"}, db.Inputs["engineVersion"])
			require.Equal(t, stackplan.ValueChange{Old: c.prefix + "-postgres17", New: c.prefix + "-postgres18"}, db.Inputs["parameterGroupName"])
			require.Equal(t, stackplan.OpCreate, previewtest.Change(t, d, typeDBParameterGroup, c.prefix+"-postgres18").Op)
			old := previewtest.Change(t, d, typeDBParameterGroup, c.prefix+"-postgres17")
			require.Equal(t, stackplan.OpDelete, old.Op)
			require.Equal(t, c.retained, slices.Contains(old.Notes, "retainOnDelete: it stays in AWS, removed from the stack only"))
			require.Empty(t, d.Blocked())

			plan := previewtest.Stack(t, c.stack).Plan
			require.Equal(t, true, previewtest.Named(t, plan, typeDBInstance, c.prefix+"-postgres").Inputs["allowMajorVersionUpgrade"])
		})
	}
	problems := previewtest.Problems(t, "staging", previewtest.Set("ohmycoins:database", `{"engineVersion": "16"}`))
	previewtest.RequireProblem(t, problems, `ohmycoins:database.engineVersion = "16": must not be lower than 17: RDS cannot downgrade PostgreSQL`)
}

// A replacement whose AWS name or key stays the same is created before the
// original is deleted and collides with it. Each resource the program can
// replace that way either deletes first (a short outage) or changes its name.
func TestReplacementsThatKeepTheirKeyDeleteFirst(t *testing.T) {
	t.Parallel()
	old := previewtest.Stack(t, "production").Plan
	changed := previewtest.CopyPlan(t, old)
	for i := range changed.Resources {
		r := &changed.Resources[i]
		switch {
		case r.Type == typeRepoLifecycle:
			r.Inputs["policy"] = `{"rules":[]}`
		case r.Type == typeFlowLog:
			r.Inputs["maxAggregationInterval"] = 600.0
		case r.Type == typeNat && strings.HasSuffix(r.Name, "-1"):
			r.Inputs["subnetId"] = "subnet-0000000000000000"
		}
	}
	d := stackplan.Diff(changed, old)
	require.Empty(t, d.Blocked(), previewtest.DiffText(d))
	for _, name := range []string{"ohmycoins-prod-backend-lifecycle", "ohmycoins-prod-frontend-lifecycle"} {
		c := previewtest.Change(t, d, typeRepoLifecycle, name)
		require.Equal(t, []string{"policy"}, c.ReplaceBecause)
		require.True(t, c.DeleteFirst, "one policy per repository")
	}
	require.True(t, previewtest.Change(t, d, typeFlowLog, "ohmycoins-prod-flow-logs").DeleteFirst, "one flow log per VPC, traffic type and destination")
	require.True(t, previewtest.Change(t, d, typeNat, "ohmycoins-prod-nat-gateway-1").DeleteFirst, "an Elastic IP serves one NAT gateway")
}

// Task definitions and services start tasks that pull with the execution
// role, log with it and read the secrets: they wait for its policies and for
// the secret's value. RDS and the flow log check their roles when given them.
func TestResourcesWaitForThePermissionsTheyAreGiven(t *testing.T) {
	for _, c := range []struct{ stack, prefix string }{{"staging", "ohmycoins-staging"}, {"production", "ohmycoins-prod"}} {
		t.Run(c.stack, func(t *testing.T) {
			t.Parallel()
			plan := previewtest.Stack(t, c.stack).Plan
			p := c.prefix
			needs := []string{
				previewtest.Named(t, plan, typeAttachment, p+"-ecs-task-execution-policy").URN,
				previewtest.Named(t, plan, typeRolePolicy, p+"-ecs-task-execution-secrets").URN,
				previewtest.Named(t, plan, typeSecretVersion, p+"-app-secrets-version").URN,
			}
			for _, svc := range []string{"backend", "frontend"} {
				for _, r := range []stackplan.Resource{previewtest.Named(t, plan, typeTaskDef, p+"-"+svc), previewtest.Named(t, plan, typeService, p+"-"+svc+"-service")} {
					for _, n := range needs {
						require.Contains(t, r.Dependencies, n, "%s waits for %s", r.Name, n)
					}
				}
			}
			db := previewtest.Named(t, plan, typeDBInstance, p+"-postgres")
			require.Contains(t, db.Dependencies, previewtest.Named(t, plan, typeAttachment, p+"-rds-monitoring-policy").URN)
			if c.stack == "production" {
				require.Contains(t, previewtest.Named(t, plan, typeFlowLog, p+"-flow-logs").Dependencies, previewtest.Named(t, plan, typeRolePolicy, p+"-flow-logs-policy").URN)
			}
		})
	}
}

// In production, what holds data or evidence is protected: logs, the images
// that ran, the access logs; staging's may go with the stack.
func TestProductionProtectsItsEvidence(t *testing.T) {
	for _, c := range []struct {
		stack   string
		protect bool
	}{{"staging", false}, {"production", true}} {
		t.Run(c.stack, func(t *testing.T) {
			t.Parallel()
			result := previewtest.Stack(t, c.stack)
			plan, s := result.Plan, result.Settings
			var checked int
			for _, typ := range []string{typeLogGroup, typeRepository, typeBucket} {
				for _, r := range plan.OfType(typ) {
					require.Equal(t, c.protect, r.Protect, "%s %s", typ, r.Name)
					checked++
				}
			}
			services := s.ServiceList()
			want := 2*len(services) + len(service.DataClients(services)) + 4 // each service's log group and repository, each data client's redeploy log, 2 RDS and 2 Redis logs
			if s.Network.FlowLogs {
				want++
			}
			if s.LoadBalancer.AccessLogs {
				want++ // the access-log bucket
			}
			if s.WAF.Enabled {
				want++ // the web ACL's log group
			}
			require.Equal(t, want, checked, "every log group, repository and bucket")
			require.Equal(t, map[string]bool{"staging": false, "production": true}[c.stack], s.Network.FlowLogs && s.LoadBalancer.AccessLogs)
		})
	}
}

// The frontend is served on every host the load balancer answers but the
// API's: production's apex and www too. The API accepts them all, and a stack
// that lists its own origins is warned about one it forgets.
func TestCORSAcceptsEveryOriginTheFrontendIsServedOn(t *testing.T) {
	t.Parallel()
	backend := previewtest.Containers(t, previewtest.Named(t, previewtest.Stack(t, "production").Plan, typeTaskDef, "ohmycoins-prod-backend"))[0]
	require.Equal(t, "https://ohmycoins.com,https://www.ohmycoins.com,https://dashboard.ohmycoins.com", previewtest.Env(backend)["BACKEND_CORS_ORIGINS"])

	result := previewtest.Stack(t, "production", previewtest.Set("ohmycoins:app", `{"corsOrigins": ["https://dashboard.ohmycoins.com"]}`))
	require.Contains(t, result.Warnings, "ohmycoins:app.corsOrigins does not list https://ohmycoins.com: the frontend is served there, and the API would refuse its requests")
	require.Contains(t, result.Warnings, "ohmycoins:app.corsOrigins does not list https://www.ohmycoins.com: the frontend is served there, and the API would refuse its requests")
}

// The staging stack may change what identifies it, but a deployed staging
// must be destroyed first: the preview says so.
func TestStagingWarnsWhenItsIdentityChanges(t *testing.T) {
	t.Parallel()
	result := previewtest.Stack(t, "staging", previewtest.Set("ohmycoins:network", `{"availabilityZones": ["ap-southeast-2a", "ap-southeast-2c"]}`))
	require.Contains(t, result.Warnings, `ohmycoins:network.availabilityZones = ["ap-southeast-2a","ap-southeast-2c"] differs from the staging preset (["ap-southeast-2a","ap-southeast-2b"]): moving a subnet to another AZ replaces it, and the database's and cache's subnet groups cannot drop the subnets they run in; if staging is deployed with the preset's value, destroy it first (docs/RUNBOOK.md, "Rebuilding staging")`)
	require.Empty(t, previewtest.Stack(t, "production", previewtest.WithImages()).Warnings)
}

// toAny is a []string as JSON decodes it.
func toAny(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}
