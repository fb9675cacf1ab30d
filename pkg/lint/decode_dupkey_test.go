package lint

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	yaml "go.yaml.in/yaml/v3"
	sigsyaml "sigs.k8s.io/yaml"

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
// repeat is what sigs.k8s.io/yaml's strict conversion (YAML 1.1, as kubectl
// reads it) says, plus keys that only the conversion to JSON makes equal.
func TestDecodeDuplicateKeys(t *testing.T) {
	tests := []struct {
		name string
		in   string
		// fast says whether yamlfast takes the input (the other cases go to go-yaml).
		fast bool
		// want is the whole error; "" means the input decodes.
		want string
		// refDiffers marks inputs where Decode, on purpose, disagrees with
		// YAMLToJSONStrict about a repeat (the reason is in the name).
		refDiffers bool
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
			in: dupConfigMap + "data:\n  a: x\n  a: y\n---\nx: &x 1\n",
			// Each bad document is an error of its own.
			want: "x.yaml:6:3: mapping key \"a\" already defined at line 5\nx.yaml:8:4: YAML anchors and aliases are not supported in manifests"},
		{name: "go-yaml path: a tag", fast: false,
			in:   dupConfigMap + "data:\n  a: !!str x\n  a: y\n",
			want: `x.yaml:6:3: mapping key "a" already defined at line 5`},
		{name: "keys that differ only by quoting", fast: true,
			in:   dupConfigMap + "data:\n  a: x\n  \"a\": y\n",
			want: `x.yaml:6:3: mapping key "a" already defined at line 5`},
		{name: "a number and a quoted number collide only in JSON", fast: true, refDiffers: true,
			in:   dupConfigMap + "data:\n  1: x\n  '1': y\n",
			want: `x.yaml:6:3: mapping key "1" already defined at line 5`},
		{name: "a tagged key", fast: false,
			in:   dupConfigMap + "data:\n  a: x\n  !!str a: y\n",
			want: `x.yaml:6:3: mapping key "a" already defined at line 5`},
		{name: "yes and true are one key", fast: true,
			in:   dupConfigMap + "data:\n  true: x\n  yes: y\n",
			want: `x.yaml:6:3: mapping key "yes" (read as "true") already defined at line 5`},
		{name: "octal and decimal are one key", fast: true,
			in:   dupConfigMap + "data:\n  8: x\n  010: y\n",
			want: `x.yaml:6:3: mapping key "010" (read as "8") already defined at line 5`},
		{name: "a quoted yes is not true", fast: true,
			in: dupConfigMap + "data:\n  true: x\n  'yes': y\n"},
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
		{name: "large mapping without repeats", fast: true,
			in: dupConfigMap + manyKeys(40)},
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

			// sigs.k8s.io/yaml's strict conversion is the reference for what is a duplicate.
			assert.Equal(t, tt.want != "" != tt.refDiffers, strictDuplicate(data), "YAMLToJSONStrict reports a duplicate key")
		})
	}
}

// strictDuplicate says whether sigs.k8s.io/yaml's strict conversion
// refuses some document of data for a repeated mapping key.
func strictDuplicate(data []byte) bool {
	for _, doc := range strings.Split(string(data), "\n---\n") {
		if _, err := sigsyaml.YAMLToJSONStrict([]byte(doc)); err != nil && strings.Contains(err.Error(), "already set in map") {
			return true
		}
	}
	return false
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
			var keys []string
			for i := 0; i < len(root.Content[0].Content); i += 2 {
				keys = append(keys, root.Content[0].Content[i].Value)
			}
			got, first := duplicateKey(keys)
			var v map[string]any
			v3 := yaml.Unmarshal([]byte(b.String()), &v)
			if dup < 0 {
				assert.Equal(t, -1, got, "n=%d", n)
				assert.NoError(t, v3)
				continue
			}
			require.Equal(t, n, got, "n=%d dup=%d", n, dup)
			assert.Equal(t, dup, first)
			assert.ErrorContains(t, v3, fmt.Sprintf("line %d: mapping key %q already defined at line %d", n+1, keys[got], dup+1))
		}
	}
}

// TestDecodeKeepsGoodDocuments: a bad document or List item is one input
// error at its own position; the documents around it are still objects,
// on both decoders.
func TestDecodeKeepsGoodDocuments(t *testing.T) {
	good := func(name string) string {
		return "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: " + name + "}\n"
	}
	tests := []struct {
		name  string
		in    string
		names []string
		errs  []string
	}{
		{name: "object without a name", in: good("a") + "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {}\n---\n" + good("c"),
			names: []string{"a", "c"}, errs: []string{"x.yaml:7:1: ConfigMap has no metadata.name"}},
		{name: "syntax error in the middle", in: good("a") + "---\nkind: [\n---\n" + good("c"),
			names: []string{"a", "c"}, errs: []string{"x.yaml:6:1: invalid YAML: did not find expected node content"}},
		{name: "Helm template", in: good("a") + "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n  labels:\n  {{- include \"x\" . }}\n---\n" + good("c"),
			names: []string{"a", "c"}},
		{name: "two bad documents", in: "kind: Pod\nmetadata: {name: a}\n---\n" + good("b") + "---\napiVersion: v1\nkind: Pod\nmetadata: {}\n",
			names: []string{"b"}, errs: []string{"x.yaml:1:1: Pod has no apiVersion", "x.yaml:10:1: Pod has no metadata.name"}},
		{name: "bad List item", in: "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {}\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: a}\n",
			names: []string{"a"}, errs: []string{"x.yaml:6:3: ConfigMap has no metadata.name"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			objs, err := Decode("x.yaml", []byte(tt.in))
			var names []string
			for _, o := range objs {
				names = append(names, o.Name)
			}
			assert.Equal(t, tt.names, names)
			ies, only := InputErrors(err)
			require.NotEmpty(t, ies)
			assert.True(t, only)
			for i, want := range tt.errs {
				require.Greater(t, len(ies), i)
				assert.Equal(t, want, ies[i].Error())
			}
			if strings.Contains(tt.in, "{{") {
				assert.Contains(t, err.Error(), "a Helm or Go template?")
			}
			// The positions of the good documents are their lines in the whole input.
			last := objs[len(objs)-1]
			assert.Equal(t, strings.Count(tt.in[:strings.LastIndex(tt.in, "metadata: {name: "+last.Name)], "\n")+1, KeyOf(last.Root, "metadata").Line)
		})
	}
}
