package output

import (
	"bufio"
	"fmt"
	"io"

	"github.com/platformctl/platformctl/pkg/lint"
)

const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiRed    = "\x1b[31m"
	ansiYellow = "\x1b[33m"
	ansiBlue   = "\x1b[34m"
	ansiDim    = "\x1b[2m"
)

func paint(on bool, code, s string) string {
	if !on {
		return s
	}
	return code + s + ansiReset
}

func sevColor(s lint.Severity) string {
	switch s {
	case lint.Error:
		return ansiRed
	case lint.Warning:
		return ansiYellow
	}
	return ansiBlue
}

// Text prints findings grouped by file, one per line as
// path:line:col: severity rule-id: message, then a summary line. What the
// input controls (file paths, messages, object names, sources, reasons) is
// printed through visible, so a control character in it shows as an escape
// and cannot start a line of its own or drive the terminal.
func Text(w io.Writer, r *Report) error {
	ew := newErrWriter(w)
	print := func(ds []lint.Diagnostic, suppressed bool) {
		file := ""
		for _, d := range ds {
			if d.File != file {
				if file != "" {
					ew.printf("\n")
				}
				file = d.File
				ew.printf("%s\n", paint(r.Color, ansiBold, visible(file)))
			}
			sev := paint(r.Color, sevColor(d.Severity), d.Severity.String())
			// One finding, one line: editors and CI parse file:line:col: per line.
			ew.printf("%s:%d:%d: %s %s: %s", visible(d.File), d.Line, d.Column, sev, d.RuleID, visible(d.Message))
			if d.Object != "" {
				ew.printf(" %s", paint(r.Color, ansiDim, "("+visible(d.Object)+")"))
			}
			ew.printf("\n")
			if d.Source != "" {
				ew.printf("    %s\n", paint(r.Color, ansiDim, "from "+visible(d.Source)))
			}
			if suppressed && d.Suppression != nil {
				ew.printf("    %s\n", paint(r.Color, ansiDim, fmt.Sprintf("ignored (%s): %s", visible(d.Suppression.Kind), visible(d.Suppression.Reason))))
			}
		}
	}
	for _, ie := range r.InputErrors {
		ew.printf("%s:%d:%d: %s %s: %s\n", visible(ie.File), ie.Line, ie.Col, paint(r.Color, ansiRed, "error"), inputErrorTitle, visible(ie.Msg))
	}
	if len(r.InputErrors) > 0 && len(r.Result.Findings) > 0 {
		ew.printf("\n")
	}
	print(r.Result.Findings, false)
	if r.ShowIgnored && len(r.Result.Suppressed) > 0 {
		if len(r.Result.Findings) > 0 {
			ew.printf("\n")
		}
		ew.printf("%s\n", paint(r.Color, ansiBold, "ignored findings:"))
		print(r.Result.Suppressed, true)
	}
	if !r.Quiet {
		if len(r.Result.Findings) > 0 || len(r.InputErrors) > 0 {
			ew.printf("\n")
		}
		ew.printf("%s\n", r.Summary())
	}
	return ew.flush()
}

// errWriter keeps the first write error so rendering code stays linear.
// Text and GitHub write through to w (callers that print many findings
// buffer w: the lint command does); JSON, one document, buffers itself.
// Call flush once at the end.
type errWriter struct {
	w   io.Writer
	err error
}

func newErrWriter(w io.Writer) *errWriter { return &errWriter{w: w} }

func newBufferedErrWriter(w io.Writer) *errWriter {
	return &errWriter{w: bufio.NewWriterSize(w, 64<<10)}
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err != nil {
		return
	}
	_, e.err = fmt.Fprintf(e.w, format, args...)
}

func (e *errWriter) write(b []byte) {
	if e.err != nil {
		return
	}
	_, e.err = e.w.Write(b)
}

func (e *errWriter) writeString(s string) {
	if e.err != nil {
		return
	}
	_, e.err = io.WriteString(e.w, s)
}

// flush writes what is buffered and returns the first error.
func (e *errWriter) flush() error {
	if bw, ok := e.w.(*bufio.Writer); ok && e.err == nil {
		e.err = bw.Flush()
	}
	return e.err
}
