package tests

import (
	"reflect"
	"strings"
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/acm"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/appautoscaling"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/budgets"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/costexplorer"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ecr"
	awsecs "github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ecs"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/elasticache"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lb"
	awsrds "github.com/pulumi/pulumi-aws/sdk/v6/go/aws/rds"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/route53"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/secretsmanager"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sfn"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sns"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/vpc"
	"github.com/pulumi/pulumi-docker/sdk/v4/go/docker"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/require"

	"github.com/ohmycoins/infra/internal/preview"
	"github.com/ohmycoins/infra/internal/previewcli"
	"github.com/ohmycoins/infra/internal/replacement"
)

// sdkArgs are the Go SDK's argument types of every resource type the table
// classifies: their `pulumi:"..."` tags are the input names the provider
// accepts, which the table's paths must use.
var sdkArgs = map[string]pulumi.Input{
	"aws:acm/certificate:Certificate":                                      acm.CertificateArgs{},
	"aws:acm/certificateValidation:CertificateValidation":                  acm.CertificateValidationArgs{},
	"aws:appautoscaling/policy:Policy":                                     appautoscaling.PolicyArgs{},
	"aws:appautoscaling/target:Target":                                     appautoscaling.TargetArgs{},
	"aws:cloudwatch/dashboard:Dashboard":                                   cloudwatch.DashboardArgs{},
	"aws:cloudwatch/eventRule:EventRule":                                   cloudwatch.EventRuleArgs{},
	"aws:cloudwatch/eventTarget:EventTarget":                               cloudwatch.EventTargetArgs{},
	"aws:cloudwatch/logGroup:LogGroup":                                     cloudwatch.LogGroupArgs{},
	"aws:cloudwatch/metricAlarm:MetricAlarm":                               cloudwatch.MetricAlarmArgs{},
	"aws:ec2/defaultSecurityGroup:DefaultSecurityGroup":                    ec2.DefaultSecurityGroupArgs{},
	"aws:ec2/eip:Eip":                                                      ec2.EipArgs{},
	"aws:ec2/flowLog:FlowLog":                                              ec2.FlowLogArgs{},
	"aws:ec2/internetGateway:InternetGateway":                              ec2.InternetGatewayArgs{},
	"aws:ec2/natGateway:NatGateway":                                        ec2.NatGatewayArgs{},
	"aws:ec2/route:Route":                                                  ec2.RouteArgs{},
	"aws:ec2/routeTable:RouteTable":                                        ec2.RouteTableArgs{},
	"aws:ec2/routeTableAssociation:RouteTableAssociation":                  ec2.RouteTableAssociationArgs{},
	"aws:ec2/securityGroup:SecurityGroup":                                  ec2.SecurityGroupArgs{},
	"aws:ec2/subnet:Subnet":                                                ec2.SubnetArgs{},
	"aws:ec2/vpc:Vpc":                                                      ec2.VpcArgs{},
	"aws:ec2/vpcEndpoint:VpcEndpoint":                                      ec2.VpcEndpointArgs{},
	"aws:ecr/lifecyclePolicy:LifecyclePolicy":                              ecr.LifecyclePolicyArgs{},
	"aws:ecr/repository:Repository":                                        ecr.RepositoryArgs{},
	"aws:ecs/cluster:Cluster":                                              awsecs.ClusterArgs{},
	"aws:ecs/service:Service":                                              awsecs.ServiceArgs{},
	"aws:ecs/taskDefinition:TaskDefinition":                                awsecs.TaskDefinitionArgs{},
	"aws:elasticache/parameterGroup:ParameterGroup":                        elasticache.ParameterGroupArgs{},
	"aws:elasticache/replicationGroup:ReplicationGroup":                    elasticache.ReplicationGroupArgs{},
	"aws:elasticache/subnetGroup:SubnetGroup":                              elasticache.SubnetGroupArgs{},
	"aws:iam/openIdConnectProvider:OpenIdConnectProvider":                  iam.OpenIdConnectProviderArgs{},
	"aws:budgets/budget:Budget":                                            budgets.BudgetArgs{},
	"aws:sns/topicPolicy:TopicPolicy":                                      sns.TopicPolicyArgs{},
	"aws:costexplorer/costAllocationTag:CostAllocationTag":                 costexplorer.CostAllocationTagArgs{},
	"aws:iam/policy:Policy":                                                iam.PolicyArgs{},
	"aws:iam/role:Role":                                                    iam.RoleArgs{},
	"aws:iam/rolePolicy:RolePolicy":                                        iam.RolePolicyArgs{},
	"aws:iam/rolePolicyAttachment:RolePolicyAttachment":                    iam.RolePolicyAttachmentArgs{},
	"aws:kms/alias:Alias":                                                  kms.AliasArgs{},
	"aws:kms/key:Key":                                                      kms.KeyArgs{},
	"aws:lb/listener:Listener":                                             lb.ListenerArgs{},
	"aws:lb/listenerRule:ListenerRule":                                     lb.ListenerRuleArgs{},
	"aws:lb/loadBalancer:LoadBalancer":                                     lb.LoadBalancerArgs{},
	"aws:lb/targetGroup:TargetGroup":                                       lb.TargetGroupArgs{},
	"aws:rds/instance:Instance":                                            awsrds.InstanceArgs{},
	"aws:rds/parameterGroup:ParameterGroup":                                awsrds.ParameterGroupArgs{},
	"aws:rds/subnetGroup:SubnetGroup":                                      awsrds.SubnetGroupArgs{},
	"aws:route53/record:Record":                                            route53.RecordArgs{},
	"aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2": s3.BucketLifecycleConfigurationV2Args{},
	"aws:s3/bucketOwnershipControls:BucketOwnershipControls":               s3.BucketOwnershipControlsArgs{},
	"aws:s3/bucketPolicy:BucketPolicy":                                     s3.BucketPolicyArgs{},
	"aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock":               s3.BucketPublicAccessBlockArgs{},
	"aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2": s3.BucketServerSideEncryptionConfigurationV2Args{},
	"aws:s3/bucketV2:BucketV2":                                  s3.BucketV2Args{},
	"aws:s3/bucketVersioningV2:BucketVersioningV2":              s3.BucketVersioningV2Args{},
	"aws:secretsmanager/secret:Secret":                          secretsmanager.SecretArgs{},
	"aws:secretsmanager/secretVersion:SecretVersion":            secretsmanager.SecretVersionArgs{},
	"aws:sfn/stateMachine:StateMachine":                         sfn.StateMachineArgs{},
	"aws:sns/topic:Topic":                                       sns.TopicArgs{},
	"aws:sns/topicSubscription:TopicSubscription":               sns.TopicSubscriptionArgs{},
	"aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule":   vpc.SecurityGroupEgressRuleArgs{},
	"aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": vpc.SecurityGroupIngressRuleArgs{},
	"docker:index/image:Image":                                  docker.ImageArgs{},
	"pulumi:providers:aws":                                      aws.ProviderArgs{},
}

// registeredTypes are the custom resource types the programs register, in
// every shape a stack can take (a built image, a created OIDC provider,
// access logs on, an unprotected staging).
func registeredTypes(t *testing.T) []string {
	t.Helper()
	plans := []*preview.Plan{
		previewStack(t, "staging").Plan,
		previewStack(t, "production").Plan,
		previewStack(t, "staging", set("ohmycoins:backend", `{"build": {"context": "`+buildContext+`"}}`),
			set("ohmycoins:loadBalancer", `{"accessLogs": true}`), set("ohmycoins:network", `{"flowLogs": true}`)).Plan,
	}
	state, err := preview.Preview(preview.Options{Dir: projectDir, Stack: "state", Program: previewcli.BootstrapProgram})
	require.NoError(t, err)
	plans = append(plans, state.Plan)
	seen := map[string]bool{}
	var types []string
	for _, p := range plans {
		for _, r := range p.Resources {
			if r.Custom && !seen[r.Type] {
				seen[r.Type] = true
				types = append(types, r.Type)
			}
		}
	}
	return types
}

// TestReplacementRulesCoverEveryRegisteredType: a new resource type must be
// classified (internal/replacement/replacements.json) before the diff can say
// what a change to it does.
func TestReplacementRulesCoverEveryRegisteredType(t *testing.T) {
	t.Parallel()
	table, err := replacement.Load()
	require.NoError(t, err)
	types := registeredTypes(t)
	require.Contains(t, types, typeDockerImage, "the variants cover the built image")
	require.Empty(t, table.TypesWithoutRules(types), "resource types without replacement rules: read them from the upstream provider into internal/replacement/replacements.json")
	for _, typ := range types {
		_, ok := sdkArgs[typ]
		require.True(t, ok, "%s: add its SDK argument type to sdkArgs, so its rules are checked against its inputs", typ)
	}
}

// TestReplacementRulesNameRealInputs: every path the table names (a forcing
// input, a conditional one, a unique key, a name) is an input of the type as
// the pulumi-aws v6.83.4 SDK spells it, nested paths included.
func TestReplacementRulesNameRealInputs(t *testing.T) {
	t.Parallel()
	table, err := replacement.Load()
	require.NoError(t, err)
	for typ, rules := range table.Types {
		args, ok := sdkArgs[typ]
		require.True(t, ok, "%s has rules but no SDK argument type in sdkArgs", typ)
		root := args.ElementType()
		paths := append([]string(nil), rules.ReplaceOnChanges...)
		for _, c := range rules.Conditional {
			paths = append(paths, c.Property)
		}
		paths = append(paths, rules.UniqueKey...)
		if rules.NameProperty != "" {
			paths = append(paths, rules.NameProperty)
		}
		for _, path := range paths {
			require.True(t, hasInputPath(root, strings.Split(path, ".")), "%s: %q is not an input of the SDK's %s", typ, path, root)
		}
	}
}

// hasInputPath walks the `pulumi` tags of an SDK argument type.
func hasInputPath(t reflect.Type, path []string) bool {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
		t = t.Elem()
	}
	if len(path) == 0 {
		return true
	}
	if t.Kind() != reflect.Struct {
		return false
	}
	for i := range t.NumField() {
		if tag, _, _ := strings.Cut(t.Field(i).Tag.Get("pulumi"), ","); tag == path[0] {
			return hasInputPath(t.Field(i).Type, path[1:])
		}
	}
	return false
}

// TestReplacementRulesRecordWhereTheyWereRead: each type names the upstream
// file and the version read, so a reviewer can check a rule at its source.
func TestReplacementRulesRecordWhereTheyWereRead(t *testing.T) {
	t.Parallel()
	table, err := replacement.Load()
	require.NoError(t, err)
	require.Contains(t, table.Provenance["upstream"], "terraform-provider-aws v5.100.0")
	require.Contains(t, table.Provenance["pulumiProvider"], "v6.83.4")
	for typ, rules := range table.Types {
		require.NotEmpty(t, rules.Source.Repository, typ)
		require.NotEmpty(t, rules.Source.File, typ)
		require.NotEmpty(t, rules.Source.Version, "%s: the version read", typ)
		require.True(t, rules.Source.Commit != "" || rules.Source.IndexID != "", "%s: a commit or the source index's file id", typ)
		if strings.HasPrefix(typ, "aws:") {
			require.True(t, strings.HasPrefix(rules.Source.File, "internal/service/"), "%s: %s", typ, rules.Source.File)
			require.True(t, strings.HasPrefix(rules.Source.Resource, "aws_"), "%s: the Terraform resource", typ)
		}
		if len(rules.UniqueKey) > 0 {
			require.Contains(t, []string{replacement.Fails, replacement.Overwritten}, rules.OnCollision, typ)
			require.NotEmpty(t, rules.CollisionReason, typ)
		}
	}
	// Spot checks against the provider's source, the rules this program depends on most.
	for _, c := range []struct {
		typ, path string
		forces    bool
	}{
		{"aws:rds/instance:Instance", "kmsKeyId", true},
		{"aws:rds/instance:Instance", "dbName", true},
		{"aws:rds/instance:Instance", "engineVersion", false},
		{"aws:rds/instance:Instance", "identifier", false},
		{"aws:elasticache/replicationGroup:ReplicationGroup", "atRestEncryptionEnabled", true},
		{"aws:elasticache/replicationGroup:ReplicationGroup", "authToken", false},
		{"aws:secretsmanager/secretVersion:SecretVersion", "secretString", true},
		{"aws:lb/targetGroup:TargetGroup", "port", true},
		{"aws:ec2/securityGroup:SecurityGroup", "description", true},
		{"aws:ecs/service:Service", "loadBalancers", false},
		{"aws:ecs/taskDefinition:TaskDefinition", "containerDefinitions", true},
	} {
		rules, _ := table.Lookup(c.typ)
		require.Equal(t, c.forces, slicesContains(rules.ReplaceOnChanges, c.path), "%s %s", c.typ, c.path)
	}
}

func slicesContains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}
