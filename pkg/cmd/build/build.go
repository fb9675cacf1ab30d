// Package build implements `platformctl build`.
package build

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/platformctl/platformctl/pkg/cmdutil"
	"github.com/platformctl/platformctl/pkg/generate"
	"github.com/platformctl/platformctl/pkg/render"
	"github.com/platformctl/platformctl/pkg/spec"
)

// Options are build's inputs.
type Options struct {
	IO   cmdutil.IOStreams
	File string
	Env  string
	// EnvSource is where Env came from when not from --env
	// (PLATFORMCTL_ENV, the config file), for the message when it is wrong.
	EnvSource string
	// Preview builds pull request Preview's preview environment
	// (spec.previews) instead of Env, when PreviewSet: what Argo CD's
	// platformctl plugin runs for each pull request.
	Preview    int
	PreviewSet bool
	Log        cmdutil.Logger
}

// NewCmd returns the build command; runF replaces the run function in tests.
func NewCmd(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{IO: f.IO, Log: f.Logf}
	cmd := &cobra.Command{
		Use:   "build",
		Short: "Print the fully built manifests of one environment",
		Long: `Build prints the YAML stream of one environment, byte for byte what
'kustomize build overlays/<env>' prints for the rendered tree, without writing
the tree or running Kustomize. Pipe it to kubectl, a linter or a diff.`,
		Example: `  platformctl build --env production
  platformctl build -f examples/shop/platform.yaml --env dev | kubectl apply --dry-run=server -f -
  platformctl build -f examples/shop/platform.yaml --preview 123`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.File = f.Setting(cmd.Flags(), "file", "file")
			opts.Env = f.Setting(cmd.Flags(), "env", "env")
			opts.EnvSource = f.Source(cmd.Flags(), "env", "env")
			opts.PreviewSet = cmd.Flags().Changed("preview")
			if runF != nil {
				return runF(opts)
			}
			return Run(opts)
		},
	}
	cmd.Flags().StringP("file", "f", "platform.yaml", "platform spec to read")
	_ = cmd.MarkFlagFilename("file", "yaml", "yml") // the flag exists: registered above
	cmd.Flags().VarP(&cmdutil.OnceString{}, "env", "e", "environment to build (required when the spec has more than one)")
	_ = cmd.RegisterFlagCompletionFunc("env", f.CompleteEnvironments) // the flag exists: registered above
	cmd.Flags().IntVar(&opts.Preview, "preview", 0, "build the preview environment of this pull request number (spec.previews) instead of an environment")
	cmd.MarkFlagsMutuallyExclusive("env", "preview")
	return cmd
}

// Run builds opts.Env and writes it to stdout.
func Run(opts *Options) error {
	opts.Log.Printf("reading spec %s", opts.File)
	d, err := cmdutil.LoadSpec(opts.File)
	if err != nil {
		return err
	}
	p := d.Platform
	var env string
	if opts.PreviewSet {
		if p, err = d.Platform.ForPreview(opts.Preview); err != nil {
			return cmdutil.Fail(fmt.Errorf("--preview: %w", err))
		}
		env = spec.PreviewEnvName(opts.Preview)
	} else if env, err = cmdutil.OneEnvironment(d.Platform, opts.Env, opts.EnvSource); err != nil {
		return err
	}
	out, err := render.Build(p, env)
	if err != nil {
		return cmdutil.Fail(generate.Locate(d, err))
	}
	opts.Log.Printf("built environment %s: %d bytes", env, len(out))
	if _, err := opts.IO.Out.Write(out); err != nil {
		return cmdutil.Fail(fmt.Errorf("write output: %w", err))
	}
	return nil
}
