// Package statebackend names where the Pulumi state of every stack lives: the
// S3 bucket and the KMS key the bootstrap program creates once per account, and
// that the stacks' CI roles may read and write. One place, so the bootstrap
// program, the CI permissions and the documentation cannot disagree.
package statebackend

// The state bucket, its region and the key that encrypts stack secrets.
const (
	BucketName = "ohmycoins-pulumi-state"
	KeyAlias   = "alias/ohmycoins-pulumi"
	Region     = "ap-southeast-2"
)

// LoginURL is what `pulumi login` takes.
func LoginURL() string { return "s3://" + BucketName + "?region=" + Region }

// SecretsProvider is the stacks' secretsprovider.
func SecretsProvider() string { return "awskms://" + KeyAlias + "?region=" + Region }
