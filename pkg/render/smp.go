package render

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"

	"sigs.k8s.io/kustomize/kyaml/openapi"
	kyaml "sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/platformctl/platformctl/pkg/manifest"
)

// A strategic-merge patch is what a person writes by hand: the object's
// apiVersion, kind and name, and below them only the fields that differ,
// with list elements addressed by their merge key (containers and env by
// name) where the kind's schema gives one. There are no positional indices,
// so a patch stays right when the base gains or loses an element elsewhere
// in the list.
//
// How Kustomize applies it is defined by kyaml's merge2 and the OpenAPI
// schema it embeds, not by the Kubernetes API server's SMP: lists without a
// merge strategy in that schema (every CRD, and kinds newer than it) are
// replaced whole, and in a merged list the patch's elements come first, in
// the patch's order, followed by the base's remaining elements. The diff
// below is written against those rules, and every patch is checked by
// applying it with a model of merge2 (mergeSMP, tested against merge2
// itself): a patch that would not give exactly the environment's object is
// coarsened until it does, so the overlay builds to Build's bytes whatever
// the diff's cleverness.

// smpDirective is the strategic-merge directive key.
const smpDirective = "$patch"

// smpPatch returns the strategic-merge patch that turns base into env (both
// in the same namespace), checked with mergeSMP; nil when they are equal. The patch carries apiVersion,
// kind and metadata.name (and namespace) so Kustomize finds its target
// without a selector.
func smpPatch(base, env manifest.Map) (manifest.Map, error) {
	s := openapi.SchemaForResourceType(kyaml.TypeMeta{
		APIVersion: manifest.String(base, "apiVersion"),
		Kind:       manifest.String(base, "kind"),
	})
	first, changed := diffMap(base, env, &lazySchema{s: s, done: true})
	if !changed {
		return nil, nil
	}
	for _, build := range []func() manifest.Map{
		func() manifest.Map { return first },
		// Coarser: each differing top-level field replaced whole.
		func() manifest.Map { return replaceFields(base, env) },
	} {
		p := build()
		meta, _ := p["metadata"].(map[string]any)
		p["metadata"] = mergeMeta(targetMeta(base), meta)
		p["apiVersion"], p["kind"] = base["apiVersion"], base["kind"]
		if reflect.DeepEqual(mergeSMP(base, p, s), env) {
			return p, nil
		}
	}
	return nil, fmt.Errorf("%s %s: no strategic-merge patch reproduces the environment's object", manifest.String(base, "kind"), manifest.String(base, "metadata", "name"))
}

// mergeSMP applies patch to base as kyaml's merge2 does with Kustomize's
// options, for the patches smpMap and replaceFields write: maps merged key
// by key, null removing a key, "$patch: replace" on a map or as a list's
// first element replacing it, lists without a merge strategy replaced,
// lists with one merged by key — the patch's elements first, in its order,
// then the base's others in theirs, "$patch: delete" removing one.
// TestMergeSMPIsMerge2 checks it against merge2 itself; running merge2
// here instead, through YAML, was three quarters of render's time.
func mergeSMP(base, patch any, s *openapi.ResourceSchema) any {
	switch p := patch.(type) {
	case map[string]any:
		if p[smpDirective] == "replace" {
			out := make(map[string]any, len(p))
			for k, v := range p {
				if k != smpDirective && v != nil {
					out[k] = v
				}
			}
			return out
		}
		b, _ := base.(map[string]any)
		out := make(map[string]any, len(b)+len(p))
		for k, v := range b {
			out[k] = v
		}
		for k, v := range p {
			if v == nil {
				delete(out, k)
				continue
			}
			if bv, ok := b[k]; ok {
				out[k] = mergeSMP(bv, v, field(s, k))
			} else {
				out[k] = stripDirectives(v)
			}
		}
		return out
	case []any:
		b, _ := base.([]any)
		return mergeList(b, p, s)
	}
	return patch
}

func mergeList(b, p []any, s *openapi.ResourceSchema) any {
	var strategy string
	var keys []string
	if s != nil {
		strategy, keys = s.PatchStrategyAndKeyList()
	}
	if len(p) > 0 {
		if m, ok := p[0].(map[string]any); ok && len(m) == 1 && m[smpDirective] == "replace" {
			return stripDirectives(p[1:])
		}
	}
	if !strings.Contains(strategy, "merge") || len(keys) != 1 {
		return stripDirectives(p)
	}
	key := keys[0]
	keyOf := func(el any) (string, bool) {
		m, ok := el.(map[string]any)
		if !ok {
			return "", false
		}
		k, ok := keyed([]any{m}, key)
		if !ok {
			return "", false
		}
		return k[0], true
	}
	byKey := map[string]any{}
	for _, el := range b {
		if k, ok := keyOf(el); ok {
			byKey[k] = el
		}
	}
	out := []any{}
	inPatch := map[string]bool{}
	for _, el := range p {
		k, ok := keyOf(el)
		if !ok {
			out = append(out, stripDirectives(el))
			continue
		}
		inPatch[k] = true
		if m := el.(map[string]any); m[smpDirective] == "delete" {
			continue
		}
		if bel, had := byKey[k]; had {
			out = append(out, mergeSMP(bel, el, s.Elements()))
		} else {
			out = append(out, stripDirectives(el))
		}
	}
	for _, el := range b {
		if k, ok := keyOf(el); !ok || !inPatch[k] {
			out = append(out, el)
		}
	}
	return out
}

// stripDirectives is a patch value as it lands in the object.
func stripDirectives(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			if k != smpDirective {
				out[k] = stripDirectives(e)
			}
		}
		return out
	case []any:
		out := make([]any, 0, len(t))
		for _, e := range t {
			if m, ok := e.(map[string]any); ok && len(m) == 1 && m[smpDirective] != nil {
				continue
			}
			out = append(out, stripDirectives(e))
		}
		return out
	}
	return v
}

// targetMeta is the metadata a patch needs to name its target.
func targetMeta(base manifest.Map) manifest.Map {
	meta := manifest.Map{"name": manifest.String(base, "metadata", "name")}
	if ns := manifest.String(base, "metadata", "namespace"); ns != "" {
		meta["namespace"] = ns
	}
	return meta
}

// mergeMeta adds the identity to a metadata patch.
func mergeMeta(id, patch manifest.Map) manifest.Map {
	out := manifest.Map{}
	for k, v := range patch {
		out[k] = v
	}
	for k, v := range id {
		out[k] = v
	}
	return out
}

// replaceFields replaces every differing top-level field (and metadata's
// differing fields) whole, with the "replace" directive where the field is
// a map so nothing of the base's survives in it.
func replaceFields(base, env manifest.Map) manifest.Map {
	p := manifest.Map{}
	for k, ev := range env {
		bv, ok := base[k]
		if ok && reflect.DeepEqual(bv, ev) {
			continue
		}
		if m, isMap := ev.(map[string]any); isMap && ok && k != "metadata" {
			r := manifest.Map{smpDirective: "replace"}
			for mk, mv := range m {
				r[mk] = mv
			}
			p[k] = r
			continue
		}
		p[k] = ev
	}
	for k := range base {
		if _, ok := env[k]; !ok {
			p[k] = nil
		}
	}
	if em, ok := p["metadata"].(map[string]any); ok {
		p["metadata"] = smpMap(base["metadata"].(map[string]any), em, nil)
	}
	return p
}

// smpMap diffs two maps: changed and added keys, and null for removed ones.
func smpMap(b, e map[string]any, s *openapi.ResourceSchema) manifest.Map {
	p, _ := diffMap(b, e, &lazySchema{s: s, done: true})
	return p
}

// lazySchema is a schema node looked up only when a changed list needs it:
// looking up every field's schema was a sixth of render's time.
type lazySchema struct {
	parent *lazySchema
	key    string // "" for the parent's list elements
	s      *openapi.ResourceSchema
	done   bool
}

func (l *lazySchema) get() *openapi.ResourceSchema {
	if l == nil {
		return nil
	}
	if !l.done {
		l.done = true
		if p := l.parent.get(); p != nil {
			if l.key == "" {
				l.s = p.Elements()
			} else {
				l.s = p.Field(l.key)
			}
		}
	}
	return l.s
}

func (l *lazySchema) field(k string) *lazySchema { return &lazySchema{parent: l, key: k} }

// diffMap is smpMap, and whether anything differs, in one pass: no
// separate equality test of each subtree (that was most of the diff's time).
func diffMap(b, e map[string]any, s *lazySchema) (manifest.Map, bool) {
	out := manifest.Map{}
	for k, ev := range e {
		bv, ok := b[k]
		if !ok {
			out[k] = ev
			continue
		}
		if p, changed := diffValue(bv, ev, s.field(k)); changed {
			out[k] = p
		}
	}
	for k := range b {
		if _, ok := e[k]; !ok {
			out[k] = nil
		}
	}
	return out, len(out) > 0
}

// diffValue returns the patch of one value and whether it differs.
func diffValue(b, e any, s *lazySchema) (any, bool) {
	switch ev := e.(type) {
	case map[string]any:
		if bv, ok := b.(map[string]any); ok {
			return diffMap(bv, ev, s)
		}
		return e, true
	case []any:
		bv, ok := b.([]any)
		if !ok {
			return e, true
		}
		if len(bv) == len(ev) {
			same := true
			for i := range ev {
				if _, changed := diffValue(bv[i], ev[i], nil); changed {
					same = false
					break
				}
			}
			if same {
				return nil, false
			}
		}
		return smpList(bv, ev, s.get()), true
	}
	switch b.(type) {
	case map[string]any, []any:
		return e, true
	}
	return e, b != e
}

func field(s *openapi.ResourceSchema, k string) *openapi.ResourceSchema {
	if s == nil {
		return nil
	}
	return s.Field(k)
}

// smpList diffs a list. Without a merge strategy the patch's list replaces
// the base's, so it is the environment's list. With a single merge key, the
// patch lists the shortest prefix of the environment's elements after which
// the base's remaining elements already follow in order (merge2 puts the
// patch's elements first): unchanged elements in that prefix are their key
// alone, changed ones their key and what changed; elements the environment
// drops are deleted by key. Anything else is replaced with the directive.
func smpList(b, e []any, s *openapi.ResourceSchema) any {
	var strategy string
	var keys []string
	if s != nil {
		strategy, keys = s.PatchStrategyAndKeyList()
	}
	if !strings.Contains(strategy, "merge") {
		return e
	}
	replace := append([]any{manifest.Map{smpDirective: "replace"}}, e...)
	if len(keys) != 1 {
		return replace
	}
	key := keys[0]
	bk, ok := keyed(b, key)
	if !ok {
		return replace
	}
	ek, ok := keyed(e, key)
	if !ok {
		return replace
	}
	byKey := make(map[string]map[string]any, len(b))
	for i, k := range bk {
		byKey[k] = b[i].(map[string]any)
	}
	inEnv := make(map[string]bool, len(e))
	for _, k := range ek {
		inEnv[k] = true
	}
	// The base's elements the environment keeps, in base order.
	var kept []string
	for _, k := range bk {
		if inEnv[k] {
			kept = append(kept, k)
		}
	}
	// n is the prefix length: the smallest n such that e[n:] is exactly the
	// kept base elements not in e[:n], unchanged and in base order.
	n := len(e)
	for cut := 0; cut <= len(e); cut++ {
		inPrefix := make(map[string]bool, cut)
		for _, k := range ek[:cut] {
			inPrefix[k] = true
		}
		j := 0
		ok := true
		for _, k := range kept {
			if inPrefix[k] {
				continue
			}
			if j >= len(e)-cut || ek[cut+j] != k || !reflect.DeepEqual(byKey[k], e[cut+j]) {
				ok = false
				break
			}
			j++
		}
		if ok && j == len(e)-cut {
			n = cut
			break
		}
	}
	var out []any
	for i := 0; i < n; i++ {
		em := e[i].(map[string]any)
		bm, had := byKey[ek[i]]
		if !had {
			out = append(out, em)
			continue
		}
		d := smpMap(bm, em, s.Elements())
		d[key] = em[key]
		out = append(out, d)
	}
	for _, k := range bk {
		if !inEnv[k] {
			out = append(out, manifest.Map{key: byKey[k][key], smpDirective: "delete"})
		}
	}
	return out
}

// keyed returns each element's merge key as kyaml reads it (the scalar's
// text), or false when an element is not a map with a scalar key, or two
// share one.
func keyed(l []any, key string) ([]string, bool) {
	out := make([]string, len(l))
	seen := make(map[string]bool, len(l))
	for i, el := range l {
		m, ok := el.(map[string]any)
		if !ok {
			return nil, false
		}
		var k string
		switch v := m[key].(type) {
		case string:
			k = v
		case json.Number:
			k = string(v)
		default:
			return nil, false
		}
		if seen[k] {
			return nil, false
		}
		seen[k] = true
		out[i] = k
	}
	return out, true
}
