// Command lintbench writes the lint benchmark corpus to a directory (make bench-lint).
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/platformctl/platformctl/pkg/lintbench"
)

func main() {
	out := flag.String("o", "lint-corpus", "directory to write")
	objects := flag.Int("objects", 10000, "number of objects")
	files := flag.Int("files", 200, "number of files")
	flag.Parse()
	size, err := lintbench.Generate(*out, *objects, *files)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("%s: %d objects in %d files, %d bytes\n", *out, *objects, *files, size)
}
