package policies_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/platformctl/platformctl/pkg/cmd/cmdtest"
)

func TestMain(m *testing.M) { cmdtest.Main(m) }

func TestExport(t *testing.T) {
	dir, err := filepath.Abs("../../../testdata/custom-rules")
	require.NoError(t, err)
	t.Chdir(dir)
	code, out, errOut := cmdtest.Run(t, "policies", "export")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "name: platformctl-team-label\n")
	assert.Contains(t, out, "name: platformctl-privileged-container\n")
	assert.Equal(t, strings.Count(out, "kind: ValidatingAdmissionPolicy\n"), strings.Count(out, "kind: ValidatingAdmissionPolicyBinding\n"))
	assert.Contains(t, errOut, "as ValidatingAdmissionPolicies: ")

	file := filepath.Join(t.TempDir(), "p.yaml")
	code, stdout, _ := cmdtest.Run(t, "policies", "export", "--action", "warn", "-o", file)
	require.Equal(t, 0, code)
	assert.Empty(t, stdout)
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	assert.NotContains(t, string(data), "- Deny")
	assert.Contains(t, string(data), "- Warn")

	// what admission cannot enforce is said on stderr, even with -q
	t.Chdir(t.TempDir())
	require.NoError(t, os.WriteFile(".platformctl.yaml", []byte("lint:\n  exclude:\n    - {rules: [host-pid], paths: [\"vendor/*\"], reason: vendored}\n"), 0o644))
	code, _, errOut = cmdtest.Run(t, "-q", "policies", "export")
	require.Equal(t, 0, code)
	assert.Equal(t, "platformctl: warning: rule host-pid: exclude[0] selects files (paths), which admission does not see: not exported, so admission judges what it excludes\n", errOut)

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--kube-version", "1.29"}, "ValidatingAdmissionPolicy (admissionregistration.k8s.io/v1) is served from 1.30 on"},
		{[]string{"--kube-version", "1.99"}, "--kube-version:"},
		{[]string{"--action", "block"}, `action "block": one of severity, deny, warn, audit`},
		{[]string{"-o", filepath.Join(t.TempDir(), "missing", "p.yaml")}, "policies export:"},
	} {
		code, _, errOut := cmdtest.Run(t, append([]string{"policies", "export"}, tc.args...)...)
		assert.Equal(t, 2, code, tc.args)
		assert.Contains(t, errOut, tc.want, tc.args)
	}
}
