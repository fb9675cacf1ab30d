// Package diff implements `platformctl diff`.
package diff

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/platformctl/platformctl/pkg/cmdutil"
	"github.com/platformctl/platformctl/pkg/envdiff"
	"github.com/platformctl/platformctl/pkg/generate"
	"github.com/platformctl/platformctl/pkg/semdiff"
	"github.com/platformctl/platformctl/pkg/spec"
)

// Options are diff's inputs.
type Options struct {
	IO      cmdutil.IOStreams
	File    string
	Envs    []string
	Against string
	Format  string
	Log     cmdutil.Logger
}

// NewCmd returns the diff command; runF replaces the run function in tests.
func NewCmd(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{IO: f.IO, Log: f.Logf}
	cmd := &cobra.Command{
		Use:   "diff",
		Short: "Show what differs between two built environments, or since a git revision",
		Long: `Diff builds environments and compares them object by object: objects added
and removed, and for each object in both, every field that changed, by path.
Lists of named entries (containers, env, ports, volumes) are compared by name,
so one new env var is one change. Secret values are never printed: a changed
Secret key shows its length and a short hash.

Two environments of one spec:   --env staging --env production
One spec against a git revision: --against REV [--env E ...] (every environment
when --env is not given); the spec at REV is read with git show, nothing else
is touched and nothing is fetched.

Exit code 1 when there are differences, 0 when there are none, 2 on bad input.
-o markdown is ready to post as a pull-request comment (docs/ci.md).`,
		Example: `  platformctl diff --env staging --env production
  platformctl diff --against origin/main -o markdown
  platformctl diff -f examples/shop/platform.yaml --against HEAD~1 --env production -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.File = f.Setting(cmd.Flags(), "file", "file")
			if runF != nil {
				return runF(opts)
			}
			return Run(opts)
		},
	}
	cmd.Flags().StringP("file", "f", "platform.yaml", "platform spec to read")
	_ = cmd.MarkFlagFilename("file", "yaml", "yml") // the flag exists: registered above
	cmd.Flags().StringArrayVarP(&opts.Envs, "env", "e", nil, "environment to compare (twice without --against; repeatable with it)")
	_ = cmd.RegisterFlagCompletionFunc("env", f.CompleteEnvironments) // the flag exists: registered above
	cmd.Flags().StringVar(&opts.Against, "against", "", "git revision to compare the spec with (branch, tag, commit)")
	cmd.Flags().StringVarP(&opts.Format, "output", "o", "text", "output format: "+strings.Join(semdiff.Formats, ", "))
	_ = cmd.RegisterFlagCompletionFunc("output", cmdutil.CompleteValues(semdiff.Formats...)) // registered above
	return cmd
}

// Run compares and prints; exit 1 when anything differs.
func Run(opts *Options) error {
	if !slices.Contains(semdiff.Formats, opts.Format) {
		return cmdutil.Fail(fmt.Errorf("unknown output format %q; use one of: %s%s", opts.Format, strings.Join(semdiff.Formats, ", "), cmdutil.DidYouMean(opts.Format, semdiff.Formats)))
	}
	d, err := cmdutil.LoadSpec(opts.File)
	if err != nil {
		return err
	}
	p := d.Platform
	var pairs [][2]envdiff.Side
	if opts.Against == "" {
		if len(opts.Envs) != 2 {
			return cmdutil.Fail(errors.New("name two environments (--env A --env B), or a git revision to compare with (--against REV)"))
		}
		for _, e := range opts.Envs {
			if err := known(p, e); err != nil {
				return err
			}
		}
		pairs = append(pairs, [2]envdiff.Side{{Label: opts.Envs[0], Platform: p, Env: opts.Envs[0]}, {Label: opts.Envs[1], Platform: p, Env: opts.Envs[1]}})
	} else {
		old, err := atRevision(opts.File, opts.Against)
		if err != nil {
			return err
		}
		envs := opts.Envs
		if len(envs) == 0 {
			envs = union(old.EnvironmentNames(), p.EnvironmentNames())
		}
		for _, e := range envs {
			if old.Environment(e) == nil && p.Environment(e) == nil {
				return cmdutil.Fail(fmt.Errorf("no environment %q at %s or in %s; they define: %s%s", e, opts.Against, opts.File,
					strings.Join(union(old.EnvironmentNames(), p.EnvironmentNames()), ", "), cmdutil.DidYouMean(e, union(old.EnvironmentNames(), p.EnvironmentNames()))))
			}
			pairs = append(pairs, [2]envdiff.Side{{Label: e + "@" + opts.Against, Platform: old, Env: e}, {Label: e, Platform: p, Env: e}})
		}
	}
	differs := false
	for i, pair := range pairs {
		r, err := envdiff.Compare(pair[0], pair[1])
		if err != nil {
			return cmdutil.Fail(generate.Locate(d, err))
		}
		differs = differs || !r.Empty()
		if i > 0 && opts.Format != "json" {
			fmt.Fprintln(opts.IO.Out)
		}
		if err := semdiff.Write(opts.IO.Out, r, opts.Format); err != nil {
			return cmdutil.Fail(fmt.Errorf("write output: %w", err))
		}
	}
	if differs {
		return cmdutil.Silent(cmdutil.ExitFindings)
	}
	return nil
}

func known(p *spec.Platform, env string) error {
	if p.Environment(env) != nil {
		return nil
	}
	return cmdutil.Fail(cmdutil.UnknownEnvironment(env, "", p.EnvironmentNames()))
}

// atRevision loads and validates the spec as git holds it at rev. Its
// errors name the file as REV:path, so a user sees which side is wrong.
func atRevision(file, rev string) (*spec.Platform, error) {
	b, err := envdiff.AtRevision(file, rev)
	if err != nil {
		return nil, cmdutil.Fail(err)
	}
	// As spec.LoadAndValidate does for a file on disk.
	d, err := spec.Parse(rev+":"+file, b)
	if d == nil {
		return nil, cmdutil.Fail(err)
	}
	// The config files it names are read at rev too, never from the
	// working tree.
	files, err := envdiff.RevisionFS(file, rev)
	if err != nil {
		return nil, cmdutil.Fail(err)
	}
	d.Files = files
	if err := spec.Finish(d); err != nil {
		return nil, cmdutil.Fail(err)
	}
	return d.Platform, nil
}

// union keeps a's order, then b's names not in a.
func union(a, b []string) []string {
	out := append([]string(nil), a...)
	for _, n := range b {
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}
