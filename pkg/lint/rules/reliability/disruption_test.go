package reliability

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	yaml "go.yaml.in/yaml/v3"
)

func TestIntOrPercent(t *testing.T) {
	node := func(s string) *yaml.Node {
		var n yaml.Node
		require.NoError(t, yaml.Unmarshal([]byte(s), &n))
		return n.Content[0]
	}
	for _, tc := range []struct {
		value       string
		total, want int64
	}{
		{"2", 3, 2},
		{"50%", 3, 2}, // rounds up
		{"90%", 3, 3},
		{"100%", 5, 5},
		{"0%", 5, 0},
		{"10%", 3, 1},
	} {
		x, ok := readIntOrPercent(node(tc.value))
		require.True(t, ok, tc.value)
		assert.Equal(t, tc.want, x.of(tc.total), "%s of %d", tc.value, tc.total)
	}
	_, ok := readIntOrPercent(node(`"abc"`))
	assert.False(t, ok)
}
