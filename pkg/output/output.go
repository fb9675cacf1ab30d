// Package output renders lint results: text for people, and json, sarif,
// junit, github and gitlab for machines. Every format reads the same Report.
package output

import (
	"fmt"
	"io"
	"sort"

	"github.com/platformctl/platformctl/pkg/baseline"
	"github.com/platformctl/platformctl/pkg/lint"
)

// SchemaVersion is the version of the JSON format (docs/lint-json.md).
const SchemaVersion = "platformctl.dev/lint/v1"

// DocsURL is where rule documentation lives; each rule has an anchor.
const DocsURL = "https://github.com/platformctl/platformctl/blob/main/docs/rules.md"

// Report is what every format renders.
type Report struct {
	Result *lint.Result
	// Catalog is every rule (for names and help text), not only those that ran.
	Catalog []lint.Rule
	// ShowIgnored includes suppressed findings in formats that can mark them.
	ShowIgnored bool
	// Color enables ANSI colour in text output.
	Color bool
	// Quiet prints findings only, no summary.
	Quiet bool
	// FailOn is the severity at or above which findings fail the run.
	FailOn lint.Severity
	// ToolVersion is platformctl's version.
	ToolVersion string
	// Baseline is set when known findings were read from (or recorded in)
	// a baseline: they are in Result.Suppressed, marked baseline.SuppressionKind.
	Baseline *BaselineUse
	// InputErrors are the documents and files that could not be read as
	// objects (sorted by SortInputErrors): each is reported on its own, the
	// rest of the input was linted, and any of them makes the run exit 2.
	InputErrors []*lint.InputError
}

// BaselineUse is a baseline applied to the run.
type BaselineUse struct {
	File string
	// Fixed are the known findings no longer found.
	Fixed []baseline.Entry
}

// Rule finds a catalog entry.
func (r *Report) Rule(id string) (lint.Rule, bool) {
	for _, x := range r.Catalog {
		if x.ID == id {
			return x, true
		}
	}
	return lint.Rule{}, false
}

// Counts tallies findings by severity.
func (r *Report) Counts() map[lint.Severity]int {
	c := map[lint.Severity]int{}
	for _, d := range r.Result.Findings {
		c[d.Severity]++
	}
	return c
}

// Summary is the last line of the text and GitHub formats: "3 objects,
// 98 rules: 1 error, 2 warnings, 0 info; 1 ignored" (info and ignored
// take no plural).
func (r *Report) Summary() string {
	c := r.Counts()
	s := fmt.Sprintf("%s, %s: %s, %s, %d info; %d ignored",
		lint.Count(r.Result.Objects, "object"), lint.Count(len(r.Result.Rules), "rule"),
		lint.Count(c[lint.Error], "error"), lint.Count(c[lint.Warning], "warning"), c[lint.Info], len(r.Result.Suppressed))
	if n := len(r.InputErrors); n > 0 {
		s += "; " + lint.Count(n, "input error") + " (those documents were not linted)"
	}
	return s
}

// Failed says whether any finding is at or above FailOn.
func (r *Report) Failed() bool {
	for _, d := range r.Result.Findings {
		if d.Severity >= r.FailOn {
			return true
		}
	}
	return false
}

// InputFailed says whether part of the input could not be read: the exit
// code is 2 then, whatever the findings.
func (r *Report) InputFailed() bool { return len(r.InputErrors) > 0 }

// Format writes a report.
type Format func(w io.Writer, r *Report) error

// Formats is the explicit list of output formats.
func Formats() map[string]Format {
	return map[string]Format{
		"text":   Text,
		"json":   JSON,
		"sarif":  SARIF,
		"junit":  JUnit,
		"github": GitHub,
		"gitlab": GitLab,
	}
}

// FormatNames lists the formats, sorted.
func FormatNames() []string {
	var names []string
	for k := range Formats() {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// Lookup returns the named format.
func Lookup(name string) (Format, error) {
	f, ok := Formats()[name]
	if !ok {
		return nil, fmt.Errorf("unknown output format %q (one of %v)", name, FormatNames())
	}
	return f, nil
}
