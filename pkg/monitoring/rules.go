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

func (t Target) recordLabels() map[string]string {
	return map[string]string{"namespace": t.Namespace, "service": t.Service}
}

// alert builds an alert with the labels and annotations every alert carries.
func (t Target) alert(name, e string, page bool, forDur monitoringv1.Duration, summary, description string) monitoringv1.Rule {
	r := monitoringv1.Rule{
		Alert: name,
		Expr:  expr(e),
		Labels: map[string]string{
			"severity":    Severity(t.Tier, page),
			"service":     t.Service,
			"namespace":   t.Namespace,
			"environment": t.Environment,
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
	var rules []monitoringv1.Rule
	if !t.Worker {
		count := t.requestMetric() + "_count"
		for _, w := range ratioWindows {
			rules = append(rules, monitoringv1.Rule{
				Record: recErrorRatio + w,
				Expr: expr(fmt.Sprintf("sum(rate(%s{%s,%s}[%s]))\n/\nsum(rate(%s{%s}[%s]))",
					count, t.workload(), t.errorMatcher(), w, count, t.workload(), w)),
				Labels: t.recordLabels(),
			})
		}
		if t.hasLatency() {
			rules = append(rules, monitoringv1.Rule{
				Record: recLatencyP99,
				Expr:   expr(fmt.Sprintf("histogram_quantile(0.99, sum by (le) (rate(%s_bucket{%s}[5m])))", t.requestMetric(), t.workload())),
				Labels: t.recordLabels(),
			})
		}
		// Per pod, for prometheus-adapter's Pods metric (HPA requestsPerSecond).
		rules = append(rules, monitoringv1.Rule{
			Record: MetricRequestsPerSecond,
			Expr:   expr(fmt.Sprintf("sum by (namespace, pod) (rate(%s{%s}[2m]))", count, t.workload())),
			Labels: map[string]string{"service": t.Service},
		})
	}
	if t.Worker && t.Queue != nil {
		// Per queue, for prometheus-adapter's External metric (HPA queueDepth,
		// selector queue=<name>), in the worker's namespace.
		rules = append(rules, monitoringv1.Rule{
			Record: MetricQueueDepth,
			Expr:   expr(queueDepth(t)),
			Labels: t.recordLabels(),
		})
	}
	return rules
}

func sloAlerts(t Target) []monitoringv1.Rule {
	budget := t.errorBudget()
	var rules []monitoringv1.Rule
	names := map[string]string{"1h": AlertErrorBudgetBurn1h, "6h": AlertErrorBudgetBurn6h, "1d": AlertErrorBudgetBurn1d, "3d": AlertErrorBudgetBurn3d}
	for _, w := range burnWindows {
		threshold := fmt.Sprintf("(%s * %s)", w.factor, budget)
		e := fmt.Sprintf("%s%s{%s} > %s\nand\n%s%s{%s} > %s",
			recErrorRatio, w.long, t.recorded(), threshold, recErrorRatio, w.short, t.recorded(), threshold)
		rules = append(rules, t.alert(names[w.long], e, w.page, w.forDur,
			fmt.Sprintf("%s is burning its error budget %s× too fast (%s window)", t.Service, w.factor, w.long),
			fmt.Sprintf("The error ratio of %s/%s over the last %s and %s is above %s× the %s error budget of its %s%% availability SLO; "+
				"at this rate %s of a 30-day budget is gone in %s. Current %s error ratio: {{ $value | humanizePercentage }}.",
				t.Namespace, t.Service, w.long, w.short, w.factor, budget, formatPercent(t.availability()), w.budget, w.long, w.long)))
	}
	if t.hasLatency() {
		rules = append(rules, t.alert(AlertLatencyP99High,
			fmt.Sprintf("%s{%s} > %s", recLatencyP99, t.recorded(), seconds(t.LatencyP99)), false, "15m",
			fmt.Sprintf("%s P99 latency is above its %s target", t.Service, t.LatencyP99),
			fmt.Sprintf("The 99th-percentile request latency of %s/%s has been {{ $value | humanizeDuration }} for 15 minutes, above the %s target.",
				t.Namespace, t.Service, t.LatencyP99)))
	}
	return rules
}

func saturationAlerts(t Target) []monitoringv1.Rule {
	w := t.workload()
	rules := []monitoringv1.Rule{
		t.alert(AlertCPUNearLimit,
			fmt.Sprintf("sum by (namespace, pod) (rate(container_cpu_usage_seconds_total{%s}[5m]))\n/\n"+
				"sum by (namespace, pod) (kube_pod_container_resource_limits{%s,resource=\"cpu\"})\n> 0.9", w, w),
			false, "15m",
			fmt.Sprintf("%s pod {{ $labels.pod }} uses over 90%% of its CPU limit", t.Service),
			fmt.Sprintf("Pod {{ $labels.pod }} of %s/%s has used {{ $value | humanizePercentage }} of its CPU limit for 15 minutes; it is being throttled. Scale out or raise resources.cpu.", t.Namespace, t.Service)),
		t.alert(AlertMemoryNearLimit,
			fmt.Sprintf("max by (namespace, pod) (container_memory_working_set_bytes{%s})\n/\n"+
				"max by (namespace, pod) (kube_pod_container_resource_limits{%s,resource=\"memory\"})\n> 0.9", w, w),
			false, "15m",
			fmt.Sprintf("%s pod {{ $labels.pod }} uses over 90%% of its memory limit", t.Service),
			fmt.Sprintf("Pod {{ $labels.pod }} of %s/%s has used {{ $value | humanizePercentage }} of its memory limit for 15 minutes; it will be OOM-killed at the limit. Raise resources.memory or find the leak.", t.Namespace, t.Service)),
	}
	dep := sel("namespace", t.Namespace, "deployment", t.Service)
	rules = append(rules, t.alert(AlertReplicasUnavailable,
		fmt.Sprintf("kube_deployment_status_replicas_available{%s}\n< on (namespace, deployment)\nkube_deployment_spec_replicas{%s}", dep, dep),
		false, "15m",
		fmt.Sprintf("%s runs fewer available replicas than desired", t.Service),
		fmt.Sprintf("Deployment %s/%s has had fewer available replicas than its desired count for 15 minutes (pending, crash-looping or failing readiness).", t.Namespace, t.Service)))
	hpa := sel("namespace", t.Namespace, "horizontalpodautoscaler", t.Service)
	rules = append(rules, t.alert(AlertAutoscalerAtMax,
		fmt.Sprintf("kube_horizontalpodautoscaler_status_current_replicas{%s}\n>= on (namespace, horizontalpodautoscaler)\nkube_horizontalpodautoscaler_spec_max_replicas{%s}", hpa, hpa),
		false, "30m",
		fmt.Sprintf("%s has been at its autoscaler's maximum for 30 minutes", t.Service),
		fmt.Sprintf("The HorizontalPodAutoscaler of %s/%s has run at its maximum replica count for 30 minutes: it cannot add capacity. Raise autoscale.max or the per-pod capacity.", t.Namespace, t.Service)))
	return rules
}

// queueDepth is the broker-specific backlog of the consumed queue, as one
// series labelled queue=<name>.
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

// deadLetterDepth is the number of messages waiting in the dead-letter queue.
func deadLetterDepth(t Target) string {
	qu := t.Queue
	b := store(qu.Broker)
	dl := q(qu.DeadLetter)
	switch qu.Broker.Type {
	case "redis":
		return fmt.Sprintf("max(redis_key_size{%s,key=%s})", b, dl)
	case "kafka":
		// A topic keeps what it is sent until retention drops it, so its size
		// says nothing about what is still to be handled: count the messages
		// dead-lettered in the last hour instead.
		return fmt.Sprintf("sum(increase(kafka_topic_partition_current_offset{%s,topic=%s}[1h]))", b, dl)
	case "nats":
		return fmt.Sprintf("max(jetstream_stream_total_messages{%s,stream_name=%s})", b, dl)
	}
	return fmt.Sprintf("max(rabbitmq_queue_messages{%s,queue=%s})", b, dl)
}

func queueAlerts(t Target) []monitoringv1.Rule {
	depth := fmt.Sprintf("%s{%s}", MetricQueueDepth, t.recorded())
	rules := []monitoringv1.Rule{
		t.alert(AlertQueueBacklogGrowing,
			fmt.Sprintf("deriv(%s[15m]) > 0\nand\n%s > 0", depth, depth), false, "30m",
			fmt.Sprintf("The backlog of queue %s consumed by %s keeps growing", t.Queue.Name, t.Service),
			fmt.Sprintf("Queue %s on %s (%s) has grown for 30 minutes (now {{ $value }} messages ready): %s/%s consumes slower than producers publish. Check the autoscaler and the worker's errors.",
				t.Queue.Name, t.Queue.Broker.Name, t.Queue.Broker.Type, t.Namespace, t.Service)),
		// Not draining: messages wait and nothing consumes them, because the
		// worker processes nothing (it exports its throughput, see the package
		// documentation) or has no available replica at all. A steady backlog
		// that is being worked (Kafka lag never reaches 0) does not page.
		t.alert(AlertQueueNotDraining,
			fmt.Sprintf("min_over_time(%s[15m]) > 0\nand on ()\n(\n  sum(rate(%s_count{%s}[15m])) == 0\n  or\n  sum(kube_deployment_status_replicas_available{%s}) == 0\n)",
				depth, MetricMessagingProcess, t.workload(), sel("namespace", t.Namespace, "deployment", t.Service)), true, "10m",
			fmt.Sprintf("Queue %s consumed by %s is not draining", t.Queue.Name, t.Service),
			fmt.Sprintf("Messages have waited in queue %s on %s (%s) for 25 minutes ({{ $value }} ready now) while %s/%s processed none or had no available replica: the worker is stuck or down.",
				t.Queue.Name, t.Queue.Broker.Name, t.Queue.Broker.Type, t.Namespace, t.Service)),
	}
	if t.Queue.DeadLetter != "" {
		rules = append(rules, t.alert(AlertDeadLetterQueueNotEmpty,
			deadLetterDepth(t)+" > 0", false, "5m",
			fmt.Sprintf("Dead-letter queue %s of %s holds messages", t.Queue.DeadLetter, t.Service),
			fmt.Sprintf("%s/%s dead-lettered messages: {{ $value }} wait in %s on %s (%s). Inspect the poison messages, fix the cause, then replay or drop them.",
				t.Namespace, t.Service, t.Queue.DeadLetter, t.Queue.Broker.Name, t.Queue.Broker.Type)))
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
		if d.Name == "" || seen[d.Namespace+"/"+d.Name] {
			continue
		}
		seen[d.Namespace+"/"+d.Name] = true
		out = append(out, d)
	}
	return out
}

// withDependency labels a labelless vector with the dependency it is about.
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
		down = append(down, withDependency("max("+m+") < 1", d))
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
			fmt.Sprintf("{{ $labels.dependency }} ({{ $labels.dependency_type }}), used by %s/%s, has failed its health check for 5 minutes. Expect errors or a growing backlog in %s. Dependencies watched: %s.",
				t.Namespace, t.Service, t.Service, list)),
		t.alert(AlertDependencyMetricsAbsent, strings.Join(absent, "\nor\n"), false, "15m",
			fmt.Sprintf("No health metrics for %s dependency {{ $labels.dependency }}", t.Service),
			fmt.Sprintf("Prometheus has no health series for {{ $labels.dependency }} ({{ $labels.dependency_type }}), used by %s/%s, for 15 minutes: its exporter or ServiceMonitor is missing or failing, so DependencyDown cannot fire.",
				t.Namespace, t.Service)),
	}
}

func formatPercent(p float64) string { return strings.TrimSuffix(fmt.Sprintf("%g", p), ".0") }
