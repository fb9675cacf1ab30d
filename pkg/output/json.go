package output

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"

	"github.com/platformctl/platformctl/pkg/lint"
)

type jsonRule struct {
	ID          string        `json:"id"`
	Title       string        `json:"title"`
	Category    lint.Category `json:"category"`
	Severity    lint.Severity `json:"severity"`
	Description string        `json:"description"`
	Remediation string        `json:"remediation"`
	References  []string      `json:"references,omitempty"`
	HelpURI     string        `json:"helpUri"`
}

type jsonSummary struct {
	Objects  int `json:"objects"`
	Rules    int `json:"rules"`
	Errors   int `json:"errors"`
	Warnings int `json:"warnings"`
	Info     int `json:"info"`
	Ignored  int `json:"ignored"`
	// InputErrors counts the documents and files that were not linted.
	InputErrors int  `json:"inputErrors,omitempty"`
	Failed      bool `json:"failed"`
}

// jsonInputError is a document or file that could not be read as objects.
type jsonInputError struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Column  int    `json:"column"`
	Message string `json:"message"`
}

type jsonReport struct {
	SchemaVersion string            `json:"schemaVersion"`
	Tool          map[string]string `json:"tool"`
	Summary       jsonSummary       `json:"summary"`
	Findings      []lint.Diagnostic `json:"findings"`
	Ignored       []lint.Diagnostic `json:"ignored"`
	Rules         []jsonRule        `json:"rules"`
	// InputErrors is written only when there are some, after rules.
	InputErrors []jsonInputError `json:"inputErrors,omitempty"`
}

// JSON writes the versioned JSON document described in docs/lint-json.md.
func JSON(w io.Writer, r *Report) error {
	c := r.Counts()
	out := jsonReport{
		SchemaVersion: SchemaVersion,
		Tool:          map[string]string{"name": "platformctl", "version": r.ToolVersion},
		Summary: jsonSummary{Objects: r.Result.Objects, Rules: len(r.Result.Rules), Errors: c[lint.Error],
			Warnings: c[lint.Warning], Info: c[lint.Info], Ignored: len(r.Result.Suppressed), InputErrors: len(r.InputErrors),
			Failed: r.Failed() || r.InputFailed()},
		Findings: nonNil(r.Result.Findings),
		Ignored:  nonNil(r.Result.Suppressed),
	}
	out.Rules = []jsonRule{}
	for _, rule := range r.Result.Rules {
		out.Rules = append(out.Rules, jsonRule{ID: rule.ID, Title: rule.Title, Category: rule.Category, Severity: rule.Severity,
			Description: rule.Description, Remediation: rule.Remediation, References: rule.References, HelpURI: HelpURI(rule)})
	}
	for _, ie := range r.InputErrors {
		out.InputErrors = append(out.InputErrors, jsonInputError{File: ie.File, Line: ie.Line, Column: ie.Col, Message: ie.Msg})
	}
	return writeJSON(w, out)
}

// writeJSON prints out as json.MarshalIndent(out, "", "  ") would, but one
// array element at a time: indenting one huge buffer copies it over and
// over, and a corpus with tens of thousands of findings spent most of its
// output time doing that. Findings, the bulk of the document, are encoded
// by appendDiagnostic without reflection; the rest goes through
// encoding/json.
func writeJSON(w io.Writer, out jsonReport) error {
	ew := newBufferedErrWriter(w)
	field := func(name string, v any, last bool) {
		b, err := marshalIndent(v, "  ")
		if err != nil {
			ew.err = err
			return
		}
		ew.printf("  %q: %s", name, b)
		if !last {
			ew.printf(",")
		}
		ew.printf("\n")
	}
	list := func(name string, n int, item func(buf []byte, i int) ([]byte, error), last bool) {
		if n == 0 {
			field(name, []any{}, last)
			return
		}
		ew.printf("  %q: [\n", name)
		var buf []byte
		for i := 0; i < n && ew.err == nil; i++ {
			var err error
			buf, err = item(append(buf[:0], "    "...), i)
			if err != nil {
				ew.err = err
				return
			}
			if i < n-1 {
				buf = append(buf, ',')
			}
			buf = append(buf, '\n')
			ew.write(buf)
		}
		ew.printf("  ]")
		if !last {
			ew.printf(",")
		}
		ew.printf("\n")
	}
	diags := func(ds []lint.Diagnostic) func([]byte, int) ([]byte, error) {
		return func(buf []byte, i int) ([]byte, error) { return appendDiagnostic(buf, &ds[i]), nil }
	}
	ew.printf("{\n")
	field("schemaVersion", out.SchemaVersion, false)
	field("tool", out.Tool, false)
	field("summary", out.Summary, false)
	list("findings", len(out.Findings), diags(out.Findings), false)
	list("ignored", len(out.Ignored), diags(out.Ignored), false)
	list("rules", len(out.Rules), func(buf []byte, i int) ([]byte, error) {
		b, err := marshalIndent(out.Rules[i], "    ")
		return append(buf, b...), err
	}, len(out.InputErrors) == 0)
	if len(out.InputErrors) > 0 {
		field("inputErrors", out.InputErrors, true)
	}
	ew.printf("}\n")
	if err := ew.flush(); err != nil {
		return fmt.Errorf("write json: %w", err)
	}
	return nil
}

// appendDiagnostic appends d as marshalIndent(d, "    ") encodes it: the
// fields of lint.Diagnostic in order, omitempty honoured, four spaces of
// prefix and two of indent, no trailing newline.
func appendDiagnostic(b []byte, d *lint.Diagnostic) []byte {
	const in = "\n      "
	b = append(b, "{"+in+`"rule": `...)
	b = appendJSONString(b, d.RuleID)
	b = append(b, ","+in+`"severity": `...)
	b = appendJSONString(b, d.Severity.String())
	b = append(b, ","+in+`"message": `...)
	b = appendJSONString(b, d.Message)
	b = append(b, ","+in+`"file": `...)
	b = appendJSONString(b, d.File)
	b = append(b, ","+in+`"line": `...)
	b = strconv.AppendInt(b, int64(d.Line), 10)
	b = append(b, ","+in+`"column": `...)
	b = strconv.AppendInt(b, int64(d.Column), 10)
	if d.Path != "" {
		b = append(b, ","+in+`"path": `...)
		b = appendJSONString(b, d.Path)
	}
	b = append(b, ","+in+`"object": `...)
	b = appendJSONString(b, d.Object)
	b = append(b, ","+in+`"kind": `...)
	b = appendJSONString(b, d.Kind)
	if d.Namespace != "" {
		b = append(b, ","+in+`"namespace": `...)
		b = appendJSONString(b, d.Namespace)
	}
	b = append(b, ","+in+`"name": `...)
	b = appendJSONString(b, d.Name)
	if d.Source != "" {
		b = append(b, ","+in+`"source": `...)
		b = appendJSONString(b, d.Source)
	}
	if d.Suppression != nil {
		const in2 = in + "  "
		b = append(b, ","+in+`"suppression": {`+in2+`"kind": `...)
		b = appendJSONString(b, d.Suppression.Kind)
		b = append(b, ","+in2+`"reason": `...)
		b = appendJSONString(b, d.Suppression.Reason)
		b = append(b, in+"}"...)
	}
	return append(b, "\n    }"...)
}

// appendJSONString appends s quoted as encoding/json quotes it with HTML
// escaping off (encode.go's appendString): '"' and '\\' and control
// characters escaped, \b \f \n \r \t short, invalid UTF-8 as \ufffd, and
// U+2028/U+2029 escaped.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

func marshalIndent(v any, prefix string) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // messages quote YAML and shell, not HTML
	enc.SetIndent(prefix, "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

func nonNil(d []lint.Diagnostic) []lint.Diagnostic {
	if d == nil {
		return []lint.Diagnostic{}
	}
	return d
}

// HelpURI links a rule's documentation: a built-in rule's section in
// docs/rules.md, a custom rule's url (none when it names none).
func HelpURI(r lint.Rule) string {
	if r.Category == lint.CategoryCustom {
		return r.HelpURI
	}
	return DocsURL + "#" + r.ID
}
