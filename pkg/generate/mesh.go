package generate

import (
	"slices"
	"strconv"
	"strings"

	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/platformctl/platformctl/pkg/mesh"
	"github.com/platformctl/platformctl/pkg/spec"
)

// What spec.mesh adds (docs/mesh.md): the namespaces of spec.MeshAreas
// join the mesh, their pods accept mutual TLS only, the edge proxies join
// too, and the NetworkPolicies let the mesh's own traffic through.

// envoyListenerShift is what Envoy Gateway adds to a privileged listener
// port for its proxies' container port (80 → 10080), so that Envoy binds
// it without NET_BIND_SERVICE.
const envoyListenerShift = 10000

// meshNamespace enrols area's namespace in the mesh.
func meshNamespace(c *Context, area string, meta *metav1.ObjectMeta) {
	if !spec.InMesh(&c.P.Spec, area) {
		return
	}
	switch c.P.Spec.Mesh.Provider {
	case spec.MeshIstio:
		meta.Labels[mesh.LabelIstioDataplaneMode] = mesh.Ambient
	case spec.MeshLinkerd:
		if meta.Annotations == nil {
			meta.Annotations = map[string]string{}
		}
		meta.Annotations[mesh.AnnotationLinkerdInject] = "enabled"
		// Only mutual TLS from other meshed pods; linkerd still admits
		// the kubelet's probes on the probe paths.
		meta.Annotations[mesh.AnnotationLinkerdInboundPolicy] = mesh.LinkerdAuthenticated
		meta.Annotations[mesh.AnnotationLinkerdNativeSidecar] = "true"
	}
}

// meshProxyPod is the pod metadata the EnvoyProxy gives the edge proxies
// so that they reach meshed services over mutual TLS, keeping their own
// inbound side (internet clients) out of the mesh.
func meshProxyPod(c *Context) *EnvoyProxyPodSpec {
	sm := c.P.Spec.Mesh
	if sm == nil {
		return nil
	}
	switch sm.Provider {
	case spec.MeshIstio:
		return &EnvoyProxyPodSpec{
			Labels:      map[string]string{mesh.LabelIstioDataplaneMode: mesh.Ambient},
			Annotations: map[string]string{mesh.AnnotationIstioBypassInbound: "true"},
		}
	case spec.MeshLinkerd:
		return &EnvoyProxyPodSpec{Annotations: map[string]string{
			mesh.AnnotationLinkerdInject:      "enabled",
			mesh.AnnotationLinkerdSkipInbound: strings.Join([]string{strconv.Itoa(envoyListenerShift + 80), strconv.Itoa(envoyListenerShift + 443)}, ","),
		}}
	}
	return nil
}

// meshBaseline is what a meshed namespace with pods gets next to its
// default deny: with istio a STRICT PeerAuthentication and the probes'
// address; with linkerd the proxies' way to the control plane.
func meshBaseline(c *Context, area string) []Object {
	if !spec.InMesh(&c.P.Spec, area) {
		return nil
	}
	ns := c.NS(area)
	policy := &networkingv1.NetworkPolicy{
		TypeMeta:   typeNetworkPolicy,
		ObjectMeta: metav1.ObjectMeta{Name: "allow-mesh", Namespace: ns, Labels: c.labels("allow-mesh", "network-policy")},
		Spec:       networkingv1.NetworkPolicySpec{PodSelector: metav1.LabelSelector{}},
	}
	var out []Object
	switch c.P.Spec.Mesh.Provider {
	case spec.MeshIstio:
		out = append(out, Object{ID: id(area, "PeerAuthentication", "default"), Area: area, Source: "spec.mesh", Obj: &PeerAuthentication{
			TypeMeta:   typePeerAuthentication,
			ObjectMeta: metav1.ObjectMeta{Name: "default", Namespace: ns, Labels: c.labels("default", "mesh-policy")},
			Spec:       PeerAuthenticationSpec{MTLS: &PeerAuthenticationMTLS{Mode: "STRICT"}},
		}})
		// Every port: the address is link-local, written by istio-cni on
		// the pod's own node for the kubelet's probes, and routed nowhere
		// else; ztunnel lets it through as plaintext and nothing more.
		policy.Spec.PolicyTypes = []networkingv1.PolicyType{networkingv1.PolicyTypeIngress}
		policy.Spec.Ingress = []networkingv1.NetworkPolicyIngressRule{{
			From: []networkingv1.NetworkPolicyPeer{{IPBlock: &networkingv1.IPBlock{CIDR: mesh.IstioProbeSource}}},
		}}
	case spec.MeshLinkerd:
		rule := networkingv1.NetworkPolicyEgressRule{
			To: []networkingv1.NetworkPolicyPeer{{
				NamespaceSelector: systemSelector(mesh.LinkerdNamespace),
				PodSelector: &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{
					Key: mesh.LabelLinkerdComponent, Operator: metav1.LabelSelectorOpIn, Values: mesh.LinkerdControlPlaneComponents,
				}}},
			}},
		}
		for _, p := range mesh.LinkerdControlPlanePorts {
			rule.Ports = append(rule.Ports, tcpPort(p))
		}
		policy.Spec.PolicyTypes = []networkingv1.PolicyType{networkingv1.PolicyTypeEgress}
		policy.Spec.Egress = []networkingv1.NetworkPolicyEgressRule{rule}
	}
	return append(out, Object{ID: id(area, "NetworkPolicy", "allow-mesh"), Area: area, Source: "spec.mesh", Obj: policy})
}

// meshPorts opens the mesh's own port next to the ports of every rendered
// NetworkPolicy rule between pods the mesh carries: ambient traffic
// arrives on mesh.HBONEPort, and linkerd dials mesh.LinkerdInboundPort
// for opaque ports. A rule towards a meshed namespace (egress) or into one (ingress)
// gets it; rules with addresses only (ipBlock) lead out of the cluster,
// and rules without ports already allow every port. Done on the rendered
// objects, so every generator's policy gets it and none can forget.
func meshPorts(c *Context, all []Object) {
	sm := c.P.Spec.Mesh
	if sm == nil {
		return
	}
	port := tcpPort(mesh.HBONEPort)
	if sm.Provider == spec.MeshLinkerd {
		port = tcpPort(mesh.LinkerdInboundPort)
	}
	addPort := func(ports []networkingv1.NetworkPolicyPort) []networkingv1.NetworkPolicyPort {
		if len(ports) == 0 || slices.ContainsFunc(ports, func(p networkingv1.NetworkPolicyPort) bool {
			return p.Port != nil && *p.Port == *port.Port && p.EndPort == nil
		}) {
			return ports
		}
		return append(ports, port)
	}
	for _, o := range all {
		np, ok := o.Obj.(*networkingv1.NetworkPolicy)
		if !ok {
			continue
		}
		if spec.InMesh(&c.P.Spec, o.Area) {
			for i := range np.Spec.Ingress {
				if r := &np.Spec.Ingress[i]; len(r.From) == 0 || slices.ContainsFunc(r.From, inCluster) {
					r.Ports = addPort(r.Ports)
				}
			}
		}
		for i := range np.Spec.Egress {
			r := &np.Spec.Egress[i]
			if slices.ContainsFunc(r.To, func(p networkingv1.NetworkPolicyPeer) bool { return c.peerInMesh(o.Area, p) }) {
				r.Ports = addPort(r.Ports)
			}
		}
	}
}

// inCluster says whether a peer names pods rather than addresses.
func inCluster(p networkingv1.NetworkPolicyPeer) bool { return p.IPBlock == nil }

// peerInMesh says whether a peer of a policy in area selects pods of a
// meshed namespace: its own namespace without a namespaceSelector, an
// area's by the area label areaSelector matches (system namespaces, the
// edge proxies' among them, are outside).
func (c *Context) peerInMesh(area string, p networkingv1.NetworkPolicyPeer) bool {
	switch {
	case p.IPBlock != nil:
		return false
	case p.NamespaceSelector == nil:
		return spec.InMesh(&c.P.Spec, area)
	}
	return spec.InMesh(&c.P.Spec, p.NamespaceSelector.MatchLabels[LabelArea])
}

var typePeerAuthentication = metav1.TypeMeta{APIVersion: "security.istio.io/v1", Kind: "PeerAuthentication"}

// PeerAuthentication is security.istio.io/v1 PeerAuthentication: which
// connections a namespace's (or a workload's) pods accept. Istio's API
// module is the whole control plane's dependency tree; this is the one
// field platformctl sets, checked against the released CRD by the e2e tier
// and TestMeshObjectsMatchCRDs.
type PeerAuthentication struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              PeerAuthenticationSpec `json:"spec"`
}

// PeerAuthenticationSpec is the subset of the upstream spec platformctl sets.
type PeerAuthenticationSpec struct {
	MTLS *PeerAuthenticationMTLS `json:"mtls,omitempty"`
}

// PeerAuthenticationMTLS is the mutual TLS mode: STRICT refuses plaintext.
type PeerAuthenticationMTLS struct {
	Mode string `json:"mode"`
}
