// Package cicd creates the identity GitHub Actions uses for this stack: two
// roles that trust the account's GitHub OIDC provider. The provider is the
// account's, shared by every stack, so the account-level program (bootstrap/)
// owns it and this component only references it: destroying one environment
// must never break another's CI.
//
//   - <prefix>-github-preview: reads what the program reads in AWS
//     (ReadPolicies), and this stack's state and secrets key, to run `pulumi
//     preview`. Staging's is assumable by pull-request workflows of the
//     repository, whose code it runs, and main's (the nightly drift check);
//     production's only by jobs in the production GitHub environment, whose
//     reviewers approve each run, so neither a pull request's code nor merged
//     code no production reviewer saw decrypts production's secrets.
//   - <prefix>-github-deploy: assumable only by workflows running in the GitHub
//     environment of the same name (staging, production), whose protection rules
//     (main only; required reviewers for production) gate it; enough to run
//     `pulumi up` on this stack and nothing of another environment (defects
//     C1-C4: the original trusted any branch of the repository, with one role
//     for both environments).
//
// Neither role may change the CI identity itself: a role that can rewrite its
// own policy can make itself an administrator. Changes to this component are
// applied by an administrator (docs/RUNBOOK.md).
package cicd

import (
	"fmt"
	"slices"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/ohmycoins/infra/internal/policydoc"
	"github.com/ohmycoins/infra/internal/statebackend"
)

// GitHubOIDCURL is the issuer of GitHub Actions' identity tokens.
const GitHubOIDCURL = "https://token.actions.githubusercontent.com"

// GitHubOIDCAudience is the audience GitHub's tokens carry for AWS.
const GitHubOIDCAudience = "sts.amazonaws.com"

// GitHubOIDCThumbprints are GitHub's published certificate thumbprints; AWS
// trusts GitHub's certificate authority itself, and keeps them for the API
// that still asks for one.
var GitHubOIDCThumbprints = []string{"6938fd4d98bab03faadb97b34396831e3780aea1", "1c58a3a8518e8759bf075b76b750d4f2df264fcd"}

// GitHubOIDCProviderARN is the ARN of an account's GitHub OIDC provider:
// AWS holds one provider per issuer URL, and names it after the URL.
func GitHubOIDCProviderARN(account string) string {
	return "arn:aws:iam::" + account + ":oidc-provider/" + strings.TrimPrefix(GitHubOIDCURL, "https://")
}

// ReadPolicyName is one of the managed policies both CI roles read AWS with (ReadPolicies).
func ReadPolicyName(prefix, part string) string { return prefix + "-github-read-" + part }

// Args configure the CI identity.
type Args struct {
	Region    string
	AccountID pulumi.StringInput
	// Settings are the stack's ohmycoins:github: Repository (owner/name), whose
	// workflows alone may assume the roles, and OIDCProviderARN, the account's
	// GitHub OIDC provider, which the account-level program (bootstrap/) owns
	// ("" means the one of this account, GitHubOIDCProviderARN).
	Settings
	// Environment is the GitHub environment that may deploy, and the
	// Environment tag of the stack's resources.
	Environment string
	// Stack is the Pulumi stack: the roles reach only its state and secrets key.
	Stack string
	// StateBackend is the bucket of the stack's state (ohmycoins:stateBackend).
	StateBackend statebackend.Settings
	// PreviewOnPullRequests lets pull-request workflows and main's workflows
	// (the nightly drift check) assume the preview role; without it, only
	// jobs in the GitHub environment do.
	PreviewOnPullRequests bool
	// RefreshedSecrets are the names of the secrets whose values the program
	// writes: a refresh reads each value back (GetSecretValue, which
	// ReadPolicies leave out), so the preview role may read them. The state,
	// which the role decrypts, holds the same values.
	RefreshedSecrets []string
	// ManagedRoles are the application roles the deploy role may write, under
	// the environment's boundary (NewBoundary), and pass to their services.
	ManagedRoles []policydoc.ServiceRole
	// AttachablePolicies are the AWS managed policies the application roles
	// carry, the only ones the deploy role may attach to them.
	AttachablePolicies []string
	// HostedZoneID, when set, is the zone whose records the deploy role may
	// change, and RecordNames the names it may change there (RecordNamePatterns).
	HostedZoneID pulumi.StringInput
	// VpcID is the environment's VPC, whose network interfaces the deploy
	// role may use (flow logs, endpoints).
	VpcID       pulumi.StringInput
	RecordNames []string
	// DelegatedNames are the subdomains the zone delegates to another
	// account's zone (ohmycoins:dns.delegations): the deploy role may write
	// their NS records there, and no other record of theirs.
	DelegatedNames []string
	// CertificateNames are the names of the certificate the stack requests,
	// the only names the deploy role may request one for.
	CertificateNames []string
	// LogGroups are the stack's log group name patterns.
	LogGroups []string
	// OwnBuckets are the stack's bucket name patterns (access logs).
	OwnBuckets []string
	// DRRegion is where the stack replicates its database's backups; ""
	// for none. The deploy role gets the recovery part there.
	DRRegion string
}

// GitHubCI is the CI identity component.
type GitHubCI struct {
	pulumi.ResourceState

	OIDCProviderARN pulumi.StringOutput
	PreviewRoleARN  pulumi.StringOutput
	DeployRoleARN   pulumi.StringOutput
}

// New creates the CI identity. The component's name is the environment's name prefix.
func New(ctx *pulumi.Context, name string, args Args, opts ...pulumi.ResourceOption) (*GitHubCI, error) {
	switch {
	case args.Repository == "" || args.Environment == "" || args.AccountID == nil:
		return nil, fmt.Errorf("cicd: Repository, Environment and AccountID are required")
	case args.Stack == "":
		return nil, fmt.Errorf("cicd: Stack is required")
	case args.StateBackend.Bucket == "":
		return nil, fmt.Errorf("cicd: StateBackend is required: the bucket of the stack's state")
	}
	c := &GitHubCI{}
	if err := ctx.RegisterComponentResource("ohmycoins:cicd:GitHubCI", name, c, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(c)

	c.OIDCProviderARN = pulumi.String(args.OIDCProviderARN).ToStringOutput()
	if args.OIDCProviderARN == "" {
		c.OIDCProviderARN = args.AccountID.ToStringOutput().ApplyT(GitHubOIDCProviderARN).(pulumi.StringOutput)
	}

	// Production's preview role decrypts production's stack secrets: only a
	// job in the production environment, whose reviewers approve the run,
	// gets it (the drift check included), never main's code on its own.
	previewSubjects, previewers := []string{args.Subject(EnvironmentContext(args.Environment))}, "GitHub environment "+args.Environment+" of "+args.Repository
	if args.PreviewOnPullRequests {
		previewSubjects, previewers = []string{args.Subject(MainBranchContext), args.Subject(PullRequestContext)}, "pull requests and the main branch of "+args.Repository
	}
	preview, err := role(ctx, name+"-github-preview", previewers+" preview "+name,
		policydoc.Of(c.OIDCProviderARN, func(providerARN string) policydoc.Document {
			return TrustPolicy(providerARN, previewSubjects...)
		}), parent)
	if err != nil {
		return nil, err
	}
	deploy, err := role(ctx, DeployRoleName(name), "GitHub environment "+args.Environment+" of "+args.Repository+" deploys "+name,
		policydoc.Of(c.OIDCProviderARN, func(providerARN string) policydoc.Document {
			return TrustPolicy(providerARN, args.Subject(EnvironmentContext(args.Environment)))
		}), parent)
	if err != nil {
		return nil, err
	}
	zone := args.HostedZoneID
	if zone == nil {
		zone = pulumi.String("")
	}
	vpc := args.VpcID
	if vpc == nil {
		vpc = pulumi.String("")
	}
	scope := func(account, zoneID, vpcID string) DeployScope {
		return DeployScope{
			Prefix: name, Region: args.Region, Account: account, Environment: args.Environment,
			HostedZoneID: zoneID, VpcID: vpcID, RecordNames: args.RecordNames, CertificateNames: args.CertificateNames,
			DelegatedNames: args.DelegatedNames,
			State:          args.state(account), ManagedRoles: args.ManagedRoles, AttachablePolicies: args.AttachablePolicies,
			LogGroups: args.LogGroups, DRRegion: args.DRRegion,
		}
	}
	for _, part := range ReadPolicyParts {
		if err := attachedPolicy(ctx, ReadPolicyName(name, part),
			"What pulumi preview and refresh of "+name+" read, in place of ReadOnlyAccess: "+part,
			policydoc.Output(func(v []string) policydoc.Document {
				return ReadPolicies(scope(v[0], v[1], v[2]))[part]
			}, uses(part, args.AccountID, zone, vpc)...),
			[]attachment{{name + "-github-preview-read-" + part, preview}, {name + "-github-deploy-read-" + part, deploy}}, parent); err != nil {
			return nil, err
		}
	}

	if _, err := iam.NewRolePolicy(ctx, name+"-github-preview-state", &iam.RolePolicyArgs{
		Name: pulumi.String(name + "-github-preview-state"),
		Role: preview.ID(),
		Policy: policydoc.Of(args.AccountID, func(account string) policydoc.Document {
			return policydoc.New(append(StateStatements(args.state(account), false),
				RefreshStatements(args.Region, account, args.Environment, args.RefreshedSecrets)...)...)
		}),
	}, parent); err != nil {
		return nil, err
	}

	parts := DeployPolicyParts
	if args.DRRegion != "" {
		parts = append(slices.Clone(parts), RecoveryPolicyPart)
	}
	for _, part := range parts {
		policyName := name + "-github-deploy-" + part
		// The description is what it was when ReadOnlyAccess gave the reads:
		// IAM replaces a policy whose description changes, and a replaced
		// policy is detached from the role while it is.
		if err := attachedPolicy(ctx, policyName, "What pulumi up of "+name+" needs beyond ReadOnlyAccess: "+part,
			policydoc.Output(func(v []string) policydoc.Document {
				return DeployPolicies(scope(v[0], v[1], v[2]))[part]
			}, uses(part, args.AccountID, zone, vpc)...),
			[]attachment{{policyName, deploy}}, parent); err != nil {
			return nil, err
		}
	}

	c.PreviewRoleARN, c.DeployRoleARN = preview.Arn, deploy.Arn
	return c, ctx.RegisterResourceOutputs(c, pulumi.Map{
		"oidcProviderArn": c.OIDCProviderARN,
		"previewRoleArn":  c.PreviewRoleARN,
		"deployRoleArn":   c.DeployRoleARN,
	})
}

// state is the stack's part of the state backend.
func (a Args) state(account string) StateScope {
	var buckets []string
	for _, b := range a.OwnBuckets {
		buckets = append(buckets, "arn:aws:s3:::"+b+"/*")
	}
	return StateScope{Stack: a.Stack, Backend: a.StateBackend, Region: a.Region, Account: account, OwnBuckets: buckets}
}

// attachment is one role a managed policy hangs on, under its resource name.
type attachment struct {
	name string
	role *iam.Role
}

// attachedPolicy creates a customer-managed policy of the CI identity and
// attaches it to each role.
func attachedPolicy(ctx *pulumi.Context, name, description string, policy pulumi.StringOutput, to []attachment, parent pulumi.ResourceOption) error {
	p, err := iam.NewPolicy(ctx, name, &iam.PolicyArgs{
		Name:        pulumi.String(name),
		Description: pulumi.String(description),
		Policy:      policy,
	}, parent)
	if err != nil {
		return err
	}
	for _, a := range to {
		if _, err := iam.NewRolePolicyAttachment(ctx, a.name, &iam.RolePolicyAttachmentArgs{
			Role: a.role.Name, PolicyArn: p.Arn,
		}, parent); err != nil {
			return err
		}
	}
	return nil
}

// uses are the inputs a policy part is built from, account, zone and VPC,
// with the ones it does not read left empty: a part must not wait for an
// output it does not use (a replaced VPC would show every policy as changing
// in a preview, the read policies among them, though none but platform's
// names it).
func uses(part string, account, zone, vpc pulumi.StringInput) []pulumi.StringInput {
	none := pulumi.String("")
	switch part {
	case "platform":
		return []pulumi.StringInput{account, zone, vpc}
	case "scoped":
		return []pulumi.StringInput{account, zone, none}
	}
	return []pulumi.StringInput{account, none, none}
}

// DeployRoleName is the name of an environment's deploy role.
func DeployRoleName(prefix string) string { return prefix + "-github-deploy" }

// DeployPolicyParts name the deploy role's managed policies, in order (DeployPolicies).
var DeployPolicyParts = []string{"platform", "services", "state", "roles"}

// RecoveryPolicyPart is the deploy policy of a stack that replicates its
// database's backups to another region (DeployScope.recovery).
const RecoveryPolicyPart = "recovery"

// role creates a role for GitHub Actions with an hour's sessions.
func role(ctx *pulumi.Context, name, description string, trust pulumi.StringOutput, parent pulumi.ResourceOption) (*iam.Role, error) {
	return iam.NewRole(ctx, name, &iam.RoleArgs{
		Name:               pulumi.String(name),
		Description:        pulumi.String(description),
		AssumeRolePolicy:   trust,
		MaxSessionDuration: pulumi.Int(3600),
	}, parent)
}

// The contexts of a token subject: what ran the job.
const (
	// PullRequestContext is a pull-request workflow's.
	PullRequestContext = "pull_request"
	// MainBranchContext is a workflow's on the main branch without an
	// environment (scheduled and manual runs of main's code).
	MainBranchContext = "ref:refs/heads/main"
)

// EnvironmentContext is a job's in a GitHub environment.
func EnvironmentContext(environment string) string { return "environment:" + environment }

// Subject is the token subject GitHub gives a job of the repository in a
// context. By default it names the repository (repo:owner/name:<context>);
// with RepositoryID and OwnerID set, it pins the repository's immutable ids,
// as GitHub writes it once the repository's subject template includes them
// (repository_owner_id:<id>:repository_id:<id>:<context>): a renamed or
// deleted repository's next holder of the name gets no token the roles trust.
func (s Settings) Subject(context string) string {
	if s.RepositoryID != "" && s.OwnerID != "" {
		return "repository_owner_id:" + string(s.OwnerID) + ":repository_id:" + string(s.RepositoryID) + ":" + context
	}
	return "repo:" + s.Repository + ":" + context
}

// SubjectClaimKeys are the claims of the subject template that Subject pins
// ids with (GitHub's "include_claim_keys" of the repository's OIDC subject).
var SubjectClaimKeys = []string{"repository_owner_id", "repository_id", "context"}

// TrustPolicy lets GitHub Actions tokens for sts.amazonaws.com with exactly
// one of these subjects assume the role: no wildcard anywhere in a subject.
func TrustPolicy(providerARN string, subjects ...string) policydoc.Document {
	s := policydoc.Allow("GitHubActions", []string{"sts:AssumeRoleWithWebIdentity"})
	s.Principal = &policydoc.Principal{Federated: []string{providerARN}}
	s.Condition = map[string]map[string][]string{"StringEquals": {
		"token.actions.githubusercontent.com:aud": {"sts.amazonaws.com"},
		"token.actions.githubusercontent.com:sub": subjects,
	}}
	return policydoc.New(s)
}
