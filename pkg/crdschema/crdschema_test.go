package crdschema

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBundledIsCurrent: the embedded schemas are those of testdata/crds
// (rerun go run ./pkg/crdschema/internal/gencrds after update-crds.sh).
func TestBundledIsCurrent(t *testing.T) {
	want, err := Bundle("../../testdata/crds")
	require.NoError(t, err)
	assert.Equal(t, want, bundledData, "bundled.json.gz is stale: go run ./pkg/crdschema/internal/gencrds")
	set := Bundled()
	for _, k := range []struct{ apiVersion, kind string }{
		{"gateway.networking.k8s.io/v1", "HTTPRoute"},
		{"gateway.networking.k8s.io/v1beta1", "HTTPRoute"},
		{"argoproj.io/v1alpha1", "Rollout"},
		{"external-secrets.io/v1", "ExternalSecret"},
		{"monitoring.coreos.com/v1", "ServiceMonitor"},
		{"security.istio.io/v1", "PeerAuthentication"},
	} {
		sc, ok := set.Lookup(k.apiVersion, k.kind)
		if assert.True(t, ok, "%s %s", k.apiVersion, k.kind) {
			assert.Equal(t, "object", sc.Schema["type"])
			assert.NotContains(t, sc.Schema, "description", "descriptions are dropped")
		}
	}
}

func TestLoadDir(t *testing.T) {
	set, err := LoadDir("../../testdata/custom-resources/crds")
	require.NoError(t, err)
	assert.Equal(t, 1, set.Len(), "the served version only")
	_, ok := set.Lookup("example.com/v1", "Widget")
	assert.True(t, ok)
	_, ok = set.Lookup("example.com/v1beta1", "Widget")
	assert.False(t, ok, "v1beta1 is not served")

	for _, tc := range []struct {
		name, file, data, want string
	}{
		{name: "not YAML", file: "a.yaml", data: "a: [", want: "a.yaml: document 1: yaml: line 1: did not find expected node content"},
		{name: "a CRD without a group", file: "b.yaml", data: "apiVersion: v1\nkind: ConfigMap\n---\napiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nspec: {names: {kind: X}}\n",
			want: "b.yaml: document 2: a CustomResourceDefinition without spec.group or spec.names.kind"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			require.NoError(t, os.WriteFile(filepath.Join(dir, tc.file), []byte(tc.data), 0o644))
			_, err := LoadDir(dir)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
	_, err = LoadDir("../../testdata/custom-resources/widgets.yaml")
	assert.ErrorContains(t, err, "not a directory")
	_, err = LoadDirs([]string{"../../testdata/custom-resources/crds", "/nonexistent"})
	assert.ErrorContains(t, err, "/nonexistent")
}
