// Package redis creates the environment's Redis: an ElastiCache replication
// group <prefix>-redis on the data subnets, encrypted at rest with the
// environment key and in transit, protected by an AUTH token (defects B9, E8),
// with its slow and engine logs delivered to log groups this program owns.
// Failover and Multi-AZ come only with two or more nodes.
package redis

import (
	"fmt"
	"slices"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/elasticache"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/ohmycoins/infra/internal/physicalname"
	"github.com/ohmycoins/infra/internal/ports"
	"github.com/ohmycoins/infra/internal/settings"
)

// Args configure the cache. Field comments give the staging / production values.
type Args struct {
	// SubnetIDs are the data subnets; SecurityGroupID is the cache tier's group.
	SubnetIDs       pulumi.StringArrayInput
	SecurityGroupID pulumi.StringInput
	// KMSKeyARN encrypts data at rest and the log groups.
	KMSKeyARN pulumi.StringInput
	// AuthToken is the Redis AUTH token, a secret output (16-128 characters).
	AuthToken pulumi.StringInput

	// Settings are the group's settings (the stack's ohmycoins:cache), which
	// New checks with Settings.Validate before it creates anything.
	// SnapshotName is read only when the group is created: the provider would
	// replace the group when it changes, so it is ignored once the group exists.
	Settings
	// LogRetentionDays keeps the slow-log and engine-log groups: 7 / 30.
	LogRetentionDays int
	// Protect makes the group and its log groups Pulumi-protected and keeps a
	// final snapshot (FinalSnapshotName) if it is ever deleted; production.
	Protect bool
}

// Cache is the Redis component.
type Cache struct {
	pulumi.ResourceState

	ID string
	// PrimaryEndpoint takes writes; ReaderEndpoint spreads reads over the replicas.
	PrimaryEndpoint pulumi.StringOutput
	ReaderEndpoint  pulumi.StringOutput
	Port            int
	// MemberClusters are the member cluster ids (<id>-001, ...), sorted: the
	// CacheClusterId dimension ElastiCache publishes node metrics under.
	MemberClusters pulumi.StringArrayOutput
}

// New creates the cache. The component's name is the environment's name
// prefix; the replication group is <name>-redis.
func New(ctx *pulumi.Context, name string, args Args, opts ...pulumi.ResourceOption) (*Cache, error) {
	problems := settings.NewProblems()
	args.Settings.Validate(problems)
	if err := problems.Err("redis"); err != nil {
		return nil, err
	}
	switch {
	case args.AuthToken == nil || args.KMSKeyARN == nil || args.SubnetIDs == nil || args.SecurityGroupID == nil:
		return nil, fmt.Errorf("redis: AuthToken, KMSKeyARN, SubnetIDs and SecurityGroupID are required")
	}

	c := &Cache{ID: name + "-redis", Port: ports.Redis}
	if err := ctx.RegisterComponentResource("ohmycoins:redis:Cache", name, c, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(c)

	subnetGroup, err := elasticache.NewSubnetGroup(ctx, name+"-redis-subnet-group", &elasticache.SubnetGroupArgs{
		Name:        pulumi.String(name + "-redis-subnet-group"),
		Description: pulumi.String("Data subnets of " + name),
		SubnetIds:   args.SubnetIDs,
	}, parent)
	if err != nil {
		return nil, err
	}
	// A new major version's group is created beside the old one; where changes
	// wait for the maintenance window the old one is still in use when Pulumi
	// deletes it, so it is left in AWS instead (as the database's).
	family := "redis" + majorOf(args.EngineVersion)
	parameterGroup, err := elasticache.NewParameterGroup(ctx, name+"-"+family, &elasticache.ParameterGroupArgs{
		Name:        pulumi.String(name + "-" + family),
		Family:      pulumi.String(family),
		Description: pulumi.String("Redis parameters of " + name + ": evict least recently used keys when full"),
		Parameters: elasticache.ParameterGroupParameterArray{
			elasticache.ParameterGroupParameterArgs{Name: pulumi.String("maxmemory-policy"), Value: pulumi.String("allkeys-lru")},
		},
	}, parent, pulumi.RetainOnDelete(!args.ApplyImmediately))
	if err != nil {
		return nil, err
	}

	var deliveries elasticache.ReplicationGroupLogDeliveryConfigurationArray
	var logGroups []pulumi.Resource
	for _, logType := range []string{"slow-log", "engine-log"} {
		groupName := LogGroupName(name, logType)
		group, err := cloudwatch.NewLogGroup(ctx, name+"-redis-"+logType, &cloudwatch.LogGroupArgs{
			Name:            pulumi.String(groupName),
			RetentionInDays: pulumi.Int(args.LogRetentionDays),
			KmsKeyId:        args.KMSKeyARN,
		}, parent, pulumi.Protect(args.Protect), pulumi.DeleteBeforeReplace(false)) // never deletes its records first
		if err != nil {
			return nil, err
		}
		logGroups = append(logGroups, group)
		deliveries = append(deliveries, elasticache.ReplicationGroupLogDeliveryConfigurationArgs{
			LogType:         pulumi.String(logType),
			DestinationType: pulumi.String("cloudwatch-logs"),
			Destination:     group.Name,
			LogFormat:       pulumi.String("json"),
		})
	}

	groupArgs := &elasticache.ReplicationGroupArgs{
		ReplicationGroupId:        pulumi.String(c.ID),
		Description:               pulumi.String("Redis of " + name),
		Engine:                    pulumi.String("redis"),
		EngineVersion:             pulumi.String(args.EngineVersion),
		AutoMinorVersionUpgrade:   pulumi.Bool(true),
		NodeType:                  pulumi.String(args.NodeType),
		NumCacheClusters:          pulumi.Int(args.Nodes),
		Port:                      pulumi.Int(ports.Redis),
		ParameterGroupName:        parameterGroup.Name,
		SubnetGroupName:           subnetGroup.Name,
		SecurityGroupIds:          pulumi.StringArray{args.SecurityGroupID},
		AtRestEncryptionEnabled:   pulumi.Bool(true),
		KmsKeyId:                  args.KMSKeyARN,
		TransitEncryptionEnabled:  pulumi.Bool(true),
		AuthToken:                 args.AuthToken,
		AutomaticFailoverEnabled:  pulumi.Bool(args.AutomaticFailover),
		MultiAzEnabled:            pulumi.Bool(args.MultiAZ),
		SnapshotRetentionLimit:    pulumi.Int(args.SnapshotRetentionDays),
		SnapshotWindow:            pulumi.String(args.SnapshotWindow),
		MaintenanceWindow:         pulumi.String(args.MaintenanceWindow),
		ApplyImmediately:          pulumi.Bool(args.ApplyImmediately),
		LogDeliveryConfigurations: deliveries,
	}
	if args.Protect {
		groupArgs.FinalSnapshotIdentifier = FinalSnapshotName(c.ID, args.KMSKeyARN, args.SnapshotName)
	}
	if args.SnapshotName != "" {
		groupArgs.SnapshotName = pulumi.String(args.SnapshotName)
	}
	group, err := elasticache.NewReplicationGroup(ctx, c.ID, groupArgs,
		// Never deleted before its replacement exists: the provider would
		// (the program sets its id), losing the cache; created first, the
		// replacement is refused on the id, and nothing is lost. A restore
		// asks for the other order on purpose (ReplaceDeletingFirst).
		parent, pulumi.DependsOn(logGroups), pulumi.Protect(args.Protect), pulumi.IgnoreChanges([]string{"snapshotName"}), pulumi.DeleteBeforeReplace(args.ReplaceDeletingFirst))
	if err != nil {
		return nil, err
	}

	c.PrimaryEndpoint = group.PrimaryEndpointAddress
	c.ReaderEndpoint = group.ReaderEndpointAddress
	c.MemberClusters = group.MemberClusters.ApplyT(func(ids []string) []string {
		sorted := slices.Clone(ids)
		slices.Sort(sorted)
		return sorted
	}).(pulumi.StringArrayOutput)
	return c, ctx.RegisterResourceOutputs(c, pulumi.Map{
		"primaryEndpoint": c.PrimaryEndpoint,
		"readerEndpoint":  c.ReaderEndpoint,
		"memberClusters":  c.MemberClusters,
	})
}

// FinalSnapshotName is the snapshot ElastiCache takes when the group is
// deleted: <id>-final-<digest of the environment key, the group's other
// replacement-forcing inputs and the snapshot it was restored from>, so that
// no incarnation reuses an earlier one's name (a fixed name fails the second
// deletion, and a restore deletes the group it replaces) and nothing changes
// while the group stays.
func FinalSnapshotName(id string, keyARN pulumi.StringInput, restoredFrom string) pulumi.StringOutput {
	return keyARN.ToStringOutput().ApplyT(func(key string) string { return FinalSnapshotID(id, key, restoredFrom) }).(pulumi.StringOutput)
}

// FinalSnapshotID is FinalSnapshotName once the key's ARN is known. A group
// restored from no snapshot keeps the name it always had.
func FinalSnapshotID(id, keyARN, restoredFrom string) string {
	parts := []string{keyARN, "redis", fmt.Sprint(ports.Redis)}
	if restoredFrom != "" {
		parts = append(parts, restoredFrom)
	}
	return physicalname.Unique(id+"-final", 8, parts...)
}

// majorOf is the major version of major.minor ("7.1" -> "7").
func majorOf(version string) string {
	major, _, _ := strings.Cut(version, ".")
	return major
}

// LogGroupName is the log group of one of the cache's logs (slow-log,
// engine-log); LogGroupPattern covers every one of a name prefix's. The key
// policy and the deploy role cover the pattern.
func LogGroupName(prefix, logType string) string { return "/aws/elasticache/" + prefix + "/" + logType }

// LogGroupPattern covers the cache's log groups of a name prefix.
func LogGroupPattern(prefix string) string { return LogGroupName(prefix, "*") }
