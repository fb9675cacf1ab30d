package render

import (
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/platformctl/platformctl/pkg/manifest"
)

// Op is one RFC 6902 JSON patch operation.
type Op struct {
	Op    string `json:"op"`
	Path  string `json:"path"`
	Value any    `json:"value,omitempty"`
}

// Diff returns the JSON patch that turns a into b. Maps are diffed key by
// key; lists of equal length element by element; anything else is replaced
// whole, which keeps patches readable and their meaning obvious.
func Diff(a, b manifest.Map) []Op {
	var ops []Op
	diffValue("", a, b, &ops)
	return ops
}

var pointerEscaper = strings.NewReplacer("~", "~0", "/", "~1")

func pointer(parent, key string) string {
	if strings.ContainsAny(key, "~/") {
		key = pointerEscaper.Replace(key)
	}
	return parent + "/" + key
}

func diffValue(p string, a, b any, ops *[]Op) {
	switch av := a.(type) {
	case map[string]any:
		bv, ok := b.(map[string]any)
		if !ok {
			break
		}
		for _, k := range sortedKeys(av) {
			if _, keep := bv[k]; !keep {
				*ops = append(*ops, Op{Op: "remove", Path: pointer(p, k)})
			}
		}
		for _, k := range sortedKeys(bv) {
			if old, ok := av[k]; ok {
				diffValue(pointer(p, k), old, bv[k], ops)
			} else {
				*ops = append(*ops, Op{Op: "add", Path: pointer(p, k), Value: bv[k]})
			}
		}
		return
	case []any:
		bv, ok := b.([]any)
		if !ok || len(av) != len(bv) {
			break
		}
		for i := range av {
			diffValue(fmt.Sprintf("%s/%d", p, i), av[i], bv[i], ops)
		}
		return
	}
	if !reflect.DeepEqual(a, b) {
		*ops = append(*ops, Op{Op: "replace", Path: p, Value: b})
	}
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// encodeOps prints a JSON patch; ops become plain maps so the fast emitter
// applies, and "value" is left out when an op has none.
func encodeOps(ops []Op) ([]byte, error) {
	l := make([]any, len(ops))
	for i, o := range ops {
		m := manifest.Map{"op": o.Op, "path": o.Path}
		if o.Value != nil {
			m["value"] = o.Value
		}
		l[i] = m
	}
	b, err := manifest.EncodeList(l)
	if err != nil {
		return nil, fmt.Errorf("encode patch: %w", err)
	}
	return b, nil
}
