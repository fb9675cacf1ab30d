// Package graph implements `platformctl graph`.
package graph

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/platformctl/platformctl/pkg/cmdutil"
	"github.com/platformctl/platformctl/pkg/generate"
	"github.com/platformctl/platformctl/pkg/manifest"
	"github.com/platformctl/platformctl/pkg/netgraph"
	"github.com/platformctl/platformctl/pkg/render"
)

// Options are graph's inputs.
type Options struct {
	IO   cmdutil.IOStreams
	File string
	Env  string
	// EnvSource is where Env came from when not from --env
	// (PLATFORMCTL_ENV, the config file), for the message when it is wrong.
	EnvSource string
	Format    string
	Log       cmdutil.Logger
}

// NewCmd returns the graph command; runF replaces the run function in tests.
func NewCmd(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{IO: f.IO, Log: f.Logf}
	cmd := &cobra.Command{
		Use:   "graph",
		Short: "Draw which workloads the rendered NetworkPolicies let talk to which",
		Long: `Graph builds one environment and evaluates its NetworkPolicies the way the
cluster will: one arrow per connection they allow, labelled with the port, between
services, data stores, jobs, the edge proxy, the telemetry collector, the monitoring
add-ons, the address blocks and host names outside the cluster (ipBlock and toFQDNs
peers) and, with Cilium, the API server (toEntities kube-apiserver). Nodes are
grouped by namespace.

A connection the spec declares (a service's uses of an in-cluster store, its
calls of other services, the edge to an exposed service) that the policies do not
allow is drawn as a dashed red arrow, "declared, not allowed".

-o mermaid (a flowchart for Markdown) or -o dot (Graphviz).`,
		Example: `  platformctl graph --env production
  platformctl graph -f examples/shop/platform.yaml --env production -o dot | dot -Tsvg > shop.svg`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
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
	cmd.Flags().VarP(&cmdutil.OnceString{}, "env", "e", "environment to draw (required when the spec has more than one)")
	_ = cmd.RegisterFlagCompletionFunc("env", f.CompleteEnvironments) // the flag exists: registered above
	cmd.Flags().StringVarP(&opts.Format, "output", "o", "mermaid", "output format: "+strings.Join(netgraph.Formats, ", "))
	_ = cmd.RegisterFlagCompletionFunc("output", cmdutil.CompleteValues(netgraph.Formats...)) // registered above
	return cmd
}

// Run builds opts.Env, evaluates its policies and draws them to stdout.
func Run(opts *Options) error {
	if !slices.Contains(netgraph.Formats, opts.Format) {
		return cmdutil.Fail(fmt.Errorf("unknown output format %q; use one of: %s%s",
			opts.Format, strings.Join(netgraph.Formats, ", "), cmdutil.DidYouMean(opts.Format, netgraph.Formats)))
	}
	opts.Log.Printf("reading spec %s", opts.File)
	d, err := cmdutil.LoadSpec(opts.File)
	if err != nil {
		return err
	}
	env, err := cmdutil.OneEnvironment(d.Platform, opts.Env, opts.EnvSource)
	if err != nil {
		return err
	}
	objs, err := render.Environment(d.Platform, env)
	if err != nil {
		return cmdutil.Fail(generate.Locate(d, err))
	}
	maps := make([]manifest.Map, len(objs))
	for i, o := range objs {
		maps[i] = o.Map
	}
	g, err := netgraph.Build(d.Platform, env, maps)
	if err != nil {
		return cmdutil.Fail(err)
	}
	opts.Log.Printf("%s", g.Summary())
	if err := netgraph.Write(opts.IO.Out, g, opts.Format); err != nil {
		return cmdutil.Fail(fmt.Errorf("write output: %w", err))
	}
	return nil
}
