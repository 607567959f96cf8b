// Package replacement knows, offline, what the AWS provider does when an input
// changes: update the resource in place, or replace it (create a new one and
// delete the old). The knowledge is data, replacements.json, read from the
// upstream provider's source with its provenance recorded per type, plus the
// inputs AWS cannot hold twice, which decide whether Pulumi's
// create-before-delete replacement can succeed at all.
//
// The offline diff (internal/stackplan) classifies every changed resource with
// it, as `pulumi preview` would, so a pull request from a fork, which has no
// credentials, still shows that a change replaces the production database.
package replacement

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
)

//go:embed replacements.json
var data []byte

// Table is replacements.json: the rules of every resource type the programs register.
type Table struct {
	About      string            `json:"about"`
	Provenance map[string]string `json:"provenance"`
	Types      map[string]Type   `json:"types"`
}

// Type is what forces a replacement of one resource type, and what a
// replacement collides with.
type Type struct {
	Source Source `json:"source"`
	// Kind is sdkv2, framework or native: where the rule is declared.
	Kind      string `json:"kind"`
	HasUpdate bool   `json:"hasUpdate"`
	// HoldsData says what a deletion or replacement loses ("the database"):
	// a replacement starts empty. Empty for resources that hold only configuration.
	HoldsData string `json:"holdsData,omitempty"`
	// ReplaceOnChanges are the input paths (dot-separated Pulumi names, arrays
	// traversed) whose change always replaces the resource.
	ReplaceOnChanges []string `json:"replaceOnChanges"`
	// Conditional are inputs whose change replaces the resource only under a
	// condition the provider checks (a downgrade, say).
	Conditional []Conditional `json:"conditional,omitempty"`
	// NameProperty is the input that names the resource in AWS.
	NameProperty string `json:"nameProperty,omitempty"`
	// UniqueKey are the inputs AWS cannot hold twice at once; OnCollision says
	// what a create-before-delete replacement that keeps them does: "fails"
	// (the create is refused) or "overwritten" (the create overwrites the
	// original, whose deletion then removes what was created).
	UniqueKey []string `json:"uniqueKey,omitempty"`
	// KeyScope is where the key must be unique: "region", or "global" (IAM,
	// Route 53, S3 bucket names, dashboards), which a move to another region
	// does not escape.
	KeyScope        string `json:"keyScope,omitempty"`
	OnCollision     string `json:"onCollision,omitempty"`
	CollisionReason string `json:"collisionReason,omitempty"`
	Notes           string `json:"notes,omitempty"`
}

// Source is where a type's rules were read.
type Source struct {
	Repository  string `json:"repository"`
	Resource    string `json:"resource,omitempty"`
	File        string `json:"file"`
	Commit      string `json:"commit,omitempty"`
	IndexID     string `json:"indexId,omitempty"`
	Version     string `json:"version"`
	Differences string `json:"differences,omitempty"`
}

// Conditional is an input that forces a replacement only when Rule holds.
type Conditional struct {
	Property string `json:"property"`
	// Rule names the condition, one of Rules.
	Rule   string `json:"rule"`
	When   string `json:"when"`
	Source string `json:"source"`
}

// Collision outcomes.
const (
	Fails       = "fails"
	Overwritten = "overwritten"
)

var (
	once   sync.Once
	table  *Table
	errBad error
)

// Load returns the table, parsed once. The data is embedded: an error means
// replacements.json itself is broken, which a test catches.
func Load() (*Table, error) {
	once.Do(func() {
		var t Table
		if err := json.Unmarshal(data, &t); err != nil {
			errBad = fmt.Errorf("replacements.json: %w", err)
			return
		}
		for typ, ty := range t.Types {
			for _, c := range ty.Conditional {
				if _, ok := Rules[c.Rule]; !ok {
					errBad = fmt.Errorf("replacements.json: %s: %s names rule %q, which internal/replacement does not implement", typ, c.Property, c.Rule)
					return
				}
			}
			if len(ty.UniqueKey) > 0 && ty.KeyScope != "region" && ty.KeyScope != "global" {
				errBad = fmt.Errorf("replacements.json: %s: keyScope %q must be region or global", typ, ty.KeyScope)
				return
			}
			if ty.OnCollision != "" && ty.OnCollision != Fails && ty.OnCollision != Overwritten {
				errBad = fmt.Errorf("replacements.json: %s: onCollision %q must be %s or %s", typ, ty.OnCollision, Fails, Overwritten)
				return
			}
		}
		table = &t
	})
	return table, errBad
}

// MustLoad is Load for callers that run after the table's test passed.
func MustLoad() *Table {
	t, err := Load()
	if err != nil {
		panic(err)
	}
	return t
}

// Lookup returns the rules of a resource type.
func (t *Table) Lookup(typ string) (Type, bool) {
	ty, ok := t.Types[typ]
	return ty, ok
}

// ReplaceBecause lists, sorted, the inputs whose change from old to new makes
// the provider replace the resource: a changed path of ReplaceOnChanges, or a
// conditional input whose rule holds. changed reports whether a top-level
// input counts as changed (the caller knows ignoreChanges, secrets and values
// that are unknown until the apply).
func (ty Type) ReplaceBecause(old, new map[string]any, changed func(key string) bool) []string {
	var because []string
	for _, path := range ty.ReplaceOnChanges {
		top, _, _ := strings.Cut(path, ".")
		if !changed(top) {
			continue
		}
		if !reflect.DeepEqual(Project(old, path), Project(new, path)) {
			because = append(because, path)
		}
	}
	for _, c := range ty.Conditional {
		if changed(c.Property) && Rules[c.Rule](c.Property, old, new) {
			because = append(because, c.Property)
		}
	}
	slices.Sort(because)
	return slices.Compact(because)
}

// Project collects the values at a dot-separated path, traversing arrays;
// nil when the path is absent.
func Project(v any, path string) any {
	if path == "" {
		return v
	}
	key, rest, _ := strings.Cut(path, ".")
	switch x := v.(type) {
	case map[string]any:
		child, ok := x[key]
		if !ok {
			return nil
		}
		return Project(child, rest)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = Project(e, path)
		}
		return out
	}
	return nil
}

// KeyValues are the values of a type's unique key in a resource's inputs, and
// whether every one of them is known (a value still unknown may differ).
func (ty Type) KeyValues(inputs map[string]any, unknown func(any) bool) ([]any, bool) {
	values := make([]any, len(ty.UniqueKey))
	for i, k := range ty.UniqueKey {
		values[i] = inputs[k]
		if unknown(values[i]) {
			return values, false
		}
	}
	return values, true
}

// A Rule decides whether a change of property from old to new inputs forces a
// replacement, as the provider's CustomizeDiff or plan modifier does.
type Rule func(property string, old, new map[string]any) bool

// Rules are the conditions replacements.json names.
var Rules = map[string]Rule{
	// ElastiCache replaces a replication group whose engine version goes down.
	"downgrade": func(p string, old, new map[string]any) bool {
		return compareVersions(fmt.Sprint(new[p]), fmt.Sprint(old[p])) < 0
	},
	// transit encryption changes in place from engine 7.0.5 on.
	"engineBelow7.0.5": func(_ string, _, new map[string]any) bool {
		return compareVersions(fmt.Sprint(new["engineVersion"]), "7.0.5") < 0
	},
	// ElastiCache upgrades redis to valkey in place; any other engine change replaces.
	"unlessRedisToValkey": func(p string, old, new map[string]any) bool {
		return !(old[p] == "redis" && new[p] == "valkey")
	},
	// A VPC's tenancy changes in place only from dedicated to default.
	"unlessDedicatedToDefault": func(p string, old, new map[string]any) bool {
		return !(old[p] == "dedicated" && new[p] == "default")
	},
	// A security group rule is replaced when its kind of source changes
	// (CIDR, prefix list or group), not when the source's value does.
	"sourceKindChanges": func(_ string, old, new map[string]any) bool {
		kind := func(m map[string]any) string {
			for _, k := range []string{"cidrIpv4", "cidrIpv6", "prefixListId", "referencedSecurityGroupId"} {
				if m[k] != nil {
					return k
				}
			}
			return ""
		}
		return kind(old) != kind(new)
	},
	// Only network load balancers replace on subnets, unless subnets were only added.
	"networkLoadBalancerUnlessOnlyAdded": func(p string, old, new map[string]any) bool {
		if new["loadBalancerType"] != "network" {
			return false
		}
		for _, s := range list(old[p]) {
			if !slices.Contains(list(new[p]), s) {
				return true
			}
		}
		return false
	},
	// Only network load balancers replace when security groups go from none to some or back.
	"networkLoadBalancerNoneToSomeOrBack": func(p string, old, new map[string]any) bool {
		return new["loadBalancerType"] == "network" && (len(list(old[p])) == 0) != (len(list(new[p])) == 0)
	},
	// A subnet mapping that existed and changed replaces the load balancer; added ones do not.
	"existingElementChanged": func(p string, old, new map[string]any) bool {
		was, is := list(old[p]), list(new[p])
		for i := range was {
			if i >= len(is) || !reflect.DeepEqual(was[i], is[i]) {
				return true
			}
		}
		return false
	},
	// Without forceNewDeployment any change of the capacity provider strategy
	// replaces an ECS service; with it, only going from none to some or back.
	"unlessForceNewDeployment": func(p string, old, new map[string]any) bool {
		if new["forceNewDeployment"] != true {
			return true
		}
		return (len(list(old[p])) == 0) != (len(list(new[p])) == 0)
	},
	// A provider whose region changes is replaced, and with it every resource
	// it manages; a provider whose old inputs had no region is not.
	"whenPreviouslySet": func(p string, old, _ map[string]any) bool {
		return old[p] != nil
	},
}

func list(v any) []any { l, _ := v.([]any); return l }

// compareVersions compares dotted version numbers ("7.1" < "7.1.2" < "8");
// non-numeric parts compare as text.
func compareVersions(a, b string) int {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < max(len(as), len(bs)); i++ {
		var x, y string
		if i < len(as) {
			x = as[i]
		}
		if i < len(bs) {
			y = bs[i]
		}
		xn, xerr := strconv.Atoi(x)
		yn, yerr := strconv.Atoi(y)
		switch {
		case xerr == nil && yerr == nil && xn != yn:
			if xn < yn {
				return -1
			}
			return 1
		case (xerr != nil || yerr != nil) && x != y:
			return strings.Compare(x, y)
		}
	}
	return 0
}

// AutoNamed is the input pulumi-aws 6.83.4 auto-names for a type: "name" for
// every resource whose name input it is (pulumi-aws's setAutonaming), the
// replication group's id; none for Route 53 records (mapped without
// auto-naming) and the RDS identifier (a default, not an auto-name, until
// pulumi-aws PR 6437, after 6.83.4).
func (t *Table) AutoNamed(typ string) (string, bool) {
	switch typ {
	case "aws:route53/record:Record", "aws:rds/instance:Instance":
		return "", false
	case "aws:elasticache/replicationGroup:ReplicationGroup":
		return "replicationGroupId", true
	}
	if ty, ok := t.Lookup(typ); ok && ty.NameProperty == "name" {
		return "name", true
	}
	return "", false
}

// ProviderDeletesFirst is the provider's own answer to whether a replacement
// deletes the original first, which the engine follows unless the program
// sets deleteBeforeReplace: the rule of the pulumi-terraform-bridge that
// pulumi-aws 6.83.4 is built with (pkg/tfbridge/schema.go,
// nameRequiresDeleteBeforeReplace, unchanged from v3.107 to today). Any
// replacement, whatever forces it, deletes first when the auto-named input
// holds a value the program set: one the provider's Check did not fill (it
// lists those in the inputs' __defaults). The name itself changing does not
// exempt it.
func (t *Table) ProviderDeletesFirst(typ string, inputs map[string]any) bool {
	field, ok := t.AutoNamed(typ)
	if !ok {
		return false
	}
	if v, set := inputs[field]; !set || v == nil {
		return false // a namePrefix, or nothing: the provider or AWS picks the name
	}
	defaults, ok := inputs["__defaults"]
	if !ok {
		return true // the offline plan: the program's inputs, which the provider has not checked
	}
	list, ok := defaults.([]any)
	if !ok {
		return false
	}
	return !slices.Contains(list, any(field))
}
