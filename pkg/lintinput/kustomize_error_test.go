package lintinput

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A failed build names the file at fault, relative to the working
// directory, with a position when there is one, and nothing of the wrapper
// kustomization lint builds through.
func TestKustomizeErrors(t *testing.T) {
	const cm = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n"
	tests := []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"missing resource", map[string]string{
			"k/kustomization.yaml": "resources: [missing.yaml]\n",
		}, "kustomize build k: a resource k/missing.yaml does not exist"},
		{"missing resource in a base", map[string]string{
			"k/kustomization.yaml":    "resources: [../base]\n",
			"base/kustomization.yaml": "resources: [gone.yaml]\n",
		}, "kustomize build k: a resource base/gone.yaml does not exist"},
		{"missing patch", map[string]string{
			"k/kustomization.yaml": "resources: [cm.yaml]\npatches: [{path: nope.yaml}]\n",
			"k/cm.yaml":            cm,
		}, "kustomize build k: a patch k/nope.yaml does not exist"},
		{"malformed resource", map[string]string{
			"k/kustomization.yaml": "resources: [cm.yaml]\n",
			"k/cm.yaml":            cm + "data:\n  a: b\n   c: d\n",
		}, "k/cm.yaml:6:1: mapping values are not allowed in this context (kustomize build k)"},
		{"empty kustomization", map[string]string{
			"k/kustomization.yaml": "",
		}, "kustomize build k: kustomization.yaml is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Chdir(t.TempDir())
			for p, content := range tt.files {
				require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
				require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
			}
			_, err := FromKustomization("k", Options{})
			require.Error(t, err)
			assert.Equal(t, tt.want, err.Error())
			assert.NotContains(t, err.Error(), "platformctl-lint-", "the wrapper's temporary directory")
		})
	}
}
