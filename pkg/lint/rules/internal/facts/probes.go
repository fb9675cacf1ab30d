package facts

import (
	"strings"

	"github.com/platformctl/platformctl/pkg/lint"
)

var (
	probeFields = []string{"readinessProbe", "livenessProbe", "startupProbe"}
	// probeHandlers are the probe handlers with a port.
	probeHandlers = []string{"httpGet", "tcpSocket", "grpc"}
)

// CELProbePorts is ProbePorts in CEL, for PodCEL: true when every probe
// port of every regular and sidecar container passes. pass writes the
// test on the container c and the port's value, an expression that is
// never null; a port ReadPort does not read (null, not a scalar) passes.
func CELProbePorts(pass func(port string) string) string {
	var checks []string
	for _, f := range probeFields {
		for _, h := range probeHandlers {
			handler := "c.?" + f + ".?" + h
			host, port := handler+".?host.orValue('')", handler+".?port.orValue(null)"
			checks = append(checks, "("+host+" != '' && "+host+" != null || "+port+" == null || type("+port+") == map || type("+port+") == list || "+pass(port)+")")
		}
	}
	return "(variables.podSpec.?containers.orValue([]) + variables.podSpec.?initContainers.orValue([]).filter(c, c.?restartPolicy.orValue('') == 'Always'))" +
		".all(c, " + strings.Join(checks, " && ") + ")"
}

// ProbePorts calls fn with every probe port of containers that may have
// probes: regular containers and sidecars.
func ProbePorts(o *lint.Object, fn func(c *lint.Container, probe, path string, ref PortRef)) {
	p := o.Pod()
	if p == nil {
		return
	}
	for ci := range p.Containers() {
		c := &p.Containers()[ci]
		if c.Kind != lint.RegularContainer && !c.Sidecar {
			continue
		}
		for _, f := range probeFields {
			probe := lint.Field(c.Node, f)
			if probe == nil {
				continue
			}
			for _, h := range probeHandlers {
				handler := lint.Field(probe, h)
				if lint.Str(lint.Field(handler, "host")) != "" {
					continue // probes another host: its ports are not this container's
				}
				if ref, ok := ReadPort(lint.Field(handler, "port")); ok {
					fn(c, f, c.Path+"."+f+"."+h+".port", ref)
				}
			}
		}
	}
}
