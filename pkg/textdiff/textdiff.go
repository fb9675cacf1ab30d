// Package textdiff writes unified diffs in the format git and GNU diff
// print, for render --check and the golden-file tests: one implementation,
// so a stale tree and a stale golden file read the same way.
package textdiff

import (
	"fmt"
	"strings"

	"github.com/pmezard/go-difflib/difflib"
)

// DevNull is the name a side takes when the file does not exist there.
const DevNull = "/dev/null"

// Context is the number of unchanged lines shown around each change.
const Context = 3

// Unified is the unified diff from a (named from) to b (named to), or ""
// when they are equal. A side named DevNull is an absent file, so an added
// or deleted empty file still shows its header. Hunk ranges follow GNU
// diff: an empty range is written "N,0" with N the line before it, so a
// deleted two-line file is "@@ -1,2 +0,0 @@"; a last line without a line
// break is followed by "\ No newline at end of file".
func Unified(from, to, a, b string) string {
	if a == b && from != DevNull && to != DevNull {
		return ""
	}
	var w strings.Builder
	fmt.Fprintf(&w, "--- %s\n+++ %s\n", from, to)
	if a == b {
		return w.String()
	}
	al, bl := lines(a), lines(b)
	m := difflib.NewMatcher(al, bl)
	for _, g := range m.GetGroupedOpCodes(Context) {
		first, last := g[0], g[len(g)-1]
		fmt.Fprintf(&w, "@@ -%s +%s @@\n", hunkRange(first.I1, last.I2), hunkRange(first.J1, last.J2))
		for _, c := range g {
			if c.Tag == 'e' {
				writeLines(&w, ' ', al[c.I1:c.I2])
				continue
			}
			if c.Tag == 'r' || c.Tag == 'd' {
				writeLines(&w, '-', al[c.I1:c.I2])
			}
			if c.Tag == 'r' || c.Tag == 'i' {
				writeLines(&w, '+', bl[c.J1:c.J2])
			}
		}
	}
	return w.String()
}

// lines splits s after each line break; the last line keeps no break when
// s has none, which is how a missing final newline shows in the diff. An
// empty s has no lines (difflib's SplitLines gives it one, which made a
// deleted file's hunk one line too long).
func lines(s string) []string {
	if s == "" {
		return nil
	}
	l := strings.SplitAfter(s, "\n")
	if l[len(l)-1] == "" {
		l = l[:len(l)-1]
	}
	return l
}

func writeLines(w *strings.Builder, prefix byte, ls []string) {
	for _, l := range ls {
		w.WriteByte(prefix)
		w.WriteString(l)
		if !strings.HasSuffix(l, "\n") {
			w.WriteString("\n\\ No newline at end of file\n")
		}
	}
}

// hunkRange is GNU diff's unified range: "start" for one line,
// "start,length" otherwise, with an empty range starting at the line
// before it.
func hunkRange(start, stop int) string {
	begin, n := start+1, stop-start
	switch n {
	case 1:
		return fmt.Sprint(begin)
	case 0:
		begin--
	}
	return fmt.Sprintf("%d,%d", begin, n)
}
