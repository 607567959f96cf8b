package stackplan

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// WriteTree prints the plan like `pulumi preview`: the resource tree with what
// would happen to each, the stack outputs, and a summary count.
func (p *Plan) WriteTree(w io.Writer) {
	type row struct {
		typ, name string
		imported  bool
	}
	var rows []row
	var walk func(r Resource, prefix, branch string)
	walk = func(r Resource, prefix, branch string) {
		rows = append(rows, row{prefix + branch + r.Type, r.Name, r.Import != ""})
		children := p.Children(r.URN)
		next := prefix
		switch branch {
		case "├─ ":
			next += "│  "
		case "└─ ":
			next += "   "
		}
		for i, c := range children {
			b := "├─ "
			if i == len(children)-1 {
				b = "└─ "
			}
			walk(c, next, b)
		}
	}
	walk(p.Root(), "", "")

	typeWidth, nameWidth := len("Type"), len("Name")
	for _, r := range rows {
		typeWidth = max(typeWidth, len([]rune(r.typ)))
		nameWidth = max(nameWidth, len(r.name))
	}
	fmt.Fprintf(w, "Previewing update (%s), offline against the mock cloud:\n\n", p.Stack)
	fmt.Fprintf(w, "     %-*s  %-*s  %s\n", typeWidth, "Type", nameWidth, "Name", "Plan")
	imports := 0
	for _, r := range rows {
		pad := typeWidth - len([]rune(r.typ))
		symbol, op := "+", "create"
		if r.imported {
			symbol, op = "=", "import"
			imports++
		}
		fmt.Fprintf(w, " %s   %s%s  %-*s  %s\n", symbol, r.typ, strings.Repeat(" ", pad), nameWidth, r.name, op)
	}

	if len(p.Outputs) > 0 {
		fmt.Fprintf(w, "\nOutputs:\n")
		names := slices.Sorted(maps.Keys(p.Outputs))
		width := 0
		for _, n := range names {
			width = max(width, len(n))
		}
		for _, n := range names {
			fmt.Fprintf(w, "    %-*s: %s\n", width, n, showValue(p.Outputs[n]))
		}
	}
	fmt.Fprintf(w, "\nResources:\n    + %d to create\n", len(p.Resources)-imports)
	if imports > 0 {
		fmt.Fprintf(w, "    = %d to import\n", imports)
	}
}

// showValue renders an output value compactly, as JSON.
func showValue(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// WriteMermaid prints a Mermaid flowchart of the stack's top-level components
// that own resources (and top-level resources) and the dependencies between
// them, aggregated from every resource they contain.
func (p *Plan) WriteMermaid(w io.Writer) {
	root := p.Root()
	top := map[string]string{} // urn -> urn of its top-level ancestor
	// A component that owns nothing (the destroy guard, which only depends on
	// everything) has no place in a picture of what uses what.
	owns := map[string]bool{}
	for _, r := range p.Resources {
		owns[r.Parent] = true
	}
	var nodes []Resource
	for _, r := range p.Resources {
		if r.Parent == root.URN && (r.Custom || owns[r.URN]) {
			nodes = append(nodes, r)
		}
	}
	var topOf func(urn string, depth int) string
	topOf = func(urn string, depth int) string {
		if t, ok := top[urn]; ok {
			return t
		}
		r, ok := p.ByURN(urn)
		if !ok || depth > len(p.Resources) {
			return ""
		}
		t := urn
		if r.Parent != root.URN && r.Parent != "" {
			t = topOf(r.Parent, depth+1)
		}
		top[urn] = t
		return t
	}

	// A component is named after its tier (the middle of ohmycoins:network:Network),
	// since every component carries the environment's prefix as its name; a tier
	// with several components adds the type (dns/Certificate).
	tierCount := map[string]int{}
	for _, n := range nodes {
		if parts := strings.Split(n.Type, ":"); !n.Custom && len(parts) == 3 {
			tierCount[parts[1]]++
		}
	}
	ids := map[string]string{}
	fmt.Fprintf(w, "flowchart LR\n")
	fmt.Fprintf(w, "  %%%% %s/%s: components and the dependencies between them (A --> B: A uses B)\n", p.Project, p.Stack)
	for i, n := range nodes {
		id := fmt.Sprintf("n%d", i+1)
		ids[n.URN] = id
		if n.Custom {
			fmt.Fprintf(w, "  %s[\"%s<br/><small>%s</small>\"]\n", id, mermaidText(n.Name), mermaidText(n.Type))
			continue
		}
		label := n.Type
		if parts := strings.Split(n.Type, ":"); len(parts) == 3 {
			label = parts[1]
			if tierCount[parts[1]] > 1 {
				label += "/" + parts[2]
			}
		}
		fmt.Fprintf(w, "  %s([\"%s<br/><small>%s</small>\"])\n", id, mermaidText(label), mermaidText(n.Type))
	}
	edges := map[[2]string]bool{}
	for _, r := range p.Resources {
		from := topOf(r.URN, 0)
		for _, d := range r.Dependencies {
			to := topOf(d, 0)
			if from != "" && to != "" && from != to && ids[from] != "" && ids[to] != "" {
				edges[[2]string{ids[from], ids[to]}] = true
			}
		}
	}
	var list [][2]string
	for e := range edges {
		list = append(list, e)
	}
	sort.Slice(list, func(i, j int) bool {
		if list[i][0] != list[j][0] {
			return list[i][0] < list[j][0]
		}
		return list[i][1] < list[j][1]
	})
	for _, e := range list {
		fmt.Fprintf(w, "  %s --> %s\n", e[0], e[1])
	}
}

var mermaidUnsafe = regexp.MustCompile(`["<>]`)

func mermaidText(s string) string { return mermaidUnsafe.ReplaceAllString(s, "_") }
