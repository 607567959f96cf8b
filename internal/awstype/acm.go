package awstype

import "github.com/ohmycoins/infra/internal/mockcloud"

// Certificates: the public certificate and the wait for its validation (aws:acm/*).
func init() {
	register(
		Entry{
			Token: "aws:acm/certificate:Certificate",
			Answer: func(e mockcloud.Env, r *mockcloud.Request) string {
				arn := e.ARN("acm", "certificate/"+r.UUID())
				domains := []string{r.Str("domainName")}
				if v, ok := r.In["subjectAlternativeNames"]; ok && v.IsArray() {
					for _, san := range v.ArrayValue() {
						if san.IsString() && san.StringValue() != domains[0] {
							domains = append(domains, san.StringValue())
						}
					}
				}
				var options []any
				for _, d := range domains {
					token := mockcloud.HashOf(32, r.Name, d)
					options = append(options, map[string]any{
						"domainName":          d,
						"resourceRecordName":  "_" + token + "." + d + ".",
						"resourceRecordType":  "CNAME",
						"resourceRecordValue": "_" + mockcloud.HashOf(32, d, r.Name) + ".acm-validations.aws.",
					})
				}
				r.Set("arn", arn)
				r.Set("domainValidationOptions", options)
				r.Set("status", "ISSUED")
				return arn
			},
			Free:      "public ACM certificates are free",
			Terraform: Terraform{ImportID: importBy("arn")},
		},
		Entry{
			Token: "aws:acm/certificateValidation:CertificateValidation",
			Answer: func(_ mockcloud.Env, r *mockcloud.Request) string {
				return r.Str("certificateArn")
			},
			Free:      "a validation is a wait, not an AWS resource",
			Terraform: Terraform{NoImport: "it is a wait for the certificate's validation, with nothing in AWS to import (pulumi-aws documents no import)"},
		},
	)
}
