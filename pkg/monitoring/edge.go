package monitoring

import (
	"fmt"
	"time"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
)

// The edge's own signals, from the Envoy proxies Envoy Gateway runs for the
// platform's Gateway (scraped by a PodMonitor on their metrics port,
// /stats/prometheus). Envoy's HTTP connection manager statistics carry the
// listener's stat prefix as envoy_http_conn_manager_prefix: http-<port> and
// https-<port> for the Gateway's listeners, eg-stats-http for the metrics
// listener itself, which the selectors leave out. Envoy Gateway names the
// proxy container envoy; like a service's {container="<service>"}, that
// selects the proxies' series in every environment with the same bytes.

// Edge metric names (Envoy's own statistics).
const (
	MetricEnvoyRequestsByClass = "envoy_http_downstream_rq_xx"
	MetricEnvoyRequests        = "envoy_http_downstream_rq_total"
	MetricEnvoyRequestTime     = "envoy_http_downstream_rq_time_bucket"
)

// Edge alert names; each is also the runbook's anchor.
const (
	AlertEdge5xxRatioHigh   = "Edge5xxRatioHigh"
	AlertEdgeLatencyP99High = "EdgeLatencyP99High"
)

// Edge5xxRatio is the share of the edge's responses that are 5xx above
// which Edge5xxRatioHigh pages.
const Edge5xxRatio = 0.05

// DefaultEdgeLatencyP99 is the edge's p99 threshold when the platform sets
// no latency SLO.
const DefaultEdgeLatencyP99 = time.Second

// EdgeTarget describes the platform's edge to the rules and dashboard.
type EdgeTarget struct {
	Platform string
	// LatencyP99 is the p99 above which EdgeLatencyP99High warns: the
	// platform's latency SLO, or DefaultEdgeLatencyP99.
	LatencyP99 time.Duration
}

// edgeService is the service label of the edge's alerts.
const edgeService = "edge"

// envoySel selects the Gateway listeners' series of the edge proxies.
const envoySel = `container="envoy",envoy_http_conn_manager_prefix=~"https?-[0-9]+"`

// EdgeRules returns the edge's rule group: the 5xx ratio of every response
// the Gateway's listeners sent (the proxy's own errors — no healthy backend,
// upstream resets, timeouts — included, which the services' own metrics
// cannot see), and the p99 of the time from the first request byte to the
// last response byte.
func EdgeRules(t EdgeTarget) []monitoringv1.RuleGroup {
	lat := t.LatencyP99
	if lat <= 0 {
		lat = DefaultEdgeLatencyP99
	}
	tt := Target{Platform: t.Platform, Service: edgeService}
	ratio := fmt.Sprintf("sum by (namespace) (rate(%s{%s,envoy_response_code_class=\"5\"}[5m]))\n/\nsum by (namespace) (rate(%s{%s}[5m]))\n> %g",
		MetricEnvoyRequestsByClass, envoySel, MetricEnvoyRequests, envoySel, Edge5xxRatio)
	p99 := fmt.Sprintf("histogram_quantile(0.99, sum by (namespace, le) (rate(%s{%s}[5m])))\n> %d",
		MetricEnvoyRequestTime, envoySel, lat.Milliseconds())
	return []monitoringv1.RuleGroup{{Name: "edge.slo", Rules: []monitoringv1.Rule{
		tt.alert(AlertEdge5xxRatioHigh, ratio, true, "5m",
			"More than 5 % of the edge's responses are 5xx",
			"{{ $value | humanizePercentage }} of the responses the edge proxies sent in the last 5 minutes were 5xx, their own (no healthy backend, timeouts, resets) included."),
		tt.alert(AlertEdgeLatencyP99High, p99, false, "15m",
			fmt.Sprintf("The edge's p99 request time is above %s", lat),
			"The 99th percentile of the time from a request's first byte to the response's last at the edge proxies is {{ $value }} ms."),
	}}}
}

// EdgeDashboard returns the edge's Grafana dashboard as indented JSON
// ending in a newline: requests by response class, the 5xx ratio, latency
// percentiles and client connections, per listener.
func EdgeDashboard(t EdgeTarget) ([]byte, error) {
	if t.Platform == "" {
		return nil, fmt.Errorf("monitoring: the edge dashboard needs a platform")
	}
	s := sel("namespace", "$"+NamespaceVariable) + "," + envoySel
	l := &layout{}
	l.row("Traffic")
	l.add(12, "Requests by class", "Responses per second by status class, per listener.", "reqps",
		[2]string{fmt.Sprintf("sum by (envoy_http_conn_manager_prefix, envoy_response_code_class) (rate(%s{%s}[$__rate_interval]))", MetricEnvoyRequestsByClass, s),
			"{{envoy_http_conn_manager_prefix}} {{envoy_response_code_class}}xx"})
	l.add(12, "5xx ratio", fmt.Sprintf("Share of responses that are 5xx; %s pages above %g %%.", AlertEdge5xxRatioHigh, Edge5xxRatio*100), "percentunit",
		[2]string{fmt.Sprintf("sum(rate(%s{%s,envoy_response_code_class=\"5\"}[$__rate_interval]))\n/\nsum(rate(%s{%s}[$__rate_interval]))", MetricEnvoyRequestsByClass, s, MetricEnvoyRequests, s), "5xx"})
	l.row("Latency and connections")
	var qs [][2]string
	for _, p := range []string{"0.5", "0.9", "0.99"} {
		qs = append(qs, [2]string{fmt.Sprintf("histogram_quantile(%s, sum by (le) (rate(%s{%s}[$__rate_interval])))", p, MetricEnvoyRequestTime, s), "p" + p[2:]})
	}
	l.add(12, "Request time", "Percentiles of the time from a request's first byte to the response's last (Envoy reports milliseconds).", "ms", qs...)
	l.add(12, "Client connections", "Open downstream connections per listener.", "short",
		[2]string{fmt.Sprintf("sum by (envoy_http_conn_manager_prefix) (envoy_http_downstream_cx_active{%s})", s), "{{envoy_http_conn_manager_prefix}}"})
	return encodeDashboard(DashboardUID(t.Platform, edgeService), fmt.Sprintf("%s / edge", t.Platform),
		"Requests, errors, latency and connections at the edge proxies (generated by platformctl). Pick the environment with the data source and namespace variables.",
		[]string{"platformctl", t.Platform, "edge"}, "now-6h",
		[]variable{labelValues(NamespaceVariable, "Namespace", fmt.Sprintf("%s{%s}", MetricEnvoyRequests, envoySel))}, l.panels)
}
