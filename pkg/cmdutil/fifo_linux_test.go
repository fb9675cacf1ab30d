package cmdutil

import (
	"bytes"
	"net"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// within runs fn and fails the test when it has not returned after a few
// seconds: opening a FIFO with no writer blocks forever, which is the bug.
func within(t *testing.T, what string, fn func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn()
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatalf("%s blocked on a FIFO", what)
	}
}

func mkfifo(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "fifo.yaml")
	require.NoError(t, syscall.Mkfifo(p, 0o600))
	return p
}

// A FIFO named by --config must be refused at once, not opened.
func TestLoadConfigFIFO(t *testing.T) {
	p := mkfifo(t)
	var code int
	var stderr string
	within(t, "LoadConfig", func() { _, code, stderr = loadConfig(t, p) })
	assert.Equal(t, ExitError, code)
	assert.Equal(t, "error: config "+p+": not a regular file\n", stderr)
}

// A spec path that is a FIFO, a socket or a directory fails at once with the
// loader's "not a regular file", exit 2.
func TestLoadSpecNotARegularFile(t *testing.T) {
	dir := t.TempDir()
	sock := filepath.Join(dir, "sock.yaml")
	l, err := net.Listen("unix", sock)
	require.NoError(t, err)
	t.Cleanup(func() { _ = l.Close() })
	for name, p := range map[string]string{"fifo": mkfifo(t), "socket": sock, "directory": dir} {
		t.Run(name, func(t *testing.T) {
			var err error
			within(t, "LoadSpec", func() { _, err = LoadSpec(p) })
			require.Error(t, err)
			assert.Equal(t, ExitError, ExitCode(err))
			var out bytes.Buffer
			PrintError(&out, err)
			assert.Equal(t, p+":1:1: not a regular file\n1 error(s)\n", out.String())
		})
	}
}

// Completing --env with -f naming a FIFO offers nothing rather than
// hanging the shell.
func TestCompletionSkipsFIFO(t *testing.T) {
	p := mkfifo(t)
	var out string
	within(t, "completion", func() { out = completeWith(t, "-f", p, "--service", "") })
	assert.True(t, strings.HasPrefix(out, ":4\n"), "no candidates: got\n%s", out)
}
