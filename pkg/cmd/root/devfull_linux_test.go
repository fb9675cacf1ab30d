package root

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// platformctl returns the test binary as the real program (see TestMain).
func platformctl(args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "PLATFORMCTL_TEST_MAIN=1")
	return cmd
}

// TestDevFull: results written to a full device (`platformctl rules >
// /dev/full`) exit 2 with one line saying why, in a real process whose
// stdout is the device.
func TestDevFull(t *testing.T) {
	for _, args := range [][]string{
		{"rules"},
		{"rules", "explain", "privileged-container"},
		{"version"},
		{"version", "-o", "json"},
		{"schema"},
		{"build", "-f", shop, "--env", "dev"},
		{"completion", "bash"},
		{"help"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
			if err != nil {
				t.Skipf("no /dev/full: %v", err)
			}
			defer full.Close()
			cmd := platformctl(args...)
			var stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = full, &stderr
			err = cmd.Run()
			var exit *exec.ExitError
			require.ErrorAs(t, err, &exit, "stderr: %s", stderr.String())
			assert.Equal(t, 2, exit.ExitCode())
			assert.Equal(t, "platformctl: write stdout: no space left on device\n", stderr.String())
		})
	}
}

// TestClosedPipe: `platformctl rules | head -1`: when the reader has gone,
// the process ends quietly the way cat or grep do, by SIGPIPE (the Go
// runtime's default for a write to a closed pipe on standard output): no
// message, and not a success.
func TestClosedPipe(t *testing.T) {
	r, w, err := os.Pipe()
	require.NoError(t, err)
	require.NoError(t, r.Close())
	cmd := platformctl("rules")
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = w, &stderr
	err = cmd.Run()
	_ = w.Close()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit)
	assert.Empty(t, stderr.String())
	st, ok := exit.Sys().(syscall.WaitStatus)
	require.True(t, ok)
	if st.Signaled() {
		assert.Equal(t, syscall.SIGPIPE, st.Signal())
	} else {
		assert.Equal(t, 2, exit.ExitCode(), "not killed by SIGPIPE: exit 2 without a message")
	}
}
