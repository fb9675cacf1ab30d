package scaffold

import (
	"bytes"
	"unicode/utf8"
)

// source is a file's bytes split into lines, for mapping yaml.v3 positions
// to byte offsets and for reading indentation.
type source struct {
	data  []byte
	lines []line
	eol   string // "\r\n" when the file uses CRLF, else "\n"
}

// line is one line of the source: data[start:end] is its text without the
// line break.
type line struct {
	start, end int
}

func newSource(data []byte) *source {
	s := &source{data: data, eol: "\n"}
	if bytes.Contains(data, []byte("\r\n")) {
		s.eol = "\r\n"
	}
	start := 0
	for i := 0; i < len(data); i++ {
		if data[i] == '\n' {
			end := i
			if end > start && data[end-1] == '\r' {
				end--
			}
			s.lines = append(s.lines, line{start, end})
			start = i + 1
		}
	}
	if start < len(data) || len(data) == 0 {
		s.lines = append(s.lines, line{start, len(data)})
	}
	return s
}

// text returns line n (1-based) without its line break.
func (s *source) text(n int) []byte {
	if n < 1 || n > len(s.lines) {
		return nil
	}
	l := s.lines[n-1]
	return s.data[l.start:l.end]
}

// lineEnd is the offset of line n's line break (or of the end of the file).
func (s *source) lineEnd(n int) int { return s.lines[n-1].end }

// offset maps a yaml.v3 position (1-based line, 1-based column counted in
// characters) to a byte offset.
func (s *source) offset(lineNo, col int) int {
	l := s.lines[lineNo-1]
	off := l.start
	for c := 1; c < col && off < l.end; c++ {
		_, size := utf8.DecodeRune(s.data[off:l.end])
		off += size
	}
	return off
}

// lineOf returns the 1-based line holding offset off.
func (s *source) lineOf(off int) int {
	lo, hi := 0, len(s.lines)-1
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if s.lines[mid].start <= off {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo + 1
}

// indent returns the number of leading spaces of line n.
func (s *source) indent(n int) int {
	t := s.text(n)
	i := 0
	for i < len(t) && t[i] == ' ' {
		i++
	}
	return i
}

// blank says whether line n holds only white space.
func (s *source) blank(n int) bool {
	return len(bytes.TrimSpace(s.text(n))) == 0
}

// comment says whether line n holds only a comment.
func (s *source) comment(n int) bool {
	t := bytes.TrimLeft(s.text(n), " \t")
	return len(t) > 0 && t[0] == '#'
}

// dashLine says whether line n starts (after its indentation) a block
// sequence entry.
func (s *source) dashLine(n int) bool {
	t := s.text(n)[s.indent(n):]
	return len(t) > 0 && t[0] == '-' && (len(t) == 1 || t[1] == ' ' || t[1] == '\t')
}

// regionEnd returns the last line of the block that starts on line start and
// holds everything indented deeper than col: a sequence entry whose dash is
// at col, or a mapping key at col (with dash, when its value is a block
// sequence whose dashes may sit at col too). Comment lines count only when
// indented deeper than col: a comment at the entry's own level belongs to
// what follows, so it stays below anything inserted after the region.
func (s *source) regionEnd(start, col int, dash bool) int {
	last := start
	for n := start + 1; n <= len(s.lines); n++ {
		if s.blank(n) {
			continue
		}
		ind := s.indent(n)
		if s.comment(n) {
			if ind > col {
				last = n
			}
			continue
		}
		if ind > col || (dash && ind == col && s.dashLine(n)) {
			last = n
			continue
		}
		break
	}
	return last
}

// flowSpan describes a flow collection: where it closes, where its last
// entry ends, and whether a comma follows that entry.
type flowSpan struct {
	open, close   int
	lastEnd       int // offset just after the last entry; -1 when empty
	trailingComma int // offset of a comma after the last entry; -1 when none
}

// scanFlow reads the flow collection whose opening bracket is at open. It
// knows quoted scalars, nested collections and comments, which is all a flow
// collection can hold.
func (s *source) scanFlow(open int) (flowSpan, bool) {
	d := s.data
	sp := flowSpan{open: open, lastEnd: -1, trailingComma: -1}
	depth := 1
	boundary := true // may a quoted scalar start here?
	for i := open + 1; i < len(d); i++ {
		c := d[i]
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			boundary = true
			continue
		case c == '#' && boundary: // a comment starts where a token may
			for i < len(d) && d[i] != '\n' {
				i++
			}
			boundary = true
			continue
		case (c == '"' || c == '\'') && boundary:
			j := i + 1
			for ; j < len(d); j++ {
				if c == '"' && d[j] == '\\' {
					j++
					continue
				}
				if d[j] == c {
					if c == '\'' && j+1 < len(d) && d[j+1] == '\'' {
						j++
						continue
					}
					break
				}
			}
			if j >= len(d) {
				return sp, false
			}
			i = j
			sp.lastEnd, sp.trailingComma = i+1, -1
			boundary = false
			continue
		case c == '[' || c == '{':
			depth++
			boundary = true
			sp.trailingComma = -1
			continue
		case c == ']' || c == '}':
			depth--
			if depth == 0 {
				sp.close = i
				return sp, true
			}
			sp.lastEnd = i + 1
			boundary = false
			continue
		case c == ',':
			if depth == 1 {
				sp.trailingComma = i
			}
			boundary = true
			continue
		}
		boundary = c == ':'
		sp.lastEnd, sp.trailingComma = i+1, -1
	}
	return sp, false
}
