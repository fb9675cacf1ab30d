// Package cmdtest runs platformctl as a real process from a command's
// tests — for what only processes show: concurrent runs taking turns on a
// lock, signals, kill -9, a full stdout. The test binary, started again
// with MainEnv set, is platformctl; TestMain hands over to Main.
package cmdtest

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/platformctl/platformctl/pkg/cmd/root"
	"github.com/platformctl/platformctl/pkg/cmdutil"
)

// MainEnv marks the test binary started as platformctl.
const MainEnv = "PLATFORMCTL_TEST_MAIN"

// Main is a test package's TestMain: platformctl when started by Command,
// the tests otherwise.
func Main(m *testing.M) {
	if os.Getenv(MainEnv) == "1" {
		os.Exit(root.Main(os.Args[1:], cmdutil.IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr}))
	}
	os.Exit(m.Run())
}

// Command is `platformctl args…` as a process (not started).
func Command(args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), MainEnv+"=1")
	return cmd
}

// ExitCode is the process's exit status from cmd.Run's or cmd.Wait's
// error: -1 when a signal ended it, -2 when it could not run at all.
func ExitCode(err error) int {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	if err != nil {
		return -2
	}
	return 0
}

// Run is `platformctl args…` in this process, with empty stdin: its exit
// code, stdout and stderr.
func Run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut strings.Builder
	code = root.Main(args, cmdutil.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut})
	return code, out.String(), errOut.String()
}

// CopyExample copies examples/NAME (the spec and the files it names) into
// a temporary directory, so a test may edit it, and returns the spec's
// path there. root is the repository root relative to the test.
func CopyExample(t *testing.T, root, name string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(filepath.Join(root, "examples", name))); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, "platform.yaml")
}
