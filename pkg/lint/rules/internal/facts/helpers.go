package reliability

import (
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"

	yaml "go.yaml.in/yaml/v3"

	"github.com/platformctl/platformctl/pkg/lint"
)

// Kinds the rules tell apart. Anything else with a pod template (Argo
// Rollouts and other CRDs) is treated like a Deployment.
const (
	kindPod                   = "Pod"
	kindPodTemplate           = "PodTemplate"
	kindDeployment            = "Deployment"
	kindStatefulSet           = "StatefulSet"
	kindDaemonSet             = "DaemonSet"
	kindReplicaSet            = "ReplicaSet"
	kindReplicationController = "ReplicationController"
	kindJob                   = "Job"
	kindCronJob               = "CronJob"
	kindService               = "Service"
	kindHPA                   = "HorizontalPodAutoscaler"
	kindPDB                   = "PodDisruptionBudget"
	kindNetworkPolicy         = "NetworkPolicy"
	kindNamespace             = "Namespace"
	kindLimitRange            = "LimitRange"
)

// describe names an object in a message: Deployment "web".
func describe(o *lint.Object) string { return fmt.Sprintf("%s %q", o.Kind, o.Name) }

// nsName names a namespace in a message; objects without one land wherever
// they are applied (kubectl -n, Kustomize), which is what "" means here.
func nsName(ns string) string {
	if ns == "" {
		return "(unset)"
	}
	return strconv.Quote(ns)
}

// longRunning says whether o's pods are meant to run until replaced, which is
// when readiness and liveness mean something. Jobs run to completion; a bare
// Pod does only with restartPolicy Never or OnFailure.
func longRunning(o *lint.Object, p *lint.Pod) bool {
	switch o.Kind {
	case kindJob, kindCronJob, kindPodTemplate:
		return false
	}
	if p == nil {
		return false
	}
	if o.Kind == kindPod {
		rp := lint.Str(lint.Field(p.Spec, "restartPolicy"))
		return rp == "" || rp == "Always"
	}
	return true
}

// replicated says whether o's pod count is spec.replicas: the built-in
// replica controllers and CRDs shaped like them (Argo Rollouts).
func replicated(o *lint.Object) bool {
	switch o.Kind {
	case kindDeployment, kindStatefulSet, kindReplicaSet, kindReplicationController:
		return true
	case kindDaemonSet, kindJob, kindCronJob, kindPod, kindPodTemplate:
		return false
	}
	return o.Pod() != nil
}

// specReplicas reads spec.replicas: its value (1 when unset, the API
// default), whether it is set, and whether it is a readable integer.
func specReplicas(o *lint.Object) (n int64, set, known bool) {
	node := lint.Get(o.Root, "spec", "replicas")
	if node == nil || node.Tag == "!!null" {
		return 1, false, true
	}
	v, ok := lint.Int(node)
	return v, true, ok
}

// autoscaler is an HPA or KEDA ScaledObject and the replica range it keeps.
type autoscaler struct {
	obj      *lint.Object
	min, max int64
}

// autoscalers maps "kind/namespace/name" of a scale target to what scales it.
type autoscalers map[string]*autoscaler

func targetKey(kind, ns, name string) string { return kind + "/" + ns + "/" + name }

// indexAutoscalers reads every HPA and KEDA ScaledObject once: O(n) in
// autoscalers, then O(1) per workload. KEDA creates an HPA at runtime, so
// a ScaledObject counts as one.
func indexAutoscalers(s *lint.Set) autoscalers {
	as := autoscalers{}
	for _, h := range s.OfKind(kindHPA) {
		ref := lint.Get(h.Root, "spec", "scaleTargetRef")
		min, ok := lint.Int(lint.Get(h.Root, "spec", "minReplicas"))
		if !ok {
			min = 1
		}
		max, _ := lint.Int(lint.Get(h.Root, "spec", "maxReplicas"))
		as[targetKey(lint.Str(lint.Field(ref, "kind")), h.Namespace, lint.Str(lint.Field(ref, "name")))] = &autoscaler{obj: h, min: min, max: max}
	}
	for _, so := range s.OfKind("ScaledObject") {
		if so.Group() != "keda.sh" {
			continue
		}
		ref := lint.Get(so.Root, "spec", "scaleTargetRef")
		kind := lint.Str(lint.Field(ref, "kind"))
		if kind == "" {
			kind = kindDeployment
		}
		min, ok := lint.Int(lint.Get(so.Root, "spec", "minReplicaCount"))
		if !ok {
			min = 0
		}
		max, ok := lint.Int(lint.Get(so.Root, "spec", "maxReplicaCount"))
		if !ok {
			max = 100
		}
		as[targetKey(kind, so.Namespace, lint.Str(lint.Field(ref, "name")))] = &autoscaler{obj: so, min: min, max: max}
	}
	return as
}

func (as autoscalers) of(o *lint.Object) *autoscaler {
	return as[targetKey(o.Kind, o.Namespace, o.Name)]
}

// replicaRange is how many pods a replicated workload runs: fixed, or the
// range its autoscaler keeps. known is false when spec.replicas is not a
// number (a template placeholder), and then nothing is judged.
type replicaRange struct {
	min, max int64
	auto     *autoscaler
	known    bool
}

func rangeOf(o *lint.Object, as autoscalers) replicaRange {
	if a := as.of(o); a != nil {
		return replicaRange{min: a.min, max: a.max, auto: a, known: true}
	}
	n, _, known := specReplicas(o)
	return replicaRange{min: n, max: n, known: known}
}

// selector is a label selector: a metav1.LabelSelector node (matchLabels
// and matchExpressions) or a plain map (Service, ReplicationController).
type selector struct {
	node  *yaml.Node
	plain map[string]string
	// pairs are the equality requirements, used to index.
	pairs map[string]string
}

func labelSelector(n *yaml.Node) selector {
	return selector{node: n, pairs: lint.StringMap(lint.Field(n, "matchLabels"))}
}

func mapSelector(m map[string]string) selector { return selector{plain: m, pairs: m} }

// matches follows the API: a nil LabelSelector matches nothing, an empty
// one everything.
func (s selector) matches(labels map[string]string) bool {
	if s.node != nil {
		return lint.LabelSelector(s.node, labels)
	}
	if s.plain != nil {
		return lint.Selects(s.plain, labels)
	}
	return false
}

// empty says whether the selector selects everything.
func (s selector) empty() bool {
	if s.node != nil {
		return len(s.pairs) == 0 && len(lint.Items(lint.Field(s.node, "matchExpressions"))) == 0
	}
	return s.plain != nil && len(s.plain) == 0
}

func pairKey(k, v string) string { return k + "\x00" + v }

// labeled is an object with the labels selectors match against (a
// workload's pod template labels, a Service's own labels).
type labeled struct {
	obj    *lint.Object
	labels map[string]string
	// pod is set when obj runs pods; nil for the pods a Gateway will have,
	// whose containers are unknown.
	pod *podInfo
}

// labelIndex finds the objects a selector selects without scanning them
// all: objects are bucketed by each label pair, and a selector walks only
// the smallest bucket of its matchLabels pairs. Selectors with no
// matchLabels (expressions only, or empty) scan the namespace.
type labelIndex struct {
	items  []labeled
	byPair map[string][]int
	// examined counts the candidates selectors were matched against, over
	// every lookup: the scale test's proof that matching is not quadratic.
	// Rules on different workers share an index, hence atomic; it is added
	// to once per lookup, not per candidate.
	examined atomic.Int64
}

func (ix *labelIndex) add(l labeled) {
	if ix.byPair == nil {
		ix.byPair = map[string][]int{}
	}
	i := len(ix.items)
	ix.items = append(ix.items, l)
	for k, v := range l.labels {
		key := pairKey(k, v)
		ix.byPair[key] = append(ix.byPair[key], i)
	}
}

// each calls fn for every object sel selects until fn returns false.
func (ix *labelIndex) each(sel selector, fn func(labeled) bool) {
	if ix == nil {
		return
	}
	n := 0
	defer func() { ix.examined.Add(int64(n)) }()
	if len(sel.pairs) == 0 {
		for _, it := range ix.items {
			n++
			if sel.matches(it.labels) && !fn(it) {
				return
			}
		}
		return
	}
	var best []int
	first := true
	for k, v := range sel.pairs {
		b := ix.byPair[pairKey(k, v)]
		if first || len(b) < len(best) {
			best, first = b, false
		}
		if len(best) == 0 {
			return
		}
	}
	for _, i := range best {
		n++
		if sel.matches(ix.items[i].labels) && !fn(ix.items[i]) {
			return
		}
	}
}

// any says whether sel selects at least one object.
func (ix *labelIndex) any(sel selector) bool {
	found := false
	ix.each(sel, func(labeled) bool { found = true; return false })
	return found
}

// selected returns every object sel selects.
func (ix *labelIndex) selected(sel selector) []labeled {
	var out []labeled
	ix.each(sel, func(l labeled) bool { out = append(out, l); return true })
	return out
}

// selectorEntry is an object that selects pods (a PDB, a NetworkPolicy).
type selectorEntry struct {
	obj *lint.Object
	sel selector
}

// selectorIndex is the reverse of labelIndex: given pod labels, find the
// selectors that select them. Each selector is filed under one of its
// matchLabels pairs, the one fewest selectors share, so a lookup costs the
// pod's label count plus the few candidates filed under its pairs, not
// every selector of the namespace; selectors without matchLabels are
// checked on every lookup. Entries are filed once all are added (file), or
// on the first lookup, when the pair counts are known; an index shared
// between rules through the Set's memo is filed when it is built, so
// lookups on different workers only read it.
type selectorIndex struct {
	pending []selectorEntry
	byPair  map[string][]selectorEntry
	rest    []selectorEntry
	// examined counts the selectors matched against pod labels, over every
	// lookup (see labelIndex.examined).
	examined atomic.Int64
}

func (ix *selectorIndex) add(o *lint.Object, sel selector) {
	ix.pending = append(ix.pending, selectorEntry{o, sel})
}

func (ix *selectorIndex) file() {
	count := map[string]int{}
	for _, e := range ix.pending {
		for k, v := range e.sel.pairs {
			count[pairKey(k, v)]++
		}
	}
	ix.byPair = map[string][]selectorEntry{}
	for _, e := range ix.pending {
		if len(e.sel.pairs) == 0 {
			ix.rest = append(ix.rest, e)
			continue
		}
		// Ties go to the smaller key, so filing does not depend on map order.
		key := ""
		for k, v := range e.sel.pairs {
			pk := pairKey(k, v)
			if key == "" || count[pk] < count[key] || count[pk] == count[key] && pk < key {
				key = pk
			}
		}
		ix.byPair[key] = append(ix.byPair[key], e)
	}
	ix.pending = nil
}

// each calls fn for every entry that selects labels until fn returns false.
func (ix *selectorIndex) each(labels map[string]string, fn func(selectorEntry) bool) {
	if ix == nil {
		return
	}
	if ix.pending != nil {
		ix.file()
	}
	n := 0
	defer func() { ix.examined.Add(int64(n)) }()
	for k, v := range labels {
		for _, e := range ix.byPair[pairKey(k, v)] {
			n++
			if e.sel.matches(labels) && !fn(e) {
				return
			}
		}
	}
	for _, e := range ix.rest {
		n++
		if e.sel.matches(labels) && !fn(e) {
			return
		}
	}
}

func (ix *selectorIndex) any(labels map[string]string) bool {
	found := false
	ix.each(labels, func(selectorEntry) bool { found = true; return false })
	return found
}

// namespacesWith returns the namespaces holding at least one object that
// keep says yes to. Cross-object rules judge a reference only in such a
// namespace: when a namespace has none of its workloads or Services in the
// input, the input is partial there and a missing target proves nothing.
func namespacesWith(s *lint.Set, keep func(*lint.Object) bool) map[string]bool {
	out := map[string]bool{}
	for _, o := range s.Objects {
		if !out[o.Namespace] && keep(o) {
			out[o.Namespace] = true
		}
	}
	return out
}

// namespaceAnchor is where a finding about a whole namespace points: its
// Namespace object when the input has one, else the first object of the
// namespace that the finding is about.
func namespaceAnchor(s *lint.Set, ns string, fallback *lint.Object) (*lint.Object, string) {
	if ns != "" {
		if n := s.Lookup(kindNamespace, "", ns); n != nil {
			return n, "metadata.name"
		}
	}
	return fallback, "metadata.namespace"
}

// servicePort is one entry of a Service's spec.ports.
type servicePort struct {
	name       string
	port       int64
	targetPort *yaml.Node
	index      int
}

// path is formatted only for a finding.
func (sp servicePort) path() string { return "spec.ports[" + strconv.Itoa(sp.index) + "]" }

func servicePorts(svc *lint.Object) []servicePort {
	items := lint.Items(lint.Get(svc.Root, "spec", "ports"))
	out := make([]servicePort, 0, len(items))
	for i, p := range items {
		n, _ := lint.Int(lint.Field(p, "port"))
		out = append(out, servicePort{
			name: lint.Str(lint.Field(p, "name")), port: n,
			targetPort: lint.Field(p, "targetPort"), index: i,
		})
	}
	return out
}

// portRef is a port given as a number or a name (IntOrString).
type portRef struct {
	num  int64
	name string
}

func (p portRef) String() string {
	if p.name != "" {
		return strconv.Quote(p.name)
	}
	return strconv.FormatInt(p.num, 10)
}

// readPort reads an IntOrString port; ok is false when n is absent.
func readPort(n *yaml.Node) (portRef, bool) {
	if n == nil || n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return portRef{}, false
	}
	if v, ok := lint.Int(n); ok {
		return portRef{num: v}, true
	}
	return portRef{name: n.Value}, true
}

// containerPorts lists a container's declared ports.
func containerPorts(c *yaml.Node) []portRef {
	var out []portRef
	for _, p := range lint.Items(lint.Field(c, "ports")) {
		n, _ := lint.Int(lint.Field(p, "containerPort"))
		out = append(out, portRef{num: n, name: lint.Str(lint.Field(p, "name"))})
	}
	return out
}

func joinPorts(ps []portRef) string {
	parts := make([]string, 0, len(ps))
	for _, p := range ps {
		if p.name != "" {
			parts = append(parts, fmt.Sprintf("%d (%s)", p.num, p.name))
		} else {
			parts = append(parts, strconv.FormatInt(p.num, 10))
		}
	}
	return strings.Join(parts, ", ")
}

// isIANASvcName follows Kubernetes' IsValidPortName (RFC 6335 section 5.1):
// at most 15 characters of lowercase letters, digits and '-', at least one
// letter, no '-' at either end and no "--".
func isIANASvcName(s string) bool {
	if len(s) == 0 || len(s) > 15 || s[0] == '-' || s[len(s)-1] == '-' || strings.Contains(s, "--") {
		return false
	}
	letter := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z':
			letter = true
		case c >= '0' && c <= '9', c == '-':
		default:
			return false
		}
	}
	return letter
}

// isDNSLabel follows RFC 1123 labels, which Service port names must be.
func isDNSLabel(s string) bool {
	if len(s) == 0 || len(s) > 63 || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-':
		default:
			return false
		}
	}
	return true
}
