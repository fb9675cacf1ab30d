package generate

import (
	networkingv1 "k8s.io/api/networking/v1"

	"github.com/platformctl/platformctl/pkg/spec"
)

// externalEgress opens each egress entry of svc by address: one rule per
// entry, its ipBlocks (a CIDR, or the public IPv4 and IPv6 addresses for
// to: internet, with their excepts) on exactly its TCP ports. Validation
// has made sure no block holds a cloud metadata address unexcepted. A host
// has no address a NetworkPolicy could name (a rule without peers would
// open every address on the ports): fqdnEgress opens it instead.
func externalEgress(svc *spec.Service) []networkingv1.NetworkPolicyEgressRule {
	var out []networkingv1.NetworkPolicyEgressRule
	for i := range svc.Egress {
		e := &svc.Egress[i]
		blocks := e.Blocks()
		if len(blocks) == 0 {
			continue
		}
		var rule networkingv1.NetworkPolicyEgressRule
		for _, b := range blocks {
			rule.To = append(rule.To, networkingv1.NetworkPolicyPeer{
				IPBlock: &networkingv1.IPBlock{CIDR: b.CIDR, Except: append([]string(nil), b.Except...)},
			})
		}
		for _, p := range e.Ports {
			rule.Ports = append(rule.Ports, tcpPort(p))
		}
		out = append(out, rule)
	}
	return out
}
