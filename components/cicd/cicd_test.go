package cicd

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/require"

	"github.com/ohmycoins/infra/internal/componenttest"
	"github.com/ohmycoins/infra/internal/iamsim"
	"github.com/ohmycoins/infra/internal/policydoc"
	"github.com/ohmycoins/infra/internal/stackplan"
	"github.com/ohmycoins/infra/internal/statebackend"
)

func identity(pullRequests bool, change ...func(*Args)) pulumi.RunFunc {
	return func(ctx *pulumi.Context) error {
		a := Args{
			Region: "ap-southeast-2", AccountID: pulumi.String(componenttest.Account),
			Settings: Settings{Repository: "example/app"}, Environment: "staging", Stack: "staging",
			StateBackend:          statebackend.Settings{Bucket: "example-state-staging"},
			PreviewOnPullRequests: pullRequests, ManagedRoles: []policydoc.ServiceRole{{Name: "env-ecs-task-role", Service: policydoc.ECSTasks}, {Name: "env-rds-monitoring-role", Service: policydoc.RDSMonitoring}},
			AttachablePolicies: []string{"arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"},
			HostedZoneID:       pulumi.String("Z0123"), RecordNames: RecordNamePatterns([]string{"api.example.com"}),
			LogGroups: []string{"/ecs/env-*"}, OwnBuckets: []string{"env-*"},
		}
		for _, f := range change {
			f(&a)
		}
		_, err := New(ctx, "env", a)
		return err
	}
}

func trust(t *testing.T, plan *stackplan.Plan, role string) policydoc.Statement {
	doc, err := policydoc.Parse(componenttest.Named(t, plan, "aws:iam/role:Role", role).Inputs["assumeRolePolicy"].(string))
	require.NoError(t, err)
	require.Len(t, doc.Statement, 1)
	return doc.Statement[0]
}

// TestRolesTrustOnlyTheirWorkflows: the account's provider, exact subjects
// (defects C2, C3): pull requests or main's workflows preview, the GitHub
// environment deploys.
func TestRolesTrustOnlyTheirWorkflows(t *testing.T) {
	t.Parallel()
	provider := "arn:aws:iam::" + componenttest.Account + ":oidc-provider/token.actions.githubusercontent.com"
	for pullRequests, previewSubjects := range map[bool][]string{
		true:  {"repo:example/app:ref:refs/heads/main", "repo:example/app:pull_request"},
		false: {"repo:example/app:environment:staging"},
	} {
		plan := componenttest.Run(t, identity(pullRequests))
		require.Empty(t, plan.OfType("aws:iam/openIdConnectProvider:OpenIdConnectProvider"), "the account-level program owns the provider")
		for role, subjects := range map[string][]string{"env-github-preview": previewSubjects, "env-github-deploy": {"repo:example/app:environment:staging"}} {
			s := trust(t, plan, role)
			require.Equal(t, []string{provider}, s.Principal.Federated, role)
			require.Equal(t, []string{"sts:AssumeRoleWithWebIdentity"}, s.Action)
			require.Equal(t, map[string][]string{
				"token.actions.githubusercontent.com:aud": {"sts.amazonaws.com"},
				"token.actions.githubusercontent.com:sub": subjects,
			}, s.Condition["StringEquals"], role)
			require.Len(t, s.Condition, 1, "no StringLike with wildcards")
			for _, part := range ReadPolicyParts {
				read := componenttest.Named(t, plan, "aws:iam/policy:Policy", "env-github-read-"+part)
				require.Less(t, len(read.Inputs["policy"].(string)), 6144, "a managed policy holds at most 6,144 characters")
				require.Equal(t, read.Outputs["arn"],
					componenttest.Named(t, plan, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", role+"-read-"+part).Inputs["policyArn"], "the program's reads, not ReadOnlyAccess")
			}
			require.Equal(t, 3600.0, componenttest.Named(t, plan, "aws:iam/role:Role", role).Inputs["maxSessionDuration"], "an hour's sessions")
		}
	}
	given := "arn:aws:iam::210987654321:oidc-provider/token.actions.githubusercontent.com"
	plan := componenttest.Run(t, identity(true, func(a *Args) { a.OIDCProviderARN = given }))
	require.Equal(t, []string{given}, trust(t, plan, "env-github-deploy").Principal.Federated, "an explicit provider ARN is used as given")
}

// TestTheDeployRolePassesOnlyTheRolesItIsGiven: its managed policies fit
// IAM's limit, hang on the role, and pass and change exactly the managed
// application roles, never the CI identity.
func TestTheDeployRolePassesOnlyTheRolesItIsGiven(t *testing.T) {
	t.Parallel()
	plan := componenttest.Run(t, identity(true))
	role := componenttest.Named(t, plan, "aws:iam/role:Role", "env-github-deploy")
	var passRole []string
	for _, part := range DeployPolicyParts {
		managed := componenttest.Named(t, plan, "aws:iam/policy:Policy", "env-github-deploy-"+part)
		raw := managed.Inputs["policy"].(string)
		require.Less(t, len(raw), 6144, "a managed policy holds at most 6,144 characters")
		attachment := componenttest.Named(t, plan, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "env-github-deploy-"+part)
		require.Equal(t, managed.Outputs["arn"], attachment.Inputs["policyArn"])
		require.Equal(t, role.Outputs["name"], attachment.Inputs["role"])
		doc, err := policydoc.Parse(raw)
		require.NoError(t, err)
		for _, s := range doc.Statement {
			require.NotContains(t, s.Action, "*")
			for _, a := range s.Action {
				if strings.HasPrefix(a, "iam:") {
					for _, r := range s.Resource {
						require.NotContains(t, r, "github", "%s: the deploy role cannot change the CI identity", s.Sid)
					}
				}
				if a == "iam:PassRole" {
					passRole = append(passRole, s.Resource...)
				}
			}
			if s.Sid == "DnsRecords" {
				require.Equal(t, []string{"arn:aws:route53:::hostedzone/Z0123"}, s.Resource)
			}
		}
	}
	require.ElementsMatch(t, []string{
		"arn:aws:iam::" + componenttest.Account + ":role/env-ecs-task-role",
		"arn:aws:iam::" + componenttest.Account + ":role/env-rds-monitoring-role",
	}, passRole)
}

func TestThePreviewRoleOnlyReadsItsStacksState(t *testing.T) {
	t.Parallel()
	plan := componenttest.Run(t, identity(true))
	policy, err := policydoc.Parse(componenttest.Named(t, plan, "aws:iam/rolePolicy:RolePolicy", "env-github-preview-state").Inputs["policy"].(string))
	require.NoError(t, err)
	for _, s := range policy.Statement {
		for _, a := range s.Action {
			if s.Effect == "Allow" {
				require.NotContains(t, []string{"s3:PutObject", "s3:DeleteObject", "kms:Encrypt", "kms:GenerateDataKey"}, a, "reads only")
			}
		}
		if s.Sid == "StackState" {
			for _, r := range s.Resource {
				require.Contains(t, r, "staging", "only the staging stack's objects")
				require.True(t, strings.HasPrefix(r, "arn:aws:s3:::example-state-staging/.pulumi/"), "in the stack's own bucket: %s", r)
			}
		}
	}
}

// TestThePreviewRoleReadsBackOnlyTheSecretsItsStackWrites: a refresh reads
// the value of each secret version; the preview role may read exactly the
// named secrets, through Secrets Manager, with the key of its environment.
func TestThePreviewRoleReadsBackOnlyTheSecretsItsStackWrites(t *testing.T) {
	t.Parallel()
	plan := componenttest.Run(t, identity(true, func(a *Args) { a.RefreshedSecrets = []string{"env-app-secrets"} }))
	policy, err := policydoc.Parse(componenttest.Named(t, plan, "aws:iam/rolePolicy:RolePolicy", "env-github-preview-state").Inputs["policy"].(string))
	require.NoError(t, err)
	bySid := map[string]policydoc.Statement{}
	for _, s := range policy.Statement {
		bySid[s.Sid] = s
	}
	read := bySid["ReadBackTheStacksSecretValues"]
	require.Equal(t, []string{"secretsmanager:GetSecretValue"}, read.Action)
	require.Equal(t, []string{"arn:aws:secretsmanager:ap-southeast-2:" + componenttest.Account + ":secret:env-app-secrets-??????"}, read.Resource)
	key := bySid["DecryptThemThroughSecretsManager"]
	require.Equal(t, []string{"kms:Decrypt"}, key.Action)
	require.Equal(t, map[string][]string{
		"aws:ResourceTag/Environment": {"staging"},
		"kms:ViaService":              {"secretsmanager.ap-southeast-2.amazonaws.com"},
	}, key.Condition["StringEquals"])

	plan = componenttest.Run(t, identity(true))
	policy, err = policydoc.Parse(componenttest.Named(t, plan, "aws:iam/rolePolicy:RolePolicy", "env-github-preview-state").Inputs["policy"].(string))
	require.NoError(t, err)
	for _, s := range policy.Statement {
		require.NotContains(t, s.Action, "secretsmanager:GetSecretValue", "no secret named, none readable")
	}
}

func TestNewRefusesAnIdentityWithoutItsRepositoryOrStack(t *testing.T) {
	t.Parallel()
	require.ErrorContains(t, componenttest.Error(t, identity(true, func(a *Args) { a.Repository = "" })), "cicd: Repository, Environment and AccountID are required")
	require.ErrorContains(t, componenttest.Error(t, identity(true, func(a *Args) { a.Stack = "" })), "cicd: Stack is required")
	require.ErrorContains(t, componenttest.Error(t, identity(true, func(a *Args) { a.StateBackend = statebackend.Settings{} })), "cicd: StateBackend is required")
}

// TestTheDeployRoleWritesOnlyTheDelegationsNSRecords: a zone that delegates
// a subdomain to another account's zone lets the deploy role write that
// name's NS record, and nothing else under it (no alias that would take the
// other environment's traffic); without delegations no statement names it.
func TestTheDeployRoleWritesOnlyTheDelegationsNSRecords(t *testing.T) {
	t.Parallel()
	change := func(name, typ string) iamsim.Request {
		return iamsim.Request{Action: "route53:ChangeResourceRecordSets", Resource: "arn:aws:route53:::hostedzone/Z0123", Context: iamsim.ConditionKeys(
			"route53:ChangeResourceRecordSetsNormalizedRecordNames", []string{name}, "route53:ChangeResourceRecordSetsRecordTypes", []string{typ})}
	}
	deploy := func(plan *stackplan.Plan) []policydoc.Document {
		var docs []policydoc.Document
		for _, part := range DeployPolicyParts {
			doc, err := policydoc.Parse(componenttest.Named(t, plan, "aws:iam/policy:Policy", "env-github-deploy-"+part).Inputs["policy"].(string))
			require.NoError(t, err)
			docs = append(docs, doc)
		}
		return docs
	}
	docs := deploy(componenttest.Run(t, identity(true, func(a *Args) { a.DelegatedNames = []string{"staging.example.com"} })))
	require.Empty(t, iamsim.Unknown(docs...))
	require.Equal(t, iamsim.Allowed, iamsim.Evaluate(change("staging.example.com", "NS"), docs...), "the delegation")
	require.Equal(t, iamsim.Allowed, iamsim.Evaluate(change("api.example.com", "A"), docs...), "its own host, as before")
	for _, c := range []iamsim.Request{
		change("staging.example.com", "A"),
		change("api.staging.example.com", "NS"),
		change("api.staging.example.com", "A"),
		change("example.com", "NS"),
		{Action: "route53:ChangeResourceRecordSets", Resource: "arn:aws:route53:::hostedzone/Z0123", Context: iamsim.ConditionKeys(
			"route53:ChangeResourceRecordSetsNormalizedRecordNames", []string{"staging.example.com"})},
	} {
		require.Equal(t, iamsim.ImplicitDeny, iamsim.Evaluate(c, docs...), "%+v", c.Context)
	}
	without := deploy(componenttest.Run(t, identity(true)))
	require.Equal(t, iamsim.ImplicitDeny, iamsim.Evaluate(change("staging.example.com", "NS"), without...), "no delegation, no NS record")
}

// TestRolesCanTrustTheRepositorysImmutableIDs: with the ids set, every
// subject pins them in GitHub's template order, and the names no longer
// match; without them, the names.
func TestRolesCanTrustTheRepositorysImmutableIDs(t *testing.T) {
	t.Parallel()
	pinned := func(a *Args) { a.RepositoryID, a.OwnerID = "123456789", "4242" }
	plan := componenttest.Run(t, identity(true, pinned))
	require.Equal(t, []string{"repository_owner_id:4242:repository_id:123456789:environment:staging"},
		trust(t, plan, "env-github-deploy").Condition["StringEquals"]["token.actions.githubusercontent.com:sub"])
	require.Equal(t, []string{"repository_owner_id:4242:repository_id:123456789:ref:refs/heads/main", "repository_owner_id:4242:repository_id:123456789:pull_request"},
		trust(t, plan, "env-github-preview").Condition["StringEquals"]["token.actions.githubusercontent.com:sub"])
	require.Equal(t, []string{"repository_owner_id", "repository_id", "context"}, SubjectClaimKeys)
	require.Equal(t, "repo:example/app:environment:production", Settings{Repository: "example/app"}.Subject(EnvironmentContext("production")))
}

// TestGitHubIDsReadAsPulumiWritesThem: `pulumi config set --path` writes a
// numeric id as a JSON number; a quoted one stays a string; either is the
// same id, and anything else is left for Validate to name.
func TestGitHubIDsReadAsPulumiWritesThem(t *testing.T) {
	t.Parallel()
	for raw, want := range map[string]GitHubID{`123456789`: "123456789", `"123456789"`: "123456789", `"ohmycoins"`: "ohmycoins", `1e20`: "1e20"} {
		var id GitHubID
		require.NoError(t, json.Unmarshal([]byte(raw), &id), raw)
		require.Equal(t, want, id, raw)
	}
	var id GitHubID
	require.Error(t, json.Unmarshal([]byte(`{"id": 1}`), &id))
}
