package monitoring

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
)

// The dashboard JSON is built from structs, not maps, so its key order is the
// order of the fields below and the output is byte-for-byte reproducible.

type dashboard struct {
	UID           string     `json:"uid"`
	Title         string     `json:"title"`
	Description   string     `json:"description"`
	Tags          []string   `json:"tags"`
	Editable      bool       `json:"editable"`
	GraphTooltip  int        `json:"graphTooltip"`
	Refresh       string     `json:"refresh"`
	SchemaVersion int        `json:"schemaVersion"`
	Time          timeRange  `json:"time"`
	Timezone      string     `json:"timezone"`
	Templating    templating `json:"templating"`
	Panels        []panel    `json:"panels"`
}

// encodeDashboard is a platformctl dashboard as Grafana imports it:
// read-only, a shared crosshair, refreshed every minute, in the browser's
// time zone, over the last window (now-6h), with the data source variable
// first; indented JSON ending in a newline.
func encodeDashboard(uid, title, description string, tags []string, window string, vars []variable, panels []panel) ([]byte, error) {
	db := dashboard{
		UID: uid, Title: title, Description: description, Tags: tags,
		GraphTooltip: 1, Refresh: "1m", SchemaVersion: 39,
		Time:       timeRange{From: window, To: "now"},
		Timezone:   "browser",
		Templating: templating{List: append([]variable{datasourceVar}, vars...)},
		Panels:     panels,
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(db); err != nil {
		return nil, fmt.Errorf("monitoring: dashboard %s: %w", title, err)
	}
	return buf.Bytes(), nil
}

// datasourceVar is the Prometheus data source every query reads.
var datasourceVar = variable{Name: DatasourceVariable, Label: "Data source", Type: "datasource", Query: "prometheus", Refresh: 1}

type timeRange struct {
	From string `json:"from"`
	To   string `json:"to"`
}

type templating struct {
	List []variable `json:"list"`
}

type variable struct {
	Name       string         `json:"name"`
	Label      string         `json:"label"`
	Type       string         `json:"type"`
	Datasource *datasourceRef `json:"datasource,omitempty"`
	Definition string         `json:"definition,omitempty"`
	Query      string         `json:"query"`
	Refresh    int            `json:"refresh"`
	Sort       int            `json:"sort,omitempty"`
	Hide       int            `json:"hide"`
}

type datasourceRef struct {
	Type string `json:"type"`
	UID  string `json:"uid"`
}

type gridPos struct {
	H int `json:"h"`
	W int `json:"w"`
	X int `json:"x"`
	Y int `json:"y"`
}

type queryTarget struct {
	RefID        string        `json:"refId"`
	Datasource   datasourceRef `json:"datasource"`
	Expr         string        `json:"expr"`
	LegendFormat string        `json:"legendFormat"`
}

type fieldDefaults struct {
	Unit string `json:"unit"`
	Min  *int   `json:"min,omitempty"`
}

type fieldConfig struct {
	Defaults  fieldDefaults `json:"defaults"`
	Overrides []struct{}    `json:"overrides"`
}

type panel struct {
	ID          int            `json:"id"`
	Type        string         `json:"type"`
	Title       string         `json:"title"`
	Description string         `json:"description,omitempty"`
	GridPos     gridPos        `json:"gridPos"`
	Collapsed   *bool          `json:"collapsed,omitempty"`
	RowPanels   *[]panel       `json:"panels,omitempty"` // a row's collapsed children: [] for an open row
	Datasource  *datasourceRef `json:"datasource,omitempty"`
	Targets     []queryTarget  `json:"targets,omitempty"`
	FieldConfig *fieldConfig   `json:"fieldConfig,omitempty"`
}

// DashboardUID is the stable Grafana uid of a service's dashboard: "pctl-"
// and the first 16 hex digits of SHA-256("<platform>/<service>"), well
// within Grafana's 40-character limit. It names no environment: the
// dashboard is the same in all of them, which its variables pick.
func DashboardUID(platform, service string) string {
	sum := sha256.Sum256([]byte(platform + "/" + service))
	return "pctl-" + hex.EncodeToString(sum[:])[:16]
}

// Dashboard variables: the Prometheus data source every query reads, the
// namespace of the service's pods (values: the namespaces of its scrape
// targets) and, with dependencies, the namespace of its data stores.
const (
	DatasourceVariable    = "datasource"
	NamespaceVariable     = "namespace"
	DataNamespaceVariable = "data_namespace"
)

var promDS = datasourceRef{Type: "prometheus", UID: "${" + DatasourceVariable + "}"}

// layout places panels on Grafana's 24-column grid, row by row.
type layout struct {
	panels []panel
	nextID int
	x, y   int
}

func (l *layout) row(title string) {
	if l.x > 0 {
		l.x, l.y = 0, l.y+8
	}
	l.nextID++
	l.panels = append(l.panels, panel{ID: l.nextID, Type: "row", Title: title, Collapsed: new(bool), RowPanels: &[]panel{},
		GridPos: gridPos{H: 1, W: 24, X: 0, Y: l.y}})
	l.y++
}

// add appends a time series panel of the given width (the row wraps).
func (l *layout) add(w int, title, description, unit string, queries ...[2]string) {
	if l.x+w > 24 {
		l.x, l.y = 0, l.y+8
	}
	l.nextID++
	p := panel{ID: l.nextID, Type: "timeseries", Title: title, Description: description,
		GridPos: gridPos{H: 8, W: w, X: l.x, Y: l.y}, Datasource: &promDS,
		FieldConfig: &fieldConfig{Defaults: fieldDefaults{Unit: unit}, Overrides: []struct{}{}}}
	for i, qy := range queries {
		p.Targets = append(p.Targets, queryTarget{RefID: string(rune('A' + i)), Datasource: promDS, Expr: qy[0], LegendFormat: qy[1]})
	}
	l.panels = append(l.panels, p)
	l.x += w
}

// Dashboard returns the Grafana dashboard of one service as indented JSON
// ending in a newline: the golden signals (traffic, errors split by class or
// code, latency percentiles, saturation against limits and replicas) and
// dependency health; for a worker, throughput, queue and dead-letter depth
// instead of request metrics. Every query reads the ${datasource} variable,
// and rates use $__rate_interval.
func Dashboard(t Target) ([]byte, error) {
	if t.Platform == "" || t.Service == "" {
		return nil, fmt.Errorf("monitoring: dashboard needs a platform and a service (got %q/%q)", t.Platform, t.Service)
	}
	w := t.dashWorkload()
	l := &layout{}
	if t.Worker {
		workerPanels(l, t)
	} else {
		serverPanels(l, t)
	}
	l.row("Saturation")
	l.add(8, "CPU vs limit", "CPU used per pod against its limit (cAdvisor, kube-state-metrics).", "percentunit",
		[2]string{fmt.Sprintf("sum by (pod) (rate(container_cpu_usage_seconds_total{%s}[$__rate_interval]))\n/\nsum by (pod) (kube_pod_container_resource_limits{%s,resource=\"cpu\"})", w, w), "{{pod}}"})
	l.add(8, "Memory vs limit", "Working set per pod against its limit.", "percentunit",
		[2]string{fmt.Sprintf("max by (pod) (container_memory_working_set_bytes{%s})\n/\nmax by (pod) (kube_pod_container_resource_limits{%s,resource=\"memory\"})", w, w), "{{pod}}"})
	dep := sel("namespace", "$"+NamespaceVariable, "deployment", t.Service)
	hpa := sel("namespace", "$"+NamespaceVariable, "horizontalpodautoscaler", t.Service)
	l.add(8, "Replicas", "Available and desired replicas, and the autoscaler's maximum.", "short",
		[2]string{fmt.Sprintf("sum(kube_deployment_status_replicas_available{%s})", dep), "available"},
		[2]string{fmt.Sprintf("sum(kube_deployment_spec_replicas{%s})", dep), "desired"},
		[2]string{fmt.Sprintf("sum(kube_horizontalpodautoscaler_spec_max_replicas{%s})", hpa), "autoscaler max"})
	if deps := t.dependencies(); len(deps) > 0 {
		l.row("Dependencies")
		for _, d := range deps {
			kind := d.Type
			if d.Managed {
				kind += ", managed"
			}
			l.add(8, fmt.Sprintf("%s (%s)", d.Name, kind), fmt.Sprintf("Health of %s: %s (1 = healthy).", d.Name, healthMetric(d)), "short",
				[2]string{fmt.Sprintf("max(%s{%s})", healthMetric(d), dashStore(d)), d.Name})
		}
	}
	kind := "server"
	if t.Worker {
		kind = "worker"
	}
	return encodeDashboard(DashboardUID(t.Platform, t.Service), fmt.Sprintf("%s / %s", t.Platform, t.Service),
		fmt.Sprintf("Golden signals of %s (generated by platformctl). Pick the environment with the data source and namespace variables.", t.Service),
		[]string{"platformctl", t.Platform, kind}, "now-6h", t.variables(), l.panels)
}

func serverPanels(l *layout, t Target) {
	w := t.dashWorkload()
	count := t.requestMetric() + "_count"
	bucket := t.requestMetric() + "_bucket"
	l.row("Traffic and errors")
	l.add(8, "Requests per second", "All requests served.", "reqps",
		[2]string{fmt.Sprintf("sum(rate(%s{%s}[$__rate_interval]))", count, w), "requests/s"})
	if t.grpc() {
		l.add(8, "Errors by code", "Non-OK calls per second by gRPC status; server-fault codes spend error budget.", "reqps",
			[2]string{fmt.Sprintf("sum by (rpc_response_status_code) (rate(%s{%s,rpc_response_status_code!=\"OK\"}[$__rate_interval]))", count, w), "{{rpc_response_status_code}}"})
	} else {
		total := fmt.Sprintf("sum(rate(%s{%s}[$__rate_interval]))", count, w)
		l.add(8, "Error rate (4xx / 5xx)", "Share of responses by class; only 5xx spends error budget.", "percentunit",
			[2]string{fmt.Sprintf("sum(rate(%s{%s,http_response_status_code=~\"4..\"}[$__rate_interval]))\n/\n%s", count, w, total), "4xx"},
			[2]string{fmt.Sprintf("sum(rate(%s{%s,http_response_status_code=~\"5..\"}[$__rate_interval]))\n/\n%s", count, w, total), "5xx"})
	}
	r := t.dashRecorded()
	l.add(8, "Error budget burn rate", fmt.Sprintf("Error ratio over the budget of the %s%% SLO: 1 spends it exactly in 30 days; 14.4 over 1h pages.", formatPercent(t.availability())), "short",
		[2]string{fmt.Sprintf("%s1h{%s} / %s", recErrorRatio, r, t.errorBudget()), "1h"},
		[2]string{fmt.Sprintf("%s6h{%s} / %s", recErrorRatio, r, t.errorBudget()), "6h"},
		[2]string{fmt.Sprintf("%s3d{%s} / %s", recErrorRatio, r, t.errorBudget()), "3d"})
	l.row("Latency")
	desc := "Request duration percentiles."
	if t.Protocol == "websocket" {
		desc = "Request duration percentiles; for WebSocket upgrades this is the connection's lifetime."
	} else if t.LatencyP99 > 0 {
		desc = fmt.Sprintf("Request duration percentiles; the P99 target is %s.", t.LatencyP99)
	}
	var qs [][2]string
	for _, p := range []string{"0.5", "0.95", "0.99"} {
		qs = append(qs, [2]string{fmt.Sprintf("histogram_quantile(%s, sum by (le) (rate(%s{%s}[$__rate_interval])))", p, bucket, w), "P" + map[string]string{"0.5": "50", "0.95": "95", "0.99": "99"}[p]})
	}
	l.add(24, "Latency P50 / P95 / P99", desc, "s", qs...)
}

func workerPanels(l *layout, t Target) {
	w := t.dashWorkload()
	count := MetricMessagingProcess + "_count"
	l.row("Throughput")
	l.add(12, "Messages processed per second", "Messages handled, and those that failed (error_type set).", "short",
		[2]string{fmt.Sprintf("sum(rate(%s{%s}[$__rate_interval]))", count, w), "processed/s"},
		[2]string{fmt.Sprintf("sum(rate(%s{%s,error_type!=\"\"}[$__rate_interval]))", count, w), "failed/s"})
	l.add(12, "Processing time P50 / P99", "Time to process one message.", "s",
		[2]string{fmt.Sprintf("histogram_quantile(0.5, sum by (le) (rate(%s_bucket{%s}[$__rate_interval])))", MetricMessagingProcess, w), "P50"},
		[2]string{fmt.Sprintf("histogram_quantile(0.99, sum by (le) (rate(%s_bucket{%s}[$__rate_interval])))", MetricMessagingProcess, w), "P99"})
	if t.Queue == nil {
		return
	}
	l.row("Queue")
	l.add(12, "Queue depth: "+t.Queue.Name, fmt.Sprintf("Messages ready on %s (%s), the series the autoscaler reads.", t.Queue.Broker.Name, t.Queue.Broker.Type), "short",
		[2]string{fmt.Sprintf("sum(%s{%s})", MetricQueueDepth, t.dashRecorded()), t.Queue.Name})
	if t.Queue.DeadLetter != "" {
		desc := "Messages waiting in the dead-letter queue; anything above 0 needs a look."
		if t.Queue.Broker.Type == "kafka" {
			desc = "Messages written to the dead-letter topic in the last hour; anything above 0 needs a look."
		}
		l.add(12, "Dead-letter depth: "+t.Queue.DeadLetter, desc, "short",
			[2]string{deadLetterDepth(t, dashStore(t.Queue.Broker)), t.Queue.DeadLetter})
	}
}

// The dashboard's selectors are the rules' with the namespace variables
// added: the rules run in one environment's Prometheus, which sees only that
// environment's app and store series, but the dashboard's data source may
// see several (one Grafana and a querier over every environment), and the
// cAdvisor and kube-state-metrics series are cluster-wide in any case.

func (t Target) dashWorkload() string {
	return sel("namespace", "$"+NamespaceVariable) + "," + t.workload()
}

func (t Target) dashRecorded() string {
	return sel("namespace", "$"+NamespaceVariable) + "," + t.recorded()
}

func dashStore(d Dependency) string {
	return sel("namespace", "$"+DataNamespaceVariable) + "," + store(d)
}

// variables are the dashboard's template variables, in order: data source,
// namespace, and data namespace when the service has dependencies. The
// namespace variables are query variables over the same series the rules
// select (up of the service's pods; up of its stores).
func (t Target) variables() []variable {
	vars := []variable{labelValues(NamespaceVariable, "Namespace", fmt.Sprintf("up{%s}", t.workload()))}
	if deps := t.dependencies(); len(deps) > 0 {
		names := make([]string, len(deps))
		for i, d := range deps {
			names[i] = regexp.QuoteMeta(d.Name)
		}
		vars = append(vars, labelValues(DataNamespaceVariable, "Data namespace",
			fmt.Sprintf("up{service=~%s}", q(strings.Join(names, "|")))))
	}
	return vars
}

// labelValues is a query variable over the namespace label of a selector's
// series, refreshed when the dashboard loads, sorted alphabetically.
func labelValues(name, label, series string) variable {
	query := fmt.Sprintf("label_values(%s, namespace)", series)
	return variable{Name: name, Label: label, Type: "query", Datasource: &promDS,
		Definition: query, Query: query, Refresh: 1, Sort: 1}
}
