package policy

// Resource types the rules read.
const (
	tDB             = "aws:rds/instance:Instance"
	tDBParams       = "aws:rds/parameterGroup:ParameterGroup"
	tCache          = "aws:elasticache/replicationGroup:ReplicationGroup"
	tSecret         = "aws:secretsmanager/secret:Secret"
	tKey            = "aws:kms/key:Key"
	tLB             = "aws:lb/loadBalancer:LoadBalancer"
	tTG             = "aws:lb/targetGroup:TargetGroup"
	tListener       = "aws:lb/listener:Listener"
	tService        = "aws:ecs/service:Service"
	tTaskDef        = "aws:ecs/taskDefinition:TaskDefinition"
	tCluster        = "aws:ecs/cluster:Cluster"
	tRepo           = "aws:ecr/repository:Repository"
	tRepoLifecycle  = "aws:ecr/lifecyclePolicy:LifecyclePolicy"
	tVPC            = "aws:ec2/vpc:Vpc"
	tSubnet         = "aws:ec2/subnet:Subnet"
	tFlowLog        = "aws:ec2/flowLog:FlowLog"
	tSG             = "aws:ec2/securityGroup:SecurityGroup"
	tDefaultSG      = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
	tIngress        = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
	tEgress         = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
	tTopic          = "aws:sns/topic:Topic"
	tLogGroup       = "aws:cloudwatch/logGroup:LogGroup"
	tAlarm          = "aws:cloudwatch/metricAlarm:MetricAlarm"
	tRole           = "aws:iam/role:Role"
	tRolePolicy     = "aws:iam/rolePolicy:RolePolicy"
	tPolicy         = "aws:iam/policy:Policy"
	tBucket         = "aws:s3/bucketV2:BucketV2"
	tBucketPolicy   = "aws:s3/bucketPolicy:BucketPolicy"
	tBucketBlock    = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
	tBucketSSE      = "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2"
	tScalableTarget = "aws:appautoscaling/target:Target"
	tWebACL         = "aws:wafv2/webAcl:WebAcl"
	tWebACLAssoc    = "aws:wafv2/webAclAssociation:WebAclAssociation"
	tWebACLLogging  = "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration"
	tSubscription   = "aws:sns/topicSubscription:TopicSubscription"
	tReplication    = "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication"
	tSlack          = "aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration"
	tTeams          = "aws:chatbot/teamsChannelConfiguration:TeamsChannelConfiguration"
)

// Rules is every rule, grouped by service; Security Hub control ids first.
var Rules = []Rule{
	// Database.
	{ID: "RDS.2", Title: "RDS instances are not publicly accessible", Severity: Critical, Check: rdsNotPublic},
	{ID: "RDS.3", Title: "RDS instances are encrypted at rest with a customer key", Severity: Medium, Check: rdsEncrypted},
	{ID: "RDS.5", Title: "RDS instances run in several AZs", Severity: Medium, Check: rdsMultiAZ},
	{ID: "RDS.6", Title: "RDS enhanced monitoring is on", Severity: Low, Check: rdsEnhancedMonitoring},
	{ID: "RDS.8", Title: "RDS instances have deletion protection", Severity: Low, Check: rdsDeletionProtection},
	{ID: "RDS.9", Title: "RDS instances publish their logs to CloudWatch Logs", Severity: Medium, Check: rdsLogExports},
	{ID: "RDS.11", Title: "RDS instances have automatic backups", Severity: Medium, Check: rdsBackups},
	{ID: "RDS.13", Title: "RDS minor version upgrades are automatic", Severity: High, Check: rdsMinorUpgrades},
	{ID: "RDS.17", Title: "RDS instances copy their tags to snapshots", Severity: Low, Check: rdsCopyTags},
	{ID: "RDS.TLS", Title: "PostgreSQL refuses unencrypted connections (rds.force_ssl)", Severity: High, Check: rdsForceSSL},
	{ID: "RDS.MANAGED_PASSWORD", Title: "RDS manages the master password; no password in the program", Severity: High, Check: rdsManagedPassword},

	// Cache.
	{ID: "ElastiCache.1", Title: "Redis takes automatic snapshots", Severity: High, Check: cacheSnapshots},
	{ID: "ElastiCache.2", Title: "Redis minor version upgrades are automatic", Severity: High, Check: cacheMinorUpgrades},
	{ID: "ElastiCache.3", Title: "Redis replication groups fail over automatically", Severity: Medium, Check: cacheFailover},
	{ID: "ElastiCache.4", Title: "Redis is encrypted at rest", Severity: Medium, Check: cacheAtRest},
	{ID: "ElastiCache.5", Title: "Redis is encrypted in transit", Severity: Medium, Check: cacheInTransit},
	{ID: "ElastiCache.6", Title: "Redis requires an AUTH token", Severity: Medium, Check: cacheAuth},

	// Secrets and keys.
	{ID: "SecretsManager.KMS", Title: "Secrets are encrypted with a customer key", Severity: Medium, Check: secretEncrypted},
	{ID: "KMS.4", Title: "Customer keys rotate", Severity: Medium, Check: keyRotation},
	{ID: "KMS.POLICY", Title: "Key policies let CloudWatch use the key only for alarms and this stack's logs", Severity: Medium, Check: keyPolicyScoped},

	// Load balancer.
	{ID: "ELB.1", Title: "HTTP listeners redirect to HTTPS when there is an HTTPS listener", Severity: Medium, Check: elbRedirect},
	{ID: "ELB.4", Title: "Load balancers drop invalid HTTP headers", Severity: Medium, Check: elbDropHeaders},
	{ID: "ELB.5", Title: "Load balancers write access logs", Severity: Medium, Check: elbAccessLogs},
	{ID: "ELB.6", Title: "Load balancers have deletion protection", Severity: Medium, Check: elbDeletionProtection},
	{ID: "ELB.TLS", Title: "HTTPS listeners allow TLS 1.2 and 1.3 only", Severity: High, Check: elbTLSPolicy},
	{ID: "ELB.16", Title: "Internet-facing load balancers are behind an AWS WAF web ACL", Severity: High, Check: elbBehindWebACL},

	// Web application firewall.
	{ID: "WAF.10", Title: "Web ACLs run the baseline AWS managed rule groups and a rate limit per client IP", Severity: Medium, Check: wafBaseline},
	{ID: "WAF.11", Title: "Web ACLs log what their rules block or count", Severity: Medium, Check: wafLogging},
	{ID: "WAF.BLOCKS", Title: "Production's web ACL rules block; they do not only count", Severity: High, ProductionOnly: true, Check: wafBlocks},

	// Network.
	{ID: "EC2.2", Title: "The VPC default security group allows no traffic", Severity: High, Check: ec2DefaultSG},
	{ID: "EC2.6", Title: "VPC flow logs are on", Severity: Medium, Check: ec2FlowLogs},
	{ID: "EC2.15", Title: "Subnets do not assign public IPs", Severity: Medium, Check: ec2NoPublicIPs},
	{ID: "EC2.18", Title: "Only ports 80 and 443 are open to the internet", Severity: High, Check: ec2OpenPorts},
	{ID: "EC2.DATA_EGRESS", Title: "The data tiers' security groups have no egress", Severity: Medium, Check: ec2DataNoEgress},
	{ID: "EC2.DATA_CLIENTS_ONLY", Title: "PostgreSQL and Redis admit only the security groups of the services with data access", Severity: High, Check: ec2DataClientsOnly},
	{ID: "EC2.RULE_DESCRIPTION", Title: "Every security group rule says what it is for", Severity: Low, Check: ec2RuleDescriptions},

	// Services and images.
	{ID: "ECS.2", Title: "ECS services assign no public IPs", Severity: High, Check: ecsNoPublicIP},
	{ID: "ECS.8", Title: "Secrets are not passed as plain environment variables", Severity: High, Check: ecsNoSecretsInEnvironment},
	{ID: "ECS.12", Title: "ECS clusters have Container Insights", Severity: Medium, Check: ecsContainerInsights},
	{ID: "ECS.ROLLBACK", Title: "ECS services roll back failed deployments", Severity: Medium, Check: ecsCircuitBreaker},
	{ID: "ECS.PLATFORM", Title: "Tasks declare their platform, LINUX/X86_64", Severity: Low, Check: ecsRuntimePlatform},
	{ID: "ECR.1", Title: "ECR scans images on push", Severity: High, Check: ecrScanOnPush},
	{ID: "ECR.2", Title: "ECR tags are immutable", Severity: Medium, Check: ecrImmutableTags},
	{ID: "ECR.3", Title: "ECR repositories have a lifecycle policy", Severity: Medium, Check: ecrLifecycle},

	// Identity.
	{ID: "IAM.1", Title: "No policy allows * on *", Severity: High, Check: iamNoFullAdmin},
	{ID: "IAM.21", Title: "Wildcard resources only where AWS offers no resource-level permission, scoped to the region", Severity: Low, Check: iamScopedWildcards},
	{ID: "IAM.PASSROLE", Title: "iam:PassRole names its roles", Severity: High, Check: iamPassRoleScoped},
	{ID: "IAM.TRUST", Title: "Trust policies name their principals and subjects exactly", Severity: Critical, Check: iamTrustExact},

	// Monitoring and storage.
	{ID: "SNS.1", Title: "SNS topics are encrypted with a customer key", Severity: Medium, Check: snsEncrypted},
	{ID: "ALERTS.PAGE", Title: "Production's alerts page someone, not only e-mail", Severity: High, ProductionOnly: true, Check: alertsPage},
	{ID: "ALERTS.CHATBOT", Title: "Chat channels act through AWS Chatbot within a read-only guardrail, each member authorised", Severity: High, Check: chatbotGuarded},
	{ID: "CloudWatch.15", Title: "Alarms notify someone", Severity: High, Check: alarmsHaveActions},
	{ID: "CloudWatch.16", Title: "Log groups keep logs for a set time", Severity: Medium, Check: logRetentionSet},
	{ID: "CloudWatch.17", Title: "Alarm actions are enabled", Severity: High, Check: alarmActionsEnabled},
	{ID: "CloudWatch.LOG_KMS", Title: "Log groups are encrypted with the environment key", Severity: Medium, Check: logGroupsEncrypted},
	{ID: "S3.5", Title: "Buckets refuse requests without TLS", Severity: Medium, Check: s3TLSOnly},
	{ID: "S3.8", Title: "Buckets block public access", Severity: High, Check: s3PublicAccessBlocked},
	{ID: "S3.SSE", Title: "Buckets encrypt objects by default", Severity: Medium, Check: s3Encrypted},

	// Production's data protection.
	{ID: "DATA.RDS_PROTECTED", Title: "The production database is protected, keeps backups 7+ days and a final snapshot", Severity: Critical, ProductionOnly: true, Check: dataDatabase},
	{ID: "DATA.CROSS_REGION_BACKUPS", Title: "The production database's backups are replicated to another region under a protected key of it", Severity: High, ProductionOnly: true, Check: dataCrossRegionBackups},
	{ID: "DATA.CACHE_PROTECTED", Title: "Production Redis is protected and keeps snapshots", Severity: High, ProductionOnly: true, Check: dataCache},
	{ID: "DATA.SECRET_RECOVERY", Title: "Production secrets are protected and recoverable for 7+ days", Severity: High, ProductionOnly: true, Check: dataSecret},
	{ID: "DATA.KEY_PROTECTED", Title: "Production keys are protected", Severity: Critical, ProductionOnly: true, Check: dataKey},
	{ID: "DATA.NO_DELETE_BEFORE_REPLACE", Title: "Nothing that holds data is deleted before its replacement exists", Severity: Critical, Check: dataNoDeleteBeforeReplace},
	{ID: "DATA.EVIDENCE_PROTECTED", Title: "Production's log groups, image repositories and access-log buckets are protected", Severity: High, ProductionOnly: true, Check: dataEvidenceProtected},
	{ID: "DATA.SECRET_ROTATES", Title: "Secret versions are not protected, so a new value can replace them", Severity: High, Check: dataSecretRotates},

	// Updates that stay empty: nothing the provider would report as changed on every run.
	{ID: "STABLE.CONTAINER_DEFINITIONS", Title: "Container definitions hold nothing ECS would store differently (empty values, duplicate names)", Severity: Medium, Check: stableContainerDefinitions},
	{ID: "STABLE.AUTOSCALED_COUNT", Title: "Services whose count autoscaling owns ignore desiredCount", Severity: Medium, Check: stableAutoscaledCount},

	// AWS limits.
	{ID: "LIMIT.LB_NAMES", Title: "Load balancer and target group names fit in 32 characters", Severity: High, Check: limitLBNames},
	{ID: "LIMIT.FARGATE_SIZE", Title: "Task sizes are ones Fargate offers", Severity: High, Check: limitFargateSizes},
	{ID: "LIMIT.LOG_RETENTION", Title: "Log retentions are values CloudWatch accepts", Severity: High, Check: limitLogRetention},
	{ID: "LIMIT.RDS_IDENTIFIER", Title: "RDS identifiers follow RDS's naming rules", Severity: High, Check: limitRDSIdentifier},
	{ID: "LIMIT.REDIS_ID", Title: "Redis replication group ids fit ElastiCache's rules (40 characters)", Severity: High, Check: limitRedisID},
	{ID: "LIMIT.RECOVERY_WINDOW", Title: "Secret recovery windows are 0 or 7-30 days", Severity: High, Check: limitRecoveryWindow},
	{ID: "LIMIT.ALARM_DIMENSIONS", Title: "Alarm dimensions are sets CloudWatch publishes the metric under", Severity: High, Check: limitAlarmDimensions},
	{ID: "LIMIT.IAM_POLICY_SIZE", Title: "IAM policies fit: a role's inline policies in 10,240 characters, a managed policy in 6,144", Severity: High, Check: limitPolicySize},
	{ID: "LOGS.COVERED", Title: "Every encrypted log group is covered by its key's policy and the deploy role", Severity: High, Check: logsCovered},
	{ID: "LIMIT.AUTOSCALING_BOUNDS", Title: "Scaling targets have min <= max", Severity: High, Check: limitScalingBounds},
}
