package state_test

// The resource types the tests look up.
const (
	typeAlias        = "aws:kms/alias:Alias"
	typeBucket       = "aws:s3/bucketV2:BucketV2"
	typeBucketPolicy = "aws:s3/bucketPolicy:BucketPolicy"
	typeKey          = "aws:kms/key:Key"
)
