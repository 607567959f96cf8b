package rehearsal

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

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
	w := &World{Account: account, AccountDir: dir}
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
	reach, err := w.reach()
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
	require.Equal(t, []simaws.Image{{Digest: OriginalDigest("220711411889.dkr.ecr.ap-southeast-2.amazonaws.com/ohmycoins/backend:sprint-2.11-3f4021a"), Tags: []string{"sprint-2.11-3f4021a"}}}, images)

	w, _ = seeded(t, "staging")
	reach, err = w.reach()
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
	reach, err := w.reach()
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
	reach, err = w.reach()
	require.NoError(t, err)
	require.Equal(t, "the alias record's load balancer ohmycoins-prod-alb-1133770157.ap-southeast-2.elb.amazonaws.com does not exist", reach["ohmycoins.com"])

	out.Reset()
	require.Equal(t, 0, awscli.Main(strings.Fields("secretsmanager get-secret-value --secret-id ohmycoins-prod-app-secrets --region ap-southeast-2 --query SecretString --output text"), &out, &errs), errs.String())
	require.Equal(t, NotCopied+"\n", out.String(), "the state's secret value is never copied into the rehearsal")
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
