// Package tests holds the whole-program scenarios: the golden plans, the
// update matrix, day 0 and day 2, isolation between the environments, the
// documents and workflows, and the layers of the code. They run the real
// program for the real stack files (internal/preview/previewtest) and assert
// on the recorded plans; each component's, stack's and tool's own tests live
// beside its code.
package tests

// projectDir is where Pulumi.yaml and the stack files live, relative to this package.
const projectDir = ".."
