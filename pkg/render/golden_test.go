package render_test

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/platformctl/platformctl/pkg/internal/golden"
	"github.com/platformctl/platformctl/pkg/render"
	"github.com/platformctl/platformctl/pkg/spec"
)

const goldenRoot = "../../testdata/golden"

// TestGoldenTrees pins the rendered tree of every example, file by file, so
// a change to the generator shows as a reviewable diff of the files users
// commit. The built environments are not pinned here: the krusty oracle
// (TestBuildMatchesKustomize) and the Kustomize matrix (test/kustomize)
// hold them equal to what Kustomize builds from these trees. Run `make
// golden` after an intended change and review the diff.
func TestGoldenTrees(t *testing.T) {
	for _, ex := range examples(t) {
		name := filepath.Base(filepath.Dir(ex))
		t.Run(name, func(t *testing.T) {
			d, err := spec.LoadAndValidate(ex)
			require.NoError(t, err)
			tree, err := render.Render(d.Platform)
			require.NoError(t, err)
			golden.AssertDir(t, filepath.Join(goldenRoot, name, "render"), tree)
		})
	}
}
