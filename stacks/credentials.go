package stacks

import (
	"fmt"
	"slices"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Secret is the value of one stack secret. It prints and marshals as "[secret]",
// so a Settings value can be logged or dumped without leaking it; Output hands
// it to resources as a Pulumi secret, so it stays encrypted in state.
type Secret struct{ value string }

// NewSecret wraps a plain value; used by Load and by tests.
func NewSecret(value string) Secret { return Secret{value: value} }

// IsSet reports whether the secret has a non-empty value.
func (s Secret) IsSet() bool { return s.value != "" }

// Output is the value as a secret Pulumi output, for resource inputs.
func (s Secret) Output() pulumi.StringOutput {
	return pulumi.ToSecret(pulumi.String(s.value)).(pulumi.StringOutput)
}

// Reveal returns the plain value. Only validation and secret-document builders
// should call it, and never outside an Output that is itself secret.
func (s Secret) Reveal() string { return s.value }

// String hides the value.
func (s Secret) String() string { return "[secret]" }

// GoString hides the value from %#v too.
func (s Secret) GoString() string { return "stacks.Secret{[secret]}" }

// MarshalJSON hides the value from encoding/json.
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(`"[secret]"`), nil }

// Credentials are the stack secrets the application and the cache need. They come
// only from `pulumi config set --secret`; a value stored in plain text is refused.
type Credentials struct {
	SecretKey              Secret // ohmycoins:secretKey: signs the backend's tokens (SECRET_KEY)
	FirstSuperuserPassword Secret // ohmycoins:firstSuperuserPassword: the first admin's password
	OpenAIAPIKey           Secret // ohmycoins:openaiApiKey: the LLM key
	RedisAuthToken         Secret // ohmycoins:redisAuthToken: the Redis AUTH token (REDIS_PASSWORD)
	SMTPPassword           Secret // ohmycoins:smtpPassword: optional
	SentryDSN              Secret // ohmycoins:sentryDsn: optional
	CryptoPanicAPIKey      Secret // ohmycoins:cryptopanicApiKey: optional
	NewsCatcherAPIKey      Secret // ohmycoins:newscatcherApiKey: optional
	NansenAPIKey           Secret // ohmycoins:nansenApiKey: optional
	PagingURL              Secret // ohmycoins:pagingUrl: the pager's integration URL; production
}

// StackSecret describes one stack secret: its config key, whether the program
// refuses to run without it, and how an operator can generate a value.
type StackSecret struct {
	// Key is the config key without the namespace, e.g. secretKey.
	Key string
	// Required secrets must be set; optional ones become empty strings in the app secret.
	Required bool
	// RequiredIn are the environments whose preset needs the secret (only
	// production pages): a stack that turns what needs it off may leave it
	// unset.
	RequiredIn []string
	// Example is the value part of the suggested command, e.g. "$(openssl rand -hex 32)".
	Example string
	// Placeholder is what the offline preview stands in for the secret,
	// shaped as its value must be; empty: any placeholder will do.
	Placeholder string
	field       func(*Credentials) *Secret
}

// StackSecrets lists every stack secret the program reads, in a stable order.
var StackSecrets = []StackSecret{
	{Key: "secretKey", Required: true, Example: `"$(openssl rand -hex 32)"`, field: func(c *Credentials) *Secret { return &c.SecretKey }},
	{Key: "firstSuperuserPassword", Required: true, Example: `'<a strong password>'`, field: func(c *Credentials) *Secret { return &c.FirstSuperuserPassword }},
	{Key: "openaiApiKey", Required: true, Example: `'sk-...'`, field: func(c *Credentials) *Secret { return &c.OpenAIAPIKey }},
	{Key: "redisAuthToken", Required: true, Example: `"$(openssl rand -hex 32)"`, field: func(c *Credentials) *Secret { return &c.RedisAuthToken }},
	{Key: "smtpPassword", Example: `'<smtp password>'`, field: func(c *Credentials) *Secret { return &c.SMTPPassword }},
	{Key: "sentryDsn", Example: `'https://...@sentry.io/...'`, field: func(c *Credentials) *Secret { return &c.SentryDSN }},
	{Key: "cryptopanicApiKey", Example: `'<key>'`, field: func(c *Credentials) *Secret { return &c.CryptoPanicAPIKey }},
	{Key: "newscatcherApiKey", Example: `'<key>'`, field: func(c *Credentials) *Secret { return &c.NewsCatcherAPIKey }},
	{Key: "nansenApiKey", Example: `'<key>'`, field: func(c *Credentials) *Secret { return &c.NansenAPIKey }},
	{Key: "pagingUrl", RequiredIn: []string{EnvProduction}, Example: `'https://events.pagerduty.com/integration/<integration key>/enqueue'`,
		Placeholder: "https://events.pagerduty.com/integration/preview-placeholder/enqueue", field: func(c *Credentials) *Secret { return &c.PagingURL }},
}

// pagingSecret is the pager's integration URL.
func pagingSecret() StackSecret {
	i := slices.IndexFunc(StackSecrets, func(s StackSecret) bool { return s.Key == "pagingUrl" })
	return StackSecrets[i]
}

// RequiredFor reports whether a stack of the environment needs the secret
// unless it turns off what uses it.
func (s StackSecret) RequiredFor(environment string) bool {
	return s.Required || slices.Contains(s.RequiredIn, environment)
}

// SetCommand is the exact command that sets this secret on a stack.
func (s StackSecret) SetCommand(stack string) string {
	flag := ""
	if stack != "" {
		flag = " --stack " + stack
	}
	return fmt.Sprintf("pulumi config set --secret%s %s:%s %s", flag, Project, s.Key, s.Example)
}

// Get returns the secret's value in c.
func (s StackSecret) Get(c Credentials) Secret { return *s.field(&c) }
