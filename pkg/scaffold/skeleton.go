package scaffold

import (
	"fmt"
	"strings"

	"github.com/platformctl/platformctl/pkg/generate"
	"github.com/platformctl/platformctl/pkg/spec"
)

// Skeleton file names.
const (
	Dockerfile   = "Dockerfile"
	SkeletonDocs = "README.md"
)

type skeletonPort struct {
	Number int32
	Name   string
	Serves string
}

// Skeleton returns a starter Dockerfile and README for service name of p,
// which must be validated and defaulted: the README lists the ports and
// health endpoints the rendered Deployment probes, and the Dockerfile runs as
// the UID the pod runs as.
func Skeleton(p *spec.Platform, name string) (map[string][]byte, error) {
	var svc *spec.Service
	for i := range p.Spec.Services {
		if p.Spec.Services[i].Name == name {
			svc = &p.Spec.Services[i]
		}
	}
	if svc == nil {
		return nil, fmt.Errorf("no service named %q", name)
	}
	worker := svc.Kind == spec.KindWorker
	var ports []skeletonPort
	probePort := svc.Port
	switch {
	case svc.Kind == spec.KindCronJob:
		// No port: the Dockerfile exposes none and the README has none to list.
	case worker:
		probePort = svc.MetricsPort
		ports = append(ports, skeletonPort{svc.MetricsPort, "metrics", "Prometheus metrics (`GET /metrics`) and the health endpoints (a worker has no Service)"})
	default:
		serves := map[spec.Protocol]string{
			spec.ProtocolHTTP:      "HTTP requests and the health endpoints",
			spec.ProtocolGRPC:      "gRPC (HTTP/2 cleartext) and the gRPC health service",
			spec.ProtocolWebSocket: "HTTP and WebSocket upgrades, and the health endpoints",
		}[svc.Protocol]
		if svc.MetricsPort == svc.Port {
			serves += "; Prometheus metrics (`GET /metrics`)"
		}
		ports = append(ports, skeletonPort{svc.Port, generate.PortName(svc), serves})
		if svc.MetricsPort != svc.Port {
			ports = append(ports, skeletonPort{svc.MetricsPort, "metrics", "Prometheus metrics (`GET /metrics`)"})
		}
	}
	uses := append([]string(nil), svc.Uses...)
	if svc.Consumes != nil {
		uses = append(uses, svc.Consumes.Queue)
	}
	expose := ""
	if svc.Expose != nil && !worker {
		domain := p.Spec.Domain
		for i := range p.Spec.Environments {
			if e := &p.Spec.Environments[i]; e.Tier == spec.TierProduction {
				domain = p.EnvDomain(e)
				break
			}
		}
		expose = svc.Expose.Host + "." + domain + svc.Expose.Path
	}
	backoffLimit := int32(0)
	if svc.BackoffLimit != nil {
		backoffLimit = *svc.BackoffLimit
	}
	data := map[string]any{
		"Name":     svc.Name,
		"Platform": p.Metadata.Name,
		"Worker":   worker,
		"CronJob":  svc.Kind == spec.KindCronJob,
		"Schedule": svc.Schedule,
		"TimeZone": svc.TimeZone,
		"Deadline": svc.Deadline,
		"Concurrency": map[spec.ConcurrencyPolicy]string{
			spec.ConcurrencyForbid: "a run due while the last one still runs is skipped", spec.ConcurrencyReplace: "a run due while the last one still runs replaces it",
			spec.ConcurrencyAllow: "runs may overlap",
		}[svc.Concurrency],
		"BackoffLimit": backoffLimit,
		"Protocol":     string(svc.Protocol),
		"UID":          *svc.RunAsUser,
		"Ports":        ports,
		"ProbePort":    probePort,
		"GRPCHealth":   svc.Protocol == spec.ProtocolGRPC && svc.Health.Readiness == "",
		"Health":       svc.Health,
		"Uses":         uses,
		"Expose":       expose,
		"Image":        buildTag(svc.Image),
	}
	files := map[string][]byte{}
	for file, tmpl := range map[string]string{Dockerfile: "skeleton/Dockerfile.tmpl", SkeletonDocs: "skeleton/README.md.tmpl"} {
		b, err := execute(tmpl, data)
		if err != nil {
			return nil, err
		}
		files[file] = b
	}
	return files, nil
}

// buildTag is image without its digest: what docker build -t accepts.
func buildTag(image string) string {
	if i := strings.Index(image, "@"); i >= 0 {
		return image[:i]
	}
	return image
}
