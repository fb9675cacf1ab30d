package generate

import (
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/platformctl/platformctl/pkg/spec"
)

// podSecurityLevel is the Pod Security Standard each area enforces: the
// strictest level its workloads can meet. Edge controllers and observability
// agents sometimes bind low ports or read node data, so they get baseline.
var podSecurityLevel = map[string]string{
	"edge":          "baseline",
	"apps":          "restricted",
	"data":          "restricted",
	"observability": "baseline",
	"cicd":          "restricted",
}

// RulePodSecurityNotEnforced is the lint rule a namespace enforcing privileged opts out of.
const RulePodSecurityNotEnforced = "pod-security-not-enforced"

// PodSecurityLevel returns the enforced Pod Security Standard of an area
// (observability enforces privileged instead with observability.logs).
func PodSecurityLevel(area string) string { return podSecurityLevel[area] }

// AnnotationAllowedRegistries lists, on a Namespace, the registries its
// pods may pull from (read by the lint rule untrusted-registry).
const AnnotationAllowedRegistries = "platformctl.dev/allowed-registries"

var (
	typeNamespace     = metav1.TypeMeta{APIVersion: "v1", Kind: "Namespace"}
	typeNetworkPolicy = metav1.TypeMeta{APIVersion: "networking.k8s.io/v1", Kind: "NetworkPolicy"}
)

func namespaces(c *Context) ([]Object, error) {
	var out []Object
	for _, area := range spec.Areas {
		l := c.labels(c.P.Metadata.Name+"-"+area, "namespace")
		l[LabelArea] = area
		level := podSecurityLevel[area]
		logAgentHere := area == "observability" && c.P.Spec.Observability.Logs != nil
		if logAgentHere {
			// The log agent's read-only hostPath on /var/log/pods is
			// admitted by no level but privileged (baseline forbids
			// hostPath too). Warnings at every apply about the one pod
			// that needs it would teach people to ignore them; audit
			// stays at restricted, so the audit log records every pod
			// that leaves it, and platformctl lint judges each pod here
			// by the restricted rules whatever the label says.
			level = "privileged"
		}
		l["pod-security.kubernetes.io/enforce"] = level
		l["pod-security.kubernetes.io/enforce-version"] = "latest"
		// Warn and audit at restricted everywhere, so drift towards weaker
		// pods shows up before it is enforced.
		l["pod-security.kubernetes.io/warn"] = "restricted"
		l["pod-security.kubernetes.io/warn-version"] = "latest"
		l["pod-security.kubernetes.io/audit"] = "restricted"
		l["pod-security.kubernetes.io/audit-version"] = "latest"
		if logAgentHere {
			l["pod-security.kubernetes.io/warn"] = level
		}
		meta := metav1.ObjectMeta{Name: c.NS(area), Labels: l}
		if logAgentHere {
			ignoreRule(&meta, RulePodSecurityNotEnforced, "observability.logs: the log agent's read-only hostPath on "+PodLogDir+" is admitted only at privileged; audit stays at restricted and lint judges every pod here")
		}
		// Tells `platformctl lint` (rule untrusted-registry) which
		// registries the namespaces that run only rendered workloads may
		// pull from; edge and observability also host add-ons.
		if regs := c.P.Spec.Security.AllowedRegistries; len(regs) > 0 && (area == "apps" || area == "data") {
			meta.Annotations = map[string]string{AnnotationAllowedRegistries: strings.Join(regs, ",")}
		}
		meshNamespace(c, area, &meta)
		previewNamespace(c, &meta)
		out = append(out, Object{
			ID: id(area, "Namespace", ""), Area: area, Source: "spec",
			Obj: &corev1.Namespace{TypeMeta: typeNamespace, ObjectMeta: meta},
		})
	}
	return out, nil
}

// networkBaseline denies all traffic and allows DNS in every namespace
// where pods run: those of the workloads rendered there and those of the
// add-ons a NetworkPolicy rendered there confines (the edge controller,
// Prometheus, Grafana). Everything else is an explicit allow next to the
// workload that needs it. A namespace without either gets no baseline: its
// policies would select nothing (kube-score networkpolicy-targets-pod), and
// any pod platformctl puts there later comes with a render that adds the
// baseline back. rendered is every other generator's output.
func networkBaseline(c *Context, rendered []Object) []Object {
	hosts := map[string]bool{}
	for _, o := range rendered {
		switch o.Obj.(type) {
		case *appsv1.Deployment, *Rollout, *appsv1.StatefulSet, *appsv1.DaemonSet, *batchv1.Job, *batchv1.CronJob, *networkingv1.NetworkPolicy:
			hosts[o.Area] = true
		}
	}
	var out []Object
	for _, area := range spec.Areas {
		if !hosts[area] {
			continue
		}
		ns := c.NS(area)
		out = append(out,
			Object{ID: id(area, "NetworkPolicy", "default-deny"), Area: area, Source: "spec",
				Obj: &networkingv1.NetworkPolicy{
					TypeMeta:   typeNetworkPolicy,
					ObjectMeta: metav1.ObjectMeta{Name: "default-deny", Namespace: ns, Labels: c.labels("default-deny", "network-policy")},
					Spec: networkingv1.NetworkPolicySpec{
						PodSelector: metav1.LabelSelector{},
						PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress},
					},
				}},
			Object{ID: id(area, "NetworkPolicy", "allow-dns"), Area: area, Source: "spec",
				Obj: &networkingv1.NetworkPolicy{
					TypeMeta:   typeNetworkPolicy,
					ObjectMeta: metav1.ObjectMeta{Name: "allow-dns", Namespace: ns, Labels: c.labels("allow-dns", "network-policy")},
					Spec: networkingv1.NetworkPolicySpec{
						PodSelector: metav1.LabelSelector{},
						PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeEgress},
						Egress: []networkingv1.NetworkPolicyEgressRule{{
							To: []networkingv1.NetworkPolicyPeer{{
								NamespaceSelector: systemSelector("kube-system"),
								PodSelector:       &metav1.LabelSelector{MatchLabels: map[string]string{"k8s-app": "kube-dns"}},
							}},
							Ports: []networkingv1.NetworkPolicyPort{
								{Protocol: ptr(corev1.ProtocolUDP), Port: ptr(intstr.FromInt32(53))},
								{Protocol: ptr(corev1.ProtocolTCP), Port: ptr(intstr.FromInt32(53))},
							},
						}},
					},
				}},
		)
		out = append(out, meshBaseline(c, area)...)
	}
	return out
}

// nsSelector selects one namespace by kubernetes.io/metadata.name, a label
// only the API server sets, so no other namespace can claim it.
func nsSelector(ns string) *metav1.LabelSelector {
	return &metav1.LabelSelector{MatchLabels: map[string]string{labelNamespaceName: ns}}
}

const labelNamespaceName = "kubernetes.io/metadata.name"

// systemSelector selects a namespace outside the platform (kube-system,
// an operator's) with matchExpressions alone: it has no matchLabels for the overlay's
// environment label to be added to (manifest.LabelFields).
func systemSelector(ns string) *metav1.LabelSelector {
	return &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{
		Key: labelNamespaceName, Operator: metav1.LabelSelectorOpIn, Values: []string{ns},
	}}}
}

// areaSelector selects, as a NetworkPolicy peer, this environment's
// namespace of area, written the same in every environment: the name is
// one of area's namespaces across the spec's environments
// (kubernetes.io/metadata.name, which no other namespace can claim), and
// the overlay's labels transformer adds platformctl.dev/environment=<env>
// to matchLabels (manifest.LabelFields; every namespace carries it), which
// picks this environment's one. So a policy is one file in base, not a copy
// per environment, and a reviewer reads it once.
func (c *Context) areaSelector(area string) *metav1.LabelSelector {
	return &metav1.LabelSelector{
		MatchLabels: map[string]string{LabelArea: area},
		MatchExpressions: []metav1.LabelSelectorRequirement{{
			Key: labelNamespaceName, Operator: metav1.LabelSelectorOpIn, Values: c.areaNamespaces(area),
		}},
	}
}

// areaNamespaces are the names area's namespace has in the base and in
// every environment, sorted.
func (c *Context) areaNamespaces(area string) []string {
	names := map[string]bool{spec.Namespace(nil, area): true}
	for i := range c.P.Spec.Environments {
		names[spec.Namespace(&c.P.Spec.Environments[i], area)] = true
	}
	return spec.SortedKeys(names)
}

func ptr[T any](v T) *T { return &v }

func tcpPort(p int32) networkingv1.NetworkPolicyPort {
	return networkingv1.NetworkPolicyPort{Protocol: ptr(corev1.ProtocolTCP), Port: ptr(intstr.FromInt32(p))}
}

// restrictedContainer is the container security context of every generated
// workload: the Pod Security Standard "restricted" profile plus a read-only
// root filesystem.
func restrictedContainer() *corev1.SecurityContext {
	return &corev1.SecurityContext{
		AllowPrivilegeEscalation: ptr(false),
		ReadOnlyRootFilesystem:   ptr(true),
		RunAsNonRoot:             ptr(true),
		Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
	}
}

// apiServerPorts are the ports the API server's endpoints listen on: a
// policy sees the connection after the kubernetes Service's translation,
// so its 443 becomes the endpoints' port, 6443 where kubeadm and most
// distributions run the API server, 443 on many managed control planes.
var apiServerPorts = []int32{443, 6443}

// apiServerEgress lets controllers and Prometheus reach the API server,
// whose endpoints are node or control-plane addresses no pod selector can
// name. With network.cni: cilium the pods it is given get apiServerPolicy
// too.
func apiServerEgress() networkingv1.NetworkPolicyEgressRule {
	r := networkingv1.NetworkPolicyEgressRule{To: []networkingv1.NetworkPolicyPeer{{IPBlock: &networkingv1.IPBlock{CIDR: "0.0.0.0/0"}}}}
	for _, p := range apiServerPorts {
		r.Ports = append(r.Ports, tcpPort(p))
	}
	return r
}
