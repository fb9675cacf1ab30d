package promote_test

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/platformctl/platformctl/pkg/cmd/cmdtest"
)

const web16 = "ghcr.io/acme/web:1.6.0@sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"

func read(t *testing.T, file string) string {
	t.Helper()
	b, err := os.ReadFile(file)
	require.NoError(t, err)
	return string(b)
}

func TestPromote(t *testing.T) {
	file := cmdtest.CopyExample(t, "../../..", "shop")
	code, _, errOut := cmdtest.Run(t, "set", "image", "web="+web16, "orders=ghcr.io/acme/orders:2.1.0", "--env", "testing", "-f", file)
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
		code, _, errOut := cmdtest.Run(t, append([]string{"promote", "-f", file}, tt.args...)...)
		assert.Equal(t, 2, code, tt.args)
		assert.Contains(t, errOut, tt.msg, tt.args)
		assert.Equal(t, start, read(t, file), "a refused promotion writes nothing")
	}

	// --dry-run shows the edit and the build diff, and writes nothing.
	code, out, errOut := cmdtest.Run(t, "promote", "testing", "staging", "--service", "web", "--dry-run", "-f", file)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "spec.environments[2].overrides.services[web].image: ghcr.io/acme/web:1.4.2@")
	assert.Contains(t, out, "~ spec.template.spec.containers[name=web].image: ghcr.io/acme/web:1.4.2@")
	assert.NotContains(t, out, "orders", "--service web promotes web only")
	assert.Equal(t, start, read(t, file))

	code, out, errOut = cmdtest.Run(t, "promote", "testing", "staging", "-f", file)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "services[web].image")
	assert.Contains(t, out, "services[orders].image")
	assert.Contains(t, out, "staging before → staging after: 3 objects changed")
	assert.Contains(t, out, "~ batch/Job apps/orders-migrate\n    ~ metadata.name: orders-migrate-", "the migration runs again for the new image")
	promoted := read(t, file)
	assert.Contains(t, promoted, "- {name: staging, tier: staging, overrides: {services: {")

	// Nothing left to promote: the file is not rewritten.
	code, out, _ = cmdtest.Run(t, "promote", "testing", "staging", "-f", file)
	require.Equal(t, 0, code)
	assert.Contains(t, out, "staging already runs every image testing runs; nothing to promote")
	assert.Equal(t, promoted, read(t, file))

	// Production refuses orders' tag without a digest, at its position;
	// web alone (pinned) goes through, as JSON.
	code, _, errOut = cmdtest.Run(t, "promote", "staging", "production", "-f", file)
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, `services[orders].image: "ghcr.io/acme/orders:2.1.0" is not pinned by digest`)
	code, out, errOut = cmdtest.Run(t, "promote", "staging", "production", "--service", "web", "-o", "json", "-f", file)
	require.Equal(t, 0, code, errOut)
	var report map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &report), out)
	code, _, errOut = cmdtest.Run(t, "validate", "-f", file)
	assert.Equal(t, 0, code, errOut)
}
