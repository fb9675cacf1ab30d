package generate

import (
	"fmt"
	"sort"
	"strings"

	admissionv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/platformctl/platformctl/pkg/imageref"
	"github.com/platformctl/platformctl/pkg/spec"
)

var (
	typeVAP        = metav1.TypeMeta{APIVersion: "admissionregistration.k8s.io/v1", Kind: "ValidatingAdmissionPolicy"}
	typeVAPBinding = metav1.TypeMeta{APIVersion: "admissionregistration.k8s.io/v1", Kind: "ValidatingAdmissionPolicyBinding"}
	typeIVP        = metav1.TypeMeta{APIVersion: "policies.kyverno.io/v1", Kind: "ImageValidatingPolicy"}
)

// policyNamespaces selects the namespaces of this environment whose pods
// are all rendered by platformctl (apps and data); edge and observability
// also run add-ons the platform owner installs, with their own rules.
func (c *Context) policyNamespaces() *metav1.LabelSelector {
	return &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{
		Key: "kubernetes.io/metadata.name", Operator: metav1.LabelSelectorOpIn, Values: []string{c.NS("apps"), c.NS("data")},
	}}}
}

var podRules = []admissionv1.NamedRuleWithOperations{{RuleWithOperations: admissionv1.RuleWithOperations{
	Operations: []admissionv1.OperationType{admissionv1.Create, admissionv1.Update},
	Rule:       admissionv1.Rule{APIGroups: []string{""}, APIVersions: []string{"v1"}, Resources: []string{"pods"}},
}}}

// policyVariables are the admission policy's named expressions: the pod's
// containers, and the registry each image resolves to as the container
// runtime (and pkg/imageref, which the spec and lint use) reads it — a
// first path component with a '.' or ':' or "localhost" is a host, lower
// case, Docker Hub's aliases are docker.io, anything else (nginx,
// acme/app) is on docker.io — so "allowed" means at admission what it
// means in validate and lint. spec.security.allowedRegistries holds hosts,
// so a host comparison is the whole rule.
var policyVariables = []admissionv1.Variable{
	{Name: "containers", Expression: "object.spec.containers + (has(object.spec.initContainers) ? object.spec.initContainers : [])"},
	{Name: "registries", Expression: "variables.containers.map(c, " + registryOf("c.image") + ")"},
}

// registryOf is the CEL expression for the registry of image expression img.
func registryOf(img string) string {
	first := img + ".split('/')[0]"
	host := first + ".lowerAscii()"
	quoted := make([]string, 0, 3)
	for _, a := range imageref.DockerHubAliases() {
		quoted = append(quoted, "'"+a+"'")
	}
	aliases := "[" + strings.Join(quoted, ", ") + "]"
	return fmt.Sprintf("(%s.split('/').size() == 1 || !(%s.contains('.') || %s.contains(':') || %s == 'localhost')) ? '%s' : (%s in %s ? '%s' : %s)",
		img, first, first, first, imageref.DockerHub, host, aliases, imageref.DockerHub, host)
}

// baselineValidations are the pod rules platformctl's own output always
// meets, enforced at admission so that a hand-applied or drifted workload
// cannot bypass them. Each mirrors a lint rule.
func baselineValidations(c *Context) []admissionv1.Validation {
	v := []admissionv1.Validation{
		{Expression: "variables.containers.all(c, has(c.securityContext) && has(c.securityContext.readOnlyRootFilesystem) && c.securityContext.readOnlyRootFilesystem)",
			Message: "every container needs securityContext.readOnlyRootFilesystem: true (lint: writable-root-filesystem)"},
		{Expression: "variables.containers.all(c, has(c.securityContext) && has(c.securityContext.allowPrivilegeEscalation) && !c.securityContext.allowPrivilegeEscalation)",
			Message: "every container needs securityContext.allowPrivilegeEscalation: false (lint: allow-privilege-escalation)"},
		{Expression: "variables.containers.all(c, has(c.resources) && has(c.resources.requests) && 'cpu' in c.resources.requests && 'memory' in c.resources.requests && has(c.resources.limits) && 'memory' in c.resources.limits)",
			Message: "every container needs CPU and memory requests and a memory limit (lint: missing-cpu-request, missing-memory-request, missing-memory-limit)"},
		{Expression: "variables.containers.all(c, c.image.contains('@sha256:') || (c.image.split('/')[size(c.image.split('/')) - 1].contains(':') && !c.image.endsWith(':latest')))",
			Message: "every image needs a version tag other than latest, or a digest (lint: latest-image-tag)"},
	}
	if c.Tier() == spec.TierProduction {
		v = append(v, admissionv1.Validation{Expression: "variables.containers.all(c, c.image.contains('@sha256:'))",
			Message: "production images must be pinned by digest (lint: image-not-pinned-production)"})
	}
	if regs := c.P.Spec.Security.AllowedRegistries; len(regs) > 0 {
		quoted := make([]string, len(regs))
		for i, r := range regs {
			quoted[i] = "'" + imageref.NormalizeEntry(r) + "'"
		}
		v = append(v, admissionv1.Validation{
			Expression: fmt.Sprintf("variables.registries.all(r, r in [%s])", strings.Join(quoted, ", ")),
			Message:    "images must come from " + strings.Join(regs, ", ") + " (lint: untrusted-registry)"})
	}
	return v
}

// admissionPolicies renders, with security.admissionPolicies, a
// ValidatingAdmissionPolicy and its binding: built into the API server,
// so the baseline holds without any add-on, and the expressions are
// compiled by the server when the policy is created.
func admissionPolicies(c *Context) ([]Object, error) {
	if !c.P.Spec.Security.AdmissionPolicies {
		return nil, nil
	}
	name := c.ClusterName(spec.ClusterPodBaseline)
	src := "spec.security.admissionPolicies"
	policy := &admissionv1.ValidatingAdmissionPolicy{
		TypeMeta:   typeVAP,
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: c.labels(name, "policy")},
		Spec: admissionv1.ValidatingAdmissionPolicySpec{
			FailurePolicy: ptr(admissionv1.Fail),
			MatchConstraints: &admissionv1.MatchResources{
				NamespaceSelector: c.policyNamespaces(),
				ResourceRules:     podRules,
			},
			Variables:   policyVariables,
			Validations: baselineValidations(c),
		},
	}
	binding := &admissionv1.ValidatingAdmissionPolicyBinding{
		TypeMeta:   typeVAPBinding,
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: c.labels(name, "policy")},
		Spec: admissionv1.ValidatingAdmissionPolicyBindingSpec{
			PolicyName:        name,
			ValidationActions: []admissionv1.ValidationAction{admissionv1.Deny, admissionv1.Audit},
			MatchResources:    &admissionv1.MatchResources{NamespaceSelector: c.policyNamespaces()},
		},
	}
	return []Object{
		{ID: id("apps", "ValidatingAdmissionPolicy", "pod-baseline"), Area: "apps", Source: src, Obj: policy},
		{ID: id("apps", "ValidatingAdmissionPolicyBinding", "pod-baseline"), Area: "apps", Source: src, Obj: binding},
	}, nil
}

// ImageValidatingPolicy is policies.kyverno.io/v1 ImageValidatingPolicy;
// Kyverno's API module is the whole engine, so these are the fields
// platformctl emits, checked against the upstream CRD by the e2e tier.
type ImageValidatingPolicy struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              IVPSpec `json:"spec"`
}

// IVPSpec is the subset of the upstream spec platformctl sets.
type IVPSpec struct {
	ValidationActions    []admissionv1.ValidationAction `json:"validationActions"`
	FailurePolicy        *admissionv1.FailurePolicyType `json:"failurePolicy,omitempty"`
	MatchConstraints     *admissionv1.MatchResources    `json:"matchConstraints,omitempty"`
	MatchImageReferences []IVPImageReference            `json:"matchImageReferences,omitempty"`
	Attestors            []IVPAttestor                  `json:"attestors"`
	Validations          []admissionv1.Validation       `json:"validations,omitempty"`
}

// IVPImageReference selects images by glob.
type IVPImageReference struct {
	Glob string `json:"glob,omitempty"`
}

// IVPAttestor is one trusted signer.
type IVPAttestor struct {
	Name   string     `json:"name"`
	Cosign *IVPCosign `json:"cosign,omitempty"`
}

// IVPCosign is a cosign keyless identity or public key.
type IVPCosign struct {
	Key     *IVPKey     `json:"key,omitempty"`
	Keyless *IVPKeyless `json:"keyless,omitempty"`
}

// IVPKey is a public key.
type IVPKey struct {
	Data string `json:"data,omitempty"`
}

// IVPKeyless lists accepted OIDC identities.
type IVPKeyless struct {
	Identities []IVPIdentity `json:"identities"`
}

// IVPIdentity is an OIDC issuer and subject.
type IVPIdentity struct {
	Issuer  string `json:"issuer,omitempty"`
	Subject string `json:"subject,omitempty"`
}

// verifiedImages are the globs to verify: the spec's, or every repository
// a service or canary runs (tag and digest forms).
func verifiedImages(p *spec.Platform) []string {
	if v := p.Spec.Security.ImageVerification; len(v.Images) > 0 {
		return v.Images
	}
	set := map[string]bool{}
	for _, svc := range p.Spec.Services {
		images := []string{svc.Image}
		if svc.Canary != nil {
			images = append(images, svc.Canary.Image)
		}
		for _, img := range images {
			repo := imageref.Parse(img).Name
			set[repo+":*"] = true
			set[repo+"@*"] = true
		}
	}
	out := make([]string, 0, len(set))
	for g := range set {
		out = append(out, g)
	}
	sort.Strings(out)
	return out
}

// imageVerification renders, with security.imageVerification, a Kyverno
// ImageValidatingPolicy that admits a pod only when each of its platform
// images carries a cosign signature by the configured signer.
func imageVerification(c *Context) ([]Object, error) {
	v := c.P.Spec.Security.ImageVerification
	if v == nil {
		return nil, nil
	}
	var attestors []IVPAttestor
	var refs []string
	if v.Issuer != "" {
		attestors = append(attestors, IVPAttestor{Name: "keyless", Cosign: &IVPCosign{
			Keyless: &IVPKeyless{Identities: []IVPIdentity{{Issuer: v.Issuer, Subject: v.Subject}}}}})
		refs = append(refs, "attestors.keyless")
	}
	if v.PublicKey != "" {
		attestors = append(attestors, IVPAttestor{Name: "key", Cosign: &IVPCosign{Key: &IVPKey{Data: v.PublicKey}}})
		refs = append(refs, "attestors.key")
	}
	name := c.ClusterName(spec.ClusterVerifyImages)
	policy := &ImageValidatingPolicy{
		TypeMeta:   typeIVP,
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: c.labels(name, "policy")},
		Spec: IVPSpec{
			ValidationActions:    []admissionv1.ValidationAction{admissionv1.Deny},
			FailurePolicy:        ptr(admissionv1.Fail),
			MatchConstraints:     &admissionv1.MatchResources{NamespaceSelector: c.policyNamespaces(), ResourceRules: podRules},
			MatchImageReferences: nil,
			Attestors:            attestors,
			Validations: []admissionv1.Validation{{
				// The count is of attestors that verified: any one will do.
				// Init containers count too: a service's sidecars run as
				// native sidecars there (Kyverno lists them apart).
				Expression: "(images.containers + ('initContainers' in images ? images.initContainers : [])).map(image, verifyImageSignatures(image, [" + strings.Join(refs, ", ") + "])).all(e, e > 0)",
				Message:    "an image is not signed by the platform's signer (spec.security.imageVerification)",
			}},
		},
	}
	for _, g := range verifiedImages(c.P) {
		policy.Spec.MatchImageReferences = append(policy.Spec.MatchImageReferences, IVPImageReference{Glob: g})
	}
	return []Object{{ID: id("apps", "ImageValidatingPolicy", "verify-images"), Area: "apps",
		Source: "spec.security.imageVerification", Obj: policy}}, nil
}
