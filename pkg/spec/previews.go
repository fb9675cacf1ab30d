package spec

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// Previews: one environment per pull request of the deploy repository,
// derived from a base environment (ForPreview) and rendered by Argo CD's
// platformctl plugin; the base environment's overlay holds the
// ApplicationSet that creates and deletes them and the Gateway listener
// they share.

// PreviewOf marks a platform derived for one pull request's preview
// (Platform.ForPreview).
type PreviewOf struct {
	// Number is the pull request's.
	Number int
	// From is the base environment, as the spec declares it.
	From *Environment
	// Config is the spec's previews.
	Config Previews
}

// MaxPreviewNumber is the highest pull request number a preview takes: its
// environment name (pr-<N>) prefixes namespaces, and its hosts
// (pr-<N>-<host>) are one DNS label under the shared wildcard listener.
const MaxPreviewNumber = 9999999

// maxPreviewHost is the longest exposed host a preview can carry:
// "pr-<7 digits>-" and the host in one 63-character DNS label.
const maxPreviewHost = 63 - len("pr--") - 7

// PreviewEnvName is the environment of pull request n's preview.
func PreviewEnvName(n int) string { return "pr-" + strconv.Itoa(n) }

// PreviewDomain is the zone of every preview host: one wildcard
// certificate and one DNS record (*.preview.<domain>) serve them all.
func (p *Platform) PreviewDomain() string { return "preview." + p.Spec.Domain }

// PreviewRepo is where the pull-request generator finds the deploy
// repository's pull requests: github's owner and name, or gitlab's project
// path and API base URL, from cicd.repoURL. ok is false when the URL is
// not one of the provider's.
func (p *Platform) PreviewRepo() (owner, repo, api string, ok bool) {
	host, path := repoHostPath(p.Spec.CICD.RepoURL)
	path = strings.TrimSuffix(strings.Trim(path, "/"), ".git")
	if host == "" || path == "" {
		return "", "", "", false
	}
	switch p.Spec.Previews.Provider {
	case PreviewGitHub:
		o, r, found := strings.Cut(path, "/")
		if host != "github.com" || !found || o == "" || r == "" || strings.Contains(r, "/") {
			return "", "", "", false
		}
		return o, r, "", true
	case PreviewGitLab:
		return "", path, "https://" + host, strings.Contains(path, "/")
	}
	return "", "", "", false
}

// repoHostPath splits a Git URL (https://, ssh:// or scp-like) into its
// host and path.
func repoHostPath(u string) (host, path string) {
	if strings.Contains(u, "://") {
		parsed, err := url.Parse(u)
		if err != nil {
			return "", ""
		}
		return parsed.Hostname(), parsed.Path
	}
	userHost, path, ok := strings.Cut(u, ":")
	if !ok {
		return "", ""
	}
	_, host, _ = strings.Cut(userHost, "@")
	return host, path
}

// ForPreview is the platform of pull request n's preview: one environment,
// pr-<n>, isolated in namespaces of its own in the base environment's
// cluster, in the tier development, with the base's overrides (images,
// env, config) but one replica range of development's, hosts
// pr-<n>-<host>.preview.<domain>, secrets from previews.secretStore, and
// none of what a throwaway environment should not run or own: no canaries
// or progressive delivery, no backups, no metrics, tracing or log agent,
// no GitOps objects of its own, no cluster-wide policies (the base
// environment's apply). Its generation keeps only apps and data
// (generate, Platform.Preview).
func (p *Platform) ForPreview(n int) (*Platform, error) {
	pv := p.Spec.Previews
	if pv == nil {
		return nil, fmt.Errorf("the spec has no previews: add spec.previews to build one")
	}
	if n < 1 || n > MaxPreviewNumber {
		return nil, fmt.Errorf("pull request number %d: must be between 1 and %d", n, MaxPreviewNumber)
	}
	from := p.Environment(pv.From)
	if from == nil {
		return nil, fmt.Errorf("previews.from: no environment %q", pv.From)
	}
	q := *p
	q.Preview = &PreviewOf{Number: n, From: from, Config: *pv}
	env := Environment{Name: PreviewEnvName(n), Tier: TierDevelopment, Isolation: IsolationNamespace, Domain: p.PreviewDomain(), Kustomize: from.Kustomize}
	if len(from.Overrides.Services) > 0 {
		env.Overrides.Services = map[string]ServiceOverride{}
		for name, o := range from.Overrides.Services {
			o.Replicas = nil // the preview's own size, whatever the base runs
			env.Overrides.Services[name] = o
		}
	}
	q.Spec.Environments = []Environment{env}
	q.Spec.Promotion = nil
	q.Spec.Previews = nil
	q.Spec.CICD.GitOps = GitOpsNone
	q.Spec.Observability = Observability{}
	q.Spec.Security.AdmissionPolicies = false
	q.Spec.Security.ImageVerification = nil
	q.Spec.Secrets.Store, q.Spec.Secrets.StoreKind = pv.SecretStore, ClusterSecretStore
	q.Spec.Services = slices.Clone(p.Spec.Services)
	for i := range q.Spec.Services {
		svc := &q.Spec.Services[i]
		svc.Canary, svc.Delivery = nil, nil
		if svc.Expose != nil {
			x := *svc.Expose
			x.Host = "pr-" + strconv.Itoa(n) + "-" + x.Host
			svc.Expose = &x
		}
	}
	q.Spec.Data = slices.Clone(p.Spec.Data)
	for i := range q.Spec.Data {
		q.Spec.Data[i].Backup = nil
	}
	return &q, nil
}

func previewRules() []Rule {
	return []Rule{
		{
			At:     []string{"spec.previews.from"},
			Doc:    "`previews.from` names an environment of the spec that is not of the production tier: a preview copies its overrides and runs in its cluster, and holds no production data or secrets.",
			Msgs:   []string{"no environment %q; the spec defines: %s", "environment %q is production: previews copy a staging, testing or development environment, whose cluster they share and whose data is not production's"},
			check:  previewsFrom,
			Schema: whyReference,
		},
		{
			At: []string{"spec.previews"},
			Doc: "Previews are Argo CD Applications made by an ApplicationSet's pull-request generator: `cicd.gitops: argocd`. Core Flux has no pull-request generator (the Flux Operator's ResourceSet has one; platformctl does not render it). " +
				"They share one wildcard Gateway listener: `edge.api: gateway`.",
			Msgs: []string{"previews are created and deleted per pull request by an Argo CD ApplicationSet: set cicd.gitops: argocd (core Flux has no pull-request generator; the Flux Operator's ResourceSet has one, which platformctl does not render)",
				"previews share one wildcard listener of a Gateway: set edge.api: gateway"},
			check:  previewsNeeds,
			Schema: whySibling,
		},
		{
			At:     []string{"spec.previews.provider"},
			Doc:    "The provider hosts `cicd.repoURL`: `github` a github.com URL of an owner and a repository, `gitlab` a URL of a project in a group (its host is the API's).",
			Msgs:   []string{"cicd.repoURL %q is not a repository of %s: %s"},
			check:  previewsProvider,
			Schema: whySibling,
		},
		{
			At:     []string{"spec.services[*].expose.host"},
			Doc:    fmt.Sprintf("With `previews`, an exposed host is at most %d characters: a preview's host pr-<N>-<host> is one DNS label under the shared wildcard (*.preview.<domain>), for pull requests up to %d.", maxPreviewHost, MaxPreviewNumber),
			Msgs:   []string{"is %d characters; with previews a host is at most %d (pr-<N>-%s is one DNS label of at most 63)"},
			check:  previewHosts,
			Schema: whySibling,
		},
	}
}

func previewsFrom(c *checkContext, report reportFunc) {
	pv := c.s.Previews
	if pv == nil || pv.From == "" {
		return
	}
	e := c.p.Environment(pv.From)
	switch {
	case e == nil:
		report("spec.previews.from", 0, pv.From, strings.Join(c.p.EnvironmentNames(), ", "))
	case e.Tier == TierProduction:
		report("spec.previews.from", 1, pv.From)
	}
}

func previewsNeeds(c *checkContext, report reportFunc) {
	if c.s.Previews == nil {
		return
	}
	if g := c.s.CICD.GitOps; g != GitOpsArgoCD {
		report("spec.previews", 0)
	}
	if c.s.Edge.API == EdgeIngressNginx {
		report("spec.previews", 1)
	}
}

func previewsProvider(c *checkContext, report reportFunc) {
	pv := c.s.Previews
	u := c.s.CICD.RepoURL
	if pv == nil || u == "" || GitRepoURLProblem(u) != "" || !slices.Contains([]PreviewProvider{PreviewGitHub, PreviewGitLab}, pv.Provider) {
		return
	}
	if _, _, _, ok := c.p.PreviewRepo(); !ok {
		want := map[PreviewProvider]string{
			PreviewGitHub: "use https://github.com/<owner>/<repository> (or git@github.com:<owner>/<repository>)",
			PreviewGitLab: "use https://<gitlab host>/<group>/<project>",
		}[pv.Provider]
		report("spec.previews.provider", 0, u, pv.Provider, want)
	}
}

func previewHosts(c *checkContext, report reportFunc) {
	if c.s.Previews == nil {
		return
	}
	for i, svc := range c.s.Services {
		if x := svc.Expose; x != nil && len(x.Host) > maxPreviewHost {
			report(fmt.Sprintf("spec.services[%d].expose.host", i), 0, len(x.Host), maxPreviewHost, x.Host)
		}
	}
}
