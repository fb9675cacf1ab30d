// Package promote implements `platformctl promote FROM TO`.
package promote

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/platformctl/platformctl/pkg/cmdutil"
	"github.com/platformctl/platformctl/pkg/envdiff"
	"github.com/platformctl/platformctl/pkg/generate"
	"github.com/platformctl/platformctl/pkg/scaffold"
	"github.com/platformctl/platformctl/pkg/semdiff"
	"github.com/platformctl/platformctl/pkg/spec"
)

// Options are promote's inputs.
type Options struct {
	IO       cmdutil.IOStreams
	File     string
	Quiet    bool
	Log      cmdutil.Logger
	From, To string
	Services []string
	DryRun   bool
	Format   string
	Lock     scaffold.Locking
}

// NewCmd returns the promote command; runF replaces the run function in tests.
func NewCmd(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{IO: f.IO, Log: f.Logf,
		Lock: scaffold.Locking{Timeout: cmdutil.LockTimeout, Waiting: cmdutil.LockWaiting(f.IO.ErrOut)}}
	cmd := &cobra.Command{
		Use:   "promote FROM TO",
		Short: "Copy the images one environment runs into the next stage's overrides",
		Long: `Promote writes the image every service runs in environment FROM (its override,
else its own image) into environment TO's overrides in platform.yaml, keeping
the file's comments and layout as "set image" does. TO must be the stage right
after FROM in spec.promotion (e.g. promotion: [testing, staging, production]):
skipping a stage, going backwards, or an environment that is not a stage is
refused with exit 2. --service S (repeatable) promotes only those services.

It then prints what changes in TO's build, object by object and field by field
(as "platformctl diff"): review it in the pull request that carries the edit.
--dry-run prints the same without writing. Canary images are not per
environment and are never promoted.

The promotion itself is a commit; what applies it is the GitOps controller,
and production stays behind an approval: Argo CD's production Application has
no automated sync (someone presses Sync), Flux's production Kustomization is
suspended in Git and applies one revision per "flux resume", and the CI
pipeline's production job waits on an environment approval (docs/gitops.md).

Exit 0 when promoted (or nothing differs), 2 on bad input.`,
		Example: `  platformctl promote testing staging
  platformctl promote staging production --service web --dry-run -o markdown`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.File = f.Setting(cmd.Flags(), "file", "file")
			opts.Quiet = f.Global.Quiet
			opts.From, opts.To = args[0], args[1]
			if runF != nil {
				return runF(opts)
			}
			return Run(opts)
		},
	}
	fl := cmd.Flags()
	fl.StringP("file", "f", "platform.yaml", "platform spec to edit")
	fl.StringArrayVar(&opts.Services, "service", nil, "promote only this service (repeatable)")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "print what would change; write nothing")
	fl.StringVarP(&opts.Format, "output", "o", "text", "format of the build diff: "+strings.Join(semdiff.Formats, ", "))
	_ = cmd.RegisterFlagCompletionFunc("output", cmdutil.CompleteValues(semdiff.Formats...)) // registered above
	return cmd
}

// Run promotes and prints the changes and TO's build diff.
func Run(opts *Options) error {
	if !slices.Contains(semdiff.Formats, opts.Format) {
		return cmdutil.Fail(fmt.Errorf("unknown output format %q; use one of: %s%s", opts.Format, strings.Join(semdiff.Formats, ", "), cmdutil.DidYouMean(opts.Format, semdiff.Formats)))
	}
	opts.Log.Printf("reading spec %s", opts.File)
	if err := cmdutil.CheckSpecFile(opts.File); err != nil {
		return cmdutil.Fail(err)
	}
	if _, err := os.Stat(opts.File); errors.Is(err, os.ErrNotExist) {
		return cmdutil.Fail(cmdutil.MissingSpec(opts.File))
	}
	var before *spec.Document
	var res *scaffold.Result
	var changes []scaffold.ImageChange
	promote := func(data []byte) (*scaffold.Edit, error) {
		r, ch, err := scaffold.Promote(opts.File, data, opts.From, opts.To, opts.Services)
		if err != nil {
			return nil, err
		}
		if before, err = spec.Parse(opts.File, data); err == nil {
			before.Dir = filepath.Dir(opts.File)
			err = spec.Finish(before)
		}
		res, changes = r, ch
		return &scaffold.Edit{Data: r.Data}, err
	}
	var err error
	if opts.DryRun {
		var data []byte
		if data, err = os.ReadFile(opts.File); err == nil {
			_, err = promote(data)
		}
	} else {
		_, err = scaffold.EditFile(opts.File, opts.Lock, func(data []byte) (*scaffold.Edit, error) {
			ed, err := promote(data)
			if err == nil && len(changes) == 0 {
				return nil, errNothing
			}
			return ed, err
		})
	}
	switch {
	case errors.Is(err, errNothing) || (err == nil && len(changes) == 0):
		if !opts.Quiet {
			fmt.Fprintf(opts.IO.Out, "%s already runs every image %s runs; nothing to promote\n", opts.To, opts.From)
		}
		return nil
	case err != nil:
		var refused *scaffold.RefusedError
		if errors.As(err, &refused) && len(refused.Problems) > 0 {
			fmt.Fprintln(opts.IO.ErrOut, refused.Reason)
			return cmdutil.Fail(refused.Problems)
		}
		return cmdutil.Fail(err)
	}
	if !opts.DryRun {
		opts.Log.Printf("wrote %s", opts.File)
	}
	if opts.Quiet {
		return nil
	}
	if opts.Format != "json" { // the JSON report alone, so it parses
		for _, c := range changes {
			fmt.Fprintln(opts.IO.Out, c.String(opts.File))
		}
		fmt.Fprintln(opts.IO.Out)
	}
	r, err := envdiff.Compare(
		envdiff.Side{Label: opts.To + " before", Platform: before.Platform, Env: opts.To},
		envdiff.Side{Label: opts.To + " after", Platform: res.Doc.Platform, Env: opts.To})
	if err != nil {
		return cmdutil.Fail(generate.Locate(res.Doc, err))
	}
	if err := semdiff.Write(opts.IO.Out, r, opts.Format); err != nil {
		return cmdutil.Fail(fmt.Errorf("write output: %w", err))
	}
	return nil
}

// errNothing stops an edit that would change nothing: the file is left
// as it is, not rewritten with the same bytes.
var errNothing = errors.New("nothing to promote")
