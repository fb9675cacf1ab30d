package filetxn

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// snapshot maps every path under dir to its mode and content, so a test
// can say "nothing changed" exactly.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	require.NoError(t, filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		v := info.Mode().String()
		if info.Mode().IsRegular() {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			v += " " + string(b)
		}
		out[rel] = v
		return nil
	}))
	return out
}

func TestCreate(t *testing.T) {
	for _, links := range []bool{true, false} {
		t.Run(fmt.Sprintf("hard links %v", links), func(t *testing.T) {
			if !links {
				link = func(string, string) error { return &os.LinkError{Op: "link", Err: syscall.EPERM} }
				t.Cleanup(func() { link = os.Link })
			}
			dir := t.TempDir()
			p := filepath.Join(dir, "a.yaml")
			var tx Txn
			require.NoError(t, tx.Create(p, []byte("a\n"), 0o640))
			require.NoError(t, tx.Commit())
			b, err := os.ReadFile(p)
			require.NoError(t, err)
			assert.Equal(t, "a\n", string(b))
			info, err := os.Stat(p)
			require.NoError(t, err)
			assert.Equal(t, fs.FileMode(0o640), info.Mode().Perm())

			before := snapshot(t, dir)
			var tx2 Txn
			err = tx2.Create(p, []byte("b\n"), 0o644)
			require.ErrorIs(t, err, fs.ErrExist)
			tx2.Rollback()
			assert.Equal(t, before, snapshot(t, dir), "an existing file is kept and no temporary file is left")

			// Rolled back: the file goes, unless somebody replaced it meanwhile.
			q := filepath.Join(dir, "b.yaml")
			var tx3 Txn
			require.NoError(t, tx3.Create(q, []byte("b\n"), 0o644))
			tx3.Rollback()
			assert.NoFileExists(t, q)
			var tx4 Txn
			require.NoError(t, tx4.Create(q, []byte("b\n"), 0o644))
			require.NoError(t, os.Remove(q))
			require.NoError(t, os.WriteFile(q, []byte("theirs"), 0o644))
			tx4.Rollback()
			b, err = os.ReadFile(q)
			require.NoError(t, err)
			assert.Equal(t, "theirs", string(b))
		})
	}
}

// TestCreateRace: many creators of one path at once; exactly one wins, and
// the file holds all of the winner's content.
func TestCreateRace(t *testing.T) {
	for _, links := range []bool{true, false} {
		t.Run(fmt.Sprintf("hard links %v", links), func(t *testing.T) {
			if !links {
				link = func(string, string) error { return &os.LinkError{Op: "link", Err: syscall.EPERM} }
				t.Cleanup(func() { link = os.Link })
			}
			dir := t.TempDir()
			p := filepath.Join(dir, "platform.yaml")
			const n = 40
			var wg sync.WaitGroup
			errs := make([]error, n)
			for i := range n {
				wg.Go(func() {
					var tx Txn
					errs[i] = tx.Create(p, []byte(strings.Repeat(fmt.Sprintf("run %d\n", i), 2000)), 0o644)
					if errs[i] == nil {
						errs[i] = tx.Commit()
					} else {
						tx.Rollback()
					}
				})
			}
			wg.Wait()
			winner := -1
			for i, err := range errs {
				if err == nil {
					require.Equal(t, -1, winner, "two creators won")
					winner = i
					continue
				}
				require.ErrorIs(t, err, fs.ErrExist)
			}
			require.NotEqual(t, -1, winner)
			b, err := os.ReadFile(p)
			require.NoError(t, err)
			assert.Equal(t, strings.Repeat(fmt.Sprintf("run %d\n", winner), 2000), string(b))
			entries, err := os.ReadDir(dir)
			require.NoError(t, err)
			assert.Len(t, entries, 1, "no temporary file is left")
		})
	}
}

func TestReplace(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "platform.yaml")
	require.NoError(t, os.WriteFile(p, []byte("old"), 0o600))
	require.NoError(t, os.Chmod(p, 0o640))
	link := filepath.Join(dir, "link.yaml")
	require.NoError(t, os.Symlink(p, link))

	var tx Txn
	require.NoError(t, tx.Replace(link, []byte("new"), []byte("old")))
	require.NoError(t, tx.Commit())
	b, err := os.ReadFile(p)
	require.NoError(t, err)
	assert.Equal(t, "new", string(b))
	info, err := os.Stat(p)
	require.NoError(t, err)
	assert.Equal(t, fs.FileMode(0o640), info.Mode().Perm(), "permissions are kept")
	li, err := os.Lstat(link)
	require.NoError(t, err)
	assert.NotZero(t, li.Mode()&os.ModeSymlink, "the link stays a link")

	// Saved by somebody else between reading and replacing: nothing written.
	var tx2 Txn
	require.NoError(t, tx2.Replace(p, []byte("mine"), []byte("new")))
	require.NoError(t, os.WriteFile(p, []byte("an editor's save"), 0o640))
	err = tx2.Commit()
	require.ErrorIs(t, err, ErrChanged)
	assert.Equal(t, map[string]string{".": "drwxr-xr-x", "link.yaml": "Lrwxrwxrwx", "platform.yaml": "-rw-r----- an editor's save"},
		snapshot(t, dir), "the editor's save is kept and the staged file is gone")
}

// TestReadOnly: a file with no write bit is refused, as root too.
func TestReadOnly(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "platform.yaml")
	require.NoError(t, os.WriteFile(p, []byte("old"), 0o444))
	before := snapshot(t, dir)
	var tx Txn
	err := tx.Replace(p, []byte("new"), nil)
	var nw *NotWritableError
	require.ErrorAs(t, err, &nw)
	assert.Equal(t, p+" is not writable (mode 0444)", err.Error())
	tx.Rollback()
	assert.Equal(t, before, snapshot(t, dir))
}

// TestOwnerKept: as root, a replaced file keeps its owner and group.
func TestOwnerKept(t *testing.T) {
	if runtime.GOOS == "windows" || os.Geteuid() != 0 {
		t.Skip("only root can give a file to another user; as another user the replacement is the user's own, as with any editor that saves by rename")
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "platform.yaml")
	require.NoError(t, os.WriteFile(p, []byte("old"), 0o600))
	require.NoError(t, os.Chmod(p, 0o664))
	require.NoError(t, os.Chown(p, 65534, 65533))
	var tx Txn
	require.NoError(t, tx.Replace(p, []byte("new"), []byte("old")))
	require.NoError(t, tx.Commit())
	info, err := os.Stat(p)
	require.NoError(t, err)
	st := info.Sys().(*syscall.Stat_t)
	assert.Equal(t, []uint32{65534, 65533}, []uint32{st.Uid, st.Gid})
	assert.Equal(t, fs.FileMode(0o664), info.Mode().Perm())
}

// TestFaultAtEveryStep fails each disk-changing step of two transactions
// in turn — an edit of a spec with a skeleton directory and files beside
// it, and a replacement of two files (init --force) — and checks that each
// failure leaves the tree exactly as it was.
func TestFaultAtEveryStep(t *testing.T) {
	scenarios := map[string]func(dir string) error{
		"edit with skeleton": func(dir string) error {
			var tx Txn
			if err := tx.Replace(filepath.Join(dir, "platform.yaml"), []byte("new spec"), []byte("old spec")); err != nil {
				tx.Rollback()
				return err
			}
			skel := filepath.Join(dir, "services", "web")
			if err := tx.MkdirAll(skel); err != nil {
				tx.Rollback()
				return err
			}
			for _, name := range []string{"Dockerfile", "README.md"} {
				if err := tx.Create(filepath.Join(skel, name), []byte(name), 0o644); err != nil {
					tx.Rollback()
					return err
				}
			}
			return tx.Commit()
		},
		"replace two files": func(dir string) error {
			var tx Txn
			for _, name := range []string{"platform.yaml", ".platformctl.yaml"} {
				if err := tx.Replace(filepath.Join(dir, name), []byte("new "+name), nil); err != nil {
					tx.Rollback()
					return err
				}
			}
			return tx.Commit()
		},
	}
	for name, run := range scenarios {
		t.Run(name, func(t *testing.T) {
			setup := func() string {
				dir := t.TempDir()
				require.NoError(t, os.WriteFile(filepath.Join(dir, "platform.yaml"), []byte("old spec"), 0o644))
				require.NoError(t, os.WriteFile(filepath.Join(dir, ".platformctl.yaml"), []byte("old config"), 0o600))
				return dir
			}
			// A clean run counts the steps.
			var steps []string
			failpoint = func(step, path string) error { steps = append(steps, step+" "+filepath.Base(path)); return nil }
			t.Cleanup(func() { failpoint = nil })
			require.NoError(t, run(setup()))
			require.NotEmpty(t, steps)
			for k := range steps {
				t.Run(fmt.Sprintf("%d %s", k, steps[k]), func(t *testing.T) {
					dir := setup()
					before := snapshot(t, dir)
					injected := errors.New("injected")
					n := 0
					failpoint = func(string, string) error {
						n++
						if n == k+1 {
							return injected
						}
						return nil
					}
					err := run(dir)
					require.ErrorIs(t, err, injected)
					assert.Equal(t, before, snapshot(t, dir), "a failure leaves nothing behind")
				})
			}
		})
	}
}
