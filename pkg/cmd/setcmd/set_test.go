package setcmd_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/platformctl/platformctl/pkg/cmd/cmdtest"
)

const digest = "sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"

func TestSetImage(t *testing.T) {
	file := cmdtest.CopyExample(t, "../../..", "shop")
	before, err := os.ReadFile(file)
	require.NoError(t, err)

	// A tag without a digest is refused: production runs the default image.
	code, _, errOut := cmdtest.Run(t, "set", "image", "web=ghcr.io/acme/web:1.6.0", "-f", file)
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, file+":56:14: spec.services[0].image:")
	assert.Contains(t, errOut, "not pinned by digest")
	after, err := os.ReadFile(file)
	require.NoError(t, err)
	assert.Equal(t, string(before), string(after), "a refused edit writes nothing")

	// In staging a tag is fine; the override is created.
	code, out, errOut := cmdtest.Run(t, "set", "image", "web=ghcr.io/acme/web:1.6.0", "--env", "staging", "-f", file)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "spec.environments[2].overrides.services[web].image: ghcr.io/acme/web:1.4.2@")
	assert.Contains(t, out, "→ ghcr.io/acme/web:1.6.0\n")

	// From buildx metadata: the digest the build pushed.
	md := filepath.Join(t.TempDir(), "build.json")
	require.NoError(t, os.WriteFile(md, []byte(`{"containerimage.digest": "`+digest+`", "image.name": "ghcr.io/acme/web:abc123"}`), 0o644))
	code, out, errOut = cmdtest.Run(t, "set", "image", "web", "--from-metadata", md, "-f", file)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "spec.services[0].image: ghcr.io/acme/web:1.4.2@")
	assert.Contains(t, out, "→ ghcr.io/acme/web:abc123@"+digest)
	code, out, _ = cmdtest.Run(t, "set", "image", "web=ghcr.io/acme/web:abc123@"+digest, "-f", file)
	require.Equal(t, 0, code)
	assert.Contains(t, out, "unchanged")

	after, err = os.ReadFile(file)
	require.NoError(t, err)
	code, _, errOut = cmdtest.Run(t, "validate", "-f", file)
	assert.Equal(t, 0, code, errOut)
	assert.Equal(t, strings.Count(string(before), "\n"), strings.Count(string(after), "\n"), "staging is a flow mapping: its override is added inline")
	assert.Contains(t, string(after), "- {name: staging, tier: staging, overrides: {services: {web: {image: ghcr.io/acme/web:1.6.0}}}}")

	for _, tt := range []struct {
		args []string
		msg  string
	}{
		{[]string{"web=x:1", "--canary", "--env", "dev"}, "--canary and --env"},
		{[]string{"web", "orders", "--from-metadata", md}, "one build is one image"},
		{[]string{"web"}, "want SERVICE=IMAGE"},
		{[]string{"web=x:1", "--from-metadata", filepath.Join(t.TempDir(), "none.json")}, "--from-metadata: open"},
		{[]string{"nope=ghcr.io/acme/web:1"}, `no service named "nope"`},
	} {
		code, _, errOut := cmdtest.Run(t, append([]string{"set", "image", "-f", file}, tt.args...)...)
		assert.Equal(t, 2, code, tt.args)
		assert.Contains(t, errOut, tt.msg, tt.args)
	}
}
