package yamlfast

import (
	"bytes"
	"strings"
	"unicode/utf8"
	"unsafe"

	yaml "go.yaml.in/yaml/v3"
)

// maxDepth bounds nesting; deeper input goes to go-yaml v3, which has its own limit.
const maxDepth = 500

// maxKeyBytes keeps keys well inside go-yaml's 1024-character simple-key limit.
const maxKeyBytes = 1000

// parser walks the input line by line. Every method that meets something
// outside the supported subset sets bad and returns; callers check bad
// after each step and unwind.
type parser struct {
	s         string
	pos       int // current byte offset
	line      int // 0-based line of pos
	lineStart int // offset where the current line starts
	ascii     bool
	// colLine, colOff and colN remember the last column counted on a
	// non-ASCII line (its start + 1, so the zero value matches no line;
	// offset; column).
	colLine, colOff, colN int
	// colScanned is how many bytes col has counted characters over: at
	// most the input's size when columns are counted incrementally.
	colScanned int
	bad        bool
	badPos     int // where bad was set, for tests and debugging
	depth      int
	// indent is the column of the current content line (pos is at its first
	// character), or -1 at the end of the input or at a document marker.
	indent int
	a      arena
	stack  []*yaml.Node // children of the collections being built
}

// Parse decodes every document of data. ok is false when data is outside the
// supported subset (or is not valid YAML): decode it with go-yaml v3 then.
// The returned nodes are DocumentNodes, as yaml.Decoder.Decode returns them.
func Parse(data []byte) (docs []*yaml.Node, ok bool) {
	docs, _, ok = parse(data, false)
	return docs, ok
}

// ParseOwned is Parse for a buffer the caller hands over: the nodes' strings
// point into data itself rather than into a copy of it, so data must never
// be modified afterwards. A lint keeps every tree to the end, and the copy
// doubled the memory the input took (docs/performance.md, step 6).
func ParseOwned(data []byte) (docs []*yaml.Node, ok bool) {
	docs, _, ok = parse(data, true)
	return docs, ok
}

// parse is Parse (ParseOwned when owned), also returning the parser (nil
// when prescan refused the input) so tests can read what it counted.
func parse(data []byte, owned bool) (docs []*yaml.Node, p *parser, ok bool) {
	if bytes.IndexByte(data, '\r') >= 0 {
		// go-yaml reads CR LF as one line break (in values too) and a CR
		// only ever ends a line, so dropping the CRs changes no position
		// and no value. A CR elsewhere is left to go-yaml.
		if bytes.Count(data, []byte{'\r'}) != bytes.Count(data, []byte("\r\n")) {
			return nil, nil, false
		}
		data = bytes.ReplaceAll(data, []byte("\r\n"), []byte{'\n'})
		owned = true // a new buffer nobody else holds
	}
	ascii, fine := prescan(data)
	if !fine {
		return nil, nil, false
	}
	var text string
	if owned && len(data) > 0 {
		// Values are substrings of the input, so the trees keep it: sharing
		// the caller's bytes instead of copying them saves the input's size.
		text = unsafe.String(&data[0], len(data))
	} else {
		text = string(data)
	}
	p = &parser{s: text, ascii: ascii}
	// Manifests hold about one node per 10 bytes; sizing each chunk for a
	// bit less than the bytes left need keeps the unused tail of the last
	// chunk small, at the price of a few more chunks.
	p.a.left = func() int { return (len(p.s) - p.pos) / 14 }
	docs = p.stream()
	if p.bad {
		return nil, p, false
	}
	return docs, p, true
}

// byteClass sorts input bytes for prescan: 0 is plain ASCII, 1 a byte the
// subset refuses (control characters, tabs, CRs, DEL), 2 the start of a
// multi-byte character.
var byteClass = func() (t [256]uint8) {
	for c := 0; c < 256; c++ {
		switch {
		case c == '\n':
		case c < 0x20 || c == 0x7F:
			t[c] = 1
		case c >= 0x80:
			t[c] = 2
		}
	}
	return t
}()

// prescan rejects bytes the subset does not handle (tabs, CR, NUL, the
// Unicode line breaks and byte-order marks go-yaml treats specially) and says
// whether the input is ASCII, in which case columns are byte offsets.
func prescan(data []byte) (ascii, ok bool) {
	ascii = true
	for i, c := range data {
		switch byteClass[c] {
		case 0:
			continue
		case 1:
			return false, false
		}
		ascii = false
		switch {
		case c == 0xC2 && i+1 < len(data) && data[i+1] == 0x85,
			c == 0xE2 && i+2 < len(data) && data[i+1] == 0x80 && (data[i+2] == 0xA8 || data[i+2] == 0xA9),
			c == 0xEF && i+2 < len(data) && data[i+1] == 0xBB && data[i+2] == 0xBF:
			return false, false // NEL, LS, PS, BOM
		}
	}
	if !ascii && !printable(data) {
		return false, false
	}
	return ascii, true
}

// printable mirrors the character set go-yaml's reader accepts (YAML's
// c-printable); it runs only on non-ASCII input.
func printable(data []byte) bool {
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			return false
		case r >= 0x80 && r < 0xA0, r >= 0xD800 && r <= 0xDFFF, r == 0xFFFE, r == 0xFFFF:
			return false
		}
		i += size
	}
	return true
}

func (p *parser) fail() {
	if !p.bad {
		p.bad, p.badPos = true, p.pos
	}
}

// col is the 1-based column of offset off on the current line, counted in
// characters as go-yaml counts them.
func (p *parser) col(off int) int {
	if p.ascii {
		return off - p.lineStart + 1
	}
	// Count from the last answer on this line: a long line of flow items
	// would otherwise be counted from its start for every item.
	if p.colLine != p.lineStart+1 || off < p.colOff {
		p.colLine, p.colOff, p.colN = p.lineStart+1, p.lineStart, 1
	}
	p.colN += utf8.RuneCountInString(p.s[p.colOff:off])
	p.colScanned += off - p.colOff
	p.colOff = off
	return p.colN
}

func (p *parser) at(off int) byte {
	if off < len(p.s) {
		return p.s[off]
	}
	return 0
}

// blankz: space, line break or end of input (no tabs or CRs get this far).
func (p *parser) blankz(off int) bool {
	c := p.at(off)
	return c == ' ' || c == '\n' || c == 0
}

func (p *parser) eol(off int) bool {
	return off >= len(p.s) || p.s[off] == '\n'
}

// finishLine consumes the rest of the current line: spaces and an optional
// comment. Anything else there is outside the subset.
func (p *parser) finishLine() {
	start := p.pos
	for p.pos < len(p.s) && p.s[p.pos] == ' ' {
		p.pos++
	}
	if p.pos < len(p.s) && p.s[p.pos] == '#' {
		if p.pos == start && p.pos != p.lineStart && p.s[p.pos-1] != ' ' {
			p.fail()
			return
		}
		p.skipComment()
	}
	if !p.eol(p.pos) {
		p.fail()
	}
}

func (p *parser) skipComment() {
	if i := strings.IndexByte(p.s[p.pos:], '\n'); i >= 0 {
		p.pos += i
	} else {
		p.pos = len(p.s)
	}
}

// nextContent moves from the end of a line to the first character of the
// next line holding content, skipping blank and comment-only lines, and sets
// indent.
func (p *parser) nextContent() {
	if p.pos < len(p.s) {
		p.pos++ // the line break
		p.line++
		p.lineStart = p.pos
	}
	p.lineContent()
}

// lineContent is nextContent starting at the beginning of a line.
func (p *parser) lineContent() {
	for {
		for p.pos < len(p.s) && p.s[p.pos] == ' ' {
			p.pos++
		}
		if p.pos >= len(p.s) {
			p.indent = -1
			return
		}
		switch p.s[p.pos] {
		case '#':
			p.skipComment()
			if p.pos >= len(p.s) {
				p.indent = -1
				return
			}
			fallthrough
		case '\n':
			p.pos++
			p.line++
			p.lineStart = p.pos
			continue
		}
		p.indent = p.pos - p.lineStart
		if p.indent == 0 && p.docMarker() != 0 {
			p.indent = -1
		}
		return
	}
}

// docMarker returns '-' or '.' when pos starts a "---" or "..." line, else 0.
func (p *parser) docMarker() byte {
	if p.pos != p.lineStart || p.pos+3 > len(p.s) || !p.blankz(p.pos+3) {
		return 0
	}
	switch p.s[p.pos : p.pos+3] {
	case "---":
		return '-'
	case "...":
		return '.'
	}
	return 0
}

// streamEnd is where go-yaml puts the stream-end token: the start of the
// line after the last one.
func (p *parser) streamEnd() (line, col int) {
	n := strings.Count(p.s, "\n")
	if len(p.s) > 0 && p.s[len(p.s)-1] != '\n' {
		n++
	}
	return n + 1, 1
}

func (p *parser) stream() []*yaml.Node {
	var docs []*yaml.Node
	p.lineContent()
	first := true
	for !p.bad {
		if p.pos >= len(p.s) {
			return docs
		}
		docLine, docCol := p.line+1, p.col(p.pos)
		if first && p.indent == 0 && p.s[p.pos] == '%' {
			if !p.directive() {
				p.fail()
				return nil
			}
			if p.docMarker() != '-' {
				p.fail()
				return nil
			}
		}
		switch p.docMarker() {
		case '.':
			if first {
				// go-yaml reads a leading "..." as the end of an empty
				// implicit document in some cases; not worth matching.
				p.fail()
				return nil
			}
			p.pos += 3
			p.finishLine()
			p.nextContent()
			if p.pos < len(p.s) && p.docMarker() == 0 {
				p.fail() // content after "..." needs a "---"
			}
			continue
		case '-':
			p.pos += 3
			p.finishLine()
			if p.bad {
				return nil
			}
			p.nextContent()
			doc := p.document(docLine, docCol, true)
			docs = append(docs, doc)
		default:
			if !first {
				p.fail()
				return nil
			}
			doc := p.document(docLine, docCol, false)
			docs = append(docs, doc)
		}
		first = false
	}
	return nil
}

// directive accepts exactly "%YAML 1.1" (the only version go-yaml v3
// accepts) and moves to the next content line.
func (p *parser) directive() bool {
	rest := p.s[p.pos:]
	if !strings.HasPrefix(rest, "%YAML ") {
		return false
	}
	p.pos += len("%YAML ")
	for p.at(p.pos) == ' ' {
		p.pos++
	}
	if !strings.HasPrefix(p.s[p.pos:], "1.1") || !p.blankz(p.pos+3) {
		return false
	}
	p.pos += 3
	p.finishLine()
	if p.bad {
		return false
	}
	p.nextContent()
	return true
}

// document parses one document's content; pos is at its first content line
// (or at the next marker or the end when the document is empty).
func (p *parser) document(line, col int, explicit bool) *yaml.Node {
	doc := p.a.node()
	doc.Kind = yaml.DocumentNode
	doc.Line, doc.Column = line, col
	var root *yaml.Node
	if p.indent < 0 {
		if !explicit {
			p.fail()
			return nil
		}
		root = p.a.node()
		root.Kind, root.Tag = yaml.ScalarNode, nullTag
		if p.pos >= len(p.s) {
			root.Line, root.Column = p.streamEnd()
		} else {
			root.Line, root.Column = p.line+1, 1
		}
	} else {
		if !explicit {
			doc.Line, doc.Column = p.line+1, p.col(p.pos)
		}
		root = p.blockNode()
		if p.bad {
			return nil
		}
		if p.indent >= 0 {
			p.fail() // content less indented than the root but not a marker
			return nil
		}
	}
	doc.Content = p.a.content([]*yaml.Node{root})
	return doc
}
