package spec

import (
	"fmt"
	"strings"
)

// MeshAreas are the namespaces a mesh enrols: where the platform's
// workloads call each other (apps ↔ data) and where Prometheus and the
// collectors that reach into them run. The edge namespace holds Gateway
// objects (the proxies join through the edge profile, see
// MeshEdgeProfiles) and cicd only GitOps objects.
var MeshAreas = []string{"apps", "data", "observability"}

// InMesh says whether area's namespace joins s's mesh.
func InMesh(s *PlatformSpec, area string) bool {
	return s.Mesh != nil && has(MeshAreas, area)
}

// MeshEdgeProfiles are, per mesh, the edge profiles whose proxies join it
// and so may reach services that accept mutual TLS only: Envoy Gateway's
// through the pod labels or annotations of its EnvoyProxy, Istio's
// gateways natively.
var MeshEdgeProfiles = map[MeshProvider][]string{
	MeshIstio:   {string(ImplEnvoyGateway), string(ImplIstio)},
	MeshLinkerd: {string(ImplEnvoyGateway)},
}

func meshRules() []Rule {
	var table []string
	for _, m := range []MeshProvider{MeshIstio, MeshLinkerd} {
		table = append(table, fmt.Sprintf("%s: %s", m, strings.Join(MeshEdgeProfiles[m], ", ")))
	}
	return []Rule{
		{
			At:     []string{"spec.mesh.mode"},
			Doc:    "`mesh.mode` is for `provider: istio`: linkerd has one mode, its proxy sidecar.",
			Msgs:   []string{"linkerd has one mode, its proxy sidecar: remove mode"},
			check:  meshModeIstio,
			Schema: whySibling,
		},
		{
			At: []string{"spec.mesh"},
			Doc: "With exposed services, the edge's proxies join the mesh, or they could not reach services that accept mutual TLS only; the edge profiles each mesh admits (" +
				strings.Join(table, "; ") + "). ingress-nginx and `generic` are outside any mesh.",
			Msgs:   []string{"the edge proxies of %s cannot join %s, and %s accepts mutual TLS only: set edge.implementation to %s (with edge.api: gateway), or remove mesh"},
			check:  meshEdgeJoins,
			Schema: "depends on edge.api, edge.implementation and whether any service is exposed, which the field tags do not say",
		},
	}
}

func meshModeIstio(c *checkContext, report reportFunc) {
	if m := c.s.Mesh; m != nil && m.Provider == MeshLinkerd && m.Mode != "" {
		report("spec.mesh.mode", 0)
	}
}

func meshEdgeJoins(c *checkContext, report reportFunc) {
	m := c.s.Mesh
	if m == nil {
		return
	}
	profiles, known := MeshEdgeProfiles[m.Provider]
	if !known {
		return // reported by the field's enum
	}
	profile := EdgeProfile(c.s)
	if has(profiles, profile) {
		return
	}
	for i, svc := range c.s.Services {
		if svc.Expose != nil {
			report("spec.mesh", 0, ProfileField(profile), m.Provider, fmt.Sprintf("spec.services[%d] (%s)", i, svc.Name), strings.Join(profiles, " or "))
			return
		}
	}
}
