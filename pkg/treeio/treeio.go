// Package treeio writes a rendered tree to disk safely and compares a tree
// with what is on disk.
//
// Safety rules: files are recognised as ours by their first line (the
// generated-code header); a file without it is the user's and is never
// overwritten or removed; only the tree's own top-level entries (base/ and
// overlays/ for a render) are looked at, so another tree rendered into a
// subdirectory of the same output directory is never touched; nothing is
// written through a symbolic link. Every new file is staged next to its
// target first, then targets are replaced and stale files moved aside one by
// one, keeping what they replaced; the kept copies are deleted only when
// every step has succeeded, and any failure puts everything back, so an
// error leaves the directory as it was.
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

	"github.com/pmezard/go-difflib/difflib"
)

// Report says what Write did.
type Report struct {
	Written   []string // created or changed
	Unchanged []string
	Removed   []string // stale files a previous render generated
	Foreign   []string // files in the output directory that are not ours, left alone
}

// State is what is on disk under a directory.
type State struct {
	Generated map[string][]byte // our files, by slash path
	Foreign   []string
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

// rename is the file operation Write commits with; tests replace it to
// fail at each step in turn.
var rename = os.Rename

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

// Write makes dir hold tree, as described in the package comment.
func Write(dir string, tree map[string][]byte, header string) (*Report, error) {
	st, err := Scan(dir, header, Roots(tree))
	if err != nil {
		return nil, err
	}
	rep := &Report{}
	foreign := map[string]bool{}
	for _, f := range st.Foreign {
		foreign[f] = true
	}
	var todo []string
	for _, rel := range sortedKeys(tree) {
		if err := checkPath(dir, rel); err != nil {
			return nil, err
		}
		if foreign[rel] {
			return nil, fmt.Errorf("%s exists and was not generated by platformctl; move it away or delete it", filepath.Join(dir, rel))
		}
		if old, ok := st.Generated[rel]; ok && bytes.Equal(old, tree[rel][len(header):]) {
			rep.Unchanged = append(rep.Unchanged, rel)
			continue
		}
		target := filepath.Join(dir, filepath.FromSlash(rel))
		if info, err := os.Lstat(target); err == nil && info.IsDir() {
			return nil, fmt.Errorf("%s is a directory where platformctl writes a file; move it away or delete it", target)
		}
		todo = append(todo, rel)
	}
	for _, rel := range sortedKeys(st.Generated) {
		if _, keep := tree[rel]; !keep {
			rep.Removed = append(rep.Removed, rel)
		}
	}
	rep.Foreign = st.Foreign

	// Stage every file first: this is where a full disk or a permission
	// problem shows up, and undoing it touches nothing that existed.
	var created []string
	staged := map[string]string{}
	undo := func() {
		for _, tmp := range staged {
			_ = os.Remove(tmp)
		}
		for i := len(created) - 1; i >= 0; i-- {
			_ = os.Remove(created[i])
		}
	}
	for _, rel := range todo {
		target := filepath.Join(dir, filepath.FromSlash(rel))
		newDirs, err := mkdirs(filepath.Dir(target))
		created = append(created, newDirs...)
		if err != nil {
			undo()
			return nil, err
		}
		tmp, err := os.CreateTemp(filepath.Dir(target), ".platformctl-*.tmp")
		if err != nil {
			undo()
			return nil, fmt.Errorf("stage %s: %w", rel, err)
		}
		staged[rel] = tmp.Name()
		_, werr := tmp.Write(tree[rel])
		cerr := tmp.Close()
		if werr != nil || cerr != nil {
			undo()
			return nil, fmt.Errorf("stage %s: %w", rel, errors.Join(werr, cerr))
		}
		if err := os.Chmod(tmp.Name(), 0o644); err != nil {
			undo()
			return nil, fmt.Errorf("stage %s: %w", rel, err)
		}
	}

	c := &commit{}
	for _, rel := range todo {
		target := filepath.Join(dir, filepath.FromSlash(rel))
		_, existed := st.Generated[rel]
		if err := c.replace(target, staged[rel], existed); err != nil {
			c.rollback()
			undo()
			return nil, fmt.Errorf("replace %s: %w", rel, err)
		}
		delete(staged, rel)
		rep.Written = append(rep.Written, rel)
	}
	for _, rel := range rep.Removed {
		if err := c.moveAside(filepath.Join(dir, filepath.FromSlash(rel))); err != nil {
			c.rollback()
			undo()
			return nil, fmt.Errorf("remove stale %s: %w", rel, err)
		}
	}
	c.finish()
	for _, rel := range rep.Removed {
		removeEmptyParents(dir, filepath.Dir(filepath.Join(dir, filepath.FromSlash(rel))))
	}
	return rep, nil
}

// commit replaces files so that every step can be undone until finish.
type commit struct {
	steps []step
}

// step is one done change: target now holds a new file (placed) and/or its
// old content sits at backup.
type step struct {
	target, backup string
	placed         bool
}

// replace moves staged onto target, keeping target's old content aside.
func (c *commit) replace(target, staged string, existed bool) error {
	s := step{target: target}
	if existed {
		backup, err := c.aside(target)
		if err != nil {
			return err
		}
		s.backup = backup
	}
	if err := rename(staged, target); err != nil {
		if s.backup != "" {
			c.steps = append(c.steps, s) // rollback restores it
		}
		return err
	}
	s.placed = true
	c.steps = append(c.steps, s)
	return nil
}

// moveAside takes a stale file out of the tree, keeping it until finish.
func (c *commit) moveAside(target string) error {
	backup, err := c.aside(target)
	if err != nil {
		return err
	}
	c.steps = append(c.steps, step{target: target, backup: backup})
	return nil
}

// aside renames target to a reserved name next to it and returns that name.
func (c *commit) aside(target string) (string, error) {
	backup, err := c.backupName(target)
	if err != nil {
		return "", err
	}
	if err := rename(target, backup); err != nil {
		_ = os.Remove(backup)
		return "", err
	}
	return backup, nil
}

// backupName reserves a name next to target, in the same directory so the
// rename cannot cross file systems.
func (c *commit) backupName(target string) (string, error) {
	f, err := os.CreateTemp(filepath.Dir(target), ".platformctl-*.old")
	if err != nil {
		return "", err
	}
	name := f.Name()
	if err := f.Close(); err != nil {
		_ = os.Remove(name)
		return "", err
	}
	return name, nil
}

// rollback undoes every step, newest first.
func (c *commit) rollback() {
	for i := len(c.steps) - 1; i >= 0; i-- {
		s := c.steps[i]
		if s.placed {
			_ = os.Remove(s.target)
		}
		if s.backup != "" {
			_ = os.Rename(s.backup, s.target)
		}
	}
	c.steps = nil
}

// finish deletes the kept copies: the new tree is complete.
func (c *commit) finish() {
	for _, s := range c.steps {
		if s.backup != "" {
			_ = os.Remove(s.backup)
		}
	}
	c.steps = nil
}

func mkdirs(d string) ([]string, error) {
	var missing []string
	for cur := d; ; cur = filepath.Dir(cur) {
		if _, err := os.Lstat(cur); err == nil {
			break
		}
		missing = append(missing, cur)
		if filepath.Dir(cur) == cur {
			break
		}
	}
	var created []string
	for i := len(missing) - 1; i >= 0; i-- {
		if err := os.Mkdir(missing[i], 0o755); err != nil {
			return created, fmt.Errorf("create %s: %w", missing[i], err)
		}
		created = append(created, missing[i])
	}
	return created, nil
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

// Compare reports how dir differs from tree without writing anything.
func Compare(dir string, tree map[string][]byte, header string) (*Diff, error) {
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
			writeDiff(&out, "/dev/null", "b/"+rel, "", want)
			continue
		}
		have := header + string(old)
		if have != want {
			d.Changed = append(d.Changed, rel)
			writeDiff(&out, "a/"+rel, "b/"+rel, have, want)
		}
	}
	for _, rel := range sortedKeys(st.Generated) {
		if _, ok := tree[rel]; !ok {
			d.Extra = append(d.Extra, rel)
			writeDiff(&out, "a/"+rel, "/dev/null", header+string(st.Generated[rel]), "")
		}
	}
	d.Unified = out.String()
	return d, nil
}

func writeDiff(w *strings.Builder, from, to, a, b string) {
	ud := difflib.UnifiedDiff{
		A: difflib.SplitLines(a), B: difflib.SplitLines(b),
		FromFile: from, ToFile: to, Context: 3,
	}
	s, err := difflib.GetUnifiedDiffString(ud)
	if err != nil {
		fmt.Fprintf(w, "--- %s\n+++ %s\n(diff failed: %v)\n", from, to, err)
		return
	}
	w.WriteString(s)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
