package lint

import (
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// Node helpers read a decoded YAML tree without converting it: positions
// stay attached, and nothing is allocated for fields no rule looks at.
// Decode has already rewritten every key and scalar as the API server
// reads it (YAML 1.1, as sigs.k8s.io/yaml converts it to JSON), so a
// helper compares JSON values, never source spellings.

// Field returns the value of key in mapping n, or nil.
func Field(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// Get walks mapping keys from n: Get(o.Root, "spec", "template") is
// At(o.Root, "spec.template") for a constant path, without parsing the
// path on every call of a per-object check. It is the one accessor rules
// use for a fixed field path; At is for paths built at run time.
func Get(n *yaml.Node, keys ...string) *yaml.Node {
	for _, k := range keys {
		if n = Field(n, k); n == nil {
			return nil
		}
	}
	return n
}

// KeyOf returns the key node of key in mapping n (its position is where a
// finding about the field points), or nil.
func KeyOf(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i]
		}
	}
	return nil
}

// Items returns the elements of sequence n (nil for anything else).
func Items(n *yaml.Node) []*yaml.Node {
	if n == nil || n.Kind != yaml.SequenceNode {
		return nil
	}
	return n.Content
}

// Pairs calls fn for every key/value of mapping n, in document order.
func Pairs(n *yaml.Node, fn func(k, v *yaml.Node)) {
	if n == nil || n.Kind != yaml.MappingNode {
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		fn(n.Content[i], n.Content[i+1])
	}
}

// Str returns a scalar's value, or "" for anything else.
func Str(n *yaml.Node) string {
	if n == nil || n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return ""
	}
	return n.Value
}

// Bool returns a boolean scalar's value and whether n is one. Trees from
// Decode hold scalars as the API server reads them (yes, on and y are
// !!bool "true"), so this is the value the cluster acts on.
func Bool(n *yaml.Node) (value, ok bool) {
	if n == nil || n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
		return false, false
	}
	return n.Value == "true", true
}

// Int returns an integer scalar's value and whether n is one: any JSON
// number written as an integer that fits int64 (Decode writes 0x1F, 0777
// and 0.0 as 31, 511 and 0, as the API server receives them; 1.5 is not
// an integer).
func Int(n *yaml.Node) (int64, bool) {
	if n == nil || n.Kind != yaml.ScalarNode || n.Tag != "!!int" {
		return 0, false
	}
	v, err := strconv.ParseInt(n.Value, 10, 64)
	if err != nil {
		return 0, false // past int64: no integer field of the API takes it
	}
	return v, true
}

// IsTrue says whether n is the boolean true.
func IsTrue(n *yaml.Node) bool {
	v, ok := Bool(n)
	return ok && v
}

// IsFalse says whether n is the boolean false.
func IsFalse(n *yaml.Node) bool {
	v, ok := Bool(n)
	return ok && !v
}

// StringMap reads a mapping of scalars (labels, annotations, selectors).
func StringMap(n *yaml.Node) map[string]string {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	m := make(map[string]string, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		m[n.Content[i].Value] = Str(n.Content[i+1])
	}
	return m
}

// Strings reads a sequence of scalars.
func Strings(n *yaml.Node) []string {
	var out []string
	for _, it := range Items(n) {
		out = append(out, Str(it))
	}
	return out
}

// At walks a dotted path with [i] indexes ("spec.template.spec.containers[0]").
func At(n *yaml.Node, path string) *yaml.Node {
	cur := n
	for rest := path; ; {
		seg, r, ok := nextSegment(rest)
		if !ok {
			break
		}
		rest = r
		if cur == nil {
			return nil
		}
		if seg.index >= 0 {
			items := Items(cur)
			if seg.index >= len(items) {
				return nil
			}
			cur = items[seg.index]
			continue
		}
		cur = Field(cur, seg.key)
	}
	return cur
}

type segment struct {
	key   string
	index int
}

// nextSegment parses the first segment of a path and returns the rest; ok
// is false when no segment is left (or a bracket is not closed). Keys may
// not contain dots unbracketed: Kubernetes field names never do, and label
// keys are addressed with ["key"]. Walking segment by segment allocates
// nothing: At and Locate run for every finding and many checks.
func nextSegment(path string) (seg segment, rest string, ok bool) {
	if path == "" {
		return segment{}, "", false
	}
	if path[0] == '[' {
		end := strings.IndexByte(path, ']')
		if end < 0 {
			return segment{}, "", false
		}
		inner := path[1:end]
		rest = strings.TrimPrefix(path[end+1:], ".")
		// Atoi fails (allocating its error) unless inner starts with a sign
		// or a digit.
		if inner != "" && (inner[0] == '+' || inner[0] == '-' || inner[0] >= '0' && inner[0] <= '9') {
			if i, err := strconv.Atoi(inner); err == nil {
				return segment{index: i}, rest, true
			}
		}
		return segment{key: strings.Trim(inner, `"`), index: -1}, rest, true
	}
	end := strings.IndexAny(path, ".[")
	if end < 0 {
		return segment{key: path, index: -1}, "", true
	}
	return segment{key: path[:end], index: -1}, strings.TrimPrefix(path[end:], "."), true
}

// Locate returns the most precise position for path in n: the value when it
// exists, else the key of the deepest existing ancestor field, else n itself.
func Locate(n *yaml.Node, path string) (line, col int) {
	best := n
	cur := n
	for rest := path; cur != nil; {
		seg, r, ok := nextSegment(rest)
		if !ok {
			break
		}
		rest = r
		var next *yaml.Node
		if seg.index >= 0 {
			items := Items(cur)
			if seg.index < len(items) {
				next = items[seg.index]
			}
		} else {
			if k := KeyOf(cur, seg.key); k != nil {
				best = k
			}
			next = Field(cur, seg.key)
		}
		if next == nil {
			break
		}
		cur = next
		if cur.Kind == yaml.ScalarNode {
			best = cur
		} else if seg.index >= 0 {
			best = cur
		}
	}
	if best == nil {
		return 1, 1
	}
	return best.Line, best.Column
}

// patchKeys are the list keys a strategic-merge patch names elements by,
// tried in order (containers, env, volumes by name; mounts by path).
var patchKeys = []string{"name", "mountPath", "containerPort", "port"}

// LocatePatched finds path — written against built, the object as built —
// in patch, a strategic-merge patch that changed it: list elements are
// matched by their merge key rather than their index, since a patch names
// only the elements it changes. ok is false unless the patch itself sets
// the field, or defines the container the field is missing from (an
// element with an image: a sidecar the patch adds).
func LocatePatched(patch, built *yaml.Node, path string) (line, col int, ok bool) {
	p, b := patch, built
	var defined *yaml.Node // the deepest container the patch defines
	for rest := path; ; {
		seg, r, more := nextSegment(rest)
		if !more {
			break
		}
		rest = r
		if seg.index < 0 {
			k := KeyOf(p, seg.key)
			if k == nil {
				if defined != nil {
					return defined.Line, defined.Column, true
				}
				return 0, 0, false
			}
			line, col = k.Line, k.Column
			p, b = Field(p, seg.key), Field(b, seg.key)
			if p != nil && p.Kind == yaml.ScalarNode {
				line, col = p.Line, p.Column
			}
			continue
		}
		items := Items(b)
		if seg.index >= len(items) {
			return 0, 0, false
		}
		el := items[seg.index]
		var match *yaml.Node
		for _, key := range patchKeys {
			v := Field(el, key)
			if v == nil || v.Kind != yaml.ScalarNode {
				continue
			}
			for _, pe := range Items(p) {
				if pv := Field(pe, key); pv != nil && pv.Value == v.Value {
					match = pe
				}
			}
			break
		}
		if match == nil {
			return 0, 0, false
		}
		line, col = match.Line, match.Column
		if Field(match, "image") != nil {
			defined = match
		}
		p, b = match, el
	}
	return line, col, line > 0
}
