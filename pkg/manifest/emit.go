package manifest

import (
	"bytes"
	"encoding/json"
	"strings"
	"sync"
	"unicode"

	yamlv2 "go.yaml.in/yaml/v2"
)

// The fast emitter below prints JSON-shaped values exactly as
// sigs.k8s.io/yaml.JSONToYAML (go-yaml v2, block style, 80-column folding)
// does, without the JSON → reflect → YAML round trip that dominates render
// and build time. Scalars are encoded by go-yaml itself, once per distinct
// string, so quoting rules are not reimplemented. Whenever a value is outside
// what the fast path can reproduce (long strings that go-yaml might fold,
// multi-line strings, non-integer numbers), the caller falls back to
// JSONToYAML for the whole object; a test compares both on every golden
// object and on random input.

// foldWidth is go-yaml v2's default best_width: a scalar with spaces may be
// folded once its column passes it.
const foldWidth = 80

var scalarCache sync.Map // string → string (encoded, no newline) or "" for "use the slow path"

// encodeScalar returns go-yaml's encoding of s as a single-line scalar, or
// ok=false when it would be a block or multi-line scalar.
func encodeScalar(s string) (string, bool) {
	if v, ok := scalarCache.Load(s); ok {
		enc := v.(string)
		return enc, enc != ""
	}
	enc := ""
	if b, err := yamlv2.Marshal(s); err == nil {
		out := strings.TrimSuffix(string(b), "\n")
		if !strings.Contains(out, "\n") && !strings.HasPrefix(out, "|") && !strings.HasPrefix(out, ">") {
			enc = out
		}
	}
	scalarCache.Store(s, enc)
	return enc, enc != ""
}

type emitter struct {
	buf bytes.Buffer
	ok  bool
}

// fastEncode prints v or reports false when the slow path is needed.
func fastEncode(m Map) ([]byte, bool) {
	e := &emitter{ok: true}
	if len(m) == 0 {
		return []byte("{}\n"), true
	}
	e.mapping(m, 0, false)
	return e.buf.Bytes(), e.ok
}

func (e *emitter) indent(n int) {
	for i := 0; i < n; i++ {
		e.buf.WriteByte(' ')
	}
}

// scalar writes a scalar that starts at column col.
func (e *emitter) scalar(v any, col int) {
	switch t := v.(type) {
	case string:
		enc, ok := encodeScalar(t)
		// Folding happens only past the width, so a scalar that ends
		// before it prints the same at any column.
		if !ok || (strings.ContainsRune(enc, ' ') && col+len(enc) > foldWidth) {
			e.ok = false
			return
		}
		e.buf.WriteString(enc)
	case json.Number:
		s := string(t)
		if strings.ContainsAny(s, ".eE") {
			e.ok = false // floats are re-formatted by go-yaml; leave them to it
			return
		}
		e.buf.WriteString(s)
	case bool:
		if t {
			e.buf.WriteString("true")
		} else {
			e.buf.WriteString("false")
		}
	case nil:
		e.buf.WriteString("null") // a strategic-merge patch's removal
	default:
		e.ok = false
	}
}

func isEmpty(v any) (string, bool) {
	switch t := v.(type) {
	case map[string]any:
		if len(t) == 0 {
			return "{}", true
		}
	case []any:
		if len(t) == 0 {
			return "[]", true
		}
	}
	return "", false
}

// mapping writes m's entries at column ind; inline means the first entry
// continues a "- " already written.
func (e *emitter) mapping(m map[string]any, ind int, inline bool) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sortKeys(keys)
	for i, k := range keys {
		if !e.ok {
			return
		}
		if i > 0 || !inline {
			e.indent(ind)
		}
		kenc, ok := encodeScalar(k)
		if !ok || len(kenc) > 128 {
			e.ok = false
			return
		}
		e.buf.WriteString(kenc)
		e.buf.WriteByte(':')
		v := m[k]
		if s, empty := isEmpty(v); empty {
			e.buf.WriteByte(' ')
			e.buf.WriteString(s)
			e.buf.WriteByte('\n')
			continue
		}
		switch t := v.(type) {
		case map[string]any:
			e.buf.WriteByte('\n')
			e.mapping(t, ind+2, false)
		case []any:
			e.buf.WriteByte('\n')
			e.sequence(t, ind, false)
		default:
			e.buf.WriteByte(' ')
			e.scalar(v, ind+len(kenc)+2)
			e.buf.WriteByte('\n')
		}
	}
}

func (e *emitter) sequence(s []any, ind int, inline bool) {
	for i, v := range s {
		if !e.ok {
			return
		}
		if i > 0 || !inline {
			e.indent(ind)
		}
		e.buf.WriteString("- ")
		if str, empty := isEmpty(v); empty {
			e.buf.WriteString(str)
			e.buf.WriteByte('\n')
			continue
		}
		switch t := v.(type) {
		case map[string]any:
			e.mapping(t, ind+2, true)
		case []any:
			e.sequence(t, ind+2, true)
		default:
			e.scalar(v, ind+2)
			e.buf.WriteByte('\n')
		}
	}
}

// sortKeys orders keys as go-yaml v2's keyList does for string keys: runs of
// digits compare by value, letters before non-letters.
func sortKeys(keys []string) {
	// Insertion sort: mappings are small and this keeps the comparator simple.
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && keyLess(keys[j], keys[j-1]); j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
}

func keyLess(a, b string) bool {
	ar, br := []rune(a), []rune(b)
	for i := 0; i < len(ar) && i < len(br); i++ {
		if ar[i] == br[i] {
			continue
		}
		al, bl := unicode.IsLetter(ar[i]), unicode.IsLetter(br[i])
		if al && bl {
			return ar[i] < br[i]
		}
		if al || bl {
			return bl
		}
		var ai, bi int
		var an, bn int64
		if ar[i] == '0' || br[i] == '0' {
			for j := i - 1; j >= 0 && unicode.IsDigit(ar[j]); j-- {
				if ar[j] != '0' {
					an, bn = 1, 1
					break
				}
			}
		}
		for ai = i; ai < len(ar) && unicode.IsDigit(ar[ai]); ai++ {
			an = an*10 + int64(ar[ai]-'0')
		}
		for bi = i; bi < len(br) && unicode.IsDigit(br[bi]); bi++ {
			bn = bn*10 + int64(br[bi]-'0')
		}
		if an != bn {
			return an < bn
		}
		if ai != bi {
			return ai < bi
		}
		return ar[i] < br[i]
	}
	return len(ar) < len(br)
}

// EncodeList prints a top-level list (a JSON patch) like Encode does a map.
func EncodeList(l []any) ([]byte, error) {
	if len(l) > 0 {
		e := &emitter{ok: true}
		e.sequence(l, 0, false)
		if e.ok {
			return e.buf.Bytes(), nil
		}
	}
	return slowEncode(l)
}
