package generate

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"
)

// Envoy Gateway's API module (github.com/envoyproxy/gateway) brings its
// control plane's dependencies (Envoy's xDS protos, controller-runtime) into
// every build of the CLI; these are the few fields platformctl emits, with
// the upstream JSON names of gateway.envoyproxy.io/v1alpha1 (v1.9). The e2e
// tier checks every object against the released CRD schemas
// (testdata/crds/envoy-gateway).

// EnvoyGatewayGroup is the API group of Envoy Gateway's policy resources.
const EnvoyGatewayGroup = "gateway.envoyproxy.io"

var (
	typeEnvoyProxy           = metav1.TypeMeta{APIVersion: EnvoyGatewayGroup + "/v1alpha1", Kind: "EnvoyProxy"}
	typeClientTrafficPolicy  = metav1.TypeMeta{APIVersion: EnvoyGatewayGroup + "/v1alpha1", Kind: "ClientTrafficPolicy"}
	typeBackendTrafficPolicy = metav1.TypeMeta{APIVersion: EnvoyGatewayGroup + "/v1alpha1", Kind: "BackendTrafficPolicy"}
)

// EnvoyProxy is gateway.envoyproxy.io/v1alpha1 EnvoyProxy: how Envoy
// Gateway deploys the proxies of the Gateways that reference it.
type EnvoyProxy struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              EnvoyProxySpec `json:"spec"`
}

// EnvoyProxySpec is the subset platformctl sets.
type EnvoyProxySpec struct {
	Provider EnvoyProxyProvider `json:"provider"`
}

// EnvoyProxyProvider is the infrastructure the proxies run on.
type EnvoyProxyProvider struct {
	// Type is Kubernetes.
	Type       string                        `json:"type"`
	Kubernetes *EnvoyProxyKubernetesProvider `json:"kubernetes,omitempty"`
}

// EnvoyProxyKubernetesProvider configures the proxies' Kubernetes objects.
type EnvoyProxyKubernetesProvider struct {
	EnvoyDeployment *EnvoyDeploymentSpec `json:"envoyDeployment,omitempty"`
	EnvoyService    *EnvoyServiceSpec    `json:"envoyService,omitempty"`
}

// EnvoyDeploymentSpec is the Deployment Envoy Gateway creates for the
// proxies.
type EnvoyDeploymentSpec struct {
	Pod *EnvoyProxyPodSpec `json:"pod,omitempty"`
}

// EnvoyProxyPodSpec is what the proxies' pod template gets besides Envoy
// Gateway's own.
type EnvoyProxyPodSpec struct {
	Annotations map[string]string `json:"annotations,omitempty"`
	Labels      map[string]string `json:"labels,omitempty"`
}

// EnvoyServiceSpec is the Service Envoy Gateway creates in front of a
// Gateway's proxies.
type EnvoyServiceSpec struct {
	Type                  string `json:"type,omitempty"`
	ExternalTrafficPolicy string `json:"externalTrafficPolicy,omitempty"`
}

// ClientTrafficPolicy is gateway.envoyproxy.io/v1alpha1
// ClientTrafficPolicy: the downstream side of a Gateway's listeners.
type ClientTrafficPolicy struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              ClientTrafficPolicySpec `json:"spec"`
}

// ClientTrafficPolicySpec is the subset platformctl sets.
type ClientTrafficPolicySpec struct {
	TargetRefs        []gwv1.LocalPolicyTargetReferenceWithSectionName `json:"targetRefs"`
	ClientIPDetection *ClientIPDetection                               `json:"clientIPDetection,omitempty"`
	TLS               *ClientTLS                                       `json:"tls,omitempty"`
	Timeout           *ClientTimeout                                   `json:"timeout,omitempty"`
	Connection        *ClientConnection                                `json:"connection,omitempty"`
}

// ClientIPDetection finds the client address behind trusted proxies.
type ClientIPDetection struct {
	XForwardedFor *XForwardedFor `json:"xForwardedFor,omitempty"`
}

// XForwardedFor trusts the last NumTrustedHops entries of X-Forwarded-For.
type XForwardedFor struct {
	NumTrustedHops *int32 `json:"numTrustedHops,omitempty"`
}

// ClientTLS is the TLS protocol of the listeners.
type ClientTLS struct {
	MinVersion string   `json:"minVersion,omitempty"`
	Ciphers    []string `json:"ciphers,omitempty"`
}

// ClientTimeout holds the downstream timeouts.
type ClientTimeout struct {
	HTTP *HTTPClientTimeout `json:"http,omitempty"`
}

// HTTPClientTimeout bounds how long a client may take to send.
type HTTPClientTimeout struct {
	RequestHeadersReceivedTimeout *gwv1.Duration `json:"requestHeadersReceivedTimeout,omitempty"`
}

// ClientConnection limits downstream connections.
type ClientConnection struct {
	ConnectionLimit *ConnectionLimit `json:"connectionLimit,omitempty"`
}

// ConnectionLimit caps concurrent connections per proxy.
type ConnectionLimit struct {
	Value int64 `json:"value"`
}

// BackendTrafficPolicy is gateway.envoyproxy.io/v1alpha1
// BackendTrafficPolicy: how a route's requests reach its backends.
type BackendTrafficPolicy struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              BackendTrafficPolicySpec `json:"spec"`
}

// BackendTrafficPolicySpec is the subset platformctl sets.
type BackendTrafficPolicySpec struct {
	TargetRefs    []gwv1.LocalPolicyTargetReferenceWithSectionName `json:"targetRefs"`
	RateLimit     *EGRateLimit                                     `json:"rateLimit,omitempty"`
	RequestBuffer *RequestBuffer                                   `json:"requestBuffer,omitempty"`
	Retry         *Retry                                           `json:"retry,omitempty"`
	Timeout       *EGTimeout                                       `json:"timeout,omitempty"`
}

// EGRateLimit is a rate limit; platformctl renders local ones only (no
// rate limit service to run).
type EGRateLimit struct {
	Local *LocalRateLimit `json:"local,omitempty"`
}

// LocalRateLimit is counted by each proxy replica on its own.
type LocalRateLimit struct {
	Rules []RateLimitRule `json:"rules"`
}

// RateLimitRule limits the clients its selectors match.
type RateLimitRule struct {
	ClientSelectors []RateLimitSelectCondition `json:"clientSelectors,omitempty"`
	Limit           RateLimitValue             `json:"limit"`
}

// RateLimitSelectCondition selects clients.
type RateLimitSelectCondition struct {
	SourceCIDR *SourceMatch `json:"sourceCIDR,omitempty"`
}

// SourceMatch matches client addresses; Distinct gives each address in
// Value its own bucket.
type SourceMatch struct {
	Type  string `json:"type,omitempty"`
	Value string `json:"value"`
}

// RateLimitValue is requests per unit.
type RateLimitValue struct {
	Requests int32  `json:"requests"`
	Unit     string `json:"unit"`
}

// RequestBuffer buffers whole requests up to Limit; larger ones get 413.
type RequestBuffer struct {
	Limit string `json:"limit"`
}

// Retry retries failed requests.
type Retry struct {
	NumRetries *int32          `json:"numRetries,omitempty"`
	RetryOn    *RetryOn        `json:"retryOn,omitempty"`
	PerRetry   *PerRetryPolicy `json:"perRetry,omitempty"`
}

// RetryOn names the failures that are retried.
type RetryOn struct {
	Triggers []string `json:"triggers,omitempty"`
}

// PerRetryPolicy spaces retries.
type PerRetryPolicy struct {
	BackOff *BackOffPolicy `json:"backOff,omitempty"`
}

// BackOffPolicy is an exponential back-off.
type BackOffPolicy struct {
	BaseInterval *gwv1.Duration `json:"baseInterval,omitempty"`
	MaxInterval  *gwv1.Duration `json:"maxInterval,omitempty"`
}

// EGTimeout holds the upstream timeouts.
type EGTimeout struct {
	HTTP *EGHTTPTimeout `json:"http,omitempty"`
}

// EGHTTPTimeout bounds a request and an idle stream.
type EGHTTPTimeout struct {
	RequestTimeout    *gwv1.Duration `json:"requestTimeout,omitempty"`
	StreamIdleTimeout *gwv1.Duration `json:"streamIdleTimeout,omitempty"`
}
