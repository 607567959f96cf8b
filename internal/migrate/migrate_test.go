package migrate_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ohmycoins/infra/internal/migrate"
	"github.com/ohmycoins/infra/internal/migratecli"
	"github.com/ohmycoins/infra/internal/preview/previewtest"
	"github.com/ohmycoins/infra/internal/tfstate"
)

// The fixtures are what `terraform show -json` prints for the original
// environments, written from the original's inventory (internal/migrate/testdata/terraform/README.md:
// names, identifiers, staging's and production's settings,
// production's VPC at 10.0.0.0/16, data encrypted with AWS-managed keys).
func terraformState(stack string) string {
	return filepath.Join("testdata", "terraform", stack+".json")
}

var (
	migrations   = map[string]*migrate.Result{}
	migrationsMu sync.Mutex
)

// migration runs cmd/migrate's work for a stack's fixture once per test binary.
func migration(t *testing.T, stack string) *migrate.Result {
	t.Helper()
	migrationsMu.Lock()
	defer migrationsMu.Unlock()
	if r, ok := migrations[stack]; ok {
		return r
	}
	data, err := os.ReadFile(terraformState(stack))
	require.NoError(t, err)
	state, err := tfstate.Parse(terraformState(stack), data)
	require.NoError(t, err)
	r, err := migrate.Run(migrate.Options{Stack: stack, State: state, StateName: terraformState(stack)})
	require.NoError(t, err)
	migrations[stack] = r
	return r
}

func entry(t *testing.T, r *migrate.Result, address string) migrate.Entry {
	t.Helper()
	e, ok := r.Find(address)
	require.True(t, ok, "no report entry for %s", address)
	return e
}

// projectDir is where Pulumi.yaml and the stack files live, relative to this package.
const projectDir = "../.."

func runMigrate(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = migratecli.Main(append([]string{"-dir", projectDir}, args...), &out, &errOut)
	return code, out.String(), errOut.String()
}

// Every original resource gets exactly one verdict, and nothing that holds
// data is left to a replacement: it is adopted, or a conflict that says how
// to keep the data, or retired with the advice to keep it.
func TestMigrateGivesEveryOriginalResourceOneVerdict(t *testing.T) {
	t.Parallel()
	for _, stack := range []string{"staging", "production"} {
		r := migration(t, stack)
		data, err := os.ReadFile(terraformState(stack))
		require.NoError(t, err)
		state, err := tfstate.Parse(stack, data)
		require.NoError(t, err)
		// The state's resources, and the two log groups RDS made for the exports.
		require.Len(t, r.Entries, len(state.Managed())+2, stack)
		seen := map[string]int{}
		for _, e := range r.Entries {
			require.Contains(t, []migrate.Verdict{migrate.Adopt, migrate.Recreate, migrate.Retire, migrate.Conflict}, e.Verdict, e.Address)
			seen[e.Address+" "+e.TFType+" "+e.Outside]++
			switch {
			case e.Verdict == migrate.Adopt:
				require.NotEmpty(t, e.ImportID, e.Address)
				require.NotEmpty(t, e.URN, e.Address)
			case e.Verdict == migrate.Conflict:
				require.NotEmpty(t, e.Adapt, "%s: a conflict says how to resolve it", e.Address)
				require.Contains(t, r.Exclude, e.URN, "%s: its counterpart waits for the cutover window", e.Address)
			case e.HoldsData != "" && e.Verdict == migrate.Retire:
				require.Equal(t, "aws_cloudwatch_log_group", e.TFType, "%s: only logs are retired, and kept", e.Address)
			}
			require.False(t, e.Verdict == migrate.Recreate && e.HoldsData != "", "%s holds %s: never recreated", e.Address, e.HoldsData)
		}
		for k, n := range seen {
			require.Equal(t, 1, n, "%s appears %d times", k, n)
		}
		require.Empty(t, r.Diff.Blocked(), "%s: nothing adopted is replaced", stack)
	}
}

// Staging's network is the program's (the same VPC range and subnets), so it
// is adopted with everything in it. Its database and cache are encrypted with
// AWS-managed keys, which the provider cannot change in place: both are
// conflicts, resolved by restoring a snapshot, never by a replacement.
func TestMigrateStaging(t *testing.T) {
	t.Parallel()
	r := migration(t, "staging")
	plan := previewtest.Stack(t, "staging").Plan
	adopted := func(address, typ, name, importID string, changes ...string) {
		t.Helper()
		e := entry(t, r, address)
		require.Equal(t, migrate.Adopt, e.Verdict, "%s: %s", address, e.Why)
		require.Equal(t, typ, e.Type, address)
		require.Equal(t, name, e.Name, address)
		require.Equal(t, importID, e.ImportID, address)
		require.Equal(t, previewtest.Named(t, plan, typ, name).URN, e.URN, address)
		require.Equal(t, changes, e.Changes, address)
	}
	adopted("module.vpc.aws_vpc.main", "aws:ec2/vpc:Vpc", "ohmycoins-staging-vpc", "vpc-8ce5e9039aace6fdc", "tags", "option protect")
	adopted("module.vpc.aws_subnet.private_db[1]", "aws:ec2/subnet:Subnet", "ohmycoins-staging-private-db-subnet-2", "subnet-e12311180c6b27e78", "tags", "option protect")
	adopted("module.vpc.aws_subnet.public[0]", "aws:ec2/subnet:Subnet", "ohmycoins-staging-public-subnet-1", "subnet-1db28956274b83eca", "mapPublicIpOnLaunch", "tags", "option protect")
	adopted("module.vpc.aws_route.public_internet_gateway", "aws:ec2/route:Route", "ohmycoins-staging-public-internet-route", "rtb-15fc1c3dfd28897b9_0.0.0.0/0", "option protect")
	adopted("module.vpc.aws_route_table_association.private_db[0]", "aws:ec2/routeTableAssociation:RouteTableAssociation", "ohmycoins-staging-private-db-subnet-1-rta",
		"subnet-0bbf18513514eacdb/rtb-02e33563d55c69604", "option protect")
	adopted("module.vpc.aws_nat_gateway.main[0]", "aws:ec2/natGateway:NatGateway", "ohmycoins-staging-nat-gateway-1", "nat-f686e880262f9302b", "tags", "option deleteBeforeReplace", "option protect")
	adopted("aws_secretsmanager_secret.app_secrets", "aws:secretsmanager/secret:Secret", "ohmycoins-staging-app-secrets",
		"arn:aws:secretsmanager:ap-southeast-2:220711411889:secret:ohmycoins-staging-app-secrets-c14f06", "description", "kmsKeyId", "option protect")
	adopted("module.redis.aws_cloudwatch_log_group.redis_slow_log", "aws:cloudwatch/logGroup:LogGroup", "ohmycoins-staging-redis-slow-log", "/aws/elasticache/ohmycoins-staging/slow-log", "kmsKeyId", "option protect")
	adopted("module.rds.aws_db_subnet_group.main", "aws:rds/subnetGroup:SubnetGroup", "ohmycoins-staging-db-subnet-group", "ohmycoins-staging-db-subnet-group", "description", "option protect")
	adopted("module.redis.aws_elasticache_subnet_group.main", "aws:elasticache/subnetGroup:SubnetGroup", "ohmycoins-staging-redis-subnet-group", "ohmycoins-staging-redis-subnet-group", "description", "option protect")
	adopted("module.ecs.aws_ecs_cluster.main", "aws:ecs/cluster:Cluster", "ohmycoins-staging-cluster", "ohmycoins-staging-cluster", "option protect")
	adopted("module.iam.aws_iam_role.ecs_task_execution", "aws:iam/role:Role", "ohmycoins-staging-ecs-task-execution-role", "ohmycoins-staging-ecs-task-execution-role", "assumeRolePolicy", "description", "permissionsBoundary", "option protect")
	adopted("module.iam.aws_iam_role_policy_attachment.ecs_task_execution", "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "ohmycoins-staging-ecs-task-execution-policy",
		"ohmycoins-staging-ecs-task-execution-role/arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy", "option protect")
	adopted("module.rds.aws_iam_role.rds_monitoring[0]", "aws:iam/role:Role", "ohmycoins-staging-rds-monitoring-role", "ohmycoins-staging-rds-monitoring-role", "assumeRolePolicy", "description", "permissionsBoundary", "option protect")
	adopted("module.alb.aws_lb.main", "aws:lb/loadBalancer:LoadBalancer", "ohmycoins-staging-alb",
		"arn:aws:elasticloadbalancing:ap-southeast-2:220711411889:loadbalancer/app/ohmycoins-staging-alb/c06cc1eb8435eae3", "dropInvalidHeaderFields", "securityGroups", "option protect")
	adopted("module.alb.aws_lb_listener.https[0]", "aws:lb/listener:Listener", "ohmycoins-staging-https",
		"arn:aws:elasticloadbalancing:ap-southeast-2:220711411889:listener/app/ohmycoins-staging-alb/c06cc1eb8435eae3/4e87fb71dcc7f2e6", "certificateArn", "defaultActions", "option protect")

	// The log groups RDS created for the exports exist outside the state; the
	// program's would collide with them.
	var rdsLogs []migrate.Entry
	for _, e := range r.Entries {
		if e.Outside != "" {
			rdsLogs = append(rdsLogs, e)
		}
	}
	require.Len(t, rdsLogs, 2)
	require.Equal(t, migrate.Adopt, rdsLogs[0].Verdict)
	require.Equal(t, "/aws/rds/instance/ohmycoins-staging-postgres/postgresql", rdsLogs[0].ImportID)
	require.Equal(t, []string{"kmsKeyId", "retentionInDays", "option protect"}, rdsLogs[0].Changes, "created without retention or key")
	require.Equal(t, "/aws/rds/instance/ohmycoins-staging-postgres/upgrade", rdsLogs[1].ImportID)

	db := entry(t, r, "module.rds.aws_db_instance.main")
	require.Equal(t, migrate.Conflict, db.Verdict)
	require.Equal(t, "the database", db.HoldsData)
	require.Equal(t, `adopting it would replace it: kmsKeyId "arn:aws:kms:ap-southeast-2:220711411889:key/6f1c2b8e-9d4a-4c57-8e0b-3a2d1f9c7b64" → "[unknown]"`, db.Why)
	require.Contains(t, db.Adapt, "aws rds modify-db-instance --db-instance-identifier ohmycoins-staging-postgres --new-db-instance-identifier ohmycoins-staging-postgres-terraform",
		"its subnet group is adopted, so the original can stay, renamed, as the way back")
	require.Contains(t, db.Adapt, "aws rds copy-db-snapshot --source-db-snapshot-identifier ohmycoins-staging-postgres-to-pulumi --target-db-snapshot-identifier ohmycoins-staging-postgres-to-pulumi-ohmycoins-staging-key --kms-key-id alias/ohmycoins-staging")
	require.Contains(t, db.Adapt, "pulumi config set --stack staging --path ohmycoins:database.snapshotIdentifier ohmycoins-staging-postgres-to-pulumi-ohmycoins-staging-key")
	require.NotContains(t, db.Adapt, "deletion-protection", "staging's database has none")

	cache := entry(t, r, "module.redis.aws_elasticache_replication_group.main")
	require.Equal(t, migrate.Conflict, cache.Verdict)
	require.Equal(t, `adopting it would replace it: kmsKeyId "" → "[unknown]"`, cache.Why, "transit encryption changes in place on 7.0.7")
	require.Contains(t, cache.Adapt, "aws elasticache delete-replication-group --replication-group-id ohmycoins-staging-redis --final-snapshot-identifier ohmycoins-staging-redis-to-pulumi")
	require.Contains(t, cache.Adapt, "ohmycoins:cache.snapshotName ohmycoins-staging-redis-to-pulumi")

	require.Equal(t, []string{
		// Adopted, but their update would take the original's traffic: the
		// load balancer's new security group does not reach the original's
		// tasks, and the HTTPS listener's new default action forwards to the
		// program's target groups, still empty before the window.
		previewtest.Named(t, plan, "aws:lb/listener:Listener", "ohmycoins-staging-https").URN,
		previewtest.Named(t, plan, "aws:lb/loadBalancer:LoadBalancer", "ohmycoins-staging-alb").URN,
		previewtest.Named(t, plan, typeDBInstance, "ohmycoins-staging-postgres").URN,
		previewtest.Named(t, plan, typeReplicationGroup, "ohmycoins-staging-redis").URN,
		// Adopted, but the original's tasks read it under the AWS-managed key
		// until the window.
		previewtest.Named(t, plan, "aws:secretsmanager/secret:Secret", "ohmycoins-staging-app-secrets").URN,
	}, r.Exclude)
	require.Equal(t, "it moves to the environment key in the cutover window, together with the execution role's grant to decrypt it",
		entry(t, r, "aws_secretsmanager_secret.app_secrets").Why)
	require.Equal(t, "its new security groups admit no traffic to the original's tasks: it serves the original until the window",
		entry(t, r, "module.alb.aws_lb.main").Why)
	require.Equal(t, "its new default action forwards to the program's target groups, which have no tasks before the window: it serves the original until then",
		entry(t, r, "module.alb.aws_lb_listener.https[0]").Why)
	require.Empty(t, entry(t, r, "module.alb.aws_lb_listener.http").Why, "its redirect to HTTPS does not change")

	for address, verdict := range map[string]migrate.Verdict{
		"module.ecs.aws_ecs_task_definition.backend":                    migrate.Recreate, // new container definitions register a new revision
		"module.ecs.aws_ecs_service.backend":                            migrate.Retire,   // the program's is ohmycoins-staging-backend-service
		"module.alb.aws_lb_target_group.backend":                        migrate.Retire,   // the program's names carry a digest
		"module.security.aws_security_group.ecs":                        migrate.Retire,   // replaced by per-service groups
		"module.security.aws_security_group_rule.alb_http":              migrate.Retire,
		"module.iam.aws_iam_role.github_actions[0]":                     migrate.Retire, // the program's CI roles are per workflow
		"module.rds.aws_db_parameter_group.main":                        migrate.Retire,
		"aws_secretsmanager_secret_version.app_secrets_initial_version": migrate.Recreate, // the program writes its own version
	} {
		e := entry(t, r, address)
		require.Equal(t, verdict, e.Verdict, "%s: %s", address, e.Why)
	}
	logs := entry(t, r, "module.ecs.aws_cloudwatch_log_group.backend")
	require.Equal(t, migrate.Retire, logs.Verdict)
	require.Equal(t, "the logs", logs.HoldsData)
}

// Production's original VPC is 10.0.0.0/16, staging's range (defect D1); the
// program's is 10.1.0.0/16. So nothing bound to the VPC can be adopted: the
// program builds its network beside the original, adopts what is not bound to
// it (the roles, the secret, the log groups, the cluster, the DNS records,
// the Elastic IPs) and moves the data by snapshot in the cutover window.
func TestMigrateProduction(t *testing.T) {
	t.Parallel()
	r := migration(t, "production")
	plan := previewtest.Stack(t, "production").Plan

	for address, importID := range map[string]string{
		"aws_route53_record.apex":                                "Z0812345ABCDEFGHIJKL_ohmycoins.com_A",
		"aws_route53_record.www":                                 "Z0812345ABCDEFGHIJKL_www.ohmycoins.com_A",
		"aws_route53_record.api":                                 "Z0812345ABCDEFGHIJKL_api.ohmycoins.com_A",
		"aws_route53_record.dashboard":                           "Z0812345ABCDEFGHIJKL_dashboard.ohmycoins.com_A",
		"aws_secretsmanager_secret.app_secrets":                  "arn:aws:secretsmanager:ap-southeast-2:220711411889:secret:ohmycoins-prod-app-secrets-cc876f",
		"module.vpc.aws_cloudwatch_log_group.flow_logs":          "/aws/vpc/flow-logs/ohmycoins-prod",
		"module.vpc.aws_iam_role.flow_logs":                      "ohmycoins-prod-flow-logs-role",
		"module.vpc.aws_iam_role_policy.flow_logs":               "ohmycoins-prod-flow-logs-role:ohmycoins-prod-flow-logs-policy",
		"module.vpc.aws_eip.nat[0]":                              "eipalloc-7e646d996294238f7",
		"module.ecs.aws_ecs_cluster.main":                        "ohmycoins-prod-cluster",
		"module.redis.aws_cloudwatch_log_group.redis_engine_log": "/aws/elasticache/ohmycoins-prod/engine-log",
		"module.iam.aws_iam_role.ecs_task":                       "ohmycoins-prod-ecs-task-role",
	} {
		e := entry(t, r, address)
		require.Equal(t, migrate.Adopt, e.Verdict, "%s: %s", address, e.Why)
		require.Equal(t, importID, e.ImportID, address)
	}
	api := entry(t, r, "aws_route53_record.api")
	require.Equal(t, previewtest.Named(t, plan, typeRecord, "ohmycoins-prod-alias-api.ohmycoins.com").URN, api.URN)
	require.Equal(t, []string{"aliases", "allowOverwrite", "option protect"}, api.Changes, "the first up points it at the new load balancer")
	// So every pulumi up before the switch leaves the alias records out, as
	// docs/RUNBOOK.md's cutover does, and the report's commands say so.
	glob := "urn:pulumi:production::ohmycoins::**::ohmycoins-prod-alias-*"
	require.Equal(t, glob, r.AliasRecords())
	var report strings.Builder
	r.WriteReport(&report, "production.json")
	require.Contains(t, report.String(), "pulumi up --stack production --exclude-dependents --exclude '"+glob+"'")
	require.Contains(t, report.String(), "the adapt steps of the 8 conflicts and pulumi up --stack production --exclude '"+glob+"'\n")
	require.Contains(t, report.String(), "then, once the new environment is verified, pulumi up --stack production: the adopted alias records move")
	require.Equal(t, []string{"description", "kmsKeyId"}, entry(t, r, "aws_secretsmanager_secret.app_secrets").Changes, "protected already, as the program protects it")

	vpc := entry(t, r, "module.vpc.aws_vpc.main")
	require.Equal(t, migrate.Recreate, vpc.Verdict)
	require.Equal(t, `adopting it would replace it: cidrBlock "10.0.0.0/16" → "10.1.0.0/16"`, vpc.Why)
	igw := entry(t, r, "module.vpc.aws_internet_gateway.main")
	require.Equal(t, migrate.Recreate, igw.Verdict)
	require.Contains(t, igw.Why, "would cut the original environment off the internet")

	db := entry(t, r, "module.rds.aws_db_instance.main")
	require.Equal(t, migrate.Conflict, db.Verdict)
	require.Contains(t, db.Why, "kmsKeyId")
	require.Contains(t, db.Adapt, "aws rds modify-db-instance --db-instance-identifier ohmycoins-prod-postgres --no-deletion-protection", "production's has deletion protection")
	require.Contains(t, db.Adapt, "aws rds delete-db-instance --db-instance-identifier ohmycoins-prod-postgres --final-db-snapshot-identifier ohmycoins-prod-postgres-to-pulumi",
		"its subnet group cannot follow it into the new VPC, so the original cannot stay beside it")
	require.Contains(t, db.Adapt, "ohmycoins:database.snapshotIdentifier ohmycoins-prod-postgres-to-pulumi-ohmycoins-prod-key")

	for _, address := range []string{"module.rds.aws_db_subnet_group.main", "module.redis.aws_elasticache_subnet_group.main", "module.alb.aws_lb.main"} {
		e := entry(t, r, address)
		require.Equal(t, migrate.Conflict, e.Verdict, address)
		require.Contains(t, e.Why, "which this program does not adopt", address)
	}
	require.Contains(t, entry(t, r, "module.alb.aws_lb.main").Adapt, "Key=deletion_protection.enabled,Value=false")
	nat := entry(t, r, "module.vpc.aws_nat_gateway.main[1]")
	require.Equal(t, migrate.Conflict, nat.Verdict, "the program's NAT gateway takes the adopted Elastic IP")
	require.Contains(t, nat.Adapt, "13.236.11.21")

	require.Len(t, r.Exclude, 9, "the 8 conflicts' counterparts and the secret")
	require.Contains(t, r.Exclude, previewtest.Named(t, plan, typeDBInstance, "ohmycoins-prod-postgres").URN)
	require.Equal(t, 3, r.DataSources, "the zone, the load balancer and the OIDC provider are only read")
}

// The import file is what `pulumi import --file` accepts (pulumi/pulumi
// v3.274.1, parseImportFile): every entry typed and named, names unique,
// ids on resources only, parents and providers that resolve, and the URNs the
// import builds are the program's. The provider is declared with the
// program's configuration, so the first `pulumi up` finds it unchanged.
func TestImportFileIsWhatPulumiImportAccepts(t *testing.T) {
	t.Parallel()
	for _, stack := range []string{"staging", "production"} {
		code, stdout, stderr := runMigrate("-stack", stack, "-terraform-state", terraformState(stack))
		require.Equal(t, 0, code, stderr)
		var file migrate.ImportFile
		require.NoError(t, json.Unmarshal([]byte(stdout), &file))
		plan := previewtest.Stack(t, stack).Plan

		names := map[string]migrate.ImportResource{}
		for _, e := range file.Resources {
			require.NotEmpty(t, e.Type)
			require.NotEmpty(t, e.Name)
			_, dup := names[e.Name]
			require.False(t, dup, "%s: the name %s is ambiguous", stack, e.Name)
			names[e.Name] = e
		}
		r := migration(t, stack)
		var adoptedURNs []string
		for _, e := range r.Entries {
			if e.Verdict == migrate.Adopt {
				adoptedURNs = append(adoptedURNs, e.URN)
			}
		}
		slices.Sort(adoptedURNs)
		urns := file.URNs(plan)
		slices.Sort(urns)
		require.Equal(t, adoptedURNs, urns, "%s: the import builds the program's URNs", stack)

		providers := 0
		for _, e := range file.Resources {
			if e.Parent != "" {
				require.Contains(t, names, e.Parent, e.Name)
				require.True(t, names[e.Parent].Component, "%s: a parent is a component", e.Name)
			}
			switch {
			case strings.HasPrefix(e.Type, "pulumi:providers:"):
				providers++
				require.Empty(t, e.ID)
				require.Equal(t, migrate.ProviderVersion, e.Version)
				require.Equal(t, plan.OfType("pulumi:providers:aws")[0].Inputs, e.Inputs)
			case e.Component:
				require.Empty(t, e.ID, e.Name)
			default:
				require.NotEmpty(t, e.ID, e.Name)
				require.Equal(t, "ohmycoins-"+map[string]string{"staging": "staging", "production": "prod"}[stack]+"-aws", e.Provider, e.Name)
			}
		}
		require.Equal(t, 1, providers)
		require.Contains(t, stderr, "pulumi import --stack "+stack+" --file import.json --generate-code=false --yes")
	}
}

// Bad input is refused with the rule it breaks, exit code 2, and nothing on
// stdout: a plan instead of a state, an unknown format, truncated JSON, an
// empty state, and another environment's state.
func TestMigrateRefusesBadInput(t *testing.T) {
	t.Parallel()
	staging, err := os.ReadFile(terraformState("staging"))
	require.NoError(t, err)
	dir := t.TempDir()
	file := func(name, content string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
		return p
	}
	var doc map[string]any
	require.NoError(t, json.Unmarshal(staging, &doc))
	root := doc["values"].(map[string]any)["root_module"].(map[string]any)
	resources := findResources(root)
	*resources = append(*resources, (*resources)[0])
	twice, err := json.Marshal(doc)
	require.NoError(t, err)
	first := (*resources)[0].(map[string]any)["address"].(string)
	cases := []struct {
		name, stack, path, want string
	}{
		{"an address twice", "staging", file("twice.json", string(twice)),
			"holds " + first + " twice: `terraform show -json` writes each address once; an edited or merged copy? Write it again"},
		{"a plan", "staging", file("plan.json", `{"format_version":"1.2","terraform_version":"1.5.0","planned_values":{"root_module":{}},"resource_changes":[],"prior_state":{}}`),
			"is a Terraform plan (terraform show -json PLANFILE), not a state: run `terraform show -json` without a plan file"},
		{"an unknown format", "staging", file("v2.json", strings.Replace(string(staging), `"format_version": "1.0"`, `"format_version": "2.0"`, 1)),
			`has format_version "2.0": this reads format 1.x`},
		{"no format", "staging", file("noformat.json", `{"values":{}}`), "has no format_version: it is not the output of `terraform show -json`"},
		{"truncated", "staging", file("truncated.json", string(staging[:len(staging)/2])), "is not complete JSON (unexpected EOF): a truncated copy?"},
		{"empty file", "staging", file("empty.json", "\n"), "is empty: write the state with `terraform show -json >"},
		{"empty state", "staging", file("nothing.json", `{"format_version":"1.0"}`), "holds no resources"},
		{"another environment", "production", terraformState("staging"), "has no resource named ohmycoins-prod-...: it holds names of ohmycoins-staging-.... The state of another environment?"},
		{"another account", "staging", file("account.json", strings.ReplaceAll(string(staging), "220711411889", "987654321098")),
			"belongs to account 987654321098 (aws_secretsmanager_secret.app_secrets is arn:aws:secretsmanager:ap-southeast-2:987654321098:secret:ohmycoins-staging-app-secrets-c14f06), not to this stack's account 220711411889 (ohmycoins:accountId): the state of another account"},
		{"another region", "staging", file("region.json", strings.ReplaceAll(string(staging), ":ap-southeast-2:", ":eu-west-1:")),
			"holds resources in eu-west-1 ("},
	}
	for _, c := range cases {
		code, stdout, stderr := runMigrate("-stack", c.stack, "-terraform-state", c.path)
		require.Equal(t, migratecli.ExitBadInput, code, "%s: %s", c.name, stderr)
		require.Empty(t, stdout, "%s: nothing written", c.name)
		require.Contains(t, stderr, c.want, c.name)
	}

	state, err := tfstate.Parse("staging.json", staging)
	require.NoError(t, err)
	_, err = migrate.Run(migrate.Options{Stack: "staging", State: state, StateName: "staging.json", Unset: []string{"ohmycoins:accountId"}})
	var input *tfstate.InputError
	require.ErrorAs(t, err, &input, "a stack without an account cannot tell another account's state")
	require.EqualError(t, err, "ohmycoins:accountId is not set for stack staging: cmd/migrate checks that staging.json belongs to the stack's account (pulumi config set --stack staging ohmycoins:accountId <12 digits>)")

	code, stdout, stderr := runMigrate("-stack", "../staging", "-terraform-state", terraformState("staging"))
	require.Equal(t, migratecli.ExitBadInput, code, "a name that is not a stack name: 2, as cmd/preview exits")
	require.Empty(t, stdout)
	require.Contains(t, stderr, `migrate: stack name "../staging": must be letters, digits`)

	code, stdout, stderr = runMigrate("-stack", "staging")
	require.Equal(t, migratecli.ExitBadInput, code)
	require.Empty(t, stdout)
	require.Contains(t, stderr, "-stack and -terraform-state are required")
}

// findResources is the first resources list of a module or of its
// children, as a pointer that lets a test add to it.
func findResources(module map[string]any) *[]any {
	if list, ok := module["resources"].([]any); ok && len(list) > 0 {
		p := &list
		module["resources"] = p
		return p
	}
	for _, child := range module["child_modules"].([]any) {
		if p := findResources(child.(map[string]any)); p != nil {
			return p
		}
	}
	return nil
}

// TestMigrateRefusesAStackThatWouldTakeOverALiveOne: a stack named Staging
// made from staging's file would import live staging into a second stack;
// validation refuses its prefix before anything is written.
func TestMigrateRefusesAStackThatWouldTakeOverALiveOne(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for from, to := range map[string]string{"Pulumi.yaml": "Pulumi.yaml", "Pulumi.staging.yaml": "Pulumi.Staging.yaml"} {
		data, err := os.ReadFile(filepath.Join(projectDir, from))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, to), data, 0o644))
	}
	state, err := filepath.Abs(terraformState("staging"))
	require.NoError(t, err)
	var out, errOut bytes.Buffer
	code := migratecli.Main([]string{"-dir", dir, "-stack", "Staging", "-terraform-state", state}, &out, &errOut)
	require.NotEqual(t, 0, code)
	require.Empty(t, out.String(), "no import file written")
	require.Contains(t, errOut.String(), `ohmycoins:namePrefix = "ohmycoins-staging": is the staging stack's`)
}
