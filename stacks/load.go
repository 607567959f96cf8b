package stacks

import (
	"bytes"
	"encoding/json"
	"maps"
	"math"
	"os"
	"reflect"
	"slices"
	"sort"
	"strings"

	"github.com/ohmycoins/infra/internal/service"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/ohmycoins/infra/internal/settings"
)

// LoadOptions tune how Load reads stack config.
type LoadOptions struct {
	// ConfigKeys are all keys set on the stack (namespace:key), so that a misspelt
	// top-level key is refused. Nil means: read them from the environment the
	// Pulumi CLI gives the program (PULUMI_CONFIG); the offline preview passes the
	// keys of the stack file it read, since it runs in-process.
	ConfigKeys []string
}

// Load reads the stack's settings: ohmycoins:environment picks the preset, stack
// config overrides it, site values and secrets are added, and the result is
// validated. Every problem is reported in one *ValidationError.
func Load(ctx *pulumi.Context) (*Settings, error) {
	return LoadWith(ctx, LoadOptions{})
}

// LoadWith is Load with explicit options.
func LoadWith(ctx *pulumi.Context, opts LoadOptions) (*Settings, error) {
	keys := opts.ConfigKeys
	if keys == nil {
		keys = configKeysFromEnvironment()
	}
	return load(contextConfig{ctx}, ctx.Stack(), keys)
}

// LoadFromMap loads settings from raw config values (full keys, as the Pulumi CLI
// passes them) without a Pulumi context: for fuzzing and tools.
func LoadFromMap(stack string, values map[string]string, secretKeys []string) (*Settings, error) {
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	return load(mapConfig{values: values, secret: secretKeys}, stack, keys)
}

// configSource is where load reads raw values (full keys such as ohmycoins:database).
type configSource interface {
	get(key string) (string, bool)
	isSecret(key string) bool
}

type contextConfig struct{ ctx *pulumi.Context }

func (c contextConfig) get(key string) (string, bool) { return c.ctx.GetConfig(key) }
func (c contextConfig) isSecret(key string) bool      { return c.ctx.IsConfigSecret(key) }

type mapConfig struct {
	values map[string]string
	secret []string
}

func (m mapConfig) get(key string) (string, bool) { v, ok := m.values[key]; return v, ok }
func (m mapConfig) isSecret(key string) bool      { return slices.Contains(m.secret, key) }

// configKeysFromEnvironment lists the keys the Pulumi CLI passed to the program.
func configKeysFromEnvironment() []string {
	var values map[string]string
	if err := json.Unmarshal([]byte(os.Getenv(pulumi.EnvConfig)), &values); err != nil {
		return nil
	}
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	return keys
}

// Scalar top-level keys (ohmycoins:<key>) besides the structured areas and the secrets.
const (
	keyEnvironment    = "environment"
	keyNamePrefix     = "namePrefix"
	keyRegion         = "region"
	keyAccountID      = "accountId"
	keyDomain         = "domain"
	keyCertificateARN = "certificateArn"
	keyAlertEmails    = "alertEmails"
	// keyServices is the object of services by name; the two every stack
	// has are also their own keys (ohmycoins:backend, ohmycoins:frontend).
	keyServices = "services"
)

// areas maps each structured config key to the part of s it overrides.
func areas(s *Settings) map[string]any {
	return map[string]any{
		"network":      &s.Network,
		"database":     &s.Database,
		"cache":        &s.Cache,
		"dr":           &s.DR,
		"ecs":          &s.ECS,
		"logs":         &s.Logs,
		"secrets":      &s.Secrets,
		"loadBalancer": &s.LoadBalancer,
		"waf":          &s.WAF,
		"alarms":       &s.Alarms,
		"alerts":       &s.Alerts,
		"app":          &s.App,
		"github":       &s.GitHub,
		"dns":          &s.DNS,
		"stateBackend": &s.StateBackend,
		"policy":       &s.Policy,
		"cost":         &s.Cost,
		"budget":       &s.Budget,
	}
}

// ConfigKeys lists every key of the ohmycoins namespace the program reads, sorted.
func ConfigKeys() []string {
	var s Settings
	keys := []string{keyEnvironment, keyNamePrefix, keyRegion, keyAccountID, keyDomain, keyCertificateARN, keyAlertEmails}
	for k := range areas(&s) {
		keys = append(keys, k)
	}
	keys = append(keys, keyServices, service.Backend, service.Frontend)
	for _, sec := range StackSecrets {
		keys = append(keys, sec.Key)
	}
	sort.Strings(keys)
	return keys
}

func load(src configSource, stack string, keys []string) (*Settings, error) {
	p := &problems{stack: stack}

	env, ok := src.get(configKey(keyEnvironment))
	if !ok || env == "" {
		p.addf(keyEnvironment, "is not set: it must be %s or %s (pulumi config set --stack %s %s:%s %s)",
			EnvStaging, EnvProduction, stack, Project, keyEnvironment, EnvStaging)
		return nil, p.err()
	}
	s, ok := Preset(env)
	if !ok {
		p.add(keyEnvironment, env, "must be "+EnvStaging+" or "+EnvProduction)
		return nil, p.err()
	}
	s.Stack = stack

	checkKnownKeys(keys, p)

	if v, ok := src.get(configKey(keyNamePrefix)); ok {
		s.NamePrefix = v
	}
	if v, ok := src.get(configKey(keyRegion)); ok {
		s.Region = v
	}
	if v, ok := src.get(configKey(keyAccountID)); ok {
		s.AccountID = v
	}
	if v, ok := src.get(configKey(keyDomain)); ok {
		s.Site.Domain = v
	}
	if v, ok := src.get(configKey(keyCertificateARN)); ok {
		s.Site.CertificateARN = v
	}
	if v, ok := src.get(configKey(keyAlertEmails)); ok {
		if err := json.Unmarshal([]byte(v), &s.Site.AlertEmails); err != nil {
			p.add(keyAlertEmails, v, `must be a list of e-mail addresses, e.g. ["devops@example.com"]`)
		}
	}

	targets := areas(&s)
	for _, key := range slices.Sorted(slices.Values(append(slices.Collect(maps.Keys(targets)), keyServices, service.Backend, service.Frontend))) {
		raw, ok := src.get(configKey(key))
		switch {
		case !ok:
		case key == keyServices:
			mergeServices(src, []byte(raw), &s, p)
		case key == service.Backend || key == service.Frontend:
			mergeService(key, key, []byte(raw), &s, p)
		default:
			mergeObject(key, []byte(raw), reflect.ValueOf(targets[key]).Elem(), p)
		}
	}

	for _, sec := range StackSecrets {
		key := configKey(sec.Key)
		v, ok := src.get(key)
		if !ok {
			continue
		}
		if !src.isSecret(key) {
			p.addf(sec.Key, "is stored in plain text in Pulumi.%s.yaml: remove it and run %s", stack, sec.SetCommand(stack))
			s.plainSecrets = append(s.plainSecrets, sec.Key)
			continue
		}
		*sec.field(&s.Credentials) = NewSecret(v)
	}

	s.fillDerivedDefaults()
	s.validate(p)
	if err := p.err(); err != nil {
		return nil, err
	}
	return &s, nil
}

// mergeServices merges ohmycoins:services, an object of services by name,
// into the preset's services; the two every stack has may be set here or
// under their own keys (ohmycoins:backend, ohmycoins:frontend), not both. A
// service the preset lacks starts from newService of the role it names.
func mergeServices(src configSource, raw []byte, s *Settings, p *problems) {
	var services map[string]json.RawMessage
	if err := json.Unmarshal(raw, &services); err != nil || services == nil {
		p.add(keyServices, json.RawMessage(raw), `must be an object of services by name, e.g. {"worker": {"role": "worker", "dataAccess": true}}`)
		return
	}
	for _, name := range slices.Sorted(maps.Keys(services)) {
		if _, own := src.get(configKey(name)); own && (name == service.Backend || name == service.Frontend) {
			p.addf(keyServices+"."+name, "is set, and so is %s:%s: set the service in one of them", Project, name)
			continue
		}
		mergeService(keyServices+"."+name, name, services[name], s, p)
	}
}

// mergeService merges one service's object, at key path, into s.Services.
func mergeService(path, name string, raw []byte, s *Settings, p *problems) {
	svc, known := s.Services[name]
	if !known {
		var head struct {
			Role service.Role `json:"role"`
		}
		_ = json.Unmarshal(raw, &head)
		if head.Role == "" {
			p.addf(path+".role", "is not set: a new service needs its role, api, web or worker")
			return
		}
		svc = newService(head.Role)
	}
	value := reflect.New(reflect.TypeOf(svc)).Elem()
	value.Set(reflect.ValueOf(svc))
	mergeObject(path, raw, value, p)
	if s.Services == nil {
		s.Services = map[string]ServiceSettings{}
	}
	s.Services[name] = value.Interface().(ServiceSettings)
}

// fillDerivedDefaults sets the application values that derive from the domain
// when the stack file leaves them empty.
func (s *Settings) fillDerivedDefaults() {
	if s.Site.Domain == "" || settings.CheckDomain(s.Site.Domain) != "" {
		return // a wrong domain is reported once, not again in what derives from it
	}
	if s.App.FirstSuperuser == "" {
		s.App.FirstSuperuser = "admin@" + s.Site.Domain
	}
	if s.App.EmailsFromEmail == "" {
		s.App.EmailsFromEmail = "noreply@" + s.Site.Domain
	}
	if len(s.App.CORSOrigins) == 0 {
		s.App.CORSOrigins = s.FrontendOrigins()
	}
}

func configKey(key string) string { return Project + ":" + key }

// checkKnownKeys refuses keys of the ohmycoins namespace that the program does not read.
func checkKnownKeys(keys []string, p *problems) {
	known := ConfigKeys()
	sorted := append([]string(nil), keys...)
	sort.Strings(sorted)
	for _, full := range sorted {
		key, ok := strings.CutPrefix(full, Project+":")
		if !ok || slices.Contains(known, key) {
			continue
		}
		if area, _, dotted := strings.Cut(key, "."); dotted && slices.Contains(known, area) {
			// A --path key written into the file as it is typed.
			p.addf(key, "is not a setting of this program: the stack file nests a setting under its area (%s:%s: then %s: indented below it), which pulumi config set --path '%s' writes",
				Project, area, strings.TrimPrefix(key, area+"."), full)
			continue
		}
		p.addf(key, "is not a setting of this program%s", suggest(key, known))
	}
}

// retiredKeys are settings an earlier version of the program read, with why
// they went: a stack file that still sets one is told what replaced it.
var retiredKeys = map[string]string{
	"github.createOidcProvider": "the account's GitHub OIDC provider belongs to the account-level program (bootstrap/, docs/RUNBOOK.md \"State backend\"), and every stack references it",
	"backend.image":             imageRetired,
	"frontend.image":            imageRetired,
}

// imageRetired is why a service no longer takes an image reference.
const imageRetired = "services run images only from the stack's own ECR repository, by digest (defect E9): push the image there and set imageDigest to its sha256 digest (docs/RUNBOOK.md, \"Deploying a new image\")"

// mergeObject overrides the fields of dst (a struct) with the keys of the JSON
// object raw, recursing into nested objects. Keys not in the JSON keep their
// value; unknown keys and values of the wrong type are problems, each reported
// with its full key path.
func mergeObject(path string, raw []byte, dst reflect.Value, p *problems) {
	fields := jsonFields(dst.Type())
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil || obj == nil {
		p.add(path, json.RawMessage(raw), "must be an object with the keys "+strings.Join(slices.Sorted(maps.Keys(fields)), ", "))
		return
	}
	for _, k := range slices.Sorted(maps.Keys(obj)) {
		sub := path + "." + k
		index, ok := fields[k]
		if why, retired := retiredKeys[sub]; !ok && retired {
			p.addf(sub, "is no longer a setting: %s; remove it (pulumi config rm --path --stack %s '%s:%s')", why, p.stack, Project, sub)
			continue
		}
		if !ok {
			p.addf(sub, "is not a setting of this program%s", suggest(k, slices.Sorted(maps.Keys(fields))))
			continue
		}
		field := dst.Field(index)
		value := obj[k]
		if field.Kind() == reflect.Struct {
			mergeObject(sub, value, field, p)
			continue
		}
		if field.Kind() == reflect.Map {
			mergeMap(sub, value, field, p)
			continue
		}
		if field.Kind() == reflect.Int {
			if n, rule := wholeNumber(value); rule != "" {
				p.add(sub, value, rule)
			} else {
				field.SetInt(n)
			}
			continue
		}
		fresh := reflect.New(field.Type())
		dec := json.NewDecoder(bytes.NewReader(value))
		if bytes.Equal(bytes.TrimSpace(value), []byte("null")) || dec.Decode(fresh.Interface()) != nil {
			p.add(sub, value, "must be "+describeType(field.Type()))
			continue
		}
		field.Set(fresh.Elem())
	}
}

// wholeNumber reads a whole number however JSON writes it (30, 3e1, 30.0),
// or says why it is not one: not a number, a fraction, or beyond what any
// setting could hold.
func wholeNumber(raw json.RawMessage) (int64, string) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return 0, "must be a whole number"
	}
	n, ok := v.(json.Number)
	if !ok {
		return 0, "must be a whole number"
	}
	if i, err := n.Int64(); err == nil {
		return i, ""
	}
	f, err := n.Float64()
	switch {
	case err != nil || math.Abs(f) >= math.MaxInt64:
		return 0, "is out of range: no setting is anywhere near that large"
	case f != math.Trunc(f):
		return 0, "must be a whole number"
	}
	return int64(f), ""
}

// mergeMap adds the entries of the JSON object raw to the map dst (preset
// entries stay unless the object names them).
func mergeMap(path string, raw []byte, dst reflect.Value, p *problems) {
	fresh := reflect.New(dst.Type())
	if bytes.Equal(bytes.TrimSpace(raw), []byte("null")) || json.Unmarshal(raw, fresh.Interface()) != nil {
		p.add(path, json.RawMessage(raw), "must be "+describeType(dst.Type()))
		return
	}
	if dst.IsNil() {
		dst.Set(reflect.MakeMap(dst.Type()))
	}
	iter := fresh.Elem().MapRange()
	for iter.Next() {
		dst.SetMapIndex(iter.Key(), iter.Value())
	}
}

// jsonFields maps the json tag of each field of struct type t to its index.
func jsonFields(t reflect.Type) map[string]int {
	fields := make(map[string]int, t.NumField())
	for i := range t.NumField() {
		tag, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if tag != "" && tag != "-" {
			fields[tag] = i
		}
	}
	return fields
}

// describeType says in words what JSON a Go type accepts.
func describeType(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Bool:
		return "true or false"
	case reflect.Int:
		return "a whole number"
	case reflect.Float64:
		return "a number"
	case reflect.String:
		return "a string"
	case reflect.Slice:
		return "a list of " + strings.TrimPrefix(describeType(t.Elem()), "a ") + "s"
	case reflect.Map:
		return "an object of " + strings.TrimPrefix(describeType(t.Elem()), "a ") + "s"
	}
	return "a " + t.Kind().String()
}

// suggest names the closest known key when one is near (a typo), else lists them all.
func suggest(key string, known []string) string {
	best, bestDistance := "", 4
	for _, k := range known {
		if d := settings.EditDistance(strings.ToLower(key), strings.ToLower(k)); d < bestDistance {
			best, bestDistance = k, d
		}
	}
	if best != "" {
		return " (did you mean " + best + "?)"
	}
	return " (known: " + strings.Join(known, ", ") + ")"
}
