//go:build unix

package filetxn

import (
	"io/fs"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// accessWrite asks the kernel whether the process may write path: the
// permission bits for its user and groups, ACLs, a read-only mount, an
// immutable file. As root only the last two refuse.
func accessWrite(path string) error {
	return unix.Access(path, unix.W_OK)
}

// keepOwner gives f the owner and group of like. Only root may give a file
// away, so as root both are set and a failure is an error (a replaced file
// must not silently change hands); otherwise the group is set when the
// user may (a member of it), and left as it is when not.
func keepOwner(f *os.File, like fs.FileInfo) error {
	st, ok := like.Sys().(*syscall.Stat_t)
	if !ok {
		return nil
	}
	cur, err := f.Stat()
	if err != nil {
		return err
	}
	now, ok := cur.Sys().(*syscall.Stat_t)
	if !ok || (now.Uid == st.Uid && now.Gid == st.Gid) {
		return nil
	}
	if os.Geteuid() == 0 {
		return f.Chown(int(st.Uid), int(st.Gid))
	}
	if now.Gid != st.Gid {
		_ = f.Chown(-1, int(st.Gid)) // not a member: the file gets the user's group, as any new file would
	}
	return nil
}
