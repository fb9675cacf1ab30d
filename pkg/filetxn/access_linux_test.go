package filetxn

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestNotWritableByUser: a file with write bits that the user may not write
// (another user's 0644 file in a directory the user may write, so a rename
// would succeed) is refused with the kernel's answer. Tests often run as
// root, which may write any file; then the check runs in a copy of the test
// binary started as user nobody (65534), which is what a non-root user gets.
func TestNotWritableByUser(t *testing.T) {
	if p := os.Getenv("FILETXN_ACCESS_HELPER"); p != "" {
		var tx Txn
		err := tx.Replace(p, []byte("new"), nil)
		tx.Rollback()
		var nw *NotWritableError
		if !assert.ErrorAs(t, err, &nw) {
			return
		}
		assert.ErrorIs(t, err, syscall.EACCES)
		assert.Equal(t, p+" is not writable (mode 0644): permission denied", err.Error())
		return
	}
	if os.Geteuid() != 0 {
		t.Skip("needs a file of another user: run as root (as CI does), which starts the check as user nobody")
	}
	dir, err := os.MkdirTemp("", "filetxn-access-")
	require.NoError(t, err)
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	require.NoError(t, os.Chmod(dir, 0o777)) // writable by nobody: only the file's own permissions stand in the way
	p := filepath.Join(dir, "platform.yaml")
	require.NoError(t, os.WriteFile(p, []byte("root's"), 0o644))
	bin := filepath.Join(dir, "filetxn.test")
	copyFile(t, os.Args[0], bin)

	cmd := exec.Command(bin, "-test.run", "^TestNotWritableByUser$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), "FILETXN_ACCESS_HELPER="+p, "GOCOVERDIR="+dir)
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	require.Contains(t, string(out), "--- PASS: TestNotWritableByUser", "the check ran as nobody")
	b, err := os.ReadFile(p)
	require.NoError(t, err)
	assert.Equal(t, "root's", string(b))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 2, "nothing staged is left behind")
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	src, err := os.Open(from)
	require.NoError(t, err)
	defer src.Close()
	dst, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o755)
	require.NoError(t, err)
	_, err = io.Copy(dst, src)
	require.NoError(t, err)
	require.NoError(t, dst.Close())
}
