package stacks

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/ohmycoins/infra/components/alb"
	"github.com/ohmycoins/infra/components/dns"
	"github.com/ohmycoins/infra/components/ecs"
	"github.com/ohmycoins/infra/components/images"
	"github.com/ohmycoins/infra/components/monitoring"
	"github.com/ohmycoins/infra/components/rds"
	"github.com/ohmycoins/infra/internal/service"
	"github.com/ohmycoins/infra/internal/settings"
)

// ValidationError lists every problem found in a stack's settings, one line each:
// the config key, the bad value and the rule it breaks.
type ValidationError struct {
	Stack    string
	Problems []string
}

func (e *ValidationError) Error() string {
	return fmt.Sprintf("invalid settings for stack %q (%d):\n  %s", e.Stack, len(e.Problems), strings.Join(e.Problems, "\n  "))
}

// problems collects validation messages in the order they are found.
type problems struct {
	stack string
	lines []string
}

// add records "ohmycoins:<key> = <value>: <rule>".
func (p *problems) add(key string, value any, rule string) {
	p.lines = append(p.lines, fmt.Sprintf("%s:%s = %s: %s", Project, key, show(value), rule))
}

// addf records "ohmycoins:<key> <message>" for problems without a value (unset, unknown).
func (p *problems) addf(key, format string, args ...any) {
	p.lines = append(p.lines, Project+":"+key+" "+fmt.Sprintf(format, args...))
}

// report adds what a tier's own Validate found.
func (p *problems) report(tier settings.Problems) {
	for _, q := range tier.List() {
		if q.HasValue {
			p.add(q.Key, q.Value, q.Rule)
		} else {
			p.addf(q.Key, "%s", q.Rule)
		}
	}
}

func (p *problems) err() error {
	if len(p.lines) == 0 {
		return nil
	}
	return &ValidationError{Stack: p.stack, Problems: p.lines}
}

// show renders a value as it would be written in the stack file.
func show(v any) string {
	if raw, ok := v.(json.RawMessage); ok {
		return string(raw)
	}
	// As written, not escaped for HTML: "<name>" rather than "\u003cname\u003e".
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// Validate checks the settings against AWS's rules and this program's safety
// rules and returns every problem in one *ValidationError, or nil.
func (s Settings) Validate() error {
	p := &problems{stack: s.Stack}
	s.validate(p)
	return p.err()
}

func (s Settings) validate(p *problems) {
	if _, ok := Preset(s.Environment); !ok {
		p.add(keyEnvironment, s.Environment, "must be "+EnvStaging+" or "+EnvProduction)
	}
	if len(s.NamePrefix) < 3 || len(s.NamePrefix) > maxNamePrefixLength || !namePrefixFormat.MatchString(s.NamePrefix) {
		p.add(keyNamePrefix, s.NamePrefix, fmt.Sprintf("must be 3-%d lower-case letters, digits and hyphens, starting with a letter (target group names <prefix>-frontend-<digest> are limited to 32 characters)", maxNamePrefixLength))
	}
	if !regionFormat.MatchString(s.Region) {
		p.add(keyRegion, s.Region, "must be an AWS region name such as ap-southeast-2")
	} else if !slices.Contains(AWSRegions, s.Region) {
		p.add(keyRegion, s.Region, "is not an AWS region (ap-southeast-2, us-east-1, eu-west-1, ...)")
	}
	if s.AccountID != "" && !accountIDFormat.MatchString(s.AccountID) {
		rule := "must be a 12-digit AWS account id (aws sts get-caller-identity --query Account), or unset"
		if digits := strings.Trim(s.AccountID, "0123456789") == ""; digits && len(s.AccountID) < 12 {
			// YAML reads an unquoted 012345678901 as a number, leading zero lost.
			rule += "; an id that starts with 0 must be quoted in the stack file (ohmycoins:accountId: '012345678901'): unquoted, YAML reads it as a number and drops the zero"
		}
		p.add(keyAccountID, s.AccountID, rule)
	}
	s.validateNetwork(p)
	s.validateDatabase(p)
	s.validateCache(p)
	s.validateServices(p)
	s.validateOperations(p)
	s.validateCost(p)
	s.validateSite(p)
	s.validateApp(p)
	s.validateGitHub(p)
	s.validateScope(p)
	s.validateCredentials(p)
	s.validateDay2(p)
	for _, rule := range slices.Sorted(maps.Keys(s.Policy.Waivers)) {
		if strings.TrimSpace(s.Policy.Waivers[rule]) == "" {
			p.add("policy.waivers."+rule, s.Policy.Waivers[rule], "must give the reason the rule does not apply to this stack")
		}
	}
}

func (s Settings) validateNetwork(p *problems) {
	tier := settings.NewProblems()
	s.Network.Validate(s.Region, tier.In("network"))
	p.report(tier)
}

var logRetentionRule = settings.LogRetentionRule

func (s Settings) validateDatabase(p *problems) {
	tier := settings.NewProblems()
	s.Database.Validate(tier.In("database"))
	p.report(tier)
	// Across tiers: a snapshot given by ARN must be in the stack's region.
	if id := s.Database.SnapshotIdentifier; id != "" {
		if region := rds.SnapshotRegion(id); region != "" && region != s.Region {
			p.add("database.snapshotIdentifier", id, fmt.Sprintf("must be a snapshot in %s, the stack's region: copy it there first (aws rds copy-db-snapshot --source-region %s)", s.Region, region))
		}
	}
	dr := settings.NewProblems()
	s.DR.Validate(dr.In("dr"))
	p.report(dr)
	// Across tiers: backups go to another region, and there must be some.
	if s.DR.On() && s.DR.Region == s.Region {
		p.add("dr.region", s.DR.Region, "must be another region than the stack's: its backups are there already")
	}
	if s.DR.On() && s.Database.BackupRetentionDays == 0 {
		p.add("dr.region", s.DR.Region, "needs database.backupRetentionDays above 0: without automated backups there is nothing to replicate")
	}
}

func (s Settings) validateCache(p *problems) {
	tier := settings.NewProblems()
	s.Cache.Validate(tier.In("cache"))
	p.report(tier)
}

// checkWindows checks a service's daily (backup or snapshot) and weekly
// maintenance windows: their format, a minimum length, and that they do not
// overlap, which RDS and ElastiCache both reject.

// serviceKey is the config key of a service: its own key for the two every
// stack has (backend, frontend), services.<name> for the others.
func serviceKey(name string) string {
	if name == service.Backend || name == service.Frontend {
		return name
	}
	return keyServices + "." + name
}

// reservedServiceNames would give a service a name another tier's resource
// of the same type has: <prefix>-rds-sg, <prefix>-flow-logs.
var reservedServiceNames = []string{"alb", "default", "flow", "key", "nat", "postgres", "rds", "redis", "vpce"}

// maxTargetGroupName is the length of a target group's name AWS accepts.
const maxTargetGroupName = 32

func (s Settings) validateServices(p *problems) {
	for _, name := range slices.Sorted(maps.Keys(s.Services)) {
		svc, key := s.Services[name], serviceKey(name)
		switch {
		case !serviceName.MatchString(name):
			p.add(keyServices, name, "names a service: must be 1-20 lower-case letters, digits and hyphens, starting with a letter (its repository, security group and log group are named after it)")
		case slices.Contains(reservedServiceNames, name):
			p.add(keyServices, name, "names a service after another tier's resource (<prefix>-"+name+"-...): choose another name; taken are "+strings.Join(reservedServiceNames, ", "))
		}
		if !slices.Contains(service.Roles, svc.Role) {
			p.add(key+".role", svc.Role, "must be api, web or worker")
		}
		if svc.Role == service.Web && svc.DataAccess {
			p.add(key+".dataAccess", true, "must be false for a web service: it serves the site and reaches no data; give the work that needs data to the api service or a worker")
		}
		// (A prefix that is itself too long is reported once, as the prefix.)
		if tg := alb.TargetGroupName(s.NamePrefix, name, 0, ""); svc.Role != service.Worker && len(s.NamePrefix) <= maxNamePrefixLength && len(tg) > maxTargetGroupName {
			p.add(keyServices, name, fmt.Sprintf("names a service behind the load balancer whose target group name %s-<4 hex> would be %d characters: AWS allows %d", s.NamePrefix+"-"+name, len(tg), maxTargetGroupName))
		}
		// A service spans two tiers: its task (ecs) and its image (images).
		tiers := settings.NewProblems()
		ecs.ValidateTask(tiers.In(key), svc.CPU, svc.MemoryMiB, svc.DesiredCount, svc.Autoscaling)
		images.ValidateSource(tiers.In(key), svc.ImageDigest, svc.Build.Context)
		p.report(tiers)
	}
	for _, role := range []service.Role{service.API, service.Web} {
		routes := map[service.Role]string{service.API: "the API host and paths", service.Web: "every other request"}[role]
		switch names := service.Names(service.Only(s.ServiceList(), role)); len(names) {
		case 0:
			p.addf(keyServices, "has no %s service: the load balancer routes %s to one; give a service the role %s", role, routes, role)
		case 1:
		default:
			p.addf(keyServices, "has %d %s services, %s: the load balancer routes %s to exactly one", len(names), role, service.Sentence(names), routes)
		}
	}
}

// validateOperations checks logs, the secret, the load balancer and the alarms.
// validateCost checks the usage assumptions and the budget.
func (s Settings) validateCost(p *problems) {
	u := s.Cost
	for _, v := range []struct {
		key   string
		value float64
	}{
		{"cost.natGatewayGbPerMonth", u.NATGatewayGBPerMonth}, {"cost.loadBalancerLcus", u.LoadBalancerLCUs},
		{"cost.appLogGbPerMonth", u.AppLogGBPerMonth}, {"cost.flowLogGbPerMonth", u.FlowLogGBPerMonth},
		{"cost.endpointGbPerMonth", u.EndpointGBPerMonth}, {"cost.imageGbPerRepository", u.ImageGBPerRepository},
		{"cost.accessLogGbStored", u.AccessLogGBStored}, {"cost.databaseBackupGb", u.DatabaseBackupGB},
		{"cost.cacheSnapshotGb", u.CacheSnapshotGB}, {"cost.wafRequestsMillionsPerMonth", u.WAFRequestsMillionsPerMonth},
		{"cost.wafLogGbPerMonth", u.WAFLogGBPerMonth}, {"cost.drBackupGb", u.DRBackupGB}, {"cost.drTransferGbPerMonth", u.DRTransferGBPerMonth},
	} {
		if v.value < 0 || v.value > 1e6 {
			p.add(v.key, v.value, "must be 0-1000000: an amount of usage per month")
		}
	}
	if c := u.LogStorageCompression; c <= 0 || c > 1 {
		p.add("cost.logStorageCompression", c, "must be above 0 and at most 1: the share of ingested log bytes CloudWatch Logs stores after compression (0.15 in the AWS Pricing Calculator)")
	}
	if s.Budget.MonthlyUSD < 0 || s.Budget.MonthlyUSD > 1_000_000 {
		p.add("budget.monthlyUsd", s.Budget.MonthlyUSD, "must be 0 (no budget) to 1000000 USD")
	}
	if m := s.Budget.MarginPercent; m < 0 || m > 100 {
		p.add("budget.marginPercent", m, "must be 0-100 percent above the estimate")
	}
}

func (s Settings) validateOperations(p *problems) {
	if !ValidLogRetention(s.Logs.RetentionDays) {
		p.add("logs.retentionDays", s.Logs.RetentionDays, logRetentionRule)
	}
	tiers := settings.NewProblems()
	s.Secrets.Validate(tiers.In("secrets"))
	s.LoadBalancer.Validate(tiers.In("loadBalancer"))
	s.WAF.Validate(tiers.In("waf"))
	p.report(tiers)

	alarms := settings.NewProblems()
	s.Alarms.Validate(alarms.In("alarms"))
	p.report(alarms)
	// Across tiers: the low-storage alarm must be able to stay quiet.
	if a := s.Alarms; a.RdsLowStorageGiB > 0 && a.RdsLowStorageGiB >= float64(s.Database.AllocatedStorageGB) {
		p.add("alarms.rdsLowStorageGiB", a.RdsLowStorageGiB, fmt.Sprintf("must be less than database.allocatedStorage = %d, or the alarm fires at once", s.Database.AllocatedStorageGB))
	}
}

// validateAlerts checks the chat channels and the pager: only production
// pages, and it pages the service its integration URL names.
func (s Settings) validateAlerts(p *problems) {
	if (s.Stack == EnvStaging || s.Stack == EnvProduction) && s.Stack != s.Environment {
		return // another environment's preset: the day-2 check names that cause
	}
	tier := settings.NewProblems()
	s.Alerts.Validate(tier.In("alerts"))
	p.report(tier)
	url := s.Credentials.PagingURL
	switch {
	case s.Alerts.Page && s.Environment != EnvProduction:
		p.add("alerts.page", true, "must be false in "+s.Environment+": only production pages; staging's alerts go to e-mail and chat (alerts.slack, alerts.teams)")
	case s.Alerts.Page && !url.IsSet():
		p.addf("pagingUrl", "is not set: production pages through it (alerts.page); run %s, or set alerts.page to false and waive ALERTS.PAGE with the reason", pagingSecret().SetCommand(s.Stack))
	case s.Environment != EnvProduction && url.IsSet():
		p.addf("pagingUrl", "is set, but %s does not page: remove it (pulumi config rm --stack %s %s:pagingUrl)", s.Environment, s.Stack, Project)
	case !s.Alerts.Page && url.IsSet():
		p.addf("pagingUrl", "is set but alerts.page is false: nothing would page; remove it (pulumi config rm --stack %s %s:pagingUrl) or set alerts.page to true", s.Stack, Project)
	case url.IsSet():
		if _, problem := monitoring.PagingServiceOf(url.Reveal()); problem != "" {
			p.addf("pagingUrl", "%s", problem)
		}
	}
}

func (s Settings) validateSite(p *problems) {
	if s.Site.Domain == "" {
		p.addf(keyDomain, "is not set: the API (api.<domain>) and dashboard hosts derive from it (pulumi config set --stack %s %s:%s staging.example.com)", s.Stack, Project, keyDomain)
	} else if reason := settings.CheckDomain(s.Site.Domain); reason != "" {
		p.add(keyDomain, s.Site.Domain, reason)
	}
	if arn := s.Site.CertificateARN; arn != "" {
		if m := certificateARN.FindStringSubmatch(arn); m == nil {
			p.add(keyCertificateARN, arn, "must be an ACM certificate ARN, arn:aws:acm:<region>:<account>:certificate/<id>")
		} else if m[1] != s.Region {
			p.add(keyCertificateARN, arn, "must be a certificate in region "+s.Region+": an ALB uses certificates of its own region")
		}
	}
	for i, e := range s.Site.AlertEmails {
		if reason := checkEmail(e); reason != "" {
			p.add(fmt.Sprintf("%s[%d]", keyAlertEmails, i), e, reason)
		} else if first := slices.IndexFunc(s.Site.AlertEmails[:i], func(o string) bool { return strings.EqualFold(o, e) }); first >= 0 {
			p.add(fmt.Sprintf("%s[%d]", keyAlertEmails, i), e, fmt.Sprintf("is %s[%d] again: each address would get its own subscription and every alarm twice", keyAlertEmails, first))
		}
	}
	if s.Environment == EnvProduction && len(s.Site.AlertEmails) == 0 {
		p.addf(keyAlertEmails, "is empty: production alarms would notify nobody (defect A2); set at least one address")
	}
	s.validateAlerts(p)
	dnsTier := settings.NewProblems()
	s.DNS.Validate(dnsTier.In("dns"))
	s.StateBackend.Validate(dnsTier.In("stateBackend"))
	p.report(dnsTier)
	// Across tiers: a zone that delegates one of the stack's own hosts to
	// another account's zone no longer answers for it.
	if zone := s.DNS.ZoneName; zone != "" && s.Site.Domain != "" && len(s.DNS.Delegations) > 0 {
		for _, host := range dns.HostsFor(s.Site.Domain, zone).Certificate {
			if name := s.DNS.DelegationCovering(host); name != "" {
				p.add("dns.delegations."+name, name, "must not be or contain the stack's own host "+host+": the delegated zone, another account's, would answer for it")
			}
		}
	}
	// Across tiers: the zone holds the site's domain (a wrong domain is
	// reported once, above).
	if zone := s.DNS.ZoneName; zone != "" && settings.CheckDomain(zone) == "" && settings.CheckDomain(s.Site.Domain) == "" {
		if s.Site.Domain != "" && s.Site.Domain != zone && !strings.HasSuffix(s.Site.Domain, "."+zone) {
			p.add("dns.zoneName", zone, "must be the domain "+show(s.Site.Domain)+" or a parent of it, so that its records can be created in the zone")
		}
	}
}

func (s Settings) validateApp(p *problems) {
	a := s.App
	for _, e := range []struct{ key, value string }{
		{"app.firstSuperuser", a.FirstSuperuser},
		{"app.emailsFromEmail", a.EmailsFromEmail},
	} {
		if e.value == "" && (s.Site.Domain == "" || settings.CheckDomain(s.Site.Domain) != "") {
			continue // reported once, as the missing or wrong domain it derives from
		}
		if reason := checkEmail(e.value); reason != "" {
			p.add(e.key, e.value, reason)
		}
	}
	for i, o := range a.CORSOrigins {
		if reason := checkOrigin(o); reason != "" {
			p.add(fmt.Sprintf("app.corsOrigins[%d]", i), o, reason)
		}
	}
	if a.SMTPHost != "" {
		if reason := settings.CheckDomain(strings.ToLower(a.SMTPHost)); reason != "" {
			p.add("app.smtpHost", a.SMTPHost, reason)
		}
	}
	if a.SMTPPort < 1 || a.SMTPPort > 65535 {
		p.add("app.smtpPort", a.SMTPPort, "must be a TCP port, 1-65535")
	}
	if a.SMTPTLS && a.SMTPSSL {
		p.add("app.smtpSsl", true, "must be false when app.smtpTls is true: STARTTLS and implicit TLS exclude each other")
	}
	if a.LLMProvider == "" {
		p.add("app.llmProvider", a.LLMProvider, "must name the LLM provider, e.g. openai")
	}
}

func (s Settings) validateGitHub(p *problems) {
	tier := settings.NewProblems()
	s.GitHub.Validate(fmt.Sprintf("pulumi config set --path --stack %s '%s:github.repository' owner/name", s.Stack, Project), tier.In("github"))
	p.report(tier)
	// The CI roles trust the provider of the account they live in: one of
	// another account would let that account's tokens in.
	if provider := s.GitHub.OIDCProviderARN; s.AccountID != "" && provider != "" && !strings.Contains(provider, ":"+s.AccountID+":") {
		p.add("github.oidcProviderArn", provider, "must be the GitHub OIDC provider of the stack's own account "+s.AccountID+" (ohmycoins:accountId)")
	}
}

// validateScope keeps each environment's IAM scope off the others': the
// deploy role reaches <namePrefix>-* (its resources, roles, log groups), so a
// prefix that another environment's starts with (ohmycoins for
// ohmycoins-prod), or that starts with another's, would reach that
// environment's names.
func (s Settings) validateScope(p *problems) {
	for _, other := range []string{EnvStaging, EnvProduction} {
		if other == s.Environment {
			continue
		}
		theirs, _ := Preset(other)
		if s.NamePrefix == theirs.NamePrefix {
			continue // the same prefix: validateDay2 says why it is refused
		}
		mine, their := s.NamePrefix+"-", theirs.NamePrefix+"-"
		if strings.HasPrefix(their, mine) || strings.HasPrefix(mine, their) {
			p.add(keyNamePrefix, s.NamePrefix, fmt.Sprintf("must not overlap %s's prefix %s: the CI roles' %s-* would cover %s's resources", other, theirs.NamePrefix, s.NamePrefix, other))
		}
	}
}

func (s Settings) validateCredentials(p *problems) {
	for _, sec := range StackSecrets {
		if sec.Required && !sec.Get(s.Credentials).IsSet() && !slices.Contains(s.plainSecrets, sec.Key) {
			p.addf(sec.Key, "is not set: run %s", sec.SetCommand(s.Stack))
		}
	}
	if key := s.Credentials.SecretKey; key.IsSet() && len(key.Reveal()) < minSecretKeyLength {
		p.addf("secretKey", "is %d characters: it must be at least %d (generate one with openssl rand -hex 32)", len(key.Reveal()), minSecretKeyLength)
	}
	if token := s.Credentials.RedisAuthToken; token.IsSet() {
		if reason := checkRedisAuthToken(token.Reveal()); reason != "" {
			p.addf("redisAuthToken", "%s", reason)
		}
	}
}

// checkRedisAuthToken applies ElastiCache's AUTH token rules without echoing the token:
// 16-128 characters, letters, digits and only the specials ! & # $ ^ < > -.
func checkRedisAuthToken(t string) string {
	if len(t) < redisAuthTokenMin || len(t) > redisAuthTokenMax {
		return fmt.Sprintf("is %d characters: ElastiCache AUTH tokens are %d-%d characters", len(t), redisAuthTokenMin, redisAuthTokenMax)
	}
	for _, r := range t {
		switch {
		case strings.ContainsRune(redisAuthTokenForbidden, r):
			return fmt.Sprintf("contains %q: ElastiCache AUTH tokens must not contain @, \" or /", r)
		case r < 0x21 || r > 0x7e:
			return "contains a space, a control or a non-ASCII character: ElastiCache AUTH tokens are printable ASCII"
		case !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || strings.ContainsRune(redisAuthTokenSpecials, r)):
			return fmt.Sprintf("contains %q: ElastiCache AUTH tokens allow letters, digits and only the specials %s", r, redisAuthTokenSpecials)
		}
	}
	return ""
}
