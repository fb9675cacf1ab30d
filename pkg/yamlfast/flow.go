package yamlfast

import yaml "go.yaml.in/yaml/v3"

// flow parses a flow collection ("[a, b]", "{a: b}", "[]", "{}") that ends
// on the line it starts on; pos is at its '[' or '{' and ends just past
// the closing bracket.
func (p *parser) flow(depth int) *yaml.Node {
	if depth > 50 || p.depth+depth > maxDepth {
		p.fail()
		return nil
	}
	open := p.s[p.pos]
	n := p.a.node()
	n.Style = yaml.FlowStyle
	n.Line, n.Column = p.line+1, p.col(p.pos)
	closer := byte(']')
	if open == '[' {
		n.Kind, n.Tag = yaml.SequenceNode, seqTag
	} else {
		n.Kind, n.Tag = yaml.MappingNode, mapTag
		closer = '}'
	}
	p.pos++
	p.spaces()
	mark := len(p.stack)
	if p.at(p.pos) == closer {
		p.pos++
		return n
	}
	for {
		if open == '{' {
			k := p.flowScalar(true)
			if p.bad {
				return nil
			}
			p.spaces()
			if p.at(p.pos) != ':' || p.at(p.pos+1) != ' ' {
				p.fail() // "{a}", "{a:b}": leave them to go-yaml
				return nil
			}
			p.pos += 2
			p.spaces()
			p.stack = append(p.stack, k)
		}
		v := p.flowItem(depth)
		if p.bad {
			return nil
		}
		p.stack = append(p.stack, v)
		p.spaces()
		c := p.at(p.pos)
		if c == closer {
			p.pos++
			break
		}
		if c != ',' {
			p.fail()
			return nil
		}
		p.pos++
		p.spaces()
		if c := p.at(p.pos); c == ']' || c == '}' || c == ',' {
			p.fail() // trailing or doubled comma
			return nil
		}
	}
	n.Content = p.a.content(p.stack[mark:])
	p.stack = p.stack[:mark]
	return n
}

func (p *parser) spaces() {
	for p.at(p.pos) == ' ' {
		p.pos++
	}
}

// flowItem parses one entry of a flow collection: a nested collection or a scalar.
func (p *parser) flowItem(depth int) *yaml.Node {
	switch p.at(p.pos) {
	case '[', '{':
		return p.flow(depth + 1)
	}
	return p.flowScalar(false)
}

// flowScalar reads a quoted scalar or a plain one made of characters that
// cannot end or nest inside a flow collection; anything unusual (':' inside,
// '#', '?', quotes mid-scalar) is left to go-yaml.
func (p *parser) flowScalar(key bool) *yaml.Node {
	start := p.pos
	switch p.at(start) {
	case '"', '\'':
		tok, ok := p.quoted(start)
		if !ok {
			p.fail()
			return nil
		}
		p.pos = tok.end
		return p.scalarNode(tok)
	}
	if !p.plainStart(start, true) {
		p.fail()
		return nil
	}
	i, end := start, start
	s := p.s
loop:
	for ; i < len(s); i++ {
		switch s[i] {
		case ',', ']', '}':
			break loop
		case ':':
			if !p.blankz(i + 1) {
				end = i + 1 // "image: ghcr.io/a/b:1.0" inside a flow mapping
				continue
			}
			if key && p.at(i+1) == ' ' {
				break loop
			}
			p.fail()
			return nil
		case '\n', '#', '?', '[', '{', '"', '\'':
			p.fail()
			return nil
		case ' ':
		default:
			end = i + 1
		}
	}
	if i >= len(s) {
		p.fail()
		return nil
	}
	p.pos = end
	return p.scalarNode(token{value: s[start:end], start: start, end: end})
}
