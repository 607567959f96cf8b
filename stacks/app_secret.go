package stacks

import "github.com/pulumi/pulumi/sdk/v3/go/pulumi"

// AppSecretValues are the keys and values of the application secret: every
// variable the backend container reads from it, under the same name (the
// original read three of them from keys that did not exist: defect B1).
// Stack secrets stay secret outputs; optional ones left unset are empty strings,
// so the container always finds its key. POSTGRES_PASSWORD is not here: it comes
// from the secret RDS manages.
func (s Settings) AppSecretValues() map[string]pulumi.StringInput {
	c := s.Credentials
	return map[string]pulumi.StringInput{
		"SECRET_KEY":               c.SecretKey.Output(),
		"FIRST_SUPERUSER":          pulumi.String(s.App.FirstSuperuser),
		"FIRST_SUPERUSER_PASSWORD": c.FirstSuperuserPassword.Output(),
		"SMTP_USER":                pulumi.String(s.App.SMTPUser),
		"SMTP_PASSWORD":            c.SMTPPassword.Output(),
		"OPENAI_API_KEY":           c.OpenAIAPIKey.Output(),
		"SENTRY_DSN":               c.SentryDSN.Output(),
		"CRYPTOPANIC_API_KEY":      c.CryptoPanicAPIKey.Output(),
		"NEWSCATCHER_API_KEY":      c.NewsCatcherAPIKey.Output(),
		"NANSEN_API_KEY":           c.NansenAPIKey.Output(),
		"REDIS_PASSWORD":           c.RedisAuthToken.Output(),
	}
}
