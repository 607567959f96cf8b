package awstype

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

	"github.com/ohmycoins/infra/internal/mockcloud"
)

// create answers one registration of the mock cloud directly.
func create(t *testing.T, cloud *mockcloud.Cloud, typ, name string, inputs map[string]any) (string, resource.PropertyMap) {
	t.Helper()
	id, outputs, err := cloud.NewResource(pulumi.MockResourceArgs{
		TypeToken: typ, Name: name, Custom: true, Inputs: resource.NewPropertyMapFromMap(inputs),
	})
	require.NoError(t, err)
	return id, outputs
}

func output(m resource.PropertyMap, key string) string {
	return m[resource.PropertyKey(key)].StringValue()
}

// TestAnswersLikeAWS pins the shapes later components rely on: CloudWatch
// dimensions need ARN suffixes and member cluster ids exactly as AWS reports them.
func TestAnswersLikeAWS(t *testing.T) {
	t.Parallel()
	cloud := mockcloud.New(Answer, mockcloud.World{}, "ohmycoins", "staging")

	lbARN, lb := create(t, cloud, "aws:lb/loadBalancer:LoadBalancer", "alb", map[string]any{"name": "ohmycoins-staging-alb"})
	require.Regexp(t, `^app/ohmycoins-staging-alb/[0-9a-f]{16}$`, output(lb, "arnSuffix"))
	require.Equal(t, "arn:aws:elasticloadbalancing:ap-southeast-2:123456789012:loadbalancer/"+output(lb, "arnSuffix"), lbARN)
	require.Equal(t, lbARN, output(lb, "arn"))
	require.Regexp(t, `^ohmycoins-staging-alb-[0-9]{10}\.ap-southeast-2\.elb\.amazonaws\.com$`, output(lb, "dnsName"))
	require.Equal(t, "Z1GM3OXH4ZPM65", output(lb, "zoneId"))

	_, tg := create(t, cloud, "aws:lb/targetGroup:TargetGroup", "backend-tg", map[string]any{"name": "ohmycoins-staging-backend-tg"})
	require.Regexp(t, `^targetgroup/ohmycoins-staging-backend-tg/[0-9a-f]{16}$`, output(tg, "arnSuffix"))

	_, listener := create(t, cloud, "aws:lb/listener:Listener", "https", map[string]any{"loadBalancerArn": lbARN})
	require.Regexp(t, `^arn:aws:elasticloadbalancing:ap-southeast-2:123456789012:listener/app/ohmycoins-staging-alb/[0-9a-f]{16}/[0-9a-f]{16}$`, output(listener, "arn"))

	dbID, db := create(t, cloud, "aws:rds/instance:Instance", "postgres", map[string]any{
		"identifier": "ohmycoins-staging-postgres", "manageMasterUserPassword": true,
	})
	require.Equal(t, "ohmycoins-staging-postgres", dbID)
	require.Equal(t, "ohmycoins-staging-postgres", output(db, "identifier"))
	require.Regexp(t, `^db-[0-9A-F]{26}$`, output(db, "resourceId"), "the resource id differs from the identifier (defect A3)")
	require.Regexp(t, `^ohmycoins-staging-postgres\.[0-9a-f]{12}\.ap-southeast-2\.rds\.amazonaws\.com$`, output(db, "address"))
	require.Equal(t, output(db, "address")+":5432", output(db, "endpoint"))
	require.Equal(t, 5432.0, db["port"].NumberValue())
	secrets := db["masterUserSecrets"].ArrayValue()
	require.Len(t, secrets, 1)
	require.Regexp(t, `^arn:aws:secretsmanager:ap-southeast-2:123456789012:secret:rds!db-`, secrets[0].ObjectValue()["secretArn"].StringValue())

	_, redis := create(t, cloud, "aws:elasticache/replicationGroup:ReplicationGroup", "redis", map[string]any{
		"replicationGroupId": "ohmycoins-prod-redis", "numCacheClusters": 2,
	})
	require.Equal(t, []resource.PropertyValue{
		resource.NewProperty("ohmycoins-prod-redis-001"), resource.NewProperty("ohmycoins-prod-redis-002"),
	}, redis["memberClusters"].ArrayValue())
	require.Regexp(t, `^master\.ohmycoins-prod-redis\.[0-9a-f]{6}\.apse2\.cache\.amazonaws\.com$`, output(redis, "primaryEndpointAddress"))
	require.Regexp(t, `^replica\.`, output(redis, "readerEndpointAddress"))

	_, cluster := create(t, cloud, "aws:ecs/cluster:Cluster", "cluster", map[string]any{"name": "ohmycoins-staging-cluster"})
	require.Equal(t, "ohmycoins-staging-cluster", output(cluster, "name"))
	require.Equal(t, "arn:aws:ecs:ap-southeast-2:123456789012:cluster/ohmycoins-staging-cluster", output(cluster, "arn"))

	_, role := create(t, cloud, "aws:iam/role:Role", "exec", map[string]any{"name": "ohmycoins-staging-ecs-task-execution-role"})
	require.Equal(t, "arn:aws:iam::123456789012:role/ohmycoins-staging-ecs-task-execution-role", output(role, "arn"))
}

// TestAnswersDockerImagesWithADigest: a service built from source runs the
// pushed digest, so the answer to a pulumi-docker Image is its repoDigest.
func TestAnswersDockerImagesWithADigest(t *testing.T) {
	t.Parallel()
	var digest string
	_, err := mockcloud.New(Answer, mockcloud.World{}, "ohmycoins", "staging").Run(mockcloud.Config{}, func(ctx *pulumi.Context) error {
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
	})
	require.NoError(t, err)
	require.Regexp(t, `^123456789012\.dkr\.ecr\.ap-southeast-2\.amazonaws\.com/ohmycoins-staging-backend@sha256:[0-9a-f]{64}$`, digest)
}

// TestAnswersAgreeWithRecordedAWSAnswers: the ARNs the mock gives the program
// have the form of those in the AWS responses recorded for cmd/verify's tests
// (internal/verify/testdata/aws, as DescribeServices, DescribeSecret and
// DescribeTargetHealth return them), so outputs the program builds from them
// look like the real ones.
func TestAnswersAgreeWithRecordedAWSAnswers(t *testing.T) {
	t.Parallel()
	var recorded []string
	for _, f := range []string{"ecs-describe-services.json", "secretsmanager-describe-secret.json", "elbv2-describe-target-health.xml"} {
		data, err := os.ReadFile(filepath.Join("..", "verify", "testdata", "aws", f))
		require.NoError(t, err)
		recorded = append(recorded, regexp.MustCompile(`arn:aws:[a-z0-9-]+:[^"<, ]+`).FindAllString(string(data), -1)...)
	}
	cloud := mockcloud.New(Answer, mockcloud.World{}, "ohmycoins", "staging")
	cluster, _ := create(t, cloud, "aws:ecs/cluster:Cluster", "ohmycoins-staging-cluster", map[string]any{"name": "ohmycoins-staging-cluster"})
	service, _ := create(t, cloud, "aws:ecs/service:Service", "ohmycoins-staging-backend", map[string]any{"name": "ohmycoins-staging-backend-service", "cluster": cluster})
	_, key := create(t, cloud, "aws:kms/key:Key", "ohmycoins-staging-key", nil)
	secret, _ := create(t, cloud, "aws:secretsmanager/secret:Secret", "ohmycoins-staging-app-secrets", map[string]any{"name": "ohmycoins-staging-app-secrets"})
	require.Contains(t, recorded, cluster, "the cluster's ARN, as ECS reports it")
	require.Contains(t, recorded, service, "the service's ARN, as ECS reports it")
	// Generated parts differ; their form must not.
	shape := func(s string) string {
		s = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`).ReplaceAllString(s, "<uuid>")
		return regexp.MustCompile(`-[A-Za-z0-9]{6}$`).ReplaceAllString(s, "-<6>")
	}
	var shapes []string
	for _, r := range recorded {
		shapes = append(shapes, shape(r))
	}
	require.Contains(t, shapes, shape(output(key, "arn")), "a KMS key ARN ends in its uuid")
	require.Contains(t, shapes, shape(secret), "a secret's ARN ends in - and six characters")
}
