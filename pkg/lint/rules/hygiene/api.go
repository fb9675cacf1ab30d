package hygiene

import (
	"strconv"
	"strings"
	"sync"

	"github.com/platformctl/platformctl/pkg/lint"
	"github.com/platformctl/platformctl/pkg/lint/rules/internal/facts"
)

// apiChange is what became of an apiVersion for a kind.
type apiChange struct {
	// in is the Kubernetes release that removed (or deprecated) it.
	in string
	// use is the replacement apiVersion, or advice when there is none.
	use string
}

// removedAPIs follows the Kubernetes Deprecated API Migration Guide, keyed
// by "apiVersion kind". Kinds are listed one by one because some versions
// live on for other kinds (storage.k8s.io/v1beta1 still serves
// VolumeAttributesClass). Built on first use, not at every start-up.
var removedAPIs = sync.OnceValue(func() map[string]apiChange { return apiTable(fillRemoved) })

// apiTable is a table of apiChanges, keyed by "apiVersion kind", that
// fill writes with add.
func apiTable(fill func(add func(apiVersion, in, use string, kinds ...string))) map[string]apiChange {
	m := map[string]apiChange{}
	fill(func(apiVersion, in, use string, kinds ...string) {
		for _, k := range kinds {
			m[apiVersion+" "+k] = apiChange{in: in, use: use}
		}
	})
	return m
}

func fillRemoved(add func(apiVersion, in, use string, kinds ...string)) {
	add("extensions/v1beta1", "v1.16", "apps/v1", "DaemonSet", "Deployment", "ReplicaSet")
	add("extensions/v1beta1", "v1.16", "networking.k8s.io/v1", "NetworkPolicy")
	add("extensions/v1beta1", "v1.16", "nothing: PodSecurityPolicy is gone (v1.25); use Pod Security Admission labels on the Namespace", "PodSecurityPolicy")
	add("extensions/v1beta1", "v1.22", "networking.k8s.io/v1", "Ingress")
	add("apps/v1beta1", "v1.16", "apps/v1", "Deployment", "StatefulSet", "ReplicaSet", "ControllerRevision")
	add("apps/v1beta2", "v1.16", "apps/v1", "DaemonSet", "Deployment", "StatefulSet", "ReplicaSet", "ControllerRevision")
	add("admissionregistration.k8s.io/v1beta1", "v1.22", "admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration")
	add("apiextensions.k8s.io/v1beta1", "v1.22", "apiextensions.k8s.io/v1", "CustomResourceDefinition")
	add("apiregistration.k8s.io/v1beta1", "v1.22", "apiregistration.k8s.io/v1", "APIService")
	add("authentication.k8s.io/v1beta1", "v1.22", "authentication.k8s.io/v1", "TokenReview")
	add("authorization.k8s.io/v1beta1", "v1.22", "authorization.k8s.io/v1", "LocalSubjectAccessReview", "SelfSubjectAccessReview", "SubjectAccessReview")
	add("certificates.k8s.io/v1beta1", "v1.22", "certificates.k8s.io/v1", "CertificateSigningRequest")
	add("coordination.k8s.io/v1beta1", "v1.22", "coordination.k8s.io/v1", "Lease")
	add("networking.k8s.io/v1beta1", "v1.22", "networking.k8s.io/v1", "Ingress", "IngressClass")
	for _, v := range []string{"v1beta1", "v1alpha1"} {
		add("rbac.authorization.k8s.io/"+v, "v1.22", "rbac.authorization.k8s.io/v1", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding")
		add("scheduling.k8s.io/"+v, "v1.22", "scheduling.k8s.io/v1", "PriorityClass")
	}
	add("storage.k8s.io/v1beta1", "v1.22", "storage.k8s.io/v1", "CSIDriver", "CSINode", "StorageClass", "VolumeAttachment")
	add("batch/v1beta1", "v1.25", "batch/v1", "CronJob")
	add("batch/v2alpha1", "v1.21", "batch/v1", "CronJob")
	add("discovery.k8s.io/v1beta1", "v1.25", "discovery.k8s.io/v1", "EndpointSlice")
	add("events.k8s.io/v1beta1", "v1.25", "events.k8s.io/v1", "Event")
	add("autoscaling/v2beta1", "v1.25", "autoscaling/v2", "HorizontalPodAutoscaler")
	add("policy/v1beta1", "v1.25", "policy/v1", "PodDisruptionBudget")
	add("policy/v1beta1", "v1.25", "nothing: PodSecurityPolicy is gone; use Pod Security Admission labels on the Namespace", "PodSecurityPolicy")
	add("node.k8s.io/v1beta1", "v1.25", "node.k8s.io/v1", "RuntimeClass")
	add("autoscaling/v2beta2", "v1.26", "autoscaling/v2", "HorizontalPodAutoscaler")
	add("flowcontrol.apiserver.k8s.io/v1beta1", "v1.26", "flowcontrol.apiserver.k8s.io/v1", "FlowSchema", "PriorityLevelConfiguration")
	add("storage.k8s.io/v1beta1", "v1.27", "storage.k8s.io/v1", "CSIStorageCapacity")
	add("flowcontrol.apiserver.k8s.io/v1beta2", "v1.29", "flowcontrol.apiserver.k8s.io/v1", "FlowSchema", "PriorityLevelConfiguration")
	add("flowcontrol.apiserver.k8s.io/v1beta3", "v1.32", "flowcontrol.apiserver.k8s.io/v1", "FlowSchema", "PriorityLevelConfiguration")
}

// introducedAPIs are the API versions first served (GA, or beta on by
// default) after the oldest release lint targets, keyed like removedAPIs:
// an object of one is refused by an older cluster ("no matches for
// kind"). in is the first release that serves it; use says what an
// older one serves instead.
var introducedAPIs = sync.OnceValue(func() map[string]apiChange { return apiTable(fillIntroduced) })

func fillIntroduced(add func(apiVersion, in, use string, kinds ...string)) {
	add("flowcontrol.apiserver.k8s.io/v1", "v1.29", "use flowcontrol.apiserver.k8s.io/v1beta3", "FlowSchema", "PriorityLevelConfiguration")
	add("admissionregistration.k8s.io/v1", "v1.30", "use admissionregistration.k8s.io/v1beta1 (off by default before 1.30) or a validating webhook", "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding")
	add("networking.k8s.io/v1", "v1.33", "no version is on by default before it (networking.k8s.io/v1beta1 needs its feature gate)", "ServiceCIDR", "IPAddress")
	add("storage.k8s.io/v1", "v1.34", "storage.k8s.io/v1beta1 needs its feature gate and runtime-config before it", "VolumeAttributesClass")
	add("resource.k8s.io/v1", "v1.34", "resource.k8s.io/v1beta2 (1.33) needs its feature gate and runtime-config before it", "ResourceClaim", "ResourceClaimTemplate", "DeviceClass", "ResourceSlice")
}

// minorOf is the minor release of "v1.NN".
func minorOf(release string) int {
	_, minor, _ := strings.Cut(strings.TrimPrefix(release, "v"), ".")
	n, _ := strconv.Atoi(minor)
	return n
}

// deprecatedAPIs are still served but announced for removal; the API
// server answers them with a deprecation warning.
var deprecatedAPIs = map[string]apiChange{
	"v1 Endpoints":       {in: "v1.33", use: "discovery.k8s.io/v1 EndpointSlice (with the kubernetes.io/service-name label)"},
	"v1 ComponentStatus": {in: "v1.19", use: "nothing: query the components' health endpoints directly"},
}

func replacement(use string) string {
	if strings.HasPrefix(use, "nothing:") {
		return "there is no replacement: " + strings.TrimSpace(strings.TrimPrefix(use, "nothing:"))
	}
	return "use " + use
}

func removedAPIVersion() lint.Rule {
	return lint.Rule{
		ID: "removed-api-version", Title: "apiVersion removed from Kubernetes", Category: lint.CategoryHygiene, Severity: lint.Error,
		Description: "The object uses an apiVersion that the target release (params.kubeVersion, `lint --kube-version`; default the newest, " + lint.KubeRelease(lint.NewestKubeMinor) + ") no longer serves (extensions/v1beta1, apps/v1beta1 and v1beta2, policy/v1beta1, batch/v1beta1, autoscaling/v2beta1 and v2beta2, " +
			"networking.k8s.io/v1beta1 Ingress, rbac v1beta1, flowcontrol v1beta1–v1beta3 and the rest of the Deprecated API Migration Guide). " +
			"Applying it fails with \"no matches for kind\", and charts that still carry it break at the next cluster upgrade.",
		Remediation: "Change apiVersion to the replacement named in the message and adapt the fields that changed (kubectl convert helps); PodSecurityPolicy has no replacement — use Pod Security Admission.",
		References:  []string{"https://kubernetes.io/docs/reference/using-api/deprecation-guide/", "kube-score stable-version", "kube-linter no-extensions-v1beta"},
		Check: func(o *lint.Object, ctx *lint.Context, r *lint.Reporter) {
			if c, ok := removedAPIs()[o.APIVersion+" "+o.Kind]; ok && ctx.Params.KubeMinor() >= minorOf(c.in) {
				r.Report(o, "apiVersion", "%s %s was removed in Kubernetes %s (the target is %s); %s", o.APIVersion, o.Kind, lint.KubeRelease(minorOf(c.in)),
					lint.KubeRelease(ctx.Params.KubeMinor()), replacement(c.use))
			}
		},
	}
}

func apiVersionNotServed() lint.Rule {
	return lint.Rule{
		ID: "api-version-not-served", Title: "apiVersion not yet served by the target Kubernetes", Category: lint.CategoryHygiene, Severity: lint.Error,
		Description: "The object uses an apiVersion that the target release (params.kubeVersion, `lint --kube-version`; default the newest, " + lint.KubeRelease(lint.NewestKubeMinor) + ") does not serve yet: " +
			"flowcontrol v1 before 1.29, ValidatingAdmissionPolicy v1 before 1.30, networking.k8s.io/v1 ServiceCIDR and IPAddress before 1.33, storage.k8s.io/v1 VolumeAttributesClass and resource.k8s.io/v1 (dynamic resource allocation) before 1.34. " +
			"Applying it to that cluster fails with \"no matches for kind\".",
		Remediation: "Use the version the target serves (the message names it), or upgrade the cluster before applying.",
		References:  []string{"https://kubernetes.io/docs/reference/using-api/#api-versioning", "kubeconform -kubernetes-version"},
		Check: func(o *lint.Object, ctx *lint.Context, r *lint.Reporter) {
			if c, ok := introducedAPIs()[o.APIVersion+" "+o.Kind]; ok && ctx.Params.KubeMinor() < minorOf(c.in) {
				r.Report(o, "apiVersion", "%s %s is served from Kubernetes %s on, and the target is %s: %s", o.APIVersion, o.Kind, lint.KubeRelease(minorOf(c.in)),
					lint.KubeRelease(ctx.Params.KubeMinor()), c.use)
			}
		},
	}
}

func deprecatedAPIVersion() lint.Rule {
	return lint.Rule{
		ID: "deprecated-api-version", Title: "Deprecated API", Category: lint.CategoryHygiene, Severity: lint.Warning,
		Description: "The object uses an API that Kubernetes still serves but has deprecated (core v1 Endpoints since v1.33, ComponentStatus since v1.19). " +
			"Every apply prints a deprecation warning, and the API will be removed or frozen; tooling built on it stops seeing new features (dual-stack, topology, terminating endpoints).",
		Remediation: "Move to the replacement named in the message.",
		References:  []string{"https://kubernetes.io/docs/reference/using-api/deprecation-guide/", "https://kubernetes.io/docs/concepts/services-networking/endpoint-slices/"},
		Check: func(o *lint.Object, ctx *lint.Context, r *lint.Reporter) {
			if c, ok := deprecatedAPIs[o.APIVersion+" "+o.Kind]; ok && ctx.Params.KubeMinor() >= minorOf(c.in) {
				r.Report(o, "apiVersion", "%s %s is deprecated since Kubernetes %s; %s", o.APIVersion, o.Kind, lint.KubeRelease(minorOf(c.in)), replacement(c.use))
			}
		},
	}
}

func defaultNamespace() lint.Rule {
	return lint.Rule{
		ID: "default-namespace", Title: "Object in the default namespace", Category: lint.CategoryHygiene, Severity: lint.Warning,
		Description: "The object sets namespace: default. The default namespace is where everything without a namespace lands, so it mixes unrelated workloads: " +
			"quotas, NetworkPolicies, RBAC and Pod Security levels cannot be scoped to one application, and a stray kubectl apply lands next to production. " +
			"Objects without a namespace are not judged — Kustomize or kubectl -n may set it.",
		Remediation: "Give each application its own namespace and set metadata.namespace (or Kustomize's namespace:) to it.",
		References:  []string{"https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/", "CIS Kubernetes Benchmark 5.7.4", "kube-linter use-namespace"},
		Check: func(o *lint.Object, _ *lint.Context, r *lint.Reporter) {
			if o.Namespace == "default" {
				r.Report(o, "metadata.namespace", "%s is in the default namespace", facts.Describe(o))
			}
		},
	}
}

func missingRequiredLabels() lint.Rule {
	return lint.Rule{
		ID: "missing-required-labels", Title: "Object without the required labels", Category: lint.CategoryHygiene, Severity: lint.Warning,
		Description: "The object lacks labels the configuration requires (params.requiredLabels, default app.kubernetes.io/name). " +
			"Without them, cost reports, dashboards, kubectl -l queries, ownership lookups during an incident and label-based policies miss the object.",
		Remediation: "Add the labels to metadata.labels (Kustomize labels: or commonLabels: sets them everywhere), following the Kubernetes recommended labels.",
		References:  []string{"https://kubernetes.io/docs/concepts/overview/working-with-objects/common-labels/", "kube-linter required-label-owner"},
		Check: func(o *lint.Object, c *lint.Context, r *lint.Reporter) {
			var missing []string
			for _, l := range c.Params.RequiredLabels {
				if _, ok := o.Labels[l]; !ok {
					missing = append(missing, l)
				}
			}
			if len(missing) > 0 {
				r.Report(o, "metadata.labels", "%s has no %s label%s", facts.Describe(o), strings.Join(missing, ", "), map[bool]string{true: "s"}[len(missing) > 1])
			}
		},
	}
}
