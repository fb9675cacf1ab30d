package output

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/platformctl/platformctl/pkg/lint"
)

// TestSummaryCounts: one of a thing is singular in every format that
// prints the summary line.
func TestSummaryCounts(t *testing.T) {
	one := []lint.Rule{{ID: "r", Severity: lint.Error}}
	tests := []struct {
		name     string
		findings []lint.Diagnostic
		objects  int
		rules    []lint.Rule
		want     string
	}{
		{"ones", []lint.Diagnostic{{RuleID: "r", Severity: lint.Error, File: "a.yaml", Line: 1, Column: 1}, {RuleID: "r", Severity: lint.Warning, File: "a.yaml", Line: 2, Column: 1}},
			1, one, "1 object, 1 rule: 1 error, 1 warning, 0 info; 0 ignored"},
		{"none", nil, 0, nil, "0 objects, 0 rules: 0 errors, 0 warnings, 0 info; 0 ignored"},
		{"many", []lint.Diagnostic{{RuleID: "r", Severity: lint.Error, File: "a.yaml", Line: 1, Column: 1}, {RuleID: "r", Severity: lint.Error, File: "a.yaml", Line: 2, Column: 1}},
			2, append(one, lint.Rule{ID: "s"}), "2 objects, 2 rules: 2 errors, 0 warnings, 0 info; 0 ignored"},
	}
	for _, tt := range tests {
		for _, format := range []string{"text", "github"} {
			t.Run(tt.name+"/"+format, func(t *testing.T) {
				r := &Report{Result: &lint.Result{Findings: tt.findings, Rules: tt.rules, Objects: tt.objects}, Catalog: tt.rules, FailOn: lint.Error}
				f, err := Lookup(format)
				require.NoError(t, err)
				var buf bytes.Buffer
				require.NoError(t, f(&buf, r))
				lines := strings.Split(strings.TrimRight(buf.String(), "\n"), "\n")
				assert.Equal(t, tt.want, lines[len(lines)-1])
			})
		}
	}
}
