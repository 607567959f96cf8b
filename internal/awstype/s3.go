package awstype

import (
	"fmt"

	"github.com/ohmycoins/infra/internal/mockcloud"
	"github.com/ohmycoins/infra/internal/stackplan"
)

// bucketChild answers S3 bucket configuration resources, identified by their bucket.
func bucketChild(_ mockcloud.Env, r *mockcloud.Request) string { return r.Str("bucket") }

// bucketConfiguration is a bucket's configuration resource: identified and
// imported by its bucket, and free.
func bucketConfiguration(token string) Entry {
	return Entry{
		Token:     token,
		Answer:    bucketChild,
		Free:      "a bucket's configuration costs nothing; its bucket's storage is priced",
		Terraform: Terraform{ImportID: importBy("bucket")},
	}
}

// Storage: the access-log and state buckets and their configuration (aws:s3/*).
func init() {
	register(
		Entry{
			Token: "aws:s3/bucketV2:BucketV2",
			Answer: func(e mockcloud.Env, r *mockcloud.Request) string {
				n := r.Physical("bucket")
				r.Set("bucket", n)
				r.Set("arn", "arn:aws:s3:::"+n)
				r.Set("bucketDomainName", n+".s3.amazonaws.com")
				r.Set("bucketRegionalDomainName", fmt.Sprintf("%s.s3.%s.amazonaws.com", n, e.Region))
				r.Set("region", e.Region)
				return n
			},
			Price:     priceBucket,
			Terraform: Terraform{ImportID: importBy("bucket")},
		},
		bucketConfiguration("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"),
		bucketConfiguration("aws:s3/bucketVersioningV2:BucketVersioningV2"),
		bucketConfiguration("aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2"),
		bucketConfiguration("aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2"),
		bucketConfiguration("aws:s3/bucketPolicy:BucketPolicy"),
		bucketConfiguration("aws:s3/bucketOwnershipControls:BucketOwnershipControls"),
	)
}

// priceBucket prices the load balancer's access-log bucket at
// accessLogGbStored in S3 Standard. What another bucket holds no assumption
// says: the estimate lists it as left out rather than reuse that figure.
func priceBucket(p Pricing, r stackplan.Resource) (Cost, bool) {
	name := str(r.Inputs["bucket"])
	for _, lb := range p.Plan().OfType("aws:lb/loadBalancer:LoadBalancer") {
		if logs, _ := lb.Inputs["accessLogs"].(map[string]any); logs != nil && str(logs["bucket"]) == name {
			gb := p.Assume("accessLogGbStored")
			return Cost{Monthly: gb * p.Price("s3.standard-gb-month"),
				Basis: fmt.Sprintf("%g GB of %s's access logs stored × $%g", gb, lb.Name, p.Price("s3.standard-gb-month"))}, true
		}
	}
	p.NotPriced(fmt.Sprintf("what bucket %s stores: no assumption of ohmycoins:cost says how much", name))
	return Cost{}, false
}
