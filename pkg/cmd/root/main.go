package root

import (
	"errors"

	"github.com/platformctl/platformctl/pkg/cmdutil"
)

// Main runs platformctl with args and returns the process exit code.
//
// Standard output goes through one cmdutil.Output for the whole run
// (commands, cobra's help, usage and completion scripts alike), and it is
// checked here, after the command: results that could not be written make
// the run exit 2, whatever the command returned, so a full disk or a closed
// pipe is never a success nor a lint verdict (exit 1).
func Main(args []string, streams cmdutil.IOStreams) int {
	out := cmdutil.NewOutput(streams.Out)
	streams.Out = out
	f := cmdutil.NewFactory(streams)
	cmd := NewCmd(f)
	// cobra reads os.Args when the args are nil: Main's caller decides
	// what the arguments are, none included (a test binary's own flags
	// must never reach the CLI).
	if args == nil {
		args = []string{}
	}
	cmd.SetArgs(args)
	cmd.SetIn(streams.In)
	cmd.SetOut(out)
	cmd.SetErr(streams.ErrOut)
	err := cmd.Execute()
	var code int
	if werr := out.Finish(); werr != nil {
		// The command's own error is printed unless it is the failed write
		// itself (lint and build return it), which is said once below.
		if err != nil && !errors.Is(err, werr) {
			cmdutil.PrintError(streams.ErrOut, err)
		}
		code = cmdutil.ReportOutputError(streams.ErrOut, werr)
	} else {
		if err != nil {
			cmdutil.PrintError(streams.ErrOut, err)
		}
		code = cmdutil.ExitCode(err)
	}
	f.Logf("done in %s, exit %d", f.Elapsed(), code)
	return code
}
