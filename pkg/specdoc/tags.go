package specdoc

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/platformctl/platformctl/pkg/spec"
)

// rules is one validate tag split into the levels go-playground/validator
// applies it at: the field itself, each list item or map value (after
// dive), and each map key (between keys and endkeys).
type rules struct {
	field, item, key []string
}

func splitRules(tag string) rules {
	var r rules
	level := &r.field
	for _, part := range splitTag(tag) {
		switch part {
		case "dive":
			level = &r.item
		case "keys":
			level = &r.key
		case "endkeys":
			level = &r.item
		default:
			*level = append(*level, part)
		}
	}
	return r
}

// splitTag splits on commas; validator has no escaping we use.
func splitTag(tag string) []string {
	if tag == "" {
		return nil
	}
	return strings.Split(tag, ",")
}

// fieldFacts is what a field's tags say, in the words of the document.
type fieldFacts struct {
	Required    bool
	Allowed     []string
	Constraints []string
	Formats     []string // tags of the formats used, for the glossary
}

func has(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// facts interprets f's validate tag, once: defaults derivation asks
// for them on every probe it builds.
func (f *field) facts() (fieldFacts, error) {
	if f.cached == nil {
		ff, err := interpret(f)
		f.cached = &cachedFacts{ff, err}
	}
	return f.cached.ff, f.cached.err
}

type cachedFacts struct {
	ff  fieldFacts
	err error
}

// interpret reads f's validate tag. An unknown rule is an error:
// the document must not silently omit a constraint users will hit.
func interpret(f *field) (fieldFacts, error) {
	var ff fieldFacts
	r := splitRules(f.Validate)
	t := f.Type.deref()
	ff.Required = has(r.field, "required")
	if !ff.Required && !has(r.field, "omitempty") {
		// A rule that rejects the zero value, without omitempty, makes the
		// field required in practice (autoscale.min: range=1:1000).
		for _, rule := range r.field {
			if rejectsZero(rule) {
				ff.Required = true
			}
		}
	}
	var oneof []string
	words, oneofField, err := describe(r.field, t, &ff)
	if err != nil {
		return ff, fmt.Errorf("%s: %w", f.key(), err)
	}
	oneof = oneofField
	ff.Constraints = append(ff.Constraints, words...)
	if t.Kind == kindSlice || t.Kind == kindMap {
		if len(r.key) > 0 {
			w, o, err := describe(r.key, &typeRef{Kind: kindBasic, Name: "string"}, &ff)
			if err != nil {
				return ff, fmt.Errorf("%s keys: %w", f.key(), err)
			}
			if len(o) > 0 {
				w = append(w, "one of "+codeList(o))
			}
			if len(w) > 0 {
				ff.Constraints = append(ff.Constraints, "keys: "+strings.Join(w, ", "))
			}
		}
		el := t.Elem.deref()
		if el.Kind == kindBasic && len(r.item) > 0 {
			w, o, err := describe(r.item, el, &ff)
			if err != nil {
				return ff, fmt.Errorf("%s items: %w", f.key(), err)
			}
			if len(o) > 0 {
				w = append(w, "one of "+codeList(o))
			}
			label := "each item"
			if t.Kind == kindMap {
				label = "values"
			}
			if len(w) > 0 {
				ff.Constraints = append(ff.Constraints, label+": "+strings.Join(w, ", "))
			}
		}
	} else if len(r.item) > 0 || len(r.key) > 0 {
		return ff, fmt.Errorf("%s: dive on a field that is neither a list nor a map", f.key())
	}
	ff.Allowed = oneof
	return ff, nil
}

func rejectsZero(rule string) bool {
	name, param, _ := strings.Cut(rule, "=")
	switch name {
	case "range":
		lo, _, ok := parseRange(param)
		return ok && lo > 0
	case "gte", "min":
		n, err := strconv.ParseFloat(param, 64)
		return err == nil && n > 0
	case "eq":
		return param != ""
	}
	return spec.FormatByTag(rule) != nil
}

func parseRange(param string) (int64, int64, bool) {
	a, b, ok := strings.Cut(param, ":")
	lo, err1 := strconv.ParseInt(a, 10, 64)
	hi, err2 := strconv.ParseInt(b, 10, 64)
	return lo, hi, ok && err1 == nil && err2 == nil
}

// describe turns the rules of one level into words; oneof/eq values are
// returned separately because they belong in the "allowed values" column.
func describe(list []string, t *typeRef, ff *fieldFacts) (words, allowed []string, err error) {
	collection := t.Kind == kindSlice || t.Kind == kindMap
	var gte, lte string
	for _, rule := range list {
		name, param, _ := strings.Cut(rule, "=")
		switch name {
		case "required", "omitempty":
		case "eq":
			allowed = append(allowed, param)
		case "oneof":
			allowed = append(allowed, strings.Fields(param)...)
		case "min", "max":
			unit := "characters"
			if collection {
				unit = "items"
				if param == "1" {
					unit = "item"
				}
			}
			word := "at least"
			if name == "max" {
				word = "at most"
			}
			words = append(words, fmt.Sprintf("%s %s %s", word, param, unit))
		case "gte":
			gte = param
		case "lte":
			lte = param
		case "range":
			lo, hi, ok := parseRange(param)
			if !ok {
				return nil, nil, fmt.Errorf("bad range %q", param)
			}
			words = append(words, fmt.Sprintf("%d to %d", lo, hi))
		default:
			f := spec.FormatByTag(rule)
			if f == nil {
				return nil, nil, fmt.Errorf("validate rule %q is not a format (add it to spec.Formats in pkg/spec/formats.go)", rule)
			}
			words = append(words, "["+f.Name+"](#formats)")
			if !has(ff.Formats, f.Tag) {
				ff.Formats = append(ff.Formats, f.Tag)
			}
		}
	}
	switch {
	case gte != "" && lte != "":
		words = append(words, gte+" to "+lte)
	case gte != "":
		words = append(words, "at least "+gte)
	case lte != "":
		words = append(words, "at most "+lte)
	}
	return words, allowed, nil
}

func codeList(vals []string) string {
	out := make([]string, len(vals))
	for i, v := range vals {
		out[i] = "`" + v + "`"
	}
	return strings.Join(out, ", ")
}
