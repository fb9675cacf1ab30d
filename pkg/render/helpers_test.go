package render_test

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func examples(t testing.TB) []string {
	t.Helper()
	m, err := filepath.Glob("../../examples/*/platform.yaml")
	require.NoError(t, err)
	require.NotEmpty(t, m)
	return m
}
