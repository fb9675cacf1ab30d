package generate

import (
	corev1 "k8s.io/api/core/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/platformctl/platformctl/pkg/spec"
)

var typePriorityClass = metav1.TypeMeta{APIVersion: "scheduling.k8s.io/v1", Kind: "PriorityClass"}

// Priority tiers of the platform's pods. When a cluster runs short, the
// scheduler preempts batch before apps and apps before the platform's own
// stateful and telemetry pods, whose loss takes every app down with them.
const (
	PriorityPlatform = spec.ClusterPriorityPlatform
	PriorityApps     = spec.ClusterPriorityApps
	PriorityBatch    = spec.ClusterPriorityBatch
)

// PriorityClass values of the tiers, far apart so a cluster's own classes
// fit between them.
const (
	PriorityValuePlatform int32 = 100000
	PriorityValueApps     int32 = 10000
	PriorityValueBatch    int32 = 1000
)

type priorityTier struct {
	suffix, area string
	value        int32
	// never: the pods wait for room rather than evict anyone.
	never bool
	desc  string
}

var priorityTiers = []priorityTier{
	{PriorityPlatform, "data", PriorityValuePlatform, false, "platformctl: data stores and telemetry, scheduled before apps"},
	{PriorityApps, "apps", PriorityValueApps, false, "platformctl: application services"},
	{PriorityBatch, "data", PriorityValueBatch, true, "platformctl: scheduled jobs, backups and restore tests; they wait for room and never preempt"},
}

// ClusterName names a cluster-scoped object of this environment.
// Environments sharing a cluster (namespace isolation) each get their own,
// so no two GitOps applications own the same cluster-scoped object.
func (c *Context) ClusterName(suffix string) string { return c.P.ClusterName(c.Env, suffix) }

// PriorityClassName is the cluster-wide name of a priority tier.
// A preview's pods use its base environment's classes: a preview owns
// nothing cluster-wide.
func (c *Context) PriorityClassName(tier string) string {
	if pv := c.P.Preview; pv != nil {
		return c.P.ClusterName(pv.From, tier)
	}
	return c.ClusterName(tier)
}

func priorityClasses(c *Context) ([]Object, error) {
	var out []Object
	for _, t := range priorityTiers {
		name := c.PriorityClassName(t.suffix)
		pc := &schedulingv1.PriorityClass{
			TypeMeta:    typePriorityClass,
			ObjectMeta:  metav1.ObjectMeta{Name: name, Labels: c.labels(name, "scheduling")},
			Value:       t.value,
			Description: t.desc,
		}
		if t.never {
			pc.PreemptionPolicy = ptr(corev1.PreemptNever)
		}
		out = append(out, Object{ID: id(t.area, "PriorityClass", t.suffix), Area: t.area, Source: "spec", Obj: pc})
	}
	return out, nil
}
