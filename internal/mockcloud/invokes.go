package mockcloud

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// elbLogAccounts are the AWS accounts that deliver ALB access logs, per region
// (Elastic Load Balancing user guide, "Enable access logs").
var elbLogAccounts = map[string]string{
	"ap-southeast-2": "783225319266",
	"us-east-1":      "127311923021",
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
			return nil, fmt.Errorf("mock cloud: no ELB log-delivery account for region %s; add it to internal/mockcloud/invokes.go", e.Region)
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
