// Package images creates one ECR repository per service (<prefix>-<service>:
// scan on push, KMS-encrypted, tags immutable where asked,
// the newest 30 images kept) and resolves the image each service runs, always
// from that repository and by digest:
//   - a digest given in stack config (an image CI pushed, or one promoted from
//     staging): <repository>@sha256:...;
//   - an image built from source with pulumi-docker for linux/amd64 (defect
//     E10) and pushed to the repository, run by its pushed digest;
//   - neither: the repository is still empty. The service is then created with
//     no tasks (Awaiting), so the first `pulumi up` of a new environment
//     succeeds before any image exists.
//
// A new digest is a new task definition and therefore a new deployment (the
// original's CI pushed images no service ever ran, and ran moving tags from a
// registry the stack did not own: defect E9).
package images

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ecr"
	"github.com/pulumi/pulumi-docker/sdk/v4/go/docker"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/ohmycoins/infra/internal/settings"
)

// KeepImages is how many images a repository keeps; older ones expire.
const KeepImages = 30

// Platform is what Fargate runs (X86_64): images built on ARM laptops would
// otherwise fail with "exec format error".
const Platform = "linux/amd64"

// Service names one service's image source: at most one of Digest and
// BuildContext is set; with neither, the service awaits its first image.
type Service struct {
	// Name is the service (backend, frontend, ...); its repository is <prefix>-<Name>.
	Name string
	// Digest is the digest (sha256:<64 hex>) of an image in the service's repository.
	Digest string
	// BuildContext is a directory to build from; Dockerfile is relative to it
	// (Dockerfile by default) and Target an optional build stage.
	BuildContext string
	Dockerfile   string
	Target       string
}

// Args configure the repositories and images.
type Args struct {
	// Services are the services' image sources, one repository each.
	Services []Service
	// KMSKeyARN encrypts the repositories.
	KMSKeyARN pulumi.StringInput
	// ImmutableTags forbids overwriting a tag; production.
	ImmutableTags bool
	// ForceDelete lets a destroy delete repositories that still hold images;
	// staging only (images can be rebuilt, so staging can be torn down in one run).
	ForceDelete bool
	// ProjectDir resolves relative build contexts; the working directory by default.
	ProjectDir string
	// Protect keeps the repositories (the images that ran) from deletion or
	// replacement by an ordinary update; production.
	Protect bool
}

// Images is the images component.
type Images struct {
	pulumi.ResourceState

	// Services are each service's repository and image, by service name.
	Services map[string]ServiceImage
}

// ServiceImage is one service's repository and the image its task runs.
type ServiceImage struct {
	// RepositoryURL is the service's ECR repository.
	RepositoryURL pulumi.StringOutput
	// Reference is the image the task runs: the repository at the given
	// digest, or the pushed repository digest of the built image.
	Reference pulumi.StringOutput
	// Awaiting says the repository has no image to run yet: the task
	// definition names AwaitingTag, and the service must run no task.
	Awaiting bool
}

// AwaitingTag is the tag an awaiting service's task definition names. Nothing
// pushes it, and a service with no tasks never pulls it.
const AwaitingTag = "awaiting-first-image"

// digestPattern is an image digest as ECR and docker push print it.
var digestPattern = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)

// ValidateSource records what is wrong with a service's image source (keys
// imageDigest, build.context): the stack reports it for each service, New
// refuses it.
func ValidateSource(p settings.Problems, digest, buildContext string) {
	switch {
	case digest != "" && buildContext != "":
		p.Add("build.context", buildContext, "must not be set together with "+p.Key("imageDigest")+": the service runs either a pushed image or one built from source")
	case digest != "" && !digestPattern.MatchString(digest):
		p.Add("imageDigest", digest, "must be an image digest, sha256:<64 lowercase hex digits>, as `aws ecr describe-images` or `docker push` prints it; tags move, digests do not (defect E9)")
	}
}

// New creates the repositories and builds what must be built. The component's
// name is the environment's name prefix.
func New(ctx *pulumi.Context, name string, args Args, opts ...pulumi.ResourceOption) (*Images, error) {
	c := &Images{Services: map[string]ServiceImage{}}
	if len(args.Services) == 0 {
		return nil, fmt.Errorf("images: no Services")
	}
	for _, s := range args.Services {
		if s.Name == "" {
			return nil, fmt.Errorf("images: every service needs a Name")
		}
		if _, twice := c.Services[s.Name]; twice {
			return nil, fmt.Errorf("images: the service %s is listed twice", s.Name)
		}
		c.Services[s.Name] = ServiceImage{}
		problems := settings.NewProblems()
		ValidateSource(problems.In(s.Name), s.Digest, s.BuildContext)
		if err := problems.Err("images"); err != nil {
			return nil, err
		}
	}
	if args.KMSKeyARN == nil {
		return nil, fmt.Errorf("images: KMSKeyARN is required")
	}
	if err := ctx.RegisterComponentResource("ohmycoins:images:Images", name, c, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(c)

	mutability := "MUTABLE"
	if args.ImmutableTags {
		mutability = "IMMUTABLE"
	}
	outputs := pulumi.Map{}
	for _, s := range args.Services {
		image := ServiceImage{}
		repoName := name + "-" + s.Name
		repo, err := ecr.NewRepository(ctx, repoName, &ecr.RepositoryArgs{
			Name:                       pulumi.String(repoName),
			ImageTagMutability:         pulumi.String(mutability),
			ForceDelete:                pulumi.Bool(args.ForceDelete),
			ImageScanningConfiguration: &ecr.RepositoryImageScanningConfigurationArgs{ScanOnPush: pulumi.Bool(true)},
			EncryptionConfigurations: ecr.RepositoryEncryptionConfigurationArray{ecr.RepositoryEncryptionConfigurationArgs{
				EncryptionType: pulumi.String("KMS"),
				KmsKey:         args.KMSKeyARN,
			}},
		}, parent, pulumi.Protect(args.Protect), pulumi.DeleteBeforeReplace(false)) // its images are never deleted first
		if err != nil {
			return nil, err
		}
		// The provider replaces a lifecycle policy to change it, and a
		// repository holds one: created before the old one is deleted, the new
		// policy would be removed with it. Deleted first, the repository is
		// without rules for a moment.
		if _, err := ecr.NewLifecyclePolicy(ctx, repoName+"-lifecycle", &ecr.LifecyclePolicyArgs{
			Repository: repo.Name,
			Policy:     pulumi.String(LifecyclePolicy(KeepImages)),
		}, parent, pulumi.DeleteBeforeReplace(true)); err != nil {
			return nil, err
		}
		image.RepositoryURL = repo.RepositoryUrl
		outputs[s.Name+"RepositoryUrl"] = repo.RepositoryUrl

		switch {
		case s.Digest != "":
			image.Reference = pulumi.Sprintf("%s@%s", repo.RepositoryUrl, s.Digest)
		case s.BuildContext == "":
			image.Reference = pulumi.Sprintf("%s:%s", repo.RepositoryUrl, AwaitingTag)
			image.Awaiting = true
		default:
			if image.Reference, err = build(ctx, repoName, s, args.ProjectDir, repo, parent); err != nil {
				return nil, err
			}
		}
		if !image.Awaiting {
			outputs[s.Name+"Image"] = image.Reference
		}
		c.Services[s.Name] = image
	}
	return c, ctx.RegisterResourceOutputs(c, outputs)
}

// build builds a service image for Fargate's platform and pushes it to the
// repository, tagged with a digest of the build context so that unchanged
// sources make no new image (and immutable tags are never rewritten).
func build(ctx *pulumi.Context, name string, s Service, projectDir string, repo *ecr.Repository, parent pulumi.ResourceOrInvokeOption) (pulumi.StringOutput, error) {
	context := s.BuildContext
	if !filepath.IsAbs(context) && projectDir != "" {
		context = filepath.Join(projectDir, context)
	}
	dockerfile := s.Dockerfile
	if dockerfile == "" {
		dockerfile = "Dockerfile"
	}
	if info, err := os.Stat(context); err == nil && info.IsDir() {
		// Checked before the digest reads every file under it (a context
		// of ../../etc is a mistake, not a service).
		if file, err := os.Stat(filepath.Join(context, dockerfile)); err != nil || !file.Mode().IsRegular() {
			return pulumi.StringOutput{}, fmt.Errorf("images: %s build context %s has no %s (%s): docker build would fail; build.context is the directory of the service's Dockerfile",
				s.Name, s.BuildContext, dockerfile, filepath.Join(context, dockerfile))
		}
	}
	tag, err := ContextDigest(context)
	if err != nil {
		return pulumi.StringOutput{}, fmt.Errorf("images: %s build context %s: %w", s.Name, s.BuildContext, err)
	}
	buildArgs := &docker.DockerBuildArgs{
		Context:    pulumi.String(context),
		Dockerfile: pulumi.String(filepath.Join(context, dockerfile)),
		Platform:   pulumi.String(Platform),
	}
	if s.Target != "" {
		buildArgs.Target = pulumi.String(s.Target)
	}
	auth := ecr.GetAuthorizationTokenOutput(ctx, ecr.GetAuthorizationTokenOutputArgs{RegistryId: repo.RegistryId}, parent)
	image, err := docker.NewImage(ctx, name+"-image", &docker.ImageArgs{
		ImageName: pulumi.Sprintf("%s:%s", repo.RepositoryUrl, tag),
		Build:     buildArgs,
		Registry: &docker.RegistryArgs{
			Server:   repo.RepositoryUrl,
			Username: auth.UserName(),
			Password: pulumi.ToSecret(auth.Password()).(pulumi.StringOutput),
		},
	}, parent)
	if err != nil {
		return pulumi.StringOutput{}, err
	}
	return image.RepoDigest, nil
}

// ContextDigest is "src-" and 12 hex digits of a hash over the relative paths
// and contents of every file under dir (.git excluded), in path order.
func ContextDigest(dir string) (string, error) {
	info, err := os.Stat(dir)
	if err != nil {
		return "", err
	}
	if !info.IsDir() {
		return "", fmt.Errorf("not a directory")
	}
	var files []string
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == ".git" {
			return filepath.SkipDir
		}
		if d.Type().IsRegular() {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	sort.Strings(files)
	h := sha256.New()
	for _, f := range files {
		rel, _ := filepath.Rel(dir, f)
		fmt.Fprintf(h, "%s\x00", filepath.ToSlash(rel))
		in, err := os.Open(f)
		if err != nil {
			return "", err
		}
		_, err = io.Copy(h, in)
		in.Close()
		if err != nil {
			return "", err
		}
	}
	return "src-" + hex.EncodeToString(h.Sum(nil))[:12], nil
}

// lifecycleRule is one rule of an ECR lifecycle policy.
type lifecycleRule struct {
	RulePriority int    `json:"rulePriority"`
	Description  string `json:"description"`
	Selection    struct {
		TagStatus   string `json:"tagStatus"`
		CountType   string `json:"countType"`
		CountNumber int    `json:"countNumber"`
	} `json:"selection"`
	Action struct {
		Type string `json:"type"`
	} `json:"action"`
}

// LifecyclePolicy keeps the newest keep images, tagged or not, and expires the rest.
func LifecyclePolicy(keep int) string {
	var r lifecycleRule
	r.RulePriority = 1
	r.Description = fmt.Sprintf("Keep the newest %d images", keep)
	r.Selection.TagStatus = "any"
	r.Selection.CountType = "imageCountMoreThan"
	r.Selection.CountNumber = keep
	r.Action.Type = "expire"
	b, _ := json.Marshal(struct {
		Rules []lifecycleRule `json:"rules"`
	}{[]lifecycleRule{r}})
	return string(b)
}
