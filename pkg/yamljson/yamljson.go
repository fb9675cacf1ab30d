// Package yamljson says what JSON value a YAML scalar becomes on its way to
// the API server. kubectl, and everything that hands Kustomize's output to
// a cluster, turn YAML into JSON with sigs.k8s.io/yaml, which reads YAML 1.1
// (go.yaml.in/yaml/v2): yes, Y and on are true, 0777 is octal, 0x1F is 31,
// 1_000 is 1000 and 0.0 is the number 0, while a YAML 1.2 reader (go-yaml
// v3, which the linter's trees come from) sees strings or other numbers
// there. A linter that reads a manifest differently from the cluster passes
// `privileged: yes`.
//
// The resolution mirrors go.yaml.in/yaml/v2's resolve.go step by step (same
// prefix hints, same strconv calls on the same strings) and then
// sigs.k8s.io/yaml's conversion to JSON: numbers print as encoding/json
// prints them, timestamps stay the text they were written as, and mapping
// keys that resolve to booleans or numbers become strings. The tests compare
// it with sigs.k8s.io/yaml.YAMLToJSON on generated scalars.
package yamljson

import (
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Kind is the JSON type of a scalar.
type Kind uint8

// JSON kinds. Int and Float are both JSON numbers: Int is one written as an
// integer (what an int64 field of the API can take, if it fits), Float one
// written with a fraction or an exponent.
const (
	String Kind = iota
	Null
	Bool
	Int
	Float
)

func (k Kind) String() string {
	switch k {
	case Null:
		return "null"
	case Bool:
		return "boolean"
	case Int:
		return "integer"
	case Float:
		return "number"
	}
	return "string"
}

// Scalar is the JSON value of a YAML scalar.
type Scalar struct {
	Kind Kind
	// Text is the value as JSON writes it, strings unquoted: "true", "31",
	// "1.5", "1e+21", "" for null, or the string itself.
	Text string
}

// Form is how a scalar is written, which decides whether it is resolved.
type Form uint8

// Forms: plain scalars are resolved (yes is true); quoted, literal and
// folded ones are strings; a scalar with an explicit tag (!!int "3") is
// read as its tag says.
const (
	Plain Form = iota
	Quoted
	Tagged
)

// Shortened tags, as go-yaml v3 writes them in a node's Tag.
const (
	tagNull      = "!!null"
	tagBool      = "!!bool"
	tagStr       = "!!str"
	tagInt       = "!!int"
	tagFloat     = "!!float"
	tagTimestamp = "!!timestamp"
	tagBinary    = "!!binary"
)

// ErrMergeKey is what Key returns for a plain "<<": yaml/v2 merges the
// mapping it holds into the one it is in.
var ErrMergeKey = errors.New("a merge key (<<)")

// Value returns the JSON value of a scalar written in form, with tag (the
// explicit tag, for Tagged). The error says why the scalar has no JSON form
// (sigs.k8s.io/yaml fails on it, so kubectl refuses the document): .inf and
// .nan, or a value its tag does not allow (!!int yes).
func Value(form Form, tag, s string) (Scalar, error) {
	switch form {
	case Quoted:
		return Scalar{Kind: String, Text: s}, nil
	case Plain:
		if fast, ok := plainFast(s); ok {
			return fast, nil
		}
	}
	r, err := resolveForm(form, tag, s)
	if err != nil {
		return Scalar{}, err
	}
	v, ok := r.json()
	if !ok {
		return Scalar{}, fmt.Errorf("%s is not a JSON number (JSON has no infinity or NaN)", s)
	}
	return v, nil
}

// Key returns the JSON object key a mapping key becomes: sigs.k8s.io/yaml
// writes keys that resolve to booleans and numbers as strings (on: is
// "true", 0x1F: is "31", 1.0: is "1"). A null key, an integer key beyond
// int64 and a merge key have no JSON form.
func Key(form Form, tag, s string) (string, error) {
	switch form {
	case Quoted:
		return s, nil
	case Plain:
		if s == "<<" {
			// yaml/v2's decoder, not its resolver, makes a plain << a merge.
			return "", ErrMergeKey
		}
		if fast, ok := plainFast(s); ok && fast.Kind == String {
			return s, nil
		}
	}
	r, err := resolveForm(form, tag, s)
	if err != nil {
		return "", err
	}
	return r.key()
}

// plainFast answers for the plain scalars manifests are mostly made of
// without allocating: words that no YAML 1.1 rule applies to, and decimal
// integers written canonically.
func plainFast(s string) (Scalar, bool) {
	if s == "" {
		return Scalar{Kind: Null}, true
	}
	switch c := s[0]; {
	case c >= '1' && c <= '9' || c == '0' && len(s) == 1:
		if len(s) > 18 {
			return Scalar{}, false
		}
		for i := 1; i < len(s); i++ {
			if s[i] < '0' || s[i] > '9' {
				return Scalar{}, false
			}
		}
		return Scalar{Kind: Int, Text: s}, true
	case hint(c) == 0:
		return Scalar{Kind: String, Text: s}, true
	}
	return Scalar{}, false
}

// hint is resolve.go's resolveTable: the first bytes a non-string may start with.
func hint(c byte) byte {
	switch c {
	case '+', '-':
		return 'S'
	case '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return 'D'
	case 'y', 'Y', 'n', 'N', 't', 'T', 'f', 'F', 'o', 'O', '~':
		return 'M'
	case '.':
		return '.'
	}
	return 0
}

// rkind is the Go type yaml/v2 resolves a scalar to.
type rkind uint8

const (
	rStr       rkind = iota // string
	rNull                   // nil
	rBool                   // bool
	rInt                    // int (int64 on 64-bit platforms)
	rUint                   // uint64
	rFloat                  // float64
	rTimestamp              // time.Time; decoded into interface{} as its text
)

var rkindTag = [...]string{rStr: tagStr, rNull: tagNull, rBool: tagBool, rInt: tagInt, rUint: tagInt, rFloat: tagFloat, rTimestamp: tagTimestamp}

// resolved is yaml/v2's resolve result.
type resolved struct {
	kind rkind
	s    string // the text (strings, timestamps)
	b    bool
	i    int64
	u    uint64
	f    float64
}

func resolveForm(form Form, tag, s string) (resolved, error) {
	if form != Tagged {
		return resolve("", s), nil
	}
	switch tag {
	case tagStr:
		return resolved{kind: rStr, s: s}, nil
	case tagBinary:
		data, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return resolved{}, errors.New("!!binary value contains invalid base64 data")
		}
		return resolved{kind: rStr, s: string(data)}, nil
	case tagBool, tagInt, tagFloat, tagNull, tagTimestamp:
		r := resolve(tag, s)
		if rkindTag[r.kind] == tag {
			return r, nil
		}
		if tag == tagFloat && r.kind == rInt {
			return resolved{kind: rFloat, f: float64(r.i)}, nil
		}
		return resolved{}, fmt.Errorf("cannot decode %s `%s` as a %s", rkindTag[r.kind], s, tag)
	}
	// Any other tag is not resolvable: yaml/v2 keeps the text as a string.
	return resolved{kind: rStr, s: s}, nil
}

// resolve is yaml/v2's resolve(tag, in) for the tags resolveForm passes on.
func resolve(tag, in string) resolved {
	str := resolved{kind: rStr, s: in}
	h := byte('N')
	if in != "" {
		h = hint(in[0])
	}
	if h == 0 {
		return str
	}
	if r, ok := mapped(in); ok {
		return r
	}
	switch h {
	case '.':
		if f, err := strconv.ParseFloat(in, 64); err == nil {
			return resolved{kind: rFloat, f: f}
		}
	case 'D', 'S':
		if !numberBytes(in) {
			// 500m, 100Mi, 8080/tcp: no number or timestamp has these
			// bytes, and each failed strconv call below allocates its error.
			return str
		}
		if tag == "" || tag == tagTimestamp {
			if IsTimestamp(in) {
				return resolved{kind: rTimestamp, s: in}
			}
		}
		plain := in
		if strings.IndexByte(in, '_') >= 0 {
			plain = strings.ReplaceAll(in, "_", "")
		}
		if i, err := strconv.ParseInt(plain, 0, 64); err == nil {
			return resolved{kind: rInt, i: i}
		}
		if u, err := strconv.ParseUint(plain, 0, 64); err == nil {
			return resolved{kind: rUint, u: u}
		}
		if IsFloatSyntax(plain) {
			if f, err := strconv.ParseFloat(plain, 64); err == nil {
				return resolved{kind: rFloat, f: f}
			}
		}
		if rest, ok := strings.CutPrefix(plain, "0b"); ok {
			if i, err := strconv.ParseInt(rest, 2, 64); err == nil {
				return resolved{kind: rInt, i: i}
			}
			if u, err := strconv.ParseUint(rest, 2, 64); err == nil {
				return resolved{kind: rUint, u: u}
			}
		} else if rest, ok := strings.CutPrefix(plain, "-0b"); ok {
			if i, err := strconv.ParseInt("-"+rest, 2, 64); err == nil {
				return resolved{kind: rInt, i: i}
			}
		}
	}
	return str
}

// numberBytes says whether every byte of s may appear in what the 'D' and
// 'S' branch of resolve accepts: digits, hex digits and base prefixes (0x,
// 0o, 0b), signs, dots, exponents, underscores, and the T, t, Z, colon and
// space of timestamps. It only saves work: the tests check that resolve
// gives the same answers with it.
func numberBytes(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9', c >= 'a' && c <= 'f', c >= 'A' && c <= 'F':
		case c == 'x', c == 'X', c == 'o', c == 'O', c == '+', c == '-', c == '.', c == '_',
			c == 'T', c == 't', c == 'Z', c == ':', c == ' ':
		default:
			return false
		}
	}
	return true
}

// mapped is resolve.go's resolveMap. Its "<<" entry is left out: resolve
// never reaches it for an untagged scalar ('<' has no hint), and a merge
// key is the decoder's business (Key).
func mapped(v string) (resolved, bool) {
	switch v {
	case "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON":
		return resolved{kind: rBool, b: true}, true
	case "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF":
		return resolved{kind: rBool}, true
	case "", "~", "null", "Null", "NULL":
		return resolved{kind: rNull}, true
	case ".nan", ".NaN", ".NAN":
		return resolved{kind: rFloat, f: math.NaN()}, true
	case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF":
		return resolved{kind: rFloat, f: math.Inf(1)}, true
	case "-.inf", "-.Inf", "-.INF":
		return resolved{kind: rFloat, f: math.Inf(-1)}, true
	}
	return resolved{}, false
}

// json is the value encoding/json writes for r; false for an infinity or
// NaN, which it refuses.
func (r resolved) json() (Scalar, bool) {
	switch r.kind {
	case rNull:
		return Scalar{Kind: Null}, true
	case rBool:
		if r.b {
			return Scalar{Kind: Bool, Text: "true"}, true
		}
		return Scalar{Kind: Bool, Text: "false"}, true
	case rInt:
		return Scalar{Kind: Int, Text: strconv.FormatInt(r.i, 10)}, true
	case rUint:
		return Scalar{Kind: Int, Text: strconv.FormatUint(r.u, 10)}, true
	case rFloat:
		t, ok := jsonFloat(r.f)
		if !ok {
			return Scalar{}, false
		}
		if strings.ContainsAny(t, ".e") {
			return Scalar{Kind: Float, Text: t}, true
		}
		return Scalar{Kind: Int, Text: t}, true
	}
	return Scalar{Kind: String, Text: r.s}, true
}

// jsonFloat is encoding/json's float64 encoder.
func jsonFloat(f float64) (string, bool) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return "", false
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b := strconv.AppendFloat(make([]byte, 0, 24), f, format, -1, 64)
	if format == 'e' {
		// encoding/json writes e-9, not e-09.
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return string(b), true
}

// key is sigs.k8s.io/yaml's conversion of a map key to a JSON object key.
func (r resolved) key() (string, error) {
	switch r.kind {
	case rStr, rTimestamp:
		return r.s, nil
	case rInt:
		return strconv.FormatInt(r.i, 10), nil
	case rBool:
		return strconv.FormatBool(r.b), nil
	case rFloat:
		// As go-yaml marshals a float, at 32-bit precision.
		switch s := strconv.FormatFloat(r.f, 'g', -1, 32); s {
		case "+Inf":
			return ".inf", nil
		case "-Inf":
			return "-.inf", nil
		case "NaN":
			return ".nan", nil
		default:
			return s, nil
		}
	case rNull:
		return "", errors.New("a null mapping key has no JSON form (JSON keys are strings)")
	case rUint:
		return "", fmt.Errorf("the mapping key %d is past the largest int64 and has no JSON form", r.u)
	}
	return r.s, nil
}

// IsFloatSyntax matches ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$
// (resolve.go's yamlStyleFloat, the same in go-yaml v2 and v3) without a
// regular expression.
func IsFloatSyntax(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		i++
	}
	digits := func() int {
		j := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		return i - j
	}
	if i < len(s) && s[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	} else {
		if digits() == 0 {
			return false
		}
		if i < len(s) && s[i] == '.' {
			i++
			digits()
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '-' || s[i] == '+') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(s)
}

// timestampFormats are resolve.go's allowedTimestampFormats.
var timestampFormats = []string{
	"2006-1-2T15:4:5.999999999Z07:00",
	"2006-1-2t15:4:5.999999999Z07:00",
	"2006-1-2 15:4:5.999999999",
	"2006-1-2",
}

// IsTimestamp is resolve.go's parseTimestamp (the same in go-yaml v2 and
// v3), answering only whether s parses.
func IsTimestamp(s string) bool {
	i := 0
	for ; i < len(s); i++ {
		if c := s[i]; c < '0' || c > '9' {
			break
		}
	}
	if i != 4 || i == len(s) || s[i] != '-' {
		return false
	}
	for _, format := range timestampFormats {
		if _, err := time.Parse(format, s); err == nil {
			return true
		}
	}
	return false
}
