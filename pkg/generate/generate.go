// Package generate turns a defaulted spec into the Kubernetes objects of one
// environment (or of the base every overlay starts from). It is the single
// source of truth: render derives the Kustomize tree from it and build prints
// its output directly.
package generate

import (
	"fmt"
	"sort"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/platformctl/platformctl/pkg/spec"
)

// Label keys used on every object.
const (
	LabelName      = "app.kubernetes.io/name"
	LabelPartOf    = "app.kubernetes.io/part-of"
	LabelManagedBy = "app.kubernetes.io/managed-by"
	LabelComponent = "app.kubernetes.io/component"
	LabelVersion   = "app.kubernetes.io/version"
	LabelTrack     = "platformctl.dev/track"
	LabelArea      = "platformctl.dev/area"
	// LabelEnvironment is added by the overlay's labels transformer, never by the base.
	LabelEnvironment = "platformctl.dev/environment"
	ManagedBy        = "platformctl"
)

// Object is one generated Kubernetes object.
type Object struct {
	// ID names the object independently of the environment, so an overlay's
	// object can be matched with its base: <area>/<Kind>/<name-in-base>.
	ID string
	// Area is the platform namespace the object belongs to (edge, apps, …).
	Area string
	// Source is the spec path that caused the object (spec.services[0]), for
	// messages that send a user back to their spec.
	Source string
	// Obj is a typed object with TypeMeta set, marshalled with encoding/json.
	Obj any
}

// Context is what generators know about the target.
type Context struct {
	P *spec.Platform
	// Env is nil for the base.
	Env *spec.Environment
}

// EnvName is the environment's name, or "" for the base.
func (c *Context) EnvName() string {
	if c.Env == nil {
		return ""
	}
	return c.Env.Name
}

// NS returns the namespace of area in this context.
func (c *Context) NS(area string) string { return spec.Namespace(c.Env, area) }

// Tier is the environment's tier; the base is generated as production.
func (c *Context) Tier() spec.Tier {
	if c.Env == nil {
		return spec.TierProduction
	}
	return c.Env.Tier
}

// Generator adds the objects of one concern.
type Generator struct {
	Name string
	Run  func(c *Context) ([]Object, error)
}

// Generators is the explicit list of everything that is generated, in order;
// the network baseline follows them (networkBaseline), since which
// namespaces need one depends on what they rendered.
func Generators() []Generator {
	return []Generator{
		{Name: "namespaces", Run: namespaces},
		{Name: "priority-classes", Run: priorityClasses},
		{Name: "services", Run: services},
		{Name: "cilium-policies", Run: ciliumPolicies},
		{Name: "secrets", Run: externalSecrets},
		{Name: "bindings", Run: bindings},
		{Name: "edge", Run: edge},
		{Name: "data", Run: dataBindings},
		{Name: "datastores", Run: dataStores},
		{Name: "cloudnative-pg", Run: cnpgObjects},
		{Name: "redis-operator", Run: redisOperatorObjects},
		{Name: "backups", Run: backups},
		{Name: "store-autoscalers", Run: storeAutoscalers},
		{Name: "teams", Run: teams},
		{Name: "deployer", Run: deployer},
		{Name: "gitops", Run: gitops},
		{Name: "telemetry", Run: telemetry},
		{Name: "logs", Run: logAgent},
		{Name: "metrics", Run: metricsObjects},
		{Name: "admission-policies", Run: admissionPolicies},
		{Name: "image-verification", Run: imageVerification},
		{Name: "preview-quotas", Run: previewQuotas},
	}
}

// Objects generates env's objects (nil env: the base), sorted by ID.
func Objects(p *spec.Platform, env *spec.Environment) ([]Object, error) {
	c := &Context{P: p, Env: env}
	var all []Object
	seen := map[string]string{} // ID → Source
	for _, g := range Generators() {
		objs, err := g.Run(c)
		if err != nil {
			return nil, fmt.Errorf("generate %s: %w", g.Name, err)
		}
		for _, o := range objs {
			if first, dup := seen[o.ID]; dup {
				return nil, &DuplicateError{ID: o.ID, First: first, Second: o.Source}
			}
			seen[o.ID] = o.Source
			all = append(all, o)
		}
	}
	for _, o := range networkBaseline(c, all) {
		if first, dup := seen[o.ID]; dup {
			return nil, &DuplicateError{ID: o.ID, First: first, Second: o.Source}
		}
		all = append(all, o)
	}
	if p.Preview != nil {
		all = inPreview(all)
	}
	meshPorts(c, all)
	if err := peerAnnotations(c, all); err != nil {
		return nil, fmt.Errorf("generate peer annotations: %w", err)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].ID < all[j].ID })
	return all, nil
}

// labels returns the standard labels of a platform object.
func (c *Context) labels(name, component string) map[string]string {
	l := map[string]string{
		LabelName:      name,
		LabelPartOf:    c.P.Metadata.Name,
		LabelManagedBy: ManagedBy,
	}
	if component != "" {
		l[LabelComponent] = component
	}
	return l
}

func id(area, kind, name string) string { return area + "/" + kind + "/" + name }

// ignoreRule annotates an object so `platformctl lint` does not report rule
// on it, with the reason a reviewer reads in --show-ignored. The generator
// uses it only where a rule's general advice does not fit by design.
func ignoreRule(meta *metav1.ObjectMeta, rule, reason string) {
	if meta.Annotations == nil {
		meta.Annotations = map[string]string{}
	}
	meta.Annotations[ignorePrefix+rule] = reason
}

// ignorePrefix prefixes the annotation that tells platformctl lint to skip a rule.
const ignorePrefix = "ignore.platformctl.dev/"

// RuleReplicasBelowMinimum is the lint rule single-replica objects opt out of.
const RuleReplicasBelowMinimum = "replicas-below-minimum"

// pullPolicy is every container's imagePullPolicy. Always, as CIS 5.x and
// kube-score ask: the kubelet checks with the registry that the node may
// still pull the image (a cached private image is otherwise usable by any
// pod on the node), and a mutable tag in development is fetched anew. With
// a digest — required in production — the check is one manifest request;
// the layers come from the node's cache.
const pullPolicy = corev1.PullAlways
