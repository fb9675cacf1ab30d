package generate

import (
	"fmt"
	"maps"
	"strconv"
	"strings"

	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/platformctl/platformctl/pkg/spec"
)

var typeCNP = metav1.TypeMeta{APIVersion: "cilium.io/v2", Kind: "CiliumNetworkPolicy"}

// CiliumNetworkPolicy is cilium.io/v2 CiliumNetworkPolicy. Cilium's API
// module is the whole agent, so these are the fields platformctl emits,
// checked against the upstream CRD by the e2e tier.
type CiliumNetworkPolicy struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              CNPSpec `json:"spec"`
}

// CNPSpec is the subset of Cilium's rule platformctl sets: which pods, and
// whom they may reach.
type CNPSpec struct {
	EndpointSelector metav1.LabelSelector `json:"endpointSelector"`
	Egress           []CNPEgressRule      `json:"egress"`
}

// CNPEgressRule is one egress rule: endpoints or DNS names, on ports.
// Cilium refuses toFQDNs next to another to* field in one rule.
type CNPEgressRule struct {
	ToEndpoints []metav1.LabelSelector `json:"toEndpoints,omitempty"`
	// ToEntities are Cilium's reserved identities (kube-apiserver).
	ToEntities []string          `json:"toEntities,omitempty"`
	ToFQDNs    []CNPFQDNSelector `json:"toFQDNs,omitempty"`
	ToPorts    []CNPPortRule     `json:"toPorts,omitempty"`
}

// CNPFQDNSelector is a DNS name (matchName) or wildcard (matchPattern).
type CNPFQDNSelector struct {
	MatchName    string `json:"matchName,omitempty"`
	MatchPattern string `json:"matchPattern,omitempty"`
}

// CNPPortRule is ports with, for DNS, the L7 rules of Cilium's DNS proxy.
type CNPPortRule struct {
	Ports []CNPPort   `json:"ports"`
	Rules *CNPL7Rules `json:"rules,omitempty"`
}

// CNPPort is a port (a string in Cilium's API) and protocol.
type CNPPort struct {
	Port     string `json:"port"`
	Protocol string `json:"protocol"`
}

// CNPL7Rules holds the DNS rules of a port.
type CNPL7Rules struct {
	DNS []CNPFQDNSelector `json:"dns,omitempty"`
}

// kubeDNS is the cluster's DNS as Cilium's endpoint labels name it.
var kubeDNS = metav1.LabelSelector{MatchLabels: map[string]string{
	"k8s:io.kubernetes.pod.namespace": "kube-system",
	"k8s:k8s-app":                     "kube-dns",
}}

// entityKubeAPIServer is Cilium's reserved entity of the API server: the
// identity Cilium gives the kubernetes Service's endpoints, wherever the
// API server runs.
const entityKubeAPIServer = "kube-apiserver"

// apiServerPolicy is, with network.cni: cilium, the CiliumNetworkPolicy
// that lets the pods np selects reach the API server, for an np given
// apiServerEgress; nil otherwise. Cilium matches an ipBlock against the
// addresses it counts as outside the cluster, and the API server's are
// not among them: they carry the kube-apiserver identity (on the
// cluster's nodes, next to host or remote-node). The agent's
// policy-cidr-match-mode nodes, off by default and in some releases not
// applied to 0.0.0.0/0, is not to be relied on. The entity is the API
// server alone, not every node. The NetworkPolicy keeps its ipBlock for
// clusters without Cilium; Cilium passes a connection either policy
// allows.
func apiServerPolicy(c *Context, np *networkingv1.NetworkPolicy) *CiliumNetworkPolicy {
	if c.P.Spec.Network.CNI != spec.CNICilium {
		return nil
	}
	name := np.Name + "-kube-apiserver"
	// The NetworkPolicy's labels: its name label is the policy's, which
	// fits a label value (63 bytes) where name, 15 bytes longer, may not
	// (a 40-byte store's <store>-recovered-instances).
	return &CiliumNetworkPolicy{
		TypeMeta:   typeCNP,
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: np.Namespace, Labels: maps.Clone(np.Labels)},
		Spec: CNPSpec{
			EndpointSelector: *np.Spec.PodSelector.DeepCopy(),
			Egress:           []CNPEgressRule{{ToEntities: []string{entityKubeAPIServer}, ToPorts: tcpPorts(apiServerPorts...)}},
		},
	}
}

// dnsProxyRule sends the pods' DNS through Cilium's DNS proxy, which is
// how toFQDNs learns the addresses a name resolved to; "*" lets every
// query through, as the NetworkPolicy's DNS rule does.
func dnsProxyRule() CNPEgressRule {
	return CNPEgressRule{
		ToEndpoints: []metav1.LabelSelector{kubeDNS},
		ToPorts: []CNPPortRule{{
			Ports: []CNPPort{{Port: "53", Protocol: "UDP"}, {Port: "53", Protocol: "TCP"}},
			Rules: &CNPL7Rules{DNS: []CNPFQDNSelector{{MatchPattern: "*"}}},
		}},
	}
}

// fqdnSelector is the toFQDNs entry of an egress host: *.domain is
// Cilium's one-label wildcard, anything else a literal name.
func fqdnSelector(host string) CNPFQDNSelector {
	if strings.HasPrefix(host, "*.") {
		return CNPFQDNSelector{MatchPattern: host}
	}
	return CNPFQDNSelector{MatchName: host}
}

func tcpPorts(ports ...int32) []CNPPortRule {
	r := CNPPortRule{}
	for _, p := range ports {
		r.Ports = append(r.Ports, CNPPort{Port: strconv.Itoa(int(p)), Protocol: "TCP"})
	}
	return []CNPPortRule{r}
}

// fqdnEgress is the egress by name of svc: each host entry, then each
// managed store it uses that has no cidrs (its endpoint's host on its
// port), in spec order. Empty unless network.cni is cilium (validation
// refuses host names elsewhere, and requires cidrs on managed stores).
func fqdnEgress(c *Context, svc *spec.Service) []CNPEgressRule {
	if c.P.Spec.Network.CNI != spec.CNICilium {
		return nil
	}
	var out []CNPEgressRule
	for _, e := range svc.Egress {
		if e.Host != "" {
			out = append(out, CNPEgressRule{ToFQDNs: []CNPFQDNSelector{fqdnSelector(e.Host)}, ToPorts: tcpPorts(e.Ports...)})
		}
	}
	for _, name := range storesOf(svc) {
		ds := c.P.DataStore(name)
		if ds == nil || ds.Mode != spec.ModeManaged || len(ds.CIDRs) > 0 {
			continue
		}
		host, port := endpointPort(ds)
		out = append(out, CNPEgressRule{ToFQDNs: []CNPFQDNSelector{{MatchName: host}}, ToPorts: tcpPorts(port)})
	}
	return out
}

// ciliumPolicies renders, with network.cni: cilium, a CiliumNetworkPolicy
// for each service that reaches something by name. Cilium enforces it
// together with the service's NetworkPolicy: a connection passes when
// either allows it, so the CiliumNetworkPolicy adds exactly the named
// destinations (and the DNS proxying they need) and nothing else.
func ciliumPolicies(c *Context) ([]Object, error) {
	var out []Object
	for i := range c.P.Spec.Services {
		svc := &c.P.Spec.Services[i]
		rules := fqdnEgress(c, svc)
		if len(rules) == 0 {
			continue
		}
		np := &CiliumNetworkPolicy{
			TypeMeta:   typeCNP,
			ObjectMeta: metav1.ObjectMeta{Name: svc.Name, Namespace: c.NS("apps"), Labels: c.labels(svc.Name, "network-policy")},
			Spec: CNPSpec{
				EndpointSelector: metav1.LabelSelector{MatchLabels: map[string]string{LabelName: svc.Name}},
				Egress:           append([]CNPEgressRule{dnsProxyRule()}, rules...),
			},
		}
		out = append(out, Object{ID: id("apps", "CiliumNetworkPolicy", svc.Name), Area: "apps",
			Source: fmt.Sprintf("spec.services[%d].egress", i), Obj: np})
	}
	return out, nil
}
