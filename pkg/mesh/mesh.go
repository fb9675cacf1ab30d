// Package mesh holds what platformctl knows of the service meshes it
// renders for (Istio ambient, Linkerd): the labels and annotations that
// enrol pods, and the ports and addresses their traffic uses, as their
// documentation spells them. The generator writes them, the network
// policy evaluator and the lint rules read them; each is declared here once.
package mesh

// Enrolment, on a namespace or a pod.
const (
	// LabelIstioDataplaneMode set to Ambient enrols pods in Istio's
	// ambient mesh: ztunnel on their node carries their traffic.
	LabelIstioDataplaneMode = "istio.io/dataplane-mode"
	Ambient                 = "ambient"
	// AnnotationIstioBypassInbound keeps ztunnel out of a pod's inbound
	// path while its outbound traffic joins the mesh: for edge proxies,
	// whose clients are outside the mesh and whose client addresses the
	// rate limits and logs need.
	AnnotationIstioBypassInbound = "ambient.istio.io/bypass-inbound-capture"
	// AnnotationLinkerdInject set to "enabled" asks linkerd's webhook for
	// a proxy.
	AnnotationLinkerdInject = "linkerd.io/inject"
	// AnnotationLinkerdInboundPolicy is the default authorization of a
	// meshed pod's inbound proxy.
	AnnotationLinkerdInboundPolicy = "config.linkerd.io/default-inbound-policy"
	// LinkerdAuthenticated admits mutual TLS from meshed pods only (and the
	// kubelet's probes on the probe paths).
	LinkerdAuthenticated = "all-authenticated"
	// AnnotationLinkerdNativeSidecar injects the proxy as a native
	// sidecar (an init container that keeps running), so a Job's pod
	// completes when its container does and the proxy starts before it.
	AnnotationLinkerdNativeSidecar = "config.alpha.linkerd.io/proxy-enable-native-sidecar"
	// AnnotationLinkerdSkipInbound lists container ports linkerd's proxy
	// leaves alone on the way in.
	AnnotationLinkerdSkipInbound = "config.linkerd.io/skip-inbound-ports"
)

// Ports and addresses.
const (
	// HBONEPort is where ambient traffic arrives at a pod: mutual TLS
	// tunnels (HBONE), unwrapped by ztunnel to the original port inside
	// the pod, after the NetworkPolicies have been enforced on the host.
	HBONEPort = 15008
	// IstioProbeSource is the link-local address istio-cni rewrites the
	// node's connections to ambient pods to (the kubelet's probes among
	// them), so that ztunnel can tell them from other plaintext;
	// NetworkPolicies see it instead of the node's address.
	IstioProbeSource = "169.254.7.127/32"
	// LinkerdInboundPort is the inbound proxy's port, which a meshed
	// client dials directly for opaque ports (databases, brokers).
	LinkerdInboundPort = 4143
)

// LinkerdControlPlanePorts are the ports of linkerd's control plane a
// proxy dials: identity (certificates) 8080, destination (discovery) 8086
// and policy 8090, on the pods of LinkerdControlPlaneComponents in
// namespace LinkerdNamespace.
var LinkerdControlPlanePorts = []int32{8080, 8086, 8090}

// LinkerdNamespace and LinkerdControlPlaneComponents locate the control
// plane's pods (label linkerd.io/control-plane-component).
const LinkerdNamespace = "linkerd"

// LinkerdControlPlaneComponents are the values of
// linkerd.io/control-plane-component on the pods proxies dial.
var LinkerdControlPlaneComponents = []string{"destination", "identity"}

// LabelLinkerdComponent names a linkerd control plane pod's component.
const LabelLinkerdComponent = "linkerd.io/control-plane-component"

// InboundPort is the port a pod receives meshed traffic on, from the
// labels and annotations of its namespace and its own: HBONEPort in
// Istio's ambient mesh (unless it bypasses inbound capture),
// LinkerdInboundPort with linkerd's proxy; 0 outside any mesh. A pod's
// own setting wins over its namespace's, as both meshes read them.
func InboundPort(nsLabels, nsAnnotations, podLabels, podAnnotations map[string]string) int32 {
	mode := nsLabels[LabelIstioDataplaneMode]
	if v, ok := podLabels[LabelIstioDataplaneMode]; ok {
		mode = v
	}
	if mode == Ambient && podAnnotations[AnnotationIstioBypassInbound] != "true" {
		return HBONEPort
	}
	inject := nsAnnotations[AnnotationLinkerdInject]
	if v, ok := podAnnotations[AnnotationLinkerdInject]; ok {
		inject = v
	}
	if inject == "enabled" {
		return LinkerdInboundPort
	}
	return 0
}
