// Package crdschema compiles the OpenAPI schema of one version of a
// vendored CRD (testdata/crds) into a JSON Schema closed to unknown
// fields: what the API server's strict field validation checks of a custom
// resource, without starting one. Tests of the generators use it as the
// fast half of the e2e tier.
package crdschema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"sigs.k8s.io/yaml"
)

// Compile returns the schema of version of the CRD in the file at path.
func Compile(path, version string) (*jsonschema.Schema, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("crd schema: %w", err)
	}
	js, err := yaml.YAMLToJSON(raw)
	if err != nil {
		return nil, fmt.Errorf("crd schema %s: %w", path, err)
	}
	var crd struct {
		Spec struct {
			Versions []struct {
				Name   string `json:"name"`
				Schema struct {
					OpenAPIV3Schema json.RawMessage `json:"openAPIV3Schema"`
				} `json:"schema"`
			} `json:"versions"`
		} `json:"spec"`
	}
	if err := json.Unmarshal(js, &crd); err != nil {
		return nil, fmt.Errorf("crd schema %s: %w", path, err)
	}
	for _, v := range crd.Spec.Versions {
		if v.Name != version {
			continue
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(v.Schema.OpenAPIV3Schema))
		if err != nil {
			return nil, fmt.Errorf("crd schema %s: %w", path, err)
		}
		Close(doc)
		c := jsonschema.NewCompiler()
		// OpenAPI v3 schemas are draft 4 with extensions: exclusiveMinimum
		// and friends are booleans there.
		c.DefaultDraft(jsonschema.Draft4)
		if err := c.AddResource("crd.json", doc); err != nil {
			return nil, fmt.Errorf("crd schema %s: %w", path, err)
		}
		sch, err := c.Compile("crd.json")
		if err != nil {
			return nil, fmt.Errorf("crd schema %s: %w", path, err)
		}
		return sch, nil
	}
	return nil, fmt.Errorf("crd schema %s: serves no %s", path, version)
}

// Close makes every object schema (type: object) that lists properties
// refuse other keys,
// as strict field validation does (a CRD's schema leaves that to pruning),
// except where the CRD keeps unknown fields or names additionalProperties.
func Close(v any) {
	switch n := v.(type) {
	case map[string]any:
		_, props := n["properties"]
		_, open := n["additionalProperties"]
		// Only typed objects: the untyped subschemas of anyOf/oneOf (which
		// a structural schema forbids to carry a type) restate some
		// properties of the enclosing object and must stay open.
		if n["type"] == "object" && props && !open && n["x-kubernetes-preserve-unknown-fields"] != true {
			n["additionalProperties"] = false
		}
		for _, c := range n {
			Close(c)
		}
	case []any:
		for _, c := range n {
			Close(c)
		}
	}
}
