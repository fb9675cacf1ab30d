package root

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/platformctl/platformctl/pkg/cmdutil"
	"github.com/platformctl/platformctl/pkg/schema"
)

// newTree returns the command tree as the binary builds it, with cobra's
// lazily added help command in place.
func newTree() *cobra.Command {
	cmd := NewCmd(cmdutil.NewFactory(cmdutil.IOStreams{In: strings.NewReader(""), Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}}))
	cmd.InitDefaultHelpCmd()
	return cmd
}

func walk(c *cobra.Command, fn func(*cobra.Command)) {
	fn(c)
	for _, sub := range c.Commands() {
		if sub.IsAvailableCommand() {
			walk(sub, fn)
		}
	}
}

// TestEveryCommandDocumented: every command a user can see has Short, Long
// and an Example whose platformctl lines parse: the command exists, its
// flags exist and take the values given, and it accepts the arguments.
func TestEveryCommandDocumented(t *testing.T) {
	root := newTree()
	n := 0
	walk(root, func(c *cobra.Command) {
		n++
		t.Run(c.CommandPath(), func(t *testing.T) {
			assert.NotEmpty(t, c.Short, "Short")
			assert.NotEmpty(t, c.Long, "Long")
			require.NotEmpty(t, c.Example, "Example")
			runnable := 0
			for _, line := range exampleCommands(c.Example) {
				runnable++
				checkExample(t, line)
			}
			assert.NotZero(t, runnable, "Example has no platformctl command line:\n%s", c.Example)
		})
	})
	if n < 10 {
		t.Fatalf("walked %d commands; the tree is not what it should be", n)
	}
}

// exampleCommands returns the platformctl invocations of an Example: each
// line (or pipeline stage, or $(…)/<(…) substitution) that runs platformctl,
// up to a comment or redirection.
func exampleCommands(example string) []string {
	var out []string
	example = strings.ReplaceAll(example, "\\\n", " ")
	for _, line := range strings.Split(example, "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "#") {
			continue
		}
		for _, sep := range []string{"$(", "<("} {
			if i := strings.Index(line, sep); i >= 0 {
				line = strings.TrimSuffix(line[i+len(sep):], ")")
			}
		}
		if i := strings.Index(line, " #"); i >= 0 {
			line = line[:i]
		}
		for _, stage := range strings.Split(line, "|") {
			stage = strings.TrimSpace(stage)
			if i := strings.IndexAny(stage, "<>"); i >= 0 {
				stage = stage[:i]
			}
			if strings.HasPrefix(stage, "platformctl ") || stage == "platformctl" {
				out = append(out, strings.TrimSpace(stage))
			}
		}
	}
	return out
}

func checkExample(t *testing.T, line string) {
	t.Helper()
	words := splitWords(line)
	root := newTree()
	c, rest, err := root.Find(words[1:])
	require.NoError(t, err, "example %q: no such command", line)
	require.NoError(t, c.ParseFlags(rest), "example %q: flags", line)
	if c.Args != nil {
		require.NoError(t, c.ValidateArgs(c.Flags().Args()), "example %q: arguments", line)
	} else if !c.HasSubCommands() {
		require.NoError(t, cobra.ArbitraryArgs(c, c.Flags().Args()), line)
	}
}

func TestGlobalFlags(t *testing.T) {
	for _, name := range []string{"config", "no-color", "quiet", "verbose"} {
		assert.NotNil(t, newTree().PersistentFlags().Lookup(name), name)
	}
	// --verbose says what was read and how long it took, on stderr only.
	code, out, errOut := run(t, "validate", "-v", "-f", shop)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, errOut, "platformctl: reading spec "+shop)
	assert.Regexp(t, `platformctl: done in [0-9.]+[µm]?s, exit 0`, errOut)
	assert.NotContains(t, out, "platformctl:")

	// --quiet: the exit code is the result.
	code, out, _ = run(t, "validate", "-q", "-f", shop)
	require.Equal(t, 0, code)
	assert.Empty(t, out)

	dir := filepath.Join(t.TempDir(), "deploy")
	code, out, errOut = run(t, "--verbose", "render", "-f", shop, "-o", dir)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "rendered "+dir)
	assert.Contains(t, errOut, "platformctl: wrote "+filepath.Join(dir, "base"))
	code, out, _ = run(t, "-q", "render", "-f", shop, "-o", dir)
	require.Equal(t, 0, code)
	assert.Empty(t, out)

	// --no-color and NO_COLOR are accepted everywhere (lint is the command
	// that colours; on a non-terminal it never does).
	code, _, _ = run(t, "lint", "--no-color", "-f", shop, "--env", "dev")
	assert.Equal(t, 0, code)
	t.Setenv("NO_COLOR", "1")
	code, _, _ = run(t, "build", "--no-color", "-f", shop, "--env", "dev")
	assert.Equal(t, 0, code)

	// Errors go to stderr, never to stdout.
	code, out, errOut = run(t, "build", "-f", shop, "--env", "nope")
	assert.Equal(t, 2, code)
	assert.Empty(t, out)
	assert.Contains(t, errOut, "error: ")
}

func TestSchemaCommand(t *testing.T) {
	code, out, _ := run(t, "schema")
	require.Equal(t, 0, code)
	assert.Equal(t, string(schema.PlatformV1alpha1()), out)
	var v map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &v))
	assert.Equal(t, "https://json-schema.org/draft/2020-12/schema", v["$schema"])
}

func TestVersionForms(t *testing.T) {
	code, out, _ := run(t, "version", "-o", "json")
	require.Equal(t, 0, code)
	var info map[string]string
	require.NoError(t, json.Unmarshal([]byte(out), &info))
	for _, k := range []string{"version", "commit", "date", "goVersion", "platform"} {
		assert.Contains(t, info, k)
	}
	code, out, _ = run(t, "--version")
	require.Equal(t, 0, code)
	assert.True(t, strings.HasPrefix(out, "platformctl "), out)
}

// complete runs cobra's hidden __complete command, as the shell scripts do,
// and returns the candidates (descriptions cut) and the directive line.
func complete(t *testing.T, args ...string) []string {
	t.Helper()
	code, out, errOut := run(t, append([]string{"__complete"}, args...)...)
	require.Equal(t, 0, code, errOut)
	var got []string
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if strings.HasPrefix(l, ":") {
			continue // the directive
		}
		name, _, _ := strings.Cut(l, "\t")
		got = append(got, name)
	}
	return got
}

func TestDynamicCompletion(t *testing.T) {
	envs := []string{"dev", "testing", "staging", "production"}
	assert.Equal(t, envs, complete(t, "build", "-f", shop, "--env", ""))
	assert.Equal(t, envs, complete(t, "lint", "-f", shop, "-e", ""))
	assert.Contains(t, complete(t, "rules", "explain", ""), "privileged-container")
	assert.Empty(t, complete(t, "rules", "explain", "privileged-container", ""), "one rule ID only")
	assert.ElementsMatch(t, []string{"text", "json", "sarif", "junit", "github", "gitlab"}, complete(t, "lint", "-o", ""))
	assert.Equal(t, []string{"error", "warning", "info"}, complete(t, "lint", "--fail-on", ""))
	assert.Equal(t, []string{"text", "markdown", "json"}, complete(t, "rules", "-o", ""))
	assert.Equal(t, []string{"text", "json"}, complete(t, "version", "-o", ""))

	// File and directory flags complete files of the right kind.
	for _, args := range [][]string{{"validate", "-f", ""}, {"build", "--file", ""}, {"render", "-f", ""}, {"lint", "-f", ""}, {"--config", ""}} {
		code, out, _ := run(t, append([]string{"__complete"}, args...)...)
		require.Equal(t, 0, code)
		assert.Equal(t, "yaml\nyml\n:8\n", out, "%v: YAML files only (ShellCompDirectiveFilterFileExt)", args)
	}
	code, out, _ := run(t, "__complete", "render", "-o", "")
	require.Equal(t, 0, code)
	assert.Equal(t, ":16\n", out, "render -o: directories (ShellCompDirectiveFilterDirs)")

	// A spec with errors still completes the names it has.
	broken := filepath.Join(t.TempDir(), "platform.yaml")
	require.NoError(t, os.WriteFile(broken, []byte("apiVersion: platformctl.dev/v1alpha1\nkind: Platform\nspec:\n  environments:\n    - {name: dev, tier: nope}\n    - {name: prod, tier: production, bogus: 1}\n"), 0o644))
	assert.Equal(t, []string{"dev", "prod"}, complete(t, "build", "-f", broken, "--env", ""))
	// A missing spec completes nothing, without errors in the shell.
	assert.Empty(t, complete(t, "build", "-f", filepath.Join(t.TempDir(), "none.yaml"), "--env", ""))
}

// splitWords splits a shell command line on blanks, honouring single and
// double quotes (all an Example uses).
func splitWords(line string) []string {
	var words []string
	var cur strings.Builder
	var quote rune
	inWord := false
	for _, r := range line {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			cur.WriteRune(r)
		case r == '"' || r == '\'':
			quote, inWord = r, true
		case r == ' ' || r == '\t':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words
}
