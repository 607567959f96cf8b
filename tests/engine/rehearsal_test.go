package engine

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ohmycoins/infra/components/ecs"
	"github.com/ohmycoins/infra/internal/rehearsal"
	"github.com/ohmycoins/infra/internal/simaws"
)

// The RUNBOOK's rehearsed procedures (those with rehearsal rules), run as
// cmd/rehearse runs them: verbatim, through the real CLI, against the
// simulated account, for each stack they apply to.

// rehearsalClock is the rehearsals' time: the automated snapshots' names.
var rehearsalClock = time.Date(2026, 11, 27, 3, 5, 0, 0, time.UTC)

// prefixes are the stacks' name prefixes.
var prefixes = map[string]string{"staging": "ohmycoins-staging", "production": "ohmycoins-prod"}

// serviceContainers are the container definitions of the task definition an
// ECS service runs, a deregistered revision included (a rolled-back service
// runs one).
func (w *world) serviceContainers(name string) string {
	w.t.Helper()
	service := w.holding(typeService, name)
	inactive, err := w.account.Inactive()
	require.NoError(w.t, err)
	for _, td := range append(w.resources(), inactive...) {
		if td.Type == "aws:ecs/taskDefinition:TaskDefinition" && td.Outputs["arn"] == service.Inputs["taskDefinition"] {
			return td.Inputs["containerDefinitions"].(string)
		}
	}
	w.t.Fatalf("%s runs %v, which the account does not hold", name, service.Inputs["taskDefinition"])
	return ""
}

// setUp builds the world a procedure starts from for a stack.
func setUp(t *testing.T, stack, procedure string) (*world, rehearsal.Procedure) {
	t.Helper()
	o := rehearsal.Options{
		Project: projectDir, Stack: stack, Procedure: procedure,
		PulumiCLI: cli(t), Bin: standins(t), Root: t.TempDir(), Now: rehearsalClock,
	}
	data, err := os.ReadFile(filepath.Join(projectDir, "docs", "RUNBOOK.md"))
	require.NoError(t, err)
	procedures, err := rehearsal.Procedures(string(data))
	require.NoError(t, err)
	if p, err := rehearsal.Find(procedures, procedure); err == nil && p.Rules.StartsFrom == rehearsal.StartsFromTerraform {
		o.TerraformState = filepath.Join(projectDir, "internal", "migrate", "testdata", "terraform", stack+".json")
	}
	rw, p, err := rehearsal.Setup(o)
	require.NoError(t, err)
	return &world{t: t, dir: rw.Dir, account: rw.Account, accountDir: rw.AccountDir, env: rw.Env, rehearsal: rw}, p
}

// perform runs the procedure in the world and returns its report.
func (w *world) perform(p rehearsal.Procedure, stack string) *rehearsal.Report {
	w.t.Helper()
	var log strings.Builder
	report, err := w.rehearsal.Perform(p, stack, &log)
	require.NoError(w.t, err)
	if w.t.Failed() || !report.Completed {
		w.t.Logf("the rehearsal's log:\n%s", tail(log.String(), 80))
	}
	return report
}

// ids are the type and id of each resource, sorted.
func ids(resources []simaws.Resource) []string {
	var out []string
	for _, r := range resources {
		out = append(out, r.Type+" "+r.ID)
	}
	slices.Sort(out)
	return out
}

// reach traces the world's hosts.
func reach(t *testing.T, w *world) rehearsal.Reach {
	t.Helper()
	r, err := w.rehearsal.Reach()
	require.NoError(t, err)
	return r
}

// movingFromTerraform is the procedure that starts from the original
// environment; it, and the ways back from it, take the fixtures' states.
const movingFromTerraform = "moving-from-terraform-the-original-environments"

// procedureChecks are what each rehearsed procedure must leave behind,
// besides completing, losing nothing it does not announce and being
// reachable outside its windows.
var procedureChecks = map[string]func(t *testing.T, w *world, stack string, r *rehearsal.Report, before []simaws.Resource){
	"restoring-the-database": func(t *testing.T, w *world, stack string, r *rehearsal.Report, before []simaws.Resource) {
		prefix := prefixes[stack]
		db := w.holding("aws:rds/instance:Instance", prefix+"-postgres")
		i := slices.IndexFunc(before, func(r simaws.Resource) bool { return r.ID == db.ID && r.Type == db.Type })
		require.Less(t, before[i].Serial, db.Serial, "a new incarnation under the same identifier")
		require.True(t, r.Steps[2].OK, "the snapshot is of the major version the database runs")
		require.GreaterOrEqual(t, r.Steps[8].Changes.Replace, 1, "step 9 replaces it")
		require.Equal(t, "rds:"+prefix+"-postgres-2026-11-27-03-05", db.Inputs["snapshotIdentifier"], "restored from the newest automated snapshot")
		require.Equal(t, stack == "production", db.Inputs["deletionProtection"], "protected again where it was")
		require.Empty(t, r.Lost)
		require.Equal(t, []rehearsal.Span{}, r.Unreachable, "the services never lose their route")
		w.pulumi("", "preview", "--stack", stack, "--expect-no-changes")
	},
	"restoring-in-another-region": func(t *testing.T, w *world, stack string, r *rehearsal.Report, before []simaws.Resource) {
		require.Equal(t, []string{"ap-southeast-2"}, r.Outage)
		require.Empty(t, r.Unrecovered)
		source := w.holding("aws:rds/instance:Instance", "ohmycoins-prod-postgres")
		require.Equal(t, "ap-southeast-2", source.Region, "production's database is where it was, in the region that is down")
		restored := w.holding("aws:rds/instance:Instance", "ohmycoins-dr-postgres")
		require.Equal(t, "ap-southeast-4", restored.Region)
		require.Equal(t, source.Data, restored.Data, "production's data")
		require.Equal(t, "ohmycoins-dr-restored-own-key", restored.Inputs["snapshotIdentifier"])
		key := w.holding("aws:kms/key:Key", "ohmycoins-dr-key")
		require.Equal(t, key.Outputs["arn"], restored.Inputs["kmsKeyId"], "under its own environment's key")
		require.Equal(t, true, restored.Inputs["deletionProtection"], "a production environment's database")
		require.False(t, slices.ContainsFunc(w.resources(), func(r simaws.Resource) bool { return r.ID == "ohmycoins-dr-restore" }), "the temporary instance is gone")
		require.Equal(t, rehearsal.Reach{"ohmycoins.com": "", "www.ohmycoins.com": "", "api.ohmycoins.com": "", "dashboard.ohmycoins.com": ""}, reach(t, w), "the new environment serves every host")
		require.Equal(t, []rehearsal.Span{{From: 1, To: 13}}, r.Unreachable, "down until the second up (step 14)")
		inTheRegionDown := func(resources []simaws.Resource) map[string]bool {
			out := map[string]bool{}
			for _, res := range resources {
				if res.Region == "ap-southeast-2" && strings.HasPrefix(res.Type, "aws:") { // a Docker build has no region
					out[fmt.Sprintf("%s %s %d", res.Type, res.ID, res.Serial)] = true
				}
			}
			return out
		}
		was, is := inTheRegionDown(before), inTheRegionDown(w.resources())
		require.Len(t, is, len(was), "nothing of ap-southeast-2 changed")
		for res := range was {
			require.True(t, is[res], "%s is still there, untouched", res)
		}
		w.pulumi("", "preview", "--stack", "production-dr", "--expect-no-changes")
	},
	"the-database-password-rotates-by-itself": func(t *testing.T, w *world, stack string, r *rehearsal.Report, before []simaws.Resource) {
		prefix := prefixes[stack]
		secret := strings.TrimSpace(w.stdout("", "stack", "output", "--stack", stack, "db_master_secret_arn"))
		rotation, err := w.account.DescribeSecret("ap-southeast-2", secret)
		require.NoError(t, err)
		require.Equal(t, 1, rotation.Count, "rotated once")
		require.Contains(t, r.Steps[3].Output, `"status": "SUCCEEDED"`, "the redeploy ran and ended")
		require.Contains(t, r.Steps[4].Output, `"rollout": "COMPLETED"`)
		service := w.holding(typeService, prefix+"-backend-service")
		rollouts, err := w.account.Rollouts("ap-southeast-2", service.ID)
		require.NoError(t, err)
		last := rollouts[len(rollouts)-1]
		require.Equal(t, "COMPLETED", last.State, last.Reason)
		require.Equal(t, 1, last.Secrets[secret], "the backend's tasks read the new password")
		require.Equal(t, map[string]any{"alarmNames": []any{prefix + "-alb-high-5xx-errors", prefix + "-alb-unhealthy-targets"}, "enable": true, "rollback": true},
			service.Inputs["alarms"], "the alarms are back as the program sets them")
		require.Equal(t, rehearsal.Changes{}, r.Steps[5].Changes, "the refreshed preview proposes nothing")
		require.Empty(t, r.Lost)
		require.Equal(t, []rehearsal.Span{}, r.Unreachable, "the sites stay up")
	},
	"restoring-the-cache": func(t *testing.T, w *world, stack string, r *rehearsal.Report, before []simaws.Resource) {
		prefix := prefixes[stack]
		group := w.holding("aws:elasticache/replicationGroup:ReplicationGroup", prefix+"-redis")
		i := slices.IndexFunc(before, func(r simaws.Resource) bool { return r.ID == group.ID && r.Type == group.Type })
		require.Less(t, before[i].Serial, group.Serial, "a new incarnation under the same id")
		require.Equal(t, before[i].Data, group.Data, "it holds the data of the group it replaced, through the copied snapshot")
		require.Equal(t, prefix+"-redis-restore-2026-11-27", group.Inputs["snapshotName"])
		snapshots, err := w.account.Snapshots()
		require.NoError(t, err)
		var names []string
		for _, s := range snapshots {
			if s.Type == "elasticache" {
				names = append(names, s.Identifier)
			}
		}
		want := []string{prefix + "-redis-restore-2026-11-27"} // the automatic one went with the group
		if stack == "production" {
			require.Len(t, names, 2, "and production's final snapshot: %v", names)
			require.Regexp(t, `^ohmycoins-prod-redis-final-[0-9a-f]{8}$`, names[1])
			names = names[:1]
		}
		require.Equal(t, want, names)
		require.Empty(t, r.Lost)
		w.pulumi("", "preview", "--stack", stack, "--expect-no-changes")
	},
	"a-new-environment-the-first-pulumi-up": func(t *testing.T, w *world, stack string, r *rehearsal.Report, before []simaws.Resource) {
		prefix := prefixes[stack]
		require.Empty(t, before, "the account held nothing")
		require.Greater(t, r.Steps[0].Changes.Create, 100)
		for _, svc := range []string{"backend", "frontend"} {
			require.Equal(t, 0.0, w.holding(typeService, prefix+"-"+svc+"-service").Inputs["desiredCount"], "no task before its first image")
			w.holding("aws:ecr/repository:Repository", prefix+"-"+svc)
		}
		require.Equal(t, []rehearsal.Span{}, r.Unreachable, "nothing served before, nothing promised after")
	},
	"promoting-an-image": func(t *testing.T, w *world, stack string, r *rehearsal.Report, before []simaws.Resource) {
		images, err := w.account.Images("ap-southeast-2", "ohmycoins-prod-backend")
		require.NoError(t, err)
		require.Contains(t, images, simaws.Image{Digest: rehearsal.NewerImage, Tags: []string{"promoted-" + strings.TrimPrefix(rehearsal.NewerImage, "sha256:")}}, "copied under its digest")
		require.Contains(t, w.serviceContainers("ohmycoins-prod-backend-service"), "220711411889.dkr.ecr.ap-southeast-2.amazonaws.com/ohmycoins-prod-backend@"+rehearsal.NewerImage, "production runs what staging ran, from its own repository")
		require.Equal(t, rehearsal.Changes{Update: 1, Replace: 1}, r.Steps[4].Changes, "a task definition revision (the family's next), and the service moved to it")
		require.Equal(t, []rehearsal.Span{}, r.Unreachable)
		log, err := w.rehearsal.Run("git", "log", "-1", "--format=%s")
		require.NoError(t, err)
		require.Equal(t, "production: promote backend "+rehearsal.NewerImage+"\n", log)
	},
	"when-a-deployment-rolls-back": func(t *testing.T, w *world, stack string, r *rehearsal.Report, before []simaws.Resource) {
		prefix := prefixes[stack]
		require.Contains(t, r.Steps[0].Output, "FAILED", "describe-services shows the failed deployment")
		require.Contains(t, r.Steps[0].Output, "ECS deployment circuit breaker: tasks of 220711411889.dkr.ecr.ap-southeast-2.amazonaws.com/"+prefix+"-backend@"+rehearsal.FailingImage+" fail their health checks")
		require.Contains(t, r.Steps[0].Output, "rolled back to the previous task definition")
		require.True(t, r.Steps[2].ExpectedToFail, "the preview shows the service off the program's task definition")
		require.Contains(t, w.serviceContainers(prefix+"-backend-service"), "@"+rehearsal.RunningImage, "the reverted digest runs, on the program's task definition")
		require.Equal(t, []rehearsal.Span{}, r.Unreachable, "the old tasks served throughout")
	},
	"destroying-staging": func(t *testing.T, w *world, stack string, r *rehearsal.Report, before []simaws.Resource) {
		require.Empty(t, w.held(), "nothing of staging is left")
		require.Equal(t, []rehearsal.Span{{From: 1, To: 1}}, r.Unreachable)
		require.Contains(t, r.Lost, rehearsal.Lost{Type: "aws:cloudwatch/logGroup:LogGroup", Name: "/ecs/ohmycoins-staging-backend"}, "its logs go, as announced")
	},
	"tearing-production-down": func(t *testing.T, w *world, stack string, r *rehearsal.Report, before []simaws.Resource) {
		require.Empty(t, w.held(), "nothing of production is left: the parameter groups went last")
		snapshots, err := w.account.Snapshots()
		require.NoError(t, err)
		var names []string
		for _, s := range snapshots {
			names = append(names, s.Identifier)
		}
		require.Len(t, names, 3)
		require.Contains(t, names, "rds:ohmycoins-prod-postgres-2026-11-27-03-05", "the retained automated snapshot")
		require.True(t, slices.ContainsFunc(names, func(n string) bool { return strings.HasPrefix(n, "ohmycoins-prod-postgres-final-") }), "%v", names)
		require.True(t, slices.ContainsFunc(names, func(n string) bool { return strings.HasPrefix(n, "ohmycoins-prod-redis-final-") }), "%v", names)
		for _, l := range r.Lost {
			require.NotContains(t, []string{"aws:rds/instance:Instance", "aws:elasticache/replicationGroup:ReplicationGroup", "aws:secretsmanager/secret:Secret"}, l.Type, "kept: snapshots, the secret's recovery window")
		}
		require.Equal(t, []rehearsal.Span{{From: 5, To: 9}}, r.Unreachable, "from the repositories' deletion on")
	},
	"rebuilding-staging": func(t *testing.T, w *world, stack string, r *rehearsal.Report, before []simaws.Resource) {
		require.Equal(t, "10.20.0.0/16", w.holding("aws:ec2/vpc:Vpc", "ohmycoins-staging-vpc").Inputs["cidrBlock"])
		require.Equal(t, []rehearsal.Span{{From: 1, To: 11}}, r.Unreachable, "down from the destroy on, until its images are deployed again")
		require.Equal(t, 0.0, w.holding(typeService, "ohmycoins-staging-backend-service").Inputs["desiredCount"], "waiting for its first image")
	},
	"putting-back-what-drifted": func(t *testing.T, w *world, stack string, r *rehearsal.Report, before []simaws.Resource) {
		prefix := prefixes[stack]
		require.True(t, r.Steps[0].ExpectedToFail, "the refreshed preview finds the drift")
		require.Equal(t, rehearsal.Changes{Update: 1}, r.Steps[1].Changes, "pulumi up --refresh puts back the one drifted input")
		i := slices.IndexFunc(before, func(r simaws.Resource) bool { return r.Name == prefix+"-backend-logs" })
		require.Equal(t, 1.0, before[i].Inputs["retentionInDays"], "the rehearsal started from the drift")
		require.Equal(t, map[string]float64{"staging": 7, "production": 30}[stack], w.holding("aws:cloudwatch/logGroup:LogGroup", prefix+"-backend-logs").Inputs["retentionInDays"])
	},
	movingFromTerraform: func(t *testing.T, w *world, stack string, r *rehearsal.Report, before []simaws.Resource) {
		prefix := prefixes[stack]
		original := slices.IndexFunc(before, func(r simaws.Resource) bool {
			return r.Type == "aws:rds/instance:Instance" && r.ID == prefix+"-postgres"
		})
		require.GreaterOrEqual(t, original, 0)
		db := w.holding("aws:rds/instance:Instance", prefix+"-postgres")
		require.Equal(t, before[original].Data, db.Data, "the program's database holds the original's data, through the final snapshot and its copy")
		require.Equal(t, prefix+"-postgres-to-pulumi-"+prefix+"-key", db.Inputs["snapshotIdentifier"])
		cache := w.holding("aws:elasticache/replicationGroup:ReplicationGroup", prefix+"-redis")
		require.Equal(t, prefix+"-redis-to-pulumi", cache.Inputs["snapshotName"])
		require.Empty(t, r.Lost)
		for _, res := range w.resources() {
			if strings.HasPrefix(res.Name, "module.") || strings.HasPrefix(res.Name, "aws_") {
				require.Equal(t, "aws:cloudwatch/logGroup:LogGroup", res.Type, "terraform destroy left only the kept logs of the original: %s %s", res.Type, res.Name)
			}
		}
		w.pulumi("", "preview", "--stack", stack, "--expect-no-changes")
		if stack == "staging" {
			alb := w.holding("aws:lb/loadBalancer:LoadBalancer", "ohmycoins-staging-alb")
			require.Equal(t, "arn:aws:elasticloadbalancing:ap-southeast-2:220711411889:loadbalancer/app/ohmycoins-staging-alb/c06cc1eb8435eae3", alb.ID, "adopted, not replaced")
			require.NotContains(t, alb.Inputs["securityGroups"], "sg-42ae139e2c8be82b0", "it moved to the program's group in the window")
			require.Equal(t, []rehearsal.Span{}, r.Unreachable, "staging's original runs no task: nothing to lose")
			snapshots, err := w.account.Snapshots()
			require.NoError(t, err)
			require.True(t, slices.ContainsFunc(snapshots, func(s simaws.Snapshot) bool { return s.Identifier == "ohmycoins-staging-postgres-terraform-final" }), "the renamed original leaves its final snapshot")
			return
		}
		require.Equal(t, []rehearsal.Span{{From: 24, To: 43}}, r.Unreachable, "from the writers' stop until the alias records move")
		require.Equal(t, rehearsal.Reach{"ohmycoins.com": "", "www.ohmycoins.com": "", "api.ohmycoins.com": "", "dashboard.ohmycoins.com": ""}, reach(t, w), "served by the program's tasks")
		for i, eip := range []string{"eipalloc-7e646d996294238f7", "eipalloc-68431e2b2a5d7b225", "eipalloc-b83e1ff1ffcb2aa44"} {
			nat := w.holding("aws:ec2/natGateway:NatGateway", fmt.Sprintf("ohmycoins-prod-nat-gateway-%d", i+1))
			require.Equal(t, eip, nat.Inputs["allocationId"], "the egress addresses exchanges allow-list stay the same")
		}
	},
	"after-the-import-step-4": func(t *testing.T, w *world, stack string, r *rehearsal.Report, before []simaws.Resource) {
		require.Equal(t, ids(before), ids(w.resources()), "the import changed nothing in AWS, nor does its way back")
		require.Equal(t, ids(w.rehearsal.Seeded), ids(w.resources()))
		require.NotContains(t, w.pulumi("", "stack", "export", "--stack", stack), `"custom": true`, "the stack stays, holding no resource")
		out := w.pulumi("", "config", "get", "--stack", stack, "ohmycoins:accountId")
		require.Equal(t, "220711411889", strings.TrimSpace(out), "its configuration stays")
		require.Equal(t, []rehearsal.Span{}, r.Unreachable)
	},
	"after-the-first-pulumi-up-step-5": func(t *testing.T, w *world, stack string, r *rehearsal.Report, before []simaws.Resource) {
		require.Equal(t, ids(w.rehearsal.Seeded), ids(w.resources()), "the original, and nothing of the program")
		var lost []string
		for _, l := range r.Lost {
			lost = append(lost, l.Type+" "+l.Name)
		}
		prefix := prefixes[stack]
		for _, l := range lost {
			require.Regexp(t, `^aws:(ecr/repository:Repository `+prefix+`-(backend|frontend)|cloudwatch/logGroup:LogGroup (/ecs/`+prefix+`-(backend|frontend)|/aws/vendedlogs/states/`+prefix+`-backend-redeploy|aws-waf-logs-`+prefix+`)|s3/bucketV2:BucketV2 `+prefix+`-alb-logs)$`, l,
				"only what the program built since step 5 is gone")
		}
		if stack == "production" {
			require.Equal(t, rehearsal.Reach{"ohmycoins.com": "", "www.ohmycoins.com": "", "api.ohmycoins.com": "", "dashboard.ohmycoins.com": ""}, reach(t, w), "the original serves throughout")
		}
		require.Equal(t, []rehearsal.Span{}, r.Unreachable)
	},
	"after-the-cutover-window-steps-6-and-7": func(t *testing.T, w *world, stack string, r *rehearsal.Report, before []simaws.Resource) {
		prefix := prefixes[stack]
		byID := func(resources []simaws.Resource, typ, id string) simaws.Resource {
			i := slices.IndexFunc(resources, func(r simaws.Resource) bool { return r.Type == typ && r.ID == id })
			require.GreaterOrEqual(t, i, 0, "%s %s", typ, id)
			return resources[i]
		}
		const typeDB = "aws:rds/instance:Instance"
		program, original := byID(before, typeDB, prefix+"-postgres"), byID(w.resources(), typeDB, prefix+"-postgres")
		require.Less(t, program.Serial, original.Serial, "a new incarnation under the original's identifier")
		require.Equal(t, program.Data, original.Data, "it holds everything the program's database held")
		require.NotEqual(t, program.Inputs["kmsKeyId"], original.Inputs["kmsKeyId"], "under the original's key, not the program's")
		require.Equal(t, ids(w.rehearsal.Seeded), ids(w.resources()), "the original, and nothing of the program")
		for _, l := range r.Lost {
			require.Regexp(t, `^aws:(ecr/repository:Repository|cloudwatch/logGroup:LogGroup|s3/bucketV2:BucketV2) `, l.Type+" "+l.Name, "only what the program built is gone")
		}
		plan := slices.IndexFunc(r.Steps, func(s rehearsal.Step) bool { return s.Command == "terraform plan -detailed-exitcode" })
		require.GreaterOrEqual(t, plan, 0)
		require.True(t, r.Steps[plan].OK, "the original is whole again: %s", r.Steps[plan].Error)
		if stack == "production" {
			require.Equal(t, rehearsal.Reach{"ohmycoins.com": "", "www.ohmycoins.com": "", "api.ohmycoins.com": "", "dashboard.ohmycoins.com": ""}, reach(t, w), "the original serves again")
		}
	},
	"moving-the-bootstrap-state-into-the-bucket": func(t *testing.T, w *world, stack string, r *rehearsal.Report, before []simaws.Resource) {
		moved, err := filepath.Glob(filepath.Join(w.rehearsal.Bucket(), ".pulumi", "stacks", "ohmycoins-state", "state.json"))
		require.NoError(t, err)
		require.Len(t, moved, 1, "the stack is in the bucket")
		require.Equal(t, ids(before), ids(w.resources()), "the move changed nothing in AWS")
		require.Contains(t, r.Steps[8].Command, "get-bucket-versioning")
	},
	"ci-identity-github-actions": func(t *testing.T, w *world, stack string, r *rehearsal.Report, before []simaws.Resource) {
		providers := 0
		for _, res := range w.resources() {
			if res.Type == "aws:iam/openIdConnectProvider:OpenIdConnectProvider" {
				providers++
			}
		}
		require.Equal(t, 1, providers, "AWS keeps the one provider")
		require.NotContains(t, w.stateURNs("", stack), oidcURN)
		require.True(t, slices.ContainsFunc(w.stateURNs("bootstrap", "state"), func(urn string) bool {
			return strings.HasSuffix(urn, "aws:iam/openIdConnectProvider:OpenIdConnectProvider::ohmycoins-github-oidc")
		}), "adopted by the account-level program")
		w.pulumi("", "preview", "--stack", stack, "--expect-no-changes")
		w.pulumi("bootstrap", "preview", "--stack", "state", "--expect-no-changes")
	},
	"upgrading-postgresql-major-version": func(t *testing.T, w *world, stack string, r *rehearsal.Report, before []simaws.Resource) {
		prefix := prefixes[stack]
		db := w.holding("aws:rds/instance:Instance", prefix+"-postgres")
		require.Equal(t, "18", db.Inputs["engineVersion"])
		require.Equal(t, prefix+"-postgres18", db.Inputs["parameterGroupName"])
		require.False(t, slices.Contains(w.held(), "aws:rds/parameterGroup:ParameterGroup "+prefix+"-postgres17"), "the old family's group is gone")
		require.Equal(t, map[string]int{"staging": 3, "production": 5}[stack], len(r.Steps))
		require.Equal(t, []rehearsal.Span{}, r.Unreachable)
	},
}

// TestEveryRehearsedProcedureCompletesAndLosesNothing: every procedure of
// docs/RUNBOOK.md with rehearsal rules, for every stack it names, runs to
// its end, loses no data it does not announce, is unreachable only inside
// its announced windows, and leaves what procedureChecks says.
func TestEveryRehearsedProcedureCompletesAndLosesNothing(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(projectDir, "docs", "RUNBOOK.md"))
	require.NoError(t, err)
	procedures, err := rehearsal.Procedures(string(data))
	require.NoError(t, err)
	for _, p := range procedures {
		check, ok := procedureChecks[p.Slug]
		require.True(t, ok, "%q is rehearsed: say in procedureChecks what it leaves behind", p.Title)
		for _, stack := range p.Rules.Stacks {
			t.Run(p.Slug+"/"+stack, func(t *testing.T) {
				t.Parallel()
				w, q := setUp(t, stack, p.Slug)
				before := w.resources()
				report := w.perform(q, stack)
				require.True(t, report.Completed, "%v", report.Faults())
				require.Empty(t, report.Faults())
				check(t, w, stack, report, before)
			})
		}
	}
}

// TestARehearsalFindsTheOldRestore: the restore as the RUNBOOK once wrote
// it, a plain `up --replace` of the database without deleting first, fails
// its rehearsal: AWS refuses the successor's identifier, the original
// stays, nothing is lost.
func TestARehearsalFindsTheOldRestore(t *testing.T) {
	t.Parallel()
	w, p := setUp(t, "production", "restoring-the-database")
	original := w.holding("aws:rds/instance:Instance", "ohmycoins-prod-postgres")
	p.Commands = slices.Delete(p.Commands, 3, 6) // without lifting protection and deleting first
	require.Contains(t, p.Commands[5], "--replace")
	report := w.perform(p, "production")
	require.False(t, report.Completed)
	faults := report.Faults()
	require.Len(t, faults, 1, "%v", faults)
	require.Contains(t, faults[0], "step 6 (pulumi up --stack production --replace '<the database URN>') failed")
	require.Contains(t, report.Steps[5].Error, "AlreadyExists")
	require.Equal(t, original.Serial, w.holding("aws:rds/instance:Instance", "ohmycoins-prod-postgres").Serial, "the original stays")
	require.Empty(t, report.Lost)
}

// TestARestoreStopsAtASnapshotOfAnotherMajorVersion: the newest automated
// snapshot taken on PostgreSQL 16 (before an upgrade) stops the restore at
// its check, before anything changes: the database stays as it is.
func TestARestoreStopsAtASnapshotOfAnotherMajorVersion(t *testing.T) {
	t.Parallel()
	w, p := setUp(t, "staging", "restoring-the-database")
	original := w.holding("aws:rds/instance:Instance", "ohmycoins-staging-postgres")
	require.NoError(t, w.account.SeedSnapshot(simaws.Snapshot{Type: "rds", Identifier: "rds:ohmycoins-staging-postgres-2026-11-28-03-05",
		Source: original.ID, KMSKeyID: original.Inputs["kmsKeyId"].(string), EngineVersion: "16.4"}))
	report := w.perform(p, "staging")
	require.False(t, report.Completed)
	require.Contains(t, report.Steps[2].Command, "jq -e")
	require.False(t, report.Steps[2].OK, "the check stops it")
	require.Equal(t, "false", strings.TrimSpace(report.Steps[2].Output), "16 is not 17: %s", report.Steps[2].Error)
	require.Len(t, report.Steps, 3, "nothing after it runs")
	require.Equal(t, original.Serial, w.holding("aws:rds/instance:Instance", "ohmycoins-staging-postgres").Serial, "the database stays")
	require.Empty(t, report.Lost)
}

// TestARehearsalFindsAPromotionWithoutItsCopy: production set to staging's
// digest without copying it into its own repository: the new tasks cannot
// pull it, ECS rolls back, `pulumi up` succeeds, and production runs the old
// image (the rehearsal's trace still reaches the old tasks); only the next
// preview shows it.
func TestARehearsalFindsAPromotionWithoutItsCopy(t *testing.T) {
	t.Parallel()
	w, p := setUp(t, "production", "promoting-an-image")
	require.Contains(t, p.Commands[1], "crane")
	p.Commands = slices.Delete(p.Commands, 1, 2)
	report := w.perform(p, "production")
	require.True(t, report.Completed, "pulumi up succeeds: %v", report.Faults())
	require.Contains(t, w.serviceContainers("ohmycoins-prod-backend-service"), "@"+rehearsal.RunningImage, "ECS rolled back: the service runs the old image")
	_, err := w.try("", "preview", "--stack", "production", "--expect-no-changes")
	require.Error(t, err, "the next preview finds the service on the old task definition")
}

// TestARehearsalFindsARotationRolledBackOntoTheOldPassword: the redeploy as
// the program once defined it, a forced deployment that its alarms watch:
// the tasks that still hold the old password trip the 5xx alarm, ECS rolls
// back onto them, the execution succeeds, and the api is down (its tasks
// cannot connect) from the rotation on.
func TestARehearsalFindsARotationRolledBackOntoTheOldPassword(t *testing.T) {
	t.Parallel()
	w, p := setUp(t, "staging", "the-database-password-rotates-by-itself")
	machine := w.holding("aws:sfn/stateMachine:StateMachine", "ohmycoins-staging-backend-redeploy")
	cluster := w.holding("aws:ecs/cluster:Cluster", "ohmycoins-staging-cluster")
	require.NoError(t, w.account.Drift("ap-southeast-2", machine.Type, machine.ID, map[string]any{
		"definition": ecs.RedeployDefinition(cluster.Outputs["arn"].(string), "ohmycoins-staging-backend-service", nil),
	}))
	report := w.perform(p, "staging")
	require.Contains(t, report.Steps[3].Output, `"status": "SUCCEEDED"`, "the execution succeeds")
	require.Contains(t, report.Steps[4].Output, `"rollout": "COMPLETED"`, "and ECS reports a completed deployment: the rollback")
	require.Equal(t, []rehearsal.Span{{From: 2, To: 6}}, report.Unreachable, "the api is down from the rotation on: %v", report.Faults())
	require.Contains(t, strings.Join(report.Faults(), "\n"), "before it rotated")
}

// TestAWayBackAfterTheWindowFindsTheLoadBalancersGroups: staging's way
// back after the window without --target-dependents stops at forgetting
// what the stack adopted: since the window the adopted load balancer uses the
// program's security group and target groups, which depend on the adopted
// VPC, so Pulumi refuses to forget it, before Terraform has run.
func TestAWayBackAfterTheWindowFindsTheLoadBalancersGroups(t *testing.T) {
	t.Parallel()
	w, p := setUp(t, "staging", "after-the-cutover-window-steps-6-and-7")
	i := slices.IndexFunc(p.Commands, func(c string) bool { return strings.Contains(c, "--target-dependents") })
	require.GreaterOrEqual(t, i, 0)
	p.Commands[i] = strings.Replace(p.Commands[i], " --target-dependents", "", 1)
	report := w.perform(p, "staging")
	require.False(t, report.Completed)
	last := report.Steps[len(report.Steps)-1]
	require.Equal(t, i+1, last.N, "it stops there")
	require.Contains(t, last.Error, "can't be safely deleted because the following resources depend on it")
	require.Len(t, report.Faults(), 1, "nothing lost but what the procedure discards: %v", report.Faults())
}

// TestARehearsalFindsTheFaultsItsProceduresWereFixedFor: each procedure
// with the lines it gained taken out again fails its rehearsal where it
// failed before: production's teardown stops at its repositories, which
// hold images; staging's rebuild asks its new, empty repositories for the
// digests the destroy took with it.
func TestARehearsalFindsTheFaultsItsProceduresWereFixedFor(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ stack, procedure, without, failing, because string }{
		{"production", "tearing-production-down", "aws ecr delete-repository", "pulumi destroy --stack production", "RepositoryNotEmptyException"},
		{"staging", "rebuilding-staging", ".imageDigest'", "pulumi up --stack staging", "CannotPullContainerError"},
	} {
		t.Run(c.procedure, func(t *testing.T) {
			t.Parallel()
			w, p := setUp(t, c.stack, c.procedure)
			n := len(p.Commands)
			p.Commands = slices.DeleteFunc(p.Commands, func(command string) bool { return strings.Contains(command, c.without) })
			require.Equal(t, n-2, len(p.Commands), "two lines taken out")
			report := w.perform(p, c.stack)
			require.False(t, report.Completed)
			last := report.Steps[len(report.Steps)-1]
			require.Equal(t, c.failing, last.Command)
			require.False(t, last.OK)
			require.Contains(t, last.Error, c.because)
		})
	}
}

// TestARehearsalFindsACacheRestoreThatLosesTheCache: the cache's restore
// without its copy step, in staging (no final snapshot): the group is
// deleted first, its automatic snapshot goes with it, the restore finds no
// snapshot, and the rehearsal reports the cache's data lost.
func TestARehearsalFindsACacheRestoreThatLosesTheCache(t *testing.T) {
	t.Parallel()
	w, p := setUp(t, "staging", "restoring-the-cache")
	require.Contains(t, p.Commands[1], "aws elasticache copy-snapshot")
	p.Commands = slices.Delete(p.Commands, 1, 2)
	report := w.perform(p, "staging")
	require.False(t, report.Completed)
	require.Contains(t, report.Steps[4].Error, "SnapshotNotFoundFault", "the restore finds no snapshot")
	require.Equal(t, []rehearsal.Lost{{Type: "aws:elasticache/replicationGroup:ReplicationGroup", Name: "ohmycoins-staging-redis"}}, report.Lost)
	require.Contains(t, report.Faults(), "lost: aws:elasticache/replicationGroup:ReplicationGroup ohmycoins-staging-redis exists nowhere any more (no resource, no snapshot, no copy)")
}

// TestARehearsalFindsTheMoveAsItWasWritten: staging's move with the
// Redis snapshot taken from production's replica name (-002), as step 2
// read before: staging's one node is -001, and the step fails before
// anything changes.
func TestARehearsalFindsTheMoveAsItWasWritten(t *testing.T) {
	t.Parallel()
	w, p := setUp(t, "staging", movingFromTerraform)
	require.Contains(t, p.Commands[5], "--cache-cluster-id ohmycoins-staging-redis-001")
	p.Commands[5] = strings.Replace(p.Commands[5], "ohmycoins-staging-redis-001", "ohmycoins-staging-redis-002", 1)
	report := w.perform(p, "staging")
	require.False(t, report.Completed)
	require.Len(t, report.Steps, 6)
	require.Contains(t, report.Steps[5].Error, "CacheCluster ohmycoins-staging-redis-002 not found.")
	require.Empty(t, report.Lost)
}

// TestARestoreInAnotherRegionAsFirstWrittenFailsInTheOutage: the restore
// in another region as the RUNBOOK first wrote it, the new stack
// replicating back to ap-southeast-2 from its first `pulumi up`, fails
// there: the replication's key would be created in the region that is
// down. The data is out of it already (the temporary instance of step 3
// holds it), and an outage loses nothing.
func TestARestoreInAnotherRegionAsFirstWrittenFailsInTheOutage(t *testing.T) {
	t.Parallel()
	w, p := setUp(t, "production", "restoring-in-another-region")
	i := slices.IndexFunc(p.Commands, func(c string) bool { return strings.Contains(c, "--plaintext ohmycoins:dr.region= ") })
	require.GreaterOrEqual(t, i, 0)
	p.Commands[i] = strings.Replace(p.Commands[i], "--plaintext ohmycoins:dr.region= ", "--plaintext ohmycoins:dr.region=ap-southeast-2 ", 1)
	report := w.perform(p, "production")
	require.False(t, report.Completed)
	last := report.Steps[len(report.Steps)-1]
	require.Contains(t, last.Command, "pulumi up --stack production-dr --exclude-dependents")
	require.Contains(t, last.Error, "the endpoints of ap-southeast-2 do not answer")
	require.Empty(t, report.Unrecovered, "the temporary instance holds production's data")
	require.Empty(t, report.Lost, "an outage loses nothing: the region comes back with it")
	require.Len(t, report.Faults(), 1, "the failed step only")
}
