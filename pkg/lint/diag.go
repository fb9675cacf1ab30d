package lint

import (
	"fmt"
	"sort"
)

// Diagnostic is one finding.
type Diagnostic struct {
	RuleID   string   `json:"rule"`
	Severity Severity `json:"severity"`
	Message  string   `json:"message"`
	File     string   `json:"file"`
	Line     int      `json:"line"`
	Column   int      `json:"column"`
	// Path is the field the finding is about (spec.template.spec.containers[0].image).
	Path string `json:"path,omitempty"`
	// Object identifies the object: Kind namespace/name.
	Object    string `json:"object"`
	Kind      string `json:"kind"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name"`
	// Source is the spec entry that produced the object, when known.
	Source string `json:"source,omitempty"`
	// Suppression says why a finding does not count, when it does not.
	Suppression *Suppression `json:"suppression,omitempty"`
}

// Suppression records an ignore annotation or a config exclusion.
type Suppression struct {
	Kind   string `json:"kind"` // "annotation" or "config"
	Reason string `json:"reason"`
}

func (d Diagnostic) String() string {
	return fmt.Sprintf("%s:%d:%d: %s %s: %s", d.File, d.Line, d.Column, d.Severity, d.RuleID, d.Message)
}

// Reporter collects one rule's findings.
type Reporter struct {
	rule  *Rule
	diags []Diagnostic
	objs  []*Object // the object of each diagnostic, for ignore annotations
}

func (r *Reporter) located() []located {
	out := make([]located, len(r.diags))
	for i, d := range r.diags {
		out[i] = located{Diagnostic: d, obj: r.objs[i]}
	}
	return out
}

// Report records a finding on path of o.
func (r *Reporter) Report(o *Object, path, format string, args ...any) {
	file, line, col := o.Position(path)
	r.diags = append(r.diags, Diagnostic{
		RuleID: r.rule.ID, Severity: r.rule.Severity, Message: fmt.Sprintf(format, args...),
		File: file, Line: line, Column: col, Path: path,
		Object: o.Ref(), Kind: o.Kind, Namespace: o.Namespace, Name: o.Name, Source: o.Source,
	})
	r.objs = append(r.objs, o)
}

// SortDiagnostics orders by file, position, rule and message.
func SortDiagnostics(ds []Diagnostic) {
	sort.SliceStable(ds, func(i, j int) bool {
		a, b := ds[i], ds[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Column != b.Column {
			return a.Column < b.Column
		}
		if a.RuleID != b.RuleID {
			return a.RuleID < b.RuleID
		}
		return a.Message < b.Message
	})
}
