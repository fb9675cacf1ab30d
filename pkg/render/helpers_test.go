package render_test

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/require"

	"github.com/platformctl/platformctl/pkg/manifest"
	"github.com/platformctl/platformctl/pkg/render"
	"github.com/platformctl/platformctl/pkg/spec"
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

// eachRendered calls fn with every object every environment of each spec
// file renders.
func eachRendered(t *testing.T, files []string, fn func(file, env string, m manifest.Map)) {
	t.Helper()
	for _, file := range files {
		d, err := spec.LoadAndValidate(file)
		require.NoError(t, err)
		for _, env := range d.Platform.EnvironmentNames() {
			objs, err := render.Environment(d.Platform, env)
			require.NoError(t, err)
			for _, o := range objs {
				fn(file, env, o.Map)
			}
		}
	}
}

// validateAgainst checks an object against a CRD's compiled schema.
func validateAgainst(t *testing.T, sch *jsonschema.Schema, m map[string]any) error {
	t.Helper()
	raw, err := json.Marshal(m)
	require.NoError(t, err)
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	require.NoError(t, err)
	return sch.Validate(inst)
}
