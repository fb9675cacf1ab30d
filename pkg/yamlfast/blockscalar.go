package yamlfast

import yaml "go.yaml.in/yaml/v3"

// blockScalar reads a literal (|) or folded (>) scalar; pos is at the
// indicator and indent is go-yaml's current block indentation (the column of
// the innermost collection). It is yaml_parser_scan_block_scalar with the
// input already known to be free of tabs, CRs and Unicode line breaks, so
// the result, chomping and indentation indicators included, is go-yaml's.
func (p *parser) blockScalar(indent int) *yaml.Node {
	s := p.s
	n := p.a.node()
	n.Kind, n.Tag = yaml.ScalarNode, strTag
	n.Line, n.Column = p.line+1, p.col(p.pos)
	literal := s[p.pos] == '|'
	n.Style = yaml.FoldedStyle
	if literal {
		n.Style = yaml.LiteralStyle
	}
	p.pos++
	chomping, increment := 0, 0
	chomp := func() {
		switch p.at(p.pos) {
		case '+':
			chomping = 1
			p.pos++
		case '-':
			chomping = -1
			p.pos++
		}
	}
	digit := func() bool {
		if c := p.at(p.pos); c >= '0' && c <= '9' {
			if c == '0' {
				return false
			}
			increment = int(c - '0')
			p.pos++
		}
		return true
	}
	if c := p.at(p.pos); c == '+' || c == '-' {
		chomp()
		if !digit() {
			p.fail()
			return nil
		}
	} else {
		if !digit() {
			p.fail()
			return nil
		}
		chomp()
	}
	for p.at(p.pos) == ' ' {
		p.pos++
	}
	if p.at(p.pos) == '#' {
		p.skipComment()
	}
	if !p.eol(p.pos) {
		p.fail()
		return nil
	}
	p.newline()

	blockIndent := 0
	if increment > 0 {
		if indent >= 0 {
			blockIndent = indent + increment
		} else {
			blockIndent = increment
		}
	}
	var out, leadingBreak, trailingBreaks []byte
	trailingBreaks = p.blockBreaks(&blockIndent, indent, trailingBreaks)
	var leadingBlank, trailingBlank bool
	for p.pos-p.lineStart == blockIndent && p.pos < len(s) {
		trailingBlank = s[p.pos] == ' '
		if !literal && !leadingBlank && !trailingBlank && len(leadingBreak) > 0 && leadingBreak[0] == '\n' {
			if len(trailingBreaks) == 0 {
				out = append(out, ' ')
			}
		} else {
			out = append(out, leadingBreak...)
		}
		leadingBreak = leadingBreak[:0]
		out = append(out, trailingBreaks...)
		trailingBreaks = trailingBreaks[:0]
		leadingBlank = s[p.pos] == ' '
		lineEnd := p.pos
		for lineEnd < len(s) && s[lineEnd] != '\n' {
			lineEnd++
		}
		out = append(out, s[p.pos:lineEnd]...)
		p.pos = lineEnd
		if p.pos < len(s) {
			leadingBreak = append(leadingBreak, '\n')
			p.newline()
		}
		trailingBreaks = p.blockBreaks(&blockIndent, indent, trailingBreaks)
	}
	if chomping != -1 {
		out = append(out, leadingBreak...)
	}
	if chomping == 1 {
		out = append(out, trailingBreaks...)
	}
	n.Value = string(out)
	// pos is on the first line less indented than the scalar (or at the
	// end); go back to its start and find its content like any other line.
	if p.pos >= len(s) {
		p.indent = -1
		return n
	}
	p.pos = p.lineStart
	p.lineContent()
	return n
}

// newline steps over the line break at pos.
func (p *parser) newline() {
	if p.pos < len(p.s) {
		p.pos++
		p.line++
		p.lineStart = p.pos
	}
}

// blockBreaks is yaml_parser_scan_block_scalar_breaks: it eats indentation
// and empty lines, collecting their breaks, and fixes the indentation when
// it was not given.
func (p *parser) blockBreaks(blockIndent *int, indent int, breaks []byte) []byte {
	s := p.s
	maxIndent := 0
	for {
		for (*blockIndent == 0 || p.pos-p.lineStart < *blockIndent) && p.at(p.pos) == ' ' {
			p.pos++
		}
		if c := p.pos - p.lineStart; c > maxIndent {
			maxIndent = c
		}
		if p.pos >= len(s) || s[p.pos] != '\n' {
			break
		}
		breaks = append(breaks, '\n')
		p.newline()
	}
	if *blockIndent == 0 {
		*blockIndent = maxIndent
		if *blockIndent < indent+1 {
			*blockIndent = indent + 1
		}
		if *blockIndent < 1 {
			*blockIndent = 1
		}
	}
	return breaks
}
