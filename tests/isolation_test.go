package tests

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ohmycoins/infra/components/cicd"
	"github.com/ohmycoins/infra/internal/iamsim"
	"github.com/ohmycoins/infra/internal/mockcloud"
	"github.com/ohmycoins/infra/internal/policy"
	"github.com/ohmycoins/infra/internal/policydoc"
	"github.com/ohmycoins/infra/internal/preview/previewtest"
	"github.com/ohmycoins/infra/internal/stackplan"
)

// environment is one stack as an attacker sees it: its CI roles' policies as
// the plan writes them (no stand-in of an AWS policy: the roles carry none),
// the boundary of its application roles, and the names its resources go by.
type environment struct {
	stack, prefix, tag string
	deploy, preview    []policydoc.Document
	boundary           policydoc.Document
	appRoles           []string
	vpc                string
	hosts              []string
	trusts             map[string]policydoc.Document
}

// environments are both stacks' plans, in the one account of today.
func environments(t *testing.T) (map[string]*environment, string) {
	t.Helper()
	envs := map[string]*environment{}
	var zone string
	for stack, prefix := range map[string]string{"staging": "ohmycoins-staging", "production": "ohmycoins-prod"} {
		plan := previewtest.Stack(t, stack).Plan
		zone = previewtest.ZoneID(t, plan)
		parse := func(raw any) policydoc.Document {
			doc, err := policydoc.Parse(raw.(string))
			require.NoError(t, err)
			require.Empty(t, iamsim.Unknown(doc), "every condition is one the evaluator understands")
			return doc
		}
		var read []policydoc.Document
		for _, part := range cicd.ReadPolicyParts {
			read = append(read, parse(previewtest.Named(t, plan, "aws:iam/policy:Policy", prefix+"-github-read-"+part).Inputs["policy"]))
		}
		e := &environment{stack: stack, prefix: prefix, tag: stack, trusts: map[string]policydoc.Document{}}
		e.deploy = append(read, previewtest.DeployPolicy(t, plan, prefix))
		e.preview = append(slices.Clone(read), previewtest.RolePolicies(t, plan, prefix+"-github-preview")[prefix+"-github-preview-state"])
		e.boundary = parse(previewtest.Named(t, plan, "aws:iam/policy:Policy", prefix+"-app-boundary").Inputs["policy"])
		for _, r := range plan.OfType(typeRole) {
			if !strings.Contains(r.Name, "-github-") {
				require.Equal(t, previewtest.Named(t, plan, "aws:iam/policy:Policy", prefix+"-app-boundary").Outputs["arn"], r.Inputs["permissionsBoundary"], "%s carries the boundary", r.Name)
				e.appRoles = append(e.appRoles, r.Name)
			} else {
				e.trusts[r.Name] = parse(r.Inputs["assumeRolePolicy"])
			}
		}
		e.vpc = previewtest.Named(t, plan, "aws:ec2/vpc:Vpc", prefix+"-vpc").Outputs["arn"].(string)
		cert := previewtest.Named(t, plan, "aws:acm/certificate:Certificate", prefix+"-certificate")
		e.hosts = []string{cert.Inputs["domainName"].(string)}
		for _, san := range cert.Inputs["subjectAlternativeNames"].([]any) {
			e.hosts = append(e.hosts, san.(string))
		}
		envs[stack] = e
	}
	return envs, zone
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

func arn(service, resource string) string {
	return fmt.Sprintf("arn:aws:%s:ap-southeast-2:%s:%s", service, acct, resource)
}

// administrator is what an attacker puts on an application role it may
// rewrite: everything. The boundary is what is left of it.
var administrator = policydoc.New(policydoc.Allow("Everything", []string{"*"}, "*"))

// asApplicationRole decides a request made as an application role whose
// policy the attacker rewrote to AdministratorAccess: the boundary decides.
func asApplicationRole(e *environment, r iamsim.Request) iamsim.Decision {
	if d := iamsim.Evaluate(r, e.boundary); d != iamsim.Allowed {
		return d
	}
	return iamsim.Evaluate(r, administrator)
}

// attack is one request against a victim environment, made by the attacker's
// roles; own is the same call on the attacker's own resource, which its
// deploy role's job needs (nil when no job makes it).
type attack struct {
	name   string
	victim iamsim.Request
	own    *iamsim.Request
	// also are the other requests the attack needs: it succeeds only when
	// the victim request and all of these are allowed.
	also []iamsim.Request
}

// succeeds decides an attack for one principal's decision function.
func (c attack) succeeds(decide func(iamsim.Request) iamsim.Decision) bool {
	for _, r := range append([]iamsim.Request{c.victim}, c.also...) {
		if decide(r) != iamsim.Allowed {
			return false
		}
	}
	return true
}

// attacks are the requests an attacker holding one environment's CI roles
// makes against the other: the data, the state, the network, DNS and
// certificates, secrets and keys, the services, IAM; each with the
// attacker-controlled values varied (names, tags, policy ARNs, domains).
func attacks(attacker, victim *environment, zone string) []attack {
	a, v := attacker, victim
	hostedZone := "arn:aws:route53:::hostedzone/" + zone
	p := func(r iamsim.Request) *iamsim.Request { return &r }
	adminPolicy := "arn:aws:iam::aws:policy/AdministratorAccess"
	boundary := "arn:aws:iam::" + acct + ":policy/" + a.prefix + "-app-boundary"
	out := []attack{
		// State and secrets of the stack.
		{"write the victim's state", request("s3:PutObject", stateObj+"stacks/ohmycoins/"+v.stack+".json"),
			p(request("s3:PutObject", stateObj+"stacks/ohmycoins/"+a.stack+".json")), nil},
		{"read the victim's state", request("s3:GetObject", stateObj+"stacks/ohmycoins/"+v.stack+".json"),
			p(request("s3:GetObject", stateObj+"stacks/ohmycoins/"+a.stack+".json")), nil},
		{"take the victim's lock", request("s3:PutObject", stateObj+"locks/organization/ohmycoins/"+v.stack+"/0f1e.json"),
			p(request("s3:PutObject", stateObj+"locks/organization/ohmycoins/"+a.stack+"/0f1e.json")), nil},
		{"rewrite the victim's history", request("s3:PutObject", stateObj+"history/ohmycoins/"+v.stack+"/"+v.stack+"-1.history.json"),
			p(request("s3:PutObject", stateObj+"history/ohmycoins/"+a.stack+"/"+a.stack+"-1.history.json")), nil},
		{"decrypt the victim's stack secrets", request("kms:Decrypt", kmsKey+"v-secrets", aliases, "alias/ohmycoins-pulumi-"+v.stack, envTag, "shared"),
			p(request("kms:Decrypt", kmsKey+"a-secrets", aliases, "alias/ohmycoins-pulumi-"+a.stack, envTag, "shared")), nil},
		{"decrypt with the state bucket's key outside S3", request("kms:Decrypt", kmsKey+"state", aliases, "alias/ohmycoins-pulumi", envTag, "shared"),
			p(request("kms:Decrypt", kmsKey+"state", aliases, "alias/ohmycoins-pulumi", "kms:ViaService", "s3.ap-southeast-2.amazonaws.com")), nil},

		// Data: logs, images, database logs, parameters, trails, access logs.
		{"read the victim's application logs", request("logs:GetLogEvents", arn("logs", "log-group:/ecs/"+v.prefix+"-backend:log-stream:x")), nil, nil},
		{"search the victim's logs", request("logs:StartQuery", arn("logs", "log-group:/ecs/"+v.prefix+"-backend")), nil, nil},
		{"pull the victim's image", request("ecr:BatchGetImage", arn("ecr", "repository/"+v.prefix+"-backend")), nil, nil},
		{"download the victim's database log", request("rds:DownloadDBLogFilePortion", arn("rds", "db:"+v.prefix+"-postgres")), nil, nil},
		{"read a parameter", request("ssm:GetParameter", arn("ssm", "parameter/"+v.prefix+"/x")), nil, nil},
		{"read the account's trail", request("cloudtrail:LookupEvents", "*"), nil, nil},
		{"read the victim's access logs", request("s3:GetObject", "arn:aws:s3:::"+v.prefix+"-alb-logs-1a2b/AWSLogs/x.gz"),
			p(request("s3:GetObject", "arn:aws:s3:::"+a.prefix+"-alb-logs-1a2b/AWSLogs/x.gz")), nil},
		{"read the victim's app secret", request("secretsmanager:GetSecretValue", arn("secretsmanager", "secret:"+v.prefix+"-app-secrets-AbCdEf")), nil, nil},
		// The victim's master secret is named rds!db-… like the attacker's:
		// the victim's key, which decrypts it, is what the attacker lacks.
		{"read the victim's database master secret", request("secretsmanager:GetSecretValue", arn("secretsmanager", "secret:rds!db-1234-AbCdEf")),
			p(request("secretsmanager:CreateSecret", arn("secretsmanager", "secret:rds!db-1234-AbCdEf"), "aws:CalledVia", []string{"rds.amazonaws.com"})),
			[]iamsim.Request{request("kms:Decrypt", kmsKey+"v-env", envTag, v.tag, "kms:ViaService", "secretsmanager.ap-southeast-2.amazonaws.com")}},
		{"decrypt with the victim's key through Secrets Manager", request("kms:Decrypt", kmsKey+"v-env", envTag, v.tag, "kms:ViaService", "secretsmanager.ap-southeast-2.amazonaws.com"), nil, nil},
		{"describe the victim's secret", request("secretsmanager:DescribeSecret", arn("secretsmanager", "secret:"+v.prefix+"-app-secrets-AbCdEf")),
			p(request("secretsmanager:DescribeSecret", arn("secretsmanager", "secret:"+a.prefix+"-app-secrets-AbCdEf"))), nil},
		{"read the victim's key policy", request("kms:GetKeyPolicy", kmsKey+"v-env", envTag, v.tag),
			p(request("kms:GetKeyPolicy", kmsKey+"a-env", envTag, a.tag)), nil},

		// Keys and network.
		{"point an alias at the victim's key", request("kms:UpdateAlias", kmsKey+"v-env", envTag, v.tag),
			p(request("kms:UpdateAlias", kmsKey+"a-env", envTag, a.tag)), nil},
		{"re-tag the victim's key", request("kms:TagResource", kmsKey+"v-env", envTag, v.tag, reqTag, a.tag),
			p(request("kms:TagResource", kmsKey+"new-key", reqTag, a.tag)), nil},
		{"open the victim's security group", request("ec2:AuthorizeSecurityGroupIngress", ec2ARN+"security-group/sg-v", envTag, v.tag),
			p(request("ec2:AuthorizeSecurityGroupIngress", ec2ARN+"security-group/sg-a", envTag, a.tag)), nil},
		{"create a subnet in the victim's VPC", request("ec2:CreateSubnet", v.vpc, envTag, v.tag, reqTag, a.tag),
			p(request("ec2:CreateSubnet", a.vpc, envTag, a.tag, reqTag, a.tag)), nil},
		{"create a VPC tagged as the victim's", request("ec2:CreateVpc", ec2ARN+"vpc/*", reqTag, v.tag),
			p(request("ec2:CreateVpc", ec2ARN+"vpc/*", reqTag, a.tag)), nil},
		{"log the victim's interfaces' traffic", request("ec2:CreateFlowLogs", ec2ARN+"network-interface/eni-v", "ec2:Vpc", v.vpc),
			p(request("ec2:CreateFlowLogs", ec2ARN+"network-interface/eni-a", "ec2:Vpc", a.vpc)), nil},
		{"replace the victim's route", request("ec2:ReplaceRoute", ec2ARN+"route-table/rtb-v", envTag, v.tag),
			p(request("ec2:ReplaceRoute", ec2ARN+"route-table/rtb-a", envTag, a.tag)), nil},

		// DNS and certificates.
		{"change the victim's hosts", request("route53:ChangeResourceRecordSets", hostedZone, records, v.hosts[len(v.hosts)-1:]),
			p(request("route53:ChangeResourceRecordSets", hostedZone, records, a.hosts[len(a.hosts)-1:])), nil},
		{"change the victim's validation record", request("route53:ChangeResourceRecordSets", hostedZone, records, []string{validated + "." + v.hosts[0]}),
			p(request("route53:ChangeResourceRecordSets", hostedZone, records, []string{validated + "." + a.hosts[0]})), nil},
		{"slip a victim's record into a batch", request("route53:ChangeResourceRecordSets", hostedZone, records, []string{a.hosts[0], v.hosts[0]}), nil, nil},
		{"request a certificate for the victim's names", request("acm:RequestCertificate", "*", reqTag, a.tag, "acm:DomainNames", v.hosts),
			p(request("acm:RequestCertificate", "*", reqTag, a.tag, "acm:DomainNames", a.hosts)), nil},
		{"request a certificate for its names and one of the victim's", request("acm:RequestCertificate", "*", reqTag, a.tag, "acm:DomainNames", append([]string{a.hosts[0]}, v.hosts[0])), nil, nil},
		{"request a wildcard certificate", request("acm:RequestCertificate", "*", reqTag, a.tag, "acm:DomainNames", []string{"*.ohmycoins.com"}), nil, nil},
		{"export a certificate", request("acm:ExportCertificate", arn("acm", "certificate/a"), envTag, a.tag), nil, nil},
		{"delete the victim's certificate", request("acm:DeleteCertificate", arn("acm", "certificate/v"), envTag, v.tag),
			p(request("acm:DeleteCertificate", arn("acm", "certificate/a"), envTag, a.tag)), nil},

		// Services.
		{"scale the victim to zero", request("application-autoscaling:RegisterScalableTarget", arn("application-autoscaling", "scalable-target/v"), envTag, v.tag),
			p(request("application-autoscaling:RegisterScalableTarget", arn("application-autoscaling", "scalable-target/a"), envTag, a.tag)), nil},
		{"update the victim's service", request("ecs:UpdateService", arn("ecs", "service/"+v.prefix+"-cluster/"+v.prefix+"-backend-service")),
			p(request("ecs:UpdateService", arn("ecs", "service/"+a.prefix+"-cluster/"+a.prefix+"-backend-service"))), nil},
		{"register a revision in the victim's family", request("ecs:RegisterTaskDefinition", arn("ecs", "task-definition/"+v.prefix+"-backend:9")),
			p(request("ecs:RegisterTaskDefinition", arn("ecs", "task-definition/"+a.prefix+"-backend:9"))), nil},
		{"deregister the victim's revision", request("ecs:DeregisterTaskDefinition", "*"), nil, nil},
		{"delete the victim's database", request("rds:DeleteDBInstance", arn("rds", "db:"+v.prefix+"-postgres")),
			p(request("rds:DeleteDBInstance", arn("rds", "db:"+a.prefix+"-postgres"))), nil},
		{"raise the victim's budget", request("budgets:ModifyBudget", "arn:aws:budgets::"+acct+":budget/"+v.prefix+"-monthly"),
			p(request("budgets:ModifyBudget", "arn:aws:budgets::"+acct+":budget/"+a.prefix+"-monthly")), nil},
		{"delete the victim's logs", request("logs:DeleteLogGroup", arn("logs", "log-group:/ecs/"+v.prefix+"-backend")),
			p(request("logs:DeleteLogGroup", arn("logs", "log-group:/ecs/"+a.prefix+"-backend"))), nil},
		{"overwrite the account's log resource policy", request("logs:PutResourcePolicy", "*"), nil, nil},
		{"subscribe to the victim's alerts", request("sns:Subscribe", arn("sns", v.prefix+"-alerts")),
			p(request("sns:Subscribe", arn("sns", a.prefix+"-alerts"))), nil},

		// IAM: no role can grant more than it holds.
		{"pass the victim's task role", request("iam:PassRole", "arn:aws:iam::"+acct+":role/"+v.prefix+"-ecs-task-role", "iam:PassedToService", "ecs-tasks.amazonaws.com"),
			p(request("iam:PassRole", "arn:aws:iam::"+acct+":role/"+a.prefix+"-ecs-task-role", "iam:PassedToService", "ecs-tasks.amazonaws.com")), nil},
		{"pass its task role to Lambda", request("iam:PassRole", "arn:aws:iam::"+acct+":role/"+a.prefix+"-ecs-task-role", "iam:PassedToService", "lambda.amazonaws.com"), nil, nil},
		{"attach AdministratorAccess to its task role", request("iam:AttachRolePolicy", "arn:aws:iam::"+acct+":role/"+a.prefix+"-ecs-task-role",
			"iam:PermissionsBoundary", boundary, "iam:PolicyARN", adminPolicy),
			p(request("iam:AttachRolePolicy", "arn:aws:iam::"+acct+":role/"+a.prefix+"-ecs-task-execution-role",
				"iam:PermissionsBoundary", boundary, "iam:PolicyARN", "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy")), nil},
		{"create a role without the boundary", request("iam:CreateRole", "arn:aws:iam::"+acct+":role/"+a.prefix+"-ecs-task-role"),
			p(request("iam:CreateRole", "arn:aws:iam::"+acct+":role/"+a.prefix+"-ecs-task-role", "iam:PermissionsBoundary", boundary)), nil},
		{"swap its boundary for AdministratorAccess", request("iam:PutRolePermissionsBoundary", "arn:aws:iam::"+acct+":role/"+a.prefix+"-ecs-task-role", "iam:PermissionsBoundary", adminPolicy), nil, nil},
		{"put its boundary on the victim's role", request("iam:PutRolePermissionsBoundary", "arn:aws:iam::"+acct+":role/"+v.prefix+"-ecs-task-role", "iam:PermissionsBoundary", boundary), nil, nil},
		{"remove its boundary", request("iam:DeleteRolePermissionsBoundary", "arn:aws:iam::"+acct+":role/"+a.prefix+"-ecs-task-role", "iam:PermissionsBoundary", boundary), nil, nil},
		{"rewrite its boundary", request("iam:CreatePolicyVersion", boundary), nil, nil},
		{"rewrite its own deploy policy", request("iam:CreatePolicyVersion", "arn:aws:iam::"+acct+":policy/"+a.prefix+"-github-deploy-services"), nil, nil},
		{"change its CI identity", request("iam:PutRolePolicy", "arn:aws:iam::"+acct+":role/"+a.prefix+"-github-deploy"), nil, nil},
		{"build in another region", request("ec2:CreateVpc", "arn:aws:ec2:us-east-1:"+acct+":vpc/*", reqTag, a.tag, "aws:RequestedRegion", "us-east-1"), nil, nil},
	}
	return out
}

// TestNoPathBetweenTheEnvironments proves, by IAM's evaluation logic and in
// both directions, that one environment's CI roles reach nothing of the
// other's: not directly, and not through a role they can write (an
// application role whose policy they rewrite to AdministratorAccess keeps
// only what its boundary allows). Each refusal is paired with the same call
// on the attacker's own resource, which its deploy role's job needs and is
// allowed, so a role that can do nothing fails here too.
func TestNoPathBetweenTheEnvironments(t *testing.T) {
	t.Parallel()
	envs, zone := environments(t)
	for _, pair := range [][2]string{{"staging", "production"}, {"production", "staging"}} {
		attacker, victim := envs[pair[0]], envs[pair[1]]
		for _, c := range attacks(attacker, victim, zone) {
			deploy := func(r iamsim.Request) iamsim.Decision { return iamsim.Evaluate(r, attacker.deploy...) }
			preview := func(r iamsim.Request) iamsim.Decision { return iamsim.Evaluate(r, attacker.preview...) }
			app := func(r iamsim.Request) iamsim.Decision { return asApplicationRole(attacker, r) }
			require.False(t, c.succeeds(deploy), "%s's deploy role may not %s: %+v", attacker.stack, c.name, c.victim)
			require.False(t, c.succeeds(preview), "%s's preview role may not %s", attacker.stack, c.name)
			require.False(t, c.succeeds(app), "%s's application roles, rewritten to AdministratorAccess, may not %s", attacker.stack, c.name)
			if c.own != nil {
				require.Equal(t, iamsim.Allowed, iamsim.Evaluate(*c.own, attacker.deploy...), "%s's deploy role does on its own what it may not %s: %+v", attacker.stack, c.name, *c.own)
			}
		}
	}
}

// TestTheApplicationRolesWorkInsideTheirBoundary: what each application role
// needs (its own policies' grants) is inside its environment's boundary, so
// the boundary takes nothing a task, a state machine or a delivery uses.
func TestTheApplicationRolesWorkInsideTheirBoundary(t *testing.T) {
	t.Parallel()
	envs, _ := environments(t)
	for _, e := range envs {
		plan := previewtest.Stack(t, e.stack).Plan
		require.NotEmpty(t, e.appRoles)
		for _, role := range e.appRoles {
			for name, doc := range previewtest.RolePolicies(t, plan, role) {
				for _, s := range doc.Statement {
					for _, action := range s.Action {
						for _, resource := range s.Resource {
							ctx := map[string][]string{"aws:RequestedRegion": {"ap-southeast-2"}}
							for _, keys := range s.Condition {
								for k, v := range keys {
									ctx[k] = v
								}
							}
							if strings.HasPrefix(action, "kms:") {
								ctx["aws:ResourceTag/Environment"] = []string{e.tag}
							}
							r := iamsim.Request{Action: action, Resource: resource, Context: ctx}
							require.Equal(t, iamsim.Allowed, iamsim.Evaluate(r, e.boundary), "%s %s: %s on %s is inside the boundary", role, name, action, resource)
						}
					}
				}
			}
		}
	}
}

// TestTheServicesUseTheirAWSPoliciesInsideTheBoundary: what ECS does with
// the execution role's AmazonECSTaskExecutionRolePolicy (pull the service's
// image from its repository, write its log group) and RDS with the
// monitoring role's AmazonRDSEnhancedMonitoringRole (write RDSOSMetrics) is
// inside the boundary: the AWS policies allow them on "*", the boundary on
// the environment's own.
func TestTheServicesUseTheirAWSPoliciesInsideTheBoundary(t *testing.T) {
	t.Parallel()
	envs, _ := environments(t)
	for _, e := range envs {
		for _, r := range []iamsim.Request{
			request("ecr:GetAuthorizationToken", "*"),
			request("ecr:BatchCheckLayerAvailability", arn("ecr", "repository/"+e.prefix+"-backend")),
			request("ecr:GetDownloadUrlForLayer", arn("ecr", "repository/"+e.prefix+"-frontend")),
			request("ecr:BatchGetImage", arn("ecr", "repository/"+e.prefix+"-backend")),
			request("logs:CreateLogStream", arn("logs", "log-group:/ecs/"+e.prefix+"-backend:log-stream:ecs/backend/1")),
			request("logs:PutLogEvents", arn("logs", "log-group:/ecs/"+e.prefix+"-frontend:log-stream:ecs/frontend/1")),
			request("logs:CreateLogGroup", arn("logs", "log-group:RDSOSMetrics")),
			request("logs:PutLogEvents", arn("logs", "log-group:RDSOSMetrics:log-stream:db-ABCDEFGHIJKLMNOPQRSTUVWXYZ")),
		} {
			require.Equal(t, iamsim.Allowed, iamsim.Evaluate(r, e.boundary), "%s: %s on %s inside the boundary", e.stack, r.Action, r.Resource)
		}
	}
}

// TestTheCIRolesHaveWhatTheyNeed: the grants the deploy and preview roles need
// to run pulumi, for both environments: the state, the secrets key, the
// reads of every resource of the plan, ElastiCache's log delivery.
func TestTheCIRolesHaveWhatTheyNeed(t *testing.T) {
	t.Parallel()
	envs, _ := environments(t)
	for stack, e := range envs {
		for _, action := range []string{"logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery",
			"logs:ListLogDeliveries", "logs:DescribeResourcePolicies"} {
			require.Equal(t, iamsim.Allowed, iamsim.Evaluate(request(action, "*"), e.deploy...), "%s deploy: %s (ElastiCache log delivery)", stack, action)
		}
		own := stateObj + "stacks/ohmycoins/" + stack + ".json"
		for _, r := range []iamsim.Request{
			request("s3:GetObject", stateObj+"meta.yaml"),
			request("s3:GetObject", own),
			request("s3:ListBucket", "arn:aws:s3:::ohmycoins-pulumi-state"),
			request("kms:Decrypt", kmsKey+"secrets", aliases, "alias/ohmycoins-pulumi-"+stack),
			request("kms:Decrypt", kmsKey+"state", aliases, "alias/ohmycoins-pulumi", "kms:ViaService", "s3.ap-southeast-2.amazonaws.com"),
		} {
			require.Equal(t, iamsim.Allowed, iamsim.Evaluate(r, e.deploy...), "%s deploy: %+v", stack, r)
			require.Equal(t, iamsim.Allowed, iamsim.Evaluate(r, e.preview...), "%s preview: %+v", stack, r)
		}
		for _, r := range []iamsim.Request{
			request("s3:PutObject", own), request("s3:PutObject", own+".bak"),
			request("s3:PutObject", stateObj+"backups/ohmycoins/"+stack+"/"+stack+".1.json"),
			request("s3:DeleteObject", stateObj+"locks/organization/ohmycoins/"+stack+"/l.json"),
			request("kms:GenerateDataKey", kmsKey+"state", aliases, "alias/ohmycoins-pulumi", "kms:ViaService", "s3.ap-southeast-2.amazonaws.com"),
		} {
			require.Equal(t, iamsim.Allowed, iamsim.Evaluate(r, e.deploy...), "%s deploy: %+v", stack, r)
			require.NotEqual(t, iamsim.Allowed, iamsim.Evaluate(r, e.preview...), "%s preview writes nothing: %+v", stack, r)
		}
		// A refresh reads back the value of the stack's app secret (the drift check).
		for _, r := range []iamsim.Request{
			request("secretsmanager:GetSecretValue", arn("secretsmanager", "secret:"+e.prefix+"-app-secrets-AbCdEf")),
			request("kms:Decrypt", kmsKey+"env", envTag, e.tag, "kms:ViaService", "secretsmanager.ap-southeast-2.amazonaws.com"),
		} {
			require.Equal(t, iamsim.Allowed, iamsim.Evaluate(r, e.preview...), "%s preview: %+v", stack, r)
		}
		require.NotEqual(t, iamsim.Allowed, iamsim.Evaluate(request("kms:Decrypt", kmsKey+"env", envTag, e.tag), e.preview...),
			"%s preview: the environment's key only through Secrets Manager", stack)
		require.NotEqual(t, iamsim.Allowed, iamsim.Evaluate(request("kms:Encrypt", kmsKey+"secrets", aliases, "alias/ohmycoins-pulumi-"+stack), e.deploy...),
			"%s: with the encryptedkey in the stack file the CLI never encrypts", stack)
	}
}

// TestTheCIRolesReadBackEveryResourceOfTheirPlan: a refresh of each stack
// reads every resource of its plan back, each read action on the resource's
// own ARN (or on "*" where the call names none) and tags: what replaced
// ReadOnlyAccess leaves no resource of the plan unreadable.
func TestTheCIRolesReadBackEveryResourceOfTheirPlan(t *testing.T) {
	t.Parallel()
	envs, _ := environments(t)
	for stack, e := range envs {
		plan := previewtest.Stack(t, stack).Plan
		checked := 0
		for _, r := range plan.Resources {
			if !strings.HasPrefix(r.Type, "aws:") || !r.Custom || strings.HasPrefix(r.Type, "pulumi:providers") {
				continue
			}
			for _, action := range readsOf(t, r.Type) {
				if action == "secretsmanager:GetSecretValue" {
					continue // the stack's own secrets only: TestTheCIRolesHaveWhatTheyNeed
				}
				target := "*"
				if !unscoped(action) {
					target = readTarget(r, action)
				}
				req := request(action, target, envTag, e.tag, aliases, "alias/"+e.prefix)
				require.Equal(t, iamsim.Allowed, iamsim.Evaluate(req, e.preview...), "%s preview reads %s back: %s on %s", stack, r.Name, action, target)
				require.Equal(t, iamsim.Allowed, iamsim.Evaluate(req, e.deploy...), "%s deploy reads %s back: %s on %s", stack, r.Name, action, target)
				checked++
			}
		}
		require.Greater(t, checked, 150, "%s: the reads of every resource", stack)
	}
}

// TestOnlyMainAndItsEnvironmentsAssumeTheRoles: which GitHub tokens each
// role's trust policy accepts. Pull requests get staging's preview role
// only; production's roles never see a pull request's code, nor main's code
// without production's reviewers (the production environment).
func TestOnlyMainAndItsEnvironmentsAssumeTheRoles(t *testing.T) {
	t.Parallel()
	envs, _ := environments(t)
	trusts := map[string]policydoc.Document{}
	for _, e := range envs {
		for role, doc := range e.trusts {
			trusts[role] = doc
		}
	}
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
		"ohmycoins-prod-github-preview":    {repo + "environment:production"},
		"ohmycoins-prod-github-deploy":     {repo + "environment:production"},
	}
	subjects := []string{repo + "pull_request", repo + "environment:staging", repo + "environment:production",
		repo + "ref:refs/heads/main", repo + "ref:refs/heads/feature", "repo:someone/fork:pull_request"}
	require.Len(t, trusts, len(accepts))
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

// readTarget is the resource a scoped read of r is authorised on: its own ARN,
// or the ARN of what it belongs to (a role's policy is read on the role, a
// record on its zone, a repository's lifecycle policy on the repository).
func readTarget(r stackplan.Resource, action string) string {
	in := func(k string) string { v, _ := r.Inputs[k].(string); return v }
	own, _ := r.Outputs["arn"].(string)
	service, _, _ := strings.Cut(action, ":")
	switch {
	case service == "iam" && in("role") != "":
		return "arn:aws:iam::" + acct + ":role/" + in("role")
	case service == "ecr" && in("repository") != "":
		return arn("ecr", "repository/"+in("repository"))
	case service == "sns" && in("topic") != "":
		return in("topic")
	case service == "s3" && in("bucket") != "":
		return "arn:aws:s3:::" + in("bucket")
	case service == "route53":
		return "arn:aws:route53:::hostedzone/" + in("zoneId")
	case service == "acm" && in("certificateArn") != "":
		return in("certificateArn")
	case action == "cloudwatch:GetDashboard":
		return "arn:aws:cloudwatch::" + acct + ":dashboard/" + in("dashboardName")
	case service == "wafv2" && in("resourceArn") != "":
		return in("resourceArn") // a web ACL's logging: the ACL's ARN
	case action == "elasticache:DescribeCacheClusters":
		return arn("elasticache", "cluster:"+r.Outputs["memberClusters"].([]any)[0].(string))
	}
	return own
}

// readsOf are the read actions of a type (internal/awsread through the cicd
// component's table).
func readsOf(t *testing.T, typ string) []string {
	t.Helper()
	return cicd.ReadActionsOf(typ)
}

// unscoped reads take "*" only (the Service Authorization Reference lists no
// resource type for them, or an optional one the call may not name).
func unscoped(action string) bool { return cicd.UnscopedRead(action) }

// TestAChatChannelIsTheEnvironmentsOwn: with a Slack channel, each stack's
// deploy role writes its own AWS Chatbot configuration and passes the
// Chatbot role to AWS Chatbot only, never the other stack's configuration,
// and the plan passes the policy check (the role's trust, its boundary, the
// read-only guardrail).
func TestAChatChannelIsTheEnvironmentsOwn(t *testing.T) {
	t.Parallel()
	slack := previewtest.Set("ohmycoins:alerts", `{"slack": {"workspaceId": "T0123ABCD", "channelId": "C0456EFGH"}}`)
	for stack, other := range map[string]string{"staging": "ohmycoins-prod", "production": "ohmycoins-staging"} {
		result := previewtest.Stack(t, stack, slack)
		prefix := result.Settings.NamePrefix
		report := policy.Check(result.Plan, policy.StackOf(result.Settings))
		require.Empty(t, report.Violations, "%s: %+v", stack, report.Violations)
		deploy := previewtest.DeployPolicy(t, result.Plan, prefix)
		config := func(p string) string {
			return "arn:aws:chatbot::" + acct + ":chat-configuration/slack-channel/" + p + "-slack-t0123abcd"
		}
		require.Equal(t, iamsim.Allowed, iamsim.Evaluate(request("chatbot:CreateSlackChannelConfiguration", config(prefix)), deploy), stack)
		require.NotEqual(t, iamsim.Allowed, iamsim.Evaluate(request("chatbot:DeleteSlackChannelConfiguration", config(other)), deploy), "%s deletes the other's channel", stack)
		role := "arn:aws:iam::" + acct + ":role/" + prefix + "-chatbot"
		require.Equal(t, iamsim.Allowed, iamsim.Evaluate(request("iam:PassRole", role, "iam:PassedToService", "chatbot.amazonaws.com"), deploy), stack)
		require.NotEqual(t, iamsim.Allowed, iamsim.Evaluate(request("iam:PassRole", role, "iam:PassedToService", "ecs-tasks.amazonaws.com"), deploy), "%s: to AWS Chatbot only", stack)
	}
}
