package render_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/platformctl/platformctl/pkg/generate"
	"github.com/platformctl/platformctl/pkg/manifest"
	"github.com/platformctl/platformctl/pkg/mesh"
	"github.com/platformctl/platformctl/pkg/netpol"
	"github.com/platformctl/platformctl/pkg/render"
	"github.com/platformctl/platformctl/pkg/spec"
)

// The reachability test evaluates the rendered NetworkPolicies with the
// Kubernetes semantics (a pod is isolated in a direction once any policy of
// that type selects it; traffic passes when the sender's egress and the
// receiver's ingress both allow it) and compares every allowed
// (source, destination, port) with the matrix the design promises: the edge
// reaches the exposed services on their ports; apps reach the data stores
// they use on the store's port, the services they call on the called port
// (canaries on both ends included), and the collector on OTLP; backups reach
// their store; Prometheus reaches every metrics port and Grafana reaches
// Prometheus; nothing else talks to anything in the cluster.

// asMap, asList, strMap and selects read manifests in the other evaluators
// of this package's tests (references_test.go).

func asMap(v any) map[string]any { m, _ := v.(map[string]any); return m }

func asList(v any) []any { l, _ := v.([]any); return l }

func strMap(v any) map[string]string {
	out := map[string]string{}
	for k, x := range asMap(v) {
		out[k], _ = x.(string)
	}
	return out
}

func selects(sel map[string]any, labels map[string]string) bool { return netpol.Selects(sel, labels) }

// matrix is every connection the policies of objs allow, as
// "ns/from -> ns/to:port", sorted as strings.
func matrix(t *testing.T, objs []render.Object) []string {
	t.Helper()
	maps := make([]manifest.Map, len(objs))
	for i, o := range objs {
		maps[i] = o.Map
	}
	w, err := netpol.Load(maps)
	require.NoError(t, err)
	require.NotEmpty(t, w.Workloads())
	var out []string
	for _, c := range w.Allowed() {
		out = append(out, unhashed(c.String()))
	}
	sort.Strings(out)
	return out
}

// migrationName is a migration Job's name: <service>-migrate-<hash of its
// pod template>, which no spec-side oracle can compute.
var migrationName = regexp.MustCompile(`-migrate-[0-9a-f]{10}\b`)

// unhashed writes a migration Job's pods as <service>-migrate.
func unhashed(s string) string { return migrationName.ReplaceAllString(s, "-migrate") }

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
			"apps/orders-migrate -> data/orders-db:5432",
			"apps/orders-migrate -> observability/otel-collector:4317",
			"apps/recommender -> data/cache-sentinel:26379",
			"apps/recommender -> data/cache:6379",
			"apps/recommender -> observability/otel-collector:4317",
			"apps/sales-report -> data/orders-db:5432",
			"apps/sales-report -> observability/otel-collector:4317",
			"apps/web -> apps/orders:9090",
			"apps/web -> apps/recommender:9090",
			"apps/web -> data/cache-sentinel:26379",
			"apps/web -> data/cache:6379",
			"apps/web -> data/orders-db:5432",
			"apps/web -> observability/otel-collector:4317",
			"apps/web-canary -> apps/orders:9090",
			"apps/web-canary -> apps/recommender:9090",
			"apps/web-canary -> data/cache-sentinel:26379",
			"apps/web-canary -> data/cache:6379",
			"apps/web-canary -> data/orders-db:5432",
			"apps/web-canary -> observability/otel-collector:4317",
			"data/cache-sentinel -> data/cache:6379",
			"envoy-gateway-system/gateway-proxy -> apps/orders:9090",
			"envoy-gateway-system/gateway-proxy -> apps/web-canary:8080",
			"envoy-gateway-system/gateway-proxy -> apps/web:8080",
			"observability/grafana -> observability/prometheus:9090",
			"observability/prometheus -> apps/email-worker:8080",
			"observability/prometheus -> apps/orders:9464",
			"observability/prometheus -> apps/recommender:9464",
			"observability/prometheus -> apps/web-canary:8080",
			"observability/prometheus -> apps/web:8080",
			"observability/prometheus -> data/cache:9121",
			"observability/prometheus -> data/orders-db:9187",
			"observability/prometheus -> envoy-gateway-system/gateway-proxy:19001",
		}},
		{env: "dev", want: []string{
			"dev-apps/email-worker -> dev-observability/otel-collector:4317",
			"dev-apps/orders -> dev-data/orders-db:5432",
			"dev-apps/orders -> dev-observability/otel-collector:4317",
			"dev-apps/orders-migrate -> dev-data/orders-db:5432",
			"dev-apps/orders-migrate -> dev-observability/otel-collector:4317",
			"dev-apps/recommender -> dev-data/cache:6379",
			"dev-apps/recommender -> dev-observability/otel-collector:4317",
			"dev-apps/sales-report -> dev-data/orders-db:5432",
			"dev-apps/sales-report -> dev-observability/otel-collector:4317",
			"dev-apps/web -> dev-apps/orders:9090",
			"dev-apps/web -> dev-apps/recommender:9090",
			"dev-apps/web -> dev-data/cache:6379",
			"dev-apps/web -> dev-data/orders-db:5432",
			"dev-apps/web -> dev-observability/otel-collector:4317",
			"dev-apps/web-canary -> dev-apps/orders:9090",
			"dev-apps/web-canary -> dev-apps/recommender:9090",
			"dev-apps/web-canary -> dev-data/cache:6379",
			"dev-apps/web-canary -> dev-data/orders-db:5432",
			"dev-apps/web-canary -> dev-observability/otel-collector:4317",
			"dev-data/orders-db-backup -> dev-data/orders-db:5432",
			"dev-observability/grafana -> dev-observability/prometheus:9090",
			"dev-observability/prometheus -> dev-apps/email-worker:8080",
			"dev-observability/prometheus -> dev-apps/orders:9464",
			"dev-observability/prometheus -> dev-apps/recommender:9464",
			"dev-observability/prometheus -> dev-apps/web-canary:8080",
			"dev-observability/prometheus -> dev-apps/web:8080",
			"dev-observability/prometheus -> dev-data/cache:9121",
			"dev-observability/prometheus -> dev-data/orders-db:9187",
			"dev-observability/prometheus -> envoy-gateway-system/gateway-proxy:19001",
			"envoy-gateway-system/gateway-proxy -> dev-apps/orders:9090",
			"envoy-gateway-system/gateway-proxy -> dev-apps/web-canary:8080",
			"envoy-gateway-system/gateway-proxy -> dev-apps/web:8080",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.env, func(t *testing.T) {
			objs, err := render.Environment(d.Platform, tt.env)
			require.NoError(t, err)
			got := matrix(t, objs)
			assert.Equal(t, tt.want, got, "allowed pod-to-pod paths:\n%s", strings.Join(got, "\n"))
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
	got := matrix(t, kept)
	assert.Contains(t, got, "apps/orders -> apps/web:8080")
	assert.Greater(t, len(got), 20)
}

// implied is the set of connections the spec of p promises in environment
// env, computed from the spec alone (not from any generated object): the
// edge reaches each exposed service on its port; a service reaches each
// in-cluster store it uses or consumes on the store's port (and a Redis
// under the operator's Sentinels, which reach its pods), each service
// it calls on the called port, and the collector on OTLP when tracing is
// on; a store's backup job reaches its store; with metrics, Prometheus
// reaches every metrics port and Grafana reaches Prometheus. A canary's
// pods send and receive what their stable pods do. With a mesh, each
// connection to a meshed pod also reaches its mesh port. Nothing else.
func implied(p *spec.Platform, envName string) []string {
	env := p.Environment(envName)
	ns := func(area string) string { return spec.Namespace(env, area) }
	s := &p.Spec
	set := map[string]bool{}
	// In a mesh, whatever reaches a meshed pod also reaches its mesh's
	// inbound port (mesh.InboundPort), where meshed senders arrive.
	meshPort, meshed := int32(0), map[string]bool{}
	if m := s.Mesh; m != nil {
		meshPort = mesh.HBONEPort
		if m.Provider == spec.MeshLinkerd {
			meshPort = mesh.LinkerdInboundPort
		}
		for _, area := range spec.MeshAreas {
			meshed[ns(area)] = true
		}
	}
	add := func(fromNS, from, toNS, to string, port int32) {
		set[fmt.Sprintf("%s/%s -> %s/%s:%d", fromNS, from, toNS, to, port)] = true
		if !meshed[toNS] {
			return
		}
		set[fmt.Sprintf("%s/%s -> %s/%s:%d", fromNS, from, toNS, to, meshPort)] = true
		// A migration's pods carry their service's name label, so its
		// policy (which gives them the service's egress) selects them
		// for ingress too: they listen on nothing of their own, but
		// ztunnel's port is theirs as well (connections through it find
		// no listener).
		if svc := p.Service(to); svc != nil && svc.Migrate != nil && toNS == ns("apps") {
			set[fmt.Sprintf("%s/%s -> %s/%s-migrate:%d", fromNS, from, toNS, to, meshPort)] = true
		}
	}
	// pods are the workloads a service runs: itself and its canary.
	pods := func(svc *spec.Service) []string {
		if svc.Canary != nil {
			return []string{svc.Name, svc.Name + "-canary"}
		}
		return []string{svc.Name}
	}
	// senders are its pods and its migration, which sends what its
	// stable pods send and, listening on no port, receives nothing.
	senders := func(svc *spec.Service) []string {
		if svc.Migrate != nil {
			return append(pods(svc), svc.Name+"-migrate")
		}
		return pods(svc)
	}
	// The edge proxies run in the edge namespace, except Envoy Gateway's,
	// which run in its own (edge.proxyNamespace) and are scraped there.
	edgeNS, edge := ns("edge"), "gateway-proxy"
	if s.Edge.API == spec.EdgeIngressNginx {
		edge = "ingress-nginx"
	}
	metrics, tracing := s.Observability.Metrics, s.Observability.Tracing != nil
	exposed := false
	for _, svc := range s.Services {
		exposed = exposed || svc.Expose != nil
	}
	if s.Edge.API == spec.EdgeGateway && s.Edge.Implementation == spec.ImplEnvoyGateway {
		edgeNS = s.Edge.ProxyNamespace
		if metrics && exposed {
			add(ns("observability"), generate.Prometheus, edgeNS, edge, generate.EnvoyMetricsPort)
		}
	}
	for i := range s.Services {
		svc := &s.Services[i]
		for _, pod := range senders(svc) {
			receives := pod != svc.Name+"-migrate"
			if svc.Expose != nil && receives {
				add(edgeNS, edge, ns("apps"), pod, svc.Port)
			}
			// A cronjob's runs are not scraped.
			if metrics && receives && svc.Kind != spec.KindCronJob {
				add(ns("observability"), generate.Prometheus, ns("apps"), pod, svc.MetricsPort)
			}
			if tracing {
				add(ns("apps"), pod, ns("observability"), generate.Collector, generate.CollectorOTLPGRPC)
			}
			stores := append([]string(nil), svc.Uses...)
			if svc.Consumes != nil {
				stores = append(stores, svc.Consumes.Queue)
			}
			for _, name := range stores {
				if ds := p.DataStore(name); spec.StoreMode(ds, env) != spec.ModeManaged {
					// A document store's clients reach its FerretDB.
					to := ds.Name
					if ds.Type == spec.DataFerretDB {
						to = generate.FerretDBProxy(ds.Name)
					}
					add(ns("apps"), pod, ns("data"), to, spec.DataPorts[ds.Type])
				}
				// Sentinel-aware clients ask the Sentinels for the primary.
				if ds := p.DataStore(name); ds.Type == spec.DataRedis && spec.StoreMode(ds, env) == spec.ModeOperator {
					add(ns("apps"), pod, ns("data"), generate.RedisSentinels(ds.Name), generate.RedisSentinelPort)
				}
			}
			for _, call := range svc.Calls {
				callee := p.Service(call.Service)
				port, _ := spec.CallPort(callee, call.Port)
				for _, to := range pods(callee) {
					add(ns("apps"), pod, ns("apps"), to, port)
				}
			}
		}
	}
	for i := range s.Data {
		ds := &s.Data[i]
		mode := spec.StoreMode(ds, env)
		if mode == spec.ModeManaged {
			continue
		}
		redisOperator := ds.Type == spec.DataRedis && mode == spec.ModeOperator
		// An in-cluster store's dump job reaches it, and a Redis under
		// the operator's; CloudNativePG's instances back themselves up,
		// and its restore test recovers a cluster of its own, which
		// Prometheus may scrape too.
		if ds.Backup != nil && (mode == spec.ModeInCluster || redisOperator) {
			add(ns("data"), ds.Name+"-backup", ns("data"), ds.Name, spec.DataPorts[ds.Type])
		}
		// FerretDB reaches its PostgreSQL; Prometheus scrapes it.
		if ds.Type == spec.DataFerretDB && mode == spec.ModeOperator {
			add(ns("data"), generate.FerretDBProxy(ds.Name), ns("data"), ds.Name, spec.DataPorts[spec.DataPostgres])
			if metrics {
				add(ns("observability"), generate.Prometheus, ns("data"), generate.FerretDBProxy(ds.Name), generate.FerretDBDebugPort)
			}
		}
		// A Redis's Sentinels watch its pods (and each other).
		if redisOperator {
			add(ns("data"), generate.RedisSentinels(ds.Name), ns("data"), ds.Name, spec.DataPorts[ds.Type])
		}
		if metrics {
			port := generate.ExporterPort(ds.Type)
			if mode == spec.ModeOperator && !redisOperator {
				port = generate.CNPGMetricsPort
			}
			add(ns("observability"), generate.Prometheus, ns("data"), ds.Name, port)
		}
	}
	if metrics {
		add(ns("observability"), generate.Grafana, ns("observability"), generate.Prometheus, 9090)
	}
	return spec.SortedKeys(set)
}

// The property: for every example and environment, the connections the
// built NetworkPolicies allow are exactly those the spec implies.
func TestReachabilityIsWhatTheSpecImplies(t *testing.T) {
	for _, example := range examples(t) {
		d, err := spec.LoadAndValidate(example)
		require.NoError(t, err)
		for _, env := range d.Platform.EnvironmentNames() {
			t.Run(filepath.Base(filepath.Dir(example))+"/"+env, func(t *testing.T) {
				objs, err := render.Environment(d.Platform, env)
				require.NoError(t, err)
				want, got := implied(d.Platform, env), matrix(t, objs)
				assert.Equal(t, want, got, "allowed (want: what the spec implies):\n%s", strings.Join(got, "\n"))
			})
		}
	}
}

// callGraph calls in both directions between servers with canaries, with
// the port written as a name, as a number and left out, service ports and
// extra ports (a server's own and its sidecar's), in both isolation modes:
// what the examples do not cover.
const callGraph = `apiVersion: platformctl.dev/v1alpha1
kind: Platform
metadata: {name: graph}
spec:
  domain: graph.example.com
  environments:
    - {name: dev, tier: development}
    - {name: prod, tier: production, zones: [a, b]}
  observability: {metrics: true}
  services:
    - name: web
      image: ghcr.io/acme/web:1.0.0@sha256:8ac720777beb9a42009e5347f5dc7bf3e27429bd1dc640686f3c9514d487746b
      expose: {host: www}
      canary: {weight: 10, image: ghcr.io/acme/web:1.1.0@sha256:8ac720777beb9a42009e5347f5dc7bf3e27429bd1dc640686f3c9514d487746b}
      calls: [{service: api, port: grpc}, search, {service: api, port: admin}]
    - name: api
      image: ghcr.io/acme/api:1.0.0@sha256:8ac720777beb9a42009e5347f5dc7bf3e27429bd1dc640686f3c9514d487746b
      protocol: grpc
      port: 9000
      expose: {host: api}
      canary: {weight: 5, image: ghcr.io/acme/api:1.1.0@sha256:8ac720777beb9a42009e5347f5dc7bf3e27429bd1dc640686f3c9514d487746b}
      calls: [{service: search, port: 8080}]
      ports: [{name: admin, port: 9100}]
      sidecars:
        - name: proxy
          image: ghcr.io/acme/proxy:1.0.0@sha256:8ac720777beb9a42009e5347f5dc7bf3e27429bd1dc640686f3c9514d487746b
          ports: [{name: proxy, port: 15001}]
    - name: search
      image: ghcr.io/acme/search:1.0.0@sha256:8ac720777beb9a42009e5347f5dc7bf3e27429bd1dc640686f3c9514d487746b
      calls: [web]
    - name: indexer
      kind: worker
      image: ghcr.io/acme/indexer:1.0.0@sha256:8ac720777beb9a42009e5347f5dc7bf3e27429bd1dc640686f3c9514d487746b
      calls: [search, {service: api, port: "15001"}]
`

func TestReachabilityOfCalls(t *testing.T) {
	path := filepath.Join(t.TempDir(), "platform.yaml")
	require.NoError(t, os.WriteFile(path, []byte(callGraph), 0o600))
	d, err := spec.LoadAndValidate(path)
	require.NoError(t, err)
	for _, env := range []string{"dev", "prod"} {
		t.Run(env, func(t *testing.T) {
			objs, err := render.Environment(d.Platform, env)
			require.NoError(t, err)
			want, got := implied(d.Platform, env), matrix(t, objs)
			assert.Equal(t, want, got, "allowed (want: what the spec implies):\n%s", strings.Join(got, "\n"))
			apps := spec.Namespace(d.Platform.Environment(env), "apps")
			for _, c := range []string{"web-canary -> %s/api-canary:9000", "api-canary -> %s/search:8080", "search -> %s/web-canary:8080", "indexer -> %s/search:8080",
				// Extra ports, the service's own and a sidecar's, by name and number.
				"web -> %s/api:9100", "web-canary -> %s/api-canary:9100", "indexer -> %s/api:15001", "indexer -> %s/api-canary:15001"} {
				assert.Contains(t, got, apps+"/"+fmt.Sprintf(c, apps))
			}
			assert.NotContains(t, got, apps+"/search -> "+apps+"/api:9000", "a call goes one way")
			assert.NotContains(t, got, apps+"/indexer -> "+apps+"/api:9100", "an extra port is open to its callers only")
			assert.NotContains(t, got, apps+"/web -> "+apps+"/api:15001", "an extra port is open to its callers only")
		})
	}
}

// TestReachabilityPropertyCatchesABrokenRule proves the property is not
// vacuous: one call's ingress rule taken away at the callee, the check
// reports exactly that connection (for the stable and the canary caller)
// as missing, and one rule widened to any pod of the namespace reports
// what it lets in.
func TestReachabilityPropertyCatchesABrokenRule(t *testing.T) {
	d, err := spec.LoadAndValidate("../../examples/shop/platform.yaml")
	require.NoError(t, err)
	objs, err := render.Environment(d.Platform, "production")
	require.NoError(t, err)
	want := implied(d.Platform, "production")
	require.Equal(t, want, matrix(t, objs))

	edit := func(name string, fn func(spec map[string]any)) []render.Object {
		out := make([]render.Object, len(objs))
		copy(out, objs)
		for i, o := range out {
			if manifest.String(o.Map, "kind") == "NetworkPolicy" && manifest.String(o.Map, "metadata", "name") == name {
				m := deepCopy(o.Map)
				fn(asMap(m["spec"]))
				out[i].Map = m
			}
		}
		return out
	}
	// The ingress rule from web (the callers' rules come first, by name).
	dropped := edit("orders", func(s map[string]any) {
		rules := asList(s["ingress"])
		var kept []any
		for _, r := range rules {
			if strMap(asMap(asMap(asList(asMap(r)["from"])[0])["podSelector"])["matchLabels"])["app.kubernetes.io/name"] != "web" {
				kept = append(kept, r)
			}
		}
		require.Len(t, kept, len(rules)-1)
		s["ingress"] = kept
	})
	got := matrix(t, dropped)
	assert.Equal(t, []string{"apps/web -> apps/orders:9090", "apps/web-canary -> apps/orders:9090"}, difference(want, got))
	assert.Empty(t, difference(got, want))

	// Any pod of the apps namespace may now call orders, and recommender
	// may send anywhere: recommender reaches orders, which no call says.
	widened := edit("orders", func(s map[string]any) {
		for _, r := range asList(s["ingress"]) {
			for _, peer := range asList(asMap(r)["from"]) {
				delete(asMap(peer), "podSelector")
			}
		}
	})
	objs = widened
	widened = edit("recommender", func(s map[string]any) { s["egress"] = append(asList(s["egress"]), map[string]any{}) })
	got = matrix(t, widened)
	assert.Contains(t, difference(got, want), "apps/recommender -> apps/orders:9090")
	assert.Empty(t, difference(want, got))
}

// difference is what a has and b does not.
func difference(a, b []string) []string {
	in := map[string]bool{}
	for _, x := range b {
		in[x] = true
	}
	var out []string
	for _, x := range a {
		if !in[x] {
			out = append(out, x)
		}
	}
	return out
}

func deepCopy(m manifest.Map) manifest.Map { return deepCopyValue(m).(map[string]any) }

func deepCopyValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = deepCopyValue(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = deepCopyValue(e)
		}
		return out
	}
	return v
}
