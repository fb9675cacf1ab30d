package spec

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Areas are the namespaces every environment gets, in render order.
var Areas = []string{"edge", "apps", "data", "observability", "cicd"}

// Default values documented in docs/spec.md.
const (
	DefaultPort            = 8080
	DefaultRunAsUser       = 65532
	DefaultSecretStore     = "platform-secrets"
	DefaultSecretStoreKind = ClusterSecretStore
	DefaultRefreshInterval = "1h"
	DefaultMaxBodySize     = "8Mi"
	// DefaultTLSMinVersion is the lowest TLS version the edge accepts
	// where the profile sets it (envoy-gateway).
	DefaultTLSMinVersion = "1.2"
	DefaultStorage       = "10Gi"
	// DefaultGRPCMetricsPort is a gRPC server's metrics port.
	DefaultGRPCMetricsPort = 9464
	// DefaultBackupRetentionDays keeps a week of backups.
	DefaultBackupRetentionDays = 7
	DefaultRevision            = "main"
	// DefaultPreviewSecretStore is the ClusterSecretStore previews read.
	DefaultPreviewSecretStore = "preview-secrets"
	DefaultRepoPath           = "deploy"
	NodePoolLabel             = "platformctl.dev/node-pool"
	DefaultCollectorImage     = "docker.io/otel/opentelemetry-collector-contrib:0.115.1"
	SpotTaintKey              = "platformctl.dev/spot"
	// GPUResource is the extended resource (and default taint key) of GPUs.
	GPUResource = "nvidia.com/gpu"
)

// Default fills in every static default in place. Tier-dependent values are
// resolved per environment by Resolve, not here, because one spec renders
// several tiers.
func Default(p *Platform) {
	s := &p.Spec
	for i := range s.Environments {
		e := &s.Environments[i]
		if e.Isolation == "" {
			e.Isolation = defaultIsolation(e.Tier)
		}
	}
	if s.Network.CNI == "" {
		s.Network.CNI = CNIGeneric
	}
	if s.Edge.API == "" {
		s.Edge.API = EdgeGateway
	}
	if s.Edge.ClassName == "" {
		s.Edge.ClassName = "platform"
		if s.Edge.API == EdgeIngressNginx {
			s.Edge.ClassName = "nginx"
		}
	}
	if s.Edge.HSTS == nil {
		t := true
		s.Edge.HSTS = &t
	}
	if s.Edge.MaxBodySize == "" {
		s.Edge.MaxBodySize = DefaultMaxBodySize
	}
	if s.Edge.ClientIP == "" {
		s.Edge.ClientIP = ClientIPDistribute
	}
	if s.Mesh != nil && s.Mesh.Provider == MeshIstio && s.Mesh.Mode == "" {
		s.Mesh.Mode = MeshAmbient
	}
	if s.Edge.API == EdgeGateway && s.Edge.Implementation == "" {
		s.Edge.Implementation = ImplEnvoyGateway
	}
	if s.Edge.Implementation == ImplEnvoyGateway {
		if s.Edge.TLS.MinVersion == "" {
			s.Edge.TLS.MinVersion = DefaultTLSMinVersion
		}
		if s.Edge.ProxyNamespace == "" {
			s.Edge.ProxyNamespace = DefaultProxyNamespace
		}
	}
	for i := range s.Services {
		svc := &s.Services[i]
		if svc.Kind == "" {
			svc.Kind = KindServer
		}
		if svc.Protocol == "" {
			svc.Protocol = ProtocolHTTP
		}
		if svc.Port == 0 {
			svc.Port = DefaultPort
		}
		if svc.MetricsPort == 0 {
			svc.MetricsPort = svc.Port
			// Prometheus scrapes over HTTP/1.1, which a gRPC port does not
			// serve; 9464 is the OpenTelemetry Prometheus exporter's port.
			if svc.Protocol == ProtocolGRPC && svc.Kind != KindWorker {
				svc.MetricsPort = DefaultGRPCMetricsPort
				if svc.Port == DefaultGRPCMetricsPort {
					svc.MetricsPort = DefaultGRPCMetricsPort + 1
				}
			}
		}
		defaultJobs(svc)
		defaultDelivery(svc, s.Observability.Metrics)
		if svc.Expose != nil && svc.Expose.Path == "" {
			svc.Expose.Path = "/"
		}
		if svc.RunAsUser == nil {
			u := int64(DefaultRunAsUser)
			svc.RunAsUser = &u
		}
		if svc.Health == nil {
			svc.Health = &Health{}
		}
		if svc.Protocol != ProtocolGRPC {
			h := svc.Health
			if h.Readiness == "" {
				h.Readiness = "/ready"
			}
			if h.Liveness == "" {
				h.Liveness = "/healthz"
			}
			if h.Startup == "" {
				h.Startup = h.Liveness
			}
		}
	}
	for i := range s.Data {
		ds := &s.Data[i]
		// An omitted mode stays omitted: it depends on the environment
		// (StoreMode).
		if ds.Mode != ModeManaged && ds.Storage == "" {
			ds.Storage = DefaultStorage
		}
		if ds.Version == "" {
			ds.Version = defaultVersions[ds.Type]
		}
		if ds.Mode != ModeManaged && ds.Image == "" {
			ds.Image = DefaultImage(ds)
		}
		if ds.Credentials == "" {
			ds.Credentials = p.Metadata.Name + "/" + ds.Name
		}
		if b := ds.Backup; b != nil {
			if b.RetentionDays == 0 {
				b.RetentionDays = DefaultBackupRetentionDays
			}
			if b.RestoreTestSchedule == "" {
				b.RestoreTestSchedule = restoreTestSchedule(b.Schedule)
			}
			if b.Storage == "" {
				b.Storage = ds.Storage
			}
			if b.StorageClass == "" {
				b.StorageClass = ds.StorageClass
			}
		}
	}
	if l := s.Observability.Logs; l != nil && l.AgentImage == "" {
		l.AgentImage = DefaultLogAgentImage(s)
	}
	if t := s.Observability.Tracing; t != nil && t.CollectorImage == "" {
		t.CollectorImage = DefaultCollectorImage
	}
	if s.Secrets.Store == "" {
		s.Secrets.Store = DefaultSecretStore
	}
	if s.Secrets.StoreKind == "" {
		s.Secrets.StoreKind = DefaultSecretStoreKind
	}
	if s.Secrets.RefreshInterval == "" {
		s.Secrets.RefreshInterval = DefaultRefreshInterval
	}
	if s.CICD.GitOps == "" {
		s.CICD.GitOps = GitOpsNone
	}
	if s.CICD.Revision == "" {
		s.CICD.Revision = DefaultRevision
	}
	if pv := s.Previews; pv != nil {
		if pv.SecretStore == "" {
			pv.SecretStore = DefaultPreviewSecretStore
		}
		if pv.SpecPath == "" {
			pv.SpecPath = "platform.yaml"
		}
		if pv.Quota.CPU == "" {
			pv.Quota.CPU = "4"
		}
		if pv.Quota.Memory == "" {
			pv.Quota.Memory = "8Gi"
		}
		if pv.Quota.Pods == 0 {
			pv.Quota.Pods = 30
		}
	}
	if s.CICD.Path == "" {
		s.CICD.Path = DefaultRepoPath
	}
	for name, np := range s.NodePools {
		if len(np.Labels) == 0 {
			np.Labels = map[string]string{NodePoolLabel: name}
		}
		if np.Spot && len(np.Taints) == 0 {
			np.Taints = []Taint{{Key: SpotTaintKey, Value: "true", Effect: "NoSchedule"}}
		}
		// The taint GPU node groups conventionally carry, so that only
		// pods asking for accelerators land on them.
		if np.GPU && len(np.Taints) == 0 {
			np.Taints = []Taint{{Key: GPUResource, Effect: "NoSchedule"}}
		}
		s.NodePools[name] = np
	}
	for i := range s.Teams {
		if s.Teams[i].Access == "" {
			s.Teams[i].Access = AccessView
		}
	}
}

var defaultVersions = map[DataStoreType]string{
	DataPostgres: "16",
	DataMySQL:    "8.4",
	DataRedis:    "7.4",
	DataRabbitMQ: "3.13",
	DataNATS:     "2.10",
	DataKafka:    "3.8",
	DataFerretDB: "2.7.0",
}

// defaultImages are the engines' official images (Docker Hub library and
// the projects' own registries).
var defaultImages = map[DataStoreType]string{
	DataPostgres: "docker.io/library/postgres",
	DataMySQL:    "docker.io/library/mysql",
	DataRedis:    "docker.io/library/redis",
	DataRabbitMQ: "docker.io/library/rabbitmq",
	DataNATS:     "docker.io/library/nats",
	DataKafka:    "docker.io/apache/kafka",
}

// defaultEngineImages are the engines' images whose tag is not the
// version: a ferretdb store's PostgreSQL is FerretDB's DocumentDB image,
// tagged with its PostgreSQL major (which CloudNativePG reads), the
// DocumentDB release and the FerretDB release it matches.
var defaultEngineImages = map[DataStoreType]string{
	DataFerretDB: "ghcr.io/ferretdb/postgres-documentdb:17-0.107.0-ferretdb-2.7.0",
}

// DefaultFerretDBImage is FerretDB's image, tagged with a version.
const DefaultFerretDBImage = "ghcr.io/ferretdb/ferretdb"

// DefaultImage is the image of a store that names none: its engine's
// official image at its version (default: the engine's default version).
func DefaultImage(ds *DataStore) string {
	if img, ok := defaultEngineImages[ds.Type]; ok {
		return img
	}
	return defaultImages[ds.Type] + ":" + versionOf(ds)
}

// versionOf is ds's version, or its engine's default (before defaults
// have been applied, as the image checks see the spec).
func versionOf(ds *DataStore) string {
	if ds.Version != "" {
		return ds.Version
	}
	return defaultVersions[ds.Type]
}

// ProxyImageOf is a ferretdb store's FerretDB image: its proxyImage, else
// FerretDB's image at the store's version; "" for other engines.
func ProxyImageOf(ds *DataStore) string {
	if ds.Type != DataFerretDB {
		return ""
	}
	if ds.ProxyImage != "" {
		return ds.ProxyImage
	}
	return DefaultFerretDBImage + ":" + versionOf(ds)
}

// DataPorts are the client ports of each engine.
var DataPorts = map[DataStoreType]int32{
	DataPostgres: 5432,
	DataMySQL:    3306,
	DataRedis:    6379,
	DataRabbitMQ: 5672,
	DataNATS:     4222,
	DataKafka:    9092,
	DataFerretDB: 27017,
}

// IsBroker says whether a data store type can hold queues.
func IsBroker(t DataStoreType) bool {
	return t == DataRabbitMQ || t == DataNATS || t == DataKafka || t == DataRedis
}

// Namespace returns the namespace of area in env ("" env means the base).
func Namespace(env *Environment, area string) string {
	if env == nil || env.Isolation != IsolationNamespace {
		return area
	}
	return env.Name + "-" + area
}

// EnvDomain returns env's public DNS zone.
func (p *Platform) EnvDomain(env *Environment) string {
	switch {
	case env == nil:
		return p.Spec.Domain
	case env.Domain != "":
		return env.Domain
	case env.Tier == TierProduction:
		return p.Spec.Domain
	}
	return env.Name + "." + p.Spec.Domain
}

// Service finds a service by name.
func (p *Platform) Service(name string) *Service {
	for i := range p.Spec.Services {
		if p.Spec.Services[i].Name == name {
			return &p.Spec.Services[i]
		}
	}
	return nil
}

// DataStore finds a data store by name.
func (p *Platform) DataStore(name string) *DataStore {
	for i := range p.Spec.Data {
		if p.Spec.Data[i].Name == name {
			return &p.Spec.Data[i]
		}
	}
	return nil
}

// Environment finds an environment by name.
func (p *Platform) Environment(name string) *Environment {
	for i := range p.Spec.Environments {
		if p.Spec.Environments[i].Name == name {
			return &p.Spec.Environments[i]
		}
	}
	return nil
}

// EnvironmentNames lists environments in spec order.
func (p *Platform) EnvironmentNames() []string {
	names := make([]string, len(p.Spec.Environments))
	for i, e := range p.Spec.Environments {
		names[i] = e.Name
	}
	return names
}

// Plan is a service as it runs in one environment: tier defaults and
// overrides applied.
type Plan struct {
	// Replicas is the Deployment's replica count when there is no HPA.
	Replicas int32
	// HPA is nil when the service does not autoscale in this environment.
	HPA *Autoscale
	// MinReplicas is the lowest number of pods that will run (HPA min or Replicas).
	MinReplicas int32
	CPU         string
	Memory      string
	Image       string
	Env         map[string]string
	// PDB says whether a PodDisruptionBudget protects the service.
	PDB bool
	// HardZoneSpread makes zone spread a scheduling requirement.
	HardZoneSpread bool
}

// Resolve computes svc's plan in env; a nil env is the base (production
// defaults without zones or overrides).
func Resolve(svc *Service, env *Environment) Plan {
	tier := TierProduction
	if env != nil {
		tier = env.Tier
	}
	strict := tier == TierProduction || tier == TierStaging
	pl := Plan{Image: svc.Image, Env: map[string]string{}}
	for k, v := range svc.Env {
		pl.Env[k] = v
	}
	pl.CPU, pl.Memory = "100m", "128Mi"
	if strict {
		pl.CPU, pl.Memory = "250m", "256Mi"
	}
	if svc.Resources != nil {
		if svc.Resources.CPU != "" {
			pl.CPU = svc.Resources.CPU
		}
		if svc.Resources.Memory != "" {
			pl.Memory = svc.Resources.Memory
		}
	}
	var hpa *Autoscale
	if svc.Autoscale != nil && strict {
		a := *svc.Autoscale
		hpa = &a
	}
	fixed := int32(1)
	if svc.Replicas != nil {
		fixed = *svc.Replicas
	}
	if !strict {
		fixed = 1
	}
	var ov *ServiceOverride
	if env != nil {
		if o, ok := env.Overrides.Services[svc.Name]; ok {
			ov = &o
		}
	}
	if ov != nil {
		if ov.Replicas != nil {
			if ov.Replicas.Min == ov.Replicas.Max {
				hpa, fixed = nil, ov.Replicas.Min
			} else {
				a := Autoscale{CPUPercent: 70}
				if svc.Autoscale != nil {
					a = *svc.Autoscale
				}
				a.Min, a.Max = ov.Replicas.Min, ov.Replicas.Max
				hpa = &a
			}
		}
		if ov.Resources != nil {
			if ov.Resources.CPU != "" {
				pl.CPU = ov.Resources.CPU
			}
			if ov.Resources.Memory != "" {
				pl.Memory = ov.Resources.Memory
			}
		}
		if ov.Image != "" {
			pl.Image = ov.Image
		}
		for k, v := range ov.Env {
			pl.Env[k] = v
		}
	}
	if strict {
		// Staging and production keep capacity through a node drain;
		// production with three zones also through a zone outage.
		floor := int32(2)
		if tier == TierProduction && env != nil && len(env.Zones) >= 3 {
			floor = 3
		}
		if hpa != nil && hpa.Min < floor {
			hpa.Min = floor
			if hpa.Max < floor {
				hpa.Max = floor
			}
		}
		if hpa == nil && fixed < floor {
			fixed = floor
		}
		pl.HardZoneSpread = tier == TierProduction && env != nil && len(env.Zones) >= 2
	}
	if hpa != nil && hpa.CPUPercent == 0 && hpa.MemoryPercent == 0 && hpa.RequestsPerSecond == 0 && hpa.QueueDepth == 0 {
		hpa.CPUPercent = 70
	}
	pl.HPA = hpa
	pl.Replicas = fixed
	pl.MinReplicas = fixed
	if hpa != nil {
		pl.MinReplicas = hpa.Min
	}
	pl.PDB = pl.MinReplicas >= 2
	return pl
}

// SortedKeys returns m's keys in order, for deterministic output.
func SortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// restoreTestSchedule runs the restore test two hours after a daily backup
// at a fixed time, so it tests the backup just taken; any other schedule
// gets a daily 06:00 test of whatever backup is newest.
func restoreTestSchedule(backup string) string {
	f := strings.Fields(backup)
	if len(f) == 5 {
		m, errM := strconv.Atoi(f[0])
		h, errH := strconv.Atoi(f[1])
		// Past midnight a day-of-month or weekday restriction would
		// shift the test to the wrong day.
		everyDay := f[2] == "*" && f[3] == "*" && f[4] == "*"
		if errM == nil && errH == nil && m >= 0 && m < 60 && h >= 0 && h < 24 && (h+2 < 24 || everyDay) {
			return fmt.Sprintf("%d %d %s %s %s", m, (h+2)%24, f[2], f[3], f[4])
		}
	}
	return "0 6 * * *"
}

// DefaultDeliverySteps are a canary's steps when it names none: a tenth
// of the pods for five minutes (long enough for the 5m error ratio the
// analysis reads to cover the new version), then half for ten.
var DefaultDeliverySteps = []DeliveryStep{{Weight: 10, Pause: "5m"}, {Weight: 50, Pause: "10m"}}

// defaultDelivery fills in a delivery's strategy, a canary's steps and
// whether the SLO analysis runs (when the metrics it reads are recorded).
func defaultDelivery(svc *Service, metrics bool) {
	d := svc.Delivery
	if d == nil {
		return
	}
	if d.Strategy == "" {
		d.Strategy = DeliveryCanary
	}
	if d.Strategy == DeliveryCanary && len(d.Steps) == 0 {
		d.Steps = append([]DeliveryStep(nil), DefaultDeliverySteps...)
	}
	if d.Analysis == nil {
		d.Analysis = &metrics
	}
}
