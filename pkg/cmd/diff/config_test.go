package diff_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestAgainstRevisionReadsConfigFilesThere: the config files a spec names
// are read at the revision of the spec, never from the working tree, with
// the same path safety as on disk.
func TestAgainstRevisionReadsConfigFilesThere(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	base, err := os.ReadFile("../../../examples/minimal/platform.yaml")
	require.NoError(t, err)
	withConfig := func(file string) []byte {
		return []byte(strings.Replace(string(base), "      expose:\n", "      config:\n        files:\n          app.yaml: {file: "+file+"}\n      expose:\n", 1))
	}
	dir := t.TempDir()
	sub := filepath.Join(dir, "deploy")
	require.NoError(t, os.MkdirAll(filepath.Join(sub, "config"), 0o755))
	p := filepath.Join(sub, "platform.yaml")
	write := func(name, text string) {
		require.NoError(t, os.WriteFile(filepath.Join(sub, name), []byte(text), 0o644))
	}
	require.NoError(t, os.WriteFile(p, withConfig("config/link.yaml"), 0o644))
	write("config/app.yaml", "level: info\n")
	require.NoError(t, os.Symlink("app.yaml", filepath.Join(sub, "config", "link.yaml")))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "secret.yaml"), []byte("token: x\n"), 0o644))
	require.NoError(t, os.Symlink("../../secret.yaml", filepath.Join(sub, "config", "out.yaml")))
	git(t, dir, "init", "-q")
	git(t, dir, "add", ".")
	git(t, dir, "commit", "-qm", "one")

	// Unchanged, through a symlink inside the directory.
	code, out, errOut := run(t, sub, "diff", "--against", "HEAD", "--env", "production")
	assert.Equal(t, 0, code, errOut)
	assert.Equal(t, "production@HEAD → production: no differences\n", out)

	// The file changed in the working tree only: HEAD's side reads HEAD's.
	write("config/app.yaml", "level: debug\n")
	code, out, errOut = run(t, sub, "diff", "--against", "HEAD", "--env", "production")
	assert.Equal(t, 1, code, errOut)
	assert.Contains(t, out, "~ ConfigMap apps/hello-config\n", "the hashed names are one ConfigMap that changed")
	assert.Contains(t, out, "level: info")
	assert.Contains(t, out, "level: debug")

	// A symlink leading out of the spec's directory is refused at a revision
	// as on disk, with the position of file: in REV:path.
	require.NoError(t, os.WriteFile(p, withConfig("config/out.yaml"), 0o644))
	git(t, dir, "commit", "-qam", "three")
	require.NoError(t, os.WriteFile(p, withConfig("config/link.yaml"), 0o644))
	code, _, errOut = run(t, sub, "diff", "--against", "HEAD")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "HEAD:platform.yaml:19:")
	assert.Contains(t, errOut, "config/out.yaml leads out of the directory of platform.yaml through a symlink")

	// A file missing at the revision, though present in the working tree.
	require.NoError(t, os.WriteFile(p, withConfig("config/later.yaml"), 0o644))
	git(t, dir, "commit", "-qam", "four")
	write("config/later.yaml", "level: warn\n")
	code, _, errOut = run(t, sub, "diff", "--against", "HEAD")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "HEAD:platform.yaml:19:")
	assert.Contains(t, errOut, "cannot read config/later.yaml")
}
