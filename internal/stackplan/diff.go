package stackplan

import (
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"sort"
	"strings"

	"github.com/ohmycoins/infra/internal/replacement"
)

// Op is what an update does to one resource, as `pulumi preview` names it.
type Op string

// The operations of a diff.
const (
	OpCreate  Op = "create"
	OpImport  Op = "import" // adopted: an existing resource enters the stack
	OpUpdate  Op = "update"
	OpReplace Op = "replace"
	OpDelete  Op = "delete"
	// OpSame is a change of resource options alone (protect, retainOnDelete,
	// deleteBeforeReplace, ignoreChanges): the engine's step is "same", and
	// pulumi up records the options in its state without touching AWS.
	OpSame Op = "same"
)

// PlanDiff is what `pulumi up` would do to a stack deployed from an older
// plan: every resource it would create, update, replace or delete, why, and
// what would make it fail. It is the JSON contract of `cmd/preview -diff -json`
// (docs/ARCHITECTURE.md).
type PlanDiff struct {
	Stack   string                 `json:"stack"`
	Changes []Change               `json:"changes"`
	Outputs map[string]ValueChange `json:"outputs"`
	// Unchanged counts the resources the update leaves alone.
	Unchanged int `json:"unchanged"`
	// Cost is what the change does to the monthly cost estimate; the CLI
	// fills it in (internal/cost), nil when not estimated.
	Cost *CostDelta `json:"cost,omitempty"`
}

// CostDelta is the monthly cost before and after a change, in total and for
// each resource whose cost changes; what moved it (the resources, or the
// assumptions and prices they are priced with); and what could not be priced.
type CostDelta struct {
	Currency string `json:"currency"`
	PricedAt string `json:"pricedAt"`
	// PricedAtBefore is the date of the prices the before side was priced
	// with, when it differs from PricedAt (the table was refreshed).
	PricedAtBefore string  `json:"pricedAtBefore,omitempty"`
	Before         float64 `json:"before"`
	After          float64 `json:"after"`
	Delta          float64 `json:"delta"`
	// BeforeMax and AfterMax are the totals with every autoscaled service at
	// its maximum; DeltaMax their difference.
	BeforeMax float64 `json:"beforeMax"`
	AfterMax  float64 `json:"afterMax"`
	DeltaMax  float64 `json:"deltaMax"`
	// FromResources is the part of Delta the changed resources make, and
	// FromBasis the part the changed assumptions and prices make (the before
	// plan priced with the after side's assumptions and prices, less before).
	FromResources float64 `json:"fromResources"`
	FromBasis     float64 `json:"fromBasis"`
	// Assumptions and Prices are the usage assumptions and the prices used
	// whose value changed.
	Assumptions []BasisChange `json:"assumptions"`
	Prices      []BasisChange `json:"prices"`
	// BasisNote says how the before side was priced when its plan records no
	// cost basis (a plan made before 2026-12-04); "" otherwise.
	BasisNote string          `json:"basisNote,omitempty"`
	Items     []CostDeltaItem `json:"items"`
	// Unpriced are the resources of the after plan that the estimate could
	// not price, each with the reason: the totals leave them out.
	Unpriced []UnpricedItem `json:"unpriced"`
}

// Moves says whether the cost line has anything to tell: a total, a
// resource, an assumption or a price that changes, or an unpriced resource.
func (c *CostDelta) Moves() bool {
	return c != nil && (c.Delta != 0 || c.DeltaMax != 0 || len(c.Items) > 0 || len(c.Assumptions) > 0 ||
		len(c.Prices) > 0 || len(c.Unpriced) > 0)
}

// BasisChange is one assumption or price whose value changes.
type BasisChange struct {
	Key    string  `json:"key"`
	Before float64 `json:"before"`
	After  float64 `json:"after"`
}

// CostDeltaItem is one resource whose monthly cost changes.
type CostDeltaItem struct {
	URN    string  `json:"urn"`
	Type   string  `json:"type"`
	Name   string  `json:"name"`
	Before float64 `json:"before"`
	After  float64 `json:"after"`
	Delta  float64 `json:"delta"`
	// BeforeMax and AfterMax are an autoscaled service's cost at its maximum;
	// omitted for the others.
	BeforeMax float64 `json:"beforeMax,omitempty"`
	AfterMax  float64 `json:"afterMax,omitempty"`
	// AwaitingImage marks a service that runs no task until its image is
	// set: After is what it will cost then.
	AwaitingImage bool `json:"awaitingImage,omitempty"`
}

// UnpricedItem is a resource the cost estimate cannot price, and why: its
// type is not in the catalog, or the price table lacks a price it needs.
type UnpricedItem struct {
	URN    string `json:"urn"`
	Type   string `json:"type"`
	Name   string `json:"name"`
	Reason string `json:"reason"`
	// Missing are the keys internal/cost/prices.json lacks for it.
	Missing []string `json:"missing,omitempty"`
}

// Change is one resource the update touches.
type Change struct {
	URN  string `json:"urn"`
	Type string `json:"type"`
	Name string `json:"name"`
	Op   Op     `json:"op"`
	// DeleteFirst marks a replacement that deletes the original before it
	// creates the successor (deleteBeforeReplace).
	DeleteFirst bool `json:"deleteFirst"`
	// ReplaceBecause are the inputs whose change makes the provider replace the
	// resource (replacements.json), or "provider" when its provider is replaced.
	ReplaceBecause []string `json:"replaceBecause"`
	// Inputs are the inputs whose value changes: secrets show as "[secret]",
	// values that only the apply will know as "[unknown]".
	Inputs map[string]ValueChange `json:"inputs"`
	// Options are the resource options that change (protect, retainOnDelete,
	// deleteBeforeReplace, ignoreChanges); they change Pulumi's state only.
	Options map[string]ValueChange `json:"options"`
	// Blocked says why `pulumi up` would fail on this change, or lose what it
	// creates; empty when it would not. `preview diff -check` exits 1 on any.
	Blocked []string `json:"blocked"`
	// Notes are consequences a reviewer should weigh that do not fail the update.
	Notes []string `json:"notes"`
	// Import is, in an adoption (Adoption), the id `pulumi import` adopts the
	// resource with; Op is then what the first `pulumi up` does after it.
	Import string `json:"import,omitempty"`
}

// ValueChange is a value before and after; null where there is none.
type ValueChange struct {
	Old any `json:"old"`
	New any `json:"new"`
}

// Blocked lists the changes `pulumi up` would fail on.
func (d PlanDiff) Blocked() []Change {
	var out []Change
	for _, c := range d.Changes {
		if len(c.Blocked) > 0 {
			out = append(out, c)
		}
	}
	return out
}

// Find returns the change of the resource with a type and logical name.
func (d PlanDiff) Find(typ, name string) (Change, bool) {
	for _, c := range d.Changes {
		if c.Type == typ && c.Name == name {
			return c, true
		}
	}
	return Change{}, false
}

// Imports counts the resources an adoption imports, whatever the update
// then does to them.
func (d PlanDiff) Imports() int {
	n := 0
	for _, c := range d.Changes {
		if c.Op == OpImport || c.Import != "" {
			n++
		}
	}
	return n
}

// Empty reports whether nothing changes.
func (d PlanDiff) Empty() bool { return len(d.Changes) == 0 && len(d.Outputs) == 0 }

// Count returns how many changes have an op.
func (d PlanDiff) Count(op Op) int {
	n := 0
	for _, c := range d.Changes {
		if c.Op == op {
			n++
		}
	}
	return n
}

// Diff works out what `pulumi up` would do to a stack deployed from the old
// plan when the program now gives the current one, with the provider's
// replacement rules (internal/replacement). Like `pulumi preview`, it treats an
// input built from a replaced resource's computed outputs as unknown until the
// apply, so a replacement cascades to what depends on it where that input
// forces a replacement too.
func Diff(old, current *Plan) PlanDiff {
	rules := replacement.MustLoad()
	d := PlanDiff{Stack: current.Stack, Changes: []Change{}, Outputs: map[string]ValueChange{}}
	before := map[string]Resource{}
	for _, r := range old.Resources {
		before[r.URN] = r
	}
	after := map[string]Resource{}
	for _, r := range current.Resources {
		after[r.URN] = r
	}

	work := map[string]*pending{}
	var order []string
	for _, r := range current.Resources {
		o, ok := before[r.URN]
		if !ok {
			op := OpCreate
			if r.Import != "" {
				op = OpImport
			}
			work[r.URN] = &pending{change: Change{URN: r.URN, Type: r.Type, Name: r.Name, Op: op, Inputs: allInputs(nil, r.Inputs)}, now: r}
			order = append(order, r.URN)
			continue
		}
		p := compare(o, r)
		work[r.URN] = p
		order = append(order, r.URN)
	}
	for _, r := range old.Resources {
		if _, ok := after[r.URN]; !ok {
			work[r.URN] = &pending{change: Change{URN: r.URN, Type: r.Type, Name: r.Name, Op: OpDelete, Inputs: allInputs(r.Inputs, nil)}, was: r}
			order = append(order, r.URN)
		}
	}

	// Classify, then let replacements cascade until nothing more changes.
	for _, urn := range order {
		work[urn].classify(rules)
	}
	for cascaded := true; cascaded; {
		cascaded = false
		replaced := map[string]Resource{}
		for urn, p := range work {
			if p.change.Op == OpReplace {
				replaced[urn] = p.was
			}
		}
		for _, urn := range order {
			p := work[urn]
			if p.change.Op == OpCreate || p.change.Op == OpDelete || p.change.Op == OpImport {
				continue
			}
			if p.cascade(replaced, work, rules) {
				cascaded = true
			}
		}
	}

	for _, urn := range order {
		p := work[urn]
		if p.change.Op == "" {
			d.Unchanged++
			continue
		}
		p.consequences(rules, work)
		d.Changes = append(d.Changes, p.change.normalized())
	}
	sort.SliceStable(d.Changes, func(i, j int) bool {
		a, b := d.Changes[i], d.Changes[j]
		if opRank[a.Op] != opRank[b.Op] {
			return opRank[a.Op] < opRank[b.Op]
		}
		return a.URN < b.URN
	})
	for _, k := range changedKeys(old.Outputs, current.Outputs) {
		d.Outputs[k] = ValueChange{Old: old.Outputs[k], New: current.Outputs[k]}
	}
	return d
}

// Adoption is what `pulumi import` and the first `pulumi up` after it do: imported
// is the stack as the import leaves it (the adopted resources with the values
// they have in AWS, under the program's names), current the program's plan,
// ids the import id of each adopted resource, by URN. An adopted resource the
// update leaves as it is shows as an import; one it changes keeps its op,
// with the id it is imported with. A replacement of an adopted resource that
// holds data is blocked: adopting it would lose what it holds.
func Adoption(imported, current *Plan, ids map[string]string) PlanDiff {
	d := Diff(imported, current)
	rules := replacement.MustLoad()
	seen := map[string]bool{}
	for i, c := range d.Changes {
		id, ok := ids[c.URN]
		if !ok {
			continue
		}
		seen[c.URN] = true
		c.Import = id
		if c.Op == OpSame {
			c.Op = OpImport // only options change: Pulumi's state, not AWS
		}
		if ty, known := rules.Lookup(c.Type); c.Op == OpReplace && known && ty.HoldsData != "" {
			c.Blocked = append(c.Blocked, "adopted, and holds "+ty.HoldsData+": the first pulumi up would replace it, and the replacement starts empty")
		}
		d.Changes[i] = c
	}
	for _, urn := range slices.Sorted(maps.Keys(ids)) {
		if seen[urn] {
			continue
		}
		r, ok := current.ByURN(urn)
		if !ok {
			continue
		}
		d.Changes = append(d.Changes, Change{URN: urn, Type: r.Type, Name: r.Name, Op: OpImport, Import: ids[urn]}.normalized())
		d.Unchanged--
	}
	sort.SliceStable(d.Changes, func(i, j int) bool {
		a, b := d.Changes[i], d.Changes[j]
		if opRank[a.Op] != opRank[b.Op] {
			return opRank[a.Op] < opRank[b.Op]
		}
		return a.URN < b.URN
	})
	return d
}

// Computed are the values of a resource that AWS assigns (its id, an ARN, an
// endpoint), as opposed to the inputs it echoes: what a resource that is still
// to be created cannot tell before the apply.
func Computed(r Resource) []string { return volatile(r, r) }

// opRank orders a diff: what loses data or fails first.
var opRank = map[Op]int{OpReplace: 0, OpDelete: 1, OpImport: 2, OpUpdate: 3, OpSame: 4, OpCreate: 5}

// pending is one resource being classified.
type pending struct {
	change   Change
	was, now Resource
	// cmpOld and cmpNew are the inputs as compared: a secret carries its
	// digest, an input known only at apply time is Unknown.
	cmpOld, cmpNew map[string]any
	changed        map[string]bool
}

// compare sets up a resource present in both plans.
func compare(o, r Resource) *pending {
	p := &pending{
		change: Change{URN: r.URN, Type: r.Type, Name: r.Name, Inputs: map[string]ValueChange{}, Options: map[string]ValueChange{}},
		was:    o, now: r,
		cmpOld: comparable(o, r), cmpNew: comparable(r, o),
		changed: map[string]bool{},
	}
	ignored := map[string]bool{}
	for _, k := range r.IgnoreChanges {
		ignored[k] = true
	}
	for _, k := range changedKeys(p.cmpOld, p.cmpNew) {
		if ignored[k] {
			continue // Pulumi diffs the old value against itself
		}
		p.changed[k] = true
		p.change.Inputs[k] = ValueChange{Old: o.Inputs[k], New: r.Inputs[k]}
	}
	for _, opt := range []struct {
		name string
		a, b any
	}{
		{"protect", o.Protect, r.Protect},
		{"retainOnDelete", o.RetainOnDelete, r.RetainOnDelete},
		// The engine's state keeps the option as a bool: unset and false are one.
		{"deleteBeforeReplace", o.DeleteBeforeReplace != nil && *o.DeleteBeforeReplace, r.DeleteBeforeReplace != nil && *r.DeleteBeforeReplace},
		{"ignoreChanges", nonNil(o.IgnoreChanges), nonNil(r.IgnoreChanges)},
	} {
		if !reflect.DeepEqual(opt.a, opt.b) {
			p.change.Options[opt.name] = ValueChange{Old: opt.a, New: opt.b}
		}
	}
	return p
}

// comparable is a resource's inputs with each secret tagged by its digest, so
// a changed secret compares unequal while still showing as "[secret]". A
// secret is tagged only where the other plan has a digest too: a plan written
// before digests existed cannot tell, and the secret counts as unchanged.
func comparable(r, other Resource) map[string]any {
	out := make(map[string]any, len(r.Inputs))
	for k, v := range r.Inputs {
		out[k] = v
		digest, ok := r.SecretDigests[k]
		if _, both := other.SecretDigests[k]; ok && both && v == Secret {
			out[k] = Secret + " " + digest
		}
	}
	return out
}

// classify decides create/update/replace/delete for a resource in both plans.
func (p *pending) classify(rules *replacement.Table) {
	if p.change.Op == OpCreate || p.change.Op == OpDelete || p.change.Op == OpImport {
		return
	}
	if len(p.changed) == 0 {
		if len(p.change.Options) > 0 {
			p.change.Op = OpSame
		}
		return
	}
	p.change.Op = OpUpdate
	if !p.now.Custom {
		return // a component's inputs change nothing in AWS
	}
	ty, ok := rules.Lookup(p.now.Type)
	if !ok {
		p.change.Notes = append(p.change.Notes, "no replacement rules for "+p.now.Type+" in internal/replacement/replacements.json: shown as an update, which it may not be")
		return
	}
	if because := ty.ReplaceBecause(p.cmpOld, p.cmpNew, func(k string) bool { return p.changed[k] }); len(because) > 0 {
		p.change.Op = OpReplace
		p.change.ReplaceBecause = because
	}
}

// cascade marks the inputs of p that were built from the computed outputs of a
// replaced resource as unknown, and reclassifies p; it reports whether p changed.
func (p *pending) cascade(replaced map[string]Resource, work map[string]*pending, rules *replacement.Table) bool {
	if p.now.URN == "" || p.was.URN == "" {
		return false
	}
	if _, ok := replaced[p.now.ProviderURN]; ok && p.now.ProviderURN != "" && !slices.Contains(p.change.ReplaceBecause, "provider") {
		p.change.Op = OpReplace
		p.change.ReplaceBecause = append(p.change.ReplaceBecause, "provider")
		slices.Sort(p.change.ReplaceBecause)
		p.change.Notes = append(p.change.Notes, "its provider is replaced, and with it everything the provider manages")
		return true
	}
	// A resource already replaced is not reclassified, but what it echoes of
	// an input that turns unknown is unknown to its own dependents too.
	replacedAlready := p.change.Op == OpReplace
	grew := false
	for _, key := range slices.Sorted(maps.Keys(p.now.PropertyDependencies)) {
		if p.cmpNew[key] == Unknown {
			continue
		}
		for _, dep := range p.now.PropertyDependencies[key] {
			r, ok := replaced[dep]
			if !ok || !Mentions(p.now.Inputs[key], work[dep].volatile()) {
				continue
			}
			p.cmpNew[key] = Unknown
			p.changed[key] = true
			p.change.Inputs[key] = ValueChange{Old: p.was.Inputs[key], New: Unknown}
			p.change.Notes = append(p.change.Notes, fmt.Sprintf("%s is known only after %s %s is replaced", key, r.Type, r.Name))
			grew = true
			break
		}
	}
	if grew && !replacedAlready {
		p.change.Op, p.change.ReplaceBecause = "", nil
		p.classify(rules)
	}
	return grew
}

// volatile are the values of a replaced resource that its successor may not
// keep: volatile(was, now), and the outputs that echo an input the update
// turns unknown (a certificate validation replaced for a new certificate
// echoes a certificateArn that only the apply knows).
func (p *pending) volatile() []string {
	out := volatile(p.was, p.now)
	for key, v := range p.cmpNew {
		if v == Unknown {
			collect(p.was.Inputs[key], func(s string) {
				if len(s) >= 6 {
					out = append(out, s)
				}
			})
		}
	}
	return out
}

// volatile are the values of a resource that a replacement changes: its id
// and the outputs AWS computes, as opposed to the inputs it echoes (a role
// replaced under the same name keeps its name, but not its ARN).
func volatile(was, now Resource) []string {
	inputs := map[string]bool{}
	collect(was.Inputs, func(s string) { inputs[s] = true })
	collect(now.Inputs, func(s string) { inputs[s] = true })
	var out []string
	add := func(s string) {
		if len(s) >= 6 && !inputs[s] {
			out = append(out, s)
		}
	}
	add(was.ID)
	add(now.ID)
	collect(was.Outputs, add)
	collect(now.Outputs, add)
	return out
}

// collect calls f with every string within v.
func collect(v any, f func(string)) {
	switch x := v.(type) {
	case string:
		f(x)
	case map[string]any:
		for _, e := range x {
			collect(e, f)
		}
	case []any:
		for _, e := range x {
			collect(e, f)
		}
	}
}

// Mentions reports whether any of the strings occurs within a value (in a
// policy document, a container definition, a list).
func Mentions(v any, values []string) bool {
	found := false
	collect(v, func(s string) {
		for _, x := range values {
			if !found && strings.Contains(s, x) {
				found = true
			}
		}
	})
	return found
}

// consequences adds what would fail the update, and what a reviewer should know.
func (p *pending) consequences(rules *replacement.Table, work map[string]*pending) {
	c := &p.change
	ty, known := rules.Lookup(c.Type)
	switch c.Op {
	case OpReplace:
		c.DeleteFirst = p.now.DeletesFirst(rules)
		if slices.Contains(c.ReplaceBecause, "provider") {
			// A new provider replaces without asking it: the engine's diff
			// then carries no deleteBeforeReplace, and only the program's
			// own option deletes first (pulumi/pulumi v3.274.1
			// pkg/resource/deploy/step_generator.go, providerChanged).
			c.DeleteFirst = p.now.DeleteBeforeReplace != nil && *p.now.DeleteBeforeReplace
		}
		if p.was.Protect {
			c.Blocked = append(c.Blocked, "protected: pulumi up refuses to replace it; unprotect it deliberately (pulumi state unprotect) only if losing it is intended")
		}
		if known && ty.HoldsData != "" {
			c.Notes = append(c.Notes, "holds "+ty.HoldsData+": the replacement starts empty")
		}
		// A replacement in another region (its provider's) keeps a regional key free.
		movesRegion := slices.Contains(c.ReplaceBecause, "provider") && ty.KeyScope == "region"
		if known && len(ty.UniqueKey) > 0 && (!c.DeleteFirst || p.was.RetainOnDelete) && !movesRegion {
			oldKey, oldKnown := ty.KeyValues(p.was.Inputs, isUnknown)
			newKey, newKnown := ty.KeyValues(p.cmpNew, isUnknown)
			if oldKnown && newKnown && reflect.DeepEqual(oldKey, newKey) {
				c.Blocked = append(c.Blocked, collision(ty, newKey, "the resource it replaces"))
			}
		}
		if p.was.RetainOnDelete {
			c.Notes = append(c.Notes, "retainOnDelete: the original stays in AWS, outside the stack")
		}
	case OpDelete:
		if p.was.Protect {
			c.Blocked = append(c.Blocked, "protected: pulumi up refuses to delete it; unprotect it deliberately (pulumi state unprotect) only if losing it is intended")
		}
		if p.was.RetainOnDelete {
			c.Notes = append(c.Notes, "retainOnDelete: it stays in AWS, removed from the stack only")
		} else if known && ty.HoldsData != "" {
			c.Notes = append(c.Notes, "holds "+ty.HoldsData+": deleted with it")
		}
	case OpUpdate:
		if ids, ok := c.Inputs["allowedAccountIds"]; ok && strings.HasPrefix(c.Type, "pulumi:providers:") && isEmptyList(ids.Old) {
			// The guard is added: the stack's resources are where they were,
			// and the provider refuses only credentials of another account.
			c.Notes = append(c.Notes, fmt.Sprintf("allowedAccountIds set to %v: from now on the provider refuses the credentials of any other account; pulumi up fails before any change if the stack's resources are not in it (aws sts get-caller-identity)", ids.New))
		} else if ok && strings.HasPrefix(c.Type, "pulumi:providers:") {
			c.Blocked = append(c.Blocked, fmt.Sprintf("allowedAccountIds changes from %v to %v: the provider then refuses the credentials of the account that holds the stack's resources (\"AWS account ID not allowed\"), and in another account it finds none of them; a stack in another account is a new stack", ids.Old, ids.New))
		}
	case OpCreate:
		// Pulumi creates before it deletes: a new resource that takes the
		// unique key of one this update deletes collides with it.
		if !known || len(ty.UniqueKey) == 0 || !p.now.Custom {
			return
		}
		newKey, newKnown := ty.KeyValues(p.now.Inputs, isUnknown)
		if !newKnown {
			return
		}
		for _, q := range work {
			if q.change.Op != OpDelete || q.was.Type != c.Type {
				continue
			}
			if oldKey, ok := ty.KeyValues(q.was.Inputs, isUnknown); ok && reflect.DeepEqual(oldKey, newKey) {
				c.Blocked = append(c.Blocked, collision(ty, newKey, q.was.Name+", which this update deletes only afterwards"))
			}
		}
	}
}

// collision explains a replacement or create that AWS refuses, or that the
// deletion of the original undoes.
func collision(ty replacement.Type, key []any, holder string) string {
	parts := make([]string, 0, len(key))
	for i, k := range ty.UniqueKey {
		if key[i] != nil {
			parts = append(parts, k+" "+show(key[i], 60))
		}
	}
	if ty.OnCollision == replacement.Overwritten {
		return fmt.Sprintf("collides: %s is held by %s; the create overwrites it and the deletion then removes what was created (%s). Use deleteBeforeReplace or a name that changes with the replacement",
			strings.Join(parts, ", "), holder, ty.CollisionReason)
	}
	return fmt.Sprintf("collides: %s is still held by %s, created before it is deleted; AWS refuses (%s). Use deleteBeforeReplace where a short outage is acceptable, or a name that changes with the replacement",
		strings.Join(parts, ", "), holder, ty.CollisionReason)
}

func isUnknown(v any) bool { return v == Unknown }

// allInputs lists every input as changed, for a created or deleted resource.
func allInputs(old, new map[string]any) map[string]ValueChange {
	out := map[string]ValueChange{}
	for k, v := range old {
		out[k] = ValueChange{Old: v}
	}
	for k, v := range new {
		out[k] = ValueChange{New: v}
	}
	return out
}

// normalized gives the change non-nil slices and maps, so the JSON form has
// every field of the contract.
func (c Change) normalized() Change {
	if c.ReplaceBecause == nil {
		c.ReplaceBecause = []string{}
	}
	if c.Inputs == nil {
		c.Inputs = map[string]ValueChange{}
	}
	if c.Options == nil {
		c.Options = map[string]ValueChange{}
	}
	if c.Blocked == nil {
		c.Blocked = []string{}
	}
	if c.Notes == nil {
		c.Notes = []string{}
	}
	return c
}

// changedKeys lists the keys whose values differ between a and b, sorted.
func changedKeys(a, b map[string]any) []string {
	changed := map[string]bool{}
	for _, m := range []map[string]any{a, b} {
		for k := range m {
			if !reflect.DeepEqual(a[k], b[k]) {
				changed[k] = true
			}
		}
	}
	return slices.Sorted(maps.Keys(changed))
}

// JSON renders the diff in its contract's form.
func (d PlanDiff) JSON() ([]byte, error) {
	b, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// isEmptyList reports whether an input was unset or an empty list.
func isEmptyList(v any) bool {
	list, isList := v.([]any)
	return v == nil || (isList && len(list) == 0)
}
