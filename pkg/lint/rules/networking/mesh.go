package networking

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"

	yaml "go.yaml.in/yaml/v3"

	"github.com/platformctl/platformctl/pkg/lint"
	"github.com/platformctl/platformctl/pkg/lint/rules/internal/facts"
	"github.com/platformctl/platformctl/pkg/mesh"
)

// The service-mesh rules judge what enrolling a namespace in Istio's
// ambient mesh or linkerd asks of its NetworkPolicies and mTLS settings,
// from the Namespace objects of the input (their label or annotation;
// pods enrolled one by one are not judged).

// meshName names the mesh whose inbound port is port.
func meshName(port int32) string {
	if port == mesh.HBONEPort {
		return "Istio ambient (HBONE)"
	}
	return "linkerd (opaque transport)"
}

// rulePortsAllow says whether a rule's ports list admits TCP port n: no
// list admits every port.
func rulePortsAllow(ports *yaml.Node, n int32) bool {
	items := lint.Items(ports)
	if len(items) == 0 {
		return true
	}
	for _, p := range items {
		proto := lint.Str(lint.Field(p, "protocol"))
		if proto != "" && proto != "TCP" {
			continue
		}
		from, ok := lint.Int(lint.Field(p, "port"))
		if !ok {
			continue // a named port is the receiver's container port, never the mesh's
		}
		to, hasEnd := lint.Int(lint.Field(p, "endPort"))
		if !hasEnd {
			to = from
		}
		if int64(n) >= from && int64(n) <= to {
			return true
		}
	}
	return false
}

// peersArePods says whether a rule's peers include pods (a podSelector or
// namespaceSelector peer); no peers admit everyone, pods included.
func peersArePods(peers *yaml.Node) bool {
	items := lint.Items(peers)
	return len(items) == 0 || slices.ContainsFunc(items, func(p *yaml.Node) bool { return lint.Field(p, "ipBlock") == nil })
}

// peerMeshPort is the meshed namespace a peer of a policy in ns selects
// pods in (the first of names, meshed's keys sorted), and its inbound
// port; 0 for none.
func peerMeshPort(peer *yaml.Node, ns string, meshed map[string]facts.MeshedNamespace, names []string) (string, int32) {
	if lint.Field(peer, "ipBlock") != nil {
		return "", 0
	}
	sel := lint.Field(peer, "namespaceSelector")
	if sel == nil {
		return ns, meshed[ns].Port
	}
	for _, name := range names {
		if lint.LabelSelector(sel, meshed[name].Labels) {
			return name, meshed[name].Port
		}
	}
	return "", 0
}

func meshPortBlocked() lint.Rule {
	return lint.Rule{
		ID: "mesh-port-not-allowed", Title: "NetworkPolicy blocks the mesh's own port", Category: lint.CategoryNetworking, Severity: lint.Error,
		Description: "Meshed pods do not reach each other on the ports the policies name: in Istio's ambient mesh the connection arrives at the receiving pod on port " + strconv.Itoa(mesh.HBONEPort) + " (an HBONE tunnel that ztunnel unwraps inside the pod, after the NetworkPolicies were enforced on the node), " +
			"and linkerd dials the inbound proxy's port " + strconv.Itoa(mesh.LinkerdInboundPort) + " for opaque ports (databases, brokers). A rule that lists ports between pods without that port drops the very connections it allows as soon as both ends join the mesh. " +
			"Fires at an ingress rule (with pod peers and a ports list) of a policy in a namespace the input's Namespace enrols (label " + mesh.LabelIstioDataplaneMode + ": " + mesh.Ambient + ", or annotation " + mesh.AnnotationLinkerdInject + ": enabled), " +
			"and at an egress rule whose peer selects pods of such a namespace, when the ports list lacks the mesh's port.",
		Remediation: "Add the mesh's port (TCP " + strconv.Itoa(mesh.HBONEPort) + " for Istio ambient, " + strconv.Itoa(mesh.LinkerdInboundPort) + " for linkerd) to the rule's ports, next to the application port.",
		References:  []string{"https://istio.io/latest/docs/ambient/usage/networkpolicy/", "https://linkerd.io/2-edge/features/protocol-detection/"},
		CheckSet: func(s *lint.Set, _ *lint.Context, r *lint.Reporter) {
			meshed := facts.MeshedNamespaces(s)
			if len(meshed) == 0 {
				return
			}
			names := facts.SortedKeys(meshed)
			for _, np := range s.OfKind(facts.KindNetworkPolicy) {
				if !facts.IsNetworkPolicy(np) {
					continue
				}
				if m, ok := meshed[np.Namespace]; ok {
					for i, rule := range lint.Items(lint.Get(np.Root, "spec", "ingress")) {
						if ports := lint.Field(rule, "ports"); peersArePods(lint.Field(rule, "from")) && !rulePortsAllow(ports, m.Port) {
							r.Report(np, fmt.Sprintf("spec.ingress[%d].ports", i), "NetworkPolicy %q allows pods in, but namespace %s is meshed by %s: their connections arrive on port %d, which this rule does not allow",
								np.Name, np.Namespace, meshName(m.Port), m.Port)
						}
					}
				}
				for i, rule := range lint.Items(lint.Get(np.Root, "spec", "egress")) {
					ports := lint.Field(rule, "ports")
					for _, peer := range lint.Items(lint.Field(rule, "to")) {
						if ns, port := peerMeshPort(peer, np.Namespace, meshed, names); port != 0 && !rulePortsAllow(ports, port) {
							r.Report(np, fmt.Sprintf("spec.egress[%d].ports", i), "NetworkPolicy %q allows connections to pods of namespace %s, meshed by %s: they arrive on port %d, which this rule does not allow",
								np.Name, ns, meshName(port), port)
							break
						}
					}
				}
			}
		},
	}
}

func meshProbesBlocked() lint.Rule {
	probeAddr := netip.MustParsePrefix(mesh.IstioProbeSource).Addr()
	return lint.Rule{
		ID: "mesh-probes-blocked", Title: "Ambient mesh pod's probes blocked by NetworkPolicy", Category: lint.CategoryNetworking, Severity: lint.Error,
		Description: "In Istio's ambient mesh istio-cni rewrites the node's connections to a pod (the kubelet's probes among them) to come from " + mesh.IstioProbeSource + ", so that ztunnel can tell them from other plaintext. " +
			"A workload with probes in an enrolled namespace that a NetworkPolicy isolates for ingress, where no policy selecting it admits that address, fails its readiness and liveness probes once the namespace joins the mesh, " +
			"although the same policies let the probes through before (network plugins admit the node's own address).",
		Remediation: "Add an ingress rule from ipBlock " + mesh.IstioProbeSource + " to a policy selecting the workload (a policy with podSelector: {} covers the namespace).",
		References:  []string{"https://istio.io/latest/docs/ambient/usage/networkpolicy/"},
		CheckSet: func(s *lint.Set, _ *lint.Context, r *lint.Reporter) {
			meshed := facts.MeshedNamespaces(s)
			for _, pi := range facts.Of(s).Pods {
				o := pi.Obj
				if m, ok := meshed[o.Namespace]; !ok || m.Port != mesh.HBONEPort || pi.HostNetwork {
					continue
				}
				probe := ""
				facts.ProbePorts(o, func(_ *lint.Container, _, path string, _ facts.PortRef) {
					if probe == "" {
						probe = path
					}
				})
				if probe == "" {
					continue
				}
				isolated, admitted := false, false
				for _, np := range s.InNamespace(o.Namespace) {
					if np.Kind != facts.KindNetworkPolicy || !facts.IsNetworkPolicy(np) || !lint.LabelSelector(lint.Get(np.Root, "spec", "podSelector"), pi.Labels) {
						continue
					}
					if in, _ := facts.PolicyTypes(np); !in {
						continue
					}
					isolated = true
					for _, rule := range lint.Items(lint.Get(np.Root, "spec", "ingress")) {
						from := lint.Items(lint.Field(rule, "from"))
						admitted = admitted || len(from) == 0 || slices.ContainsFunc(from, func(p *yaml.Node) bool {
							b := lint.Field(p, "ipBlock")
							return b != nil && len(ipBlockAdmits(b, []netip.Addr{probeAddr})) > 0
						})
					}
				}
				if isolated && !admitted {
					r.Report(o, probe, "%s is in Istio's ambient mesh (namespace %s) and isolated for ingress, but no NetworkPolicy selecting it admits %s, where its probes come from",
						facts.Describe(o), o.Namespace, mesh.IstioProbeSource)
				}
			}
		},
	}
}
