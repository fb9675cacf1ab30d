package generate_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/platformctl/platformctl/pkg/generate"
	"github.com/platformctl/platformctl/pkg/spec"
)

// annotations reads an object's annotations, whatever its type.
func annotations(t *testing.T, o generate.Object) map[string]string {
	t.Helper()
	m, ok := o.Obj.(metav1.Object)
	require.True(t, ok, o.ID)
	return m.GetAnnotations()
}

// TestPeerAnnotations: with spec.lint.peerAnnotations, the objects where
// platformctl departs from a peer's advice carry that peer's exemption and
// its reason, and only those; without it, no object carries any.
func TestPeerAnnotations(t *testing.T) {
	type want struct {
		id        string
		kubeScore string // kube-score/ignore, "" for none
		polaris   []string
	}
	tests := []struct {
		name  string
		peers []spec.PeerLinter
		want  []want
	}{
		{name: "both", peers: []spec.PeerLinter{spec.PeerKubeScore, spec.PeerPolaris}, want: []want{
			// Add-on pods (Prometheus) only: nothing rendered there.
			{id: "observability/NetworkPolicy/prometheus", kubeScore: "networkpolicy-targets-pod"},
			// The collector is rendered there: the baseline selects it.
			{id: "observability/NetworkPolicy/default-deny"},
			{id: "apps/NetworkPolicy/web"},
			{id: "apps/Deployment/web", kubeScore: "deployment-has-host-podantiaffinity", polaris: []string{"sensitiveContainerEnvVar"}},
			{id: "apps/Deployment/web-canary", kubeScore: "deployment-has-host-podantiaffinity,deployment-replicas", polaris: []string{"sensitiveContainerEnvVar"}},
			{id: "data/StatefulSet/cache", kubeScore: "statefulset-has-host-podantiaffinity"},
			// No *_FILE variable: nothing for Polaris to mistake.
			{id: "observability/Deployment/otel-collector", kubeScore: "deployment-has-host-podantiaffinity"},
		}},
		{name: "kube-score only", peers: []spec.PeerLinter{spec.PeerKubeScore}, want: []want{
			{id: "apps/Deployment/web", kubeScore: "deployment-has-host-podantiaffinity"},
		}},
		{name: "polaris only", peers: []spec.PeerLinter{spec.PeerPolaris}, want: []want{
			{id: "apps/Deployment/web", polaris: []string{"sensitiveContainerEnvVar"}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := load(t, "../../examples/shop/platform.yaml")
			p.Spec.Lint.PeerAnnotations = tt.peers
			// A StatefulSet in production: the cache under the Redis
			// operator would have none.
			p.DataStore("cache").Mode = spec.ModeInCluster
			objs := byID(t, p, "production")
			for _, w := range tt.want {
				o, ok := objs[w.id]
				require.True(t, ok, w.id)
				a := annotations(t, o)
				assert.Equal(t, w.kubeScore, a[generate.AnnotationKubeScoreIgnore], w.id)
				var checks []string
				if w.kubeScore != "" {
					checks = strings.Split(w.kubeScore, ",")
				}
				for _, c := range checks {
					assert.NotEmpty(t, a[generate.AnnotationPeerReason+"kube-score."+c], "%s: reason for %s", w.id, c)
				}
				var polaris []string
				for k, v := range a {
					if c, ok := strings.CutPrefix(k, "polaris.fairwinds.com/"); ok {
						assert.Equal(t, "true", v, k)
						c = strings.TrimSuffix(c, "-exempt")
						polaris = append(polaris, c)
						assert.NotEmpty(t, a[generate.AnnotationPeerReason+"polaris."+c], "%s: reason for %s", w.id, c)
					}
				}
				assert.ElementsMatch(t, w.polaris, polaris, w.id)
			}
		})
	}
	t.Run("none without opting in", func(t *testing.T) {
		p := load(t, "../../examples/shop/platform.yaml")
		for id, o := range byID(t, p, "production") {
			m, ok := o.Obj.(metav1.Object)
			if !ok {
				continue
			}
			for k := range m.GetAnnotations() {
				assert.False(t, strings.HasPrefix(k, "kube-score/") || strings.HasPrefix(k, "polaris.fairwinds.com/") ||
					strings.HasPrefix(k, generate.AnnotationKubeLinterIgnore) || strings.HasPrefix(k, generate.AnnotationPeerReason), "%s: %s", id, k)
			}
		}
	})
}

// TestKubeLinterAnnotationsCarryTheReason: kube-linter's exemption is one
// annotation per check whose value is the reason.
func TestKubeLinterAnnotationsCarryTheReason(t *testing.T) {
	p := load(t, "../../examples/nginx/platform.yaml")
	p.Spec.Lint.PeerAnnotations = []spec.PeerLinter{spec.PeerKubeLinter}
	objs := byID(t, p, "production")
	tests := []struct{ id, check string }{
		{"edge/Service/edge", "dangling-service"},
		{"apps/Deployment/frontend", "no-anti-affinity"},
		{"apps/Deployment/frontend", "env-var-secret"},
	}
	for _, tt := range tests {
		assert.NotEmpty(t, annotations(t, objs[tt.id])[generate.AnnotationKubeLinterIgnore+tt.check], "%s: %s", tt.id, tt.check)
	}
	for id, o := range objs {
		for k := range annotations(t, o) {
			assert.False(t, strings.HasPrefix(k, "kube-score/") || strings.HasPrefix(k, "polaris.fairwinds.com/") ||
				strings.HasPrefix(k, generate.AnnotationPeerReason), "%s: %s: only kube-linter was opted in to", id, k)
		}
	}
}

// TestPeerAnnotationsServiceOfAnAddon: ingress-nginx's controller runs in
// the edge namespace behind the edge Service; kube-score sees no pods for
// it, while a Service that selects rendered pods keeps the check.
func TestPeerAnnotationsServiceOfAnAddon(t *testing.T) {
	p := load(t, "../../examples/nginx/platform.yaml")
	p.Spec.Lint.PeerAnnotations = []spec.PeerLinter{spec.PeerKubeScore}
	objs := byID(t, p, "production")
	assert.Equal(t, "service-targets-pod", annotations(t, objs["edge/Service/edge"])[generate.AnnotationKubeScoreIgnore])
	for id, o := range objs {
		if strings.HasPrefix(id, "apps/Service/") {
			assert.NotContains(t, annotations(t, o), generate.AnnotationKubeScoreIgnore, id)
		}
	}
}

// TestPolarisFileEnvNeedsEveryVariableToBeAPath: a plain secret-like value
// keeps Polaris's finding; only *_FILE paths are exempted.
func TestPolarisFileEnvNeedsEveryVariableToBeAPath(t *testing.T) {
	p := load(t, "../../examples/shop/platform.yaml")
	p.Spec.Lint.PeerAnnotations = []spec.PeerLinter{spec.PeerPolaris}
	for i := range p.Spec.Services {
		if p.Spec.Services[i].Name == "web" {
			p.Spec.Services[i].Env["API_TOKEN"] = "plain"
		}
	}
	objs := byID(t, p, "production")
	assert.NotContains(t, annotations(t, objs["apps/Deployment/web"]), "polaris.fairwinds.com/sensitiveContainerEnvVar-exempt")
	assert.Contains(t, annotations(t, objs["apps/Rollout/orders"]), "polaris.fairwinds.com/sensitiveContainerEnvVar-exempt")
}

// TestPeerAnnotationsRolloutTargets: the peers know only the built-in
// workload kinds, so the Service, policies and HPA of a Rollout-backed
// service (shop's orders) target nothing to them; a Deployment's keep
// every check.
func TestPeerAnnotationsRolloutTargets(t *testing.T) {
	p := load(t, "../../examples/shop/platform.yaml")
	p.Spec.Lint.PeerAnnotations = []spec.PeerLinter{spec.PeerKubeScore, spec.PeerKubeLinter}
	objs := byID(t, p, "production")
	require.Contains(t, objs, "apps/Rollout/orders")
	tests := []struct {
		id, kubeScore string
		linter        bool
	}{
		{"apps/Service/orders", "service-targets-pod", true},
		{"apps/HorizontalPodAutoscaler/orders", "horizontalpodautoscaler-has-target", false},
		{"apps/Service/web", "", false},
		{"apps/HorizontalPodAutoscaler/web", "", false},
	}
	for _, tt := range tests {
		require.Contains(t, objs, tt.id)
		a := annotations(t, objs[tt.id])
		assert.Equal(t, tt.kubeScore, a[generate.AnnotationKubeScoreIgnore], tt.id)
		if tt.kubeScore != "" {
			assert.Contains(t, a[generate.AnnotationPeerReason+"kube-score."+tt.kubeScore], "Argo Rollout", tt.id)
		}
		assert.Equal(t, tt.linter, a[generate.AnnotationKubeLinterIgnore+"dangling-service"] != "", tt.id)
	}
	for id, o := range objs {
		if strings.HasPrefix(id, "apps/NetworkPolicy/") && strings.Contains(annotations(t, o)[generate.AnnotationKubeScoreIgnore], "networkpolicy-targets-pod") {
			assert.Contains(t, annotations(t, o)[generate.AnnotationPeerReason+"kube-score.networkpolicy-targets-pod"], "Argo Rollout", id)
		}
	}
}
