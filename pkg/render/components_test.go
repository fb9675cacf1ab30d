package render_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/kustomize/kyaml/filesys"

	"github.com/platformctl/platformctl/pkg/kustomize"
	"github.com/platformctl/platformctl/pkg/render"
	"github.com/platformctl/platformctl/pkg/spec"
)

// componentSpec is examples/minimal with a platform-wide component (a
// patch adding a pod annotation and a resource) and a production-only one.
const componentSpec = `apiVersion: platformctl.dev/v1alpha1
kind: Platform
metadata:
  name: hello
spec:
  domain: hello.example.com
  kustomize:
    components: [kustomize/common]
  environments:
    - name: dev
      tier: development
    - name: production
      tier: production
      zones: [zone-a, zone-b]
      kustomize:
        components: [kustomize/production]
  services:
    - name: hello
      image: ghcr.io/acme/hello:1.0.0@sha256:f10206571bdc546d01df76d5540a58e3838690f037170c8eca17ab7c25917fc0
      expose:
        host: www
`

var componentFiles = map[string]string{
	"kustomize/common/kustomization.yaml": `apiVersion: kustomize.config.k8s.io/v1alpha1
kind: Component
resources: [limits.yaml]
patches:
- path: agent.yaml
  target: {kind: Deployment, name: hello}
`,
	"kustomize/common/agent.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: hello
spec:
  template:
    metadata:
      annotations:
        vault.hashicorp.com/agent-inject: "true"
`,
	"kustomize/common/limits.yaml": `apiVersion: v1
kind: LimitRange
metadata:
  name: defaults
  namespace: apps
spec:
  limits:
  - type: Container
    defaultRequest: {cpu: 50m, memory: 64Mi}
`,
	"kustomize/production/kustomization.yaml": `apiVersion: kustomize.config.k8s.io/v1alpha1
kind: Component
patches:
- path: replicas.yaml
  target: {kind: Deployment, name: hello}
`,
	"kustomize/production/replicas.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: hello
spec:
  replicas: 5
`,
}

func writeComponentSpec(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "platform.yaml"), []byte(componentSpec), 0o644))
	for f, b := range componentFiles {
		require.NoError(t, os.MkdirAll(filepath.Join(dir, filepath.Dir(f)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, f), []byte(b), 0o644))
	}
	return dir
}

// TestComponents: the rendered overlays refer to the spec's components,
// Kustomize over the tree on disk gives Build's bytes, and Environment
// says which objects a component added or patched.
func TestComponents(t *testing.T) {
	dir := writeComponentSpec(t)
	d, err := spec.LoadAndValidate(filepath.Join(dir, "platform.yaml"))
	require.NoError(t, err)
	tree, err := render.Render(d.Platform)
	require.NoError(t, err)
	assert.Contains(t, string(tree["overlays/dev/kustomization.yaml"]), "components:\n- ../../../kustomize/common\n")
	assert.Contains(t, string(tree["overlays/production/kustomization.yaml"]), "components:\n- ../../../kustomize/common\n- ../../../kustomize/production\n")
	out := filepath.Join(dir, "deploy")
	for f, b := range tree {
		require.NoError(t, os.MkdirAll(filepath.Join(out, filepath.Dir(f)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(out, f), b, 0o644))
	}
	for _, env := range []string{"dev", "production"} {
		want, err := kustomize.Build(filesys.MakeFsOnDisk(), filepath.Join(out, "overlays", env))
		require.NoError(t, err)
		got, err := render.Build(d.Platform, env)
		require.NoError(t, err)
		require.Equal(t, string(want), string(got), env)
		assert.Contains(t, string(got), "vault.hashicorp.com/agent-inject")
		assert.Contains(t, string(got), "kind: LimitRange")
		assert.Equal(t, env == "production", strings.Contains(string(got), "replicas: 5"), env)
	}
	objs, err := render.Environment(d.Platform, "production")
	require.NoError(t, err)
	var sawLimit, sawHello bool
	for _, o := range objs {
		switch {
		case o.Map["kind"] == "LimitRange":
			sawLimit = true
			assert.Equal(t, "kustomize/common/limits.yaml", o.File)
			assert.Equal(t, "spec.kustomize.components", o.Source)
			assert.NotContains(t, o.Map["metadata"], "annotations", "buildMetadata's annotations are removed")
		case o.Map["kind"] == "Deployment" && o.Source == "spec.services[0]":
			sawHello = true
			assert.Equal(t, []string{"kustomize/common/agent.yaml", "kustomize/production/replicas.yaml"}, o.Patches)
			assert.Equal(t, "base/apps/deployment-hello.yaml", o.File)
		}
	}
	assert.True(t, sawLimit)
	assert.True(t, sawHello)
	if kz, err := exec.LookPath("kustomize"); err == nil {
		b, err := exec.Command(kz, "build", filepath.Join(out, "overlays", "dev")).Output()
		require.NoError(t, err)
		got, err := render.Build(d.Platform, "dev")
		require.NoError(t, err)
		assert.Equal(t, string(b), string(got))
	}
}
