package scaffold

import (
	"regexp"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// The text scaffold inserts is built from three kinds of value: a scalar
// already in YAML syntax, a list of scalars (always written in flow style,
// [a, b]), and a mapping whose keys keep their order.
type (
	scalar string
	list   []scalar
	object []field
	// seq is a list of mappings: the value of a new services: or data: key.
	seq []object
)

type field struct {
	key string
	val any // scalar, list or object
}

// plainRE matches strings that may be written without quotes in block and
// flow context alike: no indicators, no ": " or " #", no flow punctuation.
var plainRE = regexp.MustCompile(`^[A-Za-z0-9_./$][A-Za-z0-9_./@~$%^&*+=:-]*$`)

// str formats s as a YAML string scalar: plain when that reads back as the
// same string, double-quoted otherwise.
func str(s string) scalar {
	if plainRE.MatchString(s) && !strings.HasSuffix(s, ":") {
		var n yaml.Node
		if err := yaml.Unmarshal([]byte("v: "+s), &n); err == nil && len(n.Content) == 1 {
			v := n.Content[0].Content[1]
			if v.Tag == "!!str" && v.Value == s {
				return scalar(s)
			}
		}
	}
	return scalar(strconv.Quote(s))
}

func num[T ~int32 | ~int64 | ~int](v T) scalar { return scalar(strconv.FormatInt(int64(v), 10)) }

func strs(ss []string) list {
	l := make(list, len(ss))
	for i, s := range ss {
		l[i] = str(s)
	}
	return l
}

// style says how inserted text is laid out, learned from the file.
type style struct {
	eol string
	// step is the indentation of a nested block mapping relative to its key.
	step int
	// seqIndent is how far a block sequence's dash sits right of its key
	// (0 when "- " is not indented under the key); itemOffset is the
	// distance from the dash to the entry's first key.
	seqIndent, itemOffset int
	// leafFlow writes mappings of scalars in flow style ({cpu: 1, memory: 2Gi}).
	leafFlow bool
	// listFlow writes a new list of entries in flow style, as the file's
	// other lists of entries are.
	listFlow bool
}

// flow writes v in flow style.
func flow(v any) string {
	switch v := v.(type) {
	case scalar:
		return string(v)
	case list:
		parts := make([]string, len(v))
		for i, s := range v {
			parts[i] = string(s)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case object:
		parts := make([]string, len(v))
		for i, f := range v {
			parts[i] = f.key + ": " + flow(f.val)
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case seq:
		parts := make([]string, len(v))
		for i, o := range v {
			parts[i] = flow(o)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	panic("scaffold: unknown value type") // unreachable: values are built in this package
}

func isLeaf(o object) bool {
	for _, f := range o {
		switch f.val.(type) {
		case object, seq:
			return false
		}
	}
	return true
}

// block writes the fields of o as block mapping lines at column col.
func (st style) block(o object, col int) []string {
	pad := strings.Repeat(" ", col)
	var lines []string
	for _, f := range o {
		if items, ok := f.val.(seq); ok && !st.listFlow {
			lines = append(lines, pad+f.key+":")
			for _, it := range items {
				lines = append(lines, st.blockItem(it, col+st.seqIndent, col+st.seqIndent+st.itemOffset)...)
			}
			continue
		}
		child, isObj := f.val.(object)
		if !isObj || (st.leafFlow && isLeaf(child)) {
			lines = append(lines, pad+f.key+": "+flow(f.val))
			continue
		}
		lines = append(lines, pad+f.key+":")
		lines = append(lines, st.block(child, col+st.step)...)
	}
	return lines
}

// blockItem writes o as a block sequence entry whose dash is at column dash
// and whose keys start at column item.
func (st style) blockItem(o object, dash, item int) []string {
	lines := st.block(o, item)
	lines[0] = strings.Repeat(" ", dash) + "-" + strings.Repeat(" ", item-dash-1) + lines[0][item:]
	return lines
}

// toGeneric decodes v the way yaml.v3 reads it, for comparing an edit with
// what it was meant to add.
func toGeneric(v any) (any, error) {
	var out any
	err := yaml.Unmarshal([]byte(flow(v)), &out)
	return out, err
}
