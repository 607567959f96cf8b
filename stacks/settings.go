// Package stacks says what a stack of Oh My Coins is: the typed settings of each
// environment (the presets that replace the original's environments/staging and
// environments/production), how stack config overrides them, how they are
// validated, and how the components are composed into one program.
//
// Only this package reads stack config. Each tier owns its settings
// (rds.Settings, redis.Settings, network.Settings, alb.Settings, ...): their
// fields, json tags and rules live with the component; this package composes
// them, fills them from the presets, reports every tier's problems together
// and keeps the rules that span tiers, so a wrong setting is caught here, once,
// before anything is created.
package stacks

import (
	"github.com/ohmycoins/infra/internal/service"

	"github.com/ohmycoins/infra/components/alb"
	"github.com/ohmycoins/infra/components/backup"
	"github.com/ohmycoins/infra/components/cicd"
	"github.com/ohmycoins/infra/components/dns"
	"github.com/ohmycoins/infra/components/ecs"
	"github.com/ohmycoins/infra/components/monitoring"
	"github.com/ohmycoins/infra/components/network"
	"github.com/ohmycoins/infra/components/rds"
	"github.com/ohmycoins/infra/components/redis"
	"github.com/ohmycoins/infra/components/secrets"
	"github.com/ohmycoins/infra/components/waf"
	"github.com/ohmycoins/infra/internal/statebackend"
)

// Environment names accepted by ohmycoins:environment.
const (
	EnvStaging    = "staging"
	EnvProduction = "production"
)

// Project is the Pulumi project name (Pulumi.yaml) and the value of the Project tag.
const Project = "ohmycoins"

// ProjectTag is the value of the Project default tag on every resource.
const ProjectTag = "Oh My Coins"

// Settings is everything that differs between environments or sites. The presets
// Staging() and Production() fill it with each environment's values
// (stacks/presets_test.go lists them row by row); stack config may override any of them (see load.go), and Validate()
// checks the result before any resource is registered.
//
// Each area is one structured stack config key (ohmycoins:network, ohmycoins:database,
// ...; the table in load.go): a JSON object whose keys are the json tags of the
// area's struct. Keys left out keep the preset's value.
type Settings struct {
	// Stack is the Pulumi stack name; error messages use it in the commands they suggest.
	Stack string
	// Environment is staging or production (ohmycoins:environment); it picks the preset.
	Environment string
	// NamePrefix starts every physical name: ohmycoins-staging, ohmycoins-prod.
	NamePrefix string
	// Region is the AWS region of every resource; ap-southeast-2 in both environments.
	Region string
	// plainSecrets are the stack secrets the file holds in plain text, which
	// load has reported: validation does not call them unset as well.
	plainSecrets []string
	// AccountID is the AWS account the stack belongs to (ohmycoins:accountId,
	// 12 digits). When set, the AWS provider refuses credentials of any other
	// account, and cmd/migrate refuses another account's Terraform state.
	AccountID string
	// ProtectStatefulResources marks what holds data (the KMS key, the database,
	// the cache, the secret) and evidence (the log groups, the image
	// repositories, the access-log bucket) as Pulumi-protected, so no ordinary
	// update can delete or replace it; production only. Not a config key:
	// unprotecting is a deliberate `pulumi state unprotect`.
	ProtectStatefulResources bool

	// Areas overridable through structured stack config.
	Network  NetworkSettings
	Database DatabaseSettings
	Cache    CacheSettings
	// DR replicates the database's backups to a second region (production).
	DR DRSettings
	// Services are the application's services by name (ohmycoins:services,
	// with ohmycoins:backend and ohmycoins:frontend for the two every stack has).
	Services     map[string]ServiceSettings
	ECS          ECSSettings
	Logs         LogSettings
	Secrets      SecretsSettings
	LoadBalancer LoadBalancerSettings
	// WAF is the web application firewall in front of the load balancer.
	WAF    WAFSettings
	Alarms AlarmSettings
	// Alerts are where the alerts go besides the e-mail addresses: a chat
	// channel, and in production a pager.
	Alerts AlertSettings
	// Site values: the stack file sets them, presets only fill defaults.
	Site   SiteSettings
	App    AppSettings
	GitHub GitHubSettings
	DNS    DNSSettings
	// StateBackend is the bucket that holds the stack's state, in its own
	// account (ohmycoins:stateBackend).
	StateBackend StateBackendSettings
	Policy       PolicySettings
	// Cost and Budget: what the offline cost estimate assumes, and the
	// environment's budget.
	Cost   UsageSettings
	Budget BudgetSettings

	// Credentials are the stack secrets; they never appear in plain text in a plan.
	Credentials Credentials
}

// UsageSettings (config key ohmycoins:cost) is the usage the plan cannot know,
// which the offline cost estimate (cmd/preview -cost) prices, like Infracost's
// usage file: a stack overrides what it knows better. The program creates
// nothing from it.
type UsageSettings struct {
	// NATGatewayGBPerMonth is the data the NAT gateways process, all together.
	NATGatewayGBPerMonth float64 `json:"natGatewayGbPerMonth"`
	// LoadBalancerLCUs is the load balancer's average LCUs per hour.
	LoadBalancerLCUs float64 `json:"loadBalancerLcus"`
	// AppLogGBPerMonth is what the services, the database and the cache log,
	// all together (the flow logs are FlowLogGBPerMonth).
	AppLogGBPerMonth float64 `json:"appLogGbPerMonth"`
	// FlowLogGBPerMonth is what the VPC flow logs write, when they are on.
	FlowLogGBPerMonth float64 `json:"flowLogGbPerMonth"`
	// EndpointGBPerMonth is the data the interface endpoints process, when there are any.
	EndpointGBPerMonth float64 `json:"endpointGbPerMonth"`
	// ImageGBPerRepository is what each ECR repository stores (its kept images).
	ImageGBPerRepository float64 `json:"imageGbPerRepository"`
	// AccessLogGBStored is what the access-log bucket holds, when there is one.
	AccessLogGBStored float64 `json:"accessLogGbStored"`
	// DatabaseBackupGB is what the database's automated backups and manual
	// snapshots hold; RDS charges what exceeds the database's storage.
	DatabaseBackupGB float64 `json:"databaseBackupGb"`
	// DRBackupGB is what the database's backups replicated to the DR
	// region hold: RDS bills all of it there.
	DRBackupGB float64 `json:"drBackupGb"`
	// DRTransferGBPerMonth is what the replication sends to the DR region
	// each month: the snapshots' changed blocks and the transaction logs.
	DRTransferGBPerMonth float64 `json:"drTransferGbPerMonth"`
	// CacheSnapshotGB is the size of one snapshot of the cache; ElastiCache
	// charges every kept snapshot but the first.
	CacheSnapshotGB float64 `json:"cacheSnapshotGb"`
	// LogStorageCompression is the share of ingested log bytes CloudWatch
	// Logs stores, and bills, after compressing them (the AWS Pricing
	// Calculator assumes 0.15).
	LogStorageCompression float64 `json:"logStorageCompression"`
	// WAFRequestsMillionsPerMonth is the requests the web ACL inspects, in
	// millions: every request the load balancer receives.
	WAFRequestsMillionsPerMonth float64 `json:"wafRequestsMillionsPerMonth"`
	// WAFLogGBPerMonth is what the web ACL logs: the requests its rules
	// blocked or counted.
	WAFLogGBPerMonth float64 `json:"wafLogGbPerMonth"`
}

// BudgetSettings (config key ohmycoins:budget) is the environment's AWS
// Budgets budget, which alerts the alert topic at 80 % of its forecast and
// 100 % of its actual cost. The policy check holds it to the cost estimate.
type BudgetSettings struct {
	// MonthlyUSD is the budget's monthly limit in USD: the estimate plus the
	// margin, rounded up to 10 (cmd/preview -cost says what it must be).
	MonthlyUSD int `json:"monthlyUsd"`
	// MarginPercent is how far above the estimate the budget lies; 20.
	MarginPercent int `json:"marginPercent"`
}

// NetworkSettings is the VPC layout (config key ohmycoins:network); the
// network component owns its fields and their rules.
type NetworkSettings = network.Settings

// DatabaseSettings is the RDS PostgreSQL instance (config key
// ohmycoins:database); the rds component owns its fields and their rules.
type DatabaseSettings = rds.Settings

// DRSettings are the database's backups replicated to another region
// (config key ohmycoins:dr); the backup component owns their fields and rules.
type DRSettings = backup.Settings

// CacheSettings is the ElastiCache Redis replication group (config key
// ohmycoins:cache); the redis component owns its fields and their rules.
type CacheSettings = redis.Settings

// ServiceSettings is one ECS Fargate service: ohmycoins:services.<name>
// (ohmycoins:backend and ohmycoins:frontend for the two every stack has).
// Its role decides the rest: the load balancer's routes, the security
// group, the data access, the alarms and the checks (internal/service).
type ServiceSettings struct {
	// Role is api (the backend: behind the load balancer, with data access),
	// web (the frontend: behind it, without) or worker (no load balancer).
	Role service.Role `json:"role"`
	// DataAccess lets a worker reach PostgreSQL and Redis and read the app
	// secret, as the api service does; a web service never has it.
	DataAccess bool `json:"dataAccess"`
	// Command overrides the image's command (a worker run from the backend's
	// image, say); none by default.
	Command []string `json:"command"`
	// CPU is the task's CPU units, a Fargate size with MemoryMiB.
	CPU int `json:"cpu"`
	// MemoryMiB is the task's memory.
	MemoryMiB int `json:"memory"`
	// DesiredCount is the number of tasks. With autoscaling it is the initial count only.
	DesiredCount int `json:"desiredCount"`
	// ImageDigest (sha256:<64 hex>) is the image the service runs, from the
	// service's own ECR repository (<prefix>-<service>): pushed by CI, or promoted
	// from staging. At most one of ImageDigest and Build.Context is set; with
	// neither, the repository is new and empty, and the service runs no task
	// until an image is given.
	ImageDigest string `json:"imageDigest"`
	// Build builds the image from source and pushes it to the service's ECR repository.
	Build BuildSettings `json:"build"`
	// Autoscaling is target tracking on the service's desired count; production only.
	Autoscaling AutoscalingSettings `json:"autoscaling"`
}

// BuildSettings says where a service image is built from.
type BuildSettings struct {
	// Context is the Docker build context directory, relative to the project; empty means "use ImageDigest".
	Context string `json:"context"`
	// Dockerfile is relative to Context; Dockerfile by default.
	Dockerfile string `json:"dockerfile"`
	// Target is the build stage to stop at; the last one by default.
	Target string `json:"target"`
}

// AutoscalingSettings is Application Auto Scaling target tracking for one
// service; the ecs component owns its fields and rules (ecs.ValidateTask).
type AutoscalingSettings = ecs.Autoscaling

// ECSSettings is the cluster (config key ohmycoins:ecs); the ecs component
// owns its fields.
type ECSSettings = ecs.ClusterSettings

// LogSettings is CloudWatch Logs retention for ECS, Redis and RDS exports (config key ohmycoins:logs).
type LogSettings struct {
	// RetentionDays: 7 staging, 30 production; a value CloudWatch Logs accepts.
	RetentionDays int `json:"retentionDays"`
}

// SecretsSettings is the application secret (config key ohmycoins:secrets);
// the secrets component owns its fields and their rules.
type SecretsSettings = secrets.Settings

// LoadBalancerSettings is the ALB (config key ohmycoins:loadBalancer); the alb
// component owns its fields and their rules.
type LoadBalancerSettings = alb.Settings

// WAFSettings is the web application firewall (config key ohmycoins:waf);
// the waf component owns its fields and their rules.
type WAFSettings = waf.Settings

// AlertSettings are the alerts' chat channels and pager (config key
// ohmycoins:alerts); the monitoring component owns their fields and rules.
type AlertSettings = monitoring.Routes

// AlarmSettings are the thresholds of the runbook alarms (config key
// ohmycoins:alarms); the monitoring component owns their fields and rules.
type AlarmSettings = monitoring.Thresholds

// SiteSettings are the values of one deployment site, set in the stack file, not presets.
type SiteSettings struct {
	// Domain is the environment's domain (ohmycoins:domain): the API answers on api.<domain>,
	// the dashboard on dashboard.<domain>.
	Domain string
	// CertificateARN is an existing ACM certificate for the ALB (ohmycoins:certificateArn); optional.
	CertificateARN string
	// AlertEmails receive the alarm notifications (ohmycoins:alertEmails); required in production.
	AlertEmails []string
}

// AppSettings are non-secret application values written to the container environment
// and the app secret (config key ohmycoins:app). Empty values get the defaults below.
type AppSettings struct {
	// FirstSuperuser is the e-mail of the first admin account; admin@<domain> by default.
	FirstSuperuser string `json:"firstSuperuser"`
	// EmailsFromEmail is the sender address; noreply@<domain> by default.
	EmailsFromEmail string `json:"emailsFromEmail"`
	// CORSOrigins are the browser origins the API accepts; by default every origin the frontend
	// is served on (Settings.FrontendOrigins): https://dashboard.<domain>, and the apex and www
	// where the program points them at the load balancer.
	CORSOrigins []string `json:"corsOrigins"`
	// SMTPHost, SMTPPort, SMTPUser, SMTPTLS and SMTPSSL configure outgoing mail; port 587 with STARTTLS by default.
	SMTPHost string `json:"smtpHost"`
	SMTPPort int    `json:"smtpPort"`
	SMTPUser string `json:"smtpUser"`
	SMTPTLS  bool   `json:"smtpTls"`
	SMTPSSL  bool   `json:"smtpSsl"`
	// LLMProvider and OpenAIModel select the language model; openai / gpt-4-turbo-preview by default.
	LLMProvider string `json:"llmProvider"`
	OpenAIModel string `json:"openaiModel"`
}

// GitHubSettings is the CI identity (config key ohmycoins:github); the cicd
// component owns its fields and their rules.
type GitHubSettings = cicd.Settings

// StateBackendSettings say where the stack's Pulumi state lives (config key
// ohmycoins:stateBackend); the statebackend package owns the type.
type StateBackendSettings = statebackend.Settings

// DNSSettings is the Route 53 zone that gets the certificate validation and
// alias records (config key ohmycoins:dns); the dns component owns its field.
type DNSSettings = dns.Settings

// PolicySettings are the exceptions to the policy rules of internal/policy
// (config key ohmycoins:policy).
type PolicySettings struct {
	// Waivers maps a rule id (e.g. RDS.5) to the reason this stack does not
	// follow it; the preview lists every waived violation with its reason.
	// Config entries are added to the preset's.
	Waivers map[string]string `json:"waivers"`
}

// APIHost is the host name the backend answers on: api.<domain>.
func (s Settings) APIHost() string { return "api." + s.Site.Domain }

// DashboardHost is the host name the frontend answers on: dashboard.<domain>.
func (s Settings) DashboardHost() string { return "dashboard." + s.Site.Domain }

// Name returns the physical name of a resource of this environment: <prefix>-<role>.
func (s Settings) Name(role string) string { return s.NamePrefix + "-" + role }
