// Package root assembles the platformctl command tree.
package root

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/platformctl/platformctl/pkg/cmd/build"
	"github.com/platformctl/platformctl/pkg/cmd/initcmd"
	lintcmd "github.com/platformctl/platformctl/pkg/cmd/lint"
	"github.com/platformctl/platformctl/pkg/cmd/newcmd"
	"github.com/platformctl/platformctl/pkg/cmd/render"
	rulescmd "github.com/platformctl/platformctl/pkg/cmd/rules"
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
reliability rules.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			return f.LoadConfig(configFile)
		},
	}
	cmd.PersistentFlags().StringVar(&configFile, "config", "", "CLI config file (default: ./.platformctl.yaml when present)")
	cmd.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return cmdutil.Fail(err)
	})
	cmd.AddCommand(
		validate.NewCmd(f, nil),
		render.NewCmd(f, nil),
		build.NewCmd(f, nil),
		lintcmd.NewCmd(f, nil),
		rulescmd.NewCmd(f, nil),
		versioncmd.NewCmd(f),
		initcmd.NewCmd(f, nil),
		newcmd.NewCmd(f),
	)
	info := versioncmd.Current()
	cmd.Version = info.Version
	cmd.SetVersionTemplate(fmt.Sprintf("platformctl %s (commit %s, built %s)\n", info.Version, info.Commit, info.Date))
	return cmd
}
