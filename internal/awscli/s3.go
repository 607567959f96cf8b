package awscli

import (
	"github.com/ohmycoins/infra/internal/simaws"
)

// The state bucket's checks of docs/RUNBOOK.md, section 1: what the
// account-level program set on the bucket, as S3 reports it.
func init() {
	commands["s3api get-bucket-versioning"] = command{required: []string{"bucket"}, run: func(c call) (any, error) {
		found, err := c.bucketSetting("aws:s3/bucketVersioningV2:BucketVersioningV2")
		if err != nil || found == nil {
			return map[string]any{}, err // never versioned: S3 answers an empty document
		}
		config, _ := found.Inputs["versioningConfiguration"].(map[string]any)
		return map[string]any{"Status": config["status"]}, nil
	}}
	commands["s3api get-bucket-encryption"] = command{required: []string{"bucket"}, run: func(c call) (any, error) {
		found, err := c.bucketSetting("aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2")
		if err != nil || found == nil {
			return nil, or(err, &simaws.Refusal{Code: "ServerSideEncryptionConfigurationNotFoundError", Message: "The server side encryption configuration was not found"})
		}
		var rules []any
		list, _ := found.Inputs["rules"].([]any)
		for _, r := range list {
			rule, _ := r.(map[string]any)
			by, _ := rule["applyServerSideEncryptionByDefault"].(map[string]any)
			rules = append(rules, map[string]any{
				"ApplyServerSideEncryptionByDefault": map[string]any{"SSEAlgorithm": by["sseAlgorithm"], "KMSMasterKeyID": by["kmsMasterKeyId"]},
				"BucketKeyEnabled":                   rule["bucketKeyEnabled"] == true,
			})
		}
		return map[string]any{"ServerSideEncryptionConfiguration": map[string]any{"Rules": orEmpty(rules)}}, nil
	}}
}

// bucketSetting is the resource of a type that configures the call's
// bucket, nil when there is none; a bucket that does not exist is S3's
// NoSuchBucket.
func (c call) bucketSetting(typ string) (*simaws.Resource, error) {
	bucket := c.one("bucket")
	buckets, err := c.resources("aws:s3/bucketV2:BucketV2", bucket)
	if err != nil || len(buckets) == 0 {
		return nil, or(err, &simaws.Refusal{Code: "NoSuchBucket", Message: "The specified bucket does not exist"})
	}
	all, err := c.resources(typ, "")
	for _, r := range all {
		if r.Inputs["bucket"] == bucket {
			return &r, err
		}
	}
	return nil, err
}
