// Package stackplan is the plan of a stack: every resource a program
// registers under the mock cloud, with its inputs, the outputs the cloud
// answered, its options and dependencies. It owns the JSON contracts other
// tools read (the plan, and the diff between two plans: what `pulumi up`
// would do to a stack deployed from the older one, with the provider's
// replacement rules) and the renderings people read (a tree like `pulumi
// preview`, the diff as text, a Mermaid diagram). docs/ARCHITECTURE.md
// documents the contracts.
package stackplan

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/ohmycoins/infra/internal/mockcloud"
	"github.com/ohmycoins/infra/internal/replacement"
)

// Plan is what a stack would create: the JSON contract other tools read
// (docs/ARCHITECTURE.md). Field names and their meaning are stable; resources
// are sorted by URN, and secrets appear only as "[secret]".
type Plan struct {
	Project   string         `json:"project"`
	Stack     string         `json:"stack"`
	Resources []Resource     `json:"resources"`
	Outputs   map[string]any `json:"outputs"`
	// CostBasis is what the stack's cost estimate reads besides the
	// resources; it travels with the plan so that a diff against an older
	// plan prices that side as it was priced then. Absent from plans made
	// before 2026-12-04 and from the bootstrap program's.
	CostBasis *CostBasis `json:"costBasis,omitempty"`
}

// CostBasis is what internal/cost prices a plan with besides its resources:
// the price table's values, the stack's usage assumptions (ohmycoins:cost)
// and the task counts of services that wait for their first image, which the
// plan cannot show because such a service runs no task yet.
type CostBasis struct {
	// PricedAt is the price table's date.
	PricedAt string `json:"pricedAt"`
	// Prices are the table's prices in USD, by key (internal/cost/prices.json).
	Prices map[string]float64 `json:"prices"`
	// Assumptions are the usage assumptions, by their ohmycoins:cost key.
	Assumptions map[string]float64 `json:"assumptions"`
	// AwaitingImage are the ECS services, by name, that run no task until
	// their image is set, with the tasks they start then.
	AwaitingImage map[string]Tasks `json:"awaitingImage,omitempty"`
}

// Tasks is a service's task count once it runs: Count, or with autoscaling
// Count as its minimum and Max as its maximum.
type Tasks struct {
	Count int `json:"count"`
	Max   int `json:"max,omitempty"`
}

// Resource is one registration in a Plan.
type Resource struct {
	URN            string   `json:"urn"`
	Type           string   `json:"type"`
	Name           string   `json:"name"`
	Custom         bool     `json:"custom"`
	Parent         string   `json:"parent"`
	Dependencies   []string `json:"dependencies"`
	Protect        bool     `json:"protect"`
	RetainOnDelete bool     `json:"retainOnDelete"`
	// DeleteBeforeReplace is the program's option: null where the program
	// leaves the order to the provider (ProviderDeletesFirst of
	// internal/replacement then decides).
	DeleteBeforeReplace *bool          `json:"deleteBeforeReplace"`
	IgnoreChanges       []string       `json:"ignoreChanges"`
	Inputs              map[string]any `json:"inputs"`
	Outputs             map[string]any `json:"outputs"`
	// PropertyDependencies name, per input, the resources whose outputs the
	// input was built from: when one of them is replaced, the input is unknown
	// until the apply, which the diff needs to know.
	PropertyDependencies map[string][]string `json:"propertyDependencies"`
	// ProviderURN is the provider resource that manages this one ("" for
	// components): replacing a provider replaces everything it manages.
	ProviderURN string `json:"provider"`
	// Import is the physical id of an existing resource the program adopts
	// (the import resource option) instead of creating it; "" otherwise.
	Import string `json:"import"`
	// SecretDigests fingerprint, per input holding a secret, the value the
	// preview saw, so that a diff can tell a changed secret from an unchanged
	// one without showing either. Offline the stack secrets are placeholders,
	// so the digest covers only the settings mixed into the secret.
	SecretDigests map[string]string `json:"secretDigests"`

	// ID and Provider (the provider reference, urn::id, the resource was
	// registered with) are not part of the JSON contract; policy tests use them.
	ID       string `json:"-"`
	Provider string `json:"-"`
}

// Secret and Unknown are how a plan shows values it must not or cannot show.
const (
	Secret  = "[secret]"
	Unknown = "[unknown]"
)

// RootType is the type of the stack resource every plan starts with.
const RootType = string(resource.RootStackType)

// New builds the plan of one run from the mock cloud's registrations and
// the stack outputs; secret outputs become "[secret]", unknown ones "[unknown]".
func New(project, stack string, regs []mockcloud.Registration, exports map[string]mockcloud.Export) (*Plan, error) {
	outputs := map[string]any{}
	for name, e := range exports {
		switch {
		case e.Secret:
			outputs[name] = Secret
		case !e.Known:
			outputs[name] = Unknown
		default:
			v, err := jsonRoundTrip(e.Value)
			if err != nil {
				return nil, fmt.Errorf("stack output %s: %w", name, err)
			}
			outputs[name] = v
		}
	}
	root := string(resource.CreateURN(project+"-"+stack, RootType, "", project, stack))
	plan := &Plan{
		Project: project,
		Stack:   stack,
		Outputs: outputs,
		Resources: []Resource{{
			URN: root, Type: RootType, Name: project + "-" + stack,
			Dependencies: []string{}, IgnoreChanges: []string{},
			Inputs: map[string]any{}, Outputs: map[string]any{},
			PropertyDependencies: map[string][]string{}, SecretDigests: map[string]string{},
		}},
	}
	for _, r := range regs {
		plan.Resources = append(plan.Resources, Resource{
			URN:                  r.URN,
			Type:                 r.Type,
			Name:                 r.Name,
			Custom:               r.Custom,
			Parent:               r.Parent,
			Dependencies:         nonNil(r.Dependencies),
			Protect:              r.Protect,
			RetainOnDelete:       r.RetainOnDelete,
			DeleteBeforeReplace:  r.DeleteBeforeReplace,
			IgnoreChanges:        nonNil(r.IgnoreChanges),
			Inputs:               plainMap(r.Inputs),
			Outputs:              plainMap(r.Outputs),
			PropertyDependencies: nonNilMap(r.PropertyDependencies),
			ProviderURN:          providerURN(r.Provider),
			Import:               r.Import,
			SecretDigests:        secretDigests(r.Inputs),
			ID:                   r.ID,
			Provider:             r.Provider,
		})
	}
	sort.Slice(plan.Resources, func(i, j int) bool { return plan.Resources[i].URN < plan.Resources[j].URN })
	return plan, nil
}

// jsonRoundTrip turns a Go value into the plain JSON value a reader of the plan
// gets ([]string becomes []any), so a plan in memory equals the plan read back.
func jsonRoundTrip(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var out any
	err = json.Unmarshal(b, &out)
	return out, err
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func nonNilMap(m map[string][]string) map[string][]string {
	if m == nil {
		return map[string][]string{}
	}
	return m
}

// providerURN is the URN part of a provider reference, urn::id: the id
// follows the last "::" (a URN holds "::" itself).
func providerURN(ref string) string {
	if i := strings.LastIndex(ref, "::"); i > 0 && strings.HasPrefix(ref, "urn:") {
		return ref[:i]
	}
	return ""
}

// secretDigests fingerprints each input that holds a secret: 16 hex digits of
// a SHA-256 over its revealed value.
func secretDigests(m resource.PropertyMap) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		if strings.HasPrefix(string(k), "__") || !v.ContainsSecrets() {
			continue
		}
		b, err := json.Marshal(reveal(v))
		if err != nil {
			continue
		}
		sum := sha256.Sum256(b)
		out[string(k)] = "sha256:" + hex.EncodeToString(sum[:8])
	}
	return out
}

// reveal is plain without hiding secrets: for fingerprints only, never printed.
func reveal(v resource.PropertyValue) any {
	switch {
	case v.IsSecret():
		return reveal(v.SecretValue().Element)
	case v.IsComputed():
		return Unknown
	case v.IsOutput():
		if !v.OutputValue().Known {
			return Unknown
		}
		return reveal(v.OutputValue().Element)
	case v.IsArray():
		arr := v.ArrayValue()
		out := make([]any, len(arr))
		for i, e := range arr {
			out[i] = reveal(e)
		}
		return out
	case v.IsObject():
		out := map[string]any{}
		for k, e := range v.ObjectValue() {
			out[string(k)] = reveal(e)
		}
		return out
	}
	return plain(v)
}

// JSON renders the plan in the contract's form; the same plan gives the same bytes.
func (p *Plan) JSON() ([]byte, error) {
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// ReadPlan parses a plan written by JSON.
func ReadPlan(data []byte) (*Plan, error) {
	var p Plan
	if err := json.Unmarshal(data, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// jsonProblem says what a JSON decoding error means, in the file's terms
// rather than Go's.
func jsonProblem(err error) string {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax) && strings.Contains(syntax.Error(), "unexpected end"):
		return "the JSON ends too early (a truncated file?)"
	case errors.As(err, &syntax):
		return fmt.Sprintf("invalid JSON at byte %d", syntax.Offset)
	case errors.As(err, &typ):
		where := typ.Field
		if where == "" {
			where = "the document"
		}
		return fmt.Sprintf("%s is a JSON %s where a plan has %s", where, typ.Value, jsonKind(typ.Type.Kind().String()))
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "the JSON ends too early (a truncated file?)"
	}
	return err.Error()
}

func jsonKind(goKind string) string {
	switch goKind {
	case "struct", "map", "ptr":
		return "an object"
	case "slice", "array":
		return "a list"
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	}
	return "a number"
}

// ReadPlanOf parses a plan that must be one of project/stack, as -diff needs
// its old plan: anything else (not JSON, null, {}, a plan without its stack
// resource, duplicate URNs, another stack's or project's plan) is an error
// that says what is wrong.
func ReadPlanOf(data []byte, project, stack string) (*Plan, error) {
	var p *Plan
	if err := json.Unmarshal(data, &p); err != nil {
		return nil, fmt.Errorf("is not a JSON plan (want the output of cmd/preview -json): %s", jsonProblem(err))
	}
	switch {
	case p == nil:
		return nil, fmt.Errorf("is null, not a plan: want the output of cmd/preview -json")
	case p.Project == "" || p.Stack == "" || p.Resources == nil:
		return nil, fmt.Errorf("is not a plan: it lacks project, stack or resources (want the output of cmd/preview -json)")
	case p.Project != project:
		return nil, fmt.Errorf("is a plan of project %q, not of %q", p.Project, project)
	case p.Stack != stack:
		return nil, fmt.Errorf("is the plan of stack %q: -diff compares two plans of stack %q", p.Stack, stack)
	}
	prefix := "urn:pulumi:" + stack + "::" + project + "::"
	seen := map[string]bool{}
	root := false
	for i, r := range p.Resources {
		switch {
		case r.URN == "" || r.Type == "":
			return nil, fmt.Errorf("resource %d has no urn or type", i)
		case !strings.HasPrefix(r.URN, prefix):
			return nil, fmt.Errorf("resource %s is not of stack %s of project %s", r.URN, stack, project)
		case seen[r.URN]:
			return nil, fmt.Errorf("lists %s twice", r.URN)
		}
		seen[r.URN] = true
		root = root || r.Type == RootType
	}
	if !root {
		return nil, fmt.Errorf("has no %s resource: not a whole plan", RootType)
	}
	return p, nil
}

// Root is the stack resource.
func (p *Plan) Root() Resource {
	for _, r := range p.Resources {
		if r.Type == RootType {
			return r
		}
	}
	return Resource{}
}

// OfType returns the resources of one type, sorted by URN.
func (p *Plan) OfType(typ string) []Resource {
	var out []Resource
	for _, r := range p.Resources {
		if r.Type == typ {
			out = append(out, r)
		}
	}
	return out
}

// Named returns the resource of a type with a logical name.
func (p *Plan) Named(typ, name string) (Resource, bool) {
	for _, r := range p.Resources {
		if r.Type == typ && r.Name == name {
			return r, true
		}
	}
	return Resource{}, false
}

// ByURN returns the resource with a URN.
func (p *Plan) ByURN(urn string) (Resource, bool) {
	i := sort.Search(len(p.Resources), func(i int) bool { return p.Resources[i].URN >= urn })
	if i < len(p.Resources) && p.Resources[i].URN == urn {
		return p.Resources[i], true
	}
	return Resource{}, false
}

// Children returns the resources whose parent is urn, sorted by URN.
func (p *Plan) Children(urn string) []Resource {
	var out []Resource
	for _, r := range p.Resources {
		if r.Parent == urn && r.URN != urn {
			out = append(out, r)
		}
	}
	return out
}

// plainMap converts a property map to plain JSON values.
func plainMap(m resource.PropertyMap) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if strings.HasPrefix(string(k), "__") {
			continue // engine bookkeeping such as __defaults
		}
		out[string(k)] = plain(v)
	}
	return out
}

// plain converts one property value to a plain JSON value. Secrets become
// "[secret]" at the outermost level they occur (Mappable would leak them).
func plain(v resource.PropertyValue) any {
	switch {
	case v.IsSecret():
		return Secret
	case v.IsComputed():
		return Unknown
	case v.IsOutput():
		o := v.OutputValue()
		switch {
		case o.Secret:
			return Secret
		case !o.Known:
			return Unknown
		}
		return plain(o.Element)
	case v.IsNull():
		return nil
	case v.IsBool():
		return v.BoolValue()
	case v.IsNumber():
		return v.NumberValue()
	case v.IsString():
		return v.StringValue()
	case v.IsArray():
		arr := v.ArrayValue()
		out := make([]any, len(arr))
		for i, e := range arr {
			out[i] = plain(e)
		}
		return out
	case v.IsObject():
		return plainMap(v.ObjectValue())
	case v.IsResourceReference():
		return string(v.ResourceReferenceValue().URN)
	case v.IsAsset():
		a := v.AssetValue()
		return map[string]any{"asset": a.Path + a.URI, "hash": a.Hash}
	case v.IsArchive():
		a := v.ArchiveValue()
		return map[string]any{"archive": a.Path + a.URI, "hash": a.Hash}
	}
	return nil
}

// DeletesFirst reports whether a replacement of the resource deletes the
// original before it creates the new one: the program's deleteBeforeReplace
// where it set it, the provider's own rule (internal/replacement) where not,
// as the engine decides (pulumi/pulumi pkg/resource/deploy/step_generator.go).
func (r Resource) DeletesFirst(rules *replacement.Table) bool {
	if r.DeleteBeforeReplace != nil {
		return *r.DeleteBeforeReplace
	}
	return rules.ProviderDeletesFirst(r.Type, r.Inputs)
}
