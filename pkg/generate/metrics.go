package generate

import (
	"fmt"
	"sort"
	"strings"
	"time"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/platformctl/platformctl/pkg/monitoring"
	"github.com/platformctl/platformctl/pkg/spec"
)

// Pod names (app.kubernetes.io/name) of the monitoring stack platformctl
// expects in the observability namespace: prometheus-operator labels its
// Prometheus pods so, and the Grafana chart labels its own.
const (
	Prometheus           = "prometheus"
	Grafana              = "grafana"
	prometheusPort       = 9090
	alertmanagerPort     = 9093
	kubeStateMetricsPort = 8080
	kubeletPort          = 10250
)

// RuleNetworkPolicyNoPods is the lint rule policies for add-on pods opt out of.
const RuleNetworkPolicyNoPods = "networkpolicy-no-pods"

// DashboardLabel is the label the Grafana dashboard sidecar watches.
const DashboardLabel = "grafana_dashboard"

var (
	typeServiceMonitor = metav1.TypeMeta{APIVersion: "monitoring.coreos.com/v1", Kind: "ServiceMonitor"}
	typePodMonitor     = metav1.TypeMeta{APIVersion: "monitoring.coreos.com/v1", Kind: "PodMonitor"}
	typePrometheusRule = metav1.TypeMeta{APIVersion: "monitoring.coreos.com/v1", Kind: "PrometheusRule"}
)

const scrapeInterval, scrapeTimeout monitoringv1.Duration = "30s", "10s"

// metricsOn reports whether the platform renders metrics objects.
func (c *Context) metricsOn() bool { return c.P.Spec.Observability.Metrics }

// MetricsPortName is the container (and Service) port a service's metrics
// are scraped on.
func MetricsPortName(svc *spec.Service) string {
	if svc.Kind == spec.KindWorker || svc.MetricsPort != svc.Port {
		return "metrics"
	}
	return PortName(svc)
}

// scrapeIngress admits Prometheus, and nothing else, to a metrics port.
func scrapeIngress(c *Context, port int32) networkingv1.NetworkPolicyIngressRule {
	return networkingv1.NetworkPolicyIngressRule{
		From: []networkingv1.NetworkPolicyPeer{{
			NamespaceSelector: c.areaSelector("observability"),
			PodSelector:       &metav1.LabelSelector{MatchLabels: map[string]string{LabelName: Prometheus}},
		}},
		Ports: []networkingv1.NetworkPolicyPort{tcpPort(port)},
	}
}

// target describes a service to pkg/monitoring.
func target(c *Context, svc *spec.Service) monitoring.Target {
	obs := c.P.Spec.Observability
	// Nothing here may depend on the environment (c.Env, c.NS, c.Tier): the
	// rules and dashboard are the same in every one, so the overlays only
	// move them to the environment's observability namespace.
	t := monitoring.Target{
		Platform: c.P.Metadata.Name, Service: svc.Name,
		Worker: svc.Kind == spec.KindWorker, Protocol: string(svc.Protocol),
	}
	if obs.SLO != nil {
		if obs.SLO.Availability != "" {
			_, _ = fmt.Sscan(obs.SLO.Availability, &t.Availability)
		}
		if obs.SLO.LatencyP99 != "" {
			t.LatencyP99, _ = time.ParseDuration(obs.SLO.LatencyP99)
		}
	}
	dep := func(ds *spec.DataStore) monitoring.Dependency {
		return monitoring.Dependency{Name: ds.Name, Type: string(ds.Type), Managed: ds.Mode == spec.ModeManaged}
	}
	for _, ds := range dependencies(c.P, svc) {
		t.Dependencies = append(t.Dependencies, dep(ds))
	}
	if q := svc.Consumes; q != nil {
		if ds := c.P.DataStore(q.Queue); ds != nil {
			t.Queue = &monitoring.Queue{Name: q.Queue, Broker: dep(ds)}
			if q.DeadLetter {
				t.Queue.DeadLetter = DeadLetterQueue(q.Queue)
			}
		}
	}
	return t
}

// metricsObjects renders, with `observability.metrics`, per service a
// ServiceMonitor (servers) or PodMonitor (workers), a PrometheusRule with
// its SLO alerts and a Grafana dashboard ConfigMap; per in-cluster store a
// ServiceMonitor on its exporter; and the NetworkPolicies that let the
// monitoring stack scrape and query.
func metricsObjects(c *Context) ([]Object, error) {
	if !c.metricsOn() {
		return nil, nil
	}
	ns := c.NS("observability")
	var out []Object
	add := func(kind, name, src string, obj any) {
		out = append(out, Object{ID: id("observability", kind, name), Area: "observability", Source: src, Obj: obj})
	}
	appPorts := map[int32]bool{}
	for i := range c.P.Spec.Services {
		svc := &c.P.Spec.Services[i]
		if svc.Kind == spec.KindCronJob {
			// A run is over before Prometheus would discover it, and
			// it serves no requests an SLO could count: a failed run is
			// a failed Job, kept by the CronJob's history limit.
			continue
		}
		src := fmt.Sprintf("spec.services[%d]", i)
		appPorts[svc.MetricsPort] = true
		meta := metav1.ObjectMeta{Name: svc.Name, Namespace: ns, Labels: c.labels(svc.Name, "monitoring")}
		// Stable and canary pods alike: the canary's errors must show.
		sel := metav1.LabelSelector{MatchLabels: map[string]string{LabelName: svc.Name}}
		apps := monitoringv1.NamespaceSelector{MatchNames: []string{c.NS("apps")}}
		if svc.Kind == spec.KindWorker {
			add("PodMonitor", svc.Name, src, &monitoringv1.PodMonitor{TypeMeta: typePodMonitor, ObjectMeta: meta,
				Spec: monitoringv1.PodMonitorSpec{Selector: sel, NamespaceSelector: apps,
					PodMetricsEndpoints: []monitoringv1.PodMetricsEndpoint{{Port: ptr("metrics"), Path: "/metrics",
						Interval: scrapeInterval, ScrapeTimeout: scrapeTimeout}}}})
		} else {
			add("ServiceMonitor", svc.Name, src, &monitoringv1.ServiceMonitor{TypeMeta: typeServiceMonitor, ObjectMeta: meta,
				Spec: monitoringv1.ServiceMonitorSpec{Selector: sel, NamespaceSelector: apps,
					Endpoints: []monitoringv1.Endpoint{{Port: MetricsPortName(svc), Path: "/metrics",
						Interval: scrapeInterval, ScrapeTimeout: scrapeTimeout}}}})
		}
		t := target(c, svc)
		add("PrometheusRule", svc.Name, src, &monitoringv1.PrometheusRule{TypeMeta: typePrometheusRule, ObjectMeta: meta,
			Spec: monitoringv1.PrometheusRuleSpec{Groups: monitoring.Rules(t)}})
		dash, err := monitoring.Dashboard(t)
		if err != nil {
			return nil, fmt.Errorf("service %s: dashboard: %w", svc.Name, err)
		}
		dl := c.labels("dashboard-"+svc.Name, "dashboard")
		dl[DashboardLabel] = "1"
		add("ConfigMap", "dashboard-"+svc.Name, src, &corev1.ConfigMap{TypeMeta: typeConfigMap,
			ObjectMeta: metav1.ObjectMeta{Name: "dashboard-" + svc.Name, Namespace: ns, Labels: dl},
			Data:       map[string]string{svc.Name + ".json": string(dash)}})
	}
	storePorts := map[int32]bool{}
	for i := range c.P.Spec.Data {
		ds := &c.P.Spec.Data[i]
		switch c.storeMode(ds) {
		case spec.ModeManaged:
			continue
		case spec.ModeOperator:
			// The operators' pods serve their metrics themselves
			// (CloudNativePG's instance manager, the Redis operator's
			// exporter sidecar); no Service is in front of the port.
			sel, port, portName := map[string]string{LabelCNPGCluster: ds.Name}, int32(CNPGMetricsPort), "metrics"
			if ds.Type == spec.DataRedis {
				sel, port, portName = map[string]string{LabelName: ds.Name}, RedisExporterPort, "redis-exporter"
			}
			storePorts[port] = true
			add("PodMonitor", ds.Name, fmt.Sprintf("spec.data[%d]", i), &monitoringv1.PodMonitor{TypeMeta: typePodMonitor,
				ObjectMeta: metav1.ObjectMeta{Name: ds.Name, Namespace: ns, Labels: c.labels(ds.Name, "monitoring")},
				Spec: monitoringv1.PodMonitorSpec{
					Selector:          metav1.LabelSelector{MatchLabels: sel},
					NamespaceSelector: monitoringv1.NamespaceSelector{MatchNames: []string{c.NS("data")}},
					PodMetricsEndpoints: []monitoringv1.PodMetricsEndpoint{{Port: ptr(portName), Path: "/metrics",
						Interval: scrapeInterval, ScrapeTimeout: scrapeTimeout}},
				}})
			// A document store has FerretDB's own metrics besides, on
			// its Service, scraped as an in-cluster store's are.
			if ds.Type != spec.DataFerretDB {
				continue
			}
		}
		storePorts[exporters[ds.Type].port] = true
		add("ServiceMonitor", ds.Name, fmt.Sprintf("spec.data[%d]", i), &monitoringv1.ServiceMonitor{TypeMeta: typeServiceMonitor,
			ObjectMeta: metav1.ObjectMeta{Name: ds.Name, Namespace: ns, Labels: c.labels(ds.Name, "monitoring")},
			Spec: monitoringv1.ServiceMonitorSpec{
				Selector:          metav1.LabelSelector{MatchLabels: map[string]string{LabelName: ds.Name}},
				NamespaceSelector: monitoringv1.NamespaceSelector{MatchNames: []string{c.NS("data")}},
				Endpoints: []monitoringv1.Endpoint{{Port: "metrics", Path: metricsPath(ds.Type),
					Interval: scrapeInterval, ScrapeTimeout: scrapeTimeout}},
			}})
	}
	for i := range c.P.Spec.Data {
		ds := &c.P.Spec.Data[i]
		t := storeTarget(c, ds)
		src := fmt.Sprintf("spec.data[%d]", i)
		if groups := monitoring.StoreRules(t); len(groups) > 0 {
			add("PrometheusRule", ds.Name, src, &monitoringv1.PrometheusRule{TypeMeta: typePrometheusRule,
				ObjectMeta: metav1.ObjectMeta{Name: ds.Name, Namespace: ns, Labels: c.labels(ds.Name, "monitoring")},
				Spec:       monitoringv1.PrometheusRuleSpec{Groups: groups}})
		}
		dash, err := monitoring.StoreDashboard(t)
		if err != nil {
			return nil, fmt.Errorf("data store %s: dashboard: %w", ds.Name, err)
		}
		if dash != nil {
			dl := c.labels("dashboard-"+ds.Name, "dashboard")
			dl[DashboardLabel] = "1"
			add("ConfigMap", "dashboard-"+ds.Name, src, &corev1.ConfigMap{TypeMeta: typeConfigMap,
				ObjectMeta: metav1.ObjectMeta{Name: "dashboard-" + ds.Name, Namespace: ns, Labels: dl},
				Data:       map[string]string{ds.Name + ".json": string(dash)}})
		}
	}
	edgeObjs, err := edgeMetrics(c)
	if err != nil {
		return nil, err
	}
	out = append(out, edgeObjs...)
	out = append(out, monitoringPolicies(c, appPorts, storePorts)...)
	return out, nil
}

// EdgeMetricsName names the edge proxies' PodMonitor, PrometheusRule and
// (prefixed dashboard-) dashboard.
const EdgeMetricsName = "edge-proxies"

// EnvoyMetricsPort is where Envoy Gateway's proxies serve Prometheus
// metrics (container port metrics, path /stats/prometheus).
const EnvoyMetricsPort = 19001

// edgeScraped says whether the edge proxies are scraped: Envoy Gateway's,
// whose metrics port and names are known.
func edgeScraped(c *Context) bool {
	return c.metricsOn() && c.P.Spec.Edge.API == spec.EdgeGateway &&
		c.P.Spec.Edge.Implementation == spec.ImplEnvoyGateway && len(exposedServices(c.P)) > 0
}

// edgeMetrics scrape the Envoy Gateway proxies of the platform's Gateway
// and add the edge's 5xx and latency alerts and its dashboard.
func edgeMetrics(c *Context) ([]Object, error) {
	if !edgeScraped(c) {
		return nil, nil
	}
	ns := c.NS("observability")
	t := monitoring.EdgeTarget{Platform: c.P.Metadata.Name}
	if slo := c.P.Spec.Observability.SLO; slo != nil && slo.LatencyP99 != "" {
		t.LatencyP99, _ = time.ParseDuration(slo.LatencyP99)
	}
	dash, err := monitoring.EdgeDashboard(t)
	if err != nil {
		return nil, fmt.Errorf("edge dashboard: %w", err)
	}
	meta := metav1.ObjectMeta{Name: EdgeMetricsName, Namespace: ns, Labels: c.labels(EdgeMetricsName, "monitoring")}
	dl := c.labels("dashboard-"+EdgeMetricsName, "dashboard")
	dl[DashboardLabel] = "1"
	const src = "spec.edge"
	return []Object{
		{ID: id("observability", "PodMonitor", EdgeMetricsName), Area: "observability", Source: src, Obj: &monitoringv1.PodMonitor{
			TypeMeta: typePodMonitor, ObjectMeta: meta,
			Spec: monitoringv1.PodMonitorSpec{
				Selector: metav1.LabelSelector{MatchLabels: map[string]string{
					LabelOwningGatewayName: GatewayName, LabelOwningGatewayNamespace: c.NS("edge")}},
				NamespaceSelector: monitoringv1.NamespaceSelector{MatchNames: []string{c.P.Spec.Edge.ProxyNamespace}},
				PodMetricsEndpoints: []monitoringv1.PodMetricsEndpoint{{Port: ptr("metrics"), Path: "/stats/prometheus",
					Interval: scrapeInterval, ScrapeTimeout: scrapeTimeout}},
			}}},
		{ID: id("observability", "PrometheusRule", EdgeMetricsName), Area: "observability", Source: src, Obj: &monitoringv1.PrometheusRule{
			TypeMeta: typePrometheusRule, ObjectMeta: meta, Spec: monitoringv1.PrometheusRuleSpec{Groups: monitoring.EdgeRules(t)}}},
		{ID: id("observability", "ConfigMap", "dashboard-"+EdgeMetricsName), Area: "observability", Source: src, Obj: &corev1.ConfigMap{
			TypeMeta:   typeConfigMap,
			ObjectMeta: metav1.ObjectMeta{Name: "dashboard-" + EdgeMetricsName, Namespace: ns, Labels: dl},
			Data:       map[string]string{EdgeMetricsName + ".json": string(dash)}}},
	}, nil
}

// monitoringPolicies open the observability namespace's default-deny for
// the monitoring stack: Prometheus scrapes the apps and data metrics ports
// and the kubelets (cAdvisor), discovers targets through the API server
// and is queried by Grafana and the namespace's own pods; Grafana reads
// Prometheus and, for its dashboard sidecar, the API server.
func monitoringPolicies(c *Context, appPorts, storePorts map[int32]bool) []Object {
	ports := func(set map[int32]bool) []networkingv1.NetworkPolicyPort {
		var ps []int32
		for p := range set {
			ps = append(ps, p)
		}
		sort.Slice(ps, func(i, j int) bool { return ps[i] < ps[j] })
		var out []networkingv1.NetworkPolicyPort
		for _, p := range ps {
			out = append(out, tcpPort(p))
		}
		return out
	}
	apiServer := apiServerEgress()
	prom := workloadPolicy(c, "observability", Prometheus)
	prom.Spec.Ingress = append(prom.Spec.Ingress, networkingv1.NetworkPolicyIngressRule{
		From:  []networkingv1.NetworkPolicyPeer{{PodSelector: &metav1.LabelSelector{}}},
		Ports: []networkingv1.NetworkPolicyPort{tcpPort(prometheusPort)},
	})
	if anyAnalyzed(c) {
		prom.Spec.Ingress = append(prom.Spec.Ingress, rolloutsIngress())
	}
	if len(appPorts) > 0 {
		prom.Spec.Egress = append(prom.Spec.Egress, networkingv1.NetworkPolicyEgressRule{
			To: []networkingv1.NetworkPolicyPeer{{NamespaceSelector: c.areaSelector("apps")}}, Ports: ports(appPorts)})
	}
	if len(storePorts) > 0 {
		prom.Spec.Egress = append(prom.Spec.Egress, networkingv1.NetworkPolicyEgressRule{
			To: []networkingv1.NetworkPolicyPeer{{NamespaceSelector: c.areaSelector("data")}}, Ports: ports(storePorts)})
	}
	if edgeScraped(c) {
		prom.Spec.Egress = append(prom.Spec.Egress, networkingv1.NetworkPolicyEgressRule{
			To: []networkingv1.NetworkPolicyPeer{c.edgePeer()}, Ports: []networkingv1.NetworkPolicyPort{tcpPort(EnvoyMetricsPort)}})
	}
	// Alertmanager (9093) and kube-state-metrics (8080), installed in the
	// same namespace with the monitoring stack.
	prom.Spec.Egress = append(prom.Spec.Egress, networkingv1.NetworkPolicyEgressRule{
		To:    []networkingv1.NetworkPolicyPeer{{PodSelector: &metav1.LabelSelector{}}},
		Ports: []networkingv1.NetworkPolicyPort{tcpPort(kubeStateMetricsPort), tcpPort(alertmanagerPort)},
	})
	prom.Spec.Egress = append(prom.Spec.Egress, apiServer, networkingv1.NetworkPolicyEgressRule{
		// Node addresses: cAdvisor and kubelet metrics.
		To:    []networkingv1.NetworkPolicyPeer{{IPBlock: &networkingv1.IPBlock{CIDR: "0.0.0.0/0"}}},
		Ports: []networkingv1.NetworkPolicyPort{tcpPort(kubeletPort)},
	})
	graf := workloadPolicy(c, "observability", Grafana)
	graf.Spec.Egress = append(graf.Spec.Egress, networkingv1.NetworkPolicyEgressRule{
		To:    []networkingv1.NetworkPolicyPeer{{PodSelector: &metav1.LabelSelector{MatchLabels: map[string]string{LabelName: Prometheus}}}},
		Ports: []networkingv1.NetworkPolicyPort{tcpPort(prometheusPort)},
	}, apiServer)
	// Grafana takes no ingress: it is reached with kubectl port-forward, or
	// through the edge by a route and policy the platform owner adds.
	for _, np := range []*networkingv1.NetworkPolicy{prom, graf} {
		ignoreRule(&np.ObjectMeta, RuleNetworkPolicyNoPods, "selects the pods of the monitoring stack installed next to platformctl's objects "+
			"(prometheus-operator's Prometheus, Grafana), which the rendered manifests do not contain")
	}
	src := "spec.observability.metrics"
	out := []Object{
		{ID: id("observability", "NetworkPolicy", Prometheus), Area: "observability", Source: src, Obj: prom},
		{ID: id("observability", "NetworkPolicy", Grafana), Area: "observability", Source: src, Obj: graf},
	}
	for _, np := range []*networkingv1.NetworkPolicy{prom, graf} {
		if cnp := apiServerPolicy(c, np); cnp != nil {
			out = append(out, Object{ID: id("observability", "CiliumNetworkPolicy", cnp.Name), Area: "observability", Source: src, Obj: cnp})
		}
	}
	return out
}

// exporter is how a store engine's metrics are exposed: a sidecar
// exporter, or the engine's own endpoint (RabbitMQ, FerretDB).
type exporter struct {
	port int32
	// args and env configure the sidecar; files are credentials templates
	// it reads (rendered by the credentials ExternalSecret).
	args  []string
	env   func(ds *spec.DataStore) []corev1.EnvVar
	files map[string]string
}

var exporters = map[spec.DataStoreType]exporter{
	spec.DataPostgres: {port: 9187, env: func(ds *spec.DataStore) []corev1.EnvVar {
		return []corev1.EnvVar{
			{Name: "DATA_SOURCE_PASS_FILE", Value: credsDir + "/password"},
			{Name: "DATA_SOURCE_URI", Value: "127.0.0.1:5432/" + dbName(ds) + "?sslmode=disable"},
			{Name: "DATA_SOURCE_USER_FILE", Value: credsDir + "/username"},
		}
	}},
	spec.DataMySQL: {port: 9104, args: []string{"--config.my-cnf=" + credsDir + "/exporter.my.cnf"},
		files: map[string]string{"exporter.my.cnf": "[client]\nuser={{ .username }}\npassword={{ .password }}\nhost=127.0.0.1\nport=3306\n"}},
	spec.DataRedis: {port: 9121, args: []string{"--redis.addr=redis://127.0.0.1:6379", "--redis.password-file=" + credsDir + "/exporter-passwords.json"},
		files: map[string]string{"exporter-passwords.json": `{"redis://127.0.0.1:6379": "{{ .password }}"}` + "\n"}},
	// RabbitMQ serves Prometheus metrics itself (rabbitmq_prometheus,
	// enabled in the official image); per-object metrics carry queue names.
	spec.DataRabbitMQ: {port: 15692},
	spec.DataFerretDB: {port: FerretDBDebugPort},
	spec.DataNATS:     {port: 7777, args: []string{"-port=7777", "-varz", "-connz", "-jsz=all", "http://127.0.0.1:8222"}},
	spec.DataKafka:    {port: 9308, args: []string{"--kafka.server=127.0.0.1:9092", "--web.listen-address=:9308"}},
}

// ExporterPort is the port a store of type t serves its metrics on (its
// exporter sidecar's, or the engine's own for RabbitMQ).
func ExporterPort(t spec.DataStoreType) int32 { return exporters[t].port }

// exporterContainer returns the metrics sidecar of a store, or nil when
// the engine serves metrics itself.
func exporterContainer(p *spec.Platform, ds *spec.DataStore) (*corev1.Container, error) {
	ex := exporters[ds.Type]
	if ds.Type == spec.DataRabbitMQ {
		return nil, nil
	}
	args := ex.args
	if ds.Type == spec.DataRedis {
		// Queue depth of Redis list queues: the exporter reads the length
		// of exactly these keys (no SCAN of the keyspace).
		if keys := queueKeys(p, ds.Name); len(keys) > 0 {
			args = append(append([]string(nil), args...), "--check-single-keys="+strings.Join(keys, ","))
		}
	}
	res, err := resources("50m", "64Mi")
	if err != nil {
		return nil, err
	}
	var env []corev1.EnvVar
	if ex.env != nil {
		env = ex.env(ds)
	}
	image := spec.ExporterImage(ds)
	name := "exporter"
	return &corev1.Container{
		Name: name, Image: image, ImagePullPolicy: pullPolicy,
		Args: args, Env: env,
		Ports:           []corev1.ContainerPort{{Name: "metrics", ContainerPort: ex.port, Protocol: corev1.ProtocolTCP}},
		Resources:       res,
		SecurityContext: restrictedContainer(),
		ReadinessProbe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{
			Path: "/metrics", Port: intstr.FromString("metrics"), Scheme: corev1.URISchemeHTTP}},
			PeriodSeconds: 30, TimeoutSeconds: 10, FailureThreshold: 3, SuccessThreshold: 1},
		LivenessProbe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromString("metrics")}},
			PeriodSeconds: 30, TimeoutSeconds: 5, FailureThreshold: 3, SuccessThreshold: 1},
		TerminationMessagePolicy: corev1.TerminationMessageFallbackToLogsOnError,
	}, nil
}

// exporterTemplates are the credential files a store's exporter reads,
// merged into the credentials ExternalSecret's templates.
func exporterTemplates(ds *spec.DataStore) map[string]string {
	return exporters[ds.Type].files
}

// queueKeys are the queues (and dead-letter queues) consumed from a store.
func queueKeys(p *spec.Platform, store string) []string {
	var keys []string
	for _, svc := range p.Spec.Services {
		if q := svc.Consumes; q != nil && q.Queue == store {
			keys = append(keys, q.Queue)
			if q.DeadLetter {
				keys = append(keys, DeadLetterQueue(q.Queue))
			}
		}
	}
	sort.Strings(keys)
	return keys
}

// metricsPath is where a store's metrics are scraped: RabbitMQ aggregates
// on /metrics and reports per queue (what the queue alerts need) on
// /metrics/per-object.
func metricsPath(t spec.DataStoreType) string {
	switch t {
	case spec.DataRabbitMQ:
		return "/metrics/per-object"
	case spec.DataFerretDB:
		return "/debug/metrics"
	}
	return "/metrics"
}

// storeTarget describes a store to its alerts, the same in every
// environment like the services' (the overlays only move the rules): the
// modes it runs in somewhere decide which signals there can be
// (CloudNativePG's, or its CronJobs'), and backups need a backup storage.
func storeTarget(c *Context, ds *spec.DataStore) monitoring.StoreTarget {
	t := monitoring.StoreTarget{Platform: c.P.Metadata.Name, Store: ds.Name, BackupJob: BackupJob(ds.Name), RestoreTestJob: RestoreTestJob(ds.Name)}
	backed := false
	for i := range c.P.Spec.Environments {
		env := &c.P.Spec.Environments[i]
		switch mode := spec.StoreMode(ds, env); {
		case mode == spec.ModeOperator && (ds.Type == spec.DataPostgres || ds.Type == spec.DataFerretDB):
			t.CloudNativePG = true
		case mode == spec.ModeOperator && ds.Type == spec.DataRedis:
			t.RedisReplication, t.Dumped = true, true
		case mode == spec.ModeInCluster:
			t.Dumped = true
		}
		backed = backed || c.P.BackupStorageIn(env) != nil
	}
	if backed && ds.Backup != nil && ds.Mode != spec.ModeManaged && spec.BackupSupported(ds.Type) {
		t.Backup, t.RestoreTest = ds.Backup.Schedule, ds.Backup.RestoreTestSchedule
	}
	return t
}
