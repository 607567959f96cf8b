package stacks_test

import (
	"net/netip"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ohmycoins/infra/components/network"
	"github.com/ohmycoins/infra/stacks"
)

// TestPresetsMatchTheSpecEnvironmentsTable checks every row of the environments
// table, what each environment runs value by value, against the presets,
// staging and production side by side. The table is the requirement; the
// presets are what the program runs.
func TestPresetsMatchTheSpecEnvironmentsTable(t *testing.T) {
	t.Parallel()
	staging, production := stacks.Staging(), stacks.Production()
	rows := []struct {
		row                 string
		value               func(stacks.Settings) any
		staging, production any
	}{
		{"environment", func(s stacks.Settings) any { return s.Environment }, "staging", "production"},
		{"name prefix", func(s stacks.Settings) any { return s.NamePrefix }, "ohmycoins-staging", "ohmycoins-prod"},
		{"region", func(s stacks.Settings) any { return s.Region }, "ap-southeast-2", "ap-southeast-2"},
		{"AZs", func(s stacks.Settings) any { return s.Network.AvailabilityZones },
			[]string{"ap-southeast-2a", "ap-southeast-2b"}, []string{"ap-southeast-2a", "ap-southeast-2b", "ap-southeast-2c"}},
		{"VPC CIDR", func(s stacks.Settings) any { return s.Network.VPCCIDR }, "10.0.0.0/16", "10.1.0.0/16"},
		{"public subnets", func(s stacks.Settings) any { return s.Network.PublicSubnetCIDRs },
			[]string{"10.0.1.0/24", "10.0.2.0/24"}, []string{"10.1.1.0/24", "10.1.2.0/24", "10.1.3.0/24"}},
		{"app subnets", func(s stacks.Settings) any { return s.Network.AppSubnetCIDRs },
			[]string{"10.0.11.0/24", "10.0.12.0/24"}, []string{"10.1.11.0/24", "10.1.12.0/24", "10.1.13.0/24"}},
		{"data subnets", func(s stacks.Settings) any { return s.Network.DataSubnetCIDRs },
			[]string{"10.0.21.0/24", "10.0.22.0/24"}, []string{"10.1.21.0/24", "10.1.22.0/24", "10.1.23.0/24"}},
		{"NAT", func(s stacks.Settings) any { return s.Network.NATGateways }, network.NATSingle, network.NATPerAZ},
		{"VPC flow logs", func(s stacks.Settings) any { return s.Network.FlowLogs }, false, true},
		{"flow log retention", func(s stacks.Settings) any { return s.Network.FlowLogRetentionDays }, 90, 90},
		{"interface endpoints", func(s stacks.Settings) any { return s.Network.InterfaceEndpoints }, false, true},
		{"RDS class", func(s stacks.Settings) any { return s.Database.InstanceClass }, "db.t3.micro", "db.t3.small"},
		{"RDS storage", func(s stacks.Settings) any { return s.Database.AllocatedStorageGB }, 20, 100},
		{"RDS max storage", func(s stacks.Settings) any { return s.Database.MaxAllocatedStorageGB }, 100, 500},
		{"RDS storage type", func(s stacks.Settings) any { return s.Database.StorageType }, "gp3", "gp3"},
		{"RDS major version", func(s stacks.Settings) any { return s.Database.EngineVersion }, "17", "17"},
		{"RDS multi-AZ", func(s stacks.Settings) any { return s.Database.MultiAZ }, false, true},
		{"RDS backups", func(s stacks.Settings) any { return s.Database.BackupRetentionDays }, 3, 30},
		{"RDS Performance Insights", func(s stacks.Settings) any { return s.Database.PerformanceInsights }, false, true},
		{"RDS PI retention", func(s stacks.Settings) any { return s.Database.PerformanceInsightsRetentionDays }, 7, 7},
		{"RDS deletion protection", func(s stacks.Settings) any { return s.Database.DeletionProtection }, false, true},
		{"RDS final snapshot skipped", func(s stacks.Settings) any { return s.Database.SkipFinalSnapshot }, true, false},
		{"RDS enhanced monitoring", func(s stacks.Settings) any { return s.Database.MonitoringIntervalSeconds }, 60, 60},
		{"Redis nodes", func(s stacks.Settings) any { return s.Cache.Nodes }, 1, 2},
		{"Redis failover", func(s stacks.Settings) any { return s.Cache.AutomaticFailover }, false, true},
		{"Redis multi-AZ", func(s stacks.Settings) any { return s.Cache.MultiAZ }, false, true},
		{"Redis snapshots", func(s stacks.Settings) any { return s.Cache.SnapshotRetentionDays }, 1, 7},
		{"Redis engine", func(s stacks.Settings) any { return s.Cache.EngineVersion }, "7.1", "7.1"},
		{"backend cpu/mem", func(s stacks.Settings) any { return [2]int{s.Services["backend"].CPU, s.Services["backend"].MemoryMiB} }, [2]int{1024, 2048}, [2]int{1024, 2048}},
		{"backend desired", func(s stacks.Settings) any { return s.Services["backend"].DesiredCount }, 1, 2},
		{"frontend cpu/mem", func(s stacks.Settings) any {
			return [2]int{s.Services["frontend"].CPU, s.Services["frontend"].MemoryMiB}
		}, [2]int{256, 512}, [2]int{512, 1024}},
		{"frontend desired", func(s stacks.Settings) any { return s.Services["frontend"].DesiredCount }, 1, 2},
		{"backend autoscaling", func(s stacks.Settings) any { return s.Services["backend"].Autoscaling.Enabled }, false, true},
		{"frontend autoscaling", func(s stacks.Settings) any { return s.Services["frontend"].Autoscaling.Enabled }, false, true},
		{"ECS Exec", func(s stacks.Settings) any { return s.ECS.ExecEnabled }, true, false},
		{"Container Insights", func(s stacks.Settings) any { return s.ECS.ContainerInsights }, false, true},
		{"log retention", func(s stacks.Settings) any { return s.Logs.RetentionDays }, 7, 30},
		{"secret recovery window", func(s stacks.Settings) any { return s.Secrets.RecoveryWindowDays }, 0, 30},
		{"ALB deletion protection", func(s stacks.Settings) any { return s.LoadBalancer.DeletionProtection }, false, true},
		{"ALB access logs", func(s stacks.Settings) any { return s.LoadBalancer.AccessLogs }, false, true},
		{"alarm ecs-high-cpu", func(s stacks.Settings) any { return s.Alarms.EcsHighCPU }, 90.0, 70.0},
		{"alarm ecs-high-memory", func(s stacks.Settings) any { return s.Alarms.EcsHighMemory }, 90.0, 70.0},
		{"alarm alb-high-5xx-errors", func(s stacks.Settings) any { return s.Alarms.AlbHigh5xxErrors }, 20.0, 5.0},
		{"alarm alb-unhealthy-targets", func(s stacks.Settings) any { return s.Alarms.AlbUnhealthyTargets }, 0.0, 0.0},
		{"alarm rds-high-cpu", func(s stacks.Settings) any { return s.Alarms.RdsHighCPU }, 90.0, 70.0},
		{"alarm rds-low-storage (GiB)", func(s stacks.Settings) any { return s.Alarms.RdsLowStorageGiB }, 5.0, 20.0},
		{"alarm redis-low-cache-hit-rate", func(s stacks.Settings) any { return s.Alarms.RedisLowCacheHitRate }, 60.0, 80.0},
		{"alarm redis-high-cpu", func(s stacks.Settings) any { return s.Alarms.RedisHighCPU }, 80.0, 60.0},
	}
	for _, r := range rows {
		require.Equal(t, r.staging, r.value(staging), "staging: %s", r.row)
		require.Equal(t, r.production, r.value(production), "production: %s", r.row)
	}
}

func TestProductionAutoscalingMatchesTheSpec(t *testing.T) {
	t.Parallel()
	p := stacks.Production()
	require.Equal(t, stacks.AutoscalingSettings{Enabled: true, MinCount: 2, MaxCount: 10, CPUTargetPercent: 70, MemoryTargetPercent: 80}, p.Services["backend"].Autoscaling)
	require.Equal(t, stacks.AutoscalingSettings{Enabled: true, MinCount: 2, MaxCount: 5, CPUTargetPercent: 70}, p.Services["frontend"].Autoscaling,
		"frontend scales on CPU only")
}

// TestEnvironmentNetworksDoNotOverlap guards defect D1: peering, Transit Gateway
// or VPN between the environments need disjoint ranges.
func TestEnvironmentNetworksDoNotOverlap(t *testing.T) {
	t.Parallel()
	staging := netip.MustParsePrefix(stacks.Staging().Network.VPCCIDR)
	production := netip.MustParsePrefix(stacks.Production().Network.VPCCIDR)
	require.False(t, staging.Overlaps(production), "%s overlaps %s", staging, production)
}

func TestPresetsAreFreshCopies(t *testing.T) {
	t.Parallel()
	a := stacks.Staging()
	a.Network.AvailabilityZones[0] = "changed"
	require.Equal(t, "ap-southeast-2a", stacks.Staging().Network.AvailabilityZones[0])
}

func TestPresetLooksUpEnvironments(t *testing.T) {
	t.Parallel()
	s, ok := stacks.Preset("production")
	require.True(t, ok)
	require.Equal(t, "ohmycoins-prod", s.NamePrefix)
	_, ok = stacks.Preset("prod")
	require.False(t, ok, "the environment is production, not the prefix's prod")
}
