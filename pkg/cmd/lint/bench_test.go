package lint_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	sigsyaml "sigs.k8s.io/yaml"

	lintcmd "github.com/platformctl/platformctl/pkg/cmd/lint"
	"github.com/platformctl/platformctl/pkg/cmdutil"
	"github.com/platformctl/platformctl/pkg/internal/releasebuild"
	"github.com/platformctl/platformctl/pkg/lintbench"
)

// corpus writes the 10,000-object, 200-file benchmark corpus once per run.
func corpus(b *testing.B) (string, int64) {
	b.Helper()
	dir := filepath.Join(b.TempDir(), "corpus")
	size, err := lintbench.Generate(dir, 10000, 200)
	require.NoError(b, err)
	return dir, size
}

// BenchmarkLintCorpus lints the corpus in-process through the command's Run,
// every rule on (the figure that matters for CI).
func BenchmarkLintCorpus(b *testing.B) {
	dir, size := corpus(b)
	b.SetBytes(size)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		err := lintcmd.Run(&lintcmd.Options{
			IO:     cmdutil.IOStreams{In: bytes.NewReader(nil), Out: io.Discard, ErrOut: io.Discard},
			Args:   []string{dir},
			Format: "json", FailOn: "error",
		})
		if cmdutil.ExitCode(err) == cmdutil.ExitError {
			b.Fatal(err)
		}
	}
}

// BenchmarkSigsYAMLDecode is the reference the issue measures against:
// decoding the same bytes with sigs.k8s.io/yaml on one thread.
func BenchmarkSigsYAMLDecode(b *testing.B) {
	dir, size := corpus(b)
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	require.NoError(b, err)
	var docs [][]byte
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(b, err)
		docs = append(docs, bytes.Split(data, []byte("\n---\n"))...)
	}
	b.SetBytes(size)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, d := range docs {
			var m map[string]any
			if err := sigsyaml.Unmarshal(d, &m); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkLintBinary runs the real binary as pre-commit and CI do and
// reports its wall time. (Peak RSS is measured with /usr/bin/time in
// `make bench`: a child's rusage here would include the benchmark process's
// own pages at fork.)
func BenchmarkLintBinary(b *testing.B) {
	dir, _ := corpus(b)
	bin := filepath.Join(b.TempDir(), "platformctl")
	// Built as the release builds it: static (no cgo, so no dynamic loader
	// at start-up), stripped, with its tags.
	release, err := releasebuild.Load("../../..")
	require.NoError(b, err)
	build := release.Command(".", "../../../cmd/platformctl", bin, "-s -w")
	build.Stderr = os.Stderr
	require.NoError(b, build.Run())
	small := filepath.Join(b.TempDir(), "one.yaml")
	require.NoError(b, os.WriteFile(small, []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, labels: {app.kubernetes.io/name: a}}\n"), 0o644))
	for _, tc := range []struct{ name, arg string }{{"corpus", dir}, {"one-file", small}} {
		b.Run(tc.name, func(b *testing.B) {
			var wall time.Duration
			for i := 0; i < b.N; i++ {
				cmd := exec.Command(bin, "lint", "-q", "-o", "json", tc.arg)
				cmd.Stdout = io.Discard
				start := time.Now()
				err := cmd.Run()
				wall += time.Since(start)
				var ee *exec.ExitError
				if errors.As(err, &ee) && ee.ExitCode() != 1 {
					b.Fatal(err)
				}
			}
			b.ReportMetric(wall.Seconds()/float64(b.N)*1000, "wall-ms")
		})
	}
}
