package render_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/platformctl/platformctl/pkg/internal/crdschema"
	"github.com/platformctl/platformctl/pkg/manifest"
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
	eachRendered(t, []string{"../../examples/microservices/platform.yaml", path}, func(file, env string, m manifest.Map) {
		if manifest.String(m, "kind") != "CiliumNetworkPolicy" {
			return
		}
		seen++
		require.NoError(t, validateAgainst(t, sch, m), "%s %s: %v", file, env, m)
	})
	require.Greater(t, seen, 3)

	// Not vacuous: a field Cilium does not know is refused.
	bad := map[string]any{"apiVersion": "cilium.io/v2", "kind": "CiliumNetworkPolicy", "metadata": map[string]any{"name": "x"},
		"spec": map[string]any{"endpointSelector": map[string]any{}, "egress": []any{map[string]any{"toFQDN": []any{}}}}}
	require.Error(t, validateAgainst(t, sch, bad))
}
