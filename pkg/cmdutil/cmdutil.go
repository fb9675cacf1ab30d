// Package cmdutil holds what every command shares: IO streams, the CLI
// configuration (viper), and the one mapping from errors to exit codes.
package cmdutil

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/platformctl/platformctl/pkg/spec"
)

// Exit codes, documented in docs/exit-codes.md.
const (
	ExitOK       = 0
	ExitFindings = 1 // lint findings, or render --check found a stale tree
	ExitError    = 2 // bad input, bad usage, or an operation that failed
)

// NoConfig is the annotation of a command that runs without reading the
// CLI config file, so a broken one cannot stop it (version).
const NoConfig = "platformctl/no-config"

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
	// Global holds the root command's persistent flags.
	Global GlobalFlags
	// Started is when the invocation began, for --verbose timing.
	Started time.Time
	// ConfigFile is the CLI config file LoadConfig read ("" when none).
	ConfigFile string
	// FileConfig is what LoadConfig decoded from it (zero when none).
	FileConfig FileConfig
}

// GlobalFlags are the flags every command accepts.
type GlobalFlags struct {
	// Quiet prints nothing on success beyond the results themselves.
	Quiet bool
	// Verbose logs what the command reads and writes, and how long it took, to stderr.
	Verbose bool
	// NoColor never colours output; NO_COLOR in the environment does the same.
	NoColor bool
}

// NewFactory returns a Factory over streams with an empty configuration.
func NewFactory(streams IOStreams) *Factory {
	v := viper.New()
	v.SetEnvPrefix("PLATFORMCTL")
	v.AutomaticEnv()
	return &Factory{IO: streams, Config: v, Started: time.Now()}
}

// AddGlobalFlags registers --quiet, --verbose and --no-color on fs (the
// root command's persistent flags).
func (f *Factory) AddGlobalFlags(fs *pflag.FlagSet) {
	fs.BoolVarP(&f.Global.Quiet, "quiet", "q", false, "print results, warnings and errors only, no summaries")
	fs.BoolVarP(&f.Global.Verbose, "verbose", "v", false, "log files read and written, and timings, to stderr")
	fs.BoolVar(&f.Global.NoColor, "no-color", false, "never colour output (also: NO_COLOR set in the environment)")
}

// Color says whether output may be coloured: not with --no-color or
// NO_COLOR (https://no-color.org: set to anything), and only to a terminal.
func (f *Factory) Color(w io.Writer) bool {
	if f.Global.NoColor {
		return false
	}
	if _, ok := os.LookupEnv("NO_COLOR"); ok {
		return false
	}
	return IsTerminal(w)
}

// IsTerminal says whether w is a character device (a terminal). A writer
// wrapping another (the Output every command writes to) is looked through.
func IsTerminal(w any) bool {
	for {
		u, ok := w.(interface{ Unwrap() io.Writer })
		if !ok {
			break
		}
		w = u.Unwrap()
	}
	file, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := file.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// Logf writes one line to stderr when --verbose is set: what a command
// reads and writes, so a user can see where its inputs came from.
func (f *Factory) Logf(format string, args ...any) {
	if f.Global.Verbose {
		fmt.Fprintf(f.IO.ErrOut, "platformctl: "+format+"\n", args...)
	}
}

// Elapsed is the time since the invocation began, rounded for people.
func (f *Factory) Elapsed() time.Duration {
	d := time.Since(f.Started)
	if d > time.Second {
		return d.Round(time.Millisecond)
	}
	return d.Round(10 * time.Microsecond)
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

// PrintError prints err for a user: spec and config errors one per line,
// file:line:col first, exactly as their packages format them.
func PrintError(w io.Writer, err error) {
	var ec *ExitCodeError
	if errors.As(err, &ec) && ec.Err == nil {
		return
	}
	var cfg ConfigErrors
	if errors.As(err, &cfg) {
		for _, e := range cfg {
			fmt.Fprintln(w, e.Error())
		}
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

// CheckSpecFile refuses a spec path that names something other than a
// regular file (a directory, FIFO, socket or device) before anything opens
// it: opening a FIFO blocks until a writer appears, and a device may never
// end. The error is the spec loader's own "not a regular file". A path that
// cannot be stat'ed passes: the reader reports it as it always has.
func CheckSpecFile(path string) error {
	st, err := os.Stat(path)
	if err != nil || st.Mode().IsRegular() {
		return nil
	}
	return spec.ErrorList{{File: path, Pos: spec.Pos{Line: 1, Col: 1}, Msg: "not a regular file"}}
}

// LoadSpec loads, validates and defaults a spec, mapping failures to exit 2.
// A spec that does not exist says how to create one.
func LoadSpec(path string) (*spec.Document, error) {
	if err := CheckSpecFile(path); err != nil {
		return nil, Fail(err)
	}
	if err := checkSpecExists(path); err != nil {
		return nil, Fail(err)
	}
	d, err := spec.LoadAndValidate(path)
	if err != nil {
		return nil, Fail(err)
	}
	return d, nil
}

// CompleteEnvironments completes --env from the environments of the spec
// named by the command's --file flag (or ./platform.yaml).
func (f *Factory) CompleteEnvironments(cmd *cobra.Command, _ []string, _ string) ([]string, cobra.ShellCompDirective) {
	p := f.completionSpec(cmd)
	if p == nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var names []string
	for _, e := range p.Spec.Environments {
		if e.Name != "" {
			names = append(names, e.Name)
		}
	}
	return names, cobra.ShellCompDirectiveNoFileComp
}

// CompleteServices completes a service name (a --service flag, or an
// argument) from the spec named by the command's --file flag, each with its
// image as the description.
func (f *Factory) CompleteServices(cmd *cobra.Command, _ []string, _ string) ([]string, cobra.ShellCompDirective) {
	p := f.completionSpec(cmd)
	if p == nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var names []string
	for _, s := range p.Spec.Services {
		if s.Name != "" {
			names = append(names, s.Name+"\t"+s.Image)
		}
	}
	return names, cobra.ShellCompDirectiveNoFileComp
}

// CompleteValues completes a flag with a fixed list of values.
func CompleteValues(values ...string) cobra.CompletionFunc {
	return func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return values, cobra.ShellCompDirectiveNoFileComp
	}
}

// completionSpec loads the spec for completion without validating it: a
// half-written spec still offers the names it has. A file that does not
// parse completes nothing rather than printing errors into the shell.
func (f *Factory) completionSpec(cmd *cobra.Command) *spec.Platform {
	file := f.Setting(cmd.Flags(), "file", "file")
	if CheckSpecFile(file) != nil {
		return nil // a FIFO would block the shell
	}
	d, _ := spec.Load(file) // errors are expected while typing; the partial document is enough
	if d == nil {
		return nil
	}
	return d.Platform
}

// Logger is a command's --verbose log; the zero value logs nothing, so
// Options built in tests need not set it.
type Logger func(format string, args ...any)

// Printf logs one line when l is set.
func (l Logger) Printf(format string, args ...any) {
	if l != nil {
		l(format, args...)
	}
}
