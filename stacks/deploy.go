package stacks

import (
	"maps"
	"slices"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/ohmycoins/infra/components/alb"
	"github.com/ohmycoins/infra/components/backup"
	"github.com/ohmycoins/infra/components/cicd"
	"github.com/ohmycoins/infra/components/dns"
	"github.com/ohmycoins/infra/components/ecs"
	"github.com/ohmycoins/infra/components/encryption"
	"github.com/ohmycoins/infra/components/images"
	"github.com/ohmycoins/infra/components/monitoring"
	"github.com/ohmycoins/infra/components/network"
	"github.com/ohmycoins/infra/components/rds"
	"github.com/ohmycoins/infra/components/redis"
	"github.com/ohmycoins/infra/components/secrets"
	"github.com/ohmycoins/infra/components/waf"

	"github.com/ohmycoins/infra/internal/policydoc"
)

// Program is the Pulumi program of every stack: load the stack's settings, then
// deploy them. main.go runs it; the offline preview and the tests run it under mocks.
func Program(ctx *pulumi.Context) error {
	return ProgramWith(LoadOptions{})(ctx)
}

// ProgramWith is Program with explicit load options: the offline preview passes
// the config keys of the stack file it read.
func ProgramWith(opts LoadOptions) pulumi.RunFunc {
	return func(ctx *pulumi.Context) error {
		settings, err := LoadWith(ctx, opts)
		if err != nil {
			return err
		}
		for _, w := range settings.Warnings() {
			if err := ctx.Log.Warn(w, nil); err != nil {
				return err
			}
		}
		_, err = Deploy(ctx, *settings)
		return err
	}
}

// Deployment is what Deploy created, for composition and tests.
type Deployment struct {
	// Provider is the explicit AWS provider every component uses: the region and
	// default tags come from it, never from ambient aws:* config.
	Provider *aws.Provider
	// Boundary is the permissions boundary every application role carries.
	Boundary  *cicd.Boundary
	Key       *encryption.Key
	Network   *network.Network
	Database  *rds.Database
	Cache     *redis.Cache
	AppSecret *secrets.AppSecret

	LoadBalancer *alb.LoadBalancer
	Images       *images.Images
	Cluster      *ecs.Cluster
	Monitoring   *monitoring.Monitoring
	// Backup is nil without ohmycoins:dr.region.
	Backup *backup.CrossRegion
	// Firewall is nil when ohmycoins:waf.enabled is false.
	Firewall *waf.Firewall

	Certificate *dns.Certificate // nil unless the program creates the certificate
	Aliases     *dns.Aliases     // nil without a DNS zone
	CI          *cicd.GitHubCI
}

// Deploy creates the environment described by valid settings, in dependency
// order, and exports the stack outputs. Each component receives its settings
// through Args and the explicit provider through resource options; components
// never import one another, so this is the only place they meet.
func Deploy(ctx *pulumi.Context, s Settings) (*Deployment, error) {
	var guard guardRecorder
	if s.ProtectStatefulResources {
		if err := guard.watch(ctx); err != nil {
			return nil, err
		}
	}
	providerArgs := &aws.ProviderArgs{
		Region: pulumi.String(s.Region),
		DefaultTags: &aws.ProviderDefaultTagsArgs{
			Tags: pulumi.ToStringMap(s.DefaultTags()),
		},
	}
	if s.AccountID != "" {
		// Credentials of another account fail before anything is read or changed.
		providerArgs.AllowedAccountIds = pulumi.ToStringArray([]string{s.AccountID})
	}
	provider, err := aws.NewProvider(ctx, s.Name("aws"), providerArgs)
	if err != nil {
		return nil, err
	}
	d := &Deployment{Provider: provider}
	withProvider := pulumi.Provider(provider)
	account := aws.GetCallerIdentityOutput(ctx, aws.GetCallerIdentityOutputArgs{}, withProvider).AccountId()

	if d.Boundary, err = cicd.NewBoundary(ctx, s.NamePrefix, cicd.BoundaryScope{
		Region: s.Region, Environment: s.Environment, LogGroups: s.EncryptedLogGroups(),
	}, account, withProvider); err != nil {
		return nil, err
	}

	if d.Key, err = encryption.New(ctx, s.NamePrefix, encryption.Args{
		Region:    s.Region,
		AccountID: account,
		LogGroups: s.EncryptedLogGroups(),
		Protect:   s.ProtectStatefulResources,
	}, withProvider); err != nil {
		return nil, err
	}

	smtpPort := 0
	if s.App.SMTPHost != "" {
		smtpPort = s.App.SMTPPort
	}
	if d.Network, err = network.New(ctx, s.NamePrefix, network.Args{
		Region:              s.Region,
		AccountID:           account,
		PermissionsBoundary: d.Boundary.ARN,
		Settings:            s.Network,
		FlowLogGroupName:    s.FlowLogGroupName(),
		LogsKMSKeyARN:       d.Key.ARN,
		Services:            s.ServiceList(),
		SMTPPort:            smtpPort,
		Protect:             s.ProtectStatefulResources,
	}, withProvider); err != nil {
		return nil, err
	}

	if err := deployData(ctx, s, d, account, withProvider); err != nil {
		return nil, err
	}
	if s.DR.On() {
		if d.Backup, err = deployBackup(ctx, s, d, account, providerArgs, withProvider); err != nil {
			return nil, err
		}
	}
	if err := deployApp(ctx, s, d, account, withProvider); err != nil {
		return nil, err
	}
	firewall, err := deployFirewall(ctx, s, d, withProvider)
	if err != nil {
		return nil, err
	}
	pagingURL, pagingService := s.pager()
	if d.Monitoring, err = monitoring.New(ctx, s.NamePrefix, monitoring.Args{
		Environment:           s.Environment,
		Region:                s.Region,
		AccountID:             account,
		SubscriberRole:        cicd.DeployRoleName(s.NamePrefix),
		KMSKeyARN:             d.Key.ARN,
		AlertEmails:           s.Site.AlertEmails,
		Routes:                s.Alerts,
		PagingURL:             pagingURL,
		PagingService:         pagingService,
		PermissionsBoundary:   d.Boundary.ARN,
		Thresholds:            s.Alarms,
		ClusterName:           ecs.ClusterName(s.NamePrefix),
		Services:              monitoredServices(s, d),
		LoadBalancerARNSuffix: d.LoadBalancer.ARNSuffix,
		DBInstanceIdentifier:  d.Database.IdentifierOutput,
		CacheMembers:          d.Cache.MemberClusters,
		CacheNodes:            s.Cache.Nodes,
		DatabaseLogGroup:      rds.LogGroupName(rds.InstanceIdentifier(s.NamePrefix), "postgresql"),
		ContainerInsights:     s.ECS.ContainerInsights,
		Firewall:              firewall,
		Budget: monitoring.Budget{
			MonthlyUSD: s.Budget.MonthlyUSD, MarginPercent: s.Budget.MarginPercent,
			EnvironmentTag: s.Environment,
		},
	}, withProvider); err != nil {
		return nil, err
	}
	if err := deployServices(ctx, s, d, account, withProvider); err != nil {
		return nil, err
	}

	var zone pulumi.StringInput
	if d.Aliases != nil {
		zone = d.Aliases.ZoneID
	}
	var managedRoles []policydoc.ServiceRole
	managedRoles = append(managedRoles, d.Cluster.Roles...)
	managedRoles = append(managedRoles, d.Database.Roles...)
	managedRoles = append(managedRoles, d.Network.Roles...)
	managedRoles = append(managedRoles, d.Monitoring.Roles...)
	var records, certificateNames []string
	if s.DNS.ZoneName != "" {
		hosts := dns.HostsFor(s.Site.Domain, s.DNS.ZoneName)
		records = cicd.RecordNamePatterns(hosts.Certificate)
		if d.Certificate != nil {
			certificateNames = hosts.Certificate
		}
	}
	if d.CI, err = cicd.New(ctx, s.NamePrefix, cicd.Args{
		Region:       s.Region,
		AccountID:    account,
		Settings:     s.GitHub,
		Environment:  s.Environment,
		Stack:        ctx.Stack(),
		StateBackend: s.StateBackend,
		// Pull requests run their own code: they may preview staging, whose
		// secrets are staging's, never production (offline diff only).
		PreviewOnPullRequests: s.Environment == EnvStaging,
		RefreshedSecrets:      []string{d.AppSecret.Name},
		ManagedRoles:          managedRoles,
		AttachablePolicies:    []string{ecs.ExecutionRolePolicyARN, rds.MonitoringPolicyARN},
		HostedZoneID:          zone,
		VpcID:                 d.Network.VpcID,
		RecordNames:           records,
		DelegatedNames:        slices.Sorted(maps.Keys(s.DNS.Delegations)),
		CertificateNames:      certificateNames,
		LogGroups:             s.EncryptedLogGroups(),
		OwnBuckets:            []string{s.NamePrefix + "-*"},
		DRRegion:              s.DR.Region,
	}, withProvider); err != nil {
		return nil, err
	}

	if s.ProtectStatefulResources {
		if err := guard.guard(ctx, s); err != nil {
			return nil, err
		}
	}
	exportOutputs(ctx, s, d)
	return d, nil
}

// deployFirewall puts the web ACL in front of the load balancer, and says
// what monitoring watches of it; nil without one.
func deployFirewall(ctx *pulumi.Context, s Settings, d *Deployment, provider pulumi.ResourceOrInvokeOption) (*monitoring.Firewall, error) {
	if !s.WAF.Enabled {
		return nil, nil
	}
	var err error
	if d.Firewall, err = waf.New(ctx, s.NamePrefix, waf.Args{
		LoadBalancerARN:  d.LoadBalancer.ARN,
		KMSKeyARN:        d.Key.ARN,
		LogRetentionDays: s.Logs.RetentionDays,
		Settings:         s.WAF,
		Protect:          s.ProtectStatefulResources,
	}, provider); err != nil {
		return nil, err
	}
	return &monitoring.Firewall{WebACLName: d.Firewall.WebACLName, Counting: d.Firewall.Counting}, nil
}

// pager is the pager's integration URL, as a secret, and the service it
// belongs to; none when the stack does not page.
func (s Settings) pager() (pulumi.StringInput, string) {
	if !s.Alerts.Page {
		return nil, ""
	}
	service, _ := monitoring.PagingServiceOf(s.Credentials.PagingURL.Reveal())
	return s.Credentials.PagingURL.Output(), service
}

// deployBackup replicates the database's backups to the DR region, with a
// provider of that region like the stack's own (its tags, its account).
func deployBackup(ctx *pulumi.Context, s Settings, d *Deployment, account pulumi.StringOutput, providerArgs *aws.ProviderArgs, opts ...pulumi.ResourceOption) (*backup.CrossRegion, error) {
	drArgs := *providerArgs
	drArgs.Region = pulumi.String(s.DR.Region)
	there, err := aws.NewProvider(ctx, s.Name("aws-dr"), &drArgs)
	if err != nil {
		return nil, err
	}
	return backup.New(ctx, s.NamePrefix, backup.Args{
		AccountID:         account,
		SourceInstanceARN: pulumi.Sprintf("arn:aws:rds:%s:%s:db:%s", s.Region, account, rds.InstanceIdentifier(s.NamePrefix)),
		Source:            d.Database.Instance,
		Provider:          there,
		Settings:          s.DR,
		Protect:           s.ProtectStatefulResources,
	}, opts...)
}

// exportOutputs exports the stack outputs, the names docs/RUNBOOK.md reads with
// pulumi stack output (stacks/identity_test.go lists them).
func exportOutputs(ctx *pulumi.Context, s Settings, d *Deployment) {
	ctx.Export("vpc_id", d.Network.VpcID)
	ctx.Export("kms_key_arn", d.Key.ARN)
	ctx.Export("db_instance_address", d.Database.Address)
	ctx.Export("db_endpoint", d.Database.Endpoint)
	ctx.Export("db_master_secret_arn", d.Database.MasterSecretARN)
	ctx.Export("redis_primary_endpoint_address", d.Cache.PrimaryEndpoint)
	ctx.Export("redis_reader_endpoint_address", d.Cache.ReaderEndpoint)
	ctx.Export("app_secrets_arn", d.AppSecret.ARN)
	ctx.Export("secret_arn", d.AppSecret.ARN)
	ctx.Export("alb_dns_name", d.LoadBalancer.DNSName)
	ctx.Export("alb_zone_id", d.LoadBalancer.ZoneID)
	if d.Backup != nil {
		ctx.Export("dr_backups_arn", d.Backup.ReplicationARN)
		ctx.Export("dr_key_arn", d.Backup.KeyARN)
	}
	if d.Firewall != nil {
		ctx.Export("waf_web_acl_arn", d.Firewall.WebACLARN)
		ctx.Export("waf_log_group_name", pulumi.String(d.Firewall.LogGroupName))
	}
	ctx.Export("ecs_cluster_name", pulumi.String(d.Cluster.Name))
	// Each service's: <name>_service_name, <name>_task_definition_arn (the
	// revision deployed) and <name>_repository_url, and
	// <name>_target_group_arn behind the load balancer (cmd/verify reads them).
	for _, svc := range s.ServiceList() {
		ctx.Export(svc.Name+"_service_name", pulumi.String(ecs.ServiceName(s.NamePrefix, svc.Name)))
		ctx.Export(svc.Name+"_task_definition_arn", d.Cluster.TaskDefinitionARNs[svc.Name])
		ctx.Export(svc.Name+"_repository_url", d.Images.Services[svc.Name].RepositoryURL)
		if tg, ok := d.LoadBalancer.TargetGroups[svc.Name]; ok {
			ctx.Export(svc.Name+"_target_group_arn", tg.ARN)
		}
	}
	ctx.Export("app_url", pulumi.String(s.AppURL()))
	ctx.Export("api_url", pulumi.String(s.APIURL()))
	ctx.Export("monitoring_sns_topic_arn", d.Monitoring.TopicARN)
	ctx.Export("dashboard_name", pulumi.String(d.Monitoring.DashboardName))
	ctx.Export("dashboard_url", pulumi.String(d.Monitoring.DashboardURL))
	ctx.Export("alarm_names", pulumi.ToStringArray(d.Monitoring.AlarmNames))
	ctx.Export("github_preview_role_arn", d.CI.PreviewRoleARN)
	ctx.Export("github_deploy_role_arn", d.CI.DeployRoleARN)
}

// monitoredServices are the services as their metrics are published.
func monitoredServices(s Settings, d *Deployment) []monitoring.Service {
	var out []monitoring.Service
	for _, svc := range s.ServiceList() {
		m := monitoring.Service{Service: svc, ECSName: ecs.ServiceName(s.NamePrefix, svc.Name), LogGroupName: ecs.LogGroupName(s.NamePrefix, svc.Name)}
		if tg, ok := d.LoadBalancer.TargetGroups[svc.Name]; ok {
			m.TargetGroupARNSuffix = tg.ARNSuffix
		}
		out = append(out, m)
	}
	return out
}

// deployData creates the data tier on the network's data subnets: PostgreSQL,
// Redis and the application secret, all encrypted with the environment key.
func deployData(ctx *pulumi.Context, s Settings, d *Deployment, account pulumi.StringOutput, provider pulumi.ResourceOrInvokeOption) error {
	var err error
	if d.Database, err = rds.New(ctx, s.NamePrefix, rds.Args{
		AccountID:           account,
		PermissionsBoundary: d.Boundary.ARN,
		SubnetIDs:           d.Network.DataSubnetIDs,
		SecurityGroupID:     d.Network.DatabaseSecurityGroupID,
		KMSKeyARN:           d.Key.ARN,
		Settings:            s.Database,
		LogRetentionDays:    s.Logs.RetentionDays,
		Protect:             s.ProtectStatefulResources,
	}, provider); err != nil {
		return err
	}

	if d.Cache, err = redis.New(ctx, s.NamePrefix, redis.Args{
		SubnetIDs:        d.Network.DataSubnetIDs,
		SecurityGroupID:  d.Network.CacheSecurityGroupID,
		KMSKeyARN:        d.Key.ARN,
		AuthToken:        s.Credentials.RedisAuthToken.Output(),
		Settings:         s.Cache,
		LogRetentionDays: s.Logs.RetentionDays,
		Protect:          s.ProtectStatefulResources,
	}, provider); err != nil {
		return err
	}

	d.AppSecret, err = secrets.New(ctx, s.NamePrefix, secrets.Args{
		Region:       s.Region,
		KMSKeyARN:    d.Key.ARN,
		Settings:     s.Secrets,
		Values:       s.AppSecretValues(),
		AlsoReadable: []pulumi.StringInput{d.Database.MasterSecretARN},
		Protect:      s.ProtectStatefulResources,
	}, provider)
	return err
}

// FlowLogGroupName is the log group of the VPC flow logs.
func (s Settings) FlowLogGroupName() string { return network.FlowLogGroupName(s.NamePrefix) }

// EncryptedLogGroups are the log groups of this stack, as name patterns, that
// the environment key may encrypt and the deploy role may manage: flow logs,
// ECS, Redis and RDS exports. Each comes from the component that names its
// groups, so a renamed group moves its pattern with it; the policy rule
// LOGS.COVERED checks every encrypted group of a plan against both.
func (s Settings) EncryptedLogGroups() []string {
	return []string{
		network.FlowLogGroupName(s.NamePrefix),
		ecs.LogGroupPattern(s.NamePrefix),
		redis.LogGroupPattern(s.NamePrefix),
		rds.LogGroupPattern(rds.InstanceIdentifier(s.NamePrefix)),
		ecs.RedeployLogGroup(s.NamePrefix + "-*"),
		waf.LogGroupName(s.NamePrefix),
	}
}

// DefaultTags are set on every taggable resource through the provider.
func (s Settings) DefaultTags() map[string]string {
	return map[string]string{
		"Project":     ProjectTag,
		"Environment": s.Environment,
		"ManagedBy":   "Pulumi",
	}
}
