package spec

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// parseAndValidate runs what LoadAndValidate runs, minus the file system.
func parseAndValidate(t *testing.T, src string) ErrorList {
	t.Helper()
	d, err := Parse("p.yaml", []byte(src))
	if d != nil {
		err = Validate(d)
	}
	if err == nil {
		return nil
	}
	var list ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("error is %T, want ErrorList: %v", err, err)
	}
	return list
}

func findError(t *testing.T, list ErrorList, path string) FieldError {
	t.Helper()
	for _, e := range list {
		if e.Path == path {
			return e
		}
	}
	t.Fatalf("no error for %s in:\n%v", path, list)
	return FieldError{}
}

const positionsSpec = `apiVersion: platformctl.dev/v1alpha1
kind: Platform
metadata:
  name: shop
spec:
  domain: shop.example.com
  environments:
    - {name: dev, tier: development}
  services:
    - name: web
      image: ghcr.io/acme/web:1.4.2
    - name: api
      image: ghcr.io/acme/api:1.0.0
      port:   70000
      colour: blue
      uses: [db, cache]
      env: {GOOD: x, BAD-NAME: y}
      expose:
        host: api
        path:  "/v1/../admin"
  data:
    - {name: cache, type: redis}
  nodePools:
    gpu_pool: {}
`

// Every stage (decoder, field rules, cross-field rules, map-key rules) must
// point at the exact line:col an editor shows for the offending token.
func TestErrorPositions(t *testing.T) {
	list := parseAndValidate(t, positionsSpec)
	tests := []struct {
		path      string
		line, col int
		msg       string
	}{
		{"spec.services[1].port", 14, 15, "must be between 1 and 65535"},             // field rule, value after extra spaces
		{"spec.services[1].colour", 15, 7, `unknown field "colour"`},                 // decoder, at the key
		{"spec.services[1].uses[0]", 16, 14, `no data store named "db"`},             // cross-field, in a flow list
		{"spec.services[1].env[BAD-NAME]", 17, 22, "is not a valid environment"},     // map-key rule, at the key
		{"spec.services[1].expose.path", 20, 16, `"/v1/../admin" is not a URL path`}, // quoted value: the quote
		{"spec.nodePools[gpu_pool]", 24, 5, `"gpu_pool" is not a valid name`},        // map-key rule, block style
	}
	for _, tt := range tests {
		e := findError(t, list, tt.path)
		if e.Pos.Line != tt.line || e.Pos.Col != tt.col {
			t.Errorf("%s at %d:%d, want %d:%d", tt.path, e.Pos.Line, e.Pos.Col, tt.line, tt.col)
		}
		if !strings.Contains(e.Msg, tt.msg) {
			t.Errorf("%s: message %q does not contain %q", tt.path, e.Msg, tt.msg)
		}
		if want := "p.yaml:" + strconv.Itoa(tt.line) + ":" + strconv.Itoa(tt.col) + ": " + tt.path + ": "; !strings.HasPrefix(e.Error(), want) {
			t.Errorf("Error() = %q, want prefix %q", e.Error(), want)
		}
	}
	if len(list) != len(tests) {
		t.Errorf("got %d errors, want %d:\n%v", len(list), len(tests), list)
	}
}

func TestDocumentPosFallsBackToAncestor(t *testing.T) {
	d, err := Parse("p.yaml", []byte(positionsSpec))
	if d == nil {
		t.Fatal(err)
	}
	tests := []struct {
		path string
		want Pos
	}{
		{"spec.services[1].port", Pos{14, 15}},
		// Not in the file: the service entry itself (its first key).
		{"spec.services[1].replicas", Pos{12, 7}},
		{"spec.services[0].autoscale.min", Pos{10, 7}},
		{"spec.cicd.repoURL", Pos{6, 3}},
		{"nothing.at.all", Pos{1, 1}},
		{"", Pos{1, 1}},
	}
	for _, tt := range tests {
		if got := d.Pos(tt.path); got != tt.want {
			t.Errorf("Pos(%q) = %v, want %v", tt.path, got, tt.want)
		}
	}
}

// yaml.v3 prints 0-based lines for parser errors and none for some others;
// the loader must still name the line an editor shows.
func TestSyntaxErrorLines(t *testing.T) {
	tests := []struct {
		name string
		src  string
		line int
		col  int
	}{
		{"parser error: list item in a mapping", "a: b\nc: d\n- e\n", 3, 1},
		{"parser error on line 2 of a flow document", "[a]\nb = c\n", 2, 1},
		{"parser error: flow sequence never closed", "a: b\nc: [1, 2\nd: e\n", 2, 1},
		{"scanner error: mapping value in a plain scalar", "a: b\nc: d: e\n", 2, 1},
		{"scanner error: tab indentation", "a:\n\tb: c\n", 2, 1},
		{"scanner error: unclosed quote points at the quote", "a: b\nc: \"d\ne: f\n", 2, 1},
		{"scanner error on line 1", "a: b: c\n", 1, 1},
		{"unknown alias: located by name", "a: b\nc:\n  - *nope\n", 3, 5},
		{"unknown alias: not a prefix of a longer one", "x: *nope-2\na: *nope\n", 1, 4},
		{"invalid UTF-8: located to the character", "a: b\nc: d\xffe\n", 2, 5},
		{"invalid UTF-8 after multi-byte characters", "a: é\u00e9\xc3\n", 1, 6},
		{"control character", "a: b\nc: \x1bd\n", 2, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Parse("p.yaml", []byte(tt.src))
			if d != nil || err == nil {
				t.Fatalf("Parse accepted %q", tt.src)
			}
			var list ErrorList
			if !errors.As(err, &list) {
				t.Fatalf("error is %T, want ErrorList", err)
			}
			if len(list) != 1 || list[0].Pos != (Pos{tt.line, tt.col}) {
				t.Errorf("got %v, want one error at %d:%d", list, tt.line, tt.col)
			}
			if !strings.Contains(list[0].Msg, "invalid YAML: ") {
				t.Errorf("message %q does not say the YAML is invalid", list[0].Msg)
			}
		})
	}
}

// Byte-order marks and CRLF line endings are ordinary editor output, not
// errors.
func TestParseAcceptsBOMAndCRLF(t *testing.T) {
	src, err := os.ReadFile("../../examples/minimal/platform.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{
		"bom":  append([]byte("\xef\xbb\xbf"), src...),
		"crlf": bytes.ReplaceAll(src, []byte("\n"), []byte("\r\n")),
	} {
		d, err := Parse(name, data)
		if err == nil {
			err = Validate(d)
		}
		if err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestExamplesAreValid(t *testing.T) {
	examples, err := filepath.Glob("../../examples/*/platform.yaml")
	if err != nil || len(examples) == 0 {
		t.Fatalf("no examples found: %v", err)
	}
	for _, ex := range examples {
		d, err := LoadAndValidate(ex)
		if err != nil {
			t.Errorf("%s: %v", ex, err)
			continue
		}
		// Defaults ran: Finish leaves no service without a port or kind.
		for _, svc := range d.Platform.Spec.Services {
			if svc.Port == 0 || svc.Kind == "" {
				t.Errorf("%s: service %s not defaulted: %+v", ex, svc.Name, svc)
			}
		}
	}
}

func TestLoadFileErrors(t *testing.T) {
	dir := t.TempDir()

	_, err := Load(filepath.Join(dir, "missing.yaml"))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: got %v, want fs.ErrNotExist", err)
	}
	var list ErrorList
	if errors.As(err, &list) {
		t.Errorf("missing file is an ErrorList (%v); it has no position to report", err)
	}

	_, err = Load(dir)
	if !errors.As(err, &list) || len(list) != 1 || list[0].Msg != "not a regular file" {
		t.Errorf("directory: got %v, want one 'not a regular file' error", err)
	}
}

// procReadBytes returns how many bytes this process has read through
// read(2)-like calls, or false where /proc/self/io is unavailable.
func procReadBytes() (int64, bool) {
	data, err := os.ReadFile("/proc/self/io")
	if err != nil {
		return 0, false
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "rchar: "); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			return n, err == nil
		}
	}
	return 0, false
}

// A 50 MB file must be refused by size, without reading it whole or parsing
// any of it. It is generated here, sparse, rather than committed: only its
// size matters. What the test counts is work, not time: the bytes read from
// the file and the bytes allocated, both bounded by MaxFileSize where
// reading or parsing the whole file would take ten times as much.
// BenchmarkLoadHugeFile carries the timing.
func TestLoadRefusesHugeFile(t *testing.T) {
	const size = 50 << 20
	path := hugeFile(t, size)

	before, haveIO := procReadBytes()
	var mem0, mem1 runtime.MemStats
	runtime.ReadMemStats(&mem0)
	d, err := Load(path)
	runtime.ReadMemStats(&mem1)
	after, _ := procReadBytes()

	var list ErrorList
	if d != nil || !errors.As(err, &list) || len(list) != 1 {
		t.Fatalf("got %v, %v; want one size error", d, err)
	}
	if want := path + ":1:1: file is larger than 4 MiB; a platform spec is a few kilobytes"; list.Error() != want {
		t.Errorf("got %q, want %q", list.Error(), want)
	}
	// io.ReadAll doubles its buffer up to MaxFileSize+1 bytes: about three
	// times that in all. The whole file would be 50 MiB before parsing.
	if alloc := mem1.TotalAlloc - mem0.TotalAlloc; alloc > 4*MaxFileSize {
		t.Errorf("Load allocated %d bytes to refuse a %d byte file; want at most %d", alloc, size, 4*MaxFileSize)
	}
	if haveIO {
		// MaxFileSize+1 bytes, plus slack for the two /proc reads themselves.
		if read := after - before; read > MaxFileSize+1<<16 {
			t.Errorf("Load read %d bytes of a %d byte file; want at most %d", read, size, MaxFileSize+1)
		}
	} else {
		t.Log("/proc/self/io unavailable; byte count not checked")
	}
}

// hugeFile writes a spec header and extends the file, sparse, to size bytes.
func hugeFile(tb testing.TB, size int64) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "huge.yaml")
	if err := os.WriteFile(path, []byte("apiVersion: platformctl.dev/v1alpha1\nkind: Platform\n"), 0o644); err != nil {
		tb.Fatal(err)
	}
	if err := os.Truncate(path, size); err != nil {
		tb.Fatal(err)
	}
	return path
}

func BenchmarkLoadHugeFile(b *testing.B) {
	path := hugeFile(b, 50<<20)
	for b.Loop() {
		if d, err := Load(path); d != nil || err == nil {
			b.Fatal("a huge file loaded")
		}
	}
}

func TestParseSizeLimit(t *testing.T) {
	_, err := Parse("big.yaml", make([]byte, MaxFileSize+1))
	if err == nil || !strings.Contains(err.Error(), "file is larger than 4 MiB") {
		t.Errorf("MaxFileSize+1 bytes: got %v, want the size error (before the binary check)", err)
	}

	// Exactly at the limit is allowed: only the content decides.
	src, err := os.ReadFile("../../examples/minimal/platform.yaml")
	if err != nil {
		t.Fatal(err)
	}
	pad := bytes.Repeat([]byte("#\n"), (MaxFileSize-len(src))/2)
	data := append(append([]byte(nil), src...), pad...)
	data = append(data, bytes.Repeat([]byte(" "), MaxFileSize-len(data))...)
	if len(data) != MaxFileSize {
		t.Fatalf("built %d bytes, want %d", len(data), MaxFileSize)
	}
	d, err := Parse("limit.yaml", data)
	if err == nil {
		err = Validate(d)
	}
	if err != nil {
		t.Errorf("a valid spec of exactly MaxFileSize bytes: %v", err)
	}
}

func TestTooManyErrors(t *testing.T) {
	var b strings.Builder
	b.WriteString("apiVersion: platformctl.dev/v1alpha1\nkind: Platform\nmetadata: {name: shop}\n")
	for i := range 3 * maxErrors {
		b.WriteString("unknown" + strconv.Itoa(i) + ": x\n")
	}
	_, err := Parse("p.yaml", []byte(b.String()))
	var list ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("got %v, want an ErrorList", err)
	}
	if len(list) != maxErrors+1 {
		t.Fatalf("got %d errors, want %d and a stop notice", len(list), maxErrors+1)
	}
	if last := list[len(list)-1]; last.Msg != "too many errors; stopping" || last.Pos.Line != 4+maxErrors {
		t.Errorf("last error %v, want the stop notice where the 51st error was", last)
	}
}

func TestErrorListFormatting(t *testing.T) {
	list := ErrorList{
		{File: "p.yaml", Pos: Pos{3, 5}, Path: "spec.b", Msg: "second"},
		{File: "p.yaml", Pos: Pos{1, 1}, Msg: "file-level"},
		{File: "p.yaml", Pos: Pos{3, 5}, Path: "spec.a", Msg: "first"},
		{File: "p.yaml", Pos: Pos{3, 5}, Path: "spec.b", Msg: "second"}, // reported twice
		{File: "p.yaml", Pos: Pos{2, 9}, Path: "spec.c", Msg: "between"},
	}
	want := "p.yaml:1:1: file-level\n" +
		"p.yaml:2:9: spec.c: between\n" +
		"p.yaml:3:5: spec.a: first\n" +
		"p.yaml:3:5: spec.b: second"
	if got := list.sorted().Error(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// Values YAML reads as floats although they look like integers, and values
// too long to echo, get messages that say what is wrong with them.
func TestNumberAndLongValueMessages(t *testing.T) {
	long := strings.Repeat("x", 3000)
	tests := []struct {
		name, port, svcName, want string
	}{
		{"past 64 bits", "99999999999999999999999999", "web", "spec.services[0].port: integer 99999999999999999999999999 is out of range"},
		{"below int64", "-9223372036854775809", "web", "spec.services[0].port: integer -9223372036854775809 is out of range"},
		// One rule for every integer that is not plain decimal, whatever
		// go-yaml makes of it: 080 is a float to it, 010 the octal int 8.
		{"leading zero read as a float", "080", "web", "spec.services[0].port: 080 has a leading 0, which YAML readers take as octal or as decimal: write it without the leading 0"},
		{"leading zero read as octal", "010", "web", "spec.services[0].port: 010 has a leading 0, which YAML readers take as octal or as decimal: write it without the leading 0"},
		{"signed leading zero", "-010", "web", "spec.services[0].port: -010 has a leading 0, which YAML readers take as octal or as decimal: write it without the leading 0"},
		{"hexadecimal", "0x1F90", "web", "spec.services[0].port: 0x1F90 is not a decimal integer: write it in decimal (8080)"},
		{"octal 0o", "0o17620", "web", "spec.services[0].port: 0o17620 is not a decimal integer: write it in decimal (8080)"},
		{"binary", "0b1", "web", "spec.services[0].port: 0b1 is not a decimal integer: write it in decimal (1)"},
		{"underscores", "8_080", "web", "spec.services[0].port: 8_080 is not a decimal integer: write it without '_' (8080)"},
		{"too long a name", "8080", strings.Repeat("a", 64), `spec.services[0].name: "` + strings.Repeat("a", 64) + `" is longer than 63 characters`},
		{"a huge bad value is cut", "8080", long, `spec.services[0].name: "` + strings.Repeat("x", 200) + `… (3000 bytes)" is longer than 63 characters`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := "apiVersion: platformctl.dev/v1alpha1\nkind: Platform\nmetadata: {name: shop}\nspec:\n  domain: shop.example.com\n" +
				"  environments: [{name: dev, tier: development}]\n  services:\n    - name: " + tt.svcName + "\n      image: ghcr.io/acme/web:1.0.0\n      port: " + tt.port + "\n"
			list := parseAndValidate(t, src)
			var msgs []string
			for _, e := range list {
				msgs = append(msgs, e.Path+": "+e.Msg)
			}
			found := false
			for _, m := range msgs {
				found = found || m == tt.want
			}
			if !found {
				t.Errorf("no error %q among:\n%s", tt.want, strings.Join(msgs, "\n"))
			}
		})
	}
}
