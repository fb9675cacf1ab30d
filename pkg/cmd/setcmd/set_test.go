package setcmd_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/platformctl/platformctl/pkg/cmd/root"
	"github.com/platformctl/platformctl/pkg/cmdutil"
)

const digest = "sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"

// copyShop copies examples/shop (the spec and the config files it names)
// into a temporary directory and returns the spec's path there.
func copyShop(t *testing.T) string {
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

func TestSetImage(t *testing.T) {
	file := copyShop(t)
	before, err := os.ReadFile(file)
	require.NoError(t, err)

	// A tag without a digest is refused: production runs the default image.
	code, _, errOut := run(t, "set", "image", "web=ghcr.io/acme/web:1.6.0", "-f", file)
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, file+":55:14: spec.services[0].image:")
	assert.Contains(t, errOut, "not pinned by digest")
	after, err := os.ReadFile(file)
	require.NoError(t, err)
	assert.Equal(t, string(before), string(after), "a refused edit writes nothing")

	// In staging a tag is fine; the override is created.
	code, out, errOut := run(t, "set", "image", "web=ghcr.io/acme/web:1.6.0", "--env", "staging", "-f", file)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "spec.environments[2].overrides.services[web].image: ghcr.io/acme/web:1.4.2@")
	assert.Contains(t, out, "→ ghcr.io/acme/web:1.6.0\n")

	// From buildx metadata: the digest the build pushed.
	md := filepath.Join(t.TempDir(), "build.json")
	require.NoError(t, os.WriteFile(md, []byte(`{"containerimage.digest": "`+digest+`", "image.name": "ghcr.io/acme/web:abc123"}`), 0o644))
	code, out, errOut = run(t, "set", "image", "web", "--from-metadata", md, "-f", file)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "spec.services[0].image: ghcr.io/acme/web:1.4.2@")
	assert.Contains(t, out, "→ ghcr.io/acme/web:abc123@"+digest)
	code, out, _ = run(t, "set", "image", "web=ghcr.io/acme/web:abc123@"+digest, "-f", file)
	require.Equal(t, 0, code)
	assert.Contains(t, out, "unchanged")

	after, err = os.ReadFile(file)
	require.NoError(t, err)
	code, _, errOut = run(t, "validate", "-f", file)
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
		code, _, errOut := run(t, append([]string{"set", "image", "-f", file}, tt.args...)...)
		assert.Equal(t, 2, code, tt.args)
		assert.Contains(t, errOut, tt.msg, tt.args)
	}
}
