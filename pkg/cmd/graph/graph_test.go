package graph_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/platformctl/platformctl/pkg/cmd/root"
	"github.com/platformctl/platformctl/pkg/cmdutil"
	"github.com/platformctl/platformctl/pkg/internal/golden"
)

func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := root.Main(args, cmdutil.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut})
	return code, out.String(), errOut.String()
}

const (
	shop    = "../../../examples/shop/platform.yaml"
	minimal = "../../../examples/minimal/platform.yaml"
	micro   = "../../../examples/microservices/platform.yaml"
)

func TestDraws(t *testing.T) {
	tests := []struct {
		file, format, first, contains string
	}{
		{shop, "mermaid", "%% platformctl graph: shop, environment production: ", "\n  n_apps_web -->|\"6379\"| n_data_cache\n"},
		{shop, "dot", "// platformctl graph: shop, environment production: ", "\n  \"apps/web\" -> \"data/cache\" [label=\"6379\"];\n"},
		// Cilium: the API server as its CiliumNetworkPolicies name it.
		{micro, "mermaid", "%% platformctl graph: boutique, environment production: ", "\n  n_data_catalog_db -->|\"6443\"| n_kube_apiserver\n"},
		{micro, "dot", "// platformctl graph: boutique, environment production: ", "\n  \"data/catalog-db\" -> \"kube-apiserver\" [label=\"6443\"];\n"},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(filepath.Dir(tt.file))+"/"+tt.format, func(t *testing.T) {
			code, out, errOut := run(t, "graph", "-f", tt.file, "--env", "production", "-o", tt.format)
			require.Equal(t, 0, code, errOut)
			assert.True(t, strings.HasPrefix(out, tt.first), out)
			assert.Contains(t, out, tt.contains)
		})
	}
	// mermaid is the default, and a one-environment spec needs no --env.
	dir := t.TempDir()
	b, err := os.ReadFile(minimal)
	require.NoError(t, err)
	one := strings.Replace(string(b), "    - name: dev\n      tier: development\n", "", 1)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "platform.yaml"), []byte(one), 0o644))
	code, out, errOut := run(t, "graph", "-f", filepath.Join(dir, "platform.yaml"))
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "\nflowchart LR\n")
}

func TestRefused(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "platform.yaml")
	b, err := os.ReadFile(minimal)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(bad, []byte(strings.Replace(string(b), "  domain:", "  domian:", 1)), 0o644))
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"-f", shop, "--env", "prodution"}, `no environment "prodution"; the spec defines: dev, testing, staging, production; did you mean "production"?`},
		{[]string{"-f", shop}, "--env is required; the spec defines: dev, testing, staging, production"},
		{[]string{"-f", shop, "--env", "production", "-o", "svg"}, `unknown output format "svg"; use one of: mermaid, dot`},
		{[]string{"-f", bad, "--env", "production"}, bad + `:7:3: spec.domian: unknown field "domian"; did you mean "domain"?`},
		{[]string{"-f", filepath.Join(dir, "missing.yaml"), "--env", "production"}, "missing.yaml"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args[1:], " "), func(t *testing.T) {
			code, out, errOut := run(t, append([]string{"graph"}, tt.args...)...)
			assert.Equal(t, 2, code)
			assert.Empty(t, out)
			assert.Contains(t, errOut, tt.want)
		})
	}
}

// TestReadme keeps the README's graph of examples/microservices what the
// command draws.
func TestReadme(t *testing.T) {
	b, err := os.ReadFile("../../../README.md")
	require.NoError(t, err)
	readme := string(b)
	_, section, ok := strings.Cut(readme, "\n## Graph\n")
	require.True(t, ok, "README.md has a ## Graph section")
	_, block, ok := strings.Cut(section, "\n```mermaid\n")
	require.True(t, ok, "the Graph section has a mermaid block")
	block, _, ok = strings.Cut(block, "\n```\n")
	require.True(t, ok)
	code, out, errOut := run(t, "graph", "-f", micro, "--env", "production", "-o", "mermaid")
	require.Equal(t, 0, code, errOut)
	if golden.Update() { // make golden: the README is a golden file too
		at := strings.Index(readme, "\n## Graph\n") + strings.Index(section, "\n```mermaid\n") + len("\n## Graph\n") + len("\n```mermaid\n")
		require.NoError(t, os.WriteFile("../../../README.md", []byte(readme[:at]+out+readme[at+len(block)+1:]), 0o644))
		return
	}
	assert.Equal(t, out, block+"\n", "README.md's graph of examples/microservices production is stale; run make golden (or paste the output of: platformctl graph -f examples/microservices/platform.yaml --env production -o mermaid)")
}
