package render_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"

	"github.com/platformctl/platformctl/pkg/manifest"
	"github.com/platformctl/platformctl/pkg/render"
	"github.com/platformctl/platformctl/pkg/spec"
)

// closeObjects makes every object schema with properties refuse other
// keys, as the API server's strict field validation does (a CRD's schema
// leaves that to pruning), except where the CRD keeps unknown fields.
func closeObjects(v any) {
	switch n := v.(type) {
	case map[string]any:
		_, props := n["properties"]
		_, open := n["additionalProperties"]
		if n["type"] == "object" && props && !open && n["x-kubernetes-preserve-unknown-fields"] != true {
			n["additionalProperties"] = false
		}
		for _, c := range n {
			closeObjects(c)
		}
	case []any:
		for _, c := range n {
			closeObjects(c)
		}
	}
}

// ciliumSchema is the v2 schema of the vendored CiliumNetworkPolicy CRD.
func ciliumSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	b, err := os.ReadFile("../../testdata/crds/cilium/ciliumnetworkpolicies.yaml")
	require.NoError(t, err)
	var crd struct {
		Spec struct {
			Versions []struct {
				Name   string
				Schema struct {
					OpenAPIV3Schema map[string]any `json:"openAPIV3Schema"`
				}
			}
		}
	}
	require.NoError(t, yaml.Unmarshal(b, &crd))
	for _, v := range crd.Spec.Versions {
		if v.Name != "v2" {
			continue
		}
		closeObjects(v.Schema.OpenAPIV3Schema)
		raw, err := json.Marshal(v.Schema.OpenAPIV3Schema)
		require.NoError(t, err)
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
		require.NoError(t, err)
		c := jsonschema.NewCompiler()
		c.DefaultDraft(jsonschema.Draft4)
		require.NoError(t, c.AddResource("cnp.json", doc))
		sch, err := c.Compile("cnp.json")
		require.NoError(t, err)
		return sch
	}
	t.Fatal("the CRD serves no v2")
	return nil
}

// TestCiliumPoliciesMatchTheCRD validates every CiliumNetworkPolicy the
// cilium specs render against the upstream CRD's schema, closed to
// unknown fields: the fast half of what the e2e tier's API server checks.
func TestCiliumPoliciesMatchTheCRD(t *testing.T) {
	sch := ciliumSchema(t)
	path := filepath.Join(t.TempDir(), "platform.yaml")
	require.NoError(t, os.WriteFile(path, []byte(ciliumEgressSpec), 0o600))
	seen := 0
	for _, file := range []string{"../../examples/microservices/platform.yaml", path} {
		d, err := spec.LoadAndValidate(file)
		require.NoError(t, err)
		for _, env := range d.Platform.EnvironmentNames() {
			objs, err := render.Environment(d.Platform, env)
			require.NoError(t, err)
			for _, o := range objs {
				if manifest.String(o.Map, "kind") != "CiliumNetworkPolicy" {
					continue
				}
				seen++
				raw, err := json.Marshal(o.Map)
				require.NoError(t, err)
				inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
				require.NoError(t, err)
				require.NoError(t, sch.Validate(inst), "%s %s: %s", file, env, raw)
			}
		}
	}
	require.Greater(t, seen, 3)

	// Not vacuous: a field Cilium does not know is refused.
	bad := map[string]any{"apiVersion": "cilium.io/v2", "kind": "CiliumNetworkPolicy", "metadata": map[string]any{"name": "x"},
		"spec": map[string]any{"endpointSelector": map[string]any{}, "egress": []any{map[string]any{"toFQDN": []any{}}}}}
	raw, err := json.Marshal(bad)
	require.NoError(t, err)
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	require.NoError(t, err)
	require.Error(t, sch.Validate(inst))
}
