package monitoring

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sns"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/ohmycoins/infra/internal/policydoc"
)

// TopicPolicyArgs are what the alert topic's policy admits.
type TopicPolicyArgs struct {
	Prefix, Region, Account, TopicARN string
	// Budget says whether AWS Budgets publishes to the topic.
	Budget bool
	// Subscriber is the one role of the environment that may subscribe to
	// the topic (its deploy role, which applies AlertEmails); its other roles
	// (Prefix-*) may not. Administrators may (the first `pulumi up` of an
	// environment is theirs); another environment's roles hold no grant on
	// the topic. Endpoints are the only endpoints anyone may subscribe (a
	// trailing * admits every URL under a prefix).
	Subscriber string
	Endpoints  []string
}

// TopicPolicy admits to the alert topic only what the environment sends it:
// its own alarms (by name prefix) and its budget publish; of its roles only
// its deploy role subscribes, and nobody subscribes an address the stack
// file does not name. It replaces SNS's default policy,
// which lets every principal of the account publish and subscribe: another
// environment's alarms could page this one's on-call, and anyone could
// subscribe an endpoint outside the company.
func TopicPolicy(a TopicPolicyArgs) policydoc.Document {
	alarms := policydoc.Allow("TheEnvironmentsAlarmsPublish", []string{"sns:Publish"}, a.TopicARN)
	alarms.Principal = &policydoc.Principal{Service: []string{"cloudwatch.amazonaws.com"}}
	alarms.Condition = map[string]map[string][]string{
		"StringEquals": {"aws:SourceAccount": {a.Account}},
		"ArnLike":      {"aws:SourceArn": {fmt.Sprintf("arn:aws:cloudwatch:%s:%s:alarm:%s-*", a.Region, a.Account, a.Prefix)}},
	}
	statements := []policydoc.Statement{alarms}
	if a.Budget {
		// AWS Budgets publishes with its account's budgets as the source
		// (AWS: "Creating an Amazon SNS topic for budget notifications").
		budgets := policydoc.Allow("TheAccountsBudgetsPublish", []string{"sns:Publish"}, a.TopicARN)
		budgets.Principal = &policydoc.Principal{Service: []string{"budgets.amazonaws.com"}}
		budgets.Condition = map[string]map[string][]string{
			"StringEquals": {"aws:SourceAccount": {a.Account}},
			"ArnLike":      {"aws:SourceArn": {"arn:aws:budgets::" + a.Account + ":*"}},
		}
		statements = append(statements, budgets)
	}
	onlyTheDeployRole := policydoc.Deny("OfTheEnvironmentsRolesOnlyTheDeployRoleSubscribes", []string{"sns:Subscribe"}, a.TopicARN)
	onlyTheDeployRole.Principal = &policydoc.Principal{AWS: []string{"*"}}
	onlyTheDeployRole.Condition = map[string]map[string][]string{
		"ArnLike":         {"aws:PrincipalArn": {fmt.Sprintf("arn:aws:iam::%s:role/%s-*", a.Account, a.Prefix)}},
		"StringNotEquals": {"aws:PrincipalArn": {a.Subscriber}},
	}
	onlyTheStacksAddresses := policydoc.Deny("OnlyTheStackFilesAddresses", []string{"sns:Subscribe"}, a.TopicARN)
	onlyTheStacksAddresses.Principal = &policydoc.Principal{AWS: []string{"*"}}
	endpoints := a.Endpoints
	if len(endpoints) == 0 {
		endpoints = []string{"none"}
	}
	onlyTheStacksAddresses.Condition = map[string]map[string][]string{"StringNotLike": {"sns:Endpoint": endpoints}}
	return policydoc.New(append(statements, onlyTheDeployRole, onlyTheStacksAddresses)...)
}

// topicPolicy puts TopicPolicy on the topic; the subscriptions wait for it,
// so a new address is admitted before it is subscribed.
func topicPolicy(ctx *pulumi.Context, name string, args Args, topic *sns.Topic, parent pulumi.ResourceOption) (pulumi.Resource, error) {
	return sns.NewTopicPolicy(ctx, name+"-alerts-policy", &sns.TopicPolicyArgs{
		Arn: topic.Arn,
		Policy: policydoc.Of2(topic.Arn, args.AccountID, func(topicARN, account string) policydoc.Document {
			return TopicPolicy(TopicPolicyArgs{
				Prefix: name, Region: args.Region, Account: account, TopicARN: topicARN,
				Budget:     args.Budget.MonthlyUSD > 0,
				Subscriber: fmt.Sprintf("arn:aws:iam::%s:role/%s", account, args.SubscriberRole),
				Endpoints:  args.Endpoints(),
			})
		}),
	}, parent)
}
