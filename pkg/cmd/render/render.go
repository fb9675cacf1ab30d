// Package render implements `platformctl render`.
package render

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/platformctl/platformctl/pkg/cmdutil"
	"github.com/platformctl/platformctl/pkg/filelock"
	"github.com/platformctl/platformctl/pkg/generate"
	"github.com/platformctl/platformctl/pkg/render"
	"github.com/platformctl/platformctl/pkg/treeio"
)

// Options are render's inputs.
type Options struct {
	IO     cmdutil.IOStreams
	File   string
	Output string
	Check  bool
	Quiet  bool
	// LockTimeout is how long to wait for another run on Output; 0 does not wait.
	LockTimeout time.Duration
	Log         cmdutil.Logger
}

// NewCmd returns the render command; runF replaces the run function in tests.
func NewCmd(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{IO: f.IO, Log: f.Logf}
	cmd := &cobra.Command{
		Use:   "render",
		Short: "Write the Kustomize tree (base/ per namespace, overlays/ per environment)",
		Long: `Render writes base/<namespace>/ for edge, apps, data, observability and cicd,
and overlays/<env>/ for every environment, into the output directory.

The whole tree is built and checked in memory first; on any error nothing on
disk changes. Files platformctl generated before under base/ and overlays/
and no longer produces are removed; files it did not generate, and anything
outside base/ and overlays/ (another tree rendered into a subdirectory, say),
are left alone. With --check
nothing is written: the exit code is 1 and a unified diff is printed when the
directory is stale, 0 when it is up to date.

Runs on one output directory take turns: render holds an exclusive lock on
it and render --check a shared one, waiting --lock-timeout (a minute) for
another run, then exit 2. A render that is killed (kill -9, a CI timeout, a power cut)
leaves an intent journal; the next render replays it, putting the old tree
back before writing, and render --check reports the tree as half-written
(exit 1). SIGINT, SIGTERM and SIGHUP during a render are held until the
tree is whole again (undone while staging, finished while replacing), then
end it with status 128+signal.`,
		Example: `  platformctl render -o deploy/
  platformctl render -f examples/shop/platform.yaml -o /tmp/out
  platformctl render --check   # in CI: fail when deploy/ is stale`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.File = f.Setting(cmd.Flags(), "file", "file")
			opts.Output = f.Setting(cmd.Flags(), "output", "output")
			opts.Quiet = f.Global.Quiet
			if runF != nil {
				return runF(opts)
			}
			return Run(opts)
		},
	}
	cmd.Flags().StringP("file", "f", "platform.yaml", "platform spec to read")
	cmd.Flags().StringP("output", "o", "deploy", "directory to write the tree to")
	// The flags exist: registered above.
	_ = cmd.MarkFlagFilename("file", "yaml", "yml")
	_ = cmd.MarkFlagDirname("output")
	cmd.Flags().DurationVar(&opts.LockTimeout, "lock-timeout", treeio.DefaultLockTimeout, "how long to wait for another platformctl run on the output directory (0: fail at once)")
	cmd.Flags().BoolVar(&opts.Check, "check", false, "compare with the output directory instead of writing; exit 1 when stale")
	return cmd
}

// Run renders opts.File into opts.Output (or compares with it).
func Run(opts *Options) error {
	// An empty output would mean the working directory: refuse it rather
	// than write base/ and overlays/ wherever the command happens to run.
	if strings.TrimSpace(opts.Output) == "" {
		return cmdutil.Fail(errors.New("the output directory is empty (-o, PLATFORMCTL_OUTPUT or output: in .platformctl.yaml); name it, e.g. -o deploy, or -o . for the current directory"))
	}
	opts.Log.Printf("reading spec %s", opts.File)
	d, err := cmdutil.LoadSpec(opts.File)
	if err != nil {
		return err
	}
	dir := filepath.Clean(opts.Output)
	specDir, err := specDirFrom(dir, d.Dir)
	if err != nil {
		return cmdutil.Fail(err)
	}
	tree, err := render.With(d.Platform, render.Options{SpecDir: specDir})
	if err != nil {
		return cmdutil.Fail(generate.Locate(d, err))
	}
	opts.Log.Printf("rendered %d files in memory", len(tree))
	topts := treeio.Options{LockTimeout: opts.LockTimeout, Waiting: func() {
		fmt.Fprintf(opts.IO.ErrOut, "platformctl: waiting for another platformctl run on %s to finish (up to %s)\n", dir, opts.LockTimeout)
	}}
	if opts.LockTimeout <= 0 {
		topts.LockTimeout = -1 // treeio: try once
	}
	if opts.Check {
		diff, err := treeio.CompareWith(dir, tree, render.Header, topts)
		if errors.Is(err, treeio.ErrHalfWritten) {
			fmt.Fprintf(opts.IO.ErrOut, "%v; run: platformctl render -f %s -o %s\n", err, opts.File, dir)
			return cmdutil.Silent(cmdutil.ExitFindings)
		}
		if err != nil {
			return cmdutil.Fail(lockHint(err))
		}
		if diff.Empty() {
			if !opts.Quiet {
				fmt.Fprintf(opts.IO.Out, "%s is up to date (%d files)\n", dir, len(tree))
			}
			return nil
		}
		fmt.Fprint(opts.IO.Out, diff.Unified)
		fmt.Fprintf(opts.IO.ErrOut, "%s is stale: %d missing, %d changed, %d extra; run: platformctl render -f %s -o %s\n",
			dir, len(diff.Missing), len(diff.Changed), len(diff.Extra), opts.File, dir)
		return cmdutil.Silent(cmdutil.ExitFindings)
	}
	rep, err := treeio.WriteWith(dir, tree, render.Header, topts)
	var ie *treeio.InterruptedError
	if errors.As(err, &ie) {
		fmt.Fprintf(opts.IO.ErrOut, "platformctl: render of %s %v\n", dir, err)
		return cmdutil.Silent(signalExitCode(ie.Signal))
	}
	if err != nil {
		return cmdutil.Fail(lockHint(err))
	}
	switch rep.Recovered {
	case treeio.RolledBack:
		fmt.Fprintf(opts.IO.ErrOut, "note: a render of %s had been interrupted; its changes were undone before this one\n", dir)
	case treeio.RolledForward:
		fmt.Fprintf(opts.IO.ErrOut, "note: a render of %s had been interrupted after it completed; its leftovers were removed\n", dir)
	}
	if len(rep.Strays) > 0 {
		fmt.Fprintf(opts.IO.ErrOut, "note: removed %d temp file(s) a killed platformctl run had left in %s\n", len(rep.Strays), dir)
	}
	for _, f := range rep.Written {
		opts.Log.Printf("wrote %s", filepath.Join(dir, f))
	}
	for _, f := range rep.Removed {
		opts.Log.Printf("removed %s", filepath.Join(dir, f))
	}
	for _, f := range rep.Foreign {
		fmt.Fprintf(opts.IO.ErrOut, "note: %s was not generated by platformctl; left alone\n", filepath.Join(dir, f))
	}
	if !opts.Quiet {
		fmt.Fprintf(opts.IO.Out, "rendered %s: %d written, %d unchanged, %d removed\n",
			dir, len(rep.Written), len(rep.Unchanged), len(rep.Removed))
	}
	return nil
}

// lockHint says what to do about a directory another run keeps locked.
func lockHint(err error) error {
	if errors.Is(err, filelock.ErrTimeout) {
		return fmt.Errorf("%w; wait for it to finish, or look for a stuck platformctl process", err)
	}
	return err
}

// signalExitCode is the shell's status for a process ended by sig (128+n),
// so a CI step interrupted by its timeout still reads as interrupted.
func signalExitCode(sig os.Signal) int {
	if s, ok := sig.(syscall.Signal); ok {
		return 128 + int(s)
	}
	return cmdutil.ExitError
}

// specDirFrom is the spec's directory relative to the output directory, as
// the overlays refer to the spec's components. Both are made absolute first
// so "-o deploy" next to the spec gives "..".
func specDirFrom(out, specDir string) (string, error) {
	if specDir == "" {
		return "", nil // read from standard input: no components (the loader says so)
	}
	o, err := filepath.Abs(out)
	if err != nil {
		return "", fmt.Errorf("output directory: %w", err)
	}
	s, err := filepath.Abs(specDir)
	if err != nil {
		return "", fmt.Errorf("spec directory: %w", err)
	}
	rel, err := filepath.Rel(o, s)
	if err != nil {
		return "", fmt.Errorf("the overlays cannot refer to the spec's components from %s: %w", out, err)
	}
	return filepath.ToSlash(rel), nil
}
