package output

import (
	"encoding/xml"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/platformctl/platformctl/pkg/lint"
)

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	ClassName string        `xml:"classname,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	Error     *junitFailure `xml:"error,omitempty"`
	Skipped   *junitSkipped `xml:"skipped,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Body    string `xml:",innerxml"` // escaped by junitBody
}

type junitSkipped struct {
	Message string `xml:"message,attr"`
	Body    string `xml:",innerxml"` // escaped by junitBody
}

// junitPassName names the one passing case of a rule without findings. It
// is fixed, not "N objects", because dashboards key a test's history on
// classname and name.
const junitPassName = "all objects"

// JUnit writes JUnit XML for CI test dashboards: a suite per rule that ran,
// a failing case per object the rule found something on, a skipped case
// per object whose findings were all ignored, and one passing case for a
// rule that found nothing, so the dashboard shows what was checked.
func JUnit(w io.Writer, r *Report) error {
	type pair struct{ rule, object string }
	active := map[pair][]lint.Diagnostic{}
	ignored := map[pair][]lint.Diagnostic{}
	ruleIDs := map[string]bool{}
	for _, rule := range r.Result.Rules {
		ruleIDs[rule.ID] = true
	}
	for _, d := range r.Result.Findings {
		k := pair{d.RuleID, junitObject(d)}
		active[k] = append(active[k], d)
		ruleIDs[d.RuleID] = true
	}
	for _, d := range r.Result.Suppressed {
		k := pair{d.RuleID, junitObject(d)}
		ignored[k] = append(ignored[k], d)
		ruleIDs[d.RuleID] = true
	}
	objects := map[string][]string{}
	for _, m := range []map[pair][]lint.Diagnostic{active, ignored} {
		for k := range m {
			objects[k.rule] = append(objects[k.rule], k.object)
		}
	}

	out := junitSuites{Name: "platformctl lint"}
	// Input errors come first, in a suite of their own: a case per bad
	// document, as a JUnit error (the check could not run), not a failure.
	if len(r.InputErrors) > 0 {
		suite := junitSuite{Name: inputErrorTitle}
		for _, ie := range r.InputErrors {
			pos := fmt.Sprintf("%s:%d:%d", ie.File, ie.Line, ie.Col)
			suite.Cases = append(suite.Cases, junitCase{Name: pos, ClassName: inputErrorTitle,
				Error: &junitFailure{Message: oneLine(ie.Msg), Type: inputErrorTitle, Body: junitBody(pos + ": " + ie.Msg)}})
		}
		suite.Tests, suite.Errors = len(suite.Cases), len(suite.Cases)
		out.Tests += suite.Tests
		out.Errors += suite.Errors
		out.Suites = append(out.Suites, suite)
	}
	for _, id := range sortedKeys(ruleIDs) {
		suite := junitSuite{Name: id}
		objs := uniqueSorted(objects[id])
		for _, obj := range objs {
			k := pair{id, obj}
			c := junitCase{Name: obj, ClassName: id}
			if len(active[k]) > 0 {
				c.Failure = junitFailureOf(active[k], ignored[k])
				suite.Failures++
			} else {
				c.Skipped = junitSkippedOf(ignored[k])
				suite.Skipped++
			}
			suite.Cases = append(suite.Cases, c)
		}
		if len(objs) == 0 {
			suite.Cases = append(suite.Cases, junitCase{Name: junitPassName, ClassName: id})
		}
		suite.Tests = len(suite.Cases)
		out.Tests += suite.Tests
		out.Failures += suite.Failures
		out.Skipped += suite.Skipped
		out.Suites = append(out.Suites, suite)
	}

	if _, err := io.WriteString(w, xml.Header); err != nil {
		return fmt.Errorf("write junit: %w", err)
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("write junit: %w", err)
	}
	if _, err := io.WriteString(w, "\n"); err != nil {
		return fmt.Errorf("write junit: %w", err)
	}
	return nil
}

// junitObject names a case after the object; a finding about no object
// (none today, but the Diagnostic allows it) falls back to its file.
func junitObject(d lint.Diagnostic) string {
	if d.Object != "" {
		return d.Object
	}
	if d.File != "" {
		return d.File
	}
	return "(no object)"
}

// junitFailureOf lists every finding of the case in its body; the message
// attribute is a one-line summary because CI UIs show it as the headline.
// Ignored findings on the same object are listed too, marked, since a case
// cannot be both failed and skipped.
func junitFailureOf(active, ignored []lint.Diagnostic) *junitFailure {
	active = sortedCopy(active)
	worst := active[0].Severity
	for _, d := range active {
		worst = max(worst, d.Severity)
	}
	msg := oneLine(active[0].Message)
	if len(active) > 1 {
		msg = fmt.Sprintf("%s; first: %s", lint.Count(len(active), "finding"), msg)
	}
	var b strings.Builder
	for _, d := range active {
		fmt.Fprintf(&b, "%s: %s\n", junitPos(d), d.Message)
	}
	for _, d := range sortedCopy(ignored) {
		fmt.Fprintf(&b, "%s: %s (ignored: %s)\n", junitPos(d), d.Message, d.Suppression.Reason)
	}
	return &junitFailure{Message: msg, Type: worst.String(), Body: junitBody(strings.TrimSuffix(b.String(), "\n"))}
}

func junitSkippedOf(ignored []lint.Diagnostic) *junitSkipped {
	ignored = sortedCopy(ignored)
	var reasons []string
	var b strings.Builder
	for _, d := range ignored {
		reason := ""
		if d.Suppression != nil {
			reason = d.Suppression.Reason
		}
		reasons = append(reasons, reason)
		fmt.Fprintf(&b, "%s: %s (ignored: %s)\n", junitPos(d), d.Message, reason)
	}
	return &junitSkipped{Message: "ignored: " + oneLine(strings.Join(uniqueSorted(reasons), "; ")), Body: junitBody(strings.TrimSuffix(b.String(), "\n"))}
}

// junitBody escapes element text like encoding/xml does (which also
// replaces characters XML cannot carry), then puts back the newlines and
// quotes it escapes needlessly, so the report stays readable as a file.
func junitBody(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s)) // a strings.Builder does not fail
	return strings.NewReplacer("&#xA;", "\n", "&#34;", `"`, "&#39;", "'").Replace(b.String())
}

func junitPos(d lint.Diagnostic) string {
	return fmt.Sprintf("%s:%d:%d", d.File, d.Line, d.Column)
}

// oneLine folds newlines, which XML attributes would otherwise carry as
// &#xA; and most CI UIs would show verbatim.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func sortedCopy(ds []lint.Diagnostic) []lint.Diagnostic {
	out := append([]lint.Diagnostic(nil), ds...)
	sortForOutput(out)
	return out
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func uniqueSorted(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	n := 0
	for i, v := range out {
		if i == 0 || v != out[n-1] {
			out[n] = v
			n++
		}
	}
	return out[:n]
}
