package specdoc

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/platformctl/platformctl/pkg/spec"
)

// SchemaID is the $id of the generated schema: where the committed copy
// (docs/schema/platform.v1alpha1.json) is served from, so editors can
// point at it with `# yaml-language-server: $schema=<SchemaID>`.
const SchemaID = "https://raw.githubusercontent.com/platformctl/platformctl/main/docs/schema/platform.v1alpha1.json"

// Schema returns the JSON Schema (draft 2020-12) of platform.yaml, built
// from the same model as docs/spec.md: types, doc comments, validate tags
// (with spec.Formats), and the defaults observed from spec.Default. Like Generate, it
// reads pkg/spec sources, so it runs from a source tree.
//
// The schema describes the canonical form of a spec: an optional key is
// left out rather than written as null, "" or 0 (the loader reads those as
// "not set"). Every object is closed (additionalProperties: false), as the
// loader is strict everywhere. Rules between fields (references, uniqueness,
// min <= max, combinations) stay with the loader; see docs/schema/README.md.
func Schema() ([]byte, error) {
	d, err := buildFields()
	if err != nil {
		return nil, err
	}
	root := obj{
		{"$schema", "https://json-schema.org/draft/2020-12/schema"},
		{"$id", SchemaID},
		{"title", spec.APIVersion + " " + spec.Kind},
	}
	platform, err := d.objectSchema(d.m.structs["Platform"])
	if err != nil {
		return nil, err
	}
	platform.set("type", "object")
	root = append(root, platform...)
	var defs obj
	for _, name := range d.m.order[1:] {
		s, err := d.objectSchema(d.m.structs[name])
		if err != nil {
			return nil, err
		}
		defs = append(defs, kv{name, s})
	}
	root = append(root, kv{"$defs", defs})
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(root); err != nil {
		return nil, fmt.Errorf("specdoc: encode schema: %w", err)
	}
	return buf.Bytes(), nil
}

// kv and obj are a JSON object that keeps its keys in the order written:
// properties in declaration order read like docs/spec.md.
type kv struct {
	K string
	V any
}

type obj []kv

func (o obj) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	buf.WriteByte('{')
	for i, p := range o {
		if i > 0 {
			buf.WriteByte(',')
		}
		if err := enc.Encode(p.K); err != nil {
			return nil, err
		}
		buf.WriteByte(':')
		if err := enc.Encode(p.V); err != nil {
			return nil, err
		}
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

func (o obj) get(k string) (any, bool) {
	for _, p := range o {
		if p.K == k {
			return p.V, true
		}
	}
	return nil, false
}

// set replaces k's value or appends it.
func (o *obj) set(k string, v any) {
	for i := range *o {
		if (*o)[i].K == k {
			(*o)[i].V = v
			return
		}
	}
	*o = append(*o, kv{k, v})
}

// objectSchema is the definition of a struct type. Definitions accept null
// too, so that an optional key or list item written empty needs no anyOf
// (whose errors editors show poorly); each reference to a definition where
// null is refused carries "type": "object" beside the $ref.
func (d *doc) objectSchema(st *structType) (obj, error) {
	s := obj{{"description", plainText(codePlaceholders(st.Doc))}, {"type", []any{"object", "null"}}}
	var props obj
	var required []string
	for _, f := range st.Fields {
		ff := d.facts[f.key()]
		req := ff.Required || (f.Type.Kind == kindStruct && d.m.hasRequired(f.Type.Name))
		fs, err := d.fieldSchema(f, st, req)
		if err != nil {
			return nil, err
		}
		props = append(props, kv{f.YAML, fs})
		if req {
			required = append(required, f.YAML)
		}
	}
	s = append(s, kv{"properties", props})
	if len(required) > 0 {
		s = append(s, kv{"required", required})
	}
	s = append(s, kv{"additionalProperties", false})
	return s, nil
}

var mdLinkRE = regexp.MustCompile(`\[([^\]]*)\]\([^)]*\)`)

// plainText turns the document's Markdown into text an editor shows as is:
// links keep their words, emphasis goes; code spans stay, they read fine.
func plainText(s string) string {
	s = mdLinkRE.ReplaceAllString(s, "$1")
	return strings.ReplaceAll(s, "**", "")
}

// fieldSchema is the schema of one key. An optional key may be null (an
// empty value, `expose:`): the loader reads that as not set.
func (d *doc) fieldSchema(f *field, st *structType, required bool) (obj, error) {
	desc := d.description(f, st)
	r := splitRules(f.Validate)
	s, err := d.typeSchema(f, f.Type, r, true)
	if err != nil {
		return nil, err
	}
	if !required {
		s = nullable(s)
	}
	if def := d.defaults[f.key()]; def != "" {
		if v, ok := jsonDefault(def, f.Type.deref()); ok {
			s = append(s, kv{"default", v})
		} else {
			desc += " Default: " + def + "."
		}
	}
	return append(obj{{"description", plainText(desc)}}, s...), nil
}

// typeSchema is the schema of a value of type t. top is false for list
// items and map values, which get r.item instead of r.field.
func (d *doc) typeSchema(f *field, t *typeRef, r rules, top bool) (obj, error) {
	t = t.deref()
	level := r.field
	if !top {
		level = r.item
	}
	switch t.Kind {
	case kindStruct:
		if len(level) > 1 || (len(level) == 1 && level[0] != "omitempty" && level[0] != "required") {
			return nil, fmt.Errorf("specdoc: %s: rules %v on an object are not translated to the schema", f.key(), level)
		}
		// The definitions also accept null (see objectSchema); where null
		// is not allowed, "type" says so next to the reference.
		ref := obj{{"$ref", "#/$defs/" + t.Name}, {"type", "object"}}
		if key := spec.Shorthand(t.Name); key != "" {
			// Written as a plain string, the value is that key's.
			short, err := d.shorthandSchema(t.Name, key)
			if err != nil {
				return nil, err
			}
			return obj{{"anyOf", []any{ref, short}}}, nil
		}
		return ref, nil
	case kindSlice, kindMap:
		if !top {
			return nil, fmt.Errorf("specdoc: %s: nested collections are not supported", f.key())
		}
		items, err := d.typeSchema(f, t.Elem, r, false)
		if err != nil {
			return nil, err
		}
		s := obj{{"type", "array"}}
		if t.Kind == kindMap {
			s = obj{{"type", "object"}}
		}
		if err := collectionRules(f, t.Kind, level, &s); err != nil {
			return nil, err
		}
		if d.zeroPasses(t.Elem, r.item) {
			// A null list item or map value is the zero value to the
			// loader, which is fine where the zero value is.
			items = nullable(items)
		}
		if t.Kind == kindSlice {
			s = append(s, kv{"items", items})
			return s, nil
		}
		if len(r.key) > 0 {
			keys := obj{{"type", "string"}}
			if err := scalarRules(f, f.key()+" keys", "string", r.key, &keys); err != nil {
				return nil, err
			}
			s = append(s, kv{"propertyNames", keys})
		}
		return append(s, kv{"additionalProperties", items}), nil
	}
	s := obj{{"type", jsonType(t.Name)}}
	if err := scalarRules(f, f.key(), t.Name, level, &s); err != nil {
		return nil, err
	}
	if t.Named != "" && spec.IntegerText(t.Named) {
		// The loader also reads an integer as its decimal text; a
		// pattern applies to strings only, so the integer is bounded by
		// the number the pattern allows.
		s.set("type", []any{"string", "integer"})
		s.set("minimum", 1)
		s.set("maximum", 65535)
	}
	if t.Name == "int32" {
		if _, ok := s.get("minimum"); !ok {
			s.set("minimum", math.MinInt32)
		}
		if _, ok := s.get("maximum"); !ok {
			s.set("maximum", math.MaxInt32)
		}
	}
	if top {
		if err := d.valueRule(f, &s); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// shorthandSchema is the string a struct may be written as: the schema of
// its field key.
func (d *doc) shorthandSchema(name, key string) (obj, error) {
	for _, f := range d.m.structs[name].Fields {
		if f.YAML == key {
			return d.typeSchema(f, f.Type, splitRules(f.Validate), true)
		}
	}
	return nil, fmt.Errorf("specdoc: %s has no field %q for its shorthand", name, key)
}

// nullable lets s also be null.
func nullable(s obj) obj {
	if ref, ok := s.get("$ref"); ok {
		return obj{{"$ref", ref}}
	}
	out := append(obj(nil), s...)
	if t, ok := out.get("type"); ok {
		if list, isList := t.([]any); isList {
			out.set("type", append(append([]any(nil), list...), "null"))
		} else {
			out.set("type", []any{t, "null"})
		}
	}
	if e, ok := out.get("enum"); ok {
		var vals []any
		for _, v := range e.([]string) {
			vals = append(vals, v)
		}
		out.set("enum", append(vals, nil))
	}
	return out
}

// zeroPasses says whether the zero value of a list item or map value of
// type t passes the item rules: then the loader accepts a null there.
func (d *doc) zeroPasses(t *typeRef, itemRules []string) bool {
	t = t.deref()
	if t.Kind == kindStruct {
		return !d.m.hasRequired(t.Name)
	}
	if has(itemRules, "omitempty") {
		return true
	}
	for _, rule := range itemRules {
		if rule == "required" || rejectsZero(rule) {
			return false
		}
	}
	return true
}

func jsonType(basic string) string {
	switch basic {
	case "bool":
		return "boolean"
	case "int32", "int64":
		return "integer"
	case "float64":
		return "number"
	}
	return "string"
}

func collectionRules(f *field, k refKind, list []string, s *obj) error {
	minKey, maxKey := "minItems", "maxItems"
	if k == kindMap {
		minKey, maxKey = "minProperties", "maxProperties"
	}
	for _, rule := range list {
		name, param, _ := strings.Cut(rule, "=")
		switch name {
		case "required", "omitempty":
		case "min", "max":
			n, err := strconv.Atoi(param)
			if err != nil {
				return fmt.Errorf("specdoc: %s: bad %s", f.key(), rule)
			}
			key := minKey
			if name == "max" {
				key = maxKey
			}
			s.set(key, n)
		default:
			return fmt.Errorf("specdoc: %s: rule %q on a collection is not translated to the schema", f.key(), rule)
		}
	}
	return nil
}

// scalarRules adds the JSON Schema keywords of one level of validate rules
// on a string or number. A rule with no translation is an error: the schema
// must not silently accept what the loader refuses.
func scalarRules(f *field, where, basic string, list []string, s *obj) error {
	isString := basic == "string"
	if has(list, "required") && isString && !hasPrefix(list, "eq=") && !hasPrefix(list, "oneof=") {
		s.set("minLength", 1)
	}
	var allowed []string
	for _, rule := range list {
		name, param, _ := strings.Cut(rule, "=")
		switch name {
		case "required", "omitempty":
		case "eq":
			s.set("const", param)
		case "oneof":
			allowed = append(allowed, strings.Fields(param)...)
		case "min", "max", "gte", "lte":
			if isString && (name == "min" || name == "max") {
				n, err := strconv.Atoi(param)
				if err != nil {
					return fmt.Errorf("specdoc: %s: bad %s", where, rule)
				}
				key := "minLength"
				if name == "max" {
					key = "maxLength"
				}
				tighten(s, key, n)
				continue
			}
			if isString {
				return fmt.Errorf("specdoc: %s: rule %q on a string is not translated to the schema", where, rule)
			}
			n, err := strconv.ParseFloat(param, 64)
			if err != nil {
				return fmt.Errorf("specdoc: %s: bad %s", where, rule)
			}
			key := "minimum"
			if name == "max" || name == "lte" {
				key = "maximum"
			}
			s.set(key, number(n))
		case "range":
			lo, hi, ok := parseRange(param)
			if !ok || isString {
				return fmt.Errorf("specdoc: %s: bad %s", where, rule)
			}
			s.set("minimum", lo)
			s.set("maximum", hi)
		default:
			fm := spec.FormatByTag(rule)
			if fm == nil || !isString {
				return fmt.Errorf("specdoc: %s: validate rule %q has no JSON Schema translation (add it to spec.Formats in pkg/spec/formats.go)", where, rule)
			}
			s.set("pattern", fm.Pattern)
			if fm.Exclude != "" {
				s.set("not", obj{{"type", "string"}, {"pattern", fm.Exclude}})
			}
			if fm.MaxLength > 0 {
				tighten(s, "maxLength", fm.MaxLength)
			}
		}
	}
	if len(allowed) > 0 {
		s.set("enum", allowed)
	}
	return nil
}

// tighten sets a maxLength/minLength, keeping the stricter of two.
func tighten(s *obj, key string, n int) {
	if v, ok := s.get(key); ok {
		old := v.(int)
		if (key == "maxLength" && old < n) || (key == "minLength" && old > n) {
			return
		}
	}
	s.set(key, n)
}

func number(f float64) any {
	if f == math.Trunc(f) {
		return int64(f)
	}
	return f
}

func hasPrefix(list []string, prefix string) bool {
	for _, v := range list {
		if strings.HasPrefix(v, prefix) {
			return true
		}
	}
	return false
}

// jsonDefault turns a default the document shows as one code span (`8080`,
// `gateway`, `true`) into a JSON value of the field's type. Conditional
// defaults ("`platform`; `nginx` when …") are not one value: the caller puts
// them into the description.
func jsonDefault(text string, t *typeRef) (any, bool) {
	if len(text) < 2 || text[0] != '`' || text[len(text)-1] != '`' || strings.Count(text, "`") != 2 {
		return nil, false
	}
	v := text[1 : len(text)-1]
	if t.Kind != kindBasic {
		return nil, false
	}
	switch t.Name {
	case "string":
		if strings.HasPrefix(v, `"`) {
			u, err := strconv.Unquote(v)
			return u, err == nil
		}
		if strings.Contains(v, "<") {
			return nil, false // a placeholder such as <name>, not a value
		}
		return v, true
	case "bool":
		b, err := strconv.ParseBool(v)
		return b, err == nil
	case "int32", "int64":
		n, err := strconv.ParseInt(v, 10, 64)
		return n, err == nil
	case "float64":
		n, err := strconv.ParseFloat(v, 64)
		return n, err == nil
	}
	return nil, false
}

// valueRule adds the patterns of the cross-field rules that look at one
// value only (spec.Rule.Pattern: pinned images) to the field's schema. A
// field's $defs entry is shared by every path of its type, so a rule must
// name all of them or none.
func (d *doc) valueRule(f *field, s *obj) error {
	paths := d.m.fieldPaths(f)
	for _, r := range d.rules {
		if r.Pattern == "" {
			continue
		}
		n := 0
		for _, p := range paths {
			if has(r.At, p) {
				n++
			}
		}
		switch {
		case n == 0:
			continue
		case n < len(paths):
			return fmt.Errorf("specdoc: %s: the rule %q names %d of its %d paths; the schema cannot carry it at some only", f.key(), r.Doc, n, len(paths))
		}
		s.set("pattern", r.Pattern)
		if r.Exclude != "" {
			s.set("not", obj{{"type", "string"}, {"pattern", r.Exclude}})
		}
	}
	return nil
}
