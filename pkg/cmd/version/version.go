// Package version implements `platformctl version`.
package version

import (
	"encoding/json"
	"fmt"
	"runtime"

	"github.com/spf13/cobra"

	"github.com/platformctl/platformctl/pkg/cmdutil"
	"github.com/platformctl/platformctl/pkg/version"
)

// Options are version's inputs.
type Options struct {
	IO     cmdutil.IOStreams
	Format string
}

// Info is what version prints.
type Info struct {
	Version   string `json:"version"`
	Commit    string `json:"commit"`
	Date      string `json:"date"`
	GoVersion string `json:"goVersion"`
	Platform  string `json:"platform"`
}

// Current returns the build's version information (set by -ldflags -X).
func Current() Info {
	return Info{Version: version.Version, Commit: version.Commit, Date: version.Date,
		GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
}

// NewCmd returns the version command.
func NewCmd(f *cmdutil.Factory) *cobra.Command {
	opts := &Options{IO: f.IO}
	cmd := &cobra.Command{
		Use:     "version",
		Short:   "Print the version, commit and build date",
		Long:    "Version prints what the binary was built from: release version, commit and build date (set at build time), Go version and platform.",
		Example: "  platformctl version\n  platformctl version -o json",
		Args:    cobra.NoArgs,
		// version must answer even when .platformctl.yaml is broken: it is
		// what a user runs first to report the problem.
		Annotations: map[string]string{cmdutil.NoConfig: "true"},
		RunE:        func(*cobra.Command, []string) error { return Run(opts) },
	}
	cmd.Flags().StringVarP(&opts.Format, "output", "o", "text", "text or json")
	_ = cmd.RegisterFlagCompletionFunc("output", cmdutil.CompleteValues("text", "json")) // registered above
	return cmd
}

// Run prints the version.
func Run(opts *Options) error {
	info := Current()
	switch opts.Format {
	case "text":
		fmt.Fprintf(opts.IO.Out, "platformctl %s (commit %s, built %s, %s, %s)\n", info.Version, info.Commit, info.Date, info.GoVersion, info.Platform)
	case "json":
		enc := json.NewEncoder(opts.IO.Out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(info); err != nil {
			return cmdutil.Fail(err)
		}
	default:
		return cmdutil.Fail(fmt.Errorf("unknown format %q (text, json)", opts.Format))
	}
	return nil
}
