// Package imageref reads container image references the way the container
// runtime resolves them, and decides whether an image comes from an allowed
// registry. It is the one parser the spec's validation, the lint rules and
// the generator share, so that "pinned", "tag" and "allowed" mean the same
// thing when platformctl validates a spec, renders it and lints the result.
package imageref

import (
	"sort"
	"strings"
)

// DockerHub is the registry that short names (nginx, acme/app) and Docker
// Hub's aliases resolve to.
const DockerHub = "docker.io"

// dockerHubAliases are other host names of Docker Hub.
var dockerHubAliases = map[string]bool{"index.docker.io": true, "registry-1.docker.io": true, "registry.hub.docker.com": true}

// DockerHubAliases lists dockerHubAliases, sorted: for the admission
// policy's CEL, which resolves registries the same way.
func DockerHubAliases() []string {
	out := make([]string, 0, len(dockerHubAliases))
	for a := range dockerHubAliases {
		out = append(out, a)
	}
	sort.Strings(out)
	return out
}

// Ref is an image reference split into its parts.
type Ref struct {
	// Name is the reference as written, without tag and digest
	// (ghcr.io/acme/web, nginx): what a glob over tags and digests is
	// built from.
	Name string
	// Tag is the tag ("" for none) and Digest what follows '@'
	// (sha256:…; "" for none).
	Tag, Digest string
	// Registry and Repository are Name resolved as the runtime pulls it:
	// the registry host lower case, Docker Hub explicit (docker.io) with
	// its library/ namespace (nginx is docker.io/library/nginx).
	Registry, Repository string
}

// Parse splits s. A ':' after the last '/' starts the tag; one before it is
// a registry port (localhost:5000/app). The first path component names a
// registry when it has a '.' or a ':' or is localhost; otherwise the image
// is on Docker Hub. Parse does not validate: the spec's format table and
// the API server do that; it only reads.
func Parse(s string) Ref {
	var r Ref
	if i := strings.IndexByte(s, '@'); i >= 0 {
		s, r.Digest = s[:i], s[i+1:]
	}
	if i := strings.LastIndexByte(s, ':'); i > strings.LastIndexByte(s, '/') {
		s, r.Tag = s[:i], s[i+1:]
	}
	r.Name = s
	first, rest, ok := strings.Cut(s, "/")
	switch {
	case !ok:
		r.Registry, r.Repository = DockerHub, s
	case hostLike(first):
		r.Registry, r.Repository = strings.ToLower(first), rest
	default:
		r.Registry, r.Repository = DockerHub, s
	}
	if dockerHubAliases[r.Registry] {
		r.Registry = DockerHub
	}
	if r.Registry == DockerHub && !strings.Contains(r.Repository, "/") {
		r.Repository = "library/" + r.Repository
	}
	return r
}

// Templated says whether s is a placeholder for a reference (empty, or
// with template or shell syntax) that a later step resolves: nothing can
// be judged about it.
func Templated(s string) bool {
	s = strings.TrimSpace(s)
	return s == "" || strings.ContainsAny(s, "$<>{} ")
}

// Pinned says whether the reference names its content by digest.
func (r Ref) Pinned() bool { return r.Digest != "" }

// Resolved is registry/repository: docker.io/library/nginx.
func (r Ref) Resolved() string { return r.Registry + "/" + r.Repository }

func hostLike(s string) bool { return strings.ContainsAny(s, ".:") || s == "localhost" }

// Allowed says whether the image comes from one of entries, the
// allowedRegistries of the spec (spec.security.allowedRegistries) and of
// lint (lint.params.allowedRegistries, the platformctl.dev/allowed-registries
// annotation). An entry is a prefix of image names at a path boundary:
//
//   - a registry host (ghcr.io, registry.example.com:5000) allows every
//     image on that host;
//   - a host and a path (ghcr.io/acme) allows the repositories at or below
//     the path (ghcr.io/acme/web, not ghcr.io/acmecorp/web);
//   - *.domain (*.example.com) allows every host below domain, any port;
//   - a name without a host (library, acme) is on Docker Hub, as in image
//     references; Docker Hub's aliases are docker.io, a scheme
//     (https://) and a trailing '/' are ignored, hosts compare case-blind.
//
// A prefix rather than an exact host, because on shared registries (ghcr.io,
// docker.io, quay.io) a host is everybody's: trusting ghcr.io trusts every
// account on it, and only a path (ghcr.io/acme) says whose images are
// trusted. Every host-only list means the same either way.
func Allowed(r Ref, entries []string) bool {
	for _, e := range entries {
		if allowedBy(r, NormalizeEntry(e)) {
			return true
		}
	}
	return false
}

// NormalizeEntry writes an allowedRegistries entry in the form resolved
// names are compared in: no scheme, no trailing '/', the host lower case,
// Docker Hub explicit.
func NormalizeEntry(e string) string {
	e = strings.TrimSpace(e)
	e = strings.TrimPrefix(strings.TrimPrefix(e, "https://"), "http://")
	e = strings.TrimRight(e, "/")
	if e == "" {
		return ""
	}
	first, rest, ok := strings.Cut(e, "/")
	if !hostLike(first) && !strings.HasPrefix(first, "*.") {
		return DockerHub + "/" + e
	}
	first = strings.ToLower(first)
	if dockerHubAliases[first] {
		first = DockerHub
	}
	if ok {
		return first + "/" + rest
	}
	return first
}

func allowedBy(r Ref, entry string) bool {
	if entry == "" {
		return false
	}
	if domain, ok := strings.CutPrefix(entry, "*."); ok {
		host, _, _ := strings.Cut(r.Registry, ":")
		return !strings.Contains(domain, "/") && strings.HasSuffix(host, "."+domain)
	}
	name := r.Resolved()
	return name == entry || strings.HasPrefix(name, entry+"/")
}
