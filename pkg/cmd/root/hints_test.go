package root

import (
	"fmt"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFirstRunHints: the mistakes a new user makes first get an error that
// says what to do, exit 2 and nothing on stdout; the raw errors they
// replace (open …: no such file or directory, cobra's "accepts 1 arg(s)",
// a strconv message) must not come back.
func TestFirstRunHints(t *testing.T) {
	shopAbs := abs(t, shop)
	const noSpec = "error: platform.yaml does not exist; create one with: platformctl init (or name another spec with -f)\n"
	const envTypo = `no environment "prodution"%s; the spec defines: dev, testing, staging, production; did you mean "production"?` + "\n"
	tests := []struct {
		name   string
		env    map[string]string
		config string // .platformctl.yaml, when set
		args   []string
		stderr string
	}{
		{name: "validate without a spec", args: []string{"validate"}, stderr: noSpec},
		{name: "render without a spec", args: []string{"render"}, stderr: noSpec},
		{name: "build without a spec", args: []string{"build", "--env", "dev"}, stderr: noSpec},
		{name: "env typo on the command line", args: []string{"build", "-f", shopAbs, "--env", "prodution"},
			stderr: "error: " + fmt.Sprintf(envTypo, "")},
		{name: "env typo in PLATFORMCTL_ENV", env: map[string]string{"PLATFORMCTL_ENV": "prodution"}, args: []string{"build", "-f", shopAbs},
			stderr: "error: " + fmt.Sprintf(envTypo, " (from PLATFORMCTL_ENV)")},
		{name: "env typo in the config file", config: "env: prodution\n", args: []string{"build", "-f", shopAbs},
			stderr: "error: " + fmt.Sprintf(envTypo, " (from .platformctl.yaml)")},
		{name: "the flag wins over a good PLATFORMCTL_ENV", env: map[string]string{"PLATFORMCTL_ENV": "dev"}, args: []string{"build", "-f", shopAbs, "-e", "prodution"},
			stderr: "error: " + fmt.Sprintf(envTypo, "")},
		{name: "far from every environment", args: []string{"build", "-f", shopAbs, "--env", "qa"},
			stderr: `error: no environment "qa"; the spec defines: dev, testing, staging, production` + "\n"},
		{name: "rules explain typo", args: []string{"rules", "explain", "privleged-container"},
			stderr: `error: no rule "privleged-container"; did you mean "privileged-container"? (platformctl rules lists every rule)` + "\n"},
		{name: "rules explain without an ID", args: []string{"rules", "explain"},
			stderr: "error: rules explain needs a rule ID: platformctl rules explain RULE-ID (platformctl rules lists every rule; IDs complete with TAB)\n"},
		{name: "rules explain with two IDs", args: []string{"rules", "explain", "host-network", "host-pid"},
			stderr: "error: rules explain takes one rule ID, got 2: host-network host-pid\n"},
		{name: "port not a number", args: []string{"new", "service", "web", "--image", "x", "--port", "abc"},
			stderr: "error: --port \"abc\": \"abc\" is not a port number between 1 and 65535 (an extra port is NAME=NUMBER, e.g. admin=9091)\n"},
		{name: "port out of int32", args: []string{"new", "service", "web", "--image", "x", "--port", "99999999999"},
			stderr: "error: --port \"99999999999\": \"99999999999\" is not a port number between 1 and 65535 (an extra port is NAME=NUMBER, e.g. admin=9091)\n"},
		{name: "bool flag not a bool", args: []string{"new", "service", "web", "--image", "x", "--worker=maybe"},
			stderr: "error: --worker \"maybe\": expected true or false\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Chdir(t.TempDir())
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			if tt.config != "" {
				require.NoError(t, os.WriteFile(".platformctl.yaml", []byte(tt.config), 0o644))
			}
			code, out, errOut := run(t, tt.args...)
			assert.Equal(t, 2, code)
			assert.Empty(t, out)
			assert.Equal(t, tt.stderr, errOut)
		})
	}
}

// TestVersionIgnoresBrokenConfig: version (and help and the completion
// scripts) answer, exit 0, whatever .platformctl.yaml holds, while every
// other command still refuses it.
func TestVersionIgnoresBrokenConfig(t *testing.T) {
	t.Chdir(t.TempDir())
	require.NoError(t, os.WriteFile(".platformctl.yaml", []byte("file: [platform.yaml\n"), 0o644))
	for _, tt := range []struct {
		args []string
		out  string
	}{
		{[]string{"version"}, "platformctl dev (commit"},
		{[]string{"version", "-o", "json"}, `"version": "dev"`},
		{[]string{"--version"}, "platformctl version dev (commit"},
		{[]string{"help"}, "Available Commands:"},
		{[]string{"help", "build"}, "platformctl build [flags]"},
		{[]string{"build", "--help"}, "platformctl build [flags]"},
		{[]string{"completion", "bash"}, "bash completion V2 for platformctl"},
	} {
		args := tt.args
		code, out, errOut := run(t, args...)
		assert.Equal(t, 0, code, "%v: %s", args, errOut)
		assert.Contains(t, out, tt.out, args)
		assert.Empty(t, errOut, args)
	}
	code, _, errOut := run(t, "validate")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, ".platformctl.yaml:2:1: invalid YAML")
}

// TestDataStoreTypeTypo: new datastore --type reddis is refused with the
// allowed engines and the one it was probably meant to be, and the spec is
// left as it was.
func TestDataStoreTypeTypo(t *testing.T) {
	orig, err := os.ReadFile("../../../examples/minimal/platform.yaml")
	require.NoError(t, err)
	t.Chdir(t.TempDir())
	require.NoError(t, os.WriteFile("platform.yaml", orig, 0o644))
	code, out, errOut := run(t, "new", "datastore", "cache", "--type", "reddis")
	assert.Equal(t, 2, code)
	assert.Empty(t, out)
	assert.Contains(t, errOut, `.type: must be one of: postgres, mysql, redis, rabbitmq, nats, kafka, ferretdb; did you mean "redis"?`+"\n")
	after, err := os.ReadFile("platform.yaml")
	require.NoError(t, err)
	assert.Equal(t, string(orig), string(after))
}
