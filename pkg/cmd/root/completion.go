package root

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/platformctl/platformctl/pkg/cmdutil"
)

// addCompletionCmd adds cobra's completion command now rather than at
// Execute, so it carries examples like every other command (and shows in the
// generated CLI reference with them). Cobra binds the scripts' output stream
// when it creates the command, so the streams are set first.
func addCompletionCmd(root *cobra.Command, f *cmdutil.Factory) {
	root.SetOut(f.IO.Out)
	root.SetErr(f.IO.ErrOut)
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		if c.Name() != "completion" {
			continue
		}
		// "completion tcsh" is an unknown shell (exit 2), not a request for help.
		c.Args = cobra.NoArgs
		// The scripts do not depend on the CLI config.
		c.Annotations = map[string]string{cmdutil.NoConfig: "true"}
		c.RunE = func(cmd *cobra.Command, _ []string) error { return cmd.Help() }
		c.Example = `  source <(platformctl completion bash)
  platformctl completion zsh > "${fpath[1]}/_platformctl"`
		for _, sh := range c.Commands() {
			sh.Example = map[string]string{
				"bash":       "  source <(platformctl completion bash)\n  platformctl completion bash > /etc/bash_completion.d/platformctl",
				"zsh":        `  platformctl completion zsh > "${fpath[1]}/_platformctl"`,
				"fish":       "  platformctl completion fish > ~/.config/fish/completions/platformctl.fish",
				"powershell": "  platformctl completion powershell | Out-String | Invoke-Expression",
			}[sh.Name()]
			if sh.Example == "" {
				sh.Example = fmt.Sprintf("  platformctl completion %s", sh.Name())
			}
		}
	}
}
