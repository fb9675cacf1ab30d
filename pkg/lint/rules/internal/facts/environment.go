package facts

import "github.com/platformctl/platformctl/pkg/lint"

// Labels the platform puts on objects and Namespaces to say which
// environment they run in; rules read them to judge production more
// strictly.
const (
	labelEnvironment     = "platformctl.dev/environment"
	labelEnvironmentBare = "environment"
)

// NamespaceOf returns the Namespace object of o from the run's objects, or nil.
func NamespaceOf(o *lint.Object, ctx *lint.Context) *lint.Object {
	if ctx == nil || ctx.Set == nil || o.Namespace == "" {
		return nil
	}
	return ctx.Set.Lookup(kindNamespace, "", o.Namespace)
}

// IsProduction says whether o runs in production: the object, or its
// Namespace when it is among the inputs, is labeled so.
func IsProduction(o *lint.Object, ctx *lint.Context) bool {
	prod := func(labels map[string]string) bool {
		return labels[labelEnvironment] == "production" || labels[labelEnvironmentBare] == "production"
	}
	if prod(o.Labels) {
		return true
	}
	ns := NamespaceOf(o, ctx)
	return ns != nil && prod(ns.Labels)
}
