package cluster

import "syscall"

// sysProcAttr makes the kernel kill the servers if the test binary dies
// without running its cleanup (go test -timeout, SIGKILL), so no etcd or
// apiserver outlives a run. Setpgid keeps a terminal's Ctrl-C from reaching
// them directly; the test process decides when they stop.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
