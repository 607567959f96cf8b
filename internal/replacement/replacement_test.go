package replacement

import (
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestReplacementRulesRecordWhereTheyWereRead: each type names the upstream
// file and the version read, so a reviewer can check a rule at its source.
func TestReplacementRulesRecordWhereTheyWereRead(t *testing.T) {
	t.Parallel()
	table, err := Load()
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
			require.Contains(t, []string{Fails, Overwritten}, rules.OnCollision, typ)
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
		require.Equal(t, c.forces, slices.Contains(rules.ReplaceOnChanges, c.path), "%s %s", c.typ, c.path)
	}
}
