package hygiene

import (
	_ "embed" // the built-in kinds' definitions
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"github.com/platformctl/platformctl/pkg/internal/gzjson"
)

// apiDefsData is every built-in kind's schema from the release's OpenAPI,
// reduced and compressed by genapischema: the kinds typedKinds has no Go
// type for (StorageClass, Lease, EndpointSlice, ValidatingAdmissionPolicy
// …) are checked against it, for unknown fields, types and required
// fields. (Enumerations are not in the published OpenAPI; typedKinds' Go
// types carry them.)
//
//go:embed apidefs.json.gz
var apiDefsData []byte

type apiDefs struct {
	Kinds map[string]string `json:"kinds"`
	// Definitions are decoded one by one as kinds need them: decoding
	// all of them into maps took ≈ 15 ms.
	Definitions map[string]json.RawMessage `json:"definitions"`

	mu     sync.Mutex
	shapes map[string]*shape
}

var builtinDefs = sync.OnceValue(func() *apiDefs {
	d := &apiDefs{shapes: map[string]*shape{}}
	if err := gzjson.Unmarshal(apiDefsData, d); err != nil {
		panic(fmt.Sprintf("hygiene: apidefs.json.gz: %v", err)) // generated and tested data
	}
	return d
})

// builtinShape is the shape of a built-in kind typedKinds does not have.
func builtinShape(apiVersion, kind string) (*shape, bool) {
	d := builtinDefs()
	name, ok := d.Kinds[apiVersion+" "+kind]
	if !ok {
		return nil, false
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.def(name), true
}

// special definitions, read as the API server's decoders read them.
var specialDefs = map[string]shapeKind{
	"io.k8s.apimachinery.pkg.api.resource.Quantity":   shapeQuantity,
	"io.k8s.apimachinery.pkg.util.intstr.IntOrString": shapeIntOrString,
	"io.k8s.apimachinery.pkg.apis.meta.v1.Time":       shapeTimeString,
	"io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime":  shapeTimeString,
}

// def compiles a definition once (recursive definitions share a shape).
func (d *apiDefs) def(name string) *shape {
	if sh, ok := d.shapes[name]; ok {
		return sh
	}
	sh := &shape{}
	d.shapes[name] = sh
	if k, ok := specialDefs[name]; ok {
		sh.kind = k
		return sh
	}
	var def map[string]any
	if raw, ok := d.Definitions[name]; ok {
		if err := json.Unmarshal(raw, &def); err != nil {
			panic(fmt.Sprintf("hygiene: apidefs.json.gz: %s: %v", name, err))
		}
	}
	props, _ := def["properties"].(map[string]any)
	if len(props) == 0 {
		return sh // RawExtension, JSON, FieldsV1 …: anything
	}
	sh.kind, sh.fields = shapeStruct, make(map[string]*shape, len(props))
	for p, v := range props {
		sh.fields[p] = d.prop(v.(map[string]any))
	}
	sh.required = requiredOf(def, sh.fields)
	sh.names = fieldNames(sh.fields)
	sh.since = apiFieldSince[goTypeOf(name)]
	return sh
}

func (d *apiDefs) prop(p map[string]any) *shape {
	if ref, ok := p["$ref"].(string); ok {
		return d.def(ref)
	}
	switch p["type"] {
	case "string":
		if p["format"] == "byte" {
			return &shape{kind: shapeBytes}
		}
		return &shape{kind: shapeString}
	case "integer":
		if p["format"] == "int32" {
			return &shape{kind: shapeInt, bits: 32}
		}
		return &shape{kind: shapeInt, bits: 64}
	case "number":
		return &shape{kind: shapeFloat}
	case "boolean":
		return &shape{kind: shapeBool}
	case "array":
		items, _ := p["items"].(map[string]any)
		if items == nil {
			return &shape{kind: shapeSlice, elem: &shape{}}
		}
		return &shape{kind: shapeSlice, elem: d.prop(items)}
	case "object":
		if ap, ok := p["additionalProperties"].(map[string]any); ok {
			return &shape{kind: shapeMap, elem: d.prop(ap)}
		}
	}
	return &shape{}
}

// goTypeOf is a definition's Go type, as apischema_gen.go names them:
// io.k8s.api.core.v1.Container is k8s.io/api/core/v1.Container.
func goTypeOf(def string) string {
	var prefix, rest string
	switch {
	case strings.HasPrefix(def, "io.k8s.api."):
		prefix, rest = "k8s.io/api/", strings.TrimPrefix(def, "io.k8s.api.")
	case strings.HasPrefix(def, "io.k8s.apimachinery.pkg.apis.meta.v1."):
		return "k8s.io/apimachinery/pkg/apis/meta/v1." + strings.TrimPrefix(def, "io.k8s.apimachinery.pkg.apis.meta.v1.")
	default:
		return ""
	}
	i := strings.LastIndex(rest, ".")
	return prefix + strings.ReplaceAll(rest[:i], ".", "/") + "." + rest[i+1:]
}
