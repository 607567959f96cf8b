package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ohmycoins/infra/internal/rehearsal"
)

// project is a repository with a RUNBOOK of two rehearsed procedures, one
// from a Terraform state, and a staging stack file.
func project(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "docs"), 0o755))
	runbook := "# Runbook\n\n## Moving\n\n<!-- rehearsal\nstarts from: the terraform state\nstacks: staging\n-->\n\n```sh\npulumi up --stack staging\n```\n\n" +
		"## Building\n\n<!-- rehearsal\nstarts from: nothing\nstacks: staging\n-->\n\n```sh\npulumi up --stack staging\n```\n\n" +
		"## Pushing\n\n<!-- rehearsal\nstarts from: nothing\nstacks: staging\n-->\n\n```sh\ndocker push x\n```\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "docs", "RUNBOOK.md"), []byte(runbook), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "Pulumi.staging.yaml"), []byte("config: {}\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "not-terraform.json"), []byte(`{"version": 3, "resources": []}`), 0o644))
	return dir
}

// TestBadInputIsRefusedBeforeAnythingIsCreated: an unknown procedure or
// stack, a procedure for another start, a state that is no Terraform
// state, a command the rehearsal cannot run: exit 2, a message naming the
// setting, the value and the rule, and no world left behind.
func TestBadInputIsRefusedBeforeAnythingIsCreated(t *testing.T) {
	dir := project(t)
	keep := filepath.Join(t.TempDir(), "world")
	for args, want := range map[string]string{
		"-stack staging -procedure restoring":                            `rehearse: -procedure "restoring": docs/RUNBOOK.md has no rehearsed procedure of that title or slug; the rehearsed ones are moving, building, pushing`,
		"-stack qa -procedure building":                                  `rehearse: -stack "qa": the repository has no Pulumi.qa.yaml (its stacks are staging and production, and the account-level program's state)`,
		"-stack staging -procedure moving":                               `rehearse: "Moving" starts from the original environment: give its Terraform state with -terraform-state`,
		"-stack staging -procedure building -terraform-state x.json":     `rehearse: -terraform-state: "Building" starts from nothing, not from a Terraform state`,
		"-stack staging -procedure pushing":                              `rehearse: "Pushing", step 1 (docker push x): the rehearsal cannot run docker: it runs pulumi, aws, crane and terraform (their stand-ins), git, go run ./cmd/<command>, jq, xargs, less and rm`,
		"-stack staging -procedure moving -terraform-state missing.json": "rehearse: -terraform-state: stat missing.json: no such file or directory",
	} {
		var stdout, stderr bytes.Buffer
		code := run(append([]string{"-project", dir, "-keep", keep}, splitArgs(args)...), &stdout, &stderr)
		require.Equal(t, 2, code, args)
		require.Equal(t, want+"\n", stderr.String(), args)
		require.Empty(t, stdout.String())
		require.NoDirExists(t, keep, "nothing is created")
	}
	var stdout, stderr bytes.Buffer
	code := run([]string{"-project", dir, "-keep", keep, "-stack", "staging", "-procedure", "moving", "-terraform-state", filepath.Join(dir, "not-terraform.json")}, &stdout, &stderr)
	require.Equal(t, 2, code)
	require.Contains(t, stderr.String(), "rehearse: -terraform-state "+filepath.Join(dir, "not-terraform.json")+": ")
	require.NoDirExists(t, keep)
}

func splitArgs(s string) []string {
	var out []string
	for _, f := range bytes.Fields([]byte(s)) {
		out = append(out, string(f))
	}
	return out
}

// TestTheTextReportSaysWhatTheOutageKept: the regions down head the
// report, and data only they still hold is named before the verdict.
func TestTheTextReportSaysWhatTheOutageKept(t *testing.T) {
	var out bytes.Buffer
	printText(&out, &rehearsal.Report{
		Stack: "production", Procedure: "Restoring in another region",
		Steps:       []rehearsal.Step{{N: 1, Command: "pulumi up --stack production-dr", OK: true}},
		Outage:      []string{"ap-southeast-2"},
		Unrecovered: []rehearsal.Lost{{Type: "aws:rds/instance:Instance", Name: "ohmycoins-prod-postgres"}},
	})
	require.Equal(t, `Rehearsal of "Restoring in another region" for production
with ap-southeast-2 down from before the first step to the end

 1. ok     pulumi up --stack production-dr
    +0 ~0 +-0 -0  application reachable

not recovered: aws:rds/instance:Instance ohmycoins-prod-postgres (held only in ap-southeast-2)

the rehearsal found 1 fault(s):
  - not recovered: aws:rds/instance:Instance ohmycoins-prod-postgres is held only in ap-southeast-2, which is down
`, out.String())
}
