package render_test

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/platformctl/platformctl/pkg/manifest"
)

func examples(t testing.TB) []string {
	t.Helper()
	m, err := filepath.Glob("../../examples/*/platform.yaml")
	require.NoError(t, err)
	require.NotEmpty(t, m)
	return m
}

// podTemplate returns the pod template of a workload (CronJobs nest theirs
// in the job template), or nil.
func podTemplate(m manifest.Map) manifest.Map {
	switch manifest.String(m, "kind") {
	case "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "Rollout":
		t, _ := manifest.Get(m, "spec", "template").(map[string]any)
		return t
	case "CronJob":
		t, _ := manifest.Get(m, "spec", "jobTemplate", "spec", "template").(map[string]any)
		return t
	}
	return nil
}
