package treeio

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The tests below run Write in a child process (this test binary, started
// again with childEnv set) that kills itself, or signals itself, at step N
// of the write, for every N; the parent then checks what is on disk.

const childEnv = "TREEIO_TEST_CHILD"

// Exit codes of the child.
const (
	childWrote       = 0
	childInterrupted = 3 // InterruptedError, tree left as it was
	childFinished    = 4 // InterruptedError, commit finished first
	childFailed      = 5
)

func TestMain(m *testing.M) {
	if spec := os.Getenv(childEnv); spec != "" {
		os.Exit(runChild(spec))
	}
	os.Exit(m.Run())
}

// runChild: "<kill|term>:<step>:<dir>".
func runChild(spec string) int {
	parts := strings.SplitN(spec, ":", 3)
	at, _ := strconv.Atoi(parts[1])
	sig := syscall.SIGKILL
	if parts[0] == "term" {
		sig = syscall.SIGTERM
	}
	var held *signals
	testSignals = func(s *signals) { held = s }
	n := 0
	hook = func(string) error {
		n++
		if n == at {
			_ = syscall.Kill(os.Getpid(), sig)
			if sig == syscall.SIGKILL {
				select {} // never returns: the kernel ends us here
			}
			// Delivery is asynchronous: wait until Write holds it, as it
			// would hold a Ctrl-C that came a moment earlier.
			for deadline := time.Now().Add(10 * time.Second); held.caught() == nil && time.Now().Before(deadline); {
				time.Sleep(time.Millisecond)
			}
		}
		return nil
	}
	_, err := Write(parts[2], newTree, hdr)
	var ie *InterruptedError
	switch {
	case err == nil:
		return childWrote
	case errors.As(err, &ie) && ie.Complete:
		return childFinished
	case errors.As(err, &ie):
		return childInterrupted
	default:
		fmt.Fprintln(os.Stderr, err)
		return childFailed
	}
}

func runChildAt(t *testing.T, how string, at int, dir string) int {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s:%d:%s", childEnv, how, at, dir))
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ee.ExitCode() == -1 { // killed by a signal
			return -1
		}
		require.NotEqual(t, childFailed, ee.ExitCode(), "child failed: %s", out)
		return ee.ExitCode()
	}
	require.NoError(t, err, "%s", out)
	return 0
}

// steps counts the hook calls of one uninterrupted Write of newTree over
// oldTree.
func steps(t *testing.T) int {
	t.Helper()
	n := 0
	hook = func(string) error { n++; return nil }
	defer func() { hook = nil }()
	_, err := Write(oldTree(t), newTree, hdr)
	require.NoError(t, err)
	require.Greater(t, n, 10)
	return n
}

func TestKilledAtEveryStep(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a process per step")
	}
	total := steps(t)
	for at := 1; at <= total; at++ {
		dir := oldTree(t)
		before := snapshot(t, dir)
		code := runChildAt(t, "kill", at, dir)
		require.Equal(t, -1, code, "step %d: the child was not killed", at)

		// A check before recovery either says the tree is half-written or
		// sees a whole tree (killed before the journal or after cleanup).
		_, cerr := Compare(dir, newTree, hdr)
		j, _ := loadJournal(dir)
		if j != nil {
			assert.ErrorIs(t, cerr, ErrHalfWritten, "step %d", at)
		} else {
			assert.NoError(t, cerr, "step %d", at)
		}

		rec, _, err := Recover(dir, hdr, Options{})
		require.NoError(t, err, "step %d", at)
		after := snapshot(t, dir)
		if rec == RolledForward {
			assert.Equal(t, snapshot(t, written(t)), after, "step %d: completed tree", at)
		} else {
			assert.Equal(t, before, after, "step %d: old tree back (%q)", at, rec)
		}

		// And the next render writes the new tree, leaving nothing else.
		_, err = Write(dir, newTree, hdr)
		require.NoError(t, err)
		assert.Equal(t, snapshot(t, written(t)), snapshot(t, dir), "step %d", at)
	}
}

// written is oldTree after an uninterrupted Write of newTree.
func written(t *testing.T) string {
	t.Helper()
	dir := oldTree(t)
	_, err := Write(dir, newTree, hdr)
	require.NoError(t, err)
	return dir
}

func TestSignalledAtEveryStep(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a process per step")
	}
	total := steps(t)
	sawBoth := map[int]bool{}
	for at := 1; at <= total; at++ {
		dir := oldTree(t)
		before := snapshot(t, dir)
		code := runChildAt(t, "term", at, dir)
		sawBoth[code] = true
		switch code {
		case childInterrupted:
			assert.Equal(t, before, snapshot(t, dir), "step %d: a signal before the commit undoes it", at)
		case childFinished:
			assert.Equal(t, snapshot(t, written(t)), snapshot(t, dir), "step %d: a signal during the commit lets it finish", at)
		default:
			t.Fatalf("step %d: child exited %d", at, code)
		}
	}
	assert.True(t, sawBoth[childInterrupted] && sawBoth[childFinished], "both ways were exercised: %v", sawBoth)
}

// Every step Write takes can fail (a full disk, EIO): the directory is then
// exactly as it was, with nothing of ours left in it.
func TestEveryStepCanFail(t *testing.T) {
	total := steps(t)
	defer func() { hook = nil }()
	for at := 1; at <= total; at++ {
		dir := oldTree(t)
		before := snapshot(t, dir)
		n := 0
		var failed string
		hook = func(name string) error {
			n++
			if n == at {
				failed = name
				return errors.New("injected failure")
			}
			return nil
		}
		_, err := Write(dir, newTree, hdr)
		hook = nil
		if failed == "finish" {
			// The tree was complete; only the kept copies are left, and
			// the next run removes them.
			require.Error(t, err)
			_, _, err = Recover(dir, hdr, Options{})
			require.NoError(t, err)
			assert.Equal(t, snapshot(t, written(t)), snapshot(t, dir))
			continue
		}
		require.ErrorContains(t, err, "injected failure", "step %d (%s)", at, failed)
		assert.Equal(t, before, snapshot(t, dir), "step %d (%s)", at, failed)
	}
}

var otherTree = map[string][]byte{
	"base/apps/same.yaml":    []byte(hdr + "same\n"),
	"base/apps/other.yaml":   []byte(hdr + "other\n"),
	"overlays/dev/kust.yaml": []byte(hdr + "other\n"),
}

// Many runs writing two different trees into one directory at once: every
// run succeeds (they take turns), the result is exactly one of the trees,
// and a concurrent check only ever sees a whole tree.
func TestConcurrentWrites(t *testing.T) {
	dir := oldTree(t)
	wantNew, wantOther := snapshot(t, written(t)), func() map[string]string {
		d := oldTree(t)
		_, err := Write(d, otherTree, hdr)
		require.NoError(t, err)
		return snapshot(t, d)
	}()
	var wg sync.WaitGroup
	for i := range 12 {
		tree := newTree
		if i%2 == 1 {
			tree = otherTree
		}
		wg.Go(func() {
			for range 5 {
				_, err := Write(dir, tree, hdr)
				assert.NoError(t, err)
			}
		})
	}
	for range 2 {
		wg.Go(func() {
			for range 20 {
				d, err := Compare(dir, otherTree, hdr)
				if !assert.NoError(t, err) {
					return
				}
				if !d.Empty() {
					// Stale against otherTree means it holds newTree, whole.
					assert.Equal(t, []string{"base/apps/other.yaml", "overlays/dev/kust.yaml"}, d.Missing)
				}
			}
		})
	}
	wg.Wait()
	got := snapshot(t, dir)
	if got["base/apps/other.yaml"] != "" {
		assert.Equal(t, wantOther, got, "exactly otherTree, nothing else of ours")
	} else {
		assert.Equal(t, wantNew, got, "exactly newTree, nothing else of ours")
	}
}

// A journal is only trusted inside base/ and overlays/ and for reserved
// names next to their targets: one committed to a repository can never make
// render move or delete anything else.
func TestUntrustedJournalIsRefused(t *testing.T) {
	tests := []struct{ name, journal, want string }{
		{"target outside the tree", `{"version":1,"state":"committing","ops":[{"target":"kustomization-of-user.yaml","temp":"base/.platformctl-x.tmp"}]}`, "outside the tree"},
		{"target escaping", `{"version":1,"state":"committing","ops":[{"target":"base/../../etc/passwd","temp":"base/.platformctl-x.tmp"}]}`, "outside the tree"},
		{"backup that is not ours", `{"version":1,"state":"committing","stale":[{"target":"base/apps/same.yaml","backup":"overlays/dev/notes.md"}]}`, "not a platformctl temp file"},
		{"backup in another directory", `{"version":1,"state":"committing","stale":[{"target":"base/apps/same.yaml","backup":"base/.platformctl-x.old"}]}`, "not a platformctl temp file"},
		{"newer version", `{"version":2,"state":"committing"}`, "version 2"},
		{"unknown state", `{"version":1,"state":"done"}`, "unknown state"},
		{"damaged", `{"version":1,"sta`, "damaged"},
		{"unknown field", `{"version":1,"state":"staging","rm":["/"]}`, "damaged"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := oldTree(t)
			writeFiles(t, dir, map[string]string{JournalName: tt.journal})
			before := snapshot(t, dir)
			_, err := Write(dir, newTree, hdr)
			require.ErrorIs(t, err, ErrJournal)
			assert.ErrorContains(t, err, tt.want)
			assert.Equal(t, before, snapshot(t, dir), "nothing touched")
		})
	}
}
