package security

import (
	"fmt"
	"sort"

	yaml "go.yaml.in/yaml/v3"

	"github.com/platformctl/platformctl/pkg/lint"
)

// meshRules are the service-mesh rules: the mTLS a mesh's policy objects
// ask for.
func meshRules() []lint.Rule {
	return []lint.Rule{peerAuthenticationNotStrict()}
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
