package scaffold

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/platformctl/platformctl/pkg/filelock"
	"github.com/platformctl/platformctl/pkg/filetxn"
)

// Locking says how a write waits for another platformctl run that holds
// the directory it writes in.
type Locking struct {
	// Timeout is how long to wait; 0 tries once.
	Timeout time.Duration
	// Waiting, when set, is called once when the directory is held by
	// another run, so the command can say what it waits for.
	Waiting func(dir string)
}

func (lk Locking) acquire(dir string, create bool) (*filelock.Lock, error) {
	opts := filelock.Options{Timeout: lk.Timeout, Create: create}
	if lk.Waiting != nil {
		opts.Waiting = func() { lk.Waiting(dir) }
	}
	l, err := filelock.Acquire(dir, filelock.Exclusive, opts)
	if errors.Is(err, filelock.ErrTimeout) {
		return nil, refuse("another platformctl run has been writing in %s for %s; nothing was written; run again when it has finished", dir, lk.Timeout)
	}
	if err == nil {
		removeStrays(dir)
	}
	return l, err
}

// removeStrays deletes the temp files (filetxn's .platformctl-*.tmp) that
// a run killed with SIGKILL, or stopped by a signal between staging and
// rename, left in dir. Holding dir's lock means no live run owns them: every
// platformctl run writing in dir (the spec editors, init, and render into
// the same directory) takes this lock first.
func removeStrays(dir string) {
	strays, _ := filepath.Glob(filepath.Join(dir, ".platformctl-*.tmp"))
	for _, p := range strays {
		if info, err := os.Lstat(p); err == nil && info.Mode().IsRegular() {
			_ = os.Remove(p)
		}
	}
}

// Edit is the result of an edit of a file: its new content, and new files
// to create beside it (a service's skeleton).
type Edit struct {
	Data []byte
	// Dir is where Files go ("" with no Files); it is made when missing.
	Dir string
	// Files are new files by name; none may exist yet.
	Files map[string][]byte
}

// EditFile edits the existing file path in place (read, edit, replace) so
// that no other change to it is lost and nothing is left half-done:
//
//   - It holds an exclusive lock on the file's directory from before the
//     read to after the replacement, so two platformctl runs editing the
//     same file take turns instead of one overwriting the other's entry.
//   - Just before the replacement the file is read again and must be
//     byte-identical to what edit was given (an editor or a script that
//     does not take the lock may have saved it meanwhile); otherwise
//     nothing is written and the error says to run again.
//   - A file the user may not write is refused before anything is written
//     (see filetxn.Replace: a file with no write bit, as root too).
//   - The new files of the edit are checked before anything is made (none
//     may exist), created exclusively, and taken away again, with any
//     directory made for them, when a later step fails.
//
// A symbolic link is followed: the file it points to is edited and the link
// stays. EditFile returns the new files' paths, sorted.
func EditFile(path string, lk Locking, edit func(current []byte) (*Edit, error)) ([]string, error) {
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	lock, err := lk.acquire(filepath.Dir(real), false)
	if err != nil {
		return nil, err
	}
	defer lock.Unlock()
	current, err := os.ReadFile(real)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	ed, err := edit(current)
	if err != nil {
		return nil, err
	}
	names := sortedNames(ed.Files)
	exist, err := existing(ed.Dir, names)
	if err == nil && len(exist) > 0 {
		err = refuse("%s; nothing was written (existing files are never overwritten)", already(exist))
	}
	if err != nil {
		return nil, fmt.Errorf("%w (%s is unchanged)", err, path)
	}
	var tx filetxn.Txn
	defer tx.Rollback()
	if err := tx.Replace(real, ed.Data, current); err != nil {
		return nil, explain(path, err)
	}
	var written []string
	if len(names) > 0 {
		if err := tx.MkdirAll(ed.Dir); err != nil {
			return nil, fmt.Errorf("%w; nothing was written", err)
		}
		for _, name := range names {
			p := filepath.Join(ed.Dir, name)
			if err := tx.Create(p, ed.Files[name], 0o644); err != nil {
				return nil, explain(p, err)
			}
			written = append(written, p)
		}
	}
	if err := tx.Commit(); err != nil {
		if errors.Is(err, filetxn.ErrChanged) {
			return nil, refuse("%s changed while the entry was being added; nothing was written; run again", path)
		}
		return nil, explain(path, err)
	}
	return written, nil
}

// explain turns a failed write of path into what the user should know:
// that nothing was written, and why.
func explain(path string, err error) error {
	var nw *filetxn.NotWritableError
	switch {
	case errors.As(err, &nw) && nw.Err == nil:
		return refuse("%s is not writable (mode %04o); nothing was written. platformctl never edits a file without write permission, as root neither: chmod u+w %s first if it is meant to be edited", path, nw.Mode.Perm(), path)
	case errors.As(err, &nw):
		return refuse("%s is not writable (mode %04o): %v; nothing was written", path, nw.Mode.Perm(), nw.Err)
	case errors.Is(err, fs.ErrExist):
		return refuse("%s already exists; nothing was written", path)
	}
	return fmt.Errorf("%w; nothing was written", err)
}

// WriteFiles writes new files (name → content) into dir, making dir when
// missing, all of them or none. An existing file is refused unless force is
// set, and a symbolic link or directory in a file's place always is. Each
// file is created exclusively: when another run (or anybody) creates one of
// them meanwhile, the files already created are taken away again, with dir
// if it was made, and the error says which exists. With force, existing
// files are replaced atomically, keeping their permissions. The directory
// is locked for the duration. It returns the paths written, sorted.
func WriteFiles(dir string, files map[string][]byte, force bool, lk Locking) (written []string, err error) {
	names := sortedNames(files)
	if err := CheckTargets(dir, names, force); err != nil {
		return nil, err
	}
	lock, err := lk.acquire(dir, true)
	if err != nil {
		return nil, err
	}
	defer lock.Unlock()
	made := lock.Created()
	defer func() {
		if err != nil {
			// While still locked: a run waiting for the lock then finds the
			// directory gone and makes its own.
			for _, d := range slices.Backward(made) {
				_ = os.Remove(d)
			}
		}
	}()
	// Again under the lock: a run that held it may have written them.
	if err := CheckTargets(dir, names, force); err != nil {
		return nil, err
	}
	// A name may be a path in dir (.gitlab/ci/release.yml): its directories
	// are made under the lock, and taken away with dir on failure.
	for _, name := range names {
		if !filepath.IsLocal(name) {
			return nil, fmt.Errorf("write %s: not a path inside %s", name, dir)
		}
		sub := filepath.Dir(filepath.Join(dir, name))
		m, err := filelock.Mkdirs(sub)
		made = append(made, m...)
		if err != nil {
			return nil, explain(sub, err)
		}
		removeStrays(sub)
	}
	var tx filetxn.Txn
	defer tx.Rollback()
	for _, name := range names {
		p := filepath.Join(dir, name)
		_, statErr := os.Lstat(p)
		if force && statErr == nil {
			err = tx.Replace(p, files[name], nil)
		} else {
			err = tx.Create(p, files[name], 0o644)
		}
		if errors.Is(err, fs.ErrExist) {
			return nil, refuse("%s already exists; nothing was written (--force overwrites)", p)
		}
		if err != nil {
			return nil, explain(p, err)
		}
		written = append(written, p)
	}
	if err := tx.Commit(); err != nil {
		return nil, explain(dir, err)
	}
	return written, nil
}

func sortedNames(files map[string][]byte) []string {
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// CheckTargets returns the error WriteFiles would return for files named
// names in dir, without writing: an existing file without force, or a
// symbolic link or directory in a file's place.
func CheckTargets(dir string, names []string, force bool) error {
	exist, err := existing(dir, names)
	if err != nil {
		return err
	}
	if len(exist) > 0 && !force {
		return refuse("%s; nothing was written (--force overwrites)", already(exist))
	}
	return nil
}

// existing returns the names in dir that exist as regular files, and an
// error for a symbolic link or anything else in a file's place.
func existing(dir string, names []string) ([]string, error) {
	var exist []string
	for _, name := range names {
		p := filepath.Join(dir, name)
		info, err := os.Lstat(p)
		switch {
		case errors.Is(err, fs.ErrNotExist), errors.Is(err, syscall.ENOTDIR):
			continue // a file in dir's place is reported when dir is made
		case err != nil:
			return nil, err
		case info.Mode()&fs.ModeSymlink != 0:
			return nil, refuse("%s is a symbolic link; refusing to write through it", p)
		case !info.Mode().IsRegular():
			return nil, refuse("%s exists and is not a regular file", p)
		}
		exist = append(exist, p)
	}
	return exist, nil
}

func already(paths []string) string {
	if len(paths) == 1 {
		return paths[0] + " already exists"
	}
	return strings.Join(paths, ", ") + " already exist"
}
