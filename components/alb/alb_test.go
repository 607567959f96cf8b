package alb

import (
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/require"

	"github.com/ohmycoins/infra/internal/componenttest"
	"github.com/ohmycoins/infra/internal/policydoc"
	"github.com/ohmycoins/infra/internal/service"
	"github.com/ohmycoins/infra/internal/stackplan"
)

const certificate = "arn:aws:acm:ap-southeast-2:123456789012:certificate/8ac367f3-94cf-4aac-8fa9-10e037951521"

// plain is a load balancer without deletion protection or access logs.
var plain = Settings{AccessLogExpirationDays: 90, IdleTimeoutSeconds: 60}

// kept has both.
var kept = Settings{DeletionProtection: true, AccessLogs: true, AccessLogExpirationDays: 90, IdleTimeoutSeconds: 60}

func balancer(s Settings, https bool, change ...func(*Args)) pulumi.RunFunc {
	return func(ctx *pulumi.Context) error {
		args := Args{
			AccountID: pulumi.String(componenttest.Account), Region: "ap-southeast-2", VpcID: pulumi.String("vpc-1"), VPCCIDR: "10.0.0.0/16",
			PublicSubnetIDs: pulumi.ToStringArray([]string{"subnet-a", "subnet-b"}), SecurityGroupID: pulumi.String("sg-alb"),
			HTTPS: https, APIHost: "api.example.com", Services: service.Defaults, Settings: s, Protect: s.AccessLogs,
		}
		if https {
			args.CertificateARN = pulumi.String(certificate)
		}
		for _, f := range change {
			f(&args)
		}
		_, err := New(ctx, "env", args)
		return err
	}
}

func TestLoadBalancerIsPublicOnItsSubnetsBehindItsGroup(t *testing.T) {
	t.Parallel()
	for _, s := range []Settings{plain, kept} {
		plan := componenttest.Run(t, balancer(s, false))
		lb := componenttest.Named(t, plan, "aws:lb/loadBalancer:LoadBalancer", "env-alb")
		in := lb.Inputs
		require.Equal(t, "env-alb", in["name"])
		require.Equal(t, false, in["internal"])
		require.Equal(t, "application", in["loadBalancerType"])
		require.Equal(t, []any{"subnet-a", "subnet-b"}, in["subnets"])
		require.Equal(t, []any{"sg-alb"}, in["securityGroups"])
		require.Equal(t, true, in["enableHttp2"])
		require.Equal(t, true, in["dropInvalidHeaderFields"])
		require.Equal(t, 60.0, in["idleTimeout"])
		require.Equal(t, s.DeletionProtection, in["enableDeletionProtection"])
		if !s.AccessLogs {
			require.NotContains(t, in, "accessLogs")
			require.Empty(t, plan.OfType("aws:s3/bucketV2:BucketV2"))
			continue
		}
		require.Equal(t, map[string]any{"bucket": "env-alb-logs", "enabled": true}, in["accessLogs"])
		policy := componenttest.Named(t, plan, "aws:s3/bucketPolicy:BucketPolicy", "env-alb-logs-policy")
		require.Contains(t, lb.Dependencies, policy.URN, "ELB checks the bucket policy when logs are enabled")
	}
}

func TestAccessLogBucketIsPrivateEncryptedAndExpiring(t *testing.T) {
	t.Parallel()
	plan := componenttest.Run(t, balancer(kept, false))
	bucket := componenttest.Named(t, plan, "aws:s3/bucketV2:BucketV2", "env-alb-logs")
	require.Equal(t, "env-alb-logs", bucket.Inputs["bucket"])
	require.True(t, bucket.Protect, "evidence")
	block := componenttest.Named(t, plan, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "env-alb-logs-public-access-block")
	for _, k := range []string{"blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"} {
		require.Equal(t, true, block.Inputs[k], k)
	}
	encryption := componenttest.Named(t, plan, "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2", "env-alb-logs-encryption")
	require.Equal(t, "AES256", encryption.Inputs["rules"].([]any)[0].(map[string]any)["applyServerSideEncryptionByDefault"].(map[string]any)["sseAlgorithm"],
		"ALB access logs support only SSE-S3")
	lifecycle := componenttest.Named(t, plan, "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2", "env-alb-logs-lifecycle")
	rule := lifecycle.Inputs["rules"].([]any)[0].(map[string]any)
	require.Equal(t, "Enabled", rule["status"])
	require.Equal(t, 90.0, rule["expiration"].(map[string]any)["days"])
	ownership := componenttest.Named(t, plan, "aws:s3/bucketOwnershipControls:BucketOwnershipControls", "env-alb-logs-ownership")
	require.Equal(t, "BucketOwnerEnforced", ownership.Inputs["rule"].(map[string]any)["objectOwnership"])

	policy, err := policydoc.Parse(componenttest.Named(t, plan, "aws:s3/bucketPolicy:BucketPolicy", "env-alb-logs-policy").Inputs["policy"].(string))
	require.NoError(t, err)
	require.Len(t, policy.Statement, 2)
	deliver, deny := policy.Statement[0], policy.Statement[1]
	require.Equal(t, []string{"arn:aws:iam::783225319266:root"}, deliver.Principal.AWS, "the ap-southeast-2 ELB log-delivery account")
	require.Equal(t, []string{"s3:PutObject"}, deliver.Action)
	require.Equal(t, []string{"arn:aws:s3:::env-alb-logs/AWSLogs/" + componenttest.Account + "/*"}, deliver.Resource)
	require.Equal(t, "Deny", deny.Effect)
	require.Equal(t, []string{"false"}, deny.Condition["Bool"]["aws:SecureTransport"])
}

// TestARegionWithoutALogDeliveryAccountGrantsTheService: in ap-southeast-4
// (production's DR region), which the provider's aws_elb_service_account
// refuses, the service principal delivers the logs and the data source is
// not read; a load balancer without its region is refused.
func TestARegionWithoutALogDeliveryAccountGrantsTheService(t *testing.T) {
	t.Parallel()
	result := componenttest.Result(t, balancer(kept, false, func(a *Args) { a.Region = "ap-southeast-4" }))
	policy, err := policydoc.Parse(componenttest.Named(t, result.Plan, "aws:s3/bucketPolicy:BucketPolicy", "env-alb-logs-policy").Inputs["policy"].(string))
	require.NoError(t, err)
	deliver := policy.Statement[0]
	require.Equal(t, &policydoc.Principal{Service: []string{"logdelivery.elasticloadbalancing.amazonaws.com"}}, deliver.Principal)
	require.Equal(t, []string{"arn:aws:s3:::env-alb-logs/AWSLogs/" + componenttest.Account + "/*"}, deliver.Resource)
	require.NotContains(t, result.Invokes, "aws:elb/getServiceAccount:getServiceAccount", "the data source fails in this region")
	require.ErrorContains(t, componenttest.Error(t, balancer(kept, false, func(a *Args) { a.Region = "" })), "alb: AccessLogs needs Region")
}

func TestEachServiceBehindItHasATargetGroupWithItsHealthCheck(t *testing.T) {
	t.Parallel()
	worker := service.New("worker", service.Worker, true)
	plan := componenttest.Run(t, balancer(plain, false, func(a *Args) { a.Services = append(append([]service.Service(nil), service.Defaults...), worker) }))
	require.Len(t, plan.OfType("aws:lb/targetGroup:TargetGroup"), 2, "none for a worker")
	for _, c := range []struct {
		service string
		port    float64
		path    string
	}{
		{"backend", 8000, "/api/v1/utils/health-check/"},
		{"frontend", 80, "/"},
	} {
		tg := componenttest.Named(t, plan, "aws:lb/targetGroup:TargetGroup", "env-"+c.service+"-tg")
		name := tg.Inputs["name"].(string)
		// A target group in use cannot be deleted first, so its name changes
		// with what forces its replacement, and the new one is created beside it.
		require.Equal(t, TargetGroupName("env", c.service, int(c.port), "10.0.0.0/16"), name)
		require.Regexp(t, `^env-`+c.service+`-[0-9a-f]{4}$`, name)
		require.NotEqual(t, name, TargetGroupName("env", c.service, int(c.port)+1, "10.0.0.0/16"), "a new port, a new name")
		require.NotEqual(t, name, TargetGroupName("env", c.service, int(c.port), "10.9.0.0/16"), "a new VPC, a new name")
		require.Equal(t, c.port, tg.Inputs["port"])
		require.Equal(t, "HTTP", tg.Inputs["protocol"])
		require.Equal(t, "ip", tg.Inputs["targetType"])
		require.Equal(t, "vpc-1", tg.Inputs["vpcId"])
		require.Equal(t, 30.0, tg.Inputs["deregistrationDelay"])
		require.Equal(t, map[string]any{
			"enabled": true, "path": c.path, "protocol": "HTTP", "matcher": "200",
			"interval": 30.0, "timeout": 5.0, "healthyThreshold": 2.0, "unhealthyThreshold": 3.0,
		}, tg.Inputs["healthCheck"])
	}
}

// routes returns the rules on a listener as "condition -> target group name".
func routes(t *testing.T, plan *stackplan.Plan, listener stackplan.Resource) []string {
	names := map[any]string{}
	for _, tg := range plan.OfType("aws:lb/targetGroup:TargetGroup") {
		names[tg.Outputs["arn"]] = tg.Name
	}
	var out []string
	for _, r := range plan.OfType("aws:lb/listenerRule:ListenerRule") {
		if r.Inputs["listenerArn"] != listener.Outputs["arn"] {
			continue
		}
		condition := r.Inputs["conditions"].([]any)[0].(map[string]any)
		action := r.Inputs["actions"].([]any)[0].(map[string]any)
		require.Equal(t, "forward", action["type"])
		for kind, v := range condition {
			var values []string
			for _, x := range v.(map[string]any)["values"].([]any) {
				values = append(values, x.(string))
			}
			out = append(out, kind+" "+strings.Join(values, ",")+" -> "+names[action["targetGroupArn"]])
		}
	}
	slices.Sort(out)
	return out
}

func TestHTTPModeServesOnPort80WithHostAndPathRouting(t *testing.T) {
	t.Parallel()
	plan := componenttest.Run(t, balancer(plain, false))
	listeners := plan.OfType("aws:lb/listener:Listener")
	require.Len(t, listeners, 1, "no certificate: one listener, on :80")
	http := listeners[0]
	require.Equal(t, 80.0, http.Inputs["port"])
	require.Equal(t, "HTTP", http.Inputs["protocol"])
	require.Equal(t, componenttest.Named(t, plan, "aws:lb/loadBalancer:LoadBalancer", "env-alb").Outputs["arn"], http.Inputs["loadBalancerArn"])
	web := componenttest.Named(t, plan, "aws:lb/targetGroup:TargetGroup", "env-frontend-tg")
	require.Equal(t, []any{map[string]any{"type": "forward", "targetGroupArn": web.Outputs["arn"]}}, http.Inputs["defaultActions"], "the web service serves every other request")
	require.Equal(t, []string{
		"hostHeader api.example.com -> env-backend-tg",
		"pathPattern /api/*,/docs,/redoc,/openapi.json -> env-backend-tg",
	}, routes(t, plan, http))
}

func TestHTTPSModeRedirectsAndRoutesOn443(t *testing.T) {
	t.Parallel()
	plan := componenttest.Run(t, balancer(plain, true))
	http := componenttest.Named(t, plan, "aws:lb/listener:Listener", "env-http")
	https := componenttest.Named(t, plan, "aws:lb/listener:Listener", "env-https")
	require.Equal(t, []any{map[string]any{"type": "redirect", "redirect": map[string]any{
		"protocol": "HTTPS", "port": "443", "statusCode": "HTTP_301",
	}}}, http.Inputs["defaultActions"])
	require.Equal(t, 443.0, https.Inputs["port"])
	require.Equal(t, "HTTPS", https.Inputs["protocol"])
	require.Equal(t, SSLPolicy, https.Inputs["sslPolicy"])
	require.Equal(t, certificate, https.Inputs["certificateArn"])
	require.Equal(t, []string{
		"hostHeader api.example.com -> env-backend-tg",
		"pathPattern /api/*,/docs,/redoc,/openapi.json -> env-backend-tg",
	}, routes(t, plan, https), "the same routing in both modes (defect E1)")
	require.Empty(t, routes(t, plan, http), "the redirecting listener has no rules")
}

func TestNewRefusesWhatItCannotBuild(t *testing.T) {
	t.Parallel()
	for want, change := range map[string]func(*Args){
		"alb: HTTPS needs CertificateARN":                                       func(a *Args) { a.CertificateARN = nil },
		"alb: APIHost, VpcID, PublicSubnetIDs and SecurityGroupID are required": func(a *Args) { a.APIHost = "" },
		"alb: Services: needs exactly one web service for the load balancer to route to, has 0": func(a *Args) {
			a.Services = []service.Service{service.New("backend", service.API, false)}
		},
		"alb: idleTimeoutSeconds = 0: must be 1-4000 seconds": func(a *Args) { a.IdleTimeoutSeconds = 0 },
	} {
		require.ErrorContains(t, componenttest.Error(t, balancer(plain, true, change)), want)
	}
}
