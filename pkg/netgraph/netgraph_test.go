package netgraph_test

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/platformctl/platformctl/pkg/internal/golden"
	"github.com/platformctl/platformctl/pkg/manifest"
	"github.com/platformctl/platformctl/pkg/netgraph"
	"github.com/platformctl/platformctl/pkg/render"
	"github.com/platformctl/platformctl/pkg/spec"
)

func build(t *testing.T, example, env string, edit func([]manifest.Map) []manifest.Map) *netgraph.Graph {
	t.Helper()
	d, err := spec.LoadAndValidate("../../examples/" + example + "/platform.yaml")
	require.NoError(t, err)
	objs, err := render.Environment(d.Platform, env)
	require.NoError(t, err)
	maps := make([]manifest.Map, len(objs))
	for i, o := range objs {
		maps[i] = o.Map
	}
	if edit != nil {
		maps = edit(maps)
	}
	g, err := netgraph.Build(d.Platform, env, maps)
	require.NoError(t, err)
	return g
}

func draw(t *testing.T, g *netgraph.Graph, format string) string {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, netgraph.Write(&b, g, format))
	return b.String()
}

func TestGolden(t *testing.T) {
	g := build(t, "shop", "production", nil)
	golden.Assert(t, "testdata/shop-production.mmd", draw(t, g, "mermaid"))
	golden.Assert(t, "testdata/shop-production.dot", draw(t, g, "dot"))
}

// dropRule removes the ingress rules of the NetworkPolicy ns/name whose
// ports include port: the allow a broken policy would lack.
func dropRule(ns, name string, port int) func([]manifest.Map) []manifest.Map {
	return func(objs []manifest.Map) []manifest.Map {
		out := make([]manifest.Map, len(objs))
		for i, m := range objs {
			out[i] = m
			if manifest.String(m, "kind") != "NetworkPolicy" || manifest.String(m, "metadata", "namespace") != ns ||
				manifest.String(m, "metadata", "name") != name {
				continue
			}
			specCopy := manifest.Map{}
			for k, v := range m["spec"].(manifest.Map) {
				specCopy[k] = v
			}
			var kept []any
			for _, r := range specCopy["ingress"].([]any) {
				if !strings.Contains(fmt.Sprint(r), "port:"+strconv.Itoa(port)+" ") {
					kept = append(kept, r)
				}
			}
			specCopy["ingress"] = kept
			c := manifest.Map{}
			for k, v := range m {
				c[k] = v
			}
			c["spec"] = specCopy
			out[i] = c
		}
		return out
	}
}

func missing(g *netgraph.Graph) []string {
	var out []string
	for _, e := range g.Edges {
		if e.Missing {
			out = append(out, e.From+" -> "+e.To+":"+e.Port+" ("+e.Why+")")
		}
	}
	return out
}

func TestDeclaredButNotAllowed(t *testing.T) {
	tests := []struct {
		name string
		edit func([]manifest.Map) []manifest.Map
		want []string
	}{
		{"intact policies", nil, nil},
		{"the cache admits no app", dropRule("data", "cache", 6379), []string{
			"apps/recommender -> data/cache:6379 (uses cache)",
			"apps/web -> data/cache:6379 (uses cache)",
			"apps/web-canary -> data/cache:6379 (uses cache)",
		}},
		{"orders admits neither web nor the edge", dropRule("apps", "orders", 9090), []string{
			"apps/web -> apps/orders:9090 (calls orders)",
			"apps/web-canary -> apps/orders:9090 (calls orders)",
			"envoy-gateway-system/gateway-proxy -> apps/orders:9090 (exposed at the edge)",
		}},
		{"web admits no edge", dropRule("apps", "web", 8080), []string{
			"envoy-gateway-system/gateway-proxy -> apps/web:8080 (exposed at the edge)",
			"envoy-gateway-system/gateway-proxy -> apps/web-canary:8080 (exposed at the edge)",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := build(t, "shop", "production", tt.edit)
			assert.Equal(t, tt.want, missing(g))
			mmd := draw(t, g, "mermaid")
			dot := draw(t, g, "dot")
			if tt.want == nil {
				assert.NotContains(t, mmd, "-.->")
				assert.NotContains(t, dot, "dashed")
				return
			}
			assert.Regexp(t, `(?m)^  linkStyle [0-9,]+ stroke:#d00,color:#d00,stroke-dasharray:5 5$`, mmd)
			assert.Equal(t, len(tt.want), strings.Count(mmd, "-.->"))
			assert.Equal(t, len(tt.want), strings.Count(dot, "style=dashed, color=red"))
			checkMermaid(t, mmd)
		})
	}
	g := build(t, "shop", "production", dropRule("data", "cache", 6379))
	assert.Contains(t, draw(t, g, "mermaid"), `  n_apps_web -.->|"6379 declared, not allowed (uses cache)"| n_data_cache`+"\n")
	assert.Contains(t, draw(t, g, "dot"), `  "apps/web" -> "data/cache" [label="6379 declared, not allowed (uses cache)", style=dashed, color=red, fontcolor=red];`+"\n")
}

var (
	mmdNode     = regexp.MustCompile(`^    ([A-Za-z0-9_]+)(\[".*"\]|\[\(".*"\)\]|\{\{".*"\}\}|\(\[".*"\]\)|\[/".*"/\]|\(\(".*"\)\)|\[\[".*"\]\])$`)
	mmdEdge     = regexp.MustCompile(`^  ([A-Za-z0-9_]+) (-->|-\.->)\|"[^"]*"\| ([A-Za-z0-9_]+)$`)
	mmdGroup    = regexp.MustCompile(`^  subgraph (g[0-9]+)\["[^"]*"\]$`)
	mmdLinkStyl = regexp.MustCompile(`^  linkStyle ([0-9,]+) `)
)

// checkMermaid parses a flowchart the way the writer writes it: a header,
// subgraphs of node declarations, then edges between declared nodes, and
// a linkStyle naming exactly the dashed edges. Any other line fails.
func checkMermaid(t *testing.T, mmd string) {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(mmd, "\n"), "\n")
	require.GreaterOrEqual(t, len(lines), 2)
	assert.True(t, strings.HasPrefix(lines[0], "%% "), lines[0])
	assert.Equal(t, "flowchart LR", lines[1])
	declared := map[string]bool{}
	inGroup := false
	edges := 0
	var dashed []string
	for i, l := range lines[2:] {
		switch m := mmdEdge.FindStringSubmatch(l); {
		case mmdGroup.MatchString(l):
			assert.False(t, inGroup, "line %d: nested subgraph", i+3)
			assert.Zero(t, edges, "line %d: a subgraph after the edges", i+3)
			inGroup = true
		case l == "  end":
			assert.True(t, inGroup, "line %d: end without subgraph", i+3)
			inGroup = false
		case mmdNode.MatchString(l):
			assert.True(t, inGroup, "line %d: node outside a subgraph", i+3)
			id := mmdNode.FindStringSubmatch(l)[1]
			assert.False(t, declared[id], "line %d: %s declared twice", i+3, id)
			declared[id] = true
		case m != nil:
			assert.True(t, declared[m[1]], "line %d: edge from undeclared node %s", i+3, m[1])
			assert.True(t, declared[m[3]], "line %d: edge to undeclared node %s", i+3, m[3])
			if m[2] == "-.->" {
				dashed = append(dashed, strconv.Itoa(edges))
			}
			edges++
		case mmdLinkStyl.MatchString(l):
			assert.Equal(t, strings.Join(dashed, ","), mmdLinkStyl.FindStringSubmatch(l)[1], "linkStyle names the dashed edges")
			dashed = nil
		default:
			t.Errorf("line %d: not mermaid the writer writes: %q", i+3, l)
		}
	}
	assert.False(t, inGroup, "unterminated subgraph")
	assert.Empty(t, dashed, "dashed edges without a linkStyle")
	assert.NotZero(t, edges)
}

func TestMermaidParses(t *testing.T) {
	for _, ex := range []string{"shop", "minimal", "nginx", "stores", "microservices"} {
		t.Run(ex, func(t *testing.T) {
			checkMermaid(t, draw(t, build(t, ex, "production", nil), "mermaid"))
		})
	}
	t.Run("broken", func(t *testing.T) {
		checkMermaid(t, draw(t, build(t, "shop", "production", dropRule("data", "cache", 6379)), "mermaid"))
	})
}

// TestDeterministic: a second build draws the same bytes (no map order
// leaks into the output).
func TestDeterministic(t *testing.T) {
	for _, format := range netgraph.Formats {
		first := draw(t, build(t, "shop", "production", nil), format)
		for range 3 {
			assert.Equal(t, first, draw(t, build(t, "shop", "production", nil), format))
		}
	}
}

func TestUnknownFormat(t *testing.T) {
	err := netgraph.Write(&bytes.Buffer{}, &netgraph.Graph{}, "svg")
	assert.EqualError(t, err, `unknown graph format "svg"; use one of: mermaid, dot`)
}

// TestMeshPortFolded: in examples/microservices (Istio ambient) every
// connection between meshed pods also reaches the receiver's HBONE port;
// the drawing puts it on the pair's arrows, "(mesh)", instead of an arrow
// of its own, and keeps one where the mesh port is the pair's only way
// (a migration's pods, selected by their service's policy).
func TestMeshPortFolded(t *testing.T) {
	g := build(t, "microservices", "production", nil)
	labels := map[string][]string{}
	for _, e := range g.Edges {
		labels[e.From+" -> "+e.To] = append(labels[e.From+" -> "+e.To], draw1(e))
	}
	assert.Equal(t, []string{"7070 (mesh)"}, labels["apps/checkout -> apps/cart"])
	assert.Equal(t, []string{"6379 (mesh)"}, labels["apps/cart -> data/cart-redis"])
	// Outside the mesh: the edge proxies bypass inbound capture, and
	// Prometheus scrapes them directly.
	assert.Equal(t, []string{"19001"}, labels["observability/prometheus -> envoy-gateway-system/gateway-proxy"])
	migrate := ""
	for pair, l := range labels {
		if strings.HasPrefix(pair, "apps/frontend -> apps/checkout-migrate-") {
			migrate = strings.Join(l, ",")
		}
	}
	assert.Equal(t, "15008", migrate)
	for pair, l := range labels {
		assert.NotContains(t, l, "15008 (mesh)", pair)
	}
}

// draw1 is an edge's label as the drawings write it.
func draw1(e netgraph.Edge) string {
	g := &netgraph.Graph{Nodes: []netgraph.Node{{ID: e.From}, {ID: e.To}}, Edges: []netgraph.Edge{e}}
	var b bytes.Buffer
	if err := netgraph.Write(&b, g, "dot"); err != nil {
		return err.Error()
	}
	m := regexp.MustCompile(`label="([^"]*)"`).FindAllStringSubmatch(b.String(), -1)
	return m[len(m)-1][1]
}

// without drops the objects of kind named name.
func without(kind, name string) func([]manifest.Map) []manifest.Map {
	return func(objs []manifest.Map) []manifest.Map {
		var out []manifest.Map
		for _, m := range objs {
			if manifest.String(m, "kind") != kind || manifest.String(m, "metadata", "name") != name {
				out = append(out, m)
			}
		}
		return out
	}
}

// TestAPIServerEntity: in examples/microservices (Cilium) the pods that
// watch the API server reach it as Cilium names it, one entity node in a
// group of its own with an arrow per port; the arrows are the
// CiliumNetworkPolicy's (gone with it), not the NetworkPolicy's ipBlock.
func TestAPIServerEntity(t *testing.T) {
	toAPIServer := func(g *netgraph.Graph) map[string][]string {
		out := map[string][]string{}
		for _, e := range g.Edges {
			if e.To == "kube-apiserver" {
				out[e.From] = append(out[e.From], e.Port)
			}
		}
		return out
	}
	g := build(t, "microservices", "production", nil)
	var entities []netgraph.Node
	for _, n := range g.Nodes {
		if n.Group == netgraph.EntityGroup {
			entities = append(entities, n)
		}
	}
	assert.Equal(t, []netgraph.Node{{ID: "kube-apiserver", Label: "kube-apiserver", Kind: netgraph.KindEntity, Group: netgraph.EntityGroup}}, entities)
	assert.Equal(t, netgraph.EntityGroup, g.Nodes[len(g.Nodes)-1].Group, "the entities come last")
	both := []string{"443", "6443"}
	assert.Equal(t, map[string][]string{
		"data/catalog-db":              both,
		"data/catalog-db-restore-test": both,
		"observability/grafana":        both,
		"observability/prometheus":     both,
	}, toAPIServer(g))
	mmd, dot := draw(t, g, "mermaid"), draw(t, g, "dot")
	assert.Regexp(t, `\n  subgraph g[0-9]+\["Cilium entities"\]\n    n_kube_apiserver\[\["kube-apiserver"\]\]\n  end\n`, mmd)
	assert.Contains(t, mmd, "\n  n_observability_prometheus -->|\"6443\"| n_kube_apiserver\n")
	assert.Contains(t, dot, "    \"kube-apiserver\" [label=\"kube-apiserver\", shape=component];\n")
	assert.Contains(t, dot, "\n  \"observability/prometheus\" -> \"kube-apiserver\" [label=\"443\"];\n")

	g = build(t, "microservices", "production", without("CiliumNetworkPolicy", "prometheus-kube-apiserver"))
	got := toAPIServer(g)
	assert.NotContains(t, got, "observability/prometheus")
	assert.Contains(t, got, "observability/grafana")
}
