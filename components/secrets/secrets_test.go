package secrets

import (
	"encoding/json"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/require"

	"github.com/ohmycoins/infra/internal/componenttest"
	"github.com/ohmycoins/infra/internal/policydoc"
	"github.com/ohmycoins/infra/internal/stackplan"
)

const keyARN = "arn:aws:kms:ap-southeast-2:123456789012:key/k"

func appSecret(s Settings, protect bool, read func(*AppSecret)) pulumi.RunFunc {
	return func(ctx *pulumi.Context) error {
		c, err := New(ctx, "env", Args{
			Region: "ap-southeast-2", KMSKeyARN: pulumi.String(keyARN), Settings: s, Protect: protect,
			Values: map[string]pulumi.StringInput{
				"SECRET_KEY":      pulumi.ToSecret(pulumi.String("s3cr3t")).(pulumi.StringOutput),
				"FIRST_SUPERUSER": pulumi.String("admin@example.com"),
			},
			AlsoReadable: []pulumi.StringInput{pulumi.String("arn:aws:secretsmanager:ap-southeast-2:123456789012:secret:rds!db-1")},
		})
		if err == nil && read != nil {
			read(c)
		}
		return err
	}
}

func TestTheSecretHoldsEveryValueAsOneEncryptedJSONObject(t *testing.T) {
	t.Parallel()
	regs := componenttest.Result(t, appSecret(Settings{ManageValues: true}, false, nil)).Registrations
	value, secret := componenttest.Secret(t, regs, "aws:secretsmanager/secretVersion:SecretVersion", "env-app-secrets-version", "secretString")
	require.True(t, secret, "the version is a secret in state, whatever its values")
	var object map[string]string
	require.NoError(t, json.Unmarshal([]byte(value), &object))
	require.Equal(t, map[string]string{"SECRET_KEY": "s3cr3t", "FIRST_SUPERUSER": "admin@example.com"}, object)

	plan := componenttest.Run(t, appSecret(Settings{ManageValues: true}, false, nil))
	s := componenttest.Named(t, plan, "aws:secretsmanager/secret:Secret", "env-app-secrets")
	require.Equal(t, "env-app-secrets", s.Inputs["name"])
	require.Equal(t, keyARN, s.Inputs["kmsKeyId"])
	require.Equal(t, 0.0, s.Inputs["recoveryWindowInDays"])
	version := componenttest.Named(t, plan, "aws:secretsmanager/secretVersion:SecretVersion", "env-app-secrets-version")
	require.Equal(t, stackplan.Secret, version.Inputs["secretString"])
	require.Equal(t, s.ID, version.Inputs["secretId"])
	require.Empty(t, version.IgnoreChanges, "managed values follow the stack")
}

// TestAProtectedSecretStillRotates: the secret is protected; its version is
// not: the provider replaces a version whenever the value changes
// (secret_string forces a new resource), so a protected version would make
// every rotation of a production value fail.
func TestAProtectedSecretStillRotates(t *testing.T) {
	t.Parallel()
	plan := componenttest.Run(t, appSecret(Settings{RecoveryWindowDays: 30, ManageValues: true}, true, nil))
	s := componenttest.Named(t, plan, "aws:secretsmanager/secret:Secret", "env-app-secrets")
	require.Equal(t, 30.0, s.Inputs["recoveryWindowInDays"])
	require.True(t, s.Protect)
	require.False(t, componenttest.Named(t, plan, "aws:secretsmanager/secretVersion:SecretVersion", "env-app-secrets-version").Protect, "a rotation replaces the version")
}

func TestUnmanagedValuesAreWrittenOnce(t *testing.T) {
	t.Parallel()
	plan := componenttest.Run(t, appSecret(Settings{ManageValues: false}, false, nil))
	require.Equal(t, []string{"secretString"}, componenttest.Named(t, plan, "aws:secretsmanager/secretVersion:SecretVersion", "env-app-secrets-version").IgnoreChanges)
}

// TestReadPolicyIsLeastPrivilege: what the ECS execution role attaches reads
// the app secret and the others given, and decrypts only through Secrets Manager.
func TestReadPolicyIsLeastPrivilege(t *testing.T) {
	t.Parallel()
	var policyJSON, appARN string
	var keys []string
	componenttest.Run(t, appSecret(Settings{ManageValues: true}, false, func(c *AppSecret) {
		keys = c.Keys
		c.ReadPolicy.ApplyT(func(p string) string { policyJSON = p; return p })
		c.ARN.ApplyT(func(a string) string { appARN = a; return a })
	}))
	require.Equal(t, []string{"FIRST_SUPERUSER", "SECRET_KEY"}, keys, "sorted")
	policy, err := policydoc.Parse(policyJSON)
	require.NoError(t, err)
	master := "arn:aws:secretsmanager:ap-southeast-2:123456789012:secret:rds!db-1"
	require.Equal(t, ReadPolicy(keyARN, "ap-southeast-2", []string{appARN, master}), policy)
	require.Equal(t, []string{"secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"}, policy.Statement[0].Action)
	require.Equal(t, []string{appARN, master}, policy.Statement[0].Resource)
	require.Equal(t, []string{"kms:Decrypt"}, policy.Statement[1].Action)
	require.Equal(t, []string{keyARN}, policy.Statement[1].Resource, "the key's ARN, not the secret's (defect B8)")
	require.Equal(t, []string{"secretsmanager.ap-southeast-2.amazonaws.com"}, policy.Statement[1].Condition["StringEquals"]["kms:ViaService"])
}

func TestNewRefusesABadRecoveryWindowAndMissingValues(t *testing.T) {
	t.Parallel()
	err := componenttest.Error(t, appSecret(Settings{RecoveryWindowDays: 3}, false, nil))
	require.ErrorContains(t, err, "secrets: recoveryWindowDays = 3: must be 0 (delete at once) or 7-30 days, the values Secrets Manager accepts (defect B5)")
	err = componenttest.Error(t, func(ctx *pulumi.Context) error {
		_, err := New(ctx, "env", Args{Region: "ap-southeast-2", KMSKeyARN: pulumi.String(keyARN)})
		return err
	})
	require.ErrorContains(t, err, "secrets: KMSKeyARN, Region and Values are required")
}
