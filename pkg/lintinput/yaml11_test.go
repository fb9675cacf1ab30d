package lintinput_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	yaml "go.yaml.in/yaml/v3"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/platformctl/platformctl/pkg/kustomize"
	"github.com/platformctl/platformctl/pkg/lint"
	"github.com/platformctl/platformctl/pkg/lintinput"
)

// TestKustomizeOutputReadAsKubectlReadsIt: through a Kustomize directory,
// lint sees each field exactly as kubectl sees `kustomize build`'s output
// (sigs.k8s.io/yaml.YAMLToJSON). Kustomize reads YAML 1.2, so it writes
// `privileged: yes` back as the string "yes" (which the API server refuses
// for a boolean field) and runAsUser: 0.0 as 0 (which it runs as root); the
// test holds whichever way a Kustomize version writes them.
func TestKustomizeOutputReadAsKubectlReadsIt(t *testing.T) {
	t.Chdir(t.TempDir())
	writeTree(t, map[string]string{
		"k/kustomization.yaml": "resources: [pod.yaml]\nnamePrefix: x-\n",
		"k/pod.yaml": "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  hostNetwork: on\n  hostIPC: Y\n  hostPID: true\n" +
			"  containers:\n  - name: c\n    image: x\n    ports: [{containerPort: 0x50, hostPort: 1_000}]\n" +
			"    securityContext: {privileged: yes, runAsUser: 0.0, allowPrivilegeEscalation: on, runAsGroup: 0777, readOnlyRootFilesystem: off}\n",
	})
	built, err := kustomize.Build(filesys.MakeFsOnDisk(), "k")
	require.NoError(t, err)
	var want map[string]any
	j, err := sigsyaml.YAMLToJSON(built)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(j, &want))

	sets, err := lintinput.FromPaths([]string{"k"}, strings.NewReader(""), lintinput.Options{})
	require.NoError(t, err)
	o := sets[0].Objects[0]
	sc := "spec.containers[0].securityContext."
	for _, path := range []string{"spec.hostNetwork", "spec.hostIPC", "spec.hostPID", "spec.containers[0].ports[0].containerPort",
		"spec.containers[0].ports[0].hostPort", sc + "privileged", sc + "runAsUser", sc + "allowPrivilegeEscalation", sc + "runAsGroup", sc + "readOnlyRootFilesystem"} {
		assert.Equal(t, jsonAt(want, path), lintValue(o.Get(path)), path)
	}
	// What the API server would act on: UID 0.
	uid, ok := lint.Int(o.Get(sc + "runAsUser"))
	assert.True(t, ok && uid == 0)
}

// jsonAt walks a decoded JSON object along a lint path.
func jsonAt(v any, path string) any {
	for _, seg := range strings.Split(strings.ReplaceAll(path, "[0]", ".0"), ".") {
		switch x := v.(type) {
		case map[string]any:
			v = x[seg]
		case []any:
			v = x[0]
		}
	}
	return v
}

// lintValue is a scalar as lint's accessors read it, in JSON's types.
func lintValue(n *yaml.Node) any {
	if b, ok := lint.Bool(n); ok {
		return b
	}
	if i, ok := lint.Int(n); ok {
		return float64(i)
	}
	return lint.Str(n)
}
