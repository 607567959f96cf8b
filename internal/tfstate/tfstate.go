// Package tfstate reads what `terraform show -json` prints for the state of an
// original Terraform environment (HashiCorp's JSON output format, format
// version 1.x): every resource of the root module and its child modules, with
// its address, type and attribute values. cmd/migrate builds its import file
// and report from it; nothing here talks to AWS or to Terraform.
//
// A state is refused, with the rule it breaks, when it is not one: a plan
// (terraform show -json PLANFILE), an unknown format version, truncated JSON,
// an empty state, or the state of another environment (account, region or
// name prefix).
package tfstate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strings"
)

// State is one environment's Terraform state.
type State struct {
	FormatVersion    string
	TerraformVersion string
	// Resources are the managed resources and the data sources of every
	// module, in the order terraform show prints them.
	Resources []Resource
}

// Resource is one resource instance of the state.
type Resource struct {
	// Address is Terraform's address, module.rds.aws_db_instance.main or
	// module.vpc.aws_subnet.public[0].
	Address string
	// Mode is managed or data.
	Mode string
	// Type is the Terraform resource type, aws_db_instance.
	Type string
	// Values are the attribute values, Terraform's snake_case names.
	Values map[string]any
	// Sensitive are the top-level attributes Terraform marks sensitive; their
	// values never leave this package's callers in plain text.
	Sensitive map[string]bool
}

// Managed reports whether the resource is managed (not a data source).
func (r Resource) Managed() bool { return r.Mode == "managed" }

// String is the attribute as a string, "" when unset or not a string.
func (r Resource) String(attr string) string {
	s, _ := r.Values[attr].(string)
	return s
}

// Tag is the value of one of the resource's tags.
func (r Resource) Tag(key string) string {
	tags, _ := r.Values["tags"].(map[string]any)
	s, _ := tags[key].(string)
	return s
}

// ARN is the resource's own ARN: its arn attribute, or an id that is one.
func (r Resource) ARN() string {
	if a := r.String("arn"); strings.HasPrefix(a, "arn:") {
		return a
	}
	if id := r.String("id"); strings.HasPrefix(id, "arn:") {
		return id
	}
	return ""
}

// Region and Account are the fields of the resource's own ARN; "" for a
// global service's region, or without an ARN.
func (r Resource) Region() string  { return arnField(r.ARN(), 3) }
func (r Resource) Account() string { return arnField(r.ARN(), 4) }

func arnField(arn string, i int) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return ""
	}
	return parts[i]
}

// Managed returns the managed resources.
func (s *State) Managed() []Resource {
	var out []Resource
	for _, r := range s.Resources {
		if r.Managed() {
			out = append(out, r)
		}
	}
	return out
}

// Data returns the data sources of a type.
func (s *State) Data(typ string) []Resource {
	var out []Resource
	for _, r := range s.Resources {
		if r.Mode == "data" && r.Type == typ {
			out = append(out, r)
		}
	}
	return out
}

// An InputError is a file that is not the state this program can read; the
// message names the file's problem and what to do instead.
type InputError struct{ msg string }

func (e *InputError) Error() string { return e.msg }

// NewInputError returns an InputError with a message.
func NewInputError(msg string) error { return &InputError{msg: msg} }

func inputErrorf(format string, args ...any) error {
	return &InputError{msg: fmt.Sprintf(format, args...)}
}

// The JSON output format: https://developer.hashicorp.com/terraform/internals/json-format
type document struct {
	FormatVersion    string          `json:"format_version"`
	TerraformVersion string          `json:"terraform_version"`
	Values           *values         `json:"values"`
	PlannedValues    json.RawMessage `json:"planned_values"`
	ResourceChanges  json.RawMessage `json:"resource_changes"`
	PriorState       json.RawMessage `json:"prior_state"`
}

type values struct {
	RootModule *module `json:"root_module"`
}

type module struct {
	Address      string     `json:"address"`
	Resources    []resource `json:"resources"`
	ChildModules []module   `json:"child_modules"`
}

type resource struct {
	Address         string         `json:"address"`
	Mode            string         `json:"mode"`
	Type            string         `json:"type"`
	Name            string         `json:"name"`
	Values          map[string]any `json:"values"`
	SensitiveValues map[string]any `json:"sensitive_values"`
}

// Parse reads the output of `terraform show -json` for a state. name is what
// messages call the file.
func Parse(name string, data []byte) (*State, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, inputErrorf("%s is empty: write the state with `terraform show -json > %s` in the environment's directory (after terraform init)", name, name)
	}
	var doc document
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		var syntax *json.SyntaxError
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.As(err, &syntax) {
			return nil, inputErrorf("%s is not complete JSON (%v): a truncated copy? Write it again with `terraform show -json > %s`", name, err, name)
		}
		return nil, inputErrorf("%s is not the JSON of `terraform show -json` (%v)", name, err)
	}
	if dec.More() {
		return nil, inputErrorf("%s holds more than one JSON document: write one state with `terraform show -json > %s`", name, name)
	}
	if doc.PlannedValues != nil || doc.ResourceChanges != nil || doc.PriorState != nil {
		return nil, inputErrorf("%s is a Terraform plan (terraform show -json PLANFILE), not a state: run `terraform show -json` without a plan file, which prints the state", name)
	}
	switch {
	case doc.FormatVersion == "":
		return nil, inputErrorf("%s has no format_version: it is not the output of `terraform show -json`", name)
	case !strings.HasPrefix(doc.FormatVersion, "1."):
		return nil, inputErrorf("%s has format_version %q: this reads format 1.x (Terraform 0.12 to 1.x); write it with such a Terraform", name, doc.FormatVersion)
	}
	state := &State{FormatVersion: doc.FormatVersion, TerraformVersion: doc.TerraformVersion}
	if doc.Values != nil && doc.Values.RootModule != nil {
		state.collect(*doc.Values.RootModule)
	}
	seen := map[string]bool{}
	for _, r := range state.Resources {
		if seen[r.Address] {
			return nil, inputErrorf("%s holds %s twice: `terraform show -json` writes each address once; an edited or merged copy? Write it again with `terraform show -json > %s`", name, r.Address, name)
		}
		seen[r.Address] = true
	}
	if len(state.Managed()) == 0 {
		return nil, inputErrorf("%s holds no resources: the state of an environment that was never applied, or of the wrong directory? Run `terraform show -json` in environments/<environment> after terraform init", name)
	}
	return state, nil
}

func (s *State) collect(m module) {
	for _, r := range m.Resources {
		sensitive := map[string]bool{}
		for k, v := range r.SensitiveValues {
			if b, ok := v.(bool); ok && b {
				sensitive[k] = true
			}
		}
		s.Resources = append(s.Resources, Resource{Address: r.Address, Mode: r.Mode, Type: r.Type, Values: r.Values, Sensitive: sensitive})
	}
	for _, child := range m.ChildModules {
		s.collect(child)
	}
}

// Environment is what a state must belong to.
type Environment struct {
	AccountID, Region, NamePrefix string
}

// Check refuses a state of another environment: a resource ARN of another
// account or region, or names that carry another name prefix and none that
// carries this one.
func (s *State) Check(name string, env Environment) error {
	accounts, regions := map[string][]string{}, map[string][]string{}
	for _, r := range s.Managed() {
		if a := r.Account(); a != "" && a != "aws" {
			accounts[a] = append(accounts[a], r.Address)
		}
		if region := r.Region(); region != "" {
			regions[region] = append(regions[region], r.Address)
		}
	}
	for _, account := range slices.Sorted(maps.Keys(accounts)) {
		if env.AccountID != "" && account != env.AccountID {
			return inputErrorf("%s belongs to account %s (%s is %s), not to this stack's account %s (ohmycoins:accountId): the state of another account",
				name, account, accounts[account][0], s.arnOf(accounts[account][0]), env.AccountID)
		}
	}
	for _, region := range slices.Sorted(maps.Keys(regions)) {
		if region != env.Region {
			return inputErrorf("%s holds resources in %s (%s), not in this stack's region %s: the state of another environment",
				name, region, regions[region][0], env.Region)
		}
	}
	ours, others := 0, map[string]int{}
	for _, r := range s.Managed() {
		for _, n := range names(r) {
			if strings.HasPrefix(n, env.NamePrefix+"-") || n == env.NamePrefix {
				ours++
			} else if p, ok := otherPrefix(n, env.NamePrefix); ok {
				others[p]++
			}
		}
	}
	if ours == 0 {
		found := "no ohmycoins names at all"
		if len(others) > 0 {
			keys := slices.Collect(maps.Keys(others))
			sort.Slice(keys, func(i, j int) bool {
				return others[keys[i]] > others[keys[j]] || others[keys[i]] == others[keys[j]] && keys[i] < keys[j]
			})
			found = "names of " + keys[0] + "-..."
		}
		return inputErrorf("%s has no resource named %s-...: it holds %s. The state of another environment? Pull the state of environments/%s",
			name, env.NamePrefix, found, strings.TrimPrefix(env.NamePrefix, "ohmycoins-"))
	}
	return nil
}

// arnOf is the ARN of the resource at an address.
func (s *State) arnOf(address string) string {
	for _, r := range s.Resources {
		if r.Address == address {
			return r.ARN()
		}
	}
	return ""
}

// names are the values that name a resource in AWS.
func names(r Resource) []string {
	var out []string
	for _, attr := range []string{"name", "identifier", "replication_group_id", "family", "alarm_name"} {
		if v := r.String(attr); v != "" {
			out = append(out, strings.TrimPrefix(v, "/"))
		}
	}
	if v := r.Tag("Name"); v != "" {
		out = append(out, v)
	}
	return out
}

// otherPrefix reports the ohmycoins-<environment> prefix a name carries when
// it is not ours.
func otherPrefix(name, ours string) (string, bool) {
	project, _, ok := strings.Cut(ours, "-")
	if !ok {
		return "", false
	}
	rest, ok := strings.CutPrefix(name, project+"-")
	if !ok {
		return "", false
	}
	env, _, ok := strings.Cut(rest, "-")
	if !ok || env == "" {
		return "", false
	}
	return project + "-" + env, true
}
