package stacks

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/route53"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/ohmycoins/infra/components/alb"
	"github.com/ohmycoins/infra/components/dns"
	"github.com/ohmycoins/infra/components/ecs"
	"github.com/ohmycoins/infra/components/images"
	"github.com/ohmycoins/infra/internal/service"
)

// ServiceList is the stack's services, sorted by name, as every tier takes them.
func (s Settings) ServiceList() []service.Service {
	var out []service.Service
	for _, name := range slices.Sorted(maps.Keys(s.Services)) {
		svc := s.Services[name]
		out = append(out, service.New(name, svc.Role, svc.DataAccess))
	}
	return out
}

// containerHealthCheck is the api container's own health check on its health
// endpoint; the image must contain curl (defect E10). Other services have none.
func containerHealthCheck(svc service.Service) string {
	if svc.Role != service.API {
		return ""
	}
	return fmt.Sprintf("curl -f http://localhost:%d%s || exit 1", svc.Port(), svc.HealthPath())
}

// HTTPS reports whether the ALB terminates TLS: a certificate is configured,
// or the program creates one in the DNS zone.
func (s Settings) HTTPS() bool { return s.Site.CertificateARN != "" || s.DNS.ZoneName != "" }

// scheme is the URL scheme users reach the environment with.
func (s Settings) scheme() string {
	if s.HTTPS() {
		return "https"
	}
	return "http"
}

// AppURL and APIURL are where users reach the dashboard and the API.
func (s Settings) AppURL() string { return s.scheme() + "://" + s.DashboardHost() }
func (s Settings) APIURL() string { return s.scheme() + "://" + s.APIHost() }

// FrontendOrigins are the browser origins the frontend is served on, which
// the API must accept: the dashboard host always, and, where the program
// points them at the load balancer (a domain that is its zone's apex, as in
// production), the apex and www too; the load balancer's default action
// serves the frontend on every host but the API's.
func (s Settings) FrontendOrigins() []string {
	hosts := []string{s.DashboardHost()}
	if s.DNS.ZoneName != "" {
		hosts = nil
		for _, h := range dns.HostsFor(s.Site.Domain, s.DNS.ZoneName).Aliases {
			if h != s.APIHost() {
				hosts = append(hosts, h)
			}
		}
	}
	origins := make([]string, len(hosts))
	for i, h := range hosts {
		origins[i] = "https://" + h
		if !s.HTTPS() {
			origins[i] = "http://" + h
		}
	}
	return origins
}

// deployApp creates the load balancer, its certificate and DNS names, and the
// image repositories (and builds); deployServices adds the services later,
// once the alarms their deployments watch exist.
func deployApp(ctx *pulumi.Context, s Settings, d *Deployment, account pulumi.StringOutput, provider pulumi.ResourceOrInvokeOption) error {
	var err error
	var certificate pulumi.StringInput
	switch {
	case s.Site.CertificateARN != "":
		certificate = pulumi.String(s.Site.CertificateARN)
	case s.DNS.ZoneName != "":
		hosts := dns.HostsFor(s.Site.Domain, s.DNS.ZoneName)
		if d.Certificate, err = dns.NewCertificate(ctx, s.NamePrefix, dns.CertificateArgs{
			ZoneName: s.DNS.ZoneName, Domains: hosts.Certificate,
		}, provider); err != nil {
			return err
		}
		certificate = d.Certificate.ARN
	}
	if d.LoadBalancer, err = alb.New(ctx, s.NamePrefix, alb.Args{
		AccountID:       account,
		Region:          s.Region,
		VpcID:           d.Network.VpcID,
		VPCCIDR:         s.Network.VPCCIDR,
		PublicSubnetIDs: d.Network.PublicSubnetIDs,
		SecurityGroupID: d.Network.ALBSecurityGroupID,
		HTTPS:           s.HTTPS(),
		CertificateARN:  certificate,
		APIHost:         s.APIHost(),
		Services:        s.ServiceList(),
		Settings:        s.LoadBalancer,
		Protect:         s.ProtectStatefulResources,
	}, provider); err != nil {
		return err
	}
	if s.DNS.ZoneName != "" {
		var zoneID pulumi.StringOutput
		if d.Certificate != nil {
			zoneID = d.Certificate.ZoneID
		} else {
			zoneID = route53.LookupZoneOutput(ctx, route53.LookupZoneOutputArgs{
				Name: pulumi.String(s.DNS.ZoneName), PrivateZone: pulumi.Bool(false),
			}, provider).ZoneId()
		}
		if d.Aliases, err = dns.NewAliases(ctx, s.NamePrefix, dns.AliasesArgs{
			ZoneID:              zoneID,
			Hosts:               dns.HostsFor(s.Site.Domain, s.DNS.ZoneName).Aliases,
			LoadBalancerDNSName: d.LoadBalancer.DNSName,
			LoadBalancerZoneID:  d.LoadBalancer.ZoneID,
			Delegations:         s.DNS.Delegations,
		}, provider); err != nil {
			return err
		}
	}

	var sources []images.Service
	for _, svc := range s.ServiceList() {
		sources = append(sources, imageSource(svc.Name, s.Services[svc.Name]))
	}
	if d.Images, err = images.New(ctx, s.NamePrefix, images.Args{
		Services:      sources,
		KMSKeyARN:     d.Key.ARN,
		ImmutableTags: s.Environment == EnvProduction,
		ForceDelete:   !s.ProtectStatefulResources,
		Protect:       s.ProtectStatefulResources,
		ProjectDir:    ctx.RootDirectory(),
	}, provider); err != nil {
		return err
	}

	return nil
}

// deployServices creates the ECS services wired to the data tier, after the
// alarms their deployments watch. Each service's role decides its wiring:
// behind the load balancer on its target group or not; with data access the
// backend's environment and secrets, rolled when a secret it reads rotates;
// the web service the API's URL.
func deployServices(ctx *pulumi.Context, s Settings, d *Deployment, account pulumi.StringOutput, provider pulumi.ResourceOrInvokeOption) error {
	var services []ecs.Service
	for _, svc := range s.ServiceList() {
		settings := s.Services[svc.Name]
		image := d.Images.Services[svc.Name]
		e := ecs.Service{
			Name: svc.Name, Image: image.Reference, Command: settings.Command,
			CPU: settings.CPU, MemoryMiB: settings.MemoryMiB, DesiredCount: settings.DesiredCount,
			SecurityGroupID: d.Network.ServiceSecurityGroupIDs[svc.Name],
			HealthCheck:     containerHealthCheck(svc), Autoscaling: settings.Autoscaling,
		}
		if svc.BehindLoadBalancer() {
			e.ContainerPort, e.TargetGroupARN = svc.Port(), d.LoadBalancer.TargetGroups[svc.Name].ARN
		}
		if svc.DataAccess {
			e.Environment, e.Secrets = s.backendEnvironment(d), backendSecrets(d)
			// RDS rotates the master password every 7 days; a value of the
			// application secret rotates with pulumi up. Either way the
			// service is rolled so its tasks read the new value.
			e.RedeployOnRotation = []pulumi.StringInput{d.Database.MasterSecretARN, d.AppSecret.ARN}
		}
		if svc.Role == service.Web {
			e.Environment = map[string]pulumi.StringInput{"VITE_API_URL": pulumi.String(s.APIURL())}
		}
		// An api deployment that answers 5xx or fails its health checks is
		// rolled back. The web service serves static files: what breaks it (a
		// task that does not start or fails its health check) the circuit
		// breaker catches, as it does a worker's.
		if alarms, ok := d.Monitoring.DeploymentAlarms[svc.Name]; ok {
			e.DeploymentAlarms = alarms
		}
		if image.Awaiting {
			e = awaitingImage(e)
		}
		services = append(services, e)
	}

	var err error
	d.Cluster, err = ecs.New(ctx, s.NamePrefix, ecs.Args{
		Region:              s.Region,
		AccountID:           account,
		PermissionsBoundary: d.Boundary.ARN,
		AppSubnetIDs:        d.Network.AppSubnetIDs,
		KMSKeyARN:           d.Key.ARN,
		LogRetentionDays:    s.Logs.RetentionDays,
		ClusterSettings:     s.ECS,
		Protect:             s.ProtectStatefulResources,
		SecretReadPolicy:    d.AppSecret.ReadPolicy,
		Routing:             d.LoadBalancer.Routing,
		SecretsReady:        []pulumi.Resource{d.AppSecret.Version},
		Services:            services,
	}, provider)
	return err
}

func imageSource(name string, svc ServiceSettings) images.Service {
	return images.Service{Name: name, Digest: svc.ImageDigest, BuildContext: svc.Build.Context, Dockerfile: svc.Build.Dockerfile, Target: svc.Build.Target}
}

// awaitingImage is a service whose repository has nothing to run yet: no
// task, and no autoscaling to start one, so the first `pulumi up` of a new
// environment completes. Once an image is given, a service without
// autoscaling gets its desired count; an autoscaled one (whose count
// autoscaling owns, so the program leaves it alone) gets its scalable target
// registered, and RegisterScalableTarget moves a new target's current capacity
// into [minCount, maxCount]: the service starts minCount tasks.
func awaitingImage(s ecs.Service) ecs.Service {
	s.DesiredCount = 0
	s.Autoscaling = ecs.Autoscaling{}
	return s
}

// backendEnvironment is the backend's plain environment.
func (s Settings) backendEnvironment(d *Deployment) map[string]pulumi.StringInput {
	a := s.App
	return map[string]pulumi.StringInput{
		"ENVIRONMENT":          pulumi.String(s.Environment),
		"PROJECT_NAME":         pulumi.String(s.NamePrefix),
		"DOMAIN":               pulumi.String(s.Site.Domain),
		"FRONTEND_HOST":        pulumi.String(s.AppURL()),
		"BACKEND_CORS_ORIGINS": pulumi.String(strings.Join(a.CORSOrigins, ",")),
		"POSTGRES_SERVER":      d.Database.Address,
		"POSTGRES_PORT":        pulumi.String(fmt.Sprint(d.Database.Port)),
		"POSTGRES_DB":          pulumi.String(d.Database.DatabaseName),
		"POSTGRES_USER":        pulumi.String(d.Database.Username),
		"REDIS_HOST":           d.Cache.PrimaryEndpoint,
		"REDIS_PORT":           pulumi.String(fmt.Sprint(d.Cache.Port)),
		// Redis only accepts TLS: the client must connect with rediss:// (defect E8).
		"REDIS_TLS":         pulumi.String("true"),
		"EMAILS_FROM_EMAIL": pulumi.String(a.EmailsFromEmail),
		"SMTP_HOST":         pulumi.String(a.SMTPHost),
		"SMTP_PORT":         pulumi.String(fmt.Sprint(a.SMTPPort)),
		"SMTP_TLS":          pulumi.String(pythonBool(a.SMTPTLS)),
		"SMTP_SSL":          pulumi.String(pythonBool(a.SMTPSSL)),
		"LLM_PROVIDER":      pulumi.String(a.LLMProvider),
		"OPENAI_MODEL":      pulumi.String(a.OpenAIModel),
	}
}

// backendSecrets are the backend's secret variables: each key of the app secret
// under its own name, and POSTGRES_PASSWORD from the secret RDS manages.
func backendSecrets(d *Deployment) map[string]pulumi.StringInput {
	secrets := map[string]pulumi.StringInput{
		"POSTGRES_PASSWORD": pulumi.Sprintf("%s:password::", d.Database.MasterSecretARN),
	}
	for _, key := range d.AppSecret.Keys {
		secrets[key] = pulumi.Sprintf("%s:%s::", d.AppSecret.ARN, key)
	}
	return secrets
}

// pythonBool writes a boolean the way the FastAPI settings read it.
func pythonBool(b bool) string {
	if b {
		return "True"
	}
	return "False"
}
