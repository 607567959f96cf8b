package simprovider_test

import (
	"context"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/stretchr/testify/require"

	"github.com/ohmycoins/infra/internal/simprovider"
)

func diff(t *testing.T, typ string, old, new map[string]any) plugin.DiffResult {
	t.Helper()
	p, err := simprovider.New("aws", "6.83.4", t.TempDir())
	require.NoError(t, err)
	checked, err := p.Check(context.Background(), plugin.CheckRequest{Type: tokens.Type(typ), News: resource.NewPropertyMapFromMap(new)})
	require.NoError(t, err)
	d, err := p.Diff(context.Background(), plugin.DiffRequest{Type: tokens.Type(typ),
		OldInputs: resource.NewPropertyMapFromMap(old), OldOutputs: resource.NewPropertyMapFromMap(old), NewInputs: checked.Properties})
	require.NoError(t, err)
	return d
}

// TestDiffFollowsTheReplacementTableAndTheBridgesOrder: what forces a
// replacement comes from internal/replacement; a replacement of a resource
// whose name the program set deletes first (the bridge's rule), whatever
// forces it, and one without an auto-named field does not.
func TestDiffFollowsTheReplacementTableAndTheBridgesOrder(t *testing.T) {
	t.Parallel()
	group := map[string]any{"name": "/ecs/env", "retentionInDays": 30.0}

	d := diff(t, "aws:cloudwatch/logGroup:LogGroup", group, map[string]any{"name": "/ecs/env", "retentionInDays": 90.0})
	require.Equal(t, plugin.DiffSome, d.Changes)
	require.Empty(t, d.ReplaceKeys, "retention is updated in place")
	require.Equal(t, []resource.PropertyKey{"retentionInDays"}, d.ChangedKeys)

	d = diff(t, "aws:cloudwatch/logGroup:LogGroup", group, map[string]any{"name": "/ecs/other", "retentionInDays": 30.0})
	require.Equal(t, []resource.PropertyKey{"name"}, d.ReplaceKeys)
	require.True(t, d.DeleteBeforeReplace, "the program set the name: the original is deleted first, even when the name changes")

	sg := map[string]any{"name": "env-sg-1a2b3c", "description": "old", "vpcId": "vpc-1"}
	d = diff(t, "aws:ec2/securityGroup:SecurityGroup", sg, map[string]any{"name": "env-sg-1a2b3c", "description": "new", "vpcId": "vpc-1"})
	require.Equal(t, []resource.PropertyKey{"description"}, d.ReplaceKeys)
	require.True(t, d.DeleteBeforeReplace)

	db := map[string]any{"identifier": "env-postgres", "dbName": "app"}
	d = diff(t, "aws:rds/instance:Instance", db, map[string]any{"identifier": "env-postgres", "dbName": "other"})
	require.Equal(t, []resource.PropertyKey{"dbName"}, d.ReplaceKeys)
	require.False(t, d.DeleteBeforeReplace, "the identifier is a default, not an auto-name, in pulumi-aws 6.83.4: created beside, which AWS refuses")

	require.Equal(t, plugin.DiffNone, diff(t, "aws:cloudwatch/logGroup:LogGroup", group, group).Changes)
}

// TestAutoNamedValuesDoNotDeleteFirst: a name the bridge's Check filled (in
// __defaults) lets the replacement be created beside the original.
func TestAutoNamedValuesDoNotDeleteFirst(t *testing.T) {
	t.Parallel()
	news := resource.NewPropertyMapFromMap(map[string]any{"name": "env-sg-7f3a1c9", "__defaults": []any{"name"}})
	require.False(t, simprovider.DeleteBeforeReplace("aws:ec2/securityGroup:SecurityGroup", news))
	news["__defaults"] = resource.NewArrayProperty(nil)
	require.True(t, simprovider.DeleteBeforeReplace("aws:ec2/securityGroup:SecurityGroup", news))
	require.False(t, simprovider.DeleteBeforeReplace("aws:route53/record:Record", resource.NewPropertyMapFromMap(map[string]any{"name": "api", "__defaults": []any{}})),
		"Route 53 records are mapped without auto-naming")
}

// TestThePlanOfAnUpdateLeavesRecomputedOutputsUnknown: a preview of an
// update keeps what AWS computed at the creation, except the outputs the
// provider's CustomizeDiff recomputes: a replication group given another
// node count has unknown members, so a dashboard that lists them shows a
// change, as the real provider's plan makes it show.
func TestThePlanOfAnUpdateLeavesRecomputedOutputsUnknown(t *testing.T) {
	t.Parallel()
	p, err := simprovider.New("aws", "6.83.4", t.TempDir())
	require.NoError(t, err)
	typ := tokens.Type("aws:elasticache/replicationGroup:ReplicationGroup")
	old := resource.NewPropertyMapFromMap(map[string]any{"replicationGroupId": "env-redis", "numCacheClusters": 1.0, "snapshotRetentionLimit": 1.0})
	state := old.Copy()
	state["memberClusters"] = resource.NewPropertyValue([]any{"env-redis-001"})
	state["primaryEndpointAddress"] = resource.NewStringProperty("master.env-redis.abc.apse2.cache.amazonaws.com")
	update := func(news map[string]any) resource.PropertyMap {
		res, err := p.Update(context.Background(), plugin.UpdateRequest{Type: typ, ID: "env-redis", Preview: true,
			OldInputs: old, OldOutputs: state, NewInputs: resource.NewPropertyMapFromMap(news)})
		require.NoError(t, err)
		return res.Properties
	}

	planned := update(map[string]any{"replicationGroupId": "env-redis", "numCacheClusters": 2.0, "snapshotRetentionLimit": 1.0})
	require.True(t, planned["memberClusters"].IsComputed(), "num_cache_clusters changes: member_clusters is ComputedIf")
	require.Equal(t, "master.env-redis.abc.apse2.cache.amazonaws.com", planned["primaryEndpointAddress"].StringValue(), "the endpoint stays known")

	planned = update(map[string]any{"replicationGroupId": "env-redis", "numCacheClusters": 1.0, "snapshotRetentionLimit": 7.0})
	require.Equal(t, []resource.PropertyValue{resource.NewStringProperty("env-redis-001")}, planned["memberClusters"].ArrayValue(), "the members stay known")
}

// TestASecretInputReadBackPlainIsNotAChange: a refresh reads a secret input
// (a paging integration URL) back as a plain value; the bridge diffs values
// without their secretness, so the same URL is no change, and another one is.
func TestASecretInputReadBackPlainIsNotAChange(t *testing.T) {
	t.Parallel()
	p, err := simprovider.New("aws", "6.83.4", t.TempDir())
	require.NoError(t, err)
	typ := tokens.Type("aws:sns/topicSubscription:TopicSubscription")
	url := "https://events.pagerduty.com/integration/abc123/enqueue"
	refreshed := resource.NewPropertyMapFromMap(map[string]any{"topic": "arn:aws:sns:ap-southeast-2:123456789012:env-alerts", "protocol": "https", "endpoint": url})
	diffTo := func(endpoint resource.PropertyValue) plugin.DiffResult {
		news := refreshed.Copy()
		news["endpoint"] = endpoint
		d, err := p.Diff(context.Background(), plugin.DiffRequest{Type: typ, OldInputs: refreshed, OldOutputs: refreshed, NewInputs: news})
		require.NoError(t, err)
		return d
	}
	require.Equal(t, plugin.DiffNone, diffTo(resource.MakeSecret(resource.NewStringProperty(url))).Changes)
	d := diffTo(resource.MakeSecret(resource.NewStringProperty("https://events.pagerduty.com/integration/other/enqueue")))
	require.Equal(t, plugin.DiffSome, d.Changes)
	require.Equal(t, []resource.PropertyKey{"endpoint"}, d.ReplaceKeys, "an HTTPS subscription's endpoint is ForceNew")
}
