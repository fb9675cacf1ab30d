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
	k := skeleton{
		name: svc.Name, platform: p.Metadata.Name, worker: worker, cronJob: svc.Kind == spec.KindCronJob,
		schedule: svc.Schedule, timeZone: svc.TimeZone, deadline: svc.Deadline,
		concurrency: map[spec.ConcurrencyPolicy]string{
			spec.ConcurrencyForbid: "a run due while the last one still runs is skipped", spec.ConcurrencyReplace: "a run due while the last one still runs replaces it",
			spec.ConcurrencyAllow: "runs may overlap",
		}[svc.Concurrency],
		backoffLimit: backoffLimit, protocol: string(svc.Protocol), uid: *svc.RunAsUser,
		ports: ports, probePort: probePort,
		grpcHealth: svc.Protocol == spec.ProtocolGRPC && svc.Health.Readiness == "",
		health:     svc.Health, uses: uses, expose: expose, image: buildTag(svc.Image),
	}
	return map[string][]byte{Dockerfile: k.dockerfile(), SkeletonDocs: k.readme()}, nil
}

// skeleton is what the starter files say. They are written by Go code, not
// text/template: executing a template reaches reflect.Value.MethodByName,
// which keeps every exported method of every type in the binary.
type skeleton struct {
	name, platform, schedule, timeZone, deadline, concurrency, protocol, expose, image string
	worker, cronJob, grpcHealth                                                        bool
	backoffLimit, probePort                                                            int32
	uid                                                                                int64
	ports                                                                              []skeletonPort
	health                                                                             *spec.Health
	uses                                                                               []string
}

func (k *skeleton) dockerfile() []byte {
	var b strings.Builder
	w := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	w(`# syntax=docker/dockerfile:1
# Starter image for the %[1]s service, written by platformctl new service --with-skeleton.
#
# The platform runs it as UID %[2]d (non-root), with a read-only root
# filesystem and only /tmp writable (a 64Mi emptyDir), so the image must not
# need to write anywhere else at runtime. The build stage compiles a Go
# program; replace it for another language and keep the final stage's rules.

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum* ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/%[1]s .

# distroless/static: no shell, no package manager, nothing to patch at runtime.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/%[1]s /usr/local/bin/%[1]s
# Numeric, so Kubernetes can verify runAsNonRoot without reading /etc/passwd.
USER %[2]d:%[2]d
ENV TMPDIR=/tmp
`, k.name, k.uid)
	for _, p := range k.ports {
		w("EXPOSE %d\n", p.Number)
	}
	w("ENTRYPOINT [\"/usr/local/bin/%s\"]\n", k.name)
	return []byte(b.String())
}

func (k *skeleton) readme() []byte {
	var b strings.Builder
	w := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	what := k.protocol + " service"
	switch {
	case k.cronJob:
		what = "scheduled job"
	case k.worker:
		what = "worker"
	}
	w("# %[1]s\n\nStarter for the `%[1]s` %[2]s of the `%[3]s` platform, written by\n", k.name, what, k.platform)
	w("`platformctl new service --with-skeleton`. This is what the platform spec expects of the container;\n")
	w("`platformctl render` generates the Kubernetes objects from it.\n")
	if k.cronJob {
		w("\n## Schedule\n\nA CronJob runs the container at `%s` (%s); %s. Exit 0 when the run\n", k.schedule, k.timeZone, k.concurrency)
		w("succeeded; a non-zero exit fails it, and it is retried %d times in a new pod. A run still going after\n", k.backoffLimit)
		w("%s is stopped and fails. It listens on no port and is not probed: the exit code is its health.\n", k.deadline)
	} else {
		w("\n## Ports\n\n| Port | Name | Serves |\n|------|------|--------|\n")
		for _, p := range k.ports {
			w("| %d | `%s` | %s |\n", p.Number, p.Name, p.Serves)
		}
		w("\n## Health endpoints\n")
		if k.grpcHealth {
			w("\nThe service implements the gRPC health checking protocol (`grpc.health.v1.Health/Check`) on port %d:\n\n", k.probePort)
			w("- readiness: gRPC health check; answer `SERVING` only when the service can handle requests.\n")
			w("- liveness: a TCP connection to port %d; a dependency outage takes the pod out of rotation without restarting it.\n", k.probePort)
			w("- startup: gRPC health check, for up to 2 minutes after start.\n")
			w("\nSet paths under `health:` in the spec to probe over HTTP instead.\n")
		} else {
			w("\nHTTP `GET` on port %d; any 2xx or 3xx status is healthy:\n\n| Probe | Path | Meaning |\n|-------|------|---------|\n", k.probePort)
			if k.health.Readiness != "" {
				ready := "traffic"
				if k.worker {
					ready = "work"
				}
				w("| readiness | `%s` | ready for %s; fail while dependencies are unavailable |\n", k.health.Readiness, ready)
			}
			if k.health.Liveness != "" {
				w("| liveness | `%s` | the process works; failing restarts the container |\n", k.health.Liveness)
			}
			if k.health.Startup != "" {
				w("| startup | `%s` | started; polled every 2 s for up to 2 minutes before the other probes begin |\n", k.health.Startup)
			}
			w("\nChange the paths under `health:` in the spec if the service uses others.\n")
		}
	}
	w("\n## Runtime contract\n\n- Runs as UID %d with all capabilities dropped and a read-only root filesystem; write\n  temporary files to `/tmp` only (64Mi).\n", k.uid)
	if k.cronJob {
		w("- On `SIGTERM` (the deadline passed, or the node drains), stop: the pod gets 30 seconds before it is killed,\n  and the run counts as failed.\n")
	} else {
		w("- On `SIGTERM`, stop accepting new work and finish in-flight requests: the pod gets 30 seconds after a\n  5-second pre-stop pause.\n")
	}
	w("- Configuration comes from environment variables (`env:` in the spec); secrets (`secrets:`) arrive as\n  files under `/var/run/secrets/platformctl/`, each named by `<NAME>_FILE`.\n")
	if len(k.uses) > 0 {
		w("- Data stores are bound as files under `$SERVICE_BINDING_ROOT/<store>/` (`host`, `port`, `username`, `password`, …), with\n  environment variables per store:\n")
		for _, u := range k.uses {
			e := strings.ToUpper(strings.ReplaceAll(u, "-", "_"))
			w("  - `%[1]s`: `%[2]s_HOST`, `%[2]s_PORT`, `%[2]s_USERNAME_FILE`, `%[2]s_PASSWORD_FILE`\n", u, e)
		}
	}
	if k.expose != "" {
		w("- Public at `https://%s` in production.\n", k.expose)
	}
	w("\n## Build\n\n```sh\ndocker build -t %s .\n```\n", k.image)
	return []byte(b.String())
}

// buildTag is image without its digest: what docker build -t accepts.
func buildTag(image string) string {
	if i := strings.Index(image, "@"); i >= 0 {
		return image[:i]
	}
	return image
}
