package gzjson

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRoundTripIsDeterministic(t *testing.T) {
	v := map[string]any{"b": []any{1.0, "x"}, "a": map[string]any{"z": true, "y": nil}}
	one, err := Marshal(v)
	require.NoError(t, err)
	two, err := Marshal(map[string]any{"a": map[string]any{"y": nil, "z": true}, "b": []any{1.0, "x"}})
	require.NoError(t, err)
	assert.Equal(t, one, two, "same value, same bytes")
	var back map[string]any
	require.NoError(t, Unmarshal(one, &back))
	assert.Equal(t, v, back)
	assert.ErrorContains(t, Unmarshal([]byte("not gzip"), &back), "gzip:")
}
