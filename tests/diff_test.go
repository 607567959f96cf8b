package tests

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ohmycoins/infra/internal/preview"
)

func testPlan(resources ...preview.Resource) *preview.Plan {
	return &preview.Plan{Project: "ohmycoins", Stack: "staging", Resources: resources, Outputs: map[string]any{"a": "1"}}
}

func res(urn string, inputs map[string]any) preview.Resource {
	return preview.Resource{URN: urn, Type: "aws:ec2/vpc:Vpc", Name: urn[strings.LastIndex(urn, ":")+1:], Custom: true,
		Dependencies: []string{}, IgnoreChanges: []string{}, Inputs: inputs, Outputs: map[string]any{}}
}

func TestDiffFindsAddedRemovedAndChangedResources(t *testing.T) {
	t.Parallel()
	old := testPlan(
		res("urn:a::kept", map[string]any{"cidrBlock": "10.0.0.0/16", "tags": map[string]any{"Name": "x"}}),
		res("urn:a::gone", map[string]any{}),
		res("urn:a::same", map[string]any{"k": 1.0}),
	)
	changed := res("urn:a::kept", map[string]any{"cidrBlock": "10.1.0.0/16", "tags": map[string]any{"Name": "x"}, "enableDnsSupport": true})
	changed.IgnoreChanges = []string{"tags"}
	current := testPlan(changed, res("urn:a::new", map[string]any{}), res("urn:a::same", map[string]any{"k": 1.0}))
	current.Outputs = map[string]any{"a": "2", "b": "3"}

	d := preview.Diff(old, current)
	require.Len(t, d.Added, 1)
	require.Equal(t, "urn:a::new", d.Added[0].URN)
	require.Len(t, d.Removed, 1)
	require.Equal(t, "urn:a::gone", d.Removed[0].URN)
	require.Len(t, d.Changed, 1)
	require.Equal(t, []string{"cidrBlock", "enableDnsSupport"}, d.Changed[0].Inputs)
	require.Equal(t, []string{"ignoreChanges"}, d.Changed[0].Options)
	require.Equal(t, 1, d.Unchanged)
	require.Equal(t, []string{"~a", "+b"}, d.Outputs)

	var out strings.Builder
	d.Write(&out, "staging")
	require.Equal(t, `Infrastructure changes for stack staging:
+ aws:ec2/vpc:Vpc  new
- aws:ec2/vpc:Vpc  gone
~ aws:ec2/vpc:Vpc  kept  (inputs: cidrBlock, enableDnsSupport; options: ignoreChanges)
Stack outputs: ~a +b
Resources: 1 added, 1 removed, 1 changed, 1 unchanged
`, out.String())
}

func TestDiffOfAPlanWithItselfIsEmpty(t *testing.T) {
	t.Parallel()
	plan := previewStack(t, "staging").Plan
	d := preview.Diff(plan, plan)
	require.True(t, d.Empty())
	require.Equal(t, len(plan.Resources), d.Unchanged)
}
