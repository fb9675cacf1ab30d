//go:build unix

package render_test

import (
	"syscall"
	"time"
)

// processCPU is the CPU time (user + system, every thread) this process has
// used: on a machine shared with other builds a benchmark's wall time says
// more about the load than about the code, its CPU time much less.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
