//go:build !unix && !windows

package filelock

import (
	"errors"
	"os"
)

func lockTargetPath(dir string) string { return dir }

func openLockTarget(dir string) (*os.File, error) { return os.Open(dir) }

func tryLock(*os.File, Mode) (bool, error) {
	return false, errors.New("advisory locks are not supported on this platform")
}
