package networking

import (
	"fmt"
	"sort"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/platformctl/platformctl/pkg/lint"
	"github.com/platformctl/platformctl/pkg/lint/rules/internal/facts"
)

// labelNamespaceName is the label the API server puts on every Namespace
// with its name: the one namespaceSelector that names namespaces exactly.
const labelNamespaceName = "kubernetes.io/metadata.name"

// namespacesNamed returns the namespaces a namespaceSelector names by
// kubernetes.io/metadata.name (matchLabels, or an In expression, and
// nothing else); ok is false for any other selector, whose namespaces
// depend on labels the input may not show.
func namespacesNamed(sel *yaml.Node) (names []string, ok bool) {
	ml := lint.StringMap(lint.Field(sel, "matchLabels"))
	exprs := lint.Items(lint.Field(sel, "matchExpressions"))
	switch {
	case len(ml) == 1 && ml[labelNamespaceName] != "" && len(exprs) == 0:
		return []string{ml[labelNamespaceName]}, true
	case len(ml) == 0 && len(exprs) == 1:
		e := exprs[0]
		if lint.Str(lint.Field(e, "key")) == labelNamespaceName && lint.Str(lint.Field(e, "operator")) == "In" {
			names = lint.Strings(lint.Field(e, "values"))
			return names, len(names) > 0
		}
	}
	return nil, false
}

// elsewhere lists, sorted, the namespaces other than ns where sel selects
// pods of the input: the likely target of a selector written for the
// wrong namespace.
func elsewhere(pods map[string]*facts.LabelIndex, ns string, sel facts.Selector) []string {
	var out []string
	for other, ix := range pods {
		if other != ns && ix.Any(sel) {
			out = append(out, facts.NsName(other))
		}
	}
	sort.Strings(out)
	return out
}

func networkPolicyPeerNoPods() lint.Rule {
	return lint.Rule{
		ID: "networkpolicy-peer-no-pods", Title: "NetworkPolicy peer selects no pods", Category: lint.CategoryNetworking, Severity: lint.Warning,
		Description: "A from or to peer of a NetworkPolicy rule has a podSelector that matches the pod template labels of no workload in the namespaces it applies to: the policy's own namespace, " +
			"or those its namespaceSelector names by kubernetes.io/metadata.name. The rule allows traffic from or to nobody, so the connection it was written for is dropped once the pods are isolated — typically after a relabel or a typo, or a peer meant for another namespace without a namespaceSelector. " +
			"Only judged when the input has workloads in each of those namespaces and the policy itself selects pods of the input; peers whose namespaceSelector selects by other labels, and empty podSelectors, are not judged. " +
			"The proxy pods a Gateway of the input will get (labelled gateway.networking.k8s.io/gateway-name) count as pods.",
		Remediation: "Make the peer's podSelector match the labels of the pods the traffic comes from or goes to, and add a namespaceSelector when they are in another namespace.",
		References:  []string{docsNetpol + "#behavior-of-to-and-from-selectors", "kube-linter dangling-networkpolicypeer-podselector"},
		CheckSet: func(s *lint.Set, _ *lint.Context, r *lint.Reporter) {
			pods := facts.Of(s).PodsByNS
			for _, np := range s.OfKind(facts.KindNetworkPolicy) {
				if !facts.IsNetworkPolicy(np) {
					continue
				}
				// A policy for pods the input does not have (networkpolicy-no-pods'
				// finding, or pods deployed next to these manifests) talks about
				// a part of the cluster the input does not show: its peers are
				// not judged either.
				if own := facts.PodSelectorOf(np); !own.Empty() && !pods[np.Namespace].Any(own) {
					continue
				}
				for _, dir := range []struct{ rules, peers string }{{"ingress", "from"}, {"egress", "to"}} {
					for i, rule := range lint.Items(lint.Get(np.Root, "spec", dir.rules)) {
						for j, peer := range lint.Items(lint.Field(rule, dir.peers)) {
							ps := lint.Field(peer, "podSelector")
							if ps == nil {
								continue
							}
							sel := facts.LabelSelector(ps)
							if sel.Empty() {
								continue
							}
							namespaces := []string{np.Namespace}
							if nsSel := lint.Field(peer, "namespaceSelector"); nsSel != nil {
								names, ok := namespacesNamed(nsSel)
								if !ok {
									continue
								}
								namespaces = names
							}
							judged, found := true, false
							for _, ns := range namespaces {
								ix := pods[ns]
								if ix == nil {
									judged = false
									break
								}
								found = found || ix.Any(sel)
							}
							if !judged || found {
								continue
							}
							quoted := make([]string, len(namespaces))
							for k, ns := range namespaces {
								quoted[k] = facts.NsName(ns)
							}
							msg := fmt.Sprintf("NetworkPolicy %q %s[%d].%s[%d] selects no pods of the workloads in namespace %s", np.Name, dir.rules, i, dir.peers, j, strings.Join(quoted, ", "))
							if lint.Field(peer, "namespaceSelector") == nil {
								if other := elsewhere(pods, np.Namespace, sel); len(other) > 0 {
									msg += fmt.Sprintf("; pods of namespace %s match (a peer without namespaceSelector selects pods of the policy's own namespace only)", strings.Join(other, ", "))
								}
							}
							r.Report(np, fmt.Sprintf("spec.%s[%d].%s[%d].podSelector", dir.rules, i, dir.peers, j), "%s", msg)
						}
					}
				}
			}
		},
	}
}

func podIsolatedOneDirection() lint.Rule {
	return lint.Rule{
		ID: "pod-isolated-one-direction", Title: "Workload isolated by NetworkPolicy in one direction only", Category: lint.CategoryNetworking, Severity: lint.Warning,
		Description: "NetworkPolicies select the workload's pods for ingress only or for egress only (by policyTypes), so the other direction stays open: " +
			"an ingress-only policy still lets a compromised pod connect anywhere, including the cloud metadata endpoint and the internet; an egress-only one still accepts connections from every pod of the cluster. " +
			"Usually a policy written for one direction whose namespace has no default deny for the other. Not judged where another policy engine's objects (Calico, Cilium, AdminNetworkPolicy) may select the pods, nor for hostNetwork pods; pods no policy selects at all are pod-not-covered-by-networkpolicy's.",
		Remediation: "Add the missing direction: a default-deny NetworkPolicy for it in the namespace (podSelector: {}, policyTypes: [Ingress] or [Egress]) and rules allowing what the pods need.",
		References:  []string{docsNetpol + "#default-policies", nsaCISA, "kube-score pod-networkpolicy"},
		CheckSet: func(s *lint.Set, _ *lint.Context, r *lint.Reporter) {
			clusterWide, other := otherPolicies(s)
			if clusterWide {
				return
			}
			in, eg := lint.Memo(s, facts.IngressPolicies), lint.Memo(s, facts.EgressPolicies)
			for _, pi := range facts.Of(s).Pods {
				o := pi.Obj
				if pi.HostNetwork || other[o.Namespace] {
					continue
				}
				ingress, egress := in[o.Namespace].Any(pi.Labels), eg[o.Namespace].Any(pi.Labels)
				switch {
				case ingress && !egress:
					r.Report(o, pi.Pod.MetaPath+".labels", "NetworkPolicies isolate the pods of %s for ingress only: no policy with policyTypes Egress selects them, so they may connect anywhere", facts.Describe(o))
				case egress && !ingress:
					r.Report(o, pi.Pod.MetaPath+".labels", "NetworkPolicies isolate the pods of %s for egress only: no policy with policyTypes Ingress selects them, so any pod may connect to them", facts.Describe(o))
				}
			}
		},
	}
}
