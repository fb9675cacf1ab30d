package newcmd_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/platformctl/platformctl/pkg/cmd/cmdtest"
	"github.com/platformctl/platformctl/pkg/cmd/newcmd"
	"github.com/platformctl/platformctl/pkg/cmd/root"
	"github.com/platformctl/platformctl/pkg/cmdutil"
	"github.com/platformctl/platformctl/pkg/filelock"
	"github.com/platformctl/platformctl/pkg/scaffold"
	"github.com/platformctl/platformctl/pkg/spec"
)

func TestMain(m *testing.M) { cmdtest.Main(m) }

const image = "ghcr.io/acme/web:1.0.0@sha256:8ac720777beb9a42009e5347f5dc7bf3e27429bd1dc640686f3c9514d487746b"

// newArgs is the i-th of many edits: services, and every third a data store.
func newArgs(i int, file string) []string {
	if i%3 == 2 {
		return []string{"new", "datastore", fmt.Sprintf("store-%02d", i), "--type", "redis", "--endpoint", "cache.example.internal:6379", "--cidr", "10.0.0.0/24", "--encrypted-at-rest", "-f", file}
	}
	return []string{"new", "service", fmt.Sprintf("svc-%02d", i), "--image", image, "-f", file}
}

// assertAllAdded loads file and checks it is valid and holds every entry
// of the n edits.
func assertAllAdded(t *testing.T, file string, n int) {
	t.Helper()
	d, err := spec.LoadAndValidate(file)
	require.NoError(t, err)
	names := map[string]bool{}
	for _, s := range d.Platform.Spec.Services {
		names[s.Name] = true
	}
	for _, s := range d.Platform.Spec.Data {
		names[s.Name] = true
	}
	for i := range n {
		name := fmt.Sprintf("svc-%02d", i)
		if i%3 == 2 {
			name = fmt.Sprintf("store-%02d", i)
		}
		assert.True(t, names[name], "%s is lost", name)
	}
	entries, err := os.ReadDir(filepath.Dir(file))
	require.NoError(t, err)
	for _, e := range entries {
		assert.False(t, strings.HasPrefix(e.Name(), ".platformctl-"), "left behind: %s", e.Name())
	}
}

// TestParallelEdits: many `new service` and `new datastore` runs on one
// platform.yaml at once, in-process, each with its own streams: every run
// exits 0 and every entry is in the file (a lost update was the bug).
func TestParallelEdits(t *testing.T) {
	file := copyExample(t, "minimal")
	const n = 24
	var wg sync.WaitGroup
	type result struct {
		code        int
		out, errOut string
	}
	results := make([]result, n)
	for i := range n {
		wg.Go(func() {
			var out, errOut bytes.Buffer
			code := root.Main(newArgs(i, file), cmdutil.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut})
			results[i] = result{code, out.String(), errOut.String()}
		})
	}
	wg.Wait()
	for i, r := range results {
		assert.Equal(t, 0, r.code, "run %d: %s%s", i, r.out, r.errOut)
		assert.Contains(t, r.out, ": added ")
	}
	assertAllAdded(t, file, n)
}

// TestParallelProcesses: the same with real processes, which is how two
// users or CI jobs run it (the lock is the kernel's, per process).
func TestParallelProcesses(t *testing.T) {
	file := copyExample(t, "minimal")
	const n = 20
	var wg sync.WaitGroup
	errs := make([]error, n)
	outs := make([][]byte, n)
	for i := range n {
		wg.Go(func() {
			cmd := cmdtest.Command(newArgs(i, file)...)
			outs[i], errs[i] = cmd.CombinedOutput()
		})
	}
	wg.Wait()
	for i := range n {
		assert.NoError(t, errs[i], "run %d: %s", i, outs[i])
	}
	assertAllAdded(t, file, n)
}

// TestWaitsForLock: a run that finds the directory locked says it waits,
// and edits when the holder is done; one that waits too long exits 2
// without writing.
func TestWaitsForLock(t *testing.T) {
	file := copyExample(t, "minimal")
	first, err := filelock.Acquire(filepath.Dir(file), filelock.Exclusive, filelock.Options{})
	require.NoError(t, err)
	go func() {
		time.Sleep(300 * time.Millisecond)
		first.Unlock()
	}()
	code, out, errOut := run(t, newArgs(0, file)...)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "added service svc-00")
	assert.Equal(t, 1, strings.Count(errOut, "platformctl: waiting for another platformctl run to finish writing in "+filepath.Dir(file)), errOut)

	held, err := filelock.Acquire(filepath.Dir(file), filelock.Exclusive, filelock.Options{})
	require.NoError(t, err)
	defer held.Unlock()
	before, err := os.ReadFile(file)
	require.NoError(t, err)
	var stdout, stderr bytes.Buffer
	opts := &newcmd.ServiceOptions{IO: cmdutil.IOStreams{Out: &stdout, ErrOut: &stderr}, File: file,
		Service: scaffold.Service{Name: "late", Image: image},
		Lock:    scaffold.Locking{Timeout: 50 * time.Millisecond, Waiting: cmdutil.LockWaiting(&stderr)}}
	err = newcmd.RunService(opts)
	require.Error(t, err)
	assert.Equal(t, 2, cmdutil.ExitCode(err))
	assert.Contains(t, err.Error(), "another platformctl run has been writing in "+filepath.Dir(file)+" for 50ms; nothing was written; run again when it has finished")
	after, err := os.ReadFile(file)
	require.NoError(t, err)
	assert.Equal(t, string(before), string(after))
}

// TestNothingLeftOnFailure: an edit that cannot be completed writes
// nothing: neither the spec, nor the skeleton, nor a directory for it, nor
// a temporary file.
func TestNothingLeftOnFailure(t *testing.T) {
	tests := []struct {
		name   string
		mode   os.FileMode // of platform.yaml
		setup  func(t *testing.T, dir string) (skeleton string)
		stderr string
	}{
		{name: "read-only spec", mode: 0o444, setup: func(t *testing.T, dir string) string { return filepath.Join(dir, "services", "web") },
			stderr: "platform.yaml is not writable (mode 0444); nothing was written. platformctl never edits a file without write permission, as root neither: chmod u+w "},
		{name: "read-only spec, no write bit at all", mode: 0o400, setup: func(t *testing.T, dir string) string { return "" },
			stderr: "platform.yaml is not writable (mode 0400); nothing was written."},
		{name: "skeleton file exists", mode: 0o644, setup: func(t *testing.T, dir string) string {
			skel := filepath.Join(dir, "services", "web")
			require.NoError(t, os.MkdirAll(skel, 0o755))
			require.NoError(t, os.WriteFile(filepath.Join(skel, "README.md"), []byte("mine"), 0o644))
			return skel
		}, stderr: "README.md already exists; nothing was written (existing files are never overwritten) ("},
		{name: "skeleton file is a dangling link", mode: 0o644, setup: func(t *testing.T, dir string) string {
			skel := filepath.Join(dir, "skel")
			require.NoError(t, os.MkdirAll(skel, 0o755))
			require.NoError(t, os.Symlink(filepath.Join(dir, "nowhere"), filepath.Join(skel, "Dockerfile")))
			return skel
		}, stderr: "Dockerfile is a symbolic link; refusing to write through it"},
		{name: "skeleton under a file", mode: 0o644, setup: func(t *testing.T, dir string) string {
			require.NoError(t, os.WriteFile(filepath.Join(dir, "notes"), []byte("mine"), 0o644))
			return filepath.Join(dir, "notes", "a", "b")
		}, stderr: "is not a directory; nothing was written"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := copyExample(t, "minimal")
			dir := filepath.Dir(file)
			require.NoError(t, os.Chmod(file, tt.mode))
			skel := tt.setup(t, dir)
			before := tree(t, dir)
			args := newArgs(0, file)
			if skel != "" {
				args = append(args, "--with-skeleton", skel)
			}
			code, out, errOut := run(t, args...)
			assert.Equal(t, 2, code)
			assert.Empty(t, out)
			assert.Contains(t, errOut, tt.stderr)
			assert.Equal(t, before, tree(t, dir), "nothing is written, made or left behind")
		})
	}
}

// tree lists every path under dir with its mode and content.
func tree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	require.NoError(t, filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		v := info.Mode().String()
		if info.Mode().IsRegular() {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			v += " " + string(b)
		}
		out[p] = v
		return nil
	}))
	return out
}
