package output

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/platformctl/platformctl/pkg/lint"
)

// GitHub writes GitHub Actions workflow commands, which the runner turns
// into annotations on the pull request's files:
//
//	::error file=F,line=L,col=C,title=RULE-ID::message (Kind ns/name)
//
// Suppressed findings are not printed: an annotation cannot be marked as
// ignored, and one would read as a problem to fix. The summary line is
// plain log text, since the runner shows only the first few annotations
// of each kind per step and the count tells readers how many there were.
func GitHub(w io.Writer, r *Report) error {
	ew := newErrWriter(w)
	for _, ie := range r.InputErrors {
		ew.writeString(githubCommand(lint.Diagnostic{RuleID: inputErrorTitle, Severity: lint.Error, Message: ie.Msg, File: ie.File, Line: ie.Line, Column: ie.Col}))
		ew.writeString("\n")
	}
	for _, d := range r.Result.Findings {
		ew.writeString(githubCommand(d))
		ew.writeString("\n")
	}
	if !r.Quiet {
		ew.printf("%s\n", r.Summary())
	}
	if err := ew.flush(); err != nil {
		return fmt.Errorf("write github: %w", err)
	}
	return nil
}

func githubCommand(d lint.Diagnostic) string {
	cmd := "notice"
	switch d.Severity {
	case lint.Error:
		cmd = "error"
	case lint.Warning:
		cmd = "warning"
	}
	var props []string
	// A pseudo-file such as <stdin> is not in the repository; an annotation
	// pointing at it would land nowhere, so it goes unanchored instead.
	if d.File != "" && !isPseudoFile(d.File) {
		props = append(props, "file="+escapeProperty(slashPath(d.File)))
		if d.Line > 0 {
			props = append(props, "line="+strconv.Itoa(d.Line))
			if d.Column > 0 {
				props = append(props, "col="+strconv.Itoa(d.Column))
			}
		}
	}
	props = append(props, "title="+escapeProperty(d.RuleID))
	return "::" + cmd + " " + strings.Join(props, ",") + "::" + escapeData(messageWithObject(d))
}

// escapeData escapes a command's message as the Actions runner unescapes
// it (actions/toolkit core/src/command.ts: %25, %0D, %0A), and also
// percent-encodes every other control character, which the runner would
// otherwise copy raw into the log.
func escapeData(s string) string { return percentEncode(s, "") }

// escapeProperty also escapes the property separators ':' and ','.
func escapeProperty(s string) string { return percentEncode(s, ":,") }
