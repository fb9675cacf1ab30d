package generate

import (
	"fmt"
	"path"
	"reflect"
	"slices"
	"sort"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/platformctl/platformctl/pkg/spec"
)

// RuleCreatePods is the lint rule a writing deployer Role opts out of.
const RuleCreatePods = "rbac-create-pods"

// Deployer is the ServiceAccount CI pipelines use in the cicd namespace.
const Deployer = "deployer"

// Namespaces the GitOps controllers watch by default; their objects live
// there, not in the platform's namespaces.
const (
	ArgoCDNamespace = "argocd"
	FluxNamespace   = "flux-system"
)

// deployedResources lists, per API group, the namespaced resources
// platformctl renders: the deployer may read them, and with no GitOps
// controller also write them. Secrets are deliberately absent: their values
// come from the secret store through ExternalSecrets, never from CI.
var deployedResources = []rbacv1.PolicyRule{
	{APIGroups: []string{""}, Resources: []string{"configmaps", "persistentvolumeclaims", "serviceaccounts", "services"}},
	{APIGroups: []string{"apps"}, Resources: []string{"deployments", "deployments/scale", "statefulsets"}},
	{APIGroups: []string{"autoscaling"}, Resources: []string{"horizontalpodautoscalers"}},
	{APIGroups: []string{"autoscaling.k8s.io"}, Resources: []string{"verticalpodautoscalers"}},
	{APIGroups: []string{"batch"}, Resources: []string{"cronjobs", "jobs"}},
	{APIGroups: []string{"external-secrets.io"}, Resources: []string{"externalsecrets"}},
	{APIGroups: []string{"gateway.networking.k8s.io"}, Resources: []string{"gateways", "grpcroutes", "httproutes"}},
	{APIGroups: []string{"monitoring.coreos.com"}, Resources: []string{"podmonitors", "prometheusrules", "servicemonitors"}},
	{APIGroups: []string{"networking.k8s.io"}, Resources: []string{"ingresses", "networkpolicies"}},
	{APIGroups: []string{"policy"}, Resources: []string{"poddisruptionbudgets"}},
	{APIGroups: []string{"rbac.authorization.k8s.io"}, Resources: []string{"rolebindings", "roles"}},
}

// observedResources are read-only for the deployer in every mode: what a
// pipeline needs to wait for a rollout and explain a failed one (and what
// the team Roles it applies grant, which RBAC requires it to hold).
var observedResources = []rbacv1.PolicyRule{
	{APIGroups: []string{""}, Resources: []string{"endpoints", "events", "pods", "pods/log"}},
	{APIGroups: []string{"apps"}, Resources: []string{"replicasets"}},
}

// rolloutResources are Argo Rollouts' kinds, rendered for services with
// delivery, and the AnalysisRuns a pipeline reads to explain an abort.
var (
	rolloutDeployed = rbacv1.PolicyRule{APIGroups: []string{"argoproj.io"}, Resources: []string{"analysistemplates", "rollouts", "rollouts/scale"}}
	rolloutObserved = rbacv1.PolicyRule{APIGroups: []string{"argoproj.io"}, Resources: []string{"analysisruns"}}
)

// resourcesOf are the deployed and observed resources of this platform:
// Argo Rollouts' only where a service has delivery, CloudNativePG's only
// where a store runs under it, in API group order.
func resourcesOf(c *Context) (deployed, observed []rbacv1.PolicyRule) {
	deployed = append([]rbacv1.PolicyRule(nil), deployedResources...)
	observed = append([]rbacv1.PolicyRule(nil), observedResources...)
	for i := range c.P.Spec.Services {
		if c.P.Spec.Services[i].Delivery != nil {
			deployed = append(deployed, rolloutDeployed)
			observed = append(observed, rolloutObserved)
			break
		}
	}
	// Engines that share an operator (postgres and ferretdb) list its
	// kinds once.
	for _, t := range operatorEngines(c.P) {
		for _, r := range operatorDeployed[t] {
			if !slices.ContainsFunc(deployed, func(d rbacv1.PolicyRule) bool { return reflect.DeepEqual(d, r) }) {
				deployed = append(deployed, r)
			}
		}
	}
	byGroup := func(rs []rbacv1.PolicyRule) {
		sort.SliceStable(rs, func(i, j int) bool { return rs[i].APIGroups[0] < rs[j].APIGroups[0] })
	}
	byGroup(deployed)
	byGroup(observed)
	return deployed, observed
}

// operatorEngines are the engines some environment runs a store of under
// its operator, sorted. The deployer's Roles are the same in every
// environment, as its other kinds are whether rendered there or not, so an
// overlay never rewrites their rules.
func operatorEngines(p *spec.Platform) []spec.DataStoreType {
	var out []spec.DataStoreType
	for i := range p.Spec.Data {
		for j := range p.Spec.Environments {
			if spec.StoreMode(&p.Spec.Data[i], &p.Spec.Environments[j]) == spec.ModeOperator && !slices.Contains(out, p.Spec.Data[i].Type) {
				out = append(out, p.Spec.Data[i].Type)
			}
		}
	}
	slices.Sort(out)
	return out
}

// cnpgDeployed are CloudNativePG's and its Barman Cloud plugin's kinds.
var cnpgDeployed = []rbacv1.PolicyRule{
	{APIGroups: []string{"barmancloud.cnpg.io"}, Resources: []string{"objectstores"}},
	{APIGroups: []string{"postgresql.cnpg.io"}, Resources: []string{"clusters", "scheduledbackups"}},
}

// operatorDeployed are the operators' kinds the deployer applies, per
// engine: CloudNativePG's and its Barman Cloud plugin's, the Redis
// operator's.
var operatorDeployed = map[spec.DataStoreType][]rbacv1.PolicyRule{
	// A document store's PostgreSQL is CloudNativePG's.
	spec.DataFerretDB: cnpgDeployed,
	spec.DataPostgres: cnpgDeployed,
	spec.DataRedis: {
		{APIGroups: []string{"redis.redis.opstreelabs.in"}, Resources: []string{"redisreplications", "redissentinels"}},
	},
}

var (
	readVerbs  = []string{"get", "list", "watch"}
	writeVerbs = []string{"create", "delete", "get", "list", "patch", "update", "watch"}
)

// deployer renders the CI ServiceAccount in the cicd namespace and, in
// every runtime namespace, a Role and RoleBinding for it: read-only when a
// GitOps controller applies the manifests (the pipeline only checks and
// watches), read-write on exactly the rendered kinds when the pipeline
// itself applies them (gitops: none). Nothing is cluster-scoped.

// FluxSyncInterval is how often a Flux Kustomization applies its overlay
// again (and so reverts a change made by hand).
const FluxSyncInterval = 10 * time.Minute

func deployer(c *Context) ([]Object, error) {
	if c.P.Preview != nil {
		return nil, nil // Argo CD deploys a preview; no pipeline does
	}
	cicd := c.P.Spec.CICD
	src := "spec.cicd"
	sa := &corev1.ServiceAccount{
		TypeMeta:   typeServiceAccount,
		ObjectMeta: metav1.ObjectMeta{Name: Deployer, Namespace: c.NS("cicd"), Labels: c.labels(Deployer, "deployer")},
		// Pipelines get short-lived tokens (TokenRequest or workload
		// identity); no pod runs as this account.
		AutomountServiceAccountToken: ptr(false),
	}
	out := []Object{{ID: id("cicd", "ServiceAccount", Deployer), Area: "cicd", Source: src, Obj: sa}}
	verbs := readVerbs
	if cicd.GitOps == spec.GitOpsNone {
		verbs = writeVerbs
	}
	for _, area := range spec.Areas {
		if area == "cicd" {
			continue
		}
		var rules []rbacv1.PolicyRule
		deployed, observed := resourcesOf(c)
		for _, r := range deployed {
			r.Verbs = verbs
			rules = append(rules, r)
		}
		for _, r := range observed {
			r.Verbs = readVerbs
			rules = append(rules, r)
		}
		labels := c.labels(Deployer, "rbac")
		ns := c.NS(area)
		meta := metav1.ObjectMeta{Name: Deployer, Namespace: ns, Labels: labels}
		if cicd.GitOps == spec.GitOpsNone {
			ignoreRule(&meta, RuleCreatePods, "with gitops: none the pipeline applies the rendered workloads itself, so it must create them; "+
				"the Role is limited to the rendered kinds in this namespace — guard who can get a token for cicd/deployer, or use gitops: argocd|flux")
		}
		out = append(out,
			Object{ID: id(area, "Role", Deployer), Area: area, Source: src, Obj: &rbacv1.Role{
				TypeMeta: typeRole, ObjectMeta: meta, Rules: rules,
			}},
			Object{ID: id(area, "RoleBinding", Deployer), Area: area, Source: src, Obj: &rbacv1.RoleBinding{
				TypeMeta:   typeRoleBinding,
				ObjectMeta: metav1.ObjectMeta{Name: Deployer, Namespace: ns, Labels: labels},
				RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: Deployer},
				Subjects:   []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Name: Deployer, Namespace: c.NS("cicd")}},
			}},
		)
	}
	return out, nil
}

// inClusterServer is the API server as seen from inside its own cluster:
// every environment's controller deploys to the cluster it runs in.
const inClusterServer = "https://kubernetes.default.svc"

// isCommit reports whether a revision is a full commit hash.
func isCommit(rev string) bool {
	if len(rev) != 40 {
		return false
	}
	for _, r := range rev {
		if (r < '0' || r > '9') && (r < 'a' || r > 'f') {
			return false
		}
	}
	return true
}

// gitops renders what lets Argo CD or Flux deploy the environment's
// overlay from Git. Each overlay carries its own environment's objects
// only (the base has none), so the controller in each cluster manages
// exactly one environment, itself included once bootstrapped.
func gitops(c *Context) ([]Object, error) {
	cicd := c.P.Spec.CICD
	if c.Env == nil || cicd.GitOps == spec.GitOpsNone {
		return nil, nil
	}
	env := c.Env.Name
	name := c.P.Metadata.Name + "-" + env
	overlay := path.Join(cicd.Path, "overlays", env)
	src := "spec.cicd"
	labels := c.labels(name, "gitops")
	switch cicd.GitOps {
	case spec.GitOpsArgoCD:
		var dests []ApplicationDestination
		for _, area := range spec.Areas {
			dests = append(dests, ApplicationDestination{Server: inClusterServer, Namespace: c.NS(area)})
		}
		dests = append(dests, ApplicationDestination{Server: inClusterServer, Namespace: ArgoCDNamespace})
		project := &AppProject{
			TypeMeta:   typeAppProject,
			ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ArgoCDNamespace, Labels: labels},
			Spec: AppProjectSpec{
				Description:              fmt.Sprintf("platformctl: the %s environment of %s", env, c.P.Metadata.Name),
				SourceRepos:              []string{cicd.RepoURL},
				Destinations:             dests,
				ClusterResourceWhitelist: clusterKinds(c),
				// Secret values never come from Git.
				NamespaceResourceBlacklist: []metav1.GroupKind{{Group: "", Kind: "Secret"}},
			},
		}
		policy := &SyncPolicy{
			SyncOptions: []string{"FailOnSharedResource=true", "PruneLast=true", "ServerSideApply=true"},
			Retry:       syncRetry(),
		}
		// Production changes when someone presses sync after the same
		// commit went through testing and staging; the other tiers follow
		// Git on their own and undo drift.
		if c.Tier() != spec.TierProduction {
			policy.Automated = &SyncPolicyAutomated{Prune: true, SelfHeal: true}
		}
		app := &Application{
			TypeMeta: typeApplication,
			// No resources finalizer: deleting the Application (by accident,
			// or while moving it) leaves the environment running.
			ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ArgoCDNamespace, Labels: labels},
			Spec: ApplicationSpec{
				Project:     name,
				Source:      ApplicationSource{RepoURL: cicd.RepoURL, TargetRevision: cicd.Revision, Path: overlay},
				Destination: ApplicationDestination{Server: inClusterServer},
				SyncPolicy:  policy,
			},
		}
		out := []Object{
			{ID: id("cicd", "AppProject", name), Area: "cicd", Source: src, Obj: project},
			{ID: id("cicd", "Application", name), Area: "cicd", Source: src, Obj: app},
		}
		if c.previewsBase() {
			out = append(out, previewApplications(c)...)
		}
		return out, nil
	case spec.GitOpsFlux:
		ref := &GitRepositoryRef{Branch: cicd.Revision}
		if isCommit(cicd.Revision) {
			ref = &GitRepositoryRef{Commit: cicd.Revision}
		}
		repo := &GitRepository{
			TypeMeta:   typeGitRepository,
			ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: FluxNamespace, Labels: labels},
			Spec:       GitRepositorySpec{URL: cicd.RepoURL, Interval: metav1.Duration{Duration: 5 * time.Minute}, Ref: ref},
		}
		ks := &FluxKustomization{
			TypeMeta:   typeKustomization,
			ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: FluxNamespace, Labels: labels},
			Spec: FluxKustomizationSpec{
				Interval:      metav1.Duration{Duration: FluxSyncInterval},
				RetryInterval: &metav1.Duration{Duration: 2 * time.Minute},
				Timeout:       &metav1.Duration{Duration: 5 * time.Minute},
				Path:          "./" + overlay,
				Prune:         true,
				// Ready means every workload rolled out, so a failed
				// rollout shows on the Kustomization.
				Wait: true,
				// Production is suspended in Git, its approval gate: each
				// `flux resume` applies the revision once, and that apply
				// writes this object back with suspend: true (the overlay
				// holds its own Kustomization), so the next commit waits for
				// the next approval, as Argo CD's manual sync does.
				Suspend:   c.Tier() == spec.TierProduction,
				SourceRef: FluxCrossNamespaceObjRef{Kind: "GitRepository", Name: name},
			},
		}
		return []Object{
			{ID: id("cicd", "GitRepository", name), Area: "cicd", Source: src, Obj: repo},
			{ID: id("cicd", "Kustomization", name), Area: "cicd", Source: src, Obj: ks},
		}, nil
	}
	return nil, nil
}

// syncRetry is how Argo CD retries a failed sync of a platformctl
// Application: five times, from 10 s doubling to 3 min.
func syncRetry() *RetryStrategy {
	return &RetryStrategy{Limit: 5, Backoff: &Backoff{Duration: "10s", Factor: ptr(int64(2)), MaxDuration: "3m"}}
}

// clusterKinds are the cluster-scoped kinds an environment renders: the
// only ones its AppProject lets Argo CD create.
func clusterKinds(c *Context) []metav1.GroupKind {
	kinds := []metav1.GroupKind{{Group: "", Kind: "Namespace"}, {Group: "scheduling.k8s.io", Kind: "PriorityClass"}}
	if c.P.Spec.Security.AdmissionPolicies {
		kinds = append(kinds,
			metav1.GroupKind{Group: "admissionregistration.k8s.io", Kind: "ValidatingAdmissionPolicy"},
			metav1.GroupKind{Group: "admissionregistration.k8s.io", Kind: "ValidatingAdmissionPolicyBinding"})
	}
	if c.P.Spec.Security.ImageVerification != nil {
		kinds = append(kinds, metav1.GroupKind{Group: "policies.kyverno.io", Kind: "ImageValidatingPolicy"})
	}
	// The log agent's read-only ClusterRole and its binding. A project
	// that may sync RBAC kinds may sync any role: docs/spec.md says so
	// next to observability.logs.
	if c.P.Spec.Observability.Logs != nil {
		kinds = append(kinds,
			metav1.GroupKind{Group: "rbac.authorization.k8s.io", Kind: "ClusterRole"},
			metav1.GroupKind{Group: "rbac.authorization.k8s.io", Kind: "ClusterRoleBinding"})
	}
	return kinds
}
