package spec

import (
	"fmt"
	"reflect"
	"strings"
)

// The edge profiles: which implementation renders which edge field, declared
// once here for the validator (a set field the profile cannot honour is an
// error naming the profiles that can), the generator and docs/spec.md.

// ProfileIngressNginx names edge.api: ingress-nginx among the profiles: it is
// its own implementation, with no edge.implementation.
const ProfileIngressNginx = "ingress-nginx"

// EdgeFeature is one edge field and the profiles that render it.
type EdgeFeature struct {
	// Path is the field as docs/spec.md writes it.
	Path string
	// What the field becomes, in the words of an error message.
	What string
	// Profiles render it: edge.implementation values, and
	// ProfileIngressNginx for edge.api: ingress-nginx.
	Profiles []string
	// set reports the field's paths where it is set in s (the spec as
	// written, before defaults).
	set func(s *PlatformSpec) []string
}

// EdgeFeatures is the capability table of the edge profiles.
func EdgeFeatures() []EdgeFeature {
	eg, istio, nginx := string(ImplEnvoyGateway), string(ImplIstio), ProfileIngressNginx
	edgeField := func(path string, isSet func(e *Edge) bool) func(s *PlatformSpec) []string {
		return func(s *PlatformSpec) []string {
			if isSet(&s.Edge) {
				return []string{path}
			}
			return nil
		}
	}
	exposeField := func(name string, isSet func(x *Expose) bool) func(s *PlatformSpec) []string {
		return func(s *PlatformSpec) []string {
			var out []string
			for i := range s.Services {
				if x := s.Services[i].Expose; x != nil && isSet(x) {
					out = append(out, fmt.Sprintf("spec.services[%d].expose.%s", i, name))
				}
			}
			return out
		}
	}
	return []EdgeFeature{
		{Path: "spec.edge.rateLimit", What: "a per-client-IP rate limit on every route", Profiles: []string{eg, nginx},
			set: edgeField("spec.edge.rateLimit", func(e *Edge) bool { return e.RateLimit != nil })},
		{Path: "spec.edge.maxBodySize", What: "a request body limit", Profiles: []string{eg, nginx},
			set: edgeField("spec.edge.maxBodySize", func(e *Edge) bool { return e.MaxBodySize != "" })},
		{Path: "spec.edge.clientIP", What: "the externalTrafficPolicy of the proxies' load balancer Service", Profiles: []string{eg, istio, nginx},
			set: edgeField("spec.edge.clientIP", func(e *Edge) bool { return e.ClientIP != "" })},
		{Path: "spec.edge.trustedHops", What: "client IP detection from X-Forwarded-For", Profiles: []string{eg},
			set: edgeField("spec.edge.trustedHops", func(e *Edge) bool { return e.TrustedHops != 0 })},
		{Path: "spec.edge.maxConnections", What: "a connection limit per proxy", Profiles: []string{eg},
			set: edgeField("spec.edge.maxConnections", func(e *Edge) bool { return e.MaxConnections != 0 })},
		{Path: "spec.edge.proxyNamespace", What: "the namespace the proxies run in", Profiles: []string{eg},
			set: edgeField("spec.edge.proxyNamespace", func(e *Edge) bool { return e.ProxyNamespace != "" })},
		{Path: "spec.edge.tls.minVersion", What: "the minimum TLS version of the Gateway's listeners", Profiles: []string{eg},
			set: edgeField("spec.edge.tls.minVersion", func(e *Edge) bool { return e.TLS.MinVersion != "" })},
		{Path: "spec.edge.tls.ciphers", What: "the TLS 1.2 cipher suites of the Gateway's listeners", Profiles: []string{eg},
			set: edgeField("spec.edge.tls.ciphers", func(e *Edge) bool { return len(e.TLS.Ciphers) > 0 })},
		{Path: "spec.services[*].expose.rateLimit", What: "a per-route rate limit", Profiles: []string{eg},
			set: exposeField("rateLimit", func(x *Expose) bool { return x.RateLimit != nil })},
		{Path: "spec.services[*].expose.maxBodySize", What: "a per-route request body limit", Profiles: []string{eg},
			set: exposeField("maxBodySize", func(x *Expose) bool { return x.MaxBodySize != "" })},
		{Path: "spec.services[*].expose.timeout", What: "a per-route request timeout", Profiles: []string{eg, istio},
			set: exposeField("timeout", func(x *Expose) bool { return x.Timeout != "" })},
		{Path: "spec.services[*].expose.idleTimeout", What: "a per-route stream idle timeout", Profiles: []string{eg},
			set: exposeField("idleTimeout", func(x *Expose) bool { return x.IdleTimeout != "" })},
	}
}

// EdgeProfile is the profile that renders s's edge: edge.implementation
// (envoy-gateway when unset) with the Gateway API, ProfileIngressNginx
// with ingress-nginx.
func EdgeProfile(s *PlatformSpec) string {
	switch {
	case s.Edge.API == EdgeIngressNginx:
		return ProfileIngressNginx
	case s.Edge.Implementation == "":
		return string(ImplEnvoyGateway)
	}
	return string(s.Edge.Implementation)
}

// ProfileField names an edge profile as the spec selects it, for messages:
// "edge.implementation envoy-gateway", "edge.api ingress-nginx".
func ProfileField(profile string) string {
	if profile == ProfileIngressNginx {
		return "edge.api ingress-nginx"
	}
	return "edge.implementation " + profile
}

// IngressNginxRetired is validate's warning for edge.api: ingress-nginx.
const IngressNginxRetired = "ingress-nginx was retired by Kubernetes SIG Network in March 2026 and gets no releases or security fixes; " +
	"move to edge.api: gateway with edge.implementation: envoy-gateway (docs/edge.md, \"Migrating from ingress-nginx\", maps every field)"

func edgeRules() []Rule {
	var table []string
	for _, f := range EdgeFeatures() {
		table = append(table, fmt.Sprintf("`%s` (%s)", strings.TrimPrefix(f.Path, "spec."), strings.Join(f.Profiles, ", ")))
	}
	return []Rule{
		{
			At:     []string{"spec.edge.implementation"},
			Doc:    "`edge.implementation` is set only with `edge.api: gateway`: ingress-nginx is its own implementation.",
			Msgs:   []string{"applies to edge.api: gateway only; ingress-nginx is its own implementation: remove edge.implementation, or set edge.api: gateway"},
			check:  implementationWithGateway,
			Schema: whySibling,
		},
		{
			At: []string{"spec.edge.rateLimit", "spec.edge.maxBodySize", "spec.edge.clientIP", "spec.edge.trustedHops", "spec.edge.maxConnections",
				"spec.edge.proxyNamespace", "spec.edge.tls.minVersion", "spec.edge.tls.ciphers", "spec.services[*].expose.rateLimit",
				"spec.services[*].expose.maxBodySize", "spec.services[*].expose.timeout", "spec.services[*].expose.idleTimeout"},
			Doc: "A field is set only when the edge profile (`edge.implementation`, or `edge.api: ingress-nginx`) renders it — never a silent no-op. " +
				"The fields and the profiles that render them: " + strings.Join(table, "; ") + ".",
			Msgs:   []string{"%s cannot render this field (%s); profiles that can: %s. Set edge.implementation to one of them (with edge.api: gateway), or remove the field"},
			check:  edgeFeaturesHonoured,
			Schema: "depends on edge.api and edge.implementation (if/then over a distant part of the instance), which the field tags do not say",
		},
		{
			At:     []string{"spec.services[*].expose.maxBodySize", "spec.services[*].expose.timeout"},
			Doc:    "`expose.maxBodySize` is for protocol `http` only (the limit buffers the whole request, which gRPC and WebSocket streams cannot be); `expose.timeout` is not for `websocket` (the connection outlives any request: use `idleTimeout`), and with `istio` is for `http` only (a GRPCRoute has no timeouts).",
			Msgs:   []string{"is for protocol http only: the limit buffers the whole request, which a %s stream cannot be; remove it", "a websocket connection outlives any request timeout: set idleTimeout instead", "istio takes a request timeout from an HTTPRoute only, and a grpc service gets a GRPCRoute, which has no timeouts: remove it, or use edge.implementation: envoy-gateway"},
			check:  exposeProtocolFields,
			Schema: whySibling,
		},
		{
			At:     []string{"spec.edge.tls.ciphers"},
			Doc:    "`tls.ciphers` is not set with `tls.minVersion: \"1.3\"`: TLS 1.3 suites are not configurable.",
			Msgs:   []string{"cipher suites apply to TLS 1.2, which minVersion \"1.3\" refuses: remove ciphers"},
			check:  ciphersNeedTLS12,
			Schema: whySibling,
		},
	}
}

func implementationWithGateway(c *checkContext, report reportFunc) {
	if c.s.Edge.API == EdgeIngressNginx && c.s.Edge.Implementation != "" {
		report("spec.edge.implementation", 0)
	}
}

func edgeFeaturesHonoured(c *checkContext, report reportFunc) {
	profile := EdgeProfile(c.s)
	if profile != ProfileIngressNginx && !has(oneOf(reflect.TypeOf(Edge{}), "Implementation"), profile) {
		return // an unknown implementation is reported as such; what it renders is unknown
	}
	name := ProfileField(profile)
	for _, f := range EdgeFeatures() {
		if has(f.Profiles, profile) {
			continue
		}
		var can []string
		for _, p := range f.Profiles {
			if p != ProfileIngressNginx {
				can = append(can, p)
			}
		}
		for _, path := range f.set(c.s) {
			report(path, 0, name, f.What, strings.Join(can, ", "))
		}
	}
}

func exposeProtocolFields(c *checkContext, report reportFunc) {
	for i, svc := range c.s.Services {
		x := svc.Expose
		if x == nil {
			continue
		}
		at := fmt.Sprintf("spec.services[%d].expose.", i)
		if x.MaxBodySize != "" && svc.Protocol != "" && svc.Protocol != ProtocolHTTP {
			report(at+"maxBodySize", 0, svc.Protocol)
		}
		switch {
		case x.Timeout == "":
		case svc.Protocol == ProtocolWebSocket:
			report(at+"timeout", 1)
		case svc.Protocol == ProtocolGRPC && EdgeProfile(c.s) == string(ImplIstio):
			report(at+"timeout", 2)
		}
	}
}

func ciphersNeedTLS12(c *checkContext, report reportFunc) {
	if t := c.s.Edge.TLS; t.MinVersion == "1.3" && len(t.Ciphers) > 0 {
		report("spec.edge.tls.ciphers", 0)
	}
}

func has(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
