package facts

import "github.com/platformctl/platformctl/pkg/lint"

// IsNetworkPolicy tells Kubernetes NetworkPolicies from the CRDs of CNI
// plugins that reuse the kind name (Calico's NetworkPolicy).
func IsNetworkPolicy(o *lint.Object) bool {
	g := o.Group()
	return o.Kind == KindNetworkPolicy && (g == "networking.k8s.io" || g == "extensions")
}

// PodSelectorOf reads a NetworkPolicy's podSelector; absent means empty
// (the field is a struct, not a pointer), which selects every pod.
func PodSelectorOf(np *lint.Object) Selector {
	n := lint.Get(np.Root, "spec", "podSelector")
	if n == nil {
		return Selector{Plain: map[string]string{}}
	}
	return LabelSelector(n)
}

// NetworkPolicies is every NetworkPolicy filed under its namespace for
// pod-label lookups, once per run.
var NetworkPolicies = lint.NewKey("NetworkPolicies by namespace", func(s *lint.Set) map[string]*SelectorIndex {
	idx := map[string]*SelectorIndex{}
	for _, np := range s.OfKind(KindNetworkPolicy) {
		if !IsNetworkPolicy(np) {
			continue
		}
		ix := idx[np.Namespace]
		if ix == nil {
			ix = &SelectorIndex{}
			idx[np.Namespace] = ix
		}
		ix.add(np, PodSelectorOf(np))
	}
	for _, ix := range idx {
		ix.file()
	}
	return idx
})

// PolicyTypes returns the directions a NetworkPolicy applies to: the
// explicit list, or Ingress plus Egress when it has egress rules.
func PolicyTypes(np *lint.Object) (ingress, egress bool) {
	if t := lint.Get(np.Root, "spec", "policyTypes"); t != nil {
		for _, v := range lint.Strings(t) {
			ingress = ingress || v == "Ingress"
			egress = egress || v == "Egress"
		}
		return ingress, egress
	}
	return true, lint.Get(np.Root, "spec", "egress") != nil
}

// EgressPolicies is every NetworkPolicy that applies to egress filed under
// its namespace: a pod one of them selects is isolated for egress.
var EgressPolicies = lint.NewKey("egress NetworkPolicies by namespace", func(s *lint.Set) map[string]*SelectorIndex {
	return policiesByNamespace(s, func(_, egress bool) bool { return egress })
})

// IngressPolicies is every NetworkPolicy that applies to ingress filed
// under its namespace: a pod one of them selects is isolated for ingress.
var IngressPolicies = lint.NewKey("ingress NetworkPolicies by namespace", func(s *lint.Set) map[string]*SelectorIndex {
	return policiesByNamespace(s, func(ingress, _ bool) bool { return ingress })
})

// policiesByNamespace indexes the NetworkPolicies of s whose policy types
// (ingress, egress) applies accepts, by namespace and pod selector.
func policiesByNamespace(s *lint.Set, applies func(ingress, egress bool) bool) map[string]*SelectorIndex {
	idx := map[string]*SelectorIndex{}
	for _, np := range s.OfKind(KindNetworkPolicy) {
		if !IsNetworkPolicy(np) || !applies(PolicyTypes(np)) {
			continue
		}
		ix := idx[np.Namespace]
		if ix == nil {
			ix = &SelectorIndex{}
			idx[np.Namespace] = ix
		}
		ix.add(np, PodSelectorOf(np))
	}
	for _, ix := range idx {
		ix.file()
	}
	return idx
}
