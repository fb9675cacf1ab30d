package root

import (
	"github.com/platformctl/platformctl/pkg/cmdutil"
)

// Main runs platformctl with args and returns the process exit code.
func Main(args []string, streams cmdutil.IOStreams) int {
	f := cmdutil.NewFactory(streams)
	cmd := NewCmd(f)
	cmd.SetArgs(args)
	cmd.SetIn(streams.In)
	cmd.SetOut(streams.Out)
	cmd.SetErr(streams.ErrOut)
	err := cmd.Execute()
	if err != nil {
		cmdutil.PrintError(streams.ErrOut, err)
	}
	code := cmdutil.ExitCode(err)
	f.Logf("done in %s, exit %d", f.Elapsed(), code)
	return code
}
