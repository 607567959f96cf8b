package mockcloud

import (
	"regexp"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/require"
)

// answers is a catalog of two types: a named cluster and a provider.
func answers(token string) (Answer, bool) {
	switch token {
	case "aws:ecs/cluster:Cluster":
		return func(e Env, r *Request) string {
			arn := e.ARN("ecs", "cluster/"+r.Physical("name"))
			r.Set("arn", arn)
			return arn
		}, true
	case "pulumi:providers:aws":
		return func(_ Env, r *Request) string { return r.UUID() }, true
	}
	return nil, false
}

// register answers one registration of the mock cloud directly.
func register(t *testing.T, cloud *Cloud, typ, name, provider string, inputs map[string]any) (string, resource.PropertyMap) {
	t.Helper()
	id, outputs, err := cloud.NewResource(pulumi.MockResourceArgs{
		TypeToken: typ, Name: name, Custom: true, Provider: provider, Inputs: resource.NewPropertyMapFromMap(inputs),
	})
	require.NoError(t, err)
	return id, outputs
}

func str(m resource.PropertyMap, key string) string {
	return m[resource.PropertyKey(key)].StringValue()
}

func TestCloudIsDeterministic(t *testing.T) {
	t.Parallel()
	a, b := New(answers, World{}, "ohmycoins", "staging"), New(answers, World{}, "ohmycoins", "staging")
	idA, outA := register(t, a, "aws:ecs/cluster:Cluster", "cluster", "", map[string]any{"name": "c"})
	idB, outB := register(t, b, "aws:ecs/cluster:Cluster", "cluster", "", map[string]any{"name": "c"})
	require.Equal(t, "arn:aws:ecs:ap-southeast-2:123456789012:cluster/c", idA)
	require.Equal(t, idA, idB)
	require.Equal(t, outA, outB)
	require.Equal(t, "c", str(outA, "name"), "AWS echoes the inputs")
	p1, _ := register(t, a, "pulumi:providers:aws", "one", "", nil)
	p2, _ := register(t, a, "pulumi:providers:aws", "two", "", nil)
	require.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`, p1)
	require.NotEqual(t, p1, p2, "ids derive from the name")
}

func TestCloudUsesTheProvidersRegion(t *testing.T) {
	t.Parallel()
	cloud := New(answers, World{}, "ohmycoins", "staging")
	providerID, _ := register(t, cloud, "pulumi:providers:aws", "us", "", map[string]any{"region": "us-east-1"})
	ref := "urn:pulumi:staging::ohmycoins::pulumi:providers:aws::us::" + providerID
	_, outputs := register(t, cloud, "aws:ecs/cluster:Cluster", "c", ref, map[string]any{"name": "c"})
	require.Equal(t, "arn:aws:ecs:us-east-1:123456789012:cluster/c", str(outputs, "arn"))
}

func TestCloudAnswersExistingResourcesWithTheirOwnIDs(t *testing.T) {
	t.Parallel()
	urn := "urn:pulumi:staging::ohmycoins::aws:ecs/cluster:Cluster::c"
	cloud := New(answers, World{AccountID: "220711411889", Existing: map[string]Existing{
		urn: {ID: "arn:aws:ecs:ap-southeast-2:220711411889:cluster/old", Outputs: map[string]any{"name": "old"}},
	}}, "ohmycoins", "staging")
	id, outputs := register(t, cloud, "aws:ecs/cluster:Cluster", "c", "", map[string]any{"name": "c"})
	require.Equal(t, "arn:aws:ecs:ap-southeast-2:220711411889:cluster/old", id)
	require.Equal(t, "old", str(outputs, "name"))
	require.Equal(t, "arn:aws:ecs:ap-southeast-2:220711411889:cluster/c", str(outputs, "arn"), "the world's account, for what the world does not say")
	require.Equal(t, urn, cloud.Registrations()[0].URN)
}

func TestCloudRefusesWhatItCannotAnswer(t *testing.T) {
	t.Parallel()
	cloud := New(answers, World{}, "ohmycoins", "staging")
	_, _, err := cloud.NewResource(pulumi.MockResourceArgs{TypeToken: "aws:sqs/queue:Queue", Name: "q", Custom: true})
	require.ErrorContains(t, err, "no answer for resource type aws:sqs/queue:Queue; add its entry to the AWS-type catalog, internal/awstype")
	_, err = cloud.Call(pulumi.MockCallArgs{Token: "aws:ec2/getAmi:getAmi"})
	require.ErrorContains(t, err, "no answer for invoke aws:ec2/getAmi:getAmi; add it to internal/mockcloud/invokes.go")
}

func TestCloudAnswersInvokes(t *testing.T) {
	t.Parallel()
	cloud := New(answers, World{}, "ohmycoins", "staging")
	identity, err := cloud.Call(pulumi.MockCallArgs{Token: "aws:index/getCallerIdentity:getCallerIdentity"})
	require.NoError(t, err)
	require.Equal(t, MockAccountID, str(identity, "accountId"))
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

// TestRunRecordsRegistrationsAndExports: a program run under the cloud gets
// its config, and its exports come back marked secret or unknown.
func TestRunRecordsRegistrationsAndExports(t *testing.T) {
	t.Parallel()
	cloud := New(answers, World{}, "p", "s")
	exports, err := cloud.Run(Config{Values: map[string]string{"p:name": "from-config"}, SecretKeys: []string{"p:name"}}, func(ctx *pulumi.Context) error {
		var c struct{ pulumi.CustomResourceState }
		name, _ := ctx.GetConfig("p:name")
		if err := ctx.RegisterResource("aws:ecs/cluster:Cluster", "c", pulumi.Map{"name": pulumi.String(name)}, &c, pulumi.Protect(true)); err != nil {
			return err
		}
		ctx.Export("id", c.ID())
		ctx.Export("secret", pulumi.ToSecret(pulumi.String("x")))
		return nil
	})
	require.NoError(t, err)
	require.Equal(t, Export{Value: pulumi.ID("arn:aws:ecs:ap-southeast-2:123456789012:cluster/from-config"), Known: true}, exports["id"])
	require.True(t, exports["secret"].Secret)
	regs := cloud.Registrations()
	require.Len(t, regs, 1)
	require.True(t, regs[0].Protect)
	require.Equal(t, "urn:pulumi:s::p::aws:ecs/cluster:Cluster::c", regs[0].URN)
}
