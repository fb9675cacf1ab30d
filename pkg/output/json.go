package output

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

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
	Objects  int  `json:"objects"`
	Rules    int  `json:"rules"`
	Errors   int  `json:"errors"`
	Warnings int  `json:"warnings"`
	Info     int  `json:"info"`
	Ignored  int  `json:"ignored"`
	Failed   bool `json:"failed"`
}

type jsonReport struct {
	SchemaVersion string            `json:"schemaVersion"`
	Tool          map[string]string `json:"tool"`
	Summary       jsonSummary       `json:"summary"`
	Findings      []lint.Diagnostic `json:"findings"`
	Ignored       []lint.Diagnostic `json:"ignored"`
	Rules         []jsonRule        `json:"rules"`
}

// JSON writes the versioned JSON document described in docs/lint-json.md.
func JSON(w io.Writer, r *Report) error {
	c := r.Counts()
	out := jsonReport{
		SchemaVersion: SchemaVersion,
		Tool:          map[string]string{"name": "platformctl", "version": r.ToolVersion},
		Summary: jsonSummary{Objects: r.Result.Objects, Rules: len(r.Result.Rules), Errors: c[lint.Error],
			Warnings: c[lint.Warning], Info: c[lint.Info], Ignored: len(r.Result.Suppressed), Failed: r.Failed()},
		Findings: nonNil(r.Result.Findings),
		Ignored:  nonNil(r.Result.Suppressed),
	}
	out.Rules = []jsonRule{}
	for _, rule := range r.Result.Rules {
		out.Rules = append(out.Rules, jsonRule{ID: rule.ID, Title: rule.Title, Category: rule.Category, Severity: rule.Severity,
			Description: rule.Description, Remediation: rule.Remediation, References: rule.References, HelpURI: HelpURI(rule.ID)})
	}
	return writeJSON(w, out)
}

// writeJSON prints out as json.MarshalIndent(out, "", "  ") would, but one
// array element at a time: indenting one huge buffer copies it over and
// over, and a corpus with tens of thousands of findings spent most of its
// output time doing that.
func writeJSON(w io.Writer, out jsonReport) error {
	ew := &errWriter{w: w}
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
	list := func(name string, n int, item func(i int) any, last bool) {
		if n == 0 {
			field(name, []any{}, last)
			return
		}
		ew.printf("  %q: [\n", name)
		for i := 0; i < n && ew.err == nil; i++ {
			b, err := marshalIndent(item(i), "    ")
			if err != nil {
				ew.err = err
				return
			}
			ew.printf("    %s", b)
			if i < n-1 {
				ew.printf(",")
			}
			ew.printf("\n")
		}
		ew.printf("  ]")
		if !last {
			ew.printf(",")
		}
		ew.printf("\n")
	}
	ew.printf("{\n")
	field("schemaVersion", out.SchemaVersion, false)
	field("tool", out.Tool, false)
	field("summary", out.Summary, false)
	list("findings", len(out.Findings), func(i int) any { return out.Findings[i] }, false)
	list("ignored", len(out.Ignored), func(i int) any { return out.Ignored[i] }, false)
	list("rules", len(out.Rules), func(i int) any { return out.Rules[i] }, true)
	ew.printf("}\n")
	if ew.err != nil {
		return fmt.Errorf("write json: %w", ew.err)
	}
	return nil
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

// HelpURI links a rule's section in docs/rules.md.
func HelpURI(id string) string { return DocsURL + "#" + id }
