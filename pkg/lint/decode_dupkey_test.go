package lint

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	yaml "go.yaml.in/yaml/v3"

	"github.com/platformctl/platformctl/pkg/yamlfast"
)

const dupConfigMap = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n"

// manyKeys is a data mapping of n keys k0..k(n-1), more than duplicateKey
// scans pairwise.
func manyKeys(n int) string {
	var b strings.Builder
	b.WriteString("data:\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "  k%d: v\n", i)
	}
	return b.String()
}

// TestDecodeDuplicateKeys: a key repeated in a mapping is an input error at
// the second occurrence, whichever decoder read the file; what counts as a
// repeat is what go-yaml v3's own unmarshalling says.
func TestDecodeDuplicateKeys(t *testing.T) {
	tests := []struct {
		name string
		in   string
		// fast says whether yamlfast takes the input (the other cases go to go-yaml).
		fast bool
		// want is the whole error; "" means the input decodes.
		want string
		// v3Differs marks inputs where go-yaml's Unmarshal reports a
		// duplicate and Decode, on purpose, does not.
		v3Differs bool
	}{
		{name: "top level", fast: true,
			in:   dupConfigMap + "kind: Secret\n",
			want: `x.yaml:4:1: mapping key "kind" already defined at line 2`},
		{name: "nested in a container", fast: true,
			in: "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: nginx\n" +
				"    securityContext:\n      privileged: false\n      privileged: true\n",
			want: `x.yaml:10:7: mapping key "privileged" already defined at line 9`},
		{name: "a mapping before the mappings inside it", fast: true,
			in: "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    securityContext:\n" +
				"      privileged: false\n      privileged: true\n  hostNetwork: false\n  hostNetwork: true\n",
			want: `x.yaml:11:3: mapping key "hostNetwork" already defined at line 10`},
		{name: "flow mapping", fast: true,
			in:   "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, name: b}\n",
			want: `x.yaml:3:21: mapping key "name" already defined at line 3`},
		{name: "second document", fast: true,
			in:   dupConfigMap + "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\ndata:\n  a: x\n  b: y\n  a: z\n",
			want: `x.yaml:12:3: mapping key "a" already defined at line 10`},
		{name: "list item", fast: true,
			in:   "apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: a}, data: {a: x, a: y}}\n",
			want: `x.yaml:4:71: mapping key "a" already defined at line 4`},
		{name: "go-yaml path: an anchor in another document", fast: false,
			in:   dupConfigMap + "data:\n  a: x\n  a: y\n---\nx: &x 1\n",
			want: `x.yaml:6:3: mapping key "a" already defined at line 5`},
		{name: "go-yaml path: a tag", fast: false,
			in:   dupConfigMap + "data:\n  a: !!str x\n  a: y\n",
			want: `x.yaml:6:3: mapping key "a" already defined at line 5`},
		{name: "keys that differ only by quoting", fast: true,
			in:   dupConfigMap + "data:\n  a: x\n  \"a\": y\n",
			want: `x.yaml:6:3: mapping key "a" already defined at line 5`},
		{name: "a number and a quoted number", fast: true,
			in:   dupConfigMap + "data:\n  1: x\n  '1': y\n",
			want: `x.yaml:6:3: mapping key "1" already defined at line 5`},
		{name: "a tagged key", fast: false,
			in:   dupConfigMap + "data:\n  a: x\n  !!str a: y\n",
			want: `x.yaml:6:3: mapping key "a" already defined at line 5`},
		{name: "two merge keys", fast: true,
			in:   dupConfigMap + "data:\n  <<: {a: x}\n  <<: {b: y}\n",
			want: `x.yaml:6:3: mapping key "<<" already defined at line 5`},
		{name: "three times: the second, pointing at the first", fast: true,
			in:   dupConfigMap + "data:\n  a: x\n  b: y\n  a: y\n  a: z\n",
			want: `x.yaml:7:3: mapping key "a" already defined at line 5`},
		{name: "the first repeat in the mapping wins", fast: true,
			in:   dupConfigMap + "data:\n  a: x\n  b: y\n  b: y\n  a: z\n",
			want: `x.yaml:7:3: mapping key "b" already defined at line 6`},
		{name: "large mapping", fast: true,
			in:   dupConfigMap + manyKeys(40) + "  k17: again\n",
			want: `x.yaml:45:3: mapping key "k17" already defined at line 22`},
		{name: "key with a line break", fast: true,
			in:   dupConfigMap + "data:\n  \"a\\nb\": x\n  \"a\\nb\": y\n",
			want: `x.yaml:6:3: mapping key "a\nb" already defined at line 5`},

		{name: "same key in different mappings", fast: true,
			in: "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  labels: {name: x}\nspec:\n  containers:\n" +
				"  - name: a\n    image: nginx\n  - name: b\n    image: nginx\n"},
		{name: "same key in different documents", fast: true,
			in: dupConfigMap + "data: {a: x}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\ndata: {a: x}\n"},
		{name: "a merge key and a key it merges", fast: true,
			in: dupConfigMap + "data:\n  <<: {a: x}\n  a: y\n"},
		{name: "null and ~ are different keys to go-yaml", fast: true,
			in: dupConfigMap + "data:\n  null: x\n  ~: y\n"},
		{name: "large mapping without repeats", fast: true,
			in: dupConfigMap + manyKeys(40)},
		{name: "collection keys are not compared", fast: false, v3Differs: true,
			in: dupConfigMap + "data:\n  ? [a]\n  : x\n  ? [b]\n  : y\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := []byte(tt.in)
			_, fast := yamlfast.Parse(data)
			require.Equal(t, tt.fast, fast, "which decoder takes the input")

			_, err := Decode("x.yaml", data)
			_, slowErr := decodeGoYAML("x.yaml", data)
			if tt.want == "" {
				require.NoError(t, err)
				require.NoError(t, slowErr)
			} else {
				require.EqualError(t, err, tt.want)
				require.EqualError(t, slowErr, tt.want, "the go-yaml path")
				var ie *InputError
				assert.ErrorAs(t, err, &ie)
			}

			// go-yaml's own Unmarshal is the reference for what is a duplicate.
			v3 := v3Duplicate(t, data)
			assert.Equal(t, tt.want != "" != tt.v3Differs, v3, "go-yaml Unmarshal reports a duplicate key")
		})
	}
}

// v3Duplicate says whether yaml.v3 refuses some document of data for a
// repeated mapping key.
func v3Duplicate(t *testing.T, data []byte) bool {
	t.Helper()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var v any
		err := dec.Decode(&v)
		if errors.Is(err, io.EOF) {
			return false
		}
		if err != nil {
			return strings.Contains(err.Error(), "already defined")
		}
	}
}

// TestDuplicateKeyAgreesWithGoYAML compares duplicateKey's verdict with
// yaml.v3's on mappings of every size around the pairwise/set threshold, a
// repeat at every position.
func TestDuplicateKeyAgreesWithGoYAML(t *testing.T) {
	for n := 1; n <= 2*smallMapping+2; n++ {
		for dup := -1; dup < n; dup++ {
			var b strings.Builder
			for i := 0; i < n; i++ {
				fmt.Fprintf(&b, "k%d: %d\n", i, i)
			}
			if dup >= 0 {
				fmt.Fprintf(&b, "k%d: again\n", dup)
			}
			var root yaml.Node
			require.NoError(t, yaml.Unmarshal([]byte(b.String()), &root))
			got, first := duplicateKey(root.Content[0].Content)
			var v map[string]any
			v3 := yaml.Unmarshal([]byte(b.String()), &v)
			if dup < 0 {
				assert.Nil(t, got, "n=%d", n)
				assert.NoError(t, v3)
				continue
			}
			require.NotNil(t, got, "n=%d dup=%d", n, dup)
			assert.Equal(t, fmt.Sprintf("k%d", dup), got.Value)
			assert.Equal(t, n+1, got.Line)
			assert.Equal(t, dup+1, first.Line)
			assert.ErrorContains(t, v3, fmt.Sprintf("line %d: mapping key %q already defined at line %d", n+1, got.Value, dup+1))
		}
	}
}
