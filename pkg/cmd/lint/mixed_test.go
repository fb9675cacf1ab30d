package lint_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	lintcmd "github.com/platformctl/platformctl/pkg/cmd/lint"
	"github.com/platformctl/platformctl/pkg/cmdutil"
)

// mixedFolder is a folder where some documents cannot be linted: an object
// without a name, a Helm template, a syntax error between two good
// documents of one file, and a Kustomize directory that does not build. Every good document has a finding of its own.
var mixedFolder = map[string]string{
	"good.yaml":   "apiVersion: v1\nkind: Pod\nmetadata: {name: good}\nspec:\n  hostNetwork: yes\n  containers: [{name: c, image: x}]\n",
	"noname.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {}\ndata: {a: b}\n",
	"helm.yaml": "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  ports:\n" +
		"  {{- range .Values.ports }}\n  - port: {{ . }}\n  {{- end }}\n",
	"kust/kustomization.yaml": "resources: [missing.yaml]\n",
	"multi.yaml": "apiVersion: v1\nkind: Pod\nmetadata: {name: first}\nspec:\n  hostPID: true\n  containers: [{name: c, image: x}]\n" +
		"---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: broken\ndata: [a: b\n" +
		"---\napiVersion: v1\nkind: Pod\nmetadata: {name: third}\nspec:\n  hostIPC: true\n  containers: [{name: c, image: x}]\n",
}

// TestBadDocumentsDoNotHideFindings: each bad document is an input error
// at its own file:line:col, every good document is still linted and its
// findings reported, in every format, and the exit code is 2 because part
// of the input was not checked.
func TestBadDocumentsDoNotHideFindings(t *testing.T) {
	t.Chdir(t.TempDir())
	for name, content := range mixedFolder {
		p := filepath.Join("mixed", name)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	}
	p := func(f string) string { return filepath.Join("mixed", f) }
	inputErrors := []struct {
		file      string
		line, col int
		msg       string
	}{
		{p("helm.yaml"), 7, 1, "a Helm or Go template?"},
		{p("kust/kustomization.yaml"), 1, 1, "does not exist"},
		{p("multi.yaml"), 10, 1, "invalid YAML"},
		{p("noname.yaml"), 3, 1, "ConfigMap has no metadata.name"},
	}
	findings := []struct {
		file, rule string
		line       int
	}{
		{p("good.yaml"), "host-network", 5},
		{p("multi.yaml"), "host-pid", 5},
		{p("multi.yaml"), "host-ipc", 17},
	}
	run := func(t *testing.T, format string) string {
		var out bytes.Buffer
		err := lintcmd.Run(&lintcmd.Options{
			IO:   cmdutil.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &bytes.Buffer{}},
			Args: []string{"mixed"}, Format: format, FailOn: "error", NoColor: true,
		})
		assert.Equal(t, cmdutil.ExitError, cmdutil.ExitCode(err), "%v\n%s", err, out.String())
		return out.String()
	}
	t.Run("text", func(t *testing.T) {
		out := run(t, "text")
		for _, ie := range inputErrors {
			assert.Contains(t, out, ie.file+":"+itoa(ie.line)+":"+itoa(ie.col)+": error input-error: ")
		}
		for _, f := range findings {
			assert.Contains(t, out, f.file+":"+itoa(f.line)+":")
			assert.Contains(t, out, "error "+f.rule+":")
		}
		assert.Contains(t, out, "3 objects, ")
		assert.Contains(t, out, "; 4 input errors")
	})
	t.Run("github", func(t *testing.T) {
		out := run(t, "github")
		for _, ie := range inputErrors {
			assert.Contains(t, out, "::error file="+ie.file+",line="+itoa(ie.line)+",col="+itoa(ie.col)+",title=input-error::")
		}
		for _, f := range findings {
			assert.Contains(t, out, "::error file="+f.file+",line="+itoa(f.line))
			assert.Contains(t, out, "title="+f.rule+"::")
		}
	})
	t.Run("json", func(t *testing.T) {
		var doc struct {
			Summary struct {
				Objects     int  `json:"objects"`
				InputErrors int  `json:"inputErrors"`
				Failed      bool `json:"failed"`
			} `json:"summary"`
			Findings []struct {
				Rule string `json:"rule"`
				File string `json:"file"`
				Line int    `json:"line"`
			} `json:"findings"`
			InputErrors []struct {
				File    string `json:"file"`
				Line    int    `json:"line"`
				Column  int    `json:"column"`
				Message string `json:"message"`
			} `json:"inputErrors"`
		}
		require.NoError(t, json.Unmarshal([]byte(run(t, "json")), &doc))
		assert.Equal(t, 3, doc.Summary.Objects)
		assert.Equal(t, 4, doc.Summary.InputErrors)
		assert.True(t, doc.Summary.Failed)
		require.Len(t, doc.InputErrors, len(inputErrors))
		for i, ie := range inputErrors {
			got := doc.InputErrors[i]
			assert.Equal(t, []any{ie.file, ie.line, ie.col}, []any{got.File, got.Line, got.Column})
			assert.Contains(t, got.Message, ie.msg)
		}
		for _, f := range findings {
			found := false
			for _, d := range doc.Findings {
				found = found || d.Rule == f.rule && d.File == f.file && d.Line == f.line
			}
			assert.True(t, found, "finding %v", f)
		}
	})
	t.Run("sarif", func(t *testing.T) {
		var log struct {
			Runs []struct {
				Results []struct {
					RuleID string `json:"ruleId"`
				} `json:"results"`
				Invocations []struct {
					ExecutionSuccessful bool `json:"executionSuccessful"`
					Notifications       []struct {
						Level     string                `json:"level"`
						Message   struct{ Text string } `json:"message"`
						Locations []struct {
							PhysicalLocation struct {
								ArtifactLocation struct{ URI string } `json:"artifactLocation"`
								Region           struct {
									StartLine   int `json:"startLine"`
									StartColumn int `json:"startColumn"`
								} `json:"region"`
							} `json:"physicalLocation"`
						} `json:"locations"`
					} `json:"toolExecutionNotifications"`
				} `json:"invocations"`
			} `json:"runs"`
		}
		require.NoError(t, json.Unmarshal([]byte(run(t, "sarif")), &log))
		require.Len(t, log.Runs, 1)
		run := log.Runs[0]
		require.Len(t, run.Invocations, 1)
		assert.False(t, run.Invocations[0].ExecutionSuccessful)
		require.Len(t, run.Invocations[0].Notifications, len(inputErrors))
		for i, ie := range inputErrors {
			n := run.Invocations[0].Notifications[i]
			assert.Equal(t, "error", n.Level)
			require.Len(t, n.Locations, 1)
			pl := n.Locations[0].PhysicalLocation
			assert.Equal(t, []any{filepath.ToSlash(ie.file), ie.line, ie.col}, []any{pl.ArtifactLocation.URI, pl.Region.StartLine, pl.Region.StartColumn})
		}
		rules := map[string]bool{}
		for _, r := range run.Results {
			rules[r.RuleID] = true
		}
		for _, f := range findings {
			assert.True(t, rules[f.rule], f.rule)
		}
	})
	t.Run("junit", func(t *testing.T) {
		out := run(t, "junit")
		assert.Contains(t, out, `<testsuite name="input-error" tests="4" failures="0" errors="4"`)
		for _, ie := range inputErrors {
			assert.Contains(t, out, `<testcase name="`+ie.file+":"+itoa(ie.line)+":"+itoa(ie.col)+`"`)
		}
		for _, f := range findings {
			assert.Contains(t, out, `<testsuite name="`+f.rule+`"`)
		}
	})
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestWriteBaselineRefusesUnreadInput: a baseline recorded while some
// documents could not be read would lack their findings; it is not written.
func TestWriteBaselineRefusesUnreadInput(t *testing.T) {
	t.Chdir(t.TempDir())
	require.NoError(t, os.MkdirAll("mixed", 0o755))
	require.NoError(t, os.WriteFile(filepath.Join("mixed", "good.yaml"), []byte(mixedFolder["good.yaml"]), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join("mixed", "noname.yaml"), []byte(mixedFolder["noname.yaml"]), 0o644))
	var out bytes.Buffer
	err := lintcmd.Run(&lintcmd.Options{
		IO:   cmdutil.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &bytes.Buffer{}},
		Args: []string{"mixed"}, Format: "text", FailOn: "error", NoColor: true, WriteBaseline: "baseline.json",
	})
	assert.Equal(t, cmdutil.ExitError, cmdutil.ExitCode(err))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "not written: 1 input error")
	assert.NoFileExists(t, "baseline.json")
}
