package render_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/platformctl/platformctl/pkg/generate"
	"github.com/platformctl/platformctl/pkg/internal/crdschema"
	"github.com/platformctl/platformctl/pkg/manifest"
	"github.com/platformctl/platformctl/pkg/monitoring"
	"github.com/platformctl/platformctl/pkg/render"
	"github.com/platformctl/platformctl/pkg/spec"
)

// TestRolloutsMatchTheCRDs validates every Rollout and AnalysisTemplate
// the examples render (shop's canary, microservices' blue/green) against
// the upstream CRDs' schemas, closed to unknown fields: the fast half of
// what the e2e tier's API server checks.
func TestRolloutsMatchTheCRDs(t *testing.T) {
	schemas := map[string]*jsonschema.Schema{}
	for kind, file := range map[string]string{"Rollout": "rollout-crd.yaml", "AnalysisTemplate": "analysis-template-crd.yaml"} {
		sch, err := crdschema.Compile("../../testdata/crds/argo-rollouts/"+file, "v1alpha1")
		require.NoError(t, err)
		schemas[kind] = sch
	}
	validate := func(m map[string]any) error {
		return validateAgainst(t, schemas[manifest.String(m, "kind")], m)
	}
	seen := map[string]int{}
	eachRendered(t, []string{"../../examples/shop/platform.yaml", "../../examples/microservices/platform.yaml"}, func(file, env string, m manifest.Map) {
		kind := manifest.String(m, "kind")
		if schemas[kind] == nil || manifest.String(m, "apiVersion") != generate.RolloutAPIVersion {
			return
		}
		seen[kind]++
		require.NoError(t, validate(m), "%s %s %s", file, env, manifest.String(m, "metadata", "name"))
	})
	assert.Equal(t, 7, seen["Rollout"], "shop: four environments; microservices: three")
	assert.Equal(t, seen["Rollout"], seen["AnalysisTemplate"], "every rollout is analysed (metrics are on)")

	// Not vacuous: a field Argo Rollouts does not know is refused.
	bad := map[string]any{"apiVersion": generate.RolloutAPIVersion, "kind": "Rollout", "metadata": map[string]any{"name": "x"},
		"spec": map[string]any{"strategy": map[string]any{"canary": map[string]any{"stepz": []any{}}}}}
	require.Error(t, validate(bad))
}

// deliverySpec has one server of each strategy, and a third without
// analysis; autoscaled in production.
const deliverySpec = `apiVersion: platformctl.dev/v1alpha1
kind: Platform
metadata: {name: shop}
spec:
  domain: shop.example.com
  environments:
    - {name: dev, tier: development}
    - {name: production, tier: production, zones: [a, b]}
  services:
    - name: web
      image: ghcr.io/acme/web:1.0.0@sha256:b25c93849dfbdb3d1005ee54bad2f5c74633abfa4315c040200d2ecb9041b149
      expose: {host: www}
      autoscale: {min: 2, max: 6}
      delivery:
        steps: [{weight: 25, pause: 2m}, {weight: 75}]
    - name: api
      image: ghcr.io/acme/api:1.0.0@sha256:b25c93849dfbdb3d1005ee54bad2f5c74633abfa4315c040200d2ecb9041b149
      protocol: grpc
      port: 9090
      delivery: {strategy: blueGreen}
    - name: admin
      image: ghcr.io/acme/admin:1.0.0@sha256:b25c93849dfbdb3d1005ee54bad2f5c74633abfa4315c040200d2ecb9041b149
      delivery: {analysis: false}
  data: []
  observability:
    metrics: true
    slo: {availability: "99.95", latencyP99: 250ms}
`

func TestDeliveryRendersRollouts(t *testing.T) {
	d := loadSpec(t, deliverySpec)
	objs, err := render.Environment(d.Platform, "production")
	require.NoError(t, err)
	byID := map[string]map[string]any{}
	for _, o := range objs {
		byID[manifest.String(o.Map, "kind")+"/"+manifest.String(o.Map, "metadata", "name")] = o.Map
	}
	for _, name := range []string{"web", "api", "admin"} {
		assert.NotContains(t, byID, "Deployment/"+name, "the Rollout replaces the Deployment")
		r := byID["Rollout/"+name]
		require.NotNil(t, r, name)
		tmpl := manifest.Get(r, "spec", "template", "metadata", "labels").(map[string]any)
		assert.Equal(t, manifest.Get(r, "spec", "selector", "matchLabels", generate.LabelName), manifest.Get(tmpl, generate.LabelName))
		for _, tsc := range manifest.Get(r, "spec", "template", "spec", "topologySpreadConstraints").([]any) {
			assert.Equal(t, []any{generate.LabelRolloutsHash}, manifest.Get(tsc.(map[string]any), "matchLabelKeys"), "%s: spread per revision", name)
		}
	}

	web := byID["Rollout/web"]
	steps := manifest.Get(web, "spec", "strategy", "canary", "steps")
	assert.Equal(t, []any{
		map[string]any{"setWeight": float64(25)}, map[string]any{"pause": map[string]any{"duration": "2m"}},
		map[string]any{"setWeight": float64(75)}, map[string]any{"pause": map[string]any{}},
	}, normalize(t, steps), "a step without pause waits to be promoted")
	assert.Equal(t, "web", manifest.Get(web, "spec", "strategy", "canary", "analysis", "templates").([]any)[0].(map[string]any)["templateName"])
	assert.Nil(t, manifest.Get(web, "spec", "replicas"), "the autoscaler owns the count")
	hpa := byID["HorizontalPodAutoscaler/web"]
	require.NotNil(t, hpa)
	assert.Equal(t, map[string]any{"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "name": "web"}, manifest.Get(hpa, "spec", "scaleTargetRef"))
	assert.NotNil(t, byID["PodDisruptionBudget/web"])

	// The AnalysisTemplate queries exactly the gates monitoring declares,
	// each failing above the threshold derived from the 99.95 % SLO.
	at := byID["AnalysisTemplate/web"]
	require.NotNil(t, at)
	gates := monitoring.Gates(monitoring.Target{Service: "web", Protocol: "http", Availability: 99.95, LatencyP99: 250e6}, "{{args.namespace}}")
	metrics := manifest.Get(at, "spec", "metrics").([]any)
	require.Len(t, metrics, len(gates))
	for i, g := range gates {
		m := metrics[i].(map[string]any)
		assert.Equal(t, g.Name, m["name"])
		assert.Equal(t, g.Query, manifest.Get(m, "provider", "prometheus", "query"))
		assert.Equal(t, "http://prometheus-operated.observability.svc:9090", manifest.Get(m, "provider", "prometheus", "address"))
		assert.Equal(t, fmt.Sprintf("isNaN(result) || result <= %s", g.Max), m["successCondition"])
		assert.Nil(t, m["count"], "a canary's analysis runs until the rollout completes")
	}
	assert.Equal(t, "0.0072", gates[0].Max)

	api := byID["Rollout/api"]
	bg := manifest.Get(api, "spec", "strategy", "blueGreen").(map[string]any)
	assert.Equal(t, "api", bg["activeService"])
	assert.Equal(t, "api-preview", bg["previewService"])
	assert.NotNil(t, bg["prePromotionAnalysis"])
	assert.NotNil(t, bg["postPromotionAnalysis"])
	preview := byID["Service/api-preview"]
	require.NotNil(t, preview)
	assert.Equal(t, manifest.Get(byID["Service/api"], "spec", "selector"), manifest.Get(preview, "spec", "selector"))
	assert.Equal(t, "api-preview", manifest.Get(preview, "metadata", "labels", generate.LabelName), "not scraped twice by api's ServiceMonitor")
	for _, m := range manifest.Get(byID["AnalysisTemplate/api"], "spec", "metrics").([]any) {
		assert.Equal(t, float64(generate.BlueGreenAnalysisCount), normalize(t, m.(map[string]any)["count"]), "promotion waits for the end of the analysis")
	}

	assert.NotContains(t, byID, "AnalysisTemplate/admin")
	assert.Nil(t, manifest.Get(byID["Rollout/admin"], "spec", "strategy", "canary", "analysis"))
	assert.NotContains(t, byID, "Service/admin-preview")

	// Prometheus answers the Rollouts controller, from its namespace only.
	prom := byID["NetworkPolicy/prometheus"]
	require.NotNil(t, prom)
	raw, err := json.Marshal(manifest.Get(prom, "spec", "ingress"))
	require.NoError(t, err)
	assert.Contains(t, string(raw), `"values":["argo-rollouts"]`)
}

func TestDeliveryWithoutAnalysisLeavesPrometheusClosed(t *testing.T) {
	d := loadSpec(t, `apiVersion: platformctl.dev/v1alpha1
kind: Platform
metadata: {name: shop}
spec:
  domain: shop.example.com
  environments: [{name: dev, tier: development}]
  services:
    - {name: web, image: "ghcr.io/acme/web:1.0.0", delivery: {}}
  data: []
  observability: {metrics: false}
`)
	objs, err := render.Environment(d.Platform, "dev")
	require.NoError(t, err)
	kinds := map[string]bool{}
	for _, o := range objs {
		kinds[manifest.String(o.Map, "kind")] = true
	}
	assert.True(t, kinds["Rollout"])
	assert.False(t, kinds["AnalysisTemplate"], "no metrics, no series to analyse: analysis defaults to off")
	assert.False(t, kinds["Deployment"])
}

// normalize round-trips v through JSON, as the built objects are.
func normalize(t *testing.T, v any) any {
	t.Helper()
	raw, err := json.Marshal(v)
	require.NoError(t, err)
	var out any
	require.NoError(t, json.Unmarshal(raw, &out))
	return out
}

// loadSpec loads and validates a spec written inline.
func loadSpec(t *testing.T, text string) *spec.Document {
	t.Helper()
	path := filepath.Join(t.TempDir(), "platform.yaml")
	require.NoError(t, os.WriteFile(path, []byte(text), 0o600))
	d, err := spec.LoadAndValidate(path)
	require.NoError(t, err)
	return d
}
