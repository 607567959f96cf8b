package cicd

import (
	"fmt"

	"github.com/ohmycoins/infra/internal/policydoc"
)

// StateStatements allow reading (and, for deploys, writing) the Pulumi state
// and decrypting (and encrypting) stack secrets with the state key, found by
// its alias since its id is not known to this stack.
func StateStatements(bucket, keyAlias, region, account string, write bool) []policydoc.Statement {
	objects := []string{"s3:GetObject"}
	keyActions := []string{"kms:Decrypt", "kms:DescribeKey"}
	if write {
		objects = append(objects, "s3:PutObject", "s3:DeleteObject")
		keyActions = append(keyActions, "kms:Encrypt", "kms:GenerateDataKey")
	}
	key := policydoc.Allow("UseTheStateKey", keyActions, fmt.Sprintf("arn:aws:kms:%s:%s:key/*", region, account))
	key.Condition = map[string]map[string][]string{"ForAnyValue:StringEquals": {"kms:ResourceAliases": {keyAlias}}}
	return []policydoc.Statement{
		policydoc.Allow("ListTheStateBucket", []string{"s3:ListBucket", "s3:GetBucketLocation"}, "arn:aws:s3:::"+bucket),
		policydoc.Allow("StateObjects", objects, "arn:aws:s3:::"+bucket+"/*"),
		key,
	}
}

// DeployScope is what the deploy role's permissions are scoped to.
type DeployScope struct {
	Prefix, Region, Account string
	// HostedZoneID is the zone whose records the stack manages; empty for none.
	HostedZoneID string
	// StateBucket and StateKeyAlias are the state backend.
	StateBucket, StateKeyAlias string
	// ManagedRoles are the application roles (by name) the stack creates.
	ManagedRoles []string
}

func (d DeployScope) arn(service, resource string) string {
	return fmt.Sprintf("arn:aws:%s:%s:%s:%s", service, d.Region, d.Account, resource)
}

// regional limits a statement whose resources cannot be named in advance (new
// VPC resources, task definitions, scaling targets) to the stack's region.
func (d DeployScope) regional(s policydoc.Statement) policydoc.Statement {
	s.Condition = map[string]map[string][]string{"StringEquals": {"aws:RequestedRegion": {d.Region}}}
	return s
}

// DeployPolicy is what `pulumi up` of one stack needs on top of ReadOnlyAccess:
// write access to the resources named after the stack's prefix, EC2 networking
// and the unnameable calls in the stack's region, and iam:PassRole on the
// stack's application roles only. It grants nothing on the CI identity itself.
func DeployPolicy(d DeployScope) policydoc.Document {
	p := d.Prefix
	roleARNs := make([]string, len(d.ManagedRoles))
	for i, r := range d.ManagedRoles {
		roleARNs[i] = fmt.Sprintf("arn:aws:iam::%s:role/%s", d.Account, r)
	}
	logGroups := []string{
		d.arn("logs", "log-group:/aws/vpc/flow-logs/"+p), d.arn("logs", "log-group:/aws/vpc/flow-logs/"+p+":*"),
		d.arn("logs", "log-group:/ecs/"+p+"-*"), d.arn("logs", "log-group:/aws/elasticache/"+p+"/*"),
		d.arn("logs", "log-group:/aws/rds/instance/"+p+"-postgres/*"),
		d.arn("logs", "log-group:/aws/vendedlogs/states/"+p+"-*"),
	}
	keyByAlias := policydoc.Allow("EnvironmentKey", []string{"kms:*"}, d.arn("kms", "key/*"))
	keyByAlias.Condition = map[string]map[string][]string{"ForAnyValue:StringEquals": {"kms:ResourceAliases": {"alias/" + p}}}

	statements := []policydoc.Statement{
		d.regional(policydoc.Allow("Networking", []string{"ec2:*"}, "*")),
		d.regional(policydoc.Allow("UnnameableCalls", []string{
			"kms:CreateKey", "ecs:RegisterTaskDefinition", "ecs:DeregisterTaskDefinition", "ecs:CreateCluster",
			"ecs:TagResource", "application-autoscaling:*", "acm:RequestCertificate", "acm:AddTagsToCertificate",
			"elasticloadbalancing:AddTags", "logs:DescribeLogGroups", "cloudwatch:PutDashboard", "cloudwatch:DeleteDashboards",
			"ecr:GetAuthorizationToken",
			// Step Functions' definition check and log delivery offer no resource-level permission.
			"states:ValidateStateMachineDefinition", "logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery",
			"logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:DescribeResourcePolicies",
		}, "*")),
		keyByAlias,
		policydoc.Allow("EnvironmentKeyAlias", []string{"kms:CreateAlias", "kms:UpdateAlias", "kms:DeleteAlias"},
			d.arn("kms", "alias/"+p), d.arn("kms", "key/*")),
		policydoc.Allow("LoadBalancer", []string{"elasticloadbalancing:*"},
			d.arn("elasticloadbalancing", "loadbalancer/app/"+p+"-*"),
			d.arn("elasticloadbalancing", "targetgroup/"+p+"-*"),
			d.arn("elasticloadbalancing", "listener/app/"+p+"-*"),
			d.arn("elasticloadbalancing", "listener-rule/app/"+p+"-*")),
		policydoc.Allow("Services", []string{"ecs:*"},
			d.arn("ecs", "cluster/"+p+"-*"), d.arn("ecs", "service/"+p+"-*"), d.arn("ecs", "task-definition/"+p+"-*"),
			d.arn("ecs", "task/"+p+"-*")),
		policydoc.Allow("ImageRepositories", []string{"ecr:*"}, d.arn("ecr", "repository/"+p+"-*")),
		policydoc.Allow("Database", []string{"rds:*"},
			d.arn("rds", "db:"+p+"-*"), d.arn("rds", "pg:"+p+"-*"), d.arn("rds", "subgrp:"+p+"-*"),
			d.arn("rds", "snapshot:"+p+"-*"), d.arn("rds", "og:*")),
		policydoc.Allow("Cache", []string{"elasticache:*"},
			d.arn("elasticache", "replicationgroup:"+p+"-*"), d.arn("elasticache", "cluster:"+p+"-*"),
			d.arn("elasticache", "parametergroup:"+p+"-*"), d.arn("elasticache", "subnetgroup:"+p+"-*"),
			d.arn("elasticache", "snapshot:"+p+"-*"), d.arn("elasticache", "user:default")),
		policydoc.Allow("Secrets", []string{"secretsmanager:*"},
			d.arn("secretsmanager", "secret:"+p+"-*"), d.arn("secretsmanager", "secret:rds!*")),
		policydoc.Allow("Logs", []string{"logs:*"}, logGroups...),
		policydoc.Allow("Alarms", []string{"cloudwatch:*"},
			d.arn("cloudwatch", "alarm:"+p+"-*"), fmt.Sprintf("arn:aws:cloudwatch::%s:dashboard/%s-*", d.Account, p)),
		policydoc.Allow("AlertTopic", []string{"sns:*"}, d.arn("sns", p+"-*")),
		policydoc.Allow("RedeployOnRotation", []string{"states:*", "events:*"},
			d.arn("states", "stateMachine:"+p+"-*"), d.arn("states", "execution:"+p+"-*"), d.arn("events", "rule/"+p+"-*")),
		policydoc.Allow("AccessLogBucket", []string{"s3:*"}, "arn:aws:s3:::"+p+"-*", "arn:aws:s3:::"+p+"-*/*"),
		policydoc.Allow("Certificates", []string{"acm:*"}, d.arn("acm", "certificate/*")),
		policydoc.Allow("ApplicationRoles", []string{
			"iam:CreateRole", "iam:DeleteRole", "iam:UpdateRole", "iam:UpdateAssumeRolePolicy", "iam:TagRole", "iam:UntagRole",
			"iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:AttachRolePolicy", "iam:DetachRolePolicy",
		}, roleARNs...),
		policydoc.Allow("PassApplicationRoles", []string{"iam:PassRole"}, roleARNs...),
	}
	linked := policydoc.Allow("ServiceLinkedRoles", []string{"iam:CreateServiceLinkedRole"},
		fmt.Sprintf("arn:aws:iam::%s:role/aws-service-role/*", d.Account))
	linked.Condition = map[string]map[string][]string{"StringEquals": {"iam:AWSServiceName": {
		"ecs.amazonaws.com", "elasticloadbalancing.amazonaws.com", "rds.amazonaws.com",
		"elasticache.amazonaws.com", "ecs.application-autoscaling.amazonaws.com",
	}}}
	statements = append(statements, linked)
	if d.HostedZoneID != "" {
		statements = append(statements, policydoc.Allow("DnsRecords",
			[]string{"route53:ChangeResourceRecordSets", "route53:GetChange"},
			"arn:aws:route53:::hostedzone/"+d.HostedZoneID, "arn:aws:route53:::change/*"))
	}
	statements = append(statements, StateStatements(d.StateBucket, d.StateKeyAlias, d.Region, d.Account, true)...)
	return policydoc.New(statements...)
}
