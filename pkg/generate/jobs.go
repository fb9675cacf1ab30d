package generate

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/platformctl/platformctl/pkg/spec"
)

var typeJob = metav1.TypeMeta{APIVersion: "batch/v1", Kind: "Job"}

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
	// MigrationTTLSeconds keeps a finished migration Job (and its logs) a
	// day, where nothing re-applies a deleted Job on its own.
	MigrationTTLSeconds = 86400
	// MigrationHashLength is how many hex digits of the pod template's
	// hash a migration Job's name carries.
	MigrationHashLength = 10
)

// Argo CD annotations that order a migration before its service's rollout.
const (
	ArgoHook           = "argocd.argoproj.io/hook"
	ArgoHookDelete     = "argocd.argoproj.io/hook-delete-policy"
	ArgoSyncWave       = "argocd.argoproj.io/sync-wave"
	MigrationSyncWave  = "1"
	MigratedSyncWave   = "2"
	RuleJobMissingTTL  = "job-missing-ttl"
	TrackMigration     = "migration"
	ComponentMigration = "migration"
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
// cronjob services alike: a starting deadline, an explicit concurrency
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

// batchPod is a service's pod for a run to completion: the pod of its
// Deployment — image, environment, secrets, data bindings, hardening,
// scheduling, and the pass-through (pod annotations and labels, volumes,
// sidecars, init containers) — without what only a long-running server uses (ports,
// probes, the preStop sleep, the rollout's topology spread), never
// restarted in place.
func batchPod(c *Context, svc *spec.Service, plan spec.Plan, track string) (corev1.PodTemplateSpec, error) {
	d, err := deployment(c, svc, plan, track, plan.Image)
	if err != nil {
		return corev1.PodTemplateSpec{}, err
	}
	t := d.Spec.Template
	t.Spec.RestartPolicy = corev1.RestartPolicyNever
	t.Spec.TopologySpreadConstraints = nil
	ctr := &t.Spec.Containers[0]
	ctr.Ports = nil
	ctr.ReadinessProbe, ctr.LivenessProbe, ctr.StartupProbe = nil, nil, nil
	ctr.Lifecycle = nil
	// No Service reaches a run: its sidecars listen on no port either.
	for i := range t.Spec.InitContainers {
		t.Spec.InitContainers[i].Ports = nil
	}
	return t, nil
}

// serviceCronJob renders a cronjob service: its pod runs at batch
// priority (it waits for room and never preempts a service).
func serviceCronJob(c *Context, svc *spec.Service, plan spec.Plan) (*batchv1.CronJob, error) {
	t, err := batchPod(c, svc, plan, TrackStable)
	if err != nil {
		return nil, err
	}
	t.Spec.PriorityClassName = c.PriorityClassName(PriorityBatch)
	meta := metav1.ObjectMeta{Name: svc.Name, Namespace: c.NS("apps"), Labels: c.labels(svc.Name, string(svc.Kind))}
	return cronJob(meta, cronRun{
		schedule: svc.Schedule, timeZone: svc.TimeZone, concurrency: batchv1.ConcurrencyPolicy(svc.Concurrency),
		jobRun: jobRun{backoffLimit: *svc.BackoffLimit, activeDeadline: spec.DeadlineSeconds(svc.Deadline)},
	}, t), nil
}

var migrationHash = regexp.MustCompile(`^(.+-migrate)-[0-9a-f]{` + fmt.Sprint(MigrationHashLength) + `}$`)

// WithoutMigrationHash is name without the hash a migration Job's name ends
// in (orders-migrate-f9e6b13b50 → orders-migrate), so what compares two
// builds matches a service's migrations as one object that changed.
func WithoutMigrationHash(name string) string {
	if m := migrationHash.FindStringSubmatch(name); m != nil {
		return m[1]
	}
	return name
}

// MigrationJobID is the base name of a service's migration Job; the
// rendered name adds a hash (see migrationJob).
func MigrationJobID(svc string) string { return svc + "-migrate" }

// migrationJob renders a server's or worker's migration: a Job with the
// service's pod, the migration's command, and a name that ends in a hash
// of its pod template. Jobs are immutable; the hash makes a new image (or
// any change of command, environment or bindings) a new Job, and the same
// input the same name, so applying the tree again changes nothing.
//
// With Argo CD it is a Sync hook in wave 1 and the service's Deployments
// are in wave 2: Argo CD creates it after everything it needs (namespace,
// ServiceAccount, binding Secrets, NetworkPolicy, the data stores) and
// rolls the service out only once it succeeded. A PreSync hook would run
// before any of those exist on a first sync.
func migrationJob(c *Context, svc *spec.Service, plan spec.Plan) (*batchv1.Job, error) {
	t, err := batchPod(c, svc, plan, TrackMigration)
	if err != nil {
		return nil, err
	}
	t.Labels[LabelComponent] = ComponentMigration
	ctr := &t.Spec.Containers[0]
	ctr.Name = "migrate"
	ctr.Command, ctr.Args = svc.Migrate.Command, svc.Migrate.Args
	// A rollout waits for it: it runs at the service's priority.
	b, err := json.Marshal(t)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(b)
	labels := c.labels(svc.Name, ComponentMigration)
	meta := metav1.ObjectMeta{Name: MigrationJobID(svc.Name) + "-" + hex.EncodeToString(sum[:])[:MigrationHashLength],
		Namespace: c.NS("apps"), Labels: labels}
	job := &batchv1.Job{
		TypeMeta:   typeJob,
		ObjectMeta: meta,
		Spec:       jobSpec(jobRun{backoffLimit: spec.DefaultBackoffLimit, activeDeadline: spec.DeadlineSeconds(svc.Migrate.Deadline)}, t),
	}
	switch c.P.Spec.CICD.GitOps {
	case spec.GitOpsArgoCD:
		job.Annotations = map[string]string{
			ArgoHook:       "Sync",
			ArgoHookDelete: "BeforeHookCreation",
			ArgoSyncWave:   MigrationSyncWave,
		}
		// A hook is not part of the application's desired state, so
		// Argo CD does not re-create it when the TTL controller deletes
		// it; the TTL removes the Jobs of earlier versions, whose names
		// the next hook does not reuse.
		job.Spec.TTLSecondsAfterFinished = ptr(int32(MigrationTTLSeconds))
	case spec.GitOpsFlux:
		ignoreRule(&job.ObjectMeta, RuleJobMissingTTL, "Flux re-applies a Job the TTL controller deleted on its next reconciliation, running the migration again; "+
			"the next version's Job has another name, and Flux's prune deletes this one then")
	default:
		job.Spec.TTLSecondsAfterFinished = ptr(int32(MigrationTTLSeconds))
	}
	return job, nil
}

// migrationObjects adds a service's migration Job and, with Argo CD, puts
// its Deployments (or Rollout) in the wave after the migration's.
func migrationObjects(c *Context, svc *spec.Service, plan spec.Plan, src string, objs []Object) ([]Object, error) {
	if svc.Migrate == nil {
		return objs, nil
	}
	job, err := migrationJob(c, svc, plan)
	if err != nil {
		return nil, fmt.Errorf("migration: %w", err)
	}
	if c.P.Spec.CICD.GitOps == spec.GitOpsArgoCD {
		for _, o := range objs {
			var meta *metav1.ObjectMeta
			switch w := o.Obj.(type) {
			case *appsv1.Deployment:
				meta = &w.ObjectMeta
			case *Rollout:
				meta = &w.ObjectMeta
			}
			if meta != nil {
				if meta.Annotations == nil {
					meta.Annotations = map[string]string{}
				}
				meta.Annotations[ArgoSyncWave] = MigratedSyncWave
			}
		}
	}
	return append(objs, Object{ID: id("apps", "Job", MigrationJobID(svc.Name)), Area: "apps", Source: src + ".migrate", Obj: job}), nil
}
