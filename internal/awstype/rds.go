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

// priceDatabase prices an instance's hours (twice for Multi-AZ), its storage,
// the master password's secret RDS manages, and Performance Insights.
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
	}
	gb := num(in["allocatedStorage"])
	monthly := copies * (h*p.Price("rds."+class) + gb*p.Price("rds.storage."+storageType))
	basis := fmt.Sprintf("%s %s: %s × %g h × $%g + %g GB %s × $%g", class, az, instances(copies), h, p.Price("rds."+class), gb, storageType, p.Price("rds.storage."+storageType))
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

func instances(n float64) string {
	if n == 1 {
		return "1 instance"
	}
	return strconv.FormatFloat(n, 'f', -1, 64) + " instances"
}
