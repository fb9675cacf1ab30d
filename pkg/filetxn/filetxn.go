// Package filetxn makes a group of file changes that all take effect or
// none do: directories made for new files, files created exclusively (they
// appear whole or not at all, and never over a file somebody else created
// meanwhile), and files replaced atomically, only when they still hold what
// the change was computed from. A failure at any step undoes every step
// before it, so a refused or failed command leaves the disk as it found it.
//
// It does not lock: callers that must keep other platformctl runs out hold a
// pkg/filelock lock around the transaction. The checks here guard against
// everything else (an editor, a script, a user).
package filetxn

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// ErrChanged is returned by Commit when a file to be replaced no longer
// holds the bytes the caller read: somebody saved it meanwhile.
var ErrChanged = errors.New("changed while the change was being made")

// NotWritableError says a file to be replaced may not be written.
type NotWritableError struct {
	Path string
	Mode fs.FileMode
	// Err is the kernel's answer to a write-access check, or nil when the
	// file has no write permission bit at all.
	Err error
}

func (e *NotWritableError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("%s is not writable (mode %04o)", e.Path, e.Mode.Perm())
	}
	return fmt.Sprintf("%s is not writable (mode %04o): %v", e.Path, e.Mode.Perm(), e.Err)
}

func (e *NotWritableError) Unwrap() error { return e.Err }

// failpoint, when set (by tests), is called before every step that changes
// the disk and fails the step when it returns an error.
var failpoint func(step, path string) error

// link is os.Link; tests replace it to take the path of a file system
// without hard links.
var link = os.Link

func fail(step, path string) error {
	if failpoint == nil {
		return nil
	}
	return failpoint(step, path)
}

// Txn is one group of changes. The zero value is ready to use; a Txn is
// not safe for concurrent use.
type Txn struct {
	undo     []func() // what each done step takes back, in the order done
	replaces []*replacement
	asides   []string // copies of replaced files, until Commit succeeds
	finished bool
}

type replacement struct {
	path   string // symbolic links resolved: the file that is replaced
	tmp    string
	expect []byte
	info   fs.FileInfo
}

// Rollback undoes every step done so far, last first. It is safe to call
// more than once and after Commit (then it does nothing).
func (t *Txn) Rollback() {
	if t.finished {
		return
	}
	t.finished = true
	for i := len(t.undo) - 1; i >= 0; i-- {
		t.undo[i]()
	}
	t.undo = nil
}

// MkdirAll makes dir and its missing parents. Rollback removes those it
// made (when they are still empty: what somebody else put there stays).
func (t *Txn) MkdirAll(dir string) error {
	var missing []string
	for cur := filepath.Clean(dir); ; cur = filepath.Dir(cur) {
		info, err := os.Stat(cur)
		if err == nil {
			if !info.IsDir() {
				return fmt.Errorf("make directory %s: %s is not a directory", dir, cur)
			}
			break
		}
		// ENOTDIR: a file above it; walking up finds which, said above.
		if !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR) {
			return fmt.Errorf("make directory %s: %w", dir, err)
		}
		missing = append(missing, cur)
		if filepath.Dir(cur) == cur {
			break
		}
	}
	for i := len(missing) - 1; i >= 0; i-- {
		d := missing[i]
		if err := fail("mkdir", d); err != nil {
			return fmt.Errorf("make directory %s: %w", d, err)
		}
		err := os.Mkdir(d, 0o755)
		if errors.Is(err, fs.ErrExist) {
			continue // made by somebody else meanwhile: theirs, not ours to remove
		}
		if err != nil {
			return fmt.Errorf("make directory %s: %w", d, err)
		}
		t.undo = append(t.undo, func() { _ = os.Remove(d) })
	}
	return nil
}

// Create makes a new file at path holding data with permissions perm,
// exclusively: when anything exists at path (when it appears while Create
// runs, too) it fails with an error matching fs.ErrExist and changes
// nothing. The content is written to a temporary file next to path and
// hard-linked into place, so path appears with all of data or not at all;
// where the file system has no hard links it is created with O_EXCL and
// written in place. Rollback removes the file (when it is still the one
// Create made).
func (t *Txn) Create(path string, data []byte, perm fs.FileMode) error {
	if _, err := os.Lstat(path); err == nil {
		return &fs.PathError{Op: "create", Path: path, Err: fs.ErrExist}
	}
	tmp, err := stage(filepath.Dir(path), data, perm, nil)
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	defer func() { _ = os.Remove(tmp) }() // linked or not, the temporary name goes
	made, err := os.Stat(tmp)
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	if err := fail("link", path); err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	lerr := link(tmp, path)
	switch {
	case lerr == nil:
	case errors.Is(lerr, fs.ErrExist):
		return &fs.PathError{Op: "create", Path: path, Err: fs.ErrExist}
	default:
		// No hard links here (vfat, some network and FUSE file systems):
		// O_EXCL is still exclusive, only not all-or-nothing to a reader
		// racing the write, and a failed write is removed below.
		if made, err = createExcl(path, data, perm); err != nil {
			return err
		}
	}
	t.undo = append(t.undo, func() { removeIfSame(path, made) })
	return nil
}

func createExcl(path string, data []byte, perm fs.FileMode) (fs.FileInfo, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(perm) // the umask narrowed the mode OpenFile set
	}
	if err == nil {
		err = f.Sync()
	}
	var info fs.FileInfo
	if err == nil {
		info, err = f.Stat() // after the write: removeIfSame compares size and time
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(path)
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	return info, nil
}

// removeIfSame removes path when it is still the file described by info:
// what somebody else put there since is not ours to take away. Size and
// modification time are compared too, since a removed file's inode number
// is soon given to the next new file.
func removeIfSame(path string, info fs.FileInfo) {
	now, err := os.Lstat(path)
	if err == nil && os.SameFile(now, info) && now.Size() == info.Size() && now.ModTime().Equal(info.ModTime()) {
		_ = os.Remove(path)
	}
}

// Replace stages new content for the existing regular file path; Commit
// puts it in place with a rename. A symbolic link is followed: the file it
// points to is replaced and the link stays. The replacement keeps the
// file's permission bits, and its owner and group where the process may
// set them (as root). When expect is not nil, Commit first re-reads the
// file and fails with ErrChanged unless it still holds exactly expect.
//
// A file that may not be written is refused with a *NotWritableError: one
// with no write permission bit for anybody always, even as root (a
// read-only file is somebody's decision, and a rename would override it
// without a question), and otherwise whatever the kernel's write-access
// check on the file itself refuses (another user's file, a read-only mount,
// an immutable file). A rename needs only the directory to be writable, so
// without this check the replacement would write where writing is not
// allowed.
func (t *Txn) Replace(path string, data, expect []byte) error {
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return fmt.Errorf("replace %s: %w", path, err)
	}
	info, err := os.Stat(real)
	if err != nil {
		return fmt.Errorf("replace %s: %w", path, err)
	}
	if !info.Mode().IsRegular() {
		return fmt.Errorf("replace %s: not a regular file", path)
	}
	if err := CheckWritable(real, info); err != nil {
		return err
	}
	tmp, err := stage(filepath.Dir(real), data, info.Mode().Perm(), info)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	t.undo = append(t.undo, func() { _ = os.Remove(tmp) })
	t.replaces = append(t.replaces, &replacement{path: real, tmp: tmp, expect: expect, info: info})
	return nil
}

// CheckWritable returns a *NotWritableError when the file at path (whose
// stat is info) may not be written: see Replace.
func CheckWritable(path string, info fs.FileInfo) error {
	if info.Mode().Perm()&0o222 == 0 {
		return &NotWritableError{Path: path, Mode: info.Mode()}
	}
	if err := accessWrite(path); err != nil {
		return &NotWritableError{Path: path, Mode: info.Mode(), Err: err}
	}
	return nil
}

// Commit puts every staged replacement in place, in the order staged. The
// file of each is compared with what it was computed from just before its
// rename; a mismatch, or any failure, rolls the whole transaction back
// (replacements already renamed are put back from a copy kept aside) and
// is returned.
func (t *Txn) Commit() error {
	if t.finished {
		return errors.New("filetxn: transaction already finished")
	}
	for i, r := range t.replaces {
		if err := t.replace(r, i < len(t.replaces)-1); err != nil {
			t.Rollback()
			return err
		}
	}
	for _, r := range t.replaces {
		syncDir(filepath.Dir(r.path))
	}
	for _, aside := range t.asides {
		_ = os.Remove(aside)
	}
	t.finished = true
	t.undo = nil
	return nil
}

// replace renames r into place; keep says a later step may still fail, so
// the old content is kept aside to be put back.
func (t *Txn) replace(r *replacement, keep bool) error {
	if err := fail("reread", r.path); err != nil {
		return fmt.Errorf("read %s: %w", r.path, err)
	}
	if r.expect != nil {
		now, err := os.ReadFile(r.path)
		if err != nil {
			return fmt.Errorf("read %s: %w", r.path, err)
		}
		if !bytes.Equal(now, r.expect) {
			return fmt.Errorf("%s: %w", r.path, ErrChanged)
		}
	}
	if keep {
		old, err := os.ReadFile(r.path)
		if err == nil {
			var aside string
			if aside, err = stage(filepath.Dir(r.path), old, r.info.Mode().Perm(), r.info); err == nil {
				t.undo = append(t.undo, func() {
					if os.Rename(aside, r.path) != nil {
						_ = os.Remove(aside)
					}
				})
				t.asides = append(t.asides, aside)
			}
		}
		if err != nil {
			return fmt.Errorf("keep a copy of %s: %w", r.path, err)
		}
	}
	if err := fail("rename", r.path); err != nil {
		return fmt.Errorf("write %s: %w", r.path, err)
	}
	if err := os.Rename(r.tmp, r.path); err != nil {
		return fmt.Errorf("write %s: %w", r.path, err)
	}
	return nil
}

// stage writes data to a new temporary file in dir, with permissions perm
// and, when like is set, like's owner and group (as far as the process may
// set them), and returns its name. The name starts with .platformctl- and
// ends in .tmp; it is removed again on every failure.
func stage(dir string, data []byte, perm fs.FileMode, like fs.FileInfo) (name string, err error) {
	if err := fail("stage", dir); err != nil {
		return "", err
	}
	f, err := os.CreateTemp(dir, ".platformctl-*.tmp")
	if err != nil {
		return "", err
	}
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(f.Name())
		}
	}()
	if _, err = f.Write(data); err != nil {
		return "", err
	}
	if like != nil {
		if err = keepOwner(f, like); err != nil {
			return "", err
		}
	}
	// After the owner: chown may clear mode bits. CreateTemp made it 0600.
	if err = f.Chmod(perm); err != nil {
		return "", err
	}
	if err = f.Sync(); err != nil {
		return "", err
	}
	if err = f.Close(); err != nil {
		return "", err
	}
	return f.Name(), nil
}

// syncDir makes renames in dir durable. It is best effort: the rename has
// happened, and not every file system can sync a directory.
func syncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	_ = d.Sync()
	_ = d.Close()
}

// WriteFile writes data to path whole or not at all: a new file with perm,
// or an existing one replaced keeping its permissions and owner.
func WriteFile(path string, data []byte, perm fs.FileMode) error {
	var tx Txn
	defer tx.Rollback()
	var err error
	if _, statErr := os.Lstat(path); statErr == nil {
		err = tx.Replace(path, data, nil)
	} else {
		err = tx.Create(path, data, perm)
	}
	if err != nil {
		return err
	}
	return tx.Commit()
}
