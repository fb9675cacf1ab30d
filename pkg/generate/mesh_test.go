package generate_test

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"

	"github.com/platformctl/platformctl/pkg/generate"
	"github.com/platformctl/platformctl/pkg/internal/crdschema"
	"github.com/platformctl/platformctl/pkg/mesh"
)

// meshSpec has an exposed server calling a gRPC server that uses an
// in-cluster database and an external API, with metrics and tracing.
const meshSpec = `apiVersion: platformctl.dev/v1alpha1
kind: Platform
metadata: {name: mesh}
spec:
  domain: mesh.example.com
  environments:
    - {name: dev, tier: development}
  observability: {metrics: true, tracing: {sampleRatio: 0.1}}
  mesh: MESH
  edge: {implementation: EDGE}
  services:
    - name: web
      image: ghcr.io/acme/web:1.0.0
      expose: {host: www}
      calls: [api]
    - name: api
      image: ghcr.io/acme/api:1.0.0
      protocol: grpc
      uses: [db]
      egress: [{cidr: 203.0.113.0/24, ports: [443]}]
  data:
    - {name: db, type: postgres}
`

func meshObjects(t *testing.T, m, edge string) map[string]generate.Object {
	t.Helper()
	return sourceObjects(t, strings.NewReplacer("MESH", m, "EDGE", edge).Replace(meshSpec), "dev")
}

// rulePorts are the ports of the rules of area's policies (but the
// baseline's), split by whether the rule leads to or from pods of the
// platform's namespaces (and the edge proxies, for ingress), or only to
// what is outside them: addresses, system namespaces.
func rulePorts(objs map[string]generate.Object, area string) (platform, outside [][]int32) {
	ports := func(ps []networkingv1.NetworkPolicyPort) []int32 {
		var out []int32
		for _, p := range ps {
			out = append(out, p.Port.IntVal)
		}
		return out
	}
	platformPeer := func(p networkingv1.NetworkPolicyPeer) bool {
		return p.IPBlock == nil && (p.NamespaceSelector == nil || p.NamespaceSelector.MatchLabels[generate.LabelArea] != "")
	}
	for id, o := range objs {
		np, ok := o.Obj.(*networkingv1.NetworkPolicy)
		if !ok || !strings.HasPrefix(id, area+"/") || np.Name == "allow-dns" || np.Name == "allow-mesh" {
			continue
		}
		for _, r := range np.Spec.Ingress {
			if slices.ContainsFunc(r.From, func(p networkingv1.NetworkPolicyPeer) bool { return p.IPBlock == nil }) {
				platform = append(platform, ports(r.Ports))
			}
		}
		for _, r := range np.Spec.Egress {
			if slices.ContainsFunc(r.To, platformPeer) {
				platform = append(platform, ports(r.Ports))
			} else {
				outside = append(outside, ports(r.Ports))
			}
		}
	}
	return platform, outside
}

func TestMeshIstioAmbient(t *testing.T) {
	objs := meshObjects(t, "istio", "envoy-gateway")
	for _, area := range []string{"edge", "apps", "data", "observability", "cicd"} {
		ns := objs[area+"/Namespace/"].Obj.(*corev1.Namespace)
		meshed := area == "apps" || area == "data" || area == "observability"
		assert.Equal(t, meshed, ns.Labels[mesh.LabelIstioDataplaneMode] == mesh.Ambient, area)
		assert.Equal(t, "restricted", ns.Labels["pod-security.kubernetes.io/warn"], "%s: no mesh pod needs more", area)
		pa, ok := objs[area+"/PeerAuthentication/default"]
		assert.Equal(t, meshed, ok, area)
		if ok {
			assert.Equal(t, "STRICT", pa.Obj.(*generate.PeerAuthentication).Spec.MTLS.Mode)
			probes := objs[area+"/NetworkPolicy/allow-mesh"].Obj.(*networkingv1.NetworkPolicy)
			assert.Equal(t, []networkingv1.NetworkPolicyIngressRule{{From: []networkingv1.NetworkPolicyPeer{{IPBlock: &networkingv1.IPBlock{CIDR: mesh.IstioProbeSource}}}}}, probes.Spec.Ingress)
			assert.Equal(t, []networkingv1.PolicyType{networkingv1.PolicyTypeIngress}, probes.Spec.PolicyTypes, "ingress only: the default deny keeps egress closed")
		}
	}
	ep := objs["edge/EnvoyProxy/public"].Obj.(*generate.EnvoyProxy)
	pod := ep.Spec.Provider.Kubernetes.EnvoyDeployment.Pod
	assert.Equal(t, map[string]string{mesh.LabelIstioDataplaneMode: mesh.Ambient}, pod.Labels)
	assert.Equal(t, map[string]string{mesh.AnnotationIstioBypassInbound: "true"}, pod.Annotations, "the internet's connections reach Envoy itself, client address intact")

	for _, area := range []string{"apps", "data", "observability"} {
		platform, outside := rulePorts(objs, area)
		require.NotEmpty(t, platform, area)
		for _, ports := range platform {
			assert.Contains(t, ports, int32(mesh.HBONEPort), "%s: every rule between pods lets the tunnel through", area)
			assert.Greater(t, len(ports), 1, "%s: next to the rule's own port", area)
		}
		for _, ports := range outside {
			assert.NotContains(t, ports, int32(mesh.HBONEPort), "%s: addresses and system namespaces are outside the mesh", area)
		}
	}
	dns := objs["apps/NetworkPolicy/allow-dns"].Obj.(*networkingv1.NetworkPolicy)
	assert.Len(t, dns.Spec.Egress[0].Ports, 2, "kube-dns is outside the mesh: 53/UDP and 53/TCP only")
}

func TestMeshLinkerd(t *testing.T) {
	objs := meshObjects(t, "linkerd", "envoy-gateway")
	for _, area := range []string{"apps", "data", "observability"} {
		ns := objs[area+"/Namespace/"].Obj.(*corev1.Namespace)
		assert.Equal(t, "enabled", ns.Annotations[mesh.AnnotationLinkerdInject], area)
		assert.Equal(t, mesh.LinkerdAuthenticated, ns.Annotations[mesh.AnnotationLinkerdInboundPolicy], area)
		assert.Equal(t, "true", ns.Annotations[mesh.AnnotationLinkerdNativeSidecar], "%s: Jobs complete", area)
		_, pa := objs[area+"/PeerAuthentication/default"]
		assert.False(t, pa, area)
		cp := objs[area+"/NetworkPolicy/allow-mesh"].Obj.(*networkingv1.NetworkPolicy)
		require.Len(t, cp.Spec.Egress, 1, area)
		assert.Len(t, cp.Spec.Egress[0].Ports, len(mesh.LinkerdControlPlanePorts), "%s: identity, destination, policy", area)
		platform, _ := rulePorts(objs, area)
		for _, ports := range platform {
			assert.Contains(t, ports, int32(mesh.LinkerdInboundPort), area)
		}
	}
	_, inEdge := objs["edge/Namespace/"].Obj.(*corev1.Namespace).Annotations[mesh.AnnotationLinkerdInject]
	assert.False(t, inEdge)
	pod := objs["edge/EnvoyProxy/public"].Obj.(*generate.EnvoyProxy).Spec.Provider.Kubernetes.EnvoyDeployment.Pod
	assert.Equal(t, map[string]string{mesh.AnnotationLinkerdInject: "enabled", mesh.AnnotationLinkerdSkipInbound: "10080,10443"}, pod.Annotations)
}

// With Istio's own gateway the proxies run in the edge namespace and speak
// HBONE themselves: the edge's egress to the apps opens the tunnel port,
// and nothing labels the edge namespace or an EnvoyProxy.
func TestMeshIstioGateway(t *testing.T) {
	objs := meshObjects(t, "{provider: istio, mode: ambient}", "istio")
	_, labelled := objs["edge/Namespace/"].Obj.(*corev1.Namespace).Labels[mesh.LabelIstioDataplaneMode]
	assert.False(t, labelled)
	_, ep := objs["edge/EnvoyProxy/public"]
	assert.False(t, ep)
	edge := objs["edge/NetworkPolicy/edge-controller"].Obj.(*networkingv1.NetworkPolicy)
	found := false
	for _, r := range edge.Spec.Egress {
		for _, p := range r.Ports {
			found = found || p.Port.IntVal == mesh.HBONEPort
		}
	}
	assert.True(t, found, "the gateway reaches the apps through the tunnel")
}

// TestMeshObjectsMatchCRDs checks the PeerAuthentications against Istio's
// released CRD (testdata/crds/istio), closed like the API server's strict
// field validation: the typed struct here is hand-written.
func TestMeshObjectsMatchCRDs(t *testing.T) {
	sch, err := crdschema.Compile(filepath.Join("..", "..", "testdata", "crds", "istio", "peerauthentications.security.istio.io.yaml"), "v1")
	require.NoError(t, err)
	checked := 0
	for _, o := range meshObjects(t, "istio", "envoy-gateway") {
		if _, ok := o.Obj.(*generate.PeerAuthentication); !ok {
			continue
		}
		// Istio's schema is the spec's alone: the API server itself
		// checks apiVersion, kind and metadata.
		js, err := json.Marshal(map[string]any{"spec": o.Obj.(*generate.PeerAuthentication).Spec})
		require.NoError(t, err)
		inst, err := jsonschema.UnmarshalJSON(strings.NewReader(string(js)))
		require.NoError(t, err)
		assert.NoError(t, sch.Validate(inst), "%s", js)
		checked++
	}
	assert.Equal(t, 3, checked, "apps, data, observability")
	bad, err := jsonschema.UnmarshalJSON(strings.NewReader(`{"spec":{"mtls":{"mode":"STRICTER"}}}`))
	require.NoError(t, err)
	assert.Error(t, sch.Validate(bad), "not vacuous: an unknown mode is refused")
}
