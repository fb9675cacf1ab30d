package reliability

import (
	"github.com/platformctl/platformctl/pkg/lint"
	"github.com/platformctl/platformctl/pkg/lint/rules/internal/facts"
)

func selectorMismatch() lint.Rule {
	return lint.Rule{
		ID: "selector-mismatch", Title: "Workload selector does not match its pod template", Category: lint.CategoryReliability, Severity: lint.Error,
		Description: "A Deployment, StatefulSet, DaemonSet or ReplicaSet (or a CRD shaped like one, such as an Argo Rollout) has a spec.selector that its own pod template labels do not satisfy, or no selector; " +
			"a ReplicationController or OpenShift DeploymentConfig (whose selector is a plain label map, defaulted from the template when absent) one the template labels do not satisfy. " +
			"The API server rejects the object (selector does not match template labels), so the apply fails — often only at deploy time, after a label was renamed in one place.",
		Remediation: "Make every matchLabels pair and matchExpressions requirement of spec.selector hold for spec.template.metadata.labels. Remember that the selector is immutable: changing it means recreating the workload.",
		References:  []string{"https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#selector", "kube-linter mismatching-selector", "kube-score deployment-pod-selector-labels-match-template-metadata-labels"},
		Check: func(o *lint.Object, _ *lint.Context, r *lint.Reporter) {
			plain := plainSelector(o)
			switch {
			case plain:
			case o.Kind == facts.KindDeployment, o.Kind == facts.KindStatefulSet, o.Kind == facts.KindDaemonSet, o.Kind == facts.KindReplicaSet:
			default:
				// CRDs with a pod template and a LabelSelector (Argo Rollouts).
				if !facts.Replicated(o) || lint.Get(o.Root, "spec", "selector") == nil {
					return
				}
			}
			p := o.Pod()
			if p == nil {
				return
			}
			sel := lint.Get(o.Root, "spec", "selector")
			switch {
			case sel == nil && plain:
				// Defaulted from the template labels.
			case sel == nil:
				r.Report(o, "spec.selector", "%s has no spec.selector; apps/v1 requires one matching the pod template labels", facts.Describe(o))
			case plain && !lint.Selects(lint.StringMap(sel), p.PodLabels()):
				r.Report(o, "spec.selector", "%s: spec.selector (a plain label map) does not match the pod template labels (%s.labels)", facts.Describe(o), p.MetaPath)
			case !plain && !lint.LabelSelector(sel, p.PodLabels()):
				r.Report(o, "spec.selector", "%s: spec.selector does not match the pod template labels (%s.labels)", facts.Describe(o), p.MetaPath)
			}
		},
	}
}

// selectsPods says whether a Service's selector matches the pod template
// labels of workload w.
func selectsPods(svc, w *lint.Object) bool {
	sel := lint.StringMap(lint.Get(svc.Root, "spec", "selector"))
	p := w.Pod()
	return len(sel) > 0 && p != nil && lint.Selects(sel, p.PodLabels())
}

// plainSelector says whether o's spec.selector is a plain label map, not
// a LabelSelector: a ReplicationController's and an OpenShift
// DeploymentConfig's. Read as a LabelSelector, such a map has no
// matchLabels and so would match every template.
func plainSelector(o *lint.Object) bool {
	switch {
	case o.Kind == facts.KindReplicationController && o.Group() == "":
		return true
	case o.Kind == "DeploymentConfig" && o.Group() == "apps.openshift.io":
		return true
	}
	return false
}

func nonRollingUpdateStrategy() lint.Rule {
	return lint.Rule{
		ID: "non-rolling-update-strategy", Title: "Workload does not roll updates", Category: lint.CategoryReliability, Severity: lint.Warning,
		Description: "A Deployment with strategy Recreate stops every pod before starting the new version: each rollout is a full outage, and a broken new version leaves nothing running. " +
			"A StatefulSet or DaemonSet with updateStrategy OnDelete never rolls out template changes at all until someone deletes pods by hand, so the manifest and the running version drift apart. " +
			"Recreate is legitimate for a single pod holding a ReadWriteOnce volume; ignore the rule there with the reason.",
		Remediation: "Use strategy.type: RollingUpdate (with maxUnavailable: 0 and a maxSurge for zero-downtime) on Deployments, updateStrategy.type: RollingUpdate on StatefulSets and DaemonSets.",
		References:  []string{"https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#strategy", "kube-linter no-rolling-update-strategy"},
		CEL:         &lint.CEL{Kinds: []string{facts.KindDaemonSet, facts.KindDeployment, facts.KindStatefulSet}, Expression: "object.kind == 'Deployment' ? object.?spec.?strategy.?type.orValue('') != 'Recreate' : object.?spec.?updateStrategy.?type.orValue('') != 'OnDelete'", Message: "the workload does not roll updates (strategy Recreate or updateStrategy OnDelete)"},
		Check: func(o *lint.Object, _ *lint.Context, r *lint.Reporter) {
			switch o.Kind {
			case facts.KindDeployment:
				if lint.Str(lint.Get(o.Root, "spec", "strategy", "type")) == "Recreate" {
					r.Report(o, "spec.strategy.type", "%s uses the Recreate strategy: every rollout stops all pods before starting new ones", facts.Describe(o))
				}
			case facts.KindStatefulSet, facts.KindDaemonSet:
				if lint.Str(lint.Get(o.Root, "spec", "updateStrategy", "type")) == "OnDelete" {
					r.Report(o, "spec.updateStrategy.type", "%s uses updateStrategy OnDelete: template changes never roll out until pods are deleted by hand", facts.Describe(o))
				}
			}
		},
	}
}

func cronJobMissingDeadline() lint.Rule {
	return lint.Rule{
		ID: "cronjob-missing-deadline", Title: "CronJob without startingDeadlineSeconds", Category: lint.CategoryReliability, Severity: lint.Warning,
		Description: "Without startingDeadlineSeconds the CronJob controller counts every schedule missed since the last run; after more than 100 misses (controller downtime, a long suspend, a clock jump) " +
			"it logs \"too many missed start times\" and stops creating Jobs for this CronJob for good. A deadline bounds the window it looks back at, and also keeps a late run from starting hours after it was useful.",
		Remediation: "Set spec.startingDeadlineSeconds to how late a run may still start (e.g. 300, and shorter than the schedule interval).",
		References:  []string{"https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#job-creation", "kube-score cronjob-has-deadline"},
		CEL:         &lint.CEL{Kinds: []string{facts.KindCronJob}, Expression: "object.?spec.?startingDeadlineSeconds.hasValue()", Message: "the CronJob has no startingDeadlineSeconds"},
		Check: func(o *lint.Object, _ *lint.Context, r *lint.Reporter) {
			if o.Kind == facts.KindCronJob && lint.Get(o.Root, "spec", "startingDeadlineSeconds") == nil {
				r.Report(o, "spec.startingDeadlineSeconds", "CronJob %q has no startingDeadlineSeconds", o.Name)
			}
		},
	}
}

func cronJobMissingConcurrencyPolicy() lint.Rule {
	return lint.Rule{
		ID: "cronjob-missing-concurrency-policy", Title: "CronJob without an explicit concurrencyPolicy", Category: lint.CategoryReliability, Severity: lint.Warning,
		Description: "The default concurrencyPolicy is Allow: when a run takes longer than the schedule interval, the next one starts beside it. Most jobs are not written for that — " +
			"two runs process the same batch twice, race on the same rows, or pile up until the namespace quota is exhausted. An explicit value, even Allow, records that someone decided.",
		Remediation: "Set spec.concurrencyPolicy: Forbid (skip a run while the previous one is active) or Replace; set Allow only when runs are safe to overlap.",
		References:  []string{"https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#concurrency-policy"},
		CEL:         &lint.CEL{Kinds: []string{facts.KindCronJob}, Expression: "object.?spec.?concurrencyPolicy.hasValue()", Message: "the CronJob does not set concurrencyPolicy, so overlapping runs are allowed"},
		Check: func(o *lint.Object, _ *lint.Context, r *lint.Reporter) {
			if o.Kind == facts.KindCronJob && lint.Get(o.Root, "spec", "concurrencyPolicy") == nil {
				r.Report(o, "spec.concurrencyPolicy", "CronJob %q does not set concurrencyPolicy, so overlapping runs are allowed", o.Name)
			}
		},
	}
}

func statefulSetHeadlessService() lint.Rule {
	return lint.Rule{
		ID: "statefulset-headless-service", Title: "StatefulSet without a headless governing Service", Category: lint.CategoryReliability, Severity: lint.Warning,
		Description: "A StatefulSet's pods get their stable DNS names (web-0.web.ns.svc) from the headless Service named in spec.serviceName. " +
			"Without serviceName, with a name no Service in the input has, with a Service that has a cluster IP, or with a headless Service whose selector matches none of the StatefulSet's pods (or that has no selector, so no endpoints), peers cannot address each other by ordinal — " +
			"database replication, quorum and cluster membership break. A missing Service is only judged when the input has Services in that namespace.",
		Remediation: "Set spec.serviceName to a Service in the same namespace with clusterIP: None and a selector matching the pods (publishNotReadyAddresses: true for peer discovery during startup).",
		References:  []string{"https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/#stable-network-id", "kube-score statefulset-has-servicename"},
		CheckSet: func(s *lint.Set, _ *lint.Context, r *lint.Reporter) {
			withServices := facts.NamespacesWith(s, func(o *lint.Object) bool { return o.Kind == facts.KindService })
			for _, o := range s.OfKind(facts.KindStatefulSet) {
				name := lint.Str(lint.Get(o.Root, "spec", "serviceName"))
				if name == "" {
					r.Report(o, "spec.serviceName", "StatefulSet %q has no serviceName, so its pods get no stable DNS names", o.Name)
					continue
				}
				svc := s.Lookup(facts.KindService, o.Namespace, name)
				switch {
				case svc == nil && withServices[o.Namespace]:
					r.Report(o, "spec.serviceName", "StatefulSet %q names Service %q, which is not in the input (namespace %s)", o.Name, name, facts.NsName(o.Namespace))
				case svc != nil && lint.Str(lint.Get(svc.Root, "spec", "clusterIP")) != "None":
					r.Report(o, "spec.serviceName", "StatefulSet %q names Service %q, which is not headless (clusterIP: None), so pods get no per-pod DNS records", o.Name, name)
				case svc != nil && !selectsPods(svc, o):
					r.Report(o, "spec.serviceName", "StatefulSet %q names headless Service %q, whose selector matches none of its pods, so they get no per-pod DNS records", o.Name, name)
				}
			}
		},
	}
}
