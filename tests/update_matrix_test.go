package tests

import (
	"encoding/json"
	"flag"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
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
// changes asserted with what happens to it. A reviewer reads what each knob
// does to production here; `go test ./tests -run TestUpdateMatrix -matrix`
// prints what the program does now, in the table's own notation.
//
// Notation of a change: "<op> <type> <name>", with
//   - op: + create, ~ update, +- replace, -+ replace deleting first, - delete;
//   - type: the middle of the type token (rds/instance for aws:rds/instance:Instance;
//     dns:Certificate for the component ohmycoins:dns:Certificate);
//   - name: the logical name without the stack's prefix;
//   - "(a, b)" after a replacement: the inputs that force it;
//   - " !" at the end: pulumi up would fail on it (a protected resource, a collision).

var printMatrix = flag.Bool("matrix", false, "print the update matrix as the program behaves now")

// step is what one value of a knob does in one stack.
type step struct {
	// set are the changes to make: a leaf key (database.instanceClass) or a
	// scalar key (domain) to its raw value (JSON for lists and objects).
	set map[string]string
	// secret sets set as stack secrets.
	secret bool
	// refused is a fragment of the validation problem, when validation refuses the value.
	refused string
	// changes are the expected changes, in the notation above.
	changes []string
	// recreated says the change recreates every resource under new logical
	// names; changes then lists only what would fail.
	recreated bool
}

// knob is one row: a key, and the step taken in each stack.
type knob struct {
	key                 string
	staging, production step
}

func to(key, value string) map[string]string { return map[string]string{key: value} }

// matrix is the table. Keys not listed here fail TestUpdateMatrixCoversEverySettableKey.
var matrix = []knob{
	{key: "environment",
		staging:    step{set: to("environment", `"production"`), refused: "must be staging in the stack staging: another environment's preset would rename and reshape every resource of the live stack; create a new stack for it (pulumi stack init)"},
		production: step{set: to("environment", `"staging"`), refused: "must be production in the stack production: another environment's preset would rename and reshape every resource of the live stack; create a new stack for it (pulumi stack init)"}},
	{key: "namePrefix",
		staging: step{set: to("namePrefix", `"ohmycoins-stg"`), recreated: true, changes: []string{
			"+ route53/record ohmycoins-stg-alias-api.staging.ohmycoins.com !",
			"+ route53/record ohmycoins-stg-alias-dashboard.staging.ohmycoins.com !",
		}},
		production: step{set: to("namePrefix", `"ohmycoins-production"`), refused: "must stay \"ohmycoins-prod\" in the production stack: every physical name derives from it, so a new prefix replaces every resource, the database, the cache and the secret among them. To move production, build the new environment as a new stack and restore the data into it (docs/RUNBOOK.md, \"Moving production\")"}},
	{key: "region",
		staging: step{set: map[string]string{"region": `"ap-southeast-1"`, "network.availabilityZones": `["ap-southeast-1a", "ap-southeast-1b"]`}, changes: []string{
			"+- acm/certificate certificate (provider)",
			"+- acm/certificateValidation certificate-validation (certificateArn, provider)",
			"+- budgets/budget monthly-budget (provider) !",
			"+- cloudwatch/dashboard infrastructure (provider) !",
			"+- cloudwatch/eventRule backend-secret-rotated (provider)",
			"+- cloudwatch/eventTarget backend-secret-rotated-redeploy (provider)",
			"+- cloudwatch/logGroup backend-logs (provider)",
			"+- cloudwatch/logGroup backend-redeploy-logs (provider)",
			"+- cloudwatch/logGroup frontend-logs (provider)",
			"+- cloudwatch/logGroup postgres-postgresql-logs (provider)",
			"+- cloudwatch/logGroup postgres-upgrade-logs (provider)",
			"+- cloudwatch/logGroup redis-engine-log (provider)",
			"+- cloudwatch/logGroup redis-slow-log (provider)",
			"+- cloudwatch/metricAlarm alb-high-5xx-errors (provider)",
			"+- cloudwatch/metricAlarm alb-unhealthy-targets (provider)",
			"+- cloudwatch/metricAlarm ecs-high-cpu (provider)",
			"+- cloudwatch/metricAlarm ecs-high-memory (provider)",
			"+- cloudwatch/metricAlarm rds-high-cpu (provider)",
			"+- cloudwatch/metricAlarm rds-low-storage (provider)",
			"+- cloudwatch/metricAlarm redis-high-cpu (provider)",
			"+- cloudwatch/metricAlarm redis-low-cache-hit-rate (provider)",
			"+- ec2/defaultSecurityGroup default-sg (provider)",
			"+- ec2/eip nat-eip-1 (provider)",
			"+- ec2/internetGateway igw (provider)",
			"-+ ec2/natGateway nat-gateway-1 (provider)",
			"+- ec2/route private-app-nat-route-1 (provider)",
			"+- ec2/route private-app-nat-route-2 (provider)",
			"+- ec2/route public-internet-route (provider)",
			"+- ec2/routeTable private-app-rt-1 (provider)",
			"+- ec2/routeTable private-app-rt-2 (provider)",
			"+- ec2/routeTable private-db-rt-1 (provider)",
			"+- ec2/routeTable private-db-rt-2 (provider)",
			"+- ec2/routeTable public-rt (provider)",
			"+- ec2/routeTableAssociation private-app-subnet-1-rta (provider)",
			"+- ec2/routeTableAssociation private-app-subnet-2-rta (provider)",
			"+- ec2/routeTableAssociation private-db-subnet-1-rta (provider)",
			"+- ec2/routeTableAssociation private-db-subnet-2-rta (provider)",
			"+- ec2/routeTableAssociation public-subnet-1-rta (provider)",
			"+- ec2/routeTableAssociation public-subnet-2-rta (provider)",
			"+- ec2/securityGroup alb-sg (provider)",
			"+- ec2/securityGroup backend-sg (provider)",
			"+- ec2/securityGroup frontend-sg (provider)",
			"+- ec2/securityGroup rds-sg (provider)",
			"+- ec2/securityGroup redis-sg (provider)",
			"+- ec2/subnet private-app-subnet-1 (availabilityZone, provider)",
			"+- ec2/subnet private-app-subnet-2 (availabilityZone, provider)",
			"+- ec2/subnet private-db-subnet-1 (availabilityZone, provider)",
			"+- ec2/subnet private-db-subnet-2 (availabilityZone, provider)",
			"+- ec2/subnet public-subnet-1 (availabilityZone, provider)",
			"+- ec2/subnet public-subnet-2 (availabilityZone, provider)",
			"+- ec2/vpc vpc (provider)",
			"+- ec2/vpcEndpoint s3-endpoint (provider, serviceName)",
			"-+ ecr/lifecyclePolicy backend-lifecycle (provider)",
			"-+ ecr/lifecyclePolicy frontend-lifecycle (provider)",
			"+- ecr/repository backend (encryptionConfigurations, encryptionConfigurations.kmsKey, provider)",
			"+- ecr/repository frontend (encryptionConfigurations, encryptionConfigurations.kmsKey, provider)",
			"+- ecs/cluster cluster (provider)",
			"+- ecs/service backend-service (cluster, provider)",
			"+- ecs/service frontend-service (cluster, provider)",
			"+- ecs/taskDefinition backend (containerDefinitions, provider)",
			"+- ecs/taskDefinition frontend (containerDefinitions, provider)",
			"+- elasticache/parameterGroup redis7 (provider)",
			"+- elasticache/replicationGroup redis (kmsKeyId, provider)",
			"+- elasticache/subnetGroup redis-subnet-group (provider)",
			"+- iam/policy github-deploy-platform (provider) !",
			"+- iam/policy github-deploy-services (provider) !",
			"+- iam/policy github-deploy-state (provider) !",
			"+- iam/role backend-redeploy-role (provider) !",
			"+- iam/role backend-secret-rotated-role (provider) !",
			"+- iam/role ecs-task-execution-role (provider) !",
			"+- iam/role ecs-task-role (provider) !",
			"+- iam/role github-deploy (provider) !",
			"+- iam/role github-preview (provider) !",
			"+- iam/role rds-monitoring-role (provider) !",
			"+- iam/rolePolicy backend-redeploy-policy (provider) !",
			"+- iam/rolePolicy backend-secret-rotated-policy (provider) !",
			"+- iam/rolePolicy ecs-task-exec (provider) !",
			"+- iam/rolePolicy ecs-task-execution-secrets (provider) !",
			"+- iam/rolePolicy github-preview-state (provider) !",
			"+- iam/rolePolicyAttachment ecs-task-execution-policy (provider) !",
			"+- iam/rolePolicyAttachment github-deploy-platform (provider) !",
			"+- iam/rolePolicyAttachment github-deploy-read-only (provider) !",
			"+- iam/rolePolicyAttachment github-deploy-services (provider) !",
			"+- iam/rolePolicyAttachment github-deploy-state (provider) !",
			"+- iam/rolePolicyAttachment github-preview-read-only (provider) !",
			"+- iam/rolePolicyAttachment rds-monitoring-policy (provider) !",
			"+- kms/alias key-alias (provider)",
			"+- kms/key key (provider)",
			"+- lb/listener http (loadBalancerArn, provider)",
			"+- lb/listener https (loadBalancerArn, provider)",
			"+- lb/listenerRule api-host-rule (listenerArn, provider)",
			"+- lb/listenerRule api-paths-rule (listenerArn, provider)",
			"+- lb/loadBalancer alb (provider)",
			"+- lb/targetGroup backend-tg (provider)",
			"+- lb/targetGroup frontend-tg (provider)",
			"+- pulumi:providers aws (region)",
			"+- rds/instance postgres (kmsKeyId, provider)",
			"+- rds/parameterGroup postgres17 (provider)",
			"+- rds/subnetGroup db-subnet-group (provider)",
			"+- route53/record alias-api.staging.ohmycoins.com (provider) !",
			"+- route53/record alias-dashboard.staging.ohmycoins.com (provider) !",
			"+- route53/record certificate-validation-1 (provider) !",
			"+- route53/record certificate-validation-2 (provider) !",
			"+- route53/record certificate-validation-3 (provider) !",
			"+- secretsmanager/secret app-secrets (provider)",
			"+- secretsmanager/secretVersion app-secrets-version (provider, secretId)",
			"+- sfn/stateMachine backend-redeploy (provider)",
			"+- sns/topic alerts (provider)",
			"+- sns/topicPolicy alerts-policy (arn, provider)",
			"+- sns/topicSubscription alerts-email-1 (provider, topic)",
			"+- vpc/securityGroupEgressRule alb-sg-out-backend (provider)",
			"+- vpc/securityGroupEgressRule alb-sg-out-frontend (provider)",
			"+- vpc/securityGroupEgressRule backend-sg-out-https (provider)",
			"+- vpc/securityGroupEgressRule backend-sg-out-postgres (provider)",
			"+- vpc/securityGroupEgressRule backend-sg-out-redis (provider)",
			"+- vpc/securityGroupEgressRule frontend-sg-out-https (provider)",
			"+- vpc/securityGroupIngressRule alb-sg-in-http-ipv4 (provider)",
			"+- vpc/securityGroupIngressRule alb-sg-in-http-ipv6 (provider)",
			"+- vpc/securityGroupIngressRule alb-sg-in-https-ipv4 (provider)",
			"+- vpc/securityGroupIngressRule alb-sg-in-https-ipv6 (provider)",
			"+- vpc/securityGroupIngressRule backend-sg-in-backend (provider)",
			"+- vpc/securityGroupIngressRule frontend-sg-in-frontend (provider)",
			"+- vpc/securityGroupIngressRule rds-sg-in-postgres (provider)",
			"+- vpc/securityGroupIngressRule redis-sg-in-redis (provider)",
		}},
		production: step{set: map[string]string{"region": `"ap-southeast-1"`, "network.availabilityZones": `["ap-southeast-1a", "ap-southeast-1b", "ap-southeast-1c"]`}, refused: "must stay \"ap-southeast-2\" in the production stack: a new region replaces every resource, the database, the cache and the secret among them. To move production, build the new environment as a new stack and restore the data into it (docs/RUNBOOK.md, \"Moving production\")"}},
	{key: "accountId",
		staging: step{set: to("accountId", `"210987654321"`), changes: []string{
			"~ pulumi:providers aws",
		}},
		production: step{set: to("accountId", `"210987654321"`), changes: []string{
			"~ pulumi:providers aws",
		}}},
	{key: "domain",
		staging: step{set: to("domain", `"stage.ohmycoins.com"`), changes: []string{
			"+- acm/certificate certificate (domainName, subjectAlternativeNames)",
			"+- acm/certificateValidation certificate-validation (validationRecordFqdns)",
			"+- ecs/taskDefinition backend (containerDefinitions)",
			"+- ecs/taskDefinition frontend (containerDefinitions)",
			"+- route53/record certificate-validation-1 (name)",
			"+- route53/record certificate-validation-2 (name)",
			"+- route53/record certificate-validation-3 (name)",
			"+- secretsmanager/secretVersion app-secrets-version (secretString)",
			"- route53/record alias-api.staging.ohmycoins.com",
			"- route53/record alias-dashboard.staging.ohmycoins.com",
			"~ ecs/service backend-service",
			"~ ecs/service frontend-service",
			"~ iam/policy github-deploy-platform",
			"~ lb/listenerRule api-host-rule",
			"+ route53/record alias-api.stage.ohmycoins.com",
			"+ route53/record alias-dashboard.stage.ohmycoins.com",
		}},
		production: step{set: to("domain", `"app.ohmycoins.com"`), changes: []string{
			"+- acm/certificate certificate (domainName, subjectAlternativeNames)",
			"+- acm/certificateValidation certificate-validation (validationRecordFqdns)",
			"+- ecs/taskDefinition backend (containerDefinitions)",
			"+- ecs/taskDefinition frontend (containerDefinitions)",
			"+- route53/record certificate-validation-1 (name)",
			"+- route53/record certificate-validation-2 (name)",
			"+- route53/record certificate-validation-3 (name)",
			"+- secretsmanager/secretVersion app-secrets-version (secretString)",
			"- route53/record alias-api.ohmycoins.com",
			"- route53/record alias-dashboard.ohmycoins.com",
			"- route53/record alias-ohmycoins.com",
			"- route53/record alias-www.ohmycoins.com",
			"- route53/record certificate-validation-4",
			"~ ecs/service backend-service",
			"~ ecs/service frontend-service",
			"~ iam/policy github-deploy-platform",
			"~ lb/listenerRule api-host-rule",
			"+ route53/record alias-api.app.ohmycoins.com",
			"+ route53/record alias-dashboard.app.ohmycoins.com",
		}}},
	{key: "certificateArn",
		staging: step{set: to("certificateArn", `"arn:aws:acm:ap-southeast-2:123456789012:certificate/11111111-2222-3333-4444-555555555555"`), changes: []string{
			"- acm/certificate certificate",
			"- acm/certificateValidation certificate-validation",
			"- dns:Certificate ohmycoins-staging",
			"- route53/record certificate-validation-1",
			"- route53/record certificate-validation-2",
			"- route53/record certificate-validation-3",
			"~ lb/listener https",
		}},
		production: step{set: to("certificateArn", `"arn:aws:acm:ap-southeast-2:123456789012:certificate/11111111-2222-3333-4444-555555555555"`), changes: []string{
			"- acm/certificate certificate",
			"- acm/certificateValidation certificate-validation",
			"- dns:Certificate ohmycoins-prod",
			"- route53/record certificate-validation-1",
			"- route53/record certificate-validation-2",
			"- route53/record certificate-validation-3",
			"- route53/record certificate-validation-4",
			"~ lb/listener https",
		}}},
	{key: "alertEmails",
		staging: step{set: to("alertEmails", `["devops@ohmycoins.com", "qa@ohmycoins.com"]`), changes: []string{
			"+ sns/topicSubscription alerts-email-2",
		}},
		production: step{set: to("alertEmails", `["devops@ohmycoins.com"]`), changes: []string{
			"- sns/topicSubscription alerts-email-2",
		}}},
	{key: "network.vpcCidr",
		staging: step{set: map[string]string{"network.vpcCidr": `"10.20.0.0/16"`, "network.publicSubnetCidrs": `["10.20.1.0/24", "10.20.2.0/24"]`, "network.appSubnetCidrs": `["10.20.11.0/24", "10.20.12.0/24"]`, "network.dataSubnetCidrs": `["10.20.21.0/24", "10.20.22.0/24"]`}, changes: []string{
			"+- ec2/defaultSecurityGroup default-sg (vpcId)",
			"-+ ec2/natGateway nat-gateway-1 (subnetId)",
			"+- ec2/route private-app-nat-route-1 (routeTableId)",
			"+- ec2/route private-app-nat-route-2 (routeTableId)",
			"+- ec2/route public-internet-route (routeTableId)",
			"+- ec2/routeTable private-app-rt-1 (vpcId)",
			"+- ec2/routeTable private-app-rt-2 (vpcId)",
			"+- ec2/routeTable private-db-rt-1 (vpcId)",
			"+- ec2/routeTable private-db-rt-2 (vpcId)",
			"+- ec2/routeTable public-rt (vpcId)",
			"+- ec2/routeTableAssociation private-app-subnet-1-rta (subnetId)",
			"+- ec2/routeTableAssociation private-app-subnet-2-rta (subnetId)",
			"+- ec2/routeTableAssociation private-db-subnet-1-rta (subnetId)",
			"+- ec2/routeTableAssociation private-db-subnet-2-rta (subnetId)",
			"+- ec2/routeTableAssociation public-subnet-1-rta (subnetId)",
			"+- ec2/routeTableAssociation public-subnet-2-rta (subnetId)",
			"+- ec2/securityGroup alb-sg (name)",
			"+- ec2/securityGroup backend-sg (name)",
			"+- ec2/securityGroup frontend-sg (name)",
			"+- ec2/securityGroup rds-sg (name)",
			"+- ec2/securityGroup redis-sg (name)",
			"+- ec2/subnet private-app-subnet-1 (cidrBlock)",
			"+- ec2/subnet private-app-subnet-2 (cidrBlock)",
			"+- ec2/subnet private-db-subnet-1 (cidrBlock)",
			"+- ec2/subnet private-db-subnet-2 (cidrBlock)",
			"+- ec2/subnet public-subnet-1 (cidrBlock)",
			"+- ec2/subnet public-subnet-2 (cidrBlock)",
			"+- ec2/vpc vpc (cidrBlock)",
			"+- ec2/vpcEndpoint s3-endpoint (vpcId)",
			"+- lb/targetGroup backend-tg (name)",
			"+- lb/targetGroup frontend-tg (name)",
			"+- vpc/securityGroupEgressRule alb-sg-out-backend (securityGroupId)",
			"+- vpc/securityGroupEgressRule alb-sg-out-frontend (securityGroupId)",
			"+- vpc/securityGroupEgressRule backend-sg-out-https (securityGroupId)",
			"+- vpc/securityGroupEgressRule backend-sg-out-postgres (securityGroupId)",
			"+- vpc/securityGroupEgressRule backend-sg-out-redis (securityGroupId)",
			"+- vpc/securityGroupEgressRule frontend-sg-out-https (securityGroupId)",
			"+- vpc/securityGroupIngressRule alb-sg-in-http-ipv4 (securityGroupId)",
			"+- vpc/securityGroupIngressRule alb-sg-in-http-ipv6 (securityGroupId)",
			"+- vpc/securityGroupIngressRule alb-sg-in-https-ipv4 (securityGroupId)",
			"+- vpc/securityGroupIngressRule alb-sg-in-https-ipv6 (securityGroupId)",
			"+- vpc/securityGroupIngressRule backend-sg-in-backend (securityGroupId)",
			"+- vpc/securityGroupIngressRule frontend-sg-in-frontend (securityGroupId)",
			"+- vpc/securityGroupIngressRule rds-sg-in-postgres (securityGroupId)",
			"+- vpc/securityGroupIngressRule redis-sg-in-redis (securityGroupId)",
			"~ cloudwatch/dashboard infrastructure",
			"~ cloudwatch/metricAlarm alb-unhealthy-targets",
			"~ ec2/internetGateway igw",
			"~ ecs/service backend-service",
			"~ ecs/service frontend-service",
			"~ elasticache/replicationGroup redis",
			"~ elasticache/subnetGroup redis-subnet-group",
			"~ lb/listener https",
			"~ lb/listenerRule api-host-rule",
			"~ lb/listenerRule api-paths-rule",
			"~ lb/loadBalancer alb",
			"~ rds/instance postgres",
			"~ rds/subnetGroup db-subnet-group",
		}},
		production: step{set: map[string]string{"network.vpcCidr": `"10.21.0.0/16"`, "network.publicSubnetCidrs": `["10.21.1.0/24", "10.21.2.0/24", "10.21.3.0/24"]`, "network.appSubnetCidrs": `["10.21.11.0/24", "10.21.12.0/24", "10.21.13.0/24"]`, "network.dataSubnetCidrs": `["10.21.21.0/24", "10.21.22.0/24", "10.21.23.0/24"]`}, refused: "must stay \"10.1.0.0/16\" in the production stack: a new range replaces the VPC and every subnet, and the database and cache cannot follow their subnet groups into another VPC. To move production, build the new environment as a new stack and restore the data into it (docs/RUNBOOK.md, \"Moving production\")"}},
	{key: "network.availabilityZones",
		staging: step{set: to("network.availabilityZones", `["ap-southeast-2a", "ap-southeast-2c"]`), changes: []string{
			"+- ec2/routeTableAssociation private-app-subnet-2-rta (subnetId)",
			"+- ec2/routeTableAssociation private-db-subnet-2-rta (subnetId)",
			"+- ec2/routeTableAssociation public-subnet-2-rta (subnetId)",
			"+- ec2/subnet private-app-subnet-2 (availabilityZone) !",
			"+- ec2/subnet private-db-subnet-2 (availabilityZone) !",
			"+- ec2/subnet public-subnet-2 (availabilityZone) !",
			"~ ecs/service backend-service",
			"~ ecs/service frontend-service",
			"~ elasticache/subnetGroup redis-subnet-group",
			"~ lb/loadBalancer alb",
			"~ rds/subnetGroup db-subnet-group",
		}},
		production: step{set: to("network.availabilityZones", `["ap-southeast-2a", "ap-southeast-2c", "ap-southeast-2b"]`), refused: "must stay [\"ap-southeast-2a\",\"ap-southeast-2b\",\"ap-southeast-2c\"] in the production stack: moving a subnet to another AZ replaces it, and the database's and cache's subnet groups cannot drop the subnets they run in. To move production, build the new environment as a new stack and restore the data into it (docs/RUNBOOK.md, \"Moving production\")"}},
	{key: "network.publicSubnetCidrs",
		staging: step{set: to("network.publicSubnetCidrs", `["10.0.1.0/24", "10.0.3.0/24"]`), changes: []string{
			"+- ec2/routeTableAssociation public-subnet-2-rta (subnetId)",
			"+- ec2/subnet public-subnet-2 (cidrBlock)",
			"~ lb/loadBalancer alb",
		}},
		production: step{set: to("network.publicSubnetCidrs", `["10.1.1.0/24", "10.1.2.0/24", "10.1.4.0/24"]`), changes: []string{
			"-+ ec2/natGateway nat-gateway-3 (subnetId)",
			"+- ec2/routeTableAssociation public-subnet-3-rta (subnetId)",
			"+- ec2/subnet public-subnet-3 (cidrBlock)",
			"~ ec2/route private-app-nat-route-3",
			"~ lb/loadBalancer alb",
		}}},
	{key: "network.appSubnetCidrs",
		staging: step{set: to("network.appSubnetCidrs", `["10.0.11.0/24", "10.0.13.0/24"]`), changes: []string{
			"+- ec2/routeTableAssociation private-app-subnet-2-rta (subnetId)",
			"+- ec2/subnet private-app-subnet-2 (cidrBlock)",
			"~ ecs/service backend-service",
			"~ ecs/service frontend-service",
		}},
		production: step{set: to("network.appSubnetCidrs", `["10.1.11.0/24", "10.1.12.0/24", "10.1.14.0/24"]`), changes: []string{
			"+- ec2/routeTableAssociation private-app-subnet-3-rta (subnetId)",
			"+- ec2/subnet private-app-subnet-3 (cidrBlock)",
			"~ ec2/vpcEndpoint ecr-api-endpoint",
			"~ ec2/vpcEndpoint ecr-dkr-endpoint",
			"~ ec2/vpcEndpoint logs-endpoint",
			"~ ec2/vpcEndpoint secretsmanager-endpoint",
			"~ ecs/service backend-service",
			"~ ecs/service frontend-service",
		}}},
	{key: "network.dataSubnetCidrs",
		staging: step{set: to("network.dataSubnetCidrs", `["10.0.21.0/24", "10.0.23.0/24"]`), changes: []string{
			"+- ec2/routeTableAssociation private-db-subnet-2-rta (subnetId)",
			"+- ec2/subnet private-db-subnet-2 (cidrBlock)",
			"~ elasticache/subnetGroup redis-subnet-group",
			"~ rds/subnetGroup db-subnet-group",
		}},
		production: step{set: to("network.dataSubnetCidrs", `["10.1.21.0/24", "10.1.22.0/24", "10.1.24.0/24"]`), refused: "must stay [\"10.1.21.0/24\",\"10.1.22.0/24\",\"10.1.23.0/24\"] in the production stack: a new range replaces the data subnets, and the database's and cache's subnet groups cannot drop the subnets they run in. To move production, build the new environment as a new stack and restore the data into it (docs/RUNBOOK.md, \"Moving production\")"}},
	{key: "network.natGateways",
		staging: step{set: to("network.natGateways", `"perAz"`), changes: []string{
			"~ ec2/route private-app-nat-route-2",
			"+ ec2/eip nat-eip-2",
			"+ ec2/natGateway nat-gateway-2",
		}},
		production: step{set: to("network.natGateways", `"single"`), changes: []string{
			"- ec2/eip nat-eip-2",
			"- ec2/eip nat-eip-3",
			"- ec2/natGateway nat-gateway-2",
			"- ec2/natGateway nat-gateway-3",
			"~ ec2/route private-app-nat-route-2",
			"~ ec2/route private-app-nat-route-3",
		}}},
	{key: "network.interfaceEndpoints",
		staging: step{set: to("network.interfaceEndpoints", `true`), changes: []string{
			"+ ec2/securityGroup vpce-sg",
			"+ ec2/vpcEndpoint ecr-api-endpoint",
			"+ ec2/vpcEndpoint ecr-dkr-endpoint",
			"+ ec2/vpcEndpoint logs-endpoint",
			"+ ec2/vpcEndpoint secretsmanager-endpoint",
			"+ vpc/securityGroupIngressRule vpce-sg-in-https-backend",
			"+ vpc/securityGroupIngressRule vpce-sg-in-https-frontend",
		}},
		production: step{set: to("network.interfaceEndpoints", `false`), changes: []string{
			"- ec2/securityGroup vpce-sg",
			"- ec2/vpcEndpoint ecr-api-endpoint",
			"- ec2/vpcEndpoint ecr-dkr-endpoint",
			"- ec2/vpcEndpoint logs-endpoint",
			"- ec2/vpcEndpoint secretsmanager-endpoint",
			"- vpc/securityGroupIngressRule vpce-sg-in-https-backend",
			"- vpc/securityGroupIngressRule vpce-sg-in-https-frontend",
		}}},
	{key: "network.flowLogs",
		staging: step{set: to("network.flowLogs", `true`), changes: []string{
			"~ iam/policy github-deploy-services",
			"+ cloudwatch/logGroup flow-logs",
			"+ ec2/flowLog flow-logs",
			"+ iam/role flow-logs-role",
			"+ iam/rolePolicy flow-logs-policy",
		}},
		production: step{set: to("network.flowLogs", `false`), refused: "must stay true in production: turning flow logs off deletes the protected flow-log group and its records (Security Hub EC2.6); to stop paying for them, waive EC2.6 and lower network.flowLogRetentionDays instead"}},
	{key: "network.flowLogRetentionDays",
		staging: step{set: to("network.flowLogRetentionDays", `30`)},
		production: step{set: to("network.flowLogRetentionDays", `30`), changes: []string{
			"~ cloudwatch/logGroup flow-logs",
		}}},
	{key: "network.managementCidrs",
		staging: step{set: to("network.managementCidrs", `["10.8.0.0/16"]`), changes: []string{
			"+ vpc/securityGroupIngressRule rds-sg-in-management-1",
		}},
		production: step{set: to("network.managementCidrs", `["10.8.0.0/16"]`), changes: []string{
			"+ vpc/securityGroupIngressRule rds-sg-in-management-1",
		}}},
	{key: "database.instanceClass",
		staging: step{set: to("database.instanceClass", `"db.t3.small"`), changes: []string{
			"~ rds/instance postgres",
		}},
		production: step{set: to("database.instanceClass", `"db.t3.medium"`), changes: []string{
			"~ rds/instance postgres",
		}}},
	{key: "database.engineVersion",
		staging: step{set: to("database.engineVersion", `"18"`), changes: []string{
			"- rds/parameterGroup postgres17",
			"~ rds/instance postgres",
			"+ rds/parameterGroup postgres18",
		}},
		production: step{set: to("database.engineVersion", `"18"`), changes: []string{
			"- rds/parameterGroup postgres17",
			"~ rds/instance postgres",
			"+ rds/parameterGroup postgres18",
		}}},
	{key: "database.allocatedStorage",
		staging: step{set: to("database.allocatedStorage", `30`), changes: []string{
			"~ rds/instance postgres",
		}},
		production: step{set: to("database.allocatedStorage", `150`), changes: []string{
			"~ rds/instance postgres",
		}}},
	{key: "database.maxAllocatedStorage",
		staging: step{set: to("database.maxAllocatedStorage", `200`), changes: []string{
			"~ rds/instance postgres",
		}},
		production: step{set: to("database.maxAllocatedStorage", `1000`), changes: []string{
			"~ rds/instance postgres",
		}}},
	{key: "database.storageType",
		staging: step{set: to("database.storageType", `"gp2"`), changes: []string{
			"~ rds/instance postgres",
		}},
		production: step{set: to("database.storageType", `"gp2"`), changes: []string{
			"~ rds/instance postgres",
		}}},
	{key: "database.multiAz",
		staging: step{set: to("database.multiAz", `true`), changes: []string{
			"~ rds/instance postgres",
		}},
		production: step{set: to("database.multiAz", `false`), changes: []string{
			"~ rds/instance postgres",
		}}},
	{key: "database.backupRetentionDays",
		staging: step{set: to("database.backupRetentionDays", `7`), changes: []string{
			"~ rds/instance postgres",
		}},
		production: step{set: to("database.backupRetentionDays", `14`), changes: []string{
			"~ rds/instance postgres",
		}}},
	{key: "database.backupWindow",
		staging: step{set: to("database.backupWindow", `"02:00-03:00"`), changes: []string{
			"~ rds/instance postgres",
		}},
		production: step{set: to("database.backupWindow", `"02:00-03:00"`), changes: []string{
			"~ rds/instance postgres",
		}}},
	{key: "database.maintenanceWindow",
		staging: step{set: to("database.maintenanceWindow", `"mon:04:00-mon:05:00"`), changes: []string{
			"~ rds/instance postgres",
		}},
		production: step{set: to("database.maintenanceWindow", `"mon:04:00-mon:05:00"`), changes: []string{
			"~ rds/instance postgres",
		}}},
	{key: "database.deletionProtection",
		staging: step{set: to("database.deletionProtection", `true`), changes: []string{
			"~ rds/instance postgres",
		}},
		production: step{set: to("database.deletionProtection", `false`), changes: []string{
			"~ rds/instance postgres",
		}}},
	{key: "database.skipFinalSnapshot",
		staging: step{set: to("database.skipFinalSnapshot", `false`), changes: []string{
			"~ rds/instance postgres",
		}},
		production: step{set: to("database.skipFinalSnapshot", `true`), changes: []string{
			"~ rds/instance postgres",
		}}},
	{key: "database.performanceInsights",
		staging: step{set: to("database.performanceInsights", `true`), changes: []string{
			"~ rds/instance postgres",
		}},
		production: step{set: to("database.performanceInsights", `false`), changes: []string{
			"~ rds/instance postgres",
		}}},
	{key: "database.performanceInsightsRetentionDays",
		staging: step{set: to("database.performanceInsightsRetentionDays", `31`)},
		production: step{set: to("database.performanceInsightsRetentionDays", `31`), changes: []string{
			"~ rds/instance postgres",
		}}},
	{key: "database.monitoringIntervalSeconds",
		staging: step{set: to("database.monitoringIntervalSeconds", `30`), changes: []string{
			"~ rds/instance postgres",
		}},
		production: step{set: to("database.monitoringIntervalSeconds", `0`), changes: []string{
			"- iam/role rds-monitoring-role",
			"- iam/rolePolicyAttachment rds-monitoring-policy",
			"~ iam/policy github-deploy-services",
			"~ rds/instance postgres",
		}}},
	{key: "database.applyImmediately",
		staging: step{set: to("database.applyImmediately", `false`), changes: []string{
			"~ rds/instance postgres",
			"~ rds/parameterGroup postgres17",
		}},
		production: step{set: to("database.applyImmediately", `true`), changes: []string{
			"~ rds/instance postgres",
			"~ rds/parameterGroup postgres17",
		}}},
	{key: "database.snapshotIdentifier",
		staging:    step{set: to("database.snapshotIdentifier", `"ohmycoins-staging-from-terraform"`)},
		production: step{set: to("database.snapshotIdentifier", `"arn:aws:rds:ap-southeast-2:220711411889:snapshot:ohmycoins-prod-from-terraform"`)}},
	{key: "cache.nodeType",
		staging: step{set: to("cache.nodeType", `"cache.t3.small"`), changes: []string{
			"~ elasticache/replicationGroup redis",
		}},
		production: step{set: to("cache.nodeType", `"cache.t3.medium"`), changes: []string{
			"~ elasticache/replicationGroup redis",
		}}},
	{key: "cache.engineVersion",
		staging:    step{set: to("cache.engineVersion", `"6.2"`), refused: "must not be lower than 7.1: ElastiCache cannot downgrade, so the provider would replace the replication group, which fails on its own id and would lose the data"},
		production: step{set: to("cache.engineVersion", `"6.2"`), refused: "must not be lower than 7.1: ElastiCache cannot downgrade, so the provider would replace the replication group, which fails on its own id and would lose the data"}},
	{key: "cache.nodes",
		staging: step{set: to("cache.nodes", `2`), changes: []string{
			"~ cloudwatch/dashboard infrastructure",
			"~ cloudwatch/metricAlarm redis-high-cpu",
			"~ cloudwatch/metricAlarm redis-low-cache-hit-rate",
			"~ elasticache/replicationGroup redis",
		}},
		production: step{set: to("cache.nodes", `3`), changes: []string{
			"~ cloudwatch/dashboard infrastructure",
			"~ cloudwatch/metricAlarm redis-high-cpu",
			"~ cloudwatch/metricAlarm redis-low-cache-hit-rate",
			"~ elasticache/replicationGroup redis",
		}}},
	{key: "cache.automaticFailover",
		staging: step{set: map[string]string{"cache.automaticFailover": `true`, "cache.nodes": `2`}, changes: []string{
			"~ cloudwatch/dashboard infrastructure",
			"~ cloudwatch/metricAlarm redis-high-cpu",
			"~ cloudwatch/metricAlarm redis-low-cache-hit-rate",
			"~ elasticache/replicationGroup redis",
		}},
		production: step{set: map[string]string{"cache.automaticFailover": `false`, "cache.multiAz": `false`}, changes: []string{
			"~ elasticache/replicationGroup redis",
		}}},
	{key: "cache.multiAz",
		staging: step{set: map[string]string{"cache.multiAz": `true`, "cache.automaticFailover": `true`, "cache.nodes": `2`}, changes: []string{
			"~ cloudwatch/dashboard infrastructure",
			"~ cloudwatch/metricAlarm redis-high-cpu",
			"~ cloudwatch/metricAlarm redis-low-cache-hit-rate",
			"~ elasticache/replicationGroup redis",
		}},
		production: step{set: to("cache.multiAz", `false`), changes: []string{
			"~ elasticache/replicationGroup redis",
		}}},
	{key: "cache.snapshotRetentionDays",
		staging: step{set: to("cache.snapshotRetentionDays", `3`), changes: []string{
			"~ elasticache/replicationGroup redis",
		}},
		production: step{set: to("cache.snapshotRetentionDays", `14`), changes: []string{
			"~ elasticache/replicationGroup redis",
		}}},
	{key: "cache.snapshotWindow",
		staging: step{set: to("cache.snapshotWindow", `"01:00-03:00"`), changes: []string{
			"~ elasticache/replicationGroup redis",
		}},
		production: step{set: to("cache.snapshotWindow", `"01:00-03:00"`), changes: []string{
			"~ elasticache/replicationGroup redis",
		}}},
	{key: "cache.maintenanceWindow",
		staging: step{set: to("cache.maintenanceWindow", `"mon:05:00-mon:07:00"`), changes: []string{
			"~ elasticache/replicationGroup redis",
		}},
		production: step{set: to("cache.maintenanceWindow", `"mon:05:00-mon:07:00"`), changes: []string{
			"~ elasticache/replicationGroup redis",
		}}},
	{key: "cache.applyImmediately",
		staging: step{set: to("cache.applyImmediately", `false`), changes: []string{
			"~ elasticache/parameterGroup redis7",
			"~ elasticache/replicationGroup redis",
		}},
		production: step{set: to("cache.applyImmediately", `true`), changes: []string{
			"~ elasticache/parameterGroup redis7",
			"~ elasticache/replicationGroup redis",
		}}},
	{key: "cache.snapshotName",
		staging:    step{set: to("cache.snapshotName", `"ohmycoins-staging-redis-from-terraform"`)},
		production: step{set: to("cache.snapshotName", `"automatic.ohmycoins-prod-redis-2026-11-27-03-00"`)}},
	{key: "backend.cpu",
		staging: step{set: to("backend.cpu", `512`), changes: []string{
			"+- ecs/taskDefinition backend (cpu)",
			"~ ecs/service backend-service",
		}},
		production: step{set: to("backend.cpu", `512`), changes: []string{
			"+- ecs/taskDefinition backend (cpu)",
			"~ ecs/service backend-service",
		}}},
	{key: "backend.memory",
		staging: step{set: to("backend.memory", `4096`), changes: []string{
			"+- ecs/taskDefinition backend (memory)",
			"~ ecs/service backend-service",
		}},
		production: step{set: to("backend.memory", `4096`), changes: []string{
			"+- ecs/taskDefinition backend (memory)",
			"~ ecs/service backend-service",
		}}},
	{key: "backend.desiredCount",
		staging: step{set: to("backend.desiredCount", `2`), changes: []string{
			"~ ecs/service backend-service",
		}},
		production: step{set: to("backend.desiredCount", `3`)}},
	{key: "backend.imageDigest",
		staging: step{set: to("backend.imageDigest", `"sha256:`+strings.Repeat("77", 32)+`"`), changes: []string{
			"+- ecs/taskDefinition backend (containerDefinitions)",
			"~ ecs/service backend-service",
		}},
		production: step{set: to("backend.imageDigest", `"sha256:`+strings.Repeat("77", 32)+`"`), changes: []string{
			"+- ecs/taskDefinition backend (containerDefinitions)",
			"~ ecs/service backend-service",
		}}},
	{key: "backend.build.context",
		staging: step{set: map[string]string{"backend.imageDigest": `""`, "backend.build.context": `"` + buildContext + `"`}, changes: []string{
			"+- ecs/taskDefinition backend (containerDefinitions)",
			"~ ecs/service backend-service",
			"+ docker:index/image backend-image",
		}},
		production: step{set: map[string]string{"backend.imageDigest": `""`, "backend.build.context": `"` + buildContext + `"`}, changes: []string{
			"+- ecs/taskDefinition backend (containerDefinitions)",
			"~ ecs/service backend-service",
			"+ docker:index/image backend-image",
		}}},
	{key: "backend.build.dockerfile",
		staging: step{set: map[string]string{"backend.imageDigest": `""`, "backend.build.context": `"` + buildContext + `"`, "backend.build.dockerfile": `"Dockerfile"`}, changes: []string{
			"+- ecs/taskDefinition backend (containerDefinitions)",
			"~ ecs/service backend-service",
			"+ docker:index/image backend-image",
		}},
		production: step{set: map[string]string{"backend.imageDigest": `""`, "backend.build.context": `"` + buildContext + `"`, "backend.build.dockerfile": `"Dockerfile"`}, changes: []string{
			"+- ecs/taskDefinition backend (containerDefinitions)",
			"~ ecs/service backend-service",
			"+ docker:index/image backend-image",
		}}},
	{key: "backend.build.target",
		staging: step{set: map[string]string{"backend.imageDigest": `""`, "backend.build.context": `"` + buildContext + `"`, "backend.build.target": `"runtime"`}, changes: []string{
			"+- ecs/taskDefinition backend (containerDefinitions)",
			"~ ecs/service backend-service",
			"+ docker:index/image backend-image",
		}},
		production: step{set: map[string]string{"backend.imageDigest": `""`, "backend.build.context": `"` + buildContext + `"`, "backend.build.target": `"runtime"`}, changes: []string{
			"+- ecs/taskDefinition backend (containerDefinitions)",
			"~ ecs/service backend-service",
			"+ docker:index/image backend-image",
		}}},
	{key: "backend.autoscaling.enabled",
		staging: step{set: to("backend.autoscaling.enabled", `true`), changes: []string{
			"~ ecs/service backend-service",
			"+ appautoscaling/policy backend-cpu-scaling",
			"+ appautoscaling/policy backend-memory-scaling",
			"+ appautoscaling/target backend-scaling-target",
		}},
		production: step{set: to("backend.autoscaling.enabled", `false`), changes: []string{
			"- appautoscaling/policy backend-cpu-scaling",
			"- appautoscaling/policy backend-memory-scaling",
			"- appautoscaling/target backend-scaling-target",
			"~ ecs/service backend-service",
		}}},
	{key: "backend.autoscaling.minCount",
		staging: step{set: to("backend.autoscaling.minCount", `0`)},
		production: step{set: to("backend.autoscaling.minCount", `1`), changes: []string{
			"~ appautoscaling/target backend-scaling-target",
		}}},
	{key: "backend.autoscaling.maxCount",
		staging: step{set: to("backend.autoscaling.maxCount", `3`)},
		production: step{set: to("backend.autoscaling.maxCount", `12`), changes: []string{
			"~ appautoscaling/target backend-scaling-target",
		}}},
	{key: "backend.autoscaling.cpuTargetPercent",
		staging: step{set: to("backend.autoscaling.cpuTargetPercent", `60`)},
		production: step{set: to("backend.autoscaling.cpuTargetPercent", `60`), changes: []string{
			"~ appautoscaling/policy backend-cpu-scaling",
		}}},
	{key: "backend.autoscaling.memoryTargetPercent",
		staging: step{set: to("backend.autoscaling.memoryTargetPercent", `0`)},
		production: step{set: to("backend.autoscaling.memoryTargetPercent", `0`), changes: []string{
			"- appautoscaling/policy backend-memory-scaling",
		}}},
	{key: "frontend.cpu",
		staging: step{set: map[string]string{"frontend.cpu": `512`, "frontend.memory": `1024`}, changes: []string{
			"+- ecs/taskDefinition frontend (cpu, memory)",
			"~ ecs/service frontend-service",
		}},
		production: step{set: map[string]string{"frontend.cpu": `256`, "frontend.memory": `512`}, changes: []string{
			"+- ecs/taskDefinition frontend (cpu, memory)",
			"~ ecs/service frontend-service",
		}}},
	{key: "frontend.memory",
		staging: step{set: to("frontend.memory", `1024`), changes: []string{
			"+- ecs/taskDefinition frontend (memory)",
			"~ ecs/service frontend-service",
		}},
		production: step{set: to("frontend.memory", `2048`), changes: []string{
			"+- ecs/taskDefinition frontend (memory)",
			"~ ecs/service frontend-service",
		}}},
	{key: "frontend.desiredCount",
		staging: step{set: to("frontend.desiredCount", `2`), changes: []string{
			"~ ecs/service frontend-service",
		}},
		production: step{set: to("frontend.desiredCount", `3`)}},
	{key: "frontend.imageDigest",
		staging: step{set: to("frontend.imageDigest", `"sha256:`+strings.Repeat("77", 32)+`"`), changes: []string{
			"+- ecs/taskDefinition frontend (containerDefinitions)",
			"~ ecs/service frontend-service",
		}},
		production: step{set: to("frontend.imageDigest", `"sha256:`+strings.Repeat("77", 32)+`"`), changes: []string{
			"+- ecs/taskDefinition frontend (containerDefinitions)",
			"~ ecs/service frontend-service",
		}}},
	{key: "frontend.build.context",
		staging: step{set: map[string]string{"frontend.imageDigest": `""`, "frontend.build.context": `"` + buildContext + `"`}, changes: []string{
			"+- ecs/taskDefinition frontend (containerDefinitions)",
			"~ ecs/service frontend-service",
			"+ docker:index/image frontend-image",
		}},
		production: step{set: map[string]string{"frontend.imageDigest": `""`, "frontend.build.context": `"` + buildContext + `"`}, changes: []string{
			"+- ecs/taskDefinition frontend (containerDefinitions)",
			"~ ecs/service frontend-service",
			"+ docker:index/image frontend-image",
		}}},
	{key: "frontend.build.dockerfile",
		staging: step{set: map[string]string{"frontend.imageDigest": `""`, "frontend.build.context": `"` + buildContext + `"`, "frontend.build.dockerfile": `"Dockerfile"`}, changes: []string{
			"+- ecs/taskDefinition frontend (containerDefinitions)",
			"~ ecs/service frontend-service",
			"+ docker:index/image frontend-image",
		}},
		production: step{set: map[string]string{"frontend.imageDigest": `""`, "frontend.build.context": `"` + buildContext + `"`, "frontend.build.dockerfile": `"Dockerfile"`}, changes: []string{
			"+- ecs/taskDefinition frontend (containerDefinitions)",
			"~ ecs/service frontend-service",
			"+ docker:index/image frontend-image",
		}}},
	{key: "frontend.build.target",
		staging: step{set: map[string]string{"frontend.imageDigest": `""`, "frontend.build.context": `"` + buildContext + `"`, "frontend.build.target": `"runtime"`}, changes: []string{
			"+- ecs/taskDefinition frontend (containerDefinitions)",
			"~ ecs/service frontend-service",
			"+ docker:index/image frontend-image",
		}},
		production: step{set: map[string]string{"frontend.imageDigest": `""`, "frontend.build.context": `"` + buildContext + `"`, "frontend.build.target": `"runtime"`}, changes: []string{
			"+- ecs/taskDefinition frontend (containerDefinitions)",
			"~ ecs/service frontend-service",
			"+ docker:index/image frontend-image",
		}}},
	{key: "frontend.autoscaling.enabled",
		staging: step{set: to("frontend.autoscaling.enabled", `true`), changes: []string{
			"~ ecs/service frontend-service",
			"+ appautoscaling/policy frontend-cpu-scaling",
			"+ appautoscaling/target frontend-scaling-target",
		}},
		production: step{set: to("frontend.autoscaling.enabled", `false`), changes: []string{
			"- appautoscaling/policy frontend-cpu-scaling",
			"- appautoscaling/target frontend-scaling-target",
			"~ ecs/service frontend-service",
		}}},
	{key: "frontend.autoscaling.minCount",
		staging: step{set: to("frontend.autoscaling.minCount", `0`)},
		production: step{set: to("frontend.autoscaling.minCount", `1`), changes: []string{
			"~ appautoscaling/target frontend-scaling-target",
		}}},
	{key: "frontend.autoscaling.maxCount",
		staging: step{set: to("frontend.autoscaling.maxCount", `3`)},
		production: step{set: to("frontend.autoscaling.maxCount", `8`), changes: []string{
			"~ appautoscaling/target frontend-scaling-target",
		}}},
	{key: "frontend.autoscaling.cpuTargetPercent",
		staging: step{set: to("frontend.autoscaling.cpuTargetPercent", `60`)},
		production: step{set: to("frontend.autoscaling.cpuTargetPercent", `60`), changes: []string{
			"~ appautoscaling/policy frontend-cpu-scaling",
		}}},
	{key: "frontend.autoscaling.memoryTargetPercent",
		staging: step{set: to("frontend.autoscaling.memoryTargetPercent", `75`)},
		production: step{set: to("frontend.autoscaling.memoryTargetPercent", `75`), changes: []string{
			"+ appautoscaling/policy frontend-memory-scaling",
		}}},
	{key: "ecs.execEnabled",
		staging: step{set: to("ecs.execEnabled", `false`), changes: []string{
			"+- ecs/taskDefinition backend (containerDefinitions)",
			"+- ecs/taskDefinition frontend (containerDefinitions)",
			"- iam/rolePolicy ecs-task-exec",
			"~ ecs/service backend-service",
			"~ ecs/service frontend-service",
		}},
		production: step{set: to("ecs.execEnabled", `true`), changes: []string{
			"+- ecs/taskDefinition backend (containerDefinitions)",
			"+- ecs/taskDefinition frontend (containerDefinitions)",
			"~ ecs/service backend-service",
			"~ ecs/service frontend-service",
			"+ iam/rolePolicy ecs-task-exec",
		}}},
	{key: "ecs.containerInsights",
		staging: step{set: to("ecs.containerInsights", `true`), changes: []string{
			"~ cloudwatch/dashboard infrastructure",
			"~ ecs/cluster cluster",
		}},
		production: step{set: to("ecs.containerInsights", `false`), changes: []string{
			"~ cloudwatch/dashboard infrastructure",
			"~ ecs/cluster cluster",
		}}},
	{key: "logs.retentionDays",
		staging: step{set: to("logs.retentionDays", `14`), changes: []string{
			"~ cloudwatch/logGroup backend-logs",
			"~ cloudwatch/logGroup backend-redeploy-logs",
			"~ cloudwatch/logGroup frontend-logs",
			"~ cloudwatch/logGroup postgres-postgresql-logs",
			"~ cloudwatch/logGroup postgres-upgrade-logs",
			"~ cloudwatch/logGroup redis-engine-log",
			"~ cloudwatch/logGroup redis-slow-log",
		}},
		production: step{set: to("logs.retentionDays", `60`), changes: []string{
			"~ cloudwatch/logGroup backend-logs",
			"~ cloudwatch/logGroup backend-redeploy-logs",
			"~ cloudwatch/logGroup frontend-logs",
			"~ cloudwatch/logGroup postgres-postgresql-logs",
			"~ cloudwatch/logGroup postgres-upgrade-logs",
			"~ cloudwatch/logGroup redis-engine-log",
			"~ cloudwatch/logGroup redis-slow-log",
		}}},
	{key: "secrets.recoveryWindowDays",
		staging: step{set: to("secrets.recoveryWindowDays", `7`), changes: []string{
			"~ secretsmanager/secret app-secrets",
		}},
		production: step{set: to("secrets.recoveryWindowDays", `7`), changes: []string{
			"~ secretsmanager/secret app-secrets",
		}}},
	{key: "secrets.manageValues",
		staging: step{set: to("secrets.manageValues", `false`), changes: []string{
			"~ secretsmanager/secretVersion app-secrets-version",
		}},
		production: step{set: to("secrets.manageValues", `false`), changes: []string{
			"~ secretsmanager/secretVersion app-secrets-version",
		}}},
	{key: "loadBalancer.deletionProtection",
		staging: step{set: to("loadBalancer.deletionProtection", `true`), changes: []string{
			"~ lb/loadBalancer alb",
		}},
		production: step{set: to("loadBalancer.deletionProtection", `false`), changes: []string{
			"~ lb/loadBalancer alb",
		}}},
	{key: "loadBalancer.accessLogs",
		staging: step{set: to("loadBalancer.accessLogs", `true`), changes: []string{
			"~ lb/loadBalancer alb",
			"+ s3/bucketLifecycleConfigurationV2 alb-logs-lifecycle",
			"+ s3/bucketOwnershipControls alb-logs-ownership",
			"+ s3/bucketPolicy alb-logs-policy",
			"+ s3/bucketPublicAccessBlock alb-logs-public-access-block",
			"+ s3/bucketServerSideEncryptionConfigurationV2 alb-logs-encryption",
			"+ s3/bucketV2 alb-logs",
		}},
		production: step{set: to("loadBalancer.accessLogs", `false`), refused: "must stay true in production: turning access logs off deletes the protected bucket with the logs in it (Security Hub ELB.5); lower loadBalancer.accessLogExpirationDays instead"}},
	{key: "loadBalancer.accessLogExpirationDays",
		staging: step{set: to("loadBalancer.accessLogExpirationDays", `30`)},
		production: step{set: to("loadBalancer.accessLogExpirationDays", `30`), changes: []string{
			"~ s3/bucketLifecycleConfigurationV2 alb-logs-lifecycle",
		}}},
	{key: "loadBalancer.idleTimeoutSeconds",
		staging: step{set: to("loadBalancer.idleTimeoutSeconds", `120`), changes: []string{
			"~ lb/loadBalancer alb",
		}},
		production: step{set: to("loadBalancer.idleTimeoutSeconds", `120`), changes: []string{
			"~ lb/loadBalancer alb",
		}}},
	{key: "alarms.ecsHighCpu",
		staging: step{set: to("alarms.ecsHighCpu", `85`), changes: []string{
			"~ cloudwatch/metricAlarm ecs-high-cpu",
		}},
		production: step{set: to("alarms.ecsHighCpu", `75`), changes: []string{
			"~ cloudwatch/metricAlarm ecs-high-cpu",
		}}},
	{key: "alarms.ecsHighMemory",
		staging: step{set: to("alarms.ecsHighMemory", `85`), changes: []string{
			"~ cloudwatch/metricAlarm ecs-high-memory",
		}},
		production: step{set: to("alarms.ecsHighMemory", `75`), changes: []string{
			"~ cloudwatch/metricAlarm ecs-high-memory",
		}}},
	{key: "alarms.albHigh5xxErrors",
		staging: step{set: to("alarms.albHigh5xxErrors", `10`), changes: []string{
			"~ cloudwatch/metricAlarm alb-high-5xx-errors",
		}},
		production: step{set: to("alarms.albHigh5xxErrors", `10`), changes: []string{
			"~ cloudwatch/metricAlarm alb-high-5xx-errors",
		}}},
	{key: "alarms.albUnhealthyTargets",
		staging: step{set: to("alarms.albUnhealthyTargets", `1`), changes: []string{
			"~ cloudwatch/metricAlarm alb-unhealthy-targets",
		}},
		production: step{set: to("alarms.albUnhealthyTargets", `1`), changes: []string{
			"~ cloudwatch/metricAlarm alb-unhealthy-targets",
		}}},
	{key: "alarms.rdsHighCpu",
		staging: step{set: to("alarms.rdsHighCpu", `85`), changes: []string{
			"~ cloudwatch/metricAlarm rds-high-cpu",
		}},
		production: step{set: to("alarms.rdsHighCpu", `75`), changes: []string{
			"~ cloudwatch/metricAlarm rds-high-cpu",
		}}},
	{key: "alarms.rdsLowStorageGiB",
		staging: step{set: to("alarms.rdsLowStorageGiB", `4`), changes: []string{
			"~ cloudwatch/metricAlarm rds-low-storage",
		}},
		production: step{set: to("alarms.rdsLowStorageGiB", `25`), changes: []string{
			"~ cloudwatch/metricAlarm rds-low-storage",
		}}},
	{key: "alarms.redisLowCacheHitRate",
		staging: step{set: to("alarms.redisLowCacheHitRate", `50`), changes: []string{
			"~ cloudwatch/metricAlarm redis-low-cache-hit-rate",
		}},
		production: step{set: to("alarms.redisLowCacheHitRate", `70`), changes: []string{
			"~ cloudwatch/metricAlarm redis-low-cache-hit-rate",
		}}},
	{key: "alarms.redisHighCpu",
		staging: step{set: to("alarms.redisHighCpu", `75`), changes: []string{
			"~ cloudwatch/metricAlarm redis-high-cpu",
		}},
		production: step{set: to("alarms.redisHighCpu", `65`), changes: []string{
			"~ cloudwatch/metricAlarm redis-high-cpu",
		}}},
	{key: "app.firstSuperuser",
		staging: step{set: to("app.firstSuperuser", `"root@ohmycoins.com"`), changes: []string{
			"+- secretsmanager/secretVersion app-secrets-version (secretString)",
		}},
		production: step{set: to("app.firstSuperuser", `"root@ohmycoins.com"`), changes: []string{
			"+- secretsmanager/secretVersion app-secrets-version (secretString)",
		}}},
	{key: "app.emailsFromEmail",
		staging: step{set: to("app.emailsFromEmail", `"hello@ohmycoins.com"`), changes: []string{
			"+- ecs/taskDefinition backend (containerDefinitions)",
			"~ ecs/service backend-service",
		}},
		production: step{set: to("app.emailsFromEmail", `"hello@ohmycoins.com"`), changes: []string{
			"+- ecs/taskDefinition backend (containerDefinitions)",
			"~ ecs/service backend-service",
		}}},
	{key: "app.corsOrigins",
		staging: step{set: to("app.corsOrigins", `["https://dashboard.staging.ohmycoins.com"]`), changes: []string{
			"+- ecs/taskDefinition backend (containerDefinitions)",
			"~ ecs/service backend-service",
		}},
		production: step{set: to("app.corsOrigins", `["https://ohmycoins.com", "https://www.ohmycoins.com", "https://dashboard.ohmycoins.com", "https://partner.example.com"]`), changes: []string{
			"+- ecs/taskDefinition backend (containerDefinitions)",
			"~ ecs/service backend-service",
		}}},
	{key: "app.smtpHost",
		staging: step{set: to("app.smtpHost", `"smtp.example.com"`), changes: []string{
			"+- ecs/taskDefinition backend (containerDefinitions)",
			"~ ecs/service backend-service",
			"+ vpc/securityGroupEgressRule backend-sg-out-smtp",
		}},
		production: step{set: to("app.smtpHost", `"smtp.example.com"`), changes: []string{
			"+- ecs/taskDefinition backend (containerDefinitions)",
			"~ ecs/service backend-service",
			"+ vpc/securityGroupEgressRule backend-sg-out-smtp",
		}}},
	{key: "app.smtpPort",
		staging: step{set: to("app.smtpPort", `2525`), changes: []string{
			"+- ecs/taskDefinition backend (containerDefinitions)",
			"~ ecs/service backend-service",
		}},
		production: step{set: to("app.smtpPort", `2525`), changes: []string{
			"+- ecs/taskDefinition backend (containerDefinitions)",
			"~ ecs/service backend-service",
		}}},
	{key: "app.smtpUser",
		staging: step{set: to("app.smtpUser", `"mailer"`), changes: []string{
			"+- secretsmanager/secretVersion app-secrets-version (secretString)",
		}},
		production: step{set: to("app.smtpUser", `"mailer"`), changes: []string{
			"+- secretsmanager/secretVersion app-secrets-version (secretString)",
		}}},
	{key: "app.smtpTls",
		staging: step{set: to("app.smtpTls", `false`), changes: []string{
			"+- ecs/taskDefinition backend (containerDefinitions)",
			"~ ecs/service backend-service",
		}},
		production: step{set: to("app.smtpTls", `false`), changes: []string{
			"+- ecs/taskDefinition backend (containerDefinitions)",
			"~ ecs/service backend-service",
		}}},
	{key: "app.smtpSsl",
		staging: step{set: map[string]string{"app.smtpSsl": `true`, "app.smtpTls": `false`}, changes: []string{
			"+- ecs/taskDefinition backend (containerDefinitions)",
			"~ ecs/service backend-service",
		}},
		production: step{set: map[string]string{"app.smtpSsl": `true`, "app.smtpTls": `false`}, changes: []string{
			"+- ecs/taskDefinition backend (containerDefinitions)",
			"~ ecs/service backend-service",
		}}},
	{key: "app.llmProvider",
		staging: step{set: to("app.llmProvider", `"anthropic"`), changes: []string{
			"+- ecs/taskDefinition backend (containerDefinitions)",
			"~ ecs/service backend-service",
		}},
		production: step{set: to("app.llmProvider", `"anthropic"`), changes: []string{
			"+- ecs/taskDefinition backend (containerDefinitions)",
			"~ ecs/service backend-service",
		}}},
	{key: "app.openaiModel",
		staging: step{set: to("app.openaiModel", `"gpt-4o"`), changes: []string{
			"+- ecs/taskDefinition backend (containerDefinitions)",
			"~ ecs/service backend-service",
		}},
		production: step{set: to("app.openaiModel", `"gpt-4o"`), changes: []string{
			"+- ecs/taskDefinition backend (containerDefinitions)",
			"~ ecs/service backend-service",
		}}},
	{key: "github.repository",
		staging: step{set: to("github.repository", `"ohmycoins/infra"`), changes: []string{
			"~ iam/role github-deploy",
			"~ iam/role github-preview",
		}},
		production: step{set: to("github.repository", `"ohmycoins/infra"`), changes: []string{
			"~ iam/role github-deploy",
			"~ iam/role github-preview",
		}}},
	{key: "github.oidcProviderArn",
		staging: step{set: to("github.oidcProviderArn", `"arn:aws:iam::210987654321:oidc-provider/token.actions.githubusercontent.com"`), changes: []string{
			"~ iam/role github-deploy",
			"~ iam/role github-preview",
		}},
		production: step{set: to("github.oidcProviderArn", `"arn:aws:iam::210987654321:oidc-provider/token.actions.githubusercontent.com"`), changes: []string{
			"~ iam/role github-deploy",
			"~ iam/role github-preview",
		}}},
	{key: "dns.zoneName",
		staging: step{set: to("dns.zoneName", `"staging.ohmycoins.com"`), changes: []string{
			"+- acm/certificate certificate (subjectAlternativeNames)",
			"+- acm/certificateValidation certificate-validation (validationRecordFqdns)",
			"+- route53/record alias-api.staging.ohmycoins.com (zoneId)",
			"+- route53/record alias-dashboard.staging.ohmycoins.com (zoneId)",
			"+- route53/record certificate-validation-1 (zoneId)",
			"+- route53/record certificate-validation-2 (name, zoneId)",
			"+- route53/record certificate-validation-3 (name, zoneId)",
			"~ iam/policy github-deploy-platform",
			"+ route53/record alias-staging.ohmycoins.com",
			"+ route53/record alias-www.staging.ohmycoins.com",
			"+ route53/record certificate-validation-4",
		}},
		production: step{set: to("dns.zoneName", `""`), changes: []string{
			"+- ecs/taskDefinition backend (containerDefinitions)",
			"+- ecs/taskDefinition frontend (containerDefinitions)",
			"+- lb/listenerRule api-host-rule (listenerArn)",
			"+- lb/listenerRule api-paths-rule (listenerArn)",
			"- acm/certificate certificate",
			"- acm/certificateValidation certificate-validation",
			"- dns:Aliases ohmycoins-prod",
			"- dns:Certificate ohmycoins-prod",
			"- lb/listener https",
			"- route53/record alias-api.ohmycoins.com",
			"- route53/record alias-dashboard.ohmycoins.com",
			"- route53/record alias-ohmycoins.com",
			"- route53/record alias-www.ohmycoins.com",
			"- route53/record certificate-validation-1",
			"- route53/record certificate-validation-2",
			"- route53/record certificate-validation-3",
			"- route53/record certificate-validation-4",
			"~ ecs/service backend-service",
			"~ ecs/service frontend-service",
			"~ iam/policy github-deploy-platform",
			"~ lb/listener http",
		}}},
	{key: "policy.waivers",
		staging:    step{set: to("policy.waivers", `{"RDS.17": "an example"}`)},
		production: step{set: to("policy.waivers", `{"RDS.17": "an example"}`)}},
	{key: "secretKey",
		staging: step{secret: true, set: to("secretKey", `"0123456789abcdef0123456789abcdef-rotated"`), changes: []string{
			"+- secretsmanager/secretVersion app-secrets-version (secretString)",
		}},
		production: step{secret: true, set: to("secretKey", `"0123456789abcdef0123456789abcdef-rotated"`), changes: []string{
			"+- secretsmanager/secretVersion app-secrets-version (secretString)",
		}}},
	{key: "firstSuperuserPassword",
		staging: step{secret: true, set: to("firstSuperuserPassword", `"a new strong password"`), changes: []string{
			"+- secretsmanager/secretVersion app-secrets-version (secretString)",
		}},
		production: step{secret: true, set: to("firstSuperuserPassword", `"a new strong password"`), changes: []string{
			"+- secretsmanager/secretVersion app-secrets-version (secretString)",
		}}},
	{key: "openaiApiKey",
		staging: step{secret: true, set: to("openaiApiKey", `"sk-rotated"`), changes: []string{
			"+- secretsmanager/secretVersion app-secrets-version (secretString)",
		}},
		production: step{secret: true, set: to("openaiApiKey", `"sk-rotated"`), changes: []string{
			"+- secretsmanager/secretVersion app-secrets-version (secretString)",
		}}},
	{key: "redisAuthToken",
		staging: step{secret: true, set: to("redisAuthToken", `"Rotated-Redis-Token-0123456789"`), changes: []string{
			"+- secretsmanager/secretVersion app-secrets-version (secretString)",
			"~ elasticache/replicationGroup redis",
		}},
		production: step{secret: true, set: to("redisAuthToken", `"Rotated-Redis-Token-0123456789"`), changes: []string{
			"+- secretsmanager/secretVersion app-secrets-version (secretString)",
			"~ elasticache/replicationGroup redis",
		}}},
	{key: "smtpPassword",
		staging: step{secret: true, set: to("smtpPassword", `"smtp-secret"`), changes: []string{
			"+- secretsmanager/secretVersion app-secrets-version (secretString)",
		}},
		production: step{secret: true, set: to("smtpPassword", `"smtp-secret"`), changes: []string{
			"+- secretsmanager/secretVersion app-secrets-version (secretString)",
		}}},
	{key: "sentryDsn",
		staging: step{secret: true, set: to("sentryDsn", `"https://key@sentry.io/1"`), changes: []string{
			"+- secretsmanager/secretVersion app-secrets-version (secretString)",
		}},
		production: step{secret: true, set: to("sentryDsn", `"https://key@sentry.io/1"`), changes: []string{
			"+- secretsmanager/secretVersion app-secrets-version (secretString)",
		}}},
	{key: "cryptopanicApiKey",
		staging: step{secret: true, set: to("cryptopanicApiKey", `"cp-key"`), changes: []string{
			"+- secretsmanager/secretVersion app-secrets-version (secretString)",
		}},
		production: step{secret: true, set: to("cryptopanicApiKey", `"cp-key"`), changes: []string{
			"+- secretsmanager/secretVersion app-secrets-version (secretString)",
		}}},
	{key: "newscatcherApiKey",
		staging: step{secret: true, set: to("newscatcherApiKey", `"nc-key"`), changes: []string{
			"+- secretsmanager/secretVersion app-secrets-version (secretString)",
		}},
		production: step{secret: true, set: to("newscatcherApiKey", `"nc-key"`), changes: []string{
			"+- secretsmanager/secretVersion app-secrets-version (secretString)",
		}}},
	{key: "nansenApiKey",
		staging: step{secret: true, set: to("nansenApiKey", `"nansen-key"`), changes: []string{
			"+- secretsmanager/secretVersion app-secrets-version (secretString)",
		}},
		production: step{secret: true, set: to("nansenApiKey", `"nansen-key"`), changes: []string{
			"+- secretsmanager/secretVersion app-secrets-version (secretString)",
		}}},
	{key: "cost.natGatewayGbPerMonth",
		staging:    step{set: to("cost.natGatewayGbPerMonth", `50`), changes: []string{}},
		production: step{set: to("cost.natGatewayGbPerMonth", `200`), changes: []string{}}},
	{key: "cost.loadBalancerLcus",
		staging:    step{set: to("cost.loadBalancerLcus", `1`), changes: []string{}},
		production: step{set: to("cost.loadBalancerLcus", `3`), changes: []string{}}},
	{key: "cost.appLogGbPerMonth",
		staging:    step{set: to("cost.appLogGbPerMonth", `4`), changes: []string{}},
		production: step{set: to("cost.appLogGbPerMonth", `20`), changes: []string{}}},
	{key: "cost.flowLogGbPerMonth",
		staging:    step{set: to("cost.flowLogGbPerMonth", `10`), changes: []string{}},
		production: step{set: to("cost.flowLogGbPerMonth", `40`), changes: []string{}}},
	{key: "cost.endpointGbPerMonth",
		staging:    step{set: to("cost.endpointGbPerMonth", `10`), changes: []string{}},
		production: step{set: to("cost.endpointGbPerMonth", `40`), changes: []string{}}},
	{key: "cost.imageGbPerRepository",
		staging:    step{set: to("cost.imageGbPerRepository", `5`), changes: []string{}},
		production: step{set: to("cost.imageGbPerRepository", `5`), changes: []string{}}},
	{key: "cost.accessLogGbStored",
		staging:    step{set: to("cost.accessLogGbStored", `2`), changes: []string{}},
		production: step{set: to("cost.accessLogGbStored", `20`), changes: []string{}}},
	{key: "budget.monthlyUsd",
		staging: step{set: to("budget.monthlyUsd", `300`), changes: []string{
			"~ budgets/budget monthly-budget",
		}},
		production: step{set: to("budget.monthlyUsd", `900`), changes: []string{
			"~ budgets/budget monthly-budget",
		}}},
	{key: "budget.marginPercent",
		staging: step{set: to("budget.marginPercent", `30`), changes: []string{
			"~ budgets/budget monthly-budget",
		}},
		production: step{set: to("budget.marginPercent", `30`), changes: []string{
			"~ budgets/budget monthly-budget",
		}}},
}

func TestUpdateMatrixCoversEverySettableKey(t *testing.T) {
	t.Parallel()
	covered := map[string]bool{}
	for _, k := range matrix {
		require.False(t, covered[k.key], "%s has two rows", k.key)
		covered[k.key] = true
	}
	for _, key := range stacks.SettableKeys() {
		require.True(t, covered[key], "the update matrix has no row for ohmycoins:%s: give it a second value and its expected changes", key)
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
	printed := map[string]string{}
	t.Cleanup(func() {
		if !*printMatrix {
			return
		}
		keys := make([]string, 0, len(printed))
		for k := range printed {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Println(printed[k])
		}
	})
	for _, k := range matrix {
		for _, stack := range allStacks {
			s := k.staging
			if stack == "production" {
				s = k.production
			}
			t.Run(k.key+"/"+stack, func(t *testing.T) {
				t.Parallel()
				opts := matrixOptions(t, stack, s)
				result, err := preview.Preview(opts)
				got := step{}
				if err != nil {
					var verr *stacks.ValidationError
					require.ErrorAs(t, err, &verr, "%s = %v in %s", k.key, s.set, stack)
					got.refused = strings.Join(verr.Problems, "\n")
				} else {
					d := stackplan.Diff(baseline[stack], result.Plan)
					got.changes, got.recreated = notation(d, baseline[stack])
					if stack == "production" && !got.recreated {
						for _, c := range d.Changes {
							if slices.Contains(dataHolding, c.Type) && (c.Op == stackplan.OpReplace || c.Op == stackplan.OpDelete) {
								t.Errorf("%s replaces or deletes %s %s in production, which holds data: refuse it in validation", k.key, c.Type, c.Name)
							}
							if len(c.Blocked) > 0 {
								t.Errorf("%s makes pulumi up fail on %s %s in production: %v", k.key, c.Type, c.Name, c.Blocked)
							}
						}
					}
				}
				if *printMatrix {
					mu.Lock()
					printed[k.key+"/"+stack] = fmt.Sprintf("// %s in %s\n%s", k.key, stack, show(got))
					mu.Unlock()
					return
				}
				if s.refused != "" {
					require.Contains(t, got.refused, s.refused, "%s in %s", k.key, stack)
					return
				}
				require.Empty(t, got.refused, "%s in %s", k.key, stack)
				require.Equal(t, s.recreated, got.recreated, "%s in %s", k.key, stack)
				require.ElementsMatch(t, s.changes, got.changes, "%s in %s: the changes", k.key, stack)
			})
		}
	}
}

func show(s step) string {
	if s.refused != "" {
		return fmt.Sprintf("refused: %q", s.refused)
	}
	var b strings.Builder
	if s.recreated {
		b.WriteString("recreated, ")
	}
	b.WriteString("changes(")
	for i, c := range s.changes {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%q", c)
	}
	b.WriteString(")")
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
// with only its failures listed.
func notation(d stackplan.PlanDiff, old *stackplan.Plan) ([]string, bool) {
	prefix := ""
	for _, r := range old.Resources {
		if r.Type == "pulumi:providers:aws" {
			prefix = strings.TrimSuffix(r.Name, "-aws") + "-"
		}
	}
	recreated := d.Count(stackplan.OpDelete) >= len(old.Resources)-1 && d.Count(stackplan.OpUpdate) == 0 && d.Count(stackplan.OpReplace) == 0
	var out []string
	for _, c := range d.Changes {
		if recreated && len(c.Blocked) == 0 {
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
		out = append(out, line)
	}
	return out, recreated
}

// buildContext is a directory with a Dockerfile, for the build rows; relative
// to the project, as a stack file would give it.
const buildContext = "tests/testdata/build-context"
