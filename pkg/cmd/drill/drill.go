// Package drill implements `platformctl drill`.
package drill

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/platformctl/platformctl/pkg/cmdutil"
	"github.com/platformctl/platformctl/pkg/drill"
)

// Options are drill's inputs.
type Options struct {
	IO        cmdutil.IOStreams
	File      string
	Env       string
	EnvSource string
	Kind      string
	Store     string
	To        string
	Log       cmdutil.Logger
}

// NewCmd returns the drill command; runF replaces the run function in tests.
func NewCmd(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{IO: f.IO, Log: f.Logf}
	kinds := make([]string, len(drill.Kinds))
	for i, k := range drill.Kinds {
		kinds[i] = string(k)
	}
	cmd := &cobra.Command{
		Use:   "drill KIND STORE",
		Short: "Print the commands of a failover or restore drill of a data store",
		Long: `Drill prints, as a bash script, the kubectl commands of a disaster-recovery
drill of one data store in one environment, as that environment runs it:

  switchover  promote a standby of a CloudNativePG cluster (kubectl cnpg promote)
              and wait until the cluster is ready again
  failover    delete the primary's pod as a node failure would, and time the
              operator's promotion of a standby
  restore     recover the store's backups into a new cluster <store>-drill, to
              --to (default: the end of the archive), and time it; for an
              in-cluster store, run its restore test now

Nothing is run: read the script, then run it with bash against the environment's
cluster. The switchover and failover drills need the kubectl cnpg plugin.`,
		Example: `  platformctl drill failover orders-db --env production > failover.sh && bash failover.sh
  platformctl drill restore orders-db --env production --to 2026-12-04T09:30:00Z`,
		Args:      cobra.ExactArgs(2),
		ValidArgs: kinds,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Kind, opts.Store = args[0], args[1]
			opts.File = f.Setting(cmd.Flags(), "file", "file")
			opts.Env = f.Setting(cmd.Flags(), "env", "env")
			opts.EnvSource = f.Source(cmd.Flags(), "env", "env")
			if runF != nil {
				return runF(opts)
			}
			return Run(opts)
		},
	}
	cmd.Flags().StringP("file", "f", "platform.yaml", "platform spec to read")
	_ = cmd.MarkFlagFilename("file", "yaml", "yml") // the flag exists: registered above
	cmd.Flags().VarP(&cmdutil.OnceString{}, "env", "e", "environment whose store is drilled (required when the spec has more than one)")
	_ = cmd.RegisterFlagCompletionFunc("env", f.CompleteEnvironments) // the flag exists: registered above
	cmd.Flags().StringVar(&opts.To, "to", "", "recovery target of a restore drill, an RFC 3339 time with a commit after it in the archive (default: the end of the archive)")
	return cmd
}

// Run writes the drill's script to stdout.
func Run(opts *Options) error {
	kind := drill.Kind(opts.Kind)
	if !slices.Contains(drill.Kinds, kind) {
		var names []string
		for _, k := range drill.Kinds {
			names = append(names, string(k))
		}
		return cmdutil.Fail(fmt.Errorf("unknown drill %q; use one of: %s%s", opts.Kind, strings.Join(names, ", "), cmdutil.DidYouMean(opts.Kind, names)))
	}
	if opts.To != "" {
		if kind != drill.Restore {
			return cmdutil.Fail(fmt.Errorf("--to is the target of a restore drill; %s has none", kind))
		}
		if _, err := time.Parse(time.RFC3339, opts.To); err != nil {
			return cmdutil.Fail(fmt.Errorf("--to %q is not an RFC 3339 time (e.g. 2026-12-04T09:30:00Z)", opts.To))
		}
	}
	opts.Log.Printf("reading spec %s", opts.File)
	d, err := cmdutil.LoadSpec(opts.File)
	if err != nil {
		return err
	}
	envName, err := cmdutil.OneEnvironment(d.Platform, opts.Env, opts.EnvSource)
	if err != nil {
		return err
	}
	ds := d.Platform.DataStore(opts.Store)
	if ds == nil {
		var names []string
		for _, s := range d.Platform.Spec.Data {
			names = append(names, s.Name)
		}
		return cmdutil.Fail(fmt.Errorf("no data store %q in %s; the spec has: %s%s", opts.Store, opts.File, strings.Join(names, ", "), cmdutil.DidYouMean(opts.Store, names)))
	}
	script, err := drill.Script(d.Platform, d.Platform.Environment(envName), ds, drill.Options{Kind: kind, To: opts.To})
	if err != nil {
		return cmdutil.Fail(err)
	}
	if _, err := fmt.Fprint(opts.IO.Out, script); err != nil {
		return cmdutil.Fail(fmt.Errorf("write output: %w", err))
	}
	return nil
}
