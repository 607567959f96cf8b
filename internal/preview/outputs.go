package preview

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// What the mock cloud answers for each resource type: the id AWS would assign
// and the computed outputs the program reads (ARNs, ARN suffixes, endpoints,
// member ids). Values derive from the type and logical name only, so two runs
// give the same bytes. A type missing here fails the run with a message that
// points at this file: an unanswered type would otherwise hand the program
// empty outputs that no real deployment has.

// env is the account and region a resource is created in, and the hosted
// zones the account has (nil: any zone asked for exists, with a mock id).
type env struct {
	region, account string
	zones           map[string]string
}

// arn builds arn:aws:<service>:<region>:<account>:<resource>.
func (e env) arn(service, res string) string {
	return fmt.Sprintf("arn:aws:%s:%s:%s:%s", service, e.region, e.account, res)
}

// globalARN builds an ARN of a global service (IAM, CloudWatch dashboards): no region.
func (e env) globalARN(service, res string) string {
	return fmt.Sprintf("arn:aws:%s::%s:%s", service, e.account, res)
}

// mockResource is one registration being answered: its inputs, and the outputs
// built so far (the inputs, as AWS echoes them, plus what the responder adds).
type mockResource struct {
	typ, name string
	in, out   resource.PropertyMap
}

// str returns the input key as a string, or "" when unset or not a known string.
func (r *mockResource) str(key string) string {
	v, ok := r.in[resource.PropertyKey(key)]
	for ok && (v.IsSecret() || v.IsOutput()) {
		if v.IsSecret() {
			v = v.SecretValue().Element
		} else {
			v, ok = v.OutputValue().Element, v.OutputValue().Known
		}
	}
	if !ok || !v.IsString() {
		return ""
	}
	return v.StringValue()
}

// num returns the input key as an int, or def.
func (r *mockResource) num(key string, def int) int {
	if v, ok := r.in[resource.PropertyKey(key)]; ok && v.IsNumber() {
		return int(v.NumberValue())
	}
	return def
}

// physical is the resource's physical name: the named input, or the logical name.
func (r *mockResource) physical(key string) string {
	if v := r.str(key); v != "" {
		return v
	}
	return r.name
}

// set adds a computed output.
func (r *mockResource) set(key string, v any) {
	r.out[resource.PropertyKey(key)] = resource.NewPropertyValue(v)
}

// hash is a deterministic hex string of n characters for this resource.
func (r *mockResource) hash(n int) string { return hashOf(n, r.typ, r.name) }

func hashOf(n int, parts ...string) string {
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	h := hex.EncodeToString(sum[:])
	for len(h) < n {
		h += h
	}
	return h[:n]
}

// uuid formats a deterministic UUID for this resource.
func (r *mockResource) uuid() string {
	h := r.hash(32)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// responder answers one resource type: it returns the id and adds outputs to r.
type responder func(e env, r *mockResource) string

func respond(e env, typ, name string, inputs resource.PropertyMap) (string, resource.PropertyMap, error) {
	f, ok := responders[typ]
	if !ok {
		if strings.HasPrefix(typ, "pulumi:providers:") {
			f = providerID
		} else {
			return "", nil, errUnknownType(typ)
		}
	}
	r := &mockResource{typ: typ, name: name, in: inputs, out: inputs.Copy()}
	id := f(e, r)
	return id, r.out, nil
}

func providerID(_ env, r *mockResource) string { return r.uuid() }

// ec2ID answers EC2 resources whose id is <prefix>-<17 hex> and whose ARN is
// arn:aws:ec2:<region>:<account>:<arnType>/<id> (no ARN when arnType is empty).
func ec2ID(prefix, arnType string) responder {
	return func(e env, r *mockResource) string {
		id := prefix + "-" + r.hash(17)
		if arnType != "" {
			r.set("arn", e.arn("ec2", arnType+"/"+id))
		}
		r.set("ownerId", e.account)
		return id
	}
}

// named answers resources whose id is their physical name (input key), with an
// ARN built by arnOf from that name (none when arnOf is nil).
func named(key string, arnOf func(e env, name string) string) responder {
	return func(e env, r *mockResource) string {
		n := r.physical(key)
		if key != "" {
			r.set(key, n)
		}
		if arnOf != nil {
			r.set("arn", arnOf(e, n))
		}
		return n
	}
}

// idOnly answers resources AWS identifies by a generated id with no ARN the program reads.
func idOnly(prefix string) responder {
	return func(_ env, r *mockResource) string { return prefix + r.hash(17) }
}

// shortRegion is the region code in ElastiCache endpoints (apse2 for ap-southeast-2).
func shortRegion(region string) string {
	parts := strings.Split(region, "-")
	if len(parts) != 3 {
		return strings.ReplaceAll(region, "-", "")
	}
	dir := map[string]string{"southeast": "se", "northeast": "ne", "southwest": "sw", "northwest": "nw",
		"east": "e", "west": "w", "south": "s", "north": "n", "central": "c"}[parts[1]]
	return parts[0] + dir + parts[2]
}

// albZoneIDs are the Route 53 hosted-zone ids of ALBs per region (ELB endpoints table).
var albZoneIDs = map[string]string{
	"ap-southeast-2": "Z1GM3OXH4ZPM65",
	"us-east-1":      "Z35SXDOTRQ7X7K",
}

var responders = map[string]responder{
	// Network.
	"aws:ec2/vpc:Vpc": func(e env, r *mockResource) string {
		id := ec2ID("vpc", "vpc")(e, r)
		r.set("defaultSecurityGroupId", "sg-"+r.hash(17)[1:]+"d")
		r.set("defaultRouteTableId", "rtb-"+r.hash(17)[1:]+"d")
		r.set("mainRouteTableId", "rtb-"+r.hash(17)[1:]+"d")
		r.set("defaultNetworkAclId", "acl-"+r.hash(17))
		return id
	},
	"aws:ec2/subnet:Subnet":                                     ec2ID("subnet", "subnet"),
	"aws:ec2/internetGateway:InternetGateway":                   ec2ID("igw", "internet-gateway"),
	"aws:ec2/natGateway:NatGateway":                             ec2ID("nat", ""),
	"aws:ec2/routeTable:RouteTable":                             ec2ID("rtb", "route-table"),
	"aws:ec2/route:Route":                                       idOnly("r-rtb-"),
	"aws:ec2/routeTableAssociation:RouteTableAssociation":       idOnly("rtbassoc-"),
	"aws:ec2/securityGroup:SecurityGroup":                       ec2ID("sg", "security-group"),
	"aws:ec2/defaultSecurityGroup:DefaultSecurityGroup":         ec2ID("sg", "security-group"),
	"aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": ec2ID("sgr", "security-group-rule"),
	"aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule":   ec2ID("sgr", "security-group-rule"),
	"aws:ec2/vpcEndpoint:VpcEndpoint":                           ec2ID("vpce", "vpc-endpoint"),
	"aws:ec2/flowLog:FlowLog":                                   ec2ID("fl", "vpc-flow-log"),
	"aws:ec2/eip:Eip": func(e env, r *mockResource) string {
		id := "eipalloc-" + r.hash(17)
		h := r.hash(2)
		var last int
		fmt.Sscanf(h, "%x", &last)
		r.set("allocationId", id)
		r.set("publicIp", fmt.Sprintf("203.0.113.%d", last%254+1))
		r.set("arn", e.arn("ec2", "elastic-ip/"+id))
		return id
	},

	// Load balancing.
	"aws:lb/loadBalancer:LoadBalancer": func(e env, r *mockResource) string {
		n := r.physical("name")
		suffix := "app/" + n + "/" + r.hash(16)
		arn := e.arn("elasticloadbalancing", "loadbalancer/"+suffix)
		r.set("name", n)
		r.set("arn", arn)
		r.set("arnSuffix", suffix)
		r.set("dnsName", fmt.Sprintf("%s-%d.%s.elb.amazonaws.com", n, hashNumber(r.hash(8)), e.region))
		r.set("zoneId", albZoneIDs[e.region])
		return arn
	},
	"aws:lb/targetGroup:TargetGroup": func(e env, r *mockResource) string {
		n := r.physical("name")
		suffix := "targetgroup/" + n + "/" + r.hash(16)
		arn := e.arn("elasticloadbalancing", suffix)
		r.set("name", n)
		r.set("arn", arn)
		r.set("arnSuffix", suffix)
		return arn
	},
	"aws:lb/listener:Listener": func(e env, r *mockResource) string {
		lb := strings.TrimPrefix(r.str("loadBalancerArn"), e.arn("elasticloadbalancing", "loadbalancer/"))
		arn := e.arn("elasticloadbalancing", "listener/"+lb+"/"+r.hash(16))
		r.set("arn", arn)
		return arn
	},
	"aws:lb/listenerRule:ListenerRule": func(e env, r *mockResource) string {
		listener := strings.TrimPrefix(r.str("listenerArn"), e.arn("elasticloadbalancing", "listener/"))
		arn := e.arn("elasticloadbalancing", "listener-rule/"+listener+"/"+r.hash(16))
		r.set("arn", arn)
		return arn
	},

	// Data tier.
	"aws:rds/instance:Instance": func(e env, r *mockResource) string {
		id := r.physical("identifier")
		port := r.num("port", 5432)
		address := fmt.Sprintf("%s.%s.%s.rds.amazonaws.com", id, r.hash(12), e.region)
		r.set("identifier", id)
		r.set("resourceId", "db-"+strings.ToUpper(r.hash(26)))
		r.set("address", address)
		r.set("endpoint", fmt.Sprintf("%s:%d", address, port))
		r.set("port", port)
		r.set("arn", e.arn("rds", "db:"+id))
		r.set("hostedZoneId", "Z32T0VRHXEXS0V")
		if v, ok := r.in["manageMasterUserPassword"]; ok && v.IsBool() && v.BoolValue() {
			r.out["masterUserSecrets"] = resource.NewPropertyValue([]any{map[string]any{
				"secretArn":    e.arn("secretsmanager", "secret:rds!db-"+r.uuid()+"-"+r.hash(6)),
				"kmsKeyId":     r.str("masterUserSecretKmsKeyId"),
				"secretStatus": "active",
			}})
		}
		return id
	},
	"aws:rds/subnetGroup:SubnetGroup":       named("name", func(e env, n string) string { return e.arn("rds", "subgrp:"+n) }),
	"aws:rds/parameterGroup:ParameterGroup": named("name", func(e env, n string) string { return e.arn("rds", "pg:"+n) }),
	"aws:elasticache/replicationGroup:ReplicationGroup": func(e env, r *mockResource) string {
		id := r.physical("replicationGroupId")
		host := fmt.Sprintf("%s.%s.%s.cache.amazonaws.com", id, r.hash(6), shortRegion(e.region))
		var members []any
		for i := 1; i <= r.num("numCacheClusters", 1); i++ {
			members = append(members, fmt.Sprintf("%s-%03d", id, i))
		}
		r.set("replicationGroupId", id)
		r.set("arn", e.arn("elasticache", "replicationgroup:"+id))
		r.set("primaryEndpointAddress", "master."+host)
		r.set("readerEndpointAddress", "replica."+host)
		r.set("memberClusters", members)
		r.set("port", r.num("port", 6379))
		r.set("clusterEnabled", false)
		return id
	},
	"aws:elasticache/subnetGroup:SubnetGroup":       named("name", func(e env, n string) string { return e.arn("elasticache", "subnetgroup:"+n) }),
	"aws:elasticache/parameterGroup:ParameterGroup": named("name", func(e env, n string) string { return e.arn("elasticache", "parametergroup:"+n) }),

	// Encryption and secrets.
	"aws:kms/key:Key": func(e env, r *mockResource) string {
		id := r.uuid()
		r.set("keyId", id)
		r.set("arn", e.arn("kms", "key/"+id))
		return id
	},
	"aws:kms/alias:Alias": func(e env, r *mockResource) string {
		n := r.physical("name")
		r.set("name", n)
		r.set("arn", e.arn("kms", n))
		r.set("targetKeyArn", e.arn("kms", "key/"+r.str("targetKeyId")))
		return n
	},
	"aws:secretsmanager/secret:Secret": func(e env, r *mockResource) string {
		arn := e.arn("secretsmanager", "secret:"+r.physical("name")+"-"+r.hash(6))
		r.set("name", r.physical("name"))
		r.set("arn", arn)
		return arn
	},
	"aws:secretsmanager/secretVersion:SecretVersion": func(_ env, r *mockResource) string {
		version := r.uuid()
		r.set("versionId", version)
		r.set("arn", r.str("secretId"))
		return r.str("secretId") + "|" + version
	},

	// Compute.
	"aws:ecs/cluster:Cluster": func(e env, r *mockResource) string {
		n := r.physical("name")
		arn := e.arn("ecs", "cluster/"+n)
		r.set("name", n)
		r.set("arn", arn)
		return arn
	},
	"aws:ecs/taskDefinition:TaskDefinition": func(e env, r *mockResource) string {
		family := r.physical("family")
		r.set("revision", 1)
		r.set("arn", e.arn("ecs", "task-definition/"+family+":1"))
		r.set("arnWithoutRevision", e.arn("ecs", "task-definition/"+family))
		return family
	},
	"aws:ecs/service:Service": func(e env, r *mockResource) string {
		n := r.physical("name")
		cluster := r.str("cluster")
		cluster = cluster[strings.LastIndex(cluster, "/")+1:]
		arn := e.arn("ecs", "service/"+cluster+"/"+n)
		r.set("name", n)
		r.set("arn", arn)
		return arn
	},
	"aws:ecr/repository:Repository": func(e env, r *mockResource) string {
		n := r.physical("name")
		r.set("name", n)
		r.set("arn", e.arn("ecr", "repository/"+n))
		r.set("registryId", e.account)
		r.set("repositoryUrl", fmt.Sprintf("%s.dkr.ecr.%s.amazonaws.com/%s", e.account, e.region, n))
		return n
	},
	"aws:ecr/lifecyclePolicy:LifecyclePolicy": func(e env, r *mockResource) string {
		r.set("registryId", e.account)
		return r.str("repository")
	},
	"aws:appautoscaling/target:Target": func(e env, r *mockResource) string {
		r.set("arn", e.arn("application-autoscaling", "scalable-target/"+r.hash(24)))
		return r.str("resourceId")
	},
	"aws:appautoscaling/policy:Policy": func(e env, r *mockResource) string {
		n := r.physical("name")
		r.set("name", n)
		r.set("arn", e.arn("autoscaling", "scalingPolicy:"+r.uuid()+":resource/"+r.str("resourceId")+":policyName/"+n))
		return n
	},
	"docker:index/image:Image": func(_ env, r *mockResource) string {
		name := r.str("imageName")
		repo, _, _ := strings.Cut(name, ":")
		digest := repo + "@sha256:" + hashOf(64, r.typ, r.name, name)
		r.set("repoDigest", digest)
		r.set("imageName", name)
		return digest
	},

	// Identity.
	"aws:iam/role:Role": func(e env, r *mockResource) string {
		n := r.physical("name")
		path := r.str("path")
		if path == "" {
			path = "/"
		}
		r.set("name", n)
		r.set("arn", e.globalARN("iam", "role"+path+n))
		r.set("uniqueId", "AROA"+strings.ToUpper(r.hash(17)))
		return n
	},
	"aws:iam/policy:Policy": func(e env, r *mockResource) string {
		arn := e.globalARN("iam", "policy/"+r.physical("name"))
		r.set("name", r.physical("name"))
		r.set("arn", arn)
		r.set("policyId", "ANPA"+strings.ToUpper(r.hash(17)))
		return arn
	},
	"aws:iam/rolePolicy:RolePolicy": func(_ env, r *mockResource) string {
		return r.str("role") + ":" + r.physical("name")
	},
	"aws:iam/rolePolicyAttachment:RolePolicyAttachment": func(_ env, r *mockResource) string {
		return r.str("role") + "-" + r.hash(26)
	},
	"aws:iam/openIdConnectProvider:OpenIdConnectProvider": func(e env, r *mockResource) string {
		arn := e.globalARN("iam", "oidc-provider/"+strings.TrimPrefix(r.str("url"), "https://"))
		r.set("arn", arn)
		return arn
	},

	// Monitoring and logs.
	"aws:cloudwatch/logGroup:LogGroup": named("name", func(e env, n string) string { return e.arn("logs", "log-group:"+n) }),
	"aws:cloudwatch/metricAlarm:MetricAlarm": named("name", func(e env, n string) string {
		return e.arn("cloudwatch", "alarm:"+n)
	}),
	"aws:cloudwatch/dashboard:Dashboard": func(e env, r *mockResource) string {
		n := r.physical("dashboardName")
		r.set("dashboardArn", e.globalARN("cloudwatch", "dashboard/"+n))
		return n
	},
	"aws:cloudwatch/eventRule:EventRule": func(e env, r *mockResource) string {
		n := r.physical("name")
		r.set("name", n)
		r.set("arn", e.arn("events", "rule/"+n))
		return n
	},
	"aws:cloudwatch/eventTarget:EventTarget": func(_ env, r *mockResource) string {
		return r.str("rule") + "-" + r.str("targetId")
	},
	"aws:sfn/stateMachine:StateMachine": func(e env, r *mockResource) string {
		arn := e.arn("states", "stateMachine:"+r.physical("name"))
		r.set("name", r.physical("name"))
		r.set("arn", arn)
		r.set("status", "ACTIVE")
		return arn
	},
	"aws:sns/topic:Topic": func(e env, r *mockResource) string {
		arn := e.arn("sns", r.physical("name"))
		r.set("name", r.physical("name"))
		r.set("arn", arn)
		return arn
	},
	"aws:sns/topicSubscription:TopicSubscription": func(_ env, r *mockResource) string {
		arn := r.str("topic") + ":" + r.uuid()
		r.set("arn", arn)
		return arn
	},
	// A topic holds one policy; its ID is the topic's ARN.
	"aws:sns/topicPolicy:TopicPolicy": func(_ env, r *mockResource) string {
		return r.str("arn")
	},
	// A budget's ID is <account>:<name>; its ARN has no region.
	"aws:budgets/budget:Budget": func(e env, r *mockResource) string {
		n := r.physical("name")
		r.set("name", n)
		r.set("accountId", e.account)
		r.set("arn", "arn:aws:budgets::"+e.account+":budget/"+n)
		return e.account + ":" + n
	},
	// A cost allocation tag's ID is its key; tags that resources carry are UserDefined.
	"aws:costexplorer/costAllocationTag:CostAllocationTag": func(_ env, r *mockResource) string {
		r.set("type", "UserDefined")
		return r.str("tagKey")
	},

	// Storage.
	"aws:s3/bucketV2:BucketV2": func(e env, r *mockResource) string {
		n := r.physical("bucket")
		r.set("bucket", n)
		r.set("arn", "arn:aws:s3:::"+n)
		r.set("bucketDomainName", n+".s3.amazonaws.com")
		r.set("bucketRegionalDomainName", fmt.Sprintf("%s.s3.%s.amazonaws.com", n, e.region))
		r.set("region", e.region)
		return n
	},
	"aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock":                                     bucketChild,
	"aws:s3/bucketVersioningV2:BucketVersioningV2":                                               bucketChild,
	"aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2": bucketChild,
	"aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2":                       bucketChild,
	"aws:s3/bucketPolicy:BucketPolicy":                                                           bucketChild,
	"aws:s3/bucketOwnershipControls:BucketOwnershipControls":                                     bucketChild,

	// DNS and certificates.
	"aws:acm/certificate:Certificate": func(e env, r *mockResource) string {
		arn := e.arn("acm", "certificate/"+r.uuid())
		domains := []string{r.str("domainName")}
		if v, ok := r.in["subjectAlternativeNames"]; ok && v.IsArray() {
			for _, san := range v.ArrayValue() {
				if san.IsString() && san.StringValue() != domains[0] {
					domains = append(domains, san.StringValue())
				}
			}
		}
		var options []any
		for _, d := range domains {
			token := hashOf(32, r.name, d)
			options = append(options, map[string]any{
				"domainName":          d,
				"resourceRecordName":  "_" + token + "." + d + ".",
				"resourceRecordType":  "CNAME",
				"resourceRecordValue": "_" + hashOf(32, d, r.name) + ".acm-validations.aws.",
			})
		}
		r.set("arn", arn)
		r.set("domainValidationOptions", options)
		r.set("status", "ISSUED")
		return arn
	},
	"aws:acm/certificateValidation:CertificateValidation": func(_ env, r *mockResource) string {
		return r.str("certificateArn")
	},
	"aws:route53/record:Record": func(_ env, r *mockResource) string {
		name := strings.TrimSuffix(r.str("name"), ".")
		r.set("fqdn", name)
		return r.str("zoneId") + "_" + name + "_" + r.str("type")
	},
}

// bucketChild answers S3 bucket configuration resources, identified by their bucket.
func bucketChild(_ env, r *mockResource) string { return r.str("bucket") }

// hashNumber turns hex into a 10-digit decimal number, like the one in ALB DNS names.
func hashNumber(h string) int64 {
	var n int64
	fmt.Sscanf(h, "%x", &n)
	return n%9000000000 + 1000000000
}
