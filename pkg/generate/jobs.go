package generate

import (
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Numbers of the batch objects that docs/spec.md states (pkg/specdoc reads
// them from here).
const (
	// StartingDeadlineSeconds: a run that could not start within an hour
	// of its time (controller down, no room) is skipped and counted as
	// missed, rather than started hours late; it also bounds how far back
	// the CronJob controller counts missed runs.
	StartingDeadlineSeconds = 3600
	// JobHistoryLimit is how many finished runs, successful and failed
	// each, a CronJob keeps with their pods and logs.
	JobHistoryLimit = 3
)

// jobRun is how one run of a Job goes.
type jobRun struct {
	backoffLimit   int32
	activeDeadline int64
}

// cronRun is when a CronJob runs.
type cronRun struct {
	schedule, timeZone string
	concurrency        batchv1.ConcurrencyPolicy
	jobRun
}

// jobSpec is every Job's spec: bounded retries and run time.
func jobSpec(run jobRun, tmpl corev1.PodTemplateSpec) batchv1.JobSpec {
	return batchv1.JobSpec{
		BackoffLimit:          ptr(run.backoffLimit),
		ActiveDeadlineSeconds: ptr(run.activeDeadline),
		Template:              tmpl,
	}
}

// cronJob is the platform's CronJob shape, for backups, restore tests and
// the scheduled jobs to come alike: a starting deadline, an explicit concurrency
// policy and history limits.
func cronJob(meta metav1.ObjectMeta, run cronRun, tmpl corev1.PodTemplateSpec) *batchv1.CronJob {
	return &batchv1.CronJob{
		TypeMeta:   typeCronJob,
		ObjectMeta: meta,
		Spec: batchv1.CronJobSpec{
			Schedule:                   run.schedule,
			TimeZone:                   ptr(run.timeZone),
			StartingDeadlineSeconds:    ptr(int64(StartingDeadlineSeconds)),
			ConcurrencyPolicy:          run.concurrency,
			SuccessfulJobsHistoryLimit: ptr(int32(JobHistoryLimit)),
			FailedJobsHistoryLimit:     ptr(int32(JobHistoryLimit)),
			JobTemplate: batchv1.JobTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: meta.Labels},
				// No ttlSecondsAfterFinished: the TTL controller would
				// delete finished Jobs before the history limits above
				// count them, so a failed run's Job and logs vanish.
				Spec: jobSpec(run.jobRun, tmpl),
			},
		},
	}
}
