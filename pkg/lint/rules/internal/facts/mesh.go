package facts

import (
	"slices"

	"github.com/platformctl/platformctl/pkg/lint"
	"github.com/platformctl/platformctl/pkg/mesh"
)

// MeshedNamespace is a Namespace of the input a service mesh enrols.
type MeshedNamespace struct {
	Obj *lint.Object
	// Port is the mesh's inbound port (mesh.InboundPort).
	Port int32
	// Labels are what a namespaceSelector sees: the Namespace's labels
	// and kubernetes.io/metadata.name.
	Labels map[string]string
}

// MeshedNamespaces returns, by name, the Namespaces of the input that a
// mesh enrols by their label or annotation (pods enrolled one by one are
// not counted); built once per run for the mesh rules.
func MeshedNamespaces(s *lint.Set) map[string]MeshedNamespace { return lint.Memo(s, meshedKey) }

var meshedKey = lint.NewKey("meshed namespaces", buildMeshed)

func buildMeshed(s *lint.Set) map[string]MeshedNamespace {
	out := map[string]MeshedNamespace{}
	for _, ns := range s.OfKind(kindNamespace) {
		labels := lint.StringMap(lint.Get(ns.Root, "metadata", "labels"))
		if port := mesh.InboundPort(labels, lint.StringMap(lint.Get(ns.Root, "metadata", "annotations")), nil, nil); port != 0 {
			if labels == nil {
				labels = map[string]string{}
			}
			labels["kubernetes.io/metadata.name"] = ns.Name
			out[ns.Name] = MeshedNamespace{Obj: ns, Port: port, Labels: labels}
		}
	}
	return out
}

// SortedKeys returns m's keys in order.
func SortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
