package facts

import "github.com/platformctl/platformctl/pkg/lint"

var probeFields = []string{"readinessProbe", "livenessProbe", "startupProbe"}

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
			for _, h := range []string{"httpGet", "tcpSocket", "grpc"} {
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
