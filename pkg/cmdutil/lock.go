package cmdutil

import (
	"fmt"
	"io"
	"time"
)

// LockTimeout is how long a command waits for another platformctl run that
// holds a directory it writes (a spec being edited, a tree being rendered)
// before it gives up with exit 2. Long enough for any edit or render to
// finish, short enough that a stuck run does not hang CI.
const LockTimeout = time.Minute

// LockWaiting returns the notice printed on w, once, when a command has to
// wait for another run: without it a waiting command looks hung.
func LockWaiting(w io.Writer) func(dir string) {
	return func(dir string) {
		fmt.Fprintf(w, "platformctl: waiting for another platformctl run to finish writing in %s (up to %s)…\n", dir, LockTimeout)
	}
}
