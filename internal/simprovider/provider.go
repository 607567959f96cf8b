// Package simprovider is the stand-in for the pulumi-aws (and pulumi-docker)
// provider plugin: it answers the real Pulumi engine over the provider
// protocol against a simulated account (internal/simaws) instead of AWS, so
// that Pulumi itself decides what an update, a replacement, a deletion or an
// import does. Check, Diff and the replacement order follow the pulumi-aws
// bridge as internal/replacement records it; Create, Update, Delete and Read
// act on the account with its refusals. It never reads credentials and never
// opens a network connection, and says it is a stand-in on every run.
package simprovider

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"reflect"
	"slices"
	"sort"

	"github.com/blang/semver"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"

	"github.com/ohmycoins/infra/internal/awstype"
	"github.com/ohmycoins/infra/internal/mockcloud"
	"github.com/ohmycoins/infra/internal/replacement"
	"github.com/ohmycoins/infra/internal/simaws"
)

// AccountEnv names the directory of the simulated account the plugin acts on.
const AccountEnv = "OHMYCOINS_SIMULATED_ACCOUNT"

// Notice is what the plugin says of itself: on its standard error when it
// starts (the engine's log), in its schema and in its refusals.
const Notice = "STAND-IN: simulated AWS account (ohmycoins internal/simprovider), not AWS"

// Provider is one instance of the plugin: one provider resource of a stack.
type Provider struct {
	plugin.UnimplementedProvider

	pkg     string
	version semver.Version
	account *simaws.Account
	region  string
}

// New is a provider of a package (aws, docker) at the version the program's
// SDK asks for, acting on the account in dir.
func New(pkg, version, dir string) (*Provider, error) {
	if dir == "" {
		return nil, fmt.Errorf("%s: %s is not set: the stand-in provider acts only on a simulated account directory", Notice, AccountEnv)
	}
	account, err := simaws.Open(dir)
	if err != nil {
		return nil, err
	}
	return &Provider{pkg: pkg, version: semver.MustParse(version), account: account, region: "ap-southeast-2"}, nil
}

// FromEnvironment is New for the account AccountEnv names.
func FromEnvironment(pkg, version string) (*Provider, error) {
	return New(pkg, version, os.Getenv(AccountEnv))
}

// GetPluginInfo reports the version the program's SDK pins.
func (p *Provider) GetPluginInfo(context.Context) (plugin.PluginInfo, error) {
	v := p.version
	return plugin.PluginInfo{Version: &v}, nil
}

// GetSchema has no schema to give: the program's SDK is compiled in.
func (p *Provider) GetSchema(context.Context, plugin.GetSchemaRequest) (plugin.GetSchemaResponse, error) {
	return plugin.GetSchemaResponse{Schema: []byte(`{"name":"` + p.pkg + `","version":"` + p.version.String() + `","description":"` + Notice + `"}`)}, nil
}

// CheckConfig accepts the provider's configuration as given.
func (p *Provider) CheckConfig(_ context.Context, req plugin.CheckConfigRequest) (plugin.CheckConfigResponse, error) {
	return plugin.CheckConfigResponse{Properties: req.News}, nil
}

// DiffConfig replaces the provider when its region changes, as pulumi-aws
// does, and updates it for any other change.
func (p *Provider) DiffConfig(_ context.Context, req plugin.DiffConfigRequest) (plugin.DiffConfigResponse, error) {
	changed := changedKeys(req.OldInputs, req.NewInputs, req.IgnoreChanges)
	if len(changed) == 0 {
		return plugin.DiffResult{Changes: plugin.DiffNone}, nil
	}
	d := plugin.DiffResult{Changes: plugin.DiffSome, ChangedKeys: changed}
	if slices.Contains(changed, "region") {
		d.ReplaceKeys = []resource.PropertyKey{"region"}
	}
	return d, nil
}

// Configure takes the region, and refuses an account the configuration does
// not allow, as pulumi-aws refuses credentials of another account.
func (p *Provider) Configure(_ context.Context, req plugin.ConfigureRequest) (plugin.ConfigureResponse, error) {
	if v, ok := req.Inputs["region"]; ok && v.IsString() && v.StringValue() != "" {
		p.region = v.StringValue()
	}
	settings, err := p.account.Settings()
	if err != nil {
		return plugin.ConfigureResponse{}, err
	}
	if v, ok := req.Inputs["allowedAccountIds"]; ok {
		var allowed []string
		switch {
		case v.IsString() && v.StringValue() != "": // a list input of a provider may come as JSON
			if err := json.Unmarshal([]byte(v.StringValue()), &allowed); err != nil {
				allowed = []string{v.StringValue()}
			}
		case v.IsArray():
			for _, e := range v.ArrayValue() {
				if e.IsString() {
					allowed = append(allowed, e.StringValue())
				}
			}
		}
		if len(allowed) > 0 && !slices.Contains(allowed, settings.ID) {
			return plugin.ConfigureResponse{}, fmt.Errorf("AWS account ID not allowed: %s (allowed: %v) [%s]", settings.ID, allowed, Notice)
		}
	}
	return plugin.ConfigureResponse{}, nil
}

// Check accepts the inputs as given and, as the bridge does, lists in
// __defaults the inputs it filled. The one default it applies is the
// bridge's autoname: an auto-named field (internal/replacement's AutoNamed)
// the program left unset gets the logical name and seven random hex digits,
// kept from the previous check so that it does not change by itself. The
// schema's other defaults are not applied (docs/ARCHITECTURE.md).
func (p *Provider) Check(_ context.Context, req plugin.CheckRequest) (plugin.CheckResponse, error) {
	news := req.News.Copy()
	if _, ok := news[defaultsKey]; ok {
		return plugin.CheckResponse{Properties: news}, nil
	}
	var filled []resource.PropertyValue
	if field, ok := replacement.MustLoad().AutoNamed(string(req.Type)); ok && p.pkg == "aws" {
		key := resource.PropertyKey(field)
		if v, set := news[key]; (!set || v.IsNull()) && !news.HasValue("namePrefix") {
			news[key] = autoname(req.Name, req.Olds, key, req.RandomSeed)
			filled = append(filled, resource.NewStringProperty(field))
		}
	}
	news[defaultsKey] = resource.NewArrayProperty(filled)
	return plugin.CheckResponse{Properties: news}, nil
}

// autoname is the bridge's name for an auto-named field: the one the last
// check gave (where it filled it), or the logical name and seven hex digits
// drawn from the engine's random seed.
func autoname(name string, olds resource.PropertyMap, key resource.PropertyKey, seed []byte) resource.PropertyValue {
	if old, ok := olds[key]; ok && old.IsString() && olds[defaultsKey].IsArray() {
		for _, d := range olds[defaultsKey].ArrayValue() {
			if d.IsString() && d.StringValue() == string(key) {
				return old
			}
		}
	}
	sum := sha256.Sum256(append([]byte(name), seed...))
	return resource.NewStringProperty(name + "-" + hex.EncodeToString(sum[:])[:7])
}

// Diff answers what changes, what forces a replacement (internal/replacement)
// and whether the replacement deletes first.
func (p *Provider) Diff(_ context.Context, req plugin.DiffRequest) (plugin.DiffResult, error) {
	prior := priorState(req.OldInputs, req.OldOutputs)
	changed := changedKeys(prior, req.NewInputs, req.IgnoreChanges)
	if len(changed) == 0 {
		return plugin.DiffResult{Changes: plugin.DiffNone}, nil
	}
	d := plugin.DiffResult{Changes: plugin.DiffSome, ChangedKeys: changed}
	ty, ok := replacement.MustLoad().Lookup(string(req.Type))
	if !ok {
		return d, fmt.Errorf("%s: no replacement rules for %s in internal/replacement/replacements.json", Notice, req.Type)
	}
	isChanged := func(key string) bool { return slices.Contains(changed, resource.PropertyKey(key)) }
	old, new := mappable(prior), mappable(req.NewInputs)
	var because []string
	if !ty.HasUpdate {
		for _, k := range changed {
			because = append(because, string(k))
		}
	} else {
		because = ty.ReplaceBecause(old, new, isChanged)
		for _, path := range ty.ReplaceOnChanges {
			// An input still unknown may change: the provider replaces.
			if isChanged(path) && unknown(req.NewInputs[resource.PropertyKey(path)]) && !slices.Contains(because, path) {
				because = append(because, path)
			}
		}
	}
	for _, k := range because {
		d.ReplaceKeys = append(d.ReplaceKeys, resource.PropertyKey(k))
	}
	if len(d.ReplaceKeys) > 0 {
		d.DeleteBeforeReplace = DeleteBeforeReplace(string(req.Type), req.NewInputs)
	}
	return d, nil
}

// priorState is what the bridge diffs the program's inputs against: the
// state the provider last reported (its outputs) for every input the
// resource had, so that a value AWS holds other than the program asked (a
// restore under the snapshot's key, a deployment rolled back, drift that a
// refresh read) shows as a change.
func priorState(inputs, outputs resource.PropertyMap) resource.PropertyMap {
	out := inputs.Copy()
	for k := range inputs {
		if v, ok := outputs[k]; ok && k != defaultsKey {
			out[k] = v
		}
	}
	return out
}

// DeleteBeforeReplace is the provider's answer to whether a replacement
// deletes first: internal/replacement's ProviderDeletesFirst, on the checked inputs.
func DeleteBeforeReplace(typ string, news resource.PropertyMap) bool {
	return replacement.MustLoad().ProviderDeletesFirst(typ, mappable(news))
}

// defaultsKey is where the bridge's Check lists the inputs it filled.
const defaultsKey resource.PropertyKey = "__defaults"

// Create creates the resource in the account; a preview answers with the
// inputs and leaves what AWS computes unknown.
func (p *Provider) Create(_ context.Context, req plugin.CreateRequest) (plugin.CreateResponse, error) {
	if req.Preview {
		return plugin.CreateResponse{Properties: req.Properties}, nil
	}
	r, err := p.account.Create(string(req.Type), req.Name, p.region, req.Properties)
	if err != nil {
		return plugin.CreateResponse{Status: resource.StatusOK}, err
	}
	return plugin.CreateResponse{ID: resource.ID(r.ID), Properties: outputs(r, req.Properties), Status: resource.StatusOK}, nil
}

// Update changes the resource in place.
func (p *Provider) Update(_ context.Context, req plugin.UpdateRequest) (plugin.UpdateResponse, error) {
	if req.Preview {
		// What an update plans: the new inputs over the state, so what AWS
		// computed at the creation (an ARN, an endpoint) stays known, as the
		// bridge plans it; an unknown here would cascade into every resource
		// that reads it. Only what the provider's CustomizeDiff recomputes
		// (the catalog's PlannedUnknown) is unknown.
		planned := req.OldOutputs.Copy()
		for k, v := range req.NewInputs {
			planned[k] = v
		}
		entry, _ := awstype.Lookup(string(req.Type))
		for output, inputs := range entry.PlannedUnknown {
			for _, in := range inputs {
				if key := resource.PropertyKey(in); !req.OldInputs[key].DeepEquals(req.NewInputs[key]) {
					planned[resource.PropertyKey(output)] = resource.MakeComputed(resource.NewStringProperty(""))
				}
			}
		}
		return plugin.UpdateResponse{Properties: planned}, nil
	}
	// The provider sends only what its plan changes against the prior state
	// (the bridge's diff of the state's outputs, without the ignored
	// properties): an input the update leaves alone keeps what AWS holds,
	// such as a desired count autoscaling moved.
	inputs := req.NewInputs.Copy()
	current, exists, err := p.account.Get(p.region, string(req.Type), string(req.ID), arnOf(req.OldOutputs))
	if err != nil {
		return plugin.UpdateResponse{Status: resource.StatusOK}, err
	}
	for k, v := range req.NewInputs {
		held, ok := current.Inputs[string(k)]
		if exists && ok && (req.OldOutputs[k].DeepEquals(v) || slices.Contains(req.IgnoreChanges, string(k))) {
			inputs[k] = resource.NewPropertyValue(held)
			if v.IsSecret() {
				inputs[k] = resource.MakeSecret(inputs[k])
			}
		}
	}
	r, err := p.account.Update(p.region, string(req.Type), string(req.ID), arnOf(req.OldOutputs), inputs)
	if err != nil {
		return plugin.UpdateResponse{Status: resource.StatusOK}, err
	}
	return plugin.UpdateResponse{Properties: outputs(r, req.NewInputs), Status: resource.StatusOK}, nil
}

// Delete deletes the resource, or fails as AWS refuses.
func (p *Provider) Delete(_ context.Context, req plugin.DeleteRequest) (plugin.DeleteResponse, error) {
	return plugin.DeleteResponse{Status: resource.StatusOK}, p.account.Delete(p.region, string(req.Type), string(req.ID), arnOf(req.Outputs))
}

// Read serves pulumi refresh and pulumi import: the resource as the account
// holds it, or nothing when it is gone.
func (p *Provider) Read(_ context.Context, req plugin.ReadRequest) (plugin.ReadResponse, error) {
	r, ok, err := p.account.Get(p.region, string(req.Type), string(req.ID), arnOf(req.State))
	if err != nil || !ok {
		return plugin.ReadResponse{Status: resource.StatusOK}, err
	}
	in := resource.NewPropertyMapFromMap(r.Inputs)
	return plugin.ReadResponse{ReadResult: plugin.ReadResult{
		ID: resource.ID(r.ID), Inputs: in, Outputs: outputs(r, in),
	}, Status: resource.StatusOK}, nil
}

// Invoke answers the data sources the programs call.
func (p *Provider) Invoke(_ context.Context, req plugin.InvokeRequest) (plugin.InvokeResponse, error) {
	env, err := p.account.Env(p.region)
	if err != nil {
		return plugin.InvokeResponse{}, err
	}
	if settings, err := p.account.Settings(); err != nil || settings.Down(p.region, string(req.Tok)) != nil {
		return plugin.InvokeResponse{}, errors.Join(err, settings.Down(p.region, string(req.Tok)))
	}
	out, err := mockcloud.Invoke(env, string(req.Tok), req.Args)
	return plugin.InvokeResponse{Properties: out}, err
}

// outputs are a resource's outputs as the engine takes them: the account's,
// with the inputs that were secret kept secret.
func outputs(r simaws.Resource, inputs resource.PropertyMap) resource.PropertyMap {
	out := resource.NewPropertyMapFromMap(r.Outputs)
	for k, v := range inputs {
		if v.ContainsSecrets() {
			if o, ok := out[k]; ok {
				out[k] = resource.MakeSecret(o)
			}
		}
	}
	return out
}

// changedKeys are the top-level inputs that differ, sorted, leaving out the
// ignored ones; an unknown new value counts as changed.
func changedKeys(olds, news resource.PropertyMap, ignore []string) []resource.PropertyKey {
	keys := map[resource.PropertyKey]bool{}
	for k := range olds {
		keys[k] = true
	}
	for k := range news {
		keys[k] = true
	}
	var out []resource.PropertyKey
	for k := range keys {
		if slices.Contains(ignore, string(k)) || k == "__defaults" {
			continue
		}
		o, n := olds[k], news[k]
		if unknown(n) || !reflect.DeepEqual(plainOf(o), plainOf(n)) {
			out = append(out, k)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

func unknown(v resource.PropertyValue) bool {
	return v.ContainsUnknowns()
}

// plainOf is a value as the bridge diffs it: without secretness, which the
// engine tracks apart (a refresh reads a secret input's value back plain).
func plainOf(v resource.PropertyValue) any {
	if v.IsNull() {
		return nil
	}
	return mappable(resource.PropertyMap{"v": v})["v"]
}

func mappable(m resource.PropertyMap) map[string]any {
	return m.MapRepl(nil, func(v resource.PropertyValue) (any, bool) {
		if v.IsSecret() {
			return resource.PropertyMap{"v": v.SecretValue().Element}.Mappable()["v"], true
		}
		return nil, false
	})
}

// arnOf is the ARN a resource's state records, "" when none.
func arnOf(m resource.PropertyMap) string {
	if v, ok := m["arn"]; ok && v.IsString() {
		return v.StringValue()
	}
	return ""
}
