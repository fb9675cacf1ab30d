package lintinput_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/platformctl/platformctl/pkg/lint"
	"github.com/platformctl/platformctl/pkg/lintinput"
	"github.com/platformctl/platformctl/pkg/render"
	"github.com/platformctl/platformctl/pkg/spec"
	"github.com/platformctl/platformctl/pkg/treeio"
)

const shop = "../../examples/shop/platform.yaml"

func lineOf(t *testing.T, file, needle string) int {
	t.Helper()
	b, err := os.ReadFile(file)
	require.NoError(t, err)
	for i, l := range strings.Split(string(b), "\n") {
		if strings.Contains(l, needle) {
			return i + 1
		}
	}
	t.Fatalf("%s not in %s", needle, file)
	return 0
}

// TestKustomizationMapsToOrigin builds a rendered overlay and checks that an
// object's fields point into the base file it came from, at the right line.
func TestKustomizationMapsToOrigin(t *testing.T) {
	d, err := spec.LoadAndValidate(shop)
	require.NoError(t, err)
	tree, err := render.Render(d.Platform)
	require.NoError(t, err)
	dir := t.TempDir()
	_, err = treeio.Write(dir, tree, render.Header)
	require.NoError(t, err)

	set, err := lintinput.FromKustomization(filepath.Join(dir, "overlays", "production"), lintinput.Options{})
	require.NoError(t, err)
	var web *lint.Object
	for _, o := range set.Objects {
		if o.Kind == "Deployment" && o.Name == "web" {
			web = o
		}
		_, hasOrigin := o.Annotations["config.kubernetes.io/origin"]
		assert.False(t, hasOrigin, "origin annotations are stripped before rules run")
	}
	require.NotNil(t, web)
	file, line, col := web.Position("spec.template.spec.containers[0].image")
	base := filepath.Join(dir, "base", "apps", "deployment-web.yaml")
	assert.Equal(t, base, abs(t, file))
	assert.Equal(t, lineOf(t, base, "image: ghcr.io/acme/web:1.4.2"), line)
	assert.Equal(t, 16, col)
	// A field the overlay added has no line in the base: the finding points
	// at the nearest ancestor that exists there.
	_, line, _ = web.Position("spec.template.spec.affinity")
	assert.Equal(t, lineOf(t, base, "    spec:"), line)
}

func abs(t *testing.T, p string) string {
	t.Helper()
	a, err := filepath.Abs(p)
	require.NoError(t, err)
	return a
}

func TestKustomizationBuildFailure(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "kustomization.yaml"), []byte("resources:\n- missing.yaml\n"), 0o644))
	_, err := lintinput.FromKustomization(dir, lintinput.Options{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "kustomize build")
	assert.Contains(t, err.Error(), "missing.yaml")
}

func TestFromSpecPointsAtSpecEntries(t *testing.T) {
	d, err := spec.LoadAndValidate(shop)
	require.NoError(t, err)
	sets, err := lintinput.FromSpec(d, []string{"production"})
	require.NoError(t, err)
	require.Len(t, sets, 1)
	for _, o := range sets[0].Objects {
		if o.Kind == "Deployment" && o.Name == "web" {
			file, line, _ := o.Position("spec.template.spec.containers[0].image")
			assert.Equal(t, shop, file)
			assert.Equal(t, lineOf(t, shop, "- name: web"), line)
			assert.Contains(t, o.Source, "spec.services[0] (environment production, base/apps/deployment-web.yaml)")
			return
		}
	}
	t.Fatal("web Deployment not found")
}

func TestFromPathsFoldersAndStdin(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "a", ".git"), 0o755))
	write := func(p, s string) { require.NoError(t, os.WriteFile(filepath.Join(dir, p), []byte(s), 0o644)) }
	write("a/one.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: one}\n")
	write("a/two.yml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: two}\n")
	write("a/notes.txt", "not yaml")
	write("a/.git/ignored.yaml", "::: not even yaml")
	require.NoError(t, os.Symlink("/etc", filepath.Join(dir, "a", "etc-link")))
	sets, err := lintinput.FromPaths([]string{filepath.Join(dir, "a"), "-"}, strings.NewReader("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: three}\n"), lintinput.Options{})
	require.NoError(t, err)
	require.Len(t, sets, 1)
	var names []string
	for _, o := range sets[0].Objects {
		names = append(names, o.Name)
	}
	assert.ElementsMatch(t, []string{"one", "two", "three"}, names)
	assert.Equal(t, 3, sets[0].Files)
}

// dupPod is the Pod of the bug report: with the first values kept it has
// no finding; both fields are repeated, and the pod's spec is checked
// before the container inside it.
const dupPod = `apiVersion: v1
kind: Pod
metadata:
  name: p
  namespace: apps
spec:
  containers:
  - name: c
    image: nginx:1.27
    securityContext:
      privileged: false
      privileged: true
  hostNetwork: false
  hostNetwork: true
`

// TestFromPathsDuplicateKeys: a repeated mapping key is an input error with
// the position of the repeat, however the file is handed over.
func TestFromPathsDuplicateKeys(t *testing.T) {
	dir := t.TempDir()
	write := func(p, s string) string {
		full := filepath.Join(dir, p)
		require.NoError(t, os.MkdirAll(filepath.Dir(full), 0o755))
		require.NoError(t, os.WriteFile(full, []byte(s), 0o644))
		return full
	}
	file := write("files/pod.yaml", dupPod)
	write("files/ok.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok}\n")
	kdir := filepath.Join(dir, "kust")
	write("kust/pod.yaml", dupPod)
	write("kust/kustomization.yaml", "resources:\n- pod.yaml\n")
	const msg = `14:3: mapping key "hostNetwork" already defined at line 13`

	tests := []struct {
		name  string
		args  []string
		stdin string
		want  string
		// part: want is part of the message, not all of it.
		part bool
	}{
		{name: "file", args: []string{file}, want: file + ":" + msg},
		{name: "directory", args: []string{filepath.Join(dir, "files")}, want: file + ":" + msg},
		{name: "stdin", args: []string{"-"}, stdin: dupPod, want: "<stdin>:" + msg},
		{name: "stdin, second document", args: []string{"-"},
			stdin: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok}\n---\n" + dupPod,
			want:  "<stdin>:18:3: mapping key \"hostNetwork\" already defined at line 17"},
		// Kustomize refuses the file itself, with go-yaml's words.
		{name: "kustomize directory", args: []string{kdir}, want: `mapping key "hostNetwork" already defined at line 13`, part: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := lintinput.FromPaths(tt.args, strings.NewReader(tt.stdin), lintinput.Options{})
			require.Error(t, err)
			if tt.part {
				assert.Contains(t, err.Error(), tt.want)
				return
			}
			assert.EqualError(t, err, tt.want)
		})
	}
}

// A folder holding Kustomize directories builds each of them instead of
// reading their patches as objects.
func TestFromPathsBuildsNestedKustomizations(t *testing.T) {
	t.Chdir(t.TempDir())
	files := map[string]string{
		"tree/loose.yaml":                     "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: loose}\n",
		"tree/app/base/kustomization.yaml":    "resources: [cm.yaml]\n",
		"tree/app/base/cm.yaml":               "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app}\n",
		"tree/app/overlay/kustomization.yaml": "namespace: prod\nresources: [../base]\npatches: [{path: patch.yaml}]\n",
		"tree/app/overlay/patch.yaml":         "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app}\ndata: {a: b}\n",
		"tree/.hidden/kustomization.yaml":     "resources: [missing.yaml]\n",
	}
	for p, content := range files {
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	}
	sets, err := lintinput.FromPaths([]string{"tree"}, strings.NewReader(""), lintinput.Options{})
	require.NoError(t, err)
	var names []string
	for _, s := range sets {
		var objs []string
		for _, o := range s.Objects {
			objs = append(objs, o.Namespace+"/"+o.Name)
		}
		names = append(names, s.Name+": "+strings.Join(objs, ","))
	}
	// The base is built by the overlay, so only the overlay is a set of
	// its own (named on the command line, the base would be linted).
	assert.Equal(t, []string{"files: /loose", "tree/app/overlay: prod/app"}, names)
}

// TestFromSpecPointsIntoComponents: an object a component adds points at
// its own file, a field a component's patch sets at the patch, and a field
// the spec generated still at the spec entry.
func TestFromSpecPointsIntoComponents(t *testing.T) {
	dir := t.TempDir()
	write := func(f, s string) {
		require.NoError(t, os.MkdirAll(filepath.Join(dir, filepath.Dir(f)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, f), []byte(s), 0o644))
	}
	write("platform.yaml", `apiVersion: platformctl.dev/v1alpha1
kind: Platform
metadata: {name: hello}
spec:
  domain: hello.example.com
  kustomize: {components: [kustomize/agent]}
  environments:
    - {name: dev, tier: development}
  services:
    - name: hello
      image: ghcr.io/acme/hello:1.0.0
`)
	write("kustomize/agent/kustomization.yaml", "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources: [limits.yaml]\npatches:\n- path: agent.yaml\n  target: {kind: Deployment, name: hello}\n")
	write("kustomize/agent/agent.yaml", `apiVersion: apps/v1
kind: Deployment
metadata:
  name: hello
spec:
  template:
    spec:
      containers:
      - name: hello
        securityContext:
          privileged: true
      - name: agent
        image: ghcr.io/acme/agent:1.0.0
`)
	write("kustomize/agent/limits.yaml", "apiVersion: v1\nkind: LimitRange\nmetadata:\n  name: defaults\n  namespace: apps\nspec:\n  limits: []\n")
	d, err := spec.LoadAndValidate(filepath.Join(dir, "platform.yaml"))
	require.NoError(t, err)
	sets, err := lintinput.FromSpec(d, []string{"dev"})
	require.NoError(t, err)
	agent := filepath.Join(dir, "kustomize/agent/agent.yaml")
	var saw int
	for _, o := range sets[0].Objects {
		switch {
		case o.Kind == "Deployment" && o.Name == "hello":
			saw++
			file, line, col := o.Position("spec.template.spec.containers[0].securityContext.privileged")
			assert.Equal(t, []any{agent, 11, 23}, []any{file, line, col}, "the patched field")
			file, line, _ = o.Position("spec.template.spec.containers[1].securityContext")
			assert.Equal(t, []any{agent, 12}, []any{file, line}, "a field missing from the container the patch adds")
			file, _, _ = o.Position("spec.template.spec.containers[0].image")
			assert.Equal(t, filepath.Join(dir, "platform.yaml"), file, "a generated field")
		case o.Kind == "LimitRange":
			saw++
			file, line, _ := o.Position("spec.limits")
			assert.Equal(t, []any{filepath.Join(dir, "kustomize/agent/limits.yaml"), 7}, []any{file, line})
		}
	}
	assert.Equal(t, 2, saw)
}

// TestFromPathsLintsWhatIsDeployed: a rendered tree's overlays are built
// and linted, not the base or area directories they are made of (a base
// lacks what only overlays add, so alone it would report false findings).
func TestFromPathsLintsWhatIsDeployed(t *testing.T) {
	d, err := spec.LoadAndValidate(shop)
	require.NoError(t, err)
	tree, err := render.Render(d.Platform)
	require.NoError(t, err)
	dir := t.TempDir()
	for f, b := range tree {
		require.NoError(t, os.MkdirAll(filepath.Join(dir, filepath.Dir(f)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, f), b, 0o644))
	}
	sets, err := lintinput.FromPaths([]string{dir}, nil, lintinput.Options{})
	require.NoError(t, err)
	var names []string
	for _, s := range sets {
		names = append(names, strings.TrimPrefix(s.Name, dir+string(filepath.Separator)))
	}
	var want []string
	for _, env := range d.Platform.EnvironmentNames() {
		want = append(want, filepath.Join("overlays", env))
	}
	assert.ElementsMatch(t, want, names)
}
