package preview

import (
	"fmt"
	"io"
	"maps"
	"reflect"
	"slices"
	"strings"
)

// PlanDiff is what changed between two plans of a stack, resource by resource:
// what a pull request does to the infrastructure.
type PlanDiff struct {
	Added, Removed, Changed []ResourceChange
	Unchanged               int
	// Outputs lists stack outputs that were added (+name), removed (-name) or changed (~name).
	Outputs []string
}

// ResourceChange is one resource that differs between the plans.
type ResourceChange struct {
	URN, Type, Name string
	// Inputs are the input keys whose values differ (changed resources only).
	Inputs []string
	// Options are the resource options that differ: protect, dependencies, ...
	Options []string
}

// Diff compares an older plan with this one.
func Diff(old, current *Plan) PlanDiff {
	var d PlanDiff
	before := map[string]Resource{}
	for _, r := range old.Resources {
		before[r.URN] = r
	}
	seen := map[string]bool{}
	for _, r := range current.Resources {
		seen[r.URN] = true
		o, ok := before[r.URN]
		if !ok {
			d.Added = append(d.Added, ResourceChange{URN: r.URN, Type: r.Type, Name: r.Name})
			continue
		}
		change := ResourceChange{URN: r.URN, Type: r.Type, Name: r.Name,
			Inputs: changedKeys(o.Inputs, r.Inputs), Options: changedOptions(o, r)}
		if len(change.Inputs) == 0 && len(change.Options) == 0 {
			d.Unchanged++
			continue
		}
		d.Changed = append(d.Changed, change)
	}
	for _, r := range old.Resources {
		if !seen[r.URN] {
			d.Removed = append(d.Removed, ResourceChange{URN: r.URN, Type: r.Type, Name: r.Name})
		}
	}
	for _, k := range changedKeys(old.Outputs, current.Outputs) {
		_, was := old.Outputs[k]
		_, is := current.Outputs[k]
		switch {
		case !was:
			d.Outputs = append(d.Outputs, "+"+k)
		case !is:
			d.Outputs = append(d.Outputs, "-"+k)
		default:
			d.Outputs = append(d.Outputs, "~"+k)
		}
	}
	return d
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

// changedOptions lists the resource options that differ between a and b.
func changedOptions(a, b Resource) []string {
	var out []string
	for _, o := range []struct {
		name string
		a, b any
	}{
		{"custom", a.Custom, b.Custom},
		{"dependencies", a.Dependencies, b.Dependencies},
		{"protect", a.Protect, b.Protect},
		{"retainOnDelete", a.RetainOnDelete, b.RetainOnDelete},
		{"deleteBeforeReplace", a.DeleteBeforeReplace, b.DeleteBeforeReplace},
		{"ignoreChanges", a.IgnoreChanges, b.IgnoreChanges},
	} {
		if !reflect.DeepEqual(o.a, o.b) {
			out = append(out, o.name)
		}
	}
	return out
}

// Empty reports whether nothing changed.
func (d PlanDiff) Empty() bool {
	return len(d.Added) == 0 && len(d.Removed) == 0 && len(d.Changed) == 0 && len(d.Outputs) == 0
}

// Write prints the diff: one line per added (+), removed (-) or changed (~)
// resource, the changed input keys and options, then the stack outputs and a summary.
func (d PlanDiff) Write(w io.Writer, stack string) {
	fmt.Fprintf(w, "Infrastructure changes for stack %s:\n", stack)
	for _, c := range d.Added {
		fmt.Fprintf(w, "+ %s  %s\n", c.Type, c.Name)
	}
	for _, c := range d.Removed {
		fmt.Fprintf(w, "- %s  %s\n", c.Type, c.Name)
	}
	for _, c := range d.Changed {
		var parts []string
		if len(c.Inputs) > 0 {
			parts = append(parts, "inputs: "+strings.Join(c.Inputs, ", "))
		}
		if len(c.Options) > 0 {
			parts = append(parts, "options: "+strings.Join(c.Options, ", "))
		}
		fmt.Fprintf(w, "~ %s  %s  (%s)\n", c.Type, c.Name, strings.Join(parts, "; "))
	}
	if len(d.Outputs) > 0 {
		fmt.Fprintf(w, "Stack outputs: %s\n", strings.Join(d.Outputs, " "))
	}
	if d.Empty() {
		fmt.Fprintf(w, "No changes.\n")
	}
	fmt.Fprintf(w, "Resources: %d added, %d removed, %d changed, %d unchanged\n",
		len(d.Added), len(d.Removed), len(d.Changed), d.Unchanged)
}
