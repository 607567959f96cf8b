package cicd

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/ohmycoins/infra/internal/awsread"
	"github.com/ohmycoins/infra/internal/policydoc"
)

// VerifyActions are what cmd/verify asks AWS after a deploy (internal/verify)
// beyond the provider's reads: the targets' health.
var VerifyActions = []string{"elasticloadbalancing:DescribeTargetHealth"}

// globalServices sign their calls in us-east-1 whatever the stack's region,
// so a statement of theirs cannot be limited by aws:RequestedRegion.
var globalServices = []string{"iam", "route53", "s3", "budgets", "sts", "ce", "chatbot"}

// readScopes are the reads the Service Authorization Reference lets a policy
// scope to resources (a required resource type), and the environment's
// resources of that type: by name prefix, by the Environment tag (keys,
// certificates, the VPC), or the stack's zone. Every other read takes only
// "*" (EC2, ELB and Application Auto Scaling describes, list calls without a
// resource), and returns metadata, never data: no action of this program's
// reads returns a log line, an image layer, a database log file, a
// parameter's value or a trail (AWS's ReadOnlyAccess has all of them).
func (d DeployScope) readScopes() map[string][]string {
	p := d.Prefix
	arns := func(service string, resources ...string) []string {
		out := make([]string, len(resources))
		for i, r := range resources {
			out[i] = d.arn(service, r)
		}
		return out
	}
	var logGroups []string
	for _, g := range d.LogGroups {
		logGroups = append(logGroups, d.arn("logs", "log-group:"+g))
	}
	iam := func(kind string) []string {
		return []string{fmt.Sprintf("arn:aws:iam::%s:%s/%s-*", d.Account, kind, p)}
	}
	scopes := map[string][]string{
		"budgets:ViewBudget":                       {fmt.Sprintf("arn:aws:budgets::%s:budget/%s-*", d.Account, p)},
		"cloudwatch:GetDashboard":                  {fmt.Sprintf("arn:aws:cloudwatch::%s:dashboard/%s-*", d.Account, p)},
		"cloudwatch:DescribeAlarms":                arns("cloudwatch", "alarm:"+p+"-*"),
		"logs:ListTagsLogGroup":                    logGroups,
		"ecr:GetLifecyclePolicy":                   arns("ecr", "repository/"+p+"-*"),
		"ecr:DescribeRepositories":                 arns("ecr", "repository/"+p+"-*"),
		"ecr:ListTagsForResource":                  arns("ecr", "repository/"+p+"-*"),
		"ecs:DescribeClusters":                     arns("ecs", "cluster/"+p+"-*"),
		"ecs:DescribeServices":                     arns("ecs", "service/"+p+"-*"),
		"elasticache:DescribeCacheParameterGroups": arns("elasticache", "parametergroup:"+p+"-*"),
		"elasticache:DescribeCacheParameters":      arns("elasticache", "parametergroup:"+p+"-*"),
		"elasticache:DescribeReplicationGroups":    arns("elasticache", "replicationgroup:"+p+"-*"),
		"elasticache:DescribeCacheClusters":        arns("elasticache", "cluster:"+p+"-*"),
		"elasticache:DescribeCacheSubnetGroups":    arns("elasticache", "subnetgroup:"+p+"-*"),
		"iam:GetPolicy":                            iam("policy"),
		"iam:GetPolicyVersion":                     iam("policy"),
		"iam:GetRole":                              iam("role"),
		"iam:ListRolePolicies":                     iam("role"),
		"iam:GetRolePolicy":                        iam("role"),
		"iam:ListAttachedRolePolicies":             iam("role"),
		"iam:GetOpenIDConnectProvider":             {GitHubOIDCProviderARN(d.Account)},
		"rds:DescribeDBParameters":                 arns("rds", "pg:"+p+"-*"),
		"route53:GetChange":                        {"arn:aws:route53:::change/*"},
		"secretsmanager:DescribeSecret":            arns("secretsmanager", "secret:"+p+"-*"),
		"secretsmanager:GetResourcePolicy":         arns("secretsmanager", "secret:"+p+"-*"),
		"states:DescribeStateMachine":              arns("states", "stateMachine:"+p+"-*"),
		"states:ListStateMachineVersions":          arns("states", "stateMachine:"+p+"-*"),
		"sns:GetTopicAttributes":                   arns("sns", p+"-*"),
		"wafv2:GetWebACL":                          arns("wafv2", "regional/webacl/"+p+"-*/*"),
		"wafv2:GetLoggingConfiguration":            arns("wafv2", "regional/webacl/"+p+"-*/*"),
		"wafv2:ListTagsForResource":                arns("wafv2", "regional/webacl/"+p+"-*/*"),
		"sns:ListSubscriptionsByTopic":             arns("sns", p+"-*"),
	}
	if d.HostedZoneID != "" {
		zone := []string{"arn:aws:route53:::hostedzone/" + d.HostedZoneID}
		scopes["route53:GetHostedZone"], scopes["route53:ListResourceRecordSets"] = zone, zone
	}
	for _, a := range awsread.Actions(awsread.Tokens()...) {
		if strings.HasPrefix(a, "s3:") {
			// Every bucket call names its bucket: the environment's only.
			scopes[a] = []string{"arn:aws:s3:::" + p + "-*"}
		}
	}
	return scopes
}

// taggedReads are the reads scoped by the Environment tag of the resource:
// the environment's keys (its secrets key is read by alias, StateStatements),
// certificates and VPC.
var taggedReads = map[string]string{
	"kms:DescribeKey": "kms:key/*", "kms:GetKeyPolicy": "kms:key/*", "kms:GetKeyRotationStatus": "kms:key/*", "kms:ListResourceTags": "kms:key/*",
	"acm:DescribeCertificate": "acm:certificate/*", "acm:ListTagsForCertificate": "acm:certificate/*",
	"ec2:DescribeVpcAttribute": "ec2:vpc/*",
}

// ReadPolicyParts name the read policies, in order (ReadPolicies): a managed
// policy holds at most 6,144 characters.
var ReadPolicyParts = []string{"scoped", "describe"}

// ReadPolicies is what both CI roles read in AWS, in place of
// ReadOnlyAccess: the actions of internal/awsread (the provider's reads of
// every type the program registers, and the calls of every preview) and of
// cmd/verify, scoped to the environment where the service allows it
// (readScopes, taggedReads: the "scoped" part), and the rest on "*" (the
// "describe" part). GetSecretValue is not here: only the stack's own
// secrets (RefreshStatements).
func ReadPolicies(d DeployScope) map[string]policydoc.Document {
	actions := append(awsread.Actions(awsread.Tokens()...), awsread.EveryPreview...)
	actions = append(actions, VerifyActions...)
	scopes := d.readScopes()
	byResources := map[string][]string{}
	var regional, global []string
	var tagged = map[string][]string{}
	for _, a := range slices.Compact(slices.Sorted(slices.Values(actions))) {
		switch {
		case a == "secretsmanager:GetSecretValue":
			continue
		case scopes[a] != nil:
			key := strings.Join(scopes[a], " ")
			byResources[key] = append(byResources[key], a)
		case taggedReads[a] != "":
			tagged[taggedReads[a]] = append(tagged[taggedReads[a]], a)
		case isGlobal(a):
			global = append(global, a)
		default:
			regional = append(regional, a)
		}
	}
	var statements []policydoc.Statement
	for i, key := range slices.Sorted(maps.Keys(byResources)) {
		statements = append(statements, policydoc.Allow(fmt.Sprintf("ReadTheEnvironments%d", i+1), byResources[key], strings.Split(key, " ")...))
	}
	for _, resource := range slices.Sorted(maps.Keys(tagged)) {
		service, rest, _ := strings.Cut(resource, ":")
		resources := []string{d.arn(service, rest)}
		if d.DRRegion != "" && service == "kms" {
			resources = append(resources, d.drARN(service, rest)) // the backup region's key
		}
		s := d.tagged(policydoc.Allow("ReadTheEnvironmentsTagged"+passSid(service), tagged[resource], resources...))
		if d.DRRegion != "" && service == "kms" {
			s.Condition["StringEquals"]["aws:RequestedRegion"] = []string{d.Region, d.DRRegion}
		}
		statements = append(statements, s)
	}
	return map[string]policydoc.Document{
		"scoped": policydoc.New(statements...),
		"describe": policydoc.New(
			d.readRegional(policydoc.Allow("DescribeWhatCannotBeScoped", regional, "*")),
			policydoc.Allow("DescribeGlobalWhatCannotBeScoped", global, "*"),
		),
	}
}

// readRegional limits a read to the stack's regions: its own, and the
// backup region where its database's backups are replicated.
func (d DeployScope) readRegional(s policydoc.Statement) policydoc.Statement {
	s = d.regional(s)
	if d.DRRegion != "" {
		s.Condition["StringEquals"]["aws:RequestedRegion"] = []string{d.Region, d.DRRegion}
	}
	return s
}

func isGlobal(action string) bool {
	service, _, _ := strings.Cut(action, ":")
	return slices.Contains(globalServices, service)
}

// ReadActionsOf are the read actions of one resource type (internal/awsread).
func ReadActionsOf(token string) []string {
	t, _ := awsread.Lookup(token)
	return t.Actions
}

// UnscopedRead reports whether ReadPolicies grants a read on "*" (no resource
// type to scope it to), rather than on the environment's resources.
func UnscopedRead(action string) bool {
	_, scoped := DeployScope{HostedZoneID: "zone"}.readScopes()[action]
	return !scoped && taggedReads[action] == ""
}
