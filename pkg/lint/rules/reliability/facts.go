package reliability

import "github.com/platformctl/platformctl/pkg/lint"

// podInfo is an object that runs pods, read once: its pod, pod labels and
// containers.
type podInfo struct {
	obj        *lint.Object
	pod        *lint.Pod
	labels     map[string]string
	containers []lint.Container
	// hostNetwork pods share the node's network namespace, where
	// NetworkPolicies do not apply.
	hostNetwork bool
}

// facts are what the cross-object rules of this package derive from a run's
// objects: built once per Set in one O(n) pass and then shared, read-only,
// by every rule instead of each rule walking every pod again.
type facts struct {
	// pods are the objects that run pods, in input order.
	pods  []*podInfo
	byObj map[*lint.Object]*podInfo
	// podsByNS indexes pod labels per namespace, including the pods that
	// Gateways of the input will have (see gatewayPods).
	podsByNS    map[string]*labelIndex
	autoscalers autoscalers
	limits      map[string]*nsDefaults
}

// factsKey is this package's facts on a run's Set: built on first use by
// any rule, once per run, and dropped with the Set.
var factsKey = lint.NewKey("reliability facts", buildFacts)

func factsOf(s *lint.Set) *facts { return lint.Memo(s, factsKey) }

func buildFacts(s *lint.Set) *facts {
	f := &facts{
		byObj:       map[*lint.Object]*podInfo{},
		podsByNS:    map[string]*labelIndex{},
		autoscalers: indexAutoscalers(s),
		limits:      limitRangeDefaults(s),
	}
	for _, o := range s.Objects {
		p := o.Pod()
		// A PodTemplate is only a template: nothing runs from it, so no
		// Service or policy can select it.
		if p == nil || o.Kind == kindPodTemplate {
			continue
		}
		pi := &podInfo{obj: o, pod: p, labels: p.PodLabels(), containers: p.Containers(), hostNetwork: lint.IsTrue(lint.Field(p.Spec, "hostNetwork"))}
		f.pods = append(f.pods, pi)
		f.byObj[o] = pi
		ix := f.podsByNS[o.Namespace]
		if ix == nil {
			ix = &labelIndex{}
			f.podsByNS[o.Namespace] = ix
		}
		ix.add(labeled{obj: o, labels: pi.labels, pod: pi})
	}
	for _, gw := range s.OfKind("Gateway") {
		if gw.Group() != "gateway.networking.k8s.io" {
			continue
		}
		ix := f.podsByNS[gw.Namespace]
		if ix == nil {
			ix = &labelIndex{}
			f.podsByNS[gw.Namespace] = ix
		}
		ix.add(labeled{obj: gw, labels: gatewayPodLabels(gw)})
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
