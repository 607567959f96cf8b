package stacks_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ohmycoins/infra/components/monitoring"
	"github.com/ohmycoins/infra/components/network"
	"github.com/ohmycoins/infra/internal/preview/previewtest"
	"github.com/ohmycoins/infra/stacks"
)

func TestCompletedPresetsAreValid(t *testing.T) {
	require.NoError(t, previewtest.ValidStaging().Validate())
	require.NoError(t, previewtest.ValidProduction().Validate())
}

// TestValidateRefusesEachBadSetting proves every validation rule: each case breaks
// one setting of an otherwise valid environment and expects the one problem line
// that names the key, the value and the rule.
func TestValidateRefusesEachBadSetting(t *testing.T) {
	staging, production := previewtest.ValidStaging, previewtest.ValidProduction
	cases := []struct {
		name   string
		base   func() stacks.Settings
		mutate func(*stacks.Settings)
		want   []string // fragments of one problem line
	}{
		// Environment and naming.
		{"unknown environment", staging, func(s *stacks.Settings) { s.Environment = "qa" },
			[]string{`ohmycoins:environment = "qa": must be staging or production`}},
		{"name prefix too long", staging, func(s *stacks.Settings) { s.NamePrefix = "ohmycoins-staging-europe" },
			[]string{`ohmycoins:namePrefix = "ohmycoins-staging-europe": must be 3-18`, "32 characters"}},
		{"staging's prefix covers production's", staging, func(s *stacks.Settings) { s.NamePrefix = "ohmycoins" },
			[]string{`ohmycoins:namePrefix = "ohmycoins": must not overlap production's prefix ohmycoins-prod: the CI roles' ohmycoins-* would cover production's resources`}},
		{"staging's prefix inside production's", staging, func(s *stacks.Settings) { s.NamePrefix = "ohmycoins-prod-eu" },
			[]string{`ohmycoins:namePrefix = "ohmycoins-prod-eu": must not overlap production's prefix ohmycoins-prod: the CI roles' ohmycoins-prod-eu-* would cover`}},
		{"a repository id that is a name", staging, func(s *stacks.Settings) { s.GitHub.RepositoryID, s.GitHub.OwnerID = "ohmycoins", "4242" },
			[]string{`ohmycoins:github.repositoryId = "ohmycoins": must be GitHub's numeric id`}},
		{"a repository id without its owner's", staging, func(s *stacks.Settings) { s.GitHub.RepositoryID = "123456789" },
			[]string{`ohmycoins:github.repositoryId`, "and github.ownerId must be set together"}},
		{"an OIDC provider of another account", staging, func(s *stacks.Settings) {
			s.AccountID = "111111111111"
			s.GitHub.OIDCProviderARN = "arn:aws:iam::222222222222:oidc-provider/token.actions.githubusercontent.com"
		}, []string{`ohmycoins:github.oidcProviderArn = "arn:aws:iam::222222222222:oidc-provider/token.actions.githubusercontent.com": must be the GitHub OIDC provider of the stack's own account 111111111111`}},
		{"malformed region", staging, func(s *stacks.Settings) { s.Region = "sydney" },
			[]string{`ohmycoins:region = "sydney": must be an AWS region name`}},
		{"account id not 12 digits", staging, func(s *stacks.Settings) { s.AccountID = "22071141188" },
			[]string{`ohmycoins:accountId = "22071141188": must be a 12-digit AWS account id`}},

		// Network.
		{"VPC CIDR does not parse", staging, func(s *stacks.Settings) { s.Network.VPCCIDR = "10.0.0.0/33" },
			[]string{`ohmycoins:network.vpcCidr = "10.0.0.0/33": must be an IPv4 CIDR block`}},
		{"subnet CIDR does not parse", staging, func(s *stacks.Settings) { s.Network.AppSubnetCIDRs[1] = "10.0.12.0" },
			[]string{`ohmycoins:network.appSubnetCidrs[1] = "10.0.12.0": must be an IPv4 CIDR block`}},
		{"subnet CIDR with host bits", staging, func(s *stacks.Settings) { s.Network.PublicSubnetCIDRs[0] = "10.0.1.7/24" },
			[]string{`ohmycoins:network.publicSubnetCidrs[0] = "10.0.1.7/24": must be a network address (did you mean 10.0.1.0/24?)`}},
		{"subnet outside the VPC", staging, func(s *stacks.Settings) { s.Network.DataSubnetCIDRs[0] = "10.9.21.0/24" },
			[]string{`ohmycoins:network.dataSubnetCidrs[0] = "10.9.21.0/24": must lie inside network.vpcCidr 10.0.0.0/16`}},
		{"overlapping subnets", staging, func(s *stacks.Settings) { s.Network.DataSubnetCIDRs[1] = "10.0.11.128/25" },
			[]string{`ohmycoins:network.dataSubnetCidrs[1] = "10.0.11.128/25": overlaps network.appSubnetCidrs[0] = 10.0.11.0/24`}},
		{"subnet count differs from AZ count", staging, func(s *stacks.Settings) {
			s.Network.PublicSubnetCIDRs = append(s.Network.PublicSubnetCIDRs, "10.0.3.0/24")
		}, []string{`ohmycoins:network.publicSubnetCidrs = ["10.0.1.0/24","10.0.2.0/24","10.0.3.0/24"]: must have one CIDR per availability zone (2), has 3`}},
		{"one availability zone", staging, func(s *stacks.Settings) {
			s.Network.AvailabilityZones = s.Network.AvailabilityZones[:1]
			s.Network.PublicSubnetCIDRs = s.Network.PublicSubnetCIDRs[:1]
			s.Network.AppSubnetCIDRs = s.Network.AppSubnetCIDRs[:1]
			s.Network.DataSubnetCIDRs = s.Network.DataSubnetCIDRs[:1]
		}, []string{`ohmycoins:network.availabilityZones = ["ap-southeast-2a"]: must list at least 2 availability zones`}},
		{"AZ of another region", staging, func(s *stacks.Settings) { s.Network.AvailabilityZones[1] = "us-east-1b" },
			[]string{`ohmycoins:network.availabilityZones[1] = "us-east-1b": must be an availability zone of region ap-southeast-2`}},
		{"NAT none without interface endpoints", staging, func(s *stacks.Settings) { s.Network.NATGateways = network.NATNone },
			[]string{`ohmycoins:network.natGateways = "none": needs network.interfaceEndpoints = true`, "defect D4"}},
		{"unknown NAT strategy", staging, func(s *stacks.Settings) { s.Network.NATGateways = "two" },
			[]string{`ohmycoins:network.natGateways = "two": must be single, perAz or none`}},
		{"flow log retention not a CloudWatch value", production, func(s *stacks.Settings) { s.Network.FlowLogRetentionDays = 100 },
			[]string{`ohmycoins:network.flowLogRetentionDays = 100: must be a retention CloudWatch Logs accepts: 1, 3, 5, 7, 14, 30, 60, 90`}},
		{"management CIDR opens the database to the world", staging, func(s *stacks.Settings) { s.Network.ManagementCIDRs = []string{"0.0.0.0/0"} },
			[]string{`ohmycoins:network.managementCidrs[0] = "0.0.0.0/0": must not open PostgreSQL to a range wider than /8`}},

		// Database.
		{"max storage equal to allocated storage", production, func(s *stacks.Settings) { s.Database.MaxAllocatedStorageGB = 100 },
			[]string{"ohmycoins:database.maxAllocatedStorage = 100: must be greater than allocatedStorage = 100 (RDS rejects equal values, and storage autoscaling needs room: defect F2)"}},
		{"max storage below allocated storage", staging, func(s *stacks.Settings) { s.Database.MaxAllocatedStorageGB = 10 },
			[]string{"ohmycoins:database.maxAllocatedStorage = 10: must be greater than allocatedStorage = 20"}},
		{"allocated storage below gp3 minimum", staging, func(s *stacks.Settings) { s.Database.AllocatedStorageGB = 10 },
			[]string{"ohmycoins:database.allocatedStorage = 10: must be 20-65536 GB"}},
		{"full engine version pinned", staging, func(s *stacks.Settings) { s.Database.EngineVersion = "17.2" },
			[]string{`ohmycoins:database.engineVersion = "17.2": must be a PostgreSQL major version only`, "defect F3"}},
		{"backups turned off", production, func(s *stacks.Settings) { s.Database.BackupRetentionDays = 0 },
			[]string{"ohmycoins:database.backupRetentionDays = 0: must be 1-35 days"}},
		{"malformed backup window", staging, func(s *stacks.Settings) { s.Database.BackupWindow = "3am-4am" },
			[]string{`ohmycoins:database.backupWindow = "3am-4am": must be a daily UTC window hh:mm-hh:mm`}},
		{"maintenance window overlaps the backup window", staging, func(s *stacks.Settings) { s.Database.BackupWindow = "04:30-05:30" },
			[]string{`ohmycoins:database.maintenanceWindow = "sun:04:00-sun:05:00": must not overlap database.backupWindow = "04:30-05:30"`}},
		{"windows overlap across midnight", staging, func(s *stacks.Settings) {
			s.Database.BackupWindow = "23:30-00:30"
			s.Database.MaintenanceWindow = "mon:00:00-mon:01:00"
		}, []string{`ohmycoins:database.maintenanceWindow = "mon:00:00-mon:01:00": must not overlap`}},
		{"Performance Insights retention not offered", production, func(s *stacks.Settings) { s.Database.PerformanceInsightsRetentionDays = 30 },
			[]string{"ohmycoins:database.performanceInsightsRetentionDays = 30: must be 7, 731, or a multiple of 31"}},
		{"enhanced monitoring interval not offered", staging, func(s *stacks.Settings) { s.Database.MonitoringIntervalSeconds = 45 },
			[]string{"ohmycoins:database.monitoringIntervalSeconds = 45: must be one of 0, 1, 5, 10, 15, 30, 60"}},
		{"malformed instance class", staging, func(s *stacks.Settings) { s.Database.InstanceClass = "t3.micro" },
			[]string{`ohmycoins:database.instanceClass = "t3.micro": must be an RDS instance class`}},
		{"snapshot identifier with a double hyphen", staging, func(s *stacks.Settings) { s.Database.SnapshotIdentifier = "ohmycoins--final" },
			[]string{`ohmycoins:database.snapshotIdentifier = "ohmycoins--final": must be a DB snapshot identifier`}},
		{"snapshot identifier starting with a digit", staging, func(s *stacks.Settings) { s.Database.SnapshotIdentifier = "2026-11-27-final" },
			[]string{`ohmycoins:database.snapshotIdentifier = "2026-11-27-final": must be a DB snapshot identifier`}},
		{"snapshot ARN of a cluster snapshot", production, func(s *stacks.Settings) {
			s.Database.SnapshotIdentifier = "arn:aws:rds:ap-southeast-2:220711411889:cluster-snapshot:ohmycoins-prod"
		}, []string{`ohmycoins:database.snapshotIdentifier = "arn:aws:rds:ap-southeast-2:220711411889:cluster-snapshot:ohmycoins-prod": must be a DB snapshot identifier`, "or a snapshot ARN"}},
		{"snapshot in another region", production, func(s *stacks.Settings) {
			s.Database.SnapshotIdentifier = "arn:aws:rds:us-east-1:220711411889:snapshot:ohmycoins-prod-dr"
		}, []string{`ohmycoins:database.snapshotIdentifier = "arn:aws:rds:us-east-1:220711411889:snapshot:ohmycoins-prod-dr": must be a snapshot in ap-southeast-2, the stack's region`, "--source-region us-east-1"}},

		// Cache.
		{"Redis Multi-AZ with one node", staging, func(s *stacks.Settings) {
			s.Cache.MultiAZ = true
			s.Cache.AutomaticFailover = true
		}, []string{"ohmycoins:cache.multiAz = true: needs cache.nodes >= 2 (is 1)"}},
		{"Redis failover with one node", staging, func(s *stacks.Settings) { s.Cache.AutomaticFailover = true },
			[]string{"ohmycoins:cache.automaticFailover = true: needs cache.nodes >= 2 (is 1)"}},
		{"Redis Multi-AZ without failover", production, func(s *stacks.Settings) { s.Cache.AutomaticFailover = false },
			[]string{"ohmycoins:cache.multiAz = true: needs cache.automaticFailover = true"}},
		{"negative Redis node count", staging, func(s *stacks.Settings) { s.Cache.Nodes = -1 },
			[]string{"ohmycoins:cache.nodes = -1: must not be negative"}},
		{"too many Redis nodes", production, func(s *stacks.Settings) { s.Cache.Nodes = 7 },
			[]string{"ohmycoins:cache.nodes = 7: must be 1-6"}},
		{"snapshot window shorter than an hour", staging, func(s *stacks.Settings) { s.Cache.SnapshotWindow = "03:00-03:30" },
			[]string{`ohmycoins:cache.snapshotWindow = "03:00-03:30": must last at least 60 minutes`}},
		{"Redis version without minor", staging, func(s *stacks.Settings) { s.Cache.EngineVersion = "7" },
			[]string{`ohmycoins:cache.engineVersion = "7": must be a Redis major.minor version`}},
		{"cache snapshot name with a slash", staging, func(s *stacks.Settings) { s.Cache.SnapshotName = "backups/ohmycoins-staging" },
			[]string{`ohmycoins:cache.snapshotName = "backups/ohmycoins-staging": must be an ElastiCache snapshot name`}},

		// Services.
		{"Fargate memory not offered with the CPU", staging, func(s *stacks.Settings) { with(s, "backend", func(x *stacks.ServiceSettings) { x.MemoryMiB = 1024 }) },
			[]string{"ohmycoins:backend.memory = 1024: is not a Fargate task size with cpu 1024 (memory must be 2048-8192 in steps of 1024 MiB)"}},
		{"Fargate 256 CPU with 1536 MiB", staging, func(s *stacks.Settings) { with(s, "frontend", func(x *stacks.ServiceSettings) { x.MemoryMiB = 1536 }) },
			[]string{"ohmycoins:frontend.memory = 1536: is not a Fargate task size with cpu 256 (memory must be 512, 1024 or 2048 MiB)"}},
		{"Fargate CPU not offered", staging, func(s *stacks.Settings) { with(s, "frontend", func(x *stacks.ServiceSettings) { x.CPU = 300 }) },
			[]string{"ohmycoins:frontend.cpu = 300: must be a Fargate task CPU value: 256, 512, 1024"}},
		{"negative desired count", staging, func(s *stacks.Settings) { with(s, "backend", func(x *stacks.ServiceSettings) { x.DesiredCount = -1 }) },
			[]string{"ohmycoins:backend.desiredCount = -1: must not be negative"}},
		{"autoscaling min above max", production, func(s *stacks.Settings) {
			with(s, "backend", func(x *stacks.ServiceSettings) { x.Autoscaling.MinCount = 12 })
		},
			[]string{"ohmycoins:backend.autoscaling.minCount = 12: must not exceed autoscaling.maxCount = 10"}},
		{"desired count outside the autoscaling range", production, func(s *stacks.Settings) { with(s, "frontend", func(x *stacks.ServiceSettings) { x.DesiredCount = 6 }) },
			[]string{"ohmycoins:frontend.desiredCount = 6: must lie within autoscaling minCount-maxCount = 2-5"}},
		{"negative autoscaling minimum", staging, func(s *stacks.Settings) {
			with(s, "backend", func(x *stacks.ServiceSettings) { x.Autoscaling.MinCount = -2 })
		},
			[]string{"ohmycoins:backend.autoscaling.minCount = -2: must not be negative"}},
		{"autoscaling CPU target above 100", production, func(s *stacks.Settings) {
			with(s, "backend", func(x *stacks.ServiceSettings) { x.Autoscaling.CPUTargetPercent = 170 })
		},
			[]string{"ohmycoins:backend.autoscaling.cpuTargetPercent = 170: must be 1-100"}},
		{"a tag instead of a digest", staging, func(s *stacks.Settings) {
			with(s, "backend", func(x *stacks.ServiceSettings) { x.ImageDigest = "latest" })
		},
			[]string{`ohmycoins:backend.imageDigest = "latest": must be an image digest, sha256:<64 lowercase hex digits>`}},
		{"a whole image reference instead of a digest", production, func(s *stacks.Settings) {
			with(s, "backend", func(x *stacks.ServiceSettings) {
				x.ImageDigest = "ghcr.io/example/backend@sha256:" + strings.Repeat("ab", 32)
			})
		}, []string{`ohmycoins:backend.imageDigest = "ghcr.io/example/backend@sha256:abab`, "must be an image digest"}},
		{"a digest in upper case", production, func(s *stacks.Settings) {
			with(s, "backend", func(x *stacks.ServiceSettings) { x.ImageDigest = "sha256:" + strings.Repeat("AB", 32) })
		},
			[]string{`ohmycoins:backend.imageDigest = "sha256:ABAB`, "must be an image digest"}},
		{"digest and build context both set", staging, func(s *stacks.Settings) {
			with(s, "frontend", func(x *stacks.ServiceSettings) { x.Build.Context = "../frontend" })
		},
			[]string{`ohmycoins:frontend.build.context = "../frontend": must not be set together with frontend.imageDigest`}},

		// Logs, secret, load balancer, alarms.
		{"log retention not a CloudWatch value", staging, func(s *stacks.Settings) { s.Logs.RetentionDays = 10 },
			[]string{"ohmycoins:logs.retentionDays = 10: must be a retention CloudWatch Logs accepts"}},
		{"recovery window of 3 days", staging, func(s *stacks.Settings) { s.Secrets.RecoveryWindowDays = 3 },
			[]string{"ohmycoins:secrets.recoveryWindowDays = 3: must be 0 (delete at once) or 7-30 days", "defect B5"}},
		{"recovery window of 31 days", production, func(s *stacks.Settings) { s.Secrets.RecoveryWindowDays = 31 },
			[]string{"ohmycoins:secrets.recoveryWindowDays = 31: must be 0 (delete at once) or 7-30 days"}},
		{"idle timeout of 0", staging, func(s *stacks.Settings) { s.LoadBalancer.IdleTimeoutSeconds = 0 },
			[]string{"ohmycoins:loadBalancer.idleTimeoutSeconds = 0: must be 1-4000 seconds"}},
		{"alarm percentage above 100", production, func(s *stacks.Settings) { s.Alarms.EcsHighCPU = 170 },
			[]string{"ohmycoins:alarms.ecsHighCpu = 170: must be a percentage, 0-100"}},
		{"negative 5xx threshold", staging, func(s *stacks.Settings) { s.Alarms.AlbHigh5xxErrors = -1 },
			[]string{"ohmycoins:alarms.albHigh5xxErrors = -1: must not be negative"}},
		{"low-storage threshold above the storage", staging, func(s *stacks.Settings) { s.Alarms.RdsLowStorageGiB = 25 },
			[]string{"ohmycoins:alarms.rdsLowStorageGiB = 25: must be less than database.allocatedStorage = 20"}},

		// Site.
		{"missing domain", staging, func(s *stacks.Settings) { s.Site.Domain = "" },
			[]string{"ohmycoins:domain is not set", "pulumi config set --stack staging ohmycoins:domain"}},
		{"malformed domain", staging, func(s *stacks.Settings) { s.Site.Domain = "https://staging.example.com" },
			[]string{`ohmycoins:domain = "https://staging.example.com": must be a host name, not a URL: staging.example.com`}},
		{"malformed alert e-mail", staging, func(s *stacks.Settings) { s.Site.AlertEmails = []string{"devops@example.com", "oncall"} },
			[]string{`ohmycoins:alertEmails[1] = "oncall": must be an e-mail address`}},
		{"production without alert e-mails", production, func(s *stacks.Settings) { s.Site.AlertEmails = nil },
			[]string{"ohmycoins:alertEmails is empty: production alarms would notify nobody (defect A2)"}},
		{"staging that pages", staging, func(s *stacks.Settings) { s.Alerts.Page = true },
			[]string{"ohmycoins:alerts.page = true: must be false in staging: only production pages; staging's alerts go to e-mail and chat (alerts.slack, alerts.teams)"}},
		{"production paging without its URL", production, func(s *stacks.Settings) { s.Credentials.PagingURL = stacks.Secret{} },
			[]string{"ohmycoins:pagingUrl is not set: production pages through it (alerts.page); run pulumi config set --secret --stack production ohmycoins:pagingUrl"}},
		{"a paging URL of no paging service", production, func(s *stacks.Settings) {
			s.Credentials.PagingURL = stacks.NewSecret("https://hooks.example.com/secret-token")
		}, []string{"ohmycoins:pagingUrl is not an integration URL of PagerDuty or Opsgenie: it must start with https://api.opsgenie.com/, https://api.eu.opsgenie.com/, https://events.pagerduty.com/"}},
		{"a paging URL that pages nothing", production, func(s *stacks.Settings) { s.Alerts.Page = false },
			[]string{"ohmycoins:pagingUrl is set but alerts.page is false: nothing would page; remove it (pulumi config rm --stack production ohmycoins:pagingUrl) or set alerts.page to true"}},
		{"a Slack channel by name", staging, func(s *stacks.Settings) {
			s.Alerts.Slack = monitoring.SlackChannel{WorkspaceID: "T0123ABCD", ChannelID: "#alerts"}
		}, []string{`ohmycoins:alerts.slack.channelId = "#alerts": must be the channel's id, upper-case letters and digits (C0123ABCD), not its name`}},
		{"certificate of another region", staging, func(s *stacks.Settings) {
			s.Site.CertificateARN = "arn:aws:acm:us-east-1:123456789012:certificate/8ac367f3-94cf-4aac-8fa9-10e037951521"
		}, []string{"ohmycoins:certificateArn = ", "must be a certificate in region ap-southeast-2"}},
		{"malformed certificate ARN", staging, func(s *stacks.Settings) { s.Site.CertificateARN = "8ac367f3" },
			[]string{`ohmycoins:certificateArn = "8ac367f3": must be an ACM certificate ARN`}},
		{"DNS zone that does not hold the domain", staging, func(s *stacks.Settings) { s.DNS.ZoneName = "example.org" },
			[]string{`ohmycoins:dns.zoneName = "example.org": must be the domain "staging.example.com" or a parent of it`}},
		{"delegation of one of the stack's own hosts", production, func(s *stacks.Settings) {
			s.Site.Domain, s.DNS.ZoneName = "example.com", "example.com"
			s.DNS.Delegations = map[string][]string{"api.example.com": {"ns-1.awsdns-01.com", "ns-600.awsdns-01.net"}}
		}, []string{`ohmycoins:dns.delegations.api.example.com = "api.example.com": must not be or contain the stack's own host api.example.com: the delegated zone, another account's, would answer for it`}},
		{"delegation outside the zone", production, func(s *stacks.Settings) {
			s.Site.Domain, s.DNS.ZoneName = "example.com", "example.com"
			s.DNS.Delegations = map[string][]string{"staging.example.org": {"ns-1.awsdns-01.com", "ns-600.awsdns-01.net"}}
		}, []string{`ohmycoins:dns.delegations.staging.example.org = "staging.example.org": must be a subdomain of the zone example.com`}},
		{"state bucket that is no S3 name", staging, func(s *stacks.Settings) { s.StateBackend.Bucket = "Ohmycoins_State" },
			[]string{`ohmycoins:stateBackend.bucket = "Ohmycoins_State": must be an S3 bucket name`}},
		{"no state bucket", staging, func(s *stacks.Settings) { s.StateBackend.Bucket = "" },
			[]string{`ohmycoins:stateBackend.bucket = "": is required: the state bucket of the stack's account (ohmycoins-pulumi-state in the one shared account)`}},
		{"malformed first superuser", staging, func(s *stacks.Settings) { s.App.FirstSuperuser = "admin" },
			[]string{`ohmycoins:app.firstSuperuser = "admin": must be an e-mail address`}},
		{"CORS origin with a path", staging, func(s *stacks.Settings) { s.App.CORSOrigins = []string{"https://dashboard.example.com/app"} },
			[]string{`ohmycoins:app.corsOrigins[0] = "https://dashboard.example.com/app": must be an origin`}},
		{"SMTP STARTTLS and implicit TLS together", staging, func(s *stacks.Settings) { s.App.SMTPSSL = true },
			[]string{"ohmycoins:app.smtpSsl = true: must be false when app.smtpTls is true"}},
		{"repository with a wildcard", staging, func(s *stacks.Settings) { s.GitHub.Repository = "example/*" },
			[]string{`ohmycoins:github.repository = "example/*": must be owner/name, without a wildcard`}},
		{"missing repository", staging, func(s *stacks.Settings) { s.GitHub.Repository = "" },
			[]string{"ohmycoins:github.repository is not set"}},
		{"OIDC provider of another issuer", staging, func(s *stacks.Settings) {
			s.GitHub.OIDCProviderARN = "arn:aws:iam::123456789012:oidc-provider/gitlab.com"
		}, []string{`ohmycoins:github.oidcProviderArn = "arn:aws:iam::123456789012:oidc-provider/gitlab.com": must be arn:aws:iam::<account>:oidc-provider/token.actions.githubusercontent.com`}},

		// Secrets.
		{"missing required secret", staging, func(s *stacks.Settings) { s.Credentials.OpenAIAPIKey = stacks.Secret{} },
			[]string{"ohmycoins:openaiApiKey is not set: run pulumi config set --secret --stack staging ohmycoins:openaiApiKey 'sk-...'"}},
		{"short secret key", staging, func(s *stacks.Settings) { s.Credentials.SecretKey = stacks.NewSecret("short") },
			[]string{"ohmycoins:secretKey is 5 characters: it must be at least 32"}},
		{"Redis AUTH token too short", staging, func(s *stacks.Settings) { s.Credentials.RedisAuthToken = stacks.NewSecret("abc123") },
			[]string{"ohmycoins:redisAuthToken is 6 characters: ElastiCache AUTH tokens are 16-128 characters"}},
		{"Redis AUTH token too long", staging, func(s *stacks.Settings) { s.Credentials.RedisAuthToken = stacks.NewSecret(strings.Repeat("a", 129)) },
			[]string{"ohmycoins:redisAuthToken is 129 characters"}},
		{"Redis AUTH token with @", staging, func(s *stacks.Settings) { s.Credentials.RedisAuthToken = stacks.NewSecret("token-with-an-@-inside") },
			[]string{`ohmycoins:redisAuthToken contains '@': ElastiCache AUTH tokens must not contain @, " or /`}},
		{`Redis AUTH token with "`, staging, func(s *stacks.Settings) { s.Credentials.RedisAuthToken = stacks.NewSecret(`token-with-a-"-inside`) },
			[]string{`ohmycoins:redisAuthToken contains '"'`}},
		{"Redis AUTH token with /", staging, func(s *stacks.Settings) { s.Credentials.RedisAuthToken = stacks.NewSecret("token/with/slashes/x") },
			[]string{`ohmycoins:redisAuthToken contains '/'`}},
		{"Redis AUTH token with another special", staging, func(s *stacks.Settings) { s.Credentials.RedisAuthToken = stacks.NewSecret("token-with-percent-%") },
			[]string{`ohmycoins:redisAuthToken contains '%': ElastiCache AUTH tokens allow letters, digits and only the specials !&#$^<>-`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			s := c.base()
			c.mutate(&s)
			err := s.Validate()
			var verr *stacks.ValidationError
			require.True(t, errors.As(err, &verr), "want a validation error, got %v", err)
			previewtest.RequireProblem(t, verr.Problems, c.want...)
		})
	}
}

func TestValidateReportsEveryProblemAtOnce(t *testing.T) {
	s := previewtest.ValidProduction()
	s.Database.MaxAllocatedStorageGB = 100
	s.Network.NATGateways = network.NATNone
	s.Network.InterfaceEndpoints = false
	s.Secrets.RecoveryWindowDays = 3
	err := s.Validate()
	var verr *stacks.ValidationError
	require.True(t, errors.As(err, &verr))
	require.Len(t, verr.Problems, 3, "problems: %v", verr.Problems)
	lines := strings.Split(err.Error(), "\n")
	require.Equal(t, `invalid settings for stack "production" (3):`, lines[0])
	require.Len(t, lines, 4, "one line per problem after the heading")
}

func TestFargateSizes(t *testing.T) {
	cases := []struct {
		cpu, memory int
		ok          bool
	}{
		{256, 512, true}, {256, 2048, true}, {256, 1536, false}, {256, 4096, false},
		{512, 1024, true}, {512, 4096, true}, {512, 512, false},
		{1024, 2048, true}, {1024, 8192, true}, {1024, 1024, false}, {1024, 2560, false},
		{2048, 16384, true}, {4096, 30720, true}, {4096, 31744, false},
		{8192, 20480, true}, {8192, 18432, false}, {16384, 122880, true}, {16384, 36864, false},
	}
	for _, c := range cases {
		s := previewtest.ValidStaging()
		with(&s, "backend", func(x *stacks.ServiceSettings) { x.CPU, x.MemoryMiB = c.cpu, c.memory })
		err := s.Validate()
		if c.ok {
			require.NoError(t, err, "cpu %d memory %d", c.cpu, c.memory)
		} else {
			require.ErrorContains(t, err, "ohmycoins:backend.memory", "cpu %d memory %d", c.cpu, c.memory)
		}
	}
}

func TestSecretsNeverPrintTheirValue(t *testing.T) {
	s := previewtest.ValidStaging()
	asJSON, err := json.Marshal(s.Credentials)
	require.NoError(t, err)
	for _, text := range []string{
		fmt.Sprintf("%v", s.Credentials),
		fmt.Sprintf("%+v", s),
		fmt.Sprintf("%#v", s.Credentials),
		string(asJSON),
	} {
		require.Contains(t, text, "[secret]")
		require.NotContains(t, text, "Redis-Token-0123456789")
		require.NotContains(t, text, strings.Repeat("k", 40))
	}
	require.Equal(t, "Redis-Token-0123456789", s.Credentials.RedisAuthToken.Reveal())
}

// TestSettingsAcceptedWithoutAWordAreRefused: each input a newcomer's review
// found accepted in silence now gets an error that names it.
func TestSettingsAcceptedWithoutAWordAreRefused(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		set  []string
		want string
	}{
		{[]string{"ohmycoins:region", "zz-moon-1"}, `ohmycoins:region = "zz-moon-1": is not an AWS region`},
		{[]string{"ohmycoins:github", `{"repository": "owner-/.."}`}, `ohmycoins:github.repository = "owner-/..": must be owner/name`},
		{[]string{"ohmycoins:github", `{"repository": "owner/.."}`}, `ohmycoins:github.repository = "owner/..": must be owner/name`},
		{[]string{"ohmycoins:backend", `{"desiredCount": 1000000}`}, "ohmycoins:backend.desiredCount = 1000000: must be at most 5000, ECS's quota of tasks per service"},
		{[]string{"ohmycoins:database", `{"storageType": "io1"}`}, `ohmycoins:database.storageType = "io1": needs provisioned IOPS, which this program does not set: use gp3`},
	} {
		errs := strings.Join(previewtest.Problems(t, "staging", previewtest.Set(c.set...)), "\n")
		require.Contains(t, errs, c.want)
	}
	require.NotNil(t, previewtest.Stack(t, "staging", previewtest.Set("ohmycoins:github", `{"repository": "Mark-Limmage/.github"}`)).Plan, "a real repository name still passes")
}

// with changes one service of the settings.
func with(s *stacks.Settings, name string, f func(*stacks.ServiceSettings)) {
	svc := s.Services[name]
	f(&svc)
	s.Services[name] = svc
}
