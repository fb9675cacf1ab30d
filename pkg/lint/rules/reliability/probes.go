package reliability

import (
	"fmt"

	yaml "go.yaml.in/yaml/v3"

	"github.com/platformctl/platformctl/pkg/lint"
	"github.com/platformctl/platformctl/pkg/lint/rules/internal/facts"
)

const docsProbes = "https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/"

// probeCheck runs fn on the regular containers of long-running workloads:
// init containers run to completion, Jobs finish, and neither serves.
func probeCheck(fn func(o *lint.Object, c *lint.Container, r *lint.Reporter)) func(*lint.Object, *lint.Context, *lint.Reporter) {
	return func(o *lint.Object, _ *lint.Context, r *lint.Reporter) {
		p := o.Pod()
		if !facts.LongRunning(o, p) {
			return
		}
		for ci := range p.Containers() {
			c := &p.Containers()[ci]
			if c.Kind == lint.RegularContainer {
				fn(o, c, r)
			}
		}
	}
}

func missingReadinessProbe() lint.Rule {
	return lint.Rule{
		ID: "missing-readiness-probe", Title: "Container without a readiness probe", Category: lint.CategoryReliability, Severity: lint.Warning,
		Description: "Without a readiness probe a container counts as ready the moment its process starts. Services send it traffic before it has loaded its config or warmed up, " +
			"keep sending traffic while it is overloaded or shutting down, and a rolling update replaces healthy pods with broken ones without stopping, because nothing tells the Deployment the new pods do not work. " +
			"Jobs, CronJobs, run-to-completion Pods and init containers are not checked.",
		Remediation: "Add a readinessProbe that succeeds only when the container can serve (an HTTP /ready endpoint, a gRPC health check), and does not depend on downstream services.",
		References:  []string{docsProbes, "kube-score pod-probes", "kube-linter no-readiness-probe"},
		CEL:         celProbe("readinessProbe", "a container has no readinessProbe"),
		Check: probeCheck(func(o *lint.Object, c *lint.Container, r *lint.Reporter) {
			if lint.Field(c.Node, "readinessProbe") == nil {
				r.Report(o, c.Path+".readinessProbe", "container %q has no readinessProbe", c.Name)
			}
		}),
	}
}

func missingLivenessProbe() lint.Rule {
	return lint.Rule{
		ID: "missing-liveness-probe", Title: "Container without a liveness probe", Category: lint.CategoryReliability, Severity: lint.Info,
		Description: "Without a liveness probe a container that deadlocks or hangs without exiting is never restarted: it keeps its slot, does no work, and needs a human to notice. " +
			"Informational because a bad liveness probe is worse than none — one that checks dependencies or times out under load restarts healthy containers and turns a slowdown into an outage. " +
			"Add one when the process can wedge; keep it cheap and local.",
		Remediation: "Add a livenessProbe on a cheap local endpoint (/healthz) with a generous failureThreshold, and a startupProbe for slow starters; never reuse the readiness check.",
		References:  []string{docsProbes, "kube-score pod-probes", "kube-linter no-liveness-probe"},
		CEL:         celProbe("livenessProbe", "a container has no livenessProbe"),
		Check: probeCheck(func(o *lint.Object, c *lint.Container, r *lint.Reporter) {
			if lint.Field(c.Node, "livenessProbe") == nil {
				r.Report(o, c.Path+".livenessProbe", "container %q has no livenessProbe", c.Name)
			}
		}),
	}
}

func identicalProbes() lint.Rule {
	return lint.Rule{
		ID: "identical-probes", Title: "Liveness probe identical to readiness probe", Category: lint.CategoryReliability, Severity: lint.Warning,
		Description: "The liveness and readiness probes of a container run the same check (same HTTP path and port, TCP port, gRPC port and service, or command). " +
			"When the check fails because the container is overloaded or a dependency is slow, readiness should take it out of rotation so it can recover; " +
			"an identical liveness probe restarts it instead, and the remaining pods get its load and fail the same way — a cascading outage. Timing differences do not help: the same check fails in both.",
		Remediation: "Point liveness at a cheap endpoint that only says the process is not wedged (/healthz, or a distinct gRPC health service name), or drop the livenessProbe.",
		References:  []string{docsProbes, "kube-score pod-probes"},
		Check: probeCheck(func(o *lint.Object, c *lint.Container, r *lint.Reporter) {
			ready, live := lint.Field(c.Node, "readinessProbe"), lint.Field(c.Node, "livenessProbe")
			if ready == nil || live == nil {
				return
			}
			ports := facts.ContainerPorts(c.Node)
			a, b := probeHandler(ready, ports), probeHandler(live, ports)
			if a != "" && a == b {
				r.Report(o, c.Path+".livenessProbe", "container %q: livenessProbe runs the same check as readinessProbe (%s)", c.Name, a)
			}
		}),
	}
}

// probeHandler describes what a probe checks, with named ports resolved so
// "port: http" and "port: 8080" compare equal; "" for an unknown handler.
func probeHandler(p *yaml.Node, ports []facts.PortRef) string {
	port := func(n *yaml.Node) string {
		ref, _ := facts.ReadPort(n)
		if ref.Name != "" {
			for _, cp := range ports {
				if cp.Name == ref.Name {
					return fmt.Sprint(cp.Num)
				}
			}
		}
		return ref.String()
	}
	switch {
	case lint.Field(p, "httpGet") != nil:
		h := lint.Field(p, "httpGet")
		path := lint.Str(lint.Field(h, "path"))
		if path == "" {
			path = "/"
		}
		return fmt.Sprintf("HTTP GET %s on port %s%s", path, port(lint.Field(h, "port")), suffix(" host ", lint.Str(lint.Field(h, "host"))))
	case lint.Field(p, "tcpSocket") != nil:
		return "TCP port " + port(lint.Field(lint.Field(p, "tcpSocket"), "port"))
	case lint.Field(p, "grpc") != nil:
		g := lint.Field(p, "grpc")
		return fmt.Sprintf("gRPC health on port %s%s", port(lint.Field(g, "port")), suffix(" service ", lint.Str(lint.Field(g, "service"))))
	case lint.Field(p, "exec") != nil:
		return fmt.Sprintf("exec %q", lint.Strings(lint.Field(lint.Field(p, "exec"), "command")))
	}
	return ""
}

func suffix(label, v string) string {
	if v == "" {
		return ""
	}
	return label + v
}

func probeNamedPortMissing() lint.Rule {
	return lint.Rule{
		ID: "probe-named-port-missing", Title: "Probe on a named port the container does not have", Category: lint.CategoryReliability, Severity: lint.Error,
		Description: "A probe names a port (port: http) that is not among the container's ports. The kubelet resolves probe port names against the probed container's own ports only, " +
			"so the probe can never succeed: a readiness probe keeps the pod out of every Service forever, a liveness or startup probe restarts the container in a loop.",
		Remediation: "Add the named port to the container's ports, or fix the name in the probe (names are case-sensitive).",
		References:  []string{docsProbes, "kube-linter liveness-port / readiness-port / startup-port"},
		CEL: lint.PodCEL(facts.CELProbePorts(func(port string) string {
			return celPortNumber(port) + " || " + celPortName(port) + " == '' || c.?ports.orValue([]).exists(p, p.?name.orValue('') == " + celPortName(port) + ")"
		}), "a probe uses a port name the container does not have"),
		Check: func(o *lint.Object, _ *lint.Context, r *lint.Reporter) {
			facts.ProbePorts(o, func(c *lint.Container, probe, path string, ref facts.PortRef) {
				if ref.Name == "" {
					return
				}
				ports := facts.ContainerPorts(c.Node)
				for _, p := range ports {
					if p.Name == ref.Name {
						return
					}
				}
				if len(ports) == 0 {
					r.Report(o, path, "%s of container %q uses port %q, but the container declares no ports", probe, c.Name, ref.Name)
					return
				}
				r.Report(o, path, "%s of container %q uses port %q, which is not a port name of the container (it has %s)", probe, c.Name, ref.Name, facts.JoinPorts(ports))
			})
		},
	}
}

func probePortNotDeclared() lint.Rule {
	return lint.Rule{
		ID: "probe-port-not-declared", Title: "Probe on a port the container does not declare", Category: lint.CategoryReliability, Severity: lint.Warning,
		Description: "A probe checks a port number that is not among the ports the container declares, although it declares some. Declared ports are informational, so this can work, " +
			"but usually the probe or the ports list is stale after a port change, and the probe then fails forever: readiness keeps the pod out of its Services, liveness restarts it in a loop. " +
			"Containers that declare no ports are not judged.",
		Remediation: "Probe a declared port (preferably by name: port: http), or declare the port the probe uses.",
		References:  []string{docsProbes, "kube-linter liveness-port / readiness-port / startup-port"},
		CEL: lint.PodCEL(facts.CELProbePorts(func(port string) string {
			return "!(" + celPortNumber(port) + " || " + celPortName(port) + " == '') || c.?ports.orValue([]).size() == 0 || c.ports.exists(p, (type(p.?containerPort.orValue(null)) == int ? p.containerPort : 0) == (type(" + port + ") == int ? " + port + " : 0))"
		}), "a probe checks a port the container does not declare"),
		Check: func(o *lint.Object, _ *lint.Context, r *lint.Reporter) {
			facts.ProbePorts(o, func(c *lint.Container, probe, path string, ref facts.PortRef) {
				if ref.Name != "" {
					return
				}
				ports := facts.ContainerPorts(c.Node)
				if len(ports) == 0 {
					return
				}
				for _, p := range ports {
					if p.Num == ref.Num {
						return
					}
				}
				r.Report(o, path, "%s of container %q checks port %d, which the container does not declare (it declares %s)", probe, c.Name, ref.Num, facts.JoinPorts(ports))
			})
		},
	}
}
