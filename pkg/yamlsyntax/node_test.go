package yamlsyntax

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	yaml "go.yaml.in/yaml/v3"
)

func TestNodeKind(t *testing.T) {
	tests := map[string]string{
		"{a: 1}": "a mapping", "[1]": "a list", "x": "a string", "1": "an integer", "1.5": "a number",
		"true": "a boolean", "~": "null", "2024-01-02": "a date", "!custom x": "a scalar",
	}
	for src, want := range tests {
		var doc yaml.Node
		require.NoError(t, yaml.Unmarshal([]byte(src), &doc))
		assert.Equal(t, want, NodeKind(doc.Content[0]), src)
	}
}
