// Package secrets creates the application secret <prefix>-app-secrets in
// Secrets Manager: one KMS-encrypted JSON object holding every value the
// containers read as a secret, written by the program from stack secrets and
// settings, so no one pastes JSON by hand and no key is ever missing (defects
// B1, B2). It also builds the least-privilege policy a reader of the secret
// (the ECS execution role) needs.
//
// Database credentials are not in it: RDS manages the master password in its own
// secret (defect B4); the read policy can cover that secret too.
package secrets

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/secretsmanager"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/ohmycoins/infra/internal/policydoc"
	"github.com/ohmycoins/infra/internal/settings"
)

// Args configure the application secret.
type Args struct {
	// Region scopes the kms:ViaService condition of the read policy.
	Region string
	// KMSKeyARN encrypts the secret: the environment key.
	KMSKeyARN pulumi.StringInput
	// Settings are the secret's settings (the stack's ohmycoins:secrets),
	// which New checks with Settings.Validate.
	Settings
	// Values are the JSON keys and values of the secret. Secret values must be
	// secret outputs; the whole version is stored as a secret either way.
	Values map[string]pulumi.StringInput
	// AlsoReadable are other secrets the same reader needs (the RDS master
	// secret), encrypted with the same key; the read policy includes them.
	AlsoReadable []pulumi.StringInput
	// Protect keeps an ordinary update from deleting or replacing the secret; production.
	Protect bool
}

// AppSecret is the application secret component.
type AppSecret struct {
	pulumi.ResourceState

	// ARN and Name identify the secret.
	ARN  pulumi.StringOutput
	Name string
	// Keys are the JSON keys of the secret, sorted: what a container may reference.
	Keys []string
	// ReadPolicy is an IAM policy document (JSON) that allows reading the secret
	// (and AlsoReadable) and decrypting it through Secrets Manager, nothing more.
	ReadPolicy pulumi.StringOutput
	// Version is the secret's current value: what a reader must wait for.
	Version pulumi.Resource
}

// New creates the secret and its value. The component's name is the
// environment's name prefix; the secret is <name>-app-secrets.
func New(ctx *pulumi.Context, name string, args Args, opts ...pulumi.ResourceOption) (*AppSecret, error) {
	problems := settings.NewProblems()
	args.Settings.Validate(problems)
	if err := problems.Err("secrets"); err != nil {
		return nil, err
	}
	if args.KMSKeyARN == nil || args.Region == "" || len(args.Values) == 0 {
		return nil, fmt.Errorf("secrets: KMSKeyARN, Region and Values are required")
	}
	c := &AppSecret{Name: name + "-app-secrets"}
	for k := range args.Values {
		c.Keys = append(c.Keys, k)
	}
	slices.Sort(c.Keys)
	if err := ctx.RegisterComponentResource("ohmycoins:secrets:AppSecret", name, c, opts...); err != nil {
		return nil, err
	}

	secret, err := secretsmanager.NewSecret(ctx, c.Name, &secretsmanager.SecretArgs{
		Name:                 pulumi.String(c.Name),
		Description:          pulumi.String("Oh My Coins application secrets (" + name + "): read by the backend containers at start"),
		KmsKeyId:             args.KMSKeyARN,
		RecoveryWindowInDays: pulumi.Int(args.RecoveryWindowDays),
		// Never deleted before its replacement exists (the provider would: the
		// program sets its name); created first, the replacement is refused on
		// the name, and no value is lost.
	}, pulumi.Parent(c), pulumi.Protect(args.Protect), pulumi.DeleteBeforeReplace(false))
	if err != nil {
		return nil, err
	}

	// The version is not protected: the provider replaces a version whenever
	// its value changes (secret_string forces a new resource), and that
	// replacement is how a value is rotated. The secret, which holds every
	// version and is what a deletion would lose, is the protected resource.
	versionOpts := []pulumi.ResourceOption{pulumi.Parent(c)}
	if !args.ManageValues {
		versionOpts = append(versionOpts, pulumi.IgnoreChanges([]string{"secretString"}))
	}
	version, err := secretsmanager.NewSecretVersion(ctx, c.Name+"-version", &secretsmanager.SecretVersionArgs{
		SecretId:     secret.ID(),
		SecretString: pulumi.ToSecret(secretJSON(c.Keys, args.Values)).(pulumi.StringOutput),
	}, versionOpts...)
	if err != nil {
		return nil, err
	}
	c.Version = version

	readable := append([]pulumi.StringInput{args.KMSKeyARN, secret.Arn}, args.AlsoReadable...)
	c.ReadPolicy = policydoc.Output(func(v []string) policydoc.Document {
		return ReadPolicy(v[0], args.Region, v[1:])
	}, readable...)
	c.ARN = secret.Arn
	return c, ctx.RegisterResourceOutputs(c, pulumi.Map{
		"arn":        c.ARN,
		"name":       pulumi.String(c.Name),
		"readPolicy": c.ReadPolicy,
	})
}

// secretJSON renders the values as one JSON object once they are known (keys sorted).
func secretJSON(keys []string, values map[string]pulumi.StringInput) pulumi.StringOutput {
	inputs := make([]interface{}, len(keys))
	for i, k := range keys {
		inputs[i] = values[k]
	}
	return pulumi.All(inputs...).ApplyT(func(resolved []interface{}) (string, error) {
		object := make(map[string]string, len(keys))
		for i, k := range keys {
			object[k], _ = resolved[i].(string)
		}
		b, err := json.Marshal(object)
		return string(b), err
	}).(pulumi.StringOutput)
}

// ReadPolicy allows reading the given secrets and decrypting them with the key,
// only when Secrets Manager asks on the reader's behalf.
func ReadPolicy(keyARN, region string, secretARNs []string) policydoc.Document {
	decrypt := policydoc.Allow("DecryptThroughSecretsManager", []string{"kms:Decrypt"}, keyARN)
	decrypt.Condition = map[string]map[string][]string{
		"StringEquals": {"kms:ViaService": {"secretsmanager." + region + ".amazonaws.com"}},
	}
	return policydoc.New(
		policydoc.Allow("ReadTheSecrets", []string{"secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"}, secretARNs...),
		decrypt,
	)
}
