package lint

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDecodeJSON: a stream starting with { is read as JSON, as kubectl
// reads it, with positions; what JSON allows and YAML does not (the \/
// escape) is read, and input that is not JSON is read as YAML.
func TestDecodeJSON(t *testing.T) {
	pod := "{\n\t\"apiVersion\": \"v1\",\n\t\"kind\": \"Pod\",\n\t\"metadata\": {\"name\": \"p\", \"annotations\": {\"a\": \"x\\/y é\"}},\n" +
		"\t\"spec\": {\"hostNetwork\": true, \"containers\": [{\"name\": \"c\", \"image\": \"nginx\", \"securityContext\": {\"runAsUser\": 0.0}}]}\n}\n"
	objs, err := Decode("p.json", []byte(pod))
	require.NoError(t, err)
	require.Len(t, objs, 1)
	o := objs[0]
	assert.Equal(t, []any{"Pod", "p", "x/y é"}, []any{o.Kind, o.Name, o.Annotations["a"]})
	assert.True(t, IsTrue(At(o.Root, "spec.hostNetwork")))
	uid, ok := Int(At(o.Root, "spec.containers[0].securityContext.runAsUser"))
	assert.True(t, ok && uid == 0, "1.0 in JSON is the integer the API server reads")
	line, col := Locate(o.Root, "spec.hostNetwork")
	assert.Equal(t, []int{5, 26}, []int{line, col})
	line, col = Locate(o.Root, "metadata.annotations.a")
	assert.Equal(t, []int{4, 49}, []int{line, col})

	t.Run("a stream of objects", func(t *testing.T) {
		objs, err := Decode("s.json", []byte(`{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}}
{"apiVersion": "v1", "kind": "List", "items": [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "b"}}]}`))
		require.NoError(t, err)
		require.Len(t, objs, 2)
		assert.Equal(t, []string{"a", "b"}, []string{objs[0].Name, objs[1].Name})
		assert.Equal(t, 1, objs[1].Doc)
		line, col := Locate(objs[1].Root, "metadata.name")
		assert.Equal(t, []int{2, 111}, []int{line, col})
	})
	t.Run("YAML flow mapping is not JSON", func(t *testing.T) {
		objs, err := Decode("f.yaml", []byte("{apiVersion: v1, kind: ConfigMap, metadata: {name: a}}\n"))
		require.NoError(t, err)
		require.Len(t, objs, 1)
	})
	for _, tt := range []struct{ name, in, want string }{
		{name: "repeated key", in: `{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", "name": "b"}}`,
			want: `x.json:1:69: mapping key "name" already defined at line 1`},
		{name: "deep nesting", in: `{"a":` + strings.Repeat("[", 300),
			want: "x.json:1:206: nesting deeper than 200 levels"},
		{name: "not an object", in: `{"apiVersion": "v1", "kind": "ConfigMap"}`, want: "x.json:1:1: ConfigMap has no metadata.name"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode("x.json", []byte(tt.in))
			require.EqualError(t, err, tt.want)
		})
	}
}
