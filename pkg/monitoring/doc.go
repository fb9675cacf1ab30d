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
// # One environment, no namespace literal
//
// The rules and the dashboard are the same bytes in every environment, so
// an overlay only sets their metadata.namespace. Each environment runs its
// own Prometheus in its observability namespace, selecting only that
// namespace's ServiceMonitors, PodMonitors and PrometheusRules, and its
// NetworkPolicies let it scrape only that environment's pods. So:
//
//   - A workload's own series are selected by {container="<service>"}:
//     prometheus-operator adds the namespace, pod and container labels to
//     every target of a ServiceMonitor and of a PodMonitor, and platformctl
//     names a service's container after the service, so one selector works
//     for servers and workers, stable and canary pods.
//   - A data store's series (its exporter, or the broker's own endpoint) are
//     selected by {service="<store name>"}, the label a ServiceMonitor on the
//     store's Service produces.
//   - cAdvisor (container_*) and kube-state-metrics (kube_*) series cover the
//     whole cluster, other environments' pods of the same service included.
//     Per-pod ones are joined to the service's own scrape targets
//     (and on (namespace, pod) up{container="<service>"}); per-deployment
//     ones to the namespace those targets have been in during the last week,
//     recorded as service:scrape_targets:count, so that a deployment with no
//     pod left still alerts.
//   - Aggregations keep namespace in their by clauses: recorded series and
//     alerts carry the namespace of the series they come from. Recording and
//     alerting rules add only static labels that are the same everywhere
//     (service; severity, which is the alert's class: Severity).
//   - The environment is the Prometheus external label environment, which
//     Prometheus adds to the alerts it sends; Alertmanager routes on it.
//
// The dashboard reads the data source and the namespace from template
// variables (datasource; namespace, over up of the service's targets;
// data_namespace, over up of its stores), since one Grafana may show every
// environment.
//
// Recording rules publish the metric names the HorizontalPodAutoscaler reads
// through prometheus-adapter, which reads them per namespace: MetricRequestsPerSecond
// per namespace and pod (from the HTTP or gRPC histogram's count) and
// MetricQueueDepth per queue (from the broker), in the worker's namespace.
//
// docs/observability-metrics.md is the reference: every metric relied on, the
// SLO windows and thresholds, severities and routing, and one runbook section
// per alert.
package monitoring
