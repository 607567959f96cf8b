package preview_test

import (
	"testing"

	"github.com/ohmycoins/infra/internal/preview/previewtest"
)

// BenchmarkPreview measures one full in-process preview of each stack: reading
// the stack file, loading and validating settings, running the program under
// the mock cloud and building the plan. The target is under 100 ms.
func BenchmarkPreview(b *testing.B) {
	for _, stack := range []string{"staging", "production"} {
		b.Run(stack, func(b *testing.B) {
			for b.Loop() {
				previewtest.Stack(b, stack)
			}
		})
	}
}
