package security

import (
	"fmt"
	"sort"

	yaml "go.yaml.in/yaml/v3"

	"github.com/platformctl/platformctl/pkg/lint"
	"github.com/platformctl/platformctl/pkg/lint/rules/internal/facts"
	"github.com/platformctl/platformctl/pkg/mesh"
)

// meshRules are the service-mesh rules: the mTLS a mesh's policy objects
// ask for.
func meshRules() []lint.Rule {
	return []lint.Rule{peerAuthenticationNotStrict(), meshPlaintextAccepted()}
}

// peerAuthenticationNotStrict flags an Istio PeerAuthentication that lets
// plaintext in: mode PERMISSIVE accepts both mTLS and plaintext, DISABLE
// plaintext only, for the whole selection or for one port
// (portLevelMtls). Either undoes what meshing the namespace was for: any
// pod that can reach the port can talk to it without a workload identity.
func peerAuthenticationNotStrict() lint.Rule {
	return lint.Rule{
		ID: "peer-authentication-not-strict", Title: "PeerAuthentication accepts plaintext", Category: lint.CategorySecurity, Severity: lint.Warning,
		Description: "An Istio PeerAuthentication with mtls.mode PERMISSIVE or DISABLE (for the selection or one of its portLevelMtls ports) accepts plaintext " +
			"connections, so a pod without a mesh identity reaches the workload and authorization policies on principals see no peer.",
		Remediation: "Set spec.mtls.mode: STRICT (and drop PERMISSIVE/DISABLE port overrides) once every client is in the mesh; keep PERMISSIVE only for a migration, with an ignore and its reason.",
		References:  []string{"https://istio.io/latest/docs/reference/config/security/peer_authentication/", "https://istio.io/latest/docs/tasks/security/authentication/mtls-migration/"},
		Check: func(o *lint.Object, _ *lint.Context, r *lint.Reporter) {
			if o.Kind != "PeerAuthentication" || o.Group() != "security.istio.io" {
				return
			}
			if mode := lint.Str(lint.Get(o.Root, "spec", "mtls", "mode")); plaintext(mode) {
				r.Report(o, "spec.mtls.mode", "PeerAuthentication %q has mtls mode %s, which accepts plaintext; use STRICT", o.Name, mode)
			}
			ports := lint.Get(o.Root, "spec", "portLevelMtls")
			if ports == nil || ports.Kind != yaml.MappingNode {
				return
			}
			var keys []string
			modes := map[string]string{}
			for i := 0; i+1 < len(ports.Content); i += 2 {
				k := ports.Content[i].Value
				keys = append(keys, k)
				modes[k] = lint.Str(lint.Field(ports.Content[i+1], "mode"))
			}
			sort.Strings(keys)
			for _, k := range keys {
				if plaintext(modes[k]) {
					r.Report(o, fmt.Sprintf("spec.portLevelMtls.%s.mode", k), "PeerAuthentication %q has mtls mode %s on port %s, which accepts plaintext; use STRICT", o.Name, modes[k], k)
				}
			}
		},
	}
}

// plaintext says whether an mTLS mode admits plaintext connections.
// UNSET (or no mode) inherits the parent's, judged where it is set.
func plaintext(mode string) bool { return mode == "PERMISSIVE" || mode == "DISABLE" }

func meshPlaintextAccepted() lint.Rule {
	return lint.Rule{
		ID: "mesh-mtls-not-required", Title: "Meshed namespace accepts plaintext", Category: lint.CategorySecurity, Severity: lint.Warning,
		Description: "A namespace enrolled in a mesh is not yet protected by it: both meshes accept plaintext by default, so a pod outside the mesh still reaches the namespace's pods without a workload identity. " +
			"Istio (label " + mesh.LabelIstioDataplaneMode + ": " + mesh.Ambient + "): no PeerAuthentication of the input with mtls.mode STRICT and no selector in the namespace or in istio-system (the mesh-wide one); " +
			"linkerd (annotation " + mesh.AnnotationLinkerdInject + ": enabled): the annotation " + mesh.AnnotationLinkerdInboundPolicy + " is unset (the cluster default, all-unauthenticated unless installed otherwise) or admits unauthenticated clients.",
		Remediation: "Istio: add a PeerAuthentication named default with spec.mtls.mode: STRICT to the namespace. linkerd: annotate the namespace " + mesh.AnnotationLinkerdInboundPolicy + ": " + mesh.LinkerdAuthenticated + ".",
		References:  []string{"https://istio.io/latest/docs/reference/config/security/peer_authentication/", "https://linkerd.io/2-edge/reference/authorization-policy/"},
		CheckSet: func(s *lint.Set, _ *lint.Context, r *lint.Reporter) {
			strict := map[string]bool{}
			for _, pa := range s.OfKind("PeerAuthentication") {
				if pa.Group() == "security.istio.io" && lint.Get(pa.Root, "spec", "selector") == nil && lint.Str(lint.Get(pa.Root, "spec", "mtls", "mode")) == "STRICT" {
					strict[pa.Namespace] = true
				}
			}
			meshed := facts.MeshedNamespaces(s)
			for _, name := range facts.SortedKeys(meshed) {
				m := meshed[name]
				switch {
				case m.Port == mesh.HBONEPort && !strict[name] && !strict["istio-system"]:
					r.Report(m.Obj, "metadata.labels."+mesh.LabelIstioDataplaneMode, "namespace %s is in Istio's ambient mesh, but no STRICT PeerAuthentication covers it: its pods accept plaintext", name)
				case m.Port == mesh.LinkerdInboundPort:
					switch policy := lint.Str(lint.Get(m.Obj.Root, "metadata", "annotations", mesh.AnnotationLinkerdInboundPolicy)); policy {
					case mesh.LinkerdAuthenticated, "cluster-authenticated", "deny":
					default:
						r.Report(m.Obj, "metadata.annotations", "namespace %s is meshed by linkerd, but its default inbound policy (%s) admits unauthenticated clients", name, orCluster(policy))
					}
				}
			}
		},
	}
}

func orCluster(policy string) string {
	if policy == "" {
		return "unset: the cluster's default"
	}
	return policy
}
