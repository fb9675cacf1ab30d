package render_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/require"

	"github.com/platformctl/platformctl/pkg/internal/crdschema"

	"github.com/platformctl/platformctl/pkg/manifest"
	"github.com/platformctl/platformctl/pkg/render"
	"github.com/platformctl/platformctl/pkg/spec"
)

// TestCiliumPoliciesMatchTheCRD validates every CiliumNetworkPolicy the
// cilium specs render against the upstream CRD's schema, closed to
// unknown fields: the fast half of what the e2e tier's API server checks.
func TestCiliumPoliciesMatchTheCRD(t *testing.T) {
	sch, err := crdschema.Compile("../../testdata/crds/cilium/ciliumnetworkpolicies.yaml", "v2")
	require.NoError(t, err)
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
