// Package tests holds the whole-program scenarios: the golden plans, the
// update matrix, day 0 and day 2, isolation between the environments, the
// documents and workflows, and the layers of the code. They run the real
// program for the real stack files (internal/preview/previewtest) and assert
// on the recorded plans; each component's, stack's and tool's own tests live
// beside its code.
package tests

import (
	"bytes"
	"strings"

	"github.com/ohmycoins/infra/internal/previewcli"
)

// projectDir is where Pulumi.yaml and the stack files live, relative to this package.
const projectDir = ".."

// runCLI runs the offline preview command in-process.
func runCLI(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		args = append([]string{args[0], "-dir", projectDir}, args[1:]...) // a command, then its flags
	} else {
		args = append([]string{"-dir", projectDir}, args...) // the earlier form
	}
	code = previewcli.Main(args, &out, &errOut)
	return code, out.String(), errOut.String()
}
