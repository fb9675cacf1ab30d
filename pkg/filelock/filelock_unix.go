//go:build unix

package filelock

import (
	"errors"
	"os"
	"syscall"
)

func lockTargetPath(dir string) string { return dir }

func openLockTarget(dir string) (*os.File, error) {
	return os.Open(dir) // a read-only descriptor is enough for flock
}

func tryLock(f *os.File, mode Mode) (busy bool, err error) {
	how := syscall.LOCK_SH
	if mode == Exclusive {
		how = syscall.LOCK_EX
	}
	for {
		err = syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB)
		if !errors.Is(err, syscall.EINTR) {
			break
		}
	}
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return true, nil
	}
	return false, err
}
