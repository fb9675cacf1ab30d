// Command docgen writes the command-line reference, docs/cli/, from the
// command tree the binary runs (see pkg/clidoc). The test in this package
// fails when docs/cli is stale; `make golden` or `go run ./cmd/docgen`
// refreshes it.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/platformctl/platformctl/pkg/clidoc"
	"github.com/platformctl/platformctl/pkg/cmd/root"
	"github.com/platformctl/platformctl/pkg/cmdutil"
)

func main() {
	out := flag.String("o", "docs/cli", "directory to write the reference to (man pages go to <dir>/man)")
	flag.Parse()
	if err := clidoc.Generate(tree(), *out); err != nil {
		fmt.Fprintln(os.Stderr, "docgen:", err)
		os.Exit(1)
	}
}

// tree is the command tree the binary runs, writing nowhere.
func tree() *cobra.Command {
	var discard bytes.Buffer
	return root.NewCmd(cmdutil.NewFactory(cmdutil.IOStreams{In: strings.NewReader(""), Out: &discard, ErrOut: &discard}))
}
