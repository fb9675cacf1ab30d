package yamlfast

import (
	"testing"

	yaml "go.yaml.in/yaml/v3"
)

// TestResolveTagMatchesGoYAML checks the tag of tricky plain scalars against
// the tag go-yaml v3 gives the same scalar in a document.
func TestResolveTagMatchesGoYAML(t *testing.T) {
	values := []string{
		"0", "-0", "+0", "017", "0o17", "-0o17", "0o", "0x1F", "0x", "-0x1F", "0b101", "-0b101", "0b", "0b2",
		"1_000", "1__0", "_1", "1_", "0_1", "1_000.5", "._5", "0.", ".5", "+.5", "-.5", "5.", "1e3", "1E3",
		"1e", "1e+", "1e+3", "1.5e-3", "9223372036854775807", "9223372036854775808", "18446744073709551615",
		"18446744073709551616", "-9223372036854775808", "-9223372036854775809", "+1", "-a", "+", ".", "..",
		".inf", ".Inf", ".INF", "+.inf", "-.inf", ".iNF", ".nan", ".NaN", ".NAN", "nan", "inf", "infinity",
		"~", "null", "Null", "NULL", "nULL", "true", "True", "TRUE", "tRUE", "false", "no", "yes", "on", "off",
		"y", "n", "2001-12-14", "2001-12-14t21:59:43.10-05:00", "2001-12-14T21:59:43.10Z", "2001-12-14 21:59:43.10",
		"2001-1-1", "20011-12-14", "2001-13-14", "2001-12-14x", "1:20", "1:20:30", "0x_1F", "0b_1", "0o_7",
		"1,000", "$5", "v1", "1.2.3", "1.0", "-1.0", "3.14159", "6.8523015e+5", "685.230_15e+03", "<<", "=",
	}
	for _, v := range values {
		data := []byte("k: " + v + "\n")
		accepted, problem := check(data)
		if problem != "" {
			t.Errorf("%q: %s", v, problem)
			continue
		}
		if !accepted {
			t.Errorf("%q: not accepted", v)
			continue
		}
		var n yaml.Node
		if err := yaml.Unmarshal(data, &n); err != nil {
			t.Fatal(err)
		}
		if got, want := plainTag(v), n.Content[0].Content[1].Tag; got != want {
			t.Errorf("%q: tag %s, go-yaml %s", v, got, want)
		}
	}
}
