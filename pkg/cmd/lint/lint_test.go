package lint_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	lintcmd "github.com/platformctl/platformctl/pkg/cmd/lint"
	"github.com/platformctl/platformctl/pkg/cmdutil"
	"github.com/platformctl/platformctl/pkg/lint"
)

// col is the 1-based column of needle on line (1-based) of text.
func col(text string, line int, needle string) int {
	return strings.Index(strings.Split(text, "\n")[line-1], needle) + 1
}

// TestRunExitCodes: the classes of issue 11 end as the exit codes the
// README promises: findings 1, inputs that cannot be linted as given 2.
func TestRunExitCodes(t *testing.T) {
	t.Chdir(t.TempDir())
	files := map[string]string{
		"yaml11.yaml":               "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  hostNetwork: on\n  containers: [{name: c, image: x, securityContext: {privileged: yes}}]\n",
		"json/pod.json":             `{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"hostPID": true, "containers": [{"name": "c", "image": "x"}]}}`,
		"empty/README.md":           "no manifests",
		"remote/kustomization.yaml": "resources:\n- https://127.0.0.1:1/pod.yaml\n",
		"cm.yaml":                   "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n",
	}
	for p, content := range files {
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	}
	tests := []struct {
		name   string
		args   []string
		stdin  string
		opts   func(*lintcmd.Options)
		code   int
		stdout string
		err    string
	}{
		{name: "YAML 1.1 booleans are findings", args: []string{"yaml11.yaml"}, code: 1, stdout: "yaml11.yaml:5:16: error host-network"},
		{name: "privileged: yes", args: []string{"yaml11.yaml"}, code: 1,
			stdout: fmt.Sprintf("yaml11.yaml:6:%d: error privileged-container", col(files["yaml11.yaml"], 6, "yes"))},
		{name: "a folder of JSON", args: []string{"json"}, code: 1,
			stdout: fmt.Sprintf("%s:1:%d: error host-pid", filepath.Join("json", "pod.json"), col(files["json/pod.json"], 1, "true"))},
		{name: "empty stdin", args: []string{"-"}, code: 2, err: "no objects to lint in standard input"},
		{name: "empty stdin allowed", args: []string{"-"}, opts: func(o *lintcmd.Options) { o.AllowEmpty = true }, code: 0, stdout: "0 objects"},
		{name: "a folder without manifests", args: []string{"empty"}, code: 2, err: "no objects to lint in empty"},
		{name: "remote resource", args: []string{"remote"}, code: 2, stdout: "remote/kustomization.yaml:2:3: error input-error: resources[0]"},
		{name: "exclusion without a selector", args: []string{"cm.yaml"}, code: 2, err: "exclude[0]: no selector",
			opts: func(o *lintcmd.Options) { o.Config.Exclude = []lint.Exclusion{{Reason: "x"}} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			opts := &lintcmd.Options{
				IO:   cmdutil.IOStreams{In: strings.NewReader(tt.stdin), Out: &out, ErrOut: &bytes.Buffer{}},
				Args: tt.args, Format: "text", FailOn: "error", NoColor: true,
			}
			if tt.opts != nil {
				tt.opts(opts)
			}
			err := lintcmd.Run(opts)
			assert.Equal(t, tt.code, cmdutil.ExitCode(err), "%v\n%s", err, out.String())
			if tt.stdout != "" {
				assert.Contains(t, out.String(), tt.stdout)
			}
			if tt.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.err)
			}
		})
	}
}

// TestEnvTypo: lint --env names environments of the spec; one it does not
// define is exit 2 with the environments and, for a typo, the nearest one,
// phrased as build phrases it.
func TestEnvTypo(t *testing.T) {
	shop, err := filepath.Abs("../../../examples/shop/platform.yaml")
	require.NoError(t, err)
	for _, tt := range []struct {
		name string
		envs []string
		err  string
	}{
		{name: "a typo", envs: []string{"prodution"},
			err: `no environment "prodution"; the spec defines: dev, testing, staging, production; did you mean "production"?`},
		{name: "a typo after a good one", envs: []string{"dev", "stagin"},
			err: `no environment "stagin"; the spec defines: dev, testing, staging, production; did you mean "staging"?`},
		{name: "far from every environment", envs: []string{"qa"},
			err: `no environment "qa"; the spec defines: dev, testing, staging, production`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			err := lintcmd.Run(&lintcmd.Options{
				IO:   cmdutil.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &bytes.Buffer{}},
				File: shop, Envs: tt.envs, Format: "text", FailOn: "error", NoColor: true,
			})
			assert.Equal(t, 2, cmdutil.ExitCode(err), "%v", err)
			require.Error(t, err)
			assert.Equal(t, tt.err, err.Error())
			assert.Empty(t, out.String())
		})
	}
}

// TestConfigReachesLint: the lint section LoadConfig decoded is the Config
// lint runs with, and --env comes from the flag alone (PLATFORMCTL_ENV is
// build's one environment; lint still checks every one).
func TestConfigReachesLint(t *testing.T) {
	t.Chdir(t.TempDir())
	t.Setenv("PLATFORMCTL_ENV", "dev")
	require.NoError(t, os.WriteFile(cmdutil.ConfigFile, []byte("env: staging\nlint:\n  disable: [host-network]\n  params: {minReplicas: 3}\n"), 0o644))
	f := cmdutil.NewFactory(cmdutil.IOStreams{In: strings.NewReader(""), Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}})
	require.NoError(t, f.LoadConfig(""))
	var got *lintcmd.Options
	cmd := lintcmd.NewCmd(f, func(o *lintcmd.Options) error { got = o; return nil })
	cmd.SetArgs(nil)
	require.NoError(t, cmd.Execute())
	require.NotNil(t, got)
	assert.Equal(t, lint.Config{Disable: []string{"host-network"}, Params: lint.Params{MinReplicas: 3}}, got.Config)
	assert.Empty(t, got.Envs)
}
