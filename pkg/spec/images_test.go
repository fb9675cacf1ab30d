package spec

import (
	"strings"
	"testing"
)

// TestAllowedRegistriesMeaning pins what spec.security.allowedRegistries
// means: a listed host allows every image on it, as imageref.Allowed reads
// a host entry for lint's untrusted-registry (whose own tests cover paths
// and wildcards), so a spec that validates renders namespaces that lint
// clean.
func TestAllowedRegistriesMeaning(t *testing.T) {
	tests := []struct {
		name    string
		entries string
		image   string
		allowed bool
	}{
		{"listed host", "[ghcr.io]", "ghcr.io/acme/web:1.4.2", true},
		{"other host", "[ghcr.io]", "quay.io/acme/web:1.4.2", false},
		{"host is not a string prefix", "[ghcr.io]", "ghcr.io.example.com/acme/web:1.4.2", false},
		{"host with port", "[\"registry.example.com:5000\"]", "registry.example.com:5000/acme/web:1.4.2", true},
		{"other port", "[\"registry.example.com:5000\"]", "registry.example.com:5001/acme/web:1.4.2", false},
		{"short name is Docker Hub", "[docker.io]", "nginx:1.27", true},
		{"Docker Hub alias entry", "[index.docker.io]", "nginx:1.27", true},
		{"Docker Hub alias image", "[docker.io]", "registry-1.docker.io/acme/web:1.4.2", true},
		{"host case does not matter", "[GHCR.io]", "ghcr.io/acme/web:1.4.2", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := `apiVersion: platformctl.dev/v1alpha1
kind: Platform
metadata: {name: shop}
spec:
  domain: shop.example.com
  environments:
    - {name: dev, tier: development}
  security: {allowedRegistries: ` + tt.entries + `}
  services:
    - {name: web, image: "` + tt.image + `"}
`
			var got []string
			for _, e := range parseAndValidate(t, src) {
				if strings.Contains(e.Msg, "allowedRegistries does not list") {
					got = append(got, e.Path)
				}
			}
			if tt.allowed && len(got) > 0 {
				t.Errorf("%s refused with %s: %v", tt.image, tt.entries, got)
			}
			if !tt.allowed && (len(got) != 1 || got[0] != "spec.services[0].image") {
				t.Errorf("%s with %s: want one error at spec.services[0].image, got %v", tt.image, tt.entries, got)
			}
		})
	}
}
