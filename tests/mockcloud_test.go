package tests

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/pulumi/pulumi-docker/sdk/v4/go/docker"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/internals"
	"github.com/stretchr/testify/require"

	"github.com/ohmycoins/infra/internal/preview"
)

// register answers one registration of the mock cloud directly.
func register(t *testing.T, cloud *preview.Cloud, typ, name string, inputs map[string]any) (string, resource.PropertyMap) {
	t.Helper()
	id, outputs, err := cloud.NewResource(pulumi.MockResourceArgs{
		TypeToken: typ, Name: name, Custom: true, Inputs: resource.NewPropertyMapFromMap(inputs),
	})
	require.NoError(t, err)
	return id, outputs
}

func str(m resource.PropertyMap, key string) string {
	return m[resource.PropertyKey(key)].StringValue()
}

// TestMockCloudAnswersLikeAWS pins the shapes later components rely on: CloudWatch
// dimensions need ARN suffixes and member cluster ids exactly as AWS reports them.
func TestMockCloudAnswersLikeAWS(t *testing.T) {
	t.Parallel()
	cloud := preview.NewCloud("ohmycoins", "staging")

	lbARN, lb := register(t, cloud, "aws:lb/loadBalancer:LoadBalancer", "alb", map[string]any{"name": "ohmycoins-staging-alb"})
	require.Regexp(t, `^app/ohmycoins-staging-alb/[0-9a-f]{16}$`, str(lb, "arnSuffix"))
	require.Equal(t, "arn:aws:elasticloadbalancing:ap-southeast-2:123456789012:loadbalancer/"+str(lb, "arnSuffix"), lbARN)
	require.Equal(t, lbARN, str(lb, "arn"))
	require.Regexp(t, `^ohmycoins-staging-alb-[0-9]{10}\.ap-southeast-2\.elb\.amazonaws\.com$`, str(lb, "dnsName"))
	require.Equal(t, "Z1GM3OXH4ZPM65", str(lb, "zoneId"))

	_, tg := register(t, cloud, "aws:lb/targetGroup:TargetGroup", "backend-tg", map[string]any{"name": "ohmycoins-staging-backend-tg"})
	require.Regexp(t, `^targetgroup/ohmycoins-staging-backend-tg/[0-9a-f]{16}$`, str(tg, "arnSuffix"))

	_, listener := register(t, cloud, "aws:lb/listener:Listener", "https", map[string]any{"loadBalancerArn": lbARN})
	require.Regexp(t, `^arn:aws:elasticloadbalancing:ap-southeast-2:123456789012:listener/app/ohmycoins-staging-alb/[0-9a-f]{16}/[0-9a-f]{16}$`, str(listener, "arn"))

	dbID, db := register(t, cloud, "aws:rds/instance:Instance", "postgres", map[string]any{
		"identifier": "ohmycoins-staging-postgres", "manageMasterUserPassword": true,
	})
	require.Equal(t, "ohmycoins-staging-postgres", dbID)
	require.Equal(t, "ohmycoins-staging-postgres", str(db, "identifier"))
	require.Regexp(t, `^db-[0-9A-F]{26}$`, str(db, "resourceId"), "the resource id differs from the identifier (defect A3)")
	require.Regexp(t, `^ohmycoins-staging-postgres\.[0-9a-f]{12}\.ap-southeast-2\.rds\.amazonaws\.com$`, str(db, "address"))
	require.Equal(t, str(db, "address")+":5432", str(db, "endpoint"))
	require.Equal(t, 5432.0, db["port"].NumberValue())
	secrets := db["masterUserSecrets"].ArrayValue()
	require.Len(t, secrets, 1)
	require.Regexp(t, `^arn:aws:secretsmanager:ap-southeast-2:123456789012:secret:rds!db-`, secrets[0].ObjectValue()["secretArn"].StringValue())

	_, redis := register(t, cloud, "aws:elasticache/replicationGroup:ReplicationGroup", "redis", map[string]any{
		"replicationGroupId": "ohmycoins-prod-redis", "numCacheClusters": 2,
	})
	require.Equal(t, []resource.PropertyValue{
		resource.NewProperty("ohmycoins-prod-redis-001"), resource.NewProperty("ohmycoins-prod-redis-002"),
	}, redis["memberClusters"].ArrayValue())
	require.Regexp(t, `^master\.ohmycoins-prod-redis\.[0-9a-f]{6}\.apse2\.cache\.amazonaws\.com$`, str(redis, "primaryEndpointAddress"))
	require.Regexp(t, `^replica\.`, str(redis, "readerEndpointAddress"))

	_, cluster := register(t, cloud, "aws:ecs/cluster:Cluster", "cluster", map[string]any{"name": "ohmycoins-staging-cluster"})
	require.Equal(t, "ohmycoins-staging-cluster", str(cluster, "name"))
	require.Equal(t, "arn:aws:ecs:ap-southeast-2:123456789012:cluster/ohmycoins-staging-cluster", str(cluster, "arn"))

	_, role := register(t, cloud, "aws:iam/role:Role", "exec", map[string]any{"name": "ohmycoins-staging-ecs-task-execution-role"})
	require.Equal(t, "arn:aws:iam::123456789012:role/ohmycoins-staging-ecs-task-execution-role", str(role, "arn"))
}

func TestMockCloudIsDeterministic(t *testing.T) {
	t.Parallel()
	a, b := preview.NewCloud("ohmycoins", "staging"), preview.NewCloud("ohmycoins", "staging")
	idA, outA := register(t, a, "aws:ec2/vpc:Vpc", "ohmycoins-staging-vpc", map[string]any{"cidrBlock": "10.0.0.0/16"})
	idB, outB := register(t, b, "aws:ec2/vpc:Vpc", "ohmycoins-staging-vpc", map[string]any{"cidrBlock": "10.0.0.0/16"})
	require.Regexp(t, `^vpc-[0-9a-f]{17}$`, idA)
	require.Equal(t, idA, idB)
	require.Equal(t, outA, outB)
	idC, _ := register(t, a, "aws:ec2/vpc:Vpc", "other-vpc", map[string]any{})
	require.NotEqual(t, idA, idC, "ids derive from the name")
}

func TestMockCloudUsesTheProvidersRegion(t *testing.T) {
	t.Parallel()
	cloud := preview.NewCloud("ohmycoins", "staging")
	providerID, _ := register(t, cloud, "pulumi:providers:aws", "us", map[string]any{"region": "us-east-1"})
	ref := "urn:pulumi:staging::ohmycoins::pulumi:providers:aws::us::" + providerID
	_, outputs, err := cloud.NewResource(pulumi.MockResourceArgs{
		TypeToken: "aws:ecs/cluster:Cluster", Name: "c", Custom: true, Provider: ref,
		Inputs: resource.NewPropertyMapFromMap(map[string]any{"name": "c"}),
	})
	require.NoError(t, err)
	require.Equal(t, "arn:aws:ecs:us-east-1:123456789012:cluster/c", str(outputs, "arn"))
}

func TestMockCloudRefusesWhatItCannotAnswer(t *testing.T) {
	t.Parallel()
	cloud := preview.NewCloud("ohmycoins", "staging")
	_, _, err := cloud.NewResource(pulumi.MockResourceArgs{TypeToken: "aws:sqs/queue:Queue", Name: "q", Custom: true})
	require.ErrorContains(t, err, "no outputs for resource type aws:sqs/queue:Queue; add it to internal/preview/outputs.go")
	_, err = cloud.Call(pulumi.MockCallArgs{Token: "aws:ec2/getAmi:getAmi"})
	require.ErrorContains(t, err, "no answer for invoke aws:ec2/getAmi:getAmi; add it to internal/preview/invokes.go")
}

func TestMockCloudAnswersInvokes(t *testing.T) {
	t.Parallel()
	cloud := preview.NewCloud("ohmycoins", "staging")
	identity, err := cloud.Call(pulumi.MockCallArgs{Token: "aws:index/getCallerIdentity:getCallerIdentity"})
	require.NoError(t, err)
	require.Equal(t, preview.MockAccountID, str(identity, "accountId"))
	zone, err := cloud.Call(pulumi.MockCallArgs{Token: "aws:route53/getZone:getZone",
		Args: resource.NewPropertyMapFromMap(map[string]any{"name": "ohmycoins.com"})})
	require.NoError(t, err)
	require.Regexp(t, regexp.MustCompile(`^Z[0-9A-F]{20}$`), str(zone, "zoneId"))
	require.Equal(t, "ohmycoins.com", str(zone, "name"))
	elb, err := cloud.Call(pulumi.MockCallArgs{Token: "aws:elb/getServiceAccount:getServiceAccount"})
	require.NoError(t, err)
	require.Equal(t, "arn:aws:iam::783225319266:root", str(elb, "arn"))
	require.Equal(t, []string{
		"aws:index/getCallerIdentity:getCallerIdentity", "aws:route53/getZone:getZone", "aws:elb/getServiceAccount:getServiceAccount",
	}, cloud.Invokes())
}

// TestMockCloudAnswersDockerImagesWithADigest: a service built from source runs
// the pushed digest, so the mock must answer a pulumi-docker Image with repoDigest.
func TestMockCloudAnswersDockerImagesWithADigest(t *testing.T) {
	t.Parallel()
	var digest string
	_, err := preview.Preview(preview.Options{Dir: projectDir, Stack: "staging",
		Run: func(ctx *pulumi.Context) error {
			img, err := docker.NewImage(ctx, "backend-image", &docker.ImageArgs{
				ImageName: pulumi.String("123456789012.dkr.ecr.ap-southeast-2.amazonaws.com/ohmycoins-staging-backend:build"),
				Build:     &docker.DockerBuildArgs{Context: pulumi.String("../backend"), Platform: pulumi.String("linux/amd64")},
			})
			if err != nil {
				return err
			}
			result, err := internals.UnsafeAwaitOutput(ctx.Context(), img.RepoDigest)
			digest, _ = result.Value.(string)
			return err
		},
	})
	require.NoError(t, err)
	require.Regexp(t, `^123456789012\.dkr\.ecr\.ap-southeast-2\.amazonaws\.com/ohmycoins-staging-backend@sha256:[0-9a-f]{64}$`, digest)
}

// TestMockAgreesWithRecordedAWSAnswers: the ARNs the mock gives the program
// have the form of those in the AWS responses recorded in tests/testdata/aws
// (as DescribeServices, DescribeSecret and DescribeTargetHealth return them),
// so outputs the program builds from them look like the real ones.
func TestMockAgreesWithRecordedAWSAnswers(t *testing.T) {
	t.Parallel()
	var recorded []string
	for _, f := range []string{"ecs-describe-services.json", "secretsmanager-describe-secret.json", "elbv2-describe-target-health.xml"} {
		data, err := os.ReadFile(filepath.Join("testdata", "aws", f))
		require.NoError(t, err)
		recorded = append(recorded, regexp.MustCompile(`arn:aws:[a-z0-9-]+:[^"<, ]+`).FindAllString(string(data), -1)...)
	}
	plan := previewStack(t, "staging", withImages()).Plan
	arn := func(typ, name string) string { return mustNamed(t, plan, typ, name).Outputs["arn"].(string) }
	require.Contains(t, recorded, arn(typeCluster, "ohmycoins-staging-cluster"), "the cluster's ARN, as ECS reports it")
	require.Contains(t, recorded, arn(typeService, "ohmycoins-staging-backend-service"), "the service's ARN, as ECS reports it")
	// Generated parts differ; their form must not.
	shape := func(s string) string {
		s = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`).ReplaceAllString(s, "<uuid>")
		return regexp.MustCompile(`-[A-Za-z0-9]{6}$`).ReplaceAllString(s, "-<6>")
	}
	var shapes []string
	for _, r := range recorded {
		shapes = append(shapes, shape(r))
	}
	require.Contains(t, shapes, shape(arn(typeKey, "ohmycoins-staging-key")), "a KMS key ARN ends in its uuid")
	require.Contains(t, shapes, shape(arn("aws:secretsmanager/secret:Secret", "ohmycoins-staging-app-secrets")), "a secret's ARN ends in - and six characters")
}
