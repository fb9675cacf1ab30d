package lint_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	lintcmd "github.com/platformctl/platformctl/pkg/cmd/lint"
	"github.com/platformctl/platformctl/pkg/cmdutil"
	"github.com/platformctl/platformctl/pkg/helmchart"
)

// TestHelmFlags: --values, --set and --set-string are repeatable and kept
// in order; -f stays the spec's flag: alone it names the spec, with paths
// it is refused, pointing at --values.
func TestHelmFlags(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		values helmchart.Values
		file   string
		err    string
	}{
		{
			name:   "repeatable, in order",
			args:   []string{"chart", "--values", "a.yaml", "--set", "x=1,y=2", "--values", "b.yaml", "--set", "z=3", "--set-string", "v=007"},
			values: helmchart.Values{Files: []string{"a.yaml", "b.yaml"}, Set: []string{"x=1,y=2", "z=3"}, SetString: []string{"v=007"}},
			file:   "platform.yaml",
		},
		{name: "-f alone is the spec", args: []string{"-f", "specs/shop.yaml"}, file: "specs/shop.yaml"},
		{name: "-f with paths is refused", args: []string{"-f", "prod.yaml", "chart"}, err: "a Helm chart's values files are --values"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := cmdutil.NewFactory(cmdutil.IOStreams{In: strings.NewReader(""), Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}})
			var got *lintcmd.Options
			cmd := lintcmd.NewCmd(f, func(o *lintcmd.Options) error { got = o; return nil })
			cmd.SetArgs(tt.args)
			cmd.SetOut(&bytes.Buffer{})
			cmd.SetErr(&bytes.Buffer{})
			err := cmd.Execute()
			if tt.err != "" {
				require.Error(t, err)
				assert.Equal(t, cmdutil.ExitError, cmdutil.ExitCode(err))
				assert.Contains(t, err.Error(), tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.values, got.Values)
			assert.Equal(t, tt.file, got.File)
		})
	}
}

// TestHelmRun: a chart's findings are findings (exit 1); a template that
// fails is an input error (exit 2) that does not hide the other inputs'
// findings; values with nothing to apply them to are a usage error.
func TestHelmRun(t *testing.T) {
	charts, err := filepath.Abs(filepath.Join("..", "..", "lintinput", "testdata", "charts"))
	require.NoError(t, err)
	t.Chdir(t.TempDir())
	require.NoError(t, os.WriteFile("pod.yaml", []byte("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  hostNetwork: true\n  containers: [{name: c, image: x}]\n"), 0o644))
	require.NoError(t, os.WriteFile("platform.yaml", []byte("apiVersion: platformctl.dev/v1alpha1\n"), 0o644))
	web, required := filepath.Join(charts, "web"), filepath.Join(charts, "required")
	tests := []struct {
		name   string
		args   []string
		values helmchart.Values
		code   int
		stdout []string
		err    string
	}{
		{name: "a chart's findings", args: []string{web}, code: 1,
			stdout: []string{filepath.Join(web, "templates", "hooks", "migrate.yaml") + ":10:16: error host-pid"}},
		{name: "--set turns a rule on", args: []string{web}, values: helmchart.Values{Set: []string{"hostNetwork=true"}}, code: 1,
			stdout: []string{filepath.Join(web, "templates", "deployment.yaml") + ":18:20: error host-network"}},
		{name: "a failing template next to a file", args: []string{required, "pod.yaml"}, code: 2,
			stdout: []string{
				filepath.Join(required, "templates", "configmap.yaml") + ":6:11: error input-error: template: execution error: dbHost is required",
				"pod.yaml:5:16: error host-network",
			}},
		{name: "--set without a chart", args: []string{"pod.yaml"}, values: helmchart.Values{Set: []string{"a=1"}}, code: 2,
			err: "apply to Helm charts, and no input is one"},
		{name: "--values with the spec", values: helmchart.Values{Files: []string{"v.yaml"}}, code: 2,
			err: "apply to Helm charts given as paths; a spec has none"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			err := lintcmd.Run(&lintcmd.Options{
				IO:   cmdutil.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &bytes.Buffer{}},
				Args: tt.args, File: "platform.yaml", Values: tt.values, Format: "text", FailOn: "error", NoColor: true,
			})
			assert.Equal(t, tt.code, cmdutil.ExitCode(err), "%v\n%s", err, out.String())
			for _, s := range tt.stdout {
				assert.Contains(t, out.String(), s)
			}
			if tt.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.err)
			}
		})
	}
}
