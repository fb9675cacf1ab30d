// Package schema implements `platformctl schema`.
package schema

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/platformctl/platformctl/pkg/cmdutil"
	"github.com/platformctl/platformctl/pkg/schema"
)

// Options are the schema command's inputs.
type Options struct {
	IO cmdutil.IOStreams
}

// NewCmd returns the schema command; runF replaces the run function in tests.
func NewCmd(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{IO: f.IO}
	cmd := &cobra.Command{
		Use:   "schema",
		Short: "Print the JSON Schema of platform.yaml",
		Long: `Schema prints the JSON Schema (draft 2020-12) of platformctl.dev/v1alpha1
Platform, generated from the same types the loader reads: descriptions,
allowed values, patterns, ranges, defaults and required keys. Editors use it
for completion and inline errors; it is also committed as
docs/schema/platform.v1alpha1.json.

The schema checks each value on its own. Rules between values (references to
other entries, unique names, min <= max, combinations) are checked by
'platformctl validate' only; docs/schema/README.md lists them.`,
		Example: `  platformctl schema > platform.schema.json
  # in platform.yaml, for the YAML language server (VS Code, Neovim, …):
  # yaml-language-server: $schema=./platform.schema.json`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			if runF != nil {
				return runF(opts)
			}
			return Run(opts)
		},
	}
	return cmd
}

// Run writes the schema to stdout.
func Run(opts *Options) error {
	if _, err := opts.IO.Out.Write(schema.PlatformV1alpha1()); err != nil {
		return cmdutil.Fail(fmt.Errorf("write schema: %w", err))
	}
	return nil
}
