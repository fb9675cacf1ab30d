package reliability

import (
	"fmt"
	"strings"

	yaml "go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/platformctl/platformctl/pkg/lint"
	"github.com/platformctl/platformctl/pkg/lint/rules/internal/facts"
)

// guaranteedResources are the resources whose requests and limits
// requests-equal-limits compares: cpu and memory decide the QoS class,
// ephemeral-storage whether a container can be evicted for disk use
// beyond what it asked for.
var guaranteedResources = []string{"cpu", "memory", "ephemeral-storage"}

func requestsEqualLimits() lint.Rule {
	return lint.Rule{
		ID: "requests-equal-limits", Title: "Requests differ from limits (not Guaranteed QoS)", Category: lint.CategoryReliability, Severity: lint.Info,
		Description: "Off by default. A pod is in the Guaranteed QoS class only when every container's requests equal its limits for CPU and memory: it is evicted last under node pressure, and with the static CPU manager it gets exclusive cores. " +
			"A container whose request is below its limit (or that sets only one of them) may use more than the scheduler reserved, so the node can be overcommitted and the pod is Burstable. " +
			"Ephemeral storage is compared too: above its request a pod is the kubelet's first candidate when disk runs low. Quantities are compared by value (1 and 1000m, 1Gi and 1024Mi are equal); a resource set in neither requests nor limits is left to missing-* rules.",
		Remediation: "Set resources.requests equal to resources.limits for cpu, memory and ephemeral-storage (a limit alone also sets the request to the same value).",
		References:  []string{"https://kubernetes.io/docs/concepts/workloads/pods/pod-qos/#guaranteed", "kube-score container-resource-requests-equal-limits", "Polaris cpuRequestsEqualLimits"},
		Disabled:    true,
		Check: func(o *lint.Object, _ *lint.Context, r *lint.Reporter) {
			_, cs := o.Containers()
			for i := range cs {
				c := &cs[i]
				if c.Kind == lint.EphemeralContainer {
					continue // ephemeral containers have no resources
				}
				res := lint.Field(c.Node, "resources")
				for _, name := range guaranteedResources {
					req, lim := lint.Get(res, "requests", name), lint.Get(res, "limits", name)
					switch {
					case req == nil && lim == nil, req == nil:
						// Nothing set, or a limit alone, which is also the request.
					case lim == nil:
						r.Report(o, c.Path+".resources.requests."+name, "%s requests %s %s with no limit, so it is not Guaranteed", c.Who(), name, lint.Str(req))
					case !sameQuantity(req, lim):
						r.Report(o, c.Path+".resources.requests."+name, "%s requests %s %s but its limit is %s", c.Who(), name, lint.Str(req), lint.Str(lim))
					}
				}
			}
		},
	}
}

// sameQuantity compares two resource quantities by value; quantities that
// do not parse are compared as written (the API server rejects them, and
// that is not this rule's finding).
func sameQuantity(a, b *yaml.Node) bool {
	qa, errA := resource.ParseQuantity(lint.Str(a))
	qb, errB := resource.ParseQuantity(lint.Str(b))
	if errA != nil || errB != nil {
		return lint.Str(a) == lint.Str(b)
	}
	return qa.Cmp(qb) == 0
}

func priorityClassNotSet() lint.Rule {
	return lint.Rule{
		ID: "priority-class-not-set", Title: "Pod without a priorityClassName", Category: lint.CategoryReliability, Severity: lint.Info,
		Description: "Off by default. A pod without priorityClassName gets the cluster's global default priority (0 when no PriorityClass has globalDefault: true): " +
			"when the cluster is full the scheduler cannot preempt less important pods to make room for it, and under node pressure it is treated like any batch job. " +
			"Naming a class records how important the workload is, so critical services win over best-effort work.",
		Remediation: "Set spec.priorityClassName (pod template) to a PriorityClass of the cluster, e.g. one per tier (platform, apps, batch).",
		References:  []string{"https://kubernetes.io/docs/concepts/scheduling-eviction/pod-priority-preemption/", "kube-linter priority-class-name"},
		Disabled:    true,
		CEL:         lint.PodCEL("!"+lint.CELHasPod+" || !(variables.podSpec.?priorityClassName.orValue('') == '' || variables.podSpec.?priorityClassName.orValue('') == null)", "the pods name no priorityClassName"),
		Check: func(o *lint.Object, _ *lint.Context, r *lint.Reporter) {
			p := o.Pod()
			if p == nil || o.Kind == "PodTemplate" {
				return
			}
			if lint.Str(lint.Field(p.Spec, "priorityClassName")) == "" {
				r.Report(o, p.Path+".priorityClassName", "the pods of %s name no priorityClassName", facts.Describe(o))
			}
		},
	}
}

func invalidRestartPolicy() lint.Rule {
	return lint.Rule{
		ID: "invalid-restart-policy", Title: "restartPolicy the API server rejects", Category: lint.CategoryReliability, Severity: lint.Error,
		Description: "A pod's restartPolicy must be Always, OnFailure or Never. A Job's (and a CronJob's) pod template must say OnFailure or Never: " +
			"the default, Always, is rejected, because a pod that always restarts never completes. A Deployment, StatefulSet, DaemonSet, ReplicaSet or ReplicationController accepts only Always. The apply fails otherwise.",
		Remediation: "Jobs and CronJobs: set spec.template.spec.restartPolicy (spec.jobTemplate.spec.template.spec for a CronJob) to OnFailure or Never. Long-running workloads: leave it out (Always).",
		References:  []string{"https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#restart-policy", "https://kubernetes.io/docs/concepts/workloads/controllers/job/#pod-template"},
		CEL:         lint.PodCEL(celRestartPolicy, "the pods' restartPolicy is not one their kind allows"),
		Check: func(o *lint.Object, _ *lint.Context, r *lint.Reporter) {
			p := o.Pod()
			if p == nil {
				return
			}
			n := lint.Field(p.Spec, "restartPolicy")
			rp := lint.Str(n)
			switch o.Kind {
			case facts.KindJob, facts.KindCronJob:
				if rp != "OnFailure" && rp != "Never" {
					if n == nil {
						r.Report(o, p.Path+".restartPolicy", "%s does not set restartPolicy, and the default Always is not allowed for Jobs (OnFailure or Never)", facts.Describe(o))
					} else {
						r.Report(o, p.Path+".restartPolicy", "%s sets restartPolicy %s; a Job's pods must be OnFailure or Never", facts.Describe(o), describe(n))
					}
				}
			case facts.KindPod:
				if n != nil && rp != "Always" && rp != "OnFailure" && rp != "Never" {
					r.Report(o, p.Path+".restartPolicy", "Pod %q sets restartPolicy %s; it must be Always, OnFailure or Never", o.Name, describe(n))
				}
			case facts.KindDeployment, facts.KindStatefulSet, facts.KindDaemonSet, facts.KindReplicaSet, facts.KindReplicationController:
				if n != nil && rp != "Always" {
					r.Report(o, p.Path+".restartPolicy", "%s sets restartPolicy %s; its pods must be Always (leave it out)", facts.Describe(o), describe(n))
				}
			}
		},
	}
}

// describe shows a scalar as the API server reads it, for messages.
func describe(n *yaml.Node) string {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return "null"
	}
	return fmt.Sprintf("%q", n.Value)
}

func invalidContainerPort() lint.Rule {
	return lint.Rule{
		ID: "invalid-container-port", Title: "Container port the API server rejects", Category: lint.CategoryReliability, Severity: lint.Error,
		Description: "Each entry of a container's ports needs a containerPort between 1 and 65535 (a name or protocol alone is not enough), hostPort must be in range too, and port names must be unique within the container. " +
			"The API server rejects the pod otherwise, so the apply fails.",
		Remediation: "Give every ports entry a containerPort (the number the process listens on) and a name of its own.",
		References:  []string{"https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/#ports"},
		CEL:         lint.PodCEL(celContainerPorts, "a container port is one the API server rejects: no containerPort, out of range, or a name used twice"),
		Check: func(o *lint.Object, _ *lint.Context, r *lint.Reporter) {
			_, cs := o.Containers()
			for i := range cs {
				c := &cs[i]
				ports := lint.Items(lint.Field(c.Node, "ports"))
				at := func(j int, field string) string { return fmt.Sprintf("%s.ports[%d]%s", c.Path, j, field) }
				for j, port := range ports {
					cp := lint.Field(port, "containerPort")
					if v, ok := lint.Int(cp); cp == nil || cp.Tag == "!!null" {
						r.Report(o, at(j, ""), "%s ports[%d] has no containerPort", c.Who(), j)
					} else if ok && (v < 1 || v > 65535) {
						r.Report(o, at(j, ".containerPort"), "%s containerPort %d is not a port (1-65535)", c.Who(), v)
					}
					if v, ok := lint.Int(lint.Field(port, "hostPort")); ok && (v < 0 || v > 65535) {
						r.Report(o, at(j, ".hostPort"), "%s hostPort %d is not a port (1-65535)", c.Who(), v)
					}
					// A container has a handful of ports: comparing with the
					// ones before costs less than a map per container.
					name := lint.Str(lint.Field(port, "name"))
					for first := 0; name != "" && first < j; first++ {
						if lint.Str(lint.Field(ports[first], "name")) == name {
							r.Report(o, at(j, ".name"), "%s names ports[%d] and ports[%d] %q; port names must be unique", c.Who(), first, j, name)
							break
						}
					}
				}
			}
		},
	}
}

// strategyTypes are the update strategy types the API server accepts, by
// kind, with the field that holds them.
var strategyTypes = map[string]struct {
	field string
	types []string
}{
	facts.KindDeployment:  {"strategy", []string{"RollingUpdate", "Recreate"}},
	facts.KindStatefulSet: {"updateStrategy", []string{"RollingUpdate", "OnDelete"}},
	facts.KindDaemonSet:   {"updateStrategy", []string{"RollingUpdate", "OnDelete"}},
}

func invalidUpdateStrategy() lint.Rule {
	return lint.Rule{
		ID: "invalid-update-strategy", Title: "Update strategy the API server rejects", Category: lint.CategoryReliability, Severity: lint.Error,
		Description: "A Deployment's strategy.type must be RollingUpdate or Recreate, a StatefulSet's or DaemonSet's updateStrategy.type RollingUpdate or OnDelete (the values are case-sensitive: Rolling, rollingUpdate and BlueGreen are rejected), " +
			"and rollingUpdate parameters may only be given with type RollingUpdate. The apply fails otherwise.",
		Remediation: "Use one of the listed types; move canary or blue-green rollouts to a controller that implements them (Argo Rollouts, Flagger).",
		References:  []string{"https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#strategy", "https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/#update-strategies"},
		CEL:         &lint.CEL{Kinds: celStrategyKinds(), Expression: celUpdateStrategy, Message: "the update strategy is one the API server rejects"},
		Check: func(o *lint.Object, _ *lint.Context, r *lint.Reporter) {
			st, ok := strategyTypes[o.Kind]
			if !ok || o.Group() != "apps" && o.Group() != "extensions" {
				return
			}
			strategy := lint.Get(o.Root, "spec", st.field)
			n := lint.Field(strategy, "type")
			if n == nil || n.Tag == "!!null" {
				return // defaulted to RollingUpdate
			}
			t := lint.Str(n)
			valid := false
			for _, v := range st.types {
				valid = valid || t == v
			}
			switch {
			case !valid:
				r.Report(o, "spec."+st.field+".type", "%s %s.type %s is not %s", facts.Describe(o), st.field, describe(n), strings.Join(st.types, " or "))
			case t != "RollingUpdate" && lint.Field(strategy, "rollingUpdate") != nil:
				r.Report(o, "spec."+st.field+".rollingUpdate", "%s sets %s.rollingUpdate with type %s; it is only allowed with RollingUpdate", facts.Describe(o), st.field, t)
			}
		},
	}
}

func pdbNoBudget() lint.Rule {
	return lint.Rule{
		ID: "pdb-no-budget", Title: "PodDisruptionBudget without minAvailable or maxUnavailable", Category: lint.CategoryReliability, Severity: lint.Warning,
		Description: "A PodDisruptionBudget that sets neither minAvailable nor maxUnavailable budgets nothing: the disruption controller then expects no healthy pod, so every selected pod may be evicted at once during a drain or an upgrade — " +
			"the budget protects nothing while it looks like it does. (Setting both is rejected by the API server.)",
		Remediation: "Set exactly one of spec.minAvailable and spec.maxUnavailable (maxUnavailable: 1 suits most replicated workloads).",
		References:  []string{docsPDB, "kube-score poddisruptionbudget-has-policy"},
		CEL:         &lint.CEL{Kinds: []string{facts.KindPDB}, Expression: "!object.?apiVersion.orValue('').startsWith('policy/') || object.?spec.?minAvailable.orValue(null) != null || object.?spec.?maxUnavailable.orValue(null) != null", Message: "the PodDisruptionBudget sets neither minAvailable nor maxUnavailable"},
		Check: func(o *lint.Object, _ *lint.Context, r *lint.Reporter) {
			if o.Kind != facts.KindPDB || o.Group() != "policy" {
				return
			}
			set := func(f string) bool {
				n := lint.Get(o.Root, "spec", f)
				return n != nil && n.Tag != "!!null"
			}
			if !set("minAvailable") && !set("maxUnavailable") {
				path := "spec"
				if lint.Field(o.Root, "spec") == nil {
					path = "metadata.name"
				}
				r.Report(o, path, "PodDisruptionBudget %q sets neither minAvailable nor maxUnavailable, so every pod it selects may be evicted at once", o.Name)
			}
		},
	}
}

func podWithoutContainers() lint.Rule {
	return lint.Rule{
		ID: "pod-without-containers", Title: "Pod template without containers", Category: lint.CategoryReliability, Severity: lint.Error,
		Description: "A pod (or a workload's pod template) has no spec or an empty containers list. The API server requires at least one container, so the apply fails. " +
			"The workload is still judged by the rules that relate it to other objects (Services and policies that select its labels, autoscalers that target it, its own selector), so a template still being written does not hide those mistakes.",
		Remediation: "Add the containers under the pod template's spec.containers (at least a name and an image).",
		References:  []string{"https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/#PodSpec"},
		CEL:         lint.PodCEL("!"+lint.CELHasPod+" || type(variables.podSpec.?containers.orValue(null)) == list && size(variables.podSpec.containers) > 0", "the pods have no containers"),
		Check: func(o *lint.Object, _ *lint.Context, r *lint.Reporter) {
			p := o.Pod()
			if p == nil || len(lint.Items(lint.Field(p.Spec, "containers"))) > 0 {
				return
			}
			if p.Spec == nil {
				r.Report(o, p.Path, "the pod template of %s has no spec, so no containers", facts.Describe(o))
				return
			}
			r.Report(o, p.Path+".containers", "the pods of %s have no containers", facts.Describe(o))
		},
	}
}
