package security

import (
	"fmt"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/platformctl/platformctl/pkg/lint"
)

// Service accounts: which API identity a pod carries, and whether its token
// is in the pod at all.

func serviceAccountRules() []lint.Rule {
	return []lint.Rule{
		{
			ID: "automount-service-account-token", Title: "Service account token is mounted", Category: lint.CategorySecurity, Severity: lint.Warning,
			Description: "Unless automountServiceAccountToken is false on the pod or its ServiceAccount, every container gets an API token at /var/run/secrets/kubernetes.io/serviceaccount. Most applications never call the API; for them the token is only something an attacker with a file read or code execution can take to the API server, with whatever RBAC the account has or gets later. " +
				"A projected serviceAccountToken volume without an audience (or with the API server's, https://kubernetes.default.svc…) is the same token by another route and is reported although automount is off; one with another audience is not: that is how workload identity works (AWS IRSA's sts.amazonaws.com, EKS Pod Identity's pods.eks.amazonaws.com, Azure's api://AzureADTokenExchange, GKE's workload pool), and the API server refuses such a token.",
			Remediation: "Set automountServiceAccountToken: false on the pod spec, or on the ServiceAccount (the pod inherits it). Pods that call the API keep the token: ignore this rule on them with the reason.",
			References:  []string{"CIS 5.1.6", nsaGuide, "https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/"},
			Check:       checkAutomount,
		},
		{
			ID: "default-service-account", Title: "Pod uses the default service account", Category: lint.CategorySecurity, Severity: lint.Warning,
			Description: "Every pod of the namespace that names no service account shares the default one, so any permission granted to it, for one workload, is granted to all of them, and their tokens are interchangeable. Pods that do not mount a token at all are not reported.",
			Remediation: "Create a ServiceAccount per workload (with automountServiceAccountToken: false unless it calls the API) and set spec.serviceAccountName to it.",
			References:  []string{"CIS 5.1.5", nsaGuide, "https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/"},
			Check:       checkDefaultServiceAccount,
		},
		{
			ID: "missing-service-account", Title: "Service account does not exist", Category: lint.CategorySecurity, Severity: lint.Error,
			Description: "The pod names a ServiceAccount that is not among the manifests of its namespace: the API server refuses to create its pods (the controller reports \"serviceaccount not found\"), or, if someone creates the account by hand later, the workload runs with an identity nobody reviewed. Only judged for namespaces whose manifests define at least one ServiceAccount, so partial inputs are not flooded.",
			Remediation: "Add the ServiceAccount to the manifests, or fix spec.serviceAccountName to name an existing one.",
			References:  []string{"CIS 5.1.5", "https://kubernetes.io/docs/concepts/security/service-accounts/"},
			CheckSet:    checkMissingServiceAccount,
		},
		{
			ID: "long-lived-token-secret", Title: "Long-lived service account token", Category: lint.CategorySecurity, Severity: lint.Warning,
			Description: "A Secret of type kubernetes.io/service-account-token holds a token that never expires and is not bound to a pod: copied once (from Git, a backup, a CI log, anyone who can read Secrets in the namespace), it works until someone deletes the Secret. Kubernetes stopped creating them automatically in 1.24 for that reason.",
			Remediation: "Delete the Secret. Pods get short-lived, automatically rotated tokens through the projected service account volume; external clients can request one with `kubectl create token` or the TokenRequest API, or use workload identity federation.",
			References:  []string{nsaGuide, "https://kubernetes.io/docs/concepts/security/service-accounts/#authenticating-credentials"},
			CEL:         &lint.CEL{Kinds: []string{"Secret"}, Expression: "object.?apiVersion.orValue('').contains('/') || object.?type.orValue('') != 'kubernetes.io/service-account-token'", Message: "the Secret holds a non-expiring API token of a ServiceAccount"},
			Check:       checkLongLivedToken,
		},
	}
}

func checkLongLivedToken(o *lint.Object, _ *lint.Context, r *lint.Reporter) {
	if o.Kind != "Secret" || o.Group() != "" || lint.Str(lint.Field(o.Root, "type")) != "kubernetes.io/service-account-token" {
		return
	}
	r.Report(o, "type", "Secret %s holds a non-expiring API token of ServiceAccount %q", o.Name, o.Annotations["kubernetes.io/service-account.name"])
}

// serviceAccountName returns the account a pod runs as and the path of the
// field that says so; the deprecated serviceAccount field still works.
func serviceAccountName(p *lint.Pod) (name, at string) {
	return serviceAccountOf(p.Spec, p.Path)
}

func serviceAccountOf(spec *yaml.Node, path string) (name, at string) {
	if n := lint.Str(lint.Field(spec, "serviceAccountName")); n != "" {
		return n, path + ".serviceAccountName"
	}
	if n := lint.Str(lint.Field(spec, "serviceAccount")); n != "" {
		return n, path + ".serviceAccount"
	}
	return "default", path + ".serviceAccountName"
}

// tokenMounted says whether the pod gets an API token automatically, and
// which object and field decided it.
func tokenMounted(o *lint.Object, p *lint.Pod, ctx *lint.Context) (mounted bool, sa *lint.Object) {
	name, _ := serviceAccountName(p)
	if ctx != nil && ctx.Set != nil {
		sa = ctx.Set.Lookup("ServiceAccount", o.Namespace, name)
	}
	if v, ok := lint.Bool(lint.Field(p.Spec, "automountServiceAccountToken")); ok {
		return v, sa
	}
	if sa != nil {
		if v, ok := lint.Bool(lint.Field(sa.Root, "automountServiceAccountToken")); ok {
			return v, sa
		}
	}
	return true, sa
}

func checkAutomount(o *lint.Object, ctx *lint.Context, r *lint.Reporter) {
	p := o.Pod()
	if p == nil {
		return
	}
	mounted, sa := tokenMounted(o, p, ctx)
	name, _ := serviceAccountName(p)
	if !mounted {
		apiTokenVolumes(o, p, name, r)
		return
	}
	at := p.Path + ".automountServiceAccountToken"
	switch {
	case lint.IsTrue(lint.Field(p.Spec, "automountServiceAccountToken")):
		r.Report(o, at, "the pod sets automountServiceAccountToken: true, mounting the API token of ServiceAccount %q in every container", name)
	case sa == nil:
		r.Report(o, at, "the pod mounts the API token of ServiceAccount %q: it does not set automountServiceAccountToken: false, and the ServiceAccount is not among the inputs", name)
	case lint.IsTrue(lint.Field(sa.Root, "automountServiceAccountToken")):
		r.Report(o, at, "the pod mounts the API token of ServiceAccount %q, which sets automountServiceAccountToken: true", name)
	default:
		r.Report(o, at, "the pod mounts the API token of ServiceAccount %q: neither the pod nor the ServiceAccount sets automountServiceAccountToken: false", name)
	}
}

// apiTokenVolumes reports projected service account tokens meant for the
// API server: a serviceAccountToken source without audience gets the API
// server's, so it is the automounted token by another route. A token with
// another audience (a workload identity provider's: sts.amazonaws.com,
// pods.eks.amazonaws.com, api://AzureADTokenExchange, a GKE workload
// pool) is what those providers need, and the API server refuses it.
func apiTokenVolumes(o *lint.Object, p *lint.Pod, sa string, r *lint.Reporter) {
	for i, v := range lint.Items(lint.Field(p.Spec, "volumes")) {
		for j, src := range lint.Items(lint.Get(v, "projected", "sources")) {
			tok := lint.Field(src, "serviceAccountToken")
			if tok == nil {
				continue
			}
			aud := strings.TrimSpace(lint.Str(lint.Field(tok, "audience")))
			if aud != "" && !strings.HasPrefix(aud, "https://kubernetes.default.svc") {
				continue
			}
			at := fmt.Sprintf("%s.volumes[%d].projected.sources[%d].serviceAccountToken", p.Path, i, j)
			r.Report(o, at, "volume %q projects an API server token of ServiceAccount %q (a serviceAccountToken without another audience), which automountServiceAccountToken: false does not keep out; give it the audience of its reader (sts.amazonaws.com, api://AzureADTokenExchange, …) or remove it", lint.Str(lint.Field(v, "name")), sa)
		}
	}
}

func checkDefaultServiceAccount(o *lint.Object, ctx *lint.Context, r *lint.Reporter) {
	p := o.Pod()
	if p == nil {
		return
	}
	name, at := serviceAccountName(p)
	if name != "default" {
		return
	}
	if mounted, _ := tokenMounted(o, p, ctx); !mounted {
		return
	}
	if lint.Field(p.Spec, "serviceAccountName") == nil && lint.Field(p.Spec, "serviceAccount") == nil {
		r.Report(o, at, "the pod names no service account, so it runs as the namespace's default ServiceAccount with its token mounted")
		return
	}
	r.Report(o, at, "the pod runs as the namespace's default ServiceAccount with its token mounted")
}

func checkMissingServiceAccount(s *lint.Set, _ *lint.Context, r *lint.Reporter) {
	accounts := s.OfKind("ServiceAccount")
	if len(accounts) == 0 {
		return
	}
	judged := make(map[string]bool, len(accounts))
	for _, sa := range accounts {
		judged[sa.Namespace] = true
	}
	for _, o := range s.Objects {
		if !judged[o.Namespace] {
			continue
		}
		p := o.Pod()
		if p == nil {
			continue
		}
		name, at := serviceAccountOf(p.Spec, p.Path)
		// Kubernetes creates "default" in every namespace.
		if name == "default" || s.Lookup("ServiceAccount", o.Namespace, name) != nil {
			continue
		}
		r.Report(o, at, "ServiceAccount %q does not exist in namespace %q among the inputs", name, nsName(o.Namespace))
	}
}

// nsName names a namespace for messages; objects without one land in the
// namespace of the kubectl context, "default" unless told otherwise.
func nsName(ns string) string {
	if ns == "" {
		return "default"
	}
	return ns
}
