package lint

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestKubeMinor(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
		err  string
	}{
		{in: "", want: NewestKubeMinor},
		{in: "1.30", want: 30},
		{in: "v1.31", want: 31},
		{in: " 1.34.2 ", want: 34},
		{in: "1.27", want: OldestKubeMinor},
		{in: "1.26", err: "lint knows Kubernetes 1.27 through 1.37"},
		{in: "1.38", err: "lint knows Kubernetes 1.27 through 1.37"},
		{in: "2.0", err: "write it as 1.<minor>"},
		{in: "1", err: "write it as 1.<minor>"},
		{in: "1.x", err: "write it as 1.<minor>"},
		{in: "1.30.x", err: "write it as 1.<minor>"},
		{in: "1.30.1.2", err: "write it as 1.<minor>"},
	} {
		got, err := KubeMinor(tc.in)
		if tc.err != "" {
			assert.ErrorContains(t, err, tc.err, tc.in)
			continue
		}
		require.NoError(t, err, tc.in)
		assert.Equal(t, tc.want, got, tc.in)
	}
}

// A bad params.kubeVersion is a config error, not a silent default.
func TestKubeVersionConfig(t *testing.T) {
	_, err := compile(Config{Params: Params{KubeVersion: "1.20"}}, nil)
	assert.ErrorContains(t, err, "params.kubeVersion")
	c, err := compile(Config{Params: Params{KubeVersion: "1.31"}}, nil)
	require.NoError(t, err)
	assert.Equal(t, 31, c.params.KubeMinor())
	assert.Equal(t, NewestKubeMinor, Params{}.KubeMinor())
}
