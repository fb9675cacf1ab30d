// Package cmdutil holds what every command shares: IO streams, the CLI
// configuration (viper), and the one mapping from errors to exit codes.
package cmdutil

import (
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/platformctl/platformctl/pkg/spec"
)

// Exit codes, documented in docs/cli.md.
const (
	ExitOK       = 0
	ExitFindings = 1 // lint findings, or render --check found a stale tree
	ExitError    = 2 // bad input, bad usage, or an operation that failed
)

// IOStreams are a command's standard streams.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
}

// Factory carries the streams and configuration into commands.
type Factory struct {
	IO     IOStreams
	Config *viper.Viper
}

// NewFactory returns a Factory over streams with an empty configuration.
func NewFactory(streams IOStreams) *Factory {
	v := viper.New()
	v.SetEnvPrefix("PLATFORMCTL")
	v.AutomaticEnv()
	return &Factory{IO: streams, Config: v}
}

// LoadConfig reads the CLI config file: path when given, else
// .platformctl.yaml in the working directory when present.
func (f *Factory) LoadConfig(path string) error {
	if path != "" {
		f.Config.SetConfigFile(path)
	} else {
		f.Config.SetConfigName(".platformctl")
		f.Config.SetConfigType("yaml")
		f.Config.AddConfigPath(".")
	}
	if err := f.Config.ReadInConfig(); err != nil {
		var notFound viper.ConfigFileNotFoundError
		if path == "" && errors.As(err, &notFound) {
			return nil
		}
		return &ExitCodeError{Code: ExitError, Err: fmt.Errorf("config: %w", err)}
	}
	return nil
}

// Setting returns key's value with the precedence flag (when set) >
// PLATFORMCTL_<KEY> > config file > flag default.
func (f *Factory) Setting(flags *pflag.FlagSet, flag, key string) string {
	if fl := flags.Lookup(flag); fl != nil && fl.Changed {
		return fl.Value.String()
	}
	if f.Config.IsSet(key) {
		return f.Config.GetString(key)
	}
	if fl := flags.Lookup(flag); fl != nil {
		return fl.DefValue
	}
	return ""
}

// ExitCodeError carries an exit code; Err (when not nil) is printed.
type ExitCodeError struct {
	Code int
	Err  error
}

func (e *ExitCodeError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit %d", e.Code)
	}
	return e.Err.Error()
}

func (e *ExitCodeError) Unwrap() error { return e.Err }

// Silent returns an error that sets the exit code and prints nothing more:
// the command already said what there was to say.
func Silent(code int) error { return &ExitCodeError{Code: code} }

// Fail returns err with exit code 2.
func Fail(err error) error { return &ExitCodeError{Code: ExitError, Err: err} }

// ExitCode maps an error from a command to the process exit code.
func ExitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	var ec *ExitCodeError
	if errors.As(err, &ec) {
		return ec.Code
	}
	return ExitError
}

// PrintError prints err for a user: spec errors one per line, exactly as
// the spec package formats them.
func PrintError(w io.Writer, err error) {
	var ec *ExitCodeError
	if errors.As(err, &ec) && ec.Err == nil {
		return
	}
	var list spec.ErrorList
	if errors.As(err, &list) {
		for _, e := range list {
			fmt.Fprintln(w, e.Error())
		}
		fmt.Fprintf(w, "%d error(s)\n", len(list))
		return
	}
	fmt.Fprintf(w, "error: %v\n", err)
}

// LoadSpec loads, validates and defaults a spec, mapping failures to exit 2.
func LoadSpec(path string) (*spec.Document, error) {
	d, err := spec.LoadAndValidate(path)
	if err != nil {
		return nil, Fail(err)
	}
	return d, nil
}

// CompleteEnvironments completes --env from the environments of the spec
// named by the command's --file flag (or ./platform.yaml). A spec that does
// not load completes nothing rather than printing errors into the shell.
func (f *Factory) CompleteEnvironments(cmd *cobra.Command, _ []string, _ string) ([]string, cobra.ShellCompDirective) {
	file := f.Setting(cmd.Flags(), "file", "file")
	d, err := spec.LoadAndValidate(file)
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	return d.Platform.EnvironmentNames(), cobra.ShellCompDirectiveNoFileComp
}
