package mockcloud

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// elbLogAccounts are the AWS accounts that deliver ALB access logs, per
// region: terraform-provider-aws's aws_elb_service_account
// (terraform-provider-aws/internal/service/elb/service_account_data_source.go,
// accountIDPerRegionMap), which refuses every other region.
var elbLogAccounts = map[string]string{
	"af-south-1": "098369216593", "ap-east-1": "754344448648", "ap-northeast-1": "582318560864",
	"ap-northeast-2": "600734575887", "ap-northeast-3": "383597477331", "ap-south-1": "718504428378",
	"ap-southeast-1": "114774131450", "ap-southeast-2": "783225319266", "ap-southeast-3": "589379963580",
	"ca-central-1": "985666609251", "cn-north-1": "638102146993", "cn-northwest-1": "037604701340",
	"eu-central-1": "054676820928", "eu-north-1": "897822967062", "eu-south-1": "635631232127",
	"eu-west-1": "156460612806", "eu-west-2": "652711504416", "eu-west-3": "009996457667",
	"me-south-1": "076674570225", "sa-east-1": "507241528517", "us-east-1": "127311923021",
	"us-east-2": "033677994240", "us-gov-east-1": "190560391635", "us-gov-west-1": "048591011584",
	"us-west-1": "027434742980", "us-west-2": "797873946194",
}

// Invoke answers a data-source call the way AWS would, deterministically. An
// invoke missing here fails the run with a message that points at this file.
func Invoke(e Env, token string, args resource.PropertyMap) (resource.PropertyMap, error) {
	arg := func(key string) string {
		if v, ok := args[resource.PropertyKey(key)]; ok && v.IsString() {
			return v.StringValue()
		}
		return ""
	}
	switch token {
	case "aws:index/getCallerIdentity:getCallerIdentity":
		return resource.NewPropertyMapFromMap(map[string]any{
			"id":        e.Account,
			"accountId": e.Account,
			"arn":       e.GlobalARN("iam", "user/preview"),
			"userId":    "AIDA" + strings.ToUpper(HashOf(17, "preview")),
		}), nil
	case "aws:index/getRegion:getRegion":
		return resource.NewPropertyMapFromMap(map[string]any{
			"id":          e.Region,
			"name":        e.Region,
			"region":      e.Region,
			"endpoint":    "ec2." + e.Region + ".amazonaws.com",
			"description": "mock region " + e.Region,
		}), nil
	case "aws:index/getPartition:getPartition":
		return resource.NewPropertyMapFromMap(map[string]any{
			"id":               "aws",
			"partition":        "aws",
			"dnsSuffix":        "amazonaws.com",
			"reverseDnsPrefix": "com.amazonaws",
		}), nil
	case "aws:route53/getZone:getZone":
		name := strings.TrimSuffix(arg("name"), ".")
		id := "Z" + strings.ToUpper(HashOf(20, "zone", name))
		if known, ok := e.Zones[name]; ok {
			id = known
		}
		return resource.NewPropertyMapFromMap(map[string]any{
			"id":          id,
			"zoneId":      id,
			"name":        name,
			"arn":         "arn:aws:route53:::hostedzone/" + id,
			"privateZone": false,
		}), nil
	case "aws:elb/getServiceAccount:getServiceAccount":
		account, ok := elbLogAccounts[e.Region]
		if !ok {
			return nil, fmt.Errorf("unsupported AWS Region: %s (as the provider's aws_elb_service_account answers: the region delivers access logs as logdelivery.elasticloadbalancing.amazonaws.com)", e.Region)
		}
		return resource.NewPropertyMapFromMap(map[string]any{
			"id":  account,
			"arn": "arn:aws:iam::" + account + ":root",
		}), nil
	case "aws:ecr/getAuthorizationToken:getAuthorizationToken":
		return resource.NewPropertyMapFromMap(map[string]any{
			"id":                 e.Region,
			"userName":           "AWS",
			"password":           resource.MakeSecret(resource.NewPropertyValue("mock-ecr-token")),
			"authorizationToken": resource.MakeSecret(resource.NewPropertyValue("mock-ecr-token")),
			"proxyEndpoint":      fmt.Sprintf("https://%s.dkr.ecr.%s.amazonaws.com", e.Account, e.Region),
		}), nil
	}
	return nil, fmt.Errorf("mock cloud: no answer for invoke %s; add it to internal/mockcloud/invokes.go", token)
}
