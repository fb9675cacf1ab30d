package spec

import (
	"strings"
	"testing"
	"unicode/utf16"
)

func utf16Bytes(s string, bigEndian, bom bool) []byte {
	units := utf16.Encode([]rune(s))
	if bom {
		units = append([]uint16{0xFEFF}, units...)
	}
	out := make([]byte, 0, 2*len(units))
	for _, u := range units {
		if bigEndian {
			out = append(out, byte(u>>8), byte(u))
		} else {
			out = append(out, byte(u), byte(u>>8))
		}
	}
	return out
}

func utf32Bytes(s string, bigEndian, bom bool) []byte {
	runes := []rune(s)
	if bom {
		runes = append([]rune{0xFEFF}, runes...)
	}
	var out []byte
	for _, r := range runes {
		b := []byte{byte(r), byte(r >> 8), byte(r >> 16), byte(r >> 24)}
		if bigEndian {
			b[0], b[1], b[2], b[3] = b[3], b[2], b[1], b[0]
		}
		out = append(out, b...)
	}
	return out
}

// A UTF-16 or UTF-32 spec, as Windows editors and PowerShell's > write
// them, is named as such with the command that converts it, with or
// without a byte order mark; UTF-8 with a mark still loads.
func TestParseNamesTheEncoding(t *testing.T) {
	const src = "apiVersion: platformctl.dev/v1alpha1\nkind: Platform\n"
	tests := []struct {
		name string
		data []byte
		want string // "" means: read as UTF-8 (other errors are fine)
	}{
		{"utf-16le bom", utf16Bytes(src, false, true), "UTF-16LE"},
		{"utf-16be bom", utf16Bytes(src, true, true), "UTF-16BE"},
		{"utf-16le", utf16Bytes(src, false, false), "UTF-16LE"},
		{"utf-16be", utf16Bytes(src, true, false), "UTF-16BE"},
		{"utf-32le bom", utf32Bytes(src, false, true), "UTF-32LE"},
		{"utf-32be bom", utf32Bytes(src, true, true), "UTF-32BE"},
		{"utf-32le", utf32Bytes(src, false, false), "UTF-32LE"},
		{"utf-32be", utf32Bytes(src, true, false), "UTF-32BE"},
		{"utf-8 bom", append([]byte("\xEF\xBB\xBF"), src...), ""},
		{"utf-8", []byte(src), ""},
		{"one byte", []byte("a"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("p.yaml", tt.data)
			msg := ""
			if err != nil {
				msg = err.Error()
			}
			if tt.want == "" {
				if strings.Contains(msg, "UTF-16") || strings.Contains(msg, "UTF-32") || strings.Contains(msg, "binary") {
					t.Fatalf("UTF-8 input refused as another encoding: %s", msg)
				}
				return
			}
			wantMsg := "p.yaml:1:1: file is " + tt.want + " text; platformctl reads UTF-8 (with or without a byte order mark): convert it, e.g. `iconv -f " +
				tt.want + " -t UTF-8 p.yaml > p.yaml.new && mv p.yaml.new p.yaml`, or save it as UTF-8 in the editor"
			if msg != wantMsg {
				t.Fatalf("got  %s\nwant %s", msg, wantMsg)
			}
		})
	}
}
