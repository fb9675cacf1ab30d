package generate

import (
	"fmt"
	"strings"

	autoscalingv1 "k8s.io/api/autoscaling/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	vpav1 "k8s.io/autoscaler/vertical-pod-autoscaler/pkg/apis/autoscaling.k8s.io/v1"

	"github.com/platformctl/platformctl/pkg/spec"
)

var (
	typeCronJob = metav1.TypeMeta{APIVersion: "batch/v1", Kind: "CronJob"}
	typePVC     = metav1.TypeMeta{APIVersion: "v1", Kind: "PersistentVolumeClaim"}
	typeVPA     = metav1.TypeMeta{APIVersion: "autoscaling.k8s.io/v1", Kind: "VerticalPodAutoscaler"}
)

// BackupsDir is where the backup volume is mounted in backup and restore-test pods.
const BackupsDir = "/backups"

// BackupJob names a store's backup CronJob, its pods' label and their ServiceAccount.
func BackupJob(ds string) string { return spec.BackupJobName(ds) }

// RestoreTestJob names a store's restore-test CronJob.
func RestoreTestJob(ds string) string { return spec.RestoreTestJobName(ds) }

// BackupVolume names the claim the dumps are written to.
func BackupVolume(ds string) string { return ds + "-backups" }

// backupScript dumps a store into BackupsDir, writing under a temporary
// name first so a half-written dump is never mistaken for a backup, then
// deletes dumps older than the retention.
func backupScript(ds *spec.DataStore) string {
	host := ds.Name
	file := fmt.Sprintf(`%s/%s-"$ts"`, BackupsDir, ds.Name)
	var dump, ext string
	switch ds.Type {
	case spec.DataPostgres:
		ext = ".dump"
		dump = `export PGPASSWORD="$(cat ` + credsDir + `/password)"
pg_dump --host=` + host + ` --username="$(cat ` + credsDir + `/username)" --dbname=` + dbName(ds) + ` --format=custom --file=` + file + ext + `.partial`
	case spec.DataMySQL:
		ext = ".sql"
		dump = `export MYSQL_PWD="$(cat ` + credsDir + `/password)"
mysqldump --host=` + host + ` --user="$(cat ` + credsDir + `/username)" --single-transaction --routines --triggers --databases ` + dbName(ds) + ` > ` + file + ext + `.partial`
	case spec.DataRedis:
		ext = ".rdb"
		dump = `export REDISCLI_AUTH="$(cat ` + credsDir + `/password)"
redis-cli -h ` + host + ` --rdb ` + file + ext + `.partial`
	}
	return `set -eu
ts="$(date -u +%Y%m%dT%H%M%SZ)"
` + dump + `
mv ` + file + ext + `.partial ` + file + ext + `
find ` + BackupsDir + ` -name '` + ds.Name + `-*` + ext + `' -mtime +` + fmt.Sprint(ds.Backup.RetentionDays-1) + ` -delete
find ` + BackupsDir + ` -name '*.partial' -mmin +1440 -delete
echo "backup written: ` + ds.Name + `-$ts` + ext + `"
`
}

// restoreScript restores the newest dump into a throwaway server inside
// the job's own pod (never the live store), checks that data came back,
// and exits non-zero with a message otherwise, so a failed Job is the alert.
func restoreScript(ds *spec.DataStore) string {
	var ext, restore string
	switch ds.Type {
	case spec.DataPostgres:
		ext = ".dump"
		restore = `export PGDATA=/scratch/pgdata
initdb --username=restore --auth=trust > /dev/null
pg_ctl --wait --silent --options="-c listen_addresses='' -k /scratch" start
createdb --host=/scratch --username=restore restore_test
pg_restore --host=/scratch --username=restore --dbname=restore_test --no-owner --exit-on-error "$latest"
tables="$(psql --host=/scratch --username=restore --dbname=restore_test -tAc "select count(*) from information_schema.tables where table_schema not in ('pg_catalog', 'information_schema')")"
pg_ctl --wait --silent stop`
	case spec.DataMySQL:
		ext = ".sql"
		restore = `mkdir -p /scratch/files
mysqld --initialize-insecure --datadir=/scratch/data --secure-file-priv=/scratch/files > /dev/null 2>&1
mysqld --datadir=/scratch/data --socket=/scratch/mysqld.sock --skip-networking --pid-file=/scratch/mysqld.pid --secure-file-priv=/scratch/files &
for i in $(seq 60); do mysqladmin --socket=/scratch/mysqld.sock --user=root ping > /dev/null 2>&1 && break; sleep 2; done
mysql --socket=/scratch/mysqld.sock --user=root < "$latest"
tables="$(mysql --socket=/scratch/mysqld.sock --user=root -N -e "select count(*) from information_schema.tables where table_schema = '` + dbName(ds) + `'")"
mysqladmin --socket=/scratch/mysqld.sock --user=root shutdown`
	case spec.DataRedis:
		ext = ".rdb"
		restore = `redis-check-rdb "$latest" > /dev/null || fail "$latest is not a valid RDB file"
cp "$latest" /scratch/restore.rdb
redis-server --port 0 --unixsocket /scratch/redis.sock --dir /scratch --dbfilename restore.rdb --appendonly no --daemonize yes
for i in $(seq 30); do redis-cli -s /scratch/redis.sock ping > /dev/null 2>&1 && break; sleep 1; done
tables="$(redis-cli -s /scratch/redis.sock dbsize)"
redis-cli -s /scratch/redis.sock shutdown nosave`
	}
	return `set -eu
fail() { echo "RESTORE TEST FAILED for ` + ds.Name + `: $*" >&2; exit 1; }
latest="$(find ` + BackupsDir + ` -name '` + ds.Name + `-*` + ext + `' | sort | tail -n 1)"
[ -n "$latest" ] || fail "no backup in ` + BackupsDir + `"
[ -n "$(find "$latest" -mmin -2880)" ] || fail "newest backup $latest is older than 48 hours"
` + restore + `
[ -n "$tables" ] || fail "could not count what $latest restored"
echo "restore test passed: $latest restored ($tables tables or keys)"
`
}

// backups renders, per in-cluster store with a backup, the backup volume,
// a CronJob that dumps the store onto it on schedule, a CronJob that tests
// the newest dump by restoring it, and their ServiceAccount and
// NetworkPolicy.
func backups(c *Context) ([]Object, error) {
	var out []Object
	for i := range c.P.Spec.Data {
		ds := &c.P.Spec.Data[i]
		if ds.Mode == spec.ModeManaged || ds.Backup == nil || !spec.BackupSupported(ds.Type) {
			continue
		}
		objs, err := backupObjects(c, ds)
		if err != nil {
			return nil, fmt.Errorf("data store %s: %w", ds.Name, err)
		}
		for _, o := range objs {
			out = append(out, Object{ID: id("data", o.kind, o.name), Area: "data", Source: fmt.Sprintf("spec.data[%d].backup", i), Obj: o.obj})
		}
	}
	return out, nil
}

// storeAutoscalers renders a VerticalPodAutoscaler per in-cluster store
// with `vpa`.
func storeAutoscalers(c *Context) ([]Object, error) {
	var out []Object
	for i := range c.P.Spec.Data {
		ds := &c.P.Spec.Data[i]
		if ds.Mode == spec.ModeManaged || ds.VPA == "" {
			continue
		}
		out = append(out, Object{ID: id("data", "VerticalPodAutoscaler", ds.Name), Area: "data",
			Source: fmt.Sprintf("spec.data[%d].vpa", i), Obj: vpa(c, ds)})
	}
	return out, nil
}

type named struct {
	kind, name string
	obj        any
}

func backupObjects(c *Context, ds *spec.DataStore) ([]named, error) {
	ns := c.NS("data")
	eng := engines[ds.Type]
	size, err := quantity(ds.Backup.Storage)
	if err != nil {
		return nil, err
	}
	pvc := &corev1.PersistentVolumeClaim{
		TypeMeta:   typePVC,
		ObjectMeta: metav1.ObjectMeta{Name: BackupVolume(ds.Name), Namespace: ns, Labels: c.labels(ds.Name, "backup")},
		Spec: corev1.PersistentVolumeClaimSpec{
			AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			Resources:   corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: size}},
		},
	}
	if ds.Backup.StorageClass != "" {
		pvc.Spec.StorageClassName = ptr(ds.Backup.StorageClass)
	}
	sa := &corev1.ServiceAccount{
		TypeMeta:                     typeServiceAccount,
		ObjectMeta:                   metav1.ObjectMeta{Name: BackupJob(ds.Name), Namespace: ns, Labels: c.labels(BackupJob(ds.Name), "backup")},
		AutomountServiceAccountToken: ptr(false),
	}
	// The dump job reaches the store's client port and nothing else; the
	// restore test talks to its own pod only, so default-deny covers it.
	np := workloadPolicy(c, "data", BackupJob(ds.Name))
	np.Spec.Egress = append(np.Spec.Egress, networkingv1.NetworkPolicyEgressRule{
		To: []networkingv1.NetworkPolicyPeer{{
			PodSelector: &metav1.LabelSelector{MatchLabels: map[string]string{LabelName: ds.Name}},
		}},
		Ports: []networkingv1.NetworkPolicyPort{tcpPort(spec.DataPorts[ds.Type])},
	})
	backup, err := backupCronJob(c, ds, eng, BackupJob(ds.Name), ds.Backup.Schedule, backupScript(ds), false)
	if err != nil {
		return nil, err
	}
	restore, err := backupCronJob(c, ds, eng, RestoreTestJob(ds.Name), ds.Backup.RestoreTestSchedule, restoreScript(ds), true)
	if err != nil {
		return nil, err
	}
	return []named{
		{"PersistentVolumeClaim", pvc.Name, pvc},
		{"ServiceAccount", sa.Name, sa},
		{"NetworkPolicy", np.Name, np},
		{"CronJob", backup.Name, backup},
		{"CronJob", restore.Name, restore},
	}, nil
}

func backupCronJob(c *Context, ds *spec.DataStore, eng engine, name, schedule, script string, restore bool) (*batchv1.CronJob, error) {
	res, err := resources(eng.cpu, eng.mem)
	if err != nil {
		return nil, err
	}
	labels := c.labels(name, "backup")
	mounts := []corev1.VolumeMount{
		{Name: "backups", MountPath: BackupsDir, ReadOnly: restore},
		{Name: "tmp", MountPath: "/tmp"},
	}
	volumes := []corev1.Volume{
		{Name: "backups", VolumeSource: corev1.VolumeSource{PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{
			ClaimName: BackupVolume(ds.Name), ReadOnly: restore}}},
		{Name: "tmp", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{SizeLimit: ptr(resource.MustParse("64Mi"))}}},
	}
	if restore {
		// The scratch server's data can be as large as the store's, far
		// beyond an emptyDir within the pod's ephemeral-storage limit, so
		// it gets a volume of its own that lives as long as the pod.
		size, err := quantity(ds.Storage)
		if err != nil {
			return nil, err
		}
		claim := corev1.PersistentVolumeClaimSpec{
			AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			Resources:   corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: size}},
		}
		if ds.StorageClass != "" {
			claim.StorageClassName = ptr(ds.StorageClass)
		}
		mounts = append(mounts, corev1.VolumeMount{Name: "scratch", MountPath: "/scratch"})
		volumes = append(volumes, corev1.Volume{Name: "scratch", VolumeSource: corev1.VolumeSource{
			Ephemeral: &corev1.EphemeralVolumeSource{VolumeClaimTemplate: &corev1.PersistentVolumeClaimTemplate{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{LabelName: name}},
				Spec:       claim,
			}},
		}})
	} else {
		mounts = append(mounts, corev1.VolumeMount{Name: "credentials", MountPath: credsDir, ReadOnly: true})
		volumes = append(volumes, corev1.Volume{Name: "credentials", VolumeSource: corev1.VolumeSource{
			Secret: &corev1.SecretVolumeSource{SecretName: CredentialsSecret(ds.Name), DefaultMode: ptr(int32(0o440))},
		}})
	}
	container := corev1.Container{
		Name:                     strings.TrimPrefix(name, ds.Name+"-"),
		Image:                    ds.Image,
		ImagePullPolicy:          pullPolicy,
		Command:                  []string{"sh", "-c", script},
		Resources:                res,
		SecurityContext:          restrictedContainer(),
		VolumeMounts:             mounts,
		TerminationMessagePolicy: corev1.TerminationMessageFallbackToLogsOnError,
	}
	pod := corev1.PodSpec{
		PriorityClassName:            c.PriorityClassName(PriorityBatch),
		ServiceAccountName:           BackupJob(ds.Name),
		AutomountServiceAccountToken: ptr(false),
		EnableServiceLinks:           ptr(false),
		RestartPolicy:                corev1.RestartPolicyNever,
		SecurityContext:              eng.podSecurity(),
		Containers:                   []corev1.Container{container},
		Volumes:                      volumes,
	}
	if c.Env != nil && c.Env.Region != "" {
		pod.Affinity = regionAffinity(c.Env.Region)
	}
	// A backup that could not start within the starting deadline is a
	// missed backup: better to report it than to pile up late runs.
	return cronJob(metav1.ObjectMeta{Name: name, Namespace: c.NS("data"), Labels: labels},
		cronRun{schedule: schedule, timeZone: spec.DefaultTimeZone, concurrency: batchv1.ForbidConcurrent,
			jobRun: jobRun{backoffLimit: 2, activeDeadline: 6 * 3600}},
		corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels}, Spec: pod}), nil
}

// vpa recommends (Off) or applies at pod creation (Initial) requests for a
// store's engine container; it never evicts a running database.
func vpa(c *Context, ds *spec.DataStore) *vpav1.VerticalPodAutoscaler {
	mode := vpav1.UpdateMode(ds.VPA)
	return &vpav1.VerticalPodAutoscaler{
		TypeMeta:   typeVPA,
		ObjectMeta: metav1.ObjectMeta{Name: ds.Name, Namespace: c.NS("data"), Labels: c.labels(ds.Name, string(ds.Type))},
		Spec: vpav1.VerticalPodAutoscalerSpec{
			TargetRef:    &autoscalingv1.CrossVersionObjectReference{APIVersion: "apps/v1", Kind: "StatefulSet", Name: ds.Name},
			UpdatePolicy: &vpav1.PodUpdatePolicy{UpdateMode: &mode},
			ResourcePolicy: &vpav1.PodResourcePolicy{ContainerPolicies: []vpav1.ContainerResourcePolicy{{
				ContainerName:       string(ds.Type),
				ControlledResources: &[]corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory},
				ControlledValues:    ptr(vpav1.ContainerControlledValuesRequestsAndLimits),
			}}},
		},
	}
}
