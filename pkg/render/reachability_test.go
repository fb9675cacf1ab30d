package render_test

import (
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/platformctl/platformctl/pkg/manifest"
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
// they use on the store's port, and the collector on OTLP; backups reach
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
		out = append(out, c.String())
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
			"apps/web -> apps/orders:9090",
			"apps/web -> apps/recommender:9090",
			"apps/web -> data/cache:6379",
			"apps/web -> data/orders-db:5432",
			"apps/web -> observability/otel-collector:4317",
			"apps/web-canary -> apps/orders:9090",
			"apps/web-canary -> apps/recommender:9090",
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
