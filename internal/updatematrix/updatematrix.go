// Package updatematrix is the update matrix: every key an operator can set,
// with a second valid value in each stack. tests/ previews each step offline
// and keeps what it does in tests/testdata/update-matrix.txt; tests/engine
// takes each step through the real Pulumi engine against the simulated
// account and holds the engine's steps to that offline diff.
package updatematrix

import (
	"encoding/json"
	"fmt"
	"maps"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/ohmycoins/infra/internal/preview"
	"github.com/ohmycoins/infra/stacks"
)

// WorkerDigest is the image of the worker the matrix adds.
var WorkerDigest = "sha256:" + strings.Repeat("a1", 32)

// BuildContext is a directory with a Dockerfile, for the build rows; relative
// to the project, as a stack file would give it.
const BuildContext = "tests/testdata/build-context"

// Step is one value of a key in one stack.
type Step struct {
	// Set are the changes to make: a leaf key (database.instanceClass) or a
	// scalar key (domain) to its raw value (JSON for lists and objects).
	Set map[string]string
	// Secret sets Set as stack secrets.
	Secret bool
}

// Row is one settable key, and the step taken in each stack.
type Row struct {
	Key                 string
	Staging, Production Step
}

// For is the row's step in a stack.
func (r Row) For(stack string) Step {
	if stack == "production" {
		return r.Production
	}
	return r.Staging
}

func to(key, value string) map[string]string { return map[string]string{key: value} }

// slack and teams set a whole chat channel of ohmycoins:alerts.
func slack(workspace, channel string) map[string]string {
	return map[string]string{"alerts.slack.workspaceId": `"` + workspace + `"`, "alerts.slack.channelId": `"` + channel + `"`}
}

func teams(tenant, team, channel string) map[string]string {
	return map[string]string{"alerts.teams.tenantId": `"` + tenant + `"`, "alerts.teams.teamId": `"` + team + `"`,
		"alerts.teams.channelId": `"` + channel + `"`}
}

// Rows are the rows of the matrix, in the order of its file. A settable key
// without a row fails tests/TestUpdateMatrixCoversEverySettableKey.
func Rows() []Row { return slices.Concat(infrastructureKnobs, thresholdKnobs(), applicationKnobs) }

// infrastructureKnobs are the rows of the environment and its tiers.
var infrastructureKnobs = []Row{
	{Key: "environment",
		Staging:    Step{Set: to("environment", `"production"`)},
		Production: Step{Set: to("environment", `"staging"`)}},
	{Key: "namePrefix",
		Staging:    Step{Set: to("namePrefix", `"ohmycoins-stg"`)},
		Production: Step{Set: to("namePrefix", `"ohmycoins-production"`)}},
	{Key: "region",
		Staging:    Step{Set: map[string]string{"region": `"ap-southeast-1"`, "network.availabilityZones": `["ap-southeast-1a", "ap-southeast-1b"]`}},
		Production: Step{Set: map[string]string{"region": `"ap-southeast-1"`, "network.availabilityZones": `["ap-southeast-1a", "ap-southeast-1b", "ap-southeast-1c"]`}}},
	{Key: "accountId",
		Staging:    Step{Set: to("accountId", `"210987654321"`)},
		Production: Step{Set: to("accountId", `"210987654321"`)}},
	{Key: "domain",
		Staging:    Step{Set: to("domain", `"stage.ohmycoins.com"`)},
		Production: Step{Set: to("domain", `"app.ohmycoins.com"`)}},
	{Key: "certificateArn",
		Staging:    Step{Set: to("certificateArn", `"arn:aws:acm:ap-southeast-2:123456789012:certificate/11111111-2222-3333-4444-555555555555"`)},
		Production: Step{Set: to("certificateArn", `"arn:aws:acm:ap-southeast-2:123456789012:certificate/11111111-2222-3333-4444-555555555555"`)}},
	{Key: "alertEmails",
		Staging:    Step{Set: to("alertEmails", `["devops@ohmycoins.com", "qa@ohmycoins.com"]`)},
		Production: Step{Set: to("alertEmails", `["devops@ohmycoins.com"]`)}},
	{Key: "network.vpcCidr",
		Staging:    Step{Set: map[string]string{"network.vpcCidr": `"10.20.0.0/16"`, "network.publicSubnetCidrs": `["10.20.1.0/24", "10.20.2.0/24"]`, "network.appSubnetCidrs": `["10.20.11.0/24", "10.20.12.0/24"]`, "network.dataSubnetCidrs": `["10.20.21.0/24", "10.20.22.0/24"]`}},
		Production: Step{Set: map[string]string{"network.vpcCidr": `"10.21.0.0/16"`, "network.publicSubnetCidrs": `["10.21.1.0/24", "10.21.2.0/24", "10.21.3.0/24"]`, "network.appSubnetCidrs": `["10.21.11.0/24", "10.21.12.0/24", "10.21.13.0/24"]`, "network.dataSubnetCidrs": `["10.21.21.0/24", "10.21.22.0/24", "10.21.23.0/24"]`}}},
	{Key: "network.availabilityZones",
		Staging:    Step{Set: to("network.availabilityZones", `["ap-southeast-2a", "ap-southeast-2c"]`)},
		Production: Step{Set: to("network.availabilityZones", `["ap-southeast-2a", "ap-southeast-2c", "ap-southeast-2b"]`)}},
	{Key: "network.publicSubnetCidrs",
		Staging:    Step{Set: to("network.publicSubnetCidrs", `["10.0.1.0/24", "10.0.3.0/24"]`)},
		Production: Step{Set: to("network.publicSubnetCidrs", `["10.1.1.0/24", "10.1.2.0/24", "10.1.4.0/24"]`)}},
	{Key: "network.appSubnetCidrs",
		Staging:    Step{Set: to("network.appSubnetCidrs", `["10.0.11.0/24", "10.0.13.0/24"]`)},
		Production: Step{Set: to("network.appSubnetCidrs", `["10.1.11.0/24", "10.1.12.0/24", "10.1.14.0/24"]`)}},
	{Key: "network.dataSubnetCidrs",
		Staging:    Step{Set: to("network.dataSubnetCidrs", `["10.0.21.0/24", "10.0.23.0/24"]`)},
		Production: Step{Set: to("network.dataSubnetCidrs", `["10.1.21.0/24", "10.1.22.0/24", "10.1.24.0/24"]`)}},
	{Key: "network.natGateways",
		Staging:    Step{Set: to("network.natGateways", `"perAz"`)},
		Production: Step{Set: to("network.natGateways", `"single"`)}},
	{Key: "network.interfaceEndpoints",
		Staging:    Step{Set: to("network.interfaceEndpoints", `true`)},
		Production: Step{Set: to("network.interfaceEndpoints", `false`)}},
	{Key: "network.flowLogs",
		Staging:    Step{Set: to("network.flowLogs", `true`)},
		Production: Step{Set: to("network.flowLogs", `false`)}},
	{Key: "network.flowLogRetentionDays",
		Staging:    Step{Set: to("network.flowLogRetentionDays", `30`)},
		Production: Step{Set: to("network.flowLogRetentionDays", `30`)}},
	{Key: "network.managementCidrs",
		Staging:    Step{Set: to("network.managementCidrs", `["10.8.0.0/16"]`)},
		Production: Step{Set: to("network.managementCidrs", `["10.8.0.0/16"]`)}},
	{Key: "database.instanceClass",
		Staging:    Step{Set: to("database.instanceClass", `"db.t3.small"`)},
		Production: Step{Set: to("database.instanceClass", `"db.t3.medium"`)}},
	{Key: "database.engineVersion",
		Staging:    Step{Set: to("database.engineVersion", `"18"`)},
		Production: Step{Set: to("database.engineVersion", `"18"`)}},
	{Key: "database.allocatedStorage",
		Staging:    Step{Set: to("database.allocatedStorage", `30`)},
		Production: Step{Set: to("database.allocatedStorage", `150`)}},
	{Key: "database.maxAllocatedStorage",
		Staging:    Step{Set: to("database.maxAllocatedStorage", `200`)},
		Production: Step{Set: to("database.maxAllocatedStorage", `1000`)}},
	{Key: "database.storageType",
		Staging:    Step{Set: to("database.storageType", `"gp2"`)},
		Production: Step{Set: to("database.storageType", `"gp2"`)}},
	{Key: "database.multiAz",
		Staging:    Step{Set: to("database.multiAz", `true`)},
		Production: Step{Set: to("database.multiAz", `false`)}},
	{Key: "database.backupRetentionDays",
		Staging:    Step{Set: to("database.backupRetentionDays", `7`)},
		Production: Step{Set: to("database.backupRetentionDays", `14`)}},
	{Key: "database.backupWindow",
		Staging:    Step{Set: to("database.backupWindow", `"02:00-03:00"`)},
		Production: Step{Set: to("database.backupWindow", `"02:00-03:00"`)}},
	{Key: "database.maintenanceWindow",
		Staging:    Step{Set: to("database.maintenanceWindow", `"mon:04:00-mon:05:00"`)},
		Production: Step{Set: to("database.maintenanceWindow", `"mon:04:00-mon:05:00"`)}},
	{Key: "database.deletionProtection",
		Staging:    Step{Set: to("database.deletionProtection", `true`)},
		Production: Step{Set: to("database.deletionProtection", `false`)}},
	{Key: "database.skipFinalSnapshot",
		Staging:    Step{Set: to("database.skipFinalSnapshot", `false`)},
		Production: Step{Set: to("database.skipFinalSnapshot", `true`)}},
	{Key: "database.performanceInsights",
		Staging:    Step{Set: to("database.performanceInsights", `true`)},
		Production: Step{Set: to("database.performanceInsights", `false`)}},
	{Key: "database.performanceInsightsRetentionDays",
		Staging:    Step{Set: to("database.performanceInsightsRetentionDays", `31`)},
		Production: Step{Set: to("database.performanceInsightsRetentionDays", `31`)}},
	{Key: "database.monitoringIntervalSeconds",
		Staging:    Step{Set: to("database.monitoringIntervalSeconds", `30`)},
		Production: Step{Set: to("database.monitoringIntervalSeconds", `0`)}},
	{Key: "database.applyImmediately",
		Staging:    Step{Set: to("database.applyImmediately", `false`)},
		Production: Step{Set: to("database.applyImmediately", `true`)}},
	{Key: "database.replaceDeletingFirst",
		Staging:    Step{Set: to("database.replaceDeletingFirst", `true`)},
		Production: Step{Set: to("database.replaceDeletingFirst", `true`)}},
	{Key: "database.snapshotIdentifier",
		Staging:    Step{Set: to("database.snapshotIdentifier", `"ohmycoins-staging-from-terraform"`)},
		Production: Step{Set: to("database.snapshotIdentifier", `"arn:aws:rds:ap-southeast-2:220711411889:snapshot:ohmycoins-prod-from-terraform"`)}},
	{Key: "cache.nodeType",
		Staging:    Step{Set: to("cache.nodeType", `"cache.t3.small"`)},
		Production: Step{Set: to("cache.nodeType", `"cache.t3.medium"`)}},
	{Key: "cache.engineVersion",
		Staging:    Step{Set: to("cache.engineVersion", `"6.2"`)},
		Production: Step{Set: to("cache.engineVersion", `"6.2"`)}},
	{Key: "cache.nodes",
		Staging:    Step{Set: to("cache.nodes", `2`)},
		Production: Step{Set: to("cache.nodes", `3`)}},
	{Key: "cache.automaticFailover",
		Staging:    Step{Set: map[string]string{"cache.automaticFailover": `true`, "cache.nodes": `2`}},
		Production: Step{Set: map[string]string{"cache.automaticFailover": `false`, "cache.multiAz": `false`}}},
	{Key: "cache.multiAz",
		Staging:    Step{Set: map[string]string{"cache.multiAz": `true`, "cache.automaticFailover": `true`, "cache.nodes": `2`}},
		Production: Step{Set: to("cache.multiAz", `false`)}},
	{Key: "cache.snapshotRetentionDays",
		Staging:    Step{Set: to("cache.snapshotRetentionDays", `3`)},
		Production: Step{Set: to("cache.snapshotRetentionDays", `14`)}},
	{Key: "cache.snapshotWindow",
		Staging:    Step{Set: to("cache.snapshotWindow", `"01:00-03:00"`)},
		Production: Step{Set: to("cache.snapshotWindow", `"01:00-03:00"`)}},
	{Key: "cache.maintenanceWindow",
		Staging:    Step{Set: to("cache.maintenanceWindow", `"mon:05:00-mon:07:00"`)},
		Production: Step{Set: to("cache.maintenanceWindow", `"mon:05:00-mon:07:00"`)}},
	{Key: "cache.applyImmediately",
		Staging:    Step{Set: to("cache.applyImmediately", `false`)},
		Production: Step{Set: to("cache.applyImmediately", `true`)}},
	{Key: "cache.replaceDeletingFirst",
		Staging:    Step{Set: to("cache.replaceDeletingFirst", `true`)},
		Production: Step{Set: to("cache.replaceDeletingFirst", `true`)}},
	{Key: "cache.snapshotName",
		Staging:    Step{Set: to("cache.snapshotName", `"ohmycoins-staging-redis-from-terraform"`)},
		Production: Step{Set: to("cache.snapshotName", `"automatic.ohmycoins-prod-redis-2026-11-27-03-00"`)}},
	{Key: "backend.cpu",
		Staging:    Step{Set: to("backend.cpu", `512`)},
		Production: Step{Set: to("backend.cpu", `512`)}},
	{Key: "backend.memory",
		Staging:    Step{Set: to("backend.memory", `4096`)},
		Production: Step{Set: to("backend.memory", `4096`)}},
	{Key: "backend.desiredCount",
		Staging:    Step{Set: to("backend.desiredCount", `2`)},
		Production: Step{Set: to("backend.desiredCount", `3`)}},
	{Key: "backend.imageDigest",
		Staging:    Step{Set: to("backend.imageDigest", `"sha256:`+strings.Repeat("77", 32)+`"`)},
		Production: Step{Set: to("backend.imageDigest", `"sha256:`+strings.Repeat("77", 32)+`"`)}},
	{Key: "backend.build.context",
		Staging:    Step{Set: map[string]string{"backend.imageDigest": `""`, "backend.build.context": `"` + BuildContext + `"`}},
		Production: Step{Set: map[string]string{"backend.imageDigest": `""`, "backend.build.context": `"` + BuildContext + `"`}}},
	{Key: "backend.build.dockerfile",
		Staging:    Step{Set: map[string]string{"backend.imageDigest": `""`, "backend.build.context": `"` + BuildContext + `"`, "backend.build.dockerfile": `"Dockerfile"`}},
		Production: Step{Set: map[string]string{"backend.imageDigest": `""`, "backend.build.context": `"` + BuildContext + `"`, "backend.build.dockerfile": `"Dockerfile"`}}},
	{Key: "backend.build.target",
		Staging:    Step{Set: map[string]string{"backend.imageDigest": `""`, "backend.build.context": `"` + BuildContext + `"`, "backend.build.target": `"runtime"`}},
		Production: Step{Set: map[string]string{"backend.imageDigest": `""`, "backend.build.context": `"` + BuildContext + `"`, "backend.build.target": `"runtime"`}}},
	{Key: "backend.autoscaling.enabled",
		Staging:    Step{Set: to("backend.autoscaling.enabled", `true`)},
		Production: Step{Set: to("backend.autoscaling.enabled", `false`)}},
	{Key: "backend.autoscaling.minCount",
		Staging:    Step{Set: to("backend.autoscaling.minCount", `0`)},
		Production: Step{Set: to("backend.autoscaling.minCount", `1`)}},
	{Key: "backend.autoscaling.maxCount",
		Staging:    Step{Set: to("backend.autoscaling.maxCount", `3`)},
		Production: Step{Set: to("backend.autoscaling.maxCount", `12`)}},
	{Key: "backend.autoscaling.cpuTargetPercent",
		Staging:    Step{Set: to("backend.autoscaling.cpuTargetPercent", `60`)},
		Production: Step{Set: to("backend.autoscaling.cpuTargetPercent", `60`)}},
	{Key: "backend.autoscaling.memoryTargetPercent",
		Staging:    Step{Set: to("backend.autoscaling.memoryTargetPercent", `0`)},
		Production: Step{Set: to("backend.autoscaling.memoryTargetPercent", `0`)}},
	{Key: "frontend.cpu",
		Staging:    Step{Set: map[string]string{"frontend.cpu": `512`, "frontend.memory": `1024`}},
		Production: Step{Set: map[string]string{"frontend.cpu": `256`, "frontend.memory": `512`}}},
	{Key: "frontend.memory",
		Staging:    Step{Set: to("frontend.memory", `1024`)},
		Production: Step{Set: to("frontend.memory", `2048`)}},
	{Key: "frontend.desiredCount",
		Staging:    Step{Set: to("frontend.desiredCount", `2`)},
		Production: Step{Set: to("frontend.desiredCount", `3`)}},
	{Key: "frontend.imageDigest",
		Staging:    Step{Set: to("frontend.imageDigest", `"sha256:`+strings.Repeat("77", 32)+`"`)},
		Production: Step{Set: to("frontend.imageDigest", `"sha256:`+strings.Repeat("77", 32)+`"`)}},
	{Key: "frontend.build.context",
		Staging:    Step{Set: map[string]string{"frontend.imageDigest": `""`, "frontend.build.context": `"` + BuildContext + `"`}},
		Production: Step{Set: map[string]string{"frontend.imageDigest": `""`, "frontend.build.context": `"` + BuildContext + `"`}}},
	{Key: "frontend.build.dockerfile",
		Staging:    Step{Set: map[string]string{"frontend.imageDigest": `""`, "frontend.build.context": `"` + BuildContext + `"`, "frontend.build.dockerfile": `"Dockerfile"`}},
		Production: Step{Set: map[string]string{"frontend.imageDigest": `""`, "frontend.build.context": `"` + BuildContext + `"`, "frontend.build.dockerfile": `"Dockerfile"`}}},
	{Key: "frontend.build.target",
		Staging:    Step{Set: map[string]string{"frontend.imageDigest": `""`, "frontend.build.context": `"` + BuildContext + `"`, "frontend.build.target": `"runtime"`}},
		Production: Step{Set: map[string]string{"frontend.imageDigest": `""`, "frontend.build.context": `"` + BuildContext + `"`, "frontend.build.target": `"runtime"`}}},
	{Key: "frontend.autoscaling.enabled",
		Staging:    Step{Set: to("frontend.autoscaling.enabled", `true`)},
		Production: Step{Set: to("frontend.autoscaling.enabled", `false`)}},
	{Key: "frontend.autoscaling.minCount",
		Staging:    Step{Set: to("frontend.autoscaling.minCount", `0`)},
		Production: Step{Set: to("frontend.autoscaling.minCount", `1`)}},
	{Key: "frontend.autoscaling.maxCount",
		Staging:    Step{Set: to("frontend.autoscaling.maxCount", `3`)},
		Production: Step{Set: to("frontend.autoscaling.maxCount", `8`)}},
	{Key: "frontend.autoscaling.cpuTargetPercent",
		Staging:    Step{Set: to("frontend.autoscaling.cpuTargetPercent", `60`)},
		Production: Step{Set: to("frontend.autoscaling.cpuTargetPercent", `60`)}},
	{Key: "frontend.autoscaling.memoryTargetPercent",
		Staging:    Step{Set: to("frontend.autoscaling.memoryTargetPercent", `75`)},
		Production: Step{Set: to("frontend.autoscaling.memoryTargetPercent", `75`)}},
	{Key: "ecs.execEnabled",
		Staging:    Step{Set: to("ecs.execEnabled", `false`)},
		Production: Step{Set: to("ecs.execEnabled", `true`)}},
	{Key: "ecs.containerInsights",
		Staging:    Step{Set: to("ecs.containerInsights", `true`)},
		Production: Step{Set: to("ecs.containerInsights", `false`)}},
	{Key: "logs.retentionDays",
		Staging:    Step{Set: to("logs.retentionDays", `14`)},
		Production: Step{Set: to("logs.retentionDays", `60`)}},
	{Key: "secrets.recoveryWindowDays",
		Staging:    Step{Set: to("secrets.recoveryWindowDays", `7`)},
		Production: Step{Set: to("secrets.recoveryWindowDays", `7`)}},
	{Key: "secrets.manageValues",
		Staging:    Step{Set: to("secrets.manageValues", `false`)},
		Production: Step{Set: to("secrets.manageValues", `false`)}},
	{Key: "loadBalancer.deletionProtection",
		Staging:    Step{Set: to("loadBalancer.deletionProtection", `true`)},
		Production: Step{Set: to("loadBalancer.deletionProtection", `false`)}},
	{Key: "loadBalancer.accessLogs",
		Staging:    Step{Set: to("loadBalancer.accessLogs", `true`)},
		Production: Step{Set: to("loadBalancer.accessLogs", `false`)}},
	{Key: "loadBalancer.accessLogExpirationDays",
		Staging:    Step{Set: to("loadBalancer.accessLogExpirationDays", `30`)},
		Production: Step{Set: to("loadBalancer.accessLogExpirationDays", `30`)}},
	{Key: "loadBalancer.idleTimeoutSeconds",
		Staging:    Step{Set: to("loadBalancer.idleTimeoutSeconds", `120`)},
		Production: Step{Set: to("loadBalancer.idleTimeoutSeconds", `120`)}},
	// Staging starts replicating its backups to a second region (a key and
	// the replication there); production's replication is refused any
	// change, which would replace it and restart its restore window.
	{Key: "dr.region",
		Staging:    Step{Set: map[string]string{"dr.region": `"ap-southeast-4"`, "dr.backupRetentionDays": `7`}},
		Production: Step{Set: to("dr.region", `"ap-southeast-1"`)}},
	{Key: "dr.backupRetentionDays",
		Staging:    Step{Set: map[string]string{"dr.region": `"ap-southeast-4"`, "dr.backupRetentionDays": `3`}},
		Production: Step{Set: to("dr.backupRetentionDays", `21`)}},
	// Turning the firewall off removes the web ACL, its association and
	// logging; production's log group is protected evidence, so the
	// update stops there (the policy check refuses it first: ELB.16).
	{Key: "waf.enabled",
		Staging:    Step{Set: to("waf.enabled", `false`)},
		Production: Step{Set: to("waf.enabled", `false`)}},
	// The mode and the limits change the web ACL's rules in place.
	{Key: "waf.mode",
		Staging:    Step{Set: to("waf.mode", `"block"`)},
		Production: Step{Set: to("waf.mode", `"count"`)}},
	{Key: "waf.rateLimit",
		Staging:    Step{Set: to("waf.rateLimit", `3000`)},
		Production: Step{Set: to("waf.rateLimit", `3000`)}},
	{Key: "waf.apiRateLimit",
		Staging:    Step{Set: to("waf.apiRateLimit", `500`)},
		Production: Step{Set: to("waf.apiRateLimit", `500`)}},
	{Key: "waf.loginRateLimit",
		Staging:    Step{Set: to("waf.loginRateLimit", `50`)},
		Production: Step{Set: to("waf.loginRateLimit", `10`)}},
	{Key: "waf.loginPaths",
		Staging:    Step{Set: to("waf.loginPaths", `["/api/v1/login/"]`)},
		Production: Step{Set: to("waf.loginPaths", `["/api/v1/login/", "/api/v1/signup"]`)}},
}

// thresholdKnobs are the rows of the alarm thresholds, one per key of
// ohmycoins:alarms, each moved up by one from its preset: a new alarm's
// threshold has its row without one written by hand.
func thresholdKnobs() []Row {
	var knobs []Row
	staging, production := stacks.Staging().Alarms, stacks.Production().Alarms
	fields := reflect.VisibleFields(reflect.TypeOf(staging))
	for _, f := range fields {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		key := "alarms." + name
		step := func(v reflect.Value) Step {
			return Step{Set: to(key, strconv.FormatFloat(v.FieldByIndex(f.Index).Float()+1, 'f', -1, 64))}
		}
		knobs = append(knobs, Row{Key: key,
			Staging:    step(reflect.ValueOf(staging)),
			Production: step(reflect.ValueOf(production))})
	}
	return knobs
}

// applicationKnobs are the rows of the application and its services.
var applicationKnobs = []Row{
	{Key: "app.firstSuperuser",
		Staging:    Step{Set: to("app.firstSuperuser", `"root@ohmycoins.com"`)},
		Production: Step{Set: to("app.firstSuperuser", `"root@ohmycoins.com"`)}},
	{Key: "app.emailsFromEmail",
		Staging:    Step{Set: to("app.emailsFromEmail", `"hello@ohmycoins.com"`)},
		Production: Step{Set: to("app.emailsFromEmail", `"hello@ohmycoins.com"`)}},
	{Key: "app.corsOrigins",
		Staging:    Step{Set: to("app.corsOrigins", `["https://dashboard.staging.ohmycoins.com"]`)},
		Production: Step{Set: to("app.corsOrigins", `["https://ohmycoins.com", "https://www.ohmycoins.com", "https://dashboard.ohmycoins.com", "https://partner.example.com"]`)}},
	{Key: "app.smtpHost",
		Staging:    Step{Set: to("app.smtpHost", `"smtp.example.com"`)},
		Production: Step{Set: to("app.smtpHost", `"smtp.example.com"`)}},
	{Key: "app.smtpPort",
		Staging:    Step{Set: to("app.smtpPort", `2525`)},
		Production: Step{Set: to("app.smtpPort", `2525`)}},
	{Key: "app.smtpUser",
		Staging:    Step{Set: to("app.smtpUser", `"mailer"`)},
		Production: Step{Set: to("app.smtpUser", `"mailer"`)}},
	{Key: "app.smtpTls",
		Staging:    Step{Set: to("app.smtpTls", `false`)},
		Production: Step{Set: to("app.smtpTls", `false`)}},
	{Key: "app.smtpSsl",
		Staging:    Step{Set: map[string]string{"app.smtpSsl": `true`, "app.smtpTls": `false`}},
		Production: Step{Set: map[string]string{"app.smtpSsl": `true`, "app.smtpTls": `false`}}},
	{Key: "app.llmProvider",
		Staging:    Step{Set: to("app.llmProvider", `"anthropic"`)},
		Production: Step{Set: to("app.llmProvider", `"anthropic"`)}},
	{Key: "app.openaiModel",
		Staging:    Step{Set: to("app.openaiModel", `"gpt-4o"`)},
		Production: Step{Set: to("app.openaiModel", `"gpt-4o"`)}},
	{Key: "github.repository",
		Staging:    Step{Set: to("github.repository", `"ohmycoins/infra"`)},
		Production: Step{Set: to("github.repository", `"ohmycoins/infra"`)}},
	{Key: "github.oidcProviderArn",
		Staging:    Step{Set: to("github.oidcProviderArn", `"arn:aws:iam::210987654321:oidc-provider/token.actions.githubusercontent.com"`)},
		Production: Step{Set: to("github.oidcProviderArn", `"arn:aws:iam::210987654321:oidc-provider/token.actions.githubusercontent.com"`)}},
	// The ids are set together: each alone is refused.
	{Key: "github.repositoryId",
		Staging:    Step{Set: map[string]string{"github.repositoryId": `"123456789"`, "github.ownerId": `"4242"`}},
		Production: Step{Set: to("github.repositoryId", `"123456789"`)}},
	{Key: "github.ownerId",
		Staging:    Step{Set: to("github.ownerId", `"4242"`)},
		Production: Step{Set: map[string]string{"github.repositoryId": `"123456789"`, "github.ownerId": `"4242"`}}},
	{Key: "dns.zoneName",
		Staging:    Step{Set: to("dns.zoneName", `"staging.ohmycoins.com"`)},
		Production: Step{Set: to("dns.zoneName", `""`)}},
	// A delegation of the stack's own host is refused; production's of
	// staging's name is the two-account layout's.
	{Key: "dns.delegations",
		Staging:    Step{Set: to("dns.delegations", `{"api.staging.ohmycoins.com": ["ns-1.awsdns-01.com", "ns-600.awsdns-01.net", "ns-1100.awsdns-01.org", "ns-1600.awsdns-01.co.uk"]}`)},
		Production: Step{Set: to("dns.delegations", `{"staging.ohmycoins.com": ["ns-1.awsdns-01.com", "ns-600.awsdns-01.net", "ns-1100.awsdns-01.org", "ns-1600.awsdns-01.co.uk"]}`)}},
	// Moving a stack's state to another bucket changes what its CI roles
	// reach, in place; the state itself moves with pulumi stack export/import.
	{Key: "stateBackend.bucket",
		Staging:    Step{Set: to("stateBackend.bucket", `"ohmycoins-pulumi-state-staging"`)},
		Production: Step{Set: to("stateBackend.bucket", `"ohmycoins-pulumi-state-production"`)}},
	{Key: "policy.waivers",
		Staging:    Step{Set: to("policy.waivers", `{"RDS.17": "an example"}`)},
		Production: Step{Set: to("policy.waivers", `{"RDS.17": "an example"}`)}},
	{Key: "secretKey",
		Staging:    Step{Secret: true, Set: to("secretKey", `"0123456789abcdef0123456789abcdef-rotated"`)},
		Production: Step{Secret: true, Set: to("secretKey", `"0123456789abcdef0123456789abcdef-rotated"`)}},
	{Key: "firstSuperuserPassword",
		Staging:    Step{Secret: true, Set: to("firstSuperuserPassword", `"a new strong password"`)},
		Production: Step{Secret: true, Set: to("firstSuperuserPassword", `"a new strong password"`)}},
	{Key: "openaiApiKey",
		Staging:    Step{Secret: true, Set: to("openaiApiKey", `"sk-rotated"`)},
		Production: Step{Secret: true, Set: to("openaiApiKey", `"sk-rotated"`)}},
	{Key: "redisAuthToken",
		Staging:    Step{Secret: true, Set: to("redisAuthToken", `"Rotated-Redis-Token-0123456789"`)},
		Production: Step{Secret: true, Set: to("redisAuthToken", `"Rotated-Redis-Token-0123456789"`)}},
	{Key: "smtpPassword",
		Staging:    Step{Secret: true, Set: to("smtpPassword", `"smtp-secret"`)},
		Production: Step{Secret: true, Set: to("smtpPassword", `"smtp-secret"`)}},
	{Key: "sentryDsn",
		Staging:    Step{Secret: true, Set: to("sentryDsn", `"https://key@sentry.io/1"`)},
		Production: Step{Secret: true, Set: to("sentryDsn", `"https://key@sentry.io/1"`)}},
	{Key: "cryptopanicApiKey",
		Staging:    Step{Secret: true, Set: to("cryptopanicApiKey", `"cp-key"`)},
		Production: Step{Secret: true, Set: to("cryptopanicApiKey", `"cp-key"`)}},
	{Key: "newscatcherApiKey",
		Staging:    Step{Secret: true, Set: to("newscatcherApiKey", `"nc-key"`)},
		Production: Step{Secret: true, Set: to("newscatcherApiKey", `"nc-key"`)}},
	{Key: "nansenApiKey",
		Staging:    Step{Secret: true, Set: to("nansenApiKey", `"nansen-key"`)},
		Production: Step{Secret: true, Set: to("nansenApiKey", `"nansen-key"`)}},
	// A new integration URL replaces the pager's subscription (an SNS
	// subscription's endpoint is fixed). Staging does not page.
	{Key: "pagingUrl",
		Staging:    Step{Secret: true, Set: to("pagingUrl", `"https://events.pagerduty.com/integration/staging/enqueue"`)},
		Production: Step{Secret: true, Set: to("pagingUrl", `"https://api.opsgenie.com/v1/json/amazonsns?apiKey=rotated"`)}},
	// A chat channel adds AWS Chatbot's role and configuration (each row
	// sets the whole channel, whose fields are valid only together); a
	// configuration is named after its workspace or team, so another one
	// is created beside the old one, which is then deleted.
	{Key: "alerts.slack.workspaceId", Staging: Step{Set: slack("T0123ABCD", "C0456EFGH")}, Production: Step{Set: slack("T0123ABCD", "C0456EFGH")}},
	{Key: "alerts.slack.channelId", Staging: Step{Set: slack("T0123ABCD", "C0999ZZZZ")}, Production: Step{Set: slack("T0123ABCD", "C0999ZZZZ")}},
	{Key: "alerts.teams.tenantId", Staging: Step{Set: teams("11111111-2222-3333-4444-555555555555", "66666666-7777-8888-9999-000000000000", "19%3a0123abcd%40thread.tacv2")}, Production: Step{Set: teams("11111111-2222-3333-4444-555555555555", "66666666-7777-8888-9999-000000000000", "19%3a0123abcd%40thread.tacv2")}},
	{Key: "alerts.teams.teamId", Staging: Step{Set: teams("11111111-2222-3333-4444-555555555555", "aaaaaaaa-7777-8888-9999-000000000000", "19%3a0123abcd%40thread.tacv2")}, Production: Step{Set: teams("11111111-2222-3333-4444-555555555555", "aaaaaaaa-7777-8888-9999-000000000000", "19%3a0123abcd%40thread.tacv2")}},
	{Key: "alerts.teams.channelId", Staging: Step{Set: teams("11111111-2222-3333-4444-555555555555", "66666666-7777-8888-9999-000000000000", "19%3a9999zzzz%40thread.tacv2")}, Production: Step{Set: teams("11111111-2222-3333-4444-555555555555", "66666666-7777-8888-9999-000000000000", "19%3a9999zzzz%40thread.tacv2")}},
	// Only production pages: staging refuses it, production stops paging
	// only with the URL removed too.
	{Key: "alerts.page",
		Staging:    Step{Set: to("alerts.page", `true`)},
		Production: Step{Set: to("alerts.page", `false`)}},
	{Key: "cost.natGatewayGbPerMonth",
		Staging:    Step{Set: to("cost.natGatewayGbPerMonth", `50`)},
		Production: Step{Set: to("cost.natGatewayGbPerMonth", `200`)}},
	{Key: "cost.loadBalancerLcus",
		Staging:    Step{Set: to("cost.loadBalancerLcus", `1`)},
		Production: Step{Set: to("cost.loadBalancerLcus", `3`)}},
	{Key: "cost.appLogGbPerMonth",
		Staging:    Step{Set: to("cost.appLogGbPerMonth", `4`)},
		Production: Step{Set: to("cost.appLogGbPerMonth", `20`)}},
	{Key: "cost.flowLogGbPerMonth",
		Staging:    Step{Set: to("cost.flowLogGbPerMonth", `10`)},
		Production: Step{Set: to("cost.flowLogGbPerMonth", `40`)}},
	{Key: "cost.endpointGbPerMonth",
		Staging:    Step{Set: to("cost.endpointGbPerMonth", `10`)},
		Production: Step{Set: to("cost.endpointGbPerMonth", `40`)}},
	{Key: "cost.imageGbPerRepository",
		Staging:    Step{Set: to("cost.imageGbPerRepository", `5`)},
		Production: Step{Set: to("cost.imageGbPerRepository", `5`)}},
	{Key: "cost.accessLogGbStored",
		Staging:    Step{Set: to("cost.accessLogGbStored", `2`)},
		Production: Step{Set: to("cost.accessLogGbStored", `20`)}},
	{Key: "cost.databaseBackupGb",
		Staging:    Step{Set: to("cost.databaseBackupGb", `40`)},
		Production: Step{Set: to("cost.databaseBackupGb", `300`)}},
	{Key: "cost.cacheSnapshotGb",
		Staging:    Step{Set: to("cost.cacheSnapshotGb", `0.2`)},
		Production: Step{Set: to("cost.cacheSnapshotGb", `1`)}},
	{Key: "cost.logStorageCompression",
		Staging:    Step{Set: to("cost.logStorageCompression", `0.2`)},
		Production: Step{Set: to("cost.logStorageCompression", `0.2`)}},
	{Key: "cost.drBackupGb",
		Staging:    Step{Set: to("cost.drBackupGb", `40`)},
		Production: Step{Set: to("cost.drBackupGb", `300`)}},
	{Key: "cost.drTransferGbPerMonth",
		Staging:    Step{Set: to("cost.drTransferGbPerMonth", `20`)},
		Production: Step{Set: to("cost.drTransferGbPerMonth", `120`)}},
	{Key: "cost.wafRequestsMillionsPerMonth",
		Staging:    Step{Set: to("cost.wafRequestsMillionsPerMonth", `5`)},
		Production: Step{Set: to("cost.wafRequestsMillionsPerMonth", `50`)}},
	{Key: "cost.wafLogGbPerMonth",
		Staging:    Step{Set: to("cost.wafLogGbPerMonth", `2`)},
		Production: Step{Set: to("cost.wafLogGbPerMonth", `5`)}},
	{Key: "budget.monthlyUsd",
		Staging:    Step{Set: to("budget.monthlyUsd", `300`)},
		Production: Step{Set: to("budget.monthlyUsd", `900`)}},
	{Key: "budget.marginPercent",
		Staging:    Step{Set: to("budget.marginPercent", `30`)},
		Production: Step{Set: to("budget.marginPercent", `30`)}},
	{Key: "backend.role",
		Staging:    Step{Set: to("backend.role", `"worker"`)},
		Production: Step{Set: to("backend.role", `"web"`)}},
	{Key: "backend.dataAccess",
		Staging:    Step{Set: to("backend.dataAccess", `true`)},
		Production: Step{Set: to("backend.dataAccess", `true`)}},
	{Key: "backend.command",
		Staging:    Step{Set: to("backend.command", `["fastapi", "run", "--workers", "2", "app/main.py"]`)},
		Production: Step{Set: to("backend.command", `["fastapi", "run", "--workers", "4", "app/main.py"]`)}},
	{Key: "frontend.role",
		Staging:    Step{Set: to("frontend.role", `"api"`)},
		Production: Step{Set: to("frontend.role", `"worker"`)}},
	{Key: "frontend.dataAccess",
		Staging:    Step{Set: to("frontend.dataAccess", `true`)},
		Production: Step{Set: to("frontend.dataAccess", `true`)}},
	{Key: "frontend.command",
		Staging:    Step{Set: to("frontend.command", `["nginx", "-g", "daemon off;"]`)},
		Production: Step{Set: to("frontend.command", `["nginx", "-g", "daemon off;"]`)}},
	{Key: "services",
		Staging:    Step{Set: to("services", `{"worker": {"role": "worker", "dataAccess": true, "imageDigest": "`+WorkerDigest+`", "command": ["python", "-m", "app.worker"]}}`)},
		Production: Step{Set: to("services", `{"worker": {"role": "worker", "dataAccess": true, "imageDigest": "`+WorkerDigest+`", "command": ["python", "-m", "app.worker"], "desiredCount": 2}}`)}},
}

// Title names a step in the matrix file: the key, the stack and the values set.
func Title(key, stack string, s Step) string {
	var set []string
	for _, k := range slices.Sorted(maps.Keys(s.Set)) {
		v := s.Set[k]
		if s.Secret {
			v = "[secret]"
		}
		set = append(set, k+" = "+v)
	}
	return fmt.Sprintf("%s in %s: %s", key, stack, strings.Join(set, ", "))
}

// DeployedImages is the matrix's starting point: a live stack whose services
// run images (the committed stack files await their first image).
func DeployedImages() map[string]string {
	return map[string]string{
		"ohmycoins:backend":  `{"imageDigest": "sha256:` + strings.Repeat("b1", 32) + `"}`,
		"ohmycoins:frontend": `{"imageDigest": "sha256:` + strings.Repeat("f1", 32) + `"}`,
	}
}

// Options turns a step into the options of an offline preview of the
// project in projectDir: the deployed images, and the step's keys, a leaf
// key merged into its area's object as the stack file has it.
func Options(projectDir, stack string, s Step) (preview.Options, error) {
	dir, err := filepath.Abs(projectDir)
	if err != nil {
		return preview.Options{}, err
	}
	cfg, err := preview.ReadStackConfig(dir, stack)
	if err != nil {
		return preview.Options{}, err
	}
	o := preview.Options{Dir: projectDir, Stack: stack, Set: DeployedImages(), SetSecret: map[string]string{}}
	for key, value := range s.Set {
		area, leaf, nested := strings.Cut(key, ".")
		full := stacks.Project + ":" + area
		if !nested {
			var str string
			if json.Unmarshal([]byte(value), &str) == nil {
				value = str // a scalar key takes the raw string, as pulumi config set writes it
			}
			if s.Secret {
				o.SetSecret[full] = value
			} else {
				o.Set[full] = value
			}
			continue
		}
		object := map[string]any{}
		raw, ok := o.Set[full]
		if !ok {
			raw, ok = cfg.Values[full]
		}
		if ok {
			if err := json.Unmarshal([]byte(raw), &object); err != nil {
				return preview.Options{}, fmt.Errorf("%s in the stack file %s: %w", full, stack, err)
			}
		}
		var v any
		if err := json.Unmarshal([]byte(value), &v); err != nil {
			return preview.Options{}, fmt.Errorf("%s = %s: %w", key, value, err)
		}
		setPath(object, strings.Split(leaf, "."), v)
		b, err := json.Marshal(object)
		if err != nil {
			return preview.Options{}, err
		}
		o.Set[full] = string(b)
	}
	return o, nil
}

func setPath(m map[string]any, path []string, v any) {
	if len(path) == 1 {
		m[path[0]] = v
		return
	}
	child, ok := m[path[0]].(map[string]any)
	if !ok {
		child = map[string]any{}
		m[path[0]] = child
	}
	setPath(child, path[1:], v)
}
