package lint_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/platformctl/platformctl/pkg/internal/releasebuild"
)

// BenchmarkStartup times one small-file lint against what any binary
// linking the product's mandated libraries pays before main runs. Every
// iteration starts each program once, in turn, so load changes hit them
// all alike; the figures are medians (ms), which a stray slow start does
// not move.
//
//	hello          a Go hello world
//	floor          cobra + viper + validator + krusty + sigs.k8s.io/yaml +
//	               k8s.io/api linked, nothing run (testdata/startup/floor)
//	version        platformctl version
//	lint-one-file  platformctl lint on one small manifest
func BenchmarkStartup(b *testing.B) {
	dir := b.TempDir()
	release, err := releasebuild.Load("../../..")
	require.NoError(b, err)
	bin := func(name, pkg string) string {
		out := filepath.Join(dir, name)
		build := release.Command(".", pkg, out, "-s -w") // as the release builds it
		build.Stderr = os.Stderr
		require.NoError(b, build.Run())
		return out
	}
	small := filepath.Join(dir, "one.yaml")
	require.NoError(b, os.WriteFile(small, []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: apps}\ndata: {a: b}\n"), 0o644))
	platformctl := bin("platformctl", "../../../cmd/platformctl")
	programs := []struct {
		name string
		argv []string
	}{
		{"hello", []string{bin("hello", "./testdata/startup/hello")}},
		{"floor", []string{bin("floor", "./testdata/startup/floor")}},
		{"version", []string{platformctl, "version"}},
		{"lint-one-file", []string{platformctl, "lint", "-q", small}},
	}
	walls := make([][]time.Duration, len(programs))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for p, prog := range programs {
			start := time.Now()
			require.NoError(b, exec.Command(prog.argv[0], prog.argv[1:]...).Run(), prog.name)
			walls[p] = append(walls[p], time.Since(start))
		}
	}
	for p, prog := range programs {
		slices.Sort(walls[p])
		b.ReportMetric(float64(walls[p][len(walls[p])/2].Microseconds())/1000, prog.name+"-ms")
	}
}
