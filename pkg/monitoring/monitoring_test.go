package monitoring

import (
	"bytes"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"text/template"
	"time"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/promql/parser"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"

	"github.com/platformctl/platformctl/pkg/internal/golden"
)

var (
	storeKind = []string{"postgres", "mysql", "redis", "rabbitmq", "nats", "kafka"}
	brokers   = []string{"rabbitmq", "redis", "nats", "kafka"}
)

func allDependencies() []Dependency {
	var deps []Dependency
	for i, k := range storeKind {
		deps = append(deps, Dependency{Name: k + "-store", Type: k, Managed: i%2 == 0})
	}
	return deps
}

// matrix is every shape of target: servers of each protocol, with and
// without a latency target, with every dependency type or none; workers on
// every broker with and without a dead-letter queue, and without a queue.
// (A Target has no environment to vary: the output is the same in all.)
func matrix() map[string]Target {
	out := map[string]Target{}
	for _, proto := range []string{"http", "grpc", "websocket"} {
		for _, latency := range []time.Duration{0, 250 * time.Millisecond} {
			name := fmt.Sprintf("server-%s-latency%s", proto, latency)
			out[name] = Target{Platform: "shop", Service: "api",
				Protocol: proto, Availability: 99.9, LatencyP99: latency, Dependencies: allDependencies()}
		}
	}
	out["server-bare"] = Target{Platform: "p", Service: "web"}
	for _, b := range brokers {
		for _, dlq := range []string{"", "jobs.dead-letter"} {
			name := fmt.Sprintf("worker-%s-dlq=%t", b, dlq != "")
			broker := Dependency{Name: "jobs", Type: b}
			out[name] = Target{Platform: "shop", Service: "mailer", Worker: true,
				Queue: &Queue{Name: "jobs", DeadLetter: dlq, Broker: broker}, Dependencies: []Dependency{{Name: "db", Type: "postgres"}, broker}}
		}
	}
	out["worker-no-queue"] = Target{Platform: "p", Service: "cron", Worker: true}
	return out
}

var (
	metricNameRE = regexp.MustCompile(`^[a-zA-Z_:][a-zA-Z0-9_:]*$`)
	labelNameRE  = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*$`)
	// pageClass are the page-class alerts (docs/observability-metrics.md);
	// every other alert is ticket-class.
	pageClass = map[string]bool{AlertErrorBudgetBurn1h: true, AlertErrorBudgetBurn6h: true, AlertQueueNotDraining: true}
)

var promParser = parser.NewParser(parser.Options{})

// templateFuncs stubs the functions Prometheus offers alert templates, so
// annotations can be parsed as the templates they are.
var templateFuncs = template.FuncMap{
	"humanize": fmt.Sprint, "humanizePercentage": fmt.Sprint, "humanizeDuration": fmt.Sprint, "humanize1024": fmt.Sprint,
}

func TestRulesMatrix(t *testing.T) {
	m := matrix()
	require.Len(t, m, 3*2+1+len(brokers)*2+1)
	for name, target := range m {
		t.Run(name, func(t *testing.T) {
			groups := Rules(target)
			require.NotEmpty(t, groups)
			groupNames := map[string]bool{}
			for _, g := range groups {
				assert.False(t, groupNames[g.Name], "group %s twice", g.Name)
				groupNames[g.Name] = true
				assert.True(t, strings.HasPrefix(g.Name, target.Service+"."), g.Name)
				require.NotEmpty(t, g.Rules, g.Name)
				alerts := map[string]bool{}
				for _, r := range g.Rules {
					checkRule(t, target, r)
					if r.Alert != "" {
						assert.False(t, alerts[r.Alert], "alert %s twice in group %s", r.Alert, g.Name)
						alerts[r.Alert] = true
					}
				}
			}
		})
	}
}

func checkRule(t *testing.T, target Target, r monitoringv1.Rule) {
	t.Helper()
	id := r.Record + r.Alert
	assert.True(t, (r.Record == "") != (r.Alert == ""), "%s: exactly one of record and alert", id)
	require.Equal(t, 1, int(r.Expr.Type), "%s: expr is a string", id)
	e, err := promParser.ParseExpr(r.Expr.StrVal)
	require.NoError(t, err, "%s:\n%s", id, r.Expr.StrVal)
	assert.Equal(t, parser.ValueTypeVector, e.Type(), "%s: a rule evaluates to a vector", id)
	assert.NotContains(t, r.Expr.StrVal, "namespace=", "%s: no namespace literal; the series carry theirs", id)
	for k := range r.Labels {
		assert.Regexp(t, labelNameRE, k, id)
	}
	// The static labels are the same in every environment: the namespace
	// comes from the series, the environment from the external label.
	assert.NotContains(t, r.Labels, "namespace", id)
	assert.NotContains(t, r.Labels, "environment", id)
	assert.Equal(t, target.Service, r.Labels["service"], id)
	if r.For != nil {
		d, err := model.ParseDuration(string(*r.For))
		require.NoError(t, err, "%s: for %q", id, *r.For)
		assert.Positive(t, time.Duration(d), id)
	}
	if r.Record != "" {
		assert.Equal(t, map[string]string{"service": target.Service}, r.Labels, id)
		assert.Regexp(t, metricNameRE, r.Record)
		assert.Nil(t, r.For, "%s: a recording rule has no for", id)
		assert.Empty(t, r.Annotations, id)
		return
	}
	assert.Regexp(t, `^[A-Z][A-Za-z0-9]+$`, r.Alert)
	assert.Equal(t, Severity(pageClass[r.Alert]), r.Labels["severity"], "%s: the severity is the class's", id)
	assert.Equal(t, []string{"service", "severity"}, slices.Sorted(maps.Keys(r.Labels)), id)
	assert.NotNil(t, r.For, "%s: every alert waits before firing", id)
	for _, k := range []string{"summary", "description", "runbook_url"} {
		assert.NotEmpty(t, r.Annotations[k], "%s: annotation %s", id, k)
	}
	assert.Equal(t, RunbookBaseURL+"#"+strings.ToLower(r.Alert), r.Annotations["runbook_url"])
	for k, v := range r.Annotations {
		// Prometheus defines these variables before expanding an annotation.
		const defs = "{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}{{$externalURL := .ExternalURL}}{{$value := .Value}}"
		_, err := template.New(k).Funcs(templateFuncs).Parse(defs + v)
		assert.NoError(t, err, "%s: annotation %s", id, k)
	}
}

func alertNames(groups []monitoringv1.RuleGroup) []string {
	var out []string
	for _, g := range groups {
		for _, r := range g.Rules {
			out = append(out, r.Record+r.Alert)
		}
	}
	return out
}

func findRule(groups []monitoringv1.RuleGroup, name string) *monitoringv1.Rule {
	for _, g := range groups {
		for i := range g.Rules {
			if g.Rules[i].Alert == name || g.Rules[i].Record == name {
				return &g.Rules[i]
			}
		}
	}
	return nil
}

func TestRulesContent(t *testing.T) {
	server := Target{Service: "web", Protocol: "http", LatencyP99: 300 * time.Millisecond}
	worker := Target{Service: "mailer", Worker: true,
		Queue: &Queue{Name: "jobs", DeadLetter: "jobs.dead-letter", Broker: Dependency{Name: "jobs", Type: "rabbitmq"}}}
	tests := []struct {
		name    string
		target  Target
		present []string
		absent  []string
		exprHas map[string]string
	}{
		{"http server", server,
			[]string{recTargets, "service:request_errors:ratio_rate5m", "service:request_errors:ratio_rate3d", MetricRequestsPerSecond, recLatencyP99,
				AlertErrorBudgetBurn1h, AlertErrorBudgetBurn6h, AlertErrorBudgetBurn1d, AlertErrorBudgetBurn3d, AlertLatencyP99High,
				AlertCPUNearLimit, AlertMemoryNearLimit, AlertReplicasUnavailable, AlertAutoscalerAtMax},
			[]string{MetricQueueDepth, AlertQueueNotDraining, AlertDependencyDown},
			map[string]string{
				recTargets:                            `count by (namespace) (up{container="web"})`,
				"service:request_errors:ratio_rate1h": `sum by (namespace) (rate(http_server_request_duration_seconds_count{container="web",http_response_status_code=~"5.."}[1h]))`,
				recLatencyP99:                         `sum by (namespace, le) (rate(http_server_request_duration_seconds_bucket{container="web"}[5m]))`,
				AlertErrorBudgetBurn1h:                `(14.4 * 0.005)`, // DefaultAvailability 99.5
				AlertLatencyP99High:                   `> 0.3`,
				MetricRequestsPerSecond:               `sum by (namespace, pod) (rate(http_server_request_duration_seconds_count{container="web"}[2m]))`,
				AlertCPUNearLimit:                     "and on (namespace, pod)\nup{container=\"web\"}",
				AlertReplicasUnavailable:              "and on (namespace)\nlast_over_time(service:scrape_targets:count{service=\"web\"}[7d])",
			}},
		{"grpc server at 99.9", Target{Service: "orders", Protocol: "grpc", Availability: 99.9},
			[]string{AlertErrorBudgetBurn6h, MetricRequestsPerSecond}, []string{AlertLatencyP99High, recLatencyP99},
			map[string]string{
				"service:request_errors:ratio_rate5m": `rpc_server_call_duration_seconds_count{container="orders",rpc_response_status_code=~"UNKNOWN|DEADLINE_EXCEEDED|UNIMPLEMENTED|INTERNAL|UNAVAILABLE|DATA_LOSS"}`,
				AlertErrorBudgetBurn6h:                `(6 * 0.001)`,
			}},
		{"websocket ignores latency", Target{Service: "chat", Protocol: "websocket", Availability: 99.95, LatencyP99: time.Second},
			[]string{AlertErrorBudgetBurn3d}, []string{AlertLatencyP99High},
			map[string]string{AlertErrorBudgetBurn3d: `(1 * 0.0005)`}},
		{"rabbitmq worker with dead letters", worker,
			[]string{MetricQueueDepth, AlertQueueBacklogGrowing, AlertQueueNotDraining, AlertDeadLetterQueueNotEmpty, AlertDependencyDown, AlertCPUNearLimit},
			[]string{MetricRequestsPerSecond, AlertErrorBudgetBurn1h, AlertLatencyP99High},
			map[string]string{
				MetricQueueDepth:             `rabbitmq_queue_messages_ready{service="jobs",queue="jobs"}`,
				AlertDeadLetterQueueNotEmpty: `max by (namespace) (rabbitmq_queue_messages{service="jobs",queue="jobs.dead-letter"}) > 0`,
				AlertDependencyDown:          `max by (namespace) (up{service="jobs"}) < 1`,
			}},
		{"worker without dead letters", Target{Service: "w", Worker: true, Queue: &Queue{Name: "q", Broker: Dependency{Name: "k", Type: "kafka"}}},
			[]string{AlertQueueNotDraining}, []string{AlertDeadLetterQueueNotEmpty},
			map[string]string{MetricQueueDepth: `kafka_consumergroup_lag{service="k",topic="q",consumergroup="w"}`}},
		{"worker without a queue", Target{Service: "cron", Worker: true},
			[]string{recTargets, AlertReplicasUnavailable}, []string{MetricQueueDepth, AlertQueueNotDraining, MetricRequestsPerSecond}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			groups := Rules(tc.target)
			names := alertNames(groups)
			for _, n := range tc.present {
				assert.Contains(t, names, n)
			}
			for _, n := range tc.absent {
				assert.NotContains(t, names, n)
			}
			for n, want := range tc.exprHas {
				r := findRule(groups, n)
				require.NotNil(t, r, n)
				assert.Contains(t, r.Expr.StrVal, want, n)
			}
		})
	}
}

func TestDependenciesDeduplicated(t *testing.T) {
	broker := Dependency{Name: "jobs", Type: "redis"}
	target := Target{Service: "w", Worker: true, Queue: &Queue{Name: "jobs", Broker: broker},
		Dependencies: []Dependency{broker, {Name: "db", Type: "mysql", Managed: true}}}
	r := findRule(Rules(target), AlertDependencyDown)
	require.NotNil(t, r)
	assert.Equal(t, 1, strings.Count(r.Expr.StrVal, `redis_up{service="jobs"}`))
	assert.Equal(t, 1, strings.Count(r.Expr.StrVal, `mysql_up{service="db"}`))
}

func TestSeverity(t *testing.T) {
	assert.Equal(t, SeverityCritical, Severity(true), "page-class")
	assert.Equal(t, SeverityWarning, Severity(false), "ticket-class")
	// Every alert of every target carries its class's severity, whatever the
	// target (checkRule); and the page-class ones are the documented three.
	seen := map[string]string{}
	for _, target := range matrix() {
		for _, g := range Rules(target) {
			for _, r := range g.Rules {
				if r.Alert != "" {
					seen[r.Alert] = r.Labels["severity"]
				}
			}
		}
	}
	var critical []string
	for a, sev := range seen {
		if sev == SeverityCritical {
			critical = append(critical, a)
		}
	}
	assert.ElementsMatch(t, []string{AlertErrorBudgetBurn1h, AlertErrorBudgetBurn6h, AlertQueueNotDraining}, critical)
}

func TestErrorBudget(t *testing.T) {
	tests := map[float64]string{0: "0.005", 99.5: "0.005", 99.9: "0.001", 99.95: "0.0005", 99.99: "0.0001", 99: "0.01", 100: "0.005", -1: "0.005"}
	for a, want := range tests {
		assert.Equal(t, want, Target{Availability: a}.errorBudget(), "availability %v", a)
	}
}

// TestMetricNamesMatchGenerator reads pkg/generate's source (without
// compiling it, which would tie this package's tests to that one's) and
// checks the HPA metric names there are the ones recorded here.
func TestMetricNamesMatchGenerator(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "generate", "*.go"))
	require.NoError(t, err)
	var src []byte
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		src = append(src, b...)
	}
	for name, want := range map[string]string{"MetricRequestsPerSecond": MetricRequestsPerSecond, "MetricQueueDepth": MetricQueueDepth} {
		m := regexp.MustCompile(name + `\s*=\s*"([^"]+)"`).FindSubmatch(src)
		require.NotNil(t, m, "generate.%s not found", name)
		assert.Equal(t, want, string(m[1]), "generate.%s", name)
	}
}

// prometheusRule wraps groups the way the generator will emit them.
func prometheusRule(target Target) monitoringv1.PrometheusRule {
	pr := monitoringv1.PrometheusRule{Spec: monitoringv1.PrometheusRuleSpec{Groups: Rules(target)}}
	pr.APIVersion = "monitoring.coreos.com/v1"
	pr.Kind = "PrometheusRule"
	pr.Name = target.Service
	pr.Namespace = "observability"
	return pr
}

func TestDeterministic(t *testing.T) {
	for name, target := range matrix() {
		a, err := yaml.Marshal(prometheusRule(target))
		require.NoError(t, err)
		b, err := yaml.Marshal(prometheusRule(target))
		require.NoError(t, err)
		assert.Equal(t, string(a), string(b), name)
		d1, err := Dashboard(target)
		require.NoError(t, err)
		d2, err := Dashboard(target)
		require.NoError(t, err)
		assert.True(t, bytes.Equal(d1, d2), name)
	}
}

// goldenTargets are the targets whose output is kept in testdata.
var goldenTargets = map[string]Target{
	"web": {Platform: "shop", Service: "web", Protocol: "http",
		Availability: 99.9, LatencyP99: 300 * time.Millisecond,
		Dependencies: []Dependency{{Name: "orders-db", Type: "postgres"}, {Name: "cache", Type: "redis"}}},
	"orders": {Platform: "shop", Service: "orders", Protocol: "grpc",
		Dependencies: []Dependency{{Name: "orders-db", Type: "mysql", Managed: true}}},
	"email-worker": {Platform: "shop", Service: "email-worker", Worker: true,
		Queue: &Queue{Name: "jobs", DeadLetter: "jobs.dead-letter", Broker: Dependency{Name: "jobs", Type: "rabbitmq", Managed: true}}},
	"events-worker": {Platform: "stream", Service: "events-worker", Worker: true,
		Queue: &Queue{Name: "events", Broker: Dependency{Name: "events", Type: "kafka"}}},
}

func TestGolden(t *testing.T) {
	for name, target := range goldenTargets {
		t.Run(name, func(t *testing.T) {
			rules, err := yaml.Marshal(prometheusRule(target))
			require.NoError(t, err)
			golden.Assert(t, filepath.Join("testdata", name+".rules.yaml"), rules)
			dash, err := Dashboard(target)
			require.NoError(t, err)
			golden.Assert(t, filepath.Join("testdata", name+".dashboard.json"), dash)
		})
	}
}

// TestRunbooksDocumented keeps docs/observability-metrics.md in step with the
// alerts: every alert any target can raise has a runbook section there, and
// the recording rules and metric names it describes exist.
func TestRunbooksDocumented(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "observability-metrics.md"))
	require.NoError(t, err)
	seen := map[string]bool{}
	for _, target := range matrix() {
		for _, g := range Rules(target) {
			for _, r := range g.Rules {
				if r.Alert != "" && !seen[r.Alert] {
					seen[r.Alert] = true
					assert.Contains(t, string(doc), "\n### "+r.Alert+"\n", "runbook section for %s", r.Alert)
				}
			}
		}
	}
	assert.Len(t, seen, 14, "every alert is raised by some target of the matrix")
	for _, s := range []string{MetricHTTPServerDuration, MetricRPCServerDuration, MetricMessagingProcess, MetricRequestsPerSecond, MetricQueueDepth, recErrorRatio, recLatencyP99, recTargets, "99.5 %"} {
		assert.Contains(t, string(doc), s)
	}
}
