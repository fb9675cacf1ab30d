// Command schemas writes, for kubeconform -strict, one JSON Schema per
// built-in kind of the Kubernetes release pkg/kuberelease names,
// from the OpenAPI document it publishes (api/openapi-spec/swagger.json): <kind>-<group>-<version>.json, each holding the
// definitions it refers to, closed to unknown properties as kubeconform's strict
// schemas are, with IntOrString and Quantity as string-or-number (what
// openapi2jsonschema does). The same facts platformctl's schema rules are
// generated from, so the side-by-side (test/kubeconform/run.sh) compares
// like with like, offline.
//
//	go run ./test/kubeconform/schemas -o DIR
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/platformctl/platformctl/pkg/kuberelease"
)

func main() {
	out := flag.String("o", "", "directory to write the schemas to")
	flag.Parse()
	if err := run(*out); err != nil {
		fmt.Fprintln(os.Stderr, "schemas:", err)
		os.Exit(1)
	}
}

func run(out string) error {
	if out == "" {
		return fmt.Errorf("-o DIR is required")
	}
	data, err := kuberelease.Swagger()
	if err != nil {
		return err
	}
	var doc struct {
		Definitions map[string]map[string]any `json:"definitions"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return err
	}
	defs := doc.Definitions
	stringOrNumber := map[string]any{"oneOf": []any{map[string]any{"type": "string"}, map[string]any{"type": "number"}}}
	defs["io.k8s.apimachinery.pkg.util.intstr.IntOrString"] = map[string]any{"oneOf": []any{map[string]any{"type": "string"}, map[string]any{"type": "integer"}}}
	defs["io.k8s.apimachinery.pkg.api.resource.Quantity"] = stringOrNumber
	for _, d := range defs {
		closeObjects(d)
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	n := 0
	for name, d := range defs {
		gvks, _ := d["x-kubernetes-group-version-kind"].([]any)
		for _, g := range gvks {
			gvk, _ := g.(map[string]any)
			group, _ := gvk["group"].(string)
			version, _ := gvk["version"].(string)
			kind, _ := gvk["kind"].(string)
			if group == "" {
				group = version // kubeconform's {{ .Group }} of "v1" is v1
			}
			schema := map[string]any{"$ref": "#/definitions/" + name, "definitions": reachable(defs, name)}
			js, err := json.Marshal(schema)
			if err != nil {
				return err
			}
			file := filepath.Join(out, strings.ToLower(kind)+"-"+group+"-"+version+".json")
			if err := os.WriteFile(file, js, 0o644); err != nil {
				return err
			}
			n++
		}
	}
	fmt.Fprintf(os.Stderr, "schemas: %d kinds from %s\n", n, kuberelease.Kubernetes)
	return nil
}

// reachable is the definitions name refers to, itself included.
func reachable(defs map[string]map[string]any, name string) map[string]any {
	out := map[string]any{}
	var visit func(n string)
	var refs func(v any)
	refs = func(v any) {
		switch t := v.(type) {
		case map[string]any:
			if r, ok := t["$ref"].(string); ok {
				visit(strings.TrimPrefix(r, "#/definitions/"))
			}
			for _, c := range t {
				refs(c)
			}
		case []any:
			for _, c := range t {
				refs(c)
			}
		}
	}
	visit = func(n string) {
		if _, seen := out[n]; seen || defs[n] == nil {
			return
		}
		out[n] = defs[n]
		refs(defs[n])
	}
	visit(name)
	return out
}

// closeObjects sets additionalProperties: false on every object schema
// with properties that says nothing else, as kubeconform -strict expects.
func closeObjects(v any) {
	switch t := v.(type) {
	case map[string]any:
		if _, ok := t["properties"]; ok {
			if _, set := t["additionalProperties"]; !set {
				t["additionalProperties"] = false
			}
		}
		for _, c := range t {
			closeObjects(c)
		}
	case []any:
		for _, c := range t {
			closeObjects(c)
		}
	}
}
