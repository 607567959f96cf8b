// Package rds creates the environment's PostgreSQL database: a subnet group on
// the data subnets, a parameter group that forces TLS and logs connections and
// slow queries, the log groups RDS exports into (created here, so they have a
// retention and the key: defect F4), the enhanced-monitoring role, and the
// instance <prefix>-postgres, encrypted with the environment key, with an
// RDS-managed master password (defect B4) and a final snapshot name that is
// stable (defect F1) yet never collides with an earlier incarnation's.
package rds

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/rds"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/ohmycoins/infra/internal/physicalname"
	"github.com/ohmycoins/infra/internal/policydoc"
	"github.com/ohmycoins/infra/internal/ports"
	"github.com/ohmycoins/infra/internal/settings"
)

// Defaults of the database every environment shares.
const (
	DefaultDatabaseName   = "app"
	DefaultMasterUsername = "postgres"
	// CACertificate is the certificate authority of the server certificate.
	CACertificate = "rds-ca-rsa2048-g1"
)

// LogExports are the PostgreSQL logs published to CloudWatch Logs.
var LogExports = []string{"postgresql", "upgrade"}

// Args configure the database. Field comments give the staging / production values.
type Args struct {
	// PermissionsBoundary is the environment's boundary (cicd.NewBoundary),
	// which every role the component creates carries: the deploy role may
	// write these roles only with it in place.
	PermissionsBoundary pulumi.StringInput
	// AccountID scopes the monitoring role's trust to this account.
	AccountID pulumi.StringInput
	// SubnetIDs are the data subnets (one per AZ); SecurityGroupID is the database tier's group.
	SubnetIDs       pulumi.StringArrayInput
	SecurityGroupID pulumi.StringInput
	// KMSKeyARN encrypts storage, Performance Insights, the master secret and the log groups.
	KMSKeyARN pulumi.StringInput

	// Settings are the instance's settings (the stack's ohmycoins:database),
	// which New checks with Settings.Validate before it creates anything.
	// SnapshotIdentifier is read only when the instance is created: the
	// provider would replace the instance when it changes, so it is ignored
	// once the instance exists.
	Settings
	// LogRetentionDays keeps the export log groups: 7 / 30.
	LogRetentionDays int

	// DatabaseName and MasterUsername default to app and postgres.
	DatabaseName   string
	MasterUsername string
	// Protect makes the instance and its log groups Pulumi-protected resources,
	// so no ordinary update deletes or replaces them; production.
	Protect bool
}

// Database is the database component.
type Database struct {
	pulumi.ResourceState

	// Identifier is the instance identifier: the DBInstanceIdentifier dimension of
	// RDS metrics (not the resource id: defect A3). IdentifierOutput is the same
	// value as the instance reports it, carrying the dependency on it.
	Identifier       string
	IdentifierOutput pulumi.StringOutput
	// Instance is the DB instance itself, for what must wait for it without
	// taking an input from it (a dependency on the component would name
	// whichever of its children had registered by then).
	Instance pulumi.CustomResource
	// Address is the host name, Endpoint is address:port.
	Address  pulumi.StringOutput
	Endpoint pulumi.StringOutput
	Port     int
	// DatabaseName and Username are what the backend connects as.
	DatabaseName string
	Username     string
	// MasterSecretARN is the RDS-managed secret holding the master password (key "password").
	MasterSecretARN pulumi.StringOutput
	ARN             pulumi.StringOutput
	// Roles are the IAM roles the database created (enhanced monitoring).
	Roles []policydoc.ServiceRole
}

// New creates the database. The component's name is the environment's name
// prefix; the instance is <name>-postgres.
func New(ctx *pulumi.Context, name string, args Args, opts ...pulumi.ResourceOption) (*Database, error) {
	if args.DatabaseName == "" {
		args.DatabaseName = DefaultDatabaseName
	}
	if args.MasterUsername == "" {
		args.MasterUsername = DefaultMasterUsername
	}
	problems := settings.NewProblems()
	args.Settings.Validate(problems)
	if err := problems.Err("rds"); err != nil {
		return nil, err
	}
	if args.SubnetIDs == nil || args.SecurityGroupID == nil || args.KMSKeyARN == nil || args.AccountID == nil || args.PermissionsBoundary == nil {
		return nil, fmt.Errorf("rds: SubnetIDs, SecurityGroupID, KMSKeyARN, AccountID and PermissionsBoundary are required")
	}

	c := &Database{
		Identifier: InstanceIdentifier(name), Port: ports.Postgres,
		DatabaseName: args.DatabaseName, Username: args.MasterUsername,
	}
	if err := ctx.RegisterComponentResource("ohmycoins:rds:Database", name, c, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(c)

	subnetGroup, err := rds.NewSubnetGroup(ctx, name+"-db-subnet-group", &rds.SubnetGroupArgs{
		Name:        pulumi.String(name + "-db-subnet-group"),
		Description: pulumi.String("Data subnets of " + name),
		SubnetIds:   args.SubnetIDs,
	}, parent)
	if err != nil {
		return nil, err
	}

	// A major upgrade (engineVersion 17 -> 18) creates the new family's group
	// beside the old one and moves the instance to it in the same modification
	// (allowMajorVersionUpgrade). Where modifications wait for the maintenance
	// window, the instance still uses the old group when Pulumi deletes it, and
	// RDS refuses; the old group is then left in AWS (retainOnDelete) to be
	// deleted after the window (docs/RUNBOOK.md, "Upgrading PostgreSQL").
	family := "postgres" + args.EngineVersion
	parameterGroup, err := rds.NewParameterGroup(ctx, name+"-"+family, &rds.ParameterGroupArgs{
		Name:        pulumi.String(name + "-" + family),
		Family:      pulumi.String(family),
		Description: pulumi.String("PostgreSQL " + args.EngineVersion + " parameters of " + name),
		Parameters:  parameters(),
	}, parent, pulumi.RetainOnDelete(!args.ApplyImmediately))
	if err != nil {
		return nil, err
	}

	// RDS would create the export log groups itself, without retention or key;
	// creating them first makes them ours.
	var logGroups []pulumi.Resource
	for _, export := range LogExports {
		group, err := cloudwatch.NewLogGroup(ctx, name+"-postgres-"+export+"-logs", &cloudwatch.LogGroupArgs{
			Name:            pulumi.String(LogGroupName(c.Identifier, export)),
			RetentionInDays: pulumi.Int(args.LogRetentionDays),
			KmsKeyId:        args.KMSKeyARN,
		}, parent, pulumi.Protect(args.Protect), pulumi.DeleteBeforeReplace(false)) // its records are never deleted first
		if err != nil {
			return nil, err
		}
		logGroups = append(logGroups, group)
	}

	// The instance waits for its log groups and, with enhanced monitoring, for
	// the monitoring role's policy: RDS checks the role when it is given one.
	instanceDeps := logGroups
	var monitoringRoleARN pulumi.StringPtrInput
	if args.MonitoringIntervalSeconds > 0 {
		role, attachment, err := monitoringRole(ctx, name, args.AccountID, args.PermissionsBoundary, parent)
		if err != nil {
			return nil, err
		}
		monitoringRoleARN = role.Arn
		instanceDeps = append(instanceDeps, attachment)
		c.Roles = append(c.Roles, policydoc.ServiceRole{Name: name + "-rds-monitoring-role", Service: policydoc.RDSMonitoring})
	}

	instanceArgs := &rds.InstanceArgs{
		Identifier:              pulumi.String(c.Identifier),
		Engine:                  pulumi.String("postgres"),
		EngineVersion:           pulumi.String(args.EngineVersion),
		AutoMinorVersionUpgrade: pulumi.Bool(true),
		// Only a change of EngineVersion upgrades a major version; RDS takes a
		// snapshot before it upgrades.
		AllowMajorVersionUpgrade:     pulumi.Bool(true),
		InstanceClass:                pulumi.String(args.InstanceClass),
		AllocatedStorage:             pulumi.Int(args.AllocatedStorageGB),
		MaxAllocatedStorage:          pulumi.Int(args.MaxAllocatedStorageGB),
		StorageType:                  pulumi.String(args.StorageType),
		StorageEncrypted:             pulumi.Bool(true),
		KmsKeyId:                     args.KMSKeyARN,
		DbName:                       pulumi.String(args.DatabaseName),
		Username:                     pulumi.String(args.MasterUsername),
		ManageMasterUserPassword:     pulumi.Bool(true),
		MasterUserSecretKmsKeyId:     args.KMSKeyARN,
		Port:                         pulumi.Int(ports.Postgres),
		MultiAz:                      pulumi.Bool(args.MultiAZ),
		DbSubnetGroupName:            subnetGroup.Name,
		VpcSecurityGroupIds:          pulumi.StringArray{args.SecurityGroupID},
		PubliclyAccessible:           pulumi.Bool(false),
		ParameterGroupName:           parameterGroup.Name,
		CaCertIdentifier:             pulumi.String(CACertificate),
		BackupRetentionPeriod:        pulumi.Int(args.BackupRetentionDays),
		BackupWindow:                 pulumi.String(args.BackupWindow),
		MaintenanceWindow:            pulumi.String(args.MaintenanceWindow),
		CopyTagsToSnapshot:           pulumi.Bool(true),
		DeleteAutomatedBackups:       pulumi.Bool(false),
		DeletionProtection:           pulumi.Bool(args.DeletionProtection),
		SkipFinalSnapshot:            pulumi.Bool(args.SkipFinalSnapshot),
		ApplyImmediately:             pulumi.Bool(args.ApplyImmediately),
		EnabledCloudwatchLogsExports: pulumi.ToStringArray(LogExports),
		MonitoringInterval:           pulumi.Int(args.MonitoringIntervalSeconds),
		MonitoringRoleArn:            monitoringRoleARN,
		PerformanceInsightsEnabled:   pulumi.Bool(args.PerformanceInsights),
	}
	if args.SnapshotIdentifier != "" {
		instanceArgs.SnapshotIdentifier = pulumi.String(args.SnapshotIdentifier)
	}
	if !args.SkipFinalSnapshot {
		instanceArgs.FinalSnapshotIdentifier = FinalSnapshotName(c.Identifier, args.KMSKeyARN, args.DatabaseName, args.MasterUsername, args.SnapshotIdentifier)
	}
	if args.PerformanceInsights {
		instanceArgs.PerformanceInsightsKmsKeyId = args.KMSKeyARN
		instanceArgs.PerformanceInsightsRetentionPeriod = pulumi.Int(args.PerformanceInsightsRetentionDays)
	}
	instanceOpts := []pulumi.ResourceOption{parent, pulumi.DependsOn(instanceDeps), pulumi.Protect(args.Protect), pulumi.IgnoreChanges([]string{"snapshotIdentifier"})}
	if args.ReplaceDeletingFirst {
		instanceOpts = append(instanceOpts, pulumi.DeleteBeforeReplace(true))
	}
	instance, err := rds.NewInstance(ctx, c.Identifier, instanceArgs, instanceOpts...)
	if err != nil {
		return nil, err
	}

	c.Address, c.Endpoint, c.ARN = instance.Address, instance.Endpoint, instance.Arn
	c.IdentifierOutput = instance.Identifier
	c.Instance = instance
	c.MasterSecretARN = instance.MasterUserSecrets.Index(pulumi.Int(0)).SecretArn().Elem()
	return c, ctx.RegisterResourceOutputs(c, pulumi.Map{
		"identifier":      pulumi.String(c.Identifier),
		"address":         c.Address,
		"endpoint":        c.Endpoint,
		"masterSecretArn": c.MasterSecretARN,
	})
}

// FinalSnapshotName is the snapshot RDS takes when the instance is deleted:
// <identifier>-final-<digest>. The digest covers the environment key, which a
// re-created environment gets anew, the instance's other inputs that force
// a replacement, and the snapshot a restored instance came from, so each
// incarnation of the instance has its own name: a fixed name fails the second
// deletion, because the first one's snapshot exists (a second restore in one
// environment is such a deletion). It does not change while the instance
// stays, so it causes no diff (defect F1).
func FinalSnapshotName(identifier string, keyARN pulumi.StringInput, dbName, username, restoredFrom string) pulumi.StringOutput {
	return keyARN.ToStringOutput().ApplyT(func(key string) string {
		return FinalSnapshotID(identifier, key, dbName, username, restoredFrom)
	}).(pulumi.StringOutput)
}

// FinalSnapshotID is FinalSnapshotName once the key's ARN is known. An
// instance restored from no snapshot keeps the name it always had.
func FinalSnapshotID(identifier, keyARN, dbName, username, restoredFrom string) string {
	parts := []string{keyARN, "postgres", dbName, username}
	if restoredFrom != "" {
		parts = append(parts, restoredFrom)
	}
	return physicalname.Unique(identifier+"-final", 8, parts...)
}

// parameters are the PostgreSQL settings of every environment: log connections and
// statements slower than a second, load pg_stat_statements, refuse plain-text
// connections. shared_preload_libraries takes effect at the next reboot.
func parameters() rds.ParameterGroupParameterArray {
	return rds.ParameterGroupParameterArray{
		rds.ParameterGroupParameterArgs{Name: pulumi.String("log_connections"), Value: pulumi.String("1")},
		rds.ParameterGroupParameterArgs{Name: pulumi.String("log_disconnections"), Value: pulumi.String("1")},
		rds.ParameterGroupParameterArgs{Name: pulumi.String("log_min_duration_statement"), Value: pulumi.String("1000")},
		rds.ParameterGroupParameterArgs{Name: pulumi.String("rds.force_ssl"), Value: pulumi.String("1")},
		rds.ParameterGroupParameterArgs{Name: pulumi.String("shared_preload_libraries"), Value: pulumi.String("pg_stat_statements"), ApplyMethod: pulumi.String("pending-reboot")},
	}
}

// monitoringRole is the role RDS enhanced monitoring publishes OS metrics
// with, and the attachment of its policy, which the instance must wait for.
func monitoringRole(ctx *pulumi.Context, name string, account, boundary pulumi.StringInput, parent pulumi.ResourceOption) (*iam.Role, pulumi.Resource, error) {
	role, err := iam.NewRole(ctx, name+"-rds-monitoring-role", &iam.RoleArgs{
		Name:                pulumi.String(name + "-rds-monitoring-role"),
		PermissionsBoundary: boundary,
		Description:         pulumi.String("RDS enhanced monitoring of " + name + "-postgres"),
		AssumeRolePolicy: policydoc.Of(account, func(account string) policydoc.Document {
			return MonitoringTrustPolicy(account)
		}),
	}, parent)
	if err != nil {
		return nil, nil, err
	}
	attachment, err := iam.NewRolePolicyAttachment(ctx, name+"-rds-monitoring-policy", &iam.RolePolicyAttachmentArgs{
		Role:      role.Name,
		PolicyArn: pulumi.String(MonitoringPolicyARN),
	}, parent)
	return role, attachment, err
}

// MonitoringPolicyARN is AWS's policy for publishing enhanced monitoring metrics.
const MonitoringPolicyARN = "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"

// MonitoringTrustPolicy lets RDS monitoring assume the role for this account only.
func MonitoringTrustPolicy(account string) policydoc.Document {
	s := policydoc.Allow("RdsMonitoringAssumeRole", []string{"sts:AssumeRole"})
	s.Principal = &policydoc.Principal{Service: []string{"monitoring.rds.amazonaws.com"}}
	s.Condition = map[string]map[string][]string{"StringEquals": {"aws:SourceAccount": {account}}}
	return policydoc.New(s)
}

// LogGroupName is the log group RDS exports one log to (postgresql,
// upgrade); LogGroupPattern covers every export of an instance. The key
// policy and the deploy role cover the pattern.
func LogGroupName(identifier, export string) string {
	return "/aws/rds/instance/" + identifier + "/" + export
}

// LogGroupPattern covers an instance's export log groups.
func LogGroupPattern(identifier string) string { return LogGroupName(identifier, "*") }

// InstanceIdentifier is the database instance of a name prefix.
func InstanceIdentifier(prefix string) string { return prefix + "-postgres" }
