package stackplan_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ohmycoins/infra/internal/preview/previewtest"
	"github.com/ohmycoins/infra/internal/stackplan"
)

// TestAPlanThatIsNotOneIsSaidInItsTerms: -diff against a file that is not a
// plan names what is wrong with it, not Go's types.
func TestAPlanThatIsNotOneIsSaidInItsTerms(t *testing.T) {
	t.Parallel()
	for text, want := range map[string]string{
		`[1, 2]`:                  "the document is a JSON array where a plan has an object",
		`{"project": 3}`:          "project is a JSON number where a plan has a string",
		`{"project": "ohmy`:       "the JSON ends too early",
		`{"project": "a",, }`:     "invalid JSON at byte",
		`{"resources": {"a": 1}}`: "resources is a JSON object where a plan has a list",
	} {
		_, err := stackplan.ReadPlanOf([]byte(text), "ohmycoins", "staging")
		require.Error(t, err, text)
		require.Contains(t, err.Error(), want, text)
		previewtest.RequireUserTerms(t, err.Error())
	}
}

// FuzzPlanReader feeds any bytes to the -diff plan reader.
func FuzzPlanReader(f *testing.F) {
	data, err := previewtest.Stack(f, "staging").Plan.JSON()
	require.NoError(f, err)
	f.Add(data)
	f.Add([]byte(`[1]`))
	f.Add([]byte(`{"project": "ohmycoins", "stack": "staging", "resources": []}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if _, err := stackplan.ReadPlanOf(data, "ohmycoins", "staging"); err != nil {
			previewtest.RequireUserTerms(t, err.Error())
		}
	})
}
