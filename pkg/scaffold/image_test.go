package scaffold

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/platformctl/platformctl/pkg/render"
)

const (
	web2   = "ghcr.io/acme/web:2.0.0@sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"
	web2rc = "ghcr.io/acme/web:2.0.0-rc.1"
)

// TestSetImageGolden writes images into specs of every layout and compares
// with testdata/scaffold/<name>.out.yaml. A replaced image must be the only
// difference from the input; an override that did not exist is inserted.
func TestSetImageGolden(t *testing.T) {
	tests := []struct {
		name, in string
		sets     []ImageSet
		target   ImageTarget
		replaced bool // every change replaces a scalar (else: inserts an override)
	}{
		{"block-comments-image", "block-comments", []ImageSet{{"web", web2}, {"api", web2rc}}, ImageTarget{}, true},
		{"crlf-image", "crlf", []ImageSet{{"web", web2}}, ImageTarget{}, true},
		// Two overrides into an environment without any: one overrides: mapping.
		{"block-comments-env-image", "block-comments", []ImageSet{{"web", web2}, {"api", web2rc}}, ImageTarget{Env: "dev"}, false},
		{"flow-inline-env-image", "flow-inline", []ImageSet{{"web", web2rc}}, ImageTarget{Env: "dev"}, false},
		{"crlf-env-image", "crlf", []ImageSet{{"web", web2}}, ImageTarget{Env: "production"}, false},
		{"flow-inline-image", "flow-inline", []ImageSet{{"web", web2rc}}, ImageTarget{}, true},
		{"flow-multiline-image", "flow-multiline", []ImageSet{{"api", web2rc}}, ImageTarget{}, true},
		{"no-final-newline-image", "no-final-newline", []ImageSet{{"web", web2rc}}, ImageTarget{}, true},
		{"indent4-env-image", "indent4", []ImageSet{{"web", web2rc}}, ImageTarget{Env: "dev"}, false},
		// qa's override exists, written in a double-quoted flow scalar.
		{"tricky-env-image", "tricky", []ImageSet{{"web", web2rc}}, ImageTarget{Env: "qa"}, true},
		// dev's overrides: is null; the override is added beneath it.
		{"tricky-null-env-image", "tricky", []ImageSet{{"web", web2rc}}, ImageTarget{Env: "dev"}, false},
		{"mixed-entries-env-image", "mixed-entries", []ImageSet{{"web", web2}, {"api", web2}}, ImageTarget{Env: "production"}, false},
		{"overrides-env-image", "overrides", []ImageSet{{"web", web2}}, ImageTarget{Env: "production"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, err := os.ReadFile(filepath.Join(testdata, tt.in+".in.yaml"))
			require.NoError(t, err)
			res, changes, err := SetImages("platform.yaml", in, tt.sets, tt.target)
			require.NoError(t, err)
			assertGolden(t, tt.name+".out.yaml", res.Data)
			require.Len(t, changes, len(tt.sets))
			want := string(in)
			for i, c := range changes {
				assert.Equal(t, tt.sets[i].Image, c.New)
				assert.Contains(t, string(newSource(res.Data).text(c.Line)), "image", "Line is the image's line")
				if tt.replaced {
					want = strings.Replace(want, c.Old, c.New, 1)
				}
			}
			if tt.replaced {
				assert.Equal(t, want, string(res.Data), "only the image scalars change")
			} else {
				assertOnlyInserted(t, in, res.Data)
			}
			_, err = render.Render(res.Doc.Platform)
			require.NoError(t, err)
		})
	}
}

// TestSetImageRefused: every refusal names what to do, and nothing is
// returned to write.
func TestSetImageRefused(t *testing.T) {
	in, err := os.ReadFile(filepath.Join(testdata, "overrides.in.yaml"))
	require.NoError(t, err)
	const shopFile = "../../examples/shop/platform.yaml" // its config files are next to it
	shop, err := os.ReadFile(shopFile)
	require.NoError(t, err)
	for _, tt := range []struct {
		name   string
		data   []byte
		sets   []ImageSet
		target ImageTarget
		msg    string
	}{
		{"unknown service", in, []ImageSet{{"wbe", web2}}, ImageTarget{}, `no service named "wbe"; did you mean "web"?`},
		{"unknown env", in, []ImageSet{{"web", web2}}, ImageTarget{Env: "prod"}, "--env prod: no such environment; the spec defines: dev, staging, production, perf"},
		{"twice", in, []ImageSet{{"web", web2}, {"web", web2rc}}, ImageTarget{}, "web is given twice"},
		{"no canary", in, []ImageSet{{"web", web2}}, ImageTarget{Canary: true}, "has no canary; add canary: {weight: 10, image: …} first"},
		{"tag in production", in, []ImageSet{{"web", web2rc}}, ImageTarget{Env: "production"}, "is not pinned by digest, which production environments require"},
		{"tag as the default", shop, []ImageSet{{"web", web2rc}}, ImageTarget{}, shopFile + ":56:14: spec.services[0].image: \"ghcr.io/acme/web:2.0.0-rc.1\" is not pinned by digest"},
		{"bad reference", in, []ImageSet{{"web", "ghcr.io/acme/WEB:1"}}, ImageTarget{}, "spec.services[0].image"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			file := "platform.yaml"
			if &tt.data[0] == &shop[0] {
				file = shopFile
			}
			res, _, err := SetImages(file, tt.data, tt.sets, tt.target)
			require.Error(t, err)
			assert.Nil(t, res)
			assert.Contains(t, err.Error(), tt.msg)
		})
	}
}

// TestSetCanaryImage replaces the canary's image in a flow mapping and
// leaves its weight alone.
func TestSetCanaryImage(t *testing.T) {
	const shopFile = "../../examples/shop/platform.yaml"
	shop, err := os.ReadFile(shopFile)
	require.NoError(t, err)
	res, changes, err := SetImages(shopFile, shop, []ImageSet{{"web", web2}}, ImageTarget{Canary: true})
	require.NoError(t, err)
	require.Len(t, changes, 1)
	assert.Equal(t, "spec.services[0].canary.image", changes[0].Path)
	assert.Equal(t, strings.Replace(string(shop), changes[0].Old, web2, 1), string(res.Data))
	assert.Equal(t, web2, res.Doc.Platform.Spec.Services[0].Canary.Image)
	assert.Equal(t, int32(10), res.Doc.Platform.Spec.Services[0].Canary.Weight)
}

func TestParseImageSet(t *testing.T) {
	md, err := ParseBuildMetadata("build.json", []byte(`{"containerimage.digest": "sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae", "image.name": "ghcr.io/acme/web:abc123,ghcr.io/acme/web:latest"}`))
	require.NoError(t, err)
	for _, tt := range []struct {
		arg  string
		md   *BuildMetadata
		want ImageSet
		err  string
	}{
		{arg: "web=ghcr.io/acme/web:1", want: ImageSet{"web", "ghcr.io/acme/web:1"}},
		{arg: "web", err: "want SERVICE=IMAGE"},
		{arg: "=x:1", err: "no service name"},
		{arg: "web=", err: "no image after ="},
		{arg: "web", md: md, want: ImageSet{"web", "ghcr.io/acme/web:abc123@" + md.Digest}},
		{arg: "web=ghcr.io/acme/web:2.0.0", md: md, want: ImageSet{"web", "ghcr.io/acme/web:2.0.0@" + md.Digest}},
		{arg: "web=ghcr.io/acme/web:2.0.0@" + md.Digest, md: md, want: ImageSet{"web", "ghcr.io/acme/web:2.0.0@" + md.Digest}},
		{arg: "web=ghcr.io/acme/web@sha256:0000000000000000000000000000000000000000000000000000000000000000", md: md, err: "but the build pushed sha256:2c26"},
		{arg: "web", md: &BuildMetadata{Digest: md.Digest}, err: "names no image"},
	} {
		got, err := ParseImageSet(tt.arg, tt.md)
		if tt.err != "" {
			assert.ErrorContains(t, err, tt.err, tt.arg)
			continue
		}
		require.NoError(t, err, tt.arg)
		assert.Equal(t, tt.want, got, tt.arg)
	}
	for _, bad := range []string{`{}`, `not json`, `{"containerimage.digest": "sha256:abc"}`} {
		_, err := ParseBuildMetadata("build.json", []byte(bad))
		assert.ErrorContains(t, err, "build.json: ", bad)
	}
}
