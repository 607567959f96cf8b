package awscatalog

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestWhatAWSDoesNotOfferIsSaid: values AWS would refuse in the middle of
// pulumi up are named with the reason; what it offers passes.
func TestWhatAWSDoesNotOfferIsSaid(t *testing.T) {
	t.Parallel()
	for class, want := range map[string]string{
		"db.t3.micro":       "",
		"db.m7g.large":      "",
		"db.r8gd.48xlarge":  "",
		"db.zz9.gigantic":   "is not an RDS instance class that runs PostgreSQL (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.DBInstanceClass.Support.html (Supported DB engines for DB instance classes, the PostgreSQL column) does not name db.zz9: internal/awscatalog)",
		"db.m1.small":       "is not an RDS instance class that runs PostgreSQL",
		"db.t2.small":       "is a previous-generation class RDS no longer offers for PostgreSQL: use db.t3.small",
		"db.t3.huge":        "has no size huge: db.t3 comes in micro, small, medium, large, xlarge, 2xlarge",
		"db.z1d.large":      "is an RDS class that does not run PostgreSQL (db.z1d)",
		"db.c6gd.large":     "runs only in Multi-AZ DB clusters, not as a DB instance (db.c6gd)",
		"db.x2idn.16xlarge": "runs PostgreSQL 13, 14, 15 only, not 17",
		"t3.micro":          "must be an RDS instance class such as db.t3.micro",
	} {
		require.Equal(t, want, trimmed(CheckDBInstanceClass(class, "17"), want), class)
	}
	for major, want := range map[string]string{
		"17": "",
		"18": "",
		"99": "is not a PostgreSQL major version RDS runs (18, 17, 16, 15, 14, 13, 12, 11; internal/awscatalog, from https://docs.aws.amazon.com/AmazonRDS/latest/PostgreSQLReleaseNotes/postgresql-release-calendar.html (the release calendar of major versions))",
		"10": "is a PostgreSQL major version RDS no longer runs",
	} {
		require.Equal(t, want, CheckPostgresMajor(major), major)
	}
	m, ok := PostgresMajor("17")
	require.True(t, ok)
	require.Equal(t, Major{RDSRelease: "2024-11-14", EndOfStandardSupport: "2030-02-28"}, m)
	for node, want := range map[string]string{
		"cache.t3.micro":   "",
		"cache.m7g.large":  "",
		"cache.zz.huge":    "is not an ElastiCache node type",
		"cache.t2.micro":   "is a previous-generation node type: ElastiCache creates no new clusters of it; use cache.t4g.micro",
		"cache.m8g.large":  "runs Valkey and Memcached only, not the Redis OSS engine this program runs (cache.m8g)",
		"cache.t3.large":   "has no size large: cache.t3 comes in micro, small, medium",
		"cache.r6gd.large": "has no size large: cache.r6gd comes in xlarge, 2xlarge, 4xlarge, 8xlarge, 12xlarge, 16xlarge",
	} {
		require.Equal(t, want, trimmed(CheckCacheNodeType(node), want), node)
	}
}

// trimmed is got cut to want's length when want is a prefix of it: the
// cases name the start of the longer messages.
func trimmed(got, want string) string {
	if len(want) > 0 && len(got) > len(want) && got[:len(want)] == want {
		return want
	}
	return got
}
