package cicmd_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/platformctl/platformctl/pkg/cmd/cmdtest"
)

func TestCIGitHub(t *testing.T) {
	dir := t.TempDir()
	shop := "../../../examples/shop/platform.yaml"
	code, out, errOut := cmdtest.Run(t, "ci", "github", "-f", shop, "-o", dir)
	require.Equal(t, 0, code, errOut)
	for _, f := range []string{"platform.yml", "promote.yml", "release.yml"} {
		p := filepath.Join(dir, ".github", "workflows", f)
		assert.Contains(t, out, "wrote "+p+"\n")
		_, err := os.Stat(p)
		require.NoError(t, err)
	}
	// Again: refused, nothing changed; --force replaces.
	code, _, errOut = cmdtest.Run(t, "ci", "github", "-f", shop, "-o", dir)
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "already exist; nothing was written (--force overwrites)")
	code, _, errOut = cmdtest.Run(t, "ci", "github", "-f", shop, "-o", dir, "--force", "--fail-on", "critical")
	require.Equal(t, 0, code, errOut)
	b, err := os.ReadFile(filepath.Join(dir, ".github", "workflows", "release.yml"))
	require.NoError(t, err)
	assert.Contains(t, string(b), "--fail-on critical")

	code, _, errOut = cmdtest.Run(t, "ci", "github", "-f", shop, "-o", t.TempDir(), "--fail-on", "severe")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, `--fail-on: fail-on "severe": use one of`)

	// A subject that is not a workflow is a spec error at its position.
	spec, err := os.ReadFile(shop)
	require.NoError(t, err)
	bad := filepath.Join(t.TempDir(), "platform.yaml")
	require.NoError(t, os.WriteFile(bad, []byte(strings.Replace(string(spec), "/.github/workflows/release.yml@refs/heads/main", "/releases", 1)), 0o644))
	// The config files the spec names, copied (a symbolic link out is refused).
	require.NoError(t, os.CopyFS(filepath.Join(filepath.Dir(bad), "config"), os.DirFS(filepath.Join(filepath.Dir(shop), "config"))))
	code, _, errOut = cmdtest.Run(t, "ci", "github", "-f", bad, "-o", t.TempDir())
	assert.Equal(t, 2, code)
	assert.Regexp(t, `platform.yaml:\d+:\d+: spec.security.imageVerification.subject: "https://github.com/acme/shop/releases" is not a GitHub workflow identity`, errOut)
}

func TestCIGitLab(t *testing.T) {
	shop := "../../../examples/shop/platform.yaml"
	// The example signs from GitHub: ci gitlab refuses at the subject's position.
	code, _, errOut := cmdtest.Run(t, "ci", "gitlab", "-f", shop, "-o", t.TempDir())
	assert.Equal(t, 2, code)
	assert.Regexp(t, `platform.yaml:\d+:\d+: spec.security.imageVerification.subject: "https://github.com/acme/shop/.github/workflows/release.yml@refs/heads/main" is not a GitLab pipeline identity`, errOut)

	b, err := os.ReadFile(shop)
	require.NoError(t, err)
	gl := filepath.Join(t.TempDir(), "platform.yaml")
	require.NoError(t, os.WriteFile(gl, []byte(strings.NewReplacer(
		"issuer: https://token.actions.githubusercontent.com", "issuer: https://gitlab.com",
		"https://github.com/acme/shop/.github/workflows/release.yml@refs/heads/main", "https://gitlab.com/acme/shop//.gitlab-ci.yml@refs/heads/main").Replace(string(b))), 0o644))
	require.NoError(t, os.CopyFS(filepath.Join(filepath.Dir(gl), "config"), os.DirFS(filepath.Join(filepath.Dir(shop), "config"))))

	dir := t.TempDir()
	code, out, errOut := cmdtest.Run(t, "ci", "gitlab", "-f", gl, "-o", dir)
	require.Equal(t, 0, code, errOut)
	for _, f := range []string{".gitlab-ci.yml", ".gitlab/ci/platform.yml", ".gitlab/ci/promote.yml", ".gitlab/ci/release.yml"} {
		p := filepath.Join(dir, filepath.FromSlash(f))
		assert.Contains(t, out, "wrote "+p+"\n")
		assert.FileExists(t, p)
	}
	// Again: refused, nothing changed; --force replaces.
	code, _, errOut = cmdtest.Run(t, "ci", "gitlab", "-f", gl, "-o", dir)
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "already exist; nothing was written (--force overwrites)")
	code, _, errOut = cmdtest.Run(t, "ci", "gitlab", "-f", gl, "-o", dir, "--force", "--fail-on", "critical")
	require.Equal(t, 0, code, errOut)
	b, err = os.ReadFile(filepath.Join(dir, ".gitlab", "ci", "release.yml"))
	require.NoError(t, err)
	assert.Contains(t, string(b), "FAIL_ON: critical")

	// One file in the way: nothing is written, not even the directories.
	fresh := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(fresh, ".gitlab-ci.yml"), []byte("mine\n"), 0o644))
	code, _, errOut = cmdtest.Run(t, "ci", "gitlab", "-f", gl, "-o", fresh)
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, ".gitlab-ci.yml already exists")
	assert.NoDirExists(t, filepath.Join(fresh, ".gitlab"))
}
