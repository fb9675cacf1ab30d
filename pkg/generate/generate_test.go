package generate_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"sigs.k8s.io/yaml"

	"github.com/platformctl/platformctl/pkg/generate"
	"github.com/platformctl/platformctl/pkg/spec"
)

func load(t *testing.T, path string) *spec.Platform {
	t.Helper()
	d, err := spec.LoadAndValidate(path)
	require.NoError(t, err)
	return d.Platform
}

// sourceObjects generates env of the spec src (written to a temporary
// platform.yaml, so that it loads as a user's would), by ID.
func sourceObjects(t *testing.T, src, env string) map[string]generate.Object {
	t.Helper()
	path := filepath.Join(t.TempDir(), "platform.yaml")
	require.NoError(t, os.WriteFile(path, []byte(src), 0o600))
	return byID(t, load(t, path), env)
}

func byID(t *testing.T, p *spec.Platform, env string) map[string]generate.Object {
	t.Helper()
	var e *spec.Environment
	if env != "" {
		e = p.Environment(env)
		require.NotNil(t, e)
	}
	objs, err := generate.Objects(p, e)
	require.NoError(t, err)
	m := map[string]generate.Object{}
	for _, o := range objs {
		m[o.ID] = o
	}
	return m
}

func TestTierShapes(t *testing.T) {
	p := load(t, "../../examples/shop/platform.yaml")
	tests := []struct {
		env         string
		hpa, pdb    bool
		webReplicas *int32 // nil: the HPA owns replicas
		zoneHard    bool
		ns          string
	}{
		{env: "dev", hpa: false, pdb: false, webReplicas: ptr(int32(1)), ns: "dev-apps"},
		{env: "testing", hpa: false, pdb: false, webReplicas: ptr(int32(1)), ns: "testing-apps"},
		{env: "staging", hpa: true, pdb: true, ns: "staging-apps"},
		{env: "production", hpa: true, pdb: true, zoneHard: true, ns: "apps"},
	}
	for _, tt := range tests {
		t.Run(tt.env, func(t *testing.T) {
			objs := byID(t, p, tt.env)
			_, hasHPA := objs["apps/HorizontalPodAutoscaler/web"]
			_, hasPDB := objs["apps/PodDisruptionBudget/web"]
			assert.Equal(t, tt.hpa, hasHPA, "HPA")
			assert.Equal(t, tt.pdb, hasPDB, "PDB")
			dep := objs["apps/Deployment/web"].Obj.(*appsv1.Deployment)
			assert.Equal(t, tt.webReplicas, dep.Spec.Replicas, "a Deployment with an HPA must not set replicas")
			assert.Equal(t, tt.ns, dep.Namespace)
			zone := dep.Spec.Template.Spec.TopologySpreadConstraints[0]
			assert.Equal(t, "topology.kubernetes.io/zone", zone.TopologyKey)
			assert.Equal(t, tt.zoneHard, zone.WhenUnsatisfiable == corev1.DoNotSchedule)
		})
	}
}

// TestWorkloadsAreHardened checks every generated pod against the
// restricted Pod Security Standard's requirements and our own defaults.
func TestWorkloadsAreHardened(t *testing.T) {
	for _, ex := range []string{"shop", "minimal", "nginx"} {
		p := load(t, "../../examples/"+ex+"/platform.yaml")
		for _, env := range append(p.EnvironmentNames(), "") {
			for id, o := range byID(t, p, env) {
				dep, ok := o.Obj.(*appsv1.Deployment)
				if !ok {
					continue
				}
				pod := dep.Spec.Template.Spec
				assert.True(t, *pod.SecurityContext.RunAsNonRoot, id)
				assert.NotZero(t, *pod.SecurityContext.RunAsUser, id)
				assert.Equal(t, corev1.SeccompProfileTypeRuntimeDefault, pod.SecurityContext.SeccompProfile.Type, id)
				assert.False(t, *pod.AutomountServiceAccountToken, id)
				for _, c := range pod.Containers {
					sc := c.SecurityContext
					assert.False(t, *sc.AllowPrivilegeEscalation, id)
					assert.True(t, *sc.ReadOnlyRootFilesystem, id)
					assert.Equal(t, []corev1.Capability{"ALL"}, sc.Capabilities.Drop, id)
					assert.NotNil(t, c.ReadinessProbe, id)
					assert.NotNil(t, c.LivenessProbe, id)
					assert.NotNil(t, c.StartupProbe, id)
					assert.False(t, c.Resources.Requests.Cpu().IsZero(), id)
					assert.False(t, c.Resources.Limits.Memory().IsZero(), id)
				}
			}
		}
	}
}

// TestNamespacesWithPodsDenyByDefault: every namespace where pods run —
// rendered workloads, or add-ons a rendered policy confines — denies all
// traffic by default; a namespace with neither gets no baseline, whose
// policies would select nothing.
func TestNamespacesWithPodsDenyByDefault(t *testing.T) {
	tests := []struct {
		example string
		with    []string
		without []string
	}{
		// cicd holds only the deployer's ServiceAccount; edge only the
		// Gateway and Envoy Gateway's policies (its proxies run in the
		// controller's namespace).
		{example: "shop", with: []string{"apps", "data", "observability"}, without: []string{"edge", "cicd"}},
		// Managed stores only, no metrics or tracing: nothing runs in data or observability.
		{example: "minimal", with: []string{"apps"}, without: []string{"edge", "data", "observability", "cicd"}},
		// ingress-nginx's controller runs in edge: its baseline confines it.
		{example: "nginx", with: []string{"edge", "apps"}, without: []string{"cicd"}},
	}
	for _, tt := range tests {
		t.Run(tt.example, func(t *testing.T) {
			p := load(t, "../../examples/"+tt.example+"/platform.yaml")
			objs := byID(t, p, "production")
			for _, area := range tt.with {
				np, ok := objs[area+"/NetworkPolicy/default-deny"]
				require.True(t, ok, area)
				pol := np.Obj.(*networkingv1.NetworkPolicy)
				assert.Empty(t, pol.Spec.PodSelector.MatchLabels, "selects every pod")
				assert.ElementsMatch(t, []networkingv1.PolicyType{"Ingress", "Egress"}, pol.Spec.PolicyTypes)
				assert.Empty(t, pol.Spec.Ingress)
				assert.Empty(t, pol.Spec.Egress)
				assert.Contains(t, objs, area+"/NetworkPolicy/allow-dns", area)
			}
			for _, area := range tt.without {
				assert.NotContains(t, objs, area+"/NetworkPolicy/default-deny", area)
				assert.NotContains(t, objs, area+"/NetworkPolicy/allow-dns", area)
				assert.Contains(t, objs, area+"/Namespace/", "the namespace itself stays")
			}
		})
	}
}

func TestIngressNginxEdge(t *testing.T) {
	p := load(t, "../../examples/nginx/platform.yaml")
	objs := byID(t, p, "production")
	ing := objs["apps/Ingress/frontend"].Obj.(*networkingv1.Ingress)
	for k := range ing.Annotations {
		assert.False(t, strings.HasSuffix(k, "-snippet"), "snippet annotations are never generated: %s", k)
	}
	assert.Equal(t, "4m", ing.Annotations["nginx.ingress.kubernetes.io/proxy-body-size"])
	assert.Equal(t, "20", ing.Annotations["nginx.ingress.kubernetes.io/limit-rps"])
	assert.Equal(t, []string{"www.blog.example.org"}, ing.Spec.TLS[0].Hosts)
	canary := objs["apps/Ingress/frontend-canary"].Obj.(*networkingv1.Ingress)
	assert.Equal(t, "5", canary.Annotations["nginx.ingress.kubernetes.io/canary-weight"])
	grpc := objs["apps/Ingress/comments"].Obj.(*networkingv1.Ingress)
	assert.Equal(t, "GRPC", grpc.Annotations["nginx.ingress.kubernetes.io/backend-protocol"])
	lb := objs["edge/Service/edge"].Obj.(*corev1.Service)
	assert.Equal(t, corev1.ServiceExternalTrafficPolicyLocal, lb.Spec.ExternalTrafficPolicy, "clientIP: preserve")
	_, hasGateway := objs["edge/Gateway/public"]
	assert.False(t, hasGateway)
}

func TestHostsPerEnvironment(t *testing.T) {
	p := load(t, "../../examples/shop/platform.yaml")
	c := &generate.Context{P: p, Env: p.Environment("staging")}
	assert.Equal(t, "www.staging.shop.example.com", c.Host(p.Service("web")))
	c = &generate.Context{P: p, Env: p.Environment("production")}
	assert.Equal(t, "www.shop.example.com", c.Host(p.Service("web")))
}

func ptr[T any](v T) *T { return &v }

// TestMonitoringSameInEveryEnvironment: the PrometheusRules and dashboard
// ConfigMaps are the base's in every environment but for their namespace, so
// an overlay has nothing else to patch (pkg/monitoring scopes series without
// namespace literals).
func TestMonitoringSameInEveryEnvironment(t *testing.T) {
	for _, example := range []string{"shop", "stores"} {
		p := load(t, "../../examples/"+example+"/platform.yaml")
		require.True(t, p.Spec.Observability.Metrics, example)
		base := byID(t, p, "")
		var ids []string
		for id := range base {
			if strings.HasPrefix(id, "observability/PrometheusRule/") || strings.HasPrefix(id, "observability/ConfigMap/dashboard-") {
				ids = append(ids, id)
			}
		}
		require.NotEmpty(t, ids, example)
		for _, env := range p.Spec.Environments {
			objs := byID(t, p, env.Name)
			for _, id := range ids {
				o, ok := objs[id]
				require.True(t, ok, "%s %s: %s", example, env.Name, id)
				want, err := yaml.Marshal(base[id].Obj)
				require.NoError(t, err)
				got, err := yaml.Marshal(o.Obj)
				require.NoError(t, err)
				ns := spec.Namespace(&env, "observability")
				assert.Equal(t, strings.Replace(string(want), "namespace: "+spec.Namespace(nil, "observability")+"\n", "namespace: "+ns+"\n", 1), string(got),
					"%s %s: %s differs from the base beyond metadata.namespace", example, env.Name, id)
			}
		}
	}
}
