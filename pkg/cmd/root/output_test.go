package root

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/platformctl/platformctl/pkg/cmdutil"
)

// failingWriter accepts the first `after` bytes, then fails every write
// with err, as a disk that fills up mid-output does.
type failingWriter struct {
	after int
	err   error
	buf   bytes.Buffer
}

func (w *failingWriter) Write(p []byte) (int, error) {
	room := w.after - w.buf.Len()
	if room >= len(p) {
		return w.buf.Write(p)
	}
	if room > 0 {
		w.buf.Write(p[:room])
		return room, w.err
	}
	return 0, w.err
}

// TestOutputErrors runs every command that prints results with a standard
// output that fails: none may exit 0 (or 1, a lint or --check verdict the
// reader never saw); each says once that stdout could not be written.
func TestOutputErrors(t *testing.T) {
	shopAbs := abs(t, shop)
	lintFinding := filepath.Join(t.TempDir(), "pod.yaml")
	require.NoError(t, os.WriteFile(lintFinding, []byte("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, image: nginx, securityContext: {privileged: true}}]\n"), 0o644))
	stale := filepath.Join(t.TempDir(), "deploy")
	rendered := filepath.Join(t.TempDir(), "deploy")
	code, _, stderr := run(t, "render", "-q", "-f", shopAbs, "-o", rendered)
	require.Equal(t, 0, code, stderr)

	tests := []struct {
		name string
		args []string
		// setup, when set, prepares a fresh directory and returns args.
		setup func(t *testing.T) []string
	}{
		{name: "rules", args: []string{"rules"}},
		{name: "rules json", args: []string{"rules", "-o", "json"}},
		{name: "rules markdown", args: []string{"rules", "-o", "markdown"}},
		{name: "rules explain", args: []string{"rules", "explain", "privileged-container"}},
		{name: "version", args: []string{"version"}},
		{name: "version json", args: []string{"version", "-o", "json"}},
		{name: "--version", args: []string{"--version"}},
		{name: "schema", args: []string{"schema"}},
		{name: "build", args: []string{"build", "-f", shopAbs, "--env", "dev"}},
		{name: "validate", args: []string{"validate", "-f", shopAbs}},
		{name: "completion bash", args: []string{"completion", "bash"}},
		{name: "completion zsh", args: []string{"completion", "zsh"}},
		{name: "completion fish", args: []string{"completion", "fish"}},
		{name: "completion powershell", args: []string{"completion", "powershell"}},
		{name: "__complete", args: []string{"__complete", "rules", "explain", ""}},
		{name: "lint clean", args: []string{"lint", "-f", shopAbs, "--env", "dev"}},
		{name: "lint findings (exit 1 otherwise)", args: []string{"lint", lintFinding}},
		{name: "lint json", args: []string{"lint", "-o", "json", lintFinding}},
		{name: "lint sarif", args: []string{"lint", "-o", "sarif", lintFinding}},
		{name: "render", setup: func(t *testing.T) []string {
			return []string{"render", "-f", shopAbs, "-o", filepath.Join(t.TempDir(), "deploy")}
		}},
		{name: "render --check up to date", args: []string{"render", "--check", "-f", shopAbs, "-o", rendered}},
		{name: "render --check diff (exit 1 otherwise)", args: []string{"render", "--check", "-f", shopAbs, "-o", stale}},
		{name: "help", args: []string{"help"}},
		{name: "help rules", args: []string{"help", "rules"}},
		{name: "--help", args: []string{"--help"}},
		{name: "no command", args: nil},
		{name: "new --help", args: []string{"new", "--help"}},
		{name: "new (help)", args: []string{"new"}},
		{name: "init", setup: func(t *testing.T) []string {
			return []string{"init", "--dir", t.TempDir(), "--name", "shop", "--domain", "shop.example.com"}
		}},
		{name: "new service", setup: func(t *testing.T) []string {
			dir := t.TempDir()
			code, _, errOut := run(t, "init", "-q", "--dir", dir, "--name", "shop", "--domain", "shop.example.com")
			require.Equal(t, 0, code, errOut)
			return []string{"new", "service", "web", "-f", filepath.Join(dir, "platform.yaml"),
				"--image", "ghcr.io/acme/web:1.0.0@sha256:8ac720777beb9a42009e5347f5dc7bf3e27429bd1dc640686f3c9514d487746b"}
		}},
	}
	for _, tt := range tests {
		for _, after := range []int{0, 7} {
			t.Run(tt.name+"/after "+string(rune('0'+after)), func(t *testing.T) {
				args := tt.args
				if tt.setup != nil {
					args = tt.setup(t)
				}
				w := &failingWriter{after: after, err: syscall.ENOSPC}
				var errOut bytes.Buffer
				code := Main(args, cmdutil.IOStreams{In: strings.NewReader(""), Out: w, ErrOut: &errOut})
				assert.Equal(t, 2, code, "stderr:\n%s", errOut.String())
				assert.Equal(t, 1, strings.Count(errOut.String(), "platformctl: write stdout: no space left on device\n"), "stderr:\n%s", errOut.String())
				assert.NotContains(t, errOut.String(), "error: write", "the failed write is said once")
			})
		}
	}

	// A reader that went away (EPIPE) is not an error worth a message, but
	// the run still did not deliver its results.
	var errOut bytes.Buffer
	code = Main([]string{"rules"}, cmdutil.IOStreams{In: strings.NewReader(""), Out: &failingWriter{after: 100, err: syscall.EPIPE}, ErrOut: &errOut})
	assert.Equal(t, 2, code)
	assert.Empty(t, errOut.String())

	// The command's own error is still printed when the output fails too.
	errOut.Reset()
	code = Main([]string{"build", "-f", filepath.Join(t.TempDir(), "none.yaml")}, cmdutil.IOStreams{In: strings.NewReader(""), Out: &failingWriter{err: syscall.ENOSPC}, ErrOut: &errOut})
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut.String(), "none.yaml")
}

// TestOutputErrorKeepsVerdicts: with a working stdout the exit codes are
// what they were (1 stays a verdict).
func TestOutputErrorKeepsVerdicts(t *testing.T) {
	stale := filepath.Join(t.TempDir(), "deploy")
	code, out, _ := run(t, "render", "--check", "-f", shop, "-o", stale)
	assert.Equal(t, 1, code)
	assert.NotEmpty(t, out)
	code, _, _ = run(t, "rules")
	assert.Equal(t, 0, code)
}
