// Package golden compares test output with committed golden files and
// rewrites them when the test binary runs with -update (make golden).
//
// The -update flag is registered here, once, so it exists only in test
// binaries that import this package; `make golden` runs exactly those
// (found with go list), so no package without goldens is ever handed a flag
// it does not define.
package golden

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/platformctl/platformctl/pkg/textdiff"
)

var update = flag.Bool("update", false, "rewrite golden files instead of comparing with them (make golden)")

// maxDiffLines bounds the diff a mismatch prints: enough to see what
// changed, not a whole regenerated tree in the test log.
const maxDiffLines = 120

// Update says whether this run rewrites golden files.
func Update() bool { return *update }

// Assert compares got with the golden file at path, or writes it with
// -update. A mismatch prints a unified diff, golden → got.
func Assert[T ~string | ~[]byte](t testing.TB, path string, got T) {
	t.Helper()
	if *update {
		if err := write(path, []byte(got)); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("golden file %s: %v; run make golden", path, err)
		return
	}
	if d := diff(path+" (golden)", path+" (got)", string(want), string(got)); d != "" {
		t.Errorf("%s differs from what the test produced; run make golden and review the diff:\n%s", path, d)
	}
}

// AssertDir compares files (slash paths relative to dir → content) with
// the tree under dir, including files dir has that are no longer produced.
// With -update it replaces dir by files. When only is given, dir is shared
// with files the test does not produce (a hand-written README): only the
// files whose relative slash path matches one of the path.Match patterns
// are compared, and only those are removed by -update.
func AssertDir[T ~string | ~[]byte](t testing.TB, dir string, files map[string]T, only ...string) {
	t.Helper()
	onDisk, err := readTree(dir, only)
	// -update may create the tree; comparing needs it.
	if missing := errors.Is(err, fs.ErrNotExist); err != nil && (!*update || !missing) {
		t.Fatalf("golden tree %s: %v; run make golden", dir, err)
		return
	}
	if *update {
		for _, p := range sortedKeys(onDisk) {
			if _, ok := files[p]; !ok {
				if err := os.Remove(filepath.Join(dir, filepath.FromSlash(p))); err != nil {
					t.Fatal(err)
				}
			}
		}
		for _, p := range sortedKeys(files) {
			if err := write(filepath.Join(dir, filepath.FromSlash(p)), []byte(files[p])); err != nil {
				t.Fatal(err)
			}
		}
		return
	}
	for _, p := range sortedKeys(files) {
		name := filepath.Join(dir, filepath.FromSlash(p))
		want, ok := onDisk[p]
		switch {
		case !ok:
			t.Errorf("%s: not in the golden tree; run make golden and review the diff:\n%s", name, diff(textdiff.DevNull, name+" (got)", "", string(files[p])))
		case want != string(files[p]):
			t.Errorf("%s differs from what the test produced; run make golden and review the diff:\n%s", name, diff(name+" (golden)", name+" (got)", want, string(files[p])))
		}
	}
	for _, p := range sortedKeys(onDisk) {
		if _, ok := files[p]; !ok {
			t.Errorf("%s: golden file no longer produced; run make golden", filepath.Join(dir, filepath.FromSlash(p)))
		}
	}
}

func write(path string, b []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("golden: %w", err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return fmt.Errorf("golden: %w", err)
	}
	return nil
}

// readTree reads the files under dir whose slash path relative to dir
// matches one of only (every file when only is empty).
func readTree(dir string, only []string) (map[string]string, error) {
	tree := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if !matches(rel, only) {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		tree[rel] = string(b)
		return nil
	})
	return tree, err
}

func matches(rel string, patterns []string) bool {
	if len(patterns) == 0 {
		return true
	}
	for _, pat := range patterns {
		if ok, _ := path.Match(pat, rel); ok {
			return true
		}
	}
	return false
}

// diff is the unified diff golden → got, cut at maxDiffLines.
func diff(from, to, want, got string) string {
	d := textdiff.Unified(from, to, want, got)
	n := strings.Count(d, "\n")
	if n <= maxDiffLines {
		return d
	}
	lines := strings.SplitAfter(d, "\n")
	return strings.Join(lines[:maxDiffLines], "") + fmt.Sprintf("… %d more diff lines\n", n-maxDiffLines)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
