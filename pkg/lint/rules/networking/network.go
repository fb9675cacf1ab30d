package networking

import (
	"fmt"
	"sort"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/platformctl/platformctl/pkg/lint"
	"github.com/platformctl/platformctl/pkg/lint/rules/internal/facts"
)

const (
	docsNetpol = "https://kubernetes.io/docs/concepts/services-networking/network-policies/"
	nsaCISA    = "NSA/CISA Kubernetes Hardening Guide (network separation and hardening)"
)

// serviceSelector returns the selector of a Service that selects pods;
// ok is false for ExternalName and selector-less Services, whose endpoints
// are managed elsewhere.
func serviceSelector(svc *lint.Object) (facts.Selector, bool) {
	if lint.Str(lint.Get(svc.Root, "spec", "type")) == "ExternalName" {
		return facts.Selector{}, false
	}
	m := lint.StringMap(lint.Get(svc.Root, "spec", "selector"))
	// Labels a controller adds to each pod are not in any template; a
	// per-pod Service (redis-0 selecting statefulset.kubernetes.io/pod-name)
	// is judged on the rest of its selector.
	for k := range m {
		if controllerPodLabels[k] {
			delete(m, k)
		}
	}
	if len(m) == 0 {
		return facts.Selector{}, false
	}
	return facts.MapSelector(m), true
}

// controllerPodLabels are set on pods by their controllers, never in a
// pod template.
var controllerPodLabels = map[string]bool{
	"statefulset.kubernetes.io/pod-name":       true,
	"apps.kubernetes.io/pod-index":             true,
	"controller-revision-hash":                 true,
	"pod-template-hash":                        true,
	"batch.kubernetes.io/job-completion-index": true,
	"batch.kubernetes.io/controller-uid":       true,
	"controller-uid":                           true,
}

func formatSelector(m map[string]string) string {
	parts := make([]string, 0, len(m))
	for k, v := range m {
		parts = append(parts, k+"="+v)
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}

func serviceNoPods() lint.Rule {
	return lint.Rule{
		ID: "service-no-pods", Title: "Service selects no pods", Category: lint.CategoryNetworking, Severity: lint.Warning,
		Description: "The Service's selector matches the pod template labels of no workload in its namespace, usually after a label rename or a typo. " +
			"The Service has no endpoints: clients get connection refused or time out, and Ingresses and routes in front of it return 503. " +
			"Only judged when the input has workloads in that namespace, or pods in another namespace that the selector matches (a Service never selects across namespaces); ExternalName and selector-less Services are skipped, and labels controllers add to each pod (statefulset.kubernetes.io/pod-name, apps.kubernetes.io/pod-index, pod-template-hash, …) are left out of the match. " +
			"The proxy pods a Gateway of the input will get (labelled gateway.networking.k8s.io/gateway-name) count as pods.",
		Remediation: "Make spec.selector a subset of the target pod template's labels (same namespace).",
		References:  []string{"https://kubernetes.io/docs/concepts/services-networking/service/", "kube-score service-targets-pod", "kube-linter dangling-service"},
		CheckSet: func(s *lint.Set, _ *lint.Context, r *lint.Reporter) {
			pods := facts.Of(s).PodsByNS
			for _, svc := range s.OfKind(facts.KindService) {
				sel, ok := serviceSelector(svc)
				ix := pods[svc.Namespace]
				if !ok || ix.Any(sel) {
					continue
				}
				// Pods in another namespace that match are the likely target,
				// and proof enough even where the input has no workload in
				// the Service's own namespace.
				other := elsewhere(pods, svc.Namespace, sel)
				if ix == nil && len(other) == 0 {
					continue
				}
				msg := fmt.Sprintf("Service %q selects %s, which matches no pod template in namespace %s", svc.Name, formatSelector(sel.Plain), facts.NsName(svc.Namespace))
				if len(other) > 0 {
					msg += fmt.Sprintf("; pods of namespace %s match, but a Service selects pods of its own namespace only", strings.Join(other, ", "))
				}
				r.Report(svc, "spec.selector", "%s", msg)
			}
		},
	}
}

// declaresPortName says whether a container that serves a Service (regular
// or sidecar) declares a port with name.
func declaresPortName(pi *facts.PodInfo, name string) bool {
	for ci := range pi.Containers {
		c := &pi.Containers[ci]
		if c.Kind != lint.RegularContainer && !c.Sidecar {
			continue
		}
		for _, cp := range facts.ContainerPorts(c.Node) {
			if cp.Name == name {
				return true
			}
		}
	}
	return false
}

func serviceTargetPortNotFound() lint.Rule {
	return lint.Rule{
		ID: "service-target-port-not-found", Title: "Service targets a port name its pods do not have", Category: lint.CategoryNetworking, Severity: lint.Error,
		Description: "A Service port's targetPort is a name (targetPort: http) that no container of a selected workload's pods declares. " +
			"The endpoints controller leaves such pods out of that port's endpoints, so the port has no backends although the pods are running and ready. " +
			"Numeric targetPorts are not judged: containers need not declare the ports they listen on.",
		Remediation: "Declare the port with that name in the container's ports, or change targetPort to a declared name or the number the container listens on.",
		References:  []string{"https://kubernetes.io/docs/concepts/services-networking/service/#defining-a-service"},
		CheckSet: func(s *lint.Set, _ *lint.Context, r *lint.Reporter) {
			pods := facts.Of(s).PodsByNS
			for _, svc := range s.OfKind(facts.KindService) {
				sel, ok := serviceSelector(svc)
				if !ok {
					continue
				}
				var selected []facts.Labeled
				for _, sp := range facts.ServicePorts(svc) {
					tp, ok := facts.ReadPort(sp.TargetPort)
					if !ok || tp.Name == "" {
						continue
					}
					if selected == nil {
						selected = pods[svc.Namespace].Selected(sel)
					}
					var missing []string
					for _, w := range selected {
						if w.Pod != nil && !declaresPortName(w.Pod, tp.Name) {
							missing = append(missing, facts.Describe(w.Obj))
						}
					}
					if len(missing) > 0 {
						r.Report(svc, sp.Path()+".targetPort", "Service %q port %s targets port %q, which the pods of %s do not declare", svc.Name, portLabel(sp), tp.Name, strings.Join(missing, ", "))
					}
				}
			}
		},
	}
}

func portLabel(sp facts.ServicePort) string {
	if sp.Name != "" {
		return fmt.Sprintf("%q (%d)", sp.Name, sp.Port)
	}
	return fmt.Sprint(sp.Port)
}

// serviceHasPort says whether a Service exposes ref (by number or name).
// Services without ports (ExternalName) are not judged.
func serviceHasPort(svc *lint.Object, ref facts.PortRef) bool {
	ports := facts.ServicePorts(svc)
	if len(ports) == 0 {
		return true
	}
	for _, sp := range ports {
		if ref.Name != "" && sp.Name == ref.Name || ref.Name == "" && sp.Port == ref.Num {
			return true
		}
	}
	return false
}

func listServicePorts(svc *lint.Object) string {
	var parts []string
	for _, sp := range facts.ServicePorts(svc) {
		parts = append(parts, portLabel(sp))
	}
	return strings.Join(parts, ", ")
}

// backendNamespaces are namespaces where a missing Service means a broken
// reference: the input has Services or workloads there.
func backendNamespaces(s *lint.Set) map[string]bool {
	out := facts.NamespacesWith(s, func(o *lint.Object) bool { return o.Kind == facts.KindService })
	for ns := range facts.Of(s).PodsByNS {
		out[ns] = true
	}
	return out
}

func ingressBackendMissing() lint.Rule {
	return lint.Rule{
		ID: "ingress-backend-missing", Title: "Ingress routes to a missing Service or port", Category: lint.CategoryNetworking, Severity: lint.Error,
		Description: "An Ingress backend names a Service that the input does not contain, or a port (number or name) that the Service does not expose. " +
			"The controller answers those paths with 503 or drops the rule. Only judged when the input has Services or workloads in the Ingress's namespace, so linting a partial tree does not report it; " +
			"backends with port name use-annotation (the AWS Load Balancer Controller's actions) are not Services and are skipped.",
		Remediation: "Fix backend.service.name and backend.service.port (number: the Service's port, not the targetPort; or name: the Service port's name).",
		References:  []string{"https://kubernetes.io/docs/concepts/services-networking/ingress/", "kube-score ingress-targets-service", "kube-linter dangling-ingress"},
		CheckSet: func(s *lint.Set, _ *lint.Context, r *lint.Reporter) {
			judged := backendNamespaces(s)
			for _, ing := range s.OfKind("Ingress") {
				if !judged[ing.Namespace] {
					continue
				}
				// path is formatted only for a finding.
				check := func(path func() string, b *yaml.Node) {
					if b == nil {
						return
					}
					var name string
					var port facts.PortRef
					var havePort bool
					var nameField, portField string
					if svc := lint.Field(b, "service"); svc != nil {
						name, nameField = lint.Str(lint.Field(svc, "name")), ".service.name"
						if n := lint.Get(svc, "port", "name"); n != nil {
							port, havePort, portField = facts.PortRef{Name: lint.Str(n)}, true, ".service.port.name"
						} else if n, ok := lint.Int(lint.Get(svc, "port", "number")); ok {
							port, havePort, portField = facts.PortRef{Num: n}, true, ".service.port.number"
						}
					} else if n := lint.Str(lint.Field(b, "serviceName")); n != "" {
						// extensions/v1beta1 and networking.k8s.io/v1beta1
						name, nameField = n, ".serviceName"
						port, havePort = facts.ReadPort(lint.Field(b, "servicePort"))
						portField = ".servicePort"
					}
					// The AWS Load Balancer Controller's convention: the
					// backend names an action annotation, not a Service.
					if name == "" || havePort && port.Name == "use-annotation" {
						return
					}
					svc := s.Lookup(facts.KindService, ing.Namespace, name)
					switch {
					case svc == nil:
						r.Report(ing, path()+nameField, "Ingress %q routes to Service %q, which is not in the input (namespace %s)", ing.Name, name, facts.NsName(ing.Namespace))
					case havePort && !serviceHasPort(svc, port):
						r.Report(ing, path()+portField, "Ingress %q routes to port %s of Service %q, which exposes %s", ing.Name, port, name, listServicePorts(svc))
					}
				}
				check(func() string { return "spec.defaultBackend" }, lint.Get(ing.Root, "spec", "defaultBackend"))
				check(func() string { return "spec.backend" }, lint.Get(ing.Root, "spec", "backend"))
				for i, rule := range lint.Items(lint.Get(ing.Root, "spec", "rules")) {
					for j, p := range lint.Items(lint.Get(rule, "http", "paths")) {
						check(func() string { return fmt.Sprintf("spec.rules[%d].http.paths[%d].backend", i, j) }, lint.Field(p, "backend"))
					}
				}
			}
		},
	}
}

var routeKinds = []string{"HTTPRoute", "GRPCRoute", "TLSRoute", "TCPRoute", "UDPRoute"}

func routeBackendMissing() lint.Rule {
	return lint.Rule{
		ID: "route-backend-missing", Title: "Gateway API route to a missing Service or port", Category: lint.CategoryNetworking, Severity: lint.Error,
		Description: "A backendRef (or requestMirror filter) of an HTTPRoute, GRPCRoute, TLSRoute, TCPRoute or UDPRoute names a Service that the input does not contain, " +
			"or a port the Service does not expose. The Gateway marks the route ResolvedRefs=False and answers requests for that backend with 500 (or drops its share of the traffic split). " +
			"backendRefs may point to another namespace; only judged when the input has Services or workloads in the backend's namespace.",
		Remediation: "Fix backendRefs[].name, namespace and port (the Service's port, not the targetPort). A cross-namespace reference also needs a ReferenceGrant in the Service's namespace.",
		References:  []string{"https://gateway-api.sigs.k8s.io/api-types/httproute/#backendrefs", "https://kubernetes.io/docs/concepts/services-networking/gateway/"},
		CheckSet: func(s *lint.Set, _ *lint.Context, r *lint.Reporter) {
			judged := backendNamespaces(s)
			for _, kind := range routeKinds {
				for _, route := range s.OfKind(kind) {
					if route.Group() != "gateway.networking.k8s.io" {
						continue
					}
					// path is formatted only for a finding.
					check := func(path func() string, ref *yaml.Node) {
						group, refKind := lint.Str(lint.Field(ref, "group")), lint.Str(lint.Field(ref, "kind"))
						if group != "" && group != "core" || refKind != "" && refKind != facts.KindService {
							return
						}
						name, ns := lint.Str(lint.Field(ref, "name")), lint.Str(lint.Field(ref, "namespace"))
						if ns == "" {
							ns = route.Namespace
						}
						if name == "" || !judged[ns] {
							return
						}
						svc := s.Lookup(facts.KindService, ns, name)
						port, havePort := lint.Int(lint.Field(ref, "port"))
						switch {
						case svc == nil:
							r.Report(route, path()+".name", "%s %q routes to Service %q, which is not in the input (namespace %s)", kind, route.Name, name, facts.NsName(ns))
						case lint.Field(ref, "port") == nil:
							r.Report(route, path(), "%s %q routes to Service %q without a port; backendRefs to a Service require one", kind, route.Name, name)
						case havePort && !serviceHasPort(svc, facts.PortRef{Num: port}):
							r.Report(route, path()+".port", "%s %q routes to port %d of Service %q, which exposes %s", kind, route.Name, port, name, listServicePorts(svc))
						}
					}
					mirrors := func(path func() string, filters *yaml.Node) {
						for k, f := range lint.Items(filters) {
							if b := lint.Get(f, "requestMirror", "backendRef"); b != nil {
								check(func() string { return fmt.Sprintf("%s[%d].requestMirror.backendRef", path(), k) }, b)
							}
						}
					}
					for i, rule := range lint.Items(lint.Get(route.Root, "spec", "rules")) {
						for j, b := range lint.Items(lint.Field(rule, "backendRefs")) {
							p := func() string { return fmt.Sprintf("spec.rules[%d].backendRefs[%d]", i, j) }
							check(p, b)
							mirrors(func() string { return p() + ".filters" }, lint.Field(b, "filters"))
						}
						mirrors(func() string { return fmt.Sprintf("spec.rules[%d].filters", i) }, lint.Field(rule, "filters"))
					}
				}
			}
		},
	}
}

// otherPolicies finds policy objects of other engines (Calico, Cilium,
// Antrea, AdminNetworkPolicy). They can isolate pods in ways these rules
// do not evaluate, so coverage is not judged where they apply: everywhere
// for cluster-wide ones, in their namespace for namespaced ones.
func otherPolicies(s *lint.Set) (clusterWide bool, namespaced map[string]bool) {
	namespaced = map[string]bool{}
	for _, o := range s.Objects {
		if !strings.HasSuffix(o.Kind, "NetworkPolicy") || facts.IsNetworkPolicy(o) {
			continue
		}
		switch o.Kind {
		case "GlobalNetworkPolicy", "CiliumClusterwideNetworkPolicy", "AdminNetworkPolicy", "BaselineAdminNetworkPolicy", "ClusterNetworkPolicy":
			clusterWide = true
		default:
			namespaced[o.Namespace] = true
		}
	}
	return clusterWide, namespaced
}

func networkPolicyNoPods() lint.Rule {
	return lint.Rule{
		ID: "networkpolicy-no-pods", Title: "NetworkPolicy selects no pods", Category: lint.CategoryNetworking, Severity: lint.Warning,
		Description: "The policy's non-empty podSelector matches the pod template labels of no workload in its namespace. It isolates nothing, and the traffic it was written to allow or restrict is governed by other policies — " +
			"typically after pods were relabelled, so the intended rules silently stopped applying, or when the policy was put in another namespace than its pods. Only judged when the input has workloads in that namespace, or pods in another namespace that the podSelector matches; " +
			"the proxy pods a Gateway of the input will get (labelled gateway.networking.k8s.io/gateway-name) count as pods.",
		Remediation: "Make spec.podSelector match the labels of the pods it is meant for, or delete the policy.",
		References:  []string{docsNetpol, "kube-score networkpolicy-targets-pod", "kube-linter dangling-networkpolicy"},
		CheckSet: func(s *lint.Set, _ *lint.Context, r *lint.Reporter) {
			pods := facts.Of(s).PodsByNS
			for _, np := range s.OfKind(facts.KindNetworkPolicy) {
				ix := pods[np.Namespace]
				if !facts.IsNetworkPolicy(np) {
					continue
				}
				sel := facts.PodSelectorOf(np)
				if sel.Empty() || ix.Any(sel) {
					continue
				}
				other := elsewhere(pods, np.Namespace, sel)
				if ix == nil && len(other) == 0 {
					continue
				}
				msg := fmt.Sprintf("NetworkPolicy %q selects no pods of the workloads in namespace %s", np.Name, facts.NsName(np.Namespace))
				if len(other) > 0 {
					msg += fmt.Sprintf("; pods of namespace %s match, but a NetworkPolicy applies to pods of its own namespace only", strings.Join(other, ", "))
				}
				r.Report(np, "spec.podSelector", "%s", msg)
			}
		},
	}
}

// deniesAll says whether np isolates every pod of its namespace for a
// direction ("ingress" or "egress") without allowing anything.
func deniesAll(np *lint.Object, direction string) bool {
	if !facts.IsNetworkPolicy(np) || !facts.PodSelectorOf(np).Empty() {
		return false
	}
	in, eg := facts.PolicyTypes(np)
	if direction == "ingress" && !in || direction == "egress" && !eg {
		return false
	}
	return len(lint.Items(lint.Get(np.Root, "spec", direction))) == 0
}

func defaultDeny(direction, id string, sev lint.Severity) lint.Rule {
	title := strings.ToUpper(direction[:1]) + direction[1:]
	return lint.Rule{
		ID: id, Title: "Namespace without a default-deny " + direction + " NetworkPolicy", Category: lint.CategoryNetworking, Severity: sev,
		Description: "A namespace that has workloads in the input has no NetworkPolicy with an empty podSelector that denies all " + direction + " (policyTypes including " + title + ", no " + direction + " rules). " +
			"Pods are non-isolated by default: every pod no policy selects " + map[string]string{"ingress": "accepts connections from anywhere in the cluster", "egress": "may open any outbound connection, so a compromised pod reaches every service and the internet"}[direction] + ", " +
			"and each new workload starts open until someone remembers to write its policy. With a default deny, the allow-list is the only way through. " +
			"Not judged when the input has cluster-wide policies of another engine (Calico GlobalNetworkPolicy, CiliumClusterwideNetworkPolicy, AdminNetworkPolicy), which may provide the default.",
		Remediation: "Add to the namespace: a NetworkPolicy with podSelector: {} and policyTypes: [" + title + "] and no " + direction + " rules" +
			map[string]string{"ingress": ", then allow what each workload needs.", "egress": ", then allow DNS (kube-dns on port 53) and what each workload needs."}[direction],
		References: []string{docsNetpol + "#default-policies", nsaCISA},
		CheckSet: func(s *lint.Set, _ *lint.Context, r *lint.Reporter) {
			clusterWide, _ := otherPolicies(s)
			if clusterWide {
				return
			}
			denied := map[string]bool{}
			for _, np := range s.OfKind(facts.KindNetworkPolicy) {
				if deniesAll(np, direction) {
					denied[np.Namespace] = true
				}
			}
			first := map[string]*lint.Object{}
			var order []string
			for _, pi := range facts.Of(s).Pods {
				o := pi.Obj
				if !pi.HostNetwork && !denied[o.Namespace] && first[o.Namespace] == nil {
					first[o.Namespace] = o
					order = append(order, o.Namespace)
				}
			}
			for _, ns := range order {
				anchor, path := facts.NamespaceAnchor(s, ns, first[ns])
				r.Report(anchor, path, "namespace %s has workloads (%s) but no NetworkPolicy that denies all %s by default", facts.NsName(ns), facts.Describe(first[ns]), direction)
			}
		},
	}
}

func podNotCovered() lint.Rule {
	return lint.Rule{
		ID: "pod-not-covered-by-networkpolicy", Title: "Workload not selected by any NetworkPolicy", Category: lint.CategoryNetworking, Severity: lint.Warning,
		Description: "No NetworkPolicy in the workload's namespace selects its pods, so they are not isolated in either direction: any pod in the cluster can connect to them and they can connect anywhere. " +
			"A compromised or misbehaving neighbour has a direct path to them. Not judged where another policy engine's objects (Calico, Cilium, AdminNetworkPolicy) may select the pods, " +
			"nor for hostNetwork pods, which NetworkPolicies cannot isolate.",
		Remediation: "Add a default-deny NetworkPolicy (podSelector: {}) to the namespace and a policy selecting these pods that allows exactly the traffic they need.",
		References:  []string{docsNetpol, nsaCISA, "kube-score pod-networkpolicy", "kube-linter non-isolated-pod"},
		// Per namespace: each workload is matched only against its own
		// namespace's policies, through a selector index, so the cost is
		// O(workloads × labels + candidates), never workloads × all policies.
		CheckSet: func(s *lint.Set, _ *lint.Context, r *lint.Reporter) {
			clusterWide, other := otherPolicies(s)
			if clusterWide {
				return
			}
			idx := lint.Memo(s, facts.NetworkPolicies)
			for _, pi := range facts.Of(s).Pods {
				o := pi.Obj
				if pi.HostNetwork || other[o.Namespace] || idx[o.Namespace].Any(pi.Labels) {
					continue
				}
				r.Report(o, pi.Pod.MetaPath+".labels", "no NetworkPolicy in namespace %s selects the pods of %s", facts.NsName(o.Namespace), facts.Describe(o))
			}
		},
	}
}

// monitorNamespaces reads a Prometheus Operator namespaceSelector: any
// (every namespace), matchNames, or by default the monitor's own.
func monitorNamespaces(m *lint.Object) (all bool, names []string) {
	ns := lint.Get(m.Root, "spec", "namespaceSelector")
	if lint.IsTrue(lint.Field(ns, "any")) {
		return true, nil
	}
	if names = lint.Strings(lint.Field(ns, "matchNames")); len(names) > 0 {
		return false, names
	}
	return false, []string{m.Namespace}
}

// monitorCheck reports monitors whose selector matches nothing in the
// indexes of the namespaces they look at, when any of those namespaces has
// candidates in the input at all.
func monitorCheck(kind, what string, build func(*lint.Set) map[string]*facts.LabelIndex) func(*lint.Set, *lint.Context, *lint.Reporter) {
	return func(s *lint.Set, _ *lint.Context, r *lint.Reporter) {
		var idx map[string]*facts.LabelIndex
		for _, m := range s.OfKind(kind) {
			if m.Group() != "monitoring.coreos.com" {
				continue
			}
			if idx == nil {
				idx = build(s)
			}
			// The selector is a struct, not a pointer: absent means empty,
			// which selects everything.
			sel := facts.LabelSelector(lint.Get(m.Root, "spec", "selector"))
			if sel.Node == nil {
				sel = facts.Selector{Plain: map[string]string{}}
			}
			all, names := monitorNamespaces(m)
			judged, found := false, false
			if all {
				for _, ix := range idx {
					judged = true
					if ix.Any(sel) {
						found = true
						break
					}
				}
			} else {
				for _, ns := range names {
					if ix := idx[ns]; ix != nil {
						judged = true
						if ix.Any(sel) {
							found = true
							break
						}
					}
				}
			}
			if judged && !found {
				where := "any namespace"
				if !all {
					quoted := make([]string, len(names))
					for i, n := range names {
						quoted[i] = facts.NsName(n)
					}
					where = "namespace " + strings.Join(quoted, ", ")
				}
				r.Report(m, "spec.selector", "%s %q selects no %s in %s of the input", kind, m.Name, what, where)
			}
		}
	}
}

func serviceMonitorNoServices() lint.Rule {
	return lint.Rule{
		ID: "servicemonitor-no-services", Title: "ServiceMonitor selects no Service", Category: lint.CategoryNetworking, Severity: lint.Warning,
		Description: "A Prometheus Operator ServiceMonitor's selector (in the namespaces its namespaceSelector names, by default its own) matches no Service's labels. " +
			"Prometheus scrapes nothing for it: dashboards go blank and alerts on these metrics never fire, with no error anywhere. " +
			"Only judged when the input has Services in those namespaces.",
		Remediation: "Make spec.selector match the labels of the Service (not of the pods), and spec.namespaceSelector name the Service's namespace.",
		References:  []string{"https://prometheus-operator.dev/docs/api-reference/api/#monitoring.coreos.com/v1.ServiceMonitor", "kube-linter dangling-servicemonitor"},
		CheckSet: monitorCheck("ServiceMonitor", "Services", func(s *lint.Set) map[string]*facts.LabelIndex {
			idx := map[string]*facts.LabelIndex{}
			for _, svc := range s.OfKind(facts.KindService) {
				ix := idx[svc.Namespace]
				if ix == nil {
					ix = &facts.LabelIndex{}
					idx[svc.Namespace] = ix
				}
				ix.Add(facts.Labeled{Obj: svc, Labels: svc.Labels})
			}
			return idx
		}),
	}
}

func podMonitorNoPods() lint.Rule {
	return lint.Rule{
		ID: "podmonitor-no-pods", Title: "PodMonitor selects no pods", Category: lint.CategoryNetworking, Severity: lint.Warning,
		Description: "A Prometheus Operator PodMonitor's selector (in the namespaces its namespaceSelector names, by default its own) matches the pod template labels of no workload. " +
			"Prometheus scrapes nothing for it, silently. Only judged when the input has workloads in those namespaces.",
		Remediation: "Make spec.selector match the pod template labels, and spec.namespaceSelector name the pods' namespace.",
		References:  []string{"https://prometheus-operator.dev/docs/api-reference/api/#monitoring.coreos.com/v1.PodMonitor"},
		CheckSet:    monitorCheck("PodMonitor", "pods", func(s *lint.Set) map[string]*facts.LabelIndex { return facts.Of(s).PodsByNS }),
	}
}

func invalidPortName() lint.Rule {
	return lint.Rule{
		ID: "invalid-port-name", Title: "Invalid port name", Category: lint.CategoryNetworking, Severity: lint.Error,
		Description: "Container port names, named probe ports and Service targetPort names must be IANA service names: at most 15 characters, lowercase letters, digits and '-', " +
			"at least one letter, no '-' at either end and no \"--\". Service port names must be DNS labels, and a Service with several ports must name each one, uniquely. " +
			"The API server rejects the object otherwise, so the apply fails.",
		Remediation: "Rename the port (e.g. http, grpc, metrics, http-admin); shorten names longer than 15 characters.",
		References:  []string{"https://www.rfc-editor.org/rfc/rfc6335.html#section-5.1", "https://kubernetes.io/docs/reference/kubernetes-api/service-resources/service-v1/#ServiceSpec", "kube-linter invalid-target-ports"},
		Check: func(o *lint.Object, _ *lint.Context, r *lint.Reporter) {
			if o.Kind == facts.KindService {
				checkServicePortNames(o, r)
				return
			}
			p := o.Pod()
			if p == nil {
				return
			}
			for ci := range p.Containers() {
				c := &p.Containers()[ci]
				for i, port := range lint.Items(lint.Field(c.Node, "ports")) {
					if n := lint.Field(port, "name"); n != nil && !facts.IsIANASvcName(lint.Str(n)) {
						r.Report(o, fmt.Sprintf("%s.ports[%d].name", c.Path, i), "port name %q of container %q is not a valid IANA service name (≤15 lowercase letters, digits, '-', with a letter)", lint.Str(n), c.Name)
					}
				}
			}
			facts.ProbePorts(o, func(c *lint.Container, probe, path string, ref facts.PortRef) {
				if ref.Name != "" && !facts.IsIANASvcName(ref.Name) {
					r.Report(o, path, "%s of container %q uses port name %q, which is not a valid IANA service name", probe, c.Name, ref.Name)
				}
			})
		},
	}
}

func checkServicePortNames(svc *lint.Object, r *lint.Reporter) {
	ports := facts.ServicePorts(svc)
	seen := map[string]bool{}
	for _, sp := range ports {
		switch {
		case sp.Name == "" && len(ports) > 1:
			r.Report(svc, sp.Path(), "Service %q has %d ports, so port %d needs a name", svc.Name, len(ports), sp.Port)
		case sp.Name != "" && !facts.IsDNSLabel(sp.Name):
			r.Report(svc, sp.Path()+".name", "Service %q port name %q is not a DNS label (lowercase letters, digits, '-')", svc.Name, sp.Name)
		case sp.Name != "" && seen[sp.Name]:
			r.Report(svc, sp.Path()+".name", "Service %q has two ports named %q", svc.Name, sp.Name)
		}
		seen[sp.Name] = true
		if tp, ok := facts.ReadPort(sp.TargetPort); ok && tp.Name != "" && !facts.IsIANASvcName(tp.Name) {
			r.Report(svc, sp.Path()+".targetPort", "Service %q targetPort %q is not a valid IANA service name (≤15 lowercase letters, digits, '-', with a letter)", svc.Name, tp.Name)
		}
	}
}

// gatewayProxyLabels label the proxy pods a Gateway API implementation
// runs for a Gateway: the Gateway API's own (GEP-1762) and Envoy Gateway's.
var gatewayProxyLabels = []string{"gateway.networking.k8s.io/gateway-name", "gateway.envoyproxy.io/owning-gateway-name"}

func gatewayDuplicateLoadBalancer() lint.Rule {
	return lint.Rule{
		ID: "gateway-duplicate-load-balancer", Title: "LoadBalancer Service in front of a Gateway's proxies", Category: lint.CategoryNetworking, Severity: lint.Warning,
		Description: "A Service of type LoadBalancer selects the proxy pods of a Gateway (by gateway.networking.k8s.io/gateway-name or Envoy Gateway's gateway.envoyproxy.io/owning-gateway-name). " +
			"Gateway API implementations (Envoy Gateway, Istio, Cilium, NGINX Gateway Fabric, …) create each Gateway's load balancer Service themselves, so this one is a second cloud load balancer for the same pods: paid twice, with an address the Gateway's status does not report, and settings such as externalTrafficPolicy on it do not reach the implementation's.",
		Remediation: "Delete the Service and set the load balancer through the implementation's parameters, referenced from the Gateway's spec.infrastructure.parametersRef: Envoy Gateway's EnvoyProxy (spec.provider.kubernetes.envoyService.type and externalTrafficPolicy), Istio's ConfigMap (its service key).",
		References:  []string{"https://gateway-api.sigs.k8s.io/geps/gep-1762/", "https://gateway.envoyproxy.io/docs/tasks/operations/customize-envoyproxy/"},
		Check: func(o *lint.Object, _ *lint.Context, r *lint.Reporter) {
			if o.Kind != facts.KindService || lint.Str(lint.Get(o.Root, "spec", "type")) != "LoadBalancer" {
				return
			}
			sel := lint.StringMap(lint.Get(o.Root, "spec", "selector"))
			for _, k := range gatewayProxyLabels {
				if gw, ok := sel[k]; ok {
					r.Report(o, "spec.selector", "Service %q is a second load balancer for the proxies of Gateway %q (%s): the Gateway API implementation creates the Gateway's own; set its type and externalTrafficPolicy through the implementation's parameters and delete this Service", o.Name, gw, k)
					return
				}
			}
		},
	}
}
