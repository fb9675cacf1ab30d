package kube

import (
	"encoding/base64"
	"fmt"
	"math"
	"slices"
	"strconv"

	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// Missing lists every field of sent that stored lacks or holds with a
// different value, as "path: reason". An empty result means sent ⊆ stored:
// the server kept everything it was given, and only added fields of its own
// (defaults, status, metadata it manages). A CRD schema that prunes unknown
// fields, or a field a built-in API no longer has, shows up here.
func Missing(sent, stored *unstructured.Unstructured) []string {
	want := normalizeSent(sent)
	var out []string
	subset(".", want.Object, stored.Object, &out)
	return out
}

// normalizeSent rewrites write-only inputs into the form the server stores
// them in, so they are not reported as dropped.
func normalizeSent(u *unstructured.Unstructured) *unstructured.Unstructured {
	u = u.DeepCopy()
	if u.GetAPIVersion() == "v1" && u.GetKind() == "Secret" {
		// stringData is merged into data on write and never stored.
		if sd, ok, _ := unstructured.NestedStringMap(u.Object, "stringData"); ok {
			data, _, _ := unstructured.NestedMap(u.Object, "data")
			if data == nil {
				data = map[string]any{}
			}
			for k, v := range sd {
				data[k] = base64.StdEncoding.EncodeToString([]byte(v))
			}
			unstructured.RemoveNestedField(u.Object, "stringData")
			_ = unstructured.SetNestedMap(u.Object, data, "data")
		}
	}
	return u
}

func subset(path string, sent, stored any, out *[]string) {
	switch s := sent.(type) {
	case nil:
		// An explicit null means "unset", which the server honours by not
		// storing the field.
		return
	case map[string]any:
		m, ok := stored.(map[string]any)
		if !ok {
			if isEmpty(s) && stored == nil {
				return
			}
			*out = append(*out, fmt.Sprintf("%s: sent an object, stored %s", path, describe(stored)))
			return
		}
		keys := make([]string, 0, len(s))
		for k := range s {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			child := path + k
			if path != "." {
				child = path + "." + k
			}
			v, present := m[k]
			if !present {
				if isEmpty(s[k]) {
					continue
				}
				*out = append(*out, fmt.Sprintf("%s: dropped by the server (sent %s)", child, describe(s[k])))
				continue
			}
			subset(child, s[k], v, out)
		}
	case []any:
		l, ok := stored.([]any)
		if !ok {
			if len(s) == 0 && stored == nil {
				return
			}
			*out = append(*out, fmt.Sprintf("%s: sent a list, stored %s", path, describe(stored)))
			return
		}
		if len(l) != len(s) {
			*out = append(*out, fmt.Sprintf("%s: sent %d items, stored %d", path, len(s), len(l)))
			return
		}
		for i := range s {
			subset(fmt.Sprintf("%s[%d]", path, i), s[i], l[i], out)
		}
	default:
		if !scalarEqual(sent, stored) {
			*out = append(*out, fmt.Sprintf("%s: sent %s, stored %s", path, describe(sent), describe(stored)))
		}
	}
}

// scalarEqual treats values as equal when the server merely re-spelled them:
// 1 vs 1.0, or resource quantities such as "0.5" vs "500m" or "1Gi" vs
// "1073741824" — canonicalisation is not data loss.
func scalarEqual(a, b any) bool {
	if a == b {
		return true
	}
	if fa, ok := toFloat(a); ok {
		if fb, ok := toFloat(b); ok {
			return fa == fb
		}
	}
	sa, aIsString := a.(string)
	sb, bIsString := b.(string)
	if aIsString || bIsString {
		if !aIsString {
			sa = fmt.Sprint(a)
		}
		if !bIsString {
			sb = fmt.Sprint(b)
		}
		qa, errA := resource.ParseQuantity(sa)
		qb, errB := resource.ParseQuantity(sb)
		return errA == nil && errB == nil && qa.Cmp(qb) == 0
	}
	return false
}

func toFloat(v any) (float64, bool) {
	switch n := v.(type) {
	case int64:
		return float64(n), true
	case int:
		return float64(n), true
	case float64:
		return n, !math.IsNaN(n)
	default:
		return 0, false
	}
}

// isEmpty reports values that carry no data: null, {}, [] and objects made
// only of those. The server omits them, which loses nothing.
func isEmpty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case map[string]any:
		for _, child := range x {
			if !isEmpty(child) {
				return false
			}
		}
		return true
	case []any:
		return len(x) == 0
	default:
		return false
	}
}

func describe(v any) string {
	switch x := v.(type) {
	case nil:
		return "nothing"
	case map[string]any:
		return fmt.Sprintf("an object with %d fields", len(x))
	case []any:
		return fmt.Sprintf("a list of %d", len(x))
	case string:
		return strconv.Quote(x)
	default:
		return fmt.Sprintf("%v", x)
	}
}
