package lintinput_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/platformctl/platformctl/pkg/helmchart"
	"github.com/platformctl/platformctl/pkg/lint"
	"github.com/platformctl/platformctl/pkg/lint/rules"
	"github.com/platformctl/platformctl/pkg/lintinput"
)

// FuzzChart: a chart of one template, whatever its text, values and
// --set, is read and linted without a panic, and every finding and input
// error points at a line the file it names has.
func FuzzChart(f *testing.F) {
	web, err := os.ReadFile(filepath.Join(charts, "web", "templates", "deployment.yaml"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(web), "hostNetwork: true\nimage: {repository: nginx, tag: latest}\n", "replicas=3")
	f.Add("apiVersion: v1\nkind: Pod\nmetadata: {name: {{ .Values.n }}}\nspec:\n  hostPID: {{ .Values.p }}\n", "n: a\np: true\n", "p=false")
	f.Add("{{ range .Values.l }}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: {{ . }}}\n{{ end }}", "l: [a, b, a]", "l={x,y}")
	f.Add("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  {{ .Values.m }}\n", "m: '[a'", "m=name: x")
	f.Add("{{ fail \"no\" }}", "", "")
	f.Fuzz(func(t *testing.T, template, values, set string) {
		dir := t.TempDir()
		files := map[string]string{
			"Chart.yaml":       "apiVersion: v2\nname: c\nversion: 0.1.0\n",
			"values.yaml":      values,
			"templates/a.yaml": template,
		}
		for name, content := range files {
			p := filepath.Join(dir, filepath.FromSlash(name))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		in, err := lintinput.Read([]string{dir}, strings.NewReader(""), lintinput.Options{
			AllowEmpty: true, Values: helmchart.Values{Set: []string{set}},
		})
		if err != nil {
			return // a bad --set, say
		}
		lines := func(file string) int {
			b, err := os.ReadFile(file)
			if err != nil {
				t.Fatalf("%s: %v", file, err)
			}
			return strings.Count(string(b), "\n") + 1
		}
		for _, p := range in.Problems {
			if p.Line < 1 || p.Line > lines(p.File) {
				t.Fatalf("input error at %s:%d, past the file", p.File, p.Line)
			}
		}
		for _, s := range in.Sets {
			res, err := lint.Run(s.Objects, rules.All(), lint.Options{})
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range res.Findings {
				if d.Line < 1 || d.Line > lines(d.File) {
					t.Fatalf("%s at %s:%d, past the file", d.RuleID, d.File, d.Line)
				}
			}
		}
	})
}
