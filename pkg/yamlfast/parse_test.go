package yamlfast

import (
	"strings"
	"testing"
	"unsafe"
)

func TestParseMatchesGoYAML(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		accept bool
	}{
		{"empty", "", true},
		{"comments only", "# a\n\n# b\n", true},
		{"mapping", "a: 1\nb: two\n", true},
		{"nested", "a:\n  b:\n    c: d\n  e: f\ng: h\n", true},
		{"indentless sequence", "a:\n- x\n- y\nb: z\n", true},
		{"indented sequence", "a:\n  - x\n  - y: 1\n    z: 2\n", true},
		{"compact nested", "- - a\n  - b\n- c\n", true},
		{"empty values", "a:\nb: \n- \n", true},
		{"empty value and item", "a:\nb:\n  -\n  - x\nc:   # c\n", true},
		{"quoted", "a: 'it''s'\nb: \"x\\ty\\u00e9\\x41\"\n\"c d\" : e\n", true},
		{"plain with colons", "image: nginx:1.2\nurl: http://x/y#z\n", true},
		{"comments", "a: 1 # one\n# mid\nb: 2#not\n", true},
		{"tags", "a: true\nb: 0x1F\nc: 1_000\nd: 1e3\ne: .inf\nf: 2001-12-14\ng: ~\nh: \"1\"\ni: 0o17\nj: -0b11\nk: yes\nl: <<\n", true},
		{"literal", "a: |\n  one\n   two\n\n  three\nb: x\n", true},
		{"folded", "a: >-\n  one\n  two\n\n  three\n   four\nb: x\n", true},
		{"keep", "a: |+\n  one\n\n\nb: |2-\n    x\n", true},
		{"block at end", "a: |\n  x", true},
		{"flow", "a: []\nb: {}\nc: [x, \"y\", 1]\nd: {k: v, l: [1, 2]}\n", true},
		{"documents", "a: 1\n---\nb: 2\n---\n---\n# c\n...\n---\nc: 3\n", true},
		{"explicit first", "--- # x\na: 1\n...\n", true},
		{"directive", "%YAML 1.1\n---\na: 1\n", true},
		{"flow with colons", "a: [{name: web, image: ghcr.io/a/web:1.0}, x:y]\n", true},
		{"unicode", "é: ü\nb: 'ñ' # ç\nc: [ö, å]\n", true},
		{"indented root", "  a: 1\n  b: 2\n", true},
		{"anchor", "a: &x 1\nb: *x\n", false},
		{"tag", "a: !!str 1\n", false},
		{"multi-line plain", "a: b\n  c\n\n\n   d  \ne: f\n", true},
		{"multi-line plain in sequence", "- one\n  two # c\n- three\n", true},
		{"multi-line plain ends at comment line", "a:\n  b: x\n    # c\n  d: y\n", true},
		{"multi-line single-quoted", "a: 'one\n  two ''q''\n\n  three'\nb: x\n", true},
		{"multi-line double-quoted", "a: \"one \\\n  two\\t\n   three\"\nb: x\n", true},
		{"multi-line key", "a\n b: c\n", false},
		{"plain continuation with key", "a: b\n  c: d\n", false},
		{"quoted continuation dedented", "a:\n  b: 'x\n  y'\n", false},
		{"tab", "a:\t1\n", false},
		{"crlf", "a: 1\r\nb: |\r\n  x\r\n\r\n  y\r\nc: 'p\r\n  q'\r\nd: \"r\\\r\n  s\"\r\n", true},
		{"lone cr", "a: 1\rb: 2\n", false},
		{"bad indent", "a:\n  b: 1\n c: 2\n", false},
		{"value mapping error", "a: b: c\n", false},
		{"complex key", "? a\n: b\n", false},
		{"top scalar", "hello\n", false},
		{"unclosed quote", "a: 'x\n", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			accepted, problem := check([]byte(tc.in))
			if problem != "" {
				t.Fatalf("%q: %s", tc.in, problem)
			}
			if accepted != tc.accept {
				t.Fatalf("%q: accepted %v, want %v", tc.in, accepted, tc.accept)
			}
		})
	}
}

func TestContentCannotClobberNeighbours(t *testing.T) {
	docs, ok := Parse([]byte("a: [1, 2]\nb: [3]\n"))
	if !ok {
		t.Fatal("not accepted")
	}
	m := docs[0].Content[0]
	a := m.Content[1]
	a.Content = append(a.Content, a.Content[0])
	if got := m.Content[3].Content[0].Value; got != "3" {
		t.Fatalf("appending to one Content changed another: %q", got)
	}
}

// TestLongNonASCIILine guards against counting columns from the start of
// the line for every node: 100,000 items on one non-ASCII line would scan
// the line 100,000 times (minutes), and inputs of up to 64 MiB reach the
// decoder. The test counts the bytes scanned for columns, so it holds on
// any machine; the benchmarks carry the timing.
func TestLongNonASCIILine(t *testing.T) {
	in := "a: [" + strings.Repeat("é, ", 100000) + "ü]\n"
	docs, p, ok := parse([]byte(in), false)
	if !ok {
		t.Fatal("not accepted")
	}
	items := docs[0].Content[0].Content[1].Content
	if last := items[len(items)-1]; last.Value != "ü" || last.Column != 5+3*100000 {
		t.Fatalf("last item %q at column %d", last.Value, last.Column)
	}
	if p.colScanned > len(in) {
		t.Fatalf("scanned %d bytes of a %d-byte line for columns: they are counted quadratically", p.colScanned, len(in))
	}
}

// TestParseOwnedSharesInput checks that ParseOwned builds the trees Parse
// builds, with plain values pointing into the caller's buffer (no copy),
// and that Parse keeps its own copy.
func TestParseOwnedSharesInput(t *testing.T) {
	for _, tc := range []struct {
		name, in, value string
	}{
		{"LF", "kind: ConfigMap\ndata:\n  key: value\n", "value"},
		{"CR LF", "kind: ConfigMap\r\ndata:\r\n  key: value\r\n", "value"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := []byte(tc.in)
			owned, ok := ParseOwned(data)
			if !ok {
				t.Fatal("not accepted")
			}
			copied, ok := Parse(data)
			if !ok {
				t.Fatal("not accepted")
			}
			if d := diff(owned, copied); d != "" {
				t.Fatal(d)
			}
			v := owned[0].Content[0].Content[3].Content[1]
			if v.Value != tc.value {
				t.Fatalf("value %q, want %q", v.Value, tc.value)
			}
			inData := within(v.Value, data)
			if tc.name == "LF" && !inData {
				t.Fatal("ParseOwned copied the input")
			}
			if tc.name == "CR LF" && inData {
				t.Fatal("ParseOwned kept CRs: it must point into its own buffer without them")
			}
			if c := copied[0].Content[0].Content[3].Content[1]; within(c.Value, data) {
				t.Fatal("Parse shares the caller's buffer")
			}
		})
	}
}

// within says whether s's bytes lie inside buf.
func within(s string, buf []byte) bool {
	p, lo := uintptr(unsafe.Pointer(unsafe.StringData(s))), uintptr(unsafe.Pointer(&buf[0]))
	return p >= lo && p+uintptr(len(s)) <= lo+uintptr(len(buf))
}
