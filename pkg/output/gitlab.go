package output

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"

	"github.com/platformctl/platformctl/pkg/lint"
)

// GitLab writes a GitLab Code Quality report (a subset of the Code Climate
// issue format): a JSON array the merge request widget and the pipeline's
// Code Quality tab read from `artifacts: reports: codequality`.
//
// Suppressed findings are left out: the report has no way to mark one as
// dismissed, and GitLab would show it as a new problem to fix. Input
// errors (documents that were not linted) come first as "blocker", since
// nothing in them was judged.
//
// Each fingerprint is stable across runs and line moves (rule, file,
// object, field path, as in SARIF) and unique within the report (an
// occurrence count is hashed in), because GitLab compares reports of the
// source and target branches by fingerprint to tell new findings from
// fixed ones.
func GitLab(w io.Writer, r *Report) error {
	issues := make([]gitlabIssue, 0, len(r.InputErrors)+len(r.Result.Findings))
	seen := map[string]int{}
	fingerprint := func(key string) string {
		seen[key]++
		sum := sha256.Sum256([]byte(fmt.Sprintf("%s:%d", key, seen[key])))
		return hex.EncodeToString(sum[:16])
	}
	for _, ie := range r.InputErrors {
		d := lint.Diagnostic{RuleID: inputErrorTitle, File: ie.File, Line: ie.Line, Column: ie.Col, Message: ie.Msg}
		issues = append(issues, gitlabIssueOf(d, "blocker", fingerprint(sarifFingerprint(d)+"\x00"+ie.Msg)))
	}
	findings := sortedCopy(r.Result.Findings)
	for _, d := range findings {
		issues = append(issues, gitlabIssueOf(d, gitlabSeverity(d.Severity), fingerprint(sarifFingerprint(d))))
	}
	b, err := marshalIndent(issues, "")
	if err == nil {
		_, err = w.Write(append(b, '\n'))
	}
	if err != nil {
		return fmt.Errorf("write gitlab: %w", err)
	}
	return nil
}

type gitlabIssue struct {
	Description string         `json:"description"`
	CheckName   string         `json:"check_name"`
	Fingerprint string         `json:"fingerprint"`
	Severity    string         `json:"severity"`
	Location    gitlabLocation `json:"location"`
}

// gitlabLocation is a path and either lines or, with a column, positions:
// GitLab reads both forms of Code Climate's location.
type gitlabLocation struct {
	Path      string           `json:"path"`
	Lines     *gitlabLines     `json:"lines,omitempty"`
	Positions *gitlabPositions `json:"positions,omitempty"`
}

type gitlabLines struct {
	Begin int `json:"begin"`
}

type gitlabPositions struct {
	Begin gitlabPosition `json:"begin"`
}

type gitlabPosition struct {
	Line   int `json:"line"`
	Column int `json:"column"`
}

func gitlabIssueOf(d lint.Diagnostic, severity, fp string) gitlabIssue {
	path := d.File
	if !isPseudoFile(path) {
		path = slashPath(path)
	}
	line := d.Line
	if line < 1 {
		// GitLab drops an issue without a line; the first line stands for
		// a finding about the whole file.
		line = 1
	}
	loc := gitlabLocation{Path: path, Lines: &gitlabLines{Begin: line}}
	if d.Line > 0 && d.Column > 0 {
		loc = gitlabLocation{Path: path, Positions: &gitlabPositions{Begin: gitlabPosition{Line: line, Column: d.Column}}}
	}
	return gitlabIssue{Description: messageWithObject(d), CheckName: d.RuleID, Fingerprint: fp, Severity: severity, Location: loc}
}

// gitlabSeverity maps onto Code Climate's scale (info, minor, major,
// critical, blocker); blocker is kept for input errors.
func gitlabSeverity(s lint.Severity) string {
	switch s {
	case lint.Error:
		return "critical"
	case lint.Warning:
		return "major"
	}
	return "info"
}
