package tests

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ohmycoins/infra/internal/preview"
	"github.com/ohmycoins/infra/internal/preview/previewtest"
	"github.com/ohmycoins/infra/internal/stackplan"
	"github.com/ohmycoins/infra/stacks"
)

// The update matrix: every key an operator can set, given a second valid
// value in each stack, previewed before and after, and every resource that
// changes recorded with what happens to it, in testdata/update-matrix.txt.
// A reviewer reads what each knob does to production there, and a pull
// request that changes what a knob does shows it as a diff of that file:
// `go test ./tests -run TestUpdateMatrix -update` rewrites it from what the
// program does now. Whatever the file says, no ordinary change may replace
// or delete what holds data in production, nor make pulumi up fail there.
//
// Notation of a change: "<op> <type> <name>", with
//   - op: + create, ~ update, +- replace, -+ replace deleting first, - delete;
//   - type: the middle of the type token (rds/instance for aws:rds/instance:Instance;
//     dns:Certificate for the component ohmycoins:dns:Certificate);
//   - name: the logical name without the stack's prefix;
//   - "(a, b)" after a replacement: the inputs that force it;
//   - " !" at the end: pulumi up would fail on it (a protected resource, a collision).
//
// Two outcomes are summarised: a step that renames every resource
// ("recreates every resource under new names") and one whose new provider
// replaces every resource (a region); each lists only the changes a reviewer
// must see, those that fail and, for a new provider, those deleting first.

// workerDigest is the image of the worker the matrix adds.
var workerDigest = "sha256:" + strings.Repeat("a1", 32)

// matrixFile holds what each step does, as the program does it.
var matrixFile = filepath.Join("testdata", "update-matrix.txt")

// step is one value of a knob in one stack.
type step struct {
	// set are the changes to make: a leaf key (database.instanceClass) or a
	// scalar key (domain) to its raw value (JSON for lists and objects).
	set map[string]string
	// secret sets set as stack secrets.
	secret bool
}

// outcome is what a step does: refused by validation with problems, or the
// changes it makes, in the notation above; recreated says it recreates every
// resource under new logical names, and changes then lists only what would fail;
// reprovided says a new provider replaces every resource, and changes then
// lists only what deletes first or would fail.
type outcome struct {
	refused    string
	changes    []string
	recreated  bool
	reprovided bool
}

// knob is one row: a key, and the step taken in each stack.
type knob struct {
	key                 string
	staging, production step
}

func to(key, value string) map[string]string { return map[string]string{key: value} }

// matrix is the table of steps. Keys not listed here fail
// TestUpdateMatrixCoversEverySettableKey; what each step does is in matrixFile.
var matrix = slices.Concat(infrastructureKnobs, thresholdKnobs(), applicationKnobs)

// infrastructureKnobs are the rows of the environment and its tiers.
var infrastructureKnobs = []knob{
	{key: "environment",
		staging:    step{set: to("environment", `"production"`)},
		production: step{set: to("environment", `"staging"`)}},
	{key: "namePrefix",
		staging:    step{set: to("namePrefix", `"ohmycoins-stg"`)},
		production: step{set: to("namePrefix", `"ohmycoins-production"`)}},
	{key: "region",
		staging:    step{set: map[string]string{"region": `"ap-southeast-1"`, "network.availabilityZones": `["ap-southeast-1a", "ap-southeast-1b"]`}},
		production: step{set: map[string]string{"region": `"ap-southeast-1"`, "network.availabilityZones": `["ap-southeast-1a", "ap-southeast-1b", "ap-southeast-1c"]`}}},
	{key: "accountId",
		staging:    step{set: to("accountId", `"210987654321"`)},
		production: step{set: to("accountId", `"210987654321"`)}},
	{key: "domain",
		staging:    step{set: to("domain", `"stage.ohmycoins.com"`)},
		production: step{set: to("domain", `"app.ohmycoins.com"`)}},
	{key: "certificateArn",
		staging:    step{set: to("certificateArn", `"arn:aws:acm:ap-southeast-2:123456789012:certificate/11111111-2222-3333-4444-555555555555"`)},
		production: step{set: to("certificateArn", `"arn:aws:acm:ap-southeast-2:123456789012:certificate/11111111-2222-3333-4444-555555555555"`)}},
	{key: "alertEmails",
		staging:    step{set: to("alertEmails", `["devops@ohmycoins.com", "qa@ohmycoins.com"]`)},
		production: step{set: to("alertEmails", `["devops@ohmycoins.com"]`)}},
	{key: "network.vpcCidr",
		staging:    step{set: map[string]string{"network.vpcCidr": `"10.20.0.0/16"`, "network.publicSubnetCidrs": `["10.20.1.0/24", "10.20.2.0/24"]`, "network.appSubnetCidrs": `["10.20.11.0/24", "10.20.12.0/24"]`, "network.dataSubnetCidrs": `["10.20.21.0/24", "10.20.22.0/24"]`}},
		production: step{set: map[string]string{"network.vpcCidr": `"10.21.0.0/16"`, "network.publicSubnetCidrs": `["10.21.1.0/24", "10.21.2.0/24", "10.21.3.0/24"]`, "network.appSubnetCidrs": `["10.21.11.0/24", "10.21.12.0/24", "10.21.13.0/24"]`, "network.dataSubnetCidrs": `["10.21.21.0/24", "10.21.22.0/24", "10.21.23.0/24"]`}}},
	{key: "network.availabilityZones",
		staging:    step{set: to("network.availabilityZones", `["ap-southeast-2a", "ap-southeast-2c"]`)},
		production: step{set: to("network.availabilityZones", `["ap-southeast-2a", "ap-southeast-2c", "ap-southeast-2b"]`)}},
	{key: "network.publicSubnetCidrs",
		staging:    step{set: to("network.publicSubnetCidrs", `["10.0.1.0/24", "10.0.3.0/24"]`)},
		production: step{set: to("network.publicSubnetCidrs", `["10.1.1.0/24", "10.1.2.0/24", "10.1.4.0/24"]`)}},
	{key: "network.appSubnetCidrs",
		staging:    step{set: to("network.appSubnetCidrs", `["10.0.11.0/24", "10.0.13.0/24"]`)},
		production: step{set: to("network.appSubnetCidrs", `["10.1.11.0/24", "10.1.12.0/24", "10.1.14.0/24"]`)}},
	{key: "network.dataSubnetCidrs",
		staging:    step{set: to("network.dataSubnetCidrs", `["10.0.21.0/24", "10.0.23.0/24"]`)},
		production: step{set: to("network.dataSubnetCidrs", `["10.1.21.0/24", "10.1.22.0/24", "10.1.24.0/24"]`)}},
	{key: "network.natGateways",
		staging:    step{set: to("network.natGateways", `"perAz"`)},
		production: step{set: to("network.natGateways", `"single"`)}},
	{key: "network.interfaceEndpoints",
		staging:    step{set: to("network.interfaceEndpoints", `true`)},
		production: step{set: to("network.interfaceEndpoints", `false`)}},
	{key: "network.flowLogs",
		staging:    step{set: to("network.flowLogs", `true`)},
		production: step{set: to("network.flowLogs", `false`)}},
	{key: "network.flowLogRetentionDays",
		staging:    step{set: to("network.flowLogRetentionDays", `30`)},
		production: step{set: to("network.flowLogRetentionDays", `30`)}},
	{key: "network.managementCidrs",
		staging:    step{set: to("network.managementCidrs", `["10.8.0.0/16"]`)},
		production: step{set: to("network.managementCidrs", `["10.8.0.0/16"]`)}},
	{key: "database.instanceClass",
		staging:    step{set: to("database.instanceClass", `"db.t3.small"`)},
		production: step{set: to("database.instanceClass", `"db.t3.medium"`)}},
	{key: "database.engineVersion",
		staging:    step{set: to("database.engineVersion", `"18"`)},
		production: step{set: to("database.engineVersion", `"18"`)}},
	{key: "database.allocatedStorage",
		staging:    step{set: to("database.allocatedStorage", `30`)},
		production: step{set: to("database.allocatedStorage", `150`)}},
	{key: "database.maxAllocatedStorage",
		staging:    step{set: to("database.maxAllocatedStorage", `200`)},
		production: step{set: to("database.maxAllocatedStorage", `1000`)}},
	{key: "database.storageType",
		staging:    step{set: to("database.storageType", `"gp2"`)},
		production: step{set: to("database.storageType", `"gp2"`)}},
	{key: "database.multiAz",
		staging:    step{set: to("database.multiAz", `true`)},
		production: step{set: to("database.multiAz", `false`)}},
	{key: "database.backupRetentionDays",
		staging:    step{set: to("database.backupRetentionDays", `7`)},
		production: step{set: to("database.backupRetentionDays", `14`)}},
	{key: "database.backupWindow",
		staging:    step{set: to("database.backupWindow", `"02:00-03:00"`)},
		production: step{set: to("database.backupWindow", `"02:00-03:00"`)}},
	{key: "database.maintenanceWindow",
		staging:    step{set: to("database.maintenanceWindow", `"mon:04:00-mon:05:00"`)},
		production: step{set: to("database.maintenanceWindow", `"mon:04:00-mon:05:00"`)}},
	{key: "database.deletionProtection",
		staging:    step{set: to("database.deletionProtection", `true`)},
		production: step{set: to("database.deletionProtection", `false`)}},
	{key: "database.skipFinalSnapshot",
		staging:    step{set: to("database.skipFinalSnapshot", `false`)},
		production: step{set: to("database.skipFinalSnapshot", `true`)}},
	{key: "database.performanceInsights",
		staging:    step{set: to("database.performanceInsights", `true`)},
		production: step{set: to("database.performanceInsights", `false`)}},
	{key: "database.performanceInsightsRetentionDays",
		staging:    step{set: to("database.performanceInsightsRetentionDays", `31`)},
		production: step{set: to("database.performanceInsightsRetentionDays", `31`)}},
	{key: "database.monitoringIntervalSeconds",
		staging:    step{set: to("database.monitoringIntervalSeconds", `30`)},
		production: step{set: to("database.monitoringIntervalSeconds", `0`)}},
	{key: "database.applyImmediately",
		staging:    step{set: to("database.applyImmediately", `false`)},
		production: step{set: to("database.applyImmediately", `true`)}},
	{key: "database.snapshotIdentifier",
		staging:    step{set: to("database.snapshotIdentifier", `"ohmycoins-staging-from-terraform"`)},
		production: step{set: to("database.snapshotIdentifier", `"arn:aws:rds:ap-southeast-2:220711411889:snapshot:ohmycoins-prod-from-terraform"`)}},
	{key: "cache.nodeType",
		staging:    step{set: to("cache.nodeType", `"cache.t3.small"`)},
		production: step{set: to("cache.nodeType", `"cache.t3.medium"`)}},
	{key: "cache.engineVersion",
		staging:    step{set: to("cache.engineVersion", `"6.2"`)},
		production: step{set: to("cache.engineVersion", `"6.2"`)}},
	{key: "cache.nodes",
		staging:    step{set: to("cache.nodes", `2`)},
		production: step{set: to("cache.nodes", `3`)}},
	{key: "cache.automaticFailover",
		staging:    step{set: map[string]string{"cache.automaticFailover": `true`, "cache.nodes": `2`}},
		production: step{set: map[string]string{"cache.automaticFailover": `false`, "cache.multiAz": `false`}}},
	{key: "cache.multiAz",
		staging:    step{set: map[string]string{"cache.multiAz": `true`, "cache.automaticFailover": `true`, "cache.nodes": `2`}},
		production: step{set: to("cache.multiAz", `false`)}},
	{key: "cache.snapshotRetentionDays",
		staging:    step{set: to("cache.snapshotRetentionDays", `3`)},
		production: step{set: to("cache.snapshotRetentionDays", `14`)}},
	{key: "cache.snapshotWindow",
		staging:    step{set: to("cache.snapshotWindow", `"01:00-03:00"`)},
		production: step{set: to("cache.snapshotWindow", `"01:00-03:00"`)}},
	{key: "cache.maintenanceWindow",
		staging:    step{set: to("cache.maintenanceWindow", `"mon:05:00-mon:07:00"`)},
		production: step{set: to("cache.maintenanceWindow", `"mon:05:00-mon:07:00"`)}},
	{key: "cache.applyImmediately",
		staging:    step{set: to("cache.applyImmediately", `false`)},
		production: step{set: to("cache.applyImmediately", `true`)}},
	{key: "cache.snapshotName",
		staging:    step{set: to("cache.snapshotName", `"ohmycoins-staging-redis-from-terraform"`)},
		production: step{set: to("cache.snapshotName", `"automatic.ohmycoins-prod-redis-2026-11-27-03-00"`)}},
	{key: "backend.cpu",
		staging:    step{set: to("backend.cpu", `512`)},
		production: step{set: to("backend.cpu", `512`)}},
	{key: "backend.memory",
		staging:    step{set: to("backend.memory", `4096`)},
		production: step{set: to("backend.memory", `4096`)}},
	{key: "backend.desiredCount",
		staging:    step{set: to("backend.desiredCount", `2`)},
		production: step{set: to("backend.desiredCount", `3`)}},
	{key: "backend.imageDigest",
		staging:    step{set: to("backend.imageDigest", `"sha256:`+strings.Repeat("77", 32)+`"`)},
		production: step{set: to("backend.imageDigest", `"sha256:`+strings.Repeat("77", 32)+`"`)}},
	{key: "backend.build.context",
		staging:    step{set: map[string]string{"backend.imageDigest": `""`, "backend.build.context": `"` + buildContext + `"`}},
		production: step{set: map[string]string{"backend.imageDigest": `""`, "backend.build.context": `"` + buildContext + `"`}}},
	{key: "backend.build.dockerfile",
		staging:    step{set: map[string]string{"backend.imageDigest": `""`, "backend.build.context": `"` + buildContext + `"`, "backend.build.dockerfile": `"Dockerfile"`}},
		production: step{set: map[string]string{"backend.imageDigest": `""`, "backend.build.context": `"` + buildContext + `"`, "backend.build.dockerfile": `"Dockerfile"`}}},
	{key: "backend.build.target",
		staging:    step{set: map[string]string{"backend.imageDigest": `""`, "backend.build.context": `"` + buildContext + `"`, "backend.build.target": `"runtime"`}},
		production: step{set: map[string]string{"backend.imageDigest": `""`, "backend.build.context": `"` + buildContext + `"`, "backend.build.target": `"runtime"`}}},
	{key: "backend.autoscaling.enabled",
		staging:    step{set: to("backend.autoscaling.enabled", `true`)},
		production: step{set: to("backend.autoscaling.enabled", `false`)}},
	{key: "backend.autoscaling.minCount",
		staging:    step{set: to("backend.autoscaling.minCount", `0`)},
		production: step{set: to("backend.autoscaling.minCount", `1`)}},
	{key: "backend.autoscaling.maxCount",
		staging:    step{set: to("backend.autoscaling.maxCount", `3`)},
		production: step{set: to("backend.autoscaling.maxCount", `12`)}},
	{key: "backend.autoscaling.cpuTargetPercent",
		staging:    step{set: to("backend.autoscaling.cpuTargetPercent", `60`)},
		production: step{set: to("backend.autoscaling.cpuTargetPercent", `60`)}},
	{key: "backend.autoscaling.memoryTargetPercent",
		staging:    step{set: to("backend.autoscaling.memoryTargetPercent", `0`)},
		production: step{set: to("backend.autoscaling.memoryTargetPercent", `0`)}},
	{key: "frontend.cpu",
		staging:    step{set: map[string]string{"frontend.cpu": `512`, "frontend.memory": `1024`}},
		production: step{set: map[string]string{"frontend.cpu": `256`, "frontend.memory": `512`}}},
	{key: "frontend.memory",
		staging:    step{set: to("frontend.memory", `1024`)},
		production: step{set: to("frontend.memory", `2048`)}},
	{key: "frontend.desiredCount",
		staging:    step{set: to("frontend.desiredCount", `2`)},
		production: step{set: to("frontend.desiredCount", `3`)}},
	{key: "frontend.imageDigest",
		staging:    step{set: to("frontend.imageDigest", `"sha256:`+strings.Repeat("77", 32)+`"`)},
		production: step{set: to("frontend.imageDigest", `"sha256:`+strings.Repeat("77", 32)+`"`)}},
	{key: "frontend.build.context",
		staging:    step{set: map[string]string{"frontend.imageDigest": `""`, "frontend.build.context": `"` + buildContext + `"`}},
		production: step{set: map[string]string{"frontend.imageDigest": `""`, "frontend.build.context": `"` + buildContext + `"`}}},
	{key: "frontend.build.dockerfile",
		staging:    step{set: map[string]string{"frontend.imageDigest": `""`, "frontend.build.context": `"` + buildContext + `"`, "frontend.build.dockerfile": `"Dockerfile"`}},
		production: step{set: map[string]string{"frontend.imageDigest": `""`, "frontend.build.context": `"` + buildContext + `"`, "frontend.build.dockerfile": `"Dockerfile"`}}},
	{key: "frontend.build.target",
		staging:    step{set: map[string]string{"frontend.imageDigest": `""`, "frontend.build.context": `"` + buildContext + `"`, "frontend.build.target": `"runtime"`}},
		production: step{set: map[string]string{"frontend.imageDigest": `""`, "frontend.build.context": `"` + buildContext + `"`, "frontend.build.target": `"runtime"`}}},
	{key: "frontend.autoscaling.enabled",
		staging:    step{set: to("frontend.autoscaling.enabled", `true`)},
		production: step{set: to("frontend.autoscaling.enabled", `false`)}},
	{key: "frontend.autoscaling.minCount",
		staging:    step{set: to("frontend.autoscaling.minCount", `0`)},
		production: step{set: to("frontend.autoscaling.minCount", `1`)}},
	{key: "frontend.autoscaling.maxCount",
		staging:    step{set: to("frontend.autoscaling.maxCount", `3`)},
		production: step{set: to("frontend.autoscaling.maxCount", `8`)}},
	{key: "frontend.autoscaling.cpuTargetPercent",
		staging:    step{set: to("frontend.autoscaling.cpuTargetPercent", `60`)},
		production: step{set: to("frontend.autoscaling.cpuTargetPercent", `60`)}},
	{key: "frontend.autoscaling.memoryTargetPercent",
		staging:    step{set: to("frontend.autoscaling.memoryTargetPercent", `75`)},
		production: step{set: to("frontend.autoscaling.memoryTargetPercent", `75`)}},
	{key: "ecs.execEnabled",
		staging:    step{set: to("ecs.execEnabled", `false`)},
		production: step{set: to("ecs.execEnabled", `true`)}},
	{key: "ecs.containerInsights",
		staging:    step{set: to("ecs.containerInsights", `true`)},
		production: step{set: to("ecs.containerInsights", `false`)}},
	{key: "logs.retentionDays",
		staging:    step{set: to("logs.retentionDays", `14`)},
		production: step{set: to("logs.retentionDays", `60`)}},
	{key: "secrets.recoveryWindowDays",
		staging:    step{set: to("secrets.recoveryWindowDays", `7`)},
		production: step{set: to("secrets.recoveryWindowDays", `7`)}},
	{key: "secrets.manageValues",
		staging:    step{set: to("secrets.manageValues", `false`)},
		production: step{set: to("secrets.manageValues", `false`)}},
	{key: "loadBalancer.deletionProtection",
		staging:    step{set: to("loadBalancer.deletionProtection", `true`)},
		production: step{set: to("loadBalancer.deletionProtection", `false`)}},
	{key: "loadBalancer.accessLogs",
		staging:    step{set: to("loadBalancer.accessLogs", `true`)},
		production: step{set: to("loadBalancer.accessLogs", `false`)}},
	{key: "loadBalancer.accessLogExpirationDays",
		staging:    step{set: to("loadBalancer.accessLogExpirationDays", `30`)},
		production: step{set: to("loadBalancer.accessLogExpirationDays", `30`)}},
	{key: "loadBalancer.idleTimeoutSeconds",
		staging:    step{set: to("loadBalancer.idleTimeoutSeconds", `120`)},
		production: step{set: to("loadBalancer.idleTimeoutSeconds", `120`)}},
}

// thresholdKnobs are the rows of the alarm thresholds, one per key of
// ohmycoins:alarms, each moved up by one from its preset: a new alarm's
// threshold has its row without one written by hand.
func thresholdKnobs() []knob {
	var knobs []knob
	staging, production := stacks.Staging().Alarms, stacks.Production().Alarms
	fields := reflect.VisibleFields(reflect.TypeOf(staging))
	for _, f := range fields {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		key := "alarms." + name
		step := func(v reflect.Value) step {
			return step{set: to(key, strconv.FormatFloat(v.FieldByIndex(f.Index).Float()+1, 'f', -1, 64))}
		}
		knobs = append(knobs, knob{key: key,
			staging:    step(reflect.ValueOf(staging)),
			production: step(reflect.ValueOf(production))})
	}
	return knobs
}

// applicationKnobs are the rows of the application and its services.
var applicationKnobs = []knob{
	{key: "app.firstSuperuser",
		staging:    step{set: to("app.firstSuperuser", `"root@ohmycoins.com"`)},
		production: step{set: to("app.firstSuperuser", `"root@ohmycoins.com"`)}},
	{key: "app.emailsFromEmail",
		staging:    step{set: to("app.emailsFromEmail", `"hello@ohmycoins.com"`)},
		production: step{set: to("app.emailsFromEmail", `"hello@ohmycoins.com"`)}},
	{key: "app.corsOrigins",
		staging:    step{set: to("app.corsOrigins", `["https://dashboard.staging.ohmycoins.com"]`)},
		production: step{set: to("app.corsOrigins", `["https://ohmycoins.com", "https://www.ohmycoins.com", "https://dashboard.ohmycoins.com", "https://partner.example.com"]`)}},
	{key: "app.smtpHost",
		staging:    step{set: to("app.smtpHost", `"smtp.example.com"`)},
		production: step{set: to("app.smtpHost", `"smtp.example.com"`)}},
	{key: "app.smtpPort",
		staging:    step{set: to("app.smtpPort", `2525`)},
		production: step{set: to("app.smtpPort", `2525`)}},
	{key: "app.smtpUser",
		staging:    step{set: to("app.smtpUser", `"mailer"`)},
		production: step{set: to("app.smtpUser", `"mailer"`)}},
	{key: "app.smtpTls",
		staging:    step{set: to("app.smtpTls", `false`)},
		production: step{set: to("app.smtpTls", `false`)}},
	{key: "app.smtpSsl",
		staging:    step{set: map[string]string{"app.smtpSsl": `true`, "app.smtpTls": `false`}},
		production: step{set: map[string]string{"app.smtpSsl": `true`, "app.smtpTls": `false`}}},
	{key: "app.llmProvider",
		staging:    step{set: to("app.llmProvider", `"anthropic"`)},
		production: step{set: to("app.llmProvider", `"anthropic"`)}},
	{key: "app.openaiModel",
		staging:    step{set: to("app.openaiModel", `"gpt-4o"`)},
		production: step{set: to("app.openaiModel", `"gpt-4o"`)}},
	{key: "github.repository",
		staging:    step{set: to("github.repository", `"ohmycoins/infra"`)},
		production: step{set: to("github.repository", `"ohmycoins/infra"`)}},
	{key: "github.oidcProviderArn",
		staging:    step{set: to("github.oidcProviderArn", `"arn:aws:iam::210987654321:oidc-provider/token.actions.githubusercontent.com"`)},
		production: step{set: to("github.oidcProviderArn", `"arn:aws:iam::210987654321:oidc-provider/token.actions.githubusercontent.com"`)}},
	{key: "dns.zoneName",
		staging:    step{set: to("dns.zoneName", `"staging.ohmycoins.com"`)},
		production: step{set: to("dns.zoneName", `""`)}},
	{key: "policy.waivers",
		staging:    step{set: to("policy.waivers", `{"RDS.17": "an example"}`)},
		production: step{set: to("policy.waivers", `{"RDS.17": "an example"}`)}},
	{key: "secretKey",
		staging:    step{secret: true, set: to("secretKey", `"0123456789abcdef0123456789abcdef-rotated"`)},
		production: step{secret: true, set: to("secretKey", `"0123456789abcdef0123456789abcdef-rotated"`)}},
	{key: "firstSuperuserPassword",
		staging:    step{secret: true, set: to("firstSuperuserPassword", `"a new strong password"`)},
		production: step{secret: true, set: to("firstSuperuserPassword", `"a new strong password"`)}},
	{key: "openaiApiKey",
		staging:    step{secret: true, set: to("openaiApiKey", `"sk-rotated"`)},
		production: step{secret: true, set: to("openaiApiKey", `"sk-rotated"`)}},
	{key: "redisAuthToken",
		staging:    step{secret: true, set: to("redisAuthToken", `"Rotated-Redis-Token-0123456789"`)},
		production: step{secret: true, set: to("redisAuthToken", `"Rotated-Redis-Token-0123456789"`)}},
	{key: "smtpPassword",
		staging:    step{secret: true, set: to("smtpPassword", `"smtp-secret"`)},
		production: step{secret: true, set: to("smtpPassword", `"smtp-secret"`)}},
	{key: "sentryDsn",
		staging:    step{secret: true, set: to("sentryDsn", `"https://key@sentry.io/1"`)},
		production: step{secret: true, set: to("sentryDsn", `"https://key@sentry.io/1"`)}},
	{key: "cryptopanicApiKey",
		staging:    step{secret: true, set: to("cryptopanicApiKey", `"cp-key"`)},
		production: step{secret: true, set: to("cryptopanicApiKey", `"cp-key"`)}},
	{key: "newscatcherApiKey",
		staging:    step{secret: true, set: to("newscatcherApiKey", `"nc-key"`)},
		production: step{secret: true, set: to("newscatcherApiKey", `"nc-key"`)}},
	{key: "nansenApiKey",
		staging:    step{secret: true, set: to("nansenApiKey", `"nansen-key"`)},
		production: step{secret: true, set: to("nansenApiKey", `"nansen-key"`)}},
	{key: "cost.natGatewayGbPerMonth",
		staging:    step{set: to("cost.natGatewayGbPerMonth", `50`)},
		production: step{set: to("cost.natGatewayGbPerMonth", `200`)}},
	{key: "cost.loadBalancerLcus",
		staging:    step{set: to("cost.loadBalancerLcus", `1`)},
		production: step{set: to("cost.loadBalancerLcus", `3`)}},
	{key: "cost.appLogGbPerMonth",
		staging:    step{set: to("cost.appLogGbPerMonth", `4`)},
		production: step{set: to("cost.appLogGbPerMonth", `20`)}},
	{key: "cost.flowLogGbPerMonth",
		staging:    step{set: to("cost.flowLogGbPerMonth", `10`)},
		production: step{set: to("cost.flowLogGbPerMonth", `40`)}},
	{key: "cost.endpointGbPerMonth",
		staging:    step{set: to("cost.endpointGbPerMonth", `10`)},
		production: step{set: to("cost.endpointGbPerMonth", `40`)}},
	{key: "cost.imageGbPerRepository",
		staging:    step{set: to("cost.imageGbPerRepository", `5`)},
		production: step{set: to("cost.imageGbPerRepository", `5`)}},
	{key: "cost.accessLogGbStored",
		staging:    step{set: to("cost.accessLogGbStored", `2`)},
		production: step{set: to("cost.accessLogGbStored", `20`)}},
	{key: "budget.monthlyUsd",
		staging:    step{set: to("budget.monthlyUsd", `300`)},
		production: step{set: to("budget.monthlyUsd", `900`)}},
	{key: "budget.marginPercent",
		staging:    step{set: to("budget.marginPercent", `30`)},
		production: step{set: to("budget.marginPercent", `30`)}},
	{key: "backend.role",
		staging:    step{set: to("backend.role", `"worker"`)},
		production: step{set: to("backend.role", `"web"`)}},
	{key: "backend.dataAccess",
		staging:    step{set: to("backend.dataAccess", `true`)},
		production: step{set: to("backend.dataAccess", `true`)}},
	{key: "backend.command",
		staging:    step{set: to("backend.command", `["fastapi", "run", "--workers", "2", "app/main.py"]`)},
		production: step{set: to("backend.command", `["fastapi", "run", "--workers", "4", "app/main.py"]`)}},
	{key: "frontend.role",
		staging:    step{set: to("frontend.role", `"api"`)},
		production: step{set: to("frontend.role", `"worker"`)}},
	{key: "frontend.dataAccess",
		staging:    step{set: to("frontend.dataAccess", `true`)},
		production: step{set: to("frontend.dataAccess", `true`)}},
	{key: "frontend.command",
		staging:    step{set: to("frontend.command", `["nginx", "-g", "daemon off;"]`)},
		production: step{set: to("frontend.command", `["nginx", "-g", "daemon off;"]`)}},
	{key: "services",
		staging:    step{set: to("services", `{"worker": {"role": "worker", "dataAccess": true, "imageDigest": "`+workerDigest+`", "command": ["python", "-m", "app.worker"]}}`)},
		production: step{set: to("services", `{"worker": {"role": "worker", "dataAccess": true, "imageDigest": "`+workerDigest+`", "command": ["python", "-m", "app.worker"], "desiredCount": 2}}`)}},
}

func TestUpdateMatrixCoversEverySettableKey(t *testing.T) {
	t.Parallel()
	covered := map[string]bool{}
	for _, k := range matrix {
		require.False(t, covered[k.key], "%s has two rows", k.key)
		covered[k.key] = true
	}
	for _, key := range stacks.SettableKeys() {
		require.True(t, covered[key], "the update matrix has no row for ohmycoins:%s: give it a second value, then go test ./tests -run TestUpdateMatrix -update", key)
	}
	require.Len(t, covered, len(stacks.SettableKeys()), "every row is a settable key")
}

// dataHolding are the resources no ordinary change may replace or delete in production.
var dataHolding = []string{
	"aws:rds/instance:Instance", "aws:elasticache/replicationGroup:ReplicationGroup", "aws:secretsmanager/secret:Secret",
	"aws:kms/key:Key", "aws:cloudwatch/logGroup:LogGroup", "aws:ecr/repository:Repository", "aws:s3/bucketV2:BucketV2",
}

func TestUpdateMatrix(t *testing.T) {
	baseline := map[string]*stackplan.Plan{}
	for _, stack := range allStacks {
		baseline[stack] = previewtest.Stack(t, stack, func(o *preview.Options) { o.Set = deployedImages() }).Plan
	}
	var mu sync.Mutex
	got := map[string]string{}
	t.Run("steps", func(t *testing.T) {
		for _, k := range matrix {
			for _, stack := range allStacks {
				s := k.staging
				if stack == "production" {
					s = k.production
				}
				t.Run(k.key+"/"+stack, func(t *testing.T) {
					t.Parallel()
					o := run(t, stack, s, baseline[stack], k.key)
					mu.Lock()
					got[entryTitle(k.key, stack, s)] = o.String()
					mu.Unlock()
				})
			}
		}
	})
	var text strings.Builder
	text.WriteString("# What each settable key does to a live stack, the update matrix of tests/update_matrix_test.go:\n" +
		"# written by `go test ./tests -run TestUpdateMatrix -update`; a change here is a change of what pulumi up does.\n" +
		"# <op> <type> <name>: + create, ~ update, +- replace, -+ replace deleting first, - delete; (inputs) force a replacement; ! pulumi up fails on it.\n" +
		"# A step that renames every resource, or whose new provider replaces every one, lists only what fails or deletes first.\n")
	for _, k := range matrix {
		for _, stack := range allStacks {
			s := k.staging
			if stack == "production" {
				s = k.production
			}
			title := entryTitle(k.key, stack, s)
			fmt.Fprintf(&text, "\n## %s\n%s", title, got[title])
		}
	}
	if *update {
		require.NoError(t, os.WriteFile(matrixFile, []byte(text.String()), 0o644))
		return
	}
	want, err := os.ReadFile(matrixFile)
	require.NoError(t, err, "go test ./tests -run TestUpdateMatrix -update writes it")
	require.Equal(t, string(want), text.String(), "the update matrix changed: review the difference, then go test ./tests -run TestUpdateMatrix -update")
}

// run previews one step against the baseline and returns what it does; in
// production it also fails what would lose data or fail pulumi up.
func run(t *testing.T, stack string, s step, baseline *stackplan.Plan, key string) outcome {
	result, err := preview.Preview(matrixOptions(t, stack, s))
	if err != nil {
		var verr *stacks.ValidationError
		require.ErrorAs(t, err, &verr, "%s = %v in %s", key, s.set, stack)
		return outcome{refused: strings.Join(verr.Problems, "\n")}
	}
	d := stackplan.Diff(baseline, result.Plan)
	var o outcome
	o.changes, o.recreated, o.reprovided = notation(d, baseline)
	if stack == "production" && !o.recreated {
		for _, c := range d.Changes {
			if slices.Contains(dataHolding, c.Type) && (c.Op == stackplan.OpReplace || c.Op == stackplan.OpDelete) {
				t.Errorf("%s replaces or deletes %s %s in production, which holds data: refuse it in validation", key, c.Type, c.Name)
			}
			if len(c.Blocked) > 0 {
				t.Errorf("%s makes pulumi up fail on %s %s in production: %v", key, c.Type, c.Name, c.Blocked)
			}
		}
	}
	return o
}

// entryTitle names a step in the matrix file: the key, the stack and the values set.
func entryTitle(key, stack string, s step) string {
	var set []string
	for _, k := range slices.Sorted(maps.Keys(s.set)) {
		v := s.set[k]
		if s.secret {
			v = "[secret]"
		}
		set = append(set, k+" = "+v)
	}
	return fmt.Sprintf("%s in %s: %s", key, stack, strings.Join(set, ", "))
}

// String writes an outcome as the matrix file has it, one line each.
func (o outcome) String() string {
	var b strings.Builder
	switch {
	case o.refused != "":
		b.WriteString("refused:\n")
		for _, line := range strings.Split(o.refused, "\n") {
			b.WriteString("  " + line + "\n")
		}
		return b.String()
	case o.recreated:
		b.WriteString("recreates every resource under new names\n")
	case o.reprovided:
		b.WriteString("a new provider replaces every resource; those deleting first or failing:\n")
	case len(o.changes) == 0:
		return "no change\n"
	}
	changes := slices.Clone(o.changes)
	slices.Sort(changes)
	for _, c := range changes {
		b.WriteString("  " + c + "\n")
	}
	return b.String()
}

// matrixOptions turns a step into preview options: a leaf key is merged into
// its area's object as the stack file has it.
// deployedImages is the matrix's starting point: a live stack whose services
// run images (the committed stack files await their first image).
func deployedImages() map[string]string {
	return map[string]string{
		"ohmycoins:backend":  `{"imageDigest": "sha256:` + strings.Repeat("b1", 32) + `"}`,
		"ohmycoins:frontend": `{"imageDigest": "sha256:` + strings.Repeat("f1", 32) + `"}`,
	}
}

func matrixOptions(t *testing.T, stack string, s step) preview.Options {
	dir, err := filepath.Abs(projectDir)
	require.NoError(t, err)
	cfg, err := preview.ReadStackConfig(dir, stack)
	require.NoError(t, err)
	o := preview.Options{Dir: projectDir, Stack: stack, Set: deployedImages(), SetSecret: map[string]string{}}
	for key, value := range s.set {
		area, leaf, nested := strings.Cut(key, ".")
		full := stacks.Project + ":" + area
		if !nested {
			var str string
			if json.Unmarshal([]byte(value), &str) == nil {
				value = str // a scalar key takes the raw string, as pulumi config set writes it
			}
			if s.secret {
				o.SetSecret[full] = value
			} else {
				o.Set[full] = value
			}
			continue
		}
		object := map[string]any{}
		if raw, ok := o.Set[full]; ok {
			require.NoError(t, json.Unmarshal([]byte(raw), &object))
		} else if raw, ok := cfg.Values[full]; ok {
			require.NoError(t, json.Unmarshal([]byte(raw), &object))
		}
		var v any
		require.NoError(t, json.Unmarshal([]byte(value), &v), "%s = %s", key, value)
		setPath(object, strings.Split(leaf, "."), v)
		b, err := json.Marshal(object)
		require.NoError(t, err)
		o.Set[full] = string(b)
	}
	return o
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

// notation writes a diff in the matrix's notation; a diff that deletes every
// resource of the old plan and creates every one of the new is "recreated",
// with only its failures listed; one whose new provider replaces every
// resource is "reprovided", with only its deletes-first and failures listed.
func notation(d stackplan.PlanDiff, old *stackplan.Plan) (changes []string, recreated, reprovided bool) {
	prefix := ""
	for _, r := range old.Resources {
		if r.Type == "pulumi:providers:aws" {
			prefix = strings.TrimSuffix(r.Name, "-aws") + "-"
		}
	}
	recreated = d.Count(stackplan.OpDelete) >= len(old.Resources)-1 && d.Count(stackplan.OpUpdate) == 0 && d.Count(stackplan.OpReplace) == 0
	reprovided = slices.ContainsFunc(d.Changes, func(c stackplan.Change) bool { return c.Type == "pulumi:providers:aws" && c.Op == stackplan.OpReplace })
	for _, c := range d.Changes {
		reprovided = reprovided && c.Op == stackplan.OpReplace && (c.Type == "pulumi:providers:aws" || slices.Contains(c.ReplaceBecause, "provider"))
	}
	for _, c := range d.Changes {
		if recreated && len(c.Blocked) == 0 ||
			reprovided && len(c.Blocked) == 0 && !c.DeleteFirst && c.Type != "pulumi:providers:aws" {
			continue
		}
		symbol := map[stackplan.Op]string{stackplan.OpCreate: "+", stackplan.OpUpdate: "~", stackplan.OpReplace: "+-", stackplan.OpDelete: "-"}[c.Op]
		if c.Op == stackplan.OpReplace && c.DeleteFirst {
			symbol = "-+"
		}
		typ := c.Type
		if parts := strings.Split(typ, ":"); len(parts) == 3 {
			switch parts[0] {
			case "aws":
				typ = parts[1]
			case stacks.Project:
				typ = parts[1] + ":" + parts[2] // a component: dns:Certificate
			default:
				typ = parts[0] + ":" + parts[1]
			}
		}
		line := symbol + " " + typ + " " + strings.TrimPrefix(c.Name, prefix)
		if len(c.ReplaceBecause) > 0 {
			line += " (" + strings.Join(c.ReplaceBecause, ", ") + ")"
		}
		if len(c.Blocked) > 0 {
			line += " !"
		}
		changes = append(changes, line)
	}
	return changes, recreated, reprovided
}

// buildContext is a directory with a Dockerfile, for the build rows; relative
// to the project, as a stack file would give it.
const buildContext = "tests/testdata/build-context"
