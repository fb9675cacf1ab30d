package output

import (
	"strings"
	"unicode/utf8"
)

// Object names, file paths, annotation values and the messages that quote
// them come from the linted manifests, so they can hold any character. Text
// and GitHub output are read line by line (by people, editors, and the
// Actions runner, which runs a line that starts with "::" as a workflow
// command), so a control character in them must never reach the output as
// itself: a newline would start a line the input chose, an ESC would drive
// the terminal, a BEL or NUL would ring or truncate.

// mustEscape says whether r is a character no line of text or GitHub output
// may carry raw: the C0 controls (newline, CR and tab included), DEL, the C1
// controls, and the Unicode line and paragraph separators, which some
// editors and log viewers also break lines at.
func mustEscape(r rune) bool {
	return r < 0x20 || (r >= 0x7f && r <= 0x9f) || r == '\u2028' || r == '\u2029'
}

// plainASCII says whether s is printable ASCII only, the common case that
// needs no escaping (and no allocation).
func plainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return false
		}
	}
	return true
}

// visible returns s with every character mustEscape reports, and every
// byte that is not UTF-8, written as a Go escape (\n, \t, \a, \x00, \x1b,
// \x7f, \u0085; \xff for a bad byte), the same spelling %q gives the values
// messages quote. Everything else, non-ASCII text included, is unchanged.
func visible(s string) string {
	if plainASCII(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteString(`\x`)
			b.WriteByte(hexDigits[s[i]>>4])
			b.WriteByte(hexDigits[s[i]&0xf])
		case mustEscape(r):
			writeGoEscape(&b, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

const hexDigits = "0123456789abcdef"

func writeGoEscape(b *strings.Builder, r rune) {
	switch r {
	case '\a':
		b.WriteString(`\a`)
	case '\b':
		b.WriteString(`\b`)
	case '\f':
		b.WriteString(`\f`)
	case '\n':
		b.WriteString(`\n`)
	case '\r':
		b.WriteString(`\r`)
	case '\t':
		b.WriteString(`\t`)
	case '\v':
		b.WriteString(`\v`)
	default:
		if r < 0x80 {
			b.WriteString(`\x`)
			b.WriteByte(hexDigits[r>>4])
			b.WriteByte(hexDigits[r&0xf])
			return
		}
		b.WriteString(`\u`)
		for shift := 12; shift >= 0; shift -= 4 {
			b.WriteByte(hexDigits[(r>>shift)&0xf])
		}
	}
}

// percentEncode returns s with '%', every character mustEscape reports,
// every byte that is not UTF-8, and each byte of extra percent-encoded
// (%25, %0A, %0D, %07, %00, %C2%85, %FF; extra: ':' %3A, ',' %2C). The
// Actions runner decodes %25, %0D and %0A in a command's message, and also
// %3A and %2C in its properties (actions/toolkit core/src/command.ts), so
// those read as what they stand for; the rest stay visible as their code,
// where a raw NUL or BEL would otherwise reach the log.
func percentEncode(s, extra string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '%' || strings.IndexByte(extra, c) >= 0 {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == 0x7f || c == '%' || strings.IndexByte(extra, c) >= 0 {
				writePercent(&b, c)
			} else {
				b.WriteByte(c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || mustEscape(r) {
			for j := i; j < i+size; j++ {
				writePercent(&b, s[j])
			}
		} else {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

func writePercent(b *strings.Builder, c byte) {
	const upper = "0123456789ABCDEF"
	b.WriteByte('%')
	b.WriteByte(upper[c>>4])
	b.WriteByte(upper[c&0xf])
}
