// Package clidoc renders a cobra command tree as the command-line
// reference: one Markdown page per command (cobra/doc) and the same as man
// pages under man/. The output is deterministic (no generation date, a
// fixed man page date), so a committed copy can be checked against it.
package clidoc

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
)

// manDate is the date every man page carries: a fixed one, so that
// regenerating changes nothing unless a command changed.
var manDate = time.Date(2026, time.January, 1, 0, 0, 0, 0, time.UTC)

// Patterns are the path.Match patterns (slash paths relative to the
// reference directory) of the files Render produces for a root command
// named name; anything else in the directory (a README) is not generated.
func Patterns(name string) []string {
	return []string{name + "*.md", "man/" + name + "*.1"}
}

// Render returns the reference of root, keyed by slash path relative to
// the reference directory. It adds cobra's lazily created help command and
// --version flag, so the pages show what the binary runs.
func Render(root *cobra.Command) (map[string][]byte, error) {
	root.InitDefaultHelpCmd()
	root.InitDefaultVersionFlag()
	noDates(root)
	// cobra/doc writes files only; render into a scratch directory.
	tmp, err := os.MkdirTemp("", "clidoc-")
	if err != nil {
		return nil, fmt.Errorf("clidoc: %w", err)
	}
	defer func() { _ = os.RemoveAll(tmp) }() // scratch: what matters was read
	man := filepath.Join(tmp, "man")
	if err := os.Mkdir(man, 0o755); err != nil {
		return nil, fmt.Errorf("clidoc: %w", err)
	}
	if err := doc.GenMarkdownTreeCustom(root, tmp, func(string) string { return "" }, func(name string) string { return name }); err != nil {
		return nil, fmt.Errorf("clidoc: markdown: %w", err)
	}
	header := &doc.GenManHeader{Title: "PLATFORMCTL", Section: "1", Date: &manDate, Source: root.Name(), Manual: root.Name() + " manual"}
	if err := doc.GenManTree(root, header, man); err != nil {
		return nil, fmt.Errorf("clidoc: man pages: %w", err)
	}
	return read(tmp, Patterns(root.Name()))
}

// Generate replaces the generated files of dir (Patterns) with the
// reference of root, leaving any other file alone.
func Generate(root *cobra.Command, dir string) error {
	files, err := Render(root)
	if err != nil {
		return err
	}
	old, err := read(dir, Patterns(root.Name()))
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	for rel := range old {
		if _, ok := files[rel]; !ok {
			if err := os.Remove(filepath.Join(dir, filepath.FromSlash(rel))); err != nil {
				return fmt.Errorf("clidoc: %w", err)
			}
		}
	}
	for rel, b := range files {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return fmt.Errorf("clidoc: %w", err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			return fmt.Errorf("clidoc: %w", err)
		}
	}
	return nil
}

func noDates(c *cobra.Command) {
	c.DisableAutoGenTag = true
	for _, sub := range c.Commands() {
		noDates(sub)
	}
}

// read returns the files under dir matching patterns, by slash path.
func read(dir string, patterns []string) (map[string][]byte, error) {
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		for _, pat := range patterns {
			if ok, _ := path.Match(pat, rel); ok {
				b, err := os.ReadFile(p)
				if err != nil {
					return err
				}
				out[rel] = b
				break
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("clidoc: %w", err)
	}
	return out, nil
}
