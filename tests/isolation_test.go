package tests

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ohmycoins/infra/internal/iamsim"
	"github.com/ohmycoins/infra/internal/mockcloud"
	"github.com/ohmycoins/infra/internal/policydoc"
	"github.com/ohmycoins/infra/internal/preview/previewtest"
)

// readOnlyAccess stands in for the AWS managed policy both CI roles carry:
// the part of it that matters here, reads on every resource, s3:GetObject on
// every bucket included (which the roles' own Deny takes back).
var readOnlyAccess = policydoc.New(policydoc.Allow("ReadOnlyAccess", []string{
	"s3:Get*", "s3:List*", "ec2:Describe*", "kms:Describe*", "kms:List*", "kms:Get*", "secretsmanager:Describe*",
	"secretsmanager:List*", "route53:Get*", "route53:List*", "acm:Describe*", "acm:List*", "ecs:Describe*", "ecs:List*",
	"rds:Describe*", "elasticache:Describe*", "logs:Describe*", "iam:Get*", "iam:List*",
}, "*"))

// ciRoles are the identity policies of the four CI roles, by role name.
func ciRoles(t *testing.T) (roles map[string][]policydoc.Document, trusts map[string]policydoc.Document, zone string) {
	t.Helper()
	roles, trusts = map[string][]policydoc.Document{}, map[string]policydoc.Document{}
	for stack, prefix := range map[string]string{"staging": "ohmycoins-staging", "production": "ohmycoins-prod"} {
		plan := previewtest.Stack(t, stack).Plan
		zone = previewtest.ZoneID(t, plan)
		roles[prefix+"-github-deploy"] = []policydoc.Document{readOnlyAccess, previewtest.DeployPolicy(t, plan, prefix)}
		roles[prefix+"-github-preview"] = []policydoc.Document{readOnlyAccess, previewtest.RolePolicies(t, plan, prefix+"-github-preview")[prefix+"-github-preview-state"]}
		for _, role := range []string{prefix + "-github-deploy", prefix + "-github-preview"} {
			doc, err := policydoc.Parse(previewtest.Named(t, plan, typeRole, role).Inputs["assumeRolePolicy"].(string))
			require.NoError(t, err)
			trusts[role] = doc
			require.Empty(t, iamsim.Unknown(roles[role]...), "%s: every condition is one the evaluator understands", role)
		}
	}
	return roles, trusts, zone
}

// request builds an authorisation in ap-southeast-2 with condition keys
// given as key, value pairs (a []string value for multivalued keys).
func request(action, resource string, kv ...any) iamsim.Request {
	return iamsim.Request{Action: action, Resource: resource, Context: iamsim.ConditionKeys(append([]any{"aws:RequestedRegion", "ap-southeast-2"}, kv...)...)}
}

const (
	acct      = mockcloud.MockAccountID
	stateObj  = "arn:aws:s3:::ohmycoins-pulumi-state/.pulumi/"
	kmsKey    = "arn:aws:kms:ap-southeast-2:" + acct + ":key/"
	ec2ARN    = "arn:aws:ec2:ap-southeast-2:" + acct + ":"
	envTag    = "aws:ResourceTag/Environment"
	reqTag    = "aws:RequestTag/Environment"
	records   = "route53:ChangeResourceRecordSetsNormalizedRecordNames"
	aliases   = "kms:ResourceAliases"
	validated = "_0123456789abcdef0123456789abcdef"
)

// TestStagingCannotReachProduction proves, by IAM's evaluation logic, that
// staging's CI roles (the deploy role runs on every merge with no reviewer,
// the preview role runs pull requests' code) can touch nothing of production:
// its state, its secrets key, its network, DNS records, certificates, secrets,
// keys, scaling and services. The same requests on staging's own resources
// are allowed, so the denials are not an empty policy's.
func TestStagingCannotReachProduction(t *testing.T) {
	t.Parallel()
	roles, _, zone := ciRoles(t)
	deploy, previewRole := roles["ohmycoins-staging-github-deploy"], roles["ohmycoins-staging-github-preview"]
	hostedZone := "arn:aws:route53:::hostedzone/" + zone

	for _, c := range []struct {
		name      string
		req       iamsim.Request
		deploy    iamsim.Decision
		preview   iamsim.Decision
		ownDeploy *iamsim.Request // the same call on staging's own resource, which the deploy role may make
	}{
		{"write production's state", request("s3:PutObject", stateObj+"stacks/ohmycoins/production.json"),
			iamsim.ExplicitDeny, iamsim.ExplicitDeny, ptr(request("s3:PutObject", stateObj+"stacks/ohmycoins/staging.json"))},
		{"read production's state (ReadOnlyAccess would allow it)", request("s3:GetObject", stateObj+"stacks/ohmycoins/production.json"),
			iamsim.ExplicitDeny, iamsim.ExplicitDeny, ptr(request("s3:GetObject", stateObj+"stacks/ohmycoins/staging.json"))},
		{"delete production's state backup", request("s3:DeleteObject", stateObj+"stacks/ohmycoins/production.json.bak"),
			iamsim.ExplicitDeny, iamsim.ExplicitDeny, ptr(request("s3:DeleteObject", stateObj+"stacks/ohmycoins/staging.json.bak"))},
		{"take production's lock", request("s3:PutObject", stateObj+"locks/organization/ohmycoins/production/0f1e.json"),
			iamsim.ExplicitDeny, iamsim.ExplicitDeny, ptr(request("s3:PutObject", stateObj+"locks/organization/ohmycoins/staging/0f1e.json"))},
		{"rewrite production's history", request("s3:PutObject", stateObj+"history/ohmycoins/production/production-1.history.json"),
			iamsim.ExplicitDeny, iamsim.ExplicitDeny, ptr(request("s3:PutObject", stateObj+"history/ohmycoins/staging/staging-1.history.json"))},
		{"read production's access logs", request("s3:GetObject", "arn:aws:s3:::ohmycoins-prod-alb-logs-1a2b/AWSLogs/x.gz"),
			iamsim.ExplicitDeny, iamsim.ExplicitDeny, ptr(request("s3:GetObject", "arn:aws:s3:::ohmycoins-staging-alb-logs-1a2b/AWSLogs/x.gz"))},
		{"decrypt production's secrets key", request("kms:Decrypt", kmsKey+"prod-secrets", aliases, "alias/ohmycoins-pulumi-production", envTag, "shared"),
			iamsim.ImplicitDeny, iamsim.ImplicitDeny, ptr(request("kms:Decrypt", kmsKey+"staging-secrets", aliases, "alias/ohmycoins-pulumi-staging", envTag, "shared"))},
		{"decrypt with the state bucket's key outside S3", request("kms:Decrypt", kmsKey+"state", aliases, "alias/ohmycoins-pulumi", envTag, "shared"),
			iamsim.ImplicitDeny, iamsim.ImplicitDeny, ptr(request("kms:Decrypt", kmsKey+"state", aliases, "alias/ohmycoins-pulumi", "kms:ViaService", "s3.ap-southeast-2.amazonaws.com"))},
		{"decrypt with production's environment key", request("kms:Decrypt", kmsKey+"prod-env", aliases, "alias/ohmycoins-prod", envTag, "production"),
			iamsim.ImplicitDeny, iamsim.ImplicitDeny, ptr(request("kms:Decrypt", kmsKey+"staging-env", aliases, "alias/ohmycoins-staging", envTag, "staging"))},
		{"decrypt production's app secret through Secrets Manager", request("kms:Decrypt", kmsKey+"prod-env", envTag, "production", "kms:ViaService", "secretsmanager.ap-southeast-2.amazonaws.com"),
			iamsim.ImplicitDeny, iamsim.ImplicitDeny, ptr(request("kms:Decrypt", kmsKey+"staging-env", envTag, "staging", "kms:ViaService", "secretsmanager.ap-southeast-2.amazonaws.com"))},
		{"point staging's alias at production's key", request("kms:UpdateAlias", kmsKey+"prod-env", envTag, "production"),
			iamsim.ImplicitDeny, iamsim.ImplicitDeny, ptr(request("kms:UpdateAlias", kmsKey+"staging-env", envTag, "staging"))},
		{"re-tag production's key as staging's", request("kms:TagResource", kmsKey+"prod-env", envTag, "production", reqTag, "staging"),
			iamsim.ImplicitDeny, iamsim.ImplicitDeny, ptr(request("kms:TagResource", kmsKey+"new-key", reqTag, "staging"))},
		{"open production's security group", request("ec2:AuthorizeSecurityGroupIngress", ec2ARN+"security-group/sg-prod", envTag, "production"),
			iamsim.ImplicitDeny, iamsim.ImplicitDeny, ptr(request("ec2:AuthorizeSecurityGroupIngress", ec2ARN+"security-group/sg-staging", envTag, "staging"))},
		{"delete production's security group", request("ec2:DeleteSecurityGroup", ec2ARN+"security-group/sg-prod", envTag, "production"),
			iamsim.ImplicitDeny, iamsim.ImplicitDeny, ptr(request("ec2:DeleteSecurityGroup", ec2ARN+"security-group/sg-staging", envTag, "staging"))},
		{"re-tag production's security group", request("ec2:CreateTags", ec2ARN+"security-group/sg-prod", envTag, "production", reqTag, "staging"),
			iamsim.ImplicitDeny, iamsim.ImplicitDeny, ptr(request("ec2:CreateTags", ec2ARN+"subnet/subnet-new", reqTag, "staging", "ec2:CreateAction", "CreateSubnet"))},
		{"create a subnet in production's VPC", request("ec2:CreateSubnet", ec2ARN+"vpc/vpc-prod", envTag, "production", reqTag, "staging"),
			iamsim.ImplicitDeny, iamsim.ImplicitDeny, ptr(request("ec2:CreateSubnet", ec2ARN+"vpc/vpc-staging", envTag, "staging", reqTag, "staging"))},
		{"create a VPC tagged as production's", request("ec2:CreateVpc", ec2ARN+"vpc/*", reqTag, "production"),
			iamsim.ImplicitDeny, iamsim.ImplicitDeny, ptr(request("ec2:CreateVpc", ec2ARN+"vpc/*", reqTag, "staging"))},
		{"replace production's NAT route", request("ec2:ReplaceRoute", ec2ARN+"route-table/rtb-prod", envTag, "production"),
			iamsim.ImplicitDeny, iamsim.ImplicitDeny, ptr(request("ec2:ReplaceRoute", ec2ARN+"route-table/rtb-staging", envTag, "staging"))},
		{"change production's api record", request("route53:ChangeResourceRecordSets", hostedZone, records, []string{"api.ohmycoins.com"}),
			iamsim.ImplicitDeny, iamsim.ImplicitDeny, ptr(request("route53:ChangeResourceRecordSets", hostedZone, records, []string{"api.staging.ohmycoins.com"}))},
		{"change the apex", request("route53:ChangeResourceRecordSets", hostedZone, records, []string{"ohmycoins.com"}),
			iamsim.ImplicitDeny, iamsim.ImplicitDeny, ptr(request("route53:ChangeResourceRecordSets", hostedZone, records, []string{"staging.ohmycoins.com"}))},
		{"change production's validation record", request("route53:ChangeResourceRecordSets", hostedZone, records, []string{validated + ".ohmycoins.com"}),
			iamsim.ImplicitDeny, iamsim.ImplicitDeny, ptr(request("route53:ChangeResourceRecordSets", hostedZone, records, []string{validated + ".dashboard.staging.ohmycoins.com"}))},
		{"slip production's record into a batch of staging's", request("route53:ChangeResourceRecordSets", hostedZone, records, []string{"api.staging.ohmycoins.com", "www.ohmycoins.com"}),
			iamsim.ImplicitDeny, iamsim.ImplicitDeny, nil},
		{"delete production's certificate", request("acm:DeleteCertificate", "arn:aws:acm:ap-southeast-2:"+acct+":certificate/prod", envTag, "production"),
			iamsim.ImplicitDeny, iamsim.ImplicitDeny, ptr(request("acm:DeleteCertificate", "arn:aws:acm:ap-southeast-2:"+acct+":certificate/staging", envTag, "staging"))},
		{"re-tag production's certificate", request("acm:AddTagsToCertificate", "arn:aws:acm:ap-southeast-2:"+acct+":certificate/prod", envTag, "production", reqTag, "staging"),
			iamsim.ImplicitDeny, iamsim.ImplicitDeny, ptr(request("acm:RequestCertificate", "*", reqTag, "staging"))},
		{"read production's app secret", request("secretsmanager:GetSecretValue", "arn:aws:secretsmanager:ap-southeast-2:"+acct+":secret:ohmycoins-prod-app-secrets-AbCdEf"),
			iamsim.ImplicitDeny, iamsim.ImplicitDeny, ptr(request("secretsmanager:GetSecretValue", "arn:aws:secretsmanager:ap-southeast-2:"+acct+":secret:ohmycoins-staging-app-secrets-AbCdEf"))},
		{"read a database master secret directly", request("secretsmanager:GetSecretValue", "arn:aws:secretsmanager:ap-southeast-2:"+acct+":secret:rds!db-1234-AbCdEf"),
			iamsim.ImplicitDeny, iamsim.ImplicitDeny, ptr(request("secretsmanager:CreateSecret", "arn:aws:secretsmanager:ap-southeast-2:"+acct+":secret:rds!db-1234-AbCdEf", "aws:CalledVia", []string{"rds.amazonaws.com"}))},
		{"scale production to zero", request("application-autoscaling:RegisterScalableTarget", "arn:aws:application-autoscaling:ap-southeast-2:"+acct+":scalable-target/prod", envTag, "production"),
			iamsim.ImplicitDeny, iamsim.ImplicitDeny, ptr(request("application-autoscaling:RegisterScalableTarget", "arn:aws:application-autoscaling:ap-southeast-2:"+acct+":scalable-target/staging", envTag, "staging"))},
		{"update production's service", request("ecs:UpdateService", "arn:aws:ecs:ap-southeast-2:"+acct+":service/ohmycoins-prod-cluster/ohmycoins-prod-backend-service"),
			iamsim.ImplicitDeny, iamsim.ImplicitDeny, ptr(request("ecs:UpdateService", "arn:aws:ecs:ap-southeast-2:"+acct+":service/ohmycoins-staging-cluster/ohmycoins-staging-backend-service"))},
		{"delete production's database", request("rds:DeleteDBInstance", "arn:aws:rds:ap-southeast-2:"+acct+":db:ohmycoins-prod-postgres"),
			iamsim.ImplicitDeny, iamsim.ImplicitDeny, ptr(request("rds:DeleteDBInstance", "arn:aws:rds:ap-southeast-2:"+acct+":db:ohmycoins-staging-postgres"))},
		{"pass production's task role", request("iam:PassRole", "arn:aws:iam::"+acct+":role/ohmycoins-prod-ecs-task-role"),
			iamsim.ImplicitDeny, iamsim.ImplicitDeny, ptr(request("iam:PassRole", "arn:aws:iam::"+acct+":role/ohmycoins-staging-ecs-task-role"))},
		{"raise production's budget", request("budgets:ModifyBudget", "arn:aws:budgets::"+acct+":budget/ohmycoins-prod-monthly"),
			iamsim.ImplicitDeny, iamsim.ImplicitDeny, ptr(request("budgets:ModifyBudget", "arn:aws:budgets::"+acct+":budget/ohmycoins-staging-monthly"))},
		{"delete production's logs", request("logs:DeleteLogGroup", "arn:aws:logs:ap-southeast-2:"+acct+":log-group:/ecs/ohmycoins-prod-backend"),
			iamsim.ImplicitDeny, iamsim.ImplicitDeny, ptr(request("logs:DeleteLogGroup", "arn:aws:logs:ap-southeast-2:"+acct+":log-group:/ecs/ohmycoins-staging-backend"))},
		{"change the CI identity", request("iam:PutRolePolicy", "arn:aws:iam::"+acct+":role/ohmycoins-staging-github-deploy"),
			iamsim.ImplicitDeny, iamsim.ImplicitDeny, nil},
		{"build in another region", request("ec2:CreateVpc", "arn:aws:ec2:us-east-1:"+acct+":vpc/*", reqTag, "staging", "aws:RequestedRegion", "us-east-1"),
			iamsim.ImplicitDeny, iamsim.ImplicitDeny, nil},
	} {
		require.Equal(t, c.deploy, iamsim.Evaluate(c.req, deploy...), "staging's deploy role may not %s", c.name)
		require.Equal(t, c.preview, iamsim.Evaluate(c.req, previewRole...), "staging's preview role may not %s", c.name)
		if c.ownDeploy != nil {
			require.Equal(t, iamsim.Allowed, iamsim.Evaluate(*c.ownDeploy, deploy...), "staging's deploy role may do on its own what it may not %s: %+v", c.name, *c.ownDeploy)
		}
	}
}

// TestTheCIRolesHaveWhatTheyNeed: the grants the deploy and preview roles need
// to run pulumi, for both environments, among them ElastiCache's log delivery.
func TestTheCIRolesHaveWhatTheyNeed(t *testing.T) {
	t.Parallel()
	roles, _, _ := ciRoles(t)
	for stack, prefix := range map[string]string{"staging": "ohmycoins-staging", "production": "ohmycoins-prod"} {
		deploy, previewRole := roles[prefix+"-github-deploy"], roles[prefix+"-github-preview"]
		for _, action := range []string{"logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery",
			"logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:DescribeResourcePolicies"} {
			require.Equal(t, iamsim.Allowed, iamsim.Evaluate(request(action, "*"), deploy...), "%s deploy: %s (ElastiCache log delivery)", stack, action)
		}
		own := stateObj + "stacks/ohmycoins/" + stack + ".json"
		for _, r := range []iamsim.Request{
			request("s3:GetObject", stateObj+"meta.yaml"),
			request("s3:GetObject", own),
			request("s3:ListBucket", "arn:aws:s3:::ohmycoins-pulumi-state"),
			request("kms:Decrypt", kmsKey+"secrets", aliases, "alias/ohmycoins-pulumi-"+stack),
			request("kms:Decrypt", kmsKey+"state", aliases, "alias/ohmycoins-pulumi", "kms:ViaService", "s3.ap-southeast-2.amazonaws.com"),
		} {
			require.Equal(t, iamsim.Allowed, iamsim.Evaluate(r, deploy...), "%s deploy: %+v", stack, r)
			require.Equal(t, iamsim.Allowed, iamsim.Evaluate(r, previewRole...), "%s preview: %+v", stack, r)
		}
		for _, r := range []iamsim.Request{
			request("s3:PutObject", own), request("s3:PutObject", own+".bak"),
			request("s3:PutObject", stateObj+"backups/ohmycoins/"+stack+"/"+stack+".1.json"),
			request("s3:DeleteObject", stateObj+"locks/organization/ohmycoins/"+stack+"/l.json"),
			request("kms:GenerateDataKey", kmsKey+"state", aliases, "alias/ohmycoins-pulumi", "kms:ViaService", "s3.ap-southeast-2.amazonaws.com"),
		} {
			require.Equal(t, iamsim.Allowed, iamsim.Evaluate(r, deploy...), "%s deploy: %+v", stack, r)
			require.NotEqual(t, iamsim.Allowed, iamsim.Evaluate(r, previewRole...), "%s preview writes nothing: %+v", stack, r)
		}
		// A refresh reads back the value of the stack's app secret (the drift check).
		env := map[string]string{"staging": "staging", "production": "production"}[stack]
		for _, r := range []iamsim.Request{
			request("secretsmanager:GetSecretValue", "arn:aws:secretsmanager:ap-southeast-2:"+acct+":secret:"+prefix+"-app-secrets-AbCdEf"),
			request("kms:Decrypt", kmsKey+"env", envTag, env, "kms:ViaService", "secretsmanager.ap-southeast-2.amazonaws.com"),
		} {
			require.Equal(t, iamsim.Allowed, iamsim.Evaluate(r, previewRole...), "%s preview: %+v", stack, r)
		}
		require.NotEqual(t, iamsim.Allowed, iamsim.Evaluate(request("kms:Decrypt", kmsKey+"env", envTag, env), previewRole...),
			"%s preview: the environment's key only through Secrets Manager", stack)
		require.NotEqual(t, iamsim.Allowed, iamsim.Evaluate(request("kms:Encrypt", kmsKey+"secrets", aliases, "alias/ohmycoins-pulumi-"+stack), deploy...),
			"%s: with the encryptedkey in the stack file the CLI never encrypts", stack)
	}

	// Production's deploy role is fenced the same way, towards staging.
	prod := roles["ohmycoins-prod-github-deploy"]
	for _, r := range []iamsim.Request{
		request("s3:PutObject", stateObj+"stacks/ohmycoins/staging.json"),
		request("kms:Decrypt", kmsKey+"staging-secrets", aliases, "alias/ohmycoins-pulumi-staging"),
		request("route53:ChangeResourceRecordSets", "arn:aws:route53:::hostedzone/Z", records, []string{validated + ".staging.ohmycoins.com"}),
		request("ec2:DeleteSecurityGroup", ec2ARN+"security-group/sg-staging", envTag, "staging"),
	} {
		require.NotEqual(t, iamsim.Allowed, iamsim.Evaluate(r, prod...), "production deploy: %+v", r)
	}
}

// TestOnlyMainAndItsEnvironmentsAssumeTheRoles: which GitHub tokens each
// role's trust policy accepts. Pull requests get staging's preview role
// only; production's roles never see a pull request's code. Main's own
// workflows (the nightly drift check) get both preview roles.
func TestOnlyMainAndItsEnvironmentsAssumeTheRoles(t *testing.T) {
	t.Parallel()
	_, trusts, _ := ciRoles(t)
	token := func(sub string) iamsim.Request {
		return iamsim.Request{Action: "sts:AssumeRoleWithWebIdentity", Context: map[string][]string{
			"token.actions.githubusercontent.com:aud": {"sts.amazonaws.com"},
			"token.actions.githubusercontent.com:sub": {sub},
		}}
	}
	const repo = "repo:MarkLimmage/ohmycoins:"
	accepts := map[string][]string{
		"ohmycoins-staging-github-preview": {repo + "pull_request", repo + "ref:refs/heads/main"},
		"ohmycoins-staging-github-deploy":  {repo + "environment:staging"},
		"ohmycoins-prod-github-preview":    {repo + "ref:refs/heads/main"},
		"ohmycoins-prod-github-deploy":     {repo + "environment:production"},
	}
	subjects := []string{repo + "pull_request", repo + "environment:staging", repo + "environment:production",
		repo + "ref:refs/heads/main", repo + "ref:refs/heads/feature", "repo:someone/fork:pull_request"}
	for role, ok := range accepts {
		for _, sub := range subjects {
			want := iamsim.ImplicitDeny
			if strings.Contains(strings.Join(ok, " "), sub) {
				want = iamsim.Allowed
			}
			require.Equal(t, want, iamsim.Evaluate(token(sub), trusts[role]), "%s with a token for %s", role, sub)
		}
	}
}

func ptr[T any](v T) *T { return &v }
