package networking

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/platformctl/platformctl/pkg/lint"
	"github.com/platformctl/platformctl/pkg/lint/rules/internal/facts"
)

// kindCNP is Cilium's namespaced policy. Cilium enforces it together with
// the namespace's NetworkPolicies: an endpoint is isolated in a direction
// once a policy of either kind selects it for that direction, and then a
// connection passes when any of them allows it.
const kindCNP = "CiliumNetworkPolicy"

// isCiliumPolicy tells Cilium's CiliumNetworkPolicy from another
// engine's kind of the same name.
func isCiliumPolicy(o *lint.Object) bool { return o.Kind == kindCNP && o.Group() == "cilium.io" }

// ciliumRules are a CiliumNetworkPolicy's rules, each with its path: spec,
// and every item of specs.
func ciliumRules(o *lint.Object) (rules []*yaml.Node, paths []string) {
	if n := lint.Get(o.Root, "spec"); n != nil {
		rules, paths = append(rules, n), append(paths, "spec")
	}
	for i, n := range lint.Items(lint.Get(o.Root, "specs")) {
		rules, paths = append(rules, n), append(paths, fmt.Sprintf("specs[%d]", i))
	}
	return rules, paths
}

// ciliumLabels are the labels a Cilium endpoint selector sees on a pod:
// its labels, also with the k8s: and any: sources written out, and its
// namespace as io.kubernetes.pod.namespace.
func ciliumLabels(ns string, labels map[string]string) map[string]string {
	out := make(map[string]string, 3*len(labels)+3)
	for k, v := range labels {
		out[k], out["k8s:"+k], out["any:"+k] = v, v, v
	}
	for _, src := range []string{"", "k8s:", "any:"} {
		out[src+"io.kubernetes.pod.namespace"] = ns
	}
	return out
}

// ciliumSelected are the pods of the input in rule's namespace that its
// endpointSelector selects (a rule without one selects none here: it
// selects nodes, by nodeSelector).
func ciliumSelected(s *lint.Set, ns string, rule *yaml.Node) []*facts.PodInfo {
	sel := lint.Field(rule, "endpointSelector")
	if sel == nil {
		return nil
	}
	var out []*facts.PodInfo
	for _, pi := range facts.Of(s).Pods {
		if pi.Obj.Namespace == ns && lint.LabelSelector(sel, ciliumLabels(ns, pi.Labels)) {
			out = append(out, pi)
		}
	}
	return out
}

// ciliumIsolatesEgress says whether a rule puts its endpoints under
// egress enforcement: it has egress or egressDeny rules (Cilium's default,
// enableDefaultDeny.egress left on).
func ciliumIsolatesEgress(rule *yaml.Node) bool {
	return lint.Field(rule, "egress") != nil || lint.Field(rule, "egressDeny") != nil
}

// ciliumPortsReachMetadata says whether a Cilium egress rule's toPorts
// admit TCP port 80: none (every port), or a port entry for TCP or ANY
// with no port, port 0, port 80, or a range holding 80. A named port
// names a pod's port, never an outside address's.
func ciliumPortsReachMetadata(rule *yaml.Node) bool {
	portRules := lint.Items(lint.Field(rule, "toPorts"))
	if len(portRules) == 0 {
		return true
	}
	for _, pr := range portRules {
		ports := lint.Items(lint.Field(pr, "ports"))
		if len(ports) == 0 {
			return true
		}
		for _, p := range ports {
			if proto := strings.ToUpper(lint.Str(lint.Field(p, "protocol"))); proto != "" && proto != "TCP" && proto != "ANY" {
				continue
			}
			pn := lint.Str(lint.Field(p, "port"))
			if pn == "" || pn == "0" {
				return true
			}
			n, err := strconv.ParseInt(pn, 10, 64)
			if err != nil {
				continue
			}
			end, hasEnd := lint.Int(lint.Field(p, "endPort"))
			if n == metadataPort || hasEnd && n <= metadataPort && metadataPort <= end {
				return true
			}
		}
	}
	return false
}

// ciliumL3Fields are the destination fields of a Cilium egress rule; a
// rule with none of them allows every destination on its ports.
var ciliumL3Fields = []string{"toEndpoints", "toRequires", "toCIDR", "toCIDRSet", "toEntities", "toServices", "toFQDNs", "toGroups", "toNodes"}

// metadataHosts are DNS names that resolve to a metadata address.
var metadataHosts = map[string]netip.Addr{"metadata.google.internal": netip.MustParseAddr("169.254.169.254")}

// fqdnMetadata returns the metadata address a toFQDNs entry admits: "*"
// matches every name, so every address a pod looks up (the metadata
// server's names included); a name or pattern matching a metadata host
// admits its address.
func fqdnMetadata(sel *yaml.Node) (netip.Addr, bool) {
	if name := strings.TrimSuffix(strings.ToLower(lint.Str(lint.Field(sel, "matchName"))), "."); name != "" {
		a, ok := metadataHosts[name]
		return a, ok
	}
	pattern := strings.TrimSuffix(strings.ToLower(lint.Str(lint.Field(sel, "matchPattern"))), ".")
	if pattern == "" {
		return netip.Addr{}, false
	}
	for host, a := range metadataHosts {
		if globMatch(pattern, host) {
			return a, true
		}
	}
	return netip.Addr{}, false
}

// globMatch matches Cilium's DNS patterns: "*" is any run of characters
// but ".", except as a whole label-free pattern or leftmost without a
// following ".", where it also spans labels; "**." spans labels.
func globMatch(pattern, name string) bool {
	if pattern == "*" {
		return true
	}
	if rest, ok := strings.CutPrefix(pattern, "**."); ok {
		return strings.HasSuffix(name, "."+rest) && len(name) > len(rest)+1
	}
	if strings.HasPrefix(pattern, "*") && !strings.HasPrefix(pattern, "*.") && strings.HasSuffix(name, pattern[1:]) {
		return true
	}
	return globLabel(pattern, name)
}

// globLabel matches with "*" standing for characters other than ".".
func globLabel(pattern, name string) bool {
	star := strings.IndexByte(pattern, '*')
	if star < 0 {
		return pattern == name
	}
	if !strings.HasPrefix(name, pattern[:star]) {
		return false
	}
	rest := name[star:]
	for i := 0; i <= len(rest); i++ {
		if globLabel(pattern[star+1:], rest[i:]) {
			return true
		}
		if i < len(rest) && rest[i] == '.' {
			return false
		}
	}
	return false
}

// entityMetadata are the metadata addresses a toEntities entry covers:
// world (and all) is every address outside the cluster, world-ipv4 and
// world-ipv6 its halves.
func entityMetadata(entity string) []netip.Addr {
	switch entity {
	case "world", "all":
		return metadataAddrs
	case "world-ipv4":
		return metadataAddrs[:1]
	case "world-ipv6":
		return metadataAddrs[1:]
	}
	return nil
}

// reportCiliumMetadata reports each egress rule of a CiliumNetworkPolicy
// that admits a metadata address on port 80.
func reportCiliumMetadata(s *lint.Set, o *lint.Object, r *lint.Reporter) {
	rules, paths := ciliumRules(o)
	for k, rule := range rules {
		pods := ciliumSelected(s, o.Namespace, rule)
		gke := len(pods) > 0
		for _, pi := range pods {
			gke = gke && onGKEMetadataServer(pi)
		}
		for i, eg := range lint.Items(lint.Field(rule, "egress")) {
			if !ciliumPortsReachMetadata(eg) {
				continue
			}
			at := fmt.Sprintf("%s.egress[%d]", paths[k], i)
			report := func(path, what string, addrs []netip.Addr, note string) {
				if addrs = withoutGKE(addrs, gke); len(addrs) > 0 {
					r.Report(o, path, "CiliumNetworkPolicy %q allows egress to %s, which includes the cloud metadata address %s%s", o.Name, what, joinAddrs(addrs), note)
				}
			}
			l3 := false
			for _, f := range ciliumL3Fields {
				l3 = l3 || lint.Field(eg, f) != nil
			}
			if !l3 {
				if addrs := withoutGKE(metadataAddrs, gke); len(addrs) > 0 {
					r.Report(o, at, "CiliumNetworkPolicy %q egress rule %d names no destination, so it allows every one, including the cloud metadata address %s", o.Name, i, joinAddrs(addrs))
				}
				continue
			}
			for j, c := range lint.Items(lint.Field(eg, "toCIDR")) {
				block := &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{{Kind: yaml.ScalarNode, Value: "cidr"}, c}}
				report(fmt.Sprintf("%s.toCIDR[%d]", at, j), lint.Str(c), ipBlockMetadata(block), "")
			}
			for j, set := range lint.Items(lint.Field(eg, "toCIDRSet")) {
				report(fmt.Sprintf("%s.toCIDRSet[%d].cidr", at, j), lint.Str(lint.Field(set, "cidr")), ipBlockMetadata(set), " (not in except)")
			}
			for j, e := range lint.Items(lint.Field(eg, "toEntities")) {
				report(fmt.Sprintf("%s.toEntities[%d]", at, j), "the entity "+lint.Str(e), entityMetadata(lint.Str(e)), "")
			}
			for j, f := range lint.Items(lint.Field(eg, "toFQDNs")) {
				if a, ok := fqdnMetadata(f); ok {
					what := "the DNS names matching " + lint.Str(lint.Field(f, "matchPattern"))
					if n := lint.Str(lint.Field(f, "matchName")); n != "" {
						what = "the DNS name " + n
					}
					report(fmt.Sprintf("%s.toFQDNs[%d]", at, j), what, []netip.Addr{a}, "")
				}
			}
		}
	}
}

// ciliumEgressIsolated is, per namespace, the pods some
// CiliumNetworkPolicy puts under egress enforcement.
func ciliumEgressIsolated(s *lint.Set) map[*lint.Object]bool {
	out := map[*lint.Object]bool{}
	for _, o := range s.OfKind(kindCNP) {
		if !isCiliumPolicy(o) {
			continue
		}
		rules, _ := ciliumRules(o)
		for _, rule := range rules {
			if !ciliumIsolatesEgress(rule) {
				continue
			}
			for _, pi := range ciliumSelected(s, o.Namespace, rule) {
				out[pi.Obj] = true
			}
		}
	}
	return out
}
