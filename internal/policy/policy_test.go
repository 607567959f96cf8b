package policy_test

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ohmycoins/infra/internal/mockcloud"
	"github.com/ohmycoins/infra/internal/policy"
	"github.com/ohmycoins/infra/internal/policydoc"
	"github.com/ohmycoins/infra/internal/preview/previewtest"
	"github.com/ohmycoins/infra/internal/stackplan"
	"github.com/ohmycoins/infra/stacks"
)

func TestPolicyHasAtLeastFortyRulesWithUniqueIDs(t *testing.T) {
	t.Parallel()
	ids := policy.RuleIDs()
	require.GreaterOrEqual(t, len(ids), 40)
	seen := map[string]bool{}
	for _, r := range policy.Rules {
		require.False(t, seen[r.ID], "duplicate rule %s", r.ID)
		seen[r.ID] = true
		require.NotEmpty(t, r.Title, r.ID)
		require.Contains(t, []policy.Severity{policy.Critical, policy.High, policy.Medium, policy.Low}, r.Severity, r.ID)
		require.NotNil(t, r.Check, r.ID)
	}
}

// TestStacksPassThePolicyWithOnlyTheirDocumentedWaivers: production waives
// nothing; staging waives exactly its preset's waivers, each of which is used.
func TestStacksPassThePolicyWithOnlyTheirDocumentedWaivers(t *testing.T) {
	for _, c := range []struct {
		stack   string
		waivers map[string]string
	}{{"staging", stacks.Staging().Policy.Waivers}, {"production", nil}} {
		t.Run(c.stack, func(t *testing.T) {
			t.Parallel()
			result := previewtest.Stack(t, c.stack)
			require.Equal(t, c.waivers, result.Settings.Policy.Waivers)
			report := policy.Check(result.Plan, policy.StackOf(result.Settings))
			require.Empty(t, report.Violations, "%+v", report.Violations)
			require.Empty(t, report.UnknownWaivers)
			used := map[string]bool{}
			for _, v := range report.Waived {
				used[v.Rule] = true
				require.Equal(t, c.waivers[v.Rule], v.Waiver)
			}
			require.ElementsMatch(t, slices.Collect(maps.Keys(c.waivers)), slices.Collect(maps.Keys(used)), "every waiver is used")
		})
	}
}

// edit changes the resources of a type whose name ends with suffix.
func edit(p *stackplan.Plan, typ, suffix string, f func(r *stackplan.Resource)) {
	for i := range p.Resources {
		if p.Resources[i].Type == typ && strings.HasSuffix(p.Resources[i].Name, suffix) {
			f(&p.Resources[i])
		}
	}
}

// input sets one input of the resources edit selects.
func input(typ, suffix, key string, value any) func(*stackplan.Plan) {
	return func(p *stackplan.Plan) { edit(p, typ, suffix, func(r *stackplan.Resource) { r.Inputs[key] = value }) }
}

// drop removes the resources of a type.
func drop(typ string) func(*stackplan.Plan) {
	return func(p *stackplan.Plan) {
		p.Resources = slices.DeleteFunc(p.Resources, func(r stackplan.Resource) bool { return r.Type == typ })
	}
}

// addStatement appends a statement to an inline role policy.
func addStatement(s policydoc.Statement) func(*stackplan.Plan) {
	return func(p *stackplan.Plan) {
		edit(p, typeRolePolicy, "-ecs-task-execution-secrets", func(r *stackplan.Resource) {
			doc, _ := policydoc.Parse(r.Inputs["policy"].(string))
			doc.Statement = append(doc.Statement, s)
			r.Inputs["policy"] = doc.JSON()
		})
	}
}

// ruleFixtures break each rule in the production plan: a rule without a
// fixture, or a fixture the rule does not catch, fails the test.
var ruleFixtures = map[string]func(*stackplan.Plan){
	"RDS.2":  input(typeDBInstance, "-postgres", "publiclyAccessible", true),
	"RDS.3":  input(typeDBInstance, "-postgres", "storageEncrypted", false),
	"RDS.5":  input(typeDBInstance, "-postgres", "multiAz", false),
	"RDS.6":  input(typeDBInstance, "-postgres", "monitoringInterval", 0.0),
	"RDS.8":  input(typeDBInstance, "-postgres", "deletionProtection", false),
	"RDS.9":  input(typeDBInstance, "-postgres", "enabledCloudwatchLogsExports", []any{"upgrade"}),
	"RDS.11": input(typeDBInstance, "-postgres", "backupRetentionPeriod", 0.0),
	"RDS.13": input(typeDBInstance, "-postgres", "autoMinorVersionUpgrade", false),
	"RDS.17": input(typeDBInstance, "-postgres", "copyTagsToSnapshot", false),
	"RDS.TLS": input(typeDBParameterGroup, "-postgres17", "parameters",
		[]any{map[string]any{"name": "log_connections", "value": "1"}}),
	"RDS.MANAGED_PASSWORD": input(typeDBInstance, "-postgres", "password", "hunter2hunter2"),
	"ElastiCache.1":        input(typeReplicationGroup, "-redis", "snapshotRetentionLimit", 0.0),
	"ElastiCache.2":        input(typeReplicationGroup, "-redis", "autoMinorVersionUpgrade", false),
	"ElastiCache.3":        input(typeReplicationGroup, "-redis", "automaticFailoverEnabled", false),
	"ElastiCache.4":        input(typeReplicationGroup, "-redis", "atRestEncryptionEnabled", false),
	"ElastiCache.5":        input(typeReplicationGroup, "-redis", "transitEncryptionEnabled", false),
	"ElastiCache.6":        input(typeReplicationGroup, "-redis", "authToken", nil),
	"SecretsManager.KMS":   input(typeSecret, "-app-secrets", "kmsKeyId", ""),
	"KMS.4":                input(typeKey, "-key", "enableKeyRotation", false),
	"KMS.POLICY": func(p *stackplan.Plan) {
		logs := policydoc.Allow("AnyLogGroup", []string{"kms:Encrypt*"}, "*")
		logs.Principal = &policydoc.Principal{Service: []string{"logs.ap-southeast-2.amazonaws.com"}}
		input(typeKey, "-key", "policy", policydoc.New(logs).JSON())(p)
	},
	"ELB.1": input(typeListener, "-http", "defaultActions", []any{map[string]any{"type": "forward", "targetGroupArn": "tg"}}),
	"ELB.4": input(typeLoadBalancer, "-alb", "dropInvalidHeaderFields", false),
	"ELB.5": func(p *stackplan.Plan) {
		edit(p, typeLoadBalancer, "-alb", func(r *stackplan.Resource) { delete(r.Inputs, "accessLogs") })
	},
	"ELB.6":                     input(typeLoadBalancer, "-alb", "enableDeletionProtection", false),
	"ELB.TLS":                   input(typeListener, "-https", "sslPolicy", "ELBSecurityPolicy-2016-08"),
	"ELB.16":                    drop("aws:wafv2/webAclAssociation:WebAclAssociation"),
	"DATA.CROSS_REGION_BACKUPS": drop("aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication"),
	"ALERTS.PAGE": func(p *stackplan.Plan) {
		p.Resources = slices.DeleteFunc(p.Resources, func(r stackplan.Resource) bool { return r.Inputs["protocol"] == "https" })
	},
	"ALERTS.CHATBOT": func(p *stackplan.Plan) {
		p.Resources = append(p.Resources, stackplan.Resource{Type: "aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration",
			Name: "ohmycoins-prod-slack-t0123abcd", Custom: true, Inputs: map[string]any{"configurationName": "ohmycoins-prod-slack-t0123abcd"}})
	},
	"WAF.10": input("aws:wafv2/webAcl:WebAcl", "-waf", "rules", []any{}),
	"WAF.11": drop("aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration"),
	"WAF.BLOCKS": func(p *stackplan.Plan) {
		edit(p, "aws:wafv2/webAcl:WebAcl", "-waf", func(r *stackplan.Resource) {
			rule := r.Inputs["rules"].([]any)[1].(map[string]any)
			rule["action"] = map[string]any{"count": map[string]any{}}
		})
	},
	"EC2.2":  input(typeDefaultSG, "-default-sg", "ingress", []any{map[string]any{"fromPort": 0.0}}),
	"EC2.6":  drop(typeFlowLog),
	"EC2.15": input(typeSubnet, "-public-subnet-1", "mapPublicIpOnLaunch", true),
	"EC2.18": func(p *stackplan.Plan) {
		edit(p, typeIngress, "-alb-sg-in-https-ipv4", func(r *stackplan.Resource) { r.Inputs["fromPort"], r.Inputs["toPort"] = 22.0, 22.0 })
	},
	"EC2.DATA_EGRESS": func(p *stackplan.Plan) {
		sg := mustNamedIn(p, typeSG, "ohmycoins-prod-redis-sg")
		p.Resources = append(p.Resources, stackplan.Resource{Type: typeEgress, Name: "ohmycoins-prod-redis-sg-out-any",
			Inputs: map[string]any{"securityGroupId": sg.ID, "fromPort": 443.0, "toPort": 443.0, "description": "out"}})
	},
	"EC2.DATA_CLIENTS_ONLY": func(p *stackplan.Plan) {
		edit(p, typeIngress, "-rds-sg-in-postgres", func(r *stackplan.Resource) {
			r.Inputs["referencedSecurityGroupId"] = mustNamedIn(p, typeSG, "ohmycoins-prod-frontend-sg").ID
		})
	},
	"EC2.RULE_DESCRIPTION": input(typeIngress, "-rds-sg-in-postgres", "description", ""),
	"DATA.EVIDENCE_PROTECTED": func(p *stackplan.Plan) {
		edit(p, typeLogGroup, "-flow-logs", func(r *stackplan.Resource) { r.Protect = false })
	},
	"DATA.SECRET_ROTATES": func(p *stackplan.Plan) {
		edit(p, typeSecretVersion, "-app-secrets-version", func(r *stackplan.Resource) { r.Protect = true })
	},
	"STABLE.CONTAINER_DEFINITIONS": func(p *stackplan.Plan) {
		edit(p, typeTaskDef, "-backend", func(r *stackplan.Resource) {
			r.Inputs["containerDefinitions"] = strings.Replace(r.Inputs["containerDefinitions"].(string),
				`"environment":[`, `"environment":[{"name":"SMTP_HOST","value":""},`, 1)
		})
	},
	"STABLE.AUTOSCALED_COUNT": func(p *stackplan.Plan) {
		edit(p, typeService, "-backend-service", func(r *stackplan.Resource) { r.IgnoreChanges = nil })
	},
	"ECS.2": func(p *stackplan.Plan) {
		edit(p, typeService, "-backend-service", func(r *stackplan.Resource) {
			r.Inputs["networkConfiguration"].(map[string]any)["assignPublicIp"] = true
		})
	},
	"ECS.8": func(p *stackplan.Plan) {
		edit(p, typeTaskDef, "-backend", func(r *stackplan.Resource) {
			r.Inputs["containerDefinitions"] = `[{"name":"backend","environment":[{"name":"POSTGRES_PASSWORD","value":"x"}]}]`
		})
	},
	"ECS.12":       input(typeCluster, "-cluster", "settings", []any{map[string]any{"name": "containerInsights", "value": "disabled"}}),
	"ECS.ROLLBACK": input(typeService, "-frontend-service", "deploymentCircuitBreaker", map[string]any{"enable": true, "rollback": false}),
	"ECS.PLATFORM": input(typeTaskDef, "-frontend", "runtimePlatform", map[string]any{"operatingSystemFamily": "LINUX", "cpuArchitecture": "ARM64"}),
	"ECR.1":        input(typeRepository, "-backend", "imageScanningConfiguration", map[string]any{"scanOnPush": false}),
	"ECR.2":        input(typeRepository, "-frontend", "imageTagMutability", "MUTABLE"),
	"ECR.3":        drop(typeRepoLifecycle),
	"IAM.1":        addStatement(policydoc.Allow("Admin", []string{"*"}, "*")),
	"IAM.21":       addStatement(policydoc.Allow("ReadAnything", []string{"s3:GetObject"}, "*")),
	"IAM.PASSROLE": addStatement(policydoc.Allow("PassAny", []string{"iam:PassRole"}, "arn:aws:iam::123456789012:role/*")),
	"IAM.TRUST": func(p *stackplan.Plan) {
		edit(p, typeRole, "-github-deploy", func(r *stackplan.Resource) {
			r.Inputs["assumeRolePolicy"] = strings.Replace(r.Inputs["assumeRolePolicy"].(string), "environment:production", "*", 1)
		})
	},
	"SNS.1":         input(typeTopic, "-alerts", "kmsMasterKeyId", ""),
	"CloudWatch.15": input(typeAlarm, "-rds-high-cpu", "alarmActions", []any{}),
	"CloudWatch.16": input(typeLogGroup, "-flow-logs", "retentionInDays", nil),
	"CloudWatch.17": input(typeAlarm, "-redis-high-cpu", "actionsEnabled", false),
	"CloudWatch.LOG_KMS": func(p *stackplan.Plan) {
		edit(p, typeLogGroup, "-backend-logs", func(r *stackplan.Resource) { delete(r.Inputs, "kmsKeyId") })
	},
	"S3.5":   input(typeBucketPolicy, "-alb-logs-policy", "policy", policydoc.New(policydoc.Allow("Read", []string{"s3:GetObject"}, "arn:aws:s3:::b/*")).JSON()),
	"S3.8":   input("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "-public-access-block", "blockPublicPolicy", false),
	"S3.SSE": drop("aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2"),
	"DATA.RDS_PROTECTED": func(p *stackplan.Plan) {
		edit(p, typeDBInstance, "-postgres", func(r *stackplan.Resource) { r.Protect = false })
	},
	"DATA.CACHE_PROTECTED": func(p *stackplan.Plan) {
		edit(p, typeReplicationGroup, "-redis", func(r *stackplan.Resource) { r.Protect = false })
	},
	"DATA.SECRET_RECOVERY": input(typeSecret, "-app-secrets", "recoveryWindowInDays", 0.0),
	"DATA.KEY_PROTECTED": func(p *stackplan.Plan) {
		edit(p, typeKey, "-key", func(r *stackplan.Resource) { r.Protect = false })
	},
	"DATA.NO_DELETE_BEFORE_REPLACE": func(p *stackplan.Plan) {
		edit(p, typeDBInstance, "-postgres", func(r *stackplan.Resource) { dbr := true; r.DeleteBeforeReplace = &dbr })
	},
	"LIMIT.LB_NAMES":         input(typeTargetGroup, "-backend-tg", "name", "ohmycoins-production-eu-backend-tg"),
	"LIMIT.FARGATE_SIZE":     input(typeTaskDef, "-backend", "memory", "3000"),
	"LIMIT.LOG_RETENTION":    input(typeLogGroup, "-frontend-logs", "retentionInDays", 10.0),
	"LIMIT.RDS_IDENTIFIER":   input(typeDBInstance, "-postgres", "identifier", "ohmycoins--prod-postgres"),
	"LIMIT.REDIS_ID":         input(typeReplicationGroup, "-redis", "replicationGroupId", "ohmycoins-production-eu-west-redis-primary"),
	"LIMIT.RECOVERY_WINDOW":  input(typeSecret, "-app-secrets", "recoveryWindowInDays", 3.0),
	"LIMIT.ALARM_DIMENSIONS": input(typeAlarm, "-ecs-high-cpu", "dimensions", map[string]any{"ServiceName": "ohmycoins-prod-backend-service"}),
	"LIMIT.IAM_POLICY_SIZE": addStatement(policydoc.Allow(strings.Repeat("Padding", 1500), []string{"logs:PutLogEvents"},
		"arn:aws:logs:ap-southeast-2:123456789012:log-group:x")),
	"LIMIT.AUTOSCALING_BOUNDS": input(typeScalingTarget, "", "minCapacity", 20.0),
	// A component renames its log group; neither the key nor the role follows.
	"LOGS.COVERED": func(p *stackplan.Plan) {
		edit(p, typeLogGroup, "-backend-logs", func(r *stackplan.Resource) {
			r.Inputs["name"] = "/app/ohmycoins-prod-backend"
			r.Outputs["arn"] = "arn:aws:logs:ap-southeast-2:" + mockcloud.MockAccountID + ":log-group:/app/ohmycoins-prod-backend"
		})
	},
}

func mustNamedIn(p *stackplan.Plan, typ, name string) stackplan.Resource {
	r, _ := p.Named(typ, name)
	return r
}

func TestEveryRuleFiresOnItsFixture(t *testing.T) {
	base := previewtest.Stack(t, "production", previewtest.WithImages()).Plan
	require.Empty(t, policy.Check(base, policy.Stack{Production: true}).Violations, "the fixtures start from a clean plan")
	for _, id := range policy.RuleIDs() {
		t.Run(id, func(t *testing.T) {
			fixture, ok := ruleFixtures[id]
			require.True(t, ok, "rule %s has no fixture proving it fires", id)
			plan := previewtest.CopyPlan(t, base)
			fixture(plan)
			var fired []string
			for _, v := range policy.Check(plan, policy.Stack{Production: true}).Violations {
				if v.Rule == id {
					fired = append(fired, v.Resource+": "+v.Message)
				}
			}
			require.NotEmpty(t, fired, "rule %s did not fire on its fixture", id)
		})
	}
	for id := range ruleFixtures {
		require.Contains(t, policy.RuleIDs(), id, "fixture for a rule that does not exist")
	}
}

func TestAStackCanWaiveARuleWithAReason(t *testing.T) {
	t.Parallel()
	result := previewtest.Stack(t, "production",
		previewtest.Set("ohmycoins:database", `{"deletionProtection": false}`),
		previewtest.Set("ohmycoins:policy", `{"waivers": {"RDS.8": "a migration window; restored on 2026-12-01"}}`))
	report := policy.Check(result.Plan, policy.StackOf(result.Settings))
	require.True(t, report.Passed())
	require.Len(t, report.Waived, 1)
	require.Equal(t, "a migration window; restored on 2026-12-01", report.Waived[0].Waiver)

	staging := previewtest.Stack(t, "staging", previewtest.Set("ohmycoins:policy", `{"waivers": {"ECS.2": "an example"}}`))
	require.Len(t, staging.Settings.Policy.Waivers, 9, "config waivers are added to the preset's")
}

func TestWaiversNeedAReasonAndAnExistingRule(t *testing.T) {
	t.Parallel()
	problems := previewtest.Problems(t, "production", previewtest.Set("ohmycoins:policy", `{"waivers": {"RDS.8": " "}}`))
	previewtest.RequireProblem(t, problems, `ohmycoins:policy.waivers.RDS.8 = " ": must give the reason the rule does not apply to this stack`)

	result := previewtest.Stack(t, "production", previewtest.Set("ohmycoins:policy", `{"waivers": {"RDS.99": "typo"}}`))
	report := policy.Check(result.Plan, policy.StackOf(result.Settings))
	require.False(t, report.Passed())
	require.Equal(t, []string{"RDS.99"}, report.UnknownWaivers)
	var out strings.Builder
	report.Write(&out)
	require.Contains(t, out.String(), "ohmycoins:policy.waivers.RDS.99 waives a rule that does not exist")
}

// TestALoadBalancerWithoutAWebACLFails: turning the firewall off leaves the
// internet-facing load balancer bare, and the check says so; production
// refuses the setting before that.
func TestALoadBalancerWithoutAWebACLFails(t *testing.T) {
	t.Parallel()
	result := previewtest.Stack(t, "staging", previewtest.Set("ohmycoins:waf", `{"enabled": false}`))
	require.Empty(t, result.Plan.OfType("aws:wafv2/webAcl:WebAcl"))
	var fired []string
	for _, v := range policy.Check(result.Plan, policy.StackOf(result.Settings)).Violations {
		fired = append(fired, v.Rule+" "+v.Resource+": "+v.Message)
	}
	require.Equal(t, []string{"ELB.16 ohmycoins-staging-alb: no web ACL is associated with it (ohmycoins:waf.enabled)"}, fired)

	problems := previewtest.Problems(t, "production", previewtest.Set("ohmycoins:waf", `{"enabled": false}`))
	previewtest.RequireProblem(t, problems, "ohmycoins:waf.enabled = false: must stay true in production: turning the firewall off deletes the protected log group of what it blocked and leaves the load balancer bare (Security Hub ELB.16); to stop a rule that blocks real users, set waf.mode to count instead")
}
