package promote_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/platformctl/platformctl/pkg/cmd/root"
	"github.com/platformctl/platformctl/pkg/cmdutil"
)

const web16 = "ghcr.io/acme/web:1.6.0@sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"

// shop copies examples/shop (the spec and the files it names) into a
// temporary directory and returns the spec's path there.
func shop(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	src := "../../../examples/shop"
	require.NoError(t, filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dir, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, rel), b, 0o644)
	}))
	return filepath.Join(dir, "platform.yaml")
}

func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut strings.Builder
	code := root.Main(args, cmdutil.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut})
	return code, out.String(), errOut.String()
}

func read(t *testing.T, file string) string {
	t.Helper()
	b, err := os.ReadFile(file)
	require.NoError(t, err)
	return string(b)
}

func TestPromote(t *testing.T) {
	file := shop(t)
	code, _, errOut := run(t, "set", "image", "web="+web16, "orders=ghcr.io/acme/orders:2.1.0", "--env", "testing", "-f", file)
	require.Equal(t, 0, code, errOut)
	start := read(t, file)

	for _, tt := range []struct {
		args []string
		msg  string
	}{
		{[]string{"testing", "production"}, "testing → production skips staging (spec.promotion: testing → staging → production); promote testing → staging first"},
		{[]string{"staging", "testing"}, "testing comes before staging in spec.promotion"},
		{[]string{"dev", "testing"}, "dev is not a stage of spec.promotion"},
		{[]string{"testing", "stage"}, `no environment "stage"`},
		{[]string{"testing", "staging", "--service", "wbe"}, `--service wbe: no such service; did you mean "web"?`},
		{[]string{"testing", "staging", "-o", "yml"}, "unknown output format"},
	} {
		code, _, errOut := run(t, append([]string{"promote", "-f", file}, tt.args...)...)
		assert.Equal(t, 2, code, tt.args)
		assert.Contains(t, errOut, tt.msg, tt.args)
		assert.Equal(t, start, read(t, file), "a refused promotion writes nothing")
	}

	// --dry-run shows the edit and the build diff, and writes nothing.
	code, out, errOut := run(t, "promote", "testing", "staging", "--service", "web", "--dry-run", "-f", file)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "spec.environments[2].overrides.services[web].image: ghcr.io/acme/web:1.4.2@")
	assert.Contains(t, out, "~ spec.template.spec.containers[name=web].image: ghcr.io/acme/web:1.4.2@")
	assert.NotContains(t, out, "orders", "--service web promotes web only")
	assert.Equal(t, start, read(t, file))

	code, out, errOut = run(t, "promote", "testing", "staging", "-f", file)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "services[web].image")
	assert.Contains(t, out, "services[orders].image")
	assert.Contains(t, out, "staging before → staging after: 3 objects changed")
	assert.Contains(t, out, "~ batch/Job apps/orders-migrate\n    ~ metadata.name: orders-migrate-", "the migration runs again for the new image")
	promoted := read(t, file)
	assert.Contains(t, promoted, "- {name: staging, tier: staging, overrides: {services: {")

	// Nothing left to promote: the file is not rewritten.
	code, out, _ = run(t, "promote", "testing", "staging", "-f", file)
	require.Equal(t, 0, code)
	assert.Contains(t, out, "staging already runs every image testing runs; nothing to promote")
	assert.Equal(t, promoted, read(t, file))

	// Production refuses orders' tag without a digest, at its position;
	// web alone (pinned) goes through, as JSON.
	code, _, errOut = run(t, "promote", "staging", "production", "-f", file)
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, `services[orders].image: "ghcr.io/acme/orders:2.1.0" is not pinned by digest`)
	code, out, errOut = run(t, "promote", "staging", "production", "--service", "web", "-o", "json", "-f", file)
	require.Equal(t, 0, code, errOut)
	var report map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &report), out)
	code, _, errOut = run(t, "validate", "-f", file)
	assert.Equal(t, 0, code, errOut)
}
