package golden

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// recorder is a testing.TB that keeps what a failing assertion says.
type recorder struct {
	testing.TB
	errs []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}
func (r *recorder) Fatalf(format string, args ...any) { r.Errorf(format, args...) }
func (r *recorder) Fatal(args ...any)                 { r.errs = append(r.errs, fmt.Sprint(args...)) }

// compareMode runs a test comparing, even in a -update run.
func compareMode(t *testing.T) {
	was := *update
	*update = false
	t.Cleanup(func() { *update = was })
}

func TestAssert(t *testing.T) {
	compareMode(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "x.golden")
	if err := os.WriteFile(path, []byte("a\nb\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path, got string
		want            []string // substrings of the one error; none when it matches
	}{
		{"equal", path, "a\nb\n", nil},
		{"differs", path, "a\nc\n", []string{"x.golden differs", "make golden", "@@ -1,2 +1,2 @@\n a\n-b\n+c\n"}},
		{"missing", filepath.Join(dir, "nope.golden"), "a\n", []string{"nope.golden", "no such file", "make golden"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &recorder{TB: t}
			Assert(r, tt.path, tt.got)
			checkErrs(t, r.errs, tt.want)
		})
	}
}

func TestAssertDir(t *testing.T) {
	compareMode(t)
	dir := t.TempDir()
	for p, c := range map[string]string{"a.yaml": "a\n", "sub/b.yaml": "b\n", "gone.yaml": "g\n"} {
		if err := write(filepath.Join(dir, filepath.FromSlash(p)), []byte(c)); err != nil {
			t.Fatal(err)
		}
	}
	r := &recorder{TB: t}
	AssertDir(r, dir, map[string][]byte{"a.yaml": []byte("a\n"), "sub/b.yaml": []byte("B\n"), "new.yaml": []byte("n\n")})
	if len(r.errs) != 3 {
		t.Fatalf("want 3 errors (changed, new, gone), got %d: %q", len(r.errs), r.errs)
	}
	// Sorted: produced files first, then files no longer produced.
	checkErrs(t, r.errs[:1], []string{"new.yaml: not in the golden tree", "+++ " + filepath.Join(dir, "new.yaml") + " (got)", "+n\n"})
	checkErrs(t, r.errs[1:2], []string{filepath.Join(dir, "sub", "b.yaml") + " differs", "-b\n+B\n"})
	checkErrs(t, r.errs[2:], []string{"gone.yaml: golden file no longer produced"})
}

// TestUpdate: with -update both forms write what the test produced, and a
// tree loses the files no longer produced.
func TestUpdate(t *testing.T) {
	compareMode(t)
	*update = true
	dir := t.TempDir()
	r := &recorder{TB: t}
	Assert(r, filepath.Join(dir, "deep", "x.golden"), []byte("x\n"))
	tree := filepath.Join(dir, "tree")
	if err := write(filepath.Join(tree, "stale.yaml"), []byte("s\n")); err != nil {
		t.Fatal(err)
	}
	AssertDir(r, tree, map[string]string{"a/b.yaml": "b\n"})
	fresh := filepath.Join(dir, "not-yet")
	AssertDir(r, fresh, map[string]string{"x.yaml": "x\n"}) // -update creates a missing tree
	checkErrs(t, r.errs, nil)
	*update = false
	AssertDir(r, fresh, map[string]string{"x.yaml": "x\n"})
	Assert(r, filepath.Join(dir, "deep", "x.golden"), "x\n")
	AssertDir(r, tree, map[string]string{"a/b.yaml": "b\n"})
	checkErrs(t, r.errs, nil)
}

func TestDiffIsBounded(t *testing.T) {
	got := diff("a", "b", "", strings.Repeat("x\n", 500))
	if n := strings.Count(got, "\n"); n != maxDiffLines+1 {
		t.Errorf("%d lines, want %d", n, maxDiffLines+1)
	}
	if !strings.HasSuffix(got, "… 383 more diff lines\n") {
		t.Errorf("no count of the lines left out: %q", got[len(got)-40:])
	}
}

func checkErrs(t *testing.T, errs, want []string) {
	t.Helper()
	if len(want) == 0 {
		if len(errs) != 0 {
			t.Errorf("unexpected errors: %q", errs)
		}
		return
	}
	if len(errs) != 1 {
		t.Fatalf("want one error, got %q", errs)
	}
	for _, w := range want {
		if !strings.Contains(errs[0], w) {
			t.Errorf("error %q does not contain %q", errs[0], w)
		}
	}
}

// TestAssertDirOnly: files outside the patterns are neither compared nor
// removed by -update (docs/cli keeps its hand-written README.md).
func TestAssertDirOnly(t *testing.T) {
	compareMode(t)
	dir := t.TempDir()
	for p, c := range map[string]string{"README.md": "by hand\n", "gen-a.md": "a\n", "man/gen-old.1": "old\n"} {
		if err := write(filepath.Join(dir, filepath.FromSlash(p)), []byte(c)); err != nil {
			t.Fatal(err)
		}
	}
	files := map[string]string{"gen-a.md": "a\n", "man/gen-b.1": "b\n"}
	only := []string{"gen-*.md", "man/gen-*.1"}
	r := &recorder{TB: t}
	AssertDir(r, dir, files, only...)
	if len(r.errs) != 2 || !strings.Contains(r.errs[0], "gen-b.1: not in the golden tree") || !strings.Contains(r.errs[1], "gen-old.1: golden file no longer produced") {
		t.Fatalf("want gen-b.1 missing and gen-old.1 stale, got %q", r.errs)
	}
	*update = true
	r.errs = nil
	AssertDir(r, dir, files, only...)
	*update = false
	AssertDir(r, dir, files, only...)
	checkErrs(t, r.errs, nil)
	if b, err := os.ReadFile(filepath.Join(dir, "README.md")); err != nil || string(b) != "by hand\n" {
		t.Errorf("README.md: %q, %v; want it left alone", b, err)
	}
}
