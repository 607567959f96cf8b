package engine

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ohmycoins/infra/internal/preview"
	"github.com/ohmycoins/infra/internal/stackplan"
	"github.com/ohmycoins/infra/internal/updatematrix"
	"github.com/ohmycoins/infra/stacks"
)

// pushDeployedImages pushes the update matrix's deployed images into the
// repositories of their services.
func (w *world) pushDeployedImages() {
	w.t.Helper()
	for key, value := range updatematrix.DeployedImages() {
		var svc struct {
			ImageDigest string `json:"imageDigest"`
		}
		require.NoError(w.t, json.Unmarshal([]byte(value), &svc))
		for _, r := range w.resources() {
			if r.Type == "aws:ecr/repository:Repository" && strings.HasSuffix(r.ID, "-"+strings.TrimPrefix(key, "ohmycoins:")) {
				require.NoError(w.t, w.account.PushImage(r.Region, r.ID, svc.ImageDigest, "deployed"))
			}
		}
	}
}

// TestEveryRowOfTheUpdateMatrixAgreesWithTheEngine: for every row of the
// update matrix (tests/testdata/update-matrix.txt), in both stacks, the real
// engine previews the row against a stack that is up in the simulated
// account, and its steps are the offline diff's: the same resources, each
// with the same op, a replacement deleting first exactly where the diff says
// so. A row that validation refuses fails the engine's preview with the same
// problems; a row whose provider configuration the provider refuses (another
// account) fails it too, and the offline diff blocks that change.
func TestEveryRowOfTheUpdateMatrixAgreesWithTheEngine(t *testing.T) {
	t.Parallel()
	for _, stack := range []string{"staging", "production"} {
		t.Run(stack, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			w.initStack(stack)
			baselineOpts, err := updatematrix.Options(projectDir, stack, updatematrix.Step{})
			require.NoError(t, err)
			// As a new environment gets its images: the first up creates
			// the repositories, the images are pushed, the next up runs them
			// (and registers production's scalable targets, which move the
			// services' counts). The refresh then reads what AWS holds, which
			// is what the offline diff's old side, a plan, says.
			w.pulumi("", "up", "--stack", stack, "--yes", "--skip-preview")
			w.pushDeployedImages()
			w.setConfig(stack, "", baselineOpts)
			w.pulumi("", "up", "--stack", stack, "--yes", "--skip-preview")
			w.pulumi("", "refresh", "--stack", stack, "--yes", "--skip-preview")
			baseline, err := preview.Preview(baselineOpts)
			require.NoError(t, err)
			for _, row := range updatematrix.Rows() {
				t.Run(row.Key, func(t *testing.T) {
					w := w.in(t)
					opts, err := updatematrix.Options(projectDir, stack, row.For(stack))
					require.NoError(t, err)
					file := filepath.Join(t.TempDir(), "Pulumi."+stack+".yaml")
					stackFile, err := os.ReadFile(filepath.Join(w.dir, "Pulumi."+stack+".yaml"))
					require.NoError(t, err)
					require.NoError(t, os.WriteFile(file, stackFile, 0o644))
					w.setConfig(stack, file, opts)
					engine, diagnostics, engineErr := w.previewSteps(stack, "--config-file", file)

					result, offlineErr := preview.Preview(opts)
					var refused *stacks.ValidationError
					if errors.As(offlineErr, &refused) {
						require.Error(t, engineErr, "validation refuses the row offline; the engine's preview must fail too")
						for _, problem := range refused.Problems {
							require.Contains(t, diagnostics, problem)
						}
						return
					}
					require.NoError(t, offlineErr)
					d := stackplan.Diff(baseline.Plan, result.Plan)
					if engineErr != nil {
						// The provider refuses its new configuration before
						// any step: the offline diff must block that change.
						require.Contains(t, diagnostics, "AWS account ID not allowed", "the engine's preview fails:\n%s", tail(diagnostics, 30))
						require.True(t, slices.ContainsFunc(d.Blocked(), func(c stackplan.Change) bool { return strings.HasPrefix(c.Type, "pulumi:providers:") }),
							"the engine's preview fails on the provider's configuration; the offline diff must block the provider's change")
						return
					}
					requireSameSteps(t, engine, offlineSteps(d))
				})
			}
		})
	}
}

// requireSameSteps fails with the steps that only one side takes.
func requireSameSteps(t *testing.T, engine, offline map[string]string) {
	t.Helper()
	var onlyEngine, onlyOffline []string
	for urn, op := range engine {
		if offline[urn] != op {
			onlyEngine = append(onlyEngine, op+" "+urn[strings.LastIndex(urn, "::")+2:])
		}
	}
	for urn, op := range offline {
		if engine[urn] != op {
			onlyOffline = append(onlyOffline, op+" "+urn[strings.LastIndex(urn, "::")+2:])
		}
	}
	sort.Strings(onlyEngine)
	sort.Strings(onlyOffline)
	require.Empty(t, onlyEngine, "steps the engine takes that the offline diff does not show (offline: %v)", onlyOffline)
	require.Empty(t, onlyOffline, "steps the offline diff shows that the engine does not take")
}

// setConfig writes the values of preview options into a stack's
// configuration (file, or the stack file when empty), as one
// `pulumi config set-all --json`: an object or a list as an object value,
// a secret encrypted.
func (w *world) setConfig(stack, file string, opts preview.Options) {
	w.t.Helper()
	type value struct {
		Value       string `json:"value"`
		ObjectValue any    `json:"objectValue,omitempty"`
		Secret      bool   `json:"secret"`
	}
	values := map[string]value{}
	for _, secret := range []bool{false, true} {
		set := opts.Set
		if secret {
			set = opts.SetSecret
		}
		for key, raw := range set {
			v := value{Value: raw, Secret: secret}
			var object any
			if json.Unmarshal([]byte(raw), &object) == nil {
				switch object.(type) {
				case map[string]any, []any:
					v.ObjectValue = object
				}
			}
			values[key] = v
		}
	}
	if len(values) == 0 {
		return
	}
	data, err := json.Marshal(values)
	require.NoError(w.t, err)
	args := []string{"config", "set-all", "--stack", stack, "--json", string(data)}
	if file != "" {
		args = append(args, "--config-file", file)
	}
	w.pulumi("", args...)
}

// previewSteps previews a stack with the engine and returns its steps (as
// engineSteps), its diagnostics and standard error as one text, and
// whether the preview failed.
func (w *world) previewSteps(stack string, args ...string) (map[string]string, string, error) {
	w.t.Helper()
	cmd := exec.Command(lookPath(w.env, "pulumi"), slices.Concat([]string{"preview", "--stack", stack, "--json", "--show-replacement-steps"}, args)...)
	cmd.Dir = w.dir
	cmd.Env = w.env
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, runErr := cmd.Output()
	var preview enginePreview
	if err := json.Unmarshal(out, &preview); err != nil {
		return nil, stderr.String() + string(out), errors.Join(runErr, err)
	}
	text := stderr.String()
	for _, d := range preview.Diagnostics {
		text += d.Message + "\n"
	}
	return preview.steps(), text, runErr
}
