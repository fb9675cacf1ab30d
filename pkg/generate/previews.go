package generate

import (
	"fmt"
	"path"
	"strconv"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/platformctl/platformctl/pkg/spec"
)

// Preview environments (spec.previews, docs/previews.md). The base
// environment's overlay holds what makes them: an ApplicationSet whose
// pull-request generator makes one Application per open pull request
// (deleted with its resources when the pull request closes), their
// AppProject, the config management plugin that builds a preview with
// `platformctl build --preview <N>`, and the Gateway listener they share.
// A preview itself (Platform.Preview, from spec.ForPreview) is an
// environment of apps and data namespaces labelled as one, each with a
// ResourceQuota and a LimitRange, whose routes attach to that listener.

const (
	// PreviewGatewayName is the Gateway, in the base environment's edge
	// namespace, whose wildcard listener every preview's routes attach to.
	PreviewGatewayName = "previews"
	// previewListener is its HTTPS listener.
	previewListener = "https"
	// LabelPreviewOf marks a preview's namespaces with the platform's name:
	// the shared listener admits routes from those namespaces only.
	LabelPreviewOf = "platformctl.dev/preview-of"
	// LabelPullRequest is the pull request number of a preview's namespaces.
	LabelPullRequest = "platformctl.dev/pull-request"
	// PreviewPlugin is the config management plugin's name.
	PreviewPlugin = "platformctl-preview"
	// previewPluginEnv is the plugin's parameter, ARGOCD_ENV_PR in its process.
	previewPluginEnv = "PR"
)

// previewAreas are the areas a preview renders: its services and their
// stores. The edge is the base environment's shared listener; observability,
// GitOps and cluster-wide objects are the base environment's.
var previewAreas = map[string]bool{"apps": true, "data": true}

// inPreview keeps what a preview renders of the generated objects.
func inPreview(all []Object) []Object {
	var out []Object
	for _, o := range all {
		if !previewAreas[o.Area] {
			continue
		}
		if m, ok := o.Obj.(metav1.Object); ok && m.GetNamespace() == "" {
			if _, ns := o.Obj.(*corev1.Namespace); !ns {
				continue
			}
		}
		out = append(out, o)
	}
	return out
}

// previewNamespace labels a preview's namespace for the shared listener.
func previewNamespace(c *Context, meta *metav1.ObjectMeta) {
	if pv := c.P.Preview; pv != nil {
		meta.Labels[LabelPreviewOf] = c.P.Metadata.Name
		meta.Labels[LabelPullRequest] = strconv.Itoa(pv.Number)
	}
}

// previewQuotas cap each of a preview's namespaces: what all its pods may
// request, and defaults for a container that says nothing (a mesh's
// injected proxy), so that a pull request cannot take the cluster; no
// load balancer or node port of its own.
func previewQuotas(c *Context) ([]Object, error) {
	if c.P.Preview == nil {
		return nil, nil
	}
	base := c.P.Preview.Config.Quota
	cpu, err := resource.ParseQuantity(base.CPU)
	if err != nil {
		return nil, fmt.Errorf("previews.quota.cpu: %w", err)
	}
	mem, err := resource.ParseQuantity(base.Memory)
	if err != nil {
		return nil, fmt.Errorf("previews.quota.memory: %w", err)
	}
	var out []Object
	for _, area := range []string{"apps", "data"} {
		ns := c.NS(area)
		out = append(out,
			Object{ID: id(area, "ResourceQuota", "preview"), Area: area, Source: "spec.previews.quota", Obj: &corev1.ResourceQuota{
				TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ResourceQuota"},
				ObjectMeta: metav1.ObjectMeta{Name: "preview", Namespace: ns, Labels: c.labels("preview", "quota")},
				Spec: corev1.ResourceQuotaSpec{Hard: corev1.ResourceList{
					corev1.ResourceRequestsCPU:              cpu,
					corev1.ResourceRequestsMemory:           mem,
					corev1.ResourceLimitsMemory:             mem,
					corev1.ResourcePods:                     *resource.NewQuantity(int64(base.Pods), resource.DecimalSI),
					corev1.ResourceServicesLoadBalancers:    *resource.NewQuantity(0, resource.DecimalSI),
					corev1.ResourceServicesNodePorts:        *resource.NewQuantity(0, resource.DecimalSI),
					corev1.ResourcePersistentVolumeClaims:   *resource.NewQuantity(10, resource.DecimalSI),
					corev1.ResourceName("requests.storage"): resource.MustParse("50Gi"),
				}},
			}},
			Object{ID: id(area, "LimitRange", "preview"), Area: area, Source: "spec.previews.quota", Obj: &corev1.LimitRange{
				TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "LimitRange"},
				ObjectMeta: metav1.ObjectMeta{Name: "preview", Namespace: ns, Labels: c.labels("preview", "quota")},
				Spec: corev1.LimitRangeSpec{Limits: []corev1.LimitRangeItem{{
					Type:           corev1.LimitTypeContainer,
					DefaultRequest: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("50m"), corev1.ResourceMemory: resource.MustParse("64Mi")},
					Default:        corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("256Mi")},
				}}},
			}},
		)
	}
	return out, nil
}

// previewEdgeNS is the base environment's edge namespace, where the shared
// listener's Gateway is.
func (c *Context) previewEdgeNS() string { return spec.Namespace(c.P.Preview.From, "edge") }

// previewParent is the parent of a preview's routes: the shared listener.
func (c *Context) previewParent() gwv1.ParentReference {
	return gwv1.ParentReference{
		Group: ptr(gwv1.Group(gwv1.GroupName)), Kind: ptr(gwv1.Kind("Gateway")),
		Name: PreviewGatewayName, Namespace: ptr(gwv1.Namespace(c.previewEdgeNS())),
		SectionName: ptr(gwv1.SectionName(previewListener)),
	}
}

// previewEdgePeer is who reaches a preview's exposed services: the shared
// Gateway's proxies, in Envoy Gateway's namespace or in the base
// environment's edge namespace.
func (c *Context) previewEdgePeer() networkingv1.NetworkPolicyPeer {
	if c.P.Spec.Edge.Implementation == spec.ImplEnvoyGateway {
		return networkingv1.NetworkPolicyPeer{
			NamespaceSelector: systemSelector(c.P.Spec.Edge.ProxyNamespace),
			PodSelector: &metav1.LabelSelector{
				MatchLabels: map[string]string{LabelOwningGatewayName: PreviewGatewayName},
				MatchExpressions: []metav1.LabelSelectorRequirement{{
					Key: LabelOwningGatewayNamespace, Operator: metav1.LabelSelectorOpIn, Values: []string{c.previewEdgeNS()},
				}},
			},
		}
	}
	return networkingv1.NetworkPolicyPeer{
		NamespaceSelector: systemSelector(c.previewEdgeNS()),
		PodSelector:       &metav1.LabelSelector{MatchLabels: map[string]string{gwv1.GatewayNameLabelKey: PreviewGatewayName}},
	}
}

// previewNamespaces selects every preview namespace of this platform:
// with matchExpressions only, which the overlay's environment label is
// not added to (the previews are other environments).
func (c *Context) previewNamespaces() *metav1.LabelSelector {
	return &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{
		Key: LabelPreviewOf, Operator: metav1.LabelSelectorOpIn, Values: []string{c.P.Metadata.Name},
	}}}
}

// previewsBase says whether this context renders the base environment of
// the spec's previews.
func (c *Context) previewsBase() bool {
	pv := c.P.Spec.Previews
	return pv != nil && c.P.Preview == nil && c.Env != nil && c.Env.Name == pv.From
}

// previewGateway is the shared listener, in the base environment's edge
// namespace: one wildcard certificate (*.preview.<domain>, issued with a
// DNS-01 solver) and one load balancer for every preview, HTTPS only to
// routes of preview namespaces, and the redirect from HTTP.
func previewGateway(c *Context, ex []exposed) []Object {
	wildcard := gwv1.Hostname("*." + c.P.PreviewDomain())
	ann := map[string]string{}
	if ci := c.P.Spec.Edge.TLS.ClusterIssuer; ci != "" {
		ann["cert-manager.io/cluster-issuer"] = ci
	}
	gw := &gwv1.Gateway{
		TypeMeta: typeGateway,
		ObjectMeta: metav1.ObjectMeta{Name: PreviewGatewayName, Namespace: c.NS("edge"),
			Labels: c.labels(PreviewGatewayName, "gateway"), Annotations: nilIfEmpty(ann)},
		Spec: gwv1.GatewaySpec{GatewayClassName: gwv1.ObjectName(c.P.Spec.Edge.ClassName), Listeners: []gwv1.Listener{
			{Name: "http", Port: 80, Protocol: gwv1.HTTPProtocolType, Hostname: &wildcard,
				AllowedRoutes: &gwv1.AllowedRoutes{Namespaces: &gwv1.RouteNamespaces{From: ptr(gwv1.NamespacesFromSame)}}},
			{Name: previewListener, Port: 443, Protocol: gwv1.HTTPSProtocolType, Hostname: &wildcard,
				TLS:           &gwv1.ListenerTLSConfig{Mode: ptr(gwv1.TLSModeTerminate), CertificateRefs: []gwv1.SecretObjectReference{{Name: gwv1.ObjectName(tlsSecret(PreviewGatewayName))}}},
				AllowedRoutes: &gwv1.AllowedRoutes{Namespaces: &gwv1.RouteNamespaces{From: ptr(gwv1.NamespacesFromSelector), Selector: c.previewNamespaces()}}},
		}},
	}
	gw.Spec.Infrastructure = gatewayInfrastructure(c)
	out := []Object{
		{ID: id("edge", "Gateway", PreviewGatewayName), Area: "edge", Source: "spec.previews", Obj: gw},
		httpsRedirect(c, PreviewGatewayName+"-https-redirect", PreviewGatewayName, "spec.previews"),
	}
	// Proxies in the edge namespace (not Envoy Gateway's) are confined
	// like the public Gateway's, towards the previews' namespaces.
	if c.P.Spec.Edge.Implementation != spec.ImplEnvoyGateway {
		var extra []networkingv1.NetworkPolicyEgressRule
		if c.P.Spec.Edge.Implementation == spec.ImplIstio {
			extra = istiodEgress()
		}
		out = append(out, edgePolicyFor(c, "edge-previews", map[string]string{gwv1.GatewayNameLabelKey: PreviewGatewayName},
			networkingv1.NetworkPolicyPeer{NamespaceSelector: c.previewNamespaces()}, ex, extra)...)
	}
	return out
}

// previewApplications are the base environment's Argo CD objects of the
// previews: the ApplicationSet, its AppProject (the preview namespaces
// only, Secrets never from Git) and the plugin's configuration.
func previewApplications(c *Context) []Object {
	pv := c.P.Spec.Previews
	cicd := c.P.Spec.CICD
	name := c.P.Metadata.Name + "-previews"
	labels := c.labels(name, "gitops")
	gen := &PullRequestGenerator{RequeueAfterSeconds: ptr(int64(300))}
	var token *TokenRef
	if pv.TokenSecret != "" {
		token = &TokenRef{SecretName: pv.TokenSecret, Key: "token"}
	}
	owner, repo, api, _ := c.P.PreviewRepo()
	switch pv.Provider {
	case spec.PreviewGitHub:
		gen.GitHub = &PullRequestGitHub{Owner: owner, Repo: repo, TokenRef: token, Labels: pv.Labels}
	case spec.PreviewGitLab:
		gen.GitLab = &PullRequestGitLab{Project: repo, API: api, TokenRef: token, Labels: pv.Labels}
	}
	specDir, specFile := path.Split(pv.SpecPath)
	if specDir == "" {
		specDir = "."
	}
	set := &ApplicationSet{
		TypeMeta:   typeAppSet,
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ArgoCDNamespace, Labels: labels},
		Spec: ApplicationSetSpec{
			GoTemplate:        true,
			GoTemplateOptions: []string{"missingkey=error"},
			Generators:        []ApplicationSetGenerator{{PullRequest: gen}},
			Template: ApplicationSetTemplate{
				// The resources finalizer deletes what the preview made (its
				// namespaces, and with them everything in them) when the
				// pull request closes and the generator drops it.
				Metadata: ApplicationSetTemplateMeta{Name: c.P.Metadata.Name + "-pr-{{.number}}", Labels: labels,
					Finalizers: []string{"resources-finalizer.argocd.argoproj.io"}},
				Spec: ApplicationSpec{
					Project: name,
					Source: ApplicationSource{RepoURL: cicd.RepoURL, TargetRevision: "{{.head_sha}}", Path: path.Clean(specDir),
						Plugin: &ApplicationSourcePlugin{Name: PreviewPlugin, Env: []EnvVar{{Name: previewPluginEnv, Value: "{{.number}}"}}}},
					Destination: ApplicationDestination{Server: inClusterServer},
					SyncPolicy: &SyncPolicy{
						Automated:   &SyncPolicyAutomated{Prune: true, SelfHeal: true},
						SyncOptions: []string{"FailOnSharedResource=true", "ServerSideApply=true"},
						Retry:       syncRetry(),
					},
				},
			},
		},
	}
	var dests []ApplicationDestination
	for _, area := range []string{"apps", "data"} {
		dests = append(dests, ApplicationDestination{Server: inClusterServer, Namespace: "pr-*-" + area})
	}
	project := &AppProject{
		TypeMeta:   typeAppProject,
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ArgoCDNamespace, Labels: labels},
		Spec: AppProjectSpec{
			Description:                fmt.Sprintf("platformctl: the pull-request previews of %s, from %s", c.P.Metadata.Name, pv.From),
			SourceRepos:                []string{cicd.RepoURL},
			Destinations:               dests,
			ClusterResourceWhitelist:   []metav1.GroupKind{{Group: "", Kind: "Namespace"}},
			NamespaceResourceBlacklist: []metav1.GroupKind{{Group: "", Kind: "Secret"}},
		},
	}
	plugin := fmt.Sprintf(`apiVersion: argoproj.io/v1alpha1
kind: ConfigManagementPlugin
metadata:
  name: %s
spec:
  generate:
    command: [sh, -c]
    args: ['exec platformctl build -f %s --preview "$ARGOCD_ENV_%s"']
`, PreviewPlugin, specFile, previewPluginEnv)
	cm := &corev1.ConfigMap{
		TypeMeta:   typeConfigMap,
		ObjectMeta: metav1.ObjectMeta{Name: PreviewPlugin + "-plugin", Namespace: ArgoCDNamespace, Labels: c.labels(PreviewPlugin+"-plugin", "gitops")},
		Data:       map[string]string{"plugin.yaml": plugin},
	}
	return []Object{
		{ID: id("cicd", "ApplicationSet", name), Area: "cicd", Source: "spec.previews", Obj: set},
		{ID: id("cicd", "AppProject", name), Area: "cicd", Source: "spec.previews", Obj: project},
		{ID: id("cicd", "ConfigMap", PreviewPlugin+"-plugin"), Area: "cicd", Source: "spec.previews", Obj: cm},
	}
}
