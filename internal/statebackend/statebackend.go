// Package statebackend names where the Pulumi state of every stack lives: the
// S3 bucket and the KMS keys the bootstrap program creates once per account,
// and the objects of each stack in the bucket, which only that stack's CI roles
// may reach. One place, so the bootstrap program, the CI permissions and the
// documentation cannot disagree.
package statebackend

import "fmt"

// The state bucket, its region and the key that encrypts the bucket's objects.
const (
	BucketName = "ohmycoins-pulumi-state"
	// KeyAlias is the bucket's encryption key (SSE-KMS); it encrypts no
	// stack secret, and the CI roles may use it only through S3.
	KeyAlias = "alias/ohmycoins-pulumi"
	Region   = "ap-southeast-2"
	// Project is the Pulumi project whose stacks the bucket holds.
	Project = "ohmycoins"
)

// Stacks are the stacks of the project: each gets its own secrets key.
var Stacks = []string{"staging", "production"}

// LoginURL is the backend URL (Pulumi.yaml's backend.url).
func LoginURL() string { return "s3://" + BucketName + "?region=" + Region }

// SecretsKeyAlias is the alias of the key that encrypts one stack's secrets
// (its encryptedkey): a key per stack, so staging's roles cannot decrypt
// production's secrets.
func SecretsKeyAlias(stack string) string { return "alias/ohmycoins-pulumi-" + stack }

// SecretsProvider is one stack's secretsprovider.
func SecretsProvider(stack string) string {
	return "awskms://" + SecretsKeyAlias(stack) + "?region=" + Region
}

// StackObjects are the object ARNs (patterns) of one stack in the bucket, in
// the layout of Pulumi's self-managed (DIY) backend for a project-scoped stack:
// the checkpoint and its .bak (and .gz/.zst variants), its tags, history,
// backups and locks.
func StackObjects(stack string) []string {
	objects := []string{
		fmt.Sprintf(".pulumi/stacks/%s/%s.json*", Project, stack),
		fmt.Sprintf(".pulumi/stacks/%s/%s.pulumi-tags", Project, stack),
		fmt.Sprintf(".pulumi/history/%s/%s/*", Project, stack),
		fmt.Sprintf(".pulumi/backups/%s/%s/*", Project, stack),
		fmt.Sprintf(".pulumi/locks/organization/%s/%s/*", Project, stack),
	}
	for i, o := range objects {
		objects[i] = ObjectARN(o)
	}
	return objects
}

// MetaObject is the backend's format marker, which every CLI run reads.
func MetaObject() string { return ObjectARN(".pulumi/meta.yaml") }

// ObjectARN is the ARN of an object (or a pattern) in the bucket.
func ObjectARN(key string) string { return "arn:aws:s3:::" + BucketName + "/" + key }
