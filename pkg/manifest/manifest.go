// Package manifest converts typed objects into the JSON-shaped maps Kustomize
// works on, and encodes them exactly as `kustomize build` prints them.
package manifest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"sigs.k8s.io/kustomize/kyaml/resid"
	sigsyaml "sigs.k8s.io/yaml"
)

// Map is one object as generic JSON: numbers are json.Number, so values
// survive the round trip byte for byte.
type Map = map[string]any

// ToMap marshals a typed object and decodes it into a Map, dropping the
// fields encoding/json emits for unset structs (creationTimestamp: null,
// status: {}), which no generated object means to set.
func ToMap(obj any) (Map, error) {
	b, err := json.Marshal(obj)
	if err != nil {
		return nil, fmt.Errorf("marshal %T: %w", obj, err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var m Map
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("decode %T: %w", obj, err)
	}
	delete(m, "status")
	dropNulls(m)
	return m, nil
}

func dropNulls(v any) {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			if e == nil {
				delete(t, k)
				continue
			}
			dropNulls(e)
		}
	case []any:
		for _, e := range t {
			dropNulls(e)
		}
	}
}

// Encode prints m as `kustomize build` does: JSON re-encoded as YAML with
// sorted keys (sigs.k8s.io/yaml.JSONToYAML is what Kustomize calls).
func Encode(m Map) ([]byte, error) {
	if b, ok := fastEncode(m); ok {
		return b, nil
	}
	return slowEncode(m)
}

// slowEncode is Kustomize's own path; fastEncode must match it byte for byte.
func slowEncode(m any) ([]byte, error) {
	j, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("encode: %w", err)
	}
	y, err := sigsyaml.JSONToYAML(j)
	if err != nil {
		return nil, fmt.Errorf("encode: %w", err)
	}
	return y, nil
}

// Get walks a path of keys through nested maps.
func Get(m Map, path ...string) any {
	var cur any = m
	for _, p := range path {
		mm, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = mm[p]
	}
	return cur
}

// String returns the string at path, or "".
func String(m Map, path ...string) string {
	s, _ := Get(m, path...).(string)
	return s
}

// GVK splits an object's apiVersion and kind.
func GVK(m Map) resid.Gvk {
	return resid.GvkFromString(String(m, "apiVersion") + "/" + String(m, "kind"))
}

// ResID is the identity Kustomize sorts and matches objects by.
func ResID(m Map) resid.ResId {
	g, v := groupVersion(String(m, "apiVersion"))
	return resid.NewResIdWithNamespace(resid.Gvk{Group: g, Version: v, Kind: String(m, "kind")},
		String(m, "metadata", "name"), String(m, "metadata", "namespace"))
}

func groupVersion(apiVersion string) (string, string) {
	if g, v, ok := strings.Cut(apiVersion, "/"); ok {
		return g, v
	}
	return "", apiVersion
}

// legacyFirst and legacyLast are Kustomize's legacy sort lists
// (api/internal/builtins/SortOrderTransformer.go), which it documents as frozen.
var legacyFirst = []string{
	"Namespace", "ResourceQuota", "StorageClass", "CustomResourceDefinition",
	"ServiceAccount", "PodSecurityPolicy", "Role", "ClusterRole", "RoleBinding",
	"ClusterRoleBinding", "ConfigMap", "Secret", "Endpoints", "Service",
	"LimitRange", "PriorityClass", "PersistentVolume", "PersistentVolumeClaim",
	"Deployment", "StatefulSet", "CronJob", "PodDisruptionBudget",
}

var legacyLast = []string{"MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"}

var typeOrder = func() map[string]int {
	m := map[string]int{}
	for i, k := range legacyFirst {
		m[k] = -len(legacyFirst) + i
	}
	for i, k := range legacyLast {
		m[k] = 1 + i
	}
	return m
}()

func legacyGVKString(g resid.Gvk) string {
	gr, v, k := g.Group, g.Version, g.Kind
	if gr == "" {
		gr = "~G"
	}
	if v == "" {
		v = "~V"
	}
	if k == "" {
		k = "~K"
	}
	return gr + "_" + v + "_" + k
}

func legacyIDString(id resid.ResId) string {
	ns, nm := id.Namespace, id.Name
	if ns == "" {
		ns = "~X"
	}
	if nm == "" {
		nm = "~N"
	}
	return id.Gvk.String() + "|" + ns + "|" + nm
}

// LegacyOrder returns the order Kustomize's `sortOptions: {order: legacy}`
// puts objs in (Namespaces first, webhooks last, then by type and identity),
// as indexes into objs.
func LegacyOrder(objs []Map) []int {
	ids := make([]resid.ResId, len(objs))
	for i, o := range objs {
		ids[i] = ResID(o)
	}
	idx := make([]int, len(objs))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool {
		x, y := ids[idx[a]], ids[idx[b]]
		if !x.Gvk.Equals(y.Gvk) {
			ox, oy := typeOrder[x.Kind], typeOrder[y.Kind]
			if ox != oy {
				return ox < oy
			}
			if x.Kind == "Namespace" && y.Kind == "Namespace" && (x.Group == "" || y.Group == "") {
				return legacyGVKString(x.Gvk) > legacyGVKString(y.Gvk)
			}
			return legacyGVKString(x.Gvk) < legacyGVKString(y.Gvk)
		}
		return legacyIDString(x) < legacyIDString(y)
	})
	return idx
}

// EncodeAll prints objects as one multi-document stream, as Kustomize does.
func EncodeAll(objs []Map) ([]byte, error) {
	var buf bytes.Buffer
	for i, o := range objs {
		if i > 0 {
			buf.WriteString("---\n")
		}
		y, err := Encode(o)
		if err != nil {
			return nil, err
		}
		buf.Write(y)
	}
	return buf.Bytes(), nil
}

// LabelField is one place, besides metadata.labels, where an overlay's
// labels transformer writes the environment label: a Kustomize field spec
// (the labels entry's fields), and what Build applies to produce the same
// bytes. Path is slash-separated; lists on the way are entered element by
// element, as Kustomize does.
type LabelField struct {
	Group, Version, Kind, Path string
	// Create makes missing maps on the way; without it a field is only
	// written where its map already exists.
	Create bool
}

// LabelFields are the environment label's field specs:
//
//   - The pod templates Kustomize v5.8's includeTemplates labels (its
//     metadataLabelsFieldSpecs), spelled out: includeTemplates itself
//     cannot be used, because up to v5.7 it also labels a StatefulSet's
//     volumeClaimTemplates, which are immutable, so the same overlay would
//     build differently — and a StatefulSet could not be updated —
//     depending on which Kustomize the GitOps controller embeds. Explicit
//     fields mean the same on v5.4–v5.8 (test/kustomize checks the range).
//   - The namespace selectors of NetworkPolicy peers that name a platform
//     namespace (their matchLabels exist; the DNS peer has none): the
//     generator writes them environment-neutral, so policies are the same
//     in every environment and no overlay repeats them, and the label
//     scopes them to the environment's own namespaces.
var LabelFields = []LabelField{
	{Version: "v1", Kind: "ReplicationController", Path: "spec/template/metadata/labels", Create: true},
	{Kind: "Deployment", Path: "spec/template/metadata/labels", Create: true},
	{Kind: "ReplicaSet", Path: "spec/template/metadata/labels", Create: true},
	{Kind: "DaemonSet", Path: "spec/template/metadata/labels", Create: true},
	{Group: "apps", Kind: "StatefulSet", Path: "spec/template/metadata/labels", Create: true},
	// Argo Rollouts' Rollout, whose pod template is a Deployment's.
	{Group: "argoproj.io", Kind: "Rollout", Path: "spec/template/metadata/labels", Create: true},
	{Group: "batch", Kind: "Job", Path: "spec/template/metadata/labels", Create: true},
	{Group: "batch", Kind: "CronJob", Path: "spec/jobTemplate/metadata/labels", Create: true},
	{Group: "batch", Kind: "CronJob", Path: "spec/jobTemplate/spec/template/metadata/labels", Create: true},
	{Group: "networking.k8s.io", Kind: "NetworkPolicy", Path: "spec/ingress/from/namespaceSelector/matchLabels"},
	{Group: "networking.k8s.io", Kind: "NetworkPolicy", Path: "spec/egress/to/namespaceSelector/matchLabels"},
}

// SetLabel sets key=value in metadata.labels and at every LabelFields
// location of m's kind, as the overlay's labels transformer does.
func SetLabel(m Map, key, value string) {
	setPath(m, []string{"metadata", "labels"}, true, key, value)
	kind := String(m, "kind")
	group, _ := groupVersion(String(m, "apiVersion"))
	for _, f := range LabelFields {
		if f.Kind == kind && (f.Group == "" || f.Group == group) {
			setPath(m, strings.Split(f.Path, "/"), f.Create, key, value)
		}
	}
}

func setPath(cur any, path []string, create bool, key, value string) {
	switch t := cur.(type) {
	case []any:
		for _, el := range t {
			setPath(el, path, create, key, value)
		}
	case map[string]any:
		if len(path) == 0 {
			t[key] = value
			return
		}
		next, ok := t[path[0]]
		if !ok || next == nil {
			if !create {
				return
			}
			next = map[string]any{}
			t[path[0]] = next
		}
		setPath(next, path[1:], create, key, value)
	}
}
