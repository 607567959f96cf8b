package rds

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/ohmycoins/infra/internal/awscatalog"
	"github.com/ohmycoins/infra/internal/settings"
)

// Settings are the instance's settings, the config key ohmycoins:database of
// a stack: json tags name the keys, the presets (stacks/presets.go) give the
// values, Validate holds the rules of each field and between them.
type Settings struct {
	// InstanceClass: db.t3.micro in staging, db.t3.small in production.
	InstanceClass string `json:"instanceClass"`
	// EngineVersion is the PostgreSQL major version only ("17"); minor versions upgrade automatically (defect F3).
	EngineVersion string `json:"engineVersion"`
	// AllocatedStorageGB is the initial gp3 storage: 20 GB staging, 100 GB production.
	AllocatedStorageGB int `json:"allocatedStorage"`
	// MaxAllocatedStorageGB caps storage autoscaling and must exceed AllocatedStorageGB: 100 / 500 GB (defect F2).
	MaxAllocatedStorageGB int `json:"maxAllocatedStorage"`
	// StorageType is gp3 in both environments.
	StorageType string `json:"storageType"`
	// MultiAZ keeps a synchronous standby in a second AZ; production only.
	MultiAZ bool `json:"multiAz"`
	// BackupRetentionDays: 3 staging, 30 production; at least 1, so automated backups stay on.
	BackupRetentionDays int `json:"backupRetentionDays"`
	// BackupWindow is the daily backup window in UTC, hh:mm-hh:mm.
	BackupWindow string `json:"backupWindow"`
	// MaintenanceWindow is the weekly maintenance window in UTC, ddd:hh:mm-ddd:hh:mm; it must not overlap BackupWindow.
	MaintenanceWindow string `json:"maintenanceWindow"`
	// DeletionProtection refuses a delete of the instance; production only.
	DeletionProtection bool `json:"deletionProtection"`
	// SkipFinalSnapshot deletes without a final snapshot; staging only. Production's is named
	// ${p}-postgres-final-<digest>, stable while the instance stays and new with each incarnation (defect F1).
	SkipFinalSnapshot bool `json:"skipFinalSnapshot"`
	// PerformanceInsights is on in production, with PerformanceInsightsRetentionDays (7, free tier).
	PerformanceInsights bool `json:"performanceInsights"`
	// PerformanceInsightsRetentionDays is 7, 731 or a multiple of 31 below it.
	PerformanceInsightsRetentionDays int `json:"performanceInsightsRetentionDays"`
	// MonitoringIntervalSeconds is the enhanced-monitoring interval: 0 (off), 1, 5, 10, 15, 30 or 60; 60 in both.
	MonitoringIntervalSeconds int `json:"monitoringIntervalSeconds"`
	// ApplyImmediately applies modifications now rather than in the maintenance window; staging only.
	ApplyImmediately bool `json:"applyImmediately"`
	// SnapshotIdentifier creates the instance from a DB snapshot (its identifier,
	// or its ARN) instead of empty: the move from Terraform and disaster recovery
	// (docs/RUNBOOK.md). It is read only when the instance is created; on a live
	// stack it changes only the name of the final snapshot (FinalSnapshotName).
	SnapshotIdentifier string `json:"snapshotIdentifier"`
	// ReplaceDeletingFirst makes a replacement of the instance delete it first
	// (taking its final snapshot) and then create the successor under the
	// same identifier, which one created beside it never gets: AWS holds an
	// identifier once. Off, but while restoring from a snapshot
	// (docs/RUNBOOK.md, "Restoring the database"); the policy rule
	// DATA.NO_DELETE_BEFORE_REPLACE flags it.
	ReplaceDeletingFirst bool `json:"replaceDeletingFirst"`
}

// What RDS accepts for PostgreSQL.
var (
	// StorageTypes are the storage types this program supports: io1 and io2
	// need provisioned IOPS, which it does not set.
	StorageTypes = []string{"gp3", "gp2"}
	// MonitoringIntervals are the enhanced-monitoring intervals, in seconds (0 = off).
	MonitoringIntervals = []int{0, 1, 5, 10, 15, 30, 60}
)

// Storage bounds for PostgreSQL on general-purpose SSD, in GB, and the
// shortest backup or maintenance window, in minutes.
const (
	MinStorageGB     = 20
	MaxStorageGB     = 65536
	MinWindowMinutes = 30
)

var (
	instanceClass = regexp.MustCompile(`^db\.[a-z0-9]+\.[a-z0-9]+$`)
	majorVersion  = regexp.MustCompile(`^[0-9]+$`)
	// A DB snapshot: a manual snapshot's identifier, an automated one's
	// (rds:<instance>-<date>), or either's ARN.
	snapshotID  = regexp.MustCompile(`^(rds:)?[a-zA-Z](?:[a-zA-Z0-9]|-[a-zA-Z0-9]){0,254}$`)
	snapshotARN = regexp.MustCompile(`^arn:aws[a-z-]*:rds:([a-z0-9-]+):[0-9]{12}:snapshot:(rds:)?[a-zA-Z](?:[a-zA-Z0-9]|-[a-zA-Z0-9]){0,254}$`)
)

// ValidPerformanceInsightsRetention: 7 days (free), 731, or a multiple of 31 up to 713.
func ValidPerformanceInsightsRetention(days int) bool {
	return days == 7 || days == 731 || (days >= 31 && days <= 713 && days%31 == 0)
}

// SnapshotRegion is the region of a snapshot given by ARN; "" for an identifier.
func SnapshotRegion(id string) string {
	if m := snapshotARN.FindStringSubmatch(id); m != nil {
		return m[1]
	}
	return ""
}

// Validate records every field rule the settings break, and the rules between
// fields; the stacks add the rules that span tiers (a snapshot's region).
func (s Settings) Validate(p settings.Problems) {
	if !instanceClass.MatchString(s.InstanceClass) {
		p.Add("instanceClass", s.InstanceClass, "must be an RDS instance class such as db.t3.micro")
	} else if reason := awscatalog.CheckDBInstanceClass(s.InstanceClass, s.EngineVersion); reason != "" {
		p.Add("instanceClass", s.InstanceClass, reason)
	}
	if !majorVersion.MatchString(s.EngineVersion) {
		p.Add("engineVersion", s.EngineVersion, `must be a PostgreSQL major version only, such as "17": minor versions upgrade automatically (defect F3)`)
	} else if reason := awscatalog.CheckPostgresMajor(s.EngineVersion); reason != "" {
		p.Add("engineVersion", s.EngineVersion, reason)
	}
	if s.StorageType == "io1" || s.StorageType == "io2" {
		p.Add("storageType", s.StorageType, "needs provisioned IOPS, which this program does not set: use gp3, whose baseline of 3,000 IOPS suits this database")
	} else if !slices.Contains(StorageTypes, s.StorageType) {
		p.Add("storageType", s.StorageType, "must be one of "+strings.Join(StorageTypes, ", "))
	}
	if s.AllocatedStorageGB < MinStorageGB || s.AllocatedStorageGB > MaxStorageGB {
		p.Add("allocatedStorage", s.AllocatedStorageGB, fmt.Sprintf("must be %d-%d GB", MinStorageGB, MaxStorageGB))
	}
	if s.MaxAllocatedStorageGB <= s.AllocatedStorageGB {
		p.Add("maxAllocatedStorage", s.MaxAllocatedStorageGB, fmt.Sprintf("must be greater than allocatedStorage = %d (RDS rejects equal values, and storage autoscaling needs room: defect F2)", s.AllocatedStorageGB))
	} else if s.MaxAllocatedStorageGB > MaxStorageGB {
		p.Add("maxAllocatedStorage", s.MaxAllocatedStorageGB, fmt.Sprintf("must be at most %d GB", MaxStorageGB))
	}
	if s.BackupRetentionDays < 1 || s.BackupRetentionDays > 35 {
		p.Add("backupRetentionDays", s.BackupRetentionDays, "must be 1-35 days (0 would turn automated backups off)")
	}
	settings.CheckWindows(p, "backupWindow", s.BackupWindow, "maintenanceWindow", s.MaintenanceWindow, MinWindowMinutes, "RDS")
	if !ValidPerformanceInsightsRetention(s.PerformanceInsightsRetentionDays) {
		p.Add("performanceInsightsRetentionDays", s.PerformanceInsightsRetentionDays, "must be 7, 731, or a multiple of 31 up to 713")
	}
	if !slices.Contains(MonitoringIntervals, s.MonitoringIntervalSeconds) {
		p.Add("monitoringIntervalSeconds", s.MonitoringIntervalSeconds, "must be one of "+settings.JoinInts(MonitoringIntervals))
	}
	if id := s.SnapshotIdentifier; id != "" && SnapshotRegion(id) == "" && !snapshotID.MatchString(id) {
		p.Add("snapshotIdentifier", id, "must be a DB snapshot identifier (a letter, then letters, digits and single hyphens, at most 255; rds: before an automated one) or a snapshot ARN (arn:aws:rds:<region>:<account>:snapshot:<id>)")
	}
}
