package security

import (
	"strings"

	"github.com/platformctl/platformctl/pkg/imageref"
	"github.com/platformctl/platformctl/pkg/lint"
	"github.com/platformctl/platformctl/pkg/lint/rules/internal/facts"
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
			Description: "The image comes from a registry outside lint.params.allowedRegistries (or outside the platformctl.dev/allowed-registries annotation of its Namespace, which can only narrow the list). Images from elsewhere skip the organization's scanning, signing and mirroring, and a typo-squatted or hijacked public repository runs with the workload's permissions. An entry is a prefix of image names at a path boundary: a registry host (ghcr.io, registry.example.com:5000) allows every image on it, a host and path (ghcr.io/acme) the repositories at or below the path, and *.example.com every host under the domain; it means the same in spec.security.allowedRegistries. Docker Hub short names (nginx, acme/app) count as docker.io. Nothing is reported when no list is configured.",
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

func namespaceRegistries(o *lint.Object, ctx *lint.Context) ([]string, bool) {
	ns := facts.NamespaceOf(o, ctx)
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
	p, cs := o.Containers()
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
		if imageref.Templated(image) {
			continue // resolved elsewhere
		}
		ref := imageref.Parse(strings.TrimSpace(image))
		switch {
		case len(global) > 0 && !imageref.Allowed(ref, global):
			r.Report(o, c.Path+".image", "%s pulls %s from %s, which is not in allowedRegistries", c.Who(), image, ref.Registry)
		case hasLocal && !imageref.Allowed(ref, local):
			r.Report(o, c.Path+".image", "%s pulls %s from %s, which namespace %s does not allow (annotation %s)", c.Who(), image, ref.Registry, o.Namespace, annotationAllowedRegistries)
		}
	}
}

func checkPinned(production bool) func(o *lint.Object, ctx *lint.Context, r *lint.Reporter) {
	return func(o *lint.Object, ctx *lint.Context, r *lint.Reporter) {
		p, cs := o.Containers()
		if p == nil || facts.IsProduction(o, ctx) != production {
			return
		}
		where := ""
		if production {
			where = " in production"
		}
		for i := range cs {
			c := &cs[i]
			image := lint.Str(lint.Field(c.Node, "image"))
			if imageref.Templated(image) {
				continue // resolved elsewhere
			}
			ref := imageref.Parse(strings.TrimSpace(image))
			if ref.Pinned() {
				continue
			}
			if ref.Tag == "" {
				r.Report(o, c.Path+".image", "%s runs %s%s with neither tag nor digest (implicitly latest)", c.Who(), image, where)
				continue
			}
			r.Report(o, c.Path+".image", "%s runs %s%s by tag %s, not by digest", c.Who(), image, where, ref.Tag)
		}
	}
}
