// Package alb creates the environment's internet-facing Application Load
// Balancer <prefix>-alb on the public subnets, a target group for each service
// behind it (the api service, the backend, on 8000; the web service, the
// frontend, on 80), the listeners and the routing rules, and, when asked, an
// S3 bucket for its access logs.
//
// With a certificate, :80 only redirects to :443 and :443 serves; without one,
// :80 serves. Either way the serving listener sends host api.<domain> and the
// API paths (/api/*, /docs, /redoc, /openapi.json) to the api service and the
// rest to the web service, so checks against the ALB's own DNS name reach the
// API too (the original routed by path only in HTTP mode: defect E1).
package alb

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lb"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/ohmycoins/infra/internal/physicalname"
	"github.com/ohmycoins/infra/internal/ports"
	"github.com/ohmycoins/infra/internal/service"
	"github.com/ohmycoins/infra/internal/settings"
)

// SSLPolicy is the TLS policy every environment uses: TLS 1.3 and 1.2 only.
const SSLPolicy = "ELBSecurityPolicy-TLS13-1-2-2021-06"

// APIPaths are the paths the api service serves on any host.
var APIPaths = []string{"/api/*", "/docs", "/redoc", "/openapi.json"}

// Args configure the load balancer.
type Args struct {
	// AccountID is the account the access logs are written for.
	AccountID pulumi.StringInput
	// Region is the load balancer's: it decides who delivers its access logs.
	Region string
	// VpcID, PublicSubnetIDs and SecurityGroupID place the ALB. VPCCIDR is the
	// VPC's range, part of the target groups' names: a new VPC replaces them.
	VpcID           pulumi.StringInput
	VPCCIDR         string
	PublicSubnetIDs pulumi.StringArrayInput
	SecurityGroupID pulumi.StringInput
	// HTTPS says whether CertificateARN is set: a plain value, because the
	// listener layout depends on it before the certificate's ARN is known.
	HTTPS          bool
	CertificateARN pulumi.StringInput
	// APIHost is the host the api service answers on: api.<domain>.
	APIHost string
	// Services are the application's services; the load balancer routes to
	// the one api service and the one web service, each with its own target
	// group, and ignores workers.
	Services []service.Service
	// Settings are the load balancer's settings (the stack's
	// ohmycoins:loadBalancer), which New checks with Settings.Validate.
	Settings
	// Protect keeps the access-log bucket (evidence) from deletion or
	// replacement by an ordinary update; production.
	Protect bool
}

// LoadBalancer is the load balancer component.
type LoadBalancer struct {
	pulumi.ResourceState

	ARN pulumi.StringOutput
	// ARNSuffix (app/<name>/<id>) is the LoadBalancer dimension of CloudWatch metrics.
	ARNSuffix pulumi.StringOutput
	DNSName   pulumi.StringOutput
	ZoneID    pulumi.StringOutput
	// TargetGroups are the target groups of the services behind the load
	// balancer, by service name.
	TargetGroups map[string]TargetGroup
	// ServingListenerARN is the listener that forwards traffic (:443 with a certificate, else :80).
	ServingListenerARN pulumi.StringOutput
	// Routing is what a service must wait for: the listener and rules that attach
	// its target group to the ALB (defect E6).
	Routing []pulumi.Resource
	// HTTPS says whether the ALB terminates TLS.
	HTTPS bool
}

// TargetGroup is one target group's identity.
type TargetGroup struct {
	ARN pulumi.StringOutput
	// ARNSuffix (targetgroup/<name>/<id>) is the TargetGroup dimension of CloudWatch metrics.
	ARNSuffix pulumi.StringOutput
	Name      string
}

// New creates the load balancer. The component's name is the environment's
// name prefix; the ALB is <name>-alb.
func New(ctx *pulumi.Context, name string, args Args, opts ...pulumi.ResourceOption) (*LoadBalancer, error) {
	if args.HTTPS && args.CertificateARN == nil {
		return nil, fmt.Errorf("alb: HTTPS needs CertificateARN")
	}
	if args.APIHost == "" || args.VpcID == nil || args.PublicSubnetIDs == nil || args.SecurityGroupID == nil {
		return nil, fmt.Errorf("alb: APIHost, VpcID, PublicSubnetIDs and SecurityGroupID are required")
	}
	problems := settings.NewProblems()
	args.Settings.Validate(problems)
	if err := problems.Err("alb"); err != nil {
		return nil, err
	}
	if why := service.Check(args.Services); why != "" {
		return nil, fmt.Errorf("alb: Services: %s", why)
	}
	api, _ := service.Of(args.Services, service.API)
	web, _ := service.Of(args.Services, service.Web)
	c := &LoadBalancer{HTTPS: args.HTTPS, TargetGroups: map[string]TargetGroup{}}
	if err := ctx.RegisterComponentResource("ohmycoins:alb:LoadBalancer", name, c, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(c)

	lbArgs := &lb.LoadBalancerArgs{
		Name:                     pulumi.String(name + "-alb"),
		Internal:                 pulumi.Bool(false),
		LoadBalancerType:         pulumi.String("application"),
		Subnets:                  args.PublicSubnetIDs,
		SecurityGroups:           pulumi.StringArray{args.SecurityGroupID},
		EnableHttp2:              pulumi.Bool(true),
		DropInvalidHeaderFields:  pulumi.Bool(true),
		IdleTimeout:              pulumi.Int(args.IdleTimeoutSeconds),
		EnableDeletionProtection: pulumi.Bool(args.DeletionProtection),
	}
	lbOpts := []pulumi.ResourceOption{parent}
	if args.AccessLogs {
		bucket, policy, err := accessLogBucket(ctx, name, args, parent)
		if err != nil {
			return nil, err
		}
		lbArgs.AccessLogs = &lb.LoadBalancerAccessLogsArgs{Bucket: bucket, Enabled: pulumi.Bool(true)}
		// ELB checks at configuration time that it may write to the bucket.
		lbOpts = append(lbOpts, pulumi.DependsOn([]pulumi.Resource{policy}))
	}
	alb, err := lb.NewLoadBalancer(ctx, name+"-alb", lbArgs, lbOpts...)
	if err != nil {
		return nil, err
	}

	targetGroups := pulumi.StringMap{}
	for _, s := range args.Services {
		if !s.BehindLoadBalancer() {
			continue
		}
		if c.TargetGroups[s.Name], err = targetGroup(ctx, name, s, args, parent); err != nil {
			return nil, err
		}
		targetGroups[s.Name] = c.TargetGroups[s.Name].ARN
	}

	serving, err := listeners(ctx, name, args, alb, c.TargetGroups[web.Name].ARN, parent)
	if err != nil {
		return nil, err
	}
	rules, err := apiRules(ctx, name, args.APIHost, serving, c.TargetGroups[api.Name].ARN, parent)
	if err != nil {
		return nil, err
	}

	c.ARN, c.ARNSuffix, c.DNSName, c.ZoneID = alb.Arn, alb.ArnSuffix, alb.DnsName, alb.ZoneId
	c.ServingListenerARN = serving.Arn
	c.Routing = append([]pulumi.Resource{serving}, rules...)
	return c, ctx.RegisterResourceOutputs(c, pulumi.Map{
		"arn":          c.ARN,
		"arnSuffix":    c.ARNSuffix,
		"dnsName":      c.DNSName,
		"zoneId":       c.ZoneID,
		"targetGroups": targetGroups,
	})
}

// Target groups are HTTP groups of IP targets: Fargate tasks register by IP.
const (
	targetProtocol = "HTTP"
	targetType     = "ip"
)

// TargetGroupName is the AWS name of a service's target group:
// <prefix>-<service>-<4 hex digits of what forces its replacement> (the port,
// protocol, target type and the VPC, which only a new VPC range replaces).
// A target group in use by a listener cannot be deleted first, so its
// replacement must be created beside it, under another name.
func TargetGroupName(prefix, service string, port int, vpcCIDR string) string {
	return physicalname.Unique(prefix+"-"+service, 4, fmt.Sprint(port), targetProtocol, targetType, vpcCIDR)
}

// targetGroup creates a service's target group (logical name
// <name>-<service>-tg) with the SPEC health check on the service's health
// path: HTTP 200 within 5 s every 30 s, healthy after 2, unhealthy after 3.
func targetGroup(ctx *pulumi.Context, name string, s service.Service, args Args, parent pulumi.ResourceOption) (TargetGroup, error) {
	physical := TargetGroupName(name, s.Name, s.Port(), args.VPCCIDR)
	tg, err := lb.NewTargetGroup(ctx, name+"-"+s.Name+"-tg", &lb.TargetGroupArgs{
		Name:                pulumi.String(physical),
		Port:                pulumi.Int(s.Port()),
		Protocol:            pulumi.String(targetProtocol),
		TargetType:          pulumi.String(targetType),
		VpcId:               args.VpcID,
		DeregistrationDelay: pulumi.Int(30),
		HealthCheck: &lb.TargetGroupHealthCheckArgs{
			Enabled:            pulumi.Bool(true),
			Path:               pulumi.String(s.HealthPath()),
			Protocol:           pulumi.String("HTTP"),
			Matcher:            pulumi.String("200"),
			Interval:           pulumi.Int(30),
			Timeout:            pulumi.Int(5),
			HealthyThreshold:   pulumi.Int(2),
			UnhealthyThreshold: pulumi.Int(3),
		},
		// Created before the original is deleted, though the provider would
		// delete first (the program sets the name): the name carries the port
		// and a digest of the VPC, so the new group takes a new name, the
		// listener moves to it, and the old one, no longer in use, goes last.
	}, parent, pulumi.DeleteBeforeReplace(false))
	if err != nil {
		return TargetGroup{}, err
	}
	return TargetGroup{ARN: tg.Arn, ARNSuffix: tg.ArnSuffix, Name: physical}, nil
}

// listeners creates :80 (and :443 with a certificate) and returns the one that serves.
func listeners(ctx *pulumi.Context, name string, args Args, alb *lb.LoadBalancer, webTG pulumi.StringOutput, parent pulumi.ResourceOption) (*lb.Listener, error) {
	forwardToWeb := lb.ListenerDefaultActionArray{lb.ListenerDefaultActionArgs{
		Type:           pulumi.String("forward"),
		TargetGroupArn: webTG,
	}}
	if !args.HTTPS {
		return lb.NewListener(ctx, name+"-http", &lb.ListenerArgs{
			LoadBalancerArn: alb.Arn,
			Port:            pulumi.Int(ports.HTTP),
			Protocol:        pulumi.String("HTTP"),
			DefaultActions:  forwardToWeb,
		}, parent)
	}
	if _, err := lb.NewListener(ctx, name+"-http", &lb.ListenerArgs{
		LoadBalancerArn: alb.Arn,
		Port:            pulumi.Int(ports.HTTP),
		Protocol:        pulumi.String("HTTP"),
		DefaultActions: lb.ListenerDefaultActionArray{lb.ListenerDefaultActionArgs{
			Type: pulumi.String("redirect"),
			Redirect: &lb.ListenerDefaultActionRedirectArgs{
				Protocol:   pulumi.String("HTTPS"),
				Port:       pulumi.String(fmt.Sprint(ports.HTTPS)),
				StatusCode: pulumi.String("HTTP_301"),
			},
		}},
	}, parent); err != nil {
		return nil, err
	}
	return lb.NewListener(ctx, name+"-https", &lb.ListenerArgs{
		LoadBalancerArn: alb.Arn,
		Port:            pulumi.Int(ports.HTTPS),
		Protocol:        pulumi.String("HTTPS"),
		SslPolicy:       pulumi.String(SSLPolicy),
		CertificateArn:  args.CertificateARN,
		DefaultActions:  forwardToWeb,
	}, parent)
}

// apiRules send the API host, and the API paths on any host, to the api service.
func apiRules(ctx *pulumi.Context, name, apiHost string, listener *lb.Listener, apiTG pulumi.StringOutput, parent pulumi.ResourceOption) ([]pulumi.Resource, error) {
	forward := lb.ListenerRuleActionArray{lb.ListenerRuleActionArgs{Type: pulumi.String("forward"), TargetGroupArn: apiTG}}
	hostRule, err := lb.NewListenerRule(ctx, name+"-api-host-rule", &lb.ListenerRuleArgs{
		ListenerArn: listener.Arn,
		Priority:    pulumi.Int(10),
		Actions:     forward,
		Conditions: lb.ListenerRuleConditionArray{lb.ListenerRuleConditionArgs{
			HostHeader: &lb.ListenerRuleConditionHostHeaderArgs{Values: pulumi.ToStringArray([]string{apiHost})},
		}},
	}, parent)
	if err != nil {
		return nil, err
	}
	pathRule, err := lb.NewListenerRule(ctx, name+"-api-paths-rule", &lb.ListenerRuleArgs{
		ListenerArn: listener.Arn,
		Priority:    pulumi.Int(20),
		Actions:     forward,
		Conditions: lb.ListenerRuleConditionArray{lb.ListenerRuleConditionArgs{
			PathPattern: &lb.ListenerRuleConditionPathPatternArgs{Values: pulumi.ToStringArray(APIPaths)},
		}},
	}, parent)
	if err != nil {
		return nil, err
	}
	return []pulumi.Resource{hostRule, pathRule}, nil
}
