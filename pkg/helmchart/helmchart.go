// Package helmchart renders a Helm chart directory offline, as
// `helm template` would with no cluster: the chart's values, then each
// values file in order, then --set and --set-string; dependencies only from
// the chart's charts/ folder; `lookup` returns nothing and no hook runs.
// It returns each rendered template with its text, so a caller can map a
// rendered line back to the template line it came from (see LineMap).
package helmchart

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	yaml "go.yaml.in/yaml/v3"

	ci "helm.sh/helm/v4/pkg/chart"
	"helm.sh/helm/v4/pkg/chart/common"
	chart "helm.sh/helm/v4/pkg/chart/v2"
	"helm.sh/helm/v4/pkg/chart/v2/loader"
	"helm.sh/helm/v4/pkg/engine"
	"helm.sh/helm/v4/pkg/strvals"

	"github.com/platformctl/platformctl/pkg/lint"
)

// ChartFile is the file that makes a directory a chart.
const ChartFile = "Chart.yaml"

// Release names and namespace are `helm template`'s defaults with no flags
// and no kubeconfig, so a chart renders here as it does there.
const (
	DefaultRelease   = "release-name"
	DefaultNamespace = "default"
)

// IsChart says whether dir holds a Chart.yaml (a regular file).
func IsChart(dir string) bool {
	st, err := os.Stat(filepath.Join(dir, ChartFile))
	return err == nil && st.Mode().IsRegular()
}

// Values are the user's value overrides, in the order Helm applies them.
type Values struct {
	// Files are --values files, merged in order over the chart's values.
	Files []string
	// Set and SetString are --set and --set-string, applied after the
	// files, each in order, with Helm's strvals syntax.
	Set, SetString []string
}

// Empty says whether no override is given.
func (v Values) Empty() bool {
	return len(v.Files) == 0 && len(v.Set) == 0 && len(v.SetString) == 0
}

// Error is a problem with a chart, a values file or a template, at a
// position when one is known (Line 0 when not).
type Error struct {
	File      string
	Line, Col int
	Msg       string
}

func (e *Error) Error() string {
	if e.Line == 0 {
		return e.File + ": " + e.Msg
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
}

// Overrides reads the values files and parses --set and --set-string
// into one map: a later file or flag wins, maps merge key by key (Helm's
// `-f a.yaml -f b.yaml --set x=1`). It reads no chart, so a bad flag is
// found before any chart is rendered.
func (v Values) Overrides() (map[string]any, error) {
	out := map[string]any{}
	for _, f := range v.Files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("--values: %w", err)
		}
		vals, err := common.ReadValues(data)
		if err != nil {
			line := yamlErrorLine(err)
			return nil, &Error{File: f, Line: line, Col: min(line, 1), Msg: "invalid values file: " + strings.TrimPrefix(err.Error(), "error converting YAML to JSON: ")}
		}
		out = merge(out, vals)
	}
	for _, s := range v.Set {
		if err := strvals.ParseInto(s, out); err != nil {
			return nil, fmt.Errorf("--set %q: %w", s, err)
		}
	}
	for _, s := range v.SetString {
		if err := strvals.ParseIntoString(s, out); err != nil {
			return nil, fmt.Errorf("--set-string %q: %w", s, err)
		}
	}
	return out, nil
}

// merge copies src over dst: maps merge key by key, anything else replaces.
func merge(dst, src map[string]any) map[string]any {
	for k, sv := range src {
		if sm, ok := sv.(map[string]any); ok {
			if dm, ok := dst[k].(map[string]any); ok {
				dst[k] = merge(dm, sm)
				continue
			}
		}
		dst[k] = sv
	}
	return dst
}

// yamlErrorLineRE finds sigs.k8s.io/yaml's "yaml: line N:".
var yamlErrorLineRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`line (\d+):`) })

func yamlErrorLine(err error) int {
	if m := yamlErrorLineRE().FindStringSubmatch(err.Error()); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n
	}
	return 0
}

// Release is who the chart is rendered for: .Release.Name and
// .Release.Namespace (the defaults when empty) and, when set, the
// Kubernetes version .Capabilities.KubeVersion says ("1.31").
type Release struct {
	Name, Namespace, KubeVersion string
}

// Template is one rendered template of the chart or of a dependency.
type Template struct {
	// Name is the template's path as Helm's `# Source:` comment says it
	// (mychart/templates/deployment.yaml, mychart/charts/db/templates/…).
	Name string
	// File is that template on disk, below the chart directory; for a
	// dependency packed as an archive in charts/, the path it would have
	// unpacked.
	File string
	// Text is the template, Rendered what it rendered to.
	Text, Rendered string
}

// Render loads the chart in dir with its dependencies from charts/,
// merges overrides over its values and renders every template. Templates
// that are not manifests (NOTES.txt, partials, other extensions) and those
// that render to nothing are left out; hook templates are kept, since
// they are objects the cluster gets too. The templates come back sorted
// by name. A problem the chart's author can fix is an *Error: at the
// template's file:line:col when Helm's message tells it, at Chart.yaml's
// dependency entry for a dependency not in charts/.
func Render(dir string, overrides map[string]any, rel Release) ([]Template, error) {
	if err := checkLinks(dir); err != nil {
		return nil, err
	}
	ch, err := loader.LoadDir(dir)
	if err != nil {
		return nil, &Error{File: filepath.Join(dir, ChartFile), Line: 1, Col: 1, Msg: "cannot load chart: " + err.Error()}
	}
	if err := checkDependencies(dir, ch); err != nil {
		return nil, err
	}
	// The overrides are copied: the same map is given to every chart of a
	// run, and coalescing writes into the maps it is handed. Conditions
	// and tags are read from the values coalesced before any dependency
	// is dropped or renamed; the values the templates see are coalesced
	// again for the dependencies that are left, under their aliases.
	enableDependencies(ch, coalesce(ch, deepCopy(overrides)))
	vals := coalesce(ch, deepCopy(overrides))
	caps := common.DefaultCapabilities
	if rel.KubeVersion != "" {
		kv, err := common.ParseKubeVersion(rel.KubeVersion)
		if err != nil {
			return nil, fmt.Errorf("kube version %q: %w", rel.KubeVersion, err)
		}
		c := *caps
		c.KubeVersion = *kv
		caps = &c
	}
	opts := common.ReleaseOptions{Name: rel.Name, Namespace: rel.Namespace, Revision: 1, IsInstall: true}
	if opts.Name == "" {
		opts.Name = DefaultRelease
	}
	if opts.Namespace == "" {
		opts.Namespace = DefaultNamespace
	}
	meta, err := ci.NewAccessor(ch)
	if err != nil {
		return nil, &Error{File: filepath.Join(dir, ChartFile), Line: 1, Col: 1, Msg: "cannot load chart: " + err.Error()}
	}
	// What `helm template` gives templates at the top ($): the chart's
	// metadata, the release, the capabilities and the values.
	top := common.Values{
		"Chart":        meta.MetadataAsMap(),
		"Capabilities": caps,
		"Release": map[string]any{
			"Name": opts.Name, "Namespace": opts.Namespace, "Revision": opts.Revision,
			"IsInstall": opts.IsInstall, "IsUpgrade": opts.IsUpgrade, "Service": "Helm",
		},
		"Values": common.Values(vals),
	}
	texts := map[string]string{}
	collectTemplates(ch, texts)
	// No client: `lookup` returns an empty map, as in `helm template`;
	// DNS lookups are off (the Engine's zero value).
	out, err := engine.Engine{}.RenderWithContext(context.Background(), ch, top)
	if err != nil {
		return nil, templateError(dir, ch.Name(), err)
	}
	var tpls []Template
	for name, rendered := range out {
		if !isManifest(name) || strings.TrimSpace(rendered) == "" {
			continue
		}
		tpls = append(tpls, Template{Name: name, File: diskPath(dir, name, texts[name]), Text: texts[name], Rendered: rendered})
	}
	sort.Slice(tpls, func(i, j int) bool { return tpls[i].Name < tpls[j].Name })
	return tpls, nil
}

// isManifest keeps what `helm template` prints as manifests.
func isManifest(name string) bool {
	base := path.Base(name)
	if strings.HasPrefix(base, "_") || strings.EqualFold(base, "NOTES.txt") {
		return false
	}
	switch path.Ext(base) {
	case ".yaml", ".yml", ".json":
		return true
	}
	return false
}

// collectTemplates maps each template's full name (as the engine names it)
// to its text, through the dependencies left after ProcessDependencies.
func collectTemplates(ch *chart.Chart, into map[string]string) {
	for _, t := range ch.Templates {
		into[path.Join(ch.ChartFullPath(), t.Name)] = string(t.Data)
	}
	for _, d := range ch.Dependencies() {
		collectTemplates(d, into)
	}
}

// diskPath is where the template name (chart/charts/dep/templates/x.yaml)
// is below dir. A dependency's folder in charts/ need not be named as the
// chart (nor its alias), so when the literal path is not the file, the
// template is looked for in every charts/* folder at that depth, by
// content.
func diskPath(dir, name, text string) string {
	_, rest, _ := strings.Cut(name, "/")
	literal := filepath.Join(dir, filepath.FromSlash(rest))
	if sameContent(literal, text) {
		return literal
	}
	parts := strings.Split(rest, "/")
	for i := 0; i+1 < len(parts); i++ {
		if parts[i] == "charts" {
			parts[i+1] = "*"
			i++
		}
	}
	matches, _ := filepath.Glob(filepath.Join(dir, filepath.FromSlash(strings.Join(parts, "/"))))
	for _, m := range matches {
		if sameContent(m, text) {
			return m
		}
	}
	return literal
}

func sameContent(file, text string) bool {
	b, err := os.ReadFile(file)
	return err == nil && strings.TrimPrefix(string(b), "\ufeff") == text
}

// checkDependencies refuses a dependency Chart.yaml lists that charts/
// does not hold: Helm would download it (`helm dependency build`); lint
// never reaches the network, so it says where the entry is and what to run.
func checkDependencies(dir string, ch *chart.Chart) error {
	have := map[string]bool{}
	for _, d := range ch.Dependencies() {
		have[d.Name()] = true
	}
	var errs []error
	for i, d := range ch.Metadata.Dependencies {
		if d == nil || have[d.Name] {
			continue
		}
		file := filepath.Join(dir, ChartFile)
		line, col := dependencyPosition(file, i)
		errs = append(errs, &Error{File: file, Line: line, Col: col, Msg: fmt.Sprintf(
			"dependency %q is not in %s; run `helm dependency build %s` (lint never downloads charts)",
			d.Name, filepath.Join(dir, "charts")+string(filepath.Separator), dir)})
	}
	return errors.Join(errs...)
}

// dependencyPosition is where dependencies[i] is in Chart.yaml (its name,
// else the entry), or 1:1.
func dependencyPosition(file string, i int) (line, col int) {
	b, err := os.ReadFile(file)
	if err != nil {
		return 1, 1
	}
	var doc yaml.Node
	if yaml.Unmarshal(b, &doc) != nil || len(doc.Content) == 0 {
		return 1, 1
	}
	deps := lint.Field(doc.Content[0], "dependencies")
	if deps == nil || deps.Kind != yaml.SequenceNode || i >= len(deps.Content) {
		return 1, 1
	}
	entry := deps.Content[i]
	if n := lint.Field(entry, "name"); n != nil {
		return n.Line, n.Column
	}
	return entry.Line, entry.Column
}

// templateLocationRE is the location Helm's engine puts in its parse and
// execution errors: (chart/templates/x.yaml:12) or (…:12:5), or, for other
// execution errors, a line of its own that is chart/templates/x.yaml:12:5.
var templateLocationRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?m)(?:\(|^)([^\s():]+):(\d+)(?::(\d+))?(?:\)|$)`)
})

// templateError makes the engine's error an *Error at the template's
// position when the message names one (the template named with the chart
// name first, as Helm names it), else at Chart.yaml.
func templateError(dir, chartName string, err error) error {
	msg := err.Error()
	m := templateLocationRE().FindStringSubmatchIndex(msg)
	if m == nil {
		return &Error{File: filepath.Join(dir, ChartFile), Line: 1, Col: 1, Msg: "render: " + oneLine(msg)}
	}
	name := msg[m[2]:m[3]]
	line, _ := strconv.Atoi(msg[m[4]:m[5]])
	col := 1
	if m[6] >= 0 {
		col, _ = strconv.Atoi(msg[m[6]:m[7]])
	}
	// What is left of the message once the location is cut out of it:
	// "parse error at (x:3): function "foo" not defined" → "parse error:
	// function "foo" not defined".
	rest := strings.TrimSpace(msg[:m[0]] + msg[m[1]:])
	rest = strings.TrimPrefix(strings.Replace(rest, " at : ", ": ", 1), ": ")
	file := filepath.Join(dir, filepath.FromSlash(name))
	if _, after, ok := strings.Cut(name, "/"); ok && (name == chartName || strings.HasPrefix(name, chartName+"/")) {
		file = filepath.Join(dir, filepath.FromSlash(after))
	}
	return &Error{File: file, Line: line, Col: col, Msg: "template: " + oneLine(rest)}
}

// oneLine folds Helm's multi-line messages into one line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// deepCopy copies the maps and slices of v, so rendering one chart cannot
// change the overrides another one gets.
func deepCopy(v map[string]any) map[string]any {
	out := make(map[string]any, len(v))
	for k, x := range v {
		out[k] = copyValue(x)
	}
	return out
}

func copyValue(x any) any {
	switch t := x.(type) {
	case map[string]any:
		return deepCopy(t)
	case []any:
		s := make([]any, len(t))
		for i, e := range t {
			s[i] = copyValue(e)
		}
		return s
	}
	return x
}
