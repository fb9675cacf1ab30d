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

// TestBaseline: adopt lint on a repository with findings, then only new
// findings fail; moved lines stay known; fixed ones are reported.
func TestBaseline(t *testing.T) {
	t.Chdir(t.TempDir())
	pod := func(name, image string) string {
		return "apiVersion: v1\nkind: Pod\nmetadata: {name: " + name + ", namespace: apps}\nspec:\n" +
			"  containers: [{name: c, image: " + image + ", securityContext: {privileged: yes}}]\n"
	}
	require.NoError(t, os.WriteFile("a.yaml", []byte(pod("web", "x")), 0o644))

	code, _, _ := cmdtest.Run(t, "lint", "a.yaml")
	require.Equal(t, 1, code, "the repository has findings")
	code, out, errOut := cmdtest.Run(t, "lint", "a.yaml", "--write-baseline", "baseline.json")
	require.Equal(t, 0, code, out+errOut)
	assert.Regexp(t, `wrote baseline.json: \d+ known findings`, errOut)
	b, err := os.ReadFile("baseline.json")
	require.NoError(t, err)
	assert.Contains(t, string(b), `"rule": "privileged-container"`)
	assert.NotContains(t, string(b), `"line"`, "lines are not recorded")

	// Lines move (a comment on top): still known.
	require.NoError(t, os.WriteFile("a.yaml", []byte("# moved\n"+pod("web", "x")), 0o644))
	code, out, errOut = cmdtest.Run(t, "lint", "a.yaml", "--baseline", "baseline.json")
	require.Equal(t, 0, code, out+errOut)
	assert.Empty(t, errOut)

	// A new object with the same defects, and web's image tagged (one
	// finding fixed: implicitly latest).
	require.NoError(t, os.WriteFile("a.yaml", []byte(pod("web", "x:1.0")+"---\n"+pod("api", "x")), 0o644))
	code, out, errOut = cmdtest.Run(t, "lint", "a.yaml", "--baseline", "baseline.json")
	assert.Equal(t, 1, code)
	assert.Contains(t, out, "privileged-container")
	assert.Contains(t, out, "Pod apps/api")
	assert.NotContains(t, out, "Pod apps/web")
	assert.Contains(t, errOut, "1 known finding of baseline.json no longer found; run with --write-baseline baseline.json to drop them")

	code, out, _ = cmdtest.Run(t, "lint", "a.yaml", "--baseline", "baseline.json", "-o", "sarif")
	assert.Equal(t, 1, code)
	var log struct {
		Runs []struct {
			Results []struct {
				RuleID        string `json:"ruleId"`
				BaselineState string `json:"baselineState"`
				Message       struct{ Text string }
				Suppressions  []any
			}
		}
	}
	require.NoError(t, json.Unmarshal([]byte(out), &log))
	states := map[string]int{}
	for _, r := range log.Runs[0].Results {
		states[r.BaselineState]++
		if r.BaselineState == "unchanged" {
			assert.Empty(t, r.Suppressions, "a known finding is not dismissed")
			assert.Contains(t, r.Message.Text, "Pod apps/web")
		}
		if r.BaselineState == "absent" {
			assert.Contains(t, []string{"image-not-pinned", "latest-image-tag"}, r.RuleID)
		}
	}
	assert.Equal(t, 1, states["absent"])
	assert.Positive(t, states["new"])
	assert.Positive(t, states["unchanged"])
	assert.Zero(t, states[""], "every result has a state against the baseline")

	for _, tt := range []struct {
		args []string
		msg  string
	}{
		{[]string{"--baseline", "none.json"}, "--baseline: open none.json"},
		{[]string{"--baseline", "a.yaml"}, "a.yaml: not a lint baseline"},
		{[]string{"--baseline", "baseline.json", "--write-baseline", "b2.json"}, "give one"},
		{[]string{"--write-baseline", filepath.Join("missing", "b.json")}, "--write-baseline: create"},
	} {
		code, _, errOut := cmdtest.Run(t, append([]string{"lint", "a.yaml"}, tt.args...)...)
		assert.Equal(t, 2, code, tt.args)
		assert.Contains(t, errOut, tt.msg, strings.Join(tt.args, " "))
	}
}
