package state

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/ohmycoins/infra/internal/settings"
	"github.com/ohmycoins/infra/internal/statebackend"
)

// Account is what one account's bootstrap stack holds, from its config: the
// one shared account of today holds both stacks in ohmycoins-pulumi-state; in
// the two-account layout each account holds its own stack, in a bucket of its
// own, and staging's account the zone production's delegates to.
type Account struct {
	// ID is the account the stack must run in (ohmycoins-state:accountId):
	// when set, the provider refuses any other account's credentials, so
	// one account's bootstrap stack never runs against the other account.
	ID string
	// Bucket is the state bucket (ohmycoins-state:bucket, default
	// ohmycoins-pulumi-state); the stacks it holds name it in
	// ohmycoins:stateBackend.bucket.
	Bucket string
	// Stacks are the stacks whose state and secrets keys the account holds
	// (ohmycoins-state:stacks, default both).
	Stacks []string
	// HostedZones are the public zones the account owns for its environment
	// (ohmycoins-state:hostedZones), e.g. staging.ohmycoins.com.
	HostedZones []string
	// CostAllocationTag activates the Environment tag for the budgets
	// (ohmycoins-state:activateCostAllocationTag, default true). Only the
	// payer account of an AWS Organization may: a member account's stack
	// sets it false, and the payer account activates the tag for all.
	CostAllocationTag bool
	// AdoptOIDCProvider is the ARN of the account's existing GitHub OIDC
	// provider, imported rather than created (ohmycoins-state:githubOidcProviderArn).
	AdoptOIDCProvider string
}

// readAccount reads and validates the stack's config, reporting every broken
// rule at once, before anything is created.
func readAccount(ctx *pulumi.Context) (Account, error) {
	a := Account{Bucket: statebackend.BucketName, Stacks: slices.Clone(statebackend.Stacks), CostAllocationTag: true}
	var problems []string
	add := func(key string, value any, rule string) {
		problems = append(problems, fmt.Sprintf("%s:%s = %s: %s", ConfigNamespace, key, show(value), rule))
	}
	list := func(key string, target *[]string) bool {
		raw, ok := ctx.GetConfig(ConfigNamespace + ":" + key)
		if !ok {
			return false
		}
		var v []string
		if err := json.Unmarshal([]byte(raw), &v); err != nil {
			add(key, raw, "must be a list of names, e.g. [staging]")
			return false
		}
		*target = v
		return true
	}

	if v, ok := ctx.GetConfig(ConfigNamespace + ":bucket"); ok {
		a.Bucket = v
	}
	p := settings.NewProblems()
	statebackend.Settings{Bucket: a.Bucket}.Validate(p)
	for _, problem := range p.List() {
		add(problem.Key, problem.Value, problem.Rule)
	}

	if list("stacks", &a.Stacks) {
		if len(a.Stacks) == 0 {
			add("stacks", a.Stacks, "must name at least one stack: "+strings.Join(statebackend.Stacks, ", "))
		}
		for _, s := range a.Stacks {
			if !slices.Contains(statebackend.Stacks, s) {
				add("stacks", s, "must be a stack of the project: "+strings.Join(statebackend.Stacks, ", "))
			}
		}
		if d := settings.FirstDuplicate(a.Stacks); d != "" {
			add("stacks", d, "is listed twice")
		}
	}
	if list("hostedZones", &a.HostedZones) {
		for _, z := range a.HostedZones {
			if reason := settings.CheckDomain(z); reason != "" {
				add("hostedZones", z, reason)
			}
		}
		if d := settings.FirstDuplicate(a.HostedZones); d != "" {
			add("hostedZones", d, "is listed twice")
		}
	}

	if v, ok := ctx.GetConfig(ConfigNamespace + ":activateCostAllocationTag"); ok {
		switch v {
		case "true":
		case "false":
			a.CostAllocationTag = false
		default:
			add("activateCostAllocationTag", v, "must be true or false (false in an AWS Organizations member account, whose payer account activates the tag)")
		}
	}
	if v, ok := ctx.GetConfig(ConfigNamespace + ":accountId"); ok {
		a.ID = v
		if !accountID.MatchString(v) {
			add("accountId", v, "must be a 12-digit AWS account id (aws sts get-caller-identity --query Account), or unset")
		}
	}
	a.AdoptOIDCProvider, _ = ctx.GetConfig(ConfigNamespace + ":githubOidcProviderArn")
	switch {
	case a.AdoptOIDCProvider != "" && !oidcProviderARN.MatchString(a.AdoptOIDCProvider):
		add("githubOidcProviderArn", a.AdoptOIDCProvider, "must be arn:aws:iam::<account>:oidc-provider/token.actions.githubusercontent.com, the provider to adopt")
	case a.AdoptOIDCProvider != "" && a.ID != "" && !strings.Contains(a.AdoptOIDCProvider, ":"+a.ID+":"):
		add("githubOidcProviderArn", a.AdoptOIDCProvider, "must be the provider of the stack's own account "+a.ID+" (ohmycoins-state:accountId)")
	}
	if len(problems) > 0 {
		return a, fmt.Errorf("invalid settings for stack %q (%d):\n  %s", ctx.Stack(), len(problems), strings.Join(problems, "\n  "))
	}
	return a, nil
}

var accountID = regexp.MustCompile(`^[0-9]{12}$`)

func show(v any) string {
	if s, ok := v.(string); ok {
		return fmt.Sprintf("%q", s)
	}
	b, _ := json.Marshal(v)
	return string(b)
}
