package monitoring

import (
	"context"
	"encoding/json"
	"maps"
	"math"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/histogram"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/tsdb/chunkenc"
	"github.com/prometheus/prometheus/tsdb/chunks"
	"github.com/prometheus/prometheus/util/annotations"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// This file evaluates the generated rules with Prometheus' own query engine
// over synthetic series shaped like real scrapes (with the extra labels
// exporters add), to check that alerts fire exactly when they should: label
// matching, thresholds and windows, not only syntax.
//
// A store is what one environment's Prometheus holds: the series of its own
// scrape targets (the service's pods, with their up, in appsNS; its stores in
// dataNS) and the cluster-wide cAdvisor and kube-state-metrics series, which
// also cover the pods of another environment in the same cluster (otherNS).

const (
	scrape  = time.Minute
	history = 4 * 24 * time.Hour // longer than the 3d window

	appsNS  = "apps"
	dataNS  = "data"
	otherNS = "dev-apps"
)

var evalEnd = time.Unix(1_000_000_000, 0).UTC()

// sample implements chunks.Sample for a float.
type sample struct {
	t int64
	f float64
}

func (s sample) T() int64                      { return s.t }
func (s sample) ST() int64                     { return 0 }
func (s sample) F() float64                    { return s.f }
func (s sample) H() *histogram.Histogram       { return nil }
func (s sample) FH() *histogram.FloatHistogram { return nil }
func (s sample) Type() chunkenc.ValueType      { return chunkenc.ValFloat }
func (s sample) Copy() chunks.Sample           { return s }

// gen is a synthetic series: labels and its value at a time before evalEnd.
type gen struct {
	labels map[string]string
	value  func(ago time.Duration) float64
}

// counter grows at perSec per second, at rate errFrac(ago) times perSec when given.
func counter(perSec float64) func(time.Duration) float64 {
	return func(ago time.Duration) float64 { return perSec * (history - ago).Seconds() }
}

// counterSince grows at perSec per second only during the last d.
func counterSince(perSec float64, d time.Duration) func(time.Duration) float64 {
	return func(ago time.Duration) float64 {
		if ago >= d {
			return 0
		}
		return perSec * (d - ago).Seconds()
	}
}

func gauge(v float64) func(time.Duration) float64 { return func(time.Duration) float64 { return v } }

// until ends a series d ago: a scrape target that went away (no sample, which
// the store does not keep, after that).
func until(d time.Duration, f func(time.Duration) float64) func(time.Duration) float64 {
	return func(ago time.Duration) float64 {
		if ago < d {
			return math.NaN()
		}
		return f(ago)
	}
}

// since starts a series d ago: a label set that appeared then (a new role).
func since(d time.Duration, f func(time.Duration) float64) func(time.Duration) float64 {
	return func(ago time.Duration) float64 {
		if ago > d {
			return math.NaN()
		}
		return f(ago)
	}
}

// up is the up series of a scrape target of service's pod in namespace, with
// the labels prometheus-operator gives a ServiceMonitor or PodMonitor target.
func up(namespace, service, pod string, value func(time.Duration) float64) gen {
	return gen{map[string]string{"__name__": "up", "namespace": namespace, "container": service, "pod": pod,
		"service": service, "job": service, "endpoint": "metrics", "instance": pod + ":9102"}, value}
}

func with(base map[string]string, kv ...string) map[string]string {
	m := maps.Clone(base)
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

type listSet struct {
	series []storage.Series
	i      int
}

func (s *listSet) Next() bool                        { s.i++; return s.i <= len(s.series) }
func (s *listSet) At() storage.Series                { return s.series[s.i-1] }
func (s *listSet) Err() error                        { return nil }
func (s *listSet) Warnings() annotations.Annotations { return nil }

type memStore struct{ series []storage.Series }

func (m *memStore) add(lset labels.Labels, samples []chunks.Sample) {
	m.series = append(m.series, storage.NewListSeries(lset, samples))
}

func (m *memStore) addGen(g gen) {
	var samples []chunks.Sample
	for ago := history; ago >= 0; ago -= scrape {
		if v := g.value(ago); !math.IsNaN(v) {
			samples = append(samples, sample{t: evalEnd.Add(-ago).UnixMilli(), f: v})
		}
	}
	m.add(labels.FromMap(g.labels), samples)
}

func (m *memStore) queryable() storage.Queryable {
	return storage.QueryableFunc(func(int64, int64) (storage.Querier, error) {
		return &storage.MockQuerier{SelectMockFunction: func(_ bool, _ *storage.SelectHints, ms ...*labels.Matcher) storage.SeriesSet {
			var out []storage.Series
			for _, s := range m.series {
				ok := true
				for _, mt := range ms {
					if !mt.Matches(s.Labels().Get(mt.Name)) {
						ok = false
						break
					}
				}
				if ok {
					out = append(out, s)
				}
			}
			sort.Slice(out, func(i, j int) bool { return labels.Compare(out[i].Labels(), out[j].Labels()) < 0 })
			return &listSet{series: out}
		}}, nil
	})
}

var engine = promql.NewEngine(promql.EngineOpts{MaxSamples: 100_000_000, Timeout: time.Minute, LookbackDelta: 5 * time.Minute, Parser: promParser})

// evalStore holds the input series and what the target's recording rules
// write when evaluated over the last hour, one step a minute, the way
// Prometheus stores recorded series.
func evalStore(t *testing.T, target Target, input []gen) *memStore {
	t.Helper()
	ctx := context.Background()
	st := &memStore{}
	for _, g := range input {
		st.addGen(g)
	}
	for _, g := range Rules(target) {
		for _, r := range g.Rules {
			if r.Record == "" {
				continue
			}
			q, err := engine.NewRangeQuery(ctx, st.queryable(), nil, r.Expr.StrVal, evalEnd.Add(-time.Hour), evalEnd, scrape)
			require.NoError(t, err, r.Record)
			res := q.Exec(ctx)
			require.NoError(t, res.Err, r.Record)
			m, err := res.Matrix()
			require.NoError(t, err)
			for _, s := range m {
				b := labels.NewBuilder(s.Metric)
				b.Set(model.MetricNameLabel, r.Record)
				for k, v := range r.Labels {
					b.Set(k, v)
				}
				var samples []chunks.Sample
				for _, p := range s.Floats {
					samples = append(samples, sample{t: p.T, f: p.F})
				}
				st.add(b.Labels(), samples)
			}
			q.Close()
		}
	}
	return st
}

// instant evaluates one expression at evalEnd.
func (m *memStore) instant(t *testing.T, expr string) promql.Vector {
	t.Helper()
	q, err := engine.NewInstantQuery(context.Background(), m.queryable(), nil, expr, evalEnd)
	require.NoError(t, err, expr)
	defer q.Close()
	res := q.Exec(context.Background())
	require.NoError(t, res.Err, expr)
	v, err := res.Vector()
	require.NoError(t, err, expr)
	return v
}

// firing evaluates every alert of the target at evalEnd, after its
// recording rules, and returns the label sets each alert's expression
// yields, by alert name.
func firing(t *testing.T, target Target, input []gen) map[string][]map[string]string {
	t.Helper()
	st := evalStore(t, target, input)
	out := map[string][]map[string]string{}
	for _, g := range Rules(target) {
		for _, r := range g.Rules {
			if r.Alert == "" {
				continue
			}
			for _, s := range st.instant(t, r.Expr.StrVal) {
				out[r.Alert] = append(out[r.Alert], s.Metric.Map())
			}
		}
	}
	return out
}

func names(f map[string][]map[string]string) []string {
	out := slices.Collect(maps.Keys(f))
	sort.Strings(out)
	return out
}

// httpTraffic is 50 requests/s from each of two pods for 4 days, 30 % of
// them 4xx and errFrac of them 5xx; with recent set, the 5xx come only in
// the last recent, at errFrac of the rate, on top. Labels are those a
// ServiceMonitor scrape carries; the pods' up series are included.
func httpTraffic(target Target, errFrac float64, recent time.Duration) []gen {
	var out []gen
	for _, pod := range []string{target.Service + "-7d9f-a", target.Service + "-7d9f-b"} {
		out = append(out, up(appsNS, target.Service, pod, gauge(1)))
		base := map[string]string{"__name__": MetricHTTPServerDuration + "_count", "namespace": appsNS, "container": target.Service,
			"pod": pod, "service": target.Service, "job": target.Service, "endpoint": "http", "instance": pod + ":8080", "http_request_method": "GET"}
		ok, errs := counter(50*(0.7-errFrac)), counter(50*errFrac)
		if recent > 0 {
			ok, errs = counter(50*0.7), counterSince(50*errFrac, recent)
		}
		out = append(out,
			gen{with(base, "http_response_status_code", "200"), ok},
			gen{with(base, "http_response_status_code", "404"), counter(50 * 0.3)},
			gen{with(base, "http_response_status_code", "503"), errs})
	}
	return out
}

func TestAlertsFireOnRequestErrors(t *testing.T) {
	web := Target{Service: "web", Protocol: "http", Availability: 99.9}
	burns := []string{AlertErrorBudgetBurn1h, AlertErrorBudgetBurn6h, AlertErrorBudgetBurn1d, AlertErrorBudgetBurn3d}
	tests := []struct {
		name    string
		errFrac float64
		recent  time.Duration
		want    []string
	}{
		{"no 5xx, 30% 4xx: nothing", 0, 0, nil},
		{"5xx at 20x the budget: every window", 0.02, 0, burns},
		{"5xx at 4x the budget: the slow windows only", 0.004, 0, []string{AlertErrorBudgetBurn1d, AlertErrorBudgetBurn3d}},
		{"5xx at 0.5x the budget: nothing", 0.0005, 0, nil},
		// 15 % errors for 10 minutes: 2.4 % of the last hour (above 14.4 × 0.1 %)
		// but 0.4 % of the last 6 hours (below 6 × 0.1 %): only the fast window.
		{"a 10-minute spike: the 1h window only", 0.15, 10 * time.Minute, []string{AlertErrorBudgetBurn1h}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := firing(t, web, httpTraffic(web, tc.errFrac, tc.recent))
			var burning []string
			for _, n := range names(got) {
				if slices.Contains(burns, n) {
					burning = append(burning, n)
				}
			}
			sort.Strings(tc.want)
			assert.Equal(t, tc.want, burning)
			for _, n := range burning {
				for _, ls := range got[n] {
					assert.Equal(t, appsNS, ls["namespace"], "%s: the namespace of the series", n)
				}
			}
		})
	}
}

func TestRequestsPerSecondRecordedPerPod(t *testing.T) {
	web := Target{Service: "web", Protocol: "http"}
	v := evalStore(t, web, httpTraffic(web, 0.01, 0)).instant(t, MetricRequestsPerSecond)
	require.Len(t, v, 2, "one series per pod")
	for _, s := range v {
		assert.InDelta(t, 50, s.F, 0.01)
		// What prometheus-adapter's Pods metric needs: namespace and pod,
		// the namespace the pods' own.
		assert.Equal(t, []string{"__name__", "namespace", "pod", "service"}, slices.Sorted(maps.Keys(s.Metric.Map())))
		assert.Equal(t, appsNS, s.Metric.Get("namespace"))
	}
}

// TestQueueDepthRecordedForEveryBroker checks the series the HPA's External
// metric selects (queue=<name>, in the worker's namespace) exists, once, with
// the backlog, whatever the broker; the namespace is the worker's, from its
// scrape targets, although the broker's series are in the data namespace.
func TestQueueDepthRecordedForEveryBroker(t *testing.T) {
	store := map[string]string{"namespace": dataNS, "service": "jobs", "job": "jobs", "instance": "jobs-0:9000", "pod": "jobs-0"}
	inputs := map[string][]gen{
		"rabbitmq": {{with(store, "__name__", "rabbitmq_queue_messages_ready", "vhost", "/", "queue", "jobs"), gauge(42)},
			{with(store, "__name__", "rabbitmq_queue_messages_ready", "vhost", "/", "queue", "other"), gauge(7)}},
		"redis": {{with(store, "__name__", "redis_key_size", "db", "db0", "key", "jobs"), gauge(42)},
			{with(store, "__name__", "redis_key_size", "db", "db0", "key", "jobs.dead-letter"), gauge(7)}},
		"nats": {{with(store, "__name__", "jetstream_consumer_num_pending", "stream_name", "jobs", "consumer_name", "mailer", "server_id", "n1"), gauge(42)},
			{with(store, "__name__", "jetstream_consumer_num_pending", "stream_name", "jobs", "consumer_name", "other", "server_id", "n1"), gauge(7)}},
		"kafka": {{with(store, "__name__", "kafka_consumergroup_lag", "topic", "jobs", "partition", "0", "consumergroup", "mailer"), gauge(40)},
			{with(store, "__name__", "kafka_consumergroup_lag", "topic", "jobs", "partition", "1", "consumergroup", "mailer"), gauge(2)},
			{with(store, "__name__", "kafka_consumergroup_lag", "topic", "jobs", "partition", "0", "consumergroup", "other"), gauge(7)}},
	}
	for _, b := range brokers {
		t.Run(b, func(t *testing.T) {
			w := Target{Service: "mailer", Worker: true, Queue: &Queue{Name: "jobs", Broker: Dependency{Name: "jobs", Type: b}}}
			input := append(slices.Clone(inputs[b]), up(appsNS, "mailer", "mailer-1", gauge(1)), up(appsNS, "mailer", "mailer-2", gauge(1)))
			v := evalStore(t, w, input).instant(t, MetricQueueDepth+`{queue="jobs",namespace="apps"}`)
			require.Len(t, v, 1)
			assert.InDelta(t, 42, v[0].F, 0.001)
			assert.Equal(t, map[string]string{"__name__": MetricQueueDepth, "queue": "jobs", "namespace": "apps", "service": "mailer"}, v[0].Metric.Map())
			// While the worker has no pod (for less than namespaceMemory),
			// the backlog is still recorded: QueueNotDraining reads it.
			input = append(slices.Clone(inputs[b]), up(appsNS, "mailer", "mailer-1", until(30*time.Minute, gauge(1))))
			v = evalStore(t, w, input).instant(t, MetricQueueDepth)
			require.Len(t, v, 1)
			assert.Equal(t, appsNS, v[0].Metric.Get("namespace"))
		})
	}
}

func TestAlertsFireOnGRPCServerFaultsOnly(t *testing.T) {
	api := Target{Service: "orders", Protocol: "grpc", Availability: 99.9}
	traffic := func(code string) []gen {
		base := map[string]string{"__name__": MetricRPCServerDuration + "_count", "namespace": "apps", "container": "orders", "pod": "orders-1", "rpc_method": "Get"}
		return []gen{{with(base, "rpc_response_status_code", "OK"), counter(90)}, {with(base, "rpc_response_status_code", code), counter(10)}}
	}
	assert.Contains(t, firing(t, api, traffic("UNAVAILABLE")), AlertErrorBudgetBurn1h)
	assert.NotContains(t, firing(t, api, traffic("NOT_FOUND")), AlertErrorBudgetBurn1h, "a caller's error spends no budget")
}

func TestLatencyAlert(t *testing.T) {
	web := Target{Service: "web", Protocol: "http", LatencyP99: 300 * time.Millisecond}
	traffic := latencyTraffic
	assert.Contains(t, firing(t, web, traffic(0.5)), AlertLatencyP99High, "P99 between 250ms and 500ms")
	assert.NotContains(t, firing(t, web, traffic(0.25)), AlertLatencyP99High, "P99 below 250ms")
}

func formatLE(f float64) string {
	return map[float64]string{0.1: "0.1", 0.25: "0.25", 0.5: "0.5", 1: "1"}[f]
}

func TestSaturationAlerts(t *testing.T) {
	web := Target{Service: "web", Protocol: "http"}
	// pods is the cluster-wide view of namespace's web pods (cAdvisor,
	// kube-state-metrics) at the given CPU and memory use (share of the
	// limits) and available replicas of 2, the autoscaler's current replicas
	// as many as available, its maximum hpaMax; scraped adds the pods' up
	// series, as for the pods of this Prometheus's own environment.
	pods := func(namespace string, scraped bool, cpu, mem, available, hpaMax float64) []gen {
		var out []gen
		for _, pod := range []string{"web-1", "web-2"} {
			cad := map[string]string{"namespace": namespace, "pod": pod, "container": "web", "job": "kubelet", "instance": "node-a", "id": "/kubepods/" + pod, "image": "ghcr.io/acme/web:1"}
			ksm := map[string]string{"__name__": "kube_pod_container_resource_limits", "namespace": namespace, "pod": pod, "container": "web", "job": "kube-state-metrics", "instance": "ksm:8080", "node": "node-a", "uid": pod}
			out = append(out,
				gen{with(cad, "__name__", "container_cpu_usage_seconds_total"), counter(cpu)},
				gen{with(cad, "__name__", "container_memory_working_set_bytes"), gauge(mem * 512 * 1024 * 1024)},
				gen{with(ksm, "resource", "cpu", "unit", "core"), gauge(1)},
				gen{with(ksm, "resource", "memory", "unit", "byte"), gauge(512 * 1024 * 1024)})
			if scraped {
				out = append(out, up(namespace, "web", pod, gauge(1)))
			}
		}
		ksm := map[string]string{"namespace": namespace, "job": "kube-state-metrics", "instance": "ksm:8080"}
		out = append(out,
			gen{with(ksm, "__name__", "kube_deployment_status_replicas_available", "deployment", "web"), gauge(available)},
			gen{with(ksm, "__name__", "kube_deployment_spec_replicas", "deployment", "web"), gauge(2)},
			gen{with(ksm, "__name__", "kube_horizontalpodautoscaler_status_current_replicas", "horizontalpodautoscaler", "web"), gauge(available)},
			gen{with(ksm, "__name__", "kube_horizontalpodautoscaler_spec_max_replicas", "horizontalpodautoscaler", "web"), gauge(hpaMax)})
		return out
	}
	saturation := []string{AlertCPUNearLimit, AlertMemoryNearLimit, AlertAutoscalerAtMax, AlertReplicasUnavailable}
	only := func(got map[string][]map[string]string) map[string][]map[string]string {
		out := map[string][]map[string]string{}
		for _, n := range saturation {
			if got[n] != nil {
				out[n] = got[n]
			}
		}
		return out
	}

	hot := firing(t, web, pods(appsNS, true, 0.95, 0.95, 2, 2))
	assert.Len(t, hot[AlertCPUNearLimit], 2, "one alert per pod")
	assert.Len(t, hot[AlertMemoryNearLimit], 2)
	assert.Contains(t, hot, AlertAutoscalerAtMax)
	assert.NotContains(t, hot, AlertReplicasUnavailable)
	assert.ElementsMatch(t, []string{"web-1", "web-2"}, []string{hot[AlertCPUNearLimit][0]["pod"], hot[AlertCPUNearLimit][1]["pod"]})
	for _, n := range []string{AlertCPUNearLimit, AlertMemoryNearLimit, AlertAutoscalerAtMax} {
		for _, ls := range hot[n] {
			assert.Equal(t, appsNS, ls["namespace"], n)
		}
	}

	cool := firing(t, web, pods(appsNS, true, 0.5, 0.5, 1, 2))
	assert.NotContains(t, cool, AlertCPUNearLimit)
	assert.NotContains(t, cool, AlertMemoryNearLimit)
	assert.NotContains(t, cool, AlertAutoscalerAtMax)
	assert.Contains(t, cool, AlertReplicasUnavailable)

	// Another environment's web, in the same cluster: its pods have the same
	// container and pod names, and this Prometheus sees their cAdvisor and
	// kube-state-metrics series, but they are not its scrape targets. Hot and
	// short of replicas there, healthy here: nothing fires here.
	calm := firing(t, web, slices.Concat(pods(appsNS, true, 0.5, 0.5, 2, 4), pods(otherNS, false, 0.95, 0.95, 1, 1)))
	assert.Empty(t, only(calm), "the other environment's pods raise no alert here")
	// The other way round: this environment's alerts, one per own pod, none
	// for the other environment's.
	got := only(firing(t, web, slices.Concat(pods(appsNS, true, 0.95, 0.95, 1, 1), pods(otherNS, false, 0.5, 0.5, 2, 4))))
	assert.Len(t, got[AlertCPUNearLimit], 2)
	assert.Len(t, got[AlertMemoryNearLimit], 2)
	assert.Len(t, got[AlertReplicasUnavailable], 1)
	assert.Len(t, got[AlertAutoscalerAtMax], 1)
	for n, sets := range got {
		for _, ls := range sets {
			assert.Equal(t, appsNS, ls["namespace"], n)
		}
	}

	// All pods gone (unschedulable, say) 45 minutes ago: the deployment's
	// namespace is still known from the recorded targets, so
	// ReplicasUnavailable keeps firing, and only for this environment. (The
	// harness records the last hour only; Prometheus remembers
	// namespaceMemory.)
	gone := pods(appsNS, false, 0, 0, 0, 2)
	gone = append(gone, up(appsNS, "web", "web-1", until(45*time.Minute, gauge(1))), up(appsNS, "web", "web-2", until(45*time.Minute, gauge(1))))
	got = only(firing(t, web, slices.Concat(gone, pods(otherNS, false, 0.5, 0.5, 1, 2))))
	require.Len(t, got[AlertReplicasUnavailable], 1)
	assert.Equal(t, appsNS, got[AlertReplicasUnavailable][0]["namespace"])
}

func TestQueueAlerts(t *testing.T) {
	broker := func(typ string) Dependency { return Dependency{Name: "jobs", Type: typ} }
	worker := func(typ, dlq string) Target {
		return Target{Service: "mailer", Worker: true,
			Queue: &Queue{Name: "jobs", DeadLetter: dlq, Broker: broker(typ)}}
	}
	store := map[string]string{"namespace": dataNS, "service": "jobs", "job": "jobs", "instance": "jobs-0:15692", "pod": "jobs-0"}
	// available is the deployment's available replicas in a namespace
	// (kube-state-metrics, cluster-wide).
	available := func(namespace string, n float64) gen {
		return gen{map[string]string{"__name__": "kube_deployment_status_replicas_available", "namespace": namespace, "deployment": "mailer", "job": "kube-state-metrics"}, gauge(n)}
	}
	// processing is the worker's throughput, its pod's scrape target and
	// available replicas; a nil rate means it exports no throughput. With
	// no replica, the pod has been gone for 40 minutes.
	processing := func(rate *float64, replicas float64) []gen {
		out := []gen{available(appsNS, replicas)}
		if replicas > 0 {
			out = append(out, up(appsNS, "mailer", "mailer-1", gauge(1)))
		} else {
			out = append(out, up(appsNS, "mailer", "mailer-1", until(40*time.Minute, gauge(1))))
		}
		if rate != nil {
			out = append(out, gen{map[string]string{"__name__": MetricMessagingProcess + "_count", "namespace": appsNS, "container": "mailer", "pod": "mailer-1"}, counter(*rate)})
		}
		return out
	}
	rabbit := func(ready func(time.Duration) float64, dead float64) []gen {
		return []gen{
			{with(store, "__name__", "rabbitmq_queue_messages_ready", "vhost", "/", "queue", "jobs"), ready},
			{with(store, "__name__", "rabbitmq_queue_messages", "vhost", "/", "queue", "jobs.dead-letter"), gauge(dead)},
			{with(store, "__name__", "up"), gauge(1)},
		}
	}
	growing := func(ago time.Duration) float64 { return 5000 - ago.Minutes() }
	draining := func(ago time.Duration) float64 { return max(0, ago.Minutes()-20) }
	zero, busy := 0.0, 5.0
	tests := []struct {
		name  string
		w     Target
		input [][]gen
		want  []string
	}{
		{"growing backlog, worker stuck, dead letters", worker("rabbitmq", "jobs.dead-letter"),
			[][]gen{rabbit(growing, 3), processing(&zero, 2)}, []string{AlertDeadLetterQueueNotEmpty, AlertQueueBacklogGrowing, AlertQueueNotDraining}},
		{"growing backlog, worker busy", worker("rabbitmq", "jobs.dead-letter"),
			[][]gen{rabbit(growing, 0), processing(&busy, 2)}, []string{AlertQueueBacklogGrowing}},
		{"backlog, worker scaled to nothing and silent", worker("rabbitmq", ""),
			[][]gen{rabbit(gauge(10), 0), processing(nil, 0)}, []string{AlertQueueNotDraining}},
		{"backlog, no replica here, two in another environment", worker("rabbitmq", ""),
			[][]gen{rabbit(gauge(10), 0), processing(nil, 0), {available(otherNS, 2)}}, []string{AlertQueueNotDraining}},
		{"steady backlog being worked", worker("rabbitmq", ""),
			[][]gen{rabbit(gauge(10), 0), processing(&busy, 2)}, nil},
		{"steady backlog being worked here, no replica in another environment", worker("rabbitmq", ""),
			[][]gen{rabbit(gauge(10), 0), processing(&busy, 2), {available(otherNS, 0)}}, nil},
		{"emptied queue", worker("rabbitmq", "jobs.dead-letter"),
			[][]gen{rabbit(draining, 0), processing(&zero, 2)}, nil},
		{"kafka: growing lag of this group, dead-letter topic holds messages", worker("kafka", "jobs.dlq"),
			[][]gen{{
				{with(store, "__name__", "kafka_consumergroup_lag", "topic", "jobs", "partition", "0", "consumergroup", "mailer"), growing},
				{with(store, "__name__", "kafka_consumergroup_lag", "topic", "jobs", "partition", "0", "consumergroup", "someone-else"), gauge(1e6)},
				{with(store, "__name__", "kafka_topic_partition_current_offset", "topic", "jobs.dlq", "partition", "0"), counterSince(0.01, 30*time.Minute)},
				{with(store, "__name__", "kafka_brokers"), gauge(3)},
			}, processing(&zero, 1)},
			[]string{AlertDeadLetterQueueNotEmpty, AlertQueueBacklogGrowing, AlertQueueNotDraining}},
		{"kafka: old dead letters only, lag steady and worked", worker("kafka", "jobs.dlq"),
			[][]gen{{
				{with(store, "__name__", "kafka_consumergroup_lag", "topic", "jobs", "partition", "0", "consumergroup", "mailer"), gauge(30)},
				{with(store, "__name__", "kafka_topic_partition_current_offset", "topic", "jobs.dlq", "partition", "0"), gauge(120)},
				{with(store, "__name__", "kafka_brokers"), gauge(3)},
			}, processing(&busy, 1)},
			nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := names(firing(t, tc.w, slices.Concat(tc.input...)))
			if tc.want == nil {
				assert.Empty(t, got)
				return
			}
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestDependencyAlerts(t *testing.T) {
	target := Target{Service: "web", Protocol: "http", Dependencies: []Dependency{
		{Name: "orders-db", Type: "postgres"}, {Name: "cache", Type: "redis"}}}
	exporter := func(name, metric string, v float64) gen {
		return gen{map[string]string{"__name__": metric, "namespace": dataNS, "service": name, "job": name, "instance": name + "-0:9187", "pod": name + "-0"}, gauge(v)}
	}
	got := firing(t, target, []gen{exporter("orders-db", "pg_up", 0), exporter("cache", "redis_up", 1)})
	require.Len(t, got[AlertDependencyDown], 1)
	assert.Equal(t, "orders-db", got[AlertDependencyDown][0]["dependency"])
	assert.Equal(t, "postgres", got[AlertDependencyDown][0]["dependency_type"])
	assert.Equal(t, dataNS, got[AlertDependencyDown][0]["namespace"], "the store's namespace")
	assert.NotContains(t, got, AlertDependencyMetricsAbsent)

	got = firing(t, target, []gen{exporter("orders-db", "pg_up", 1)})
	assert.NotContains(t, got, AlertDependencyDown)
	require.Len(t, got[AlertDependencyMetricsAbsent], 1)
	assert.Equal(t, "cache", got[AlertDependencyMetricsAbsent][0]["dependency"])
}

// scrape is a healthy, busy service as Prometheus would see it: its own
// metrics, cAdvisor, kube-state-metrics, its dependencies' exporters and its
// broker's queue metrics.
func fullScrape(target Target) []gen {
	var out []gen
	pod := target.Service + "-7d9f-a"
	own := map[string]string{"namespace": appsNS, "container": target.Service, "pod": pod, "instance": pod + ":9102", "job": target.Service}
	switch {
	case target.Worker:
		m := with(own, "__name__", MetricMessagingProcess+"_count", "messaging_system", "rabbitmq")
		out = append(out, gen{m, counter(20)}, gen{with(m, "error_type", "timeout"), counter(0.1)})
		for _, le := range []string{"0.1", "1", "+Inf"} {
			out = append(out, gen{with(own, "__name__", MetricMessagingProcess+"_bucket", "le", le), counter(20)})
		}
	case target.grpc():
		m := with(own, "__name__", MetricRPCServerDuration+"_count")
		out = append(out, gen{with(m, "rpc_response_status_code", "OK"), counter(95)}, gen{with(m, "rpc_response_status_code", "UNAVAILABLE"), counter(0.1)},
			gen{with(m, "rpc_response_status_code", "NOT_FOUND"), counter(4.9)})
		for _, le := range []string{"0.1", "1", "+Inf"} {
			out = append(out, gen{with(own, "__name__", MetricRPCServerDuration+"_bucket", "le", le), counter(100)})
		}
	default:
		out = append(out, httpTraffic(target, 0.001, 0)...)
		for _, le := range []string{"0.1", "1", "+Inf"} {
			out = append(out, gen{with(own, "__name__", MetricHTTPServerDuration+"_bucket", "le", le, "http_response_status_code", "200"), counter(100)})
		}
	}
	cad := with(own, "job", "kubelet", "instance", "node-a")
	ksm := map[string]string{"namespace": appsNS, "job": "kube-state-metrics", "instance": "ksm:8080"}
	if target.Worker || target.grpc() { // httpTraffic has its pods' up
		out = append(out, up(appsNS, target.Service, pod, gauge(1)))
	}
	out = append(out,
		gen{with(cad, "__name__", "container_cpu_usage_seconds_total"), counter(0.3)},
		gen{with(cad, "__name__", "container_memory_working_set_bytes"), gauge(1e8)},
		gen{with(ksm, "__name__", "kube_pod_container_resource_limits", "pod", pod, "container", target.Service, "resource", "cpu", "unit", "core"), gauge(0.5)},
		gen{with(ksm, "__name__", "kube_pod_container_resource_limits", "pod", pod, "container", target.Service, "resource", "memory", "unit", "byte"), gauge(2.7e8)},
		gen{with(ksm, "__name__", "kube_deployment_status_replicas_available", "deployment", target.Service), gauge(2)},
		gen{with(ksm, "__name__", "kube_deployment_spec_replicas", "deployment", target.Service), gauge(2)},
		gen{with(ksm, "__name__", "kube_horizontalpodautoscaler_spec_max_replicas", "horizontalpodautoscaler", target.Service), gauge(6)})
	for _, d := range target.dependencies() {
		exp := map[string]string{"namespace": dataNS, "service": d.Name, "job": d.Name, "instance": d.Name + "-0:9000", "container": "exporter"}
		out = append(out, gen{with(exp, "__name__", healthMetric(d)), gauge(1)})
		if healthMetric(d) != "up" {
			out = append(out, gen{with(exp, "__name__", "up"), gauge(1)})
		}
	}
	if qu := target.Queue; qu != nil {
		b := map[string]string{"namespace": dataNS, "service": qu.Broker.Name, "job": qu.Broker.Name, "instance": qu.Broker.Name + "-0:15692"}
		switch qu.Broker.Type {
		case "kafka":
			out = append(out, gen{with(b, "__name__", "kafka_consumergroup_lag", "topic", qu.Name, "partition", "0", "consumergroup", target.Service), gauge(10)})
			if qu.DeadLetter != "" {
				out = append(out, gen{with(b, "__name__", "kafka_topic_partition_current_offset", "topic", qu.DeadLetter, "partition", "0"), gauge(5)})
			}
		default:
			out = append(out, gen{with(b, "__name__", "rabbitmq_queue_messages_ready", "vhost", "/", "queue", qu.Name), gauge(10)},
				gen{with(b, "__name__", "rabbitmq_queue_messages", "vhost", "/", "queue", qu.DeadLetter), gauge(0)})
		}
	}
	return out
}

// TestDashboardQueriesReturnData runs every panel query of the golden
// dashboards against a healthy scrape: a query whose selectors miss the real
// labels would return nothing.
func TestDashboardQueriesReturnData(t *testing.T) {
	for name, target := range goldenTargets {
		t.Run(name, func(t *testing.T) {
			st := evalStore(t, target, fullScrape(target))
			raw, err := Dashboard(target)
			require.NoError(t, err)
			var d dashJSON
			require.NoError(t, json.Unmarshal(raw, &d))
			for _, p := range d.Panels {
				for _, q := range p.Targets {
					assert.NotEmpty(t, st.instant(t, grafanaVars.Replace(q.Expr)), "%s: %s", p.Title, q.Expr)
				}
			}
			// The namespace variables offer the namespaces the queries need.
			want := map[string]string{NamespaceVariable: appsNS, DataNamespaceVariable: dataNS}
			for _, v := range d.Templating.List[1:] {
				series := strings.TrimSuffix(strings.TrimPrefix(v.Query, "label_values("), ", namespace)")
				var got []string
				for _, s := range st.instant(t, series) {
					got = append(got, s.Metric.Get("namespace"))
				}
				assert.Equal(t, []string{want[v.Name]}, slices.Compact(slices.Sorted(slices.Values(got))), v.Query)
			}
			assert.Empty(t, names(firing(t, target, fullScrape(target))), "a healthy service raises no alert")
		})
	}
}

// latencyTraffic is web's 10 requests/s, all finishing below le
// (cumulative buckets).
func latencyTraffic(le float64) []gen {
	base := map[string]string{"__name__": MetricHTTPServerDuration + "_bucket", "namespace": "apps", "container": "web", "pod": "web-1", "http_response_status_code": "200"}
	var out []gen
	for _, b := range []float64{0.1, 0.25, 0.5, 1} {
		rate := 0.0
		if b >= le {
			rate = 10
		}
		out = append(out, gen{with(base, "le", formatLE(b)), counter(rate)})
	}
	return append(out, gen{with(base, "le", "+Inf"), counter(10)})
}
