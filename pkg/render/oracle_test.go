package render_test

import (
	"path"
	"testing"

	"github.com/stretchr/testify/require"
	"sigs.k8s.io/kustomize/kyaml/filesys"

	"github.com/platformctl/platformctl/pkg/kustomize"
	"github.com/platformctl/platformctl/pkg/render"
	"github.com/platformctl/platformctl/pkg/spec"
)

// TestBuildMatchesKustomize is the oracle test: for every example and every
// environment, the directly built stream must equal what real Kustomize
// prints for the rendered overlay, byte for byte.
func TestBuildMatchesKustomize(t *testing.T) {
	for _, ex := range examples(t) {
		d, err := spec.LoadAndValidate(ex)
		require.NoError(t, err)
		tree, err := render.Render(d.Platform)
		require.NoError(t, err)
		fs := filesys.MakeFsInMemory()
		for p, b := range tree {
			require.NoError(t, fs.WriteFile(path.Join("/out", p), b))
		}
		for p, b := range d.Platform.Files { // the spec's components, one level up
			require.NoError(t, fs.WriteFile(path.Join("/", p), b))
		}
		for _, env := range d.Platform.EnvironmentNames() {
			t.Run(path.Base(path.Dir(ex))+"/"+env, func(t *testing.T) {
				want, err := kustomize.Build(fs, "/out/overlays/"+env)
				require.NoError(t, err)
				got, err := render.Build(d.Platform, env)
				require.NoError(t, err)
				require.Equal(t, string(want), string(got))
			})
		}
	}
}
