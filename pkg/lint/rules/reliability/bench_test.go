package reliability_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/platformctl/platformctl/pkg/lint"
	"github.com/platformctl/platformctl/pkg/lint/rules/reliability"
	"github.com/platformctl/platformctl/pkg/lintbench"
)

// corpus decodes the 10,000-object benchmark corpus (20 namespaces of 500
// objects: the shape that punishes per-namespace quadratic matching).
func corpus(tb testing.TB) []*lint.Object {
	tb.Helper()
	dir := tb.TempDir()
	_, err := lintbench.Generate(dir, 10000, 200)
	require.NoError(tb, err)
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	require.NoError(tb, err)
	var objs []*lint.Object
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(tb, err)
		o, err := lint.Decode(f, data)
		require.NoError(tb, err)
		objs = append(objs, o...)
	}
	return objs
}

// BenchmarkRules runs this package's rules alone on the corpus; decoding is
// outside the loop. The whole linter's budget is 0.5 s for 10,000 objects.
func BenchmarkRules(b *testing.B) {
	objs := corpus(b)
	rules := reliability.Rules()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		// Objects cache their pod lookups; fresh copies keep runs honest.
		fresh := make([]*lint.Object, len(objs))
		for j, o := range objs {
			fresh[j] = lint.NewObject(o.Root, o.File, o.Doc)
		}
		if _, err := lint.Run(fresh, rules, lint.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
