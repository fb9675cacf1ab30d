package generate

import (
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/platformctl/platformctl/pkg/spec"
)

// What the edge profiles render besides the core Gateway API objects (see
// spec.EdgeFeatures for which field each one honours).

// RequestHeadersTimeout is how long Envoy Gateway's proxies wait for a
// client's request headers: a slow-headers (Slowloris) client holds a
// connection no longer than this.
const RequestHeadersTimeout = 10 * time.Second

// envoyProxy sets the Service Envoy Gateway creates for the Gateway: the
// one load balancer of the edge, with edge.clientIP's externalTrafficPolicy.
func envoyProxy(c *Context) Object {
	policy := string(corev1.ServiceExternalTrafficPolicyCluster)
	if c.P.Spec.Edge.ClientIP == spec.ClientIPPreserve {
		policy = string(corev1.ServiceExternalTrafficPolicyLocal)
	}
	var deployment *EnvoyDeploymentSpec
	if pod := meshProxyPod(c); pod != nil {
		deployment = &EnvoyDeploymentSpec{Pod: pod}
	}
	return Object{ID: id("edge", "EnvoyProxy", GatewayName), Area: "edge", Source: "spec.edge", Obj: &EnvoyProxy{
		TypeMeta: typeEnvoyProxy,
		ObjectMeta: metav1.ObjectMeta{Name: GatewayName, Namespace: c.NS("edge"), Labels: c.labels(GatewayName, "gateway-parameters"),
			Annotations: map[string]string{AnnotationProxyNamespace: c.P.Spec.Edge.ProxyNamespace}},
		Spec: EnvoyProxySpec{Provider: EnvoyProxyProvider{Type: "Kubernetes", Kubernetes: &EnvoyProxyKubernetesProvider{
			EnvoyDeployment: deployment,
			EnvoyService:    &EnvoyServiceSpec{Type: string(corev1.ServiceTypeLoadBalancer), ExternalTrafficPolicy: policy},
		}}},
	}}
}

// clientTrafficPolicy is the client side of the Gateway's listeners: the
// TLS versions and suites, client IP detection behind trusted proxies, the
// header timeout and the connection limit.
func clientTrafficPolicy(c *Context) Object {
	e := c.P.Spec.Edge
	ctp := &ClientTrafficPolicy{
		TypeMeta:   typeClientTrafficPolicy,
		ObjectMeta: metav1.ObjectMeta{Name: GatewayName, Namespace: c.NS("edge"), Labels: c.labels(GatewayName, "client-policy")},
		Spec: ClientTrafficPolicySpec{
			TargetRefs: []gwv1.LocalPolicyTargetReferenceWithSectionName{{LocalPolicyTargetReference: gwv1.LocalPolicyTargetReference{
				Group: gwv1.GroupName, Kind: "Gateway", Name: GatewayName}}},
			TLS:     &ClientTLS{MinVersion: e.TLS.MinVersion, Ciphers: e.TLS.Ciphers},
			Timeout: &ClientTimeout{HTTP: &HTTPClientTimeout{RequestHeadersReceivedTimeout: gwDurationOf(RequestHeadersTimeout)}},
		},
	}
	if e.TrustedHops > 0 {
		ctp.Spec.ClientIPDetection = &ClientIPDetection{XForwardedFor: &XForwardedFor{NumTrustedHops: ptr(e.TrustedHops)}}
	}
	if e.MaxConnections > 0 {
		ctp.Spec.Connection = &ClientConnection{ConnectionLimit: &ConnectionLimit{Value: e.MaxConnections}}
	}
	return Object{ID: id("edge", "ClientTrafficPolicy", GatewayName), Area: "edge", Source: "spec.edge", Obj: ctp}
}

// RetryTriggers are the failures the edge retries: those where the backend
// cannot have processed the request (no connection, a refused stream, a
// reset before anything was sent), so a POST is not repeated.
var RetryTriggers = []string{"connect-failure", "refused-stream", "reset-before-request"}

// backendTrafficPolicy is everything the route of one exposed service gets
// from Envoy Gateway: its rate limit (the route's, else the edge's), body
// limit (HTTP only: the buffer holds the whole request), timeouts and safe
// retries. One policy per route: a route's policy replaces a Gateway's
// whole, so the edge-wide values are repeated here rather than merged.
func backendTrafficPolicy(c *Context, e exposed) Object {
	svc, edgeCfg := e.svc, c.P.Spec.Edge
	kind := gwv1.Kind("HTTPRoute")
	if svc.Protocol == spec.ProtocolGRPC {
		kind = "GRPCRoute"
	}
	btp := &BackendTrafficPolicy{
		TypeMeta:   typeBackendTrafficPolicy,
		ObjectMeta: metav1.ObjectMeta{Name: svc.Name, Namespace: c.NS("apps"), Labels: c.labels(svc.Name, "route-policy")},
		Spec: BackendTrafficPolicySpec{
			TargetRefs: []gwv1.LocalPolicyTargetReferenceWithSectionName{{LocalPolicyTargetReference: gwv1.LocalPolicyTargetReference{
				Group: gwv1.GroupName, Kind: kind, Name: gwv1.ObjectName(svc.Name)}}},
			Retry: &Retry{NumRetries: ptr(int32(2)), RetryOn: &RetryOn{Triggers: RetryTriggers},
				PerRetry: &PerRetryPolicy{BackOff: &BackOffPolicy{BaseInterval: gwDurationOf(100 * time.Millisecond), MaxInterval: gwDurationOf(time.Second)}}},
		},
	}
	rl := edgeCfg.RateLimit
	if svc.Expose.RateLimit != nil {
		rl = svc.Expose.RateLimit
	}
	if rl != nil {
		btp.Spec.RateLimit = &EGRateLimit{Local: &LocalRateLimit{Rules: rateLimitRules(rl.RequestsPerSecond)}}
	}
	if svc.Protocol == spec.ProtocolHTTP {
		size := edgeCfg.MaxBodySize
		if svc.Expose.MaxBodySize != "" {
			size = svc.Expose.MaxBodySize
		}
		btp.Spec.RequestBuffer = &RequestBuffer{Limit: bufferLimit(size)}
	}
	if svc.Expose.Timeout != "" || svc.Expose.IdleTimeout != "" {
		btp.Spec.Timeout = &EGTimeout{HTTP: &EGHTTPTimeout{RequestTimeout: gwDuration(svc.Expose.Timeout), StreamIdleTimeout: gwDuration(svc.Expose.IdleTimeout)}}
	}
	return Object{ID: id("apps", "BackendTrafficPolicy", svc.Name), Area: "apps", Source: e.src, Obj: btp}
}

// rateLimitRules give every client address its own bucket (Distinct), one
// rule per address family: Envoy rejects two rules with the same selector.
func rateLimitRules(rps int32) []RateLimitRule {
	var rules []RateLimitRule
	for _, cidr := range []string{"0.0.0.0/0", "::/0"} {
		rules = append(rules, RateLimitRule{
			ClientSelectors: []RateLimitSelectCondition{{SourceCIDR: &SourceMatch{Type: "Distinct", Value: cidr}}},
			Limit:           RateLimitValue{Requests: rps, Unit: "Second"},
		})
	}
	return rules
}

// bufferLimit writes a quantity as Envoy Gateway's limit pattern reads it
// (whole Ki/Mi/Gi, or bytes): no fractions, no milli.
func bufferLimit(q string) string {
	v, err := resource.ParseQuantity(q)
	if err != nil {
		return q // validated before: unreachable
	}
	b := v.Value()
	switch {
	case b%(1<<30) == 0:
		return fmt.Sprintf("%dGi", b>>30)
	case b%(1<<20) == 0:
		return fmt.Sprintf("%dMi", b>>20)
	case b%(1<<10) == 0:
		return fmt.Sprintf("%dKi", b>>10)
	}
	return fmt.Sprint(b)
}

// gwDuration writes a spec duration in the Gateway API's duration format
// (GEP-2257: up to four of h, m, s, ms; no fractions), or nil for "".
func gwDuration(s string) *gwv1.Duration {
	if s == "" {
		return nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return nil // validated before: unreachable
	}
	return gwDurationOf(d)
}

func gwDurationOf(d time.Duration) *gwv1.Duration {
	d = d.Round(time.Millisecond)
	if d < time.Millisecond {
		d = time.Millisecond
	}
	var out string
	for _, u := range []struct {
		unit string
		d    time.Duration
	}{{"h", time.Hour}, {"m", time.Minute}, {"s", time.Second}, {"ms", time.Millisecond}} {
		if n := d / u.d; n > 0 {
			out += fmt.Sprintf("%d%s", n, u.unit)
			d -= n * u.d
		}
	}
	v := gwv1.Duration(out)
	return &v
}

// istioParametersName is the ConfigMap Istio reads the Gateway's
// deployment settings from.
const istioParametersName = GatewayName + "-istio"

// istioParameters patch the Service Istio creates for the Gateway
// (strategic merge, in the Gateway's namespace) with edge.clientIP's
// externalTrafficPolicy.
func istioParameters(c *Context) Object {
	policy := corev1.ServiceExternalTrafficPolicyCluster
	if c.P.Spec.Edge.ClientIP == spec.ClientIPPreserve {
		policy = corev1.ServiceExternalTrafficPolicyLocal
	}
	return Object{ID: id("edge", "ConfigMap", istioParametersName), Area: "edge", Source: "spec.edge", Obj: &corev1.ConfigMap{
		TypeMeta:   typeConfigMap,
		ObjectMeta: metav1.ObjectMeta{Name: istioParametersName, Namespace: c.NS("edge"), Labels: c.labels(istioParametersName, "gateway-parameters")},
		Data:       map[string]string{"service": fmt.Sprintf("spec:\n  externalTrafficPolicy: %s\n", policy)},
	}}
}

// IstiodPort is istiod's xDS port, from which Istio's gateway proxies take
// their configuration.
const IstiodPort = 15012

// istiodEgress lets Istio's gateway proxies reach istiod in istio-system.
func istiodEgress() []networkingv1.NetworkPolicyEgressRule {
	return []networkingv1.NetworkPolicyEgressRule{{
		To: []networkingv1.NetworkPolicyPeer{{
			NamespaceSelector: systemSelector("istio-system"),
			PodSelector:       &metav1.LabelSelector{MatchLabels: map[string]string{"app": "istiod"}},
		}},
		Ports: []networkingv1.NetworkPolicyPort{tcpPort(IstiodPort)},
	}}
}
