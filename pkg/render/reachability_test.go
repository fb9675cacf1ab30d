package render_test

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/platformctl/platformctl/pkg/manifest"
	"github.com/platformctl/platformctl/pkg/render"
	"github.com/platformctl/platformctl/pkg/spec"
)

// The reachability test evaluates the rendered NetworkPolicies with the
// Kubernetes semantics (a pod is isolated in a direction once any policy of
// that type selects it; traffic passes when the sender's egress and the
// receiver's ingress both allow it) and compares every allowed
// (source, destination, port) with the matrix the design promises: the edge
// reaches the exposed services on their ports; apps reach the data stores
// they use on the store's port, and the collector on OTLP; backups reach
// their store; Prometheus reaches every metrics port and Grafana reaches
// Prometheus; nothing else talks to anything in the cluster.

type pod struct {
	ns, name string
	labels   map[string]string
	ports    []int64
}

type policy struct {
	ns       string
	selector map[string]any
	types    map[string]bool
	ingress  []any
	egress   []any
}

func asMap(v any) map[string]any { m, _ := v.(map[string]any); return m }

func asList(v any) []any { l, _ := v.([]any); return l }

func strMap(v any) map[string]string {
	out := map[string]string{}
	for k, x := range asMap(v) {
		out[k], _ = x.(string)
	}
	return out
}

// selects evaluates a LabelSelector; nil selects nothing, {} everything.
func selects(sel map[string]any, labels map[string]string) bool {
	if sel == nil {
		return false
	}
	for k, v := range strMap(sel["matchLabels"]) {
		if labels[k] != v {
			return false
		}
	}
	for _, e := range asList(sel["matchExpressions"]) {
		em := asMap(e)
		key, _ := em["key"].(string)
		v, has := labels[key]
		in := false
		for _, x := range asList(em["values"]) {
			in = in || x == v
		}
		switch em["operator"] {
		case "In":
			if !has || !in {
				return false
			}
		case "NotIn":
			if has && in {
				return false
			}
		case "Exists":
			if !has {
				return false
			}
		case "DoesNotExist":
			if has {
				return false
			}
		}
	}
	return true
}

type world struct {
	pods     []pod
	policies []policy
	nsLabels map[string]map[string]string
}

// addons are the pods of the components a platform installs next to
// platformctl's objects, which the policies admit or confine: the edge
// controller (as a Gateway implementation labels its proxies), Prometheus
// and Grafana.
func addons(objs []render.Object) []pod {
	var out []pod
	for _, o := range objs {
		m := o.Map
		ns := manifest.String(m, "metadata", "namespace")
		switch {
		case manifest.String(m, "kind") == "Gateway":
			out = append(out, pod{ns: ns, name: "gateway-proxy", ports: []int64{8080, 8443},
				labels: map[string]string{"gateway.networking.k8s.io/gateway-name": manifest.String(m, "metadata", "name")}})
		case manifest.String(m, "kind") == "NetworkPolicy" && manifest.String(m, "metadata", "name") == "edge-controller" &&
			manifest.Get(m, "spec", "podSelector", "matchLabels", "app.kubernetes.io/name") == "ingress-nginx":
			out = append(out, pod{ns: ns, name: "ingress-nginx", ports: []int64{80, 443},
				labels: map[string]string{"app.kubernetes.io/name": "ingress-nginx", "app.kubernetes.io/component": "controller"}})
		case manifest.String(m, "kind") == "NetworkPolicy" && manifest.String(m, "metadata", "name") == "prometheus":
			out = append(out,
				pod{ns: ns, name: "prometheus", ports: []int64{9090}, labels: map[string]string{"app.kubernetes.io/name": "prometheus"}},
				pod{ns: ns, name: "grafana", ports: []int64{3000}, labels: map[string]string{"app.kubernetes.io/name": "grafana"}})
		}
	}
	return out
}

func load(t *testing.T, objs []render.Object) *world {
	t.Helper()
	w := &world{nsLabels: map[string]map[string]string{}}
	w.pods = append(w.pods, addons(objs)...)
	for _, o := range objs {
		m := o.Map
		kind := manifest.String(m, "kind")
		ns := manifest.String(m, "metadata", "namespace")
		switch kind {
		case "Namespace":
			name := manifest.String(m, "metadata", "name")
			l := strMap(manifest.Get(m, "metadata", "labels"))
			// The API server sets this label itself; the policies rely on it.
			l["kubernetes.io/metadata.name"] = name
			w.nsLabels[name] = l
		case "NetworkPolicy":
			p := policy{ns: ns, selector: asMap(manifest.Get(m, "spec", "podSelector")), types: map[string]bool{}}
			for _, ty := range asList(manifest.Get(m, "spec", "policyTypes")) {
				p.types[ty.(string)] = true
			}
			p.ingress = asList(manifest.Get(m, "spec", "ingress"))
			p.egress = asList(manifest.Get(m, "spec", "egress"))
			w.policies = append(w.policies, p)
		case "Deployment", "StatefulSet", "CronJob":
			tmpl := podTemplate(m)
			p := pod{ns: ns, name: manifest.String(m, "metadata", "name"),
				labels: strMap(manifest.Get(tmpl, "metadata", "labels"))}
			for _, c := range asList(manifest.Get(tmpl, "spec", "containers")) {
				for _, port := range asList(asMap(c)["ports"]) {
					n, err := asMap(port)["containerPort"].(interface{ Int64() (int64, error) }).Int64()
					require.NoError(t, err)
					p.ports = append(p.ports, n)
				}
			}
			w.pods = append(w.pods, p)
		}
	}
	return w
}

// peerAllows says whether a rule's peers admit p (an empty peer list admits all).
func (w *world) peerAllows(peers []any, p pod, policyNS string) bool {
	if len(peers) == 0 {
		return true
	}
	for _, peer := range peers {
		pm := asMap(peer)
		if pm["ipBlock"] != nil {
			continue // cluster pods are judged by selectors, not addresses
		}
		nsSel := asMap(pm["namespaceSelector"])
		podSel := asMap(pm["podSelector"])
		nsOK := p.ns == policyNS
		if pm["namespaceSelector"] != nil {
			nsOK = selects(nsSel, w.nsLabels[p.ns])
		}
		podOK := pm["podSelector"] == nil || selects(podSel, p.labels)
		if nsOK && podOK {
			return true
		}
	}
	return false
}

func portAllows(ports []any, port int64) bool {
	if len(ports) == 0 {
		return true
	}
	for _, pp := range ports {
		if fmt.Sprint(asMap(pp)["port"]) == fmt.Sprint(port) {
			return true
		}
	}
	return false
}

// allowed evaluates one direction: the policies of target's namespace that
// select target and have policyType dir; other is the far end.
func (w *world) allowed(dir string, target, other pod, port int64) bool {
	isolated := false
	for _, pol := range w.policies {
		if pol.ns != target.ns || !pol.types[dir] || !selects(pol.selector, target.labels) {
			continue
		}
		isolated = true
		rules := pol.ingress
		peerKey := "from"
		if dir == "Egress" {
			rules, peerKey = pol.egress, "to"
		}
		for _, r := range rules {
			rm := asMap(r)
			if w.peerAllows(asList(rm[peerKey]), other, pol.ns) && portAllows(asList(rm["ports"]), port) {
				return true
			}
		}
	}
	return !isolated
}

func (w *world) matrix() []string {
	var out []string
	for _, src := range w.pods {
		for _, dst := range w.pods {
			if src.ns == dst.ns && src.name == dst.name {
				continue
			}
			for _, port := range dst.ports {
				if w.allowed("Egress", src, dst, port) && w.allowed("Ingress", dst, src, port) {
					out = append(out, fmt.Sprintf("%s/%s -> %s/%s:%d", src.ns, src.name, dst.ns, dst.name, port))
				}
			}
		}
	}
	sort.Strings(out)
	return out
}

func TestNetworkPolicyReachability(t *testing.T) {
	d, err := spec.LoadAndValidate("../../examples/shop/platform.yaml")
	require.NoError(t, err)
	tests := []struct {
		env  string
		want []string
	}{
		{env: "production", want: []string{
			"apps/email-worker -> observability/otel-collector:4317",
			"apps/orders -> data/orders-db:5432",
			"apps/orders -> observability/otel-collector:4317",
			"apps/recommender -> data/cache:6379",
			"apps/recommender -> observability/otel-collector:4317",
			"apps/web -> data/cache:6379",
			"apps/web -> data/orders-db:5432",
			"apps/web -> observability/otel-collector:4317",
			"apps/web-canary -> data/cache:6379",
			"apps/web-canary -> data/orders-db:5432",
			"apps/web-canary -> observability/otel-collector:4317",
			"data/orders-db-backup -> data/orders-db:5432",
			"edge/gateway-proxy -> apps/orders:9090",
			"edge/gateway-proxy -> apps/web-canary:8080",
			"edge/gateway-proxy -> apps/web:8080",
			"observability/grafana -> observability/prometheus:9090",
			"observability/prometheus -> apps/email-worker:8080",
			"observability/prometheus -> apps/orders:9464",
			"observability/prometheus -> apps/recommender:9464",
			"observability/prometheus -> apps/web-canary:8080",
			"observability/prometheus -> apps/web:8080",
			"observability/prometheus -> data/cache:9121",
			"observability/prometheus -> data/orders-db:9187",
		}},
		{env: "dev", want: []string{
			"dev-apps/email-worker -> dev-observability/otel-collector:4317",
			"dev-apps/orders -> dev-data/orders-db:5432",
			"dev-apps/orders -> dev-observability/otel-collector:4317",
			"dev-apps/recommender -> dev-data/cache:6379",
			"dev-apps/recommender -> dev-observability/otel-collector:4317",
			"dev-apps/web -> dev-data/cache:6379",
			"dev-apps/web -> dev-data/orders-db:5432",
			"dev-apps/web -> dev-observability/otel-collector:4317",
			"dev-apps/web-canary -> dev-data/cache:6379",
			"dev-apps/web-canary -> dev-data/orders-db:5432",
			"dev-apps/web-canary -> dev-observability/otel-collector:4317",
			"dev-data/orders-db-backup -> dev-data/orders-db:5432",
			"dev-edge/gateway-proxy -> dev-apps/orders:9090",
			"dev-edge/gateway-proxy -> dev-apps/web-canary:8080",
			"dev-edge/gateway-proxy -> dev-apps/web:8080",
			"dev-observability/grafana -> dev-observability/prometheus:9090",
			"dev-observability/prometheus -> dev-apps/email-worker:8080",
			"dev-observability/prometheus -> dev-apps/orders:9464",
			"dev-observability/prometheus -> dev-apps/recommender:9464",
			"dev-observability/prometheus -> dev-apps/web-canary:8080",
			"dev-observability/prometheus -> dev-apps/web:8080",
			"dev-observability/prometheus -> dev-data/cache:9121",
			"dev-observability/prometheus -> dev-data/orders-db:9187",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.env, func(t *testing.T) {
			objs, err := render.Environment(d.Platform, tt.env)
			require.NoError(t, err)
			w := load(t, objs)
			require.NotEmpty(t, w.pods)
			assert.Equal(t, tt.want, w.matrix(), "allowed pod-to-pod paths:\n%s", strings.Join(w.matrix(), "\n"))
		})
	}
}

// TestReachabilityEvaluatorCatchesAnOpenPolicy proves the evaluator is not
// vacuous: without default-deny, everything reaches everything.
func TestReachabilityEvaluatorCatchesAnOpenPolicy(t *testing.T) {
	d, err := spec.LoadAndValidate("../../examples/shop/platform.yaml")
	require.NoError(t, err)
	objs, err := render.Environment(d.Platform, "production")
	require.NoError(t, err)
	var kept []render.Object
	for _, o := range objs {
		if manifest.String(o.Map, "kind") != "NetworkPolicy" {
			kept = append(kept, o)
		}
	}
	w := load(t, kept)
	assert.Contains(t, w.matrix(), "apps/web -> apps/orders:9090")
	assert.Greater(t, len(w.matrix()), 20)
}
