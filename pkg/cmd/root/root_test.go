package root

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/platformctl/platformctl/pkg/cmdutil"
	"github.com/platformctl/platformctl/pkg/lint/rules"
)

func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Main(args, cmdutil.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut})
	return code, out.String(), errOut.String()
}

func abs(t *testing.T, p string) string {
	t.Helper()
	a, err := filepath.Abs(p)
	require.NoError(t, err)
	return a
}

const shop = "../../../examples/shop/platform.yaml"

// nginx uses edge.api: ingress-nginx, which validate warns about.
const nginx = "../../../examples/nginx/platform.yaml"

func TestCommands(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	require.NoError(t, os.WriteFile(bad, []byte("apiVersion: platformctl.dev/v1alpha1\nkind: Platform\nmetadata: {name: x}\nspec:\n  domian: x.example.com\n  environments: [{name: dev, tier: development}]\n  services:\n  - {name: a, image: ghcr.io/a/a:1, port: 70000}\n"), 0o644))
	tests := []struct {
		name        string
		args        []string
		code        int
		stdout      []string
		stderr      []string
		emptyStdout bool
	}{
		{name: "validate ok", args: []string{"validate", "-f", shop}, code: 0, stdout: []string{"valid (5 services, 3 data stores, 4 environments)"}},
		{name: "validate bad", args: []string{"validate", "-f", bad}, code: 2, emptyStdout: true, stderr: []string{
			bad + `:5:3: spec.domian: unknown field "domian"; did you mean "domain"?`,
			bad + ":8:43: spec.services[0].port: must be between 1 and 65535",
			"2 error(s)", // the misspelled domian is not also "spec.domain: is required"
		}},
		{name: "validate warns about ingress-nginx", args: []string{"validate", "-f", nginx}, code: 0, stdout: []string{"valid (2 services"}, stderr: []string{
			nginx + ":19:10: warning: spec.edge.api: ingress-nginx was retired by Kubernetes SIG Network in March 2026",
		}},
		{name: "validate -q still warns", args: []string{"validate", "-q", "-f", nginx}, code: 0, emptyStdout: true, stderr: []string{"warning: spec.edge.api"}},
		{name: "validate missing file", args: []string{"validate", "-f", "/nonexistent/platform.yaml"}, code: 2, stderr: []string{"/nonexistent/platform.yaml does not exist; create one with: platformctl init"}},
		{name: "build needs env", args: []string{"build", "-f", shop}, code: 2, stderr: []string{"--env is required; the spec defines: dev, testing, staging, production"}},
		{name: "build unknown env", args: []string{"build", "-f", shop, "--env", "prod"}, code: 2, stderr: []string{`no environment "prod"`}},
		{name: "build", args: []string{"build", "-f", shop, "--env", "production"}, code: 0, stdout: []string{"kind: Namespace", "platformctl.dev/environment: production"}},
		{name: "build env twice", args: []string{"build", "-f", shop, "--env", "dev", "--env", "production"}, code: 2, emptyStdout: true, stderr: []string{`given twice ("dev", then "production")`}},
		{name: "unknown flag", args: []string{"render", "--bogus"}, code: 2, stderr: []string{"unknown flag: --bogus"}},
		{name: "empty output", args: []string{"render", "-f", shop, "-o", ""}, code: 2, emptyStdout: true, stderr: []string{"the output directory is empty"}},
		{name: "unknown command", args: []string{"frobnicate"}, code: 2, stderr: []string{"unknown command"}},
		{name: "unknown shell", args: []string{"completion", "tcsh"}, code: 2, stderr: []string{`unknown command "tcsh" for "platformctl completion"`}},
		{name: "completion alone is help", args: []string{"completion"}, code: 0, stdout: []string{"platformctl completion bash"}},
		{name: "extra args", args: []string{"validate", "x"}, code: 2, stderr: []string{"unknown command"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := run(t, tt.args...)
			assert.Equal(t, tt.code, code, "stdout:\n%s\nstderr:\n%s", out, errOut)
			for _, s := range tt.stdout {
				assert.Contains(t, out, s)
			}
			for _, s := range tt.stderr {
				assert.Contains(t, errOut, s)
			}
			if tt.emptyStdout {
				assert.Empty(t, out)
			}
		})
	}
}

func TestRenderCheckCycle(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "deploy")
	code, _, errOut := run(t, "render", "--check", "-f", shop, "-o", dir)
	assert.Equal(t, 1, code, "a missing tree is stale")
	assert.Contains(t, errOut, "is stale")

	code, out, _ := run(t, "render", "-f", shop, "-o", dir)
	require.Equal(t, 0, code)
	assert.Contains(t, out, "written")

	code, out, _ = run(t, "render", "--check", "-f", shop, "-o", dir)
	assert.Equal(t, 0, code)
	assert.Contains(t, out, "up to date")

	// A hand edit is caught, shown as a diff, and undone by the next render.
	f := filepath.Join(dir, "base", "apps", "service-web.yaml")
	b, err := os.ReadFile(f)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(f, bytes.Replace(b, []byte("port: 8080"), []byte("port: 9999"), 1), 0o644))
	foreign := filepath.Join(dir, "base", "apps", "notes.md")
	require.NoError(t, os.WriteFile(foreign, []byte("mine"), 0o644))
	code, out, _ = run(t, "render", "--check", "-f", shop, "-o", dir)
	assert.Equal(t, 1, code)
	assert.Contains(t, out, "-    port: 9999")
	assert.Contains(t, out, "+    port: 8080")

	code, _, errOut = run(t, "render", "-f", shop, "-o", dir)
	require.Equal(t, 0, code)
	assert.Contains(t, errOut, "notes.md was not generated by platformctl; left alone")
	got, err := os.ReadFile(foreign)
	require.NoError(t, err)
	assert.Equal(t, "mine", string(got))
	code, _, _ = run(t, "render", "--check", "-f", shop, "-o", dir)
	assert.Equal(t, 0, code)
}

func TestRenderBadSpecWritesNothing(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "deploy")
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	require.NoError(t, os.WriteFile(bad, []byte("kind: Platform\n"), 0o644))
	code, _, _ := run(t, "render", "-f", bad, "-o", dir)
	assert.Equal(t, 2, code)
	_, err := os.Stat(dir)
	assert.True(t, os.IsNotExist(err), "nothing may be written for a bad spec")
}

func TestRenderRefusesSymlinkOutput(t *testing.T) {
	tmp := t.TempDir()
	outside := filepath.Join(tmp, "outside")
	require.NoError(t, os.Mkdir(outside, 0o755))
	dir := filepath.Join(tmp, "deploy")
	require.NoError(t, os.Mkdir(dir, 0o755))
	require.NoError(t, os.Symlink(outside, filepath.Join(dir, "base")))
	code, _, errOut := run(t, "render", "-f", shop, "-o", dir)
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "symbolic link")
	entries, err := os.ReadDir(outside)
	require.NoError(t, err)
	assert.Empty(t, entries, "nothing may be written through the symlink")
}

// TestSettingsPrecedence checks flag > PLATFORMCTL_* > .platformctl.yaml > default.
func TestSettingsPrecedence(t *testing.T) {
	shopAbs := abs(t, shop)
	dir := t.TempDir()
	t.Chdir(dir)
	require.NoError(t, os.WriteFile(".platformctl.yaml", []byte("file: "+shopAbs+"\noutput: from-config\n"), 0o644))

	code, _, _ := run(t, "render", "-q")
	require.Equal(t, 0, code)
	assert.DirExists(t, "from-config/base")

	t.Setenv("PLATFORMCTL_OUTPUT", "from-env")
	code, _, _ = run(t, "render", "-q")
	require.Equal(t, 0, code)
	assert.DirExists(t, "from-env/base")

	code, _, _ = run(t, "render", "-q", "-o", "from-flag")
	require.Equal(t, 0, code)
	assert.DirExists(t, "from-flag/base")

	code, _, errOut := run(t, "--config", "missing.yaml", "validate")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "config")
}

// TestBadConfig: a mistake in .platformctl.yaml (or the file --config
// names) stops every command with exit 2 and file:line:col: key path: message.
func TestBadConfig(t *testing.T) {
	shopAbs := abs(t, shop)
	for _, tt := range []struct {
		name   string
		config string // contents of .platformctl.yaml
		args   []string
		stderr string
	}{
		{name: "misspelled key", config: "file: " + shopAbs + "\noutput: deploy\nfiel: x.yaml\n", args: []string{"validate"},
			stderr: ".platformctl.yaml:3:1: unknown key \"fiel\" (known: file, output, env, lint)\n"},
		{name: "unknown param", config: "lint:\n  params:\n    unknownParam: 1\n", args: []string{"validate", "-f", shopAbs},
			stderr: ".platformctl.yaml:3:5: lint.params: unknown key \"unknownParam\" (known: allowedRegistries, minReplicas, requiredLabels, requiredAnnotations, kubeVersion)\n"},
		{name: "minReplicas out of range", config: "file: platform.yaml\n\nlint:\n  params:\n    minReplicas: -5\n", args: []string{"lint", "-f", shopAbs},
			stderr: ".platformctl.yaml:5:18: lint.params.minReplicas: must be at least 1\n"},
		{name: "kubeVersion out of range", config: "lint:\n  params:\n    kubeVersion: \"1.20\"\n", args: []string{"lint", "-f", shopAbs},
			stderr: ".platformctl.yaml:3:18: lint.params.kubeVersion: kube version \"1.20\": lint knows Kubernetes 1.27 through 1.37\n"},
		{name: "file not a string", config: "file: [1]\n", args: []string{"validate"},
			stderr: ".platformctl.yaml:1:7: file: expected a string, got a list\n"},
		{name: "parse error", config: "file: platform.yaml\noutput: [deploy\n", args: []string{"render"},
			stderr: ".platformctl.yaml:2:1: invalid YAML: did not find expected ',' or ']'\n"},
		{name: "bad type", config: "lint:\n  params:\n    minReplicas: two\n", args: []string{"lint", "-f", shopAbs},
			stderr: ".platformctl.yaml:3:18: lint.params.minReplicas: expected an integer, got a string\n"},
		{name: "unknown rule", config: "lint:\n  disable: [missing-cpu-limt]\n", args: []string{"validate", "-f", shopAbs},
			stderr: ".platformctl.yaml:2:13: lint.disable[0]: unknown rule \"missing-cpu-limt\"; did you mean \"missing-cpu-limit\"? (see platformctl rules)\n"},
		{name: "a directory", args: []string{"validate", "-f", shopAbs},
			stderr: "error: config .platformctl.yaml: is a directory; the CLI config is a YAML file\n"},
		{name: "--config is checked too", args: []string{"--config", "ci.yaml", "validate", "-f", shopAbs},
			stderr: "ci.yaml:1:1: unknown key \"outptu\" (known: file, output, env, lint)\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Chdir(t.TempDir())
			switch {
			case tt.config != "":
				require.NoError(t, os.WriteFile(".platformctl.yaml", []byte(tt.config), 0o644))
			case tt.name == "a directory":
				require.NoError(t, os.Mkdir(".platformctl.yaml", 0o755))
			default:
				require.NoError(t, os.WriteFile("ci.yaml", []byte("outptu: deploy\n"), 0o644))
			}
			code, out, errOut := run(t, tt.args...)
			assert.Equal(t, 2, code)
			assert.Empty(t, out)
			assert.Equal(t, tt.stderr, errOut)
		})
	}
}

func TestLintCommand(t *testing.T) {
	dir := t.TempDir()
	warn := filepath.Join(dir, "warn.yaml")
	require.NoError(t, os.WriteFile(warn, []byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  annotations:\n    ignore.platformctl.dev/no-such-rule: \"x\"\n"), 0o644))
	bad := filepath.Join(dir, "bad.yaml")
	require.NoError(t, os.WriteFile(bad, []byte("apiVersion: v1\nkind: ConfigMap\n"), 0o644))
	dup := filepath.Join(dir, "dup.yaml")
	require.NoError(t, os.WriteFile(dup, []byte("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  hostNetwork: false\n  hostNetwork: true\n  containers: [{name: c, image: nginx}]\n"), 0o644))
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout []string
		stderr []string
	}{
		{name: "warning below default fail-on", args: []string{"lint", warn}, code: 0, stdout: []string{
			warn + ":6:42: warning ignore-unknown-rule: ignore.platformctl.dev/no-such-rule names no rule; it ignores nothing (ConfigMap a)",
			"1 object, "}}, // singular for one
		{name: "fail-on warning", args: []string{"lint", "--fail-on", "warning", warn}, code: 1},
		{name: "quiet prints no summary", args: []string{"lint", "-q", warn}, code: 0},
		{name: "json", args: []string{"lint", "-o", "json", warn}, code: 0, stdout: []string{`"schemaVersion": "platformctl.dev/lint/v1"`, `"rule": "ignore-unknown-rule"`, `"line": 6`}},
		// A document lint cannot read is reported with the findings, on
		// stdout, in the chosen format; the exit code is 2.
		{name: "bad input exits 2", args: []string{"lint", bad}, code: 2, stdout: []string{bad + ":1:1: error input-error: ConfigMap has no metadata.name"}},
		{name: "duplicate key exits 2", args: []string{"lint", dup}, code: 2, stdout: []string{dup + ":6:3: error input-error: mapping key \"hostNetwork\" already defined at line 5\n"}},
		{name: "unknown format", args: []string{"lint", "-o", "xml", warn}, code: 2, stderr: []string{"unknown output format"}},
		{name: "bad fail-on", args: []string{"lint", "--fail-on", "fatal", warn}, code: 2, stderr: []string{"unknown severity"}},
		{name: "spec mode", args: []string{"lint", "-f", shop}, code: 0, stdout: []string{"0 errors, 0 warnings, 0 info"}},
		{name: "spec mode one env", args: []string{"lint", "-f", shop, "--env", "dev"}, code: 0},
		{name: "env with paths", args: []string{"lint", "--env", "dev", warn}, code: 2, stderr: []string{"--env applies to a spec"}},
		{name: "spec with paths", args: []string{"lint", "-f", shop, warn}, code: 2, stderr: []string{"-f names a spec to lint when no paths are given"}},
		{name: "an environment named twice is linted once", args: []string{"lint", "-f", shop, "--env", "dev,dev", "--env", "dev"}, code: 0,
			stdout: []string{fmt.Sprintf("120 objects, %d rules", enabledByDefault())}},
		{name: "nothing to lint", args: []string{"lint", "-f", filepath.Join(dir, "none.yaml")}, code: 2, stderr: []string{"nothing to lint"}},
		{name: "rules", args: []string{"rules"}, code: 0, stdout: []string{"ignore-without-reason", "rules"}},
		{name: "rules explain", args: []string{"rules", "explain", "ignore-without-reason"}, code: 0, stdout: []string{"Remediation:"}},
		{name: "rules explain unknown", args: []string{"rules", "explain", "nope"}, code: 2, stderr: []string{`no rule "nope"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := run(t, tt.args...)
			assert.Equal(t, tt.code, code, "stdout:\n%s\nstderr:\n%s", out, errOut)
			for _, s := range tt.stdout {
				assert.Contains(t, out, s)
			}
			for _, s := range tt.stderr {
				assert.Contains(t, errOut, s)
			}
			if tt.name == "quiet prints no summary" {
				assert.NotContains(t, out, "objects")
			}
		})
	}
}

func TestLintConfigFromFile(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	require.NoError(t, os.WriteFile("m.yaml", []byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  annotations:\n    ignore.platformctl.dev/no-such-rule: \"x\"\n"), 0o644))
	require.NoError(t, os.WriteFile(".platformctl.yaml", []byte("lint:\n  severity:\n    ignore-unknown-rule: error\n"), 0o644))
	code, out, _ := run(t, "lint", "m.yaml")
	assert.Equal(t, 1, code, out)
	assert.Contains(t, out, "error ignore-unknown-rule")

	require.NoError(t, os.WriteFile(".platformctl.yaml", []byte("lint:\n  exclude:\n    - rules: [ignore-unknown-rule]\n      reason: legacy annotations, cleanup in OPS-42\n      expires: \"2999-01-01\"\n"), 0o644))
	code, out, _ = run(t, "lint", "--show-ignored", "m.yaml")
	assert.Equal(t, 0, code, out)
	assert.Contains(t, out, "ignored (config): legacy annotations, cleanup in OPS-42")

	require.NoError(t, os.WriteFile(".platformctl.yaml", []byte("lint:\n  disable: [no-such-rule]\n"), 0o644))
	code, _, errOut := run(t, "lint", "m.yaml")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, `unknown rule "no-such-rule"`)
}

func TestVersionAndCompletion(t *testing.T) {
	code, out, _ := run(t, "version", "-o", "json")
	require.Equal(t, 0, code)
	assert.Contains(t, out, `"goVersion": "go`)
	code, out, _ = run(t, "--version")
	require.Equal(t, 0, code)
	assert.Contains(t, out, "platformctl version dev (commit")

	code, out, _ = run(t, "__complete", "build", "-f", shop, "--env", "")
	require.Equal(t, 0, code)
	assert.Contains(t, out, "dev\ntesting\nstaging\nproduction\n")
	code, out, _ = run(t, "__complete", "rules", "explain", "")
	require.Equal(t, 0, code)
	assert.Contains(t, out, "privileged-container\t")
	for _, sh := range []string{"bash", "zsh", "fish", "powershell"} {
		code, out, _ = run(t, "completion", sh)
		assert.Equal(t, 0, code, sh)
		assert.NotEmpty(t, out, sh)
	}
}

// enabledByDefault counts the rules a run without configuration runs.
func enabledByDefault() int {
	n := 0
	for _, r := range rules.All() {
		if !r.Disabled {
			n++
		}
	}
	return n
}
