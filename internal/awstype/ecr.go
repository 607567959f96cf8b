package awstype

import (
	"fmt"
	"strings"

	"github.com/ohmycoins/infra/internal/mockcloud"
	"github.com/ohmycoins/infra/internal/stackplan"
)

// Images: the repositories and their lifecycle policies (aws:ecr/*), and the
// images built into them (docker:index/image:Image).
func init() {
	register(
		Entry{
			Token: "aws:ecr/repository:Repository",
			Answer: func(e mockcloud.Env, r *mockcloud.Request) string {
				n := r.Physical("name")
				r.Set("name", n)
				r.Set("arn", e.ARN("ecr", "repository/"+n))
				r.Set("registryId", e.Account)
				r.Set("repositoryUrl", fmt.Sprintf("%s.dkr.ecr.%s.amazonaws.com/%s", e.Account, e.Region, n))
				return n
			},
			Price: func(p Pricing, _ stackplan.Resource) (Cost, bool) {
				gb := p.Assume("imageGbPerRepository")
				return Cost{Monthly: gb * p.Price("ecr.storage-gb-month"), Basis: fmt.Sprintf("%g GB of images × $%g", gb, p.Price("ecr.storage-gb-month"))}, true
			},
			Terraform: Terraform{ImportID: importBy("name")},
		},
		Entry{
			Token: "aws:ecr/lifecyclePolicy:LifecyclePolicy",
			Answer: func(e mockcloud.Env, r *mockcloud.Request) string {
				r.Set("registryId", e.Account)
				return r.Str("repository")
			},
			Free:      "a lifecycle policy costs nothing; it keeps the repository's storage down",
			Terraform: Terraform{ImportID: importBy("repository")},
		},
		Entry{
			Token: "docker:index/image:Image",
			Answer: func(_ mockcloud.Env, r *mockcloud.Request) string {
				name := r.Str("imageName")
				repo, _, _ := strings.Cut(name, ":")
				digest := repo + "@sha256:" + mockcloud.HashOf(64, r.Type, r.Name, name)
				r.Set("repoDigest", digest)
				r.Set("imageName", name)
				return digest
			},
			Free:      "a build runs where pulumi up runs; what it pushes is priced as its repository's storage",
			Terraform: Terraform{NoImport: "a build is not an AWS resource: pulumi-docker's Image cannot be imported, and the original built its images by hand"},
		},
	)
}
