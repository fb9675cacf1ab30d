package networking

import (
	"fmt"
	"net/netip"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/platformctl/platformctl/pkg/lint"
	"github.com/platformctl/platformctl/pkg/lint/rules/internal/facts"
)

// metadataAddrs are the cloud instance metadata endpoints: the link-local
// IPv4 address AWS, GCP, Azure, OpenStack, DigitalOcean, Oracle and Alibaba
// serve it on, and AWS's IPv6 one (Nitro instances).
var metadataAddrs = []netip.Addr{
	netip.MustParseAddr("169.254.169.254"),
	netip.MustParseAddr("fd00:ec2::254"),
}

// metadataPort is where every provider above serves the metadata API
// (plain HTTP); an egress rule limited to other ports does not reach it.
const metadataPort = 80

// portsReachMetadata says whether an egress rule's ports admit TCP port
// 80: no ports (all ports), or an entry for TCP (the default protocol)
// with no port, port 80, or a port..endPort range holding 80. A named port
// names a port of a destination pod, never of an ipBlock address.
func portsReachMetadata(rule *yaml.Node) bool {
	ports := lint.Items(lint.Field(rule, "ports"))
	if len(ports) == 0 {
		return true
	}
	for _, p := range ports {
		if proto := lint.Str(lint.Field(p, "protocol")); proto != "" && proto != "TCP" {
			continue
		}
		pn := lint.Field(p, "port")
		if pn == nil {
			return true
		}
		n, ok := lint.Int(pn)
		if !ok {
			continue
		}
		end, hasEnd := lint.Int(lint.Field(p, "endPort"))
		if n == metadataPort || hasEnd && n <= metadataPort && metadataPort <= end {
			return true
		}
	}
	return false
}

// ipBlockMetadata returns the metadata addresses an ipBlock admits.
func ipBlockMetadata(block *yaml.Node) []netip.Addr { return ipBlockAdmits(block, metadataAddrs) }

// ipBlockAdmits returns the addresses of addrs an ipBlock admits: those
// its cidr contains and no entry of its except contains. An unparsable
// CIDR admits nothing here (the API server rejects the policy).
func ipBlockAdmits(block *yaml.Node, addrs []netip.Addr) []netip.Addr {
	cidr, err := netip.ParsePrefix(strings.TrimSpace(lint.Str(lint.Field(block, "cidr"))))
	if err != nil {
		return nil
	}
	var except []netip.Prefix
	for _, e := range lint.Strings(lint.Field(block, "except")) {
		if p, err := netip.ParsePrefix(strings.TrimSpace(e)); err == nil {
			except = append(except, p.Masked())
		}
	}
	var out []netip.Addr
	for _, a := range addrs {
		if !cidr.Masked().Contains(a) {
			continue
		}
		excluded := false
		for _, e := range except {
			excluded = excluded || e.Contains(a)
		}
		if !excluded {
			out = append(out, a)
		}
	}
	return out
}

// gkeMetadataAddr is where GKE's metadata server answers on nodes that run
// it (workload metadata GKE_METADATA), and gkeMetadataNodeLabel the label
// GKE puts on those nodes. There the address serves only the calling pod's
// own Workload Identity, never the node's service account, so a pod pinned
// to such nodes by its nodeSelector (and not on the host network, which
// the GKE metadata server does not intercept) reaching it is what Workload
// Identity needs, not a leak.
var gkeMetadataAddr = netip.MustParseAddr("169.254.169.254")

const gkeMetadataNodeLabel = "iam.gke.io/gke-metadata-server-enabled"

// onGKEMetadataServer says whether a pod is pinned to GKE metadata server
// nodes and not on the host network.
func onGKEMetadataServer(pi *facts.PodInfo) bool {
	return pi != nil && !pi.HostNetwork && lint.Str(lint.Get(pi.Pod.Spec, "nodeSelector", gkeMetadataNodeLabel)) == "true"
}

// policyOnGKEMetadataServer says whether a NetworkPolicy selects at least
// one pod of the input and only pods pinned to GKE metadata server nodes.
func policyOnGKEMetadataServer(s *lint.Set, np *lint.Object) bool {
	selected := facts.Of(s).PodsByNS[np.Namespace].Selected(facts.PodSelectorOf(np))
	for _, l := range selected {
		// An operator's pods (no pod of the input) take the nodeSelector
		// of their resource; they never use the host network.
		if l.Pod == nil && facts.OperatorNodeSelector(l.Obj)[gkeMetadataNodeLabel] == "true" {
			continue
		}
		if !onGKEMetadataServer(l.Pod) {
			return false
		}
	}
	return len(selected) > 0
}

// withoutGKE drops the GKE metadata server's address from as when gke.
func withoutGKE(as []netip.Addr, gke bool) []netip.Addr {
	if !gke {
		return as
	}
	var out []netip.Addr
	for _, a := range as {
		if a != gkeMetadataAddr {
			out = append(out, a)
		}
	}
	return out
}

func joinAddrs(as []netip.Addr) string {
	parts := make([]string, len(as))
	for i, a := range as {
		parts[i] = a.String()
	}
	return strings.Join(parts, " and ")
}

func metadataEndpointReachable() lint.Rule {
	return lint.Rule{
		ID: "metadata-endpoint-reachable", Title: "Pods can reach the cloud metadata endpoint", Category: lint.CategoryNetworking, Severity: lint.Error,
		Description: "Pods may open connections to a cloud instance metadata address: 169.254.169.254 (AWS, GCP, Azure, OpenStack and most others) or fd00:ec2::254 (AWS over IPv6). " +
			"The metadata API hands out the node's identity and, on many clusters, the node role's cloud credentials, so one compromised pod (or a server-side request forgery in it) becomes the node. " +
			"Judged only in namespaces where the input has at least one NetworkPolicy or CiliumNetworkPolicy, so a bare manifest is not reported, and not where another policy engine's objects (Calico, CiliumClusterwideNetworkPolicy, AdminNetworkPolicy) may apply. It fires: " +
			"on a workload whose pods no NetworkPolicy with policyTypes including Egress selects (their egress is open); on a hostNetwork workload, which NetworkPolicies do not restrict; " +
			"at an egress ipBlock whose cidr contains a metadata address that its except does not exclude (0.0.0.0/0 or ::/0 without the except); and at an egress rule with no `to`, which allows every destination. " +
			"Egress rules whose ports leave out TCP port 80, where the metadata API listens, do not fire; nor do podSelector and namespaceSelector peers, nor a default-deny egress. " +
			"A CiliumNetworkPolicy, which Cilium enforces together with the NetworkPolicies (a pod is isolated once a policy of either kind selects it for egress, and then any of them may allow), fires at an egress rule that admits TCP port 80 and: a toCIDR or toCIDRSet cidr containing a metadata address its except does not exclude; toEntities world, world-ipv4, world-ipv6 or all; a toFQDNs matchPattern \"*\" or a name or pattern matching metadata.google.internal (which resolves to 169.254.169.254); or no destination field at all. " +
			"Its egressDeny rules are not credited, so a deny of the metadata address next to a wide allow still fires. " +
			"169.254.169.254 is not reported in a policy all of whose pods (at least one) are pinned by nodeSelector " + gkeMetadataNodeLabel + ": \"true\" to GKE nodes that run the GKE metadata server and are not on the host network: there the address answers with the pod's own Workload Identity only, never the node's credentials, and reaching it is how GKE Workload Identity works.",
		Remediation: "Add 169.254.169.254/32 (and fd00:ec2::254/128 for ::/0) to the ipBlock's except (or toCIDRSet's), or allow egress to the specific CIDRs or DNS names the pods need; " +
			"give every pod of the namespace a default-deny egress policy (podSelector: {}, policyTypes: [Egress]). Pods that need cloud credentials should use workload identity, not the node's.",
		References: []string{docsNetpol + "#networkpolicy-resource", "https://docs.aws.amazon.com/eks/latest/best-practices/identity-and-access-management.html#restrict-access-to-the-instance-profile-assigned-to-the-worker-node", nsaCISA},
		CheckSet: func(s *lint.Set, _ *lint.Context, r *lint.Reporter) {
			clusterWide, other := otherPolicies(s)
			if clusterWide {
				return
			}
			// Cilium's namespaced policies are judged here, not left to
			// their engine: in a namespace whose only other-engine objects
			// are CiliumNetworkPolicies, what passes is what some policy
			// of either kind allows.
			judged := map[string]bool{}
			cilium := map[string]bool{}
			for _, o := range s.Objects {
				if strings.HasSuffix(o.Kind, "NetworkPolicy") && !facts.IsNetworkPolicy(o) && !isCiliumPolicy(o) {
					cilium[o.Namespace] = false
				} else if isCiliumPolicy(o) {
					if _, seen := cilium[o.Namespace]; !seen {
						cilium[o.Namespace] = true
					}
				}
			}
			for ns, only := range cilium {
				other[ns] = !only
			}
			for _, o := range s.OfKind(kindCNP) {
				if isCiliumPolicy(o) && !other[o.Namespace] {
					judged[o.Namespace] = true
					reportCiliumMetadata(s, o, r)
				}
			}
			for _, np := range s.OfKind(facts.KindNetworkPolicy) {
				if !facts.IsNetworkPolicy(np) || other[np.Namespace] {
					continue
				}
				judged[np.Namespace] = true
				if _, eg := facts.PolicyTypes(np); !eg {
					continue
				}
				gke := policyOnGKEMetadataServer(s, np)
				for i, rule := range lint.Items(lint.Get(np.Root, "spec", "egress")) {
					if !portsReachMetadata(rule) {
						continue
					}
					to := lint.Items(lint.Field(rule, "to"))
					if len(to) == 0 {
						r.Report(np, fmt.Sprintf("spec.egress[%d]", i), "NetworkPolicy %q egress rule %d allows every destination, including the cloud metadata address %s", np.Name, i, joinAddrs(withoutGKE(metadataAddrs, gke)))
						continue
					}
					for j, peer := range to {
						block := lint.Field(peer, "ipBlock")
						if block == nil {
							continue
						}
						if addrs := withoutGKE(ipBlockMetadata(block), gke); len(addrs) > 0 {
							r.Report(np, fmt.Sprintf("spec.egress[%d].to[%d].ipBlock.cidr", i, j), "NetworkPolicy %q allows egress to %s, which contains the cloud metadata address %s (not in except)", np.Name, lint.Str(lint.Field(block, "cidr")), joinAddrs(addrs))
						}
					}
				}
			}
			if len(judged) == 0 {
				return
			}
			idx := lint.Memo(s, facts.EgressPolicies)
			ciliumIsolated := ciliumEgressIsolated(s)
			for _, pi := range facts.Of(s).Pods {
				o := pi.Obj
				switch {
				case !judged[o.Namespace]:
				case pi.HostNetwork:
					r.Report(o, pi.Pod.Path+".hostNetwork", "the pods of %s use the host network, where NetworkPolicies do not apply, so they reach the cloud metadata address %s", facts.Describe(o), joinAddrs(metadataAddrs))
				case !idx[o.Namespace].Any(pi.Labels) && !ciliumIsolated[o]:
					r.Report(o, pi.Pod.MetaPath+".labels", "no egress NetworkPolicy in namespace %s selects the pods of %s, so they reach the cloud metadata address %s", facts.NsName(o.Namespace), facts.Describe(o), joinAddrs(metadataAddrs))
				}
			}
		},
	}
}
