package generate_test

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/platformctl/platformctl/pkg/generate"
	"github.com/platformctl/platformctl/pkg/internal/crdschema"
	"github.com/platformctl/platformctl/pkg/spec"
)

// previewOf generates pull request n's preview of examples/shop (from
// staging), by ID.
func previewOf(t *testing.T, n int) map[string]generate.Object {
	t.Helper()
	pp, err := load(t, "../../examples/shop/platform.yaml").ForPreview(n)
	require.NoError(t, err)
	return byID(t, pp, spec.PreviewEnvName(n))
}

func TestPreviewEnvironment(t *testing.T) {
	objs := previewOf(t, 42)
	namespaces := map[string]bool{}
	for id, o := range objs {
		m, ok := o.Obj.(metav1.Object)
		require.True(t, ok, id)
		if ns, isNS := o.Obj.(*corev1.Namespace); isNS {
			namespaces[ns.Name] = true
			assert.Equal(t, "shop", ns.Labels[generate.LabelPreviewOf])
			assert.Equal(t, "42", ns.Labels[generate.LabelPullRequest])
			continue
		}
		assert.Contains(t, []string{"pr-42-apps", "pr-42-data"}, m.GetNamespace(), "%s: a preview owns its two namespaces and nothing cluster-wide", id)
		kind := strings.Split(id, "/")[1]
		assert.NotContains(t, []string{"Rollout", "AnalysisTemplate", "Gateway", "ServiceMonitor", "PodMonitor", "PrometheusRule", "Application"}, kind, id)
		assert.NotContains(t, id, "canary", "a preview runs one version")
		assert.NotContains(t, id, "backup", "a throwaway database is not backed up")
		assert.NotContains(t, id, "deployer", "Argo CD deploys a preview, no pipeline")
	}
	assert.Equal(t, map[string]bool{"pr-42-apps": true, "pr-42-data": true}, namespaces)
	for _, area := range []string{"apps", "data"} {
		q := objs[area+"/ResourceQuota/preview"].Obj.(*corev1.ResourceQuota)
		assert.Equal(t, "4", q.Spec.Hard.Name(corev1.ResourceRequestsCPU, "").String())
		for _, r := range []corev1.ResourceName{corev1.ResourceRequestsMemory, corev1.ResourceLimitsMemory} {
			v := q.Spec.Hard[r]
			assert.Equal(t, "8Gi", v.String(), r)
		}
		lb := q.Spec.Hard[corev1.ResourceServicesLoadBalancers]
		assert.Zero(t, lb.Value(), "no cloud load balancer per pull request")
		_, ok := objs[area+"/LimitRange/preview"]
		assert.True(t, ok, area)
	}

	route := objs["apps/HTTPRoute/web"].Obj.(*gwv1.HTTPRoute)
	assert.Equal(t, []gwv1.Hostname{"pr-42-www.preview.shop.example.com"}, route.Spec.Hostnames)
	parent := route.Spec.ParentRefs[0]
	assert.Equal(t, gwv1.ObjectName(generate.PreviewGatewayName), parent.Name)
	assert.Equal(t, "staging-edge", string(*parent.Namespace), "the base environment's shared listener")
	assert.Equal(t, "https", string(*parent.SectionName))

	es := objs["apps/ExternalSecret/web"]
	js, err := json.Marshal(es.Obj)
	require.NoError(t, err)
	assert.Contains(t, string(js), `"secretStoreRef":{"name":"preview-secrets","kind":"ClusterSecretStore"}`, "never the other environments' store")

	web := objs["apps/NetworkPolicy/web"].Obj.(*networkingv1.NetworkPolicy)
	from := web.Spec.Ingress[0].From[0]
	assert.Equal(t, generate.PreviewGatewayName, from.PodSelector.MatchLabels[generate.LabelOwningGatewayName], "only the shared Gateway's proxies")
	assert.Equal(t, []string{"staging-edge"}, from.PodSelector.MatchExpressions[0].Values)
}

func TestPreviewBase(t *testing.T) {
	p := load(t, "../../examples/shop/platform.yaml")
	staging := byID(t, p, "staging")
	set := staging["cicd/ApplicationSet/shop-previews"].Obj.(*generate.ApplicationSet)
	gh := set.Spec.Generators[0].PullRequest.GitHub
	assert.Equal(t, &generate.PullRequestGitHub{Owner: "acme", Repo: "shop-deploy", TokenRef: &generate.TokenRef{SecretName: "github-token", Key: "token"}, Labels: []string{"preview"}}, gh)
	tmpl := set.Spec.Template
	assert.Equal(t, []string{"resources-finalizer.argocd.argoproj.io"}, tmpl.Metadata.Finalizers, "closing the pull request deletes the preview's namespaces")
	assert.Equal(t, "{{.head_sha}}", tmpl.Spec.Source.TargetRevision)
	assert.Equal(t, generate.PreviewPlugin, tmpl.Spec.Source.Plugin.Name)
	assert.Equal(t, "shop-previews", tmpl.Spec.Project)
	plugin := staging["cicd/ConfigMap/platformctl-preview-plugin"].Obj.(*corev1.ConfigMap).Data["plugin.yaml"]
	assert.Contains(t, plugin, `platformctl build -f platform.yaml --preview "$ARGOCD_ENV_PR"`)
	project := staging["cicd/AppProject/shop-previews"].Obj.(*generate.AppProject)
	assert.Equal(t, []metav1.GroupKind{{Kind: "Namespace"}}, project.Spec.ClusterResourceWhitelist)
	assert.Equal(t, "pr-*-apps", project.Spec.Destinations[0].Namespace)

	gw := staging["edge/Gateway/previews"].Obj.(*gwv1.Gateway)
	assert.Equal(t, gwv1.Hostname("*.preview.shop.example.com"), *gw.Spec.Listeners[1].Hostname)
	assert.Equal(t, generate.LabelPreviewOf, gw.Spec.Listeners[1].AllowedRoutes.Namespaces.Selector.MatchExpressions[0].Key)

	for _, env := range []string{"dev", "testing", "production"} {
		for id := range byID(t, p, env) {
			assert.NotContains(t, id, "previews", "%s: only the base environment holds the previews", env)
		}
	}
}

// The GitLab generator: the project's path and the API of its host.
func TestPreviewGitLab(t *testing.T) {
	p := load(t, "../../examples/shop/platform.yaml")
	p.Spec.CICD.RepoURL = "git@gitlab.acme.example:platform/shop-deploy.git"
	p.Spec.Previews.Provider = spec.PreviewGitLab
	set := byID(t, p, "staging")["cicd/ApplicationSet/shop-previews"].Obj.(*generate.ApplicationSet)
	assert.Nil(t, set.Spec.Generators[0].PullRequest.GitHub)
	assert.Equal(t, &generate.PullRequestGitLab{Project: "platform/shop-deploy", API: "https://gitlab.acme.example",
		TokenRef: &generate.TokenRef{SecretName: "github-token", Key: "token"}, Labels: []string{"preview"}}, set.Spec.Generators[0].PullRequest.GitLab)
}

func TestForPreviewRefuses(t *testing.T) {
	p := load(t, "../../examples/shop/platform.yaml")
	for _, n := range []int{0, -1, spec.MaxPreviewNumber + 1} {
		_, err := p.ForPreview(n)
		assert.Error(t, err, n)
	}
	p.Spec.Previews = nil
	_, err := p.ForPreview(1)
	assert.ErrorContains(t, err, "no previews")
}

// TestPreviewObjectsMatchCRDs checks the ApplicationSet and AppProjects
// against Argo CD's released CRDs, closed like the API server's strict
// field validation (the typed structs are hand-written).
func TestPreviewObjectsMatchCRDs(t *testing.T) {
	schemas := map[string]*jsonschema.Schema{}
	for kind, file := range map[string]string{"ApplicationSet": "applicationset-crd.yaml", "AppProject": "appproject-crd.yaml"} {
		sch, err := crdschema.Compile(filepath.Join("..", "..", "testdata", "crds", "argo-cd", file), "v1alpha1")
		require.NoError(t, err)
		schemas[kind] = sch
	}
	checked := 0
	for id, o := range byID(t, load(t, "../../examples/shop/platform.yaml"), "staging") {
		sch := schemas[strings.Split(id, "/")[1]]
		if sch == nil {
			continue
		}
		js, err := json.Marshal(o.Obj)
		require.NoError(t, err)
		inst, err := jsonschema.UnmarshalJSON(strings.NewReader(string(js)))
		require.NoError(t, err)
		assert.NoError(t, sch.Validate(inst), "%s:\n%s", id, js)
		checked++
	}
	assert.Equal(t, 3, checked, "the ApplicationSet, the environment's AppProject and the previews'")
	bad, err := jsonschema.UnmarshalJSON(strings.NewReader(`{"apiVersion":"argoproj.io/v1alpha1","kind":"ApplicationSet","metadata":{},"spec":{"generators":[{"pullRequest":{"github":{"owner":"a","repo":"b","lables":["x"]}}}],"template":{"metadata":{},"spec":{"project":"p","destination":{}}}}}`))
	require.NoError(t, err)
	assert.Error(t, schemas["ApplicationSet"].Validate(bad), "not vacuous: a misspelt field is refused")
}
