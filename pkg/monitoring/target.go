package monitoring

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Target is one service as monitoring sees it. Service is required (and
// Platform for a dashboard); everything else has a default.
//
// A Target holds nothing that differs between environments: no namespace,
// environment or tier. The rules and the dashboard it yields are the same
// bytes in every environment, so an overlay only sets their
// metadata.namespace (see the package documentation for how series are
// scoped to one environment without a namespace literal).
type Target struct {
	// Platform is the platform's name (metadata.name); with Service it makes
	// the dashboard's uid and title.
	Platform string
	// Service is the service name, which is also its container's name.
	Service string
	// Worker marks a queue consumer: no request metrics, so no request SLO;
	// queue alerts instead.
	Worker bool
	// Protocol is http, grpc or websocket (servers only; "" means http).
	Protocol string
	// Availability is the SLO in percent, e.g. 99.9. 0 means
	// DefaultAvailability.
	Availability float64
	// LatencyP99 is the 99th-percentile latency target; 0 means no latency
	// alert. Ignored for WebSocket, whose request duration is the lifetime of
	// the connection.
	LatencyP99 time.Duration
	// Queue is the queue a worker consumes, or nil.
	Queue *Queue
	// Dependencies are the data stores the service uses (the queue's broker
	// included, when it is also a dependency).
	Dependencies []Dependency
}

// Queue is a consumed queue.
type Queue struct {
	// Name is the queue (RabbitMQ queue, Redis list key, Kafka topic, NATS
	// JetStream stream); it is also the queue label of MetricQueueDepth.
	Name string
	// DeadLetter is the dead-letter queue's name, "" when there is none.
	DeadLetter string
	// Broker is the data store the queue lives on.
	Broker Dependency
}

// Dependency is a data store a service depends on.
type Dependency struct {
	// Name is the store's name: the name of its Service in the data
	// namespace, and so the service label of its metrics.
	Name string
	// Type is postgres, mysql, redis, rabbitmq, nats or kafka.
	Type string
	// Managed stores are run by a provider; their exporter runs in the data
	// namespace all the same, under a Service named after the store. It only
	// changes the dashboard panel's title.
	Managed bool
}

// DefaultAvailability is the availability SLO, in percent, of a Target that
// sets none: 99.5 % leaves a 0.5 % error budget, about 3.6 hours a month.
const DefaultAvailability = 99.5

// Metric names services export (see the package documentation).
const (
	MetricHTTPServerDuration = "http_server_request_duration_seconds"
	MetricRPCServerDuration  = "rpc_server_call_duration_seconds"
	MetricMessagingProcess   = "messaging_process_duration_seconds"
)

// Metric names the recording rules publish for prometheus-adapter; they equal
// generate.MetricRequestsPerSecond and generate.MetricQueueDepth, the names
// the generated HorizontalPodAutoscalers read.
const (
	MetricRequestsPerSecond = "http_requests_per_second"
	MetricQueueDepth        = "queue_messages_ready"
)

// Severities: an alert's class, the same in every environment. Which
// environment's critical alerts page is Alertmanager's decision, from the
// environment external label (docs/observability-metrics.md).
const (
	SeverityCritical = "critical"
	SeverityWarning  = "warning"
)

// RunbookBaseURL is where every alert's runbook_url points: the section of
// docs/observability-metrics.md headed with the alert's name.
const RunbookBaseURL = "https://github.com/platformctl/platformctl/blob/main/docs/observability-metrics.md"

// RunbookURL is the runbook of an alert: RunbookBaseURL#<alert name in lower case>.
func RunbookURL(alert string) string { return RunbookBaseURL + "#" + strings.ToLower(alert) }

// Severity is the severity label of an alert of a class: critical for a
// page-class alert, warning for a ticket-class one, in every environment.
func Severity(page bool) string {
	if page {
		return SeverityCritical
	}
	return SeverityWarning
}

func (t Target) availability() float64 {
	if t.Availability <= 0 || t.Availability >= 100 {
		return DefaultAvailability
	}
	return t.Availability
}

// errorBudget is 1 - availability as a ratio, rounded to 8 decimals so 99.9
// gives 0.001 rather than a float artefact.
func (t Target) errorBudget() string {
	b := math.Round((100-t.availability())*1e6) / 1e8
	return strconv.FormatFloat(b, 'f', -1, 64)
}

func (t Target) grpc() bool { return !t.Worker && t.Protocol == "grpc" }

// hasLatency is true when a latency alert applies.
func (t Target) hasLatency() bool {
	return !t.Worker && t.LatencyP99 > 0 && t.Protocol != "websocket"
}

// q quotes a PromQL string (PromQL strings use Go's escapes).
func q(s string) string { return strconv.Quote(s) }

// sel renders a label selector body from name/value pairs.
func sel(kv ...string) string {
	parts := make([]string, 0, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		parts = append(parts, kv[i]+"="+q(kv[i+1]))
	}
	return strings.Join(parts, ",")
}

// workload selects the service's own series by container: its app metrics
// (env-local: only this environment's Prometheus scrapes its pods) and the
// cAdvisor and kube-state-metrics series of its containers, which every
// Prometheus of the cluster may see, so rules restrict those with ownPods or
// ownNamespaces.
func (t Target) workload() string { return sel("container", t.Service) }

// recorded selects the series this package's recording rules write.
func (t Target) recorded() string { return sel("service", t.Service) }

// store selects a data store's exporter or broker series: env-local, like the
// app's, since only this environment's Prometheus scrapes its stores.
func store(d Dependency) string { return sel("service", d.Name) }

// ownPods is the right-hand side of the join that keeps, of a per-pod vector
// (labels namespace and pod), the pods that are this Prometheus's scrape
// targets of the service: prometheus-operator puts namespace, pod and
// container on every ServiceMonitor and PodMonitor target, and a Prometheus
// only has the targets of its own environment.
func (t Target) ownPods() string { return "and on (namespace, pod)\nup{" + t.workload() + "}" }

// ownNamespaces is the namespace the service's pods have been scrape targets
// in during the last namespaceMemory (recTargets), for the joins of series
// that carry a namespace but no pod (deployments, autoscalers) and must keep
// working while the service has no pod at all.
func (t Target) ownNamespaces() string {
	return fmt.Sprintf("last_over_time(%s{%s}[%s])", recTargets, t.recorded(), namespaceMemory)
}

// namespaceMemory is how long ownNamespaces remembers a namespace after the
// service's last scrape target there is gone: a week, so that a service whose
// pods all failed (unschedulable, scaled to nothing) keeps its
// ReplicasUnavailable and QueueNotDraining alerts through a long weekend. The
// join reads one recorded series, so the window costs little.
const namespaceMemory = "7d"

// requestMetric is the duration histogram of a server, without suffix.
func (t Target) requestMetric() string {
	if t.grpc() {
		return MetricRPCServerDuration
	}
	return MetricHTTPServerDuration
}

// grpcServerErrors are the status codes that spend error budget.
const grpcServerErrors = "UNKNOWN|DEADLINE_EXCEEDED|UNIMPLEMENTED|INTERNAL|UNAVAILABLE|DATA_LOSS"

// errorMatcher selects the requests that spend error budget.
func (t Target) errorMatcher() string {
	if t.grpc() {
		return `rpc_response_status_code=~"` + grpcServerErrors + `"`
	}
	return `http_response_status_code=~"5.."`
}

// seconds renders a duration as a PromQL number of seconds.
func seconds(d time.Duration) string { return strconv.FormatFloat(d.Seconds(), 'f', -1, 64) }
