// Package cicd creates the identity GitHub Actions uses for this stack: two
// roles that trust the account's GitHub OIDC provider. The provider is the
// account's, shared by every stack, so the account-level program (bootstrap/)
// owns it and this component only references it: destroying one environment
// must never break another's CI.
//
//   - <prefix>-github-preview: assumable only by pull-request workflows of the
//     repository; reads AWS and the stack's state to run `pulumi preview`.
//   - <prefix>-github-deploy: assumable only by workflows running in the GitHub
//     environment of the same name (staging, production), whose protection rules
//     (required reviewers) gate production; enough to run `pulumi up` on this
//     stack and nothing else (defects C1-C4: the original trusted any branch of
//     the repository, with one role for both environments).
//
// Neither role may change the CI identity itself: a role that can rewrite its
// own policy can make itself an administrator. Changes to this component are
// applied by an administrator (docs/RUNBOOK.md).
package cicd

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/ohmycoins/infra/internal/policydoc"
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

// ReadOnlyAccessARN is AWS's read-only policy, which previews and refreshes need.
const ReadOnlyAccessARN = "arn:aws:iam::aws:policy/ReadOnlyAccess"

// Args configure the CI identity.
type Args struct {
	Region    string
	AccountID pulumi.StringInput
	// Repository is owner/name; Environment is the GitHub environment that may deploy.
	Repository  string
	Environment string
	// OIDCProviderARN is the account's GitHub OIDC provider, which the
	// account-level program (bootstrap/) owns; "" means the one of this
	// account (GitHubOIDCProviderARN). The stack only references it.
	OIDCProviderARN string
	// StateBucket and StateKeyAlias are the Pulumi state backend.
	StateBucket   string
	StateKeyAlias string
	// ManagedRoles are the names of the application roles the deploy role may
	// change and pass to AWS services (ECS tasks, RDS monitoring, flow logs).
	ManagedRoles []string
	// HostedZoneID, when set, is the zone whose records the deploy role may change.
	HostedZoneID pulumi.StringInput
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
	case args.StateBucket == "" || args.StateKeyAlias == "":
		return nil, fmt.Errorf("cicd: StateBucket and StateKeyAlias are required")
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

	preview, err := role(ctx, name+"-github-preview", "pull requests of "+args.Repository+" preview "+name,
		policydoc.Output(func(v []string) policydoc.Document {
			return TrustPolicy(v[0], PullRequestSubject(args.Repository))
		}, c.OIDCProviderARN), parent)
	if err != nil {
		return nil, err
	}
	deploy, err := role(ctx, name+"-github-deploy", "GitHub environment "+args.Environment+" of "+args.Repository+" deploys "+name,
		policydoc.Output(func(v []string) policydoc.Document {
			return TrustPolicy(v[0], EnvironmentSubject(args.Repository, args.Environment))
		}, c.OIDCProviderARN), parent)
	if err != nil {
		return nil, err
	}
	for attachment, r := range map[string]*iam.Role{name + "-github-preview-read-only": preview, name + "-github-deploy-read-only": deploy} {
		if _, err := iam.NewRolePolicyAttachment(ctx, attachment, &iam.RolePolicyAttachmentArgs{
			Role: r.Name, PolicyArn: pulumi.String(ReadOnlyAccessARN),
		}, parent); err != nil {
			return nil, err
		}
	}

	if _, err := iam.NewRolePolicy(ctx, name+"-github-preview-state", &iam.RolePolicyArgs{
		Name: pulumi.String(name + "-github-preview-state"),
		Role: preview.ID(),
		Policy: policydoc.Output(func(v []string) policydoc.Document {
			return policydoc.New(StateStatements(args.StateBucket, args.StateKeyAlias, args.Region, v[0], false)...)
		}, args.AccountID),
	}, parent); err != nil {
		return nil, err
	}

	zone := args.HostedZoneID
	if zone == nil {
		zone = pulumi.String("")
	}
	if _, err := iam.NewRolePolicy(ctx, name+"-github-deploy-stack", &iam.RolePolicyArgs{
		Name: pulumi.String(name + "-github-deploy-stack"),
		Role: deploy.ID(),
		Policy: policydoc.Output(func(v []string) policydoc.Document {
			return DeployPolicy(DeployScope{
				Prefix: name, Region: args.Region, Account: v[0], HostedZoneID: v[1],
				StateBucket: args.StateBucket, StateKeyAlias: args.StateKeyAlias, ManagedRoles: args.ManagedRoles,
			})
		}, args.AccountID, zone),
	}, parent); err != nil {
		return nil, err
	}

	c.PreviewRoleARN, c.DeployRoleARN = preview.Arn, deploy.Arn
	return c, ctx.RegisterResourceOutputs(c, pulumi.Map{
		"oidcProviderArn": c.OIDCProviderARN,
		"previewRoleArn":  c.PreviewRoleARN,
		"deployRoleArn":   c.DeployRoleARN,
	})
}

// role creates a role for GitHub Actions with an hour's sessions.
func role(ctx *pulumi.Context, name, description string, trust pulumi.StringOutput, parent pulumi.ResourceOption) (*iam.Role, error) {
	return iam.NewRole(ctx, name, &iam.RoleArgs{
		Name:               pulumi.String(name),
		Description:        pulumi.String(description),
		AssumeRolePolicy:   trust,
		MaxSessionDuration: pulumi.Int(3600),
	}, parent)
}

// PullRequestSubject is the token subject of pull-request workflows of a repository.
func PullRequestSubject(repository string) string { return "repo:" + repository + ":pull_request" }

// EnvironmentSubject is the token subject of workflows in a GitHub environment.
func EnvironmentSubject(repository, environment string) string {
	return "repo:" + repository + ":environment:" + environment
}

// TrustPolicy lets GitHub Actions tokens for sts.amazonaws.com with exactly
// this subject assume the role: no wildcard anywhere in the subject.
func TrustPolicy(providerARN, subject string) policydoc.Document {
	s := policydoc.Allow("GitHubActions", []string{"sts:AssumeRoleWithWebIdentity"})
	s.Principal = &policydoc.Principal{Federated: []string{providerARN}}
	s.Condition = map[string]map[string][]string{"StringEquals": {
		"token.actions.githubusercontent.com:aud": {"sts.amazonaws.com"},
		"token.actions.githubusercontent.com:sub": {subject},
	}}
	return policydoc.New(s)
}
