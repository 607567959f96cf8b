package engine

import (
	"encoding/json"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ohmycoins/infra/internal/preview/previewtest"
	"github.com/ohmycoins/infra/internal/stackplan"
)

// engineSteps is what `pulumi preview --json --show-replacement-steps` says
// an update does, per resource: its op, and for a replacement whether the
// original is deleted first ("replace, delete first").
func (w *world) engineSteps(stack string) map[string]string {
	w.t.Helper()
	var preview struct {
		Steps []struct {
			Op  string `json:"op"`
			URN string `json:"urn"`
		} `json:"steps"`
	}
	require.NoError(w.t, json.Unmarshal([]byte(w.stdout("", "preview", "--stack", stack, "--json", "--show-replacement-steps")), &preview))
	out := map[string]string{}
	deletedFirst := map[string]bool{}
	for _, s := range preview.Steps {
		switch s.Op {
		case "delete-replaced":
			if out[s.URN] == "" {
				deletedFirst[s.URN] = true
			}
		case "create-replacement":
			out[s.URN] = "replace"
		case "replace":
			if out[s.URN] == "" {
				out[s.URN] = "replace"
			}
		case "create", "update", "delete":
			out[s.URN] = s.Op
		}
	}
	for urn, op := range out {
		if op == "replace" && deletedFirst[urn] {
			out[urn] = "replace, delete first"
		}
	}
	return out
}

// offlineSteps is the same from the offline diff of cmd/preview.
func offlineSteps(d stackplan.PlanDiff) map[string]string {
	out := map[string]string{}
	for _, c := range d.Changes {
		if !strings.Contains(c.Type, "/") { // components: the engine shows no step for them
			continue
		}
		op := map[stackplan.Op]string{stackplan.OpCreate: "create", stackplan.OpUpdate: "update", stackplan.OpReplace: "replace", stackplan.OpDelete: "delete"}[c.Op]
		if c.Op == stackplan.OpReplace && c.DeleteFirst {
			op = "replace, delete first"
		}
		out[c.URN] = op
	}
	return out
}

// TestTheEngineAndTheOfflineDiffAgreeOnAddingAWorker: a worker with data
// access renames the database's and the cache's security groups; the
// engine's preview and cmd/preview's diff name the same steps in the same
// order (the groups created before the originals are deleted, as the
// program asks), and the update goes through: AWS would refuse to delete a
// group still in use.
func TestTheEngineAndTheOfflineDiffAgreeOnAddingAWorker(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.initStack("staging")
	w.pulumi("", "up", "--stack", "staging", "--yes", "--skip-preview")
	w.pulumi("", "config", "set", "--stack", "staging", "--path", "ohmycoins:services.worker.role", "worker")
	w.pulumi("", "config", "set", "--stack", "staging", "--path", "ohmycoins:services.worker.dataAccess", "true")

	engine := w.engineSteps("staging")
	before := previewtest.Stack(t, "staging").Plan
	after := previewtest.Stack(t, "staging", previewtest.Set("ohmycoins:services", `{"worker": {"role": "worker", "dataAccess": true}}`)).Plan
	offline := offlineSteps(stackplan.Diff(before, after))
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
	require.Empty(t, onlyEngine, "steps the engine takes that the offline diff does not show")
	require.Empty(t, onlyOffline, "steps the offline diff shows that the engine does not take")
	require.Equal(t, "replace", engine[previewtest.Named(t, before, "aws:ec2/securityGroup:SecurityGroup", "ohmycoins-staging-rds-sg").URN])

	w.pulumi("", "up", "--stack", "staging", "--yes", "--skip-preview")
	w.pulumi("", "preview", "--stack", "staging", "--expect-no-changes")
}
