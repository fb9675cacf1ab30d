// Package filelock takes advisory locks on directories, so that two
// platformctl runs never write the same tree or edit the same spec at once.
//
// On Unix the lock is flock(2) on the directory itself: nothing is created
// in the directory, and the kernel drops the lock when the process ends, so
// a killed run can never leave a stale lock behind. On Windows, where a
// directory handle cannot be locked, the lock is LockFileEx on a
// .platformctl.lock file inside the directory (kept, since deleting a lock
// file races with the next run that opens it).
package filelock

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// Mode says whether other runs may hold the lock at the same time.
type Mode int

const (
	// Shared lets other shared holders in (readers: render --check).
	Shared Mode = iota
	// Exclusive keeps everybody else out (writers).
	Exclusive
)

// ErrTimeout is returned when another run kept the lock for longer than
// the caller was willing to wait.
var ErrTimeout = errors.New("locked by another platformctl run")

// ErrCanceled is returned when Options.Cancel closed while waiting.
var ErrCanceled = errors.New("canceled while waiting for another platformctl run")

// Lock is a held lock; Unlock releases it.
type Lock struct {
	f       *os.File
	created []string
}

// Created lists the directories Acquire made, deepest last.
func (l *Lock) Created() []string { return l.created }

// Options tune Acquire.
type Options struct {
	// Timeout is how long to wait for another run to finish; 0 tries once.
	Timeout time.Duration
	// Waiting is called once, when the lock is not free at the first try,
	// so the command can say what it waits for.
	Waiting func()
	// Create makes the directory (and its parents) when it does not exist;
	// Lock.Created then says whether this run made it, so a run that fails
	// can take away what it added.
	Create bool
	// Cancel, when it is closed, ends the wait (a Ctrl-C while waiting);
	// Acquire then returns ErrCanceled.
	Cancel <-chan struct{}
}

// Acquire locks the existing directory dir in mode, waiting up to
// opts.Timeout for a run that holds it. A directory that is removed or
// replaced while we wait is opened again, so the lock always covers the
// directory that is at dir when Acquire returns.
func Acquire(dir string, mode Mode, opts Options) (*Lock, error) {
	deadline := time.Now().Add(opts.Timeout)
	delay := 5 * time.Millisecond
	announced := false
	var created []string
	for {
		if opts.Create {
			made, err := Mkdirs(dir)
			for _, d := range made {
				if !slices.Contains(created, d) {
					created = append(created, d)
				}
			}
			if err != nil {
				return nil, fmt.Errorf("lock %s: %w", dir, err)
			}
		}
		f, err := openLockTarget(dir)
		if err != nil {
			return nil, fmt.Errorf("lock %s: %w", dir, err)
		}
		busy, err := tryLock(f, mode)
		if err != nil {
			_ = f.Close()
			return nil, fmt.Errorf("lock %s: %w", dir, err)
		}
		if !busy {
			same, err := stillAt(f, dir)
			if err == nil && same {
				return &Lock{f: f, created: created}, nil
			}
			_ = f.Close()
			if err != nil && (!opts.Create || !errors.Is(err, os.ErrNotExist)) {
				return nil, fmt.Errorf("lock %s: %w", dir, err)
			}
			// Removed or replaced between open and lock (the run that held
			// it took away the directory it had made): lock the new one.
			continue
		}
		_ = f.Close()
		if !time.Now().Before(deadline) {
			return nil, fmt.Errorf("%s: %w (waited %s)", dir, ErrTimeout, opts.Timeout)
		}
		if !announced && opts.Waiting != nil {
			opts.Waiting()
			announced = true
		}
		select {
		case <-opts.Cancel:
			return nil, fmt.Errorf("%s: %w", dir, ErrCanceled)
		case <-time.After(delay):
		}
		if delay < 200*time.Millisecond {
			delay *= 2
		}
	}
}

// Unlock releases the lock. Closing the descriptor is what releases it, so
// a failed close still leaves the directory unlocked.
func (l *Lock) Unlock() {
	if l == nil || l.f == nil {
		return
	}
	_ = l.f.Close()
	l.f = nil
}

// Mkdirs makes dir and its missing parents, like os.MkdirAll, and returns
// those it made, outermost first, so a run that fails can take away exactly
// what it added. Another run making the same directory at the same time is
// not an error: then it is that run's.
func Mkdirs(dir string) ([]string, error) {
	var missing []string
	for cur := filepath.Clean(dir); ; cur = filepath.Dir(cur) {
		if _, err := os.Lstat(cur); err == nil {
			break
		}
		missing = append(missing, cur)
		if filepath.Dir(cur) == cur {
			break
		}
	}
	var made []string
	for i := len(missing) - 1; i >= 0; i-- {
		err := os.Mkdir(missing[i], 0o755)
		if errors.Is(err, os.ErrExist) {
			continue
		}
		if err != nil {
			return made, err
		}
		made = append(made, missing[i])
	}
	return made, nil
}

// stillAt says whether the locked descriptor is still the directory at dir.
func stillAt(f *os.File, dir string) (bool, error) {
	held, err := f.Stat()
	if err != nil {
		return false, err
	}
	now, err := os.Stat(lockTargetPath(dir))
	if err != nil {
		return false, err
	}
	return os.SameFile(held, now), nil
}
