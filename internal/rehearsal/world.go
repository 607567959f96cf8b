package rehearsal

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/ohmycoins/infra/internal/awscli"
	"github.com/ohmycoins/infra/internal/simaws"
	"github.com/ohmycoins/infra/internal/simprovider"
	"github.com/ohmycoins/infra/stacks"
)

// AccountID is the id of the simulated account a rehearsal opens: the one
// the stack files allow.
const AccountID = "220711411889"

// Standins are the binaries a rehearsal runs besides the Pulumi CLI: the
// stand-in plugins, the AWS CLI, crane and terraform stand-ins and the two programs,
// built once into a directory.
var Standins = [][]string{
	{"-o", "", "./internal/standin/pulumi-resource-aws", "./internal/standin/pulumi-resource-docker", "./internal/standin/pulumi-language-go", "./internal/standin/aws", "./internal/standin/crane", "./internal/standin/terraform"},
	{"-o", "programs/project", "."},
	{"-o", "programs/bootstrap", "./bootstrap"},
}

// BuildStandins builds Standins from the repository at project into dir.
func BuildStandins(project, dir string) error {
	for _, args := range Standins {
		args = append([]string{"build"}, args...)
		args[2] = filepath.Join(dir, args[2]) + map[bool]string{true: string(filepath.Separator)}[args[2] == ""]
		cmd := exec.Command("go", args...)
		cmd.Dir = project
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	return nil
}

// World is one simulated account, a copy of the repository that uses it,
// and a local state backend, in a directory of its own.
type World struct {
	// Dir is the project copy, where the commands run.
	Dir string
	// Account is the simulated account; AccountDir its directory.
	Account    *simaws.Account
	AccountDir string
	// Env is the environment the commands run with: the stand-ins first on
	// PATH, the local backend, the passphrase, the account.
	Env []string
	// Tmp is the world's own /tmp: the files a procedure writes there.
	Tmp string
	// TerraformDir holds the original's state and where its resources are
	// in the account, for the terraform stand-in (awscli.TerraformEnv).
	TerraformDir string
	// Seeded is what the account held once SeedTerraform put the original
	// environment in: what a way back from the move must leave.
	Seeded []simaws.Resource
	// ServedBeforeOutage are the hosts that served before the rules'
	// outage began: those the procedure must bring back. Nil without one.
	ServedBeforeOutage []string
}

// NewWorld copies the repository at project into root/project, without
// what no procedure runs (.git, docs, tools, CI), with its Pulumi projects
// running the prebuilt programs of bin; opens an empty account with the
// stacks' account id in root/account; keeps state in root/state.
func NewWorld(project, root, bin, pulumiCLI string) (*World, error) {
	dir := filepath.Join(root, "project")
	if err := copyTree(project, dir, map[string]bool{".git": true, "docs": true, "tools": true, ".github": true, ".ci": true}); err != nil {
		return nil, err
	}
	for sub, program := range map[string]string{"": "project", "bootstrap": "bootstrap"} {
		if err := Prebuilt(filepath.Join(dir, sub, "Pulumi.yaml"), filepath.Join(bin, "programs", program)); err != nil {
			return nil, err
		}
	}
	accountDir := filepath.Join(root, "account")
	account, err := simaws.Open(accountDir)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(accountDir, "account.json"), []byte(`{"id": "`+AccountID+`"}`), 0o644); err != nil {
		return nil, err
	}
	for _, d := range []string{"state", "home", "cli", "tmp", "terraform"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			return nil, err
		}
	}
	if err := os.Symlink(pulumiCLI, filepath.Join(root, "cli", "pulumi")); err != nil {
		return nil, err
	}
	// The application's repository checked out beside this one, as the
	// RUNBOOK expects it for a build from source: each service's
	// Dockerfile, which the docker stand-in does not read.
	for _, svc := range []string{"backend", "frontend"} {
		dir := filepath.Join(root, OriginalCheckout, svc)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("# The rehearsal's stand-in for the application's "+svc+" Dockerfile.\nFROM scratch\n"), 0o644); err != nil {
			return nil, err
		}
	}
	var env []string
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, "PATH=") && !strings.HasPrefix(e, "PULUMI_") && !strings.HasPrefix(e, "AWS_") && !strings.HasPrefix(e, "GIT_") {
			env = append(env, e)
		}
	}
	sep := string(os.PathListSeparator)
	env = append(env,
		"PATH="+bin+sep+filepath.Join(root, "cli")+sep+os.Getenv("PATH"),
		"PULUMI_HOME="+filepath.Join(root, "home"),
		"PULUMI_BACKEND_URL=file://"+filepath.Join(root, "state"),
		"PULUMI_CONFIG_PASSPHRASE=rehearsal",
		"PULUMI_SKIP_UPDATE_CHECK=true",
		// The state is written once, at the end of each update, not after
		// every step: a third less time for each run, and the same state
		// at the end of a run that succeeds or fails (only a CLI killed in
		// the middle of an update would lose its steps, which no rehearsal does).
		"PULUMI_SKIP_CHECKPOINTS=true",
		"PULUMI_DIY_BACKEND_NO_LEGACY_WARNING=true",
		"PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true",
		"NO_COLOR=1",
		"AWS_REGION=ap-southeast-2",
		"GIT_AUTHOR_NAME=rehearsal", "GIT_AUTHOR_EMAIL=rehearsal@localhost",
		"GIT_COMMITTER_NAME=rehearsal", "GIT_COMMITTER_EMAIL=rehearsal@localhost",
		simprovider.AccountEnv+"="+accountDir,
		awscli.TerraformEnv+"="+filepath.Join(root, "terraform"),
	)
	w := &World{Dir: dir, Account: account, AccountDir: accountDir, Env: env, Tmp: filepath.Join(root, "tmp"), TerraformDir: filepath.Join(root, "terraform")}
	// A repository, so that the procedures' git commit records the change.
	for _, args := range [][]string{{"init", "-q"}, {"add", "-A"}, {"commit", "-qm", "the repository as the rehearsal found it"}} {
		if out, err := w.Run("git", args...); err != nil {
			return nil, fmt.Errorf("git %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	return w, nil
}

// Prebuilt makes a Pulumi project run a prebuilt program: runtime go with
// the option binary, as pulumi-language-go allows.
func Prebuilt(project, program string) error {
	data, err := os.ReadFile(project)
	if err != nil {
		return err
	}
	text := strings.Replace(string(data), "\nruntime: go\n", "\nruntime:\n  name: go\n  options:\n    binary: "+program+"\n", 1)
	if text == string(data) {
		return fmt.Errorf("%s does not name runtime go on a line of its own", project)
	}
	return os.WriteFile(project, []byte(text), 0o644)
}

// copyTree copies a directory without the directories skip names (relative
// to src) and without Go tests.
func copyTree(src, dst string, skip map[string]bool) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		if d.IsDir() {
			if skip[rel] {
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		if strings.HasSuffix(rel, "_test.go") || !d.Type().IsRegular() {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
}

// Run runs a program in the project copy with the world's environment, and
// returns its combined output.
func (w *World) Run(name string, args ...string) (string, error) {
	cmd := exec.Command(w.lookPath(name), args...)
	cmd.Dir, cmd.Env = w.Dir, w.Env
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// Pulumi runs the Pulumi CLI and fails with its output's end.
func (w *World) Pulumi(args ...string) (string, error) {
	out, err := w.Run("pulumi", args...)
	if err != nil {
		return out, fmt.Errorf("pulumi %s: %v\n%s", strings.Join(args, " "), err, tail(out, 30))
	}
	return out, nil
}

func (w *World) lookPath(name string) string {
	for _, e := range w.Env {
		if p, ok := strings.CutPrefix(e, "PATH="); ok {
			for _, d := range filepath.SplitList(p) {
				if _, err := os.Stat(filepath.Join(d, name)); err == nil {
					return filepath.Join(d, name)
				}
			}
		}
	}
	return name
}

// RequiredSecrets are the stack secrets a stack of the environment needs
// before its first preview (production's pager too); a rehearsal sets each
// to a value of its own, shaped as the secret must be.
func RequiredSecrets(environment string) map[string]string {
	out := map[string]string{}
	for _, sec := range stacks.StackSecrets {
		if sec.RequiredFor(environment) {
			out[sec.Key] = "Rehearsal-Secret-0123456789abcdef0123456789"
			if sec.Placeholder != "" {
				out[sec.Key] = sec.Placeholder
			}
		}
	}
	return out
}

// InitStack creates a stack from its stack file, its secrets under the
// passphrase (the file's own secrets provider is a KMS key of the real
// account) and the required secrets set.
func (w *World) InitStack(stack string) error {
	file := filepath.Join(w.Dir, "Pulumi."+stack+".yaml")
	data, err := os.ReadFile(file)
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("-stack %s: the repository has no Pulumi.%s.yaml", stack, stack)
	}
	if err != nil {
		return err
	}
	lines := strings.Split(string(data), "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "secretsprovider:") {
			lines[i] = "secretsprovider: passphrase"
		}
	}
	if err := os.WriteFile(file, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		return err
	}
	if _, err := w.Pulumi("stack", "init", stack); err != nil {
		return err
	}
	environment := ""
	for _, l := range lines {
		if v, ok := strings.CutPrefix(strings.TrimSpace(l), "ohmycoins:environment:"); ok {
			environment = strings.Trim(strings.TrimSpace(v), `"'`)
		}
	}
	secrets := RequiredSecrets(environment)
	for _, key := range slices.Sorted(maps.Keys(secrets)) {
		if _, err := w.Pulumi("config", "set", "--secret", "--stack", stack, "ohmycoins:"+key, secrets[key]); err != nil {
			return err
		}
	}
	return nil
}

// RunningImage is the digest the running stack's services run; NewerImage
// the one a stack that is also running runs (staging, ahead of production).
// FailingImage is pushed and deployed, and its tasks fail their health
// checks.
const (
	RunningImage = "sha256:b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1"
	NewerImage   = "sha256:5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a"
	FailingImage = "sha256:baddbaddbaddbaddbaddbaddbaddbaddbaddbaddbaddbaddbaddbaddbaddbadd"
)

// StartRunning brings an initialised stack up, its backend and frontend
// running an image pushed to their repositories, and gives each database and cache the automated
// snapshot RDS and ElastiCache take every day (at the time given).
func (w *World) StartRunning(stack string, now time.Time) error {
	return w.startRunning(stack, now, RunningImage)
}

func (w *World) startRunning(stack string, now time.Time, image string) error {
	// As a new environment comes up: the first up creates the repositories,
	// the images are pushed, the next up runs them.
	before, err := w.Account.Resources()
	if err != nil {
		return err
	}
	if _, err := w.Pulumi("up", "--stack", stack, "--yes", "--skip-preview"); err != nil {
		return err
	}
	resources, err := w.Account.Resources()
	if err != nil {
		return err
	}
	for _, r := range resources {
		if r.Type == "aws:ecr/repository:Repository" && !slices.ContainsFunc(before, func(b simaws.Resource) bool { return b.Serial == r.Serial }) {
			if err := w.Account.PushImage(r.Region, r.ID, image, "running"); err != nil {
				return err
			}
		}
	}
	for _, svc := range []string{"backend", "frontend"} {
		if _, err := w.Pulumi("config", "set", "--stack", stack, "--path", "ohmycoins:"+svc+".imageDigest", image); err != nil {
			return err
		}
	}
	if _, err := w.Pulumi("up", "--stack", stack, "--yes", "--skip-preview"); err != nil {
		return err
	}
	if resources, err = w.Account.Resources(); err != nil {
		return err
	}
	stamp := now.UTC().Format("2006-01-02-15-04")
	for _, r := range resources {
		if slices.ContainsFunc(before, func(b simaws.Resource) bool { return b.Serial == r.Serial }) {
			continue // another stack's
		}
		key, _ := r.Inputs["kmsKeyId"].(string)
		retention, _ := r.Inputs["snapshotRetentionLimit"].(float64)
		var snapshot simaws.Snapshot
		switch {
		case r.Type == "aws:rds/instance:Instance":
			snapshot = simaws.Snapshot{Type: "rds", Identifier: "rds:" + r.ID + "-" + stamp, Source: r.ID, KMSKeyID: key}
		case r.Type == "aws:elasticache/replicationGroup:ReplicationGroup" && retention > 0: // ElastiCache keeps none without a retention
			snapshot = simaws.Snapshot{Type: "elasticache", Identifier: "automatic." + r.ID + "-" + stamp, Source: r.ID, KMSKeyID: key}
		default:
			continue
		}
		if err := w.Account.SeedSnapshot(snapshot); err != nil {
			return err
		}
	}
	if out, err := w.Run("git", "commit", "-qam", stack+": running"); err != nil {
		return fmt.Errorf("git commit: %v\n%s", err, out)
	}
	return nil
}

// DeployFailing deploys FailingImage to a service of a running stack as
// an operator does ("Deploying a new image": pushed, its digest committed,
// pulumi up), with its tasks failing their health checks: ECS rolls the
// deployment back, and pulumi up succeeds.
func (w *World) DeployFailing(stack, service string) error {
	resources, err := w.Account.Resources()
	if err != nil {
		return err
	}
	repo := ""
	for _, r := range resources {
		if r.Type == "aws:ecr/repository:Repository" && strings.HasSuffix(r.ID, "-"+service) {
			repo = r.ID
			if err := w.Account.PushImage(r.Region, r.ID, FailingImage, "git-failing"); err != nil {
				return err
			}
		}
	}
	if repo == "" {
		return fmt.Errorf("rehearsal rule deployed failing: the account has no repository of %s", service)
	}
	settings, err := w.Account.Settings()
	if err != nil {
		return err
	}
	settings.FailingImages = append(settings.FailingImages, repo+"@"+FailingImage)
	data, err := json.Marshal(settings)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(w.AccountDir, "account.json"), data, 0o644); err != nil {
		return err
	}
	if _, err := w.Pulumi("config", "set", "--stack", stack, "--path", "ohmycoins:"+service+".imageDigest", FailingImage); err != nil {
		return err
	}
	if out, err := w.Run("git", "commit", "-qam", stack+": "+service+" "+FailingImage); err != nil {
		return fmt.Errorf("git commit: %v\n%s", err, out)
	}
	_, err = w.Pulumi("up", "--stack", stack, "--yes", "--skip-preview")
	return err
}

func tail(s string, lines int) string {
	all := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(all) > lines {
		all = all[len(all)-lines:]
	}
	return strings.Join(all, "\n")
}
