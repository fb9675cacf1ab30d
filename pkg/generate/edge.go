package generate

import (
	"fmt"
	"sort"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/platformctl/platformctl/pkg/spec"
)

// GatewayName is the one Gateway every exposed service attaches to.
const GatewayName = "public"

var (
	typeGateway   = metav1.TypeMeta{APIVersion: "gateway.networking.k8s.io/v1", Kind: "Gateway"}
	typeHTTPRoute = metav1.TypeMeta{APIVersion: "gateway.networking.k8s.io/v1", Kind: "HTTPRoute"}
	typeGRPCRoute = metav1.TypeMeta{APIVersion: "gateway.networking.k8s.io/v1", Kind: "GRPCRoute"}
	typeIngress   = metav1.TypeMeta{APIVersion: "networking.k8s.io/v1", Kind: "Ingress"}
)

type exposed struct {
	svc *spec.Service
	src string
}

func exposedServices(p *spec.Platform) []exposed {
	var out []exposed
	for i := range p.Spec.Services {
		if p.Spec.Services[i].Expose != nil {
			out = append(out, exposed{svc: &p.Spec.Services[i], src: fmt.Sprintf("spec.services[%d].expose", i)})
		}
	}
	return out
}

// Host returns the public host name of an exposed service in this context.
func (c *Context) Host(svc *spec.Service) string {
	return c.P.HostName(c.Env, svc.Expose)
}

func tlsSecret(host string) string { return host + "-tls" }

func edge(c *Context) ([]Object, error) {
	ex := exposedServices(c.P)
	if len(ex) == 0 {
		return nil, nil
	}
	var out []Object
	if c.P.Spec.Edge.API == spec.EdgeIngressNginx {
		sel := map[string]string{LabelName: "ingress-nginx", LabelComponent: "controller"}
		for _, e := range ex {
			out = append(out, ingresses(c, e)...)
		}
		// ingress-nginx runs in the edge namespace behind this Service.
		return append(append(out, edgeService(c, sel)), edgePolicy(c, sel, ex, nil)...), nil
	}
	if c.P.Preview != nil {
		// A preview's routes attach to the base environment's shared
		// listener; the rest of the edge is the base environment's.
		for _, e := range ex {
			out = append(out, route(c, e))
			if c.P.Spec.Edge.Implementation == spec.ImplEnvoyGateway {
				out = append(out, backendTrafficPolicy(c, e))
			}
		}
		return out, nil
	}
	out = append(out, gateway(c, ex)...)
	for _, e := range ex {
		out = append(out, route(c, e))
	}
	if c.previewsBase() {
		out = append(out, previewGateway(c, ex)...)
	}
	// Every Gateway API implementation creates the load balancer Service of
	// each Gateway itself; its type and externalTrafficPolicy are set
	// through the implementation's parameters (EnvoyProxy, Istio's
	// ConfigMap), never with a second Service of ours.
	switch c.P.Spec.Edge.Implementation {
	case spec.ImplEnvoyGateway:
		// The proxies run in Envoy Gateway's namespace, not the edge's: the
		// exposed services admit them there (edgePeer), and that
		// namespace's policies are its operator's.
		out = append(out, envoyProxy(c), clientTrafficPolicy(c))
		for _, e := range ex {
			out = append(out, backendTrafficPolicy(c, e))
		}
	case spec.ImplIstio:
		out = append(append(out, istioParameters(c)), edgePolicy(c, gatewayPodLabels(), ex, istiodEgress())...)
	default:
		out = append(out, edgePolicy(c, gatewayPodLabels(), ex, nil)...)
	}
	return out, nil
}

// gatewayPodLabels select the proxies an implementation runs for the
// Gateway in its own namespace (Gateway API GEP-1762's label).
func gatewayPodLabels() map[string]string {
	return map[string]string{gwv1.GatewayNameLabelKey: GatewayName}
}

// Labels Envoy Gateway puts on the proxies of a Gateway.
const (
	LabelOwningGatewayName      = "gateway.envoyproxy.io/owning-gateway-name"
	LabelOwningGatewayNamespace = "gateway.envoyproxy.io/owning-gateway-namespace"
	// AnnotationProxyNamespace, on the EnvoyProxy, says where the proxies
	// run (edge.proxyNamespace) for readers and policy checkers.
	AnnotationProxyNamespace = "platformctl.dev/proxy-namespace"
)

// edgePeer is who may reach an exposed service: the edge proxies. Envoy
// Gateway runs them in its own namespace, labelled with the Gateway's
// name and namespace (matched with expressions over every environment's
// edge namespace, so the policy is the same in each); the others run them
// in the Gateway's namespace.
func (c *Context) edgePeer() networkingv1.NetworkPolicyPeer {
	if c.P.Preview != nil {
		return c.previewEdgePeer()
	}
	if c.P.Spec.Edge.API == spec.EdgeGateway && c.P.Spec.Edge.Implementation == spec.ImplEnvoyGateway {
		return networkingv1.NetworkPolicyPeer{
			NamespaceSelector: systemSelector(c.P.Spec.Edge.ProxyNamespace),
			PodSelector:       envoyProxySelector(c),
		}
	}
	return networkingv1.NetworkPolicyPeer{NamespaceSelector: c.areaSelector("edge")}
}

// envoyProxySelector selects the Envoy Gateway proxies of this platform's
// Gateway in any environment.
func envoyProxySelector(c *Context) *metav1.LabelSelector {
	return &metav1.LabelSelector{
		MatchLabels: map[string]string{LabelOwningGatewayName: GatewayName},
		MatchExpressions: []metav1.LabelSelectorRequirement{{
			Key: LabelOwningGatewayNamespace, Operator: metav1.LabelSelectorOpIn, Values: c.areaNamespaces("edge"),
		}},
	}
}

// edgeService is the load balancer in front of the edge controller; clientIP
// picks between preserving client addresses and even load distribution.
func edgeService(c *Context, sel map[string]string) Object {
	policy := corev1.ServiceExternalTrafficPolicyCluster
	if c.P.Spec.Edge.ClientIP == spec.ClientIPPreserve {
		policy = corev1.ServiceExternalTrafficPolicyLocal
	}
	return Object{ID: id("edge", "Service", "edge"), Area: "edge", Source: "spec.edge", Obj: &corev1.Service{
		TypeMeta:   typeService,
		ObjectMeta: metav1.ObjectMeta{Name: "edge", Namespace: c.NS("edge"), Labels: c.labels("edge", "load-balancer")},
		Spec: corev1.ServiceSpec{
			Type:                  corev1.ServiceTypeLoadBalancer,
			ExternalTrafficPolicy: policy,
			Selector:              sel,
			Ports: []corev1.ServicePort{
				{Name: "http", Port: 80, TargetPort: intstr.FromInt32(80), Protocol: corev1.ProtocolTCP},
				{Name: "https", Port: 443, TargetPort: intstr.FromInt32(443), Protocol: corev1.ProtocolTCP},
			},
		},
	}}
}

// edgePolicy admits the internet to the edge controller and lets it reach
// exactly the exposed services' ports.
func edgePolicy(c *Context, sel map[string]string, ex []exposed, extra []networkingv1.NetworkPolicyEgressRule) []Object {
	return edgePolicyFor(c, "edge-controller", sel, networkingv1.NetworkPolicyPeer{NamespaceSelector: c.areaSelector("apps")}, ex, extra)
}

// edgePolicyFor is edgePolicy for the proxies sel selects, named name,
// towards the services' namespaces apps selects, and with Cilium the
// proxies' way to the API server (apiServerPolicy).
func edgePolicyFor(c *Context, name string, sel map[string]string, apps networkingv1.NetworkPolicyPeer, ex []exposed, extra []networkingv1.NetworkPolicyEgressRule) []Object {
	var ports []networkingv1.NetworkPolicyPort
	seen := map[int32]bool{}
	for _, e := range ex {
		if !seen[e.svc.Port] {
			seen[e.svc.Port] = true
			ports = append(ports, tcpPort(e.svc.Port))
		}
	}
	sort.Slice(ports, func(i, j int) bool { return ports[i].Port.IntVal < ports[j].Port.IntVal })
	np := &networkingv1.NetworkPolicy{
		TypeMeta:   typeNetworkPolicy,
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: c.NS("edge"), Labels: c.labels(name, "network-policy")},
		Spec: networkingv1.NetworkPolicySpec{
			PodSelector: metav1.LabelSelector{MatchLabels: sel},
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress},
			Ingress: []networkingv1.NetworkPolicyIngressRule{{
				From:  []networkingv1.NetworkPolicyPeer{{IPBlock: &networkingv1.IPBlock{CIDR: "0.0.0.0/0"}}},
				Ports: []networkingv1.NetworkPolicyPort{tcpPort(80), tcpPort(443)},
			}},
			Egress: append([]networkingv1.NetworkPolicyEgressRule{
				{
					To:    []networkingv1.NetworkPolicyPeer{apps},
					Ports: ports,
				},
				// Controllers that run in this namespace (ingress-nginx)
				// watch the API server, whose endpoints are node or
				// control-plane addresses no pod selector can name.
				apiServerEgress(),
			}, extra...),
		},
	}
	out := []Object{{ID: id("edge", "NetworkPolicy", name), Area: "edge", Source: "spec.edge", Obj: np}}
	if cnp := apiServerPolicy(c, np); cnp != nil {
		out = append(out, Object{ID: id("edge", "CiliumNetworkPolicy", cnp.Name), Area: "edge", Source: "spec.edge", Obj: cnp})
	}
	return out
}

func gateway(c *Context, ex []exposed) []Object {
	hosts := map[string]bool{}
	for _, e := range ex {
		hosts[e.svc.Expose.Host] = true
	}
	appsSel := nsSelector(c.NS("apps"))
	listeners := []gwv1.Listener{{
		Name: "http", Port: 80, Protocol: gwv1.HTTPProtocolType,
		// Only the redirect route (in the edge namespace) attaches to plain HTTP.
		AllowedRoutes: &gwv1.AllowedRoutes{Namespaces: &gwv1.RouteNamespaces{From: ptr(gwv1.NamespacesFromSame)}},
	}}
	for _, h := range spec.SortedKeys(hosts) {
		fqdn := gwv1.Hostname(h + "." + c.P.EnvDomain(c.Env))
		listeners = append(listeners, gwv1.Listener{
			Name: gwv1.SectionName("https-" + h), Port: 443, Protocol: gwv1.HTTPSProtocolType, Hostname: &fqdn,
			TLS: &gwv1.ListenerTLSConfig{
				Mode:            ptr(gwv1.TLSModeTerminate),
				CertificateRefs: []gwv1.SecretObjectReference{{Name: gwv1.ObjectName(tlsSecret(h))}},
			},
			AllowedRoutes: &gwv1.AllowedRoutes{Namespaces: &gwv1.RouteNamespaces{From: ptr(gwv1.NamespacesFromSelector), Selector: appsSel}},
		})
	}
	ann := map[string]string{}
	if ci := c.P.Spec.Edge.TLS.ClusterIssuer; ci != "" {
		ann["cert-manager.io/cluster-issuer"] = ci
	}
	gw := &gwv1.Gateway{
		TypeMeta: typeGateway,
		ObjectMeta: metav1.ObjectMeta{Name: GatewayName, Namespace: c.NS("edge"),
			Labels: c.labels(GatewayName, "gateway"), Annotations: nilIfEmpty(ann)},
		Spec: gwv1.GatewaySpec{GatewayClassName: gwv1.ObjectName(c.P.Spec.Edge.ClassName), Listeners: listeners},
	}
	gw.Spec.Infrastructure = gatewayInfrastructure(c)
	return []Object{
		{ID: id("edge", "Gateway", GatewayName), Area: "edge", Source: "spec.edge", Obj: gw},
		httpsRedirect(c, "https-redirect", GatewayName, "spec.edge"),
	}
}

// httpsRedirect is the route that answers plain HTTP on gateway's http
// listener with a permanent redirect to HTTPS.
func httpsRedirect(c *Context, name string, gateway gwv1.ObjectName, src string) Object {
	return Object{ID: id("edge", "HTTPRoute", name), Area: "edge", Source: src, Obj: &gwv1.HTTPRoute{
		TypeMeta:   typeHTTPRoute,
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: c.NS("edge"), Labels: c.labels(name, "route")},
		Spec: gwv1.HTTPRouteSpec{
			CommonRouteSpec: gwv1.CommonRouteSpec{ParentRefs: []gwv1.ParentReference{{Name: gateway, SectionName: ptr(gwv1.SectionName("http"))}}},
			Rules: []gwv1.HTTPRouteRule{{Filters: []gwv1.HTTPRouteFilter{{
				Type:            gwv1.HTTPRouteFilterRequestRedirect,
				RequestRedirect: &gwv1.HTTPRequestRedirectFilter{Scheme: ptr("https"), StatusCode: ptr(301)},
			}}}},
		},
	}}
}

// gatewayInfrastructure is where a Gateway's implementation finds its
// parameters: the Gateway names them itself, not the GatewayClass, which is
// cluster infrastructure shared with others.
func gatewayInfrastructure(c *Context) *gwv1.GatewayInfrastructure {
	switch c.P.Spec.Edge.Implementation {
	case spec.ImplEnvoyGateway:
		return &gwv1.GatewayInfrastructure{ParametersRef: &gwv1.LocalParametersReference{
			Group: EnvoyGatewayGroup, Kind: "EnvoyProxy", Name: GatewayName}}
	case spec.ImplIstio:
		return &gwv1.GatewayInfrastructure{ParametersRef: &gwv1.LocalParametersReference{
			Group: "", Kind: "ConfigMap", Name: istioParametersName}}
	}
	return nil
}

func nilIfEmpty(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	return m
}

// HSTSValue is the Strict-Transport-Security header of edge.hsts: a year,
// subdomains included.
const HSTSValue = "max-age=31536000; includeSubDomains"

// securityHeaders are set on every response at the edge.
func securityHeaders(p *spec.Platform) []gwv1.HTTPHeader {
	h := []gwv1.HTTPHeader{
		{Name: "Referrer-Policy", Value: "strict-origin-when-cross-origin"},
		{Name: "X-Content-Type-Options", Value: "nosniff"},
		{Name: "X-Frame-Options", Value: "DENY"},
	}
	if p.Spec.Edge.HSTS != nil && *p.Spec.Edge.HSTS {
		h = append([]gwv1.HTTPHeader{{Name: "Strict-Transport-Security", Value: HSTSValue}}, h...)
	}
	return h
}

func backendRefs(svc *spec.Service) []gwv1.BackendRef {
	port := svc.Port
	refs := []gwv1.BackendRef{{BackendObjectReference: gwv1.BackendObjectReference{Name: gwv1.ObjectName(svc.Name), Port: &port}, Weight: ptr(int32(100))}}
	if svc.Canary != nil {
		refs[0].Weight = ptr(100 - svc.Canary.Weight)
		refs = append(refs, gwv1.BackendRef{BackendObjectReference: gwv1.BackendObjectReference{Name: gwv1.ObjectName(svc.Name + "-canary"), Port: &port}, Weight: ptr(svc.Canary.Weight)})
	}
	return refs
}

func route(c *Context, e exposed) Object {
	svc := e.svc
	parent := []gwv1.ParentReference{{
		Group: ptr(gwv1.Group(gwv1.GroupName)), Kind: ptr(gwv1.Kind("Gateway")),
		Name: GatewayName, Namespace: ptr(gwv1.Namespace(c.NS("edge"))),
		SectionName: ptr(gwv1.SectionName("https-" + svc.Expose.Host)),
	}}
	if c.P.Preview != nil {
		parent = []gwv1.ParentReference{c.previewParent()}
	}
	meta := metav1.ObjectMeta{Name: svc.Name, Namespace: c.NS("apps"), Labels: c.labels(svc.Name, "route")}
	hostnames := []gwv1.Hostname{gwv1.Hostname(c.Host(svc))}
	headers := &gwv1.HTTPHeaderFilter{Set: securityHeaders(c.P)}
	if svc.Protocol == spec.ProtocolGRPC {
		rule := gwv1.GRPCRouteRule{
			Filters: []gwv1.GRPCRouteFilter{{Type: gwv1.GRPCRouteFilterResponseHeaderModifier, ResponseHeaderModifier: headers}},
		}
		for _, b := range backendRefs(svc) {
			rule.BackendRefs = append(rule.BackendRefs, gwv1.GRPCBackendRef{BackendRef: b})
		}
		if svc.Expose.Path != "/" {
			rule.Matches = []gwv1.GRPCRouteMatch{{Method: &gwv1.GRPCMethodMatch{
				Type: ptr(gwv1.GRPCMethodMatchExact), Service: ptr(svc.Expose.Path[1:]),
			}}}
		}
		return Object{ID: id("apps", "GRPCRoute", svc.Name), Area: "apps", Source: e.src, Obj: &gwv1.GRPCRoute{
			TypeMeta: typeGRPCRoute, ObjectMeta: meta,
			Spec: gwv1.GRPCRouteSpec{CommonRouteSpec: gwv1.CommonRouteSpec{ParentRefs: parent}, Hostnames: hostnames, Rules: []gwv1.GRPCRouteRule{rule}},
		}}
	}
	rule := gwv1.HTTPRouteRule{
		Matches: []gwv1.HTTPRouteMatch{{Path: &gwv1.HTTPPathMatch{Type: ptr(gwv1.PathMatchPathPrefix), Value: ptr(svc.Expose.Path)}}},
		Filters: []gwv1.HTTPRouteFilter{{Type: gwv1.HTTPRouteFilterResponseHeaderModifier, ResponseHeaderModifier: headers}},
	}
	// Istio reads the request timeout from the route itself (the Gateway
	// API's extended HTTPRouteRequestTimeout); Envoy Gateway gets it in
	// the route's BackendTrafficPolicy with the rest.
	if t := svc.Expose.Timeout; t != "" && c.P.Spec.Edge.Implementation == spec.ImplIstio {
		rule.Timeouts = &gwv1.HTTPRouteTimeouts{Request: gwDuration(t)}
	}
	for _, b := range backendRefs(svc) {
		rule.BackendRefs = append(rule.BackendRefs, gwv1.HTTPBackendRef{BackendRef: b})
	}
	return Object{ID: id("apps", "HTTPRoute", svc.Name), Area: "apps", Source: e.src, Obj: &gwv1.HTTPRoute{
		TypeMeta: typeHTTPRoute, ObjectMeta: meta,
		Spec: gwv1.HTTPRouteSpec{CommonRouteSpec: gwv1.CommonRouteSpec{ParentRefs: parent}, Hostnames: hostnames, Rules: []gwv1.HTTPRouteRule{rule}},
	}}
}

// nginxSize renders a quantity the way nginx's client_max_body_size reads it.
func nginxSize(q string) string {
	v, err := resource.ParseQuantity(q)
	if err != nil {
		return q
	}
	b := v.Value()
	switch {
	case b%(1<<20) == 0:
		return fmt.Sprintf("%dm", b>>20)
	case b%(1<<10) == 0:
		return fmt.Sprintf("%dk", b>>10)
	}
	return fmt.Sprint(b)
}

// ingresses uses only low-risk ingress-nginx annotations: never *-snippet,
// which let an Ingress author inject controller configuration (CVE-2021-25742).
func ingresses(c *Context, e exposed) []Object {
	svc := e.svc
	host := c.Host(svc)
	edgeCfg := c.P.Spec.Edge
	ann := map[string]string{
		"nginx.ingress.kubernetes.io/ssl-redirect":       "true",
		"nginx.ingress.kubernetes.io/force-ssl-redirect": "true",
		"nginx.ingress.kubernetes.io/proxy-body-size":    nginxSize(edgeCfg.MaxBodySize),
	}
	if edgeCfg.RateLimit != nil {
		ann["nginx.ingress.kubernetes.io/limit-rps"] = fmt.Sprint(edgeCfg.RateLimit.RequestsPerSecond)
	}
	if svc.Protocol == spec.ProtocolGRPC {
		ann["nginx.ingress.kubernetes.io/backend-protocol"] = "GRPC"
	}
	mk := func(name, backend string, extra map[string]string) *networkingv1.Ingress {
		a := map[string]string{}
		for k, v := range ann {
			a[k] = v
		}
		for k, v := range extra {
			a[k] = v
		}
		return &networkingv1.Ingress{
			TypeMeta:   typeIngress,
			ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: c.NS("apps"), Labels: c.labels(svc.Name, "route"), Annotations: a},
			Spec: networkingv1.IngressSpec{
				IngressClassName: ptr(edgeCfg.ClassName),
				TLS:              []networkingv1.IngressTLS{{Hosts: []string{host}, SecretName: tlsSecret(svc.Expose.Host)}},
				Rules: []networkingv1.IngressRule{{Host: host, IngressRuleValue: networkingv1.IngressRuleValue{HTTP: &networkingv1.HTTPIngressRuleValue{
					Paths: []networkingv1.HTTPIngressPath{{
						Path: svc.Expose.Path, PathType: ptr(networkingv1.PathTypePrefix),
						Backend: networkingv1.IngressBackend{Service: &networkingv1.IngressServiceBackend{
							Name: backend, Port: networkingv1.ServiceBackendPort{Name: PortName(svc)}}},
					}},
				}}}},
			},
		}
	}
	main := map[string]string{}
	if ci := edgeCfg.TLS.ClusterIssuer; ci != "" {
		main["cert-manager.io/cluster-issuer"] = ci
	}
	out := []Object{{ID: id("apps", "Ingress", svc.Name), Area: "apps", Source: e.src, Obj: mk(svc.Name, svc.Name, main)}}
	if svc.Canary != nil {
		out = append(out, Object{ID: id("apps", "Ingress", svc.Name+"-canary"), Area: "apps", Source: e.src,
			Obj: mk(svc.Name+"-canary", svc.Name+"-canary", map[string]string{
				"nginx.ingress.kubernetes.io/canary":        "true",
				"nginx.ingress.kubernetes.io/canary-weight": fmt.Sprint(svc.Canary.Weight),
			})})
	}
	return out
}
