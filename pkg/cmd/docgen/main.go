// Command docgen writes the command-line reference, docs/cli/: one Markdown
// page per command (cobra/doc) and the same as man pages in docs/cli/man/.
// The output is deterministic (no generation date, a fixed man page date),
// so the committed copy can be checked: the test in this package fails when
// docs/cli is stale, and `go test ./pkg/cmd/docgen -update` (make golden)
// or `go run ./pkg/cmd/docgen` refreshes it.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"

	"github.com/platformctl/platformctl/pkg/cmd/root"
	"github.com/platformctl/platformctl/pkg/cmdutil"
)

// manDate is the date every man page carries: a fixed one, so that
// regenerating changes nothing unless a command changed.
var manDate = time.Date(2026, time.January, 1, 0, 0, 0, 0, time.UTC)

func main() {
	out := flag.String("o", "docs/cli", "directory to write the reference to (man pages go to <dir>/man)")
	flag.Parse()
	if err := generate(*out); err != nil {
		fmt.Fprintln(os.Stderr, "docgen:", err)
		os.Exit(1)
	}
}

// tree returns the command tree the binary runs, with cobra's lazily added
// help command and --version flag in place and no generation dates.
func tree() *cobra.Command {
	var discard bytes.Buffer
	cmd := root.NewCmd(cmdutil.NewFactory(cmdutil.IOStreams{In: strings.NewReader(""), Out: &discard, ErrOut: &discard}))
	cmd.InitDefaultHelpCmd()
	cmd.InitDefaultVersionFlag()
	var noDates func(*cobra.Command)
	noDates = func(c *cobra.Command) {
		c.DisableAutoGenTag = true
		for _, sub := range c.Commands() {
			noDates(sub)
		}
	}
	noDates(cmd)
	return cmd
}

// generate replaces dir's generated files (*.md but README.md, man/*.1)
// with a fresh reference.
func generate(dir string) error {
	man := filepath.Join(dir, "man")
	if err := os.MkdirAll(man, 0o755); err != nil {
		return err
	}
	for _, pattern := range []string{filepath.Join(dir, "platformctl*.md"), filepath.Join(man, "platformctl*.1")} {
		old, err := filepath.Glob(pattern)
		if err != nil {
			return err
		}
		for _, f := range old {
			if err := os.Remove(f); err != nil {
				return err
			}
		}
	}
	if err := doc.GenMarkdownTreeCustom(tree(), dir, func(string) string { return "" }, func(name string) string { return name }); err != nil {
		return fmt.Errorf("markdown: %w", err)
	}
	header := &doc.GenManHeader{Title: "PLATFORMCTL", Section: "1", Date: &manDate, Source: "platformctl", Manual: "platformctl manual"}
	if err := doc.GenManTree(tree(), header, man); err != nil {
		return fmt.Errorf("man pages: %w", err)
	}
	return nil
}

// files reads every generated file under dir, keyed by its path relative to dir.
func files(dir string) (map[string][]byte, error) {
	out := map[string][]byte{}
	for _, pattern := range []string{"platformctl*.md", "man/platformctl*.1"} {
		matches, err := filepath.Glob(filepath.Join(dir, pattern))
		if err != nil {
			return nil, err
		}
		for _, m := range matches {
			f, err := os.Open(m)
			if err != nil {
				return nil, err
			}
			b, err := io.ReadAll(f)
			_ = f.Close() // read-only
			if err != nil {
				return nil, err
			}
			rel, err := filepath.Rel(dir, m)
			if err != nil {
				return nil, err
			}
			out[filepath.ToSlash(rel)] = b
		}
	}
	return out, nil
}
