package helmchart_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/platformctl/platformctl/pkg/helmchart"
)

// writeTree writes files (path → content) below a new temporary directory.
func writeTree(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	}
	return dir
}

const chartYAML = "apiVersion: v2\nname: app\nversion: 0.1.0\n"

// rendered renders dir and returns template name → output.
func rendered(t *testing.T, dir string, overrides map[string]any, rel helmchart.Release) map[string]string {
	t.Helper()
	tpls, err := helmchart.Render(dir, overrides, rel)
	require.NoError(t, err)
	out := map[string]string{}
	for _, tp := range tpls {
		out[tp.Name] = tp.Rendered
	}
	return out
}

func TestRender(t *testing.T) {
	tests := []struct {
		name      string
		files     map[string]string
		overrides map[string]any
		rel       helmchart.Release
		want      map[string]string // template name → rendered, exactly
	}{
		{
			name: "release defaults as helm template, NOTES and partials are not manifests, hooks are",
			files: map[string]string{
				"Chart.yaml":                 chartYAML,
				"templates/_helpers.tpl":     `{{ define "app.name" }}{{ .Release.Name }}-{{ .Chart.Name }}{{ end }}`,
				"templates/NOTES.txt":        "installed {{ .Release.Name }}\n",
				"templates/cm.yaml":          "name: {{ include \"app.name\" . }}\nns: {{ .Release.Namespace }}\nservice: {{ .Release.Service }}\n",
				"templates/hook.yaml":        "metadata:\n  annotations: {\"helm.sh/hook\": pre-install}\n",
				"templates/empty.yaml":       "{{- if false }}\nx: 1\n{{- end }}\n",
				"templates/script.sh":        "echo {{ .Release.Name }}\n",
				"templates/sub/deep.yml":     "deep: {{ .Template.Name }}\n",
				"templates/lookup.yaml":      "found: {{ if lookup \"v1\" \"Secret\" \"ns\" \"x\" }}yes{{ else }}no{{ end }}\n",
				"templates/capability.yaml":  "kube: {{ .Capabilities.KubeVersion.Minor }}\n",
				"templates/files.yaml":       "conf: {{ .Files.Get \"conf/app.ini\" | quote }}\n",
				"conf/app.ini":               "a=1",
				"templates/values-nil.yaml":  "gone: {{ hasKey .Values \"drop\" }}\n",
				"values.yaml":                "drop: x\n",
				"templates/_not-a-file.yaml": "a partial: {{ .Values.x }}\n",
			},
			overrides: map[string]any{"drop": nil},
			rel:       helmchart.Release{KubeVersion: "1.31"},
			want: map[string]string{
				"app/templates/cm.yaml":         "name: release-name-app\nns: default\nservice: Helm\n",
				"app/templates/hook.yaml":       "metadata:\n  annotations: {\"helm.sh/hook\": pre-install}\n",
				"app/templates/sub/deep.yml":    "deep: app/templates/sub/deep.yml\n",
				"app/templates/lookup.yaml":     "found: no\n",
				"app/templates/capability.yaml": "kube: 31\n",
				"app/templates/files.yaml":      "conf: \"a=1\"\n",
				"app/templates/values-nil.yaml": "gone: false\n",
			},
		},
		{
			name: "values: chart, then overrides; maps merge; a named release",
			files: map[string]string{
				"Chart.yaml":        chartYAML,
				"values.yaml":       "image: {repository: nginx, tag: \"1.27\"}\nreplicas: 1\n",
				"templates/d.yaml":  "image: {{ .Values.image.repository }}:{{ .Values.image.tag }}\nreplicas: {{ .Values.replicas }}\nrelease: {{ .Release.Name }}/{{ .Release.Namespace }}\n",
				"templates/x.json":  "{\"a\": {{ .Values.replicas }}}\n",
				"charts/.gitkeep":   "",
				"templates/z.yaml":  "# a comment only\n",
				"templates/zz.yaml": "{{/* nothing */}}\n",
			},
			overrides: map[string]any{"image": map[string]any{"tag": "latest"}},
			rel:       helmchart.Release{Name: "shop", Namespace: "prod"},
			want: map[string]string{
				"app/templates/d.yaml": "image: nginx:latest\nreplicas: 1\nrelease: shop/prod\n",
				"app/templates/x.json": "{\"a\": 1}\n",
				"app/templates/z.yaml": "# a comment only\n",
			},
		},
		{
			name: "dependencies from charts/: folder named otherwise, values scoped, globals flow down, conditions, tags and aliases",
			files: map[string]string{
				"Chart.yaml": chartYAML + "dependencies:\n" +
					"- {name: db, version: 0.1.0}\n" +
					"- {name: db, version: 0.1.0, alias: replica, condition: replica.enabled}\n" +
					"- {name: extra, version: 0.1.0, condition: extra.enabled}\n" +
					"- {name: tagged, version: 0.1.0, tags: [extras]}\n",
				"values.yaml":                      "global: {env: prod}\ndb: {size: 5}\nreplica: {enabled: true, size: 1}\nextra: {enabled: false}\ntags: {extras: false}\n",
				"charts/postgres/Chart.yaml":       "apiVersion: v2\nname: db\nversion: 0.1.0\n",
				"charts/postgres/values.yaml":      "size: 1\nport: 5432\nglobal: {env: dev, team: data}\n",
				"charts/postgres/templates/s.yaml": "name: {{ .Chart.Name }}\nsize: {{ .Values.size }}\nport: {{ .Values.port }}\nenv: {{ .Values.global.env }}/{{ .Values.global.team }}\n",
				"charts/extra/Chart.yaml":          "apiVersion: v2\nname: extra\nversion: 0.1.0\n",
				"charts/extra/templates/s.yaml":    "extra: true\n",
				"charts/tagged/Chart.yaml":         "apiVersion: v2\nname: tagged\nversion: 0.1.0\n",
				"charts/tagged/templates/s.yaml":   "tagged: true\n",
			},
			overrides: map[string]any{"db": map[string]any{"port": 6432}},
			want: map[string]string{
				"app/charts/db/templates/s.yaml":      "name: db\nsize: 5\nport: 6432\nenv: prod/data\n",
				"app/charts/replica/templates/s.yaml": "name: replica\nsize: 1\nport: 5432\nenv: prod/data\n",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeTree(t, tt.files)
			assert.Equal(t, tt.want, rendered(t, dir, tt.overrides, tt.rel))
		})
	}
}

// TestRenderFiles: each template's File is the file on disk it came from,
// also for a dependency in a folder not named as the chart, and its Text
// is that file's content.
func TestRenderFiles(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"Chart.yaml":                   chartYAML + "dependencies: [{name: db, version: 0.1.0}]\n",
		"templates/a.yaml":             "a: 1\n",
		"charts/pg-1/Chart.yaml":       "apiVersion: v2\nname: db\nversion: 0.1.0\n",
		"charts/pg-1/templates/b.yaml": "b: {{ 1 }}\n",
	})
	tpls, err := helmchart.Render(dir, nil, helmchart.Release{})
	require.NoError(t, err)
	require.Len(t, tpls, 2)
	assert.Equal(t, "app/charts/db/templates/b.yaml", tpls[0].Name)
	assert.Equal(t, filepath.Join(dir, "charts", "pg-1", "templates", "b.yaml"), tpls[0].File)
	assert.Equal(t, "b: {{ 1 }}\n", tpls[0].Text)
	assert.Equal(t, filepath.Join(dir, "templates", "a.yaml"), tpls[1].File)
}

// TestRenderErrors: what the chart's author must fix is an *Error at the
// file and, where Helm says it, the line and column.
func TestRenderErrors(t *testing.T) {
	tests := []struct {
		name      string
		files     map[string]string
		file      string
		line, col int
		msg       string
	}{
		{
			name: "missing dependency: at its Chart.yaml entry, no download",
			files: map[string]string{
				"Chart.yaml":       chartYAML + "dependencies:\n  - version: 1.x\n    name: redis\n    repository: https://charts.example.com\n",
				"templates/a.yaml": "a: 1\n",
			},
			file: "Chart.yaml", line: 6, col: 11, msg: "dependency \"redis\" is not in",
		},
		{
			name: "required: at the action",
			files: map[string]string{
				"Chart.yaml":       chartYAML,
				"templates/a.yaml": "a: 1\nhost: {{ required \"host is required\" .Values.host }}\n",
			},
			file: "templates/a.yaml", line: 2, col: 9, msg: "template: execution error: host is required",
		},
		{
			name: "fail in a dependency: at the dependency's template",
			files: map[string]string{
				"Chart.yaml":                    chartYAML + "dependencies: [{name: db, version: 0.1.0}]\n",
				"charts/db/Chart.yaml":          "apiVersion: v2\nname: db\nversion: 0.1.0\n",
				"charts/db/templates/a.yaml":    "\n\n  {{ fail \"no db\" }}\n",
				"templates/a.yaml":              "a: 1\n",
				"charts/db/templates/_x.tpl":    "",
				"charts/db/templates/NOTES.txt": "",
			},
			file: "charts/db/templates/a.yaml", line: 3, col: 5, msg: "no db",
		},
		{
			name: "parse error: at the line",
			files: map[string]string{
				"Chart.yaml":       chartYAML,
				"templates/a.yaml": "a: 1\nb: {{ nosuch .Values.x }}\n",
			},
			file: "templates/a.yaml", line: 2, col: 1, msg: "function \"nosuch\" not defined",
		},
		{
			name: "unclosed action",
			files: map[string]string{
				"Chart.yaml":       chartYAML,
				"templates/a.yaml": "a: 1\n\nb: {{ if .Values.x }}\n",
			},
			// Go's parser reports the end of the text: the line after the last newline.
			file: "templates/a.yaml", line: 4, col: 1, msg: "unexpected EOF",
		},
		{
			name: "Chart.yaml without a name",
			files: map[string]string{
				"Chart.yaml":       "apiVersion: v2\nversion: 0.1.0\n",
				"templates/a.yaml": "a: 1\n",
			},
			file: "Chart.yaml", line: 1, col: 1, msg: "cannot load chart",
		},
		{
			name: "Chart.yaml that is not YAML",
			files: map[string]string{
				"Chart.yaml": "name: [\n",
			},
			file: "Chart.yaml", line: 1, col: 1, msg: "cannot load chart",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeTree(t, tt.files)
			_, err := helmchart.Render(dir, nil, helmchart.Release{})
			var he *helmchart.Error
			require.True(t, errors.As(err, &he), "%v", err)
			assert.Equal(t, filepath.Join(dir, filepath.FromSlash(tt.file)), he.File)
			assert.Equal(t, [2]int{tt.line, tt.col}, [2]int{he.Line, he.Col}, he.Msg)
			assert.Contains(t, he.Msg, tt.msg)
			assert.NotContains(t, he.Msg, "\n")
		})
	}
}

func TestOverrides(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"a.yaml":   "image: {repository: nginx, tag: \"1\"}\nlist: [1, 2]\n",
		"b.yaml":   "image: {tag: \"2\"}\nlist: [3]\n",
		"bad.yaml": "a: 1\nb: [\n",
	})
	f := func(n string) string { return filepath.Join(dir, n) }
	tests := []struct {
		name    string
		values  helmchart.Values
		want    map[string]any
		wantErr string
	}{
		{
			name:   "files in order, maps merge, lists replace",
			values: helmchart.Values{Files: []string{f("a.yaml"), f("b.yaml")}},
			want:   map[string]any{"image": map[string]any{"repository": "nginx", "tag": "2"}, "list": []any{float64(3)}},
		},
		{
			name:   "--set after files, typed; --set-string after --set, a string",
			values: helmchart.Values{Files: []string{f("a.yaml")}, Set: []string{"image.tag=3,replicas=2", "list[0]=9"}, SetString: []string{"replicas=4"}},
			want:   map[string]any{"image": map[string]any{"repository": "nginx", "tag": int64(3)}, "list": []any{int64(9), float64(2)}, "replicas": "4"},
		},
		{name: "bad --set", values: helmchart.Values{Set: []string{"a[x]=1"}}, wantErr: `--set "a[x]=1": error parsing index`},
		{name: "missing file", values: helmchart.Values{Files: []string{f("nope.yaml")}}, wantErr: "--values: open " + f("nope.yaml")},
		{name: "bad file, positioned", values: helmchart.Values{Files: []string{f("bad.yaml")}}, wantErr: f("bad.yaml") + ":2:1: invalid values file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.values.Overrides()
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.True(t, strings.HasPrefix(err.Error(), tt.wantErr), err.Error())
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

// TestRenderDoesNotChangeOverrides: one overrides map serves every chart
// of a run, so rendering must not write into it.
func TestRenderDoesNotChangeOverrides(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"Chart.yaml":                 chartYAML + "dependencies: [{name: db, version: 0.1.0}]\n",
		"values.yaml":                "a: {b: 1}\nglobal: {g: 1}\n",
		"templates/a.yaml":           "a: {{ .Values.a.b }}\n",
		"charts/db/Chart.yaml":       "apiVersion: v2\nname: db\nversion: 0.1.0\n",
		"charts/db/values.yaml":      "c: 1\n",
		"charts/db/templates/a.yaml": "c: {{ .Values.c }}\n",
	})
	overrides := map[string]any{"a": map[string]any{"x": 1}}
	for range 2 {
		out := rendered(t, dir, overrides, helmchart.Release{})
		assert.Equal(t, "a: 1\n", out["app/templates/a.yaml"])
		assert.Equal(t, "c: 1\n", out["app/charts/db/templates/a.yaml"])
	}
	assert.Equal(t, map[string]any{"a": map[string]any{"x": 1}}, overrides)
}

func TestIsChart(t *testing.T) {
	dir := writeTree(t, map[string]string{"c/Chart.yaml": chartYAML, "d/Chart.yaml/x": ""})
	assert.True(t, helmchart.IsChart(filepath.Join(dir, "c")))
	assert.False(t, helmchart.IsChart(filepath.Join(dir, "d")), "a folder named Chart.yaml")
	assert.False(t, helmchart.IsChart(dir))
}

// TestRenderArchivedDependency: a dependency packed in charts/ (as `helm
// dependency build` leaves it) renders; its templates' File is where they
// would be unpacked, since the archive has no file to point into.
func TestRenderArchivedDependency(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"Chart.yaml":       chartYAML + "dependencies: [{name: db, version: 0.1.0, repository: https://charts.example.com}]\n",
		"templates/a.yaml": "a: 1\n",
	})
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for name, content := range map[string]string{
		"db/Chart.yaml":       "apiVersion: v2\nname: db\nversion: 0.1.0\n",
		"db/values.yaml":      "port: 5432\n",
		"db/templates/s.yaml": "port: {{ .Values.port }}\n",
	} {
		require.NoError(t, tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(content)), Typeflag: tar.TypeReg}))
		_, err := tw.Write([]byte(content))
		require.NoError(t, err)
	}
	require.NoError(t, tw.Close())
	require.NoError(t, gz.Close())
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "charts"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "charts", "db-0.1.0.tgz"), buf.Bytes(), 0o644))

	tpls, err := helmchart.Render(dir, map[string]any{"db": map[string]any{"port": 6432}}, helmchart.Release{})
	require.NoError(t, err)
	require.Len(t, tpls, 2)
	assert.Equal(t, "app/charts/db/templates/s.yaml", tpls[0].Name)
	assert.Equal(t, "port: 6432\n", tpls[0].Rendered)
	assert.Equal(t, filepath.Join(dir, "charts", "db", "templates", "s.yaml"), tpls[0].File)
}

// TestRenderLinks: a symbolic link inside the chart is followed, as Helm
// follows it; one out of the chart, or to a folder that holds it (Helm's
// loader would walk it round and round), is an *Error at the link.
func TestRenderLinks(t *testing.T) {
	outside := writeTree(t, map[string]string{"secret.yaml": "a: 1\n"})
	tests := []struct {
		name, link, target string
		msg                string
	}{
		{name: "inside", link: "templates/b.yaml", target: "a.yaml"},
		{name: "outside", link: "templates/b.yaml", target: filepath.Join(outside, "secret.yaml"), msg: "outside the chart"},
		{name: "loop", link: "templates/loop", target: "..", msg: "a folder that holds it"},
		{name: "dangling", link: "templates/b.yaml", target: "nope.yaml", msg: "cannot be resolved"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeTree(t, map[string]string{"Chart.yaml": chartYAML, "templates/a.yaml": "a: {{ 1 }}\n"})
			link := filepath.Join(dir, filepath.FromSlash(tt.link))
			require.NoError(t, os.Symlink(tt.target, link))
			tpls, err := helmchart.Render(dir, nil, helmchart.Release{})
			if tt.msg == "" {
				require.NoError(t, err)
				require.Len(t, tpls, 2)
				assert.Equal(t, "a: 1\n", tpls[1].Rendered)
				return
			}
			var he *helmchart.Error
			require.True(t, errors.As(err, &he), "%v", err)
			assert.Equal(t, link, he.File)
			assert.Contains(t, he.Msg, tt.msg)
		})
	}
}
