package security

import (
	"fmt"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/platformctl/platformctl/pkg/lint"
)

// Exposure: what reaches the workloads from outside the cluster, and
// whether it is encrypted on the way.

const gatewayGroup = "gateway.networking.k8s.io"

func exposureRules() []lint.Rule {
	return []lint.Rule{
		{
			ID: "exposed-service", Title: "Service exposed outside the edge", Category: lint.CategorySecurity, Severity: lint.Warning,
			Description: "A NodePort or LoadBalancer Service opens the workload on every node's address or to the internet, bypassing the edge (its TLS, rate limits, authentication and logging). Only the edge (a namespace named edge or ending in -edge, or labeled platformctl.dev/area: edge) should face the outside.",
			Remediation: "Use type ClusterIP and route to the Service from the edge with an HTTPRoute or Ingress; if the Service really is an entry point, move it to the edge namespace.",
			References:  []string{nsaGuide, "https://kubernetes.io/docs/concepts/services-networking/service/#publishing-services-service-types"},
			Check:       checkExposedService,
		},
		{
			ID: "service-external-ips", Title: "Service sets externalIPs", Category: lint.CategorySecurity, Severity: lint.Error,
			Description: "spec.externalIPs makes kube-proxy on every node capture traffic to those addresses, whoever owns them: anyone who can create Services can intercept traffic meant for other workloads or for outside hosts (CVE-2020-8554). The field is meant to be blocked by the DenyServiceExternalIPs admission plugin.",
			Remediation: "Remove spec.externalIPs; use a LoadBalancer Service in the edge namespace, whose address the cloud or MetalLB assigns.",
			References:  []string{"CVE-2020-8554", "https://kubernetes.io/docs/concepts/services-networking/service/#external-ips"},
			CEL:         &lint.CEL{Kinds: []string{"Service"}, Expression: "object.?spec.?externalIPs.orValue([]).size() == 0", Message: "the Service captures traffic to external IPs on every node (CVE-2020-8554)"},
			Check:       checkExternalIPs,
		},
		{
			ID: "ingress-without-tls", Title: "Ingress host without TLS", Category: lint.CategorySecurity, Severity: lint.Warning,
			Description: "An Ingress without a tls section, or with a rule host no tls entry covers, serves that host over plain HTTP: credentials, cookies and data cross the network readable and modifiable by anyone on the path.",
			Remediation: "Add spec.tls with the rule's hosts and a secretName (cert-manager fills it from the cert-manager.io/cluster-issuer annotation), e.g. tls: [{hosts: [www.example.com], secretName: www-tls}].",
			References:  []string{nsaGuide, "https://kubernetes.io/docs/concepts/services-networking/ingress/#tls"},
			CEL:         &lint.CEL{Kinds: []string{"Ingress"}, Expression: celIngressTLS, Message: "the Ingress serves a host over plain HTTP: no spec.tls entry lists it"},
			Check:       checkIngressTLS,
		},
		{
			ID: "nginx-snippet-annotation", Title: "ingress-nginx snippet annotation", Category: lint.CategorySecurity, Severity: lint.Error,
			Description: "ingress-nginx *-snippet annotations (configuration-snippet, server-snippet, auth-snippet, stream-snippet, modsecurity-snippet ...) paste raw NGINX configuration into the controller: whoever can edit an Ingress can read the controller's service account token and every Secret it can reach, and hijack other hosts (CVE-2021-25742). Recent controllers disable them by default.",
			Remediation: "Replace the snippet with the dedicated annotation (e.g. nginx.ingress.kubernetes.io/proxy-body-size, /cors-*, /rewrite-target), or with a setting in the controller's ConfigMap owned by the platform team.",
			References:  []string{"CVE-2021-25742", "https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations/"},
			CEL:         &lint.CEL{Kinds: []string{"Ingress"}, Expression: celSnippets, Message: "a snippet annotation injects raw NGINX configuration into the ingress controller"},
			Check:       checkSnippets,
		},
		{
			ID: "gateway-http-listener", Title: "Gateway serves plain HTTP", Category: lint.CategorySecurity, Severity: lint.Warning,
			Description: "A Gateway HTTP listener is fine when all it does is redirect to HTTPS. It serves content in the clear when the Gateway has no HTTPS listener at all, or when a route in the inputs attaches to it (by sectionName, by port, or by naming the Gateway without either) with anything but a redirect to https: credentials, cookies and data then cross the network readable by anyone on the path.",
			Remediation: "Add an HTTPS listener with tls.certificateRefs, attach application routes to it with parentRefs[].sectionName, and attach only an HTTPRoute with a RequestRedirect filter (scheme: https) to the HTTP listener.",
			References:  []string{nsaGuide, "https://gateway-api.sigs.k8s.io/guides/http-redirect-rewrite/"},
			CheckSet:    checkGatewayHTTP,
		},
		{
			ID: "gateway-listener-without-certificate", Title: "Gateway TLS listener without a certificate", Category: lint.CategorySecurity, Severity: lint.Error,
			Description: "An HTTPS listener, or a TLS listener that terminates, needs tls.certificateRefs. Without one the listener is invalid: depending on the implementation it is not programmed (the host is unreachable over HTTPS) or it serves a default certificate clients reject or, worse, learn to click through.",
			Remediation: "Add tls: {mode: Terminate, certificateRefs: [{name: <secret>}]} to the listener (cert-manager fills the Secret from the cert-manager.io/cluster-issuer annotation on the Gateway), or use mode: Passthrough on a TLS listener if the backend terminates TLS.",
			References:  []string{"https://gateway-api.sigs.k8s.io/reference/spec/#gatewaytlsconfig"},
			Check:       checkGatewayCertificates,
		},
	}
}

func checkExposedService(o *lint.Object, ctx *lint.Context, r *lint.Reporter) {
	if o.Kind != "Service" || o.Group() != "" {
		return
	}
	t := lint.Str(lint.Get(o.Root, "spec", "type"))
	if (t != "NodePort" && t != "LoadBalancer") || isEdge(o, ctx) {
		return
	}
	r.Report(o, "spec.type", "Service of type %s in namespace %s, outside the edge, is reachable from outside the cluster", t, nsName(o.Namespace))
}

func checkExternalIPs(o *lint.Object, _ *lint.Context, r *lint.Reporter) {
	if o.Kind != "Service" || o.Group() != "" {
		return
	}
	ips := lint.Strings(lint.Get(o.Root, "spec", "externalIPs"))
	if len(ips) > 0 {
		r.Report(o, "spec.externalIPs[0]", "Service captures traffic to external IPs %s on every node (CVE-2020-8554)", strings.Join(ips, ", "))
	}
}

// hostCovered says whether a TLS host entry serves host: an exact match,
// or a wildcard covering exactly one more label.
func hostCovered(host string, tlsHosts []string) bool {
	host = strings.ToLower(host)
	for _, t := range tlsHosts {
		t = strings.ToLower(t)
		if t == host {
			return true
		}
		if rest, ok := strings.CutPrefix(t, "*."); ok {
			if label, parent, ok := strings.Cut(host, "."); ok && label != "" && label != "*" && parent == rest {
				return true
			}
		}
	}
	return false
}

// celLower is strings.ToLower in CEL for what it can change in a host
// name: the two non-ASCII letters Go lowers to ASCII ones, then ASCII.
func celLower(v string) string {
	return v + ".replace('İ', 'i').replace('K', 'k').lowerAscii()"
}

// celIngressTLS is checkIngressTLS in CEL: hostCovered for every rule's
// host against every tls entry's hosts.
var celIngressTLS = func() string {
	h, t := celLower("h.host"), celLower("x")
	covered := t + " == " + h + " || " + t + ".startsWith('*.') && " + h + ".indexOf('.') > 0 && " +
		h + ".substring(0, " + h + ".indexOf('.')) != '*' && " + h + ".substring(" + h + ".indexOf('.') + 1) == " + t + ".substring(2)"
	return "!(object.?apiVersion.orValue('').startsWith('networking.k8s.io/') || object.?apiVersion.orValue('').startsWith('extensions/')) || " +
		"object.?spec.?tls.orValue([]).size() > 0 && object.?spec.?rules.orValue([]).all(h, h.?host.orValue('') == '' || h.?host.orValue('') == null || " +
		"object.spec.tls.exists(e, e.?hosts.orValue([]).exists(x, " + covered + ")))"
}()

func checkIngressTLS(o *lint.Object, _ *lint.Context, r *lint.Reporter) {
	if o.Kind != "Ingress" || (o.Group() != "networking.k8s.io" && o.Group() != "extensions") {
		return
	}
	tls := lint.Items(lint.Get(o.Root, "spec", "tls"))
	if len(tls) == 0 {
		r.Report(o, "spec.tls", "Ingress %s has no tls section: every host is served over plain HTTP", o.Name)
		return
	}
	var hosts []string
	for _, t := range tls {
		hosts = append(hosts, lint.Strings(lint.Field(t, "hosts"))...)
	}
	for i, rule := range lint.Items(lint.Get(o.Root, "spec", "rules")) {
		host := lint.Str(lint.Field(rule, "host"))
		// A rule without a host is served with the controller's default
		// certificate once the Ingress has TLS at all.
		if host == "" || hostCovered(host, hosts) {
			continue
		}
		r.Report(o, fmt.Sprintf("spec.rules[%d].host", i), "host %s is not listed in any spec.tls entry, so it is served over plain HTTP", host)
	}
}

// celSnippets is checkSnippets in CEL: a prefix before the first '/'
// that names nginx or ingress, a name after it ending in -snippet.
const celSnippets = "object.?metadata.?annotations.orValue({}).all(k, !(k.indexOf('/') >= 0 && " +
	"k.substring(k.indexOf('/') + 1).endsWith('-snippet') && " +
	"(k.substring(0, k.indexOf('/')).contains('nginx') || k.substring(0, k.indexOf('/')).contains('ingress.kubernetes.io'))))"

func checkSnippets(o *lint.Object, _ *lint.Context, r *lint.Reporter) {
	if o.Kind != "Ingress" {
		return
	}
	lint.Pairs(lint.Get(o.Root, "metadata", "annotations"), func(k, _ *yaml.Node) {
		prefix, name, ok := strings.Cut(k.Value, "/")
		if !ok || !strings.HasSuffix(name, "-snippet") {
			return
		}
		// The controller's --annotations-prefix is configurable; the
		// default and the common custom ones all mention nginx or ingress.
		if !strings.Contains(prefix, "nginx") && !strings.Contains(prefix, "ingress.kubernetes.io") {
			return
		}
		r.Report(o, fmt.Sprintf("metadata.annotations[%q]", k.Value), "annotation %s injects raw NGINX configuration into the ingress controller", k.Value)
	})
}

func isGateway(o *lint.Object) bool { return o.Kind == "Gateway" && o.Group() == gatewayGroup }

func checkGatewayCertificates(o *lint.Object, _ *lint.Context, r *lint.Reporter) {
	if !isGateway(o) {
		return
	}
	for i, l := range lint.Items(lint.Get(o.Root, "spec", "listeners")) {
		proto := lint.Str(lint.Field(l, "protocol"))
		tls := lint.Field(l, "tls")
		mode := lint.Str(lint.Field(tls, "mode"))
		if mode == "" {
			mode = "Terminate"
		}
		if proto != "HTTPS" && (proto != "TLS" || mode != "Terminate") {
			continue
		}
		if len(lint.Items(lint.Field(tls, "certificateRefs"))) > 0 {
			continue
		}
		at := fmt.Sprintf("spec.listeners[%d].tls", i)
		if tls != nil {
			at += ".certificateRefs"
		}
		r.Report(o, at, "%s listener %q terminates TLS but has no tls.certificateRefs", proto, lint.Str(lint.Field(l, "name")))
	}
}

// routeRef is a route's attachment to a Gateway.
type routeRef struct {
	route       *lint.Object
	sectionName string
	port        int64
	redirect    bool
}

func checkGatewayHTTP(s *lint.Set, _ *lint.Context, r *lint.Reporter) {
	gateways := s.OfKind("Gateway")
	if len(gateways) == 0 {
		return
	}
	// Index every route attachment by Gateway once: O(routes + gateways).
	attached := map[string][]routeRef{}
	for _, kind := range []string{"HTTPRoute", "GRPCRoute"} {
		for _, rt := range s.OfKind(kind) {
			if rt.Group() != gatewayGroup {
				continue
			}
			redirect := kind == "HTTPRoute" && redirectOnly(rt)
			for _, ref := range lint.Items(lint.Get(rt.Root, "spec", "parentRefs")) {
				if g := lint.Str(lint.Field(ref, "group")); g != "" && g != gatewayGroup {
					continue
				}
				if k := lint.Str(lint.Field(ref, "kind")); k != "" && k != "Gateway" {
					continue
				}
				ns := lint.Str(lint.Field(ref, "namespace"))
				if ns == "" {
					ns = rt.Namespace
				}
				port, _ := lint.Int(lint.Field(ref, "port"))
				key := ns + "/" + lint.Str(lint.Field(ref, "name"))
				attached[key] = append(attached[key], routeRef{route: rt, sectionName: lint.Str(lint.Field(ref, "sectionName")), port: port, redirect: redirect})
			}
		}
	}
	for _, gw := range gateways {
		if !isGateway(gw) {
			continue
		}
		listeners := lint.Items(lint.Get(gw.Root, "spec", "listeners"))
		secure := false
		for _, l := range listeners {
			p := lint.Str(lint.Field(l, "protocol"))
			secure = secure || p == "HTTPS" || p == "TLS"
		}
		routes := attached[gw.Namespace+"/"+gw.Name]
		for i, l := range listeners {
			if lint.Str(lint.Field(l, "protocol")) != "HTTP" {
				continue
			}
			name := lint.Str(lint.Field(l, "name"))
			port, _ := lint.Int(lint.Field(l, "port"))
			at := fmt.Sprintf("spec.listeners[%d].protocol", i)
			if !secure {
				r.Report(gw, at, "Gateway %s has HTTP listener %q and no HTTPS listener: all its traffic is plain HTTP", gw.Name, name)
				continue
			}
			for _, rt := range routes {
				if rt.redirect {
					continue
				}
				if (rt.sectionName != "" && rt.sectionName != name) || (rt.port != 0 && rt.port != port) {
					continue
				}
				if !listenerAccepts(s, gw, l, rt.route) {
					continue
				}
				r.Report(gw, at, "HTTP listener %q serves %s %s over plain HTTP; attach only an https redirect to it", name, rt.route.Kind, qualified(rt.route))
			}
		}
	}
}

func qualified(o *lint.Object) string {
	if o.Namespace == "" {
		return o.Name
	}
	return o.Namespace + "/" + o.Name
}

// listenerAccepts says whether a listener takes a route that names it:
// allowedRoutes (namespaces, default Same; kinds) and hostnames decide, as
// the Gateway API does; a route a listener refuses is not served by it.
func listenerAccepts(s *lint.Set, gw *lint.Object, l *yaml.Node, rt *lint.Object) bool {
	allowed := lint.Field(l, "allowedRoutes")
	if kinds := lint.Items(lint.Field(allowed, "kinds")); len(kinds) > 0 {
		ok := false
		for _, k := range kinds {
			ok = ok || lint.Str(lint.Field(k, "kind")) == rt.Kind
		}
		if !ok {
			return false
		}
	}
	ns := lint.Field(allowed, "namespaces")
	switch lint.Str(lint.Field(ns, "from")) {
	case "All":
	case "Selector":
		labels := map[string]string{}
		if nsObj := s.Lookup("Namespace", "", rt.Namespace); nsObj != nil {
			for k, v := range nsObj.Labels {
				labels[k] = v
			}
		}
		// The API server sets this label on every namespace.
		labels["kubernetes.io/metadata.name"] = rt.Namespace
		if !lint.LabelSelector(lint.Field(ns, "selector"), labels) {
			return false
		}
	default: // Same
		if rt.Namespace != gw.Namespace {
			return false
		}
	}
	return hostnamesIntersect(lint.Str(lint.Field(l, "hostname")), lint.Strings(lint.Get(rt.Root, "spec", "hostnames")))
}

// hostnamesIntersect says whether a listener hostname and a route's
// hostnames have a host in common; an empty side matches everything.
func hostnamesIntersect(listener string, route []string) bool {
	if listener == "" || len(route) == 0 {
		return true
	}
	for _, h := range route {
		if gatewayHostMatch(listener, h) || gatewayHostMatch(h, listener) {
			return true
		}
	}
	return false
}

// gatewayHostMatch applies the Gateway API's hostname rule, which differs
// from Ingress: *.example.com matches any number of labels before
// example.com (a.example.com and a.b.example.com), not example.com itself.
func gatewayHostMatch(pattern, host string) bool {
	pattern, host = strings.ToLower(pattern), strings.ToLower(host)
	if suffix, ok := strings.CutPrefix(pattern, "*"); ok {
		return strings.HasSuffix(host, suffix) && len(host) > len(suffix)
	}
	return pattern == host
}

// redirectOnly says whether every rule of an HTTPRoute redirects to https
// and none forwards to a backend.
func redirectOnly(rt *lint.Object) bool {
	rules := lint.Items(lint.Get(rt.Root, "spec", "rules"))
	if len(rules) == 0 {
		return false
	}
	for _, rule := range rules {
		if len(lint.Items(lint.Field(rule, "backendRefs"))) > 0 {
			return false
		}
		redirect := false
		for _, f := range lint.Items(lint.Field(rule, "filters")) {
			if lint.Str(lint.Field(f, "type")) == "RequestRedirect" && lint.Str(lint.Get(f, "requestRedirect", "scheme")) == "https" {
				redirect = true
			}
		}
		if !redirect {
			return false
		}
	}
	return true
}
