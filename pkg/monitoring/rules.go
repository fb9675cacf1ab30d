package monitoring

import (
	"fmt"
	"strings"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// burnWindow is one multi-window, multi-burn-rate alert of the Google SRE
// workbook (chapter "Alerting on SLOs"): it fires when the error ratio over
// both the long and the short window exceeds factor × the error budget.
type burnWindow struct {
	long, short string
	factor      string
	budget      string // share of a 30-day budget spent when it fires
	page        bool
	forDur      monitoringv1.Duration
}

var burnWindows = []burnWindow{
	{long: "1h", short: "5m", factor: "14.4", budget: "2%", page: true, forDur: "2m"},
	{long: "6h", short: "30m", factor: "6", budget: "5%", page: true, forDur: "15m"},
	{long: "1d", short: "2h", factor: "3", budget: "10%", page: false, forDur: "1h"},
	{long: "3d", short: "6h", factor: "1", budget: "10%", page: false, forDur: "3h"},
}

// ratioWindows are the windows the error ratio is recorded over: every long
// and short window above, shortest first.
var ratioWindows = []string{"5m", "30m", "1h", "2h", "6h", "1d", "3d"}

// Recording rule names (level:metric:operations, the Prometheus convention).
const (
	recErrorRatio = "service:request_errors:ratio_rate"
	recLatencyP99 = "service:request_duration_seconds:p99_rate5m"
	// recTargets counts the service's scrape targets per namespace: the
	// namespace the environment runs the service in, as this environment's
	// Prometheus knows it (see Target.ownNamespaces).
	recTargets = "service:scrape_targets:count"
)

// Alert names; each is also the runbook's anchor.
const (
	AlertErrorBudgetBurn1h       = "ErrorBudgetBurn1h"
	AlertErrorBudgetBurn6h       = "ErrorBudgetBurn6h"
	AlertErrorBudgetBurn1d       = "ErrorBudgetBurn1d"
	AlertErrorBudgetBurn3d       = "ErrorBudgetBurn3d"
	AlertLatencyP99High          = "LatencyP99High"
	AlertCPUNearLimit            = "CPUNearLimit"
	AlertMemoryNearLimit         = "MemoryNearLimit"
	AlertReplicasUnavailable     = "ReplicasUnavailable"
	AlertAutoscalerAtMax         = "AutoscalerAtMax"
	AlertQueueBacklogGrowing     = "QueueBacklogGrowing"
	AlertQueueNotDraining        = "QueueNotDraining"
	AlertDeadLetterQueueNotEmpty = "DeadLetterQueueNotEmpty"
	AlertDependencyDown          = "DependencyDown"
	AlertDependencyMetricsAbsent = "DependencyMetricsAbsent"
)

// Rules returns the rule groups of one service, in a fixed order:
// <service>.recording, <service>.slo (servers only), <service>.saturation,
// <service>.queue (workers with a queue), <service>.dependencies (with
// dependencies). Group names are unique within the service's PrometheusRule,
// and alert names within each group.
func Rules(t Target) []monitoringv1.RuleGroup {
	var groups []monitoringv1.RuleGroup
	add := func(suffix string, rules []monitoringv1.Rule) {
		if len(rules) > 0 {
			groups = append(groups, monitoringv1.RuleGroup{Name: t.Service + "." + suffix, Rules: rules})
		}
	}
	add("recording", recordingRules(t))
	if !t.Worker {
		add("slo", sloAlerts(t))
	}
	add("saturation", saturationAlerts(t))
	if t.Worker && t.Queue != nil {
		add("queue", queueAlerts(t))
	}
	add("dependencies", dependencyAlerts(t))
	return groups
}

func expr(s string) intstr.IntOrString { return intstr.FromString(s) }

func dur(d monitoringv1.Duration) *monitoringv1.Duration { return &d }

// recordLabels are the static labels of every recorded series: the service
// only; the namespace comes from the series aggregated (by (namespace, ...)).
func (t Target) recordLabels() map[string]string {
	return map[string]string{"service": t.Service}
}

// alert builds an alert with the labels and annotations every alert carries.
// Its static labels are the same in every environment: the namespace comes
// from the series (most alerts aggregate by namespace), the environment from
// the Prometheus external label of that name, added when the alert is sent.
func (t Target) alert(name, e string, page bool, forDur monitoringv1.Duration, summary, description string) monitoringv1.Rule {
	r := monitoringv1.Rule{
		Alert: name,
		Expr:  expr(e),
		Labels: map[string]string{
			"severity": Severity(page),
			"service":  t.Service,
		},
		Annotations: map[string]string{
			"summary":     summary,
			"description": description,
			"runbook_url": RunbookURL(name),
		},
	}
	if forDur != "" {
		r.For = dur(forDur)
	}
	return r
}

func recordingRules(t Target) []monitoringv1.Rule {
	// First: the rules below and the alerts read it (a group's rules are
	// evaluated in order, each seeing what the previous ones wrote).
	rules := []monitoringv1.Rule{{
		Record: recTargets,
		Expr:   expr(fmt.Sprintf("count by (namespace) (up{%s})", t.workload())),
		Labels: t.recordLabels(),
	}}
	if !t.Worker {
		count := t.requestMetric() + "_count"
		for _, w := range ratioWindows {
			rules = append(rules, monitoringv1.Rule{
				Record: recErrorRatio + w,
				Expr: expr(fmt.Sprintf("sum by (namespace) (rate(%s{%s,%s}[%s]))\n/\nsum by (namespace) (rate(%s{%s}[%s]))",
					count, t.workload(), t.errorMatcher(), w, count, t.workload(), w)),
				Labels: t.recordLabels(),
			})
		}
		if t.hasLatency() {
			rules = append(rules, monitoringv1.Rule{
				Record: recLatencyP99,
				Expr:   expr(fmt.Sprintf("histogram_quantile(0.99, sum by (namespace, le) (rate(%s_bucket{%s}[5m])))", t.requestMetric(), t.workload())),
				Labels: t.recordLabels(),
			})
		}
		// Per pod, for prometheus-adapter's Pods metric (HPA requestsPerSecond).
		rules = append(rules, monitoringv1.Rule{
			Record: MetricRequestsPerSecond,
			Expr:   expr(fmt.Sprintf("sum by (namespace, pod) (rate(%s{%s}[2m]))", count, t.workload())),
			Labels: t.recordLabels(),
		})
	}
	if t.Worker && t.Queue != nil {
		// Per queue, for prometheus-adapter's External metric (HPA queueDepth,
		// selector queue=<name>), read in the worker's namespace: the broker's
		// series are in the data namespace, so the worker's own namespace is
		// joined on (group_left: one backlog, copied to each namespace).
		rules = append(rules, monitoringv1.Rule{
			Record: MetricQueueDepth,
			Expr:   expr(fmt.Sprintf("group by (namespace) (%s)\n* on () group_left (queue)\n%s", t.ownNamespaces(), queueDepth(t))),
			Labels: t.recordLabels(),
		})
	}
	return rules
}

// burnAlerts are the error-budget burn alerts, by their long window.
var burnAlerts = map[string]string{"1h": AlertErrorBudgetBurn1h, "6h": AlertErrorBudgetBurn6h, "1d": AlertErrorBudgetBurn1d, "3d": AlertErrorBudgetBurn3d}

// BurnAlertNames are the error-budget burn alerts, shortest window first:
// what a promotion gate waits on (pkg/cipipeline).
func BurnAlertNames() []string {
	names := make([]string, len(burnWindows))
	for i, w := range burnWindows {
		names[i] = burnAlerts[w.long]
	}
	return names
}

// ns is the alert template of the namespace an alert's series is in.
const ns = "{{ $labels.namespace }}"

func sloAlerts(t Target) []monitoringv1.Rule {
	budget := t.errorBudget()
	var rules []monitoringv1.Rule
	for _, w := range burnWindows {
		threshold := fmt.Sprintf("(%s * %s)", w.factor, budget)
		e := fmt.Sprintf("%s%s{%s} > %s\nand\n%s%s{%s} > %s",
			recErrorRatio, w.long, t.recorded(), threshold, recErrorRatio, w.short, t.recorded(), threshold)
		rules = append(rules, t.alert(burnAlerts[w.long], e, w.page, w.forDur,
			fmt.Sprintf("%s is burning its error budget %s× too fast (%s window)", t.Service, w.factor, w.long),
			fmt.Sprintf("The error ratio of %s/%s over the last %s and %s is above %s× the %s error budget of its %s%% availability SLO; "+
				"at this rate %s of a 30-day budget is gone in %s. Current %s error ratio: {{ $value | humanizePercentage }}.",
				ns, t.Service, w.long, w.short, w.factor, budget, formatPercent(t.availability()), w.budget, w.long, w.long)))
	}
	if t.hasLatency() {
		rules = append(rules, t.alert(AlertLatencyP99High,
			fmt.Sprintf("%s{%s} > %s", recLatencyP99, t.recorded(), seconds(t.LatencyP99)), false, "15m",
			fmt.Sprintf("%s P99 latency is above its %s target", t.Service, t.LatencyP99),
			fmt.Sprintf("The 99th-percentile request latency of %s/%s has been {{ $value | humanizeDuration }} for 15 minutes, above the %s target.",
				ns, t.Service, t.LatencyP99)))
	}
	return rules
}

// kube-state-metrics and cAdvisor series are cluster-wide: the alerts below
// keep those of this environment's pods (ownPods) or namespace
// (ownNamespaces) only, so another environment's pods of the same service,
// in the same cluster, neither fire them nor hide them.
func saturationAlerts(t Target) []monitoringv1.Rule {
	w := t.workload()
	rules := []monitoringv1.Rule{
		t.alert(AlertCPUNearLimit,
			fmt.Sprintf("(\n  sum by (namespace, pod) (rate(container_cpu_usage_seconds_total{%s}[5m]))\n  /\n"+
				"  sum by (namespace, pod) (kube_pod_container_resource_limits{%s,resource=\"cpu\"})\n  > 0.9\n)\n%s", w, w, t.ownPods()),
			false, "15m",
			fmt.Sprintf("%s pod {{ $labels.pod }} uses over 90%% of its CPU limit", t.Service),
			fmt.Sprintf("Pod %s/{{ $labels.pod }} of %s has used {{ $value | humanizePercentage }} of its CPU limit for 15 minutes; it is being throttled. Scale out or raise resources.cpu.", ns, t.Service)),
		t.alert(AlertMemoryNearLimit,
			fmt.Sprintf("(\n  max by (namespace, pod) (container_memory_working_set_bytes{%s})\n  /\n"+
				"  max by (namespace, pod) (kube_pod_container_resource_limits{%s,resource=\"memory\"})\n  > 0.9\n)\n%s", w, w, t.ownPods()),
			false, "15m",
			fmt.Sprintf("%s pod {{ $labels.pod }} uses over 90%% of its memory limit", t.Service),
			fmt.Sprintf("Pod %s/{{ $labels.pod }} of %s has used {{ $value | humanizePercentage }} of its memory limit for 15 minutes; it will be OOM-killed at the limit. Raise resources.memory or find the leak.", ns, t.Service)),
	}
	dep := sel("deployment", t.Service)
	rules = append(rules, t.alert(AlertReplicasUnavailable,
		fmt.Sprintf("(\n  kube_deployment_status_replicas_available{%s}\n  < on (namespace, deployment)\n  kube_deployment_spec_replicas{%s}\n)\nand on (namespace)\n%s", dep, dep, t.ownNamespaces()),
		false, "15m",
		fmt.Sprintf("%s runs fewer available replicas than desired", t.Service),
		fmt.Sprintf("Deployment %s/%s has had fewer available replicas than its desired count for 15 minutes (pending, crash-looping or failing readiness).", ns, t.Service)))
	hpa := sel("horizontalpodautoscaler", t.Service)
	rules = append(rules, t.alert(AlertAutoscalerAtMax,
		fmt.Sprintf("(\n  kube_horizontalpodautoscaler_status_current_replicas{%s}\n  >= on (namespace, horizontalpodautoscaler)\n  kube_horizontalpodautoscaler_spec_max_replicas{%s}\n)\nand on (namespace)\n%s", hpa, hpa, t.ownNamespaces()),
		false, "30m",
		fmt.Sprintf("%s has been at its autoscaler's maximum for 30 minutes", t.Service),
		fmt.Sprintf("The HorizontalPodAutoscaler of %s/%s has run at its maximum replica count for 30 minutes: it cannot add capacity. Raise autoscale.max or the per-pod capacity.", ns, t.Service)))
	return rules
}

// queueDepth is the broker-specific backlog of the consumed queue, as one
// series labelled queue=<name> (and nothing else).
func queueDepth(t Target) string {
	qu := t.Queue
	b := store(qu.Broker)
	switch qu.Broker.Type {
	case "redis":
		// redis_exporter with --check-keys=<list>: the list's length.
		return fmt.Sprintf("max by (queue) (label_replace(redis_key_size{%s,key=%s}, \"queue\", \"$1\", \"key\", \"(.*)\"))", b, q(qu.Name))
	case "kafka":
		// kafka_exporter: the worker's consumer group lag on the topic.
		return fmt.Sprintf("sum by (queue) (label_replace(kafka_consumergroup_lag{%s,topic=%s,consumergroup=%s}, \"queue\", \"$1\", \"topic\", \"(.*)\"))", b, q(qu.Name), q(t.Service))
	case "nats":
		// prometheus-nats-exporter -jsz=all: messages pending for the worker's consumer.
		return fmt.Sprintf("max by (queue) (label_replace(jetstream_consumer_num_pending{%s,stream_name=%s,consumer_name=%s}, \"queue\", \"$1\", \"stream_name\", \"(.*)\"))", b, q(qu.Name), q(t.Service))
	}
	// RabbitMQ's built-in Prometheus plugin, per-object metrics.
	return fmt.Sprintf("max by (queue) (rabbitmq_queue_messages_ready{%s,queue=%s})", b, q(qu.Name))
}

// deadLetterDepth is the number of messages waiting in the dead-letter queue,
// by the namespace the broker's series are in; b selects the broker's series.
func deadLetterDepth(t Target, b string) string {
	qu := t.Queue
	dl := q(qu.DeadLetter)
	switch qu.Broker.Type {
	case "redis":
		return fmt.Sprintf("max by (namespace) (redis_key_size{%s,key=%s})", b, dl)
	case "kafka":
		// A topic keeps what it is sent until retention drops it, so its size
		// says nothing about what is still to be handled: count the messages
		// dead-lettered in the last hour instead.
		return fmt.Sprintf("sum by (namespace) (increase(kafka_topic_partition_current_offset{%s,topic=%s}[1h]))", b, dl)
	case "nats":
		return fmt.Sprintf("max by (namespace) (jetstream_stream_total_messages{%s,stream_name=%s})", b, dl)
	}
	return fmt.Sprintf("max by (namespace) (rabbitmq_queue_messages{%s,queue=%s})", b, dl)
}

func queueAlerts(t Target) []monitoringv1.Rule {
	depth := fmt.Sprintf("%s{%s}", MetricQueueDepth, t.recorded())
	rules := []monitoringv1.Rule{
		t.alert(AlertQueueBacklogGrowing,
			fmt.Sprintf("deriv(%s[15m]) > 0\nand\n%s > 0", depth, depth), false, "30m",
			fmt.Sprintf("The backlog of queue %s consumed by %s keeps growing", t.Queue.Name, t.Service),
			fmt.Sprintf("Queue %s on %s (%s) has grown for 30 minutes (now {{ $value }} messages ready): %s/%s consumes slower than producers publish. Check the autoscaler and the worker's errors.",
				t.Queue.Name, t.Queue.Broker.Name, t.Queue.Broker.Type, ns, t.Service)),
		// Not draining: messages wait and nothing consumes them, because the
		// worker processes nothing (it exports its throughput, see the package
		// documentation) or has no available replica at all. A steady backlog
		// that is being worked (Kafka lag never reaches 0) does not page.
		// Everything is per namespace, and the recorded backlog carries the
		// worker's own (ownNamespaces): that keeps, of the cluster-wide
		// kube-state-metrics series, this environment's deployment only.
		t.alert(AlertQueueNotDraining,
			fmt.Sprintf("min_over_time(%s[15m]) > 0\nand on (namespace)\n(\n  sum by (namespace) (rate(%s_count{%s}[15m])) == 0\n  or\n"+
				"  sum by (namespace) (kube_deployment_status_replicas_available{%s}) == 0\n)",
				depth, MetricMessagingProcess, t.workload(), sel("deployment", t.Service)), true, "10m",
			fmt.Sprintf("Queue %s consumed by %s is not draining", t.Queue.Name, t.Service),
			fmt.Sprintf("Messages have waited in queue %s on %s (%s) for 25 minutes ({{ $value }} ready now) while %s/%s processed none or had no available replica: the worker is stuck or down.",
				t.Queue.Name, t.Queue.Broker.Name, t.Queue.Broker.Type, ns, t.Service)),
	}
	if t.Queue.DeadLetter != "" {
		rules = append(rules, t.alert(AlertDeadLetterQueueNotEmpty,
			deadLetterDepth(t, store(t.Queue.Broker))+" > 0", false, "5m",
			fmt.Sprintf("Dead-letter queue %s of %s holds messages", t.Queue.DeadLetter, t.Service),
			fmt.Sprintf("%s dead-lettered messages: {{ $value }} wait in %s on %s/%s (%s). Inspect the poison messages, fix the cause, then replay or drop them.",
				t.Service, t.Queue.DeadLetter, ns, t.Queue.Broker.Name, t.Queue.Broker.Type)))
	}
	return rules
}

// healthMetric is the series that reads 1 while the store answers its
// exporter (or, without a health gauge, while its metrics endpoint is up).
func healthMetric(d Dependency) string {
	switch d.Type {
	case "postgres":
		return "pg_up" // postgres_exporter
	case "mysql":
		return "mysql_up" // mysqld_exporter
	case "redis":
		return "redis_up" // redis_exporter
	case "kafka":
		return "kafka_brokers" // kafka_exporter: brokers in the cluster
	}
	return "up" // rabbitmq (built-in plugin), nats (prometheus-nats-exporter)
}

// dependencies returns the service's dependencies, the queue's broker added
// when missing, without duplicates, in the order given.
func (t Target) dependencies() []Dependency {
	var out []Dependency
	seen := map[string]bool{}
	all := append([]Dependency(nil), t.Dependencies...)
	if t.Queue != nil {
		all = append(all, t.Queue.Broker)
	}
	for _, d := range all {
		if d.Name == "" || seen[d.Name] {
			continue
		}
		seen[d.Name] = true
		out = append(out, d)
	}
	return out
}

// withDependency labels a vector with the dependency it is about.
func withDependency(e string, d Dependency) string {
	return fmt.Sprintf("label_replace(label_replace(%s, \"dependency\", %s, \"\", \"\"), \"dependency_type\", %s, \"\", \"\")", e, q(d.Name), q(d.Type))
}

func dependencyAlerts(t Target) []monitoringv1.Rule {
	deps := t.dependencies()
	if len(deps) == 0 {
		return nil
	}
	var down, absent []string
	for _, d := range deps {
		m := fmt.Sprintf("%s{%s}", healthMetric(d), store(d))
		down = append(down, withDependency("max by (namespace) ("+m+") < 1", d))
		absent = append(absent, withDependency("absent("+m+")", d))
	}
	names := make([]string, len(deps))
	for i, d := range deps {
		names[i] = d.Name
	}
	list := strings.Join(names, ", ")
	return []monitoringv1.Rule{
		t.alert(AlertDependencyDown, strings.Join(down, "\nor\n"), false, "5m",
			fmt.Sprintf("%s dependency {{ $labels.dependency }} is down", t.Service),
			fmt.Sprintf("%s/{{ $labels.dependency }} ({{ $labels.dependency_type }}), used by %s, has failed its health check for 5 minutes. Expect errors or a growing backlog in %s. Dependencies watched: %s.",
				ns, t.Service, t.Service, list)),
		// absent() has no namespace to give: the environment names where.
		t.alert(AlertDependencyMetricsAbsent, strings.Join(absent, "\nor\n"), false, "15m",
			fmt.Sprintf("No health metrics for %s dependency {{ $labels.dependency }}", t.Service),
			fmt.Sprintf("Prometheus (environment {{ $externalLabels.environment }}) has no health series for {{ $labels.dependency }} ({{ $labels.dependency_type }}), used by %s, for 15 minutes: its exporter or ServiceMonitor is missing or failing, so DependencyDown cannot fire.",
				t.Service)),
	}
}

func formatPercent(p float64) string { return strings.TrimSuffix(fmt.Sprintf("%g", p), ".0") }
