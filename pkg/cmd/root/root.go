// Package root assembles the platformctl command tree.
package root

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/platformctl/platformctl/pkg/cmd/build"
	"github.com/platformctl/platformctl/pkg/cmd/cicmd"
	diffcmd "github.com/platformctl/platformctl/pkg/cmd/diff"
	drillcmd "github.com/platformctl/platformctl/pkg/cmd/drill"
	graphcmd "github.com/platformctl/platformctl/pkg/cmd/graph"
	"github.com/platformctl/platformctl/pkg/cmd/initcmd"
	lintcmd "github.com/platformctl/platformctl/pkg/cmd/lint"
	"github.com/platformctl/platformctl/pkg/cmd/newcmd"
	policiescmd "github.com/platformctl/platformctl/pkg/cmd/policies"
	"github.com/platformctl/platformctl/pkg/cmd/promote"
	"github.com/platformctl/platformctl/pkg/cmd/render"
	rulescmd "github.com/platformctl/platformctl/pkg/cmd/rules"
	schemacmd "github.com/platformctl/platformctl/pkg/cmd/schema"
	"github.com/platformctl/platformctl/pkg/cmd/setcmd"
	"github.com/platformctl/platformctl/pkg/cmd/validate"
	versioncmd "github.com/platformctl/platformctl/pkg/cmd/version"
	"github.com/platformctl/platformctl/pkg/cmdutil"
)

// NewCmd returns the root command with every subcommand.
func NewCmd(f *cmdutil.Factory) *cobra.Command {
	var configFile string
	cmd := &cobra.Command{
		Use:   "platformctl",
		Short: "Render, build and lint Kubernetes platforms from one typed spec",
		Long: `platformctl reads a typed platform spec (platform.yaml), renders Kustomize
overlays for every environment, and lints manifests against security and
reliability rules.

Every command reads platform.yaml in the working directory unless -f names
another file, prints results to stdout and errors to stderr, and exits 0 on
success, 1 when a check found something (lint findings, a stale tree) and 2
on bad input or usage (docs/exit-codes.md).`,
		Example: `  platformctl validate
  platformctl render -o deploy/
  platformctl build --env production | kubectl apply --dry-run=server -f -
  platformctl lint -v`,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			if skipsConfig(cmd) {
				return nil
			}
			return f.LoadConfig(configFile)
		},
	}
	cmd.PersistentFlags().StringVar(&configFile, "config", "", "CLI config file (default: ./.platformctl.yaml when present)")
	_ = cmd.MarkPersistentFlagFilename("config", "yaml", "yml") // registered above
	f.AddGlobalFlags(cmd.PersistentFlags())
	cmd.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return cmdutil.Fail(cmdutil.FlagError(err))
	})
	cmd.AddCommand(
		validate.NewCmd(f, nil),
		render.NewCmd(f, nil),
		build.NewCmd(f, nil),
		diffcmd.NewCmd(f, nil),
		graphcmd.NewCmd(f, nil),
		drillcmd.NewCmd(f, nil),
		lintcmd.NewCmd(f, nil),
		rulescmd.NewCmd(f, nil),
		policiescmd.NewCmd(f, nil),
		versioncmd.NewCmd(f),
		schemacmd.NewCmd(f, nil),
		initcmd.NewCmd(f, nil),
		newcmd.NewCmd(f),
		setcmd.NewCmd(f),
		promote.NewCmd(f, nil),
		cicmd.NewCmd(f),
	)
	addCompletionCmd(cmd, f)
	// help is added now, not at Execute, so it can be marked: it reads no
	// config, and a broken one must not hide the help that explains it.
	cmd.InitDefaultHelpCmd()
	for _, c := range cmd.Commands() {
		if c.Name() == "help" {
			c.Annotations = map[string]string{cmdutil.NoConfig: "true"}
		}
	}
	// cobra's default version line ("platformctl version <Version>") is a plain
	// function; a version template would be executed by text/template, whose
	// reflective method lookup stops the linker from dropping unused methods
	// (a binary a fifth larger, slower to start).
	info := versioncmd.Current()
	cmd.Version = fmt.Sprintf("%s (commit %s, built %s)", info.Version, info.Commit, info.Date)
	return cmd
}

// skipsConfig says whether cmd, or a command it belongs to, runs without
// the CLI config (version, help, completion): they read nothing from it,
// and they are what a user reaches for when it is broken.
func skipsConfig(cmd *cobra.Command) bool {
	for c := cmd; c != nil; c = c.Parent() {
		if c.Annotations[cmdutil.NoConfig] != "" {
			return true
		}
	}
	return false
}
