package initcmd_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/platformctl/platformctl/pkg/cmd/initcmd"
	"github.com/platformctl/platformctl/pkg/cmd/root"
	"github.com/platformctl/platformctl/pkg/cmdutil"
	"github.com/platformctl/platformctl/pkg/scaffold"
)

func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := root.Main(args, cmdutil.IOStreams{In: strings.NewReader("never read\n"), Out: &out, ErrOut: &errOut})
	return code, out.String(), errOut.String()
}

func TestFlags(t *testing.T) {
	tests := []struct {
		args []string
		want initcmd.Options
		err  string
	}{
		{args: nil, want: initcmd.Options{Dir: "."}},
		{args: []string{"--name", "shop", "--domain", "shop.example.com", "--dir", "p", "--force"},
			want: initcmd.Options{Dir: "p", Name: "shop", Domain: "shop.example.com", Force: true}},
		{args: []string{"extra"}, err: "unknown command"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var got *initcmd.Options
			f := cmdutil.NewFactory(cmdutil.IOStreams{In: strings.NewReader(""), Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}})
			cmd := initcmd.NewCmd(f, func(o *initcmd.Options) error { got = o; return nil })
			cmd.SetArgs(tt.args)
			cmd.SetOut(&bytes.Buffer{})
			cmd.SetErr(&bytes.Buffer{})
			err := cmd.Execute()
			if tt.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, cmdutil.LockTimeout, got.Lock.Timeout, "init waits for another run in the directory")
			assert.NotNil(t, got.Lock.Waiting)
			got.IO, got.Log, got.Lock = cmdutil.IOStreams{}, nil, scaffold.Locking{}
			assert.Equal(t, tt.want, *got, "a reader that is not a terminal never makes init interactive")
		})
	}
}

// TestInitThenUse: init in an empty directory, then every next step it
// prints works: validate, render, lint, new service, new datastore.
func TestInitThenUse(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	code, out, errOut := run(t, "init", "--name", "shop", "--domain", "shop.example.com")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "wrote .platformctl.yaml and platform.yaml")
	assert.Contains(t, out, "Next steps:")
	assert.NotContains(t, out, "cd ")
	assert.NotContains(t, errOut, "[", "no prompt without a terminal")
	initial, err := os.ReadFile("platform.yaml")
	require.NoError(t, err)
	// The printed steps, exactly as a user would paste them.
	printed := 0
	for _, line := range strings.Split(out, "\n") {
		cmdline, _, _ := strings.Cut(strings.TrimSpace(line), "#")
		args := strings.Fields(cmdline)
		if len(args) < 2 || args[0] != "platformctl" {
			continue
		}
		printed++
		code, stepOut, stepErr := run(t, args[1:]...)
		require.Equal(t, 0, code, "printed step %q\n%s%s", cmdline, stepOut, stepErr)
	}
	require.GreaterOrEqual(t, printed, 4, "init prints its next steps:\n%s", out)
	// Then a longer session from the same start.
	require.NoError(t, os.WriteFile("platform.yaml", initial, 0o644))
	for _, step := range [][]string{
		{"validate"},
		{"render", "-q"},
		{"lint", "-q"},
		// A store in the cluster would need the encrypted storage classes
		// and backup storage the skeleton leaves to the user.
		{"new", "datastore", "db", "--type", "postgres", "--endpoint", "db.example.internal:5432", "--cidr", "10.40.16.0/24", "--encrypted-at-rest"},
		{"new", "service", "web", "--image", "ghcr.io/acme/web:1.0.0@sha256:b25c93849dfbdb3d1005ee54bad2f5c74633abfa4315c040200d2ecb9041b149",
			"--expose", "www", "--uses", "db", "--env-override", "production:replicas=2-6"},
		{"validate"},
		{"render", "-q"},
	} {
		code, out, errOut := run(t, step...)
		require.Equal(t, 0, code, "%v\n%s%s", step, out, errOut)
	}
	assert.DirExists(t, filepath.Join(dir, "deploy", "overlays", "production"))
	b, err := os.ReadFile("platform.yaml")
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(b), "# yaml-language-server: $schema="))
}

func TestInitNeverOverwrites(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "platforms", "shop")
	code, out, errOut := run(t, "init", "--dir", dir, "--name", "shop")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "cd "+dir)
	spec := filepath.Join(dir, "platform.yaml")
	require.NoError(t, os.WriteFile(spec, []byte("mine\n"), 0o644))
	require.NoError(t, os.Remove(filepath.Join(dir, ".platformctl.yaml")))

	code, out, errOut = run(t, "init", "--dir", dir, "--name", "other")
	assert.Equal(t, 2, code)
	assert.Empty(t, out)
	assert.Contains(t, errOut, spec+" already exists; nothing was written (--force overwrites)")
	b, err := os.ReadFile(spec)
	require.NoError(t, err)
	assert.Equal(t, "mine\n", string(b))
	assert.NoFileExists(t, filepath.Join(dir, ".platformctl.yaml"), "nothing at all is written")

	code, _, errOut = run(t, "init", "--dir", dir, "--name", "other", "--force")
	require.Equal(t, 0, code, errOut)
	b, err = os.ReadFile(spec)
	require.NoError(t, err)
	assert.Contains(t, string(b), "name: other")
	assert.Contains(t, string(b), "domain: other.example.com")
}

func TestInitQuietAndVerbose(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := run(t, "init", "-q", "--dir", filepath.Join(dir, "a"), "--name", "a")
	require.Equal(t, 0, code, errOut)
	assert.Empty(t, out)
	assert.FileExists(t, filepath.Join(dir, "a", "platform.yaml"))
	code, _, errOut = run(t, "init", "-v", "--dir", filepath.Join(dir, "b"), "--name", "b")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, errOut, "platformctl: wrote "+filepath.Join(dir, "b", "platform.yaml"))
}

func TestInitBadValues(t *testing.T) {
	dir := t.TempDir()
	code, _, errOut := run(t, "init", "--dir", dir, "--name", "Shop_1")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, `--name "Shop_1": "Shop_1" is not a valid name`)
	code, _, errOut = run(t, "init", "--dir", dir, "--name", "shop", "--domain", "https://shop.example.com")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, `--domain "https://shop.example.com"`)
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Empty(t, entries)
}

func TestPrompts(t *testing.T) {
	tests := []struct {
		name, input, wantName, wantDomain string
	}{
		{"answers", "acme\nacme.io\n", "acme", "acme.io"},
		{"defaults", "\n\n", "", ""},
		{"name only", "web-shop\n\n", "web-shop", "web-shop.example.com"},
		{"end of input", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "my-platform")
			if tt.wantName == "" {
				tt.wantName, tt.wantDomain = "my-platform", "my-platform.example.com"
			}
			var out, errOut bytes.Buffer
			err := initcmd.Run(&initcmd.Options{
				IO:  cmdutil.IOStreams{In: strings.NewReader(tt.input), Out: &out, ErrOut: &errOut},
				Dir: dir, Interactive: true,
			})
			require.NoError(t, err)
			assert.Contains(t, errOut.String(), "Platform name [my-platform]: ")
			assert.Contains(t, errOut.String(), "Domain ["+tt.wantName+".example.com]: ")
			b, err := os.ReadFile(filepath.Join(dir, "platform.yaml"))
			require.NoError(t, err)
			assert.Contains(t, string(b), "  name: "+tt.wantName+"\n")
			assert.Contains(t, string(b), "  domain: "+tt.wantDomain+"\n")
		})
	}
}

func TestPromptsNotWhenFilesExist(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "platform.yaml"), []byte("mine\n"), 0o644))
	var out, errOut bytes.Buffer
	err := initcmd.Run(&initcmd.Options{IO: cmdutil.IOStreams{In: strings.NewReader("x\n"), Out: &out, ErrOut: &errOut}, Dir: dir, Interactive: true})
	require.Error(t, err)
	assert.Equal(t, 2, cmdutil.ExitCode(err))
	assert.Contains(t, err.Error(), "platform.yaml already exists")
	assert.Empty(t, errOut.String(), "no question is asked")
}

func TestHelp(t *testing.T) {
	code, out, _ := run(t, "init", "--help")
	assert.Equal(t, 0, code)
	assert.Contains(t, out, "Examples:")
	assert.Contains(t, out, "--force")
}
