package imageref

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

const digest = "sha256:18ca423de4deaea0bdbe46726f44eb12a25751e7a9601a39c533753204c0c84e"

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want Ref
	}{
		{"nginx", Ref{Name: "nginx", Registry: "docker.io", Repository: "library/nginx"}},
		{"nginx:1.27", Ref{Name: "nginx", Tag: "1.27", Registry: "docker.io", Repository: "library/nginx"}},
		{"acme/app:2", Ref{Name: "acme/app", Tag: "2", Registry: "docker.io", Repository: "acme/app"}},
		{"ghcr.io/acme/web:1.4.2", Ref{Name: "ghcr.io/acme/web", Tag: "1.4.2", Registry: "ghcr.io", Repository: "acme/web"}},
		{"ghcr.io/acme/web:latest", Ref{Name: "ghcr.io/acme/web", Tag: "latest", Registry: "ghcr.io", Repository: "acme/web"}},
		// A registry port is not a tag.
		{"registry.internal:5000/acme/api", Ref{Name: "registry.internal:5000/acme/api", Registry: "registry.internal:5000", Repository: "acme/api"}},
		{"registry.internal:5000/acme/api:2.0", Ref{Name: "registry.internal:5000/acme/api", Tag: "2.0", Registry: "registry.internal:5000", Repository: "acme/api"}},
		{"registry.internal:5000/acme/api@" + digest, Ref{Name: "registry.internal:5000/acme/api", Digest: digest, Registry: "registry.internal:5000", Repository: "acme/api"}},
		{"registry:5000/web:2", Ref{Name: "registry:5000/web", Tag: "2", Registry: "registry:5000", Repository: "web"}},
		{"redis", Ref{Name: "redis", Registry: "docker.io", Repository: "library/redis"}},
		{"localhost/app", Ref{Name: "localhost/app", Registry: "localhost", Repository: "app"}},
		{"ghcr.io/acme/web@" + digest, Ref{Name: "ghcr.io/acme/web", Digest: digest, Registry: "ghcr.io", Repository: "acme/web"}},
		{"ghcr.io/acme/web:1.4.2@" + digest, Ref{Name: "ghcr.io/acme/web", Tag: "1.4.2", Digest: digest, Registry: "ghcr.io", Repository: "acme/web"}},
		{"nginx:latest@sha256:abc", Ref{Name: "nginx", Tag: "latest", Digest: "sha256:abc", Registry: "docker.io", Repository: "library/nginx"}},
		// Docker Hub's aliases, and hosts compared case-blind.
		{"index.docker.io/envoyproxy/envoy:v1.31", Ref{Name: "index.docker.io/envoyproxy/envoy", Tag: "v1.31", Registry: "docker.io", Repository: "envoyproxy/envoy"}},
		{"registry-1.docker.io/redis", Ref{Name: "registry-1.docker.io/redis", Registry: "docker.io", Repository: "library/redis"}},
		{"GHCR.io/acme/web", Ref{Name: "GHCR.io/acme/web", Registry: "ghcr.io", Repository: "acme/web"}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got := Parse(tt.in)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.want.Digest != "", got.Pinned())
		})
	}
}

func TestTemplated(t *testing.T) {
	for in, want := range map[string]bool{
		"":                  true,
		"  ":                true,
		"${IMAGE}":          true,
		"<image>":           true,
		"{{ .Values.img }}": true,
		"nginx:1.27":        false,
		"ghcr.io/acme/web":  false,
	} {
		assert.Equal(t, want, Templated(in), "%q", in)
	}
}

// TestAllowed is the one meaning of allowedRegistries: a prefix of the
// resolved name at a path boundary, or *.domain. The spec and lint both
// call Allowed; their own tests check that they do.
func TestAllowed(t *testing.T) {
	tests := []struct {
		name    string
		image   string
		entries []string
		want    bool
	}{
		{"host allows everything on it", "ghcr.io/acme/web:1", []string{"ghcr.io"}, true},
		{"another host", "quay.io/acme/web:1", []string{"ghcr.io"}, false},
		{"a host is not a string prefix", "ghcr.io.evil.com/acme/web", []string{"ghcr.io"}, false},
		{"host with port", "registry.example.com:5000/tools/agent@sha256:0123", []string{"registry.example.com:5000"}, true},
		{"port must match", "registry.example.com:5001/tools/agent", []string{"registry.example.com:5000"}, false},
		{"path prefix", "ghcr.io/acme/web:1", []string{"ghcr.io/acme"}, true},
		{"path prefix, nested", "ghcr.io/acme/team/web:1", []string{"ghcr.io/acme"}, true},
		{"path prefix at a boundary only", "ghcr.io/acmecorp/web:1", []string{"ghcr.io/acme"}, false},
		{"exact repository", "ghcr.io/acme/web:1", []string{"ghcr.io/acme/web"}, true},
		{"wildcard", "eu.registry.example.com/app:1", []string{"*.example.com"}, true},
		{"wildcard, any port", "eu.registry.example.com:5000/app:1", []string{"*.example.com"}, true},
		{"wildcard is not the domain itself", "example.com/app:1", []string{"*.example.com"}, false},
		{"wildcard with a path is no wildcard", "eu.example.com/app:1", []string{"*.example.com/app"}, false},
		{"short name is Docker Hub", "nginx:1.27", []string{"docker.io"}, true},
		{"short name under library", "nginx:1.27", []string{"docker.io/library"}, true},
		{"Docker Hub namespace entry without host", "acme/app:1", []string{"acme"}, true},
		{"Docker Hub namespace entry is not library", "nginx:1.27", []string{"acme"}, false},
		{"alias entry", "nginx:1.27", []string{"index.docker.io"}, true},
		{"alias image", "index.docker.io/envoyproxy/envoy:v1.31", []string{"docker.io"}, true},
		{"scheme and slash ignored", "ghcr.io/acme/web:1", []string{"https://ghcr.io/acme/"}, true},
		{"host case ignored", "GHCR.IO/acme/web:1", []string{"ghcr.io"}, true},
		{"entry case ignored", "ghcr.io/acme/web:1", []string{"GHCR.io"}, true},
		{"empty entry allows nothing", "ghcr.io/acme/web:1", []string{""}, false},
		{"no entries allow nothing", "ghcr.io/acme/web:1", nil, false},
		{"any entry", "quay.io/x/y:1", []string{"ghcr.io", "quay.io"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, Allowed(Parse(tt.image), tt.entries))
		})
	}
}
