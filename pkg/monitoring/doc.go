// Package monitoring derives the Prometheus alerting and recording rules and
// the Grafana dashboard of one platform service from a small, typed
// description of it (Target). Everything here is a pure function: no I/O, no
// clock, no randomness, so the same Target always yields the same bytes.
//
// # Metric convention
//
// Services are expected to export OpenTelemetry semantic-convention metrics
// through a Prometheus exporter (the SDK's, or the collector's prometheus
// exporter) with unit suffixes, scraped by prometheus-operator (a
// ServiceMonitor for servers, a PodMonitor for workers):
//
//   - HTTP and WebSocket servers: the histogram http.server.request.duration,
//     i.e. http_server_request_duration_seconds_{bucket,count,sum} with the
//     label http_response_status_code. A 5xx response is an error against the
//     availability SLO; 4xx is shown but spends no budget.
//   - gRPC servers: the histogram rpc.server.call.duration, i.e.
//     rpc_server_call_duration_seconds_{bucket,count,sum} with the label
//     rpc_response_status_code (the status name: OK, UNAVAILABLE, ...). The
//     server-fault codes UNKNOWN, DEADLINE_EXCEEDED, UNIMPLEMENTED, INTERNAL,
//     UNAVAILABLE and DATA_LOSS spend budget; the others are the caller's.
//   - Workers: the histogram messaging.process.duration, i.e.
//     messaging_process_duration_seconds_{bucket,count,sum}, with error_type
//     set on failed messages.
//
// A workload's own series are selected by {namespace="<apps namespace>",
// container="<service>"}: prometheus-operator adds the namespace, pod and
// container labels to every target of a ServiceMonitor and of a PodMonitor,
// cAdvisor and kube-state-metrics label by the same names, and platformctl
// names a service's container after the service, so one selector works for
// servers and workers, for the app's metrics and for its resource usage.
// A data store's metrics (its exporter, or the broker's own endpoint) are
// selected by {namespace="<data namespace>", service="<store name>"}, the
// labels a ServiceMonitor on the store's Service produces.
//
// Recording rules publish the metric names the HorizontalPodAutoscaler reads
// through prometheus-adapter: MetricRequestsPerSecond per pod (from the HTTP or
// gRPC histogram's count) and MetricQueueDepth per queue (from the broker).
//
// docs/observability-metrics.md is the reference: every metric relied on, the
// SLO windows and thresholds, severities, and one runbook section per alert.
package monitoring
