package generate_test

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/platformctl/platformctl/pkg/internal/crdschema"

	"github.com/platformctl/platformctl/pkg/generate"
	"github.com/platformctl/platformctl/pkg/spec"
)

// edgeSpec sets every edge field envoy-gateway renders; the profile cases
// below swap the edge block.
const edgeSpec = `apiVersion: platformctl.dev/v1alpha1
kind: Platform
metadata: {name: edge}
spec:
  domain: edge.example.com
  environments:
    - {name: dev, tier: development}
    - {name: prod, tier: production, zones: [a, b]}
  observability: {metrics: true, slo: {latencyP99: 750ms}}
  edge:
EDGE
  services:
    - name: web
      image: ghcr.io/acme/web:1.0.0@sha256:8ac720777beb9a42009e5347f5dc7bf3e27429bd1dc640686f3c9514d487746b
      expose: {host: www WEB}
    - name: chat
      image: ghcr.io/acme/chat:1.0.0@sha256:8ac720777beb9a42009e5347f5dc7bf3e27429bd1dc640686f3c9514d487746b
      protocol: websocket
      expose: {host: chat CHAT}
    - name: api
      image: ghcr.io/acme/api:1.0.0@sha256:8ac720777beb9a42009e5347f5dc7bf3e27429bd1dc640686f3c9514d487746b
      protocol: grpc
      expose: {host: api, path: /shop.v1.Orders API}
`

const envoyGatewayEdge = `    clientIP: preserve
    maxBodySize: 4Mi
    rateLimit: {requestsPerSecond: 100}
    trustedHops: 1
    maxConnections: 50000
    proxyNamespace: gateways
    tls: {minVersion: "1.2", ciphers: [ECDHE-ECDSA-AES256-GCM-SHA384, ECDHE-RSA-AES256-GCM-SHA384]}`

// routeFields are the per-route fields envoy-gateway renders, for web,
// chat and api.
var routeFields = []string{", rateLimit: {requestsPerSecond: 5}, maxBodySize: 1.5Mi, timeout: 90s", ", idleTimeout: 1h30m", ", timeout: 2500ms"}

// edgeObjects generates env of edgeSpec with the edge block edge and the
// per-route fields routes (web's, chat's, api's; nil: none).
func edgeObjects(t *testing.T, edge string, routes []string, env string) map[string]generate.Object {
	t.Helper()
	if routes == nil {
		routes = []string{"", "", ""}
	}
	src := strings.NewReplacer("EDGE", edge, " WEB", routes[0], " CHAT", routes[1], " API", routes[2]).Replace(edgeSpec)
	return sourceObjects(t, src, env)
}

func TestEnvoyGatewayProfile(t *testing.T) {
	objs := edgeObjects(t, envoyGatewayEdge, routeFields, "prod")
	_, dup := objs["edge/Service/edge"]
	assert.False(t, dup, "Envoy Gateway creates the Gateway's Service: no second load balancer")
	_, policy := objs["edge/NetworkPolicy/edge-controller"]
	assert.False(t, policy, "the proxies run in Envoy Gateway's namespace, not the edge's")

	gw := objs["edge/Gateway/public"].Obj.(*gwv1.Gateway)
	require.NotNil(t, gw.Spec.Infrastructure)
	assert.Equal(t, gwv1.LocalParametersReference{Group: "gateway.envoyproxy.io", Kind: "EnvoyProxy", Name: "public"}, *gw.Spec.Infrastructure.ParametersRef)
	ep := objs["edge/EnvoyProxy/public"].Obj.(*generate.EnvoyProxy)
	assert.Equal(t, generate.EnvoyServiceSpec{Type: "LoadBalancer", ExternalTrafficPolicy: "Local"}, *ep.Spec.Provider.Kubernetes.EnvoyService)

	ctp := objs["edge/ClientTrafficPolicy/public"].Obj.(*generate.ClientTrafficPolicy)
	assert.Equal(t, generate.ClientTLS{MinVersion: "1.2", Ciphers: []string{"ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES256-GCM-SHA384"}}, *ctp.Spec.TLS)
	assert.Equal(t, int32(1), *ctp.Spec.ClientIPDetection.XForwardedFor.NumTrustedHops)
	assert.Equal(t, int64(50000), ctp.Spec.Connection.ConnectionLimit.Value)
	assert.Equal(t, gwv1.Duration("10s"), *ctp.Spec.Timeout.HTTP.RequestHeadersReceivedTimeout)

	web := objs["apps/BackendTrafficPolicy/web"].Obj.(*generate.BackendTrafficPolicy)
	assert.Equal(t, gwv1.Kind("HTTPRoute"), web.Spec.TargetRefs[0].Kind)
	assert.Equal(t, int32(5), web.Spec.RateLimit.Local.Rules[0].Limit.Requests, "the route's limit replaces the edge's")
	assert.Equal(t, "1536Ki", web.Spec.RequestBuffer.Limit)
	assert.Equal(t, gwv1.Duration("1m30s"), *web.Spec.Timeout.HTTP.RequestTimeout)
	assert.Equal(t, generate.RetryTriggers, web.Spec.Retry.RetryOn.Triggers)

	chat := objs["apps/BackendTrafficPolicy/chat"].Obj.(*generate.BackendTrafficPolicy)
	assert.Equal(t, int32(100), chat.Spec.RateLimit.Local.Rules[0].Limit.Requests, "the edge's limit")
	assert.Nil(t, chat.Spec.RequestBuffer, "a websocket stream is never buffered whole")
	assert.Equal(t, gwv1.Duration("1h30m"), *chat.Spec.Timeout.HTTP.StreamIdleTimeout)
	assert.Nil(t, chat.Spec.Timeout.HTTP.RequestTimeout)

	api := objs["apps/BackendTrafficPolicy/api"].Obj.(*generate.BackendTrafficPolicy)
	assert.Equal(t, gwv1.Kind("GRPCRoute"), api.Spec.TargetRefs[0].Kind)
	assert.Nil(t, api.Spec.RequestBuffer)
	assert.Equal(t, gwv1.Duration("2s500ms"), *api.Spec.Timeout.HTTP.RequestTimeout)

	// The exposed services admit the proxies where Envoy Gateway runs them.
	np := objs["apps/NetworkPolicy/web"].Obj.(*networkingv1.NetworkPolicy)
	peer := np.Spec.Ingress[0].From[0]
	assert.Equal(t, []string{"gateways"}, peer.NamespaceSelector.MatchExpressions[0].Values)
	assert.Equal(t, map[string]string{generate.LabelOwningGatewayName: "public"}, peer.PodSelector.MatchLabels)
	assert.Equal(t, []string{"dev-edge", "edge"}, peer.PodSelector.MatchExpressions[0].Values)

	_, scraped := objs["observability/PodMonitor/"+generate.EdgeMetricsName]
	assert.True(t, scraped)
}

func TestEdgeDefaults(t *testing.T) {
	objs := edgeObjects(t, "    hsts: true", nil, "prod")
	ctp := objs["edge/ClientTrafficPolicy/public"].Obj.(*generate.ClientTrafficPolicy)
	assert.Equal(t, "1.2", ctp.Spec.TLS.MinVersion, "TLS 1.2 is the default minimum")
	assert.Nil(t, ctp.Spec.ClientIPDetection)
	assert.Nil(t, ctp.Spec.Connection)
	ep := objs["edge/EnvoyProxy/public"].Obj.(*generate.EnvoyProxy)
	assert.Equal(t, "Cluster", ep.Spec.Provider.Kubernetes.EnvoyService.ExternalTrafficPolicy)
	assert.Equal(t, spec.DefaultProxyNamespace, ep.Annotations[generate.AnnotationProxyNamespace])
	chat := objs["apps/BackendTrafficPolicy/chat"].Obj.(*generate.BackendTrafficPolicy)
	assert.Nil(t, chat.Spec.RateLimit, "no rate limit unless one is set")
	assert.Equal(t, "8Mi", objs["apps/BackendTrafficPolicy/web"].Obj.(*generate.BackendTrafficPolicy).Spec.RequestBuffer.Limit)
}

func TestOtherProfiles(t *testing.T) {
	t.Run("istio", func(t *testing.T) {
		objs := edgeObjects(t, "    implementation: istio\n    clientIP: preserve", []string{", timeout: 90s", "", ""}, "prod")
		gw := objs["edge/Gateway/public"].Obj.(*gwv1.Gateway)
		assert.Equal(t, gwv1.LocalParametersReference{Kind: "ConfigMap", Name: "public-istio"}, *gw.Spec.Infrastructure.ParametersRef)
		cm := objs["edge/ConfigMap/public-istio"].Obj.(*corev1.ConfigMap)
		assert.Equal(t, "spec:\n  externalTrafficPolicy: Local\n", cm.Data["service"])
		route := objs["apps/HTTPRoute/web"].Obj.(*gwv1.HTTPRoute)
		assert.Equal(t, gwv1.Duration("1m30s"), *route.Spec.Rules[0].Timeouts.Request)
		np := objs["edge/NetworkPolicy/edge-controller"].Obj.(*networkingv1.NetworkPolicy)
		last := np.Spec.Egress[len(np.Spec.Egress)-1]
		assert.Equal(t, int32(generate.IstiodPort), last.Ports[0].Port.IntVal, "the gateway takes its configuration from istiod")
		assertNoEnvoyGateway(t, objs)
	})
	t.Run("generic", func(t *testing.T) {
		objs := edgeObjects(t, "    implementation: generic", nil, "prod")
		gw := objs["edge/Gateway/public"].Obj.(*gwv1.Gateway)
		assert.Nil(t, gw.Spec.Infrastructure)
		assert.Nil(t, objs["apps/HTTPRoute/web"].Obj.(*gwv1.HTTPRoute).Spec.Rules[0].Timeouts)
		_, policy := objs["edge/NetworkPolicy/edge-controller"]
		assert.True(t, policy, "the proxies run in the Gateway's namespace")
		assertNoEnvoyGateway(t, objs)
	})
}

func assertNoEnvoyGateway(t *testing.T, objs map[string]generate.Object) {
	t.Helper()
	for id := range objs {
		assert.NotContains(t, id, "TrafficPolicy")
		assert.NotContains(t, id, "EnvoyProxy")
		assert.NotContains(t, id, generate.EdgeMetricsName, "only Envoy Gateway's proxies are scraped")
		assert.NotEqual(t, "edge/Service/edge", id, "the implementation creates the Gateway's Service")
	}
}

// TestEnvoyGatewayObjectsMatchCRDs checks every Envoy Gateway object of the
// examples and of the spec above against the released CRD schemas
// (testdata/crds/envoy-gateway), closed like the API server's strict field
// validation: the typed structs here are hand-written.
func TestEnvoyGatewayObjectsMatchCRDs(t *testing.T) {
	schemas := map[string]*jsonschema.Schema{}
	for kind, file := range map[string]string{
		"EnvoyProxy":           "gateway.envoyproxy.io_envoyproxies.yaml",
		"ClientTrafficPolicy":  "gateway.envoyproxy.io_clienttrafficpolicies.yaml",
		"BackendTrafficPolicy": "gateway.envoyproxy.io_backendtrafficpolicies.yaml",
	} {
		sch, err := crdschema.Compile(filepath.Join("..", "..", "testdata", "crds", "envoy-gateway", file), "v1alpha1")
		require.NoError(t, err)
		schemas[kind] = sch
	}
	sets := []map[string]generate.Object{edgeObjects(t, envoyGatewayEdge, routeFields, "prod"), edgeObjects(t, "    hsts: false", nil, "dev")}
	examples, err := filepath.Glob("../../examples/*/platform.yaml")
	require.NoError(t, err)
	for _, ex := range examples {
		p := load(t, ex)
		for _, env := range p.EnvironmentNames() {
			sets = append(sets, byID(t, p, env))
		}
	}
	checked := 0
	for _, objs := range sets {
		for id, o := range objs {
			kind := strings.Split(id, "/")[1]
			sch, ok := schemas[kind]
			if !ok {
				continue
			}
			js, err := json.Marshal(o.Obj)
			require.NoError(t, err)
			inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(js))
			require.NoError(t, err)
			assert.NoError(t, sch.Validate(inst), "%s:\n%s", id, js)
			checked++
		}
	}
	assert.Greater(t, checked, 10)
	// Not vacuous: a field the CRD does not know fails.
	inst, err := jsonschema.UnmarshalJSON(strings.NewReader(`{"apiVersion":"gateway.envoyproxy.io/v1alpha1","kind":"BackendTrafficPolicy","metadata":{},"spec":{"targetRefs":[],"bodyLimit":"1Mi"}}`))
	require.NoError(t, err)
	assert.Error(t, schemas["BackendTrafficPolicy"].Validate(inst))
}
