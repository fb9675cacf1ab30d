package hygiene

import (
	"github.com/platformctl/platformctl/pkg/lint"
	"github.com/platformctl/platformctl/pkg/lint/rules/internal/facts"
)

// cronJobTTL: a TTL on a CronJob's job template deletes each finished Job
// before the CronJob's history limits decide what to keep (issue 13: a
// peer found it in platformctl's own CronJobs).
func cronJobTTL() lint.Rule {
	return lint.Rule{
		ID: "cronjob-job-ttl", Title: "CronJob's jobs set ttlSecondsAfterFinished", Category: lint.CategoryHygiene, Severity: lint.Warning,
		Description: "A CronJob keeps its last successfulJobsHistoryLimit (default 3) and failedJobsHistoryLimit (default 1) Jobs and deletes older ones itself. " +
			"ttlSecondsAfterFinished in spec.jobTemplate.spec has the TTL controller delete every finished Job on a timer as well, so the history limits stop meaning anything: " +
			"a failed run's Job, its pods and their logs disappear when the TTL expires, possibly before anyone reads the alert that pointed at them. One-off Jobs (job-missing-ttl) are another matter.",
		Remediation: "Remove spec.jobTemplate.spec.ttlSecondsAfterFinished and set successfulJobsHistoryLimit and failedJobsHistoryLimit to what should be kept.",
		References:  []string{"https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#jobs-history-limits", "https://kubernetes.io/docs/concepts/workloads/controllers/ttlafterfinished/"},
		CEL:         &lint.CEL{Kinds: []string{facts.KindCronJob}, Expression: "!object.?spec.?jobTemplate.?spec.?ttlSecondsAfterFinished.hasValue()", Message: "the CronJob deletes its finished Jobs after a TTL, which overrides its history limits"},
		Check: func(o *lint.Object, _ *lint.Context, r *lint.Reporter) {
			if o.Kind != facts.KindCronJob || lint.Get(o.Root, "spec", "jobTemplate", "spec", "ttlSecondsAfterFinished") == nil {
				return
			}
			r.Report(o, "spec.jobTemplate.spec.ttlSecondsAfterFinished", "CronJob %q deletes its finished Jobs after a TTL, which overrides its history limits", o.Name)
		},
	}
}
