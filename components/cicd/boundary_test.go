package cicd

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ohmycoins/infra/internal/componenttest"
	"github.com/ohmycoins/infra/internal/iamsim"
	"github.com/ohmycoins/infra/internal/policydoc"
)

const (
	testAccount = componenttest.Account
	taskRole    = "arn:aws:iam::" + testAccount + ":role/env-ecs-task-role"
	monitorRole = "arn:aws:iam::" + testAccount + ":role/env-rds-monitoring-role"
	envBoundary = "arn:aws:iam::" + testAccount + ":policy/env-app-boundary"
)

func deployDocs(t *testing.T) []policydoc.Document {
	t.Helper()
	plan := componenttest.Run(t, identity(true))
	var docs []policydoc.Document
	for _, part := range DeployPolicyParts {
		doc, err := policydoc.Parse(componenttest.Named(t, plan, "aws:iam/policy:Policy", "env-github-deploy-"+part).Inputs["policy"].(string))
		require.NoError(t, err)
		require.Empty(t, iamsim.Unknown(doc))
		docs = append(docs, doc)
	}
	return docs
}

func iamRequest(action, resource string, kv ...any) iamsim.Request {
	return iamsim.Request{Action: action, Resource: resource, Context: iamsim.ConditionKeys(append([]any{"aws:RequestedRegion", "ap-southeast-2"}, kv...)...)}
}

// TestTheDeployRoleWritesRolesOnlyUnderTheBoundary: every write of an
// application role needs the environment's boundary on it; no policy but the
// roles' own AWS policies may be attached; the boundary is never removed or
// swapped, and no policy of the environment (the boundary, the CI's) changes.
// Each refusal is paired with the same call the deploy makes, allowed.
func TestTheDeployRoleWritesRolesOnlyUnderTheBoundary(t *testing.T) {
	t.Parallel()
	docs := deployDocs(t)
	const admin = "arn:aws:iam::aws:policy/AdministratorAccess"
	const monitoring = "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
	otherBoundary := "arn:aws:iam::" + testAccount + ":policy/env-prod-app-boundary"
	for _, c := range []struct {
		name string
		req  iamsim.Request
		want iamsim.Decision
	}{
		{"create the task role under the boundary", iamRequest("iam:CreateRole", taskRole, "iam:PermissionsBoundary", envBoundary), iamsim.Allowed},
		{"create the task role without a boundary", iamRequest("iam:CreateRole", taskRole), iamsim.ExplicitDeny},
		{"create the task role under another boundary", iamRequest("iam:CreateRole", taskRole, "iam:PermissionsBoundary", otherBoundary), iamsim.ExplicitDeny},
		{"put an inline policy on the bounded task role", iamRequest("iam:PutRolePolicy", taskRole, "iam:PermissionsBoundary", envBoundary), iamsim.Allowed},
		{"put an inline policy on the task role without its boundary", iamRequest("iam:PutRolePolicy", taskRole), iamsim.ExplicitDeny},
		{"attach the monitoring policy under the boundary", iamRequest("iam:AttachRolePolicy", monitorRole, "iam:PermissionsBoundary", envBoundary, "iam:PolicyARN", monitoring), iamsim.Allowed},
		{"attach AdministratorAccess under the boundary", iamRequest("iam:AttachRolePolicy", monitorRole, "iam:PermissionsBoundary", envBoundary, "iam:PolicyARN", admin), iamsim.ImplicitDeny},
		{"attach the monitoring policy without the boundary", iamRequest("iam:AttachRolePolicy", monitorRole, "iam:PolicyARN", monitoring), iamsim.ExplicitDeny},
		{"set the boundary on an adopted role", iamRequest("iam:PutRolePermissionsBoundary", taskRole, "iam:PermissionsBoundary", envBoundary), iamsim.Allowed},
		{"swap the boundary for AdministratorAccess", iamRequest("iam:PutRolePermissionsBoundary", taskRole, "iam:PermissionsBoundary", admin), iamsim.ExplicitDeny},
		{"remove the boundary", iamRequest("iam:DeleteRolePermissionsBoundary", taskRole, "iam:PermissionsBoundary", envBoundary), iamsim.ExplicitDeny},
		{"rewrite the boundary", iamRequest("iam:CreatePolicyVersion", envBoundary), iamsim.ExplicitDeny},
		{"make an old version of the boundary the default", iamRequest("iam:SetDefaultPolicyVersion", envBoundary), iamsim.ExplicitDeny},
		{"rewrite its own deploy policy", iamRequest("iam:CreatePolicyVersion", "arn:aws:iam::"+testAccount+":policy/env-github-deploy-services"), iamsim.ExplicitDeny},
		{"create a policy of its own", iamRequest("iam:CreatePolicy", "arn:aws:iam::"+testAccount+":policy/env-escalate"), iamsim.ExplicitDeny},
		{"delete the task role", iamRequest("iam:DeleteRole", taskRole), iamsim.Allowed},
		{"change the bounded task role's trust", iamRequest("iam:UpdateAssumeRolePolicy", taskRole, "iam:PermissionsBoundary", envBoundary), iamsim.Allowed},
		{"change an unbounded role's trust", iamRequest("iam:UpdateAssumeRolePolicy", taskRole), iamsim.ExplicitDeny},
		{"register a revision of its own family", iamRequest("ecs:RegisterTaskDefinition", "arn:aws:ecs:ap-southeast-2:"+testAccount+":task-definition/env-backend:7"), iamsim.Allowed},
		{"register a revision in another environment's family", iamRequest("ecs:RegisterTaskDefinition", "arn:aws:ecs:ap-southeast-2:"+testAccount+":task-definition/other-backend:7"), iamsim.ImplicitDeny},
		{"deregister any revision", iamRequest("ecs:DeregisterTaskDefinition", "*"), iamsim.ImplicitDeny},
		{"overwrite the account's log resource policy", iamRequest("logs:PutResourcePolicy", "*"), iamsim.ImplicitDeny},
		{"create a role of another name under the boundary", iamRequest("iam:CreateRole", "arn:aws:iam::"+testAccount+":role/env-escalate", "iam:PermissionsBoundary", envBoundary), iamsim.ImplicitDeny},
		{"pass the task role to ECS tasks", iamRequest("iam:PassRole", taskRole, "iam:PassedToService", policydoc.ECSTasks), iamsim.Allowed},
		{"pass the task role to Lambda", iamRequest("iam:PassRole", taskRole, "iam:PassedToService", "lambda.amazonaws.com"), iamsim.ImplicitDeny},
		{"pass the monitoring role to ECS tasks", iamRequest("iam:PassRole", monitorRole, "iam:PassedToService", policydoc.ECSTasks), iamsim.ImplicitDeny},
		{"pass the monitoring role to RDS monitoring", iamRequest("iam:PassRole", monitorRole, "iam:PassedToService", policydoc.RDSMonitoring), iamsim.Allowed},
	} {
		require.Equal(t, c.want, iamsim.Evaluate(c.req, docs...), c.name)
	}
}

// TestTheBoundaryKeepsAnApplicationRoleInItsEnvironment: whatever the deploy
// role puts on an application role, the role does at most what the boundary
// allows; what the roles need is inside it, another environment's names and
// IAM are outside.
func TestTheBoundaryKeepsAnApplicationRoleInItsEnvironment(t *testing.T) {
	t.Parallel()
	boundary := BoundaryPolicy(BoundaryScope{Prefix: "env", Region: "ap-southeast-2", Account: testAccount, Environment: "staging", LogGroups: []string{"/ecs/env-*"}})
	arn := func(service, resource string) string {
		return "arn:aws:" + service + ":ap-southeast-2:" + testAccount + ":" + resource
	}
	for _, c := range []struct {
		name string
		req  iamsim.Request
		want iamsim.Decision
	}{
		{"pull the environment's image", iamRequest("ecr:BatchGetImage", arn("ecr", "repository/env-backend")), iamsim.Allowed},
		{"pull another environment's image", iamRequest("ecr:BatchGetImage", arn("ecr", "repository/other-backend")), iamsim.ImplicitDeny},
		{"write the environment's logs", iamRequest("logs:PutLogEvents", arn("logs", "log-group:/ecs/env-backend:log-stream:x")), iamsim.Allowed},
		{"write another environment's logs", iamRequest("logs:PutLogEvents", arn("logs", "log-group:/ecs/other-backend:log-stream:x")), iamsim.ImplicitDeny},
		{"read another environment's logs", iamRequest("logs:GetLogEvents", arn("logs", "log-group:/ecs/other-backend:log-stream:x")), iamsim.ImplicitDeny},
		{"read the environment's app secret", iamRequest("secretsmanager:GetSecretValue", arn("secretsmanager", "secret:env-app-secrets-AbCdEf")), iamsim.Allowed},
		{"read another environment's app secret", iamRequest("secretsmanager:GetSecretValue", arn("secretsmanager", "secret:other-app-secrets-AbCdEf")), iamsim.ImplicitDeny},
		{"decrypt with the environment's key through Secrets Manager", iamRequest("kms:Decrypt", arn("kms", "key/k1"), "aws:ResourceTag/Environment", "staging", "kms:ViaService", "secretsmanager.ap-southeast-2.amazonaws.com"), iamsim.Allowed},
		// Another environment's master secret is rds!db-… too: its key is the guard.
		{"decrypt another environment's master secret", iamRequest("kms:Decrypt", arn("kms", "key/k2"), "aws:ResourceTag/Environment", "production", "kms:ViaService", "secretsmanager.ap-southeast-2.amazonaws.com"), iamsim.ImplicitDeny},
		{"decrypt with the environment's key directly", iamRequest("kms:Decrypt", arn("kms", "key/k1"), "aws:ResourceTag/Environment", "staging"), iamsim.ImplicitDeny},
		{"redeploy the environment's service", iamRequest("ecs:UpdateService", arn("ecs", "service/env-cluster/env-backend-service")), iamsim.Allowed},
		{"redeploy another environment's service", iamRequest("ecs:UpdateService", arn("ecs", "service/other-cluster/other-backend-service")), iamsim.ImplicitDeny},
		{"become an administrator", iamRequest("iam:AttachRolePolicy", "arn:aws:iam::"+testAccount+":role/env-ecs-task-role"), iamsim.ImplicitDeny},
		{"read the state bucket", iamRequest("s3:GetObject", "arn:aws:s3:::ohmycoins-pulumi-state/.pulumi/stacks/ohmycoins/production.json"), iamsim.ImplicitDeny},
		{"overwrite the account's log resource policy", iamRequest("logs:PutResourcePolicy", "*"), iamsim.ImplicitDeny},
		{"start the environment's redeploy", iamRequest("states:StartExecution", arn("states", "stateMachine:env-backend-redeploy")), iamsim.Allowed},
	} {
		require.Equal(t, c.want, iamsim.Evaluate(c.req, boundary), c.name)
	}
	require.Equal(t, envBoundary, BoundaryARN(testAccount, "env"))
}

// TestCertificatesOnlyForTheEnvironmentsNames: a request whose names are
// all the environment's is allowed; one other name in it, or a request that
// names none, is not; no certificate is ever exported.
func TestCertificatesOnlyForTheEnvironmentsNames(t *testing.T) {
	t.Parallel()
	docs := DeployPolicies(DeployScope{Prefix: "env", Region: "ap-southeast-2", Account: testAccount, Environment: "staging",
		CertificateNames: []string{"staging.example.com", "api.staging.example.com"}})
	var all []policydoc.Document
	for _, part := range DeployPolicyParts {
		all = append(all, docs[part])
	}
	request := func(names ...string) iamsim.Request {
		kv := []any{"aws:RequestTag/Environment", "staging"}
		if names != nil {
			kv = append(kv, "acm:DomainNames", names)
		}
		return iamsim.Request{Action: "acm:RequestCertificate", Resource: "*", Context: iamsim.ConditionKeys(append([]any{"aws:RequestedRegion", "ap-southeast-2"}, kv...)...)}
	}
	require.Equal(t, iamsim.Allowed, iamsim.Evaluate(request("staging.example.com", "api.staging.example.com"), all...))
	require.Equal(t, iamsim.ImplicitDeny, iamsim.Evaluate(request("staging.example.com", "api.example.com"), all...), "one of production's names")
	require.Equal(t, iamsim.ImplicitDeny, iamsim.Evaluate(request("*.example.com"), all...), "a wildcard covering production")
	require.Equal(t, iamsim.ImplicitDeny, iamsim.Evaluate(request(), all...), "no names in the request")
	exportable := request("staging.example.com")
	exportable.Context["acm:Export"] = []string{"ENABLED"}
	require.Equal(t, iamsim.ExplicitDeny, iamsim.Evaluate(exportable, all...), "an exportable certificate")
	require.Equal(t, iamsim.ExplicitDeny, iamsim.Evaluate(iamRequest("acm:ExportCertificate", "arn:aws:acm:ap-southeast-2:"+testAccount+":certificate/c", "aws:ResourceTag/Environment", "staging"), all...))

	none := DeployPolicies(DeployScope{Prefix: "env", Region: "ap-southeast-2", Account: testAccount, Environment: "staging"})
	require.Equal(t, iamsim.ImplicitDeny, iamsim.Evaluate(request("staging.example.com"), none["platform"], none["services"]),
		"a stack given its certificate requests none")
}
