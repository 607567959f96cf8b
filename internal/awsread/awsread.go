// Package awsread is what the CI roles may read in AWS, instead of AWS's
// ReadOnlyAccess (which reads every log, image, database log file, parameter
// and trail of the account, the other environment's included): for each
// resource type the programs register, the IAM actions the provider calls to
// read one back (`pulumi refresh`, `pulumi preview --refresh`), and the calls
// the program and the provider make on every preview.
//
// The lists were read from terraform-provider-aws, the provider pulumi-aws
// v6 bridges: each type's Read function and the finders it calls, plus the
// tags interceptor's ListTags call where Read does not set tags itself, at
// v5.46 (main of 2024-04-17) and v6.0.0, with the calls added in between
// dated from the provider's issues and comments (v5.100.0, which pulumi-aws
// 6.83 bridges, lies between the two). Notes name what is conditional.
// internal/awstype's test requires an entry for every type of its catalog.
package awsread

import (
	"maps"
	"slices"
)

// Type is what reading one resource type back calls.
type Type struct {
	// Actions are the IAM actions of the provider's Read.
	Actions []string
	// Source is the function read, and anything conditional.
	Source string
}

var types = map[string]Type{
	"aws:acm/certificate:Certificate": {[]string{"acm:DescribeCertificate", "acm:ListTagsForCertificate"},
		"acm/certificate.go resourceCertificateRead; tags by the interceptor"},
	"aws:acm/certificateValidation:CertificateValidation": {[]string{"acm:DescribeCertificate"},
		"acm/certificate_validation.go resourceCertificateValidationRead"},
	"aws:appautoscaling/policy:Policy": {[]string{"application-autoscaling:DescribeScalingPolicies"},
		"appautoscaling/policy.go resourcePolicyRead"},
	"aws:appautoscaling/target:Target": {[]string{"application-autoscaling:DescribeScalableTargets", "application-autoscaling:ListTagsForResource"},
		"appautoscaling/target.go resourceTargetRead; tags by the interceptor"},
	"aws:budgets/budget:Budget": {[]string{"budgets:ViewBudget", "budgets:ListTagsForResource"},
		"budgets/budget.go resourceBudgetRead (DescribeBudget, DescribeNotificationsForBudget, DescribeSubscribersForNotification are budgets:ViewBudget); tags since May 2024"},
	"aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration": {[]string{"chatbot:DescribeSlackChannelConfigurations"},
		"chatbot/slack_channel_configuration.go Read (framework; findSlackChannelConfigurationByARN); Read sets tags from the Describe output, so no ListTagsForResource; client pinned to us-east-2/us-west-2/eu-west-1/ap-southeast-1, else us-west-2"},
	"aws:chatbot/teamsChannelConfiguration:TeamsChannelConfiguration": {[]string{"chatbot:ListMicrosoftTeamsChannelConfigurations"},
		"chatbot/teams_channel_configuration.go Read (framework; findTeamsChannelConfigurationByTeamID: ListMicrosoftTeamsChannelConfigurations with TeamId, paginated); Read sets tags from the List output, so no ListTagsForResource; client pinned like Slack"},
	"aws:cloudwatch/dashboard:Dashboard": {[]string{"cloudwatch:GetDashboard"},
		"cloudwatch/dashboard.go resourceDashboardRead"},
	"aws:cloudwatch/eventRule:EventRule": {[]string{"events:DescribeRule", "events:ListTagsForResource"},
		"events/rule.go resourceRuleRead; tags by the interceptor"},
	"aws:cloudwatch/eventTarget:EventTarget": {[]string{"events:ListTargetsByRule"},
		"events/target.go resourceTargetRead"},
	"aws:cloudwatch/logGroup:LogGroup": {[]string{"logs:DescribeLogGroups", "logs:ListTagsForResource", "logs:ListTagsLogGroup"},
		"logs/group.go resourceGroupRead; tags by ListTagsLogGroup in Read at v5.46, by the interceptor's ListTagsForResource since mid 2024: both"},
	"aws:cloudwatch/logMetricFilter:LogMetricFilter": {[]string{"logs:DescribeMetricFilters"},
		"logs/metric_filter.go resourceMetricFilterRead (findMetricFilterByTwoPartKey: DescribeMetricFilters with FilterNamePrefix and LogGroupName, paginated); no tags"},
	"aws:cloudwatch/logResourcePolicy:LogResourcePolicy": {[]string{"logs:DescribeResourcePolicies"},
		"logs/resource_policy.go resourceResourcePolicyRead → findResourcePolicyByName"},
	"aws:cloudwatch/metricAlarm:MetricAlarm": {[]string{"cloudwatch:DescribeAlarms", "cloudwatch:ListTagsForResource"},
		"cloudwatch/metric_alarm.go resourceMetricAlarmRead; tags by the interceptor"},
	"aws:cloudwatch/queryDefinition:QueryDefinition": {[]string{"logs:DescribeQueryDefinitions"},
		"logs/query_definition.go resourceQueryDefinitionRead (findQueryDefinitionByTwoPartKey: DescribeQueryDefinitions with QueryDefinitionNamePrefix, paginated); no tags"},
	"aws:costexplorer/costAllocationTag:CostAllocationTag": {[]string{"ce:ListCostAllocationTags"},
		"ce/cost_allocation_tag.go resourceCostAllocationTagRead"},
	"aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": {[]string{"ec2:DescribeSecurityGroups"},
		"ec2/vpc_default_security_group.go, through resourceSecurityGroupRead"},
	"aws:ec2/eip:Eip": {[]string{"ec2:DescribeAddresses", "ec2:DescribeAddressesAttribute"},
		"ec2/ec2_eip.go resourceEIPRead; DescribeAddressesAttribute (the PTR record) since 5.46, and AccessDenied fails the read"},
	"aws:ec2/flowLog:FlowLog": {[]string{"ec2:DescribeFlowLogs"},
		"ec2/vpc_flow_log.go resourceLogFlowRead"},
	"aws:ec2/internetGateway:InternetGateway": {[]string{"ec2:DescribeInternetGateways"},
		"ec2/vpc_internet_gateway.go resourceInternetGatewayRead"},
	"aws:ec2/natGateway:NatGateway": {[]string{"ec2:DescribeNatGateways"},
		"ec2/vpc_nat_gateway.go resourceNATGatewayRead"},
	"aws:ec2/route:Route": {[]string{"ec2:DescribeRouteTables"},
		"ec2/vpc_route.go resourceRouteRead"},
	"aws:ec2/routeTable:RouteTable": {[]string{"ec2:DescribeRouteTables", "ec2:DescribeNetworkInterfaces"},
		"ec2/vpc_route_table.go resourceRouteTableRead; DescribeNetworkInterfaces per route to an ENI"},
	"aws:ec2/routeTableAssociation:RouteTableAssociation": {[]string{"ec2:DescribeRouteTables"},
		"ec2/vpc_route_table_association.go resourceRouteTableAssociationRead"},
	"aws:ec2/securityGroup:SecurityGroup": {[]string{"ec2:DescribeSecurityGroups"},
		"ec2/vpc_security_group.go resourceSecurityGroupRead"},
	"aws:ec2/subnet:Subnet": {[]string{"ec2:DescribeSubnets"},
		"ec2/vpc_subnet.go resourceSubnetRead"},
	"aws:ec2/vpc:Vpc": {[]string{"ec2:DescribeVpcs", "ec2:DescribeVpcAttribute", "ec2:DescribeNetworkAcls", "ec2:DescribeRouteTables", "ec2:DescribeSecurityGroups"},
		"ec2/vpc_.go resourceVPCRead: the VPC, three attributes, its default ACL, main route table and default security group"},
	"aws:ec2/vpcEndpoint:VpcEndpoint": {[]string{"ec2:DescribeVpcEndpoints", "ec2:DescribePrefixLists", "ec2:DescribeNetworkInterfaces"},
		"ec2/vpc_endpoint.go resourceVPCEndpointRead; DescribeNetworkInterfaces per interface endpoint ENI since 5.54"},
	"aws:ecr/lifecyclePolicy:LifecyclePolicy": {[]string{"ecr:GetLifecyclePolicy"},
		"ecr/lifecycle_policy.go resourceLifecyclePolicyRead"},
	"aws:ecr/repository:Repository": {[]string{"ecr:DescribeRepositories", "ecr:ListTagsForResource"},
		"ecr/repository.go resourceRepositoryRead; tags by the interceptor"},
	"aws:ecs/cluster:Cluster": {[]string{"ecs:DescribeClusters"},
		"ecs/cluster.go resourceClusterRead (tags included)"},
	"aws:ecs/service:Service": {[]string{"ecs:DescribeServices"},
		"ecs/service.go resourceServiceRead (tags included)"},
	"aws:ecs/taskDefinition:TaskDefinition": {[]string{"ecs:DescribeTaskDefinition"},
		"ecs/task_definition.go resourceTaskDefinitionRead (tags included)"},
	"aws:elasticache/parameterGroup:ParameterGroup": {[]string{"elasticache:DescribeCacheParameterGroups", "elasticache:DescribeCacheParameters", "elasticache:ListTagsForResource"},
		"elasticache/parameter_group.go resourceParameterGroupRead; tags by the interceptor"},
	"aws:elasticache/replicationGroup:ReplicationGroup": {[]string{"elasticache:DescribeReplicationGroups", "elasticache:DescribeCacheClusters", "elasticache:ListTagsForResource"},
		"elasticache/replication_group.go resourceReplicationGroupRead; tags by the interceptor"},
	"aws:elasticache/subnetGroup:SubnetGroup": {[]string{"elasticache:DescribeCacheSubnetGroups", "elasticache:ListTagsForResource"},
		"elasticache/subnet_group.go resourceSubnetGroupRead; tags by the interceptor"},
	"aws:iam/openIdConnectProvider:OpenIdConnectProvider": {[]string{"iam:GetOpenIDConnectProvider"},
		"iam/openid_connect_provider.go resourceOpenIDConnectProviderRead"},
	"aws:iam/policy:Policy": {[]string{"iam:GetPolicy", "iam:GetPolicyVersion"},
		"iam/policy.go resourcePolicyRead"},
	"aws:iam/role:Role": {[]string{"iam:GetRole", "iam:ListRolePolicies", "iam:GetRolePolicy", "iam:ListAttachedRolePolicies"},
		"iam/role.go resourceRoleRead: inline and attached policies on every read"},
	"aws:iam/rolePolicy:RolePolicy": {[]string{"iam:GetRolePolicy"},
		"iam/role_policy.go resourceRolePolicyRead"},
	"aws:iam/rolePolicyAttachment:RolePolicyAttachment": {[]string{"iam:ListAttachedRolePolicies"},
		"iam/role_policy_attachment.go resourceRolePolicyAttachmentRead"},
	"aws:kms/alias:Alias": {[]string{"kms:ListAliases"},
		"kms/alias.go resourceAliasRead"},
	"aws:kms/key:Key": {[]string{"kms:DescribeKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListResourceTags"},
		"kms/key.go resourceKeyRead; the key policy must allow these too"},
	"aws:lb/listener:Listener": {[]string{"elasticloadbalancing:DescribeListeners", "elasticloadbalancing:DescribeListenerAttributes", "elasticloadbalancing:DescribeTags"},
		"elbv2/listener.go resourceListenerRead; DescribeListenerAttributes in 5.100"},
	"aws:lb/listenerRule:ListenerRule": {[]string{"elasticloadbalancing:DescribeRules", "elasticloadbalancing:DescribeTags"},
		"elbv2/listener_rule.go resourceListenerRuleRead"},
	"aws:lb/loadBalancer:LoadBalancer": {[]string{"elasticloadbalancing:DescribeLoadBalancers", "elasticloadbalancing:DescribeLoadBalancerAttributes", "elasticloadbalancing:DescribeCapacityReservation", "elasticloadbalancing:DescribeTags"},
		"elbv2/load_balancer.go resourceLoadBalancerRead; DescribeCapacityReservation tolerates AccessDenied"},
	"aws:lb/targetGroup:TargetGroup": {[]string{"elasticloadbalancing:DescribeTargetGroups", "elasticloadbalancing:DescribeTargetGroupAttributes", "elasticloadbalancing:DescribeTags"},
		"elbv2/target_group.go resourceTargetGroupRead"},
	"aws:rds/instance:Instance": {[]string{"rds:DescribeDBInstances"},
		"rds/instance.go resourceInstanceRead (tags and the master secret's ARN included)"},
	"aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication": {[]string{"rds:DescribeDBInstanceAutomatedBackups"},
		"rds/instance_automated_backups_replication.go resourceInstanceAutomatedBackupsReplicationRead (findDBInstanceAutomatedBackupByARN, paginated); in the destination Region; no tags (Delete also calls rds:DescribeDBInstances in the source Region)"},
	"aws:rds/parameterGroup:ParameterGroup": {[]string{"rds:DescribeDBParameterGroups", "rds:DescribeDBParameters", "rds:ListTagsForResource"},
		"rds/parameter_group.go resourceParameterGroupRead; tags by the interceptor"},
	"aws:rds/subnetGroup:SubnetGroup": {[]string{"rds:DescribeDBSubnetGroups", "rds:ListTagsForResource"},
		"rds/subnet_group.go resourceSubnetGroupRead; tags by the interceptor"},
	"aws:route53/record:Record": {[]string{"route53:GetHostedZone", "route53:ListResourceRecordSets"},
		"route53/record.go resourceRecordRead"},
	"aws:route53/zone:Zone": {[]string{"route53:GetHostedZone", "route53:ListTagsForResource"},
		"route53/zone.go resourceZoneRead (FindHostedZoneByID, then the tags; GetDNSSEC only on a forced delete)"},
	"aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2": {[]string{"s3:GetLifecycleConfiguration"},
		"s3/bucket_lifecycle_configuration.go"},
	"aws:s3/bucketOwnershipControls:BucketOwnershipControls": {[]string{"s3:GetBucketOwnershipControls"},
		"s3/bucket_ownership_controls.go"},
	"aws:s3/bucketPolicy:BucketPolicy": {[]string{"s3:GetBucketPolicy"},
		"s3/bucket_policy.go"},
	"aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": {[]string{"s3:GetBucketPublicAccessBlock"},
		"s3/bucket_public_access_block.go"},
	"aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2": {[]string{"s3:GetEncryptionConfiguration"},
		"s3/bucket_server_side_encryption_configuration.go"},
	"aws:s3/bucketV2:BucketV2": {[]string{"s3:ListBucket", "s3:GetBucketPolicy", "s3:GetBucketAcl", "s3:GetBucketCORS", "s3:GetBucketWebsite",
		"s3:GetBucketVersioning", "s3:GetAccelerateConfiguration", "s3:GetBucketRequestPayment", "s3:GetBucketLogging", "s3:GetLifecycleConfiguration",
		"s3:GetReplicationConfiguration", "s3:GetEncryptionConfiguration", "s3:GetBucketObjectLockConfiguration", "s3:GetBucketTagging"},
		"s3/bucket.go resourceBucketRead: every bucket setting, AccessDenied on any fails the read"},
	"aws:s3/bucketVersioningV2:BucketVersioningV2": {[]string{"s3:GetBucketVersioning"},
		"s3/bucket_versioning.go"},
	"aws:secretsmanager/secret:Secret": {[]string{"secretsmanager:DescribeSecret", "secretsmanager:GetResourcePolicy"},
		"secretsmanager/secret.go resourceSecretRead"},
	"aws:secretsmanager/secretVersion:SecretVersion": {[]string{"secretsmanager:GetSecretValue"},
		"secretsmanager/secret_version.go resourceSecretVersionRead: the value itself, decrypted with the secret's key"},
	"aws:sfn/stateMachine:StateMachine": {[]string{"states:DescribeStateMachine", "states:ListStateMachineVersions", "states:ListTagsForResource"},
		"sfn/state_machine.go resourceStateMachineRead; tags by the interceptor"},
	"aws:sns/topic:Topic": {[]string{"sns:GetTopicAttributes", "sns:ListTagsForResource"},
		"sns/topic.go resourceTopicRead; tags by the interceptor"},
	"aws:sns/topicPolicy:TopicPolicy": {[]string{"sns:GetTopicAttributes"},
		"sns/topic_policy.go resourceTopicPolicyRead"},
	"aws:sns/topicSubscription:TopicSubscription": {[]string{"sns:GetSubscriptionAttributes", "sns:ListSubscriptionsByTopic"},
		"sns/topic_subscription.go resourceTopicSubscriptionRead; ListSubscriptionsByTopic since 5.94 (not for e-mail)"},
	"aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": {[]string{"ec2:DescribeSecurityGroupRules"},
		"ec2/vpc_security_group_egress_rule.go (framework Read)"},
	"aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": {[]string{"ec2:DescribeSecurityGroupRules"},
		"ec2/vpc_security_group_ingress_rule.go (framework Read)"},
	"aws:wafv2/webAcl:WebAcl": {[]string{"wafv2:GetWebACL", "wafv2:ListTagsForResource"},
		"wafv2/web_acl.go resourceWebACLRead (findWebACLByThreePartKey: GetWebACL by id, name and scope); tags by the interceptor (@Tags identifierAttribute=arn)"},
	"aws:wafv2/webAclAssociation:WebAclAssociation": {[]string{"wafv2:GetWebACLForResource"},
		"wafv2/web_acl_association.go resourceWebACLAssociationRead (findWebACLByResourceARN); AWS also asks for a permission specific to the resource type for GetWebACLForResource on some targets (e.g. cognito-idp:GetWebACLForResource, apprunner:DescribeWebAclForService, ec2:GetVerifiedAccessInstanceWebAcl); none for ALB, API Gateway or AppSync; no tags"},
	"aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration": {[]string{"wafv2:GetLoggingConfiguration"},
		"wafv2/web_acl_logging_configuration.go resourceWebACLLoggingConfigurationRead (findLoggingConfigurationByARN); no tags"},
}

// EveryPreview are the calls of every preview, refresh or not: the
// provider's credential check (sts:GetCallerIdentity, which no policy can
// deny), the program's lookups (the account, the DNS zone, the registry
// token the image build pushes with), and the plan-time check of a changed
// state machine definition (since 5.67).
var EveryPreview = []string{
	"sts:GetCallerIdentity",
	"route53:ListHostedZones", "route53:GetHostedZone", "route53:ListTagsForResource",
	"ecr:GetAuthorizationToken",
	"states:ValidateStateMachineDefinition",
}

// Lookup is what reading a type back calls.
func Lookup(token string) (Type, bool) {
	t, ok := types[token]
	return t, ok
}

// Tokens are the types with an entry, sorted.
func Tokens() []string { return slices.Sorted(maps.Keys(types)) }

// Actions are the sorted, distinct actions reading the given types back calls.
func Actions(tokens ...string) []string {
	seen := map[string]bool{}
	for _, t := range tokens {
		for _, a := range types[t].Actions {
			seen[a] = true
		}
	}
	return slices.Sorted(maps.Keys(seen))
}
