// Package kustomize_test is the Kustomize version matrix tier: the rendered
// overlays of every example must build, with each Kustomize release users
// run, to exactly what `platformctl build` prints. run.sh installs the
// releases and passes them in KUSTOMIZE_MATRIX; without it the test skips
// (the krusty oracle in pkg/render covers the version go.mod pins).
package kustomize_test

import (
	"bytes"
	"debug/buildinfo"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/platformctl/platformctl/pkg/render"
	"github.com/platformctl/platformctl/pkg/spec"
)

type release struct{ version, bin string }

// releases parses KUSTOMIZE_MATRIX: "v5.4.3=/path/kustomize v5.5.0=…".
func releases(t *testing.T) []release {
	t.Helper()
	env := os.Getenv("KUSTOMIZE_MATRIX")
	if env == "" {
		t.Skip("KUSTOMIZE_MATRIX not set: run test/kustomize/run.sh (make kustomize-matrix)")
	}
	var rs []release
	for _, f := range strings.Fields(env) {
		v, bin, ok := strings.Cut(f, "=")
		require.True(t, ok, "KUSTOMIZE_MATRIX entry %q is not version=path", f)
		rs = append(rs, release{v, bin})
	}
	return rs
}

func examples(t *testing.T) []string {
	t.Helper()
	found, err := filepath.Glob("../../examples/*/platform.yaml")
	require.NoError(t, err)
	require.NotEmpty(t, found)
	sort.Strings(found)
	return found
}

func TestKustomizeMatrix(t *testing.T) {
	rs := releases(t)
	for _, r := range rs {
		// kustomize version prints "(devel)" for a go-installed binary; the
		// module versions it was built from are in its build information.
		info, err := buildinfo.ReadFile(r.bin)
		require.NoError(t, err)
		require.Equal(t, r.version, info.Main.Version, "%s is not kustomize %s", r.bin, r.version)
		for _, dep := range info.Deps {
			if dep.Path == "sigs.k8s.io/kustomize/api" {
				t.Logf("kustomize %s: api %s", r.version, dep.Version)
			}
		}
	}
	for _, ex := range examples(t) {
		d, err := spec.LoadAndValidate(ex)
		require.NoError(t, err)
		tree, err := render.Render(d.Platform)
		require.NoError(t, err)
		// The tree goes in out/ next to the spec's components, as
		// render.Render lays it out (Options{}: the spec one level up).
		root := t.TempDir()
		dir := filepath.Join(root, "out")
		for p, b := range tree {
			f := filepath.Join(dir, filepath.FromSlash(p))
			require.NoError(t, os.MkdirAll(filepath.Dir(f), 0o755))
			require.NoError(t, os.WriteFile(f, b, 0o644))
		}
		for p, b := range d.Platform.Files {
			f := filepath.Join(root, filepath.FromSlash(p))
			require.NoError(t, os.MkdirAll(filepath.Dir(f), 0o755))
			require.NoError(t, os.WriteFile(f, b, 0o644))
		}
		name := filepath.Base(filepath.Dir(ex))
		for _, env := range d.Platform.EnvironmentNames() {
			want, err := render.Build(d.Platform, env)
			require.NoError(t, err)
			for _, r := range rs {
				t.Run(name+"/"+env+"/"+r.version, func(t *testing.T) {
					cmd := exec.Command(r.bin, "build", filepath.Join(dir, "overlays", env))
					var stderr bytes.Buffer
					cmd.Stderr = &stderr
					got, err := cmd.Output()
					require.NoError(t, err, "kustomize %s build: %s", r.version, stderr.String())
					if !bytes.Equal(want, got) {
						t.Fatalf("kustomize %s build overlays/%s differs from platformctl build:\n%s", r.version, env, firstDiff(string(want), string(got)))
					}
				})
			}
		}
	}
}

// firstDiff shows the first differing line with context, which is what a
// reader needs to find the transformer at fault.
func firstDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			lo := max(0, i-6)
			return fmt.Sprintf("platformctl build, from line %d:\n", lo+1) + strings.Join(w[lo:min(len(w), i+3)], "\n") +
				"\n--- kustomize build:\n" + strings.Join(g[lo:min(len(g), i+3)], "\n")
		}
	}
	return "(equal)"
}
