package lint_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/platformctl/platformctl/pkg/cmd/cmdtest"
)

// TestCustomRulesEndToEnd: testdata/custom-rules' .platformctl.yaml writes
// three rules in CEL; lint reports them beside the built-in rules, in every
// format, and rules lists and explains them.
func TestCustomRulesEndToEnd(t *testing.T) {
	dir, err := filepath.Abs("../../../testdata/custom-rules")
	require.NoError(t, err)
	t.Chdir(dir)

	code, out, _ := cmdtest.Run(t, "lint", "-o", "json", "workloads.yaml")
	require.Equal(t, 1, code)
	var report struct {
		Findings []struct {
			Rule     string `json:"rule"`
			Severity string `json:"severity"`
			Line     int    `json:"line"`
			Message  string `json:"message"`
		} `json:"findings"`
		Rules []struct {
			ID       string `json:"id"`
			Category string `json:"category"`
		} `json:"rules"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &report), out)
	custom := map[string]string{}
	for _, f := range report.Findings {
		switch f.Rule {
		case "team-label", "no-nodeport", "memory-limit-set":
			custom[f.Rule] = f.Severity + " " + f.Message
			assert.Positive(t, f.Line)
		}
	}
	assert.Equal(t, map[string]string{
		"team-label":       "error set the team label, so alerts reach the people who own this workload",
		"no-nodeport":      "warning NodePort opens the port on every node; expose through the Gateway",
		"memory-limit-set": "warning every container sets a memory limit",
	}, custom)

	code, out, _ = cmdtest.Run(t, "lint", "-o", "sarif", "workloads.yaml")
	require.Equal(t, 1, code)
	assert.Contains(t, out, `"ruleId": "team-label"`)

	code, out, _ = cmdtest.Run(t, "rules")
	require.Equal(t, 0, code)
	assert.Regexp(t, `(?m)^no-nodeport +warning +custom +NodePort opens the port`, out)

	code, out, _ = cmdtest.Run(t, "rules", "explain", "team-label")
	require.Equal(t, 0, code)
	assert.Contains(t, out, "In CEL (kinds Deployment, StatefulSet, DaemonSet, CronJob;")
	assert.Contains(t, out, "Remediation: add metadata.labels.team")

	// an ignore annotation on the object silences a custom rule as any other
	data, err := os.ReadFile("workloads.yaml")
	require.NoError(t, err)
	tmp := t.TempDir()
	cfg, err := os.ReadFile(".platformctl.yaml")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(tmp, ".platformctl.yaml"), cfg, 0o644))
	ignored := []byte(string(data[:len("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n")]) +
		"  annotations:\n    ignore.platformctl.dev/team-label: \"owned by the platform team\"\n" +
		string(data[len("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n"):]))
	require.NoError(t, os.WriteFile(filepath.Join(tmp, "w.yaml"), ignored, 0o644))
	t.Chdir(tmp)
	_, out, _ = cmdtest.Run(t, "lint", "w.yaml")
	assert.NotContains(t, out, "team-label")
	assert.Contains(t, out, "no-nodeport")
}

// TestCustomRuleConfigErrors: a custom rule that does not compile is exit
// 2 at its place in .platformctl.yaml, before anything is linted.
func TestCustomRuleConfigErrors(t *testing.T) {
	t.Chdir(t.TempDir())
	require.NoError(t, os.WriteFile(".platformctl.yaml", []byte("lint:\n  custom:\n  - id: x\n    kinds: [Pod]\n    message: m\n    expression: object.spec.hostNetwork ==\n"), 0o644))
	require.NoError(t, os.WriteFile("p.yaml", []byte("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n"), 0o644))
	code, _, errOut := cmdtest.Run(t, "lint", "p.yaml")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, ".platformctl.yaml:6:43: lint.custom[0].expression: CEL: Syntax error: mismatched input '<EOF>'")
}

// TestReadmeCustomRule: README's custom rule example is a config the
// decoder accepts, and lint reports it on testdata/custom-rules' workloads.
func TestReadmeCustomRule(t *testing.T) {
	readme, err := os.ReadFile("../../../README.md")
	require.NoError(t, err)
	_, section, ok := strings.Cut(string(readme), "### Custom rules in CEL")
	require.True(t, ok, "README has the custom rules section")
	_, block, ok := strings.Cut(section, "```yaml\n")
	require.True(t, ok)
	block, _, _ = strings.Cut(block, "```")
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, ".platformctl.yaml"), []byte(block), 0o644))
	data, err := os.ReadFile("../../../testdata/custom-rules/workloads.yaml")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "w.yaml"), data, 0o644))
	t.Chdir(dir)
	code, out, errOut := cmdtest.Run(t, "lint", "w.yaml")
	require.Equal(t, 1, code, errOut)
	assert.Contains(t, out, "w.yaml:3:1: error team-label: set the team label")
}

// TestCRDs: --crds checks custom resources against the user's CRDs.
func TestCRDs(t *testing.T) {
	t.Chdir("../../../testdata/custom-resources")
	code, out, _ := cmdtest.Run(t, "lint", "--crds", "crds", "widgets.yaml")
	require.Equal(t, 1, code)
	for _, want := range []string{
		`widgets.yaml:20:3: error unknown-field: metadata: unknown field "annotation"; did you mean annotations?`,
		`widgets.yaml:21:1: error missing-required-field: spec: missing required field "size"`,
		`widgets.yaml:22:10: error invalid-enum-value: spec.color is "purple"; the API allows "red", "green", "blue"`,
		`widgets.yaml:24:18: error wrong-field-type: spec.labels.team is the number 7; the API wants a string (quote it)`,
		`widgets.yaml:25:18: error wrong-field-type: spec.extra.known is "yes", a string; the API wants true or false`,
		`widgets.yaml:26:11: error unknown-field: spec: unknown field "colour"; did you mean color?`,
	} {
		assert.Contains(t, out, want)
	}
	assert.NotContains(t, out, "Widget shop/good")

	code, out, _ = cmdtest.Run(t, "lint", "widgets.yaml")
	assert.Equal(t, 0, code, "without the CRD, Widgets are not checked: %s", out)

	code, _, errOut := cmdtest.Run(t, "lint", "--crds", "missing", "widgets.yaml")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "--crds: stat missing: no such file or directory")
}
