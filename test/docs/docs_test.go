// Package docs_test checks what the docs tell users to paste: every GitHub
// Actions workflow shown in docs/*.md, and every one platformctl ci github
// writes for the examples, passes actionlint. run.sh installs
// actionlint and passes it in ACTIONLINT; without it the test skips.
package docs_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/platformctl/platformctl/pkg/cipipeline"
	"github.com/platformctl/platformctl/pkg/spec"
)

// workflow is a fenced YAML block whose first line names a workflow file.
var workflow = regexp.MustCompile("(?ms)^```yaml\n(# \\.github/workflows/[^\n]+\n.*?)^```")

func TestWorkflowSnippets(t *testing.T) {
	bin := os.Getenv("ACTIONLINT")
	if bin == "" {
		t.Skip("ACTIONLINT not set: run test/docs/run.sh (make docs-check)")
	}
	docs, err := filepath.Glob("../../docs/*.md")
	require.NoError(t, err)
	found := 0
	for _, doc := range docs {
		b, err := os.ReadFile(doc)
		require.NoError(t, err)
		for i, m := range workflow.FindAllSubmatch(b, -1) {
			found++
			name := filepath.Base(doc) + "#" + strings.TrimPrefix(strings.SplitN(string(m[1]), "\n", 2)[0], "# ")
			t.Run(name, func(t *testing.T) {
				// actionlint wants the file under .github/workflows.
				dir := filepath.Join(t.TempDir(), ".github", "workflows")
				require.NoError(t, os.MkdirAll(dir, 0o755))
				f := filepath.Join(dir, filepath.Base(doc)+"-"+string(rune('a'+i))+".yaml")
				require.NoError(t, os.WriteFile(f, m[1], 0o644))
				out, err := exec.Command(bin, "-no-color", f).CombinedOutput()
				require.NoError(t, err, "actionlint:\n%s", out)
			})
		}
	}
	require.GreaterOrEqual(t, found, 2, "docs/ci.md shows the lint and the diff workflows")
}

// TestGeneratedWorkflows: what `platformctl ci github` writes for every
// example passes actionlint, as a repository would hold it.
func TestGeneratedWorkflows(t *testing.T) {
	bin := os.Getenv("ACTIONLINT")
	if bin == "" {
		t.Skip("ACTIONLINT not set: run test/docs/run.sh (make docs-check)")
	}
	specs, err := filepath.Glob("../../examples/*/platform.yaml")
	require.NoError(t, err)
	require.NotEmpty(t, specs)
	// Each example as written, and signing with a key only (no OIDC token,
	// the private key from secrets).
	for _, variant := range []string{"", "-key"} {
		for _, file := range specs {
			t.Run(filepath.Base(filepath.Dir(file))+variant, func(t *testing.T) {
				generatedWorkflow(t, bin, file, variant != "")
			})
		}
	}
}

func generatedWorkflow(t *testing.T, bin, file string, keyed bool) {
	d, err := spec.LoadAndValidate(file)
	require.NoError(t, err)
	if keyed {
		d.Platform.Spec.Security.ImageVerification = &spec.ImageVerification{PublicKey: "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----\n"}
	}
	files, err := cipipeline.GitHub(d.Platform, cipipeline.Options{})
	require.NoError(t, err)
	dir := filepath.Join(t.TempDir(), cipipeline.WorkflowDir)
	require.NoError(t, os.MkdirAll(dir, 0o755))
	args := []string{"-no-color"}
	for name, b := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), b, 0o644))
		args = append(args, filepath.Join(dir, name))
	}
	out, err := exec.Command(bin, args...).CombinedOutput()
	require.NoError(t, err, "actionlint:\n%s", out)
}
