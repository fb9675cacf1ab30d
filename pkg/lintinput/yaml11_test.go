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
// (sigs.k8s.io/yaml.YAMLToJSON): runAsUser: 0.0 comes out as 0, 0x50 as 80.
func TestKustomizeOutputReadAsKubectlReadsIt(t *testing.T) {
	t.Chdir(t.TempDir())
	writeTree(t, map[string]string{
		"k/kustomization.yaml": "resources: [pod.yaml]\nnamePrefix: x-\n",
		"k/pod.yaml": "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  hostNetwork: true\n  hostIPC: True\n  hostPID: FALSE\n" +
			"  containers:\n  - name: c\n    image: x\n    ports: [{containerPort: 0x50, hostPort: 1_000}]\n" +
			"    securityContext: {privileged: true, runAsUser: 0.0, allowPrivilegeEscalation: false, runAsGroup: 0777, readOnlyRootFilesystem: 1e3}\n",
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
		assert.Equal(t, jsonAt(want, path), lintValue(lint.At(o.Root, path)), path)
	}
	// What the API server would act on: UID 0.
	uid, ok := lint.Int(lint.At(o.Root, sc+"runAsUser"))
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

// TestKustomizeRetypedBooleans: Kustomize reads a plain yes, on or Y as a
// string (YAML 1.2) and writes it back quoted, so the built object carries
// "yes" where kubectl, reading the same file, sees true, and the API server
// refuses it; no rule would see the privileged container the author wrote.
// Each such field is an input error at the origin file.
func TestKustomizeRetypedBooleans(t *testing.T) {
	t.Chdir(t.TempDir())
	writeTree(t, map[string]string{
		"k/kustomization.yaml": "resources: [pod.yaml]\nnamePrefix: x-\n",
		// The label, the env value and the CRD's field are strings to the
		// API once Kustomize has quoted them: not reported.
		"k/pod.yaml": "apiVersion: v1\nkind: Pod\nmetadata: {name: p, labels: {enabled: yes}}\nspec:\n  hostNetwork: on\n  containers:\n  - name: c\n    image: x\n" +
			"    securityContext:\n      privileged: yes\n      readOnlyRootFilesystem: Off\n      runAsUser: 0.0\n    env: [{name: DEBUG, value: on}]\n" +
			"---\napiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec: {enabled: yes}\n",
	})
	_, err := lintinput.FromPaths([]string{"k"}, strings.NewReader(""), lintinput.Options{})
	require.Error(t, err)
	assert.Equal(t, `k/pod.yaml:5:16: spec.hostNetwork: Kustomize reads this value as the string "on" (YAML 1.2) and writes it quoted, so the API server gets a string, not the boolean true, and refuses the object; write true
k/pod.yaml:10:19: spec.containers[0].securityContext.privileged: Kustomize reads this value as the string "yes" (YAML 1.2) and writes it quoted, so the API server gets a string, not the boolean true, and refuses the object; write true
k/pod.yaml:11:31: spec.containers[0].securityContext.readOnlyRootFilesystem: Kustomize reads this value as the string "Off" (YAML 1.2) and writes it quoted, so the API server gets a string, not the boolean false, and refuses the object; write false`, err.Error())
}
