package monitoring

import (
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"

	"github.com/platformctl/platformctl/pkg/internal/golden"
)

// envoyTraffic is what an Envoy Gateway proxy exports for 20 requests/s on
// the HTTPS listener, errFrac of them 5xx and all of them finishing below
// le milliseconds, plus the metrics listener's own (eg-stats-http) 2xx,
// which must not dilute the ratio.
func envoyTraffic(errFrac, le float64) []gen {
	base := map[string]string{"namespace": "envoy-gateway-system", "pod": "envoy-edge-public-1", "container": "envoy",
		"envoy_http_conn_manager_prefix": "https-10443"}
	out := []gen{
		{with(base, "__name__", MetricEnvoyRequests), counter(20)},
		{with(base, "__name__", MetricEnvoyRequestsByClass, "envoy_response_code_class", "2"), counter(20 * (1 - errFrac))},
		{with(base, "__name__", MetricEnvoyRequestsByClass, "envoy_response_code_class", "5"), counter(20 * errFrac)},
		{with(base, "__name__", MetricEnvoyRequests, "envoy_http_conn_manager_prefix", "eg-stats-http"), counter(1000)},
		{with(base, "__name__", MetricEnvoyRequestsByClass, "envoy_http_conn_manager_prefix", "eg-stats-http", "envoy_response_code_class", "2"), counter(1000)},
	}
	for _, b := range []string{"100", "500", "1000", "5000"} {
		rate := 0.0
		if v, _ := time.ParseDuration(b + "ms"); v.Seconds()*1000 >= le {
			rate = 20
		}
		out = append(out, gen{with(base, "__name__", MetricEnvoyRequestTime, "le", b), counter(rate)})
	}
	return append(out, gen{with(base, "__name__", MetricEnvoyRequestTime, "le", "+Inf"), counter(20)})
}

func edgeFiring(t *testing.T, et EdgeTarget, input []gen) []string {
	t.Helper()
	st := &memStore{}
	for _, g := range input {
		st.addGen(g)
	}
	var out []string
	for _, g := range EdgeRules(et) {
		for _, r := range g.Rules {
			if len(st.instant(t, r.Expr.StrVal)) > 0 {
				out = append(out, r.Alert)
			}
		}
	}
	return out
}

func TestEdgeAlerts(t *testing.T) {
	et := EdgeTarget{Platform: "shop"}
	tests := []struct {
		name    string
		errFrac float64
		le      float64 // ms every request finishes under
		want    []string
	}{
		{"healthy", 0.01, 100, nil},
		{"6 % 5xx", 0.06, 100, []string{AlertEdge5xxRatioHigh}},
		{"slow", 0, 5000, []string{AlertEdgeLatencyP99High}},
		{"4 % 5xx and under a second", 0.04, 1000, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, edgeFiring(t, et, envoyTraffic(tt.errFrac, tt.le)))
		})
	}
	// The threshold follows the platform's latency SLO.
	assert.Equal(t, []string{AlertEdgeLatencyP99High}, edgeFiring(t, EdgeTarget{Platform: "shop", LatencyP99: 300 * time.Millisecond}, envoyTraffic(0, 500)))
}

func TestEdgeRulesLoadAndAreDocumented(t *testing.T) {
	file, err := yaml.Marshal(monitoringv1.PrometheusRuleSpec{Groups: EdgeRules(EdgeTarget{Platform: "shop"})})
	require.NoError(t, err)
	_, errs := rulefmt.Parse(file, false, model.LegacyValidation, promParser, slog.New(slog.DiscardHandler))
	require.Empty(t, errs, "%s", file)
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "observability-metrics.md"))
	require.NoError(t, err)
	for _, g := range EdgeRules(EdgeTarget{Platform: "shop"}) {
		for _, r := range g.Rules {
			assert.Contains(t, string(doc), "\n### "+r.Alert+"\n", "runbook section for %s", r.Alert)
			assert.Equal(t, RunbookURL(r.Alert), r.Annotations["runbook_url"])
		}
	}
	for _, m := range []string{MetricEnvoyRequests, MetricEnvoyRequestsByClass, MetricEnvoyRequestTime} {
		assert.Contains(t, string(doc), m)
	}
}

func TestEdgeDashboard(t *testing.T) {
	_, err := EdgeDashboard(EdgeTarget{})
	assert.Error(t, err)
	dash, err := EdgeDashboard(EdgeTarget{Platform: "shop"})
	require.NoError(t, err)
	golden.Assert(t, filepath.Join("testdata", "edge.dashboard.json"), dash)
	var d dashJSON
	require.NoError(t, json.Unmarshal(dash, &d))
	assert.Equal(t, DashboardUID("shop", "edge"), d.UID)
	// Every query returns data from what the proxies export.
	st := &memStore{}
	for _, g := range envoyTraffic(0.02, 100) {
		st.addGen(g)
	}
	queries := 0
	for _, p := range d.Panels {
		for _, q := range p.Targets {
			queries++
			expr := grafanaVars.Replace(strings.ReplaceAll(q.Expr, "$"+NamespaceVariable, "envoy-gateway-system"))
			if strings.Contains(expr, "envoy_http_downstream_cx_active") {
				continue // a gauge the traffic above does not model
			}
			assert.NotEmpty(t, st.instant(t, expr), "panel %q: %s", p.Title, expr)
		}
	}
	assert.Equal(t, 6, queries)
}
