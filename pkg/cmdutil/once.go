package cmdutil

import "fmt"

// OnceString is a string flag value that refuses a second occurrence:
// pflag keeps the last of `--env dev --env production` silently, and a
// command that acts on one value should not guess which was meant.
type OnceString struct {
	value string
	set   bool
}

// Set records the value, or fails when one was given already.
func (o *OnceString) Set(s string) error {
	if o.set {
		return fmt.Errorf("given twice (%q, then %q); give it once", o.value, s)
	}
	o.value, o.set = s, true
	return nil
}

// String returns the value.
func (o *OnceString) String() string { return o.value }

// Type names the value in help text.
func (o *OnceString) Type() string { return "string" }
