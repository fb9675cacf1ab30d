package yamlfast

import (
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// plainStart says whether a plain scalar may start at off (go-yaml's rule:
// no indicator first, except '-' and, outside flow collections, '?' and ':'
// followed by a non-blank).
func (p *parser) plainStart(off int, flow bool) bool {
	switch c := p.at(off); c {
	case 0, ' ', '\n', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`':
		return false
	case '-':
		return !p.blankz(off + 1)
	case '?', ':':
		return !flow && !p.blankz(off+1)
	}
	return true
}

// plainBlock reads a one-line plain scalar in block context from start. It
// stops at a comment, the end of the line, or a ':' followed by a blank
// (colon is then true and next is the ':'). next is where reading stopped.
func (p *parser) plainBlock(start int) (tok token, next int, colon bool) {
	i, end := start, start
	s := p.s
	for {
		run := i
		for i < len(s) && s[i] != ' ' && s[i] != '\n' {
			if s[i] == ':' && p.blankz(i+1) {
				if i > run {
					end = i
				}
				return token{value: s[start:end], start: start, end: end}, i, true
			}
			i++
		}
		end = i
		for i < len(s) && s[i] == ' ' {
			i++
		}
		if i >= len(s) || s[i] == '\n' || s[i] == '#' {
			return token{value: s[start:end], start: start, end: end}, i, false
		}
	}
}

// quoted reads a single- or double-quoted scalar that ends on its own line.
// The value is a substring of the input unless escapes change it.
func (p *parser) quoted(start int) (token, bool) {
	s := p.s
	q := s[start]
	i := start + 1
	plain := true // no escapes seen: the value is s[start+1:i]
	for {
		if i >= len(s) || s[i] == '\n' {
			return token{}, false // unterminated on this line
		}
		c := s[i]
		if c == q {
			if q == '\'' && i+1 < len(s) && s[i+1] == '\'' {
				plain = false
				i += 2
				continue
			}
			break
		}
		if c == '\\' && q == '"' {
			plain = false
			i++
			if i >= len(s) || s[i] == '\n' {
				return token{}, false // escaped line break
			}
		}
		i++
	}
	tok := token{start: start, end: i + 1, style: yaml.SingleQuotedStyle}
	if q == '"' {
		tok.style = yaml.DoubleQuotedStyle
	}
	body := s[start+1 : i]
	switch {
	case plain:
		tok.value = body
	case q == '\'':
		tok.value = strings.ReplaceAll(body, "''", "'")
	default:
		v, ok := unescape(body)
		if !ok {
			return token{}, false
		}
		tok.value = v
	}
	return tok, true
}

// unescape applies go-yaml's double-quoted escapes; false for anything it
// rejects (it reports an error we leave to it).
func unescape(body string) (string, bool) {
	var b strings.Builder
	b.Grow(len(body))
	for i := 0; i < len(body); i++ {
		c := body[i]
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		i++
		if i >= len(body) {
			return "", false
		}
		width := 0
		switch body[i] {
		case '0':
			b.WriteByte(0)
		case 'a':
			b.WriteByte('\a')
		case 'b':
			b.WriteByte('\b')
		case 't':
			b.WriteByte('\t')
		case 'n':
			b.WriteByte('\n')
		case 'v':
			b.WriteByte('\v')
		case 'f':
			b.WriteByte('\f')
		case 'r':
			b.WriteByte('\r')
		case 'e':
			b.WriteByte(0x1B)
		case ' ':
			b.WriteByte(' ')
		case '"':
			b.WriteByte('"')
		case '\'':
			b.WriteByte('\'')
		case '\\':
			b.WriteByte('\\')
		case 'N':
			b.WriteString("\u0085")
		case '_':
			b.WriteString("\u00a0")
		case 'L':
			b.WriteString("\u2028")
		case 'P':
			b.WriteString("\u2029")
		case 'x':
			width = 2
		case 'u':
			width = 4
		case 'U':
			width = 8
		default:
			return "", false
		}
		if width == 0 {
			continue
		}
		if i+width >= len(body) {
			return "", false
		}
		v := 0
		for k := 1; k <= width; k++ {
			d, ok := hexDigit(body[i+k])
			if !ok {
				return "", false
			}
			v = v<<4 | d
		}
		if (v >= 0xD800 && v <= 0xDFFF) || v > 0x10FFFF {
			return "", false
		}
		b.WriteRune(rune(v))
		i += width
	}
	return b.String(), true
}

func hexDigit(c byte) (int, bool) {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0'), true
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10, true
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10, true
	}
	return 0, false
}
