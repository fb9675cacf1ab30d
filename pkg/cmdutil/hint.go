package cmdutil

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/platformctl/platformctl/pkg/spec"
	"github.com/platformctl/platformctl/pkg/textdist"
)

// DidYouMean is `; did you mean "x"?` when one of candidates is close
// enough to s to be a typo of it (textdist.Closest: two edits, or the only
// name s begins), else "". It appends to a message that says what s is
// not, so every command and the config check phrase their hints alike.
func DidYouMean(s string, candidates []string) string {
	if c := textdist.Closest(s, candidates, 2); c != "" {
		return fmt.Sprintf("; did you mean %q?", c)
	}
	return ""
}

// MissingSpec is the error for a spec path that does not exist: it says
// how to create one, since a first run in a new directory is how most
// users meet it.
func MissingSpec(path string) error {
	return fmt.Errorf("%s does not exist; create one with: platformctl init (or name another spec with -f)", path)
}

// checkSpecExists returns MissingSpec when path does not exist.
func checkSpecExists(path string) error {
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return MissingSpec(path)
	}
	return nil
}

// Source says where Setting found key's value, for messages about a bad
// value the user did not type on this command line: "PLATFORMCTL_ENV" for
// the environment, the config file's name for the file, "" for the flag
// or its default.
func (f *Factory) Source(flags *pflag.FlagSet, flag, key string) string {
	if fl := flags.Lookup(flag); fl != nil && fl.Changed {
		return ""
	}
	// viper's AutomaticEnv ignores an empty variable, and so does this.
	env := "PLATFORMCTL_" + strings.ToUpper(key)
	if v, ok := os.LookupEnv(env); ok && v != "" {
		return env
	}
	if f.Config.InConfig(key) {
		return f.ConfigFile
	}
	return ""
}

// From is " (from SOURCE)" for a non-empty source, else "".
func From(source string) string {
	if source == "" {
		return ""
	}
	return " (from " + source + ")"
}

// FlagError rewrites pflag's error for a flag value that does not parse as
// its type ("invalid argument "abc" for "--port" flag: strconv.ParseInt:
// parsing "abc": invalid syntax") into what the flag wants; other errors
// are returned as they are.
func FlagError(err error) error {
	var bad *pflag.InvalidValueError
	var num *strconv.NumError
	if !errors.As(err, &bad) || !errors.As(err, &num) {
		return err
	}
	fl := bad.GetFlag()
	name := "--" + fl.Name
	if errors.Is(num.Err, strconv.ErrRange) {
		return fmt.Errorf("%s %q: out of range", name, bad.GetValue())
	}
	want := "an integer"
	switch t := fl.Value.Type(); {
	case t == "bool":
		want = "true or false"
	case strings.HasPrefix(t, "float"):
		want = "a number"
	case strings.HasPrefix(t, "uint"):
		want = "a whole number of at least 0"
	}
	return fmt.Errorf("%s %q: expected %s", name, bad.GetValue(), want)
}

// UnknownEnvironment is the error for an environment the spec does not
// define: which ones it does, the nearest name, and where the value came
// from when it was not the flag (source: PLATFORMCTL_ENV, the config file).
func UnknownEnvironment(env, source string, names []string) error {
	return fmt.Errorf("no environment %q%s; the spec defines: %s%s", env, From(source), strings.Join(names, ", "), DidYouMean(env, names))
}

// OneEnvironment picks the environment a one-environment command works on:
// env when it is set and defined, else the spec's only environment; exit 2
// otherwise.
func OneEnvironment(p *spec.Platform, env, source string) (string, error) {
	names := p.EnvironmentNames()
	if env == "" {
		if len(names) != 1 {
			return "", Fail(fmt.Errorf("--env is required; the spec defines: %s", strings.Join(names, ", ")))
		}
		return names[0], nil
	}
	if p.Environment(env) == nil {
		return "", Fail(UnknownEnvironment(env, source, names))
	}
	return env, nil
}
