package treeio

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// The commit is recorded in an intent journal before anything in the tree
// is touched, so that a run killed at any instant (kill -9, a CI timeout, a
// power cut after the journal reached the disk) leaves enough on disk for
// the next run to put the tree back exactly as it was. The journal moves
// through three states, each written whole (temp file, fsync, rename):
//
//	staging     temp files and new directories may exist: remove them
//	committing  targets may be half replaced: undo every rename
//	committed   the new tree is complete: delete the kept copies
//
// The journal is removed last, so replaying it is idempotent: every step
// checks what is on disk before it acts.

// JournalName is the intent journal inside the output directory.
const JournalName = ".platformctl-journal"

// reservedPrefix starts every name platformctl creates inside the tree for
// itself (temp files, kept copies, the journal): Scan never takes such a
// file for a generated one or the user's, and recovery removes strays.
const reservedPrefix = ".platformctl-"

type journalState string

const (
	stateStaging    journalState = "staging"
	stateCommitting journalState = "committing"
	stateCommitted  journalState = "committed"
)

type journal struct {
	Version int          `json:"version"`
	State   journalState `json:"state"`
	// Dirs were created by this run, outermost first (slash paths).
	Dirs []string `json:"dirs,omitempty"`
	// Ops replace or create targets: Temp is the staged file; Backup, when
	// the target existed, is where its old content is kept.
	Ops []journalOp `json:"ops,omitempty"`
	// Stale files are moved to Backup and deleted once committed.
	Stale []journalOp `json:"stale,omitempty"`
}

type journalOp struct {
	Target string `json:"target"`
	Temp   string `json:"temp,omitempty"`
	Backup string `json:"backup,omitempty"`
}

const journalVersion = 1

// save writes j whole: a reader sees the old state or the new one, and once
// save returns the new state survives a crash of the machine too.
func (j *journal) save(dir string) error {
	b, err := json.MarshalIndent(j, "", "  ")
	if err != nil {
		return err
	}
	final := filepath.Join(dir, JournalName)
	tmp := final + ".tmp"
	if err := writeNew(tmp, append(b, '\n'), os.O_TRUNC, true); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("write journal: %w", err)
	}
	if err := rename(tmp, final); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("write journal: %w", err)
	}
	return syncDir(dir)
}

// writeNew creates name (flag: O_EXCL or O_TRUNC) holding b, fsync'd when
// sync is set.
func writeNew(name string, b []byte, flag int, sync bool) error {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|flag, 0o644)
	if err != nil {
		return err
	}
	_, werr := f.Write(b)
	var serr error
	if sync {
		serr = f.Sync()
	}
	cerr := f.Close()
	return errors.Join(werr, serr, cerr)
}

// syncDir makes renames in dir durable. Not every platform can fsync a
// directory (Windows cannot open one for writing); there the rename is as
// durable as the file system makes it.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return nil //nolint:nilerr // best effort: see above
	}
	_ = d.Sync()
	return d.Close()
}

// ErrJournal is wrapped by every error about a journal that cannot be
// trusted; nothing is touched then.
var ErrJournal = errors.New("intent journal")

// loadJournal reads dir's journal; nil when there is none.
func loadJournal(dir string) (*journal, error) {
	p := filepath.Join(dir, JournalName)
	info, err := os.Lstat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: %w is not a regular file; remove it", p, ErrJournal)
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	j := &journal{}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(j); err != nil {
		return nil, fmt.Errorf("%s: %w is damaged (%w); check the tree by hand, then remove it", p, ErrJournal, err)
	}
	if err := j.check(); err != nil {
		return nil, fmt.Errorf("%s: %w: %w; check the tree by hand, then remove it", p, ErrJournal, err)
	}
	return j, nil
}

// check refuses a journal that names anything but the tree's own files, so
// that a journal committed to a repository by mistake (or on purpose) can
// never make render move or delete a file outside base/ and overlays/, or
// one that is not ours.
func (j *journal) check() error {
	if j.Version != journalVersion {
		return fmt.Errorf("version %d, this platformctl writes version %d", j.Version, journalVersion)
	}
	switch j.State {
	case stateStaging, stateCommitting, stateCommitted:
	default:
		return fmt.Errorf("unknown state %q", j.State)
	}
	for _, d := range j.Dirs {
		if err := checkTreePath(d); err != nil {
			return err
		}
	}
	for _, op := range append(append([]journalOp{}, j.Ops...), j.Stale...) {
		if err := checkTreePath(op.Target); err != nil {
			return err
		}
		for _, aux := range []string{op.Temp, op.Backup} {
			if aux == "" {
				continue
			}
			if err := checkTreePath(aux); err != nil {
				return err
			}
			if path.Dir(aux) != path.Dir(op.Target) || !strings.HasPrefix(path.Base(aux), reservedPrefix) {
				return fmt.Errorf("%s is not a platformctl temp file next to %s", aux, op.Target)
			}
		}
	}
	return nil
}

func checkTreePath(rel string) error {
	clean := path.Clean(rel)
	first, _, _ := strings.Cut(clean, "/")
	if rel == "" || clean != rel || path.IsAbs(rel) || strings.HasPrefix(clean, "..") || !treeRoots[first] {
		return fmt.Errorf("%q is outside the tree's base/ and overlays/", rel)
	}
	return nil
}

// treeRoots are the top-level directories a journal may name: the ones a
// render writes. (Write itself accepts any roots its tree has; a journal is
// only trusted within these.)
var treeRoots = map[string]bool{"base": true, "overlays": true}

// Recovery says what replaying a journal did.
type Recovery string

const (
	// NothingToRecover means there was no journal, no stray temp files.
	NothingToRecover Recovery = ""
	// RolledBack means a run died before its tree was complete; the old tree is back.
	RolledBack Recovery = "rolled back"
	// RolledForward means a run died after its tree was complete; its kept copies are gone.
	RolledForward Recovery = "completed"
)

// replay finishes or undoes the commit j describes. header identifies our
// files: a target is only ever removed when it carries it.
func (j *journal) replay(dir, header string) (Recovery, error) {
	abs := func(rel string) string { return filepath.Join(dir, filepath.FromSlash(rel)) }
	var errs []error
	note := func(err error) {
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	var result Recovery
	switch j.State {
	case stateCommitted:
		for _, op := range append(append([]journalOp{}, j.Ops...), j.Stale...) {
			if op.Backup != "" {
				note(os.Remove(abs(op.Backup)))
			}
		}
		for _, op := range j.Stale {
			removeEmptyParents(dir, filepath.Dir(abs(op.Target)))
		}
		result = RolledForward
	case stateStaging, stateCommitting:
		// Newest first, the reverse of the commit's order.
		for i := len(j.Stale) - 1; i >= 0; i-- {
			op := j.Stale[i]
			if exists(abs(op.Backup)) {
				note(os.Rename(abs(op.Backup), abs(op.Target)))
			}
		}
		for i := len(j.Ops) - 1; i >= 0; i-- {
			op := j.Ops[i]
			switch {
			case op.Backup != "" && exists(abs(op.Backup)):
				// The old content is kept: put it back over whatever is there.
				note(os.Rename(abs(op.Backup), abs(op.Target)))
			case op.Backup == "" && !exists(abs(op.Temp)) && isOurs(abs(op.Target), header):
				// A new file that was placed: take it away again.
				note(os.Remove(abs(op.Target)))
			}
			note(os.Remove(abs(op.Temp)))
		}
		for i := len(j.Dirs) - 1; i >= 0; i-- {
			_ = os.Remove(abs(j.Dirs[i])) // only when empty
		}
		result = RolledBack
	}
	if len(errs) > 0 {
		return "", fmt.Errorf("replay %s: %w", filepath.Join(dir, JournalName), errors.Join(errs...))
	}
	if err := os.Remove(filepath.Join(dir, JournalName)); err != nil {
		return "", fmt.Errorf("remove journal: %w", err)
	}
	_ = os.Remove(filepath.Join(dir, JournalName+".tmp"))
	return result, syncDir(dir)
}

func exists(p string) bool {
	_, err := os.Lstat(p)
	return err == nil
}

func isOurs(p, header string) bool {
	info, err := os.Lstat(p)
	if err != nil || !info.Mode().IsRegular() {
		return false
	}
	_, ours, err := readIfOurs(p, header)
	return err == nil && ours
}
