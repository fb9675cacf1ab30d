package render_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/platformctl/platformctl/pkg/cmd/cmdtest"
	"github.com/platformctl/platformctl/pkg/filelock"
)

func TestMain(m *testing.M) { cmdtest.Main(m) }

var (
	platformctl = cmdtest.Command
	exitCode    = cmdtest.ExitCode
)

// spec writes a platform with n services; variant changes every image, so
// two variants differ in every Deployment.
func spec(t *testing.T, n int, variant string) string {
	t.Helper()
	var b strings.Builder
	b.WriteString(`apiVersion: platformctl.dev/v1alpha1
kind: Platform
metadata: {name: hello}
spec:
  domain: hello.example.com
  environments:
    - {name: dev, tier: development}
    - {name: staging, tier: staging}
  services:
`)
	for i := range n {
		fmt.Fprintf(&b, "    - {name: svc-%d, image: \"ghcr.io/acme/svc:%s\", expose: {host: h%d, path: /svc-%d}}\n", i, variant, i%20, i)
	}
	p := filepath.Join(t.TempDir(), "platform.yaml")
	require.NoError(t, os.WriteFile(p, []byte(b.String()), 0o644))
	return p
}

// check runs render --check and returns its exit code and stderr.
func check(t *testing.T, specPath, dir string) (int, string) {
	t.Helper()
	var errOut bytes.Buffer
	cmd := platformctl("render", "--check", "-q", "-f", specPath, "-o", dir)
	cmd.Stdout = &bytes.Buffer{}
	cmd.Stderr = &errOut
	return exitCode(cmd.Run()), errOut.String()
}

func leftovers(t *testing.T, dir string) []string {
	t.Helper()
	var found []string
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.HasPrefix(d.Name(), ".platformctl-") {
			found = append(found, p)
		}
		return nil
	})
	return found
}

// Pairs of renders of two different specs into one directory at once: both
// succeed, and the tree is exactly what one of them renders.
func TestConcurrentRendersTakeTurns(t *testing.T) {
	a, b := spec(t, 30, "1.0.0"), spec(t, 30, "2.0.0")
	for pair := range 4 {
		dir := filepath.Join(t.TempDir(), "deploy")
		var wg sync.WaitGroup
		codes := make([]int, 2)
		outs := make([][]byte, 2)
		for i, s := range []string{a, b} {
			wg.Go(func() {
				var err error
				outs[i], err = platformctl("render", "-q", "-f", s, "-o", dir).CombinedOutput()
				codes[i] = exitCode(err)
			})
		}
		wg.Wait()
		require.Equal(t, []int{0, 0}, codes, "pair %d: %s\n%s", pair, outs[0], outs[1])
		ca, _ := check(t, a, dir)
		cb, _ := check(t, b, dir)
		assert.True(t, (ca == 0) != (cb == 0), "pair %d: the tree must be exactly one spec's (check a=%d, b=%d)", pair, ca, cb)
		assert.Empty(t, leftovers(t, dir), "pair %d", pair)
	}
}

// A render killed with SIGKILL at any moment: render --check then says the
// tree is stale or half-written (exit 1) or up to date (exit 0) — never
// anything else — and the next render leaves exactly the new tree.
func TestKilledRenderIsRepairedByTheNext(t *testing.T) {
	old, next := spec(t, 100, "1.0.0"), spec(t, 100, "2.0.0")
	dir := filepath.Join(t.TempDir(), "deploy")
	render(t, old, dir)
	sawHalf := false
	for _, delay := range []time.Duration{0, 100, 200, 300, 500} {
		cmd := platformctl("render", "-q", "-f", next, "-o", dir)
		require.NoError(t, cmd.Start())
		time.Sleep(delay * time.Millisecond)
		_ = cmd.Process.Kill()
		_ = cmd.Wait()

		code, msg := check(t, next, dir)
		require.Contains(t, []int{0, 1}, code, "after a kill at %v: %s", delay, msg)
		if strings.Contains(msg, "half-written") {
			sawHalf = true
		}
		out, err := platformctl("render", "-f", next, "-o", dir).CombinedOutput()
		require.NoError(t, err, "%s", out)
		code, msg = check(t, next, dir)
		require.Equal(t, 0, code, "after the repairing render: %s", msg)
		assert.Empty(t, leftovers(t, dir))
		// Back to the old tree for the next round.
		render(t, old, dir)
	}
	t.Logf("a kill landed inside the commit at least once: %v", sawHalf)
}

// SIGTERM (a CI timeout) or SIGINT (Ctrl-C) during a render: the exit
// status says which signal, and the tree is whole: the old or the new.
func TestSignalledRenderLeavesAWholeTree(t *testing.T) {
	old, next := spec(t, 100, "1.0.0"), spec(t, 100, "2.0.0")
	dir := filepath.Join(t.TempDir(), "deploy")
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		for _, delay := range []time.Duration{100, 300} {
			render(t, old, dir)
			cmd := platformctl("render", "-q", "-f", next, "-o", dir)
			var errOut bytes.Buffer
			cmd.Stderr = &errOut
			require.NoError(t, cmd.Start())
			time.Sleep(delay * time.Millisecond)
			_ = cmd.Process.Signal(sig)
			err := cmd.Wait()
			code := exitCode(err)
			co, _ := check(t, old, dir)
			cn, _ := check(t, next, dir)
			assert.True(t, co == 0 || cn == 0, "%v at %v: the tree is neither old nor new (exit %d: %s)", sig, delay, code, errOut.String())
			assert.Empty(t, leftovers(t, dir))
			switch {
			case code == 0:
				assert.Equal(t, 0, cn, "finished before the signal")
			case code == 128+int(sig) && strings.Contains(errOut.String(), "interrupted"):
				// Held and settled by the render itself.
			case code == -1:
				// Delivered before or after Write held signals: the default
				// action ended the process, with nothing of the commit begun
				// or everything of it done, as the checks above show.
			default:
				t.Errorf("%v at %v: exit %d: %s", sig, delay, code, errOut.String())
			}
		}
	}
}

// A run that keeps the directory locked longer than the wait is reported,
// exit 2, and nothing is written.
func TestLockedDirectoryTimesOut(t *testing.T) {
	s := spec(t, 2, "1.0.0")
	dir := filepath.Join(t.TempDir(), "deploy")
	render(t, s, dir)
	lk, err := filelock.Acquire(dir, filelock.Exclusive, filelock.Options{})
	require.NoError(t, err)
	defer lk.Unlock()
	var errOut bytes.Buffer
	cmd := platformctl("render", "-q", "--lock-timeout", "300ms", "-f", spec(t, 2, "2.0.0"), "-o", dir)
	cmd.Stderr = &errOut
	assert.Equal(t, 2, exitCode(cmd.Run()))
	assert.Contains(t, errOut.String(), "waiting for another platformctl run on "+dir)
	assert.Contains(t, errOut.String(), "locked by another platformctl run (waited 300ms)")
	lk.Unlock()
	code, msg := check(t, s, dir)
	assert.Equal(t, 0, code, "the old tree is untouched: %s", msg)
}

func render(t *testing.T, specPath, dir string) {
	t.Helper()
	out, err := platformctl("render", "-q", "-f", specPath, "-o", dir).CombinedOutput()
	require.NoError(t, err, "%s", out)
}

// The journal a killed render leaves (here: killed while staging one new
// file) makes render --check exit 1 and the next render undo it, say so,
// and leave nothing of it.
func TestHalfWrittenTree(t *testing.T) {
	s := spec(t, 2, "1.0.0")
	dir := filepath.Join(t.TempDir(), "deploy")
	render(t, s, dir)
	temp := "base/apps/.platformctl-0123456789ab-0.tmp"
	require.NoError(t, os.WriteFile(filepath.Join(dir, temp), []byte("# Code generated by platformctl. DO NOT EDIT.\nhalf"), 0o644))
	journal := `{"version": 1, "state": "committing", "ops": [{"target": "base/apps/new.yaml", "temp": "` + temp + `"}]}`
	require.NoError(t, os.WriteFile(filepath.Join(dir, ".platformctl-journal"), []byte(journal), 0o644))

	code, msg := check(t, s, dir)
	assert.Equal(t, 1, code)
	assert.Contains(t, msg, "an interrupted render left the tree half-written; run platformctl render again")

	out, err := platformctl("render", "-f", s, "-o", dir).CombinedOutput()
	require.NoError(t, err, "%s", out)
	assert.Contains(t, string(out), "had been interrupted; its changes were undone")
	assert.Empty(t, leftovers(t, dir))
	code, msg = check(t, s, dir)
	assert.Equal(t, 0, code, msg)
}
