package lintinput

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/platformctl/platformctl/pkg/yamlsyntax"
)

// kustomizeError rewrites a krusty error for a user. Krusty nests every
// layer of its work into one line ("accumulating resources: accumulation
// err='accumulating resources from …': recursed accumulation of path …"),
// starting with the wrapper kustomization lint builds through, which the
// user never wrote. What is kept: the innermost cause, with the file it is
// about as a path relative to the working directory, and file:line:col
// when krusty gives a line.
func kustomizeError(dir, tmp string, err error) error {
	msg := strings.ReplaceAll(err.Error(), tmp+string(filepath.Separator), "")
	abs, _ := filepath.Abs(dir)
	base := abs
	// The innermost kustomization krusty was in: relative file names
	// after it are relative to it.
	for _, marker := range []string{"recursed accumulation of path '", "couldn't make target for path '"} {
		if i := strings.LastIndex(msg, marker); i >= 0 {
			rest := msg[i+len(marker):]
			if j := strings.Index(rest, "': "); j >= 0 {
				base, msg = rest[:j], rest[j+3:]
			}
		}
	}
	cwd, _ := os.Getwd()
	rel := func(p string) string {
		if !filepath.IsAbs(p) {
			p = filepath.Join(base, p)
		}
		if r, err := filepath.Rel(cwd, p); err == nil && !strings.HasPrefix(r, "..") {
			return r
		}
		return p
	}
	// A resource file that is not YAML.
	if i := strings.Index(msg, "MalformedYAMLError: yaml: line "); i >= 0 {
		rest := msg[i+len("MalformedYAMLError: yaml: line "):]
		if colon := strings.Index(rest, ": "); colon > 0 {
			if line, err := strconv.Atoi(rest[:colon]); err == nil {
				text, file, ok := strings.Cut(rest[colon+2:], " in File: ")
				if ok {
					file = strings.TrimSpace(file)
					pos := yamlsyntax.Pos{Line: line, Col: 1}
					if p, m, found := reparse(filepath.Join(base, file)); found {
						pos, text = p, m // krusty gives no column; the decoder does
					}
					return fmt.Errorf("%s:%d:%d: %s (kustomize build %s)", rel(file), pos.Line, pos.Col, text, dir)
				}
			}
		}
	}
	// A file a kustomization names that does not exist.
	const missing = "evalsymlink failure on '"
	if i := strings.Index(msg, missing); i >= 0 {
		rest := msg[i+len(missing):]
		if j := strings.Index(rest, "'"); j > 0 {
			what := "a file"
			switch {
			case strings.Contains(msg, "patch"):
				what = "a patch"
			case strings.Contains(msg, "accumulating resources from"):
				what = "a resource"
			}
			return fmt.Errorf("kustomize build %s: %s %s does not exist", dir, what, rel(rest[:j]))
		}
	}
	for _, p := range []string{base, abs} {
		msg = strings.ReplaceAll(msg, p, rel(p))
	}
	return fmt.Errorf("kustomize build %s: %s", dir, strings.TrimSpace(msg))
}

// reparse decodes a file krusty found malformed, for the error's column.
func reparse(file string) (yamlsyntax.Pos, string, bool) {
	data, err := os.ReadFile(file)
	if err != nil {
		return yamlsyntax.Pos{}, "", false
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			return yamlsyntax.Pos{}, "", false
		}
		if err != nil {
			pos, msg := yamlsyntax.Describe(data, err)
			return pos, msg, true
		}
	}
}
