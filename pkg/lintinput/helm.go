package lintinput

import (
	"errors"
	"fmt"

	"github.com/platformctl/platformctl/pkg/helmchart"
	"github.com/platformctl/platformctl/pkg/lint"
)

// FromChart renders the Helm chart in dir (see helmchart.Render) and
// decodes each template's output. Findings point at the template file:
// at the template line a finding's rendered line came from when that line
// is static text (helmchart.LineMap), else at the template line of the
// object's first line, else at line 1. A chart that does not render is
// its problems, positioned; a document that does not decode is a problem
// at the template, not at a line of output the user never sees.
func FromChart(dir string, overrides map[string]any, rel helmchart.Release) (Set, []*lint.InputError, error) {
	tpls, err := helmchart.Render(dir, overrides, rel)
	if err != nil {
		ies, ok := chartProblems(err)
		if !ok {
			return Set{}, nil, fmt.Errorf("helm chart %s: %w", dir, err)
		}
		return Set{}, ies, nil
	}
	set := Set{Name: "helm chart " + dir, Files: len(tpls)}
	var problems []*lint.InputError
	for _, t := range tpls {
		lines := helmchart.NewLineMap(t.Text, t.Rendered)
		objs, err := lint.Decode(t.File, []byte(t.Rendered))
		if err != nil {
			ies, only := lint.InputErrors(err)
			if !only {
				return Set{}, nil, fmt.Errorf("helm chart %s: %s: %w", dir, t.Name, err)
			}
			for _, ie := range ies {
				problems = append(problems, renderedProblem(ie, lines))
			}
		}
		for _, o := range objs {
			o.Source = "# Source: " + t.Name
			file, root := t.File, o.Root.Line
			o.SetLocator(func(path string) (string, int, int) {
				l, c := lint.Locate(o.Root, path)
				if tl := lines.Line(l); tl > 0 {
					return file, tl, c
				}
				if tl := lines.Line(root); tl > 0 {
					return file, tl, 1
				}
				return file, 1, 1
			})
			set.Objects = append(set.Objects, o)
		}
	}
	return set, problems, nil
}

// renderedProblem moves a problem found in a template's output to the
// template: to the line it came from when that is static text, else to
// line 1, saying which output line it was.
func renderedProblem(ie *lint.InputError, lines helmchart.LineMap) *lint.InputError {
	if tl := lines.Line(ie.Line); tl > 0 {
		return &lint.InputError{File: ie.File, Line: tl, Col: ie.Col, Msg: ie.Msg}
	}
	return &lint.InputError{File: ie.File, Line: 1, Col: 1, Msg: fmt.Sprintf("%s (line %d of the rendered template)", ie.Msg, ie.Line)}
}

// chartProblems takes apart helmchart's errors (one, or several joined)
// into input errors; ok is false when err holds anything else.
func chartProblems(err error) (ies []*lint.InputError, ok bool) {
	var walk func(error) bool
	walk = func(e error) bool {
		if j, isJoin := e.(interface{ Unwrap() []error }); isJoin {
			for _, x := range j.Unwrap() {
				if !walk(x) {
					return false
				}
			}
			return true
		}
		var he *helmchart.Error
		if !errors.As(e, &he) {
			return false
		}
		ies = append(ies, &lint.InputError{File: he.File, Line: max(he.Line, 1), Col: max(he.Col, 1), Msg: he.Msg})
		return true
	}
	return ies, walk(err)
}
