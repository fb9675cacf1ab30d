// Package setcmd implements `platformctl set image`, which writes image
// references into platform.yaml without reformatting it.
package setcmd

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/platformctl/platformctl/pkg/cmdutil"
	"github.com/platformctl/platformctl/pkg/scaffold"
)

// NewCmd returns the set command with its subcommands.
func NewCmd(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "set",
		Short: "Change settings of platform.yaml from the command line (set image)",
		Long: `Set changes values in platform.yaml the way a CI job does after a build:
only the values change, every comment, blank line, quoting style and line
break of the file stays. The result is validated before it is written;
when it would be invalid the file is untouched and the exit code is 2.`,
		Example: `  platformctl set image web=ghcr.io/acme/web:1.6.0@sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae`,
		Args:    cobra.NoArgs,
		RunE:    func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(NewImageCmd(f, nil))
	return cmd
}

// ImageOptions are set image's inputs.
type ImageOptions struct {
	IO     cmdutil.IOStreams
	File   string
	Quiet  bool
	Log    cmdutil.Logger
	Sets   []scaffold.ImageSet
	Target scaffold.ImageTarget
	Lock   scaffold.Locking
}

// NewImageCmd returns the set image command; runF replaces the run function
// in tests.
func NewImageCmd(f *cmdutil.Factory, runF func(*ImageOptions) error) *cobra.Command {
	opts := &ImageOptions{IO: f.IO, Log: f.Logf,
		Lock: scaffold.Locking{Timeout: cmdutil.LockTimeout, Waiting: cmdutil.LockWaiting(f.IO.ErrOut)}}
	var metadata string
	cmd := &cobra.Command{
		Use:   "image SERVICE=IMAGE [SERVICE=IMAGE...]",
		Short: "Write services' images into platform.yaml, keeping the file's comments and layout",
		Long: `Image writes each SERVICE's image reference into platform.yaml: by default the
service's own image (spec.services[].image, which every environment runs unless
it overrides it); with --env ENV that environment's override
(spec.environments[].overrides.services.SERVICE.image, created when missing);
with --canary the canary's (spec.services[].canary.image).

Only the value changes: comments, quoting style, layout and CRLF line breaks
are kept, as "new service" keeps them. The result is validated first: an
image without a digest that a production environment would run, an unknown
service, or any other problem leaves the file untouched, prints
file:line:col: path: message and exits 2.

--from-metadata FILE reads the digest from the metadata file of
"docker buildx build --push --metadata-file FILE": SERVICE=IMAGE gets
@<digest> appended (an IMAGE with a digest must have that one), and SERVICE
alone takes the first image name the build pushed. This is the CI step that
follows a push: the deploy repository's pull request then shows exactly the
digest that was built.

Edits take turns with other platformctl runs in the same directory and
replace the file only when nobody saved it meanwhile (see platformctl new --help).`,
		Example: `  platformctl set image web=ghcr.io/acme/web:1.6.0@sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae
  platformctl set image web=ghcr.io/acme/web:1.6.0-rc.1 --env staging
  platformctl set image web=ghcr.io/acme/web:1.6.0@sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae --canary
  docker buildx build --push -t ghcr.io/acme/web:$GITHUB_SHA --metadata-file build.json .
  platformctl set image web --from-metadata build.json --env testing`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.File = f.Setting(cmd.Flags(), "file", "file")
			opts.Quiet = f.Global.Quiet
			if opts.Target.Canary && opts.Target.Env != "" {
				return cmdutil.Fail(errors.New("--canary and --env: a canary runs in every environment; give one"))
			}
			var md *scaffold.BuildMetadata
			if metadata != "" {
				if len(args) > 1 {
					return cmdutil.Fail(fmt.Errorf("--from-metadata: one build is one image; give one SERVICE (got %d)", len(args)))
				}
				b, err := os.ReadFile(metadata)
				if err != nil {
					return cmdutil.Fail(fmt.Errorf("--from-metadata: %w", err))
				}
				if md, err = scaffold.ParseBuildMetadata(metadata, b); err != nil {
					return cmdutil.Fail(err)
				}
			}
			for _, a := range args {
				s, err := scaffold.ParseImageSet(a, md)
				if err != nil {
					return cmdutil.Fail(err)
				}
				opts.Sets = append(opts.Sets, s)
			}
			if runF != nil {
				return runF(opts)
			}
			return RunImage(opts)
		},
	}
	fl := cmd.Flags()
	fl.StringP("file", "f", "platform.yaml", "platform spec to edit")
	fl.StringVar(&opts.Target.Env, "env", "", "write the image as this environment's override")
	fl.BoolVar(&opts.Target.Canary, "canary", false, "write the canary's image")
	fl.StringVar(&metadata, "from-metadata", "", "docker buildx --metadata-file output to take the digest (and, for SERVICE alone, the image) from")
	return cmd
}

// RunImage writes opts.Sets into opts.File.
func RunImage(opts *ImageOptions) error {
	opts.Log.Printf("reading spec %s", opts.File)
	if err := cmdutil.CheckSpecFile(opts.File); err != nil {
		return cmdutil.Fail(err)
	}
	if _, err := os.Stat(opts.File); errors.Is(err, os.ErrNotExist) {
		return cmdutil.Fail(cmdutil.MissingSpec(opts.File))
	}
	var changes []scaffold.ImageChange
	_, err := scaffold.EditFile(opts.File, opts.Lock, func(data []byte) (*scaffold.Edit, error) {
		r, ch, err := scaffold.SetImages(opts.File, data, opts.Sets, opts.Target)
		if err != nil {
			return nil, err
		}
		changes = ch
		return &scaffold.Edit{Data: r.Data}, nil
	})
	if err != nil {
		var refused *scaffold.RefusedError
		if errors.As(err, &refused) && len(refused.Problems) > 0 {
			fmt.Fprintln(opts.IO.ErrOut, refused.Reason)
			return cmdutil.Fail(refused.Problems)
		}
		return cmdutil.Fail(err)
	}
	opts.Log.Printf("wrote %s", opts.File)
	if opts.Quiet {
		return nil
	}
	for _, c := range changes {
		fmt.Fprintln(opts.IO.Out, c.String(opts.File))
	}
	return nil
}
