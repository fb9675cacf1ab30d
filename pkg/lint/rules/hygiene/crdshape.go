package hygiene

import (
	"reflect"
	"sort"
	"sync"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/platformctl/platformctl/pkg/crdschema"
	"github.com/platformctl/platformctl/pkg/lint"
)

// crdShapes compiles, once per run, the CRD schemas the run's custom
// resources need: the user's (lint --crds) first, then the bundled add-on
// CRDs'. Custom resources of a kind neither knows are not checked.
var crdShapes = lint.NewKey("crd shapes", func(*lint.Set) *crdShapeCache { return &crdShapeCache{m: map[*crdschema.Schema]*shape{}} })

type crdShapeCache struct {
	mu sync.Mutex
	m  map[*crdschema.Schema]*shape
}

// objectMeta is metadata's shape in every custom resource: the API server
// validates it as ObjectMeta, whatever the CRD's schema says of it.
var objectMeta = sync.OnceValue(func() *shape {
	return compile(reflect.TypeFor[metav1.ObjectMeta](), map[reflect.Type]*shape{})
})

// crdShapeFor is the shape of o's custom resource schema, if one is known.
func crdShapeFor(o *lint.Object, ctx *lint.Context) (*shape, bool) {
	sc, ok := ctx.CRDs.Lookup(o.APIVersion, o.Kind)
	if !ok {
		if sc, ok = crdschema.Bundled().Lookup(o.APIVersion, o.Kind); !ok {
			return nil, false
		}
	}
	cache := lint.Memo(ctx.Set, crdShapes)
	cache.mu.Lock()
	defer cache.mu.Unlock()
	sh, ok := cache.m[sc]
	if !ok {
		sh = crdShape(sc.Schema)
		if sh.kind == shapeStruct {
			sh.fields["metadata"] = objectMeta()
			for _, f := range []string{"apiVersion", "kind"} {
				if sh.fields[f] == nil {
					sh.fields[f] = &shape{kind: shapeString}
				}
			}
			sh.names = fieldNames(sh.fields)
		}
		cache.m[sc] = sh
	}
	return sh, true
}

// crdShape compiles a structural schema (openAPIV3Schema) the way the API
// server reads it: properties are the only fields unless
// x-kubernetes-preserve-unknown-fields (or additionalProperties) keeps the
// others, int-or-string takes both, an embedded resource is judged on its
// own terms (not here), and a schema without a type checks nothing.
func crdShape(s map[string]any) *shape {
	sh := &shape{}
	if b, _ := s["x-kubernetes-int-or-string"].(bool); b {
		sh.kind = shapeIntOrString
		return sh
	}
	if b, _ := s["x-kubernetes-embedded-resource"].(bool); b {
		return sh
	}
	preserve, _ := s["x-kubernetes-preserve-unknown-fields"].(bool)
	switch s["type"] {
	case "object":
		props, _ := s["properties"].(map[string]any)
		additional, isSchema := s["additionalProperties"].(map[string]any)
		if len(props) == 0 {
			if isSchema {
				sh.kind, sh.elem = shapeMap, crdShape(additional)
			}
			return sh // any object
		}
		sh.kind, sh.fields = shapeStruct, make(map[string]*shape, len(props))
		for name, p := range props {
			pm, _ := p.(map[string]any)
			sh.fields[name] = crdShape(pm)
		}
		open, _ := s["additionalProperties"].(bool)
		sh.open = preserve || open || isSchema
		sh.required = requiredOf(s, sh.fields)
		sh.names = fieldNames(sh.fields)
	case "array":
		sh.kind, sh.elem = shapeSlice, &shape{}
		if items, ok := s["items"].(map[string]any); ok {
			sh.elem = crdShape(items)
		}
	case "string":
		sh.kind = shapeString
		if enum, ok := s["enum"].([]any); ok {
			for _, e := range enum {
				v, ok := e.(string)
				if !ok {
					sh.enum = nil // a mixed enumeration: not a string's
					break
				}
				sh.enum = append(sh.enum, v)
			}
		}
	case "integer":
		sh.kind, sh.bits = shapeInt, 64
		if s["format"] == "int32" {
			sh.bits = 32
		}
	case "number":
		sh.kind = shapeFloat
	case "boolean":
		sh.kind = shapeBool
	}
	return sh
}

// requiredOf is a JSON schema's required fields that it declares, sorted.
func requiredOf(schema map[string]any, fields map[string]*shape) []string {
	var out []string
	req, _ := schema["required"].([]any)
	for _, r := range req {
		if f, ok := r.(string); ok && fields[f] != nil {
			out = append(out, f)
		}
	}
	sort.Strings(out)
	return out
}

func fieldNames(fields map[string]*shape) []string {
	names := make([]string, 0, len(fields))
	for name := range fields {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}
