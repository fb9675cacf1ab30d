package facts

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
	KindPod                   = "Pod"
	kindPodTemplate           = "PodTemplate"
	KindDeployment            = "Deployment"
	KindStatefulSet           = "StatefulSet"
	KindDaemonSet             = "DaemonSet"
	KindReplicaSet            = "ReplicaSet"
	KindReplicationController = "ReplicationController"
	KindJob                   = "Job"
	KindCronJob               = "CronJob"
	KindService               = "Service"
	KindHPA                   = "HorizontalPodAutoscaler"
	KindPDB                   = "PodDisruptionBudget"
	KindNetworkPolicy         = "NetworkPolicy"
	kindNamespace             = "Namespace"
	kindLimitRange            = "LimitRange"
)

// Describe names an object in a message: Deployment "web".
func Describe(o *lint.Object) string { return fmt.Sprintf("%s %q", o.Kind, o.Name) }

// NsName names a namespace in a message; objects without one land wherever
// they are applied (kubectl -n, Kustomize), which is what "" means here.
func NsName(ns string) string {
	if ns == "" {
		return "(unset)"
	}
	return strconv.Quote(ns)
}

// LongRunning says whether o's pods are meant to run until replaced, which is
// when readiness and liveness mean something. Jobs run to completion; a bare
// Pod does only with restartPolicy Never or OnFailure.
func LongRunning(o *lint.Object, p *lint.Pod) bool {
	switch o.Kind {
	case KindJob, KindCronJob, kindPodTemplate:
		return false
	}
	if p == nil {
		return false
	}
	if o.Kind == KindPod {
		rp := lint.Str(lint.Field(p.Spec, "restartPolicy"))
		return rp == "" || rp == "Always"
	}
	return true
}

// Replicated says whether o's pod count is spec.replicas: the built-in
// replica controllers and CRDs shaped like them (Argo Rollouts).
func Replicated(o *lint.Object) bool {
	switch o.Kind {
	case KindDeployment, KindStatefulSet, KindReplicaSet, KindReplicationController:
		return true
	case KindDaemonSet, KindJob, KindCronJob, KindPod, kindPodTemplate:
		return false
	}
	return o.Pod() != nil
}

// SpecReplicas reads spec.replicas: its value (1 when unset, the API
// default), whether it is set, and whether it is a readable integer.
func SpecReplicas(o *lint.Object) (n int64, set, known bool) {
	node := lint.Get(o.Root, "spec", "replicas")
	if node == nil || node.Tag == "!!null" {
		return 1, false, true
	}
	v, ok := lint.Int(node)
	return v, true, ok
}

// Autoscaler is an HPA or KEDA ScaledObject and the replica range it keeps.
type Autoscaler struct {
	Obj      *lint.Object
	min, max int64
}

// Autoscalers maps "kind/namespace/name" of a scale target to what scales it.
type Autoscalers map[string]*Autoscaler

func targetKey(kind, ns, name string) string { return kind + "/" + ns + "/" + name }

// indexAutoscalers reads every HPA and KEDA ScaledObject once: O(n) in
// Autoscalers, then O(1) per workload. KEDA creates an HPA at runtime, so
// a ScaledObject counts as one.
func indexAutoscalers(s *lint.Set) Autoscalers {
	as := Autoscalers{}
	for _, h := range s.OfKind(KindHPA) {
		ref := lint.Get(h.Root, "spec", "scaleTargetRef")
		min, ok := lint.Int(lint.Get(h.Root, "spec", "minReplicas"))
		if !ok {
			min = 1
		}
		max, _ := lint.Int(lint.Get(h.Root, "spec", "maxReplicas"))
		as[targetKey(lint.Str(lint.Field(ref, "kind")), h.Namespace, lint.Str(lint.Field(ref, "name")))] = &Autoscaler{Obj: h, min: min, max: max}
	}
	for _, so := range s.OfKind("ScaledObject") {
		if so.Group() != "keda.sh" {
			continue
		}
		ref := lint.Get(so.Root, "spec", "scaleTargetRef")
		kind := lint.Str(lint.Field(ref, "kind"))
		if kind == "" {
			kind = KindDeployment
		}
		min, ok := lint.Int(lint.Get(so.Root, "spec", "minReplicaCount"))
		if !ok {
			min = 0
		}
		max, ok := lint.Int(lint.Get(so.Root, "spec", "maxReplicaCount"))
		if !ok {
			max = 100
		}
		as[targetKey(kind, so.Namespace, lint.Str(lint.Field(ref, "name")))] = &Autoscaler{Obj: so, min: min, max: max}
	}
	return as
}

// Of returns what scales o, or nil.
func (as Autoscalers) Of(o *lint.Object) *Autoscaler {
	return as[targetKey(o.Kind, o.Namespace, o.Name)]
}

// ReplicaRange is how many pods a replicated workload runs: fixed, or the
// range its Autoscaler keeps. known is false when spec.replicas is not a
// number (a template placeholder), and then nothing is judged.
type ReplicaRange struct {
	Min, Max int64
	Auto     *Autoscaler
	Known    bool
}

// RangeOf is how many pods o runs, given what scales it.
func RangeOf(o *lint.Object, as Autoscalers) ReplicaRange {
	if a := as.Of(o); a != nil {
		return ReplicaRange{Min: a.min, Max: a.max, Auto: a, Known: true}
	}
	n, _, known := SpecReplicas(o)
	return ReplicaRange{Min: n, Max: n, Known: known}
}

// Selector is a label selector: a metav1.LabelSelector node (matchLabels
// and matchExpressions) or a plain map (Service, ReplicationController).
type Selector struct {
	Node  *yaml.Node
	Plain map[string]string
	// pairs are the equality requirements, used to index.
	pairs map[string]string
}

// LabelSelector reads a metav1.LabelSelector node.
func LabelSelector(n *yaml.Node) Selector {
	return Selector{Node: n, pairs: lint.StringMap(lint.Field(n, "matchLabels"))}
}

// MapSelector is a plain selector map (Service, ReplicationController).
func MapSelector(m map[string]string) Selector { return Selector{Plain: m, pairs: m} }

// matches follows the API: a nil LabelSelector matches nothing, an empty
// one everything.
func (s Selector) matches(labels map[string]string) bool {
	if s.Node != nil {
		return lint.LabelSelector(s.Node, labels)
	}
	if s.Plain != nil {
		return lint.Selects(s.Plain, labels)
	}
	return false
}

// Empty says whether the selector selects everything.
func (s Selector) Empty() bool {
	if s.Node != nil {
		return len(s.pairs) == 0 && len(lint.Items(lint.Field(s.Node, "matchExpressions"))) == 0
	}
	return s.Plain != nil && len(s.Plain) == 0
}

func pairKey(k, v string) string { return k + "\x00" + v }

// Labeled is an object with the labels selectors match against (a
// workload's pod template labels, a Service's own labels).
type Labeled struct {
	Obj    *lint.Object
	Labels map[string]string
	// Pod is set when obj runs pods; nil for the pods a Gateway will have,
	// whose containers are unknown.
	Pod *PodInfo
}

// LabelIndex finds the objects a selector selects without scanning them
// all: objects are bucketed by each label pair, and a selector walks only
// the smallest bucket of its matchLabels pairs. Selectors with no
// matchLabels (expressions only, or empty) scan the namespace.
type LabelIndex struct {
	items  []Labeled
	byPair map[string][]int
	// examined counts the candidates selectors were matched against, over
	// every lookup: the scale test's proof that matching is not quadratic.
	// Rules on different workers share an index, hence atomic; it is added
	// to once per lookup, not per candidate.
	examined atomic.Int64
}

// Add files l under each of its label pairs.
func (ix *LabelIndex) Add(l Labeled) {
	if ix.byPair == nil {
		ix.byPair = map[string][]int{}
	}
	i := len(ix.items)
	ix.items = append(ix.items, l)
	for k, v := range l.Labels {
		key := pairKey(k, v)
		ix.byPair[key] = append(ix.byPair[key], i)
	}
}

// each calls fn for every object sel selects until fn returns false.
func (ix *LabelIndex) each(sel Selector, fn func(Labeled) bool) {
	if ix == nil {
		return
	}
	n := 0
	defer func() { ix.examined.Add(int64(n)) }()
	if len(sel.pairs) == 0 {
		for _, it := range ix.items {
			n++
			if sel.matches(it.Labels) && !fn(it) {
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
		if sel.matches(ix.items[i].Labels) && !fn(ix.items[i]) {
			return
		}
	}
}

// Examined is how many candidates lookups have matched a selector against
// so far: the scale test's proof that matching is not quadratic.
func (ix *LabelIndex) Examined() int64 { return ix.examined.Load() }

// Any says whether sel selects at least one object.
func (ix *LabelIndex) Any(sel Selector) bool {
	found := false
	ix.each(sel, func(Labeled) bool { found = true; return false })
	return found
}

// Selected returns every object sel selects.
func (ix *LabelIndex) Selected(sel Selector) []Labeled {
	var out []Labeled
	ix.each(sel, func(l Labeled) bool { out = append(out, l); return true })
	return out
}

// SelectorEntry is an object that selects pods (a PDB, a NetworkPolicy).
type SelectorEntry struct {
	obj *lint.Object
	sel Selector
}

// SelectorIndex is the reverse of labelIndex: given pod labels, find the
// selectors that select them. Each selector is filed under one of its
// matchLabels pairs, the one fewest selectors share, so a lookup costs the
// pod's label count plus the few candidates filed under its pairs, not
// every selector of the namespace; selectors without matchLabels are
// checked on every lookup. Entries are filed once all are added (file), or
// on the first lookup, when the pair counts are known; an index shared
// between rules through the Set's memo is filed when it is built, so
// lookups on different workers only read it.
type SelectorIndex struct {
	pending []SelectorEntry
	byPair  map[string][]SelectorEntry
	rest    []SelectorEntry
	// examined counts the selectors matched against pod labels, over every
	// lookup (see labelIndex.examined).
	examined atomic.Int64
}

func (ix *SelectorIndex) add(o *lint.Object, sel Selector) {
	ix.pending = append(ix.pending, SelectorEntry{o, sel})
}

func (ix *SelectorIndex) file() {
	count := map[string]int{}
	for _, e := range ix.pending {
		for k, v := range e.sel.pairs {
			count[pairKey(k, v)]++
		}
	}
	ix.byPair = map[string][]SelectorEntry{}
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
func (ix *SelectorIndex) each(labels map[string]string, fn func(SelectorEntry) bool) {
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

// Examined is how many selectors lookups have matched against pod labels
// so far (see LabelIndex.Examined).
func (ix *SelectorIndex) Examined() int64 { return ix.examined.Load() }

// Any says whether a selector of the index selects labels.
func (ix *SelectorIndex) Any(labels map[string]string) bool {
	found := false
	ix.each(labels, func(SelectorEntry) bool { found = true; return false })
	return found
}

// NamespacesWith returns the namespaces holding at least one object that
// keep says yes to. Cross-object rules judge a reference only in such a
// namespace: when a namespace has none of its workloads or Services in the
// input, the input is partial there and a missing target proves nothing.
func NamespacesWith(s *lint.Set, keep func(*lint.Object) bool) map[string]bool {
	out := map[string]bool{}
	for _, o := range s.Objects {
		if !out[o.Namespace] && keep(o) {
			out[o.Namespace] = true
		}
	}
	return out
}

// NamespaceAnchor is where a finding about a whole namespace points: its
// Namespace object when the input has one, else the first object of the
// namespace that the finding is about.
func NamespaceAnchor(s *lint.Set, ns string, fallback *lint.Object) (*lint.Object, string) {
	if ns != "" {
		if n := s.Lookup(kindNamespace, "", ns); n != nil {
			return n, "metadata.name"
		}
	}
	return fallback, "metadata.namespace"
}

// ServicePort is one entry of a Service's spec.ports.
type ServicePort struct {
	Name       string
	Port       int64
	TargetPort *yaml.Node
	index      int
}

// Path is formatted only for a finding.
func (sp ServicePort) Path() string { return "spec.ports[" + strconv.Itoa(sp.index) + "]" }

// ServicePorts reads a Service's spec.ports.
func ServicePorts(svc *lint.Object) []ServicePort {
	items := lint.Items(lint.Get(svc.Root, "spec", "ports"))
	out := make([]ServicePort, 0, len(items))
	for i, p := range items {
		n, _ := lint.Int(lint.Field(p, "port"))
		out = append(out, ServicePort{
			Name: lint.Str(lint.Field(p, "name")), Port: n,
			TargetPort: lint.Field(p, "targetPort"), index: i,
		})
	}
	return out
}

// PortRef is a port given as a number or a name (IntOrString).
type PortRef struct {
	Num  int64
	Name string
}

func (p PortRef) String() string {
	if p.Name != "" {
		return strconv.Quote(p.Name)
	}
	return strconv.FormatInt(p.Num, 10)
}

// ReadPort reads an IntOrString port; ok is false when n is absent.
func ReadPort(n *yaml.Node) (PortRef, bool) {
	if n == nil || n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return PortRef{}, false
	}
	if v, ok := lint.Int(n); ok {
		return PortRef{Num: v}, true
	}
	return PortRef{Name: n.Value}, true
}

// ContainerPorts lists a container's declared ports.
func ContainerPorts(c *yaml.Node) []PortRef {
	var out []PortRef
	for _, p := range lint.Items(lint.Field(c, "ports")) {
		n, _ := lint.Int(lint.Field(p, "containerPort"))
		out = append(out, PortRef{Num: n, Name: lint.Str(lint.Field(p, "name"))})
	}
	return out
}

// JoinPorts lists ports for a message: 8080 (http), 9090.
func JoinPorts(ps []PortRef) string {
	parts := make([]string, 0, len(ps))
	for _, p := range ps {
		if p.Name != "" {
			parts = append(parts, fmt.Sprintf("%d (%s)", p.Num, p.Name))
		} else {
			parts = append(parts, strconv.FormatInt(p.Num, 10))
		}
	}
	return strings.Join(parts, ", ")
}

// IsIANASvcName follows Kubernetes' IsValidPortName (RFC 6335 section 5.1):
// at most 15 characters of lowercase letters, digits and '-', at least one
// letter, no '-' at either end and no "--".
func IsIANASvcName(s string) bool {
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

// IsDNSLabel follows RFC 1123 labels, which Service port names must be.
func IsDNSLabel(s string) bool {
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
