package tests

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/ohmycoins/infra/internal/stackplan"
)

// BenchmarkPreview measures one full in-process preview of each stack: reading
// the stack file, loading and validating settings, running the program under
// the mock cloud and building the plan. The target is under 100 ms.
func BenchmarkPreview(b *testing.B) {
	for _, stack := range allStacks {
		b.Run(stack, func(b *testing.B) {
			for b.Loop() {
				previewStack(b, stack)
			}
		})
	}
}

// BenchmarkDiff measures the offline diff between two production plans that
// differ in a replacement that cascades (a new database name: the instance,
// then everything that reads its secret's ARN), and the whole `-diff`
// command in-process: preview, read the old plan, diff, render. The budget of
// each is 100 ms.
func BenchmarkDiff(b *testing.B) {
	current := previewStack(b, "production").Plan
	old := previewStack(b, "production").Plan
	for i := range old.Resources {
		if old.Resources[i].Type == typeDBInstance {
			old.Resources[i].Inputs["dbName"] = "legacy"
		}
	}
	b.Run("plans", func(b *testing.B) {
		for b.Loop() {
			if d := stackplan.Diff(old, current); len(d.Changes) == 0 {
				b.Fatal("no changes")
			}
		}
	})
	data, err := old.JSON()
	if err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(b.TempDir(), "old.json")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		b.Fatal(err)
	}
	b.Run("command", func(b *testing.B) {
		for b.Loop() {
			if code, _, stderr := runCLI("-stack", "production", "-diff", path, "-json"); code != 0 {
				b.Fatal(stderr)
			}
		}
	})
}
