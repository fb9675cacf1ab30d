package treeio

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/platformctl/platformctl/pkg/filelock"
)

// DefaultLockTimeout is how long Write and Compare wait for another run on
// the same directory before giving up: long enough for a large render to
// finish, short enough that a stuck run is reported rather than waited on
// for ever.
const DefaultLockTimeout = time.Minute

// Options tune Write and Compare. The zero value waits DefaultLockTimeout,
// silently.
type Options struct {
	// LockTimeout is how long to wait for another run; < 0 tries once.
	LockTimeout time.Duration
	// Waiting is called once when another run holds the directory.
	Waiting func()
}

func (o Options) lock(create bool) filelock.Options {
	t := o.LockTimeout
	switch {
	case t == 0:
		t = DefaultLockTimeout
	case t < 0:
		t = 0
	}
	return filelock.Options{Timeout: t, Waiting: o.Waiting, Create: create}
}

// InterruptedError says a signal (SIGINT, SIGTERM, SIGHUP) arrived during
// Write. Complete tells which way Write settled: a signal during staging
// undoes everything, one during the commit lets it finish first, since the
// renames take milliseconds and both ends are whole trees.
type InterruptedError struct {
	Signal   os.Signal
	Complete bool
}

func (e *InterruptedError) Error() string {
	if e.Complete {
		return fmt.Sprintf("interrupted (%v) while replacing files; the replacement was finished first, so the tree is complete", e.Signal)
	}
	return fmt.Sprintf("interrupted (%v); nothing was changed", e.Signal)
}

// hook, when set by a test, is called before every change Write makes on
// disk, with a name for the step; an error fails that step.
var hook func(step string) error

// rename is the file operation the commit uses; tests replace it to fail
// at each step in turn.
var rename = os.Rename

func step(name string) error {
	if hook != nil {
		return hook(name)
	}
	return nil
}

// Write makes dir hold tree, as described in the package comment, waiting
// DefaultLockTimeout for another run.
func Write(dir string, tree map[string][]byte, header string) (*Report, error) {
	return WriteWith(dir, tree, header, Options{})
}

// WriteWith is Write with options.
func WriteWith(dir string, tree map[string][]byte, header string, opts Options) (rep *Report, err error) {
	for rel := range tree {
		if path.IsAbs(rel) || strings.HasPrefix(path.Clean(rel), "..") {
			return nil, fmt.Errorf("%s: path escapes the output directory", rel)
		}
	}
	sig := holdSignals()
	defer sig.release()

	lo := opts.lock(true)
	lo.Cancel = sig.fired
	lk, err := filelock.Acquire(dir, filelock.Exclusive, lo)
	if errors.Is(err, filelock.ErrCanceled) {
		return nil, &InterruptedError{Signal: sig.caught()}
	}
	if err != nil {
		return nil, err
	}
	defer lk.Unlock()
	defer func() {
		if err != nil {
			// Take away the output directory (and parents) this run made,
			// when nothing else is in them, before others get the lock.
			made := lk.Created()
			for i := len(made) - 1; i >= 0; i-- {
				_ = os.Remove(made[i])
			}
		}
	}()

	rep = &Report{}
	if rep.Recovered, rep.Strays, err = recoverLocked(dir, header, Roots(tree)); err != nil {
		return nil, err
	}
	p, err := plan(dir, tree, header, rep)
	if err != nil {
		return nil, err
	}
	if len(p.j.Ops)+len(p.j.Stale) == 0 {
		return rep, nil
	}
	if err := p.run(dir, tree, header, sig); err != nil {
		return nil, err
	}
	for _, op := range p.j.Ops {
		rep.Written = append(rep.Written, op.Target)
	}
	if s := sig.release(); s != nil {
		return rep, &InterruptedError{Signal: s, Complete: true}
	}
	return rep, nil
}

// Recover replays an interrupted run's journal in dir and removes the temp
// files killed runs left, under an exclusive lock. Write does this itself;
// Recover is for callers that only want the tree whole again.
func Recover(dir, header string, opts Options) (Recovery, []string, error) {
	lk, err := filelock.Acquire(dir, filelock.Exclusive, opts.lock(false))
	if errors.Is(err, fs.ErrNotExist) {
		return NothingToRecover, nil, nil
	}
	if err != nil {
		return "", nil, err
	}
	defer lk.Unlock()
	return recoverLocked(dir, header, treeRoots)
}

func recoverLocked(dir, header string, roots map[string]bool) (Recovery, []string, error) {
	j, err := loadJournal(dir)
	if err != nil {
		return "", nil, err
	}
	rec := NothingToRecover
	if j != nil {
		if rec, err = j.replay(dir, header); err != nil {
			return "", nil, err
		}
	}
	st, err := Scan(dir, header, roots)
	if err != nil {
		return "", nil, err
	}
	for _, rel := range st.Strays {
		if err := os.Remove(filepath.Join(dir, filepath.FromSlash(rel))); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return "", nil, fmt.Errorf("remove leftover %s: %w", rel, err)
		}
	}
	for _, rel := range st.Strays {
		removeEmptyParents(dir, filepath.Dir(filepath.Join(dir, filepath.FromSlash(rel))))
	}
	return rec, st.Strays, nil
}

type writePlan struct {
	j *journal
}

// plan works out every change Write will make and records it in the
// journal it returns, before anything is touched.
func plan(dir string, tree map[string][]byte, header string, rep *Report) (*writePlan, error) {
	st, err := Scan(dir, header, Roots(tree))
	if err != nil {
		return nil, err
	}
	foreign := map[string]bool{}
	for _, f := range st.Foreign {
		foreign[f] = true
	}
	run, err := runID()
	if err != nil {
		return nil, err
	}
	j := &journal{Version: journalVersion, State: stateStaging}
	aux := func(rel, kind string) string {
		n := len(j.Ops) + len(j.Stale)
		return path.Join(path.Dir(rel), reservedPrefix+run+"-"+strconv.Itoa(n)+"."+kind)
	}
	dirs := map[string]bool{}
	for _, rel := range sortedKeys(tree) {
		if err := checkPath(dir, rel); err != nil {
			return nil, err
		}
		if foreign[rel] {
			return nil, fmt.Errorf("%s exists and was not generated by platformctl; move it away or delete it", filepath.Join(dir, rel))
		}
		old, existed := st.Generated[rel]
		if existed && bytes.Equal(old, tree[rel][len(header):]) {
			rep.Unchanged = append(rep.Unchanged, rel)
			continue
		}
		target := filepath.Join(dir, filepath.FromSlash(rel))
		if info, err := os.Lstat(target); err == nil && info.IsDir() {
			return nil, fmt.Errorf("%s is a directory where platformctl writes a file; move it away or delete it", target)
		}
		op := journalOp{Target: rel, Temp: aux(rel, "tmp")}
		if existed {
			op.Backup = aux(rel, "old")
		}
		j.Ops = append(j.Ops, op)
		for d := path.Dir(rel); d != "."; d = path.Dir(d) {
			if _, err := os.Lstat(filepath.Join(dir, filepath.FromSlash(d))); err == nil {
				break
			}
			dirs[d] = true
		}
	}
	for _, rel := range sortedKeys(st.Generated) {
		if _, keep := tree[rel]; !keep {
			rep.Removed = append(rep.Removed, rel)
			j.Stale = append(j.Stale, journalOp{Target: rel, Backup: aux(rel, "old")})
		}
	}
	rep.Foreign = st.Foreign
	for d := range dirs {
		j.Dirs = append(j.Dirs, d)
	}
	// Outermost first: a parent sorts before its children.
	sort.Strings(j.Dirs)
	return &writePlan{j: j}, nil
}

// run stages, commits and finishes the plan. On any failure, or a signal
// before the commit, it replays the journal backwards, which puts the tree
// back as it was.
func (p *writePlan) run(dir string, tree map[string][]byte, header string, sig *signals) (err error) {
	j := p.j
	abs := func(rel string) string { return filepath.Join(dir, filepath.FromSlash(rel)) }
	undo := func(cause error) error {
		// Backwards, whatever state the journal reached: the failed step
		// may have been the very save that said committed.
		j.State = stateCommitting
		if _, rerr := j.replay(dir, header); rerr != nil {
			return fmt.Errorf("%w; and putting the tree back failed, so run render again: %w", cause, rerr)
		}
		return cause
	}
	if err := step("journal " + string(stateStaging)); err != nil {
		return err
	}
	if err := j.save(dir); err != nil {
		_ = os.Remove(filepath.Join(dir, JournalName))
		return err
	}
	for _, d := range j.Dirs {
		if err := step("mkdir " + d); err != nil {
			return undo(err)
		}
		if err := os.Mkdir(abs(d), 0o755); err != nil {
			return undo(fmt.Errorf("create %s: %w", abs(d), err))
		}
	}
	for _, op := range j.Ops {
		if s := sig.caught(); s != nil {
			return undo(&InterruptedError{Signal: s})
		}
		if err := step("stage " + op.Target); err != nil {
			return undo(err)
		}
		if err := stage(abs(op.Temp), tree[op.Target]); err != nil {
			return undo(fmt.Errorf("stage %s: %w", op.Target, err))
		}
	}
	if s := sig.caught(); s != nil {
		return undo(&InterruptedError{Signal: s})
	}
	// Once the journal says committed the kept copies are deleted, so the
	// new content must be on disk first, should the machine stop.
	if err := step("sync"); err != nil {
		return undo(err)
	}
	temps := make([]string, 0, len(j.Ops))
	for _, op := range j.Ops {
		temps = append(temps, abs(op.Temp))
	}
	if err := syncStaged(temps); err != nil {
		return undo(fmt.Errorf("sync staged files: %w", err))
	}
	// From here on a signal waits until the commit is done.
	j.State = stateCommitting
	if err := step("journal " + string(stateCommitting)); err != nil {
		return undo(err)
	}
	if err := j.save(dir); err != nil {
		return undo(err)
	}
	for _, op := range j.Ops {
		if op.Backup != "" {
			if err := step("keep " + op.Target); err != nil {
				return undo(err)
			}
			if err := rename(abs(op.Target), abs(op.Backup)); err != nil {
				return undo(fmt.Errorf("replace %s: %w", op.Target, err))
			}
		}
		if err := step("place " + op.Target); err != nil {
			return undo(err)
		}
		if err := rename(abs(op.Temp), abs(op.Target)); err != nil {
			return undo(fmt.Errorf("replace %s: %w", op.Target, err))
		}
	}
	for _, op := range j.Stale {
		if err := step("remove " + op.Target); err != nil {
			return undo(err)
		}
		if err := rename(abs(op.Target), abs(op.Backup)); err != nil {
			return undo(fmt.Errorf("remove stale %s: %w", op.Target, err))
		}
	}
	j.State = stateCommitted
	if err := step("journal " + string(stateCommitted)); err != nil {
		return undo(err)
	}
	if err := j.save(dir); err != nil {
		return undo(err)
	}
	// The new tree is whole: what is left is deleting the kept copies. A
	// failure from here on is finished by the next run.
	if err := step("finish"); err != nil {
		return err
	}
	if _, err := j.replay(dir, header); err != nil {
		return err
	}
	return nil
}

// stage writes a temp file whole, as a new file; syncStaged makes it
// durable.
func stage(name string, b []byte) error {
	if err := writeNew(name, b, os.O_EXCL, false); err != nil {
		return err
	}
	// O_CREATE's mode is filtered by the umask; generated files are 0644
	// whoever renders them, as git would check them out.
	return os.Chmod(name, 0o644)
}

func runID() (string, error) {
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("temp names: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}
