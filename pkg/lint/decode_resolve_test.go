package lint

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/platformctl/platformctl/pkg/yamlfast"
)

const resolvePod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n"

// TestDecodeResolvesYAML11: whichever decoder reads a manifest, the tree
// holds each scalar as the API server receives it (sigs.k8s.io/yaml reads
// YAML 1.1), so Bool and Int answer what the cluster acts on.
func TestDecodeResolvesYAML11(t *testing.T) {
	tests := []struct {
		value string
		// isBool/boolV and isInt/intV are what Bool and Int say.
		isBool, boolV bool
		isInt         bool
		intV          int64
		str           string
	}{
		{value: "yes", isBool: true, boolV: true, str: "true"},
		{value: "Y", isBool: true, boolV: true, str: "true"},
		{value: "on", isBool: true, boolV: true, str: "true"},
		{value: "ON", isBool: true, boolV: true, str: "true"},
		{value: "True", isBool: true, boolV: true, str: "true"},
		{value: "n", isBool: true, str: "false"},
		{value: "Off", isBool: true, str: "false"},
		{value: "no", isBool: true, str: "false"},
		{value: `"yes"`, str: "yes"},
		{value: "'on'", str: "on"},
		{value: "!!str yes", str: "yes"},
		{value: "yEs", str: "yEs"},
		{value: "0", isInt: true, str: "0"},
		{value: "0.0", isInt: true, str: "0"},
		{value: "-0.0", isInt: true, str: "-0"},
		{value: "+0", isInt: true, str: "0"},
		{value: "0x0", isInt: true, str: "0"},
		{value: "0777", isInt: true, intV: 511, str: "511"},
		{value: "0o17", isInt: true, intV: 15, str: "15"},
		{value: "0x1F", isInt: true, intV: 31, str: "31"},
		{value: "0b11", isInt: true, intV: 3, str: "3"},
		{value: "1_000", isInt: true, intV: 1000, str: "1000"},
		{value: "1e3", isInt: true, intV: 1000, str: "1000"},
		{value: "08", isInt: true, intV: 8, str: "8"},
		{value: "!!float 2", isInt: true, intV: 2, str: "2"},
		{value: "1.5", str: "1.5"},
		{value: "1e21", str: "1e+21"},
		{value: "18446744073709551615", str: "18446744073709551615"},
		{value: "2001-12-14", str: "2001-12-14"},
		{value: "'0'", str: "0"},
		{value: "~", str: ""},
		{value: "null", str: ""},
	}
	for _, tt := range tests {
		for _, flow := range []bool{false, true} {
			in := resolvePod + "  hostNetwork: " + tt.value + "\n  containers: [{name: c, image: x}]\n"
			if flow {
				in = resolvePod + "  {hostNetwork: " + tt.value + ", containers: [{name: c, image: x}]}\n"
			}
			objs, err := Decode("p.yaml", []byte(in))
			require.NoError(t, err, tt.value)
			n := At(objs[0].Root, "spec.hostNetwork")
			b, isBool := Bool(n)
			i, isInt := Int(n)
			assert.Equal(t, []any{tt.isBool, tt.boolV, tt.isInt, tt.intV, tt.str}, []any{isBool, b, isInt, i, Str(n)}, "%s (flow %v)", tt.value, flow)
		}
	}
}

// TestDecodeResolvesKeys: keys become the JSON keys the API server sees.
func TestDecodeResolvesKeys(t *testing.T) {
	in := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  labels: {on: a, 0x1F: b, 1.0: c, 'no': d}\n"
	objs, err := Decode("c.yaml", []byte(in))
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"true": "a", "31": "b", "1": "c", "no": "d"}, objs[0].Labels)
}

// TestDecodeRefusesWhatHasNoJSON: what sigs.k8s.io/yaml cannot convert
// (kubectl refuses the file) or would merge behind the rules' back is an
// input error at the scalar, on both decoders.
func TestDecodeRefusesWhatHasNoJSON(t *testing.T) {
	tests := []struct {
		name, in, want string
		fast           bool
	}{
		{name: "infinity", fast: true, in: resolvePod + "  x: .inf\n",
			want: "p.yaml:5:6: .inf is not a JSON number (JSON has no infinity or NaN): kubectl cannot convert this document to JSON (quote the value if it is text)"},
		{name: "nan in a list", fast: true, in: resolvePod + "  x: [1, .NaN]\n",
			want: "p.yaml:5:10: .NaN is not a JSON number (JSON has no infinity or NaN): kubectl cannot convert this document to JSON (quote the value if it is text)"},
		{name: "a tag the value does not fit", in: resolvePod + "  x: !!int yes\n",
			want: "p.yaml:5:6: cannot decode !!bool `yes` as a !!int: kubectl cannot convert this document to JSON (quote the value if it is text)"},
		{name: "null key", fast: true, in: resolvePod + "  ~: x\n",
			want: "p.yaml:5:3: a null mapping key has no JSON form (JSON keys are strings): kubectl cannot convert this document to JSON"},
		{name: "Null key", fast: true, in: resolvePod + "  Null: x\n",
			want: "p.yaml:5:3: a null mapping key has no JSON form (JSON keys are strings): kubectl cannot convert this document to JSON"},
		{name: "huge integer key", fast: true, in: resolvePod + "  18446744073709551615: x\n",
			want: "p.yaml:5:3: the mapping key 18446744073709551615 is past the largest int64 and has no JSON form: kubectl cannot convert this document to JSON"},
		{name: "collection key", in: resolvePod + "  ? [a]\n  : x\n",
			want: "p.yaml:5:5: a mapping key that is a list has no JSON form; keys are names"},
		{name: "merge key", fast: true, in: resolvePod + "  containers:\n  - name: c\n    securityContext:\n      <<: {privileged: true}\n",
			want: "p.yaml:8:7: YAML merge keys (<<) are not supported in manifests"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, fast := yamlfast.Parse([]byte(tt.in))
			require.Equal(t, tt.fast, fast, "which decoder takes the input")
			_, err := Decode("p.yaml", []byte(tt.in))
			require.EqualError(t, err, tt.want)
			_, err = decodeGoYAML("p.yaml", []byte(tt.in))
			require.EqualError(t, err, tt.want, "the go-yaml path")
		})
	}
	// A quoted "<<" is an ordinary key.
	_, err := Decode("p.yaml", []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {'<<': x}\n"))
	require.NoError(t, err)
}
