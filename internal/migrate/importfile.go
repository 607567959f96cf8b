package migrate

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"

	"github.com/ohmycoins/infra/internal/stackplan"
)

// ProviderVersion is the pulumi-aws version the program is built with: the
// import creates the stack's provider with it.
const ProviderVersion = "6.83.4"

// ImportFile is what `pulumi import --file FILE` reads (pulumi/pulumi,
// pkg/cmd/pulumi/operations/import.go, importFile and importSpec): the
// resources to adopt with their ids, under this program's types, logical
// names and parents, the components on the way to them, and the stack's AWS
// provider, which the import creates with the program's configuration so
// that the first `pulumi up` finds it unchanged.
type ImportFile struct {
	Resources []ImportResource `json:"resources"`
}

// ImportResource is one entry of an import file.
type ImportResource struct {
	Type string `json:"type"`
	// Name identifies the entry within the file (parents and providers refer
	// to it); LogicalName is the Pulumi name, where the two differ.
	Name        string `json:"name"`
	LogicalName string `json:"logicalName,omitempty"`
	ID          string `json:"id,omitempty"`
	Parent      string `json:"parent,omitempty"`
	Provider    string `json:"provider,omitempty"`
	Version     string `json:"version,omitempty"`
	Component   bool   `json:"component,omitempty"`
	// Inputs are a provider's configuration.
	Inputs map[string]any `json:"inputs,omitempty"`
}

// JSON is the file's text.
func (f ImportFile) JSON() ([]byte, error) {
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// URNs are the URNs the file's custom resources get in a stack of project.
func (f ImportFile) URNs(plan *stackplan.Plan) []string {
	byName := map[string]ImportResource{}
	for _, r := range f.Resources {
		byName[r.Name] = r
	}
	var out []string
	for _, r := range f.Resources {
		if r.Component || strings.HasPrefix(r.Type, "pulumi:providers:") {
			continue
		}
		out = append(out, urnOf(plan, byName, r))
	}
	return out
}

// urnOf builds an entry's URN the way `pulumi import` does: the types of its
// parents, then its own, and its logical name.
func urnOf(plan *stackplan.Plan, byName map[string]ImportResource, r ImportResource) string {
	types := []string{r.Type}
	for p := r.Parent; p != ""; p = byName[p].Parent {
		types = append([]string{byName[p].Type}, types...)
	}
	name := r.LogicalName
	if name == "" {
		name = r.Name
	}
	return "urn:pulumi:" + plan.Stack + "::" + plan.Project + "::" + strings.Join(types, "$") + "::" + name
}

// importFile lists the adopted resources, with what they need: their provider
// and the components between them and the stack.
func importFile(plan *stackplan.Plan, adopt map[string]*original) ImportFile {
	root := plan.Root().URN
	entries := map[string]bool{}
	for urn := range adopt {
		r, _ := plan.ByURN(urn)
		entries[urn] = true
		entries[r.ProviderURN] = true
		for p := r.Parent; p != "" && p != root; {
			entries[p] = true
			parent, _ := plan.ByURN(p)
			p = parent.Parent
		}
	}
	// An entry's name is its logical name, unless another entry has the same
	// one (the components are all named after the environment): then the
	// name carries its type, which makes it unique (a URN holds both).
	count := map[string]int{}
	for urn := range entries {
		r, _ := plan.ByURN(urn)
		count[r.Name]++
	}
	name := func(r stackplan.Resource) string {
		if count[r.Name] == 1 {
			return r.Name
		}
		return r.Name + "." + strings.ReplaceAll(typeNoun(r.Type), "/", "-") + ":" + r.Type[strings.LastIndex(r.Type, ":")+1:]
	}

	var f ImportFile
	// Providers first, then components parents before children, then the
	// resources: the order a reader follows.
	ordered := slices.Sorted(maps.Keys(entries))
	slices.SortStableFunc(ordered, func(a, b string) int { return rank(plan, a) - rank(plan, b) })
	for _, urn := range ordered {
		r, _ := plan.ByURN(urn)
		e := ImportResource{Type: r.Type, Name: name(r)}
		if e.Name != r.Name {
			e.LogicalName = r.Name
		}
		if r.Parent != "" && r.Parent != root {
			parent, _ := plan.ByURN(r.Parent)
			e.Parent = name(parent)
		}
		switch {
		case strings.HasPrefix(r.Type, "pulumi:providers:"):
			e.Version, e.Inputs = ProviderVersion, r.Inputs
		case !r.Custom:
			e.Component = true
		default:
			provider, _ := plan.ByURN(r.ProviderURN)
			o := adopt[urn]
			e.ID, e.Provider, e.Version = importID(o.pulumiType, o), name(provider), ProviderVersion
		}
		f.Resources = append(f.Resources, e)
	}
	return f
}

// rank orders providers, then components by depth, then resources.
func rank(plan *stackplan.Plan, urn string) int {
	r, _ := plan.ByURN(urn)
	switch {
	case strings.HasPrefix(r.Type, "pulumi:providers:"):
		return 0
	case !r.Custom:
		depth := 1
		for p := r.Parent; p != ""; depth++ {
			parent, _ := plan.ByURN(p)
			p = parent.Parent
		}
		return depth
	}
	return 1000
}
