package cmdutil

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sync"
	"syscall"
)

// Output is the standard output every command writes to. It records the
// first write error and fails every later write with it, so that results
// that did not reach their reader (a full disk, a closed pipe) end the run
// with exit 2 even where a command, or cobra's help and completion scripts,
// ignore what fmt.Fprintf returns. root.Main checks it once, after the
// command, instead of every command checking each write.
type Output struct {
	mu  sync.Mutex
	w   io.Writer
	err error
}

// NewOutput wraps w.
func NewOutput(w io.Writer) *Output { return &Output{w: w} }

// Write writes p, or fails with the first error an earlier write returned:
// after a lost write the rest of the output is worthless, and a reader must
// not get output with a hole in it.
func (o *Output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.err != nil {
		return 0, o.err
	}
	n, err := o.w.Write(p)
	if err == nil && n < len(p) {
		err = io.ErrShortWrite
	}
	if err != nil {
		o.err = err
	}
	return n, err
}

// Unwrap returns the writer underneath, so IsTerminal sees the real stream.
func (o *Output) Unwrap() io.Writer { return o.w }

// Finish returns the first write error, or, when the output is a regular
// file, the error of making it durable: a full disk may accept write(2)
// into the page cache and fail only at write-back, which fsync reports. A
// pipe or terminal cannot be synced; that is not an error.
func (o *Output) Finish() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.err != nil {
		return o.err
	}
	f, ok := o.w.(*os.File)
	if !ok {
		return nil
	}
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		return nil
	}
	if err := f.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) && !errors.Is(err, errors.ErrUnsupported) {
		o.err = err
	}
	return o.err
}

// ReportOutputError prints what a failed write to stdout means, once, as
// "platformctl: write stdout: <reason>", and returns the exit code (2). A
// closed pipe (the reader went away, as head does after its lines) is not
// reported: nobody is left to read the results, and saying so on every
// `platformctl … | head` would be noise. Its exit code is still 2, so a
// pipeline under `set -o pipefail` sees that the output was cut short.
func ReportOutputError(w io.Writer, err error) int {
	if errors.Is(err, syscall.EPIPE) {
		return ExitError
	}
	reason := err
	var pe *fs.PathError
	if errors.As(err, &pe) {
		reason = pe.Err // "write /dev/stdout: …" names a path the user never typed
	}
	fmt.Fprintf(w, "platformctl: write stdout: %v\n", reason)
	return ExitError
}
