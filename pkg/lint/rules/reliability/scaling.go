package reliability

import (
	"strconv"
	"strings"

	"github.com/platformctl/platformctl/pkg/lint"
	"github.com/platformctl/platformctl/pkg/lint/rules/internal/facts"
)

const docsHPA = "https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/"

func replicasBelowMinimum() lint.Rule {
	return lint.Rule{
		ID: "replicas-below-minimum", Title: "Too few replicas", Category: lint.CategoryReliability, Severity: lint.Warning,
		Description: "A Deployment or StatefulSet runs fewer replicas than the configured floor (params.minReplicas, default 2) and no HPA or KEDA ScaledObject scales it. " +
			"With one replica every node drain, node failure, eviction or crash is an outage, and a PodDisruptionBudget cannot help without a second pod. " +
			"spec.replicas unset means 1; an explicit 0 (switched off) is not judged.",
		Remediation: "Set spec.replicas to at least params.minReplicas (2), or let an HPA with minReplicas ≥ 2 own the count. " +
			"For deliberate single-replica workloads (a canary, a development environment) add ignore.platformctl.dev/replicas-below-minimum with the reason, or lower params.minReplicas for that input.",
		References: []string{"https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#replicas", "kube-linter minimum-three-replicas"},
		CheckSet: func(s *lint.Set, c *lint.Context, r *lint.Reporter) {
			as := facts.Of(s).Autoscalers
			floor := int64(c.Params.MinReplicas)
			for _, kind := range []string{facts.KindDeployment, facts.KindStatefulSet} {
				for _, o := range s.OfKind(kind) {
					n, set, known := facts.SpecReplicas(o)
					if !known || (set && n == 0) || n >= floor || as.Of(o) != nil {
						continue
					}
					if set {
						r.Report(o, "spec.replicas", "%s runs %s and no autoscaler scales it; at least %d are needed to survive a node drain or crash", facts.Describe(o), lint.Count(n, "replica"), floor)
					} else {
						r.Report(o, "spec.replicas", "%s does not set spec.replicas, so it runs 1 replica, and no autoscaler scales it; at least %d are needed to survive a node drain or crash", facts.Describe(o), floor)
					}
				}
			}
		},
	}
}

func hpaMinReplicasTooLow() lint.Rule {
	return lint.Rule{
		ID: "hpa-min-replicas-too-low", Title: "HPA may scale down to one replica", Category: lint.CategoryReliability, Severity: lint.Warning,
		Description: "The HorizontalPodAutoscaler's minReplicas is below 2 (unset means 1). At quiet times the workload shrinks to a single pod, and then a node drain, " +
			"an eviction or one crash is an outage — usually at night, when a cluster upgrade drains nodes.",
		Remediation: "Set spec.minReplicas to at least 2.",
		References:  []string{docsHPA, "kube-linter hpa-minimum-three-replicas"},
		CEL:         &lint.CEL{Kinds: []string{facts.KindHPA}, Expression: "object.?spec.?minReplicas.hasValue() && (type(object.spec.minReplicas) != int || object.spec.minReplicas >= 2)", Message: "the HPA may scale down to 1 replica: minReplicas is unset or below 2"},
		Check: func(o *lint.Object, _ *lint.Context, r *lint.Reporter) {
			if o.Kind != facts.KindHPA {
				return
			}
			n, ok := lint.Int(lint.Get(o.Root, "spec", "minReplicas"))
			switch {
			case lint.Get(o.Root, "spec", "minReplicas") == nil:
				r.Report(o, "spec.minReplicas", "HPA %q does not set minReplicas, so it scales down to 1 replica", o.Name)
			case ok && n < 2:
				r.Report(o, "spec.minReplicas", "HPA %q scales down to %s", o.Name, lint.Count(n, "replica"))
			}
		},
	}
}

func hpaCannotScale() lint.Rule {
	return lint.Rule{
		ID: "hpa-cannot-scale", Title: "HPA with minReplicas not below maxReplicas", Category: lint.CategoryReliability, Severity: lint.Warning,
		Description: "An HPA whose minReplicas equals maxReplicas never scales: it only pins the replica count while looking like autoscaling, and capacity planning based on it is wrong. " +
			"minReplicas above maxReplicas is rejected by the API server.",
		Remediation: "Raise maxReplicas to the load the workload must absorb, or delete the HPA and set spec.replicas on the workload.",
		References:  []string{docsHPA},
		CEL:         &lint.CEL{Kinds: []string{facts.KindHPA}, Expression: "type(object.?spec.?maxReplicas.orValue(null)) != int || (type(object.?spec.?minReplicas.orValue(null)) == int ? object.spec.minReplicas : 1) < object.spec.maxReplicas", Message: "the HPA never scales: minReplicas is not below maxReplicas"},
		Check: func(o *lint.Object, _ *lint.Context, r *lint.Reporter) {
			if o.Kind != facts.KindHPA {
				return
			}
			max, ok := lint.Int(lint.Get(o.Root, "spec", "maxReplicas"))
			if !ok {
				return
			}
			min, ok := lint.Int(lint.Get(o.Root, "spec", "minReplicas"))
			if !ok {
				min = 1
			}
			switch {
			case min == max:
				r.Report(o, "spec.maxReplicas", "HPA %q has minReplicas = maxReplicas = %d, so it never scales", o.Name, max)
			case min > max:
				r.Report(o, "spec.maxReplicas", "HPA %q has minReplicas %d above maxReplicas %d; the API server rejects it", o.Name, min, max)
			}
		},
	}
}

// scaleTargets calls fn for every HPA and KEDA ScaledObject with its target.
func scaleTargets(s *lint.Set, fn func(a *lint.Object, kind, name string)) {
	for _, h := range s.OfKind(facts.KindHPA) {
		ref := lint.Get(h.Root, "spec", "scaleTargetRef")
		fn(h, lint.Str(lint.Field(ref, "kind")), lint.Str(lint.Field(ref, "name")))
	}
	for _, so := range s.OfKind("ScaledObject") {
		if so.Group() != "keda.sh" {
			continue
		}
		ref := lint.Get(so.Root, "spec", "scaleTargetRef")
		kind := lint.Str(lint.Field(ref, "kind"))
		if kind == "" {
			kind = facts.KindDeployment
		}
		fn(so, kind, lint.Str(lint.Field(ref, "name")))
	}
}

func hpaTargetMissing() lint.Rule {
	return lint.Rule{
		ID: "hpa-target-missing", Title: "Autoscaler targets a workload that is not in the input", Category: lint.CategoryReliability, Severity: lint.Error,
		Description: "An HPA (or KEDA ScaledObject) names a scale target that the input does not contain — usually a renamed Deployment or a kind typo. " +
			"The autoscaler then scales nothing, and the workload it was meant for runs at its fixed replica count through every load peak. " +
			"Only judged when the input has workloads in that namespace, so linting a partial tree does not report it.",
		Remediation: "Fix spec.scaleTargetRef (kind, name, apiVersion) to name the workload, or delete the autoscaler.",
		References:  []string{docsHPA, "kube-score horizontalpodautoscaler-has-target", "kube-linter dangling-horizontalpodautoscaler"},
		CheckSet: func(s *lint.Set, _ *lint.Context, r *lint.Reporter) {
			judged := facts.Of(s).PodsByNS
			scaleTargets(s, func(a *lint.Object, kind, name string) {
				if judged[a.Namespace] == nil || kind == "" || name == "" || s.Lookup(kind, a.Namespace, name) != nil {
					return
				}
				r.Report(a, "spec.scaleTargetRef.name", "%s targets %s %q, which is not in the input (namespace %s)", kindWord(a), kind, name, facts.NsName(a.Namespace))
			})
		},
	}
}

func kindWord(a *lint.Object) string {
	if a.Kind == facts.KindHPA {
		return "HPA"
	}
	return a.Kind
}

func hpaTargetSetsReplicas() lint.Rule {
	return lint.Rule{
		ID: "hpa-target-sets-replicas", Title: "Autoscaled workload also sets spec.replicas", Category: lint.CategoryReliability, Severity: lint.Warning,
		Description: "A Deployment or StatefulSet that an HPA (or KEDA ScaledObject) scales also sets spec.replicas. Every apply — kubectl, Argo CD, Flux — resets the count to that value, " +
			"so a workload the HPA grew to 20 pods under load drops to the manifest's 3 in one step until the HPA catches up, and the HPA and the deploy pipeline fight over the field.",
		Remediation: "Remove spec.replicas from the manifest and let the autoscaler own it (set the floor with the HPA's minReplicas).",
		References:  []string{docsHPA + "#migrating-deployments-and-statefulsets-to-horizontal-autoscaling", "kube-score deployment-targeted-by-hpa-does-not-have-replicas-configured"},
		CheckSet: func(s *lint.Set, _ *lint.Context, r *lint.Reporter) {
			as := facts.Of(s).Autoscalers
			for _, kind := range []string{facts.KindDeployment, facts.KindStatefulSet} {
				for _, o := range s.OfKind(kind) {
					a := as.Of(o)
					if a == nil {
						continue
					}
					if _, set, _ := facts.SpecReplicas(o); set {
						r.Report(o, "spec.replicas", "%s sets spec.replicas although %s %q scales it; every apply resets the replica count", facts.Describe(o), kindWord(a.Obj), a.Obj.Name)
					}
				}
			}
		},
	}
}

// utilizationMetric is a resource an HPA scales on as a percentage of the
// request, where it finds it, and which container (for ContainerResource).
type utilizationMetric struct {
	resource, container, path string
}

func metricPath(i int, field string) string {
	return "spec.metrics[" + strconv.Itoa(i) + "]." + field + ".name"
}

func utilizationMetrics(h *lint.Object) []utilizationMetric {
	if strings.HasPrefix(h.APIVersion, "autoscaling/v1") {
		// v1 only knows CPU utilization, 80% when unset.
		return []utilizationMetric{{resource: "cpu", path: "spec.targetCPUUtilizationPercentage"}}
	}
	metrics := lint.Items(lint.Get(h.Root, "spec", "metrics"))
	if lint.Get(h.Root, "spec", "metrics") == nil {
		// v2 without metrics defaults to 80% average CPU utilization.
		return []utilizationMetric{{resource: "cpu", path: "spec.scaleTargetRef"}}
	}
	var out []utilizationMetric
	for i, m := range metrics {
		switch lint.Str(lint.Field(m, "type")) {
		case "Resource":
			res := lint.Field(m, "resource")
			if lint.Str(lint.Get(res, "target", "type")) == "Utilization" {
				out = append(out, utilizationMetric{resource: lint.Str(lint.Field(res, "name")), path: metricPath(i, "resource")})
			}
		case "ContainerResource":
			res := lint.Field(m, "containerResource")
			if lint.Str(lint.Get(res, "target", "type")) == "Utilization" {
				out = append(out, utilizationMetric{
					resource: lint.Str(lint.Field(res, "name")), container: lint.Str(lint.Field(res, "container")),
					path: metricPath(i, "containerResource"),
				})
			}
		}
	}
	return out
}

func hpaTargetMissingRequests() lint.Rule {
	return lint.Rule{
		ID: "hpa-target-missing-requests", Title: "HPA scales on utilization of a resource the pods do not request", Category: lint.CategoryReliability, Severity: lint.Error,
		Description: "Utilization is usage divided by request. When an HPA scales on CPU or memory utilization (including the implicit 80% CPU target of an HPA without metrics) " +
			"and a container of the target's pods has no request for that resource, the HPA cannot compute utilization: it reports FailedGetResourceMetric and never scales, " +
			"and nothing in the manifests shows it. A LimitRange default in the namespace counts as a request.",
		Remediation: "Set resources.requests for that resource on every container of the target's pod template (or, for one container, scale on a ContainerResource metric), " +
			"or scale on an AverageValue target instead.",
		References: []string{docsHPA + "#algorithm-details"},
		CheckSet: func(s *lint.Set, _ *lint.Context, r *lint.Reporter) {
			f := facts.Of(s)
			rs := resources{defaults: f.Limits}
			for _, h := range s.OfKind(facts.KindHPA) {
				ref := lint.Get(h.Root, "spec", "scaleTargetRef")
				t := s.Lookup(lint.Str(lint.Field(ref, "kind")), h.Namespace, lint.Str(lint.Field(ref, "name")))
				pi := f.ByObj[t]
				if pi == nil {
					continue
				}
				p := pi.Pod
				for _, m := range utilizationMetrics(h) {
					if m.resource == "" {
						continue
					}
					for ci := range pi.Containers {
						c := &pi.Containers[ci]
						if c.Kind != lint.RegularContainer || (m.container != "" && c.Name != m.container) {
							continue
						}
						if !rs.has(t, p, c.Node, "requests", m.resource) {
							r.Report(h, m.path, "HPA %q scales %s on %s utilization, but its container %q has no %s request; the HPA cannot compute utilization and does not scale",
								h.Name, facts.Describe(t), m.resource, c.Name, m.resource)
						}
					}
				}
			}
		},
	}
}
