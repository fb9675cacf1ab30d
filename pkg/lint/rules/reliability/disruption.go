package reliability

import (
	"fmt"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/platformctl/platformctl/pkg/lint"
	"github.com/platformctl/platformctl/pkg/lint/rules/internal/facts"
)

const docsPDB = "https://kubernetes.io/docs/tasks/run-application/configure-pdb/"

func missingPDB() lint.Rule {
	return lint.Rule{
		ID: "missing-pdb", Title: "Replicated workload without a PodDisruptionBudget", Category: lint.CategoryReliability, Severity: lint.Warning,
		Description: "A workload that runs at least 2 replicas (spec.replicas, or its autoscaler's minimum) is not selected by any PodDisruptionBudget. " +
			"Node drains — cluster upgrades, autoscaler scale-downs, spot reclaims — may then evict all of its pods at once, and the replicas that were meant to keep it available go down together. " +
			"DaemonSets (not evicted by drains) and single-replica workloads (a budget would only block drains) are not judged; StatefulSets running a database engine are reported by database-missing-pdb.",
		Remediation: "Add a PodDisruptionBudget in the same namespace whose selector matches the pod template labels, with maxUnavailable: 1 and unhealthyPodEvictionPolicy: AlwaysAllow.",
		References:  []string{docsPDB, "kube-score deployment-has-poddisruptionbudget / statefulset-has-poddisruptionbudget"},
		// O(workloads × pod labels + candidate PDBs sharing a label pair).
		CheckSet: func(s *lint.Set, _ *lint.Context, r *lint.Reporter) {
			f := facts.Of(s)
			pdbs := lint.Memo(s, facts.PDBs)
			for _, pi := range f.Pods {
				o := pi.Obj
				if !facts.Replicated(o) || judgedByDatabaseMissingPDB(pi) {
					continue
				}
				rr := facts.RangeOf(o, f.Autoscalers)
				if !rr.Known || rr.Min < 2 || pdbs[o.Namespace].Any(pi.Labels) {
					continue
				}
				if rr.Auto != nil {
					r.Report(o, "metadata.name", "%s runs at least %s (%s %q minimum) and no PodDisruptionBudget selects its pods; a node drain may evict them all at once",
						facts.Describe(o), lint.Count(rr.Min, "replica"), kindWord(rr.Auto.Obj), rr.Auto.Obj.Name)
					continue
				}
				r.Report(o, "spec.replicas", "%s runs %s and no PodDisruptionBudget selects its pods; a node drain may evict them all at once", facts.Describe(o), lint.Count(rr.Min, "replica"))
			}
		},
	}
}

// intOrPercent is a PDB's minAvailable or maxUnavailable.
type intOrPercent struct {
	v   int64
	pct bool
	raw string
}

func readIntOrPercent(n *yaml.Node) (intOrPercent, bool) {
	if n == nil || n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return intOrPercent{}, false
	}
	if v, ok := lint.Int(n); ok {
		return intOrPercent{v: v, raw: n.Value}, true
	}
	if s, ok := strings.CutSuffix(n.Value, "%"); ok {
		if v, err := strconv.ParseInt(s, 10, 64); err == nil {
			return intOrPercent{v: v, pct: true, raw: n.Value}, true
		}
	}
	return intOrPercent{}, false
}

// of scales the value to a pod count; the disruption controller rounds
// percentages up for both fields.
func (x intOrPercent) of(total int64) int64 {
	if !x.pct {
		return x.v
	}
	return (x.v*total + 99) / 100
}

// pdbCoverage is what a PDB's pods add up to at the workloads' minimum size.
type pdbCoverage struct {
	workloads []string
	total     int64
	auto      bool // a matched workload is autoscaled: total is at its minimum
	countable bool // every matched pod source has a known count
}

// coverage matches a PDB against the namespace's workloads through the
// label index: O(smallest bucket of its matchLabels), not O(workloads).
func coverage(pdb *lint.Object, pods map[string]*facts.LabelIndex, as facts.Autoscalers) pdbCoverage {
	cov := pdbCoverage{countable: true}
	for _, w := range pods[pdb.Namespace].Selected(facts.PDBSelector(pdb)) {
		switch {
		case w.Obj.Kind == facts.KindPod:
			cov.total++
			cov.workloads = append(cov.workloads, facts.Describe(w.Obj))
		case facts.Replicated(w.Obj):
			rr := facts.RangeOf(w.Obj, as)
			if !rr.Known {
				cov.countable = false
				continue
			}
			cov.total += rr.Min
			cov.auto = cov.auto || rr.Auto != nil
			if rr.Auto != nil {
				cov.workloads = append(cov.workloads, fmt.Sprintf("%s: %s %q minReplicas %d", facts.Describe(w.Obj), kindWord(rr.Auto.Obj), rr.Auto.Obj.Name, rr.Min))
			} else {
				cov.workloads = append(cov.workloads, fmt.Sprintf("%s: %s", facts.Describe(w.Obj), lint.Count(rr.Min, "replica")))
			}
		default:
			// DaemonSets and Jobs: the pod count is not in the manifest.
			cov.countable = false
		}
	}
	return cov
}

func pdbBlocksEviction() lint.Rule {
	return lint.Rule{
		ID: "pdb-blocks-eviction", Title: "PodDisruptionBudget that allows no eviction", Category: lint.CategoryReliability, Severity: lint.Error,
		Description: "The budget can never be satisfied by evicting a pod: maxUnavailable is 0 or 0%, minAvailable is 100%, or minAvailable (percentages rounded up) is at least the number of pods of the fixed-size workloads it selects. " +
			"kubectl drain, cluster upgrades and the cluster autoscaler then wait on these pods forever — a node upgrade stalls until someone deletes the budget by hand. " +
			"Budgets on autoscaled workloads are judged by pdb-exceeds-hpa-min.",
		Remediation: "Use maxUnavailable: 1 (or a percentage that leaves at least one pod evictable), or run more replicas than minAvailable.",
		References:  []string{docsPDB, "kube-linter pdb-max-unavailable / pdb-min-available"},
		CheckSet: func(s *lint.Set, _ *lint.Context, r *lint.Reporter) {
			var pods map[string]*facts.LabelIndex
			var as facts.Autoscalers
			for _, pdb := range s.OfKind(facts.KindPDB) {
				if mu, ok := readIntOrPercent(lint.Get(pdb.Root, "spec", "maxUnavailable")); ok {
					if mu.v == 0 {
						r.Report(pdb, "spec.maxUnavailable", "PodDisruptionBudget %q has maxUnavailable %s: no pod may ever be evicted, so node drains hang", pdb.Name, mu.raw)
					}
					continue
				}
				ma, ok := readIntOrPercent(lint.Get(pdb.Root, "spec", "minAvailable"))
				if !ok {
					continue
				}
				if ma.pct && ma.v >= 100 {
					r.Report(pdb, "spec.minAvailable", "PodDisruptionBudget %q has minAvailable %s: no pod may ever be evicted, so node drains hang", pdb.Name, ma.raw)
					continue
				}
				if pods == nil {
					f := facts.Of(s)
					pods, as = f.PodsByNS, f.Autoscalers
				}
				cov := coverage(pdb, pods, as)
				if !cov.countable || cov.auto || cov.total == 0 || ma.of(cov.total) < cov.total {
					continue
				}
				r.Report(pdb, "spec.minAvailable", "PodDisruptionBudget %q requires %d of %s available (%s): none may be evicted, so node drains hang",
					pdb.Name, ma.of(cov.total), lint.Count(cov.total, "pod"), strings.Join(cov.workloads, "; "))
			}
		},
	}
}

func pdbExceedsHPAMin() lint.Rule {
	return lint.Rule{
		ID: "pdb-exceeds-hpa-min", Title: "PodDisruptionBudget blocks evictions at the autoscaler's minimum", Category: lint.CategoryReliability, Severity: lint.Warning,
		Description: "The budget's minAvailable (percentages rounded up) is at least the number of pods its autoscaled workloads run at their HPA minReplicas. " +
			"Whenever load is low and the HPA has scaled down — exactly when maintenance drains nodes — no pod may be evicted and drains hang until load rises.",
		Remediation: "Use maxUnavailable: 1 instead of minAvailable, or raise the HPA's minReplicas above minAvailable.",
		References:  []string{docsPDB, docsHPA},
		CheckSet: func(s *lint.Set, _ *lint.Context, r *lint.Reporter) {
			f := facts.Of(s)
			pods, as := f.PodsByNS, f.Autoscalers
			for _, pdb := range s.OfKind(facts.KindPDB) {
				if lint.Get(pdb.Root, "spec", "maxUnavailable") != nil {
					continue
				}
				ma, ok := readIntOrPercent(lint.Get(pdb.Root, "spec", "minAvailable"))
				if !ok || (ma.pct && ma.v >= 100) {
					continue
				}
				cov := coverage(pdb, pods, as)
				if !cov.countable || !cov.auto || cov.total == 0 || ma.of(cov.total) < cov.total {
					continue
				}
				r.Report(pdb, "spec.minAvailable", "PodDisruptionBudget %q requires %d available, but at minimum scale there are only %s (%s): no pod can be evicted then",
					pdb.Name, ma.of(cov.total), lint.Count(cov.total, "pod"), strings.Join(cov.workloads, "; "))
			}
		},
	}
}

func pdbUnhealthyEvictionPolicy() lint.Rule {
	return lint.Rule{
		ID: "pdb-unhealthy-eviction-policy", Title: "PodDisruptionBudget protects unhealthy pods", Category: lint.CategoryReliability, Severity: lint.Warning,
		Description: "Without unhealthyPodEvictionPolicy the default IfHealthyBudget applies: pods that are running but not ready (crash-looping, stuck) may only be evicted while the application is healthy. " +
			"A broken rollout then blocks every node drain, because the budget counts the broken pods as protected. AlwaysAllow lets drains evict pods that serve nothing anyway. " +
			"An explicit IfHealthyBudget is a deliberate choice and is not reported.",
		Remediation: "Set spec.unhealthyPodEvictionPolicy: AlwaysAllow (policy/v1, Kubernetes 1.27+).",
		References:  []string{docsPDB + "#unhealthy-pod-eviction-policy", "kube-linter pdb-unhealthy-pod-eviction-policy"},
		CEL:         &lint.CEL{Kinds: []string{facts.KindPDB}, Expression: "object.?apiVersion.orValue('') != 'policy/v1' || object.?spec.?unhealthyPodEvictionPolicy.hasValue()", Message: "the PodDisruptionBudget does not set unhealthyPodEvictionPolicy, so not-ready pods block drains"},
		Check: func(o *lint.Object, _ *lint.Context, r *lint.Reporter) {
			if o.Kind != facts.KindPDB || o.APIVersion != "policy/v1" || lint.Get(o.Root, "spec", "unhealthyPodEvictionPolicy") != nil {
				return
			}
			r.Report(o, "spec.unhealthyPodEvictionPolicy", "PodDisruptionBudget %q does not set unhealthyPodEvictionPolicy, so not-ready pods block drains while the budget is exhausted", o.Name)
		},
	}
}

func pdbNoPods() lint.Rule {
	return lint.Rule{
		ID: "pdb-no-pods", Title: "PodDisruptionBudget selects no pods", Category: lint.CategoryReliability, Severity: lint.Warning,
		Description: "The budget's selector matches the pod template of no workload in its namespace, usually after labels changed. It protects nothing, " +
			"while everyone believes the workload is protected from simultaneous evictions. Only judged when the input has workloads in that namespace.",
		Remediation: "Make spec.selector match the pod template labels of the workload it protects (same namespace), or delete the budget.",
		References:  []string{docsPDB},
		CheckSet: func(s *lint.Set, _ *lint.Context, r *lint.Reporter) {
			pods := facts.Of(s).PodsByNS
			for _, pdb := range s.OfKind(facts.KindPDB) {
				ix := pods[pdb.Namespace]
				if ix == nil || ix.Any(facts.PDBSelector(pdb)) {
					continue
				}
				r.Report(pdb, "spec.selector", "PodDisruptionBudget %q selects no pods of the workloads in namespace %s", pdb.Name, facts.NsName(pdb.Namespace))
			}
		},
	}
}

func missingTopologySpread() lint.Rule {
	return lint.Rule{
		ID: "missing-topology-spread", Title: "Replicas not spread across nodes or zones", Category: lint.CategoryReliability, Severity: lint.Warning,
		Description: "A workload that can run several replicas (spec.replicas ≥ 2, or an autoscaler maximum ≥ 2) has no topologySpreadConstraints and no podAntiAffinity that select its own pods. " +
			"The scheduler may then put every replica on one node or in one zone, and a single node or zone failure takes all of them down — the replicas buy no availability. " +
			"Constraints whose labelSelector does not match the pod's own labels spread nothing and count as missing.",
		Remediation: "Add topologySpreadConstraints on topology.kubernetes.io/zone and kubernetes.io/hostname with a labelSelector matching the pod labels (and matchLabelKeys: [pod-template-hash]), " +
			"or a podAntiAffinity on kubernetes.io/hostname.",
		References: []string{"https://kubernetes.io/docs/concepts/scheduling-eviction/topology-spread-constraints/", "kube-score deployment-has-host-podantiaffinity", "kube-linter no-anti-affinity"},
		CheckSet: func(s *lint.Set, _ *lint.Context, r *lint.Reporter) {
			f := facts.Of(s)
			for _, pi := range f.Pods {
				o, p := pi.Obj, pi.Pod
				if !facts.Replicated(o) {
					continue
				}
				rr := facts.RangeOf(o, f.Autoscalers)
				if !rr.Known || rr.Max < 2 {
					continue
				}
				spread, declared := spreads(p.Spec, pi.Labels)
				switch {
				case spread:
				case declared:
					r.Report(o, p.Path+".topologySpreadConstraints", "%s can run %s, but its topologySpreadConstraints and podAntiAffinity do not select its own pods, so they spread nothing",
						facts.Describe(o), lint.Count(rr.Max, "replica"))
				default:
					r.Report(o, p.Path+".topologySpreadConstraints", "%s can run %s but has no topologySpreadConstraints or podAntiAffinity; all of them may land on one node",
						facts.Describe(o), lint.Count(rr.Max, "replica"))
				}
			}
		},
	}
}

// spreads says whether a pod spec spreads pods with labels (some constraint
// or anti-affinity term selects them), and whether it declares any at all.
func spreads(spec *yaml.Node, labels map[string]string) (spread, declared bool) {
	for _, c := range lint.Items(lint.Field(spec, "topologySpreadConstraints")) {
		declared = true
		if lint.LabelSelector(lint.Field(c, "labelSelector"), labels) {
			return true, true
		}
	}
	anti := lint.Get(spec, "affinity", "podAntiAffinity")
	for _, t := range lint.Items(lint.Field(anti, "requiredDuringSchedulingIgnoredDuringExecution")) {
		declared = true
		if lint.LabelSelector(lint.Field(t, "labelSelector"), labels) {
			return true, true
		}
	}
	for _, t := range lint.Items(lint.Field(anti, "preferredDuringSchedulingIgnoredDuringExecution")) {
		declared = true
		if lint.LabelSelector(lint.Get(t, "podAffinityTerm", "labelSelector"), labels) {
			return true, true
		}
	}
	return false, declared
}
