// Package validate implements `platformctl validate`.
package validate

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/platformctl/platformctl/pkg/cmdutil"
	"github.com/platformctl/platformctl/pkg/generate"
	"github.com/platformctl/platformctl/pkg/spec"
)

// Options are validate's inputs.
type Options struct {
	IO    cmdutil.IOStreams
	File  string
	Quiet bool
	Log   cmdutil.Logger
}

// NewCmd returns the validate command; runF replaces the run function in tests.
func NewCmd(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{IO: f.IO, Log: f.Logf}
	cmd := &cobra.Command{
		Use:   "validate",
		Short: "Check a platform spec and report every problem with its position",
		Long: `Validate loads platform.yaml strictly (unknown fields, wrong types and duplicate
keys are errors), checks every field rule and every reference between entries,
and prints all problems at once, compiler-style: file:line:col: path: message.
It exits 0 when the spec is valid and 2 otherwise. Warnings (edge.api:
ingress-nginx, which is retired) go to stderr and leave the exit code 0.`,
		Example: `  platformctl validate
  platformctl validate -f examples/shop/platform.yaml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.File = f.Setting(cmd.Flags(), "file", "file")
			opts.Quiet = f.Global.Quiet
			if runF != nil {
				return runF(opts)
			}
			return Run(opts)
		},
	}
	cmd.Flags().StringP("file", "f", "platform.yaml", "platform spec to read")
	_ = cmd.MarkFlagFilename("file", "yaml", "yml") // the flag exists: registered above
	return cmd
}

// Run validates opts.File.
func Run(opts *Options) error {
	opts.Log.Printf("reading spec %s", opts.File)
	d, err := cmdutil.LoadSpec(opts.File)
	if err != nil {
		return err
	}
	if err := generate.CheckNames(d); err != nil {
		return cmdutil.Fail(err)
	}
	// A warning, not an error: existing users keep a working edge while
	// they migrate, and -q silences the report, never the warning.
	if d.Platform.Spec.Edge.API == spec.EdgeIngressNginx {
		pos := d.Pos("spec.edge.api")
		fmt.Fprintf(opts.IO.ErrOut, "%s:%d:%d: warning: spec.edge.api: %s\n", d.File, pos.Line, pos.Col, spec.IngressNginxRetired)
	}
	if opts.Quiet {
		return nil
	}
	s := d.Platform.Spec
	fmt.Fprintf(opts.IO.Out, "%s: valid (%d services, %d data stores, %d environments)\n",
		opts.File, len(s.Services), len(s.Data), len(s.Environments))
	return nil
}
