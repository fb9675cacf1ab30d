package generate

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Argo CD's API lives in its application module, which does not build with
// this toolchain, and Flux's API modules bring controller-runtime and the
// apiextensions types into every start-up of the CLI; these are the few
// fields platformctl emits, with the upstream JSON names. The e2e tier
// checks every object against the upstream CRD schemas (testdata/crds).

var (
	typeApplication   = metav1.TypeMeta{APIVersion: "argoproj.io/v1alpha1", Kind: "Application"}
	typeAppProject    = metav1.TypeMeta{APIVersion: "argoproj.io/v1alpha1", Kind: "AppProject"}
	typeAppSet        = metav1.TypeMeta{APIVersion: "argoproj.io/v1alpha1", Kind: "ApplicationSet"}
	typeKustomization = metav1.TypeMeta{APIVersion: "kustomize.toolkit.fluxcd.io/v1", Kind: "Kustomization"}
	typeGitRepository = metav1.TypeMeta{APIVersion: "source.toolkit.fluxcd.io/v1", Kind: "GitRepository"}
)

// Application is argoproj.io/v1alpha1 Application.
type Application struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              ApplicationSpec `json:"spec"`
}

// ApplicationSpec is the subset of the upstream spec platformctl sets.
type ApplicationSpec struct {
	Project     string                 `json:"project"`
	Source      ApplicationSource      `json:"source"`
	Destination ApplicationDestination `json:"destination"`
	SyncPolicy  *SyncPolicy            `json:"syncPolicy,omitempty"`
}

// ApplicationSource is the Git path Argo CD renders.
type ApplicationSource struct {
	RepoURL        string `json:"repoURL"`
	TargetRevision string `json:"targetRevision,omitempty"`
	Path           string `json:"path,omitempty"`
	// Plugin renders the path with a config management plugin instead of
	// Kustomize.
	Plugin *ApplicationSourcePlugin `json:"plugin,omitempty"`
}

// ApplicationSourcePlugin names a config management plugin and its
// environment (ARGOCD_ENV_<name> in the plugin's process).
type ApplicationSourcePlugin struct {
	Name string   `json:"name"`
	Env  []EnvVar `json:"env,omitempty"`
}

// EnvVar is a name and value.
type EnvVar struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// ApplicationSet is argoproj.io/v1alpha1 ApplicationSet: Applications
// made from a generator's parameters.
type ApplicationSet struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              ApplicationSetSpec `json:"spec"`
}

// ApplicationSetSpec is the subset of the upstream spec platformctl sets.
type ApplicationSetSpec struct {
	GoTemplate        bool                      `json:"goTemplate,omitempty"`
	GoTemplateOptions []string                  `json:"goTemplateOptions,omitempty"`
	Generators        []ApplicationSetGenerator `json:"generators"`
	Template          ApplicationSetTemplate    `json:"template"`
}

// ApplicationSetGenerator is one generator; platformctl uses the
// pull-request one.
type ApplicationSetGenerator struct {
	PullRequest *PullRequestGenerator `json:"pullRequest,omitempty"`
}

// PullRequestGenerator lists the open pull requests of a repository.
type PullRequestGenerator struct {
	GitHub              *PullRequestGitHub `json:"github,omitempty"`
	GitLab              *PullRequestGitLab `json:"gitlab,omitempty"`
	RequeueAfterSeconds *int64             `json:"requeueAfterSeconds,omitempty"`
}

// PullRequestGitHub is a GitHub repository's pull requests.
type PullRequestGitHub struct {
	Owner    string    `json:"owner"`
	Repo     string    `json:"repo"`
	TokenRef *TokenRef `json:"tokenRef,omitempty"`
	Labels   []string  `json:"labels,omitempty"`
}

// PullRequestGitLab is a GitLab project's merge requests.
type PullRequestGitLab struct {
	Project          string    `json:"project"`
	API              string    `json:"api,omitempty"`
	TokenRef         *TokenRef `json:"tokenRef,omitempty"`
	Labels           []string  `json:"labels,omitempty"`
	PullRequestState string    `json:"pullRequestState,omitempty"`
}

// TokenRef is a key of a Secret in Argo CD's namespace.
type TokenRef struct {
	SecretName string `json:"secretName"`
	Key        string `json:"key"`
}

// ApplicationSetTemplate is the Application each parameter set becomes.
type ApplicationSetTemplate struct {
	Metadata ApplicationSetTemplateMeta `json:"metadata"`
	Spec     ApplicationSpec            `json:"spec"`
}

// ApplicationSetTemplateMeta is the generated Application's metadata.
type ApplicationSetTemplateMeta struct {
	Name       string            `json:"name"`
	Labels     map[string]string `json:"labels,omitempty"`
	Finalizers []string          `json:"finalizers,omitempty"`
}

// ApplicationDestination is the cluster the Application deploys to.
type ApplicationDestination struct {
	Server    string `json:"server,omitempty"`
	Namespace string `json:"namespace,omitempty"`
}

// SyncPolicy controls automatic sync.
type SyncPolicy struct {
	Automated   *SyncPolicyAutomated `json:"automated,omitempty"`
	SyncOptions []string             `json:"syncOptions,omitempty"`
	Retry       *RetryStrategy       `json:"retry,omitempty"`
}

// SyncPolicyAutomated turns on automated sync.
type SyncPolicyAutomated struct {
	Prune    bool `json:"prune,omitempty"`
	SelfHeal bool `json:"selfHeal,omitempty"`
}

// RetryStrategy retries failed syncs with backoff.
type RetryStrategy struct {
	Limit   int64    `json:"limit,omitempty"`
	Backoff *Backoff `json:"backoff,omitempty"`
}

// Backoff is a retry backoff.
type Backoff struct {
	Duration    string `json:"duration,omitempty"`
	Factor      *int64 `json:"factor,omitempty"`
	MaxDuration string `json:"maxDuration,omitempty"`
}

// AppProject is argoproj.io/v1alpha1 AppProject.
type AppProject struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              AppProjectSpec `json:"spec"`
}

// AppProjectSpec restricts what the project's Applications may deploy.
type AppProjectSpec struct {
	Description                string                   `json:"description,omitempty"`
	SourceRepos                []string                 `json:"sourceRepos,omitempty"`
	Destinations               []ApplicationDestination `json:"destinations,omitempty"`
	ClusterResourceWhitelist   []metav1.GroupKind       `json:"clusterResourceWhitelist,omitempty"`
	NamespaceResourceBlacklist []metav1.GroupKind       `json:"namespaceResourceBlacklist,omitempty"`
}

// FluxKustomization is kustomize.toolkit.fluxcd.io/v1 Kustomization.
type FluxKustomization struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              FluxKustomizationSpec `json:"spec"`
}

// FluxKustomizationSpec is the subset of the upstream spec platformctl sets.
type FluxKustomizationSpec struct {
	Interval      metav1.Duration          `json:"interval"`
	RetryInterval *metav1.Duration         `json:"retryInterval,omitempty"`
	Timeout       *metav1.Duration         `json:"timeout,omitempty"`
	Path          string                   `json:"path,omitempty"`
	Prune         bool                     `json:"prune"`
	Wait          bool                     `json:"wait,omitempty"`
	Suspend       bool                     `json:"suspend,omitempty"`
	SourceRef     FluxCrossNamespaceObjRef `json:"sourceRef"`
}

// FluxCrossNamespaceObjRef points at a Flux source.
type FluxCrossNamespaceObjRef struct {
	Kind string `json:"kind"`
	Name string `json:"name"`
}

// GitRepository is source.toolkit.fluxcd.io/v1 GitRepository.
type GitRepository struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              GitRepositorySpec `json:"spec"`
}

// GitRepositorySpec is the subset of the upstream spec platformctl sets.
type GitRepositorySpec struct {
	URL      string            `json:"url"`
	Interval metav1.Duration   `json:"interval"`
	Ref      *GitRepositoryRef `json:"ref,omitempty"`
}

// GitRepositoryRef selects what to check out.
type GitRepositoryRef struct {
	Branch string `json:"branch,omitempty"`
	Commit string `json:"commit,omitempty"`
}
