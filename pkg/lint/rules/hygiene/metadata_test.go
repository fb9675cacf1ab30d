package hygiene

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	yaml "go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/platformctl/platformctl/pkg/lint"
)

// TestLabelSyntaxIsTheAPIServers: invalid-label accepts exactly the label
// keys and (string) values the API server's validation accepts.
func TestLabelSyntaxIsTheAPIServers(t *testing.T) {
	values := []string{"", "a", "A", "0", "web", "web-1", "web_1", "web.1", "a.b-c_d", "-a", "a-", "_a", "a_", ".a", "a.",
		"a b", "a/b", "a:b", "é", "a@b", strings.Repeat("a", 63), strings.Repeat("a", 64), "1.0", "true"}
	for _, v := range values {
		n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v}
		assert.Equal(t, len(validation.IsValidLabelValue(v)) == 0, labelValueProblem(n) == "", "value %q", v)
	}
	keys := []string{"a", "app", "app.kubernetes.io/name", "example.com/a", "Example.com/a", "example.com/", "/a", "a/b/c", "a b",
		"-a", "a-", "sub.example.com/A_b.c-d", strings.Repeat("a", 63), strings.Repeat("a", 64), strings.Repeat("a", 254) + "/x",
		"ex_ample.com/a", "example..com/a", "-example.com/a", "k8s.io/" + strings.Repeat("b", 64)}
	for _, k := range keys {
		assert.Equal(t, len(validation.IsQualifiedName(k)) == 0, labelKeyProblem(k) == "", "key %q", k)
	}
}

// TestLabelValuesResolveAsTheAPIServerReads: canary: yes is the boolean
// true once kubectl converts the YAML (sigs.k8s.io/yaml, YAML 1.1), which
// a label cannot hold; quoted, it is the string "yes".
func TestLabelValuesResolveAsTheAPIServerReads(t *testing.T) {
	for value, invalid := range map[string]bool{"yes": true, "on": true, "1.0": true, "0x1F": true, `"yes"`: false, "'1.0'": false, "stable": false, "~": false} {
		objs, err := lint.Decode("x.yaml", []byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  labels:\n    v: "+value+"\n"))
		require.NoError(t, err)
		v := lint.Get(objs[0].Root, "metadata", "labels", "v")
		assert.Equal(t, invalid, labelValueProblem(v) != "", "v: %s", value)
	}
}
