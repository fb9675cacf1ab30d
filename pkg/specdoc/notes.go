package specdoc

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/platformctl/platformctl/pkg/generate"
	"github.com/platformctl/platformctl/pkg/monitoring"
	"github.com/platformctl/platformctl/pkg/spec"
)

// The doc comments in types.go say what a field means; these notes say what
// pkg/generate makes of it, which no comment there states. They are
// hand-written from reading the generator, with the numbers it owns (priority
// values, probe timings, the preStop sleep, …) read from its exported
// constants rather than copied; TestRenderNotes perturbs every
// field of the complete example and checks the "not rendered" marks against
// what actually changes in the output, so the marks cannot go stale silently.

// effect classifies what the generator does with a field.
type effect int

const (
	rendered effect = iota
	// checkedOnly fields are read by validation and by nothing else, by
	// design (apiVersion, singleZoneReason).
	checkedOnly
	// notRendered fields promise an effect the generator does not have yet.
	notRendered
)

type note struct {
	Effect effect
	Text   string
}

// typeNotes are shown under a type's heading.
func typeNotes(m *model) map[string]string {
	var ps []string
	for _, a := range spec.Areas {
		ps = append(ps, fmt.Sprintf("`%s` %s", a, generate.PodSecurityLevel(a)))
	}
	var ports []string
	for _, t := range m.allowed("DataStore.Type") {
		ports = append(ports, fmt.Sprintf("%s %d", t, spec.DataPorts[spec.DataStoreType(t)]))
	}
	return map[string]string{
		"PlatformSpec": fmt.Sprintf("**Generated:** every environment, and the base, gets one namespace per area — %s — "+
			"labelled with the Pod Security Standard it enforces (%s; every namespace warns and audits at restricted), "+
			"and, where pods run (a rendered workload, or an add-on a rendered policy confines: the edge controller, Prometheus, Grafana), "+
			"a `default-deny` NetworkPolicy that blocks all ingress and egress of every pod and an `allow-dns` NetworkPolicy to kube-dns. "+
			"Every object carries `%s: <metadata.name>` and `%s: %s`. "+
			"Three PriorityClasses order the pods when the cluster runs short: `<name>-%s` (%d: data stores and the telemetry collector), `<name>-%s` (%d: services and canaries) "+
			"and `<name>-%s` (%d, never preempts: backups and restore tests); environments with namespace isolation get their own, `<name>-<env>-…`.",
			codeList(spec.Areas), strings.Join(ps, ", "), generate.LabelPartOf, generate.LabelManagedBy, generate.ManagedBy,
			generate.PriorityPlatform, generate.PriorityValuePlatform, generate.PriorityApps, generate.PriorityValueApps, generate.PriorityBatch, generate.PriorityValueBatch),
		"Environment": fmt.Sprintf("**Generated:** each environment is generated in full and written as `overlays/<name>/`, "+
			"a Kustomize overlay over `base/` (the base is the same generator run as production, with no zones, no region and no overrides). "+
			"Every object of the environment gets the label `%s: <name>`. `platformctl build --env <name>` prints the result.", generate.LabelEnvironment),
		"Edge": fmt.Sprintf("**Generated** only when at least one service has `expose`. "+
			"With `api: gateway`: a Gateway `%[1]s` in the edge namespace with an HTTP listener on port 80, to which only the `https-redirect` HTTPRoute (301 to https) attaches, "+
			"and one HTTPS listener per exposed host (`https-<host>`, certificate Secret `<host>-tls`), plus one HTTPRoute (GRPCRoute for gRPC) per exposed service in the apps namespace. "+
			"The implementation creates the Gateway's load balancer Service; platformctl sets it through the implementation's parameters. "+
			"`implementation: envoy-gateway` (default) adds an EnvoyProxy `%[1]s` (the Gateway's `infrastructure.parametersRef`), a ClientTrafficPolicy `%[1]s` on the Gateway and a BackendTrafficPolicy per route (see [docs/edge.md](edge.md)); "+
			"its proxies run in `proxyNamespace`, which the exposed services admit. "+
			"`istio` adds a ConfigMap `%[1]s-istio` (the Gateway's `parametersRef`) and `generic` nothing; with both, a NetworkPolicy `edge-controller` admits any address on 80/443 to the pods labelled `%[2]s: %[1]s` and lets them reach only the exposed services' ports (and istiod, with istio). "+
			"With `api: ingress-nginx`: one Ingress per exposed service (and `<name>-canary` for a canary) with TLS Secret `<host>-tls` and forced HTTPS redirect, a LoadBalancer Service `edge` (ports 80 and 443) in front of the controller pods "+
			"(`app.kubernetes.io/name: ingress-nginx`, `app.kubernetes.io/component: controller`) and the NetworkPolicy `edge-controller`. "+
			"The implementation itself is not installed by platformctl. A field the edge's profile cannot render is refused (see the rules below).",
			generate.GatewayName, "gateway.networking.k8s.io/gateway-name"),
		"Service": "**Generated** in the apps namespace: a ServiceAccount (API token not mounted); a Deployment `<name>` " +
			"(rolling update that never drops below capacity, non-root read-only container with all capabilities dropped, a " + generate.TmpSizeLimit + " `/tmp` emptyDir, " +
			fmt.Sprint(generate.PreStopSleepSeconds) + " s preStop sleep, " +
			"spread over zones and nodes); a ClusterIP Service (servers only); a NetworkPolicy that admits traffic only from the edge namespace on `port` when exposed " +
			"and from the services that call it on the called port, and allows egress only to the data stores in `uses` and `consumes` and the services in `calls` (with `observability.metrics`, Prometheus is admitted to the metrics port; other service-to-service traffic and calls to the internet stay blocked by `default-deny`); " +
			"and when they apply a HorizontalPodAutoscaler, a PodDisruptionBudget, an ExternalSecret, a canary Deployment and Service `<name>-canary`, and a route at the edge. " +
			"Replicas, autoscaler and PodDisruptionBudget depend on the environment: see [Tier defaults](#tier-defaults).",
		"Migrate": fmt.Sprintf("**Generated:** a Job `<service>-migrate-<hash>` in the apps namespace, where `<hash>` is the first %d hex digits of the SHA-256 of its pod template: "+
			"the service's own pod (stable image, environment, secrets, data bindings, ServiceAccount, hardening, node pool; its NetworkPolicy selects it too) with this command, `restartPolicy: Never`, no ports or probes, "+
			"`backoffLimit: %d` and the pod label `%s: %s` (so neither the Service nor the disruption budget selects it). "+
			"Jobs are immutable: a new image, or any change of command, environment or bindings, makes a Job of another name, and rendering the same spec again makes the same name, so applying it again changes nothing. "+
			"With `cicd.gitops: argocd` it is a `Sync` hook in sync wave %s (`hook-delete-policy: BeforeHookCreation`) and the service's Deployments are in wave %s: "+
			"Argo CD runs it after everything else of the environment is applied and healthy, and rolls the service out only once it succeeded (a PreSync hook would run before the namespace, ServiceAccount and binding Secrets exist on a first sync). "+
			"With `flux` the Job has no `ttlSecondsAfterFinished` (Flux would re-create a deleted Job and run it again; its prune deletes the old version's Job) and is applied together with the Deployment, "+
			"so the new pods may start before the migration is done; with `none` the pipeline applies it and keeps it %d s. "+
			"A canary runs the canary image against the schema the stable image migrated: see docs/gitops.md.",
			generate.MigrationHashLength, spec.DefaultBackoffLimit, generate.LabelTrack, generate.TrackMigration, generate.MigrationSyncWave, generate.MigratedSyncWave, generate.MigrationTTLSeconds),
		"DataStore": "**Generated** in the data namespace. `managed`: an ExternalName Service `<name>` pointing at the endpoint's host (an in-cluster alias for tools; the bindings of consumers name the endpoint's own host, which its TLS certificate matches); " +
			"consumers may send to any address on that port (a NetworkPolicy cannot match DNS names). " +
			"`in-cluster`: a NetworkPolicy `<name>` admitting the services that use or consume the store on the engine's client port (" + strings.Join(ports, ", ") + "); " +
			"a ServiceAccount, a headless Service `<name>`, an ExternalSecret `<name>-credentials` (username and password from `credentials`), a PodDisruptionBudget `<name>` (`maxUnavailable: 1`: a drain may move the single primary, never more than one pod of a replicated store at once), and a single-replica StatefulSet " +
			"running the engine as a non-root user with a read-only root filesystem, credentials read from files, a volume claim that is kept when the StatefulSet is deleted or scaled, " +
			"readiness by the engine's own check and liveness by TCP. Replication and failover are left to an operator or a managed service. See [Backup](#backup) for backups.",
		"Backup": "**Generated** in the data namespace: a PersistentVolumeClaim `<name>-backups`; a CronJob `<name>-backup` (UTC schedule, never two at once, a missed start reported after an hour) that dumps the store onto it " +
			"(postgres: `pg_dump --format=custom`, mysql: `mysqldump --single-transaction`, redis: `redis-cli --rdb`) under a temporary name, then deletes dumps older than `retentionDays`; " +
			"and a CronJob `<name>-restore-test` that restores the newest dump into a throwaway server inside its own pod (on an ephemeral volume as large as the store), never touching the live store, " +
			"and fails — a failed Job, with the reason in its log — when there is no dump, the newest is older than 48 hours, or the restore fails. " +
			"Both run as the engine's non-root user with a read-only root filesystem, under the ServiceAccount `<name>-backup`; a NetworkPolicy lets the backup pods reach only the store's client port. " +
			"The dumps stay in the cluster: for off-site copies choose a `storageClass` whose volumes are replicated or snapshotted elsewhere.",
		"CICD": "**Generated:** a ServiceAccount `deployer` in the cicd namespace (no token mounted: pipelines request short-lived tokens) and, in every other namespace, a Role and RoleBinding `deployer` for it over exactly the kinds platformctl renders plus pods, logs and events — " +
			"read-only (get, list, watch) with `argocd` or `flux`, read-write with `none`, where the pipeline applies the overlay itself. Never Secrets, nothing cluster-scoped. " +
			"With `argocd`, each overlay (not the base) adds, in the `argocd` namespace, an AppProject `<platform>-<env>` (only `repoURL`, only the environment's namespaces, only the cluster-scoped kinds it renders — Namespaces, PriorityClasses and, when enabled, the admission policies — never Secrets) and an Application `<platform>-<env>` on `<path>/overlays/<env>` at `revision`, " +
			"syncing automatically with prune and self-heal in development, testing and staging, and by hand in production (promote a commit through testing → staging, then sync production). " +
			"With `flux`, each overlay adds, in `flux-system`, a GitRepository and a Kustomization `<platform>-<env>` (prune, wait for rollouts, every " + minutes(generate.FluxSyncInterval) + "). See [docs/gitops.md](gitops.md).",
		"ReplicaRange": "`min` = `max` fixes the replica count and removes any autoscaler; `min` < `max` creates an autoscaler with this range in any tier.",
		"Resources":    "Limits follow from requests: the CPU limit is twice the request, the memory limit equals the request. Every container also requests " + generate.EphemeralStorageRequest + " and is limited to " + generate.EphemeralStorageLimit + " of ephemeral storage.",
		"Health": fmt.Sprintf("Probes are HTTP GETs on `port` (on `metricsPort` for workers) with a %d s timeout (%d s for liveness): readiness every %d s (%d failures), liveness every %d s (%d failures), startup every %d s (up to %d failures, so %s to start). "+
			"A gRPC server with no path set gets gRPC health-protocol probes instead.",
			generate.ProbeTimeoutSeconds, generate.LivenessTimeoutSeconds,
			generate.ReadinessProbe.PeriodSeconds, generate.ReadinessProbe.FailureThreshold, generate.LivenessProbe.PeriodSeconds, generate.LivenessProbe.FailureThreshold,
			generate.StartupProbe.PeriodSeconds, generate.StartupProbe.FailureThreshold, seconds(generate.StartupProbe.PeriodSeconds*generate.StartupProbe.FailureThreshold)),
		"Autoscale": fmt.Sprintf("**Generated:** a HorizontalPodAutoscaler (autoscaling/v2) for the Deployment, with one metric per target set: "+
			"`cpuPercent` and `memoryPercent` as resource utilization, `requestsPerSecond` as the Pods metric `%s`, `queueDepth` as the External metric `%s` selected by `queue: <consumes.queue>` "+
			"(both need a custom/external metrics adapter such as prometheus-adapter, fed by the recording rules `observability.metrics` renders). Scale-down waits for %d s of stable load. "+
			"Applied in staging and production; in development and testing only through an environment override. See [Tier defaults](#tier-defaults).", generate.MetricRequestsPerSecond, generate.MetricQueueDepth, generate.ScaleDownStabilizationSeconds),
		"Canary": fmt.Sprintf("**Generated:** a second Deployment and Service `<name>-canary` running the canary image (always 1 replica, no autoscaler, label `%s: %s`). "+
			"With the gateway the route sends `weight`%% of requests to the canary and the rest to the stable Service; with ingress-nginx a second Ingress carries the canary-weight annotations.",
			generate.LabelTrack, generate.TrackCanary),
		"NodePool": "A service with `nodePool` gets the pool's `labels` as its nodeSelector and a toleration for each of the pool's `taints` (operator `Equal`, or `Exists` when the taint has no value).",
		"ServiceConfig": fmt.Sprintf("**Generated** in the apps namespace: a ConfigMap `<name>-config-<hash>` holding every file as a key of `data`, "+
			"`immutable: true`, named after the first 10 hex digits of a SHA-256 of its files (as Kustomize's configMapGenerator does); a volume `%s` of it (mode `0%o`) "+
			"mounted read-only at `mountPath` in every pod of the service — its Deployment's, its canary's, a cronjob's Jobs', its migration Job's (the root filesystem stays read-only). "+
			"A change of content is a new name in the pod template, so the pods roll; the previous ConfigMap stays until the GitOps controller prunes it, "+
			"so the old ReplicaSet's pods keep theirs while they drain; with `migrate`, a change of config is also a new migration Job, which runs again (migrations are idempotent). An environment whose `overrides` change the files gets its own ConfigMap. "+
			"Files are read once, by the loader: `render`, `render --check`, `build` and `diff` see the same bytes. See [docs/namespaces/apps.md](namespaces/apps.md).",
			generate.ConfigVolume, generate.ConfigFileMode),
		"SecretStore": "Each service with `secrets` gets an ExternalSecret (external-secrets.io/v1) that reads from this store and writes the Secret `<service>-secrets` (owned by the ExternalSecret, retained when it is deleted).",
	}
}

// fieldNotes are appended to a field's description.
func fieldNotes() map[string]note {
	return map[string]note{
		"Platform.APIVersion":        {Effect: checkedOnly},
		"Platform.Kind":              {Effect: checkedOnly},
		"Metadata.Name":              {Text: "Every object gets `" + generate.LabelPartOf + ": <name>`."},
		"PlatformSpec.Observability": {Text: "With `tracing`, an OpenTelemetry Collector runs in the observability namespace (see [Tracing](#tracing)); with `metrics`, every service and in-cluster store is scraped, alerted on and given a dashboard (see `metrics`). See [docs/observability-metrics.md](observability-metrics.md) for the metrics services must export."},
		"Observability.Metrics": {Text: "**Generated** in the observability namespace (prometheus-operator and Grafana's dashboard sidecar installed separately): per server a ServiceMonitor `<name>` on its metrics port, per worker a PodMonitor `<name>`, " +
			"per service a PrometheusRule `<name>` (recording rules; multi-window error-budget burn alerts; P99 latency over `slo.latencyP99`; CPU and memory near limits; unavailable replicas; autoscaler at its maximum; queue backlog and dead letters for workers; dependency health) " +
			"and a ConfigMap `dashboard-<name>` labelled `grafana_dashboard: \"1\"` (requests, errors 4xx/5xx, latency P50/P95/P99, saturation, dependencies; throughput, queue and dead letters for workers); " +
			"per in-cluster store a metrics exporter sidecar (RabbitMQ serves its own) behind the store Service's `metrics` port and a ServiceMonitor `<name>`; " +
			"NetworkPolicies that admit Prometheus (pods `app.kubernetes.io/name: prometheus` in the observability namespace) to exactly those ports, and let Prometheus and Grafana (`app.kubernetes.io/name: grafana`) reach what they need. " +
			"The rules and dashboards are the same in every environment; page-class alerts are severity critical everywhere, and only production pages: Alertmanager routes on the `environment` external label of each environment's Prometheus (see [docs/observability-metrics.md](observability-metrics.md#severity-and-routing))."},
		"Observability.SLO": {Text: "The objectives of every service's alerts (availability " + strconv.FormatFloat(monitoring.DefaultAvailability, 'g', -1, 64) + " when unset; no latency alert without `latencyP99`). Needs `metrics`."},
		"Observability.Tracing": {Text: "**Generated:** in the observability namespace a ServiceAccount, ConfigMap, Deployment, Service, PodDisruptionBudget (staging and production) and NetworkPolicy `otel-collector` (OTLP gRPC " + fmt.Sprint(generate.CollectorOTLPGRPC) + " and HTTP " + fmt.Sprint(generate.CollectorOTLPHTTP) + " from the apps namespace only; egress only to `endpoint`'s port; traces leave over TLS, the OTLP exporter's default — a plaintext backend needs a Kustomize patch of the config). " +
			"Every service gets `OTEL_SERVICE_NAME`, `OTEL_EXPORTER_OTLP_ENDPOINT`, `OTEL_EXPORTER_OTLP_PROTOCOL`, `OTEL_RESOURCE_ATTRIBUTES` (deployment.environment, k8s.namespace.name, service.version), " +
			"`OTEL_TRACES_SAMPLER=parentbased_traceidratio` and `OTEL_TRACES_SAMPLER_ARG` from `sampleRatio`, and egress to the collector on " + fmt.Sprint(generate.CollectorOTLPGRPC) + "."},
		"Observability.Logs": {Text: "**Generated** in the observability namespace: a ServiceAccount, a ConfigMap, a DaemonSet and a NetworkPolicy `" + generate.LogAgent + "` (no ingress; egress to the API server and `endpoint`'s port), " +
			"and a ClusterRole and ClusterRoleBinding `<platform>-" + generate.LogAgent + "` (`<platform>-<env>-…` under namespace isolation) that read pods, namespaces and replicasets — with Argo CD, the AppProject then whitelists the two RBAC kinds, so whoever can push the deployment repository can sync cluster roles. " +
			"The agent tails `" + generate.PodLogDir + "/<namespace>_*/*/*.log` for this environment's namespaces only (environments sharing a cluster never ship each other's logs), starts at the end of each file (no stored offsets: lines written while it restarts are missed, none is sent twice), " +
			"and labels each record with `deployment.environment`, `k8s.namespace.name`, `app`/`service.name` and `service.version` from the pod's labels. " +
			"Its one hostPath is `" + generate.PodLogDir + "`, read-only, and it runs non-root (UID 10001) with supplementary group 0 to read the runtime's 0640 root:root log files. " +
			"No Pod Security level but privileged admits a hostPath, so the observability namespace then enforces and warns at privileged, audits at restricted (docs/peers.md). " +
			"Loki takes OTLP over HTTP only: point `endpoint` at an OpenTelemetry Collector or Grafana Alloy gateway in front of it."},
		"Lint.PeerAnnotations":       {Text: "Rendered as each peer's own exemption annotation with the reason, on the objects docs/peers.md lists: `kube-score/ignore` (reason in `peer.platformctl.dev/kube-score.<check>`), `ignore-check.kube-linter.io/<check>` (reason as its value), `polaris.fairwinds.com/<check>-exempt` (reason in `peer.platformctl.dev/polaris.<check>`)."},
		"PlatformSpec.CICD":          {Text: "See [CICD](#cicd)."},
		"PlatformSpec.Teams":         {Text: "Each team gets a Role and RoleBinding `team-<name>` in the apps namespace, bound to its `group`: read access to workloads, pods, logs, events, Services, autoscalers, budgets and policies (never Secrets, never exec); with `access: edit`, patch and update of its own services' Deployments (and their canaries) and of its own cronjobs' CronJobs (to suspend or resume them), by name. Nothing cluster-scoped."},
		"PlatformSpec.Security":      {Text: "See [Security](#security)."},
		"Security.AllowedRegistries": {Text: "Written as the annotation `platformctl.dev/allowed-registries` on the apps and data namespaces, which `platformctl lint` (rule `untrusted-registry`) checks every image against; with `admissionPolicies`, also enforced at admission."},
		"Security.AdmissionPolicies": {Text: "**Generated:** a ValidatingAdmissionPolicy and binding `<platform>-pod-baseline` (`<platform>-<env>-pod-baseline` under namespace isolation; built into Kubernetes, no add-on) that denies pods in the apps and data namespaces " +
			"without a read-only root filesystem, with privilege escalation allowed, without CPU and memory requests and a memory limit, with an untagged or `latest` image, " +
			"from a registry outside `allowedRegistries`, or — in production — with an image not pinned by digest. Each check mirrors a lint rule, so what lints clean is admitted."},
		"Security.ImageVerification":           {Text: "**Generated:** a Kyverno ImageValidatingPolicy `<platform>-verify-images` (policies.kyverno.io/v1; needs Kyverno 1.15 or later) that denies pods in the apps and data namespaces whose images matching `images` lack a cosign signature by the given keyless identity or key."},
		"PlatformSpec.NodePools":               {Text: "A pool has an effect only through the services that name it in `nodePool`."},
		"Environment.Name":                     {Text: "Namespaces are `<name>-edge`, `<name>-apps` and so on with namespace isolation, just `edge`, `apps` and so on with cluster isolation."},
		"Environment.Region":                   {Text: "Adds a required node affinity `topology.kubernetes.io/region In [<region>]` to every service's pods, in any tier."},
		"Environment.Zones":                    {Text: "Only the number of zones is used (see [Tier defaults](#tier-defaults)); the names are not written into any object."},
		"Environment.SingleZoneReason":         {Effect: checkedOnly},
		"DataStore.EncryptedAtRest":            {Effect: checkedOnly, Text: "A declaration, read by validation: a managed store in production must declare that its provider encrypts its storage and backups; platformctl cannot see the provider's settings."},
		"PlatformSpec.EncryptedStorageClasses": {Effect: checkedOnly, Text: "A declaration, read by validation: with a production environment every in-cluster or operator-managed store (and its backup volumes) must use one of these classes, so its volumes are encrypted at rest. platformctl renders no StorageClass: the provisioner and its key are the cluster's."},
		"PlatformSpec.Promotion":               {Effect: checkedOnly, Text: "Read by `platformctl promote FROM TO`, never by the generator: TO must be the stage right after FROM here, and promote writes the images FROM runs into TO's overrides ([docs/gitops.md](gitops.md#promoting-images))."},
		"Edge.ClassName":                       {Text: "`gatewayClassName` of the Gateway, or `ingressClassName` of each Ingress."},
		"Edge.HSTS":                            {Text: "Gateway only: every route adds `Strict-Transport-Security: " + generate.HSTSValue + "` to responses, next to `X-Content-Type-Options`, `X-Frame-Options` and `Referrer-Policy`, which gateway routes always set. With ingress-nginx platformctl sets none of these headers; the controller's configuration decides."},
		"Edge.API":                             {Text: "With `ingress-nginx`, `validate` warns (stderr, exit code 0): it was retired in March 2026. [docs/edge.md](edge.md#migrating-from-ingress-nginx) maps every field to the Gateway API and a profile."},
		"Edge.MaxBodySize":                     {Text: "ingress-nginx: `proxy-body-size`. envoy-gateway: `requestBuffer.limit` of every HTTP route's BackendTrafficPolicy (the default applies there; gRPC and WebSocket routes stream and are not buffered)."},
		"Edge.RateLimit":                       {Text: "ingress-nginx: `limit-rps`. envoy-gateway: a local rate limit in every route's BackendTrafficPolicy, one bucket per client address (`sourceCIDR` type Distinct, IPv4 and IPv6), counted by each proxy replica."},
		"Edge.ClientIP":                        {Text: "`externalTrafficPolicy` of the load balancer Service: the `edge` Service (ingress-nginx), the EnvoyProxy's `envoyService` (envoy-gateway), the `service` patch of the Istio ConfigMap (istio)."},
		"Edge.TrustedHops":                     {Text: "`clientIPDetection.xForwardedFor.numTrustedHops` of the ClientTrafficPolicy."},
		"Edge.MaxConnections":                  {Text: "`connection.connectionLimit.value` of the ClientTrafficPolicy."},
		"Edge.ProxyNamespace":                  {Text: "Each exposed service's NetworkPolicy admits the pods there labelled `" + generate.LabelOwningGatewayName + ": " + generate.GatewayName + "` and `" + generate.LabelOwningGatewayNamespace + "` the edge namespace; with `observability.metrics`, Prometheus scrapes them there (`" + generate.EdgeMetricsName + "`)."},
		"EdgeTLS.MinVersion":                   {Text: "`tls.minVersion` of the ClientTrafficPolicy (TLS 1.3 is always the maximum)."},
		"EdgeTLS.Ciphers":                      {Text: "`tls.ciphers` of the ClientTrafficPolicy."},
		"Expose.RateLimit":                     {Text: "Replaces `edge.rateLimit` in the route's BackendTrafficPolicy."},
		"Expose.MaxBodySize":                   {Text: "Replaces `edge.maxBodySize` in the route's BackendTrafficPolicy."},
		"Expose.Timeout":                       {Text: "envoy-gateway: `timeout.http.requestTimeout` of the route's BackendTrafficPolicy; istio: `timeouts.request` of the HTTPRoute rule."},
		"Expose.IdleTimeout":                   {Text: "`timeout.http.streamIdleTimeout` of the route's BackendTrafficPolicy."},
		"EdgeTLS.ClusterIssuer":                {Text: "Added as `cert-manager.io/cluster-issuer` to the Gateway, or to each service's main Ingress. Without it the `<host>-tls` Secrets must be provided some other way."},
		"Service.Kind": {Text: "A worker gets no Service and no route, exposes only `metricsPort`, and is probed there. " +
			fmt.Sprintf("A cronjob gets a CronJob `<name>` instead of a Deployment (no Service, autoscaler, disruption budget, probes, ports or monitoring objects): "+
				"`startingDeadlineSeconds: %d` (a run that could not start within the hour is skipped, not started late), `successfulJobsHistoryLimit` and `failedJobsHistoryLimit` %d, "+
				"no `ttlSecondsAfterFinished` in its job template (it would delete finished Jobs before the history limits count them); "+
				"its pod is the one a worker's Deployment would run — environment, secrets, data bindings, hardening, node pool — with `restartPolicy: Never`, at the batch priority, "+
				"and its NetworkPolicy allows the same egress (`uses`, `calls`, `egress`).", generate.StartingDeadlineSeconds, generate.JobHistoryLimit)},
		"Service.Schedule":     {Text: "The CronJob's `schedule`."},
		"Service.TimeZone":     {Text: "The CronJob's `timeZone` (default `" + spec.DefaultTimeZone + "`)."},
		"Service.Concurrency":  {Text: "The CronJob's `concurrencyPolicy`."},
		"Service.Deadline":     {Text: "The `activeDeadlineSeconds` of each run's Job."},
		"Service.BackoffLimit": {Text: "The `backoffLimit` of each run's Job."},
		"Migrate.Command":      {Text: "The migration container's `command`."},
		"Migrate.Args":         {Text: "The migration container's `args`."},
		"Migrate.Deadline":     {Text: "The migration Job's `activeDeadlineSeconds`."},
		"Service.Image":        {Text: "Its tag also becomes the pods' `" + generate.LabelVersion + "` label when it is a valid label value."},
		"Service.Protocol":     {Text: "Names the port (`http`, `grpc`, `ws`) and sets its `appProtocol`; grpc servers get a GRPCRoute at the gateway, or `backend-protocol: GRPC` with ingress-nginx."},
		"Service.Port":         {Text: "The Service listens on the same port."},
		"Service.MetricsPort":  {Text: "Declared as the container port `metrics` (and, with `observability.metrics`, a Service port) when it differs from `port` (always for workers); a gRPC server's must differ. With `observability.metrics`, Prometheus may reach it."},
		"Service.Replicas":     {Text: "Ignored in development and testing."},
		"Service.Autoscale":    {Text: "Ignored in development and testing."},
		"Service.Uses": {Text: "Opens egress to each store (and the store's NetworkPolicy to this service) on its client port only, and binds the store: " +
			"its connection details and credentials are mounted as files under `/bindings/<store>/` (the servicebinding.io layout: `type`, `provider`, `host`, `port`, `database` for SQL engines, `username` except for the in-cluster Redis, `password`) " +
			"from the Secret `<store>-binding`, which an ExternalSecret in the apps namespace fills from the store's `credentials`; " +
			"the container gets `SERVICE_BINDING_ROOT=/bindings` and, per store, `<STORE>_HOST`, `<STORE>_PORT`, `<STORE>_DATABASE`, `<STORE>_USERNAME_FILE` and `<STORE>_PASSWORD_FILE` (`<STORE>` is the name upper-cased, `-` as `_`). " +
			"A managed store's host is its endpoint's own name, so TLS certificates match."},
		"Service.Calls": {Text: "Each call adds one egress rule to this service's NetworkPolicy (to the callee's pods in the environment's apps namespace, on the called port) and one ingress rule to the callee's (from this service's pods, on that port), and nothing else: canary pods share the name label of their stable pods, so they call and are called the same way. " +
			"The container gets `<CALLEE>_ADDR=<callee>.<apps namespace>.svc.cluster.local:<port>` (`<CALLEE>` is the name upper-cased, `-` as `_`; the namespace is `<env>-apps` under namespace isolation); a variable of `env` or of an override with that name is an error at the call."},
		"Call.Service":           {Text: "See `calls`."},
		"Call.Port":              {Text: "The service port (the default) or one of the callee's extra `ports`, its own or its sidecars': the rules open exactly that port, and the address is in `<CALLEE>_ADDR` for the service port, `<CALLEE>_<PORT>_ADDR` for an extra port (`<PORT>` is its name upper-cased, `-` as `_`: `ORDERS_ADMIN_ADDR`). A service may call one callee on several ports, each with a call of its own."},
		"Service.PodAnnotations": {Text: "The `metadata.annotations` of the pod template of every workload of the service: its Deployment and canary Deployment, its CronJob's pods and its migration Job's pods. Nothing else carries them (not the Deployment, not the Service)."},
		"Service.PodLabels":      {Text: "Added to the pod template labels of every workload of the service (as `podAnnotations`), next to platformctl's own; selectors do not use them, so changing them only rolls the pods."},
		"Service.Ports":          {Text: "Each port is a container port `<name>` of the service's container and a Service port of the same name and number (`targetPort: <name>`, TCP). Nothing may reach it until a call names it: the callee's NetworkPolicy opens it to exactly the callers that do. Not on the edge: `expose` routes the service port only."},
		"NamedPort.Name":         {Text: "The container port's and the Service port's `name`."},
		"NamedPort.Port":         {Text: "The `containerPort`, the Service `port`, and the port of the NetworkPolicy rules of the calls that name it."},
		"Mesh.Mode":              {Effect: checkedOnly, Text: "ambient is the one mode today, and the default for istio: the field keeps room for a sidecar mode, which the restricted Pod Security level admits only with the Istio CNI node agent."},
		"Mesh.Provider":          {Text: "istio: the namespaces get `istio.io/dataplane-mode: ambient` and a STRICT PeerAuthentication; linkerd: `linkerd.io/inject: enabled` with `config.linkerd.io/default-inbound-policy: all-authenticated` and native sidecars. The Envoy Gateway proxies join the mesh for their outbound side only (docs/mesh.md)."},
		"NamedPort.Protocol":     {Effect: checkedOnly, Text: "TCP is the only protocol today (the ports' `protocol` and their NetworkPolicy rules are TCP either way); the field keeps room for UDP."},
		"Service.Volumes": {Text: "Each volume is a pod volume `<name>` (an `emptyDir` with its `sizeLimit` and `medium`, or a `persistentVolumeClaim`) in every pod of the service, mounted into the service's container at `mountPath`. " +
			"A disk emptyDir's `sizeLimit` is added to the container's `ephemeral-storage` request and limit (" + generate.EphemeralStorageRequest + " and " + generate.EphemeralStorageLimit + " without volumes), a `Memory` one's to its memory request and limit: " +
			"the kubelet evicts a pod whose emptyDirs and containers use more disk than its containers' limits, and a tmpfs's pages count against the pod's memory, so a full volume must fit the limits rather than evict or kill the pod. " +
			"A claim is not created: it must exist in the apps namespace (several replicas on several nodes need a ReadWriteMany or ReadOnlyMany volume)."},
		"Volume.Name":        {Text: "The pod volume's name."},
		"Volume.MountPath":   {Text: "The service container's `volumeMounts[].mountPath`."},
		"Volume.ReadOnly":    {Text: "The service container's mount is `readOnly`; for a claim, the `persistentVolumeClaim.readOnly` too."},
		"Volume.EmptyDir":    {Text: "See [EmptyDir](#emptydir)."},
		"Volume.ClaimName":   {Text: "`persistentVolumeClaim.claimName`."},
		"EmptyDir.SizeLimit": {Text: "The emptyDir's `sizeLimit`; also added to the container's requests and limits (see `volumes`)."},
		"EmptyDir.Medium":    {Text: "The emptyDir's `medium`: a tmpfs, whose size is added to the memory request and limit instead of ephemeral-storage."},
		"Service.Sidecars": {Text: "Each sidecar is an init container with `restartPolicy: Always` (a native sidecar), listed before `initContainers`, in every pod of the service: it starts before the init containers and the service's container, and is stopped after the service's container, so a CronJob's run or a migration still completes. " +
			"Its ports are container ports of the sidecar and Service ports, like `ports` (not in a Job's pod, which no Service reaches). Probes are not rendered for sidecars, and lint's probe rules check the regular containers only."},
		"Service.InitContainers": {Text: "Each is an init container, after the sidecars, in every pod of the service (the migration's and the CronJob's included): it runs to completion, in order, before the service's container starts."},
		"Container.Name":         {Text: "The container's `name`."},
		"Container.Image":        {Text: "The container's `image`, pinned and checked like the service's (`imagePullPolicy: Always`)."},
		"Container.Command":      {Text: "The container's `command`."},
		"Container.Args":         {Text: "The container's `args`."},
		"Container.Env":          {Text: "The container's `env`, by name; platformctl adds nothing to it (no call addresses, bindings or telemetry: those are the service container's)."},
		"Container.Ports":        {Text: "See `sidecars`."},
		"Container.Resources":    {Text: "CPU may burst to twice its request, memory is limited to its request, and `ephemeral-storage` is requested and limited as for the service's container. Each container also mounts the pod's `/tmp`, and runs with `readOnlyRootFilesystem`, `allowPrivilegeEscalation: false`, all capabilities dropped and `runAsNonRoot`, under the pod's `runAsUser` and RuntimeDefault seccomp profile."},
		"Container.Mounts":       {Text: "One `volumeMounts` entry each."},
		"Mount.Volume":           {Text: "The mount's `name`."},
		"Mount.MountPath":        {Text: "The mount's `mountPath`."},
		"Mount.ReadOnly":         {Text: "The mount's `readOnly`."},
		"Service.Egress": {Text: "Each entry by address adds one egress rule to this service's NetworkPolicy: its `ipBlock` peers on exactly its `ports`, TCP, for stable and canary pods alike, in every environment. " +
			"A plain NetworkPolicy matches addresses, never DNS names, and open-source Calico's policies match no domains either (domain rules are Calico Enterprise and Calico Cloud only): a host name such as an API's is reached through the CIDRs its provider publishes, or through `to: internet`. " +
			"With `network.cni: cilium` an entry may name the `host` instead: see [`network`](#network)."},
		"Egress.CIDR": {Text: "One `ipBlock` with this CIDR. It must not contain a cloud metadata address: 169.254.0.0/16 (169.254.169.254 and the rest of IPv4 link-local) or fd00:ec2::254, so `0.0.0.0/0` and `::/0` are errors; `to: internet` is the whole public address space without them."},
		"Egress.To": {Text: "`internet` is two `ipBlock`s: `0.0.0.0/0` except " + joinAnd(spec.InternetExcept["0.0.0.0/0"]) + ", and `::/0` except " + joinAnd(spec.InternetExcept["::/0"]) +
			": the cluster's own networks, loopback, link-local and with them the cloud metadata endpoints (169.254.169.254 in 169.254.0.0/16, fd00:ec2::254 in fc00::/7) are never reached through it. No except lies inside another."},
		"Egress.Host": {Text: "One rule of the service's CiliumNetworkPolicy: `toFQDNs` with `matchName: <host>`, or `matchPattern` for `*.`, on exactly `ports` (TCP). " +
			"Cilium admits the addresses the pod's own DNS lookups of the name returned, for as long as their TTL, so the pods must resolve the name through the cluster DNS (the policy's DNS rule sends those lookups through Cilium's DNS proxy). " +
			"A host naming a cloud metadata server (metadata.google.internal, or a pattern matching it) is an error."},
		"Egress.Ports": {Text: "Each a TCP port of the rule, once."},
		"Service.Identity": {Text: "The provider's webhook or node agent projects a short-lived token with the provider's audience into the pods, in a volume of its own, so `automountServiceAccountToken` stays `false` on the ServiceAccount and the pod for every provider. " +
			"What each provider gets: `aws-irsa` the ServiceAccount annotation `" + generate.AnnotationAWSRoleARN + "` (the EKS pod identity webhook then adds the volume `aws-iam-token`, audience `sts.amazonaws.com`, and `AWS_ROLE_ARN` and `AWS_WEB_IDENTITY_TOKEN_FILE`); " +
			"`eks-pod-identity` no annotation (the role comes from a pod identity association made in AWS for the namespace and ServiceAccount; the webhook adds `eks-pod-identity-token`, audience `pods.eks.amazonaws.com`, and `AWS_CONTAINER_CREDENTIALS_FULL_URI`) and NetworkPolicy egress to the Pod Identity agent, " + identityEndpoints(spec.IdentityEKSPodIdentity) + "; " +
			"`gcp` the annotation `" + generate.AnnotationGCPServiceAccount + "` when `serviceAccount` is set, the node selector `" + generate.NodeLabelGKEMetadataServer + ": \"true\"` (only GKE metadata server nodes, where 169.254.169.254 serves the pod's own identity and never the node's), and egress to the GKE metadata server, " + identityEndpoints(spec.IdentityGCP) + " (Dataplane V2 and Calico clusters); " +
			"`azure` the annotation `" + generate.AnnotationAzureClientID + "` and the pod label `" + generate.LabelAzureWorkloadIdentity + ": \"true\"`, which the Azure Workload Identity webhook mutates on (it adds `azure-identity-token`, audience `api://AzureADTokenExchange`, and the `AZURE_*` variables). " +
			"`aws-irsa` and `azure` pods exchange the token themselves, at STS or Entra ID over HTTPS, which `egress` must allow on 443; nothing is opened to the internet by the identity itself. " +
			"The cloud side (the trust policy or federated credential, for the subject `system:serviceaccount:<apps namespace>:<service>`) is described in docs/namespaces/apps.md."},
		"Identity.RoleARN":                {Text: "The annotation `" + generate.AnnotationAWSRoleARN + "`."},
		"Identity.STSRegionalEndpoints":   {Text: "The annotation `" + generate.AnnotationAWSRegionalSTS + ": \"true\"` (the webhook sets `AWS_STS_REGIONAL_ENDPOINTS=regional`)."},
		"Identity.TokenExpirationSeconds": {Text: "The annotation `" + generate.AnnotationAWSTokenExpiration + "` (aws-irsa) or `" + generate.AnnotationAzureTokenExpiration + "` (azure): the projected token's `expirationSeconds`."},
		"Identity.ServiceAccount":         {Text: "The annotation `" + generate.AnnotationGCPServiceAccount + "`; the Google service account grants `roles/iam.workloadIdentityUser` to `serviceAccount:<project>.svc.id.goog[<apps namespace>/<service>]`."},
		"Identity.ClientID":               {Text: "The annotation `" + generate.AnnotationAzureClientID + "`."},
		"Identity.TenantID":               {Text: "The annotation `" + generate.AnnotationAzureTenantID + "`."},
		"ServiceOverride.Identity":        {Text: "Replaces `identity` of the service in this environment, every field of it: the ServiceAccount, pod labels, node selector and NetworkPolicy of the environment follow it. Name the role, account or client of each environment's cloud account here and the one most environments share on the service."},
		"Service.Env":                     {Text: "Set on the container in two groups, each sorted by name: first the variables whose value can differ between environments (call addresses, telemetry, the ones an environment overrides), then the rest, so an overlay patches only the first group."},
		"Service.Secrets":                 {Text: "The variable is read from the Secret `<name>-secrets`, which an ExternalSecret fills from [`spec.secrets`](#secretstore); a `#property` suffix picks one property of the remote secret (the separator is `#`, not `/`)."},
		"Service.NodePool":                {Text: "See [NodePool](#nodepool)."},
		"Service.GPUs":                    {Text: "Requested and limited as the extended resource `nvidia.com/gpu` (the NVIDIA device plugin or GPU operator must run on the pool's nodes)."},
		"Service.RunAsUser":               {Text: "Also used as the pod's `runAsGroup` and `fsGroup`."},
		"Expose.Host":                     {Text: "The public name is `<host>.` followed by the environment's domain (see [`domain`](#environment)); the edge serves it over HTTPS only."},
		"Expose.Path":                     {Text: "A path-prefix match, except for gRPC with the gateway: there a path other than `/` matches exactly the gRPC service named by the path without its leading `/`."},
		"Consumes.Queue":                  {Text: "Binds the broker like `uses`, sets `QUEUE_NAME`, and is the queue `queueDepth` autoscaling reads."},
		"Consumes.DeadLetter":             {Text: "Sets `DEAD_LETTER_QUEUE_NAME=<queue>.dead-letter`: the worker moves messages it cannot process there."},
		"DataStore.Mode":                  {Text: "See above for what each mode generates."},
		"DataStore.Version":               {Text: "The default image's tag."},
		"DataStore.Image":                 {Text: "The StatefulSet's image; its tag becomes the pods' `app.kubernetes.io/version` label."},
		"DataStore.Credentials":           {Text: "The remote key the credentials ExternalSecret reads `username` and `password` from."},
		"DataStore.Storage":               {Text: "The volume claim's request."},
		"DataStore.StorageClass":          {Text: "The volume claim's storage class; choose an encrypted one."},
		"DataStore.Backup":                {Text: "See [Backup](#backup)."},
		"DataStore.ExporterImage":         {Text: "The exporter sidecar's image (postgres-exporter, mysqld-exporter, redis_exporter, prometheus-nats-exporter, kafka-exporter); it reads the credentials from files. Only with `observability.metrics`."},
		"DataStore.VPA": {Text: "**Generated:** a VerticalPodAutoscaler `<name>` (autoscaling.k8s.io/v1) for the StatefulSet's engine container, controlling CPU and memory requests and limits. " +
			"Needs the VPA recommender (and, for `Initial`, its admission controller) installed."},
		"DataStore.Resources": {Text: "The engine container's requests; limits derive from them as for services."},
		"DataStore.Endpoint":  {Text: "Its host becomes the ExternalName, its port the Service port and the consumers' egress port; with `network.cni: cilium` and no `cidrs` its host is what the consumers' egress opens (`toFQDNs` `matchName`)."},
		"DataStore.CIDRs": {Text: "One egress rule on each consumer's NetworkPolicy: these `ipBlock`s on the endpoint's port. " +
			"Required without `network.cni: cilium`: a NetworkPolicy cannot name the endpoint's host, and the only rule it could write instead is every address on the port, which platformctl does not render. " +
			"With Cilium, `cidrs` still win over the name when set (no DNS lookup decides what is open). None may contain a cloud metadata address."},
		"Network.CNI": {Text: "`generic` and `calico` render NetworkPolicies only. " +
			"**Generated** with `cilium`, for each service with an egress `host` or a managed store without `cidrs` in `uses`/`consumes`: a CiliumNetworkPolicy `<service>` (cilium.io/v2) in the apps namespace selecting the service's pods (canaries and its migration included), with one egress rule to kube-dns (`k8s:io.kubernetes.pod.namespace: kube-system`, `k8s:k8s-app: kube-dns`, port 53 UDP and TCP, `rules.dns` `matchPattern: \"*\"`, which sends the lookups through Cilium's DNS proxy, how `toFQDNs` learns the addresses) and one `toFQDNs` rule per host and store. " +
			"Cilium enforces it together with the service's NetworkPolicy, a connection passing when either allows it, so it adds exactly those names and nothing else; its DNS rule lets every query through, as the NetworkPolicy's allow-dns does. " +
			"And for each NetworkPolicy that opens the API server (`edge-controller`, `edge-previews`, `prometheus`, `grafana`, `log-agent`, and under CloudNativePG `<store>`, `<store>-restore-test`, `<store>-recovered-instances`): a CiliumNetworkPolicy `<policy>-kube-apiserver` in its namespace selecting the same pods, egress `toEntities: [kube-apiserver]` on TCP 443 and 6443, the API server as Cilium identifies it (docs/namespaces/README.md)."},
		"NodePool.GPU":    {Text: "Adds the default taint `nvidia.com/gpu:NoSchedule` (tolerated whatever its value by the pool's services); services set `gpus` to get accelerators."},
		"NodePool.Labels": {Text: "`<name>` in the default is the pool's key in `nodePools`."},
		"NodePool.Spot":   {Text: "Adds the default taint below, which the pool's services then tolerate. Any service may name a spot pool: that it has a PodDisruptionBudget is not checked."},
	}
}

// seconds writes a duration the way the notes do: "2 minutes", "90 s".
func seconds(n int32) string {
	switch {
	case n == 60:
		return "1 minute"
	case n%60 == 0:
		return fmt.Sprintf("%d minutes", n/60)
	}
	return fmt.Sprintf("%d s", n)
}

// minutes writes a whole number of minutes: "10 minutes".
func minutes(d time.Duration) string { return seconds(int32(d / time.Second)) }

// allowed returns the allowed values of Type.Field straight from the tags,
// so notes never spell out a list that exists in the code.
func (m *model) allowed(key string) []string {
	f := m.fieldByKey(key)
	if f == nil {
		return nil
	}
	ff, err := f.facts()
	if err != nil {
		return nil
	}
	return ff.Allowed
}

// identityEndpoints lists a provider's node-local credential endpoints as
// the NetworkPolicy opens them.
func identityEndpoints(p spec.IdentityProvider) string {
	var parts []string
	for _, e := range generate.IdentityEndpoints[p] {
		parts = append(parts, fmt.Sprintf("`%s` port %d", e.CIDR, e.Port))
	}
	return strings.Join(parts, " and ")
}

// joinAnd writes a list as "a, b and c".
func joinAnd(list []string) string {
	if len(list) < 2 {
		return strings.Join(list, "")
	}
	return strings.Join(list[:len(list)-1], ", ") + " and " + list[len(list)-1]
}
