// Package awscatalog is what AWS offers, read from its documentation into
// catalog.json with where and when: the PostgreSQL major versions RDS runs,
// the RDS instance classes that run PostgreSQL, the ElastiCache node types
// that run Redis OSS. Validation checks a stack's values against it, so that
// db.zz9.gigantic, a retired db.m1.small, PostgreSQL 99 or cache.zz.huge is
// refused before anything is created rather than by AWS in the middle of
// pulumi up.
package awscatalog

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

//go:embed catalog.json
var catalogJSON []byte

// catalog is catalog.json.
type catalog struct {
	RDSPostgres struct {
		Source     string           `json:"source"`
		Majors     map[string]Major `json:"majors"`
		Deprecated []string         `json:"deprecated"`
	} `json:"rdsPostgres"`
	RDSInstanceClasses struct {
		Source   string                 `json:"source"`
		Families map[string]classFamily `json:"families"`
	} `json:"rdsInstanceClasses"`
	ElastiCacheNodeTypes struct {
		Source   string                `json:"source"`
		Families map[string]nodeFamily `json:"families"`
	} `json:"elasticacheNodeTypes"`
}

// Major is a PostgreSQL major version as RDS's release calendar lists it.
type Major struct {
	RDSRelease           string `json:"rdsRelease"`
	EndOfStandardSupport string `json:"endOfStandardSupport"`
}

type classFamily struct {
	Sizes          []string `json:"sizes"`
	Postgres       string   `json:"postgres"`
	Successor      string   `json:"successor"`
	PostgresMajors []string `json:"postgresMajors"`
}

type nodeFamily struct {
	Sizes              []string `json:"sizes"`
	RedisOSS           bool     `json:"redisOss"`
	PreviousGeneration bool     `json:"previousGeneration"`
	Successor          string   `json:"successor"`
}

var offered = func() catalog {
	var c catalog
	if err := json.Unmarshal(catalogJSON, &c); err != nil {
		panic("awscatalog: catalog.json: " + err.Error())
	}
	return c
}()

// PostgresMajor is the calendar entry of a major version, if RDS runs it.
func PostgresMajor(major string) (Major, bool) {
	m, ok := offered.RDSPostgres.Majors[major]
	return m, ok
}

// CheckPostgresMajor says why RDS would not create PostgreSQL major, "" when
// it would.
func CheckPostgresMajor(major string) string {
	if _, ok := offered.RDSPostgres.Majors[major]; ok {
		return ""
	}
	if slices.Contains(offered.RDSPostgres.Deprecated, major) {
		return "is a PostgreSQL major version RDS no longer runs"
	}
	return fmt.Sprintf("is not a PostgreSQL major version RDS runs (%s; internal/awscatalog, from %s)",
		strings.Join(sortedMajors(), ", "), offered.RDSPostgres.Source)
}

// sortedMajors lists the majors RDS runs, newest first.
func sortedMajors() []string {
	var out []string
	for m := range offered.RDSPostgres.Majors {
		out = append(out, m)
	}
	slices.SortFunc(out, func(a, b string) int {
		x, _ := strconv.Atoi(a)
		y, _ := strconv.Atoi(b)
		return y - x
	})
	return out
}

// CheckDBInstanceClass says why RDS would not create a PostgreSQL instance
// of class (db.<family>.<size>) at major, "" when it would.
func CheckDBInstanceClass(class, major string) string {
	family, size, ok := splitType(class, "db")
	if !ok {
		return "must be an RDS instance class such as db.t3.micro"
	}
	f, known := offered.RDSInstanceClasses.Families[family]
	switch {
	case !known:
		return fmt.Sprintf("is not an RDS instance class that runs PostgreSQL (%s does not name %s: internal/awscatalog)", offered.RDSInstanceClasses.Source, family)
	case f.Postgres == "deprecated":
		return fmt.Sprintf("is a previous-generation class RDS no longer offers for PostgreSQL: use %s.%s", f.Successor, size)
	case f.Postgres == "no":
		return fmt.Sprintf("is an RDS class that does not run PostgreSQL (%s)", family)
	case f.Postgres == "multi-az-cluster-only":
		return fmt.Sprintf("runs only in Multi-AZ DB clusters, not as a DB instance (%s)", family)
	case !slices.Contains(f.Sizes, size):
		return fmt.Sprintf("has no size %s: %s comes in %s", size, family, strings.Join(f.Sizes, ", "))
	case len(f.PostgresMajors) > 0 && !slices.Contains(f.PostgresMajors, major):
		return fmt.Sprintf("runs PostgreSQL %s only, not %s", strings.Join(f.PostgresMajors, ", "), major)
	}
	return ""
}

// CheckCacheNodeType says why ElastiCache would not create a Redis OSS
// replication group of nodeType (cache.<family>.<size>), "" when it would.
func CheckCacheNodeType(nodeType string) string {
	family, size, ok := splitType(nodeType, "cache")
	if !ok {
		return "must be an ElastiCache node type such as cache.t3.micro"
	}
	f, known := offered.ElastiCacheNodeTypes.Families[family]
	switch {
	case !known:
		return fmt.Sprintf("is not an ElastiCache node type (%s does not name %s: internal/awscatalog)", offered.ElastiCacheNodeTypes.Source, family)
	case f.PreviousGeneration:
		return fmt.Sprintf("is a previous-generation node type: ElastiCache creates no new clusters of it; use %s.%s", f.Successor, size)
	case !f.RedisOSS:
		return fmt.Sprintf("runs Valkey and Memcached only, not the Redis OSS engine this program runs (%s)", family)
	case !slices.Contains(f.Sizes, size):
		return fmt.Sprintf("has no size %s: %s comes in %s", size, family, strings.Join(f.Sizes, ", "))
	}
	return ""
}

// splitType splits <prefix>.<family>.<size> into "<prefix>.<family>" and
// the size.
func splitType(name, prefix string) (family, size string, ok bool) {
	parts := strings.Split(name, ".")
	if len(parts) != 3 || parts[0] != prefix || parts[1] == "" || parts[2] == "" {
		return "", "", false
	}
	return prefix + "." + parts[1], parts[2], true
}
