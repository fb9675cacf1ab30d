package yamlfast

import yaml "go.yaml.in/yaml/v3"

// token is a scalar read from the input, not yet a node.
type token struct {
	value      string
	style      yaml.Style
	start, end int // offsets of the first character and just past the last
}

// scalarNode makes a scalar node of tok, which starts on the current line.
func (p *parser) scalarNode(tok token) *yaml.Node {
	return p.scalarNodeAt(tok, p.line+1, p.col(tok.start))
}

// scalarNodeAt makes a scalar node of tok at a given position.
func (p *parser) scalarNodeAt(tok token, line, col int) *yaml.Node {
	n := p.a.node()
	n.Kind = yaml.ScalarNode
	n.Style = tok.style
	n.Value = tok.value
	if tok.style == 0 {
		n.Tag = plainTag(tok.value)
	} else {
		n.Tag = strTag
	}
	n.Line, n.Column = line, col
	return n
}

// nullAt is the empty scalar go-yaml puts where a value is missing.
func (p *parser) nullAt(line, col int) *yaml.Node {
	n := p.a.node()
	n.Kind, n.Tag = yaml.ScalarNode, nullTag
	n.Line, n.Column = line, col
	return n
}

// blockNode parses the block collection starting at the current content
// line (the caller has checked it is indented enough).
func (p *parser) blockNode() *yaml.Node {
	if p.seqEntry() {
		return p.sequence(false)
	}
	if key, ok := p.key(); ok {
		return p.mapping(key)
	}
	p.fail() // a scalar or flow collection on a line of its own
	return nil
}

// seqEntry says whether pos is at a "- " block sequence entry.
func (p *parser) seqEntry() bool {
	return p.at(p.pos) == '-' && p.blankz(p.pos+1)
}

func (p *parser) enter() bool {
	p.depth++
	if p.depth > maxDepth {
		p.fail()
		return false
	}
	return true
}

// mapping parses a block mapping whose first key, already read, starts at pos.
func (p *parser) mapping(key token) *yaml.Node {
	if !p.enter() {
		return nil
	}
	defer func() { p.depth-- }()
	indent := p.pos - p.lineStart
	n := p.a.node()
	n.Kind, n.Tag = yaml.MappingNode, mapTag
	n.Line, n.Column = p.line+1, p.col(p.pos)
	mark := len(p.stack)
	for {
		k := p.scalarNode(key)
		p.pos = key.end // just past the ':'
		v := p.mapValue(indent)
		if p.bad {
			return nil
		}
		p.stack = append(p.stack, k, v)
		if p.indent != indent {
			if p.indent > indent {
				p.fail()
				return nil
			}
			break
		}
		var ok bool
		if key, ok = p.key(); !ok {
			p.fail() // "- " or a scalar where a key belongs
			return nil
		}
	}
	n.Content = p.a.content(p.stack[mark:])
	p.stack = p.stack[:mark]
	return n
}

// key reads a simple key at pos without moving: a plain or quoted scalar
// followed by ':' and a space or line end. The token's end is just past
// the ':'.
func (p *parser) key() (token, bool) {
	var tok token
	var next int
	switch c := p.at(p.pos); c {
	case '"', '\'':
		var ok bool
		tok, ok = p.quoted(p.pos)
		if !ok {
			return token{}, false
		}
		next = tok.end
		for p.at(next) == ' ' {
			next++
		}
		if p.at(next) != ':' || !p.blankz(next+1) {
			return token{}, false
		}
	default:
		if !p.plainStart(p.pos, false) {
			return token{}, false
		}
		var colon bool
		tok, next, colon = p.plainBlock(p.pos)
		if !colon {
			return token{}, false
		}
	}
	if next-tok.start > maxKeyBytes {
		return token{}, false
	}
	tok.end = next + 1
	return tok, true
}

// mapValue parses the value after a key's ':' (pos just past it) in a
// mapping at column indent; it ends at the next content line.
func (p *parser) mapValue(indent int) *yaml.Node {
	colon := p.pos - 1
	for p.at(p.pos) == ' ' {
		p.pos++
	}
	if !p.eol(p.pos) && p.s[p.pos] != '#' {
		return p.inlineValue(indent)
	}
	line, col := p.line+1, p.col(colon)+1
	p.finishLine()
	if p.bad {
		return nil
	}
	p.nextContent()
	switch {
	case p.indent > indent:
		return p.blockNode()
	case p.indent == indent && p.seqEntry():
		// A sequence may sit at its key's indentation (kubectl writes them so).
		return p.sequence(true)
	}
	return p.nullAt(line, col)
}

// sequence parses a block sequence whose first "-" is at pos. An indentless
// sequence (at its parent key's column) ends at the parent's next key.
func (p *parser) sequence(indentless bool) *yaml.Node {
	if !p.enter() {
		return nil
	}
	defer func() { p.depth-- }()
	indent := p.pos - p.lineStart
	n := p.a.node()
	n.Kind, n.Tag = yaml.SequenceNode, seqTag
	n.Line, n.Column = p.line+1, p.col(p.pos)
	mark := len(p.stack)
	for {
		item := p.seqItem(indent)
		if p.bad {
			return nil
		}
		p.stack = append(p.stack, item)
		if p.indent == indent && p.seqEntry() {
			continue
		}
		if p.indent < indent || (p.indent == indent && indentless) {
			break
		}
		p.fail()
		return nil
	}
	n.Content = p.a.content(p.stack[mark:])
	p.stack = p.stack[:mark]
	return n
}

// seqItem parses one entry of a sequence at column indent; pos is at its "-".
func (p *parser) seqItem(indent int) *yaml.Node {
	p.pos++
	dashLine, dashCol := p.line+1, p.col(p.pos)
	for p.at(p.pos) == ' ' {
		p.pos++
	}
	switch {
	case p.eol(p.pos) || p.s[p.pos] == '#':
		p.finishLine()
		if p.bad {
			return nil
		}
		p.nextContent()
		if p.indent > indent {
			return p.blockNode()
		}
		return p.nullAt(dashLine, dashCol)
	case p.seqEntry():
		return p.sequence(false) // "- - a"
	}
	if key, ok := p.key(); ok {
		return p.mapping(key) // "- name: a"
	}
	return p.inlineValue(indent)
}

// inlineValue parses a value that starts on the current line at pos, in a
// block collection at column indent, and moves to the next content line.
func (p *parser) inlineValue(indent int) *yaml.Node {
	var n *yaml.Node
	switch c := p.s[p.pos]; c {
	case '|', '>':
		return p.blockScalar(indent)
	case '"', '\'':
		tok, ok := p.quoted(p.pos)
		if ok {
			n = p.scalarNode(tok)
			p.pos = tok.end
		} else {
			line, col := p.line+1, p.col(p.pos)
			if tok, ok = p.quotedMore(indent); !ok {
				p.fail()
				return nil
			}
			n = p.scalarNodeAt(tok, line, col)
		}
		if !p.blankz(p.pos) {
			p.fail()
			return nil
		}
	case '[', '{':
		n = p.flow(0)
		if p.bad {
			return nil
		}
		if !p.blankz(p.pos) {
			p.fail()
			return nil
		}
	default:
		if !p.plainStart(p.pos, false) {
			p.fail() // anchors, aliases, tags, "- " after a key, ...
			return nil
		}
		tok, next, colon := p.plainBlock(p.pos)
		if colon {
			p.fail() // "a: b: c"
			return nil
		}
		n = p.scalarNode(tok)
		if v, ok := p.plainMore(tok, next, indent); !ok {
			p.fail()
			return nil
		} else if len(v) != len(tok.value) {
			n.Value, n.Tag = v, plainTag(v)
		}
	}
	p.finishLine()
	if p.bad {
		return nil
	}
	p.nextContent()
	return n
}
