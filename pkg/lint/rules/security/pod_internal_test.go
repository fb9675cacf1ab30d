package security

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/platformctl/platformctl/pkg/lint"
)

// TestBuildPodMatchesEngine: buildPod must find the same pod as
// lint.Object.Pod for every kind, CRDs with a pod template included.
func TestBuildPodMatchesEngine(t *testing.T) {
	files, err := filepath.Glob("../../../../testdata/lint/*/*.yaml")
	require.NoError(t, err)
	extra := `apiVersion: v1
kind: PodTemplate
metadata: {name: t}
template:
  metadata: {labels: {a: b}}
  spec: {containers: [{name: c, image: x}]}
---
apiVersion: example.com/v1
kind: Widget
metadata: {name: w}
spec: {template: {spec: {volumes: []}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec: {replicas: 1}
`
	objs, err := lint.Decode("extra.yaml", []byte(extra))
	require.NoError(t, err)
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		o, err := lint.Decode(f, data)
		require.NoError(t, err)
		objs = append(objs, o...)
	}
	for _, o := range objs {
		want, got := o.Pod(), buildPod(o)
		if want == nil {
			assert.Nil(t, got, o.Ref())
			continue
		}
		require.NotNil(t, got, o.Ref())
		assert.Equal(t, *want, *got, o.Ref())
	}
}
