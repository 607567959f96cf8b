package awstype

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/ohmycoins/infra/internal/mockcloud"
	"github.com/ohmycoins/infra/internal/stackplan"
)

// The database: the RDS instance, its subnet group and parameter group (aws:rds/*).
func init() {
	register(
		Entry{
			Token: "aws:rds/instance:Instance",
			Answer: func(e mockcloud.Env, r *mockcloud.Request) string {
				id := r.Physical("identifier")
				port := r.Num("port", 5432)
				address := fmt.Sprintf("%s.%s.%s.rds.amazonaws.com", id, r.Hash(12), e.Region)
				r.Set("identifier", id)
				r.Set("resourceId", "db-"+strings.ToUpper(r.Hash(26)))
				r.Set("address", address)
				r.Set("endpoint", fmt.Sprintf("%s:%d", address, port))
				r.Set("port", port)
				r.Set("arn", e.ARN("rds", "db:"+id))
				r.Set("hostedZoneId", "Z32T0VRHXEXS0V")
				if r.Bool("manageMasterUserPassword") {
					r.Set("masterUserSecrets", []any{map[string]any{
						"secretArn":    e.ARN("secretsmanager", "secret:rds!db-"+r.UUID()+"-"+r.Hash(6)),
						"kmsKeyId":     r.Str("masterUserSecretKmsKeyId"),
						"secretStatus": "active",
					}})
				}
				return id
			},
			Price:     priceDatabase,
			Terraform: Terraform{Identity: []Key{byName("identifier")}, ImportID: importBy("identifier")},
		},
		Entry{
			// Replicated automated backups, in the region of the
			// replication's provider: Terraform's id is their ARN.
			Token: "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication",
			Answer: func(e mockcloud.Env, r *mockcloud.Request) string {
				r.Set("retentionPeriod", r.Num("retentionPeriod", 7))
				return e.ARN("rds", "auto-backup:ab-"+r.Hash(26))
			},
			Price:     priceBackupReplication,
			Terraform: Terraform{Identity: []Key{byRef("source_db_instance_arn")}, ImportID: importBy("id")},
		},
		Entry{
			Token:     "aws:rds/subnetGroup:SubnetGroup",
			Answer:    named("name", func(e mockcloud.Env, n string) string { return e.ARN("rds", "subgrp:"+n) }),
			Free:      "DB subnet groups cost nothing",
			Terraform: Terraform{Identity: []Key{byName("name")}, ImportID: importBy("name")},
		},
		Entry{
			Token:     "aws:rds/parameterGroup:ParameterGroup",
			Answer:    named("name", func(e mockcloud.Env, n string) string { return e.ARN("rds", "pg:"+n) }),
			Free:      "DB parameter groups cost nothing",
			Terraform: Terraform{Identity: []Key{byName("name")}, ImportID: importBy("name")},
		},
	)
}

// priceDatabase prices an instance the way Infracost's aws_db_instance does,
// with what it leaves out: the instance hours (twice for Multi-AZ), the
// storage by type, gp3 IOPS and throughput above the baseline, io1 and io2
// IOPS, backups beyond the free allowance (databaseBackupGb), Extended
// Support of a major version past its standard support, the master
// password's secret RDS manages and Performance Insights.
func priceDatabase(p Pricing, r stackplan.Resource) (Cost, bool) {
	in, h := r.Inputs, p.Hours()
	class := str(in["instanceClass"])
	copies, az := 1.0, "Single-AZ"
	if in["multiAz"] == true {
		copies, az = 2, "Multi-AZ (two copies)"
	}
	storageType := str(in["storageType"])
	if storageType == "" {
		storageType = "gp2"
		if num(in["iops"]) > 0 {
			storageType = "io1" // the provider's default with iops set
		}
	}
	gb := num(in["allocatedStorage"])
	perCopy := h*p.Price("rds."+class) + gb*p.Price("rds.storage."+storageType)
	basis := fmt.Sprintf("%s %s: %s × (%g h × $%g + %g GB %s × $%g", class, az, instances(copies), h, p.Price("rds."+class), gb, storageType, p.Price("rds.storage."+storageType))
	switch storageType {
	case "gp3":
		iops, mibps := gp3Baseline(gb)
		if extra := num(in["iops"]) - iops; extra > 0 {
			perCopy += extra * p.Price("rds.gp3.iops-month")
			basis += fmt.Sprintf(" + %g IOPS above the baseline %g × $%g", extra, iops, p.Price("rds.gp3.iops-month"))
		}
		if extra := num(in["storageThroughput"]) - mibps; extra > 0 {
			perCopy += extra * p.Price("rds.gp3.mibps-month")
			basis += fmt.Sprintf(" + %g MiB/s above the baseline %g × $%g", extra, mibps, p.Price("rds.gp3.mibps-month"))
		}
	case "io1", "io2":
		iops := num(in["iops"])
		perCopy += iops * p.Price("rds."+storageType+".iops-month")
		basis += fmt.Sprintf(" + %g provisioned IOPS × $%g", iops, p.Price("rds."+storageType+".iops-month"))
	}
	basis += ")"
	monthly := copies * perCopy
	if vcpu := rdsVCPUs(class); vcpu > 0 {
		if year := extendedSupportYear(str(in["engine"]), str(in["engineVersion"]), p.Date()); year != "" {
			key := "rds.extended-support." + year + ".vcpu-hour"
			monthly += copies * vcpu * h * p.Price(key)
			basis += fmt.Sprintf(" + Extended Support (PostgreSQL %s, %s): %s × %g vCPU × %g h × $%g", majorVersion(str(in["engineVersion"])), year, instances(copies), vcpu, h, p.Price(key))
		}
	}
	if num(in["backupRetentionPeriod"]) > 0 {
		backups := p.Assume("databaseBackupGb")
		if extra := backups - gb; extra > 0 {
			monthly += extra * p.Price("rds.backup-gb-month")
			basis += fmt.Sprintf(" + %g GB of backups beyond the free %g GB × $%g", extra, gb, p.Price("rds.backup-gb-month"))
		} else {
			basis += fmt.Sprintf(" + %g GB of backups (free up to the %g GB of storage)", backups, gb)
		}
	}
	if in["manageMasterUserPassword"] == true {
		monthly += p.Price("secretsmanager.secret-month")
		basis += fmt.Sprintf(" + the master password's secret $%g", p.Price("secretsmanager.secret-month"))
	}
	if in["performanceInsightsEnabled"] == true {
		if num(in["performanceInsightsRetentionPeriod"]) <= 7 {
			p.Price("rds.performance-insights.7-days")
			basis += " + Performance Insights, 7 days (free)"
		} else {
			basis += " + Performance Insights beyond 7 days (not priced)"
		}
	}
	return Cost{Monthly: monthly, Basis: basis}, true
}

// gp3Baseline is the IOPS and throughput a gp3 volume of PostgreSQL gets
// without charge: 3,000 and 125 MiB/s below 400 GB, 12,000 and 500 MiB/s
// from 400 GB (RDS's "gp3 storage" baseline, as Infracost prices it).
func gp3Baseline(gb float64) (iops, mibps float64) {
	if gb >= 400 {
		return 12000, 500
	}
	return 3000, 125
}

// rdsVCPUs is the vCPUs of an instance class of the burstable and general
// or memory-optimised families: 2 for micro to large, 4 per xlarge; 0 when
// the size is not one of these.
func rdsVCPUs(class string) float64 {
	size := class[strings.LastIndex(class, ".")+1:]
	switch size {
	case "micro", "small", "medium", "large":
		return 2
	case "xlarge":
		return 4
	}
	if n, err := strconv.Atoi(strings.TrimSuffix(size, "xlarge")); err == nil && strings.HasSuffix(size, "xlarge") && n > 0 {
		return float64(4 * n)
	}
	return 0
}

// postgresExtendedSupport are the dates RDS Extended Support starts for a
// PostgreSQL major version (years 1-2) and its third year: RDS's published
// end of standard support, as Infracost's db_instance.go has them.
var postgresExtendedSupport = map[string][2]string{
	"11": {"2024-04-01", "2026-04-01"},
	"12": {"2025-03-01", "2027-03-01"},
	"13": {"2026-03-01", "2028-03-01"},
	"14": {"2027-03-01", "2029-03-01"},
	"15": {"2028-03-01", "2030-03-01"},
	"16": {"2029-03-01", "2031-03-01"},
	"17": {"2030-03-01", "2032-03-01"},
}

// extendedSupportYear is "yr1-2" or "yr3" when a PostgreSQL version is in
// Extended Support on date (YYYY-MM-DD), "" otherwise.
func extendedSupportYear(engine, version, date string) string {
	if engine != "postgres" {
		return ""
	}
	dates, ok := postgresExtendedSupport[majorVersion(version)]
	switch {
	case !ok || date < dates[0]:
		return ""
	case date < dates[1]:
		return "yr1-2"
	}
	return "yr3"
}

func majorVersion(v string) string {
	major, _, _ := strings.Cut(v, ".")
	return major
}

func instances(n float64) string {
	if n == 1 {
		return "1 instance"
	}
	return strconv.FormatFloat(n, 'f', -1, 64) + " instances"
}

// priceBackupReplication prices the database's backups replicated to
// another region: every GB stored there (no free allowance, unlike the
// source region's), and every GB the source region sends (drTransferGbPerMonth).
func priceBackupReplication(p Pricing, _ stackplan.Resource) (Cost, bool) {
	stored, sent := p.Assume("drBackupGb"), p.Assume("drTransferGbPerMonth")
	return Cost{Monthly: stored*p.Price("rds.backup-replica-gb-month") + sent*p.Price("transfer.inter-region-gb"),
		Basis: fmt.Sprintf("%g GB of replicated backups × $%g (drBackupGb) + %g GB sent × $%g (drTransferGbPerMonth)",
			stored, p.Price("rds.backup-replica-gb-month"), sent, p.Price("transfer.inter-region-gb"))}, true
}
