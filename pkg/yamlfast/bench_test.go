package yamlfast

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/platformctl/platformctl/pkg/lintbench"
)

func corpusFiles(b *testing.B) ([][]byte, int64) {
	b.Helper()
	dir := b.TempDir()
	size, err := lintbench.Generate(dir, 10000, 200)
	if err != nil {
		b.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.yaml"))
	var out [][]byte
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		out = append(out, data)
	}
	return out, size
}

// BenchmarkParseCorpus decodes the lint corpus on one thread with Parse.
func BenchmarkParseCorpus(b *testing.B) {
	files, size := corpusFiles(b)
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, f := range files {
			if _, ok := Parse(f); !ok {
				b.Fatal("declined")
			}
		}
	}
}

// BenchmarkGoYAMLCorpus is the same work with go-yaml v3, for comparison.
func BenchmarkGoYAMLCorpus(b *testing.B) {
	files, size := corpusFiles(b)
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, f := range files {
			if _, err := reference(f); err != nil {
				b.Fatal(err)
			}
		}
	}
}
