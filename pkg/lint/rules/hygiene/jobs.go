package hygiene

import (
	"github.com/platformctl/platformctl/pkg/lint"
	"github.com/platformctl/platformctl/pkg/lint/rules/internal/facts"
)

func jobMissingTTL() lint.Rule {
	return lint.Rule{
		ID: "job-missing-ttl", Title: "Job without ttlSecondsAfterFinished", Category: lint.CategoryHygiene, Severity: lint.Info,
		Description: "A finished Job and its pods stay in the cluster until someone deletes them: they accumulate in etcd and in kubectl output, and a completed Job with the same name blocks re-running it. " +
			"ttlSecondsAfterFinished has the TTL controller clean up. Jobs created by CronJobs (limited by the CronJob's history limits) and Helm or Argo CD hooks with a hook-delete-policy are not judged. " +
			"With GitOps tools that re-create deleted objects, prefer their hook deletion policies over a TTL.",
		Remediation: "Set spec.ttlSecondsAfterFinished (e.g. 86400 to keep logs for a day).",
		References:  []string{"https://kubernetes.io/docs/concepts/workloads/controllers/ttlafterfinished/"},
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
			for _, a := range []string{"helm.sh/hook-delete-policy", "argocd.argoproj.io/hook-delete-policy"} {
				if _, ok := o.Annotations[a]; ok {
					return
				}
			}
			r.Report(o, "spec.ttlSecondsAfterFinished", "Job %q has no ttlSecondsAfterFinished; it and its pods stay after it finishes", o.Name)
		},
	}
}
