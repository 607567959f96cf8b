package stacks_test

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ohmycoins/infra/internal/mockcloud"
	"github.com/ohmycoins/infra/internal/policydoc"
	"github.com/ohmycoins/infra/internal/preview/previewtest"
	"github.com/ohmycoins/infra/internal/service"
	"github.com/ohmycoins/infra/internal/stackplan"
)

const (
	typeOIDC        = "aws:iam/openIdConnectProvider:OpenIdConnectProvider"
	typeCertificate = "aws:acm/certificate:Certificate"
	typeValidation  = "aws:acm/certificateValidation:CertificateValidation"
	typeRecord      = "aws:route53/record:Record"
)

// specOutputs are the stack outputs every stack exports, the names the runbook
// reads; a worker adds <name>_service_name, <name>_task_definition_arn and
// <name>_repository_url.
var specOutputs = []string{
	"vpc_id", "alb_dns_name", "alb_zone_id", "db_instance_address", "db_endpoint",
	"redis_primary_endpoint_address", "redis_reader_endpoint_address", "ecs_cluster_name",
	"backend_service_name", "frontend_service_name", "backend_target_group_arn", "frontend_target_group_arn",
	"backend_task_definition_arn", "frontend_task_definition_arn",
	"app_secrets_arn", "secret_arn", "db_master_secret_arn", "kms_key_arn", "monitoring_sns_topic_arn",
	"dashboard_name", "dashboard_url", "alarm_names", "backend_repository_url", "frontend_repository_url",
	"github_preview_role_arn", "github_deploy_role_arn", "app_url", "api_url",
}

func TestStackOutputsAreExactlyTheSpecList(t *testing.T) {
	for _, stack := range []string{"staging", "production"} {
		t.Run(stack, func(t *testing.T) {
			t.Parallel()
			result := previewtest.Stack(t, stack)
			plan := result.Plan
			var names []string
			for n, v := range plan.Outputs {
				names = append(names, n)
				require.NotEqual(t, stackplan.Unknown, v, n)
				require.NotEmpty(t, v, n)
			}
			want := slices.Clone(specOutputs)
			if result.Settings.DR.On() {
				want = append(want, "dr_backups_arn", "dr_key_arn")
			}
			if result.Settings.WAF.Enabled {
				want = append(want, "waf_web_acl_arn", "waf_log_group_name")
			}
			for _, w := range service.Only(result.Settings.ServiceList(), service.Worker) {
				want = append(want, w.Name+"_service_name", w.Name+"_task_definition_arn", w.Name+"_repository_url")
			}
			require.ElementsMatch(t, want, names)
		})
	}
}

func TestCIRolesTrustOnlyTheirWorkflows(t *testing.T) {
	// The account's provider, which the account-level program owns; neither stack creates it.
	const provider = "arn:aws:iam::" + mockcloud.MockAccountID + ":oidc-provider/token.actions.githubusercontent.com"
	const main = "repo:MarkLimmage/ohmycoins:ref:refs/heads/main"
	for _, c := range []struct {
		stack, prefix, environment string
		previewSubjects            []string
	}{
		// Pull requests and main's nightly drift check preview staging;
		// production's preview role serves only jobs of the production
		// environment, whose reviewers approve each: neither a pull
		// request's code nor unreviewed merged code decrypts its secrets.
		{"staging", "ohmycoins-staging", "staging", []string{main, "repo:MarkLimmage/ohmycoins:pull_request"}},
		{"production", "ohmycoins-prod", "production", []string{"repo:MarkLimmage/ohmycoins:environment:production"}},
	} {
		t.Run(c.stack, func(t *testing.T) {
			t.Parallel()
			plan := previewtest.Stack(t, c.stack).Plan
			require.Empty(t, plan.OfType(typeOIDC), "the account's OIDC provider belongs to the account-level program")
			for role, subjects := range map[string][]string{
				c.prefix + "-github-preview": c.previewSubjects,
				c.prefix + "-github-deploy":  {"repo:MarkLimmage/ohmycoins:environment:" + c.environment},
			} {
				s := previewtest.Trust(t, plan, role)
				require.Equal(t, []string{provider}, s.Principal.Federated, role)
				require.Equal(t, []string{"sts:AssumeRoleWithWebIdentity"}, s.Action)
				require.Equal(t, map[string][]string{
					"token.actions.githubusercontent.com:aud": {"sts.amazonaws.com"},
					"token.actions.githubusercontent.com:sub": subjects,
				}, s.Condition["StringEquals"], "%s: exact subjects (defects C2, C3)", role)
				require.Len(t, s.Condition, 1, "no StringLike with wildcards")
				require.NotContains(t, strings.Join(subjects, " "), "*")
				for _, part := range []string{"scoped", "describe"} {
					attachment := previewtest.Named(t, plan, typeAttachment, role+"-read-"+part)
					require.Equal(t, previewtest.Named(t, plan, "aws:iam/policy:Policy", c.prefix+"-github-read-"+part).Outputs["arn"], attachment.Inputs["policyArn"],
						"the program's reads, not ReadOnlyAccess")
				}
				require.Equal(t, 3600.0, previewtest.Named(t, plan, typeRole, role).Inputs["maxSessionDuration"], "an hour's sessions")
			}
			require.Equal(t, previewtest.Named(t, plan, typeRole, c.prefix+"-github-deploy").Outputs["arn"], plan.Outputs["github_deploy_role_arn"])
			require.Equal(t, previewtest.Named(t, plan, typeRole, c.prefix+"-github-preview").Outputs["arn"], plan.Outputs["github_preview_role_arn"])
		})
	}
}

func TestPreviewRoleOnlyReadsItsOwnState(t *testing.T) {
	t.Parallel()
	plan := previewtest.Stack(t, "staging").Plan
	policy := previewtest.RolePolicies(t, plan, "ohmycoins-staging-github-preview")["ohmycoins-staging-github-preview-state"]
	sids := map[string]policydoc.Statement{}
	var allowed []string
	for _, s := range policy.Statement {
		sids[s.Sid] = s
		if s.Effect == "Allow" {
			allowed = append(allowed, s.Action...)
		}
	}
	require.ElementsMatch(t, []string{"s3:ListBucket", "s3:GetBucketLocation", "s3:GetObject", "s3:GetObject", "s3:GetObjectVersion", "kms:Decrypt", "kms:Decrypt", "kms:DescribeKey",
		"secretsmanager:GetSecretValue", "kms:Decrypt"}, allowed,
		"reads only: no Put, no Delete, no Encrypt")
	require.Equal(t, []string{"arn:aws:secretsmanager:ap-southeast-2:" + mockcloud.MockAccountID + ":secret:ohmycoins-staging-app-secrets-??????"},
		sids["ReadBackTheStacksSecretValues"].Resource, "a refresh reads back the app secret, and no other")
	require.Equal(t, []string{
		"arn:aws:s3:::ohmycoins-pulumi-state/.pulumi/stacks/ohmycoins/staging.json*",
		"arn:aws:s3:::ohmycoins-pulumi-state/.pulumi/stacks/ohmycoins/staging.pulumi-tags",
		"arn:aws:s3:::ohmycoins-pulumi-state/.pulumi/history/ohmycoins/staging/*",
		"arn:aws:s3:::ohmycoins-pulumi-state/.pulumi/backups/ohmycoins/staging/*",
		"arn:aws:s3:::ohmycoins-pulumi-state/.pulumi/locks/organization/ohmycoins/staging/*",
	}, sids["StackState"].Resource)
	require.Equal(t, []string{"alias/ohmycoins-pulumi-staging"}, sids["StackSecretsKey"].Condition["ForAnyValue:StringEquals"]["kms:ResourceAliases"])
	require.Equal(t, []string{"s3.ap-southeast-2.amazonaws.com"}, sids["StateBucketKeyThroughS3"].Condition["StringEquals"]["kms:ViaService"])
	require.Equal(t, "Deny", sids["NoOtherObjects"].Effect)
}

func TestDeployRoleRunsPulumiUpOnItsStackOnly(t *testing.T) {
	for _, c := range []struct {
		stack, prefix string
		roles         []string
	}{
		{"staging", "ohmycoins-staging", []string{"ecs-task-execution-role", "ecs-task-role", "rds-monitoring-role"}},
		{"production", "ohmycoins-prod", []string{"ecs-task-execution-role", "ecs-task-role", "rds-monitoring-role", "flow-logs-role"}},
	} {
		t.Run(c.stack, func(t *testing.T) {
			t.Parallel()
			result := previewtest.Stack(t, c.stack)
			plan := result.Plan
			// Each data client rolls when a secret it reads rotates: a state
			// machine's role and the event rule's.
			for _, client := range service.DataClients(result.Settings.ServiceList()) {
				c.roles = append(c.roles, client.Name+"-redeploy-role", client.Name+"-secret-rotated-role")
			}
			policy := previewtest.DeployPolicy(t, plan, c.prefix)

			var stackRoles []string
			for _, r := range c.roles {
				arn := "arn:aws:iam::" + mockcloud.MockAccountID + ":role/" + c.prefix + "-" + r
				stackRoles = append(stackRoles, arn)
				require.Equal(t, arn, previewtest.Named(t, plan, typeRole, c.prefix+"-"+r).Outputs["arn"], "the role exists with that ARN")
			}
			var passRole []string
			sids := map[string]policydoc.Statement{}
			for _, s := range policy.Statement {
				sids[s.Sid] = s
				require.NotContains(t, s.Action, "*")
				for _, a := range s.Action {
					if strings.HasPrefix(a, "iam:") {
						for _, r := range s.Resource {
							require.NotContains(t, r, "github", "%s: the deploy role cannot change the CI identity", s.Sid)
						}
					}
					if a == "iam:PassRole" || a == "iam:*" {
						passRole = append(passRole, s.Resource...)
						services := s.Condition["StringEquals"]["iam:PassedToService"]
						for _, r := range s.Resource {
							require.Equal(t, passedTo(r), services[0], "%s is passed to its service only", r)
							require.LessOrEqual(t, len(services), 2, "%s: the service that assumes it, or the API's that checks the pass", s.Sid)
						}
					}
				}
				if s.Effect == "Allow" && slices.Contains(s.Resource, "*") {
					require.Equal(t, []string{"ap-southeast-2"}, s.Condition["StringEquals"]["aws:RequestedRegion"], s.Sid)
				}
			}
			require.ElementsMatch(t, stackRoles, passRole, "iam:PassRole only on this stack's application roles")

			state := sids["StackState"]
			require.ElementsMatch(t, []string{"s3:GetObject", "s3:GetObjectVersion", "s3:PutObject", "s3:DeleteObject"}, state.Action)
			require.Contains(t, state.Resource, "arn:aws:s3:::ohmycoins-pulumi-state/.pulumi/stacks/ohmycoins/"+c.stack+".json*")
			require.Equal(t, []string{"kms:Decrypt", "kms:DescribeKey"}, sids["StackSecretsKey"].Action,
				"the stack file's encryptedkey is only decrypted: no Encrypt, no GenerateDataKey")
			require.Contains(t, sids["Services"].Resource, "arn:aws:ecs:ap-southeast-2:"+mockcloud.MockAccountID+":cluster/"+c.prefix+"-*")
			require.Equal(t, []string{c.stack}, sids["EnvironmentKey"].Condition["StringEquals"]["aws:ResourceTag/Environment"])
			zone := previewtest.ZoneID(t, plan)
			require.Equal(t, []string{"arn:aws:route53:::hostedzone/" + zone}, sids["DnsRecords"].Resource)
		})
	}
}

// passedTo is the service an application role is for, by its name.
func passedTo(roleARN string) string {
	for suffix, service := range map[string]string{
		"ecs-task-execution-role": "ecs-tasks.amazonaws.com", "ecs-task-role": "ecs-tasks.amazonaws.com",
		"rds-monitoring-role": "monitoring.rds.amazonaws.com", "flow-logs-role": "vpc-flow-logs.amazonaws.com",
		"redeploy-role": "states.amazonaws.com", "secret-rotated-role": "events.amazonaws.com",
	} {
		if strings.HasSuffix(roleARN, suffix) {
			return service
		}
	}
	return "no service"
}

func TestCertificateAndAliasesPerEnvironment(t *testing.T) {
	for _, c := range []struct {
		stack, prefix string
		certificate   []string
		aliases       []string
	}{
		{"staging", "ohmycoins-staging",
			[]string{"staging.ohmycoins.com", "api.staging.ohmycoins.com", "dashboard.staging.ohmycoins.com"},
			[]string{"api.staging.ohmycoins.com", "dashboard.staging.ohmycoins.com"}},
		{"production", "ohmycoins-prod",
			[]string{"ohmycoins.com", "www.ohmycoins.com", "api.ohmycoins.com", "dashboard.ohmycoins.com"},
			[]string{"ohmycoins.com", "www.ohmycoins.com", "api.ohmycoins.com", "dashboard.ohmycoins.com"}},
	} {
		t.Run(c.stack, func(t *testing.T) {
			t.Parallel()
			result := previewtest.Stack(t, c.stack)
			plan := result.Plan
			require.Contains(t, result.Invokes, "aws:route53/getZone:getZone")
			cert := previewtest.Named(t, plan, typeCertificate, c.prefix+"-certificate")
			require.Equal(t, c.certificate[0], cert.Inputs["domainName"])
			var sans []string
			for _, s := range cert.Inputs["subjectAlternativeNames"].([]any) {
				sans = append(sans, s.(string))
			}
			require.Equal(t, c.certificate[1:], sans)
			require.Equal(t, "DNS", cert.Inputs["validationMethod"])

			zone := previewtest.ZoneID(t, plan)
			var fqdns []any
			for i, option := range cert.Outputs["domainValidationOptions"].([]any) {
				o := option.(map[string]any)
				record := previewtest.Named(t, plan, typeRecord, fmt.Sprintf("%s-certificate-validation-%d", c.prefix, i+1))
				require.Equal(t, o["resourceRecordName"], record.Inputs["name"])
				require.Equal(t, o["resourceRecordType"], record.Inputs["type"])
				require.Equal(t, []any{o["resourceRecordValue"]}, record.Inputs["records"])
				require.Equal(t, zone, record.Inputs["zoneId"])
				fqdns = append(fqdns, record.Outputs["fqdn"])
			}
			require.Len(t, fqdns, len(c.certificate), "one validation record per name")
			validation := previewtest.Named(t, plan, typeValidation, c.prefix+"-certificate-validation")
			require.Equal(t, cert.Outputs["arn"], validation.Inputs["certificateArn"])
			require.Equal(t, fqdns, validation.Inputs["validationRecordFqdns"])

			https := previewtest.Named(t, plan, typeListener, c.prefix+"-https")
			require.Equal(t, validation.Outputs["certificateArn"], https.Inputs["certificateArn"])
			require.Contains(t, https.Dependencies, validation.URN, "the listener waits for the validated certificate")

			alb := previewtest.Named(t, plan, typeLoadBalancer, c.prefix+"-alb")
			var hosts []string
			for _, r := range plan.OfType(typeRecord) {
				if r.Inputs["type"] != "A" {
					continue
				}
				hosts = append(hosts, r.Inputs["name"].(string))
				require.Equal(t, []any{map[string]any{
					"name": alb.Outputs["dnsName"], "zoneId": alb.Outputs["zoneId"], "evaluateTargetHealth": true,
				}}, r.Inputs["aliases"])
				require.Equal(t, zone, r.Inputs["zoneId"])
			}
			sort.Strings(hosts)
			want := slices.Clone(c.aliases)
			sort.Strings(want)
			require.Equal(t, want, hosts)
		})
	}
}

func TestAGivenCertificateIsUsedAsIs(t *testing.T) {
	t.Parallel()
	result := previewtest.Stack(t, "staging", previewtest.Set("ohmycoins:certificateArn", testCertificate))
	plan := result.Plan
	require.Empty(t, plan.OfType(typeCertificate), "no certificate is requested")
	require.Equal(t, testCertificate, previewtest.Named(t, plan, typeListener, "ohmycoins-staging-https").Inputs["certificateArn"])
	require.Len(t, plan.OfType(typeRecord), 2, "the alias records still point the hosts at the ALB")
}

// A stack file of the earlier program that still asks its stack to create the
// provider is told where the provider went.
func TestTheRetiredOIDCSettingSaysWhereTheProviderWent(t *testing.T) {
	t.Parallel()
	problems := previewtest.Problems(t, "staging", previewtest.Set("ohmycoins:github", `{"repository": "MarkLimmage/ohmycoins", "createOidcProvider": true}`))
	previewtest.RequireProblem(t, problems, "ohmycoins:github.createOidcProvider is no longer a setting: the account's GitHub OIDC provider belongs to the account-level program (bootstrap/",
		"pulumi config rm --path --stack staging 'ohmycoins:github.createOidcProvider'")

	named := previewtest.Stack(t, "production", previewtest.Set("ohmycoins:github", `{"repository": "MarkLimmage/ohmycoins", "oidcProviderArn": "arn:aws:iam::220711411889:oidc-provider/token.actions.githubusercontent.com"}`)).Plan
	require.Equal(t, []string{"arn:aws:iam::220711411889:oidc-provider/token.actions.githubusercontent.com"},
		previewtest.Trust(t, named, "ohmycoins-prod-github-deploy").Principal.Federated, "an explicit provider ARN is used as given")
}
