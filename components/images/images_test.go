package images

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/require"

	"github.com/ohmycoins/infra/internal/componenttest"
	"github.com/ohmycoins/infra/internal/stackplan"
)

const keyARN = "arn:aws:kms:ap-southeast-2:123456789012:key/k"

var digest = "sha256:" + strings.Repeat("5e", 32)

// images runs the component and hands back what it gives each service.
func images(t *testing.T, args Args) (*stackplan.Plan, map[string]ServiceImage, map[string]string) {
	t.Helper()
	var got map[string]ServiceImage
	refs := map[string]string{}
	plan := componenttest.Run(t, func(ctx *pulumi.Context) error {
		if args.KMSKeyARN == nil {
			args.KMSKeyARN = pulumi.String(keyARN)
		}
		c, err := New(ctx, "env", args)
		if err != nil {
			return err
		}
		got = c.Services
		for name, image := range c.Services {
			if refs[name], err = componenttest.Await[string](ctx, image.Reference.ToStringOutput().ApplyT(func(s string) string { return s })); err != nil {
				return err
			}
		}
		return nil
	})
	return plan, got, refs
}

func TestRepositoriesScanEncryptAndExpire(t *testing.T) {
	t.Parallel()
	for _, kept := range []bool{false, true} {
		plan, _, _ := images(t, Args{Services: []Service{{Name: "backend"}, {Name: "worker"}}, ImmutableTags: kept, ForceDelete: !kept, Protect: kept})
		for _, name := range []string{"backend", "worker"} {
			repo := componenttest.Named(t, plan, "aws:ecr/repository:Repository", "env-"+name)
			require.Equal(t, "env-"+name, repo.Inputs["name"])
			require.Equal(t, map[bool]string{true: "IMMUTABLE", false: "MUTABLE"}[kept], repo.Inputs["imageTagMutability"])
			require.Equal(t, !kept, repo.Inputs["forceDelete"], "staging can be destroyed in one run")
			require.Equal(t, kept, repo.Protect)
			require.Equal(t, map[string]any{"scanOnPush": true}, repo.Inputs["imageScanningConfiguration"])
			require.Equal(t, []any{map[string]any{"encryptionType": "KMS", "kmsKey": keyARN}}, repo.Inputs["encryptionConfigurations"])
			policy := componenttest.Named(t, plan, "aws:ecr/lifecyclePolicy:LifecyclePolicy", "env-"+name+"-lifecycle")
			require.Equal(t, true, *policy.DeleteBeforeReplace, "a repository holds one policy: the new one is not deleted with the old")
			var lifecycle struct {
				Rules []struct {
					Selection struct {
						TagStatus, CountType string
						CountNumber          int
					}
					Action struct{ Type string }
				}
			}
			require.NoError(t, json.Unmarshal([]byte(policy.Inputs["policy"].(string)), &lifecycle))
			require.Len(t, lifecycle.Rules, 1)
			require.Equal(t, KeepImages, lifecycle.Rules[0].Selection.CountNumber)
			require.Equal(t, "imageCountMoreThan", lifecycle.Rules[0].Selection.CountType)
			require.Equal(t, "expire", lifecycle.Rules[0].Action.Type)
		}
	}
}

// TestAServiceWithoutAnImageAwaitsItsFirst: a new repository holds nothing
// to run, so the service is told to run no task, and nothing is built.
func TestAServiceWithoutAnImageAwaitsItsFirst(t *testing.T) {
	t.Parallel()
	plan, got, refs := images(t, Args{Services: []Service{{Name: "backend"}, {Name: "frontend", Digest: digest}}})
	require.Empty(t, plan.OfType("docker:index/image:Image"), "nothing to build")
	repo := componenttest.Named(t, plan, "aws:ecr/repository:Repository", "env-backend").Outputs["repositoryUrl"].(string)
	require.True(t, got["backend"].Awaiting)
	require.Equal(t, repo+":"+AwaitingTag, refs["backend"], "the stack's own repository, never another registry")
	frontend := componenttest.Named(t, plan, "aws:ecr/repository:Repository", "env-frontend").Outputs["repositoryUrl"].(string)
	require.False(t, got["frontend"].Awaiting)
	require.Equal(t, frontend+"@"+digest, refs["frontend"], "a digest runs from the service's own repository")
}

func TestBuiltImagesArePushedAndRunByDigest(t *testing.T) {
	t.Parallel()
	context := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(context, "Dockerfile"), []byte("FROM python:3.12-slim\n"), 0o644))
	args := Args{Services: []Service{{Name: "backend", BuildContext: context, Target: "runtime"}}}
	plan, _, refs := images(t, args)
	built := plan.OfType("docker:index/image:Image")
	require.Len(t, built, 1)
	image := built[0]
	repo := componenttest.Named(t, plan, "aws:ecr/repository:Repository", "env-backend")
	require.Regexp(t, "^"+regexp.QuoteMeta(repo.Outputs["repositoryUrl"].(string))+`:src-[0-9a-f]{12}$`, image.Inputs["imageName"])
	build := image.Inputs["build"].(map[string]any)
	require.Equal(t, Platform, build["platform"], "Fargate runs X86_64 (defect E10)")
	require.Equal(t, context, build["context"])
	require.Equal(t, filepath.Join(context, "Dockerfile"), build["dockerfile"])
	require.Equal(t, "runtime", build["target"])
	registry := image.Inputs["registry"].(map[string]any)
	require.Equal(t, repo.Outputs["repositoryUrl"], registry["server"])
	require.Equal(t, stackplan.Secret, registry["password"])
	require.Equal(t, image.Outputs["repoDigest"], refs["backend"], "the task runs the pushed digest: a new build is a new deployment")

	// The tag follows the sources: change a file, get a new tag.
	require.NoError(t, os.WriteFile(filepath.Join(context, "app.py"), []byte("print('hi')\n"), 0o644))
	again, _, _ := images(t, args)
	require.NotEqual(t, image.Inputs["imageName"], again.OfType("docker:index/image:Image")[0].Inputs["imageName"])
}

func TestNewRefusesABadSource(t *testing.T) {
	t.Parallel()
	noDockerfile := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(noDockerfile, "README"), []byte("not a service\n"), 0o644))
	for want, services := range map[string][]Service{
		"images: backend build context " + noDockerfile + " has no Dockerfile (" + filepath.Join(noDockerfile, "Dockerfile") + "): docker build would fail; build.context is the directory of the service's Dockerfile": {{Name: "backend", BuildContext: noDockerfile}},
		"images: backend build context " + noDockerfile + " has no docker/api.Dockerfile (" + filepath.Join(noDockerfile, "docker/api.Dockerfile") + ")":                                                                {{Name: "backend", BuildContext: noDockerfile, Dockerfile: "docker/api.Dockerfile"}},
		"images: frontend build context no/such/dir":                                {{Name: "frontend", BuildContext: "no/such/dir"}},
		"images: backend.imageDigest = latest: must be an image digest":             {{Name: "backend", Digest: "latest"}},
		"images: backend.build.context = ../backend: must not be set together with": {{Name: "backend", Digest: digest, BuildContext: "../backend"}},
		"images: the service backend is listed twice":                               {{Name: "backend"}, {Name: "backend"}},
		"images: every service needs a Name":                                        {{}},
	} {
		err := componenttest.Error(t, func(ctx *pulumi.Context) error {
			_, err := New(ctx, "env", Args{Services: services, KMSKeyARN: pulumi.String(keyARN)})
			return err
		})
		require.ErrorContains(t, err, want)
	}
}
