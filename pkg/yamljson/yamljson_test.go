package yamljson

import (
	"encoding/json"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	yaml "go.yaml.in/yaml/v3"
	sigsyaml "sigs.k8s.io/yaml"
)

// caseVariants returns every upper/lower-case spelling of w.
func caseVariants(w string) []string {
	out := []string{""}
	for _, c := range w {
		var next []string
		for _, p := range out {
			lo, up := strings.ToLower(string(c)), strings.ToUpper(string(c))
			next = append(next, p+lo)
			if up != lo {
				next = append(next, p+up)
			}
		}
		out = next
	}
	return out
}

// scalars generates plain scalars over the alphabets YAML 1.1 resolution
// cares about: signs, digits, base prefixes, underscores, dots, exponents,
// the bool, null, inf and nan words in every case, timestamps; then random
// strings of those pieces.
func scalars() []string {
	var out []string
	for _, w := range []string{"y", "n", "yes", "no", "true", "false", "on", "off", "null", "~", ".nan", ".inf", "+.inf", "-.inf", "nan", "inf", "<<"} {
		out = append(out, caseVariants(w)...)
	}
	out = append(out,
		"0", "-0", "+0", "00", "017", "08", "09", "0777", "-0777", "0o17", "-0o17", "0o", "0o8", "0x1F", "0X1F", "0x", "-0x1F", "+0x1F",
		"0b101", "-0b101", "+0b101", "0b", "0b2", "1_000", "1__0", "_1", "1_", "0_1", "1_000.5", "._5", "0.", ".5", "+.5", "-.5", "5.",
		"0.0", "-0.0", "+0.0", "1.0", "1.5", "1e3", "1E3", "1e", "1e+", "1e+3", "1.5e-3", "1e-7", "1e-07", "1e21", "1e20", "1e400", "1e-400",
		"9223372036854775807", "9223372036854775808", "18446744073709551615", "18446744073709551616", "-9223372036854775808",
		"-9223372036854775809", "99999999999999999999999", "123456789.0", "0.1", "3.14159", "6.8523015e+5", "685.230_15e+03",
		"0x_1F", "0b_1", "0o_7", "0x1p-2", "0x1.8p1", "1,000", "1:20", "1:20:30", "+1", "-a", "+", "-", ".", "..", "...", "0xFFFFFFFFFFFFFFFF",
		"0x10000000000000000", "0b1111111111111111111111111111111111111111111111111111111111111111", "-0b1000000000000000000000000000000000000000000000000000000000000000",
		"2001-12-14", "2001-12-14t21:59:43.10-05:00", "2001-12-14T21:59:43.10Z", "2001-12-14 21:59:43.10", "2001-1-1", "20011-12-14",
		"2001-13-14", "2001-12-14x", "2001-12-14T21:59:43Z", "1999-02-29", "0001-01-01", "Infinity", "+Infinity", "NaN", "1_0e1_0",
		"1.2.3", "v1", "=", "500m", "100Mi", "1.5Gi", "8080/tcp", "25%", "30s", "1h30m", "0x1p4", "1p4", "2001-12-14 21:59:43.10 -5",
		"2001-12-14T21:59:43.10+05:00", "2001-12-14T21:59:43.1z", "1e3i", "0.0.0.0", "1e1_0", "1__", "0_x1", "00x1", "-_1", "+-1", "08.5", "0_8", "0o_", "1e+0_1",
	)
	pieces := []string{"0", "1", "7", "8", "9", "00", "_", ".", "e", "E", "+", "-", "x", "X", "b", "o", "0x", "0b", "0o", "a", "f", "F",
		"inf", "Inf", "nan", "y", "Y", "es", "n", "N", "o", "O", "ff", "rue", "ull", "~", "2001-12-14", "T", "t", "Z", "z", ":", " ", "10", "e-", "e+",
		"m", "Mi", "Gi", "k", "p", "P", "i", "/tcp", "%", "s", "h"}
	rng := rand.New(rand.NewPCG(11, 1))
	for range 8000 {
		var b strings.Builder
		for range 1 + rng.IntN(5) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		out = append(out, b.String())
	}
	return out
}

// plainIn parses doc with go-yaml v3 and says whether the scalar at (key or
// value of the first pair) is the plain scalar s: other strings (": x",
// "- 1") are not scalars of the form under test.
func plainIn(doc string, key bool, s string) bool {
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(doc), &n); err != nil || len(n.Content) != 1 {
		return false
	}
	m := n.Content[0]
	if m.Kind != yaml.MappingNode || len(m.Content) != 2 {
		return false
	}
	c := m.Content[1]
	if key {
		c = m.Content[0]
	}
	return c.Kind == yaml.ScalarNode && c.Style&^yaml.TaggedStyle == 0 && c.Value == s
}

func jsonText(t *testing.T, v Scalar) string {
	t.Helper()
	switch v.Kind {
	case Null:
		return "null"
	case String:
		b, err := json.Marshal(v.Text)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	return v.Text
}

// TestValueMatchesSigsYAML checks Value against sigs.k8s.io/yaml.YAMLToJSON
// (the conversion kubectl does) on every generated scalar, plain and with
// each tag: the same JSON, or an error where it fails.
func TestValueMatchesSigsYAML(t *testing.T) {
	checked := 0
	for _, s := range scalars() {
		for _, tag := range []string{"", tagStr, tagInt, tagFloat, tagBool, tagNull, tagTimestamp} {
			doc := "k: " + s + "\n"
			form := Plain
			if tag != "" {
				doc = "k: " + tag + " " + s + "\n"
				form = Tagged
			}
			if !plainIn(doc, false, s) {
				continue
			}
			checked++
			want, wantErr := sigsyaml.YAMLToJSON([]byte(doc))
			got, err := Value(form, tag, s)
			switch {
			case wantErr != nil && err == nil:
				t.Errorf("%s: sigs.k8s.io/yaml fails (%v), Value gives %v", strings.TrimSpace(doc), wantErr, got)
			case wantErr == nil && err != nil:
				t.Errorf("%s: sigs.k8s.io/yaml gives %s, Value fails: %v", strings.TrimSpace(doc), want, err)
			case wantErr == nil:
				if g := `{"k":` + jsonText(t, got) + `}`; g != string(want) {
					t.Errorf("%s: Value gives %s (%v), sigs.k8s.io/yaml %s", strings.TrimSpace(doc), g, got.Kind, want)
				}
			}
		}
	}
	if checked < 8000 {
		t.Fatalf("only %d scalars checked; the generator lost its reach", checked)
	}
}

// TestKeyMatchesSigsYAML checks Key the same way: the JSON object key a
// plain (or tagged) mapping key becomes, or an error where YAMLToJSON fails.
func TestKeyMatchesSigsYAML(t *testing.T) {
	checked := 0
	for _, s := range scalars() {
		if s == "<<" {
			continue // a merge, not a key: see TestMergeKey
		}
		for _, tag := range []string{"", tagStr, tagInt, tagFloat, tagBool} {
			doc := s + ": 1\n"
			form := Plain
			if tag != "" {
				doc = tag + " " + s + ": 1\n"
				form = Tagged
			}
			if !plainIn(doc, true, s) {
				continue
			}
			checked++
			want, wantErr := sigsyaml.YAMLToJSON([]byte(doc))
			got, err := Key(form, tag, s)
			switch {
			case wantErr != nil && err == nil:
				t.Errorf("%q: sigs.k8s.io/yaml fails (%v), Key gives %q", strings.TrimSpace(doc), wantErr, got)
			case wantErr == nil && err != nil:
				t.Errorf("%q: sigs.k8s.io/yaml gives %s, Key fails: %v", strings.TrimSpace(doc), want, err)
			case wantErr == nil:
				k, _ := json.Marshal(got)
				if g := "{" + string(k) + ":1}"; g != string(want) {
					t.Errorf("%q: Key gives %s, sigs.k8s.io/yaml %s", strings.TrimSpace(doc), g, want)
				}
			}
		}
	}
	if checked < 5000 {
		t.Fatalf("only %d keys checked; the generator lost its reach", checked)
	}
}

func TestMergeKey(t *testing.T) {
	_, err := Key(Plain, "", "<<")
	if !errors.Is(err, ErrMergeKey) {
		t.Fatalf("Key(<<) = %v, want ErrMergeKey", err)
	}
	// What the error stands for: yaml/v2 merges the mapping in.
	got, err := sigsyaml.YAMLToJSON([]byte("a: {<<: {privileged: true}}\n"))
	if err != nil || string(got) != `{"a":{"privileged":true}}` {
		t.Fatalf("YAMLToJSON = %s, %v", got, err)
	}
	if k, err := Key(Quoted, "", "<<"); err != nil || k != "<<" {
		t.Fatalf(`Key("<<" quoted) = %q, %v`, k, err)
	}
}

// TestQuotedIsString: quoting is how a manifest says "the string yes".
func TestQuotedIsString(t *testing.T) {
	for _, s := range []string{"yes", "0", "0.0", "~", ""} {
		v, err := Value(Quoted, "", s)
		if err != nil || v != (Scalar{Kind: String, Text: s}) {
			t.Errorf("Value(quoted %q) = %v, %v", s, v, err)
		}
	}
}

func BenchmarkValue(b *testing.B) {
	in := []string{"web", "8080", "true", "ghcr.io/acme/web:1.4.2", "yes", "0.0", "500m", "0777"}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		for _, s := range in {
			_, _ = Value(Plain, "", s)
		}
	}
}
