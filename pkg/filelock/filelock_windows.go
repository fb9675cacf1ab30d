//go:build windows

package filelock

import (
	"errors"
	"os"
	"path/filepath"

	"golang.org/x/sys/windows"
)

// LockFileName is the file locked inside the directory on Windows.
const LockFileName = ".platformctl.lock"

func lockTargetPath(dir string) string { return filepath.Join(dir, LockFileName) }

func openLockTarget(dir string) (*os.File, error) {
	return os.OpenFile(lockTargetPath(dir), os.O_RDWR|os.O_CREATE, 0o644)
}

func tryLock(f *os.File, mode Mode) (busy bool, err error) {
	flags := uint32(windows.LOCKFILE_FAIL_IMMEDIATELY)
	if mode == Exclusive {
		flags |= windows.LOCKFILE_EXCLUSIVE_LOCK
	}
	ol := new(windows.Overlapped)
	err = windows.LockFileEx(windows.Handle(f.Fd()), flags, 0, 1, 0, ol)
	if errors.Is(err, windows.ERROR_LOCK_VIOLATION) {
		return true, nil
	}
	return false, err
}
