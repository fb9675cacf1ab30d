// Package yamlsyntax turns go-yaml v3 syntax errors into exact positions.
// go-yaml reports parser errors one line early, some with no line at all,
// and rejects bad bytes without saying where; every reader of user YAML in
// platformctl (the spec loader, the linter) needs the same corrections.
package yamlsyntax

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// Pos is a 1-based line and column (in characters).
type Pos struct {
	Line int
	Col  int
}

// The expressions are compiled on first use: Describe only runs on a
// decode error, and every start-up of the binary would pay for them.
var yamlLineRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^yaml: line (\d+): (.*)$`) })

// yamlParserProblems are the messages yaml.v3 raises from its parser rather
// than its scanner. For those it prints the 0-based line (one above the line an
// editor shows) and prints none at all for the first line.
var yamlParserProblems = map[string]bool{
	"did not find expected <stream-start>":   true,
	"did not find expected <document start>": true,
	"did not find expected node content":     true,
	"did not find expected key":              true,
	"did not find expected '-' indicator":    true,
	"did not find expected ',' or ']'":       true,
	"did not find expected ',' or '}'":       true,
	"found duplicate %YAML directive":        true,
	"found duplicate %TAG directive":         true,
	"found incompatible YAML document":       true,
	"found undefined tag handle":             true,
}

var unknownAnchorRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^unknown anchor '(.*)' referenced$`) })

// Describe returns where a go-yaml decode error is and what it says, without
// the "yaml: line N:" prefix.
func Describe(data []byte, err error) (Pos, string) {
	msg := err.Error()
	pos := Pos{1, 1}
	if m := yamlLineRE().FindStringSubmatch(msg); m != nil {
		pos.Line, _ = strconv.Atoi(m[1])
		msg = m[2]
		if yamlParserProblems[msg] {
			pos.Line++
		}
	} else {
		msg = strings.TrimPrefix(msg, "yaml: ")
		// yaml.v3 gives no position for an unknown alias; it is easy to find.
		if m := unknownAnchorRE().FindStringSubmatch(msg); m != nil {
			if off := aliasOffset(data, m[1]); off >= 0 {
				pos = offsetPos(data, off)
			}
		}
	}
	return pos, msg
}

// aliasOffset is the byte offset of the first *name alias in data, or -1.
func aliasOffset(data []byte, name string) int {
	needle := []byte("*" + name)
	for base := 0; ; {
		i := bytes.Index(data[base:], needle)
		if i < 0 {
			return -1
		}
		end := base + i + len(needle)
		// *name must not be the prefix of a longer alias (*name-2).
		if end == len(data) || !isAnchorByte(data[end]) {
			return base + i
		}
		base = end
	}
}

func isAnchorByte(b byte) bool {
	return b > ' ' && b != ',' && b != '[' && b != ']' && b != '{' && b != '}'
}

// offsetPos converts a byte offset into a line and a column counted in
// characters, as yaml.v3 counts node columns.
func offsetPos(data []byte, off int) Pos {
	before := data[:off]
	line := bytes.Count(before, []byte("\n")) + 1
	lineStart := bytes.LastIndexByte(before, '\n') + 1
	return Pos{line, utf8.RuneCount(before[lineStart:]) + 1}
}

// BadText finds the first character yaml.v3 refuses to read: invalid UTF-8
// or a control character. yaml.v3 reports those without any line, which
// leaves the user to hunt through the whole file for one bad byte.
func BadText(data []byte) (Pos, string, bool) {
	for off := 0; off < len(data); {
		r, size := utf8.DecodeRune(data[off:])
		switch {
		case r == utf8.RuneError && size <= 1:
			return offsetPos(data, off), fmt.Sprintf("invalid UTF-8 byte 0x%02x; save the file as UTF-8", data[off]), true
		case !yamlChar(r):
			return offsetPos(data, off), fmt.Sprintf("control character %U is not allowed", r), true
		}
		off += size
	}
	return Pos{}, "", false
}

// yamlChar mirrors the character set yaml.v3's reader accepts (YAML 1.2 c-printable).
func yamlChar(r rune) bool {
	switch {
	case r == '\t', r == '\n', r == '\r', r == 0x85:
		return true
	case r >= 0x20 && r <= 0x7E, r >= 0xA0 && r <= 0xD7FF, r >= 0xE000 && r <= 0xFFFD, r >= 0x10000 && r <= 0x10FFFF:
		return true
	}
	return false
}
