package root

import (
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A spec named by -f that is a FIFO with no writer fails at once with
// "not a regular file" and exit 2; opening it would block until a writer
// appeared.
func TestSpecFIFO(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "platform.yaml")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	for _, args := range [][]string{
		{"validate", "-f", fifo},
		{"render", "-f", fifo, "-o", filepath.Join(t.TempDir(), "deploy")},
		{"build", "-f", fifo, "--env", "dev"},
		{"lint", "-f", fifo},
		{"new", "service", "web", "--image", "ghcr.io/acme/web:1.0.0", "-f", fifo},
	} {
		t.Run(args[0], func(t *testing.T) {
			type result struct {
				code        int
				out, errOut string
			}
			done := make(chan result, 1)
			go func() {
				code, out, errOut := run(t, args...)
				done <- result{code, out, errOut}
			}()
			select {
			case r := <-done:
				assert.Equal(t, 2, r.code)
				assert.Empty(t, r.out)
				assert.Equal(t, fifo+":1:1: not a regular file\n1 error(s)\n", r.errOut)
			case <-time.After(5 * time.Second):
				t.Fatalf("platformctl %v blocked on a FIFO", args)
			}
		})
	}
}
