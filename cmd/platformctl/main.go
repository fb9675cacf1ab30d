// Command platformctl renders, builds and lints Kubernetes platforms.
package main

import (
	"os"

	"github.com/platformctl/platformctl/pkg/cmd/root"
	"github.com/platformctl/platformctl/pkg/cmdutil"
)

func main() {
	os.Exit(root.Main(os.Args[1:], cmdutil.IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr}))
}
