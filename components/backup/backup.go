// Package backup keeps the environment's database recoverable when its
// region is not: the automated backups of <prefix>-postgres (its daily
// snapshots and transaction logs) replicated to a second region, under a
// customer-managed KMS key of that region (<prefix>-dr-key, alias
// alias/<prefix>-dr), for as long as Settings.BackupRetentionDays. From
// them the database can be restored there to any second of that window
// (docs/RUNBOOK.md, "Restoring in another region").
//
// The cache is not replicated: ElastiCache copies a Redis snapshot only
// within its region (to S3 or another name), and replicates across regions
// only as a Global Datastore, which the t3 node types cannot join. It is a
// cache; the restored environment starts it empty.
package backup

import (
	"fmt"
	"regexp"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/rds"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/ohmycoins/infra/internal/policydoc"
	"github.com/ohmycoins/infra/internal/settings"
)

// Settings are the cross-region backups, the config key ohmycoins:dr of a
// stack: json tags name the keys, the presets give the values, Validate
// holds the rules.
type Settings struct {
	// Region is where the database's backups are replicated to; "" for
	// none (staging). Production: ap-southeast-4 (Melbourne), another
	// region of the same country.
	Region string `json:"region"`
	// BackupRetentionDays is how long the replicated backups are kept:
	// the window a restore there can reach back, 1-35 days.
	BackupRetentionDays int `json:"backupRetentionDays"`
}

// On reports whether backups are replicated.
func (s Settings) On() bool { return s.Region != "" }

var regionName = regexp.MustCompile(`^[a-z]{2}(-gov)?-[a-z]+-[0-9]$`)

// The retention RDS accepts for replicated backups, in days.
const (
	MinRetentionDays = 1
	MaxRetentionDays = 35
)

// Validate records every rule the settings break; the stacks add the one
// between tiers (another region than the stack's, a source with backups).
func (s Settings) Validate(p settings.Problems) {
	if !s.On() {
		return
	}
	if !regionName.MatchString(s.Region) {
		p.Add("region", s.Region, "must be an AWS region name, e.g. ap-southeast-4")
	}
	if s.BackupRetentionDays < MinRetentionDays || s.BackupRetentionDays > MaxRetentionDays {
		p.Add("backupRetentionDays", s.BackupRetentionDays, fmt.Sprintf("must be %d-%d days, the retention RDS accepts for replicated backups", MinRetentionDays, MaxRetentionDays))
	}
}

// Args configure the replication.
type Args struct {
	// AccountID administers the key.
	AccountID pulumi.StringInput
	// SourceInstanceARN is the ARN of the database whose backups are
	// replicated, built from its identifier rather than taken from the
	// instance's output: a deliberate restore replaces the instance under
	// the same identifier, and the replication must stay.
	SourceInstanceARN pulumi.StringInput
	// Source is that database instance, which the replication waits for.
	Source pulumi.Resource
	// Provider is the AWS provider of Settings.Region: the key and the
	// replication live there.
	Provider pulumi.ProviderResource
	Settings
	// Protect keeps the key and the replication from deletion or
	// replacement by an ordinary update: production.
	Protect bool
}

// CrossRegion is the component.
type CrossRegion struct {
	pulumi.ResourceState

	// KeyARN is the key of the replicated backups.
	KeyARN pulumi.StringOutput
	// ReplicationARN is the replicated backups' ARN (auto-backup:...),
	// which a restore in Settings.Region names.
	ReplicationARN pulumi.StringOutput
}

// KeyAlias is the alias of a name prefix's key in the backup region.
func KeyAlias(prefix string) string { return "alias/" + prefix + "-dr" }

// KeyPolicy lets the account administer the key: IAM policies, and the
// grant RDS creates for the replication with the caller's permissions,
// govern its use.
func KeyPolicy(account string) policydoc.Document {
	root := policydoc.Allow("AccountAdministersTheKey", []string{"kms:*"}, "*")
	root.Principal = &policydoc.Principal{AWS: []string{fmt.Sprintf("arn:aws:iam::%s:root", account)}}
	return policydoc.New(root)
}

// New creates the key and the replication in the backup region. The
// component's name is the environment's name prefix.
func New(ctx *pulumi.Context, name string, args Args, opts ...pulumi.ResourceOption) (*CrossRegion, error) {
	problems := settings.NewProblems()
	if !args.On() {
		problems.Addf("region", "is empty: New replicates to a region, and the stack must not call it without one")
	}
	args.Settings.Validate(problems)
	if err := problems.Err("backup"); err != nil {
		return nil, err
	}
	if args.Provider == nil || args.SourceInstanceARN == nil || args.Source == nil || args.AccountID == nil {
		return nil, fmt.Errorf("backup: Provider (of %s), SourceInstanceARN, Source and AccountID are required", args.Region)
	}
	c := &CrossRegion{}
	if err := ctx.RegisterComponentResource("ohmycoins:backup:CrossRegion", name, c, opts...); err != nil {
		return nil, err
	}
	there := []pulumi.ResourceOption{pulumi.Parent(c), pulumi.Provider(args.Provider)}
	kept := append(there, pulumi.Protect(args.Protect))

	key, err := kms.NewKey(ctx, name+"-dr-key", &kms.KeyArgs{
		Description:          pulumi.String(fmt.Sprintf("%s: the database's backups replicated to %s", name, args.Region)),
		EnableKeyRotation:    pulumi.Bool(true),
		DeletionWindowInDays: pulumi.Int(30),
		Policy:               policydoc.Of(args.AccountID, KeyPolicy),
	}, kept...)
	if err != nil {
		return nil, err
	}
	if _, err := kms.NewAlias(ctx, name+"-dr-key-alias", &kms.AliasArgs{
		Name:        pulumi.String(KeyAlias(name)),
		TargetKeyId: key.KeyId,
	}, there...); err != nil {
		return nil, err
	}
	// Replication stops by its source only: a successor created beside it
	// would be stopped with it, so a replacement deletes first (and, in
	// production, protection and validation refuse one).
	replication, err := rds.NewInstanceAutomatedBackupsReplication(ctx, name+"-postgres-dr", &rds.InstanceAutomatedBackupsReplicationArgs{
		SourceDbInstanceArn: args.SourceInstanceARN,
		KmsKeyId:            key.Arn,
		RetentionPeriod:     pulumi.Int(args.BackupRetentionDays),
	}, append(kept, pulumi.DeleteBeforeReplace(true), pulumi.DependsOn([]pulumi.Resource{args.Source}))...)
	if err != nil {
		return nil, err
	}
	c.KeyARN = key.Arn
	c.ReplicationARN = replication.ID().ToStringOutput()
	return c, ctx.RegisterResourceOutputs(c, pulumi.Map{
		"keyArn":         c.KeyARN,
		"replicationArn": c.ReplicationARN,
	})
}
