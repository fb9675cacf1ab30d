package yamlfast

import (
	"strings"
	"unicode/utf8"

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
	out := make([]byte, 0, len(body))
	for i := 0; i < len(body); i++ {
		if body[i] != '\\' {
			out = append(out, body[i])
			continue
		}
		var ok bool
		if out, i, ok = appendEscape(out, body, i+1); !ok {
			return "", false
		}
	}
	return string(out), true
}

// escapes maps go-yaml's one-character escapes to what they stand for.
var escapes = [256]string{
	'0': "\x00", 'a': "\a", 'b': "\b", 't': "\t", 'n': "\n", 'v': "\v", 'f': "\f", 'r': "\r",
	'e': "\x1b", ' ': " ", '"': "\"", '\'': "'", '\\': "\\",
	'N': "\u0085", '_': "\u00a0", 'L': "\u2028", 'P': "\u2029",
}

// appendEscape decodes the escape whose letter is at s[i] (just after the
// backslash) onto out, returning the index of its last character.
func appendEscape(out []byte, s string, i int) ([]byte, int, bool) {
	if i >= len(s) {
		return out, i, false
	}
	width := 0
	switch s[i] {
	case 'x':
		width = 2
	case 'u':
		width = 4
	case 'U':
		width = 8
	default:
		e := escapes[s[i]]
		if e == "" {
			return out, i, false
		}
		return append(out, e...), i, true
	}
	if i+width >= len(s) {
		return out, i, false
	}
	v := 0
	for k := 1; k <= width; k++ {
		d, ok := hexDigit(s[i+k])
		if !ok {
			return out, i, false
		}
		v = v<<4 | d
	}
	if (v >= 0xD800 && v <= 0xDFFF) || v > 0x10FFFF {
		return out, i, false
	}
	return utf8.AppendRune(out, rune(v)), i + width, true
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
