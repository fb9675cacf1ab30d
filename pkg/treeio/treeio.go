// Package treeio writes a rendered tree to disk safely and compares a tree
// with what is on disk.
//
// Safety rules: files are recognised as ours by their first line (the
// generated-code header); a file without it is the user's and is never
// overwritten or removed; only the tree's own top-level entries (base/ and
// overlays/ for a render) are looked at, so another tree rendered into a
// subdirectory of the same output directory is never touched; nothing is
// written through a symbolic link. Writers hold an exclusive lock on the
// directory and readers (Compare) a shared one, so runs never interleave.
// Every new file is staged next to its target first, then targets are
// replaced and stale files moved aside one by one, keeping what they
// replaced; the kept copies are deleted only when every step has succeeded,
// and any failure puts everything back, so an error leaves the directory as
// it was. An intent journal (journal.go) makes the same hold when the
// process is killed: the next run replays it.
package treeio

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/platformctl/platformctl/pkg/filelock"
	"github.com/platformctl/platformctl/pkg/textdiff"
)

// Report says what Write did.
type Report struct {
	Written   []string // created or changed
	Unchanged []string
	Removed   []string // stale files a previous render generated
	Foreign   []string // files in the output directory that are not ours, left alone
	// Recovered says what was done about a run that had been interrupted
	// (its journal replayed, its temp files removed) before this one wrote.
	Recovered Recovery
	// Strays are the temp files of killed runs that were removed.
	Strays []string
}

// State is what is on disk under a directory.
type State struct {
	Generated map[string][]byte // our files, by slash path
	Foreign   []string
	// Strays are files with platformctl's reserved temp names, left by a
	// run that was killed.
	Strays []string
}

// Scan reads the entries of dir named in roots (top-level names: "base",
// "overlays"), without following symbolic links. A missing dir is empty.
func Scan(dir, header string, roots map[string]bool) (*State, error) {
	st := &State{Generated: map[string][]byte{}}
	info, err := os.Lstat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return nil, fmt.Errorf("output directory: %w", err)
	}
	if info.Mode()&fs.ModeSymlink != 0 {
		return nil, fmt.Errorf("output directory %s is a symbolic link; refusing to write through it", dir)
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("output directory %s exists and is not a directory", dir)
	}
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if rel == "." {
			return nil
		}
		if !strings.Contains(rel, "/") && !roots[rel] {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			if strings.HasPrefix(d.Name(), ".git") {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasPrefix(d.Name(), reservedPrefix) {
			// A temp file or kept copy of a run that died: neither ours
			// to compare nor the user's; Write removes it.
			st.Strays = append(st.Strays, rel)
			return nil
		}
		if !d.Type().IsRegular() {
			st.Foreign = append(st.Foreign, rel)
			return nil
		}
		b, ours, err := readIfOurs(p, header)
		if err != nil {
			return err
		}
		if ours {
			st.Generated[rel] = b
		} else {
			st.Foreign = append(st.Foreign, rel)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("scan %s: %w", dir, err)
	}
	sort.Strings(st.Foreign)
	return st, nil
}

// Roots are the top-level names of a tree's paths: the only part of the
// output directory Write and Compare look at.
func Roots(tree map[string][]byte) map[string]bool {
	roots := map[string]bool{}
	for rel := range tree {
		first, _, _ := strings.Cut(rel, "/")
		roots[first] = true
	}
	return roots
}

func readIfOurs(p, header string) ([]byte, bool, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, false, err
	}
	defer func() { _ = f.Close() }() // read-only: a close error loses nothing
	r := bufio.NewReader(f)
	first, err := r.Peek(len(header))
	if err != nil || string(first) != header {
		return nil, false, nil //nolint:nilerr // a short or different file is simply not ours
	}
	if _, err := r.Discard(len(header)); err != nil {
		return nil, false, err
	}
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(r); err != nil {
		return nil, false, err
	}
	return buf.Bytes(), true, nil
}

// checkPath refuses a target whose directories inside dir are symlinks or
// files, so a write can never land outside dir.
func checkPath(dir, rel string) error {
	if path.IsAbs(rel) || strings.HasPrefix(path.Clean(rel), "..") {
		return fmt.Errorf("%s: path escapes the output directory", rel)
	}
	parts := strings.Split(rel, "/")
	cur := dir
	for i, part := range parts {
		cur = filepath.Join(cur, part)
		info, err := os.Lstat(cur)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		if info.Mode()&fs.ModeSymlink != 0 {
			return fmt.Errorf("%s is a symbolic link; refusing to write through it", filepath.Join(dir, filepath.FromSlash(strings.Join(parts[:i+1], "/"))))
		}
		if i < len(parts)-1 && !info.IsDir() {
			return fmt.Errorf("%s is a file where a directory is needed", cur)
		}
	}
	return nil
}

func removeEmptyParents(root, d string) {
	for d != root && strings.HasPrefix(d, root) {
		if err := os.Remove(d); err != nil {
			return // not empty: it holds something else
		}
		d = filepath.Dir(d)
	}
}

// Diff is the difference between a tree and a directory.
type Diff struct {
	Missing []string // in the tree, not on disk
	Extra   []string // generated files on disk the tree no longer has
	Changed []string
	// Unified is a unified diff of every difference, disk → tree.
	Unified string
}

// Empty says whether the directory is up to date.
func (d *Diff) Empty() bool { return len(d.Missing)+len(d.Extra)+len(d.Changed) == 0 }

// ErrHalfWritten is returned by Compare when dir holds the journal of a
// render that was killed before it finished: the tree on disk is neither
// the old one nor the new one until the next render replays the journal.
var ErrHalfWritten = errors.New("an interrupted render left the tree half-written; run platformctl render again to put it back together")

// Compare reports how dir differs from tree without writing anything,
// waiting DefaultLockTimeout for a run that is writing it.
func Compare(dir string, tree map[string][]byte, header string) (*Diff, error) {
	return CompareWith(dir, tree, header, Options{})
}

// CompareWith is Compare with options. It holds a shared lock, so it never
// reads a tree another run is in the middle of writing.
func CompareWith(dir string, tree map[string][]byte, header string, opts Options) (*Diff, error) {
	lk, err := filelock.Acquire(dir, filelock.Shared, opts.lock(false))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		// Nothing there yet: every file is missing, and there is nothing to lock.
	case err != nil:
		return nil, err
	default:
		defer lk.Unlock()
		if exists(filepath.Join(dir, JournalName)) {
			return nil, fmt.Errorf("%s: %w", dir, ErrHalfWritten)
		}
	}
	st, err := Scan(dir, header, Roots(tree))
	if err != nil {
		return nil, err
	}
	d := &Diff{}
	var out strings.Builder
	for _, rel := range sortedKeys(tree) {
		want := string(tree[rel])
		old, ok := st.Generated[rel]
		if !ok {
			d.Missing = append(d.Missing, rel)
			out.WriteString(textdiff.Unified(textdiff.DevNull, "b/"+rel, "", want))
			continue
		}
		have := header + string(old)
		if have != want {
			d.Changed = append(d.Changed, rel)
			out.WriteString(textdiff.Unified("a/"+rel, "b/"+rel, have, want))
		}
	}
	for _, rel := range sortedKeys(st.Generated) {
		if _, ok := tree[rel]; !ok {
			d.Extra = append(d.Extra, rel)
			out.WriteString(textdiff.Unified("a/"+rel, textdiff.DevNull, header+string(st.Generated[rel]), ""))
		}
	}
	d.Unified = out.String()
	return d, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
