package root

import (
	"os"
	"testing"

	"github.com/platformctl/platformctl/pkg/cmdutil"
)

// TestMain lets tests run the real program in a subprocess: the test binary
// re-executed with PLATFORMCTL_TEST_MAIN=1 is platformctl, with the
// process's own standard streams (as cmd/platformctl passes them).
func TestMain(m *testing.M) {
	if os.Getenv("PLATFORMCTL_TEST_MAIN") == "1" {
		os.Exit(Main(os.Args[1:], cmdutil.IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr}))
	}
	os.Exit(m.Run())
}
