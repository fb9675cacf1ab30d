package lint

import (
	"sync"

	yaml "go.yaml.in/yaml/v3"
)

// Set is every object of one invocation, with the indexes cross-object rules
// need. Indexes are built once, on first use, so a run with only per-object
// rules pays nothing for them.
type Set struct {
	Objects []*Object

	once   sync.Once
	byKind map[string][]*Object
	byName map[string]*Object // kind/namespace/name
	byNS   map[string][]*Object

	// memo holds the facts rules derive from the whole Set (see Memo).
	memo memo
}

// NewSet wraps objs.
func NewSet(objs []*Object) *Set { return &Set{Objects: objs} }

func (s *Set) index() {
	s.once.Do(func() {
		s.byKind = map[string][]*Object{}
		s.byName = map[string]*Object{}
		s.byNS = map[string][]*Object{}
		for _, o := range s.Objects {
			s.byKind[o.Kind] = append(s.byKind[o.Kind], o)
			s.byName[o.Kind+"/"+o.Namespace+"/"+o.Name] = o
			s.byNS[o.Namespace] = append(s.byNS[o.Namespace], o)
		}
	})
}

// OfKind returns the objects of kind, in input order.
func (s *Set) OfKind(kind string) []*Object {
	s.index()
	return s.byKind[kind]
}

// Lookup finds an object by kind, namespace and name.
func (s *Set) Lookup(kind, namespace, name string) *Object {
	s.index()
	return s.byName[kind+"/"+namespace+"/"+name]
}

// InNamespace returns the objects of a namespace ("" for cluster-scoped).
func (s *Set) InNamespace(ns string) []*Object {
	s.index()
	return s.byNS[ns]
}

// Workloads returns objects that have a pod, in a namespace.
func (s *Set) Workloads(ns string) []*Object {
	var out []*Object
	for _, o := range s.InNamespace(ns) {
		if o.Pod() != nil {
			out = append(out, o)
		}
	}
	return out
}

// Selects reports whether a matchLabels-style selector matches labels. An
// empty selector matches everything, as in NetworkPolicy and PDB.
func Selects(selector, labels map[string]string) bool {
	for k, v := range selector {
		if labels[k] != v {
			return false
		}
	}
	return true
}

// LabelSelector matches a metav1.LabelSelector node (matchLabels and
// matchExpressions) against labels. A nil node matches nothing; an empty
// selector matches everything.
func LabelSelector(sel *yaml.Node, labels map[string]string) bool {
	if sel == nil {
		return false
	}
	if !Selects(StringMap(Field(sel, "matchLabels")), labels) {
		return false
	}
	for _, e := range Items(Field(sel, "matchExpressions")) {
		key := Str(Field(e, "key"))
		vals := Strings(Field(e, "values"))
		v, has := labels[key]
		in := false
		for _, x := range vals {
			in = in || x == v
		}
		switch Str(Field(e, "operator")) {
		case "In":
			if !has || !in {
				return false
			}
		case "NotIn":
			if has && in {
				return false
			}
		case "Exists":
			if !has {
				return false
			}
		case "DoesNotExist":
			if has {
				return false
			}
		default:
			return false
		}
	}
	return true
}
