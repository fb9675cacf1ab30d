// Package spec holds the platformctl.dev/v1alpha1 Platform types, the strict
// position-keeping loader, tier defaults and validation.
//
// Field tags: `json` names the YAML key (the loader and sigs.k8s.io/yaml both
// read it), `validate` holds go-playground/validator rules, `default` and
// `enum` document values for docs/spec.md and the JSON Schema.
package spec

// APIVersion is the only apiVersion this package reads.
const APIVersion = "platformctl.dev/v1alpha1"

// Kind is the only kind this package reads.
const Kind = "Platform"

// Platform is a whole environment spec: what runs, where, and how it is exposed.
type Platform struct {
	// APIVersion must be platformctl.dev/v1alpha1.
	APIVersion string `json:"apiVersion" validate:"required,eq=platformctl.dev/v1alpha1"`
	// Kind must be Platform.
	Kind string `json:"kind" validate:"required,eq=Platform"`
	// Metadata names the platform.
	Metadata Metadata `json:"metadata"`
	// Spec is the platform itself.
	Spec PlatformSpec `json:"spec"`
}

// Metadata names the platform; the name becomes the app.kubernetes.io/part-of label.
type Metadata struct {
	// Name of the platform, a DNS label of at most 40 characters (it prefixes namespace labels).
	Name string `json:"name" validate:"required,dnslabel,max=40"`
}

// PlatformSpec is everything the platform is made of.
type PlatformSpec struct {
	// Domain is the public DNS zone; exposed hosts are <host>.<domain> in
	// production and <host>.<env>.<domain> elsewhere (see Environment.Domain).
	Domain string `json:"domain" validate:"required,fqdn"`
	// Environments to render, each becomes overlays/<name>.
	Environments []Environment `json:"environments" validate:"required,min=1,dive"`
	// Edge configures how traffic enters the platform.
	Edge Edge `json:"edge"`
	// Services are the stateless workloads (HTTP/gRPC/WebSocket servers and queue workers).
	Services []Service `json:"services" validate:"dive"`
	// Data are the stateful dependencies, in-cluster or managed.
	Data []DataStore `json:"data" validate:"dive"`
	// Observability configures metrics, tracing and SLOs.
	Observability Observability `json:"observability"`
	// CICD configures GitOps delivery of the rendered overlays.
	CICD CICD `json:"cicd"`
	// NodePools names the node pools services may be scheduled on.
	NodePools map[string]NodePool `json:"nodePools" validate:"dive,keys,dnslabel,max=40,endkeys"`
	// Teams grants groups access to the namespaces and services they own.
	Teams []Team `json:"teams" validate:"dive"`
	// Secrets configures the External Secrets store secret references resolve against.
	Secrets SecretStore `json:"secrets"`
	// Security holds supply-chain and policy settings.
	Security Security `json:"security"`
}

// Tier is an environment's class; tier defaults are documented in docs/spec.md.
type Tier string

// Tiers, from least to most strict.
const (
	TierDevelopment Tier = "development"
	TierTesting     Tier = "testing"
	TierStaging     Tier = "staging"
	TierProduction  Tier = "production"
)

// Isolation says how an environment is separated from others.
type Isolation string

// Isolation modes.
const (
	// IsolationCluster: the environment owns its cluster; namespaces are edge, apps, data, ….
	IsolationCluster Isolation = "cluster"
	// IsolationNamespace: environments share a cluster; namespaces are <env>-edge, <env>-apps, ….
	IsolationNamespace Isolation = "namespace"
)

// Environment is one deployment target, rendered as overlays/<name>.
type Environment struct {
	// Name of the environment, a DNS label of at most 20 characters (it prefixes namespace names).
	Name string `json:"name" validate:"required,dnslabel,max=20"`
	// Tier selects defaults: development, testing, staging or production.
	Tier Tier `json:"tier" validate:"required,oneof=development testing staging production" enum:"development,testing,staging,production"`
	// Isolation is cluster (default for production) or namespace (default otherwise).
	Isolation Isolation `json:"isolation,omitempty" validate:"omitempty,oneof=cluster namespace" enum:"cluster,namespace"`
	// Domain overrides the public DNS zone of this environment (default: the platform
	// domain in production, <name>.<domain> elsewhere).
	Domain string `json:"domain,omitempty" validate:"omitempty,fqdn"`
	// Region pins workloads to a cloud region (topology.kubernetes.io/region) for data residency.
	Region string `json:"region,omitempty" validate:"omitempty,dnslabel"`
	// Zones are the availability zones pods spread over (topology.kubernetes.io/zone).
	Zones []string `json:"zones,omitempty" validate:"omitempty,dive,dnslabel"`
	// SingleZoneReason explains why a production environment runs in fewer than two zones.
	SingleZoneReason string `json:"singleZoneReason,omitempty"`
	// Overrides adjust services in this environment only.
	Overrides Overrides `json:"overrides,omitempty"`
}

// Overrides adjust an environment.
type Overrides struct {
	// Services maps a service name to its overrides.
	Services map[string]ServiceOverride `json:"services,omitempty" validate:"dive,keys,dnslabel,endkeys"`
}

// ServiceOverride changes one service in one environment.
type ServiceOverride struct {
	// Replicas overrides the replica range (autoscale min/max, or a fixed count when min == max).
	Replicas *ReplicaRange `json:"replicas,omitempty"`
	// Resources overrides the container's requests.
	Resources *Resources `json:"resources,omitempty"`
	// Image overrides the image reference.
	Image string `json:"image,omitempty" validate:"omitempty,imageref"`
	// Env adds or replaces environment variables.
	Env map[string]string `json:"env,omitempty" validate:"omitempty,dive,keys,envname,endkeys"`
}

// ReplicaRange is a min/max pair.
type ReplicaRange struct {
	// Min replicas.
	Min int32 `json:"min" validate:"range=1:1000"`
	// Max replicas.
	Max int32 `json:"max" validate:"range=1:1000"`
}

// EdgeAPI selects the routing API.
type EdgeAPI string

// Edge APIs.
const (
	EdgeGateway      EdgeAPI = "gateway"
	EdgeIngressNginx EdgeAPI = "ingress-nginx"
)

// Edge configures ingress.
type Edge struct {
	// API is gateway (Gateway API, default) or ingress-nginx.
	API EdgeAPI `json:"api,omitempty" validate:"omitempty,oneof=gateway ingress-nginx" enum:"gateway,ingress-nginx"`
	// ClassName is the GatewayClass or IngressClass (default: platform for gateway, nginx for ingress-nginx).
	ClassName string `json:"className,omitempty" validate:"omitempty,dnslabel"`
	// TLS configures certificates.
	TLS EdgeTLS `json:"tls,omitempty"`
	// HSTS adds Strict-Transport-Security to every response (default true).
	HSTS *bool `json:"hsts,omitempty"`
	// MaxBodySize limits request bodies (a quantity, default 8Mi).
	MaxBodySize string `json:"maxBodySize,omitempty" validate:"omitempty,quantity"`
	// RateLimit limits requests per client IP.
	RateLimit *RateLimit `json:"rateLimit,omitempty"`
	// ClientIP is preserve (externalTrafficPolicy Local) or distribute (Cluster, default).
	ClientIP string `json:"clientIP,omitempty" validate:"omitempty,oneof=preserve distribute" enum:"preserve,distribute"`
}

// EdgeTLS configures cert-manager.
type EdgeTLS struct {
	// ClusterIssuer is the cert-manager ClusterIssuer that signs edge certificates.
	ClusterIssuer string `json:"clusterIssuer,omitempty" validate:"omitempty,dnssubdomain"`
}

// RateLimit limits request rates.
type RateLimit struct {
	// RequestsPerSecond allowed per client.
	RequestsPerSecond int32 `json:"requestsPerSecond" validate:"range=1:100000"`
}

// ServiceKind distinguishes servers from queue workers.
type ServiceKind string

// Service kinds.
const (
	KindServer ServiceKind = "server"
	KindWorker ServiceKind = "worker"
)

// Protocol is what a server speaks.
type Protocol string

// Protocols.
const (
	ProtocolHTTP      Protocol = "http"
	ProtocolGRPC      Protocol = "grpc"
	ProtocolWebSocket Protocol = "websocket"
)

// Service is one stateless workload.
type Service struct {
	// Name of the service, a DNS label of at most 40 characters.
	Name string `json:"name" validate:"required,dnslabel,max=40"`
	// Kind is server (default: Deployment + Service) or worker (Deployment only).
	Kind ServiceKind `json:"kind,omitempty" validate:"omitempty,oneof=server worker" enum:"server,worker"`
	// Image is the container image reference (registry/repo:tag or @sha256:digest).
	Image string `json:"image" validate:"required,imageref"`
	// Protocol is http (default), grpc or websocket.
	Protocol Protocol `json:"protocol,omitempty" validate:"omitempty,oneof=http grpc websocket" enum:"http,grpc,websocket"`
	// Port the container listens on (default 8080).
	Port int32 `json:"port,omitempty" validate:"omitempty,range=1:65535"`
	// MetricsPort serves Prometheus metrics (default: Port).
	MetricsPort int32 `json:"metricsPort,omitempty" validate:"omitempty,range=1:65535"`
	// Expose routes public traffic to the service.
	Expose *Expose `json:"expose,omitempty"`
	// Resources are the container's requests; limits derive from them.
	Resources *Resources `json:"resources,omitempty"`
	// Health names the probe endpoints.
	Health *Health `json:"health,omitempty"`
	// Replicas is the fixed replica count when Autoscale is not set (default by tier).
	Replicas *int32 `json:"replicas,omitempty" validate:"omitempty,range=1:1000"`
	// Autoscale configures a HorizontalPodAutoscaler.
	Autoscale *Autoscale `json:"autoscale,omitempty"`
	// Canary routes a share of traffic to a second image.
	Canary *Canary `json:"canary,omitempty"`
	// Uses lists the data stores this service connects to.
	Uses []string `json:"uses,omitempty" validate:"omitempty,dive,dnslabel"`
	// Consumes makes the service a consumer of a queue on a broker data store.
	Consumes *Consumes `json:"consumes,omitempty"`
	// Env are plain environment variables (never secrets).
	Env map[string]string `json:"env,omitempty" validate:"omitempty,dive,keys,envname,endkeys"`
	// Secrets maps an environment variable to a secret-store key (key or key/property).
	Secrets map[string]string `json:"secrets,omitempty" validate:"omitempty,dive,keys,envname,endkeys,secretref"`
	// NodePool schedules the service on a pool from spec.nodePools.
	NodePool string `json:"nodePool,omitempty" validate:"omitempty,dnslabel"`
	// Command overrides the image entrypoint.
	Command []string `json:"command,omitempty"`
	// Args overrides the image arguments.
	Args []string `json:"args,omitempty"`
	// RunAsUser is the non-root UID the container runs as (default 65532).
	RunAsUser *int64 `json:"runAsUser,omitempty" validate:"omitempty,range=1:2147483647"`
}

// Expose routes public traffic to a server.
type Expose struct {
	// Host is a DNS label prefixed to the environment's domain.
	Host string `json:"host" validate:"required,dnslabel"`
	// Path is the URL path prefix (default /); for grpc, the service prefix (/pkg.Service).
	Path string `json:"path,omitempty" validate:"omitempty,urlpath"`
}

// Resources are requests for one container.
type Resources struct {
	// CPU request (a quantity such as 250m); the limit is twice the request.
	CPU string `json:"cpu,omitempty" validate:"omitempty,quantity"`
	// Memory request (a quantity such as 256Mi); the limit equals the request.
	Memory string `json:"memory,omitempty" validate:"omitempty,quantity"`
}

// Health names HTTP probe paths (gRPC servers use the gRPC health protocol when unset).
type Health struct {
	// Readiness probe path.
	Readiness string `json:"readiness,omitempty" validate:"omitempty,urlpath"`
	// Liveness probe path.
	Liveness string `json:"liveness,omitempty" validate:"omitempty,urlpath"`
	// Startup probe path.
	Startup string `json:"startup,omitempty" validate:"omitempty,urlpath"`
}

// Autoscale configures a HorizontalPodAutoscaler (autoscaling/v2).
type Autoscale struct {
	// Min replicas.
	Min int32 `json:"min" validate:"range=1:1000"`
	// Max replicas.
	Max int32 `json:"max" validate:"range=1:1000"`
	// CPUPercent is the average CPU utilisation target (default 70 unless another metric is set).
	CPUPercent int32 `json:"cpuPercent,omitempty" validate:"omitempty,range=1:100"`
	// MemoryPercent is the average memory utilisation target.
	MemoryPercent int32 `json:"memoryPercent,omitempty" validate:"omitempty,range=1:100"`
	// RequestsPerSecond per pod, as a Pods metric (http_requests_per_second, served by a metrics adapter).
	RequestsPerSecond int32 `json:"requestsPerSecond,omitempty" validate:"omitempty,gte=1"`
	// QueueDepth per pod, as an External metric on the consumed queue.
	QueueDepth int32 `json:"queueDepth,omitempty" validate:"omitempty,gte=1"`
}

// Canary sends a share of traffic to a second image.
type Canary struct {
	// Weight is the percentage of traffic (1-99) the canary gets.
	Weight int32 `json:"weight" validate:"range=1:99"`
	// Image of the canary.
	Image string `json:"image" validate:"required,imageref"`
}

// Consumes declares a queue the service consumes.
type Consumes struct {
	// Queue is the data store (a broker) the queue lives on.
	Queue string `json:"queue" validate:"required,dnslabel"`
	// DeadLetter declares a dead-letter queue <queue>.dlq for poison messages.
	DeadLetter bool `json:"deadLetter,omitempty"`
}

// DataStoreType is the engine of a data store.
type DataStoreType string

// Data store engines.
const (
	DataPostgres DataStoreType = "postgres"
	DataMySQL    DataStoreType = "mysql"
	DataRedis    DataStoreType = "redis"
	DataRabbitMQ DataStoreType = "rabbitmq"
	DataNATS     DataStoreType = "nats"
	DataKafka    DataStoreType = "kafka"
)

// DataStore is a stateful dependency.
type DataStore struct {
	// Name of the data store, a DNS label of at most 40 characters.
	Name string `json:"name" validate:"required,dnslabel,max=40"`
	// Type is postgres, mysql, redis, rabbitmq, nats or kafka.
	Type DataStoreType `json:"type" validate:"required,oneof=postgres mysql redis rabbitmq nats kafka" enum:"postgres,mysql,redis,rabbitmq,nats,kafka"`
	// Mode is in-cluster (StatefulSet) or managed (a binding to an external endpoint).
	Mode string `json:"mode,omitempty" validate:"omitempty,oneof=in-cluster managed" enum:"in-cluster,managed"`
	// Version of the engine (the image tag for in-cluster stores).
	Version string `json:"version,omitempty" validate:"omitempty,max=64"`
	// Storage is the volume size of in-cluster stores (default 10Gi).
	Storage string `json:"storage,omitempty" validate:"omitempty,quantity"`
	// StorageClass of the volume (default: the cluster default; use an encrypted class).
	StorageClass string `json:"storageClass,omitempty" validate:"omitempty,dnssubdomain"`
	// Endpoint is host:port of a managed store.
	Endpoint string `json:"endpoint,omitempty" validate:"omitempty,hostport"`
	// Backup schedules backups of in-cluster stores.
	Backup *Backup `json:"backup,omitempty"`
	// Resources of in-cluster stores.
	Resources *Resources `json:"resources,omitempty"`
}

// Backup schedules backups.
type Backup struct {
	// Schedule in cron format.
	Schedule string `json:"schedule" validate:"required,cron"`
	// RetentionDays keeps backups this many days.
	RetentionDays int32 `json:"retentionDays,omitempty" validate:"omitempty,range=1:3650"`
}

// Observability configures telemetry.
type Observability struct {
	// Metrics renders ServiceMonitors and alerts (prometheus-operator).
	Metrics bool `json:"metrics,omitempty"`
	// Tracing configures OpenTelemetry.
	Tracing *Tracing `json:"tracing,omitempty"`
	// SLO sets the service level objectives alerts are derived from.
	SLO *SLO `json:"slo,omitempty"`
}

// Tracing configures OpenTelemetry export.
type Tracing struct {
	// SampleRatio of traces kept (0-1).
	SampleRatio float64 `json:"sampleRatio,omitempty" validate:"gte=0,lte=1"`
	// Endpoint of the tracer the collector exports to (host:port).
	Endpoint string `json:"endpoint,omitempty" validate:"omitempty,hostport"`
}

// SLO is a service level objective.
type SLO struct {
	// Availability target in percent, as a string ("99.9").
	Availability string `json:"availability,omitempty" validate:"omitempty,percent"`
	// LatencyP99 target (a duration such as 300ms).
	LatencyP99 string `json:"latencyP99,omitempty" validate:"omitempty,duration"`
}

// CICD configures delivery.
type CICD struct {
	// GitOps is argocd, flux or none (default none).
	GitOps string `json:"gitops,omitempty" validate:"omitempty,oneof=argocd flux none" enum:"argocd,flux,none"`
	// RepoURL is the Git repository holding the rendered tree.
	RepoURL string `json:"repoURL,omitempty" validate:"omitempty,url"`
	// Revision is the branch, tag or commit to deploy (default main).
	Revision string `json:"revision,omitempty" validate:"omitempty,max=255"`
	// Path of the rendered tree inside the repository (default deploy).
	Path string `json:"path,omitempty" validate:"omitempty,relpath"`
}

// NodePool is a group of nodes.
type NodePool struct {
	// Labels select the pool's nodes (default platformctl.dev/node-pool: <name>).
	Labels map[string]string `json:"labels,omitempty"`
	// Spot marks preemptible nodes: only stateless workloads with PDBs go there.
	Spot bool `json:"spot,omitempty"`
	// GPU marks accelerator nodes.
	GPU bool `json:"gpu,omitempty"`
	// Taints on the pool's nodes that its workloads tolerate (default for spot: platformctl.dev/spot=true:NoSchedule).
	Taints []Taint `json:"taints,omitempty" validate:"dive"`
}

// Taint is a node taint.
type Taint struct {
	// Key of the taint.
	Key string `json:"key" validate:"required,labelkey"`
	// Value of the taint.
	Value string `json:"value,omitempty" validate:"omitempty,max=63"`
	// Effect is NoSchedule, PreferNoSchedule or NoExecute.
	Effect string `json:"effect" validate:"required,oneof=NoSchedule PreferNoSchedule NoExecute" enum:"NoSchedule,PreferNoSchedule,NoExecute"`
}

// Team is a group of people owning services.
type Team struct {
	// Name of the team, a DNS label.
	Name string `json:"name" validate:"required,dnslabel,max=40"`
	// Group is the identity-provider group bound to the team's roles.
	Group string `json:"group" validate:"required,max=253"`
	// Services the team owns.
	Services []string `json:"services,omitempty" validate:"omitempty,dive,dnslabel"`
	// Access is view (default) or edit.
	Access string `json:"access,omitempty" validate:"omitempty,oneof=view edit" enum:"view,edit"`
}

// SecretStore configures External Secrets.
type SecretStore struct {
	// Store is the name of the (Cluster)SecretStore (default platform-secrets).
	Store string `json:"store,omitempty" validate:"omitempty,dnssubdomain"`
	// StoreKind is ClusterSecretStore (default) or SecretStore.
	StoreKind string `json:"storeKind,omitempty" validate:"omitempty,oneof=ClusterSecretStore SecretStore" enum:"ClusterSecretStore,SecretStore"`
	// RefreshInterval of ExternalSecrets (default 1h).
	RefreshInterval string `json:"refreshInterval,omitempty" validate:"omitempty,duration"`
}

// Security holds supply-chain settings.
type Security struct {
	// AllowedRegistries restricts image registries (empty: any).
	AllowedRegistries []string `json:"allowedRegistries,omitempty" validate:"omitempty,dive,hostname_port|fqdn"`
}
