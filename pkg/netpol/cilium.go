package netpol

import (
	"fmt"
	"strings"

	"github.com/platformctl/platformctl/pkg/manifest"
)

// Cilium's CiliumNetworkPolicy (cilium.io/v2) is read into the same
// policies as NetworkPolicies, because Cilium enforces both together: an
// endpoint is isolated in a direction once a policy of either kind selects
// it for that direction, and then a connection passes when any of them
// allows it. What is read: endpointSelector; egress rules' toEndpoints,
// toCIDR, toCIDRSet, toEntities world (every outside address) and
// kube-apiserver (the API server, an entity peer External reports),
// toFQDNs (a host peer, reported by External) and toPorts; ingress rules'
// fromEndpoints, fromCIDR, fromCIDRSet and fromEntities world and
// kube-apiserver. L7 rules (rules.dns, rules.http) narrow what an allowed
// port carries and are not evaluated. Deny rules and the other peer kinds
// (toServices, toGroups, the other entities: host, remote-node, cluster,
// all, …) are an error: a policy the evaluator cannot read must not be
// taken to allow less, or more, than it does.

// EntityKubeAPIServer is Cilium's reserved entity of the API server,
// wherever it runs; it is no workload, so a rule naming it admits none and
// External reports it (External.Entity).
const EntityKubeAPIServer = "kube-apiserver"

// ciliumNamespaceKey is the endpoint label Cilium gives a pod's namespace,
// and ciliumNamespaceLabels prefixes the namespace's own labels.
const (
	ciliumNamespaceKey    = "io.kubernetes.pod.namespace"
	ciliumNamespaceLabels = "io.cilium.k8s.namespace.labels."
)

// ciliumKey drops a label key's source prefix (k8s:, any:).
func ciliumKey(k string) string {
	for _, src := range []string{"k8s:", "any:"} {
		if rest, ok := strings.CutPrefix(k, src); ok {
			return rest
		}
	}
	return k
}

// ciliumSelector splits a Cilium endpoint selector into a pod selector
// and a namespace selector (nil when it names no namespace).
func ciliumSelector(sel map[string]any) (pods, namespaces map[string]any, err error) {
	podLabels, nsLabels := map[string]any{}, map[string]any{}
	for k, v := range asMap(sel["matchLabels"]) {
		switch key := ciliumKey(k); {
		case key == ciliumNamespaceKey:
			nsLabels["kubernetes.io/metadata.name"] = v
		case strings.HasPrefix(key, ciliumNamespaceLabels):
			nsLabels[strings.TrimPrefix(key, ciliumNamespaceLabels)] = v
		default:
			podLabels[key] = v
		}
	}
	pods = map[string]any{"matchLabels": podLabels}
	var exprs []any
	for _, e := range asList(sel["matchExpressions"]) {
		em := asMap(e)
		key, _ := em["key"].(string)
		key = ciliumKey(key)
		if key == ciliumNamespaceKey || strings.HasPrefix(key, ciliumNamespaceLabels) {
			return nil, nil, fmt.Errorf("a matchExpressions on the namespace (%s) is not evaluated", key)
		}
		exprs = append(exprs, map[string]any{"key": key, "operator": em["operator"], "values": em["values"]})
	}
	if len(exprs) > 0 {
		pods["matchExpressions"] = exprs
	}
	if len(nsLabels) > 0 {
		namespaces = map[string]any{"matchLabels": nsLabels}
	}
	return pods, namespaces, nil
}

// readCiliumPolicy reads a CiliumNetworkPolicy's spec and specs, one
// policy each.
func readCiliumPolicy(m manifest.Map) ([]policy, error) {
	ns := manifest.String(m, "metadata", "namespace")
	var specs []map[string]any
	if s := asMap(m["spec"]); s != nil {
		specs = append(specs, s)
	}
	for _, s := range asList(m["specs"]) {
		specs = append(specs, asMap(s))
	}
	var out []policy
	for i, s := range specs {
		p, err := readCiliumRule(ns, s)
		if err != nil {
			return nil, fmt.Errorf("rule %d: %w", i, err)
		}
		out = append(out, p)
	}
	return out, nil
}

func readCiliumRule(ns string, s map[string]any) (policy, error) {
	p := policy{ns: ns, types: map[string]bool{}}
	for _, deny := range []string{"egressDeny", "ingressDeny"} {
		if s[deny] != nil {
			return p, fmt.Errorf("%s is not evaluated", deny)
		}
	}
	sel := asMap(s["endpointSelector"])
	if sel == nil {
		return p, fmt.Errorf("only endpointSelector is evaluated (nodeSelector selects nodes)")
	}
	pods, namespaces, err := ciliumSelector(sel)
	if err != nil {
		return p, fmt.Errorf("endpointSelector: %w", err)
	}
	if namespaces != nil && !Selects(namespaces, map[string]string{"kubernetes.io/metadata.name": ns}) {
		pods = nil // it names another namespace: it selects no pod of its own
	}
	p.selector = pods
	p.types[Egress] = s["egress"] != nil
	p.types[Ingress] = s["ingress"] != nil
	for i, r := range asList(s["egress"]) {
		rl, err := ciliumRuleOf(asMap(r), "to")
		if err != nil {
			return p, fmt.Errorf("egress[%d]: %w", i, err)
		}
		p.egress = append(p.egress, rl)
	}
	for i, r := range asList(s["ingress"]) {
		rl, err := ciliumRuleOf(asMap(r), "from")
		if err != nil {
			return p, fmt.Errorf("ingress[%d]: %w", i, err)
		}
		p.ingress = append(p.ingress, rl)
	}
	return p, nil
}

// ciliumRuleOf turns one Cilium rule into peers and ports as a
// NetworkPolicy writes them; dir is "to" or "from". A rule with no peer
// field allows every peer, as a NetworkPolicy rule without to/from does.
func ciliumRuleOf(r map[string]any, dir string) (rule, error) {
	var out rule
	for k := range r {
		switch strings.TrimPrefix(strings.TrimPrefix(k, "to"), "from") {
		case "Endpoints", "CIDR", "CIDRSet", "Entities", "FQDNs", "Ports":
		default:
			return out, fmt.Errorf("%s is not evaluated", k)
		}
	}
	for _, e := range asList(r[dir+"Endpoints"]) {
		pods, namespaces, err := ciliumSelector(asMap(e))
		if err != nil {
			return out, fmt.Errorf("%sEndpoints: %w", dir, err)
		}
		peer := map[string]any{"podSelector": pods}
		if namespaces != nil {
			peer["namespaceSelector"] = namespaces
		}
		out.peers = append(out.peers, peer)
	}
	for _, c := range asList(r[dir+"CIDR"]) {
		out.peers = append(out.peers, map[string]any{"ipBlock": map[string]any{"cidr": c}})
	}
	for _, c := range asList(r[dir+"CIDRSet"]) {
		cm := asMap(c)
		out.peers = append(out.peers, map[string]any{"ipBlock": map[string]any{"cidr": cm["cidr"], "except": cm["except"]}})
	}
	for _, e := range asList(r[dir+"Entities"]) {
		switch e {
		case "world":
			for _, cidr := range []string{"0.0.0.0/0", "::/0"} {
				out.peers = append(out.peers, map[string]any{"ipBlock": map[string]any{"cidr": cidr}})
			}
		case EntityKubeAPIServer:
			out.peers = append(out.peers, map[string]any{"entity": e})
		default:
			return out, fmt.Errorf("%sEntities %v is not evaluated", dir, e)
		}
	}
	if dir == "to" {
		for _, f := range asList(r["toFQDNs"]) {
			fm := asMap(f)
			host, _ := fm["matchName"].(string)
			if pattern, ok := fm["matchPattern"].(string); ok && host == "" {
				host = pattern
			}
			out.peers = append(out.peers, map[string]any{"host": host})
		}
	}
	for _, pr := range asList(r["toPorts"]) {
		for _, pp := range asList(asMap(pr)["ports"]) {
			pm := asMap(pp)
			protos := []string{protocol(pm["protocol"])}
			if protos[0] == "ANY" {
				protos = []string{"TCP", "UDP", "SCTP"}
			}
			for _, proto := range protos {
				port := map[string]any{"protocol": proto}
				if v, ok := pm["port"].(string); ok && v != "" && v != "0" {
					port["port"] = v
				}
				if e := pm["endPort"]; e != nil {
					port["endPort"] = e
				}
				out.ports = append(out.ports, port)
			}
		}
	}
	return out, nil
}
