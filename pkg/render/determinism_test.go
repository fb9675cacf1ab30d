package render_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/platformctl/platformctl/pkg/render"
	"github.com/platformctl/platformctl/pkg/spec"
)

// TestDeterministic renders every example repeatedly from freshly loaded
// specs: map iteration order, goroutine scheduling and caches must not leak
// into the output.
func TestDeterministic(t *testing.T) {
	for _, ex := range examples(t) {
		var first render.Tree
		var firstBuild []byte
		for i := 0; i < 5; i++ {
			d, err := spec.LoadAndValidate(ex)
			require.NoError(t, err)
			tree, err := render.Render(d.Platform)
			require.NoError(t, err)
			env := d.Platform.EnvironmentNames()[0]
			b, err := render.Build(d.Platform, env)
			require.NoError(t, err)
			if i == 0 {
				first, firstBuild = tree, b
				continue
			}
			require.Equal(t, first, tree, "%s: render differs between runs", ex)
			require.Equal(t, string(firstBuild), string(b), "%s: build differs between runs", ex)
		}
	}
}
