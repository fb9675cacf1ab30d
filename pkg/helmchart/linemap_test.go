package helmchart_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/platformctl/platformctl/pkg/helmchart"
)

func TestLineMap(t *testing.T) {
	tests := []struct {
		name     string
		template string
		rendered string
		want     []int // template line of each rendered line, 0 for unknown
	}{
		{
			name:     "static lines map, lines an action wrote do not",
			template: "a: 1\nb: {{ .Values.b }}\nc: 3\n",
			rendered: "a: 1\nb: 2\nc: 3\n",
			want:     []int{1, 0, 3, 0},
		},
		{
			name:     "a removed block shifts the lines after it",
			template: "a: 1\n{{- if .Values.x }}\nx: 1\n{{- end }}\nc: 3\n",
			rendered: "a: 1\nc: 3\n",
			want:     []int{1, 5, 0},
		},
		{
			name:     "repeated text maps in order",
			template: "kind: A\n  name: web\n---\nkind: B\n  name: web\n",
			rendered: "kind: A\n  name: web\n---\nkind: B\n  name: web\n",
			want:     []int{1, 2, 3, 4, 5, 0},
		},
		{
			name:     "a loop's lines map to the loop body, every iteration",
			template: "ports:\n{{- range .Values.ports }}\n- protocol: TCP\n  port: {{ . }}\n{{- end }}\n",
			rendered: "ports:\n- protocol: TCP\n  port: 80\n- protocol: TCP\n  port: 443\n",
			want:     []int{1, 3, 0, 3, 0, 0},
		},
		{
			name:     "an action over several lines makes them all dynamic",
			template: "a: {{\n  .Values.a\n}}\nb: 1\n  .Values.a\n",
			rendered: "a: x\nb: 1\n  .Values.a\n",
			want:     []int{0, 4, 5, 0},
		},
		{
			name:     "a comment action is an action; CRLF line ends match LF output",
			template: "{{/* about a */}}\r\na: 1\r\n",
			rendered: "a: 1\n",
			want:     []int{2, 0},
		},
		{
			name:     "blank lines never map",
			template: "a: 1\n\nb: 2\n",
			rendered: "\na: 1\n\nb: 2\n",
			want:     []int{0, 1, 0, 3, 0},
		},
		{
			name:     "an unclosed action runs to the end",
			template: "a: 1\n{{ if\nb: 2\n",
			rendered: "a: 1\nb: 2\n",
			want:     []int{1, 0, 0},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := helmchart.NewLineMap(tt.template, tt.rendered)
			var got []int
			for r := 1; r <= strings.Count(tt.rendered, "\n")+1; r++ {
				got = append(got, m.Line(r))
			}
			assert.Equal(t, tt.want, got)
			assert.Zero(t, m.Line(0))
			assert.Zero(t, m.Line(len(got)+1))
		})
	}
}

// FuzzRender: whatever the template text, the values files and --set
// strings, rendering returns templates or an error and never panics, and
// every line it maps is a line of the template.
func FuzzRender(f *testing.F) {
	f.Add("a: {{ .Values.a }}\n", "a: 1\n", "a=2")
	f.Add("{{ required \"x\" .Values.x }}", "", "x.y[0]=1")
	f.Add("{{ range .Values.l }}- {{ . }}\n{{ end }}", "l: [1, 2]", "l={3,4}")
	f.Add("{{ template \"missing\" }}", "a: [", "a\\.b=c")
	f.Add("{{ include \"x\" . }}{{ define \"x\" }}{{ include \"x\" . }}{{ end }}", "{}", "")
	f.Add("{{ tpl .Values.t . }}", "t: '{{ .Values.t }}'", "t={{ fail \"x\" }}")
	f.Add("{{ toYaml .Values | nindent 2 }}", "global: {a: 1}", "global=null")
	f.Add("{{ lookup \"v1\" \"Pod\" \"\" \"\" }}{{ getHostByName \"example.com\" }}", "", "a[-1]=1")
	f.Fuzz(func(t *testing.T, template, values, set string) {
		dir := writeTree(t, map[string]string{
			"Chart.yaml":       chartYAML,
			"values.yaml":      values,
			"templates/a.yaml": template,
			"user.yaml":        values,
		})
		v := helmchart.Values{Files: []string{filepath.Join(dir, "user.yaml")}, Set: []string{set}, SetString: []string{set}}
		overrides, err := v.Overrides()
		if err != nil {
			return
		}
		tpls, err := helmchart.Render(dir, overrides, helmchart.Release{})
		if err != nil {
			return
		}
		lines := strings.Count(template, "\n") + 1
		for _, tp := range tpls {
			m := helmchart.NewLineMap(tp.Text, tp.Rendered)
			for r := range strings.Count(tp.Rendered, "\n") + 2 {
				if l := m.Line(r); l < 0 || l > lines {
					t.Fatalf("rendered line %d maps to %d, past the template's %d lines", r, l, lines)
				}
			}
		}
	})
}
