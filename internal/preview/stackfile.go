package preview

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/ohmycoins/infra/internal/boundedread"
	"github.com/ohmycoins/infra/internal/settings"
	"github.com/ohmycoins/infra/stacks"
)

// StackConfig is the config a program run receives: what the Pulumi CLI would
// pass in PULUMI_CONFIG and PULUMI_CONFIG_SECRET_KEYS.
type StackConfig struct {
	// Values maps full keys (namespace:key) to their raw value; objects and lists are JSON.
	Values map[string]string
	// SecretKeys are the keys whose values are secrets.
	SecretKeys []string
	// Placeholders maps each secret given a stand-in value to the reason:
	// placeholderUnset or placeholderEncrypted.
	Placeholders map[string]string
	// Notes are what the file does that the CLI accepts but deserves a word:
	// a key without its namespace, a namespace no program here reads.
	Notes []string
}

// stackName is what Pulumi accepts as a stack name; anything else (a path)
// must not reach a file name.
var stackName = regexp.MustCompile(`^[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}$`)

// CheckStackName refuses what is not a stack name, before it becomes a path.
func CheckStackName(stack string) error {
	if !stackName.MatchString(stack) {
		return fmt.Errorf("stack name %q: must be letters, digits, -, _ and . (not first), like staging or production", stack)
	}
	return nil
}

// Why a secret was given a placeholder.
const (
	placeholderUnset     = "unset"
	placeholderEncrypted = "encrypted"
)

// PlaceholderList lists the placeholders as "key (reason)", sorted.
func (c StackConfig) PlaceholderList() []string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(c.Placeholders)) {
		out = append(out, k+" ("+c.Placeholders[k]+")")
	}
	return out
}

// Keys returns the config keys, sorted.
func (c StackConfig) Keys() []string {
	keys := make([]string, 0, len(c.Values))
	for k := range c.Values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// FindProjectDir walks up from dir to the directory holding Pulumi.yaml.
func FindProjectDir(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for d := abs; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "Pulumi.yaml")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no Pulumi.yaml in %s or any parent directory", abs)
		}
	}
}

// readProjectName returns the name in dir/Pulumi.yaml.
func readProjectName(dir string) (string, error) {
	var project struct {
		Name string `yaml:"name"`
	}
	data, err := boundedread.File(filepath.Join(dir, "Pulumi.yaml"), boundedread.StackFileLimit, "the project file")
	if err != nil {
		return "", err
	}
	if err := yaml.Unmarshal(data, &project); err != nil {
		return "", fmt.Errorf("reading Pulumi.yaml: %w", err)
	}
	if project.Name == "" {
		return "", errors.New("the project file Pulumi.yaml has no name")
	}
	return project.Name, nil
}

// stackNames lists the stacks that have a Pulumi.<stack>.yaml in dir.
func stackNames(dir string) []string {
	files, _ := filepath.Glob(filepath.Join(dir, "Pulumi.*.yaml"))
	var names []string
	for _, f := range files {
		names = append(names, strings.TrimSuffix(strings.TrimPrefix(filepath.Base(f), "Pulumi."), ".yaml"))
	}
	sort.Strings(names)
	return names
}

// ReadStackConfig reads dir/Pulumi.<stack>.yaml the way the Pulumi CLI hands it to
// a program, except that encrypted values cannot be decrypted offline: each
// becomes a placeholder, and so does every required stack secret left unset, so
// the real program runs to the end. Placeholders are listed in the result.
func ReadStackConfig(dir, stack string) (StackConfig, error) {
	project, err := readProjectName(dir)
	if err != nil {
		return StackConfig{}, err
	}
	if err := CheckStackName(stack); err != nil {
		return StackConfig{}, err
	}
	path := filepath.Join(dir, "Pulumi."+stack+".yaml")
	data, err := boundedread.File(path, boundedread.StackFileLimit, "the stack file")
	if errors.Is(err, os.ErrNotExist) {
		return StackConfig{}, fmt.Errorf("unknown stack %q: there is no %s (stacks: %s)",
			stack, filepath.Base(path), strings.Join(stackNames(dir), ", "))
	}
	if err != nil {
		return StackConfig{}, err
	}
	file, err := readStackFile(filepath.Base(path), data)
	if err != nil {
		return StackConfig{}, err
	}

	cfg := StackConfig{Values: map[string]string{}, Placeholders: map[string]string{}}
	written := map[string]string{} // full key: the key as the file writes it
	for _, fileKey := range slices.Sorted(maps.Keys(file.Config)) {
		value := file.Config[fileKey]
		key, err := namespaced(filepath.Base(path), project, fileKey, &cfg)
		if err != nil {
			return StackConfig{}, err
		}
		if key == "" {
			continue
		}
		if other, twice := written[key]; twice {
			first, second := file.Lines[other], file.Lines[fileKey]
			if second < first {
				other, fileKey, first, second = fileKey, other, second, first
			}
			return StackConfig{}, fmt.Errorf("%s: %s is set twice, as %s (line %d) and %s (line %d): the Pulumi CLI reads both as %s and keeps one of them; delete the other",
				filepath.Base(path), key, other, first, fileKey, second, key)
		}
		written[key] = fileKey
		value, secret := replaceSecure(key, value)
		raw, err := rawConfigValue(value)
		if err != nil {
			return StackConfig{}, fmt.Errorf("%s: %s: %w", filepath.Base(path), key, err)
		}
		cfg.Values[key] = raw
		if secret {
			cfg.SecretKeys = append(cfg.SecretKeys, key)
			cfg.Placeholders[key] = placeholderEncrypted
		}
	}
	environment := cfg.Values[stacks.Project+":environment"]
	for _, sec := range stacks.StackSecrets {
		key := stacks.Project + ":" + sec.Key
		if _, set := cfg.Values[key]; sec.RequiredFor(environment) && !set && project == stacks.Project {
			cfg.Values[key] = placeholder(key)
			cfg.SecretKeys = append(cfg.SecretKeys, key)
			cfg.Placeholders[key] = placeholderUnset
		}
	}
	sort.Strings(cfg.SecretKeys)
	return cfg, nil
}

// stackFile is the part of a stack file the preview reads.
type stackFile struct {
	Config map[string]any `yaml:"config"`
	// Lines are the config keys' lines in the file.
	Lines map[string]int `yaml:"-"`
}

// scalarFields are the stack file's top-level fields the Pulumi CLI reads
// as text: a list or mapping there makes it refuse the file.
var scalarFields = []string{"secretsprovider", "encryptedkey", "encryptionsalt"}

// readStackFile parses a stack file, saying in YAML's terms what is wrong.
func readStackFile(name string, data []byte) (stackFile, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return stackFile{}, fmt.Errorf("%s is not valid YAML: %s", name, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	if len(doc.Content) == 0 {
		return stackFile{}, nil
	}
	top := doc.Content[0]
	if top.Kind != yaml.MappingNode {
		return stackFile{}, fmt.Errorf("%s must be a mapping (secretsprovider:, config:), not %s", name, kindName(top))
	}
	file := stackFile{Lines: map[string]int{}}
	for i := 0; i+1 < len(top.Content); i += 2 {
		field, value := top.Content[i].Value, top.Content[i+1]
		if field == "config" && value.Kind != yaml.MappingNode && value.Tag != "!!null" {
			return stackFile{}, fmt.Errorf("%s: config (line %d) must be a mapping of keys to values (ohmycoins:domain: ...), not %s",
				name, value.Line, kindName(value))
		}
		if field == "config" && value.Kind == yaml.MappingNode {
			for j := 0; j+1 < len(value.Content); j += 2 {
				file.Lines[value.Content[j].Value] = value.Content[j].Line
			}
		}
		if slices.Contains(scalarFields, field) && value.Kind != yaml.ScalarNode {
			return stackFile{}, fmt.Errorf("%s: %s (line %d) must be a single value, not %s: the Pulumi CLI refuses the file",
				name, field, top.Content[i].Line, kindName(value))
		}
	}
	if err := top.Decode(&file); err != nil {
		return stackFile{}, fmt.Errorf("%s: %s", name, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	return file, nil
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "a mapping"
	case yaml.ScalarNode:
		return fmt.Sprintf("the value %q", n.Value)
	}
	return "something else"
}

// namespaced is a config key with its namespace. The CLI reads a key without
// one as the project's (and rewrites it so on the next save), which the note
// says; a namespace close to the project's is a misspelling and an error; any
// other is left out, with a note, since no program here reads it.
func namespaced(file, project, key string, cfg *StackConfig) (string, error) {
	ns, _, found := strings.Cut(key, ":")
	switch {
	case !found:
		cfg.Notes = append(cfg.Notes, fmt.Sprintf("%s: %s has no namespace: the Pulumi CLI reads it as %s:%s; write it so", file, key, project, key))
		return project + ":" + key, nil
	case ns == project:
		return key, nil
	case settings.EditDistance(ns, project) <= 2:
		return "", fmt.Errorf("%s: %s: the namespace %q is not this project's: did you mean %s:%s?", file, key, ns, project, strings.TrimPrefix(key, ns+":"))
	}
	cfg.Notes = append(cfg.Notes, fmt.Sprintf("%s: %s is in the namespace %s, which this program does not read", file, key, ns))
	return "", nil
}

// placeholder is a stand-in secret that passes every rule a real one must
// (length, Redis AUTH characters), so validation judges the rest of the stack.
func placeholder(key string) string {
	_, name, _ := strings.Cut(key, ":")
	for _, sec := range stacks.StackSecrets {
		if sec.Key == name && sec.Placeholder != "" {
			return sec.Placeholder
		}
	}
	return "preview-placeholder-" + name + "-0000000000000000"
}

// replaceSecure swaps {secure: ...} values, at any depth, for placeholders and
// reports whether it found one.
func replaceSecure(key string, v any) (any, bool) {
	switch t := v.(type) {
	case map[string]any:
		if _, ok := t["secure"].(string); ok && len(t) == 1 {
			// The CLI's rule: a secret is {secure: <text>}; any other
			// value under secure is a plain object.
			return placeholder(key), true
		}
		out, secret := make(map[string]any, len(t)), false
		for k, e := range t {
			var s bool
			out[k], s = replaceSecure(key+"."+k, e)
			secret = secret || s
		}
		return out, secret
	case []any:
		out, secret := make([]any, len(t)), false
		for i, e := range t {
			var s bool
			out[i], s = replaceSecure(key, e)
			secret = secret || s
		}
		return out, secret
	}
	return v, false
}

// rawConfigValue renders a YAML value as the CLI passes it: strings as they
// are, everything else as JSON.
func rawConfigValue(v any) (string, error) {
	if s, ok := v.(string); ok {
		return s, nil
	}
	if bad := notJSON(v); bad != "" {
		return "", fmt.Errorf("%s is not a value a stack setting can hold (a number, a string, true or false, a list or a mapping)", bad)
	}
	b, err := json.Marshal(v)
	return string(b), err
}

// notJSON names a YAML value JSON cannot carry (.nan, .inf), or "".
func notJSON(v any) string {
	switch t := v.(type) {
	case float64:
		if math.IsNaN(t) || math.IsInf(t, 0) {
			return strconv.FormatFloat(t, 'g', -1, 64)
		}
	case map[string]any:
		for _, e := range t {
			if bad := notJSON(e); bad != "" {
				return bad
			}
		}
	case map[any]any:
		return "a mapping whose keys are not all text"
	case []any:
		for _, e := range t {
			if bad := notJSON(e); bad != "" {
				return bad
			}
		}
	}
	return ""
}

// Initialisation says whether a stack file is ready for the real Pulumi CLI.
// Its encrypted data key (encryptedkey, made with the stack's KMS key) and its
// required secrets can only be written by someone with the account's KMS, once
// per stack; until they are committed, every CLI run would ask KMS to Encrypt
// a new data key, which the CI roles may not, and run without the secrets.
type Initialisation struct {
	// Stack and File name the stack and its Pulumi.<stack>.yaml.
	Stack, File string
	// SecretsProvider is the file's secretsprovider ("" for a passphrase).
	SecretsProvider string
	// HasDataKey reports an encryptedkey (KMS) or encryptionsalt (passphrase).
	HasDataKey bool
	// UnsetSecrets are the required stack secrets without a secure value.
	UnsetSecrets []string
	// DataKeyProblem says why the file's encryptedkey or encryptionsalt is
	// not what the Pulumi CLI writes ("" when it is, or there is none): the
	// CLI could not open the stack's secrets with it.
	DataKeyProblem string
	// Unreadable are the secure values that are not a ciphertext the CLI
	// wrote, by key, with the reason: every run would fail to decrypt them.
	Unreadable map[string]string
}

// Done reports whether the stack file is initialised.
func (i Initialisation) Done() bool {
	return i.HasDataKey && i.DataKeyProblem == "" && len(i.UnsetSecrets) == 0 && len(i.Unreadable) == 0
}

// Commands are what initialises the stack file, in order; run once with an
// administrator's AWS credentials, then commit the file.
func (i Initialisation) Commands() []string {
	var out []string
	if i.DataKeyProblem != "" {
		out = append(out, fmt.Sprintf("# first delete the encryptedkey and encryptionsalt lines of %s, then:", i.File))
	}
	if !i.HasDataKey || i.DataKeyProblem != "" {
		provider := i.SecretsProvider
		if provider == "" {
			provider = "passphrase"
		}
		out = append(out,
			fmt.Sprintf("pulumi stack init %s --secrets-provider '%s'", i.Stack, provider),
			fmt.Sprintf("  # or, where the stack exists in the backend already: pulumi stack change-secrets-provider --stack %s '%s'", i.Stack, provider))
	}
	for _, sec := range stacks.StackSecrets {
		key := stacks.Project + ":" + sec.Key
		if _, unreadable := i.Unreadable[key]; slices.Contains(i.UnsetSecrets, key) || unreadable {
			out = append(out, sec.SetCommand(i.Stack))
		}
	}
	for _, key := range slices.Sorted(maps.Keys(i.Unreadable)) {
		if !slices.ContainsFunc(stacks.StackSecrets, func(sec stacks.StackSecret) bool { return stacks.Project+":"+sec.Key == key }) {
			out = append(out, fmt.Sprintf("pulumi config set --secret --stack %s %s '<its value>'", i.Stack, key))
		}
	}
	return append(out, fmt.Sprintf("git add %s && git commit -m 'Initialise the %s stack: its data key and secrets'", i.File, i.Stack))
}

// Report is the message that says the stack file is not initialised and how
// to initialise it; "" when it is.
func (i Initialisation) Report() string {
	if i.Done() {
		return ""
	}
	var what []string
	switch {
	case i.DataKeyProblem != "":
		what = append(what, i.DataKeyProblem)
	case !i.HasDataKey:
		what = append(what, "it has no encryptedkey")
	}
	if len(i.UnsetSecrets) > 0 {
		what = append(what, "the required secrets "+strings.Join(i.UnsetSecrets, ", ")+" are unset")
	}
	for _, key := range slices.Sorted(maps.Keys(i.Unreadable)) {
		what = append(what, key+" cannot be decrypted: "+i.Unreadable[key])
	}
	return fmt.Sprintf("%s is not initialised for the Pulumi CLI: %s. Run once, with an administrator's AWS credentials, and commit the file (docs/RUNBOOK.md, \"Initialising a stack\"):\n    %s",
		i.File, strings.Join(what, " and "), strings.Join(i.Commands(), "\n    "))
}

// ReadInitialisation reads how far dir/Pulumi.<stack>.yaml is initialised.
func ReadInitialisation(dir, stack string) (Initialisation, error) {
	if err := CheckStackName(stack); err != nil {
		return Initialisation{}, err
	}
	name := "Pulumi." + stack + ".yaml"
	data, err := boundedread.File(filepath.Join(dir, name), boundedread.StackFileLimit, "the stack file")
	if errors.Is(err, os.ErrNotExist) {
		return Initialisation{}, fmt.Errorf("unknown stack %q: there is no %s (stacks: %s)", stack, name, strings.Join(stackNames(dir), ", "))
	}
	if err != nil {
		return Initialisation{}, err
	}
	var file struct {
		SecretsProvider string         `yaml:"secretsprovider"`
		EncryptedKey    string         `yaml:"encryptedkey"`
		EncryptionSalt  string         `yaml:"encryptionsalt"`
		Config          map[string]any `yaml:"config"`
	}
	if err := yaml.Unmarshal(data, &file); err != nil {
		return Initialisation{}, fmt.Errorf("%s: %w", name, err)
	}
	state := Initialisation{Stack: stack, File: name, SecretsProvider: file.SecretsProvider,
		HasDataKey: file.EncryptedKey != "" || file.EncryptionSalt != "", Unreadable: map[string]string{},
		DataKeyProblem: dataKeyProblem(file.EncryptedKey, file.EncryptionSalt)}
	environment, _ := file.Config[stacks.Project+":environment"].(string)
	for _, sec := range stacks.StackSecrets {
		key := stacks.Project + ":" + sec.Key
		if _, secure := secureValue(file.Config[key]); sec.RequiredFor(environment) && !secure {
			state.UnsetSecrets = append(state.UnsetSecrets, key)
		}
	}
	for key, v := range file.Config {
		if ciphertext, secure := secureValue(v); secure {
			if why := ciphertextProblem(ciphertext); why != "" {
				state.Unreadable[key] = why
			}
		}
	}
	return state, nil
}

// secureValue is the ciphertext of a {secure: <text>} value, the only form
// the Pulumi CLI reads as a secret.
func secureValue(v any) (string, bool) {
	m, ok := v.(map[string]any)
	if !ok || len(m) != 1 {
		return "", false
	}
	ciphertext, ok := m["secure"].(string)
	return ciphertext, ok
}

// ciphertextProblem says why a secure value is not one the Pulumi CLI
// writes (its symmetric crypter's v1:<nonce>:<ciphertext>, both base64, a
// 12-byte AES-GCM nonce and at least the 16-byte tag), "" when it is.
func ciphertextProblem(v string) string {
	parts := strings.Split(v, ":")
	if len(parts) != 3 || parts[0] != "v1" {
		return fmt.Sprintf("%q is not a ciphertext the Pulumi CLI writes (v1:<nonce>:<ciphertext>)", v)
	}
	nonce, err1 := base64.StdEncoding.DecodeString(parts[1])
	sealed, err2 := base64.StdEncoding.DecodeString(parts[2])
	if err1 != nil || err2 != nil || len(nonce) != 12 || len(sealed) < 16 {
		return fmt.Sprintf("%q is not a ciphertext the Pulumi CLI writes (a 12-byte nonce and a sealed value, both base64)", v)
	}
	return ""
}

// dataKeyProblem says why a stack file's data key is not what the Pulumi
// CLI writes: a KMS provider's encryptedkey is the key's ciphertext in
// base64; a passphrase's encryptionsalt is v1:<salt>:<a ciphertext>.
func dataKeyProblem(encryptedKey, salt string) string {
	if encryptedKey != "" {
		if b, err := base64.StdEncoding.DecodeString(encryptedKey); err != nil || len(b) < 16 {
			return fmt.Sprintf("its encryptedkey %q is not a KMS ciphertext in base64, as the Pulumi CLI writes it", encryptedKey)
		}
	}
	if salt != "" {
		parts := strings.SplitN(salt, ":", 3)
		if len(parts) != 3 || parts[0] != "v1" {
			return fmt.Sprintf("its encryptionsalt %q is not v1:<salt>:<ciphertext>, as the Pulumi CLI writes it", salt)
		}
		if _, err := base64.StdEncoding.DecodeString(parts[1]); err != nil || ciphertextProblem(parts[2]) != "" {
			return fmt.Sprintf("its encryptionsalt %q is not v1:<salt>:<ciphertext>, as the Pulumi CLI writes it", salt)
		}
	}
	return ""
}
