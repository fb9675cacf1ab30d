// Command platformctl renders, builds and lints Kubernetes platforms.
package main

import (
	"os"

	"github.com/platformctl/platformctl/pkg/cmd/root"
	"github.com/platformctl/platformctl/pkg/cmdutil"
	// Initialised as soon as the syscall package is: it makes the pages the
	// other initialisers are about to touch resident in a few system calls.
	_ "github.com/platformctl/platformctl/pkg/startup"
)

func main() {
	os.Exit(root.Main(os.Args[1:], cmdutil.IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr}))
}
