// Package facts derives, once per lint run, what the cross-object rules of
// the reliability and networking packages know about the objects: which
// objects run pods and with which labels and containers, indexes from
// labels to selectors and back, autoscalers, LimitRange defaults, PDBs and
// NetworkPolicies by namespace, and whether an object runs in production. Each is a lint.Key on the run's Set, built
// on first use and shared read-only by every rule of the run.
package facts

import "github.com/platformctl/platformctl/pkg/lint"

// PodInfo is an object that runs pods, read once: its pod, pod labels and
// containers.
type PodInfo struct {
	Obj        *lint.Object
	Pod        *lint.Pod
	Labels     map[string]string
	Containers []lint.Container
	// HostNetwork pods share the node's network namespace, where
	// NetworkPolicies do not apply.
	HostNetwork bool
}

// Facts are what the cross-object rules derive from a run's
// objects: built once per Set in one O(n) pass and then shared, read-only,
// by every rule instead of each rule walking every pod again.
type Facts struct {
	// Pods are the objects that run pods, in input order.
	Pods  []*PodInfo
	ByObj map[*lint.Object]*PodInfo
	// PodsByNS indexes pod labels per namespace, including the pods that
	// Gateways and operator resources of the input will have (see
	// gatewayPodLabels, OperatorPodLabels).
	PodsByNS    map[string]*LabelIndex
	Autoscalers Autoscalers
	Limits      map[string]*NSDefaults
}

// factsKey is the Facts of a run's Set: built on first use by any rule,
// once per run, and dropped with the Set.
var factsKey = lint.NewKey("pod facts", buildFacts)

// Of returns the Facts of s.
func Of(s *lint.Set) *Facts { return lint.Memo(s, factsKey) }

func buildFacts(s *lint.Set) *Facts {
	f := &Facts{
		ByObj:       map[*lint.Object]*PodInfo{},
		PodsByNS:    map[string]*LabelIndex{},
		Autoscalers: indexAutoscalers(s),
		Limits:      limitRangeDefaults(s),
	}
	for _, o := range s.Objects {
		p := o.Pod()
		// A PodTemplate is only a template: nothing runs from it, so no
		// Service or policy can select it.
		if p == nil || o.Kind == kindPodTemplate {
			continue
		}
		pi := &PodInfo{Obj: o, Pod: p, Labels: p.PodLabels(), Containers: p.Containers(), HostNetwork: lint.IsTrue(lint.Field(p.Spec, "hostNetwork"))}
		f.Pods = append(f.Pods, pi)
		f.ByObj[o] = pi
		ix := f.PodsByNS[o.Namespace]
		if ix == nil {
			ix = &LabelIndex{}
			f.PodsByNS[o.Namespace] = ix
		}
		ix.Add(Labeled{Obj: o, Labels: pi.Labels, Pod: pi})
	}
	for _, k := range operatorPods {
		for _, o := range s.OfKind(k.kind) {
			for _, l := range OperatorPodLabels(o) {
				ix := f.PodsByNS[o.Namespace]
				if ix == nil {
					ix = &LabelIndex{}
					f.PodsByNS[o.Namespace] = ix
				}
				ix.Add(Labeled{Obj: o, Labels: l})
			}
		}
	}
	for _, gw := range s.OfKind("Gateway") {
		if gw.Group() != "gateway.networking.k8s.io" {
			continue
		}
		ix := f.PodsByNS[gw.Namespace]
		if ix == nil {
			ix = &LabelIndex{}
			f.PodsByNS[gw.Namespace] = ix
		}
		ix.Add(Labeled{Obj: gw, Labels: gatewayPodLabels(gw)})
	}
	return f
}

// gatewayPodLabels are the labels of the proxy pods a Gateway implementation
// deploys for an in-cluster Gateway: gateway.networking.k8s.io/gateway-name
// (GEP-1762) plus spec.infrastructure.labels (GEP-1867). Services and
// NetworkPolicies that select those pods are not selecting nothing, although
// no workload of the input has them.
func gatewayPodLabels(gw *lint.Object) map[string]string {
	labels := lint.StringMap(lint.Get(gw.Root, "spec", "infrastructure", "labels"))
	if labels == nil {
		labels = map[string]string{}
	}
	labels["gateway.networking.k8s.io/gateway-name"] = gw.Name
	return labels
}
