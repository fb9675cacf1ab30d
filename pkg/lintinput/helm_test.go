package lintinput_test

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/platformctl/platformctl/pkg/helmchart"
	"github.com/platformctl/platformctl/pkg/lint"
	"github.com/platformctl/platformctl/pkg/lint/rules"
	"github.com/platformctl/platformctl/pkg/lintinput"
)

// charts are the fixtures under testdata/charts: web (a Deployment and a
// pre-install hook Job; NOTES.txt and a partial), withdep (a dependency in
// charts/cache-chart, a folder not named as the chart), missingdep (a
// dependency charts/ lacks), required and syntax (templates that fail).
const charts = "testdata/charts"

// positions lints what Read found and returns "file:line:col rule" for
// every finding of the given rules, and "file:line:col input-error: msg"
// for every input problem, sorted.
func positions(t *testing.T, in lintinput.Inputs, ruleIDs ...string) []string {
	t.Helper()
	want := map[string]bool{}
	for _, r := range ruleIDs {
		want[r] = true
	}
	var out []string
	for _, s := range in.Sets {
		res, err := lint.Run(s.Objects, rules.All(), lint.Options{})
		require.NoError(t, err)
		for _, d := range res.Findings {
			if want[d.RuleID] {
				out = append(out, fmt.Sprintf("%s:%d:%d %s", d.File, d.Line, d.Column, d.RuleID))
			}
		}
	}
	for _, p := range in.Problems {
		out = append(out, fmt.Sprintf("%s:%d:%d input-error: %s", p.File, p.Line, p.Col, p.Msg))
	}
	sort.Strings(out)
	return out
}

func chartFile(parts ...string) string {
	return filepath.Join(append([]string{charts}, parts...)...)
}

// TestChartFindingsPointAtTemplates: a chart is rendered and its findings
// point at the template file; at the template's line when the finding's
// line is static text of it (hostNetwork, hostPID, hostIPC below), else at
// the line the object starts on in the template (the image an action
// wrote). Values files and --set change what fires.
func TestChartFindingsPointAtTemplates(t *testing.T) {
	deploy := chartFile("web", "templates", "deployment.yaml")
	hook := chartFile("web", "templates", "hooks", "migrate.yaml")
	tests := []struct {
		name   string
		args   []string
		values helmchart.Values
		rules  []string
		want   []string
	}{
		{
			name:  "chart defaults: only the hook's hostPID fires",
			args:  []string{chartFile("web")},
			rules: []string{"host-network", "host-pid", "latest-image-tag", "replicas-below-minimum"},
			want: []string{
				deploy + ":1:1 replicas-below-minimum",
				hook + ":10:16 host-pid",
			},
		},
		{
			name:   "a values file turns hostNetwork on, --set moves the image to latest and scales up",
			args:   []string{chartFile("web")},
			values: helmchart.Values{Files: []string{filepath.Join("testdata", "values", "prod.yaml")}, Set: []string{"image.tag=latest", "replicas=3"}},
			rules:  []string{"host-network", "host-pid", "latest-image-tag", "replicas-below-minimum"},
			want: []string{
				deploy + ":18:20 host-network",
				deploy + ":1:1 latest-image-tag",
				hook + ":10:16 host-pid",
				hook + ":1:1 latest-image-tag",
			},
		},
		{
			name:   "--set-string wins over the values file: a string is not true",
			args:   []string{chartFile("web")},
			values: helmchart.Values{Files: []string{filepath.Join("testdata", "values", "prod.yaml")}, SetString: []string{"hostNetwork="}},
			rules:  []string{"host-network"},
		},
		{
			name:  "a dependency's findings point into its folder in charts/",
			args:  []string{chartFile("withdep")},
			rules: []string{"host-ipc"},
			want:  []string{chartFile("withdep", "charts", "cache-chart", "templates", "pod.yaml") + ":6:12 host-ipc"},
		},
		{
			name:  "found while walking: charts are rendered, not read as YAML; the other charts still are",
			args:  []string{charts},
			rules: []string{"host-ipc", "host-pid"},
			want: []string{
				chartFile("missingdep", "Chart.yaml") + ":5:11 input-error: dependency \"postgresql\" is not in " + chartFile("missingdep", "charts") + "/; run `helm dependency build " + chartFile("missingdep") + "` (lint never downloads charts)",
				chartFile("required", "templates", "configmap.yaml") + ":6:11 input-error: template: execution error: dbHost is required",
				chartFile("syntax", "templates", "configmap.yaml") + ":6:1 input-error: template: parse error: function \"nosuchfunc\" not defined",
				hook + ":10:16 host-pid",
				chartFile("withdep", "charts", "cache-chart", "templates", "pod.yaml") + ":6:12 host-ipc",
			},
		},
		{
			name:   "--set fixes the failing template",
			args:   []string{chartFile("required")},
			values: helmchart.Values{Set: []string{"dbHost=db.example.com"}},
			rules:  []string{"host-pid"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, err := lintinput.Read(tt.args, strings.NewReader(""), lintinput.Options{Values: tt.values, AllowEmpty: true})
			require.NoError(t, err)
			want := append([]string(nil), tt.want...)
			sort.Strings(want)
			assert.Equal(t, want, positions(t, in, tt.rules...))
		})
	}
}

// TestChartSets: a chart is one set of its own, named for it, counting the
// templates that rendered to manifests (not NOTES.txt, not the partial).
func TestChartSets(t *testing.T) {
	in, err := lintinput.Read([]string{chartFile("web")}, strings.NewReader(""), lintinput.Options{})
	require.NoError(t, err)
	require.Len(t, in.Sets, 1)
	assert.Equal(t, "helm chart "+chartFile("web"), in.Sets[0].Name)
	assert.Equal(t, 2, in.Sets[0].Files)
	var got []string
	for _, o := range in.Sets[0].Objects {
		got = append(got, o.Ref()+" "+o.Source)
	}
	assert.Equal(t, []string{
		"Deployment release-name-web # Source: web/templates/deployment.yaml",
		"Job release-name-web-migrate # Source: web/templates/hooks/migrate.yaml",
	}, got)
}

// TestChartBadInput: what is wrong with a chart or its output is an input
// error at the template; what is wrong with the flags ends the run.
func TestChartBadInput(t *testing.T) {
	tests := []struct {
		name     string
		files    map[string]string
		values   helmchart.Values
		arg      string   // below the directory; the directory when empty
		problems []string // file:line:col: message, with DIR for the chart
		err      string
	}{
		{
			name: "an object without a name, at its static line",
			files: map[string]string{
				"c/Chart.yaml":       "apiVersion: v2\nname: c\nversion: 0.1.0\n",
				"c/templates/a.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  labels: {a: b}\n",
			},
			problems: []string{"DIR/c/templates/a.yaml:3:1: ConfigMap has no metadata.name"},
		},
		{
			name: "output that is not YAML, on a line an action wrote: line 1, saying which output line",
			files: map[string]string{
				"c/Chart.yaml":       "apiVersion: v2\nname: c\nversion: 0.1.0\n",
				"c/templates/a.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata:\n  {{ .Values.bad }}\n",
				"c/values.yaml":      "bad: '[a'\n",
			},
			problems: []string{"DIR/c/templates/a.yaml:1:1: invalid YAML"},
		},
		{
			name:   "--values with no chart among the inputs",
			files:  map[string]string{"a.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n"},
			values: helmchart.Values{Set: []string{"a=1"}},
			err:    "--values, --set and --set-string apply to Helm charts, and no input is one",
		},
		{
			name:   "a bad --set ends the run before any chart",
			files:  map[string]string{"c/Chart.yaml": "apiVersion: v2\nname: c\nversion: 0.1.0\n"},
			values: helmchart.Values{Set: []string{"a[x]=1"}},
			err:    `--set "a[x]=1"`,
		},
		{
			name:   "a values file that is not there",
			files:  map[string]string{"c/Chart.yaml": "apiVersion: v2\nname: c\nversion: 0.1.0\n"},
			values: helmchart.Values{Files: []string{"/nonexistent/values.yaml"}},
			err:    "--values: open /nonexistent/values.yaml",
		},
		{
			name: "a chart that renders nothing is an argument with no objects",
			files: map[string]string{
				"c/Chart.yaml":          "apiVersion: v2\nname: c\nversion: 0.1.0\n",
				"c/templates/a.yaml":    "{{- if .Values.on }}\napiVersion: v1\n{{- end }}\n",
				"c/templates/NOTES.txt": "hello\n",
			},
			arg: "c",
			err: "the Helm chart renders no manifests with these values",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, content := range tt.files {
				p := filepath.Join(dir, filepath.FromSlash(name))
				require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
				require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
			}
			in, err := lintinput.Read([]string{filepath.Join(dir, tt.arg)}, strings.NewReader(""), lintinput.Options{Values: tt.values})
			if tt.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.err)
				return
			}
			require.NoError(t, err)
			var got []string
			for _, p := range in.Problems {
				got = append(got, strings.ReplaceAll(p.Error(), dir, "DIR"))
			}
			require.Len(t, got, len(tt.problems), "%v", got)
			for i, want := range tt.problems {
				assert.True(t, strings.HasPrefix(got[i], want), "%s\nwant prefix %s", got[i], want)
			}
		})
	}
}
