// Package statebackend names where the Pulumi state of every stack lives: the
// S3 bucket and the KMS keys the bootstrap program creates once per account,
// and the objects of each stack in the bucket, which only that stack's CI roles
// may reach. One place, so the bootstrap program, the CI permissions and the
// documentation cannot disagree.
//
// In the one account of today both stacks share the bucket
// ohmycoins-pulumi-state. In the two-account layout
// (docs/RUNBOOK.md, "One account or two") each account's bootstrap stack
// creates a bucket of its own and each stack file names its account's bucket
// (ohmycoins:stateBackend), so nothing of one environment's state sits in the
// other's account.
package statebackend

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/ohmycoins/infra/internal/settings"
)

// The state bucket of the one shared account, its region and the key that
// encrypts the bucket's objects.
const (
	BucketName = "ohmycoins-pulumi-state"
	// KeyAlias is the bucket's encryption key (SSE-KMS) in each account; it
	// encrypts no stack secret, and the CI roles may use it only through S3.
	KeyAlias = "alias/ohmycoins-pulumi"
	Region   = "ap-southeast-2"
	// Project is the Pulumi project whose stacks the bucket holds.
	Project = "ohmycoins"
)

// Stacks are the stacks of the project: each gets its own secrets key.
var Stacks = []string{"staging", "production"}

// Settings say where one stack's state lives, the config key
// ohmycoins:stateBackend: the bucket its account's bootstrap stack created.
type Settings struct {
	// Bucket is the state bucket; ohmycoins-pulumi-state when both stacks
	// share an account, the bucket of the stack's own account otherwise
	// (the bootstrap's ohmycoins-state:bucket there).
	Bucket string `json:"bucket"`
}

// Default is where both stacks' state lives in the one account of today.
func Default() Settings { return Settings{Bucket: BucketName} }

// bucketName is S3's rule for a general purpose bucket's name, without the
// dots that break virtual-hosted TLS.
var bucketName = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$`)

// Validate records every rule the settings break.
func (s Settings) Validate(p settings.Problems) {
	switch {
	case s.Bucket == "":
		p.Add("bucket", s.Bucket, "is required: the state bucket of the stack's account ("+BucketName+" in the one shared account)")
	case !bucketName.MatchString(s.Bucket) || strings.Contains(s.Bucket, "--") || strings.HasPrefix(s.Bucket, "xn--"):
		p.Add("bucket", s.Bucket, "must be an S3 bucket name: 3 to 63 lower-case letters, digits and single hyphens, starting and ending with a letter or digit")
	}
}

// LoginURL is the backend URL of the stack (PULUMI_BACKEND_URL, or
// Pulumi.yaml's backend.url in the shared account).
func (s Settings) LoginURL() string { return "s3://" + s.Bucket + "?region=" + Region }

// BucketARN is the bucket's ARN.
func (s Settings) BucketARN() string { return "arn:aws:s3:::" + s.Bucket }

// LoginURL is the backend URL of the shared account's bucket (Pulumi.yaml's backend.url).
func LoginURL() string { return Default().LoginURL() }

// SecretsKeyAlias is the alias of the key that encrypts one stack's secrets
// (its encryptedkey): a key per stack, so staging's roles cannot decrypt
// production's secrets. Aliases are per account: in the two-account layout
// each account holds its own stack's.
func SecretsKeyAlias(stack string) string { return "alias/ohmycoins-pulumi-" + stack }

// SecretsProvider is one stack's secretsprovider.
func SecretsProvider(stack string) string {
	return "awskms://" + SecretsKeyAlias(stack) + "?region=" + Region
}

// StackObjects are the object ARNs (patterns) of one stack in the bucket, in
// the layout of Pulumi's self-managed (DIY) backend for a project-scoped stack:
// the checkpoint and its .bak (and .gz/.zst variants), its tags, history,
// backups and locks.
func (s Settings) StackObjects(stack string) []string {
	objects := []string{
		fmt.Sprintf(".pulumi/stacks/%s/%s.json*", Project, stack),
		fmt.Sprintf(".pulumi/stacks/%s/%s.pulumi-tags", Project, stack),
		fmt.Sprintf(".pulumi/history/%s/%s/*", Project, stack),
		fmt.Sprintf(".pulumi/backups/%s/%s/*", Project, stack),
		fmt.Sprintf(".pulumi/locks/organization/%s/%s/*", Project, stack),
	}
	for i, o := range objects {
		objects[i] = s.ObjectARN(o)
	}
	return objects
}

// MetaObject is the backend's format marker, which every CLI run reads.
func (s Settings) MetaObject() string { return s.ObjectARN(".pulumi/meta.yaml") }

// ObjectARN is the ARN of an object (or a pattern) in the bucket.
func (s Settings) ObjectARN(key string) string { return s.BucketARN() + "/" + key }
