package previewcli_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ohmycoins/infra/internal/policy"
	"github.com/ohmycoins/infra/internal/preview/previewtest"
	"github.com/ohmycoins/infra/internal/previewcli"
)

func TestCheckCommandPassesWithWaiversAndFailsOnViolations(t *testing.T) {
	t.Parallel()
	code, stdout, stderr := previewtest.CLI("check", "-stack", "staging")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stdout, "(waived: staging runs a single-AZ database")
	all, staging := len(policy.Rules), 0
	for _, r := range policy.Rules {
		if !r.ProductionOnly {
			staging++
		}
	}
	waived := strings.Count(stdout, "(waived: ")
	require.Regexp(t, `ECR\.2 +ohmycoins-staging-backend +tags are mutable \(waived:`, stdout, "a waiver covers each resource it names")
	require.True(t, strings.HasSuffix(stdout, fmt.Sprintf("%d rules, 0 violations, %d waived\n", staging, waived)), stdout)

	code, stdout, _ = previewtest.CLI("check", "-stack", "production")
	require.Equal(t, 0, code)
	require.Equal(t, fmt.Sprintf("%d rules, 0 violations, 0 waived\n", all), stdout)

	dir := previewtest.ProjectCopy(t, "production", "  ohmycoins:database:\n    deletionProtection: false\n")
	var out, errOut bytes.Buffer
	code = previewcli.Main([]string{"check", "-dir", dir, "-stack", "production"}, &out, &errOut)
	require.Equal(t, 1, code)
	require.Regexp(t, `RDS\.8 +ohmycoins-prod-postgres +deletionProtection is false\n`, out.String())
	require.Contains(t, out.String(), fmt.Sprintf("%d rules, 1 violations, 0 waived", all))
}
