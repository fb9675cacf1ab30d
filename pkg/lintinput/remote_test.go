package lintinput_test

import (
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/platformctl/platformctl/pkg/lintinput"
)

const remotePod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, image: nginx}]\n"

// netWatch is what lint must not touch: an HTTP server on 127.0.0.1 that
// counts connections, and a fake git first in PATH that records each run.
type netWatch struct {
	url   string
	conns *atomic.Int32
	ran   string // the file the fake git appends to
}

func watchNetwork(t *testing.T) netWatch {
	t.Helper()
	conns := &atomic.Int32{}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(remotePod))
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	bin := t.TempDir()
	ran := filepath.Join(bin, "git-ran")
	require.NoError(t, os.WriteFile(filepath.Join(bin, "git"), []byte("#!/bin/sh\necho \"$@\" >> "+ran+"\nexit 1\n"), 0o755))
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	return netWatch{url: srv.URL, conns: conns, ran: ran}
}

func (w netWatch) touched(t *testing.T) (httpConns int32, gitRan bool) {
	t.Helper()
	_, err := os.Stat(w.ran)
	return w.conns.Load(), err == nil
}

// TestKustomizationRemoteRefused: a remote reference anywhere in the
// Kustomize graph (nested bases, components, generator configs; git and
// http; every field Kustomize loads through) is an input error at its
// entry, before anything is built, and nothing is contacted.
func TestKustomizationRemoteRefused(t *testing.T) {
	w := watchNetwork(t)
	url := w.url + "/pod.yaml"
	git := "ssh://git@127.0.0.1:1/org/repo?ref=v1"
	tests := []struct {
		name  string
		files map[string]string
		want  string
	}{
		{name: "http resource", files: map[string]string{"k/kustomization.yaml": "resources:\n- pod.yaml\n- " + url + "\n", "k/pod.yaml": remotePod},
			want: `k/kustomization.yaml:3:3: resources[1]: "` + url + `" is a remote URL (Kustomize fetches it over HTTP or clones it with git)`},
		{name: "git base in a nested base", files: map[string]string{
			"k/kustomization.yaml":      "resources: [base]\n",
			"k/base/kustomization.yaml": "resources:\n  - " + git + "\n"},
			want: `k/base/kustomization.yaml:2:5: resources[0]: "` + git + `" is a git repository (Kustomize clones it by running git)`},
		{name: "github shorthand component", files: map[string]string{"k/kustomization.yaml": "components: [github.com/org/repo/components/x]\n"},
			want: `k/kustomization.yaml:1:14: components[0]: "github.com/org/repo/components/x" is a git repository`},
		{name: "scp-style bases", files: map[string]string{"k/kustomization.yaml": "bases: [\"git::me@127.0.0.1:org/repo\"]\n"},
			want: `k/kustomization.yaml:1:9: bases[0]: "git::me@127.0.0.1:org/repo" is a git repository`},
		{name: "openapi path", files: map[string]string{"k/kustomization.yaml": "resources: [pod.yaml]\nopenapi:\n  path: " + w.url + "/schema.json\n", "k/pod.yaml": remotePod},
			want: `k/kustomization.yaml:3:9: openapi.path: "` + w.url + `/schema.json" is a remote URL (Kustomize fetches it over HTTP)`},
		{name: "patch path", files: map[string]string{"k/kustomization.yaml": "resources: [pod.yaml]\npatches:\n- path: " + url + "\n", "k/pod.yaml": remotePod},
			want: `k/kustomization.yaml:3:9: patches[0].path: "` + url + `" is a remote URL`},
		{name: "json6902 and replacements", files: map[string]string{"k/kustomization.yaml": "resources: [pod.yaml]\npatchesJson6902:\n- {path: " + url + ", target: {kind: Pod}}\nreplacements:\n- path: " + url + "\n", "k/pod.yaml": remotePod},
			want: `k/kustomization.yaml:3:10: patchesJson6902[0].path: "` + url + `" is a remote URL (Kustomize fetches it over HTTP): lint does not fetch anything, ` +
				"so that a repository can be linted without reaching the network; vendor it, or pass --allow-remote\n" +
				`k/kustomization.yaml:5:9: replacements[0].path: "` + url + `" is a remote URL (Kustomize fetches it over HTTP)`},
		{name: "crds, configurations, strategic merge", files: map[string]string{"k/kustomization.yaml": "resources: [pod.yaml]\ncrds: [" + url + "]\nconfigurations: [" + url + "]\npatchesStrategicMerge: [" + url + "]\n", "k/pod.yaml": remotePod},
			want: `k/kustomization.yaml:2:8: crds[0]: "` + url + `" is a remote URL`},
		{name: "configMapGenerator files and envs", files: map[string]string{"k/kustomization.yaml": "configMapGenerator:\n- name: c\n  files: [key=" + url + "]\n  envs: [" + url + "]\nsecretGenerator:\n- {name: s, env: " + url + "}\n"},
			want: `k/kustomization.yaml:3:11: configMapGenerator[0].files[0]: "` + url + `" is a remote URL`},
		{name: "a generator config's files", files: map[string]string{
			"k/kustomization.yaml": "generators: [gen.yaml]\n",
			"k/gen.yaml":           "apiVersion: builtin\nkind: ConfigMapGenerator\nmetadata: {name: c}\nfiles:\n- " + url + "\n"},
			want: `k/gen.yaml:5:3: ConfigMapGenerator.files[0]: "` + url + `" is a remote URL`},
		{name: "a transformer directory's patch config", files: map[string]string{
			"k/kustomization.yaml":   "resources: [pod.yaml]\ntransformers: [t]\n",
			"k/pod.yaml":             remotePod,
			"k/t/kustomization.yaml": "resources: [patch.yaml]\n",
			"k/t/patch.yaml":         "apiVersion: builtin\nkind: PatchTransformer\nmetadata: {name: p}\npath: " + url + "\n"},
			want: `k/t/patch.yaml:4:7: path: "` + url + `" is a remote URL`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Chdir(t.TempDir())
			writeTree(t, tt.files)
			_, err := lintinput.FromPaths([]string{"k"}, strings.NewReader(""), lintinput.Options{})
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.Contains(t, err.Error(), "vendor it, or pass --allow-remote")
			conns, gitRan := w.touched(t)
			assert.Zero(t, conns, "HTTP connections")
			assert.False(t, gitRan, "git was run")
		})
	}
}

// TestKustomizationAllowRemote: with AllowRemote the same references are
// fetched, which is also how the test above knows its watch works.
func TestKustomizationAllowRemote(t *testing.T) {
	w := watchNetwork(t)
	t.Chdir(t.TempDir())
	writeTree(t, map[string]string{"k/kustomization.yaml": "resources: [" + w.url + "/pod.yaml]\n"})
	sets, err := lintinput.FromPaths([]string{"k"}, strings.NewReader(""), lintinput.Options{AllowRemote: true})
	require.NoError(t, err)
	require.Len(t, sets, 1)
	assert.Equal(t, "p", sets[0].Objects[0].Name)
	conns, _ := w.touched(t)
	assert.Positive(t, conns)

	writeTree(t, map[string]string{"g/kustomization.yaml": "resources: [\"ssh://git@127.0.0.1:1/org/repo\"]\n"})
	_, err = lintinput.FromPaths([]string{"g"}, strings.NewReader(""), lintinput.Options{AllowRemote: true})
	require.Error(t, err, "the fake git fails the clone")
	_, gitRan := w.touched(t)
	assert.True(t, gitRan)
}
