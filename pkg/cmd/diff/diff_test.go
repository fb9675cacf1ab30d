package diff_test

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/platformctl/platformctl/pkg/cmd/root"
	"github.com/platformctl/platformctl/pkg/cmdutil"
	"github.com/platformctl/platformctl/pkg/semdiff"
)

func run(t *testing.T, dir string, args ...string) (int, string, string) {
	t.Helper()
	if dir != "" {
		t.Chdir(dir)
	}
	var out, errOut bytes.Buffer
	code := root.Main(args, cmdutil.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut})
	return code, out.String(), errOut.String()
}

const shop = "../../../examples/shop/platform.yaml"

func TestEnvironments(t *testing.T) {
	code, out, errOut := run(t, "", "diff", "-f", shop, "--env", "staging", "--env", "production")
	assert.Equal(t, 1, code, errOut)
	first := strings.SplitN(out, "\n", 2)[0]
	// Namespace isolation and per-environment names are matched, so every
	// object is one that changed, none added, and removed only the five
	// of the previews staging is the base of (ApplicationSet, AppProject,
	// plugin ConfigMap, shared Gateway and its redirect).
	assert.Equal(t, "staging → production: 128 objects changed, 0 objects added, 5 objects removed", first)
	for _, o := range []string{"argoproj.io/ApplicationSet argocd/shop-previews", "gateway.networking.k8s.io/Gateway edge/previews"} {
		assert.Contains(t, out, "- "+o+"\n")
	}
	assert.Contains(t, out, "~ apps/Deployment apps/web\n")

	code, out, _ = run(t, "", "diff", "-f", shop, "--env", "production", "--env", "production")
	assert.Equal(t, 0, code)
	assert.Equal(t, "production → production: no differences\n", out)

	for _, format := range semdiff.Formats {
		code, out, _ = run(t, "", "diff", "-f", shop, "--env", "dev", "--env", "testing", "-o", format)
		assert.Equal(t, 1, code, format)
		if format == "json" {
			var r semdiff.Report
			require.NoError(t, json.Unmarshal([]byte(out), &r))
			assert.Equal(t, "dev", r.From)
			assert.NotEmpty(t, r.Objects)
		}
	}
}

func TestRefused(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--env", "staging"}, "name two environments (--env A --env B), or a git revision"},
		{[]string{"--env", "staging", "--env", "prodution"}, `no environment "prodution"; the spec defines: dev, testing, staging, production; did you mean "production"?`},
		{[]string{"--env", "dev", "--env", "staging", "-o", "yaml"}, `unknown output format "yaml"; use one of: text, markdown, json`},
		{[]string{"--against", "-x"}, "a revision cannot start with '-'"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, out, errOut := run(t, "", append([]string{"diff", "-f", shop}, tt.args...)...)
			assert.Equal(t, 2, code)
			assert.Empty(t, out)
			assert.Contains(t, errOut, tt.want)
		})
	}
}

func git(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"}, args...)...)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
}

func TestAgainstRevision(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	dir := t.TempDir()
	spec, err := os.ReadFile("../../../examples/minimal/platform.yaml")
	require.NoError(t, err)
	sub := filepath.Join(dir, "deploy")
	require.NoError(t, os.MkdirAll(sub, 0o755))
	p := filepath.Join(sub, "platform.yaml")
	require.NoError(t, os.WriteFile(p, spec, 0o644))
	git(t, dir, "init", "-q")
	git(t, dir, "add", ".")
	git(t, dir, "commit", "-qm", "one")

	// Unchanged: nothing differs in any environment.
	code, out, errOut := run(t, sub, "diff", "--against", "HEAD")
	assert.Equal(t, 0, code, errOut)
	assert.Equal(t, "dev@HEAD → dev: no differences\n\nproduction@HEAD → production: no differences\n", out)

	// A new service in the working tree.
	changed := strings.Replace(string(spec), "  services:\n", "  services:\n    - {name: api, image: \"ghcr.io/acme/api:1.0.0@sha256:f10206571bdc546d01df76d5540a58e3838690f037170c8eca17ab7c25917fc0\"}\n", 1)
	require.NoError(t, os.WriteFile(p, []byte(changed), 0o644))
	code, out, errOut = run(t, sub, "diff", "--against", "HEAD", "--env", "production", "-o", "markdown")
	assert.Equal(t, 1, code, errOut)
	assert.Contains(t, out, "- added `apps/Deployment apps/api`")
	assert.NotContains(t, out, "dev@HEAD", "only the environment asked for")

	code, _, errOut = run(t, sub, "diff", "--against", "nosuchrev")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, `revision "nosuchrev": no such commit`)

	outside := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(outside, "platform.yaml"), spec, 0o644))
	code, _, errOut = run(t, outside, "diff", "--against", "HEAD")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "is not in a git repository")

	// A spec at the revision that does not validate is reported with REV:path.
	require.NoError(t, os.WriteFile(p, []byte("apiVersion: platformctl.dev/v1alpha1\nkind: Platform\nmetadata: {name: x}\nspec: {domian: x}\n"), 0o644))
	git(t, dir, "commit", "-qam", "broken")
	require.NoError(t, os.WriteFile(p, spec, 0o644))
	code, _, errOut = run(t, sub, "diff", "--against", "HEAD")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "HEAD:platform.yaml:4:")
}
