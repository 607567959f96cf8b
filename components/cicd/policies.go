package cicd

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/ohmycoins/infra/internal/policydoc"
	"github.com/ohmycoins/infra/internal/statebackend"
)

// StateScope is the part of the state backend one stack's roles may reach.
type StateScope struct {
	// Stack is the stack's name: its objects are .pulumi/stacks/ohmycoins/<stack>.json
	// and its history, backups and locks.
	Stack string
	// Backend is the bucket that holds the stack's state, in the stack's
	// own account.
	Backend statebackend.Settings
	// Region and Account locate the keys.
	Region, Account string
	// OwnBuckets are the object ARN patterns of the stack's own buckets (its
	// access logs), which a deploy must be able to empty; every other object
	// in the account is fenced off.
	OwnBuckets []string
}

// StateStatements let one stack's role read (and, with write, lock and write)
// that stack's objects in the state backend and nothing else there:
//
//   - the stack's checkpoint, tags, history, backups and locks, and the
//     backend's meta.yaml, in the DIY backend's layout (statebackend);
//   - the bucket's key only through S3 (kms:ViaService), so it decrypts no
//     object the role may not read;
//   - the stack's own secrets key, Decrypt only: with the encryptedkey in the
//     stack file the CLI never calls Encrypt (the operator who initialises the
//     stack does, once);
//   - an explicit Deny on every other object, which also takes back what
//     a read policy might grant (s3:GetObject on every bucket: another
//     stack's state, the access logs of another environment).
func StateStatements(s StateScope, write bool) []policydoc.Statement {
	objects := []string{"s3:GetObject", "s3:GetObjectVersion"}
	bucketKey := []string{"kms:Decrypt"}
	if write {
		objects = append(objects, "s3:PutObject", "s3:DeleteObject")
		bucketKey = append(bucketKey, "kms:GenerateDataKey")
	}
	own := s.Backend.StackObjects(s.Stack)
	list := policydoc.Allow("ListTheStateBucket", []string{"s3:ListBucket", "s3:GetBucketLocation"}, s.Backend.BucketARN())
	meta := policydoc.Allow("ReadTheBackendFormat", []string{"s3:GetObject"}, s.Backend.MetaObject())

	viaS3 := policydoc.Allow("StateBucketKeyThroughS3", bucketKey, fmt.Sprintf("arn:aws:kms:%s:%s:key/*", s.Region, s.Account))
	viaS3.Condition = map[string]map[string][]string{
		"ForAnyValue:StringEquals": {"kms:ResourceAliases": {statebackend.KeyAlias}},
		"StringEquals":             {"kms:ViaService": {"s3." + s.Region + ".amazonaws.com"}},
	}
	secrets := policydoc.Allow("StackSecretsKey", []string{"kms:Decrypt", "kms:DescribeKey"}, fmt.Sprintf("arn:aws:kms:%s:%s:key/*", s.Region, s.Account))
	secrets.Condition = map[string]map[string][]string{"ForAnyValue:StringEquals": {"kms:ResourceAliases": {statebackend.SecretsKeyAlias(s.Stack)}}}

	fence := policydoc.Deny("NoOtherObjects", []string{"s3:GetObject*", "s3:PutObject*", "s3:DeleteObject*", "s3:RestoreObject"})
	fence.Resource = nil
	fence.NotResource = append(append(append([]string{}, own...), s.Backend.MetaObject()), s.OwnBuckets...)
	return []policydoc.Statement{list, meta, policydoc.Allow("StackState", objects, own...), viaS3, secrets, fence}
}

// RefreshStatements let the preview role read back, on a refresh, the values
// of the secrets the stack writes (the provider's read of a secret version is
// GetSecretValue), decrypting them with the environment's key only when
// Secrets Manager asks on the role's behalf. Without them, the nightly
// `pulumi preview --refresh` fails on every stack with AccessDenied.
func RefreshStatements(region, account, environment string, secretNames []string) []policydoc.Statement {
	if len(secretNames) == 0 {
		return nil
	}
	var arns []string
	for _, name := range secretNames {
		// Secrets Manager appends a hyphen and six characters to the name.
		arns = append(arns, fmt.Sprintf("arn:aws:secretsmanager:%s:%s:secret:%s-??????", region, account, name))
	}
	read := policydoc.Allow("ReadBackTheStacksSecretValues", []string{"secretsmanager:GetSecretValue"}, arns...)
	key := policydoc.Allow("DecryptThemThroughSecretsManager", []string{"kms:Decrypt"}, fmt.Sprintf("arn:aws:kms:%s:%s:key/*", region, account))
	key.Condition = map[string]map[string][]string{"StringEquals": {
		"aws:ResourceTag/Environment": {environment},
		"kms:ViaService":              {"secretsmanager." + region + ".amazonaws.com"},
	}}
	return []policydoc.Statement{read, key}
}

// DeployScope is what the deploy role's permissions are scoped to.
type DeployScope struct {
	Prefix, Region, Account string
	// Environment is the value of the Environment tag the provider puts on
	// every resource of the stack (staging, production): it scopes what
	// carries no name (VPC resources, keys, certificates, scaling targets).
	Environment string
	// VpcID is the environment's VPC: the network interfaces in it are its.
	VpcID string
	// HostedZoneID is the zone whose records the stack manages; empty for none.
	HostedZoneID string
	// RecordNames are the record names (lower case, no trailing dot; IAM
	// wildcards allowed) the stack may change in that zone.
	RecordNames []string
	// DelegatedNames are the subdomains whose NS records, and only those,
	// the stack may change in that zone (delegations to another account).
	DelegatedNames []string
	// CertificateNames are the only names the stack may request a
	// certificate for (its certificate's domain and alternative names);
	// none, no certificate request at all.
	CertificateNames []string
	// State is the stack's part of the state backend.
	State StateScope
	// ManagedRoles are the application roles the stack creates, and the
	// service each is passed to.
	ManagedRoles []policydoc.ServiceRole
	// AttachablePolicies are the AWS managed policies the application roles
	// carry (ECS task execution, RDS enhanced monitoring): the only policies
	// the deploy role may attach, and under the boundary only.
	AttachablePolicies []string
	// LogGroups are the log group name patterns the stack owns.
	LogGroups []string
	// DRRegion is where the stack replicates its database's backups, under
	// a key of that region; "" for none.
	DRRegion string
}

func (d DeployScope) arn(service, resource string) string {
	return fmt.Sprintf("arn:aws:%s:%s:%s:%s", service, d.Region, d.Account, resource)
}

// drARN is arn in the backup region.
func (d DeployScope) drARN(service, resource string) string {
	return fmt.Sprintf("arn:aws:%s:%s:%s:%s", service, d.DRRegion, d.Account, resource)
}

// recovery is what the replication of the database's backups to DRRegion
// needs, and only there: the region's key, created tagged for the
// environment and used only while it carries the tag, its alias, and the
// replication of the environment's own database.
func (d DeployScope) recovery() []policydoc.Statement {
	inDR := func(s policydoc.Statement) policydoc.Statement {
		if s.Condition == nil {
			s.Condition = map[string]map[string][]string{}
		}
		s.Condition["StringEquals"] = merge(s.Condition["StringEquals"], map[string][]string{"aws:RequestedRegion": {d.DRRegion}})
		return s
	}
	create := policydoc.Allow("CreateTheBackupRegionsKey", []string{"kms:CreateKey", "kms:TagResource"}, "*")
	create.Condition = map[string]map[string][]string{
		"StringEquals":         {"aws:RequestTag/Environment": {d.Environment}},
		"StringEqualsIfExists": {"aws:ResourceTag/Environment": {d.Environment}},
	}
	key := policydoc.Allow("TheBackupRegionsKey", []string{"kms:*"}, d.drARN("kms", "key/*"))
	key.Condition = map[string]map[string][]string{"StringEquals": {"aws:ResourceTag/Environment": {d.Environment}}}
	return []policydoc.Statement{
		inDR(create), inDR(key),
		inDR(policydoc.Allow("TheBackupRegionsKeyAlias", []string{"kms:CreateAlias", "kms:UpdateAlias", "kms:DeleteAlias"}, d.drARN("kms", "alias/"+d.Prefix+"-dr"))),
		inDR(policydoc.Allow("ReplicateTheDatabasesBackups", []string{"rds:StartDBInstanceAutomatedBackupsReplication", "rds:StopDBInstanceAutomatedBackupsReplication"},
			d.arn("rds", "db:"+d.Prefix+"-*"))),
		// Replicated backups are named by RDS (ab-...), not by the stack.
		inDR(policydoc.Allow("SeeTheReplicatedBackups", []string{"rds:DescribeDBInstanceAutomatedBackups"}, d.drARN("rds", "auto-backup:*"))),
	}
}

// regional limits a statement to the stack's region.
func (d DeployScope) regional(s policydoc.Statement) policydoc.Statement {
	if s.Condition == nil {
		s.Condition = map[string]map[string][]string{}
	}
	s.Condition["StringEquals"] = merge(s.Condition["StringEquals"], map[string][]string{"aws:RequestedRegion": {d.Region}})
	return s
}

// tagged limits a statement to resources that carry the stack's Environment tag.
func (d DeployScope) tagged(s policydoc.Statement) policydoc.Statement {
	s.Condition = map[string]map[string][]string{"StringEquals": {"aws:ResourceTag/Environment": {d.Environment}}}
	return d.regional(s)
}

// tagging limits a statement to requests that tag what they create with the
// stack's Environment (the provider's default tags do). A resource that
// exists already must carry it too: otherwise the same call could re-tag
// another environment's key or certificate as this one's, and take it over.
func (d DeployScope) tagging(s policydoc.Statement) policydoc.Statement {
	s.Condition = map[string]map[string][]string{
		"StringEquals":         {"aws:RequestTag/Environment": {d.Environment}},
		"StringEqualsIfExists": {"aws:ResourceTag/Environment": {d.Environment}},
	}
	return d.regional(s)
}

func merge(a, b map[string][]string) map[string][]string {
	out := map[string][]string{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

// ec2Creates maps each EC2 create call the stack makes to the resource type
// it creates: the call may create that type only tagged for the stack, and
// every existing resource it names (the VPC of a subnet) must carry the tag
// (tagging's IfExists condition).
var ec2Creates = map[string]string{
	"ec2:CreateVpc": "vpc", "ec2:CreateSubnet": "subnet", "ec2:CreateSecurityGroup": "security-group",
	"ec2:CreateRouteTable": "route-table", "ec2:CreateInternetGateway": "internet-gateway",
	"ec2:CreateNatGateway": "natgateway", "ec2:AllocateAddress": "elastic-ip", "ec2:CreateVpcEndpoint": "vpc-endpoint",
	"ec2:CreateFlowLogs": "vpc-flow-log", "ec2:CreateNetworkAcl": "network-acl",
}

// ec2Children are EC2 resource types that exist only inside a parent the
// stack owns (a rule in a security group): a call on one is authorised on its
// parent too, which carries the tag. Network interfaces, which AWS services
// create untagged, are the environment's only in its VPC (ec2:Vpc).
var ec2Children = []string{"security-group-rule", "route-table-association"}

// DeployPolicies is what `pulumi up` of one stack needs on top of its reads
// (ReadPolicies), and no more than its own environment, as customer-managed
// policies by name suffix (IAM holds at most 10,240 characters of inline
// policy per role, 6,144 per managed policy):
//
//   - platform: resources without a name (VPC resources, KMS keys,
//     certificates, scaling targets) by the Environment tag, created only with
//     it and changed only when they carry it; DNS records by name, in one
//     zone: the names the stack's hosts and their ACM validation records use;
//   - services: named resources (load balancer, services, database, cache,
//     secrets, log groups, alarms, topics, buckets, repositories, state
//     machines) by the stack's name prefix in their ARNs; iam:PassRole on the
//     stack's application roles only, and nothing on the CI identity itself;
//     certificate requests for the stack's own names (certificateRequests);
//   - roles: the application roles, written only under the environment's
//     permissions boundary (applicationRoles), and service-linked roles;
//   - state: the stack's own state objects and secrets key (StateStatements).
func DeployPolicies(d DeployScope) map[string]policydoc.Document {
	p := d.Prefix
	var logGroups []string
	for _, g := range d.LogGroups {
		logGroups = append(logGroups, d.arn("logs", "log-group:"+g), d.arn("logs", "log-group:"+g+":*"))
	}

	statements := []policydoc.Statement{
		d.regional(policydoc.Allow("UnscopableCalls", []string{
			// No resource-level permission exists for these: a registry
			// token, validation and log delivery. ecs:RegisterTaskDefinition
			// is scoped to the stack's families (Services); revisions are never
			// deregistered (ecs.TaskDefinitionArgs.SkipDestroy). The account's
			// log resource policy belongs to the account-level program, so no
			// environment may overwrite it (logs:PutResourcePolicy). Saved
			// Logs Insights queries have no resource type either: they
			// hold no data, only the text of a query.
			"ecr:GetAuthorizationToken",
			"states:ValidateStateMachineDefinition", "logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery",
			"logs:DeleteLogDelivery", "logs:ListLogDeliveries", "logs:DescribeResourcePolicies",
			"logs:PutQueryDefinition", "logs:DeleteQueryDefinition",
		}, "*")),
	}
	var created []string
	for _, action := range sortedKeys(ec2Creates) {
		created = append(created, d.arn("ec2", ec2Creates[action]+"/*"))
	}
	statements = append(statements, d.tagging(policydoc.Allow("CreateNetworking", sortedKeys(ec2Creates), created...)))
	tagOnCreate := policydoc.Allow("TagOnCreate", []string{"ec2:CreateTags"}, d.arn("ec2", "*/*"))
	var createActions []string // ec2:CreateAction names the call without its service prefix
	for _, action := range sortedKeys(ec2Creates) {
		createActions = append(createActions, strings.TrimPrefix(action, "ec2:"))
	}
	tagOnCreate.Condition = map[string]map[string][]string{"StringEquals": {"ec2:CreateAction": createActions}}
	children := make([]string, len(ec2Children))
	for i, c := range ec2Children {
		children[i] = d.arn("ec2", c+"/*")
	}
	platform := append(statements,
		d.regional(tagOnCreate),
		d.tagged(policydoc.Allow("OwnNetworking", []string{"ec2:*"}, d.arn("ec2", "*/*"))),
		d.regional(policydoc.Allow("OwnNetworkingChildren", []string{"ec2:*"}, children...)),
		d.networkInterfaces(),
		d.tagging(policydoc.Allow("CreateKey", []string{"kms:CreateKey", "kms:TagResource"}, "*")),
		d.tagged(policydoc.Allow("EnvironmentKey", []string{"kms:*"}, d.arn("kms", "key/*"))),
		policydoc.Allow("EnvironmentKeyAlias", []string{"kms:CreateAlias", "kms:UpdateAlias", "kms:DeleteAlias"}, d.arn("kms", "alias/"+p)),
		d.tagging(policydoc.Allow("TagCertificates", []string{"acm:AddTagsToCertificate"}, "*")),
		d.tagged(policydoc.Allow("EnvironmentCertificates", []string{"acm:*"}, d.arn("acm", "certificate/*"))),
		d.tagging(policydoc.Allow("CreateScalingTargets", []string{"application-autoscaling:RegisterScalableTarget", "application-autoscaling:TagResource"}, "*")),
		d.tagged(policydoc.Allow("EnvironmentScaling", []string{"application-autoscaling:*"}, d.arn("application-autoscaling", "scalable-target/*"))),
	)
	services := []policydoc.Statement{
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
			d.arn("rds", "snapshot:"+p+"-*"), d.arn("rds", "og:default:*")),
		policydoc.Allow("Cache", []string{"elasticache:*"},
			d.arn("elasticache", "replicationgroup:"+p+"-*"), d.arn("elasticache", "cluster:"+p+"-*"),
			d.arn("elasticache", "parametergroup:"+p+"-*"), d.arn("elasticache", "subnetgroup:"+p+"-*"),
			d.arn("elasticache", "snapshot:"+p+"-*"), d.arn("elasticache", "user:default")),
		policydoc.Allow("Secrets", []string{"secretsmanager:*"}, d.arn("secretsmanager", "secret:"+p+"-*")),
		d.masterSecret(),
		policydoc.Allow("Logs", []string{"logs:*"}, logGroups...),
		policydoc.Allow("Alarms", []string{"cloudwatch:*"},
			d.arn("cloudwatch", "alarm:"+p+"-*"), fmt.Sprintf("arn:aws:cloudwatch::%s:dashboard/%s-*", d.Account, p)),
		policydoc.Allow("AlertTopic", []string{"sns:*"}, d.arn("sns", p+"-*")),
		policydoc.Allow("Budget", []string{"budgets:*"}, fmt.Sprintf("arn:aws:budgets::%s:budget/%s-*", d.Account, p)),
		policydoc.Allow("RedeployOnRotation", []string{"states:*", "events:*"},
			d.arn("states", "stateMachine:"+p+"-*"), d.arn("states", "execution:"+p+"-*"), d.arn("events", "rule/"+p+"-*")),
		policydoc.Allow("AccessLogBucket", []string{"s3:*"}, "arn:aws:s3:::"+p+"-*", "arn:aws:s3:::"+p+"-*/*"),
		// The web ACL, and what its writes name: the AWS managed rule groups
		// it runs and the load balancer it is associated with.
		policydoc.Allow("Firewall", []string{"wafv2:*"}, d.arn("wafv2", "regional/webacl/"+p+"-*/*")),
		// AWS Chatbot's configurations are the account's, named by prefix;
		// the service answers from its own regions, whatever the stack's.
		policydoc.Allow("ChatChannels", []string{"chatbot:*"},
			fmt.Sprintf("arn:aws:chatbot::%s:chat-configuration/slack-channel/%s-*", d.Account, p),
			fmt.Sprintf("arn:aws:chatbot::%s:chat-configuration/microsoft-teams-channel/%s-*", d.Account, p)),
		policydoc.Allow("FirewallRuleGroups", []string{"wafv2:CreateWebACL", "wafv2:UpdateWebACL"}, d.arn("wafv2", "regional/managedruleset/*/*")),
		policydoc.Allow("FirewallOnTheLoadBalancer", []string{"wafv2:AssociateWebACL", "wafv2:DisassociateWebACL", "wafv2:GetWebACLForResource"},
			d.arn("elasticloadbalancing", "loadbalancer/app/"+p+"-*/*")),
	}
	linked := policydoc.Allow("ServiceLinkedRoles", []string{"iam:CreateServiceLinkedRole"},
		fmt.Sprintf("arn:aws:iam::%s:role/aws-service-role/*", d.Account))
	linked.Condition = map[string]map[string][]string{"StringEquals": {"iam:AWSServiceName": {
		"ecs.amazonaws.com", "elasticloadbalancing.amazonaws.com", "rds.amazonaws.com",
		"elasticache.amazonaws.com", "ecs.application-autoscaling.amazonaws.com",
	}}}
	roles := append(d.applicationRoles(), linked)
	services = append(services, d.certificateRequests()...)
	if d.HostedZoneID != "" && len(d.RecordNames) > 0 {
		records := policydoc.Allow("DnsRecords", []string{"route53:ChangeResourceRecordSets"}, "arn:aws:route53:::hostedzone/"+d.HostedZoneID)
		records.Condition = map[string]map[string][]string{
			"ForAllValues:StringLike": {"route53:ChangeResourceRecordSetsNormalizedRecordNames": d.RecordNames},
			"Null":                    {"route53:ChangeResourceRecordSetsNormalizedRecordNames": {"false"}},
		}
		platform = append(platform, records)
	}
	if d.HostedZoneID != "" && len(d.DelegatedNames) > 0 {
		platform = append(platform, d.delegations())
	}
	if d.HostedZoneID != "" && len(d.RecordNames)+len(d.DelegatedNames) > 0 {
		platform = append(platform, policydoc.Allow("DnsChanges", []string{"route53:GetChange"}, "arn:aws:route53:::change/*"))
	}
	parts := map[string]policydoc.Document{
		"platform": policydoc.New(platform...),
		"services": policydoc.New(services...),
		"state":    policydoc.New(StateStatements(d.State, true)...),
		"roles":    policydoc.New(roles...),
	}
	if d.DRRegion != "" {
		parts["recovery"] = policydoc.New(d.recovery()...)
	}
	return parts
}

// masterSecret covers the database's master password secret, which RDS
// creates and manages under a name of its own (rds!db-<id>) with the caller's
// permissions: only through RDS, whose calls the Database statement limits
// to the stack's own database. The role cannot read or change any rds!
// secret directly, production's included.
func (d DeployScope) masterSecret() policydoc.Statement {
	s := policydoc.Allow("DatabaseMasterSecretThroughRDS", []string{"secretsmanager:*"}, d.arn("secretsmanager", "secret:rds!*"))
	s.Condition = map[string]map[string][]string{"ForAnyValue:StringEquals": {"aws:CalledVia": {"rds.amazonaws.com"}}}
	return s
}

// delegations let the deploy role write the NS records of the subdomains the
// zone delegates to another account (the two-account layout: production's
// zone delegates staging's), and no other record type under those names, so
// a delegation can never become an alias of the other environment's hosts.
func (d DeployScope) delegations() policydoc.Statement {
	var names []string
	for _, n := range d.DelegatedNames {
		names = append(names, strings.TrimSuffix(strings.ToLower(n), "."))
	}
	s := policydoc.Allow("DnsDelegations", []string{"route53:ChangeResourceRecordSets"}, "arn:aws:route53:::hostedzone/"+d.HostedZoneID)
	s.Condition = map[string]map[string][]string{
		"ForAllValues:StringEquals": {
			"route53:ChangeResourceRecordSetsNormalizedRecordNames": names,
			"route53:ChangeResourceRecordSetsRecordTypes":           {"NS"},
		},
		"Null": {
			"route53:ChangeResourceRecordSetsNormalizedRecordNames": {"false"},
			"route53:ChangeResourceRecordSetsRecordTypes":           {"false"},
		},
	}
	return s
}

// ACMValidationLabel matches the label of an ACM DNS validation record:
// an underscore and 32 hex digits.
const ACMValidationLabel = "_????????????????????????????????"

// RecordNamePatterns are the names a stack may change in its zone: its hosts,
// and ACM's validation record of each, normalised as Route 53 compares them
// (lower case, no trailing dot).
func RecordNamePatterns(hosts []string) []string {
	var out []string
	for _, h := range hosts {
		h = strings.TrimSuffix(strings.ToLower(h), ".")
		out = append(out, h, ACMValidationLabel+"."+h)
	}
	return out
}

func sortedKeys(m map[string]string) []string { return slices.Sorted(maps.Keys(m)) }

// applicationRoles let the deploy role create and change the environment's
// application roles, and pass each to its own service, only with the
// environment's permissions boundary (BoundaryPolicy) in place: a role it
// writes can never do more than the boundary, whatever policy it puts on it.
// It may attach only the AWS policies the roles use, never remove or swap the
// boundary, and never change the boundary or the CI identity's policies.
func (d DeployScope) applicationRoles() []policydoc.Statement {
	boundary := BoundaryARN(d.Account, d.Prefix)
	withBoundary := func(s policydoc.Statement) policydoc.Statement {
		if s.Condition == nil {
			s.Condition = map[string]map[string][]string{}
		}
		s.Condition["StringEquals"] = merge(s.Condition["StringEquals"], map[string][]string{"iam:PermissionsBoundary": {boundary}})
		return s
	}
	var roleARNs []string
	byService := map[string][]string{}
	for _, r := range d.ManagedRoles {
		arn := fmt.Sprintf("arn:aws:iam::%s:role/%s", d.Account, r.Name)
		roleARNs = append(roleARNs, arn)
		byService[r.Service] = append(byService[r.Service], arn)
	}
	if len(roleARNs) == 0 {
		return nil
	}
	out := []policydoc.Statement{
		withBoundary(policydoc.Allow("WriteApplicationRolesUnderTheBoundary",
			[]string{"iam:CreateRole", "iam:PutRolePolicy", "iam:PutRolePermissionsBoundary"}, roleARNs...)),
		policydoc.Allow("ChangeApplicationRoles", []string{
			"iam:DeleteRole", "iam:UpdateRole", "iam:UpdateRoleDescription", "iam:UpdateAssumeRolePolicy",
			"iam:TagRole", "iam:UntagRole", "iam:DeleteRolePolicy", "iam:DetachRolePolicy",
		}, roleARNs...),
	}
	if len(d.AttachablePolicies) > 0 {
		attach := withBoundary(policydoc.Allow("AttachTheirAWSPoliciesUnderTheBoundary", []string{"iam:AttachRolePolicy"}, roleARNs...))
		attach.Condition["ArnEquals"] = map[string][]string{"iam:PolicyARN": d.AttachablePolicies}
		out = append(out, attach)
	}
	for _, service := range slices.Sorted(maps.Keys(byService)) {
		pass := policydoc.Allow("PassRolesTo"+passSid(service), []string{"iam:PassRole"}, byService[service]...)
		pass.Condition = map[string]map[string][]string{"StringEquals": {"iam:PassedToService": append([]string{service}, passCheckedBy[service]...)}}
		out = append(out, pass)
	}
	keep := policydoc.Deny("NeverRemoveTheBoundary", []string{"iam:DeleteRolePermissionsBoundary"}, "*")
	only := policydoc.Deny("NoRoleWithoutTheBoundary", []string{
		"iam:CreateRole", "iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:PutRolePermissionsBoundary", "iam:UpdateAssumeRolePolicy",
	}, "*")
	only.Condition = map[string]map[string][]string{"StringNotEquals": {"iam:PermissionsBoundary": {boundary}}}
	fixed := policydoc.Deny("NeverChangeTheBoundaryOrTheCIPolicies", []string{
		"iam:CreatePolicy", "iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion", "iam:SetDefaultPolicyVersion",
		"iam:TagPolicy", "iam:UntagPolicy",
	}, fmt.Sprintf("arn:aws:iam::%s:policy/%s-*", d.Account, d.Prefix))
	return append(out, keep, only, fixed)
}

// passCheckedBy are, for the roles whose pass AWS checks in another service's
// API than the one that assumes them (CreateDBInstance's MonitoringRoleArn,
// CreateFlowLogs' DeliverLogsPermissionArn), that API's service: AWS
// documents no iam:PassedToService value for them, so both are allowed;
// the role still goes to that one service only.
var passCheckedBy = map[string][]string{
	policydoc.RDSMonitoring: {"rds.amazonaws.com"},
	policydoc.FlowLogs:      {"ec2.amazonaws.com"},
}

// passSid names a PassRole statement after its service (ecs-tasks.amazonaws.com: EcsTasks).
func passSid(service string) string {
	var b strings.Builder
	for _, part := range strings.FieldsFunc(strings.TrimSuffix(service, ".amazonaws.com"), func(r rune) bool { return r == '-' || r == '.' }) {
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}

// certificateRequests let the stack request a public certificate for its own
// names only (acm:DomainNames holds the domain and every alternative name):
// production's validation records sit in the same zone, so ACM would issue
// staging a certificate for production's names without any DNS change. No
// certificate can be exported, whatever else allows it (public certificates
// requested as exportable since 2025).
func (d DeployScope) certificateRequests() []policydoc.Statement {
	noExport := policydoc.Deny("NoCertificateExport", []string{"acm:ExportCertificate"}, "*")
	exportable := policydoc.Deny("NoExportableCertificate", []string{"acm:RequestCertificate"}, "*")
	exportable.Condition = map[string]map[string][]string{"StringEquals": {"acm:Export": {"ENABLED"}}}
	if len(d.CertificateNames) == 0 {
		return []policydoc.Statement{noExport, exportable}
	}
	request := d.tagging(policydoc.Allow("RequestCertificatesForItsNamesOnly", []string{"acm:RequestCertificate"}, "*"))
	request.Condition["ForAllValues:StringEquals"] = map[string][]string{"acm:DomainNames": d.CertificateNames}
	request.Condition["Null"] = map[string][]string{"acm:DomainNames": {"false"}}
	return []policydoc.Statement{request, noExport, exportable}
}

// networkInterfaces are the environment's only inside its VPC: ECS, RDS and
// the load balancer create them untagged, so the VPC is what tells them
// apart (without it, a flow log on another environment's interface).
func (d DeployScope) networkInterfaces() policydoc.Statement {
	vpc := d.arn("ec2", "vpc/"+d.VpcID)
	if d.VpcID == "" {
		vpc = "none"
	}
	s := d.regional(policydoc.Allow("NetworkInterfacesInItsVpc", []string{"ec2:*"}, d.arn("ec2", "network-interface/*")))
	s.Condition["ArnEquals"] = map[string][]string{"ec2:Vpc": {vpc}}
	return s
}
