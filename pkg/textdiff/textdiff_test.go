package textdiff

import "testing"

// TestUnified pins the edge cases GNU diff and git agree on; `diff -u` of
// the same inputs prints the same hunks.
func TestUnified(t *testing.T) {
	tests := []struct {
		name, from, to, a, b, want string
	}{
		{"equal", "a/f", "b/f", "x\n", "x\n", ""},
		{"deleted two-line file", "a/f", DevNull, "one\ntwo\n", "",
			"--- a/f\n+++ /dev/null\n@@ -1,2 +0,0 @@\n-one\n-two\n"},
		{"added file", DevNull, "b/f", "", "one\n",
			"--- /dev/null\n+++ b/f\n@@ -0,0 +1 @@\n+one\n"},
		{"added empty file", DevNull, "b/f", "", "", "--- /dev/null\n+++ b/f\n"},
		{"deleted empty file", "a/f", DevNull, "", "", "--- a/f\n+++ /dev/null\n"},
		{"emptied file", "a/f", "b/f", "one\n", "",
			"--- a/f\n+++ b/f\n@@ -1 +0,0 @@\n-one\n"},
		{"no final newline, new side", "a/f", "b/f", "one\n", "one",
			"--- a/f\n+++ b/f\n@@ -1 +1 @@\n-one\n+one\n\\ No newline at end of file\n"},
		{"no final newline on both, last line changed", "a/f", "b/f", "a\nb", "a\nc",
			"--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+c\n\\ No newline at end of file\n"},
		{"no final newline kept, earlier line changed", "a/f", "b/f", "a\nb\nc\nd\ne\nf", "A\nb\nc\nd\ne\nf",
			"--- a/f\n+++ b/f\n@@ -1,4 +1,4 @@\n-a\n+A\n b\n c\n d\n"},
		{"two hunks", "a/f", "b/f", "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n", "x\n2\n3\n4\n5\n6\n7\n8\n9\ny\n",
			"--- a/f\n+++ b/f\n@@ -1,4 +1,4 @@\n-1\n+x\n 2\n 3\n 4\n@@ -7,4 +7,4 @@\n 7\n 8\n 9\n-10\n+y\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Unified(tt.from, tt.to, tt.a, tt.b); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}
