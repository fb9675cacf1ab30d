package monitoring

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// Target is one service as monitoring sees it. Service and Namespace are
// required; everything else has a default.
type Target struct {
	// Service is the service name; Namespace its apps namespace; Environment
	// the environment it runs in (copied into every alert's labels).
	Service, Namespace, Environment string
	// Tier is development, testing, staging or production. Only production
	// pages; see Severity.
	Tier string
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
	// Name is the store's name (its Service name in Namespace).
	Name string
	// Type is postgres, mysql, redis, rabbitmq, nats or kafka.
	Type string
	// Namespace is the data namespace its metrics are scraped in.
	Namespace string
	// Managed stores are run by a provider; their exporter runs in Namespace
	// all the same, under a Service named after the store. It only changes
	// the dashboard panel's title.
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

// Severities. Page-class alerts are critical only in production.
const (
	SeverityCritical = "critical"
	SeverityWarning  = "warning"
	SeverityInfo     = "info"
)

// RunbookBaseURL is where every alert's runbook_url points: the section of
// docs/observability-metrics.md headed with the alert's name.
const RunbookBaseURL = "https://github.com/platformctl/platformctl/blob/main/docs/observability-metrics.md"

// RunbookURL is the runbook of an alert: RunbookBaseURL#<alert name in lower case>.
func RunbookURL(alert string) string { return RunbookBaseURL + "#" + strings.ToLower(alert) }

// Severity routes an alert: a page-class alert is critical in production and
// a warning elsewhere; a ticket-class alert is a warning in production and
// info elsewhere. Any tier other than production counts as non-production.
func Severity(tier string, page bool) string {
	switch {
	case tier == "production" && page:
		return SeverityCritical
	case tier == "production" || page:
		return SeverityWarning
	}
	return SeverityInfo
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

// workload selects the service's own series (app metrics, cAdvisor,
// kube-state-metrics container series).
func (t Target) workload() string { return sel("namespace", t.Namespace, "container", t.Service) }

// recorded selects the series this package's recording rules write.
func (t Target) recorded() string { return sel("namespace", t.Namespace, "service", t.Service) }

// store selects a data store's exporter or broker series.
func store(d Dependency) string { return sel("namespace", d.Namespace, "service", d.Name) }

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
