package security

import (
	"strings"

	"github.com/platformctl/platformctl/pkg/lint"
)

// Images: where container images come from, and whether the manifest says
// exactly which content runs.

// annotationAllowedRegistries on a Namespace narrows the configured
// allowedRegistries for the objects in it; it can never widen them, so
// whoever edits a Namespace cannot let in a registry the config does not
// trust.
const annotationAllowedRegistries = "platformctl.dev/allowed-registries"

func imageRules() []lint.Rule {
	return []lint.Rule{
		{
			ID: "untrusted-registry", Title: "Image from a registry that is not allowed", Category: lint.CategorySecurity, Severity: lint.Error,
			Description: "The image comes from a registry outside lint.params.allowedRegistries (or outside the platformctl.dev/allowed-registries annotation of its Namespace, which can only narrow the list). Images from elsewhere skip the organization's scanning, signing and mirroring, and a typo-squatted or hijacked public repository runs with the workload's permissions. Docker Hub short names (nginx, acme/app) count as docker.io. Nothing is reported when no list is configured.",
			Remediation: "Pull the image through an allowed registry (mirror or proxy it there), or add its registry to lint.params.allowedRegistries in .platformctl.yaml after review.",
			References:  []string{"CIS 5.5.1", nsaGuide},
			Check:       checkRegistry,
		},
		{
			ID: "image-not-pinned", Title: "Image not pinned by digest", Category: lint.CategorySecurity, Severity: lint.Warning,
			Description: "A tag can be moved to different content at any time, by the publisher or by whoever compromises the registry account: the same manifest then runs different code on the next pull, and nothing in Git shows it. Production objects are reported by image-not-pinned-production, at error severity.",
			Remediation: "Reference the image by digest, e.g. ghcr.io/acme/web:1.4.2@sha256:<digest> (the tag stays for readers; the digest decides). Renovate or Dependabot keep digests current.",
			References:  []string{nsaGuide, "https://kubernetes.io/docs/concepts/containers/images/#image-names"},
			Check:       checkPinned(false),
		},
		{
			ID: "image-not-pinned-production", Title: "Production image not pinned by digest", Category: lint.CategorySecurity, Severity: lint.Error,
			Description: "In production (the object, or its Namespace among the inputs, is labeled platformctl.dev/environment: production or environment: production) an image referenced by tag can change under a running release: a re-pushed or compromised tag reaches production on the next pod restart, without a change in Git or a review, and a rollback may not restore what ran before.",
			Remediation: "Reference the image by digest, e.g. ghcr.io/acme/web:1.4.2@sha256:<digest>, and promote the same digest that passed staging.",
			References:  []string{nsaGuide, "https://kubernetes.io/docs/concepts/containers/images/#image-names"},
			Check:       checkPinned(true),
		},
	}
}

// imageRef is an image reference split into its parts, with Docker Hub's
// implicit registry and library/ namespace made explicit.
type imageRef struct {
	registry, repository, tag, digest string
}

// name is registry/repository: docker.io/library/nginx.
func (i imageRef) name() string { return i.registry + "/" + i.repository }

var dockerHubAliases = map[string]bool{"index.docker.io": true, "registry-1.docker.io": true, "registry.hub.docker.com": true}

// hostLike says whether the first path component of a reference names a
// registry host rather than a Docker Hub namespace.
func hostLike(s string) bool {
	return strings.ContainsAny(s, ".:") || s == "localhost"
}

func parseImage(s string) (imageRef, bool) {
	s = strings.TrimSpace(s)
	if s == "" || strings.ContainsAny(s, "$<>{} ") {
		// Templated or placeholder references are resolved elsewhere.
		return imageRef{}, false
	}
	var ref imageRef
	if i := strings.IndexByte(s, '@'); i >= 0 {
		s, ref.digest = s[:i], s[i+1:]
	}
	if i := strings.LastIndexByte(s, ':'); i > strings.LastIndexByte(s, '/') {
		s, ref.tag = s[:i], s[i+1:]
	}
	first, rest, ok := strings.Cut(s, "/")
	switch {
	case !ok:
		ref.registry, ref.repository = "docker.io", "library/"+s
	case hostLike(first):
		ref.registry, ref.repository = strings.ToLower(first), rest
	default:
		ref.registry, ref.repository = "docker.io", s
	}
	if dockerHubAliases[ref.registry] {
		ref.registry = "docker.io"
	}
	if ref.registry == "docker.io" && !strings.Contains(ref.repository, "/") {
		ref.repository = "library/" + ref.repository
	}
	return ref, true
}

// normalizeRegistry turns an allowedRegistries entry into the form image
// names are compared in: no scheme, no trailing slash, Docker Hub explicit.
func normalizeRegistry(e string) string {
	e = strings.TrimSpace(e)
	e = strings.TrimPrefix(strings.TrimPrefix(e, "https://"), "http://")
	e = strings.TrimRight(e, "/")
	if e == "" {
		return ""
	}
	first, rest, ok := strings.Cut(e, "/")
	if !hostLike(first) && !strings.HasPrefix(first, "*.") {
		return "docker.io/" + e
	}
	first = strings.ToLower(first)
	if dockerHubAliases[first] {
		first = "docker.io"
	}
	if ok {
		return first + "/" + rest
	}
	return first
}

// allowedBy says whether an image name falls under an entry: the same
// repository, a path below it, or any host of a *.domain entry.
func allowedBy(ref imageRef, entry string) bool {
	if entry == "" {
		return false
	}
	name := ref.name()
	if host, ok := strings.CutPrefix(entry, "*."); ok {
		registry, _, _ := strings.Cut(ref.registry, ":")
		return !strings.Contains(host, "/") && strings.HasSuffix(registry, "."+host)
	}
	return name == entry || strings.HasPrefix(name, entry+"/")
}

func allowedByAny(ref imageRef, entries []string) bool {
	for _, e := range entries {
		if allowedBy(ref, normalizeRegistry(e)) {
			return true
		}
	}
	return false
}

func namespaceRegistries(o *lint.Object, ctx *lint.Context) ([]string, bool) {
	ns := namespaceOf(o, ctx)
	if ns == nil {
		return nil, false
	}
	v, ok := ns.Annotations[annotationAllowedRegistries]
	if !ok {
		return nil, false
	}
	return strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\t' }), true
}

func checkRegistry(o *lint.Object, ctx *lint.Context, r *lint.Reporter) {
	p, cs := containers(o)
	if p == nil {
		return
	}
	global := ctx.Params.AllowedRegistries
	local, hasLocal := namespaceRegistries(o, ctx)
	if len(global) == 0 && !hasLocal {
		return
	}
	for i := range cs {
		c := &cs[i]
		image := lint.Str(lint.Field(c.Node, "image"))
		ref, ok := parseImage(image)
		if !ok {
			continue
		}
		switch {
		case len(global) > 0 && !allowedByAny(ref, global):
			r.Report(o, c.Path+".image", "%s pulls %s from %s, which is not in allowedRegistries", who(c), image, ref.registry)
		case hasLocal && !allowedByAny(ref, local):
			r.Report(o, c.Path+".image", "%s pulls %s from %s, which namespace %s does not allow (annotation %s)", who(c), image, ref.registry, o.Namespace, annotationAllowedRegistries)
		}
	}
}

func checkPinned(production bool) func(o *lint.Object, ctx *lint.Context, r *lint.Reporter) {
	return func(o *lint.Object, ctx *lint.Context, r *lint.Reporter) {
		p, cs := containers(o)
		if p == nil || isProduction(o, ctx) != production {
			return
		}
		where := ""
		if production {
			where = " in production"
		}
		for i := range cs {
			c := &cs[i]
			image := lint.Str(lint.Field(c.Node, "image"))
			ref, ok := parseImage(image)
			if !ok || ref.digest != "" {
				continue
			}
			if ref.tag == "" {
				r.Report(o, c.Path+".image", "%s runs %s%s with neither tag nor digest (implicitly latest)", who(c), image, where)
				continue
			}
			r.Report(o, c.Path+".image", "%s runs %s%s by tag %s, not by digest", who(c), image, where, ref.tag)
		}
	}
}
