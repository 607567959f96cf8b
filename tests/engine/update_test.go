package engine

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestProductionTakesANewImageThroughItsDestroyGuard: with the destroy guard
// in place, an ordinary update that replaces a resource (a new task
// definition revision for a new image) goes through.
func TestProductionTakesANewImageThroughItsDestroyGuard(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.initStack("production")
	w.pulumi("", "up", "--stack", "production", "--yes", "--skip-preview")
	digest := "sha256:" + strings.Repeat("c3", 32)
	require.NoError(t, w.account.PushImage("ap-southeast-2", "ohmycoins-prod-backend", digest, "git-c3"))
	w.pulumi("", "config", "set", "--stack", "production", "--path", "ohmycoins:backend.imageDigest", digest)
	out := w.pulumi("", "up", "--stack", "production", "--yes", "--skip-preview")
	require.Regexp(t, `\+- +aws:ecs:TaskDefinition ohmycoins-prod-backend replaced`, out)
	require.Regexp(t, `~ +aws:ecs:Service ohmycoins-prod-backend-service updated`, out)
	w.pulumi("", "preview", "--stack", "production", "--expect-no-changes")
	var image string
	for _, r := range w.resources() {
		if r.Type == "aws:ecs/taskDefinition:TaskDefinition" && r.Inputs["family"] == "ohmycoins-prod-backend" {
			image = r.Inputs["containerDefinitions"].(string)
		}
	}
	require.Contains(t, image, "ohmycoins-prod-backend@"+digest, "the account runs the new image")
}
