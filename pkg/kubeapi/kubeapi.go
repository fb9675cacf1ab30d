// Package kubeapi knows which REST resources serve the built-in kinds of
// the Kubernetes release pkg/kuberelease names, generated from its
// published OpenAPI by internal/genresources.
package kubeapi

//go:generate go run ./internal/genresources

// Resource is one REST resource: what an admission policy's resourceRules
// and RBAC name.
type Resource struct {
	Group      string
	Resource   string
	Versions   []string
	Namespaced bool
}

// ForKind returns the resources that serve objects of kind (in every API
// group that has one: Event is core's and events.k8s.io's), sorted by
// group; none for a kind the release does not serve.
func ForKind(kind string) []Resource { return resources[kind] }
