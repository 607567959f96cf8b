package stacks

import (
	"github.com/ohmycoins/infra/components/network"
	"github.com/ohmycoins/infra/components/waf"
	"github.com/ohmycoins/infra/internal/service"
	"github.com/ohmycoins/infra/internal/statebackend"
)

// Staging returns the staging preset: the staging column of the environments
// table (stacks/presets_test.go holds it row by row). Site values (domain, images, e-mails, repository) come from the stack file.
func Staging() Settings {
	return Settings{
		Environment: EnvStaging,
		NamePrefix:  "ohmycoins-staging",
		Region:      "ap-southeast-2",
		// Both stacks' state shares the bucket of the one account of today.
		StateBackend: statebackend.Default(),
		Network: NetworkSettings{
			VPCCIDR:              "10.0.0.0/16",
			AvailabilityZones:    []string{"ap-southeast-2a", "ap-southeast-2b"},
			PublicSubnetCIDRs:    []string{"10.0.1.0/24", "10.0.2.0/24"},
			AppSubnetCIDRs:       []string{"10.0.11.0/24", "10.0.12.0/24"},
			DataSubnetCIDRs:      []string{"10.0.21.0/24", "10.0.22.0/24"},
			NATGateways:          network.NATSingle,
			InterfaceEndpoints:   false,
			FlowLogs:             false,
			FlowLogRetentionDays: 90,
		},
		Database: DatabaseSettings{
			InstanceClass:                    "db.t3.micro",
			EngineVersion:                    "17",
			AllocatedStorageGB:               20,
			MaxAllocatedStorageGB:            100,
			StorageType:                      "gp3",
			MultiAZ:                          false,
			BackupRetentionDays:              3,
			BackupWindow:                     "03:00-04:00",
			MaintenanceWindow:                "sun:04:00-sun:05:00",
			DeletionProtection:               false,
			SkipFinalSnapshot:                true,
			PerformanceInsights:              false,
			PerformanceInsightsRetentionDays: 7,
			MonitoringIntervalSeconds:        60,
			ApplyImmediately:                 true,
		},
		Cache: CacheSettings{
			NodeType:              "cache.t3.micro",
			EngineVersion:         "7.1",
			Nodes:                 1,
			AutomaticFailover:     false,
			MultiAZ:               false,
			SnapshotRetentionDays: 1,
			SnapshotWindow:        "03:00-05:00",
			MaintenanceWindow:     "sun:05:00-sun:07:00",
			ApplyImmediately:      true,
		},
		Services: map[string]ServiceSettings{
			service.Backend: {
				Role: service.API, CPU: 1024, MemoryMiB: 2048, DesiredCount: 1,
				Autoscaling: AutoscalingSettings{Enabled: false, MinCount: 1, MaxCount: 2, CPUTargetPercent: 70, MemoryTargetPercent: 80},
			},
			service.Frontend: {
				Role: service.Web, CPU: 256, MemoryMiB: 512, DesiredCount: 1,
				Autoscaling: AutoscalingSettings{Enabled: false, MinCount: 1, MaxCount: 2, CPUTargetPercent: 70},
			},
		},
		ECS:          ECSSettings{ExecEnabled: true, ContainerInsights: false},
		Logs:         LogSettings{RetentionDays: 7},
		Secrets:      SecretsSettings{RecoveryWindowDays: 0, ManageValues: true},
		LoadBalancer: LoadBalancerSettings{DeletionProtection: false, AccessLogs: false, AccessLogExpirationDays: 90, IdleTimeoutSeconds: 60},
		// Staging's rules count what they would block: production's block.
		WAF: WAFSettings{Enabled: true, Mode: waf.Count, RateLimit: 2000, APIRateLimit: 1000, LoginRateLimit: 100, LoginPaths: loginPaths()},
		Alarms: AlarmSettings{
			EcsHighCPU: 90, EcsHighMemory: 90, EcsErrorLines: 50,
			AlbHigh5xxErrors: 20, AlbUnhealthyTargets: 0,
			RdsHighCPU: 90, RdsLowStorageGiB: 5,
			RedisLowCacheHitRate: 60, RedisHighCPU: 80,
			WafBlockedRequests: 500,
		},
		App: defaultApp(),
		Cost: UsageSettings{
			NATGatewayGBPerMonth: 20, LoadBalancerLCUs: 0.5, AppLogGBPerMonth: 2, FlowLogGBPerMonth: 5,
			EndpointGBPerMonth: 5, ImageGBPerRepository: 3, AccessLogGBStored: 1,
			DatabaseBackupGB: 20, CacheSnapshotGB: 0.1, LogStorageCompression: 0.15,
			WAFRequestsMillionsPerMonth: 1, WAFLogGBPerMonth: 0.5,
		},
		Budget: BudgetSettings{MonthlyUSD: 240, MarginPercent: 20},
		Policy: PolicySettings{Waivers: map[string]string{
			"RDS.5":         "staging runs a single-AZ database: half the cost, and an AZ outage may take staging down",
			"RDS.8":         "staging is disposable and destroyed with pulumi destroy; production keeps deletion protection",
			"ElastiCache.3": "staging runs one Redis node, which cannot fail over",
			"ELB.5":         "staging keeps no ALB access logs; production writes them to ohmycoins-prod-alb-logs",
			"ELB.6":         "staging's load balancer may be deleted with the stack",
			"ECS.12":        "Container Insights costs more than staging's traffic justifies; production has it",
			"EC2.6":         "staging records no VPC flow logs; production does, for 90 days",
			"ECR.2":         "staging may re-push a tag such as latest; production's tags are immutable",
		}},
	}
}

// Production returns the production preset: the production column of the
// environments table, with the original's defects F1, F2, B9 and D1 fixed
// (docs/DEFECTS.md).
func Production() Settings {
	return Settings{
		Environment: EnvProduction,
		NamePrefix:  "ohmycoins-prod",
		Region:      "ap-southeast-2",
		// Both stacks' state shares the bucket of the one account of today.
		StateBackend: statebackend.Default(),

		ProtectStatefulResources: true,
		Network: NetworkSettings{
			VPCCIDR:              "10.1.0.0/16",
			AvailabilityZones:    []string{"ap-southeast-2a", "ap-southeast-2b", "ap-southeast-2c"},
			PublicSubnetCIDRs:    []string{"10.1.1.0/24", "10.1.2.0/24", "10.1.3.0/24"},
			AppSubnetCIDRs:       []string{"10.1.11.0/24", "10.1.12.0/24", "10.1.13.0/24"},
			DataSubnetCIDRs:      []string{"10.1.21.0/24", "10.1.22.0/24", "10.1.23.0/24"},
			NATGateways:          network.NATPerAZ,
			InterfaceEndpoints:   true,
			FlowLogs:             true,
			FlowLogRetentionDays: 90,
		},
		Database: DatabaseSettings{
			InstanceClass:                    "db.t3.small",
			EngineVersion:                    "17",
			AllocatedStorageGB:               100,
			MaxAllocatedStorageGB:            500,
			StorageType:                      "gp3",
			MultiAZ:                          true,
			BackupRetentionDays:              30,
			BackupWindow:                     "03:00-04:00",
			MaintenanceWindow:                "sun:04:00-sun:05:00",
			DeletionProtection:               true,
			SkipFinalSnapshot:                false,
			PerformanceInsights:              true,
			PerformanceInsightsRetentionDays: 7,
			MonitoringIntervalSeconds:        60,
			ApplyImmediately:                 false,
		},
		Cache: CacheSettings{
			NodeType:              "cache.t3.small",
			EngineVersion:         "7.1",
			Nodes:                 2,
			AutomaticFailover:     true,
			MultiAZ:               true,
			SnapshotRetentionDays: 7,
			SnapshotWindow:        "03:00-05:00",
			MaintenanceWindow:     "sun:05:00-sun:07:00",
			ApplyImmediately:      false,
		},
		Services: map[string]ServiceSettings{
			service.Backend: {
				Role: service.API, CPU: 1024, MemoryMiB: 2048, DesiredCount: 2,
				Autoscaling: AutoscalingSettings{Enabled: true, MinCount: 2, MaxCount: 10, CPUTargetPercent: 70, MemoryTargetPercent: 80},
			},
			service.Frontend: {
				Role: service.Web, CPU: 512, MemoryMiB: 1024, DesiredCount: 2,
				Autoscaling: AutoscalingSettings{Enabled: true, MinCount: 2, MaxCount: 5, CPUTargetPercent: 70},
			},
		},
		ECS:          ECSSettings{ExecEnabled: false, ContainerInsights: true},
		Logs:         LogSettings{RetentionDays: 30},
		Secrets:      SecretsSettings{RecoveryWindowDays: 30, ManageValues: true},
		LoadBalancer: LoadBalancerSettings{DeletionProtection: true, AccessLogs: true, AccessLogExpirationDays: 90, IdleTimeoutSeconds: 60},
		WAF:          WAFSettings{Enabled: true, Mode: waf.Block, RateLimit: 2000, APIRateLimit: 1000, LoginRateLimit: 20, LoginPaths: loginPaths()},
		Alarms: AlarmSettings{
			EcsHighCPU: 70, EcsHighMemory: 70, EcsErrorLines: 10,
			AlbHigh5xxErrors: 5, AlbUnhealthyTargets: 0,
			RdsHighCPU: 70, RdsLowStorageGiB: 20,
			RedisLowCacheHitRate: 80, RedisHighCPU: 60,
			WafBlockedRequests: 200,
		},
		// The database's backups, replicated to Melbourne for two weeks:
		// production outlives its region (docs/RUNBOOK.md,
		// "Restoring in another region").
		DR: DRSettings{Region: "ap-southeast-4", BackupRetentionDays: 14},
		// Production pages (ohmycoins:pagingUrl); staging only posts to chat.
		Alerts: AlertSettings{Page: true},
		App:    defaultApp(),
		Cost: UsageSettings{
			NATGatewayGBPerMonth: 100, LoadBalancerLCUs: 2, AppLogGBPerMonth: 10, FlowLogGBPerMonth: 20,
			EndpointGBPerMonth: 20, ImageGBPerRepository: 3, AccessLogGBStored: 10,
			DatabaseBackupGB: 150, CacheSnapshotGB: 0.5, LogStorageCompression: 0.15,
			WAFRequestsMillionsPerMonth: 10, WAFLogGBPerMonth: 1,
			DRBackupGB: 150, DRTransferGBPerMonth: 60,
		},
		Budget: BudgetSettings{MonthlyUSD: 830, MarginPercent: 20},
	}
}

// loginPaths are the FastAPI template's sign-in and password-recovery
// routes, which the web ACL limits most strictly.
func loginPaths() []string {
	return []string{"/api/v1/login/", "/api/v1/password-recovery/", "/api/v1/reset-password/"}
}

// newService is what a service the stack file adds starts from: the
// smallest Fargate size, one task, no autoscaling until asked.
func newService(role service.Role) ServiceSettings {
	return ServiceSettings{Role: role, CPU: 256, MemoryMiB: 512, DesiredCount: 1,
		Autoscaling: AutoscalingSettings{MinCount: 1, MaxCount: 2, CPUTargetPercent: 70}}
}

// Preset returns the preset of a named environment, or false if there is none.
func Preset(environment string) (Settings, bool) {
	switch environment {
	case EnvStaging:
		return Staging(), true
	case EnvProduction:
		return Production(), true
	}
	return Settings{}, false
}

// defaultApp holds the application values both environments share; the
// domain-derived ones (sender, first superuser, CORS origin) are filled by Load
// once the domain is known.
func defaultApp() AppSettings {
	return AppSettings{
		SMTPPort:    587,
		SMTPTLS:     true,
		SMTPSSL:     false,
		LLMProvider: "openai",
		OpenAIModel: "gpt-4-turbo-preview",
	}
}
