package redis

import (
	"fmt"
	"regexp"

	"github.com/ohmycoins/infra/internal/awscatalog"
	"github.com/ohmycoins/infra/internal/settings"
)

// Settings are the replication group's settings, the config key
// ohmycoins:cache of a stack: json tags name the keys, the presets give the
// values, Validate holds the rules. Transit encryption and AUTH are not
// settings: they are always on (defects B9, E8).
type Settings struct {
	// NodeType: cache.t3.micro staging, cache.t3.small production.
	NodeType string `json:"nodeType"`
	// EngineVersion is major.minor, 7.1.
	EngineVersion string `json:"engineVersion"`
	// Nodes is the number of cache clusters (primary + replicas): 1 staging, 2 production; at most 6.
	Nodes int `json:"nodes"`
	// AutomaticFailover promotes a replica when the primary fails; needs 2+ nodes. Production only.
	AutomaticFailover bool `json:"automaticFailover"`
	// MultiAZ spreads nodes over AZs; needs automatic failover and 2+ nodes. Production only.
	MultiAZ bool `json:"multiAz"`
	// SnapshotRetentionDays: 1 staging, 7 production; 0 turns snapshots off.
	SnapshotRetentionDays int `json:"snapshotRetentionDays"`
	// SnapshotWindow is the daily snapshot window in UTC, hh:mm-hh:mm (at least 60 minutes).
	SnapshotWindow string `json:"snapshotWindow"`
	// MaintenanceWindow is the weekly maintenance window in UTC, ddd:hh:mm-ddd:hh:mm.
	MaintenanceWindow string `json:"maintenanceWindow"`
	// ApplyImmediately applies modifications now; staging only.
	ApplyImmediately bool `json:"applyImmediately"`
	// SnapshotName creates the replication group from an ElastiCache snapshot
	// instead of empty. Like database.snapshotIdentifier it is read only when the
	// group is created; on a live stack it changes only the name of the final
	// snapshot (FinalSnapshotName), where the group keeps one.
	SnapshotName string `json:"snapshotName"`
	// ReplaceDeletingFirst makes a replacement of the group delete it first
	// (taking its final snapshot where it keeps one) and then create the
	// successor under the same id, which one created beside it never gets.
	// Off, but while restoring from a snapshot (docs/RUNBOOK.md,
	// "Restoring the cache"); the policy rule DATA.NO_DELETE_BEFORE_REPLACE
	// flags it.
	ReplaceDeletingFirst bool `json:"replaceDeletingFirst"`
}

// What ElastiCache accepts: a primary and up to five replicas without cluster
// mode, snapshot and maintenance windows of an hour at least.
const (
	MaxNodes         = 6
	MinWindowMinutes = 60
)

var (
	nodeType   = regexp.MustCompile(`^cache\.[a-z0-9]+\.[a-z0-9]+$`)
	majorMinor = regexp.MustCompile(`^[0-9]+\.[0-9]+$`)
	// A manual snapshot's name or an automatic one's (automatic.<group>-<date>).
	snapshotName = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9.-]{0,254}$`)
)

// Validate records every field rule the settings break, and the rules between
// fields (failover and Multi-AZ need replicas).
func (s Settings) Validate(p settings.Problems) {
	if !nodeType.MatchString(s.NodeType) {
		p.Add("nodeType", s.NodeType, "must be an ElastiCache node type such as cache.t3.micro")
	} else if reason := awscatalog.CheckCacheNodeType(s.NodeType); reason != "" {
		p.Add("nodeType", s.NodeType, reason)
	}
	if !majorMinor.MatchString(s.EngineVersion) {
		p.Add("engineVersion", s.EngineVersion, `must be a Redis major.minor version such as "7.1"`)
	}
	switch {
	case s.Nodes < 0:
		p.Add("nodes", s.Nodes, "must not be negative")
	case s.Nodes < 1 || s.Nodes > MaxNodes:
		p.Add("nodes", s.Nodes, fmt.Sprintf("must be 1-%d (a primary and up to %d replicas)", MaxNodes, MaxNodes-1))
	}
	if s.AutomaticFailover && s.Nodes < 2 {
		p.Add("automaticFailover", true, fmt.Sprintf("needs cache.nodes >= 2 (is %d): failover promotes a replica", s.Nodes))
	}
	if s.MultiAZ && s.Nodes < 2 {
		p.Add("multiAz", true, fmt.Sprintf("needs cache.nodes >= 2 (is %d): Multi-AZ keeps a replica in another AZ", s.Nodes))
	}
	if s.MultiAZ && !s.AutomaticFailover {
		p.Add("multiAz", true, "needs cache.automaticFailover = true (ElastiCache rejects Multi-AZ without it)")
	}
	if s.SnapshotRetentionDays < 0 || s.SnapshotRetentionDays > 35 {
		p.Add("snapshotRetentionDays", s.SnapshotRetentionDays, "must be 0-35 days")
	}
	settings.CheckWindows(p, "snapshotWindow", s.SnapshotWindow, "maintenanceWindow", s.MaintenanceWindow, MinWindowMinutes, "ElastiCache")
	if s.SnapshotName != "" && !snapshotName.MatchString(s.SnapshotName) {
		p.Add("snapshotName", s.SnapshotName, "must be an ElastiCache snapshot name (a letter, then letters, digits, hyphens and dots, at most 255), such as automatic.ohmycoins-prod-redis-2026-11-27-03-00")
	}
}
