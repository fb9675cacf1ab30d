package spec

import (
	"fmt"
	"strings"

	"github.com/platformctl/platformctl/pkg/imageref"
)

// DefaultExporterImages are the metrics exporters' images when a store sets
// no exporterImage (RabbitMQ serves its own metrics).
var DefaultExporterImages = map[DataStoreType]string{
	DataPostgres: "quay.io/prometheuscommunity/postgres-exporter:v0.17.1",
	DataMySQL:    "quay.io/prometheus/mysqld-exporter:v0.17.2",
	DataRedis:    "quay.io/oliver006/redis_exporter:v1.74.0",
	DataNATS:     "docker.io/natsio/prometheus-nats-exporter:0.17.3",
	DataKafka:    "docker.io/danielqsj/kafka-exporter:v1.9.0",
}

// OwnMetrics are the engines that serve their metrics themselves, with
// where: no exporter sidecar runs beside them.
var OwnMetrics = map[DataStoreType]string{
	DataRabbitMQ: "RabbitMQ serves its metrics itself (rabbitmq_prometheus)",
	DataFerretDB: "FerretDB serves its metrics itself (/debug/metrics), and CloudNativePG its PostgreSQL's",
}

// ExporterImage is the exporter sidecar image of an in-cluster store, or ""
// when it has none.
func ExporterImage(ds *DataStore) string {
	if ds.ExporterImage != "" {
		return ds.ExporterImage
	}
	return DefaultExporterImages[ds.Type]
}

// DefaultLogAgentImage is the log agent's image when logs.agentImage is
// not set: the tracing collector's, when the spec sets one (one contrib
// image to pin and update), else the contrib distribution.
func DefaultLogAgentImage(s *PlatformSpec) string {
	if t := s.Observability.Tracing; t != nil && t.CollectorImage != "" {
		return t.CollectorImage
	}
	return DefaultCollectorImage
}

// imageUse is one image the rendered platform runs, after defaults.
type imageUse struct {
	path string // the field that sets it, or would
	ref  string
	// defaulted: the spec leaves the field empty and platformctl picks ref.
	defaulted bool
	// production: the image runs in a production-tier environment.
	production bool
}

// imageUses lists every image the spec makes the cluster run, with the
// defaults Default would fill in, so validation judges what is deployed
// rather than only what is written.
func imageUses(p *Platform) []imageUse {
	s := &p.Spec
	var prodEnvs []*Environment
	for i := range s.Environments {
		if s.Environments[i].Tier == TierProduction {
			prodEnvs = append(prodEnvs, &s.Environments[i])
		}
	}
	var out []imageUse
	for i := range s.Services {
		svc := &s.Services[i]
		path := fmt.Sprintf("spec.services[%d]", i)
		// The service's own image runs in production unless every
		// production environment overrides it.
		inProd := false
		for _, e := range prodEnvs {
			if o, ok := e.Overrides.Services[svc.Name]; !ok || o.Image == "" {
				inProd = true
			}
		}
		out = append(out, imageUse{path: path + ".image", ref: svc.Image, production: inProd})
		if svc.Canary != nil {
			out = append(out, imageUse{path: path + ".canary.image", ref: svc.Canary.Image, production: len(prodEnvs) > 0})
		}
		// Sidecars and init containers run in every pod of the service.
		containersOf(i, svc, func(p string, ct *Container) {
			out = append(out, imageUse{path: p + ".image", ref: ct.Image, production: len(prodEnvs) > 0})
		})
	}
	for i := range s.Environments {
		e := &s.Environments[i]
		for _, name := range SortedKeys(e.Overrides.Services) {
			if img := e.Overrides.Services[name].Image; img != "" {
				out = append(out, imageUse{path: fmt.Sprintf("spec.environments[%d].overrides.services[%s].image", i, name),
					ref: img, production: e.Tier == TierProduction})
			}
		}
	}
	for i := range s.Data {
		ds := &s.Data[i]
		if ds.Mode == ModeManaged {
			continue
		}
		path := fmt.Sprintf("spec.data[%d]", i)
		img, defaulted := ds.Image, false
		if img == "" {
			img, defaulted = DefaultImage(ds), true
		}
		out = append(out, imageUse{path: path + ".image", ref: img, defaulted: defaulted, production: len(prodEnvs) > 0})
		if ds.Type == DataFerretDB {
			out = append(out, imageUse{path: path + ".proxyImage", ref: ProxyImageOf(ds), defaulted: ds.ProxyImage == "", production: len(prodEnvs) > 0})
		}
		if _, own := OwnMetrics[ds.Type]; s.Observability.Metrics && !own {
			out = append(out, imageUse{path: path + ".exporterImage", ref: ExporterImage(ds), defaulted: ds.ExporterImage == "",
				production: len(prodEnvs) > 0})
		}
	}
	out = append(out, backupImageUses(p)...)
	if t := s.Observability.Tracing; t != nil {
		img, defaulted := t.CollectorImage, false
		if img == "" {
			img, defaulted = DefaultCollectorImage, true
		}
		out = append(out, imageUse{path: "spec.observability.tracing.collectorImage", ref: img, defaulted: defaulted, production: len(prodEnvs) > 0})
	}
	if l := s.Observability.Logs; l != nil {
		img, defaulted := l.AgentImage, false
		if img == "" {
			img, defaulted = DefaultLogAgentImage(s), true
		}
		out = append(out, imageUse{path: "spec.observability.logs.agentImage", ref: img, defaulted: defaulted, production: len(prodEnvs) > 0})
	}
	return out
}

// checkImageSupplyChain applies the platform's image policy to every image
// it runs: registries from security.allowedRegistries only, and digests in
// production, where a tag can be moved under a running service. It reports
// with the messages of its row in Rules (imageSupplyChain).
func checkImageSupplyChain(p *Platform, report reportFunc) {
	allowed := p.Spec.Security.AllowedRegistries
	for _, u := range imageUses(p) {
		if !imageRefRE().MatchString(u.ref) {
			continue // reported by the field rule
		}
		what := fmt.Sprintf("%q", u.ref)
		if u.defaulted {
			what = fmt.Sprintf("the default image %q", u.ref)
		}
		ref := imageref.Parse(u.ref)
		// The same test lint's untrusted-registry applies to the
		// platformctl.dev/allowed-registries annotation written from this
		// list, so what validates also lints clean.
		if len(allowed) > 0 && !imageref.Allowed(ref, allowed) {
			report(u.path, 1, what, ref.Registry, strings.Join(allowed, ", "))
		}
		// A missing or latest tag is reported by imagesPinned already.
		if u.production && !ref.Pinned() && ref.Tag != "" && ref.Tag != "latest" {
			report(u.path, 0, what, u.ref, u.ref)
		}
	}
}

// backupImageUses lists the backup tools' images of every backup storage
// that some environment uses: the uploader where an in-cluster store is
// backed up, kubectl where an operator-managed one is restore-tested.
func backupImageUses(p *Platform) []imageUse {
	s := &p.Spec
	type key struct{ path, field string }
	prod := map[key]bool{}
	var order []key
	images := map[key]imageUse{}
	for i := range s.Environments {
		e := &s.Environments[i]
		b, path := e.BackupStorage, fmt.Sprintf("spec.environments[%d].backupStorage", i)
		if b == nil {
			b, path = s.BackupStorage, "spec.backupStorage"
		}
		if b == nil {
			continue
		}
		for j := range s.Data {
			ds := &s.Data[j]
			if ds.Backup == nil || !BackupSupported(ds.Type) {
				continue
			}
			var k key
			var u imageUse
			switch StoreMode(ds, e) {
			case ModeInCluster:
				k = key{path, "uploaderImage"}
				u = imageUse{ref: b.Uploader(), defaulted: b.UploaderImage == ""}
			case ModeOperator:
				k = key{path, "kubectlImage"}
				u = imageUse{ref: b.Kubectl(), defaulted: b.KubectlImage == ""}
			default:
				continue
			}
			if _, seen := images[k]; !seen {
				order = append(order, k)
			}
			u.path = k.path + "." + k.field
			images[k] = u
			prod[k] = prod[k] || e.Tier == TierProduction
		}
	}
	out := make([]imageUse, 0, len(order))
	for _, k := range order {
		u := images[k]
		u.production = prod[k]
		out = append(out, u)
	}
	return out
}
