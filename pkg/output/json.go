package output

import (
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
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false) // messages quote YAML and shell, not HTML
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("write json: %w", err)
	}
	return nil
}

func nonNil(d []lint.Diagnostic) []lint.Diagnostic {
	if d == nil {
		return []lint.Diagnostic{}
	}
	return d
}

// HelpURI links a rule's section in docs/rules.md.
func HelpURI(id string) string { return DocsURL + "#" + id }
