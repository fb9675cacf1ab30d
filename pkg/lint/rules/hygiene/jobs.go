package hygiene

import (
	"strings"

	"github.com/platformctl/platformctl/pkg/lint"
	"github.com/platformctl/platformctl/pkg/lint/rules/internal/facts"
)

// hookDeletePolicies are the annotations of deployment tools' hooks,
// which the tool deletes itself.
var hookDeletePolicies = []string{"helm.sh/hook-delete-policy", "argocd.argoproj.io/hook-delete-policy"}

// celJobTTL is job-missing-ttl in CEL: a TTL, a CronJob owner or a hook
// deletion policy.
var celJobTTL = "object.?spec.?ttlSecondsAfterFinished.hasValue() || " +
	"object.?metadata.?ownerReferences.orValue([]).exists(r, r.?kind.orValue('') == '" + facts.KindCronJob + "') || " +
	"['" + strings.Join(hookDeletePolicies, "', '") + "'].exists(a, a in object.?metadata.?annotations.orValue({}))"

func jobMissingTTL() lint.Rule {
	return lint.Rule{
		ID: "job-missing-ttl", Title: "Job without ttlSecondsAfterFinished", Category: lint.CategoryHygiene, Severity: lint.Info,
		Description: "A finished Job and its pods stay in the cluster until someone deletes them: they accumulate in etcd and in kubectl output, and a completed Job with the same name blocks re-running it. " +
			"ttlSecondsAfterFinished has the TTL controller clean up. Jobs created by CronJobs (limited by the CronJob's history limits) and Helm or Argo CD hooks with a hook-delete-policy are not judged. " +
			"With GitOps tools that re-create deleted objects, prefer their hook deletion policies over a TTL.",
		Remediation: "Set spec.ttlSecondsAfterFinished (e.g. 86400 to keep logs for a day).",
		References:  []string{"https://kubernetes.io/docs/concepts/workloads/controllers/ttlafterfinished/"},
		CEL:         &lint.CEL{Kinds: []string{facts.KindJob}, Expression: celJobTTL, Message: "the Job has no ttlSecondsAfterFinished; it and its pods stay after it finishes"},
		Check: func(o *lint.Object, _ *lint.Context, r *lint.Reporter) {
			if o.Kind != facts.KindJob || lint.Get(o.Root, "spec", "ttlSecondsAfterFinished") != nil {
				return
			}
			for _, ref := range lint.Items(lint.Get(o.Root, "metadata", "ownerReferences")) {
				if lint.Str(lint.Field(ref, "kind")) == facts.KindCronJob {
					return
				}
			}
			// Deployment-tool hooks are deleted by the tool.
			for _, a := range hookDeletePolicies {
				if _, ok := o.Annotations[a]; ok {
					return
				}
			}
			r.Report(o, "spec.ttlSecondsAfterFinished", "Job %q has no ttlSecondsAfterFinished; it and its pods stay after it finishes", o.Name)
		},
	}
}
