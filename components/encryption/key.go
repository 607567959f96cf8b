// Package encryption creates the environment's customer-managed KMS key and its
// alias alias/<prefix>. One key encrypts everything the environment stores: the
// application secret, the SNS alert topic, the log groups, Redis at rest, RDS
// storage and Performance Insights, and the RDS master secret.
//
// It is its own component, apart from the secret it encrypts, because nearly
// every tier needs the key (the network's flow-log group among the first), and
// keeping it separate lets the secret hold values of the tiers that use the key
// without a cycle between components.
//
// The key policy lets the account administer the key (so IAM policies, and the
// grants RDS, ElastiCache and Secrets Manager create, govern its use), lets
// CloudWatch alarms publish to the encrypted topic (defect A10), and lets
// CloudWatch Logs use it only for this stack's log groups.
package encryption

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/ohmycoins/infra/internal/policydoc"
)

// Args configure the key.
type Args struct {
	// Region is where the key lives; the CloudWatch Logs principal is regional.
	Region string
	// AccountID is the account that administers the key.
	AccountID pulumi.StringInput
	// LogGroups are the names (or name patterns with *) of the log groups the key
	// may encrypt, e.g. /ecs/ohmycoins-staging-*.
	LogGroups []string
	// DeletionWindowDays is how long a deleted key can still be recovered: 7-30; 30 by default.
	DeletionWindowDays int
	// Protect marks the key as protected: deleting it would make every encrypted
	// backup and secret unreadable. On in production.
	Protect bool
}

// Key is the environment key component.
type Key struct {
	pulumi.ResourceState

	// ARN and ID identify the key; AliasName is alias/<prefix>.
	ARN       pulumi.StringOutput
	ID        pulumi.StringOutput
	AliasName string
	// Policy is the key policy document, as JSON.
	Policy pulumi.StringOutput
}

// New creates the key and its alias. The component's name is the environment's
// name prefix: the key is <name>-key, the alias alias/<name>.
func New(ctx *pulumi.Context, name string, args Args, opts ...pulumi.ResourceOption) (*Key, error) {
	if args.DeletionWindowDays == 0 {
		args.DeletionWindowDays = 30
	}
	if args.DeletionWindowDays < 7 || args.DeletionWindowDays > 30 {
		return nil, fmt.Errorf("encryption: DeletionWindowDays = %d: must be 7-30 (KMS limits)", args.DeletionWindowDays)
	}
	if args.Region == "" || args.AccountID == nil {
		return nil, fmt.Errorf("encryption: Region and AccountID are required")
	}

	c := &Key{AliasName: "alias/" + name}
	if err := ctx.RegisterComponentResource("ohmycoins:encryption:Key", name, c, opts...); err != nil {
		return nil, err
	}

	c.Policy = policydoc.Of(args.AccountID, func(account string) policydoc.Document {
		return KeyPolicy(account, args.Region, args.LogGroups)
	})

	key, err := kms.NewKey(ctx, name+"-key", &kms.KeyArgs{
		Description:          pulumi.Sprintf("Oh My Coins %s: secrets, logs, alerts, RDS and Redis at rest", name),
		EnableKeyRotation:    pulumi.Bool(true),
		DeletionWindowInDays: pulumi.Int(args.DeletionWindowDays),
		Policy:               c.Policy,
	}, pulumi.Parent(c), pulumi.Protect(args.Protect))
	if err != nil {
		return nil, err
	}
	if _, err := kms.NewAlias(ctx, name+"-key-alias", &kms.AliasArgs{
		Name:        pulumi.String(c.AliasName),
		TargetKeyId: key.KeyId,
	}, pulumi.Parent(c)); err != nil {
		return nil, err
	}

	c.ARN, c.ID = key.Arn, key.KeyId
	return c, ctx.RegisterResourceOutputs(c, pulumi.Map{
		"arn":       c.ARN,
		"keyId":     c.ID,
		"aliasName": pulumi.String(c.AliasName),
	})
}

// KeyPolicy is the key policy of an environment key in account/region that
// CloudWatch Logs may use for the given log groups.
func KeyPolicy(account, region string, logGroups []string) policydoc.Document {
	root := policydoc.Allow("AccountAdministersTheKey", []string{"kms:*"}, "*")
	root.Principal = &policydoc.Principal{AWS: []string{fmt.Sprintf("arn:aws:iam::%s:root", account)}}

	alarms := policydoc.Allow("AlarmsAndBudgetsPublishToTheEncryptedTopic",
		[]string{"kms:Decrypt", "kms:GenerateDataKey*"}, "*")
	alarms.Principal = &policydoc.Principal{Service: []string{"cloudwatch.amazonaws.com", "budgets.amazonaws.com"}}

	groups := make([]string, len(logGroups))
	for i, g := range logGroups {
		groups[i] = fmt.Sprintf("arn:aws:logs:%s:%s:log-group:%s", region, account, g)
	}
	logs := policydoc.Allow("CloudWatchLogsEncryptsThisStacksLogGroups",
		[]string{"kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"}, "*")
	logs.Principal = &policydoc.Principal{Service: []string{"logs." + region + ".amazonaws.com"}}
	logs.Condition = map[string]map[string][]string{
		"ArnLike": {"kms:EncryptionContext:aws:logs:arn": groups},
	}
	return policydoc.New(root, alarms, logs)
}
