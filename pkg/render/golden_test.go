package render_test

import (
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/platformctl/platformctl/pkg/render"
	"github.com/platformctl/platformctl/pkg/spec"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/golden")

const goldenRoot = "../../testdata/golden"

// TestGoldenTrees pins the rendered tree and every built environment of every
// example. Run `make golden` after an intended change and review the diff.
func TestGoldenTrees(t *testing.T) {
	for _, ex := range examples(t) {
		name := filepath.Base(filepath.Dir(ex))
		t.Run(name, func(t *testing.T) {
			d, err := spec.LoadAndValidate(ex)
			require.NoError(t, err)
			tree, err := render.Render(d.Platform)
			require.NoError(t, err)
			got := map[string]string{}
			for p, b := range tree {
				got["render/"+p] = string(b)
			}
			for _, env := range d.Platform.EnvironmentNames() {
				b, err := render.Build(d.Platform, env)
				require.NoError(t, err)
				got["build/"+env+".yaml"] = string(b)
			}
			assertGoldenDir(t, filepath.Join(goldenRoot, name), got)
		})
	}
}

// assertGoldenDir compares files (relative slash path → content) with dir,
// including files that should no longer exist.
func assertGoldenDir(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	if *update {
		require.NoError(t, os.RemoveAll(dir))
		for p, c := range files {
			f := filepath.Join(dir, filepath.FromSlash(p))
			require.NoError(t, os.MkdirAll(filepath.Dir(f), 0o755))
			require.NoError(t, os.WriteFile(f, []byte(c), 0o644))
		}
		return
	}
	onDisk := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		onDisk[filepath.ToSlash(rel)] = string(b)
		return nil
	})
	require.NoError(t, err, "golden files missing; run make golden")
	for p, c := range files {
		want, ok := onDisk[p]
		if !ok {
			t.Errorf("%s: not in golden files; run make golden", p)
			continue
		}
		if want != c {
			t.Errorf("%s differs from golden file; run make golden and review the diff\n%s", p, firstDiff(want, c))
		}
	}
	for p := range onDisk {
		if _, ok := files[p]; !ok {
			t.Errorf("%s: golden file no longer produced; run make golden", p)
		}
	}
}

func firstDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			return fmt.Sprintf("line %d:\n  golden: %s\n  got:    %s", i+1, a, b)
		}
	}
	return ""
}
