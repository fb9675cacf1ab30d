package scaffold

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/spf13/viper"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/platformctl/platformctl/pkg/cmdutil"
	"github.com/platformctl/platformctl/pkg/lint"
	"github.com/platformctl/platformctl/pkg/render"
	"github.com/platformctl/platformctl/pkg/spec"
)

// TestInitGolden pins what init writes for the default values.
func TestInitGolden(t *testing.T) {
	files, err := InitFiles(Init{Name: "acme", Domain: "acme.example.com"})
	require.NoError(t, err)
	assertGolden(t, "init/platform.yaml", files[SpecFile])
	assertGolden(t, "init/platformctl.yaml", files[ConfigFile])
	assert.Regexp(t, `^# yaml-language-server: \$schema=https://raw.githubusercontent.com/platformctl/platformctl/main/docs/schema/platform.v1alpha1.json\n`, string(files[SpecFile]))
}

// TestInitScaffoldsValidate: every init output, and every init output with a
// service and a data store added, validates and renders.
func TestInitScaffoldsValidate(t *testing.T) {
	tests := []struct {
		name string
		in   Init
		err  string
	}{
		{name: "plain", in: Init{Name: "shop", Domain: "shop.example.com"}},
		{name: "long name", in: Init{Name: "a-platform-name-of-exactly-forty-chars-x", Domain: "x.example.org"}},
		{name: "deep domain", in: Init{Name: "p1", Domain: "apps.eu.internal.example.co.uk"}},
		{name: "numeric-looking name", in: Init{Name: "yes", Domain: "yes.example.com"}},
		{name: "bad name", in: Init{Name: "My Shop", Domain: "shop.example.com"}, err: `--name "My Shop": "My Shop" is not a valid name`},
		{name: "too long", in: Init{Name: "a-platform-name-of-more-than-forty-characters", Domain: "x.example.com"}, err: "--name"},
		{name: "bad domain", in: Init{Name: "shop", Domain: "not a domain"}, err: `--domain "not a domain"`},
		{name: "upper-case domain", in: Init{Name: "shop", Domain: "Shop.Example.com"}, err: `--domain "Shop.Example.com"`},
		{name: "yaml in the name", in: Init{Name: "x\nkind: Other", Domain: "x.example.com"}, err: "--name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files, err := InitFiles(tt.in)
			if tt.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.err)
				return
			}
			require.NoError(t, err)
			d, err := spec.Parse(SpecFile, files[SpecFile])
			require.NoError(t, err)
			require.NoError(t, spec.Finish(d))
			assert.Equal(t, tt.in.Name, d.Platform.Metadata.Name)
			assert.Equal(t, tt.in.Domain, d.Platform.Spec.Domain)
			_, err = render.Render(d.Platform)
			require.NoError(t, err)

			res, err := AddDataStore(SpecFile, files[SpecFile], DataStore{Name: "db", Type: "postgres", Endpoint: "db.example.internal:5432", CIDRs: []string{"10.30.0.0/24"}, EncryptedAtRest: true})
			require.NoError(t, err)
			res, err = AddService(SpecFile, res.Data, Service{Name: "web", Image: "ghcr.io/acme/web:1.0.0@sha256:8ac720777beb9a42009e5347f5dc7bf3e27429bd1dc640686f3c9514d487746b", Expose: "www", Uses: []string{"db"},
				Overrides: []EnvOverride{{Env: "production", MinReplicas: 3, MaxReplicas: 9}}})
			require.NoError(t, err)
			res, err = AddService(SpecFile, res.Data, Service{Name: "api", Image: "ghcr.io/acme/api:1.0.0@sha256:5cb2ece7a65dab32e344f8af34c687b9e8b2fa007a7c5de7bec3afc0cd0cac20", Protocol: "grpc", Port: 9090, Expose: "api/acme.v1.API"})
			require.NoError(t, err)
			_, err = render.Render(res.Doc.Platform)
			require.NoError(t, err)
			if tt.name == "plain" {
				assertGolden(t, "init/with-entries.yaml", res.Data)
			}
		})
	}
}

// TestInitConfigLoads reads the written .platformctl.yaml the way the CLI
// does: every key is one the commands know, and the lint section is valid.
func TestInitConfigLoads(t *testing.T) {
	files, err := InitFiles(Init{Name: "acme", Domain: "acme.example.com"})
	require.NoError(t, err)
	p := filepath.Join(t.TempDir(), ConfigFile)
	require.NoError(t, os.WriteFile(p, files[ConfigFile], 0o644))
	assert.Empty(t, cmdutil.CheckConfig(p, files[ConfigFile]), "the CLI's own check accepts the file")
	v := viper.New()
	v.SetConfigFile(p)
	v.SetConfigType("yaml")
	require.NoError(t, v.ReadInConfig())
	assert.Equal(t, "platform.yaml", v.GetString("file"))
	assert.Equal(t, "deploy", v.GetString("output"))
	var cfg lint.Config
	require.NoError(t, v.UnmarshalKey("lint", &cfg))
	def := lint.DefaultParams()
	assert.Empty(t, cfg.Params.AllowedRegistries)
	assert.Equal(t, def.MinReplicas, cfg.Params.MinReplicas)
	assert.Equal(t, def.RequiredLabels, cfg.Params.RequiredLabels)
}

func TestDefaultName(t *testing.T) {
	for dir, want := range map[string]string{
		"/src/acme-shop":  "acme-shop",
		"/src/Acme Shop!": "acme-shop",
		"/src/__x__":      "x",
		"/src/2024":       "platform",
		"/src/ü":          "platform",
		"/src/" + "abcdefghij-abcdefghij-abcdefghij-abcdefghij-x": "abcdefghij-abcdefghij-abcdefghij-abcdefg",
	} {
		assert.Equal(t, want, DefaultName(dir), dir)
	}
}

func TestWriteFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new")
	files := map[string][]byte{"a.yaml": []byte("a\n"), "b.yaml": []byte("b\n")}
	written, err := WriteFiles(dir, files, false, Locking{})
	require.NoError(t, err)
	assert.Equal(t, []string{filepath.Join(dir, "a.yaml"), filepath.Join(dir, "b.yaml")}, written)

	// One existing file: nothing is written.
	require.NoError(t, os.Remove(filepath.Join(dir, "a.yaml")))
	_, err = WriteFiles(dir, map[string][]byte{"a.yaml": []byte("new\n"), "b.yaml": []byte("new\n")}, false, Locking{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "b.yaml already exists; nothing was written (--force overwrites)")
	assert.NoFileExists(t, filepath.Join(dir, "a.yaml"))

	_, err = WriteFiles(dir, map[string][]byte{"a.yaml": []byte("new\n"), "b.yaml": []byte("new\n")}, true, Locking{})
	require.NoError(t, err)
	b, err := os.ReadFile(filepath.Join(dir, "b.yaml"))
	require.NoError(t, err)
	assert.Equal(t, "new\n", string(b))

	// A symbolic link is refused even with --force.
	target := filepath.Join(t.TempDir(), "target")
	require.NoError(t, os.WriteFile(target, []byte("mine"), 0o644))
	require.NoError(t, os.Remove(filepath.Join(dir, "a.yaml")))
	require.NoError(t, os.Symlink(target, filepath.Join(dir, "a.yaml")))
	_, err = WriteFiles(dir, files, true, Locking{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "symbolic link")
	b, err = os.ReadFile(target)
	require.NoError(t, err)
	assert.Equal(t, "mine", string(b))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 2, "no temporary file is left behind")
}

func TestEditFileFollowsLinks(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "platform.yaml")
	require.NoError(t, os.WriteFile(p, []byte("old"), 0o600))
	link := filepath.Join(dir, "link.yaml")
	require.NoError(t, os.Symlink(p, link))
	_, err := EditFile(link, Locking{}, func(cur []byte) (*Edit, error) {
		assert.Equal(t, "old", string(cur))
		return &Edit{Data: []byte("new")}, nil
	})
	require.NoError(t, err)
	b, err := os.ReadFile(p)
	require.NoError(t, err)
	assert.Equal(t, "new", string(b))
	info, err := os.Stat(p)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm(), "permissions are kept")
	li, err := os.Lstat(link)
	require.NoError(t, err)
	assert.NotZero(t, li.Mode()&os.ModeSymlink, "the link stays a link")
}

// TestSkeletonGolden pins the starter files for a server, a gRPC server and a worker.
func TestSkeletonGolden(t *testing.T) {
	in, err := os.ReadFile(filepath.Join(testdata, "skeleton", "platform.yaml"))
	require.NoError(t, err)
	d, err := spec.Parse("platform.yaml", in)
	require.NoError(t, err)
	require.NoError(t, spec.Finish(d))
	for _, name := range []string{"web", "orders", "email-worker", "sales-report"} {
		t.Run(name, func(t *testing.T) {
			files, err := Skeleton(d.Platform, name)
			require.NoError(t, err)
			assertGolden(t, "skeleton/"+name+".Dockerfile", files[Dockerfile])
			assertGolden(t, "skeleton/"+name+".README.md", files[SkeletonDocs])
			assert.Regexp(t, `(?m)^USER [0-9]+:[0-9]+$`, string(files[Dockerfile]))
		})
	}
	_, err = Skeleton(d.Platform, "nope")
	require.Error(t, err)
}

func TestSubstitute(t *testing.T) {
	vals := map[string]string{"Name": "shop", "Empty": ""}
	for _, tt := range []struct{ in, out, err string }{
		{in: "name: {{.Name}}\n", out: "name: shop\n"},
		{in: "{{.Name}}{{.Empty}}-{{.Name}}", out: "shop-shop"},
		{in: "no placeholders", out: "no placeholders"},
		{in: "a {{.Missing}} b", err: `no value for "{{.Missing}}"`},
		{in: "a {{Name}} b", err: `no value for "{{Name}}"`},
		{in: "a {{.Name", err: `no value for "{{.Name"`},
		{in: "a {{", err: `no value for "{{"`},
	} {
		got, err := substitute("t.tmpl", []byte(tt.in), vals)
		if tt.err != "" {
			assert.ErrorContains(t, err, "template t.tmpl: "+tt.err, tt.in)
			continue
		}
		require.NoError(t, err, tt.in)
		assert.Equal(t, tt.out, string(got), tt.in)
	}
}
