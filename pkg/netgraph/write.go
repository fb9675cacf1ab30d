package netgraph

import (
	"fmt"
	"io"
	"strings"
)

// Formats are the drawings Write can produce.
var Formats = []string{"mermaid", "dot"}

// Write draws g in format (one of Formats).
func Write(out io.Writer, g *Graph, format string) error {
	var b strings.Builder
	switch format {
	case "mermaid":
		mermaid(&b, g)
	case "dot":
		dot(&b, g)
	default:
		return fmt.Errorf("unknown graph format %q; use one of: %s", format, strings.Join(Formats, ", "))
	}
	_, err := io.WriteString(out, b.String())
	return err
}

// Summary is the one-line account both drawings start with.
func (g *Graph) Summary() string {
	allowed, missing := 0, 0
	for _, e := range g.Edges {
		if e.Missing {
			missing++
		} else {
			allowed++
		}
	}
	return fmt.Sprintf("platformctl graph: %s, environment %s: %d connections allowed by the NetworkPolicies, %d declared but not allowed",
		g.Platform, g.Env, allowed, missing)
}

// groups returns the nodes by group, in the graph's order.
func (g *Graph) groups() (names []string, nodes map[string][]Node) {
	nodes = map[string][]Node{}
	for _, n := range g.Nodes {
		if _, ok := nodes[n.Group]; !ok {
			names = append(names, n.Group)
		}
		nodes[n.Group] = append(nodes[n.Group], n)
	}
	return names, nodes
}

func edgeLabel(e Edge) string {
	if e.Missing {
		return e.Port + " declared, not allowed (" + e.Why + ")"
	}
	if e.Port == "*" {
		return "any port"
	}
	if e.Mesh {
		return e.Port + " (mesh)"
	}
	return e.Port
}

// mermaidIDs gives every node and group an identifier mermaid accepts
// (letters, digits, underscores), derived from its ID so it is stable; the
// rare clash of two derived names gets a numeric suffix, in sorted order.
func mermaidIDs(g *Graph) map[string]string {
	ids := map[string]string{}
	taken := map[string]bool{}
	for _, n := range g.Nodes {
		base := "n_" + sanitize(n.ID)
		id := base
		for i := 2; taken[id]; i++ {
			id = fmt.Sprintf("%s_%d", base, i)
		}
		taken[id] = true
		ids[n.ID] = id
	}
	return ids
}

func sanitize(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}

// mq quotes a mermaid label, which knows no backslash escapes: a quote is
// the entity #quot;.
func mq(s string) string { return `"` + strings.ReplaceAll(s, `"`, "#quot;") + `"` }

// mermaidShape wraps a label in the shape of its node's kind.
func mermaidShape(n Node) string {
	l := mq(n.Label)
	switch n.Kind {
	case KindStore:
		return "[(" + l + ")]"
	case KindEdge:
		return "{{" + l + "}}"
	case KindTelemetry, KindMonitor:
		return "([" + l + "])"
	case KindJob:
		return "[/" + l + "/]"
	case KindExternal:
		return "((" + l + "))"
	case KindEntity:
		return "[[" + l + "]]"
	}
	return "[" + l + "]"
}

func mermaid(b *strings.Builder, g *Graph) {
	ids := mermaidIDs(g)
	fmt.Fprintf(b, "%%%% %s\n", g.Summary())
	b.WriteString("flowchart LR\n")
	names, nodes := g.groups()
	for i, name := range names {
		fmt.Fprintf(b, "  subgraph g%d[%s]\n", i, mq(name))
		for _, n := range nodes[name] {
			fmt.Fprintf(b, "    %s%s\n", ids[n.ID], mermaidShape(n))
		}
		b.WriteString("  end\n")
	}
	var missing []string
	for i, e := range g.Edges {
		arrow := "-->"
		if e.Missing {
			arrow = "-.->"
			missing = append(missing, fmt.Sprint(i))
		}
		fmt.Fprintf(b, "  %s %s|%s| %s\n", ids[e.From], arrow, mq(edgeLabel(e)), ids[e.To])
	}
	if len(missing) > 0 {
		fmt.Fprintf(b, "  linkStyle %s stroke:#d00,color:#d00,stroke-dasharray:5 5\n", strings.Join(missing, ","))
	}
}

var dotShapes = map[string]string{
	KindService: "box", KindStore: "cylinder", KindEdge: "hexagon", KindTelemetry: "ellipse",
	KindMonitor: "ellipse", KindJob: "parallelogram", KindExternal: "doublecircle", KindEntity: "component",
}

func dot(b *strings.Builder, g *Graph) {
	fmt.Fprintf(b, "// %s\n", g.Summary())
	b.WriteString("digraph platform {\n  rankdir=LR;\n  node [fontname=\"Helvetica\"];\n  edge [fontname=\"Helvetica\"];\n")
	names, nodes := g.groups()
	for i, name := range names {
		fmt.Fprintf(b, "  subgraph cluster_%d {\n    label=%q;\n", i, name)
		for _, n := range nodes[name] {
			fmt.Fprintf(b, "    %q [label=%q, shape=%s];\n", n.ID, n.Label, dotShapes[n.Kind])
		}
		b.WriteString("  }\n")
	}
	for _, e := range g.Edges {
		attrs := fmt.Sprintf("label=%q", edgeLabel(e))
		if e.Missing {
			attrs += ", style=dashed, color=red, fontcolor=red"
		}
		fmt.Fprintf(b, "  %q -> %q [%s];\n", e.From, e.To, attrs)
	}
	b.WriteString("}\n")
}
