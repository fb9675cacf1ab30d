package specdoc

import (
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/platformctl/platformctl/pkg/spec"
)

// Static defaults are not copied into this package: they are observed by
// running spec.Default on probe specs and reading the result by reflection,
// so the document shows whatever defaults.go does today. A default that
// depends on another field (the class name on edge.api, a port on another
// port) is found by varying every other field over its allowed values, or
// over a sentinel for free-form fields, and watching what changes.

const (
	sentinelString = "<sentinel>"
	sentinelInt    = 4242
	// mapKey is the key of every probe map entry; it shows up verbatim in
	// defaults derived from the key (a node pool's default label).
	mapKey = "<name>"
)

// newProbe returns a Platform with one of everything: every optional object
// allocated, one list item, one map entry, and the first allowed value in
// every required enum (a data store's version cannot default without a type).
// Everything else is zero, so Default fills it.
func (m *model) newProbe() (*spec.Platform, error) {
	p := &spec.Platform{}
	if err := m.fill(reflect.ValueOf(p).Elem()); err != nil {
		return nil, err
	}
	return p, nil
}

func (m *model) fill(v reflect.Value) error {
	st := m.structs[v.Type().Name()]
	for i, f := range st.Fields {
		fv := v.Field(i)
		t := f.Type
		switch t.Kind {
		case kindBasic:
			ff, err := f.facts()
			if err != nil {
				return err
			}
			if ff.Required && len(ff.Allowed) > 0 {
				fv.SetString(ff.Allowed[0])
			}
		case kindStruct:
			if err := m.fill(fv); err != nil {
				return err
			}
		case kindPointer, kindSlice, kindMap:
			if t.Elem.Kind != kindStruct {
				continue
			}
			el := reflect.New(fv.Type().Elem()).Elem()
			if err := m.fill(el); err != nil {
				return err
			}
			switch t.Kind {
			case kindPointer:
				fv.Set(el.Addr())
			case kindSlice:
				fv.Set(reflect.Append(reflect.MakeSlice(fv.Type(), 0, 1), el))
			case kindMap:
				mv := reflect.MakeMap(fv.Type())
				mv.SetMapIndex(reflect.ValueOf(mapKey), el)
				fv.Set(mv)
			}
		}
	}
	return nil
}

// forEach calls fn on every struct of type typ inside v. Map values are not
// addressable, so each is copied out and stored back after fn.
func forEach(v reflect.Value, typ string, fn func(reflect.Value)) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			forEach(v.Elem(), typ, fn)
		}
	case reflect.Struct:
		if v.Type().Name() == typ {
			fn(v)
		}
		for i := 0; i < v.NumField(); i++ {
			forEach(v.Field(i), typ, fn)
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			forEach(v.Index(i), typ, fn)
		}
	case reflect.Map:
		keys := v.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
		for _, k := range keys {
			e := reflect.New(v.Type().Elem()).Elem()
			e.Set(v.MapIndex(k))
			forEach(e, typ, fn)
			v.SetMapIndex(k, e)
		}
	}
}

// fieldIndex is f's index in its struct.
func (m *model) fieldIndex(f *field) int {
	for i, g := range m.structs[f.Owner].Fields {
		if g == f {
			return i
		}
	}
	panic("specdoc: field not in its struct: " + f.key()) // programming error
}

// variation is one value tried for a field while watching the others.
type variation struct {
	f        *field
	value    reflect.Value
	text     string // as the document shows it
	sentinel bool
}

// variations lists the values worth trying for f: every allowed value of an
// enum or bool, a sentinel for other scalars (to see whether a default
// copies it), nothing for objects and collections.
func (m *model) variations(f *field, goType reflect.Type) ([]variation, error) {
	t := f.Type
	if t.Kind == kindPointer && t.Elem.Kind == kindBasic {
		goType = goType.Elem()
		t = t.Elem
	}
	if t.Kind != kindBasic {
		return nil, nil
	}
	ff, err := f.facts()
	if err != nil {
		return nil, err
	}
	var out []variation
	switch {
	case len(ff.Allowed) > 0:
		for _, a := range ff.Allowed {
			out = append(out, variation{f: f, value: reflect.ValueOf(a).Convert(goType), text: a})
		}
	case goType.Kind() == reflect.Bool:
		for _, b := range []bool{false, true} {
			out = append(out, variation{f: f, value: reflect.ValueOf(b), text: strconv.FormatBool(b)})
		}
	case goType.Kind() == reflect.String:
		out = append(out, variation{f: f, value: reflect.ValueOf(sentinelString).Convert(goType), text: sentinelString, sentinel: true})
	case goType.Kind() == reflect.Int32 || goType.Kind() == reflect.Int64:
		out = append(out, variation{f: f, value: reflect.ValueOf(sentinelInt).Convert(goType), text: strconv.Itoa(sentinelInt), sentinel: true})
	}
	return out, nil
}

func setField(s reflect.Value, i int, val reflect.Value) {
	fv := s.Field(i)
	if fv.Kind() == reflect.Pointer {
		p := reflect.New(fv.Type().Elem())
		p.Elem().Set(val)
		fv.Set(p)
		return
	}
	fv.Set(val)
}

// observe runs Default on a probe where g is zero and (when v is set) v's
// field holds v's value. It returns g's value, and watch's, as the document
// shows them.
func (m *model) observe(g *field, v *variation, watch *field) (string, string, error) {
	p, err := m.newProbe()
	if err != nil {
		return "", "", err
	}
	root := reflect.ValueOf(p).Elem()
	if v != nil {
		vi := m.fieldIndex(v.f)
		forEach(root, v.f.Owner, func(s reflect.Value) { setField(s, vi, v.value) })
	}
	gi := m.fieldIndex(g)
	forEach(root, g.Owner, func(s reflect.Value) { s.Field(gi).Set(reflect.Zero(s.Field(gi).Type())) })
	spec.Default(p)
	var vals []string
	forEach(root, g.Owner, func(s reflect.Value) { vals = append(vals, fmtValue(s.Field(gi))) })
	for _, x := range vals[1:] {
		if x != vals[0] {
			// Instances of one type in different places defaulting
			// differently cannot be shown in one table row.
			return "", "", fmt.Errorf("specdoc: %s defaults differently depending on where it appears (%q vs %q)", g.key(), vals[0], x)
		}
	}
	watched := ""
	if watch != nil {
		wi := m.fieldIndex(watch)
		forEach(root, watch.Owner, func(s reflect.Value) { watched = fmtValue(s.Field(wi)) })
	}
	return vals[0], watched, nil
}

// staticDefaults derives the default text of every scalar and collection
// field from spec.Default.
func (m *model) staticDefaults() (map[string]string, error) {
	out := map[string]string{}
	var all []*field
	for _, name := range m.order {
		all = append(all, m.structs[name].Fields...)
	}
	rtypes := reflectTypes()
	var vars [][]variation
	for _, f := range all {
		vs, err := m.variations(f, rtypes[f.Owner].Field(m.fieldIndex(f)).Type)
		if err != nil {
			return nil, err
		}
		if len(vs) > 0 {
			vars = append(vars, vs)
		}
	}
	for _, g := range all {
		if g.Type.deref().Kind == kindStruct {
			continue // objects have no default of their own; their fields do
		}
		base, _, err := m.observe(g, nil, nil)
		if err != nil {
			return nil, err
		}
		text := ""
		if base != "" {
			text = "`" + base + "`"
		}
		var conds []string
		for _, group := range vars {
			f := group[0].f
			if f == g {
				continue
			}
			ref := m.ref(f, g)
			results := make([]string, len(group))
			for i := range group {
				r, _, err := m.observe(g, &group[i], nil)
				if err != nil {
					return nil, err
				}
				results[i] = r
			}
			if group[0].sentinel && results[0] == fmtFlow(group[0].value) {
				// g took f's sentinel; it copies f if, left alone, it also
				// equals f's own (defaulted) value, which rules out chance.
				gBase, fBase, err := m.observe(g, nil, f)
				if err != nil {
					return nil, err
				}
				if gBase == fBase {
					text = "same as " + ref
				}
			}
			if group[0].sentinel {
				continue
			}
			conds = append(conds, describeCondition(ref, group, results, base)...)
		}
		for _, c := range conds {
			if strings.HasPrefix(c, "by ") {
				// The list covers every value, the base case included.
				text = ""
			}
		}
		if len(conds) > 0 {
			if text == "" {
				text = strings.Join(conds, "; ")
			} else {
				text += "; " + strings.Join(conds, "; ")
			}
		}
		if text != "" {
			out[g.key()] = text
		}
	}
	return out, nil
}

// describeCondition says how g's default depends on f's value.
func describeCondition(ref string, group []variation, results []string, base string) []string {
	distinct := map[string]bool{}
	for _, r := range results {
		distinct[r] = true
	}
	if len(distinct) == 1 && results[0] == base {
		return nil
	}
	show := func(r string) string {
		if r == "" {
			return "none"
		}
		return "`" + r + "`"
	}
	if len(distinct) > 2 {
		parts := make([]string, len(group))
		for i, v := range group {
			parts[i] = fmt.Sprintf("`%s`: %s", v.text, show(results[i]))
		}
		return []string{"by " + ref + " — " + strings.Join(parts, ", ")}
	}
	// Group the values that change the default, in allowed-value order.
	byResult := map[string][]string{}
	var order []string
	for i, v := range group {
		if results[i] == base {
			continue
		}
		if _, ok := byResult[results[i]]; !ok {
			order = append(order, results[i])
		}
		byResult[results[i]] = append(byResult[results[i]], "`"+v.text+"`")
	}
	var out []string
	for _, r := range order {
		out = append(out, fmt.Sprintf("%s when %s is %s", show(r), ref, strings.Join(byResult[r], " or ")))
	}
	return out
}

// ref names field f as seen from the table of field g: plain when they are
// siblings, linked to f's section otherwise.
func (m *model) ref(f, g *field) string {
	if f.Owner == g.Owner {
		return "`" + f.YAML + "`"
	}
	return "[`" + f.YAML + "`](#" + anchor(f.Owner) + ")"
}

func reflectTypes() map[string]reflect.Type {
	out := map[string]reflect.Type{}
	var collect func(t reflect.Type)
	collect = func(t reflect.Type) {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct || out[t.Name()] != nil {
			return
		}
		out[t.Name()] = t
		for i := 0; i < t.NumField(); i++ {
			// Fields the spec does not read (json "-") are not its types.
			if t.Field(i).Tag.Get("json") != "-" {
				collect(t.Field(i).Type)
			}
		}
	}
	collect(reflect.TypeOf(spec.Platform{}))
	return out
}

// fmtValue renders a value as YAML flow text, "" for the zero value.
func fmtValue(v reflect.Value) string {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return ""
		}
		return fmtFlow(v.Elem())
	case reflect.Slice, reflect.Map:
		if v.Len() == 0 {
			return ""
		}
	}
	if v.IsZero() {
		return ""
	}
	return fmtFlow(v)
}

func fmtFlow(v reflect.Value) string {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return "null"
		}
		return fmtFlow(v.Elem())
	case reflect.String:
		return yamlScalar(v.String())
	case reflect.Bool:
		return strconv.FormatBool(v.Bool())
	case reflect.Int32, reflect.Int64:
		return strconv.FormatInt(v.Int(), 10)
	case reflect.Float64:
		return strconv.FormatFloat(v.Float(), 'g', -1, 64)
	case reflect.Slice:
		parts := make([]string, v.Len())
		for i := range parts {
			parts[i] = fmtFlow(v.Index(i))
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case reflect.Map:
		keys := v.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = yamlScalar(k.String()) + ": " + fmtFlow(v.MapIndex(k))
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case reflect.Struct:
		var parts []string
		for i := 0; i < v.NumField(); i++ {
			if v.Field(i).IsZero() {
				continue
			}
			name, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("json"), ",")
			parts = append(parts, name+": "+fmtFlow(v.Field(i)))
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return fmt.Sprint(v.Interface())
}

// yamlScalar quotes s when YAML would read it as something other than this
// string ("true", "8", "a: b"); values are shown in flow style, so flow
// indicators count too.
func yamlScalar(s string) string {
	switch strings.ToLower(s) {
	case "", "true", "false", "yes", "no", "on", "off", "null", "~":
		return strconv.Quote(s)
	}
	if _, err := strconv.ParseFloat(s, 64); err == nil {
		return strconv.Quote(s)
	}
	if strings.ContainsAny(s[:1], "-?:!&*|>'\"%@`#") || strings.ContainsAny(s, ",[]{}") ||
		strings.Contains(s, ": ") || strings.Contains(s, " #") || strings.HasSuffix(s, ":") || strings.TrimSpace(s) != s {
		return strconv.Quote(s)
	}
	return s
}
