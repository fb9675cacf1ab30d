package yamlfast

import (
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// Encoders (go-yaml's included) wrap long strings over several lines, as
// plain scalars folded at spaces or as quoted ones; these follow
// yaml_parser_scan_plain_scalar and yaml_parser_scan_flow_scalar for them.

// plainMore continues a block plain scalar whose first line was read up to
// next (a line end or a comment) in a collection at column indent: go-yaml
// folds in every following line indented past the collection, until a
// comment or a less indented line. It moves pos (and the line) to where the
// scalar ends.
func (p *parser) plainMore(tok token, next, indent int) (string, bool) {
	s := p.s
	var out []byte
	for next < len(s) && s[next] == '\n' {
		breaks, ls, k := 0, next, next
		for k < len(s) && s[k] == '\n' {
			breaks++
			ls = k + 1
			k = ls
			for k < len(s) && s[k] == ' ' {
				k++
			}
		}
		if k >= len(s) || k-ls < indent+1 || s[k] == '#' {
			break
		}
		more, end, colon := p.plainBlock(k)
		if colon {
			return "", false // "key: value" inside a scalar: go-yaml rejects it
		}
		if out == nil {
			out = append(make([]byte, 0, 2*len(tok.value)), tok.value...)
		}
		if breaks == 1 {
			out = append(out, ' ')
		} else {
			out = append(out, strings.Repeat("\n", breaks-1)...)
		}
		out = append(out, more.value...)
		p.line += breaks
		p.lineStart = ls
		next = end
	}
	p.pos = next
	if out == nil {
		return tok.value, true
	}
	return string(out), true
}

// quotedMore reads a quoted scalar that spans lines, starting at pos, in a
// collection at column indent; pos ends just past the closing quote.
// Continuation lines must be indented past the collection (go-yaml does
// not check; inputs that rely on that go to it).
func (p *parser) quotedMore(indent int) (token, bool) {
	s := p.s
	start := p.pos
	q := s[start]
	single := q == '\''
	i := start + 1
	var out []byte
	for {
		if i == p.lineStart && i+3 <= len(s) && (s[i:i+3] == "---" || s[i:i+3] == "...") && p.blankz(i+3) {
			return token{}, false // document marker inside the scalar
		}
		if i >= len(s) {
			return token{}, false
		}
		leadingBlanks := false
		for i < len(s) && s[i] != ' ' && s[i] != '\n' {
			c := s[i]
			switch {
			case single && c == '\'' && p.at(i+1) == '\'':
				out = append(out, '\'')
				i += 2
				continue
			case c == q:
			case !single && c == '\\' && p.at(i+1) == '\n':
				i += 2
				p.line++
				p.lineStart = i
				leadingBlanks = true
			case !single && c == '\\':
				var ok bool
				if out, i, ok = appendEscape(out, s, i+1); !ok {
					return token{}, false
				}
				i++
				continue
			default:
				out = append(out, c)
				i++
				continue
			}
			break
		}
		if p.at(i) == q {
			break
		}
		spaces, leadingBreak, trailing := 0, false, 0
		for i < len(s) && (s[i] == ' ' || s[i] == '\n') {
			if s[i] == ' ' {
				if !leadingBlanks {
					spaces++
				}
				i++
				continue
			}
			if !leadingBlanks {
				spaces, leadingBreak, leadingBlanks = 0, true, true
			} else {
				trailing++
			}
			i++
			p.line++
			p.lineStart = i
		}
		if leadingBlanks && i < len(s) && s[i] != '\n' && i-p.lineStart <= indent && (i-p.lineStart > 0 || s[i] != q) {
			return token{}, false // continuation not indented past the collection
		}
		switch {
		case !leadingBlanks:
			out = append(out, strings.Repeat(" ", spaces)...)
		case leadingBreak && trailing == 0:
			out = append(out, ' ')
		default:
			out = append(out, strings.Repeat("\n", trailing)...)
		}
	}
	tok := token{value: string(out), start: start, end: i + 1, style: yaml.SingleQuotedStyle}
	if !single {
		tok.style = yaml.DoubleQuotedStyle
	}
	p.pos = i + 1
	return tok, true
}
