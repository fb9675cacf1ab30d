package yamlfast

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/platformctl/platformctl/pkg/lintbench"
)

// yamlUnder lists every *.yaml and *.yml below the repository folders that
// hold real-world YAML: lint fixtures, goldens, specs, CRDs, examples.
func yamlUnder(t *testing.T, roots ...string) []string {
	t.Helper()
	var out []string
	for _, root := range roots {
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if ext := filepath.Ext(p); !d.IsDir() && (ext == ".yaml" || ext == ".yml") {
				out = append(out, p)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// TestRepositoryYAML compares Parse with go-yaml v3 on every YAML file in
// the repository (and each file cut in half, to exercise odd endings).
func TestRepositoryYAML(t *testing.T) {
	files := yamlUnder(t, "../../testdata", "../../examples", "../lint/rules/security/testdata")
	if len(files) < 100 {
		t.Fatalf("only %d files found; wrong working directory?", len(files))
	}
	accepted := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, in := range [][]byte{data, data[:len(data)/2]} {
			ok, problem := check(in)
			if problem != "" {
				t.Errorf("%s (%d bytes): %s", f, len(in), problem)
			}
			if len(in) < len(data) {
				continue
			}
			if ok {
				accepted++
			} else if _, err := reference(in); err == nil {
				t.Logf("left to go-yaml: %s: %s", f, declined(in))
			}
		}
	}
	t.Logf("fast path took %d of %d files", accepted, len(files))
}

// TestLintCorpus compares Parse with go-yaml v3 on every file of the lint
// benchmark corpus, which the fast path must take in full.
func TestLintCorpus(t *testing.T) {
	dir := t.TempDir()
	if _, err := lintbench.Generate(dir, 10000, 200); err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil || len(files) != 200 {
		t.Fatalf("corpus: %d files, %v", len(files), err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		ok, problem := check(data)
		if problem != "" {
			t.Fatalf("%s: %s", filepath.Base(f), problem)
		}
		if !ok {
			t.Fatalf("%s: fast path declined a corpus file", filepath.Base(f))
		}
	}
}

// declined says where Parse gave up on data (the line it stopped on), for
// the log of files the fast path leaves to go-yaml.
func declined(data []byte) string {
	ascii, ok := prescan(data)
	if !ok {
		return "bytes outside the subset (tab, lone CR, control character, BOM)"
	}
	p := &parser{s: string(data), ascii: ascii, a: arena{left: func() int { return minChunk }}}
	p.stream()
	if !p.bad {
		return ""
	}
	start := strings.LastIndexByte(p.s[:p.badPos], '\n') + 1
	end := strings.IndexByte(p.s[p.badPos:], '\n')
	if end < 0 {
		end = len(p.s) - p.badPos
	}
	return fmt.Sprintf("line %d: %q", strings.Count(p.s[:p.badPos], "\n")+1, p.s[start:p.badPos+end])
}
