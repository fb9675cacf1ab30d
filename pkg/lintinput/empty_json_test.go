package lintinput_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/platformctl/platformctl/pkg/lintinput"
)

// writeTree writes files (path: content) under the working directory.
func writeTree(t *testing.T, files map[string]string) {
	t.Helper()
	for p, content := range files {
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	}
}

// jsonPod is JSON kubectl applies and go-yaml alone would refuse (\/).
const jsonPod = "{\n\t\"apiVersion\": \"v1\",\n\t\"kind\": \"Pod\",\n\t\"metadata\": {\"name\": \"%s\", \"annotations\": {\"a\": \"x\\/y\"}},\n" +
	"\t\"spec\": {\"hostNetwork\": true, \"containers\": [{\"name\": \"c\", \"image\": \"nginx\"}]}\n}\n"

// TestFromPathsReadsJSON: .json manifests are read in folders, as named
// files and as Kustomize resources, like kubectl apply -f and -k read them.
func TestFromPathsReadsJSON(t *testing.T) {
	t.Chdir(t.TempDir())
	writeTree(t, map[string]string{
		"folder/pod.json":         strings.Replace(jsonPod, "%s", "in-folder", 1),
		"named.json":              strings.Replace(jsonPod, "%s", "named", 1),
		"kust/kustomization.yaml": "resources: [pod.json]\n",
		// Kustomize reads JSON with go-yaml, which refuses the \/ escape: none here.
		"kust/pod.json":    strings.Replace(strings.Replace(jsonPod, "%s", "in-kustomization", 1), `\/`, "/", 1),
		"folder/notes.txt": "not a manifest",
	})
	sets, err := lintinput.FromPaths([]string{"folder", "named.json", "kust"}, strings.NewReader(""), lintinput.Options{})
	require.NoError(t, err)
	got := map[string]string{}
	for _, s := range sets {
		for _, o := range s.Objects {
			file, line, col := o.Position("spec.hostNetwork")
			got[o.Name] = fmt.Sprintf("%s:%d:%d", filepath.ToSlash(file), line, col)
		}
	}
	assert.Equal(t, map[string]string{
		"in-folder":        "folder/pod.json:5:26",
		"named":            "named.json:5:26",
		"in-kustomization": "kust/pod.json:5:26",
	}, got)
}

// TestFromPathsNothingToLint: an argument that yields no object is an
// input error naming it (an empty pipe is usually a failed command), unless
// AllowEmpty; one empty argument among others is enough.
func TestFromPathsNothingToLint(t *testing.T) {
	t.Chdir(t.TempDir())
	writeTree(t, map[string]string{
		"empty/notes.txt":                 "not a manifest",
		"comments.yaml":                   "# nothing here\n---\n",
		"ok.yaml":                         "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n",
		"nothing/kustomization.yaml":      "resources: []\n",
		"tree/nothing/kustomization.yaml": "resources: []\n",
	})
	require.NoError(t, os.Mkdir("bare", 0o755))
	for _, tt := range []struct {
		name  string
		args  []string
		stdin string
		want  string
	}{
		{name: "empty stdin", args: []string{"-"},
			want: "no objects to lint in standard input: it was empty (did the command piping into lint fail?); pass --allow-empty if that is expected"},
		{name: "empty stdin among files", args: []string{"ok.yaml", "-"},
			want: "no objects to lint in standard input: it was empty (did the command piping into lint fail?); pass --allow-empty if that is expected"},
		{name: "stdin of comments", args: []string{"-"}, stdin: "# kustomize failed\n",
			want: "no objects to lint in standard input: it was empty (did the command piping into lint fail?); pass --allow-empty if that is expected"},
		{name: "folder without manifests", args: []string{"empty"},
			want: "no objects to lint in empty: it holds no *.yaml, *.yml or *.json files with objects; pass --allow-empty if that is expected"},
		{name: "empty folder", args: []string{"bare", "ok.yaml"},
			want: "no objects to lint in bare: it holds no *.yaml, *.yml or *.json files with objects; pass --allow-empty if that is expected"},
		{name: "file of comments", args: []string{"comments.yaml"},
			want: "no objects to lint in comments.yaml: it holds only comments or empty documents; pass --allow-empty if that is expected"},
		{name: "kustomization without resources", args: []string{"nothing"},
			want: "no objects to lint in nothing: the Kustomize build has no resources; pass --allow-empty if that is expected"},
		{name: "folder whose kustomization builds nothing", args: []string{"tree"},
			want: "no objects to lint in tree: it holds no *.yaml, *.yml or *.json files with objects; pass --allow-empty if that is expected"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := lintinput.FromPaths(tt.args, strings.NewReader(tt.stdin), lintinput.Options{})
			require.EqualError(t, err, tt.want)
			_, err = lintinput.FromPaths(tt.args, strings.NewReader(tt.stdin), lintinput.Options{AllowEmpty: true})
			require.NoError(t, err)
		})
	}
}
