package stackplan

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"reflect"
	"slices"
	"strings"
)

// How much of a value the text diff shows: reviewers read it in a pull-request
// comment, the JSON form has everything.
const (
	maxValueRunes      = 100
	maxLinesPerInput   = 12
	changeSymbolsWidth = 2
)

// symbols are how `pulumi preview` marks each operation.
var symbols = map[Op]string{OpCreate: "+", OpImport: "=", OpUpdate: "~", OpReplace: "+-", OpDelete: "-", OpSame: "="}

// Write prints the diff for a reviewer: one block per changed resource with
// what happens to it and why, the changed values (old → new), what would make
// `pulumi up` fail (lines starting with "!"), then the stack outputs and a
// summary. Created and deleted resources are one line each.
func (d PlanDiff) Write(w io.Writer) {
	fmt.Fprintf(w, "Changes to stack %s, offline (replacement rules of pulumi-aws v6.83.4):\n", d.Stack)
	if d.Empty() {
		fmt.Fprintf(w, "\nNo changes. %d resources unchanged.\n", d.Unchanged)
		if d.Cost.Moves() {
			d.Cost.write(w) // the assumptions or the prices changed, or something is not priced
		}
		return
	}
	for _, c := range d.Changes {
		label := string(c.Op)
		symbol := symbols[c.Op]
		if c.Op == OpSame {
			label = "options only (Pulumi's state; nothing changes in AWS)"
		}
		if c.Op == OpReplace && c.DeleteFirst {
			label, symbol = "replace (delete first)", "-+"
		}
		if c.Import != "" && c.Op != OpImport {
			label, symbol = "import, then "+label, "="+symbol
		}
		fmt.Fprintf(w, "\n%-*s %s  %s  %s\n", changeSymbolsWidth, symbol, label, c.Type, c.Name)
		if c.Import != "" {
			fmt.Fprintf(w, "     adopts %s\n", c.Import)
		}
		if len(c.ReplaceBecause) > 0 {
			fmt.Fprintf(w, "     because %s changes\n", strings.Join(c.ReplaceBecause, ", "))
		}
		if c.Op == OpUpdate || c.Op == OpReplace || c.Op == OpImport || c.Op == OpSame {
			for _, k := range slices.Sorted(maps.Keys(c.Inputs)) {
				for _, line := range valueLines(k, c.Inputs[k]) {
					fmt.Fprintf(w, "     %s\n", line)
				}
			}
			for _, k := range slices.Sorted(maps.Keys(c.Options)) {
				fmt.Fprintf(w, "     option %s: %s → %s\n", k, show(c.Options[k].Old, maxValueRunes), show(c.Options[k].New, maxValueRunes))
			}
		}
		for _, n := range c.Notes {
			fmt.Fprintf(w, "     note: %s\n", n)
		}
		for _, b := range c.Blocked {
			fmt.Fprintf(w, "  !  pulumi up would fail: %s\n", b)
		}
	}
	if len(d.Outputs) > 0 {
		fmt.Fprintf(w, "\nStack outputs:\n")
		for _, k := range slices.Sorted(maps.Keys(d.Outputs)) {
			v := d.Outputs[k]
			fmt.Fprintf(w, "   %s: %s → %s\n", k, show(v.Old, maxValueRunes), show(v.New, maxValueRunes))
		}
	}
	imports := ""
	if n := d.Imports(); n > 0 {
		imports = fmt.Sprintf("%d to import, ", n)
	}
	same := ""
	if n := d.Count(OpSame); n > 0 {
		same = fmt.Sprintf(", %d with new options only", n)
	}
	fmt.Fprintf(w, "\nResources: %s%d to create, %d to update, %d to replace, %d to delete%s, %d unchanged\n",
		imports, d.Count(OpCreate), d.Count(OpUpdate), d.Count(OpReplace), d.Count(OpDelete), same, d.Unchanged)
	if d.Cost != nil {
		d.Cost.write(w)
	}
	if blocked := d.Blocked(); len(blocked) > 0 {
		fmt.Fprintf(w, "pulumi up would fail on %d of them (marked !)\n", len(blocked))
	}
}

// write prints the cost line: the totals before and after (and at the
// autoscaling maximum where it differs), what moved them, each resource whose
// cost changes, and what could not be priced.
func (c *CostDelta) write(w io.Writer) {
	without := ""
	if n := len(c.Unpriced); n > 0 {
		without = fmt.Sprintf(" without the %d resource(s) not priced, listed below", n)
	}
	fmt.Fprintf(w, "Monthly cost (On-Demand, %s, prices of %s): $%.2f → $%.2f (%s%s)\n", c.Currency, c.PricedAt, c.Before, c.After, signed(c.Delta), without)
	if c.BeforeMax != c.Before || c.AfterMax != c.After {
		fmt.Fprintf(w, "   at the autoscaling maximum: $%.2f → $%.2f (%s%s)\n", c.BeforeMax, c.AfterMax, signed(c.DeltaMax), without)
	}
	if c.PricedAtBefore != "" {
		fmt.Fprintf(w, "   the old plan was priced with the prices of %s\n", c.PricedAtBefore)
	}
	if len(c.Assumptions) > 0 || len(c.Prices) > 0 {
		fmt.Fprintf(w, "   of which the resources %s, the changed assumptions and prices %s:\n", signed(c.FromResources), signed(c.FromBasis))
		for _, a := range c.Assumptions {
			fmt.Fprintf(w, "     assumption %s: %g → %g\n", a.Key, a.Before, a.After)
		}
		for _, p := range c.Prices {
			fmt.Fprintf(w, "     price %s: $%g → $%g\n", p.Key, p.Before, p.After)
		}
	}
	if c.BasisNote != "" {
		fmt.Fprintf(w, "   note: %s\n", c.BasisNote)
	}
	for _, it := range c.Items {
		line := fmt.Sprintf("   %s  %s %s: $%.2f → $%.2f", signed(it.Delta), it.Type, it.Name, it.Before, it.After)
		if (it.BeforeMax > 0 || it.AfterMax > 0) && (it.BeforeMax != it.Before || it.AfterMax != it.After) {
			line += fmt.Sprintf(" (at the maximum $%.2f → $%.2f)", it.BeforeMax, it.AfterMax)
		}
		if it.AwaitingImage {
			line += " (once its image is set)"
		}
		fmt.Fprintln(w, line)
	}
	for _, u := range c.Unpriced {
		fmt.Fprintf(w, "   not priced, left out of the totals: %s %s: %s\n", u.Type, u.Name, u.Reason)
	}
}

// signed shows a cost delta with its sign.
func signed(v float64) string {
	if v < 0 {
		return fmt.Sprintf("-$%.2f", -v)
	}
	return fmt.Sprintf("+$%.2f", v)
}

// valueLines shows one changed input. A JSON document (a policy, a container
// definition) is shown as the leaves that differ, each with its path.
func valueLines(key string, v ValueChange) []string {
	if v.Old == Secret && v.New == Secret {
		return []string{key + ": [secret] → [secret] (the value changes)"}
	}
	a, aok := jsonDocument(v.Old)
	b, bok := jsonDocument(v.New)
	if !aok || !bok {
		return []string{fmt.Sprintf("%s: %s → %s", key, show(v.Old, maxValueRunes), show(v.New, maxValueRunes))}
	}
	var lines []string
	leafDiff(key, a, b, &lines)
	if len(lines) > maxLinesPerInput {
		more := len(lines) - maxLinesPerInput
		lines = append(lines[:maxLinesPerInput], fmt.Sprintf("%s: … and %d more (the JSON diff has them all)", key, more))
	}
	return lines
}

// jsonDocument parses a string that holds a JSON object or array.
func jsonDocument(v any) (any, bool) {
	s, ok := v.(string)
	if !ok || !(strings.HasPrefix(s, "{") || strings.HasPrefix(s, "[")) {
		return nil, false
	}
	var doc any
	if json.Unmarshal([]byte(s), &doc) != nil {
		return nil, false
	}
	return doc, true
}

// leafDiff appends "path: old → new" for every leaf that differs. Arrays of
// objects that all carry a distinct "name" (environment variables, secrets,
// containers) are matched by name, so one added variable is one line.
func leafDiff(path string, a, b any, lines *[]string) {
	if reflect.DeepEqual(a, b) {
		return
	}
	switch x := a.(type) {
	case map[string]any:
		if y, ok := b.(map[string]any); ok {
			keys := map[string]bool{}
			for k := range x {
				keys[k] = true
			}
			for k := range y {
				keys[k] = true
			}
			for _, k := range slices.Sorted(maps.Keys(keys)) {
				leafDiff(path+"."+k, x[k], y[k], lines)
			}
			return
		}
	case []any:
		if y, ok := b.([]any); ok {
			if xs, ys := byName(x), byName(y); xs != nil && ys != nil {
				names := map[string]bool{}
				for k := range xs {
					names[k] = true
				}
				for k := range ys {
					names[k] = true
				}
				for _, n := range slices.Sorted(maps.Keys(names)) {
					leafDiff(path+"["+n+"]", xs[n], ys[n], lines)
				}
				return
			}
			for i := range max(len(x), len(y)) {
				var xa, yb any
				if i < len(x) {
					xa = x[i]
				}
				if i < len(y) {
					yb = y[i]
				}
				leafDiff(fmt.Sprintf("%s[%d]", path, i), xa, yb, lines)
			}
			return
		}
	}
	*lines = append(*lines, fmt.Sprintf("%s: %s → %s", path, show(a, maxValueRunes), show(b, maxValueRunes)))
}

// byName indexes an array of objects by their distinct "name" fields, or nil.
func byName(list []any) map[string]any {
	out := map[string]any{}
	for _, e := range list {
		m, ok := e.(map[string]any)
		if !ok {
			return nil
		}
		n, ok := m["name"].(string)
		if _, dup := out[n]; !ok || dup {
			return nil
		}
		out[n] = m
	}
	return out
}

// show renders a value compactly, as JSON, cut at n runes; absent is "(none)".
func show(v any, n int) string {
	if v == nil {
		return "(none)"
	}
	if s, ok := v.(string); ok && (s == Secret || s == Unknown) {
		return s
	}
	b, err := json.Marshal(v)
	s := string(b)
	if err != nil {
		s = fmt.Sprint(v)
	}
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
