package rehearsal

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/stretchr/testify/require"

	"github.com/ohmycoins/infra/internal/awscli"
	"github.com/ohmycoins/infra/internal/simaws"
	"github.com/ohmycoins/infra/internal/simprovider"
	"github.com/ohmycoins/infra/internal/tfstate"
)

// seeded is an account holding the original environment of a fixture.
func seeded(t *testing.T, stack string) (*World, []simaws.Resource) {
	t.Helper()
	project, err := filepath.Abs("../..")
	require.NoError(t, err)
	path := filepath.Join(project, "internal", "migrate", "testdata", "terraform", stack+".json")
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	state, err := tfstate.Parse(path, data)
	require.NoError(t, err)
	dir := t.TempDir()
	account, err := simaws.Open(dir)
	require.NoError(t, err)
	w := &World{Account: account, AccountDir: dir, TerraformDir: t.TempDir()}
	_, err = w.SeedTerraform(project, stack, state, path)
	require.NoError(t, err)
	resources, err := account.Resources()
	require.NoError(t, err)
	return w, resources
}

// TestTheSeededOriginalServesAsItDoesToday: production's original, seeded
// from its state, answers on its four names through its own load balancer,
// listener rule and tasks (images in the repositories its workflow pushed
// to); staging's runs no task (its desired counts are 0).
func TestTheSeededOriginalServesAsItDoesToday(t *testing.T) {
	w, resources := seeded(t, "production")
	reach, err := w.Reach()
	require.NoError(t, err)
	require.Equal(t, Reach{"ohmycoins.com": "", "www.ohmycoins.com": "", "api.ohmycoins.com": "", "dashboard.ohmycoins.com": ""}, reach)

	byID := map[string]simaws.Resource{}
	for _, r := range resources {
		byID[r.Type+" "+r.ID] = r
	}
	service := byID["aws:ecs/service:Service arn:aws:ecs:ap-southeast-2:220711411889:service/ohmycoins-prod-cluster/ohmycoins-prod-backend"]
	require.Equal(t, "module.ecs.aws_ecs_service.backend", service.Name)
	require.Equal(t, []any{"sg-a85a60a625475cfb4"}, service.Inputs["networkConfiguration"].(map[string]any)["securityGroups"])
	require.Equal(t, float64(2), service.Inputs["desiredCount"])
	require.Contains(t, byID, "aws:rds/instance:Instance ohmycoins-prod-postgres", "under the id pulumi-aws gives it, its identifier")
	var https []any
	for _, r := range resources {
		if r.Type == "aws:ec2/securityGroupRule:SecurityGroupRule" && r.Inputs["securityGroupId"] == "sg-5638598829bc517d9" && r.Inputs["fromPort"] == float64(443) {
			https = append(https, r.Inputs["cidrBlocks"])
		}
	}
	require.Equal(t, []any{[]any{"0.0.0.0/0"}}, https, "the original's load balancer group admits HTTPS from anywhere, by a rule resource")
	images, err := w.Account.Images("ap-southeast-2", "ohmycoins/backend")
	require.NoError(t, err)
	require.Equal(t, []simaws.Image{{Digest: originalDigest("220711411889.dkr.ecr.ap-southeast-2.amazonaws.com/ohmycoins/backend:sprint-2.11-3f4021a"), Tags: []string{"sprint-2.11-3f4021a"}}}, images)

	w, _ = seeded(t, "staging")
	reach, err = w.Reach()
	require.NoError(t, err)
	require.Empty(t, reach.Reachable(), "staging's original has no alias record and runs no task")
}

// TestTheCutoverCommandsActOnTheSeededOriginal runs the AWS CLI lines of
// production's cutover window (docs/RUNBOOK.md, "Moving from Terraform",
// step 6) through the stand-in against the seeded original: each deletes
// what it names, the final snapshots keep the database's and the cache's
// data, and the sites go down once the load balancer is gone.
func TestTheCutoverCommandsActOnTheSeededOriginal(t *testing.T) {
	w, _ := seeded(t, "production")
	t.Setenv(simprovider.AccountEnv, w.AccountDir)
	before, err := w.Account.Data()
	require.NoError(t, err)
	run := func(line string) {
		t.Helper()
		var out, errs strings.Builder
		require.Equal(t, 0, awscli.Main(strings.Fields(line), &out, &errs), "aws %s: %s", line, errs.String())
	}
	run("ecs update-service --cluster ohmycoins-prod-cluster --service ohmycoins-prod-backend --desired-count 0 --region ap-southeast-2")
	reach, err := w.Reach()
	require.NoError(t, err)
	require.Equal(t, "the service arn:aws:ecs:ap-southeast-2:220711411889:service/ohmycoins-prod-cluster/ohmycoins-prod-backend runs no task", reach["api.ohmycoins.com"])
	require.Empty(t, reach["ohmycoins.com"], "the frontend still runs")

	var out, errs strings.Builder
	require.Equal(t, 254, awscli.Main(strings.Fields("rds delete-db-instance --db-instance-identifier ohmycoins-prod-postgres --final-db-snapshot-identifier ohmycoins-prod-postgres-to-pulumi --region ap-southeast-2"), &out, &errs))
	require.Contains(t, errs.String(), "Cannot delete protected DB Instance")
	run("rds modify-db-instance --db-instance-identifier ohmycoins-prod-postgres --no-deletion-protection --apply-immediately --region ap-southeast-2")
	run("rds delete-db-instance --db-instance-identifier ohmycoins-prod-postgres --final-db-snapshot-identifier ohmycoins-prod-postgres-to-pulumi --region ap-southeast-2")
	run("rds wait db-snapshot-available --db-snapshot-identifier ohmycoins-prod-postgres-to-pulumi --region ap-southeast-2")
	run("rds delete-db-subnet-group --db-subnet-group-name ohmycoins-prod-db-subnet-group --region ap-southeast-2")
	run("elasticache delete-replication-group --replication-group-id ohmycoins-prod-redis --final-snapshot-identifier ohmycoins-prod-redis-to-pulumi --region ap-southeast-2")
	run("elasticache wait replication-group-deleted --replication-group-id ohmycoins-prod-redis --region ap-southeast-2")
	run("elasticache delete-cache-subnet-group --cache-subnet-group-name ohmycoins-prod-redis-subnet-group --region ap-southeast-2")
	run("ec2 delete-nat-gateway --nat-gateway-id nat-84f49fac05de6367a --region ap-southeast-2")
	lb := "arn:aws:elasticloadbalancing:ap-southeast-2:220711411889:loadbalancer/app/ohmycoins-prod-alb/07c264bc8e9b6492"
	run("elbv2 modify-load-balancer-attributes --load-balancer-arn " + lb + " --attributes Key=deletion_protection.enabled,Value=false --region ap-southeast-2")
	run("elbv2 delete-load-balancer --load-balancer-arn " + lb + " --region ap-southeast-2")

	after, err := w.Account.Data()
	require.NoError(t, err)
	require.Equal(t, before, after, "the final snapshots keep the database's and the cache's data")
	snapshots, err := w.Account.Snapshots()
	require.NoError(t, err)
	var names []string
	for _, s := range snapshots {
		names = append(names, s.Identifier)
	}
	require.Equal(t, []string{"ohmycoins-prod-postgres-to-pulumi", "ohmycoins-prod-redis-to-pulumi"}, names)
	resources, err := w.Account.Resources()
	require.NoError(t, err)
	for _, r := range resources {
		require.NotContains(t, []string{"aws:lb/listener:Listener", "aws:lb/listenerRule:ListenerRule", "aws:rds/instance:Instance"}, r.Type, "%s %s", r.Type, r.ID)
		require.NotEqual(t, "nat-84f49fac05de6367a", r.ID)
	}
	reach, err = w.Reach()
	require.NoError(t, err)
	require.Equal(t, "the alias record's load balancer ohmycoins-prod-alb-1133770157.ap-southeast-2.elb.amazonaws.com does not exist", reach["ohmycoins.com"])

	out.Reset()
	require.Equal(t, 0, awscli.Main(strings.Fields("secretsmanager get-secret-value --secret-id ohmycoins-prod-app-secrets --region ap-southeast-2 --query SecretString --output text"), &out, &errs), errs.String())
	require.Equal(t, notCopied+"\n", out.String(), "the state's secret value is never copied into the rehearsal")
}

// TestACacheSnapshotNamesAMemberTheGroupHas: staging's original runs one
// node, so the snapshot production takes from its replica (-002) is taken
// from -001 there.
func TestACacheSnapshotNamesAMemberTheGroupHas(t *testing.T) {
	w, _ := seeded(t, "staging")
	t.Setenv(simprovider.AccountEnv, w.AccountDir)
	var out, errs strings.Builder
	require.Equal(t, 254, awscli.Main(strings.Fields("elasticache create-snapshot --cache-cluster-id ohmycoins-staging-redis-002 --snapshot-name s --region ap-southeast-2"), &out, &errs))
	require.Contains(t, errs.String(), "CacheCluster ohmycoins-staging-redis-002 not found.")
	require.Equal(t, 0, awscli.Main(strings.Fields("elasticache create-snapshot --cache-cluster-id ohmycoins-staging-redis-001 --snapshot-name s --region ap-southeast-2"), &out, &errs), errs.String())
}

// TestTerraformDestroysWhatItsStateStillHolds: the terraform stand-in
// forgets what `state rm` names and destroys the rest from the account by
// the state's ids; a task definition by its revision's ARN, so that the
// program's revision of the same family stays.
func TestTerraformDestroysWhatItsStateStillHolds(t *testing.T) {
	w, _ := seeded(t, "production")
	t.Setenv(simprovider.AccountEnv, w.AccountDir)
	t.Setenv(awscli.TerraformEnv, w.TerraformDir)
	program, err := w.Account.Create("aws:ecs/taskDefinition:TaskDefinition", "ohmycoins-prod-backend", "ap-southeast-2", resource.NewPropertyMapFromMap(map[string]any{"family": "ohmycoins-prod-backend", "containerDefinitions": "[]"}))
	require.NoError(t, err)
	require.Equal(t, "arn:aws:ecs:ap-southeast-2:220711411889:task-definition/ohmycoins-prod-backend:15", program.Outputs["arn"], "the family's next revision after the original's 14")
	terraform := func(args ...string) (int, string) {
		var out, errs strings.Builder
		code := awscli.TerraformMain(args, &out, &errs)
		return code, out.String() + errs.String()
	}
	code, out := terraform("plan", "-detailed-exitcode")
	require.Equal(t, 1, code, "Terraform runs where the original's configuration is")
	require.Contains(t, out, "no configuration here")
	env := filepath.Join(t.TempDir(), "ohmycoins", "infrastructure", "terraform", "environments", "production")
	require.NoError(t, os.MkdirAll(env, 0o755))
	t.Chdir(env)
	code, out = terraform("plan", "-detailed-exitcode")
	require.Equal(t, 0, code, out)
	code, out = terraform("state", "rm", "module.rds.aws_db_instance.main", "module.ecs.aws_cloudwatch_log_group.backend")
	require.Equal(t, 0, code, out)
	require.Contains(t, out, "Successfully removed 2 resource instance(s).")
	code, out = terraform("state", "rm", "module.rds.aws_db_instance.main")
	require.Equal(t, 1, code)
	require.Contains(t, out, "Invalid target address")
	code, out = terraform("import", "aws_lb.main", "x")
	require.Equal(t, 1, code)
	require.Contains(t, out, "terraform import aws_lb.main x: the rehearsal's terraform stand-in does not know this command")

	// apply puts back what the state records: an adopted resource's values
	// (the program's update of an alias record), a resource that is gone.
	record := "aws:route53/record:Record"
	records, err := w.Account.Resources()
	require.NoError(t, err)
	var api simaws.Resource
	for _, r := range records {
		if r.Type == record && r.Inputs["name"] == "api.ohmycoins.com" {
			api = r
		}
	}
	require.NotEmpty(t, api.ID)
	original := api.Inputs["aliases"]
	require.NoError(t, w.Account.Drift(api.Region, record, api.ID, map[string]any{"aliases": []any{map[string]any{"name": "new-alb.elb.amazonaws.com"}}}))
	require.NoError(t, w.Account.Delete("ap-southeast-2", "aws:ec2/securityGroupRule:SecurityGroupRule", "sgrule-"+ruleSuffix(t, w), ""))
	code, out = terraform("plan", "-detailed-exitcode")
	require.Equal(t, 2, code, "a resource of the state is gone: %s", out)
	code, out = terraform("apply", "-target=module.rds.aws_db_subnet_group.missing")
	require.Equal(t, 1, code)
	require.Contains(t, out, "Invalid target address", "a target the state does not hold")
	code, out = terraform("apply", "-target=module.rds.aws_db_subnet_group.main")
	require.Equal(t, 0, code, out)
	require.Contains(t, out, "Apply complete! Resources: 0 added, 0 changed, 0 destroyed.", "only the target, which is as the state records it")
	code, out = terraform("apply")
	require.Equal(t, 0, code, out)
	require.Contains(t, out, "Apply complete! Resources: 1 added, 1 changed, 0 destroyed.")
	api, _, err = w.Account.Get(api.Region, record, api.ID, "")
	require.NoError(t, err)
	require.Equal(t, original, api.Inputs["aliases"])
	code, out = terraform("plan", "-detailed-exitcode")
	require.Equal(t, 0, code, out)

	// The database's final snapshot is the way back; the destroy does not touch it.
	var errs strings.Builder
	require.Equal(t, 0, awscli.Main(strings.Fields("rds modify-db-instance --db-instance-identifier ohmycoins-prod-postgres --no-deletion-protection --apply-immediately"), &errs, &errs), errs.String())
	require.Equal(t, 0, awscli.Main(strings.Fields("rds delete-db-instance --db-instance-identifier ohmycoins-prod-postgres --final-db-snapshot-identifier f"), &errs, &errs), errs.String())
	code, out = terraform("destroy")
	require.Equal(t, 1, code, "the load balancer is protected: %s", out)
	require.Contains(t, out, "OperationNotPermitted")
	lb := "arn:aws:elasticloadbalancing:ap-southeast-2:220711411889:loadbalancer/app/ohmycoins-prod-alb/07c264bc8e9b6492"
	require.Equal(t, 0, awscli.Main(strings.Fields("elbv2 modify-load-balancer-attributes --load-balancer-arn "+lb+" --attributes Key=deletion_protection.enabled,Value=false"), &errs, &errs), errs.String())
	code, out = terraform("destroy")
	require.Equal(t, 0, code, out)
	held := map[string]bool{}
	resources, err := w.Account.Resources()
	require.NoError(t, err)
	for _, r := range resources {
		held[r.Type+" "+r.ID] = true
	}
	require.True(t, held["aws:ecs/taskDefinition:TaskDefinition ohmycoins-prod-backend"], "the program's revision stays")
	require.True(t, held["aws:cloudwatch/logGroup:LogGroup /ecs/ohmycoins-prod/backend"], "removed from the state: kept")
	require.False(t, held["aws:ec2/vpc:Vpc vpc-66392713c0ef61f0c"], "the original's network is destroyed")
	code, out = terraform("plan", "-destroy")
	require.Equal(t, 0, code)
	require.Contains(t, out, "Plan: 0 to add, 0 to change, 0 to destroy.")
}

// ruleSuffix is the id suffix of one of the original's security group rules.
func ruleSuffix(t *testing.T, w *World) string {
	t.Helper()
	resources, err := w.Account.Resources()
	require.NoError(t, err)
	for _, r := range resources {
		if r.Type == "aws:ec2/securityGroupRule:SecurityGroupRule" {
			return strings.TrimPrefix(r.ID, "sgrule-")
		}
	}
	t.Fatal("no rule")
	return ""
}
