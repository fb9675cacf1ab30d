package generate

import (
	"fmt"

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
	typeVPA     = metav1.TypeMeta{APIVersion: "autoscaling.k8s.io/v1", Kind: "VerticalPodAutoscaler"}
)

// BackupsDir is where the backup volume is mounted in backup and restore-test pods.
const BackupsDir = "/backups"

// BackupJob names a store's backup CronJob, its pods' label and their ServiceAccount.
func BackupJob(ds string) string { return spec.BackupJobName(ds) }

// RestoreTestJob names a store's restore-test CronJob.
func RestoreTestJob(ds string) string { return spec.RestoreTestJobName(ds) }

// backupScript dumps a store into BackupsDir, writing under a temporary
// name first so a half-written dump is never mistaken for a backup, then
// deletes dumps older than the retention.
func backupScript(ds *spec.DataStore, host string) string {
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
echo "dump written: ` + ds.Name + `-$ts` + ext + `"
`
}

// uploadScript copies the dump the init container wrote to the backup
// storage, then deletes the store's dumps older than the retention there.
// rclone copies under a temporary name and renames, so a reader never sees
// half an upload.
func uploadScript(b *spec.BackupStorage, remote string, ds *spec.DataStore) string {
	return `set -eu
` + rcloneAuth(b) + `rclone copy --no-traverse ` + BackupsDir + ` ` + remote + `
rclone delete --min-age ` + fmt.Sprint(ds.Backup.RetentionDays) + `d ` + remote + `
echo "backup uploaded to ` + remote + `: $(ls ` + BackupsDir + `)"
`
}

// fetchScript downloads the store's newest dump from the backup storage
// for the restore test, and fails when there is none or it is older than
// 48 hours.
func fetchScript(b *spec.BackupStorage, remote string, ds *spec.DataStore) string {
	return `set -eu
fail() { echo "RESTORE TEST FAILED for ` + ds.Name + `: $*" >&2; exit 1; }
` + rcloneAuth(b) + `latest="$(rclone lsf --files-only --include '` + ds.Name + `-*` + dumpExt(ds) + `' ` + remote + ` | sort | tail -n 1)" || fail "cannot list ` + remote + `"
[ -n "$latest" ] || fail "no backup in ` + remote + `"
cutoff="$(date -u -d "@$(( $(date +%s) - 172800 ))" +%Y%m%dT%H%M%SZ)"
ts="${latest#` + ds.Name + `-}"
expr "${ts%` + dumpExt(ds) + `}" \> "$cutoff" > /dev/null || fail "newest backup $latest is older than 48 hours"
rclone copyto ` + remote + `/"$latest" ` + BackupsDir + `/"$latest" || fail "cannot download $latest"
`
}

// dumpExt is the file extension of an engine's dumps.
func dumpExt(ds *spec.DataStore) string {
	switch ds.Type {
	case spec.DataMySQL:
		return ".sql"
	case spec.DataRedis:
		return ".rdb"
	}
	return ".dump"
}

// restoreScript restores the fetched dump into a throwaway server inside
// the job's own pod (never the live store), checks that data came back,
// and exits non-zero with a message otherwise: the failed Job raises the
// store's restore-test alert.
func restoreScript(ds *spec.DataStore) string {
	var ext, restore string
	switch ds.Type {
	case spec.DataPostgres:
		ext = ".dump"
		// initdb looks its user up; the image's entrypoint, which a
		// command replaces, would add the arbitrary UID with nss_wrapper.
		restore = `export PGDATA=/scratch/pgdata
if ! getent passwd "$(id -u)" > /dev/null; then
  echo "restore:x:$(id -u):$(id -g):restore:/scratch:/bin/false" > /tmp/passwd
  export NSS_WRAPPER_PASSWD=/tmp/passwd NSS_WRAPPER_GROUP=/etc/group
  LD_PRELOAD="$(find /usr/lib -name libnss_wrapper.so -print -quit)"
  export LD_PRELOAD
fi
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
[ -n "$latest" ] || fail "the fetched backup is missing from ` + BackupsDir + `"
` + restore + `
[ -n "$tables" ] || fail "could not count what $latest restored"
echo "restore test passed: $latest restored ($tables tables or keys)"
`
}

// dumped says whether ds's backups in c.Env are dumps a CronJob takes:
// an in-cluster store's, and a Redis under the operator's (Redis has no
// continuous archive to recover from; its RDB snapshot is its backup).
func dumped(c *Context, ds *spec.DataStore) bool {
	return c.storeMode(ds) == spec.ModeInCluster || underRedisOperator(c, ds)
}

// dumpHost is the address a store's dump is taken from: its Service, or
// under the Redis operator the primary's (a replica may be resyncing and
// serve an older snapshot).
func dumpHost(c *Context, ds *spec.DataStore) string {
	if underRedisOperator(c, ds) {
		return RedisMasterService(ds.Name)
	}
	return ds.Name
}

// backups renders, per in-cluster store with a backup, a CronJob that
// dumps the store on schedule and uploads the dump to the backup storage, a
// CronJob that fetches the newest dump from there and tests it by restoring
// it, and their ServiceAccount and NetworkPolicies.
func backups(c *Context) ([]Object, error) {
	var out []Object
	for i := range c.P.Spec.Data {
		ds := &c.P.Spec.Data[i]
		if !dumped(c, ds) || ds.Backup == nil || !spec.BackupSupported(ds.Type) {
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
		if c.storeMode(ds) == spec.ModeManaged || ds.VPA == "" {
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
	b, prefix := backupStorage(c, ds)
	if b == nil {
		return nil, nil
	}
	remote := "backups:" + b.Bucket + "/" + prefix
	sa := &corev1.ServiceAccount{
		TypeMeta:                     typeServiceAccount,
		ObjectMeta:                   metav1.ObjectMeta{Name: BackupJob(ds.Name), Namespace: ns, Labels: c.labels(BackupJob(ds.Name), "backup")},
		AutomountServiceAccountToken: ptr(false),
	}
	identityServiceAccount(b.Identity, sa)
	// The dump job reaches the store's client port and the backup
	// storage; the restore test only the storage (its server is in its
	// own pod).
	np := workloadPolicy(c, "data", BackupJob(ds.Name))
	np.Spec.Egress = append(np.Spec.Egress, networkingv1.NetworkPolicyEgressRule{
		To:    []networkingv1.NetworkPolicyPeer{namePeer(ds.Name)},
		Ports: []networkingv1.NetworkPolicyPort{tcpPort(spec.DataPorts[ds.Type])},
	})
	np.Spec.Egress = append(np.Spec.Egress, storageEgress(b)...)
	rp := workloadPolicy(c, "data", RestoreTestJob(ds.Name))
	rp.Spec.Egress = append(rp.Spec.Egress, storageEgress(b)...)
	backup, err := backupCronJob(c, ds, b, BackupJob(ds.Name), ds.Backup.Schedule, false,
		backupScript(ds, dumpHost(c, ds)), uploadScript(b, remote, ds))
	if err != nil {
		return nil, err
	}
	restore, err := backupCronJob(c, ds, b, RestoreTestJob(ds.Name), ds.Backup.RestoreTestSchedule, true,
		fetchScript(b, remote, ds), restoreScript(ds))
	if err != nil {
		return nil, err
	}
	out := []named{
		{"ServiceAccount", sa.Name, sa},
		{"NetworkPolicy", np.Name, np},
		{"NetworkPolicy", rp.Name, rp},
		{"CronJob", backup.Name, backup},
		{"CronJob", restore.Name, restore},
	}
	if es := storageCredentials(c, ds, b); es != nil {
		out = append(out, named{"ExternalSecret", es.Name, es})
	}
	for _, job := range []string{BackupJob(ds.Name), RestoreTestJob(ds.Name)} {
		if cnp := storagePolicy(c, b, job, map[string]string{LabelName: job}); cnp != nil {
			out = append(out, named{"CiliumNetworkPolicy", cnp.Name, cnp})
		}
	}
	return out, nil
}

// ephemeralClaim is a volume that lives as long as its pod: a dump, or a
// scratch server's data, can be as large as the store, far beyond an
// emptyDir within the pod's ephemeral-storage limit.
func ephemeralClaim(name, size, class string) (corev1.Volume, error) {
	q, err := quantity(size)
	if err != nil {
		return corev1.Volume{}, err
	}
	claim := corev1.PersistentVolumeClaimSpec{
		AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
		Resources:   corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: q}},
	}
	if class != "" {
		claim.StorageClassName = ptr(class)
	}
	return corev1.Volume{Name: name, VolumeSource: corev1.VolumeSource{
		Ephemeral: &corev1.EphemeralVolumeSource{VolumeClaimTemplate: &corev1.PersistentVolumeClaimTemplate{Spec: claim}},
	}}, nil
}

// backupCronJob is a backup (dump, then upload) or restore test (fetch,
// then restore) CronJob: the first step runs as an init container, the
// second as the pod's container, sharing the dump on an ephemeral volume.
func backupCronJob(c *Context, ds *spec.DataStore, b *spec.BackupStorage, name, schedule string, restore bool, first, second string) (*batchv1.CronJob, error) {
	eng := engines[ds.Type]
	res, err := resources(eng.cpu, eng.mem)
	if err != nil {
		return nil, err
	}
	small, err := resources("100m", "128Mi")
	if err != nil {
		return nil, err
	}
	labels := c.labels(name, "backup")
	dumps, err := ephemeralClaim("backups", ds.Backup.Storage, ds.Backup.StorageClass)
	if err != nil {
		return nil, err
	}
	volumes := []corev1.Volume{dumps,
		{Name: "tmp", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{SizeLimit: ptr(resource.MustParse("64Mi"))}}},
	}
	engMounts := []corev1.VolumeMount{{Name: "backups", MountPath: BackupsDir}, {Name: "tmp", MountPath: "/tmp"}}
	cloneMounts := []corev1.VolumeMount{{Name: "backups", MountPath: BackupsDir}, {Name: "tmp", MountPath: "/tmp"}}
	credVols, credMounts := storageMounts(ds, b)
	volumes = append(volumes, credVols...)
	cloneMounts = append(cloneMounts, credMounts...)
	if restore {
		scratch, err := ephemeralClaim("scratch", ds.Storage, ds.StorageClass)
		if err != nil {
			return nil, err
		}
		volumes = append(volumes, scratch)
		engMounts = append(engMounts, corev1.VolumeMount{Name: "scratch", MountPath: "/scratch"})
	} else {
		engMounts = append(engMounts, corev1.VolumeMount{Name: "credentials", MountPath: credsDir, ReadOnly: true})
		volumes = append(volumes, corev1.Volume{Name: "credentials", VolumeSource: corev1.VolumeSource{
			Secret: &corev1.SecretVolumeSource{SecretName: CredentialsSecret(ds.Name), DefaultMode: ptr(int32(0o440))},
		}})
	}
	engine := corev1.Container{
		Image: ds.Image, ImagePullPolicy: pullPolicy, Resources: res, SecurityContext: restrictedContainer(),
		VolumeMounts: engMounts, TerminationMessagePolicy: corev1.TerminationMessageFallbackToLogsOnError,
	}
	rclone := corev1.Container{
		Image: b.Uploader(), ImagePullPolicy: pullPolicy, Env: rcloneEnv(b), Resources: small, SecurityContext: restrictedContainer(),
		VolumeMounts: cloneMounts, TerminationMessagePolicy: corev1.TerminationMessageFallbackToLogsOnError,
	}
	// rclone's image starts rclone itself; the scripts need its shell.
	rclone.Command = []string{"sh", "-c"}
	engine.Command = []string{"sh", "-c"}
	var initC, main corev1.Container
	if restore {
		initC, main = rclone, engine
		initC.Name, main.Name = "fetch", "restore"
	} else {
		initC, main = engine, rclone
		initC.Name, main.Name = "dump", "upload"
	}
	initC.Args, main.Args = []string{first}, []string{second}
	pod := corev1.PodSpec{
		PriorityClassName:            c.PriorityClassName(PriorityBatch),
		ServiceAccountName:           BackupJob(ds.Name),
		AutomountServiceAccountToken: ptr(false),
		EnableServiceLinks:           ptr(false),
		RestartPolicy:                corev1.RestartPolicyNever,
		SecurityContext:              eng.podSecurity(),
		InitContainers:               []corev1.Container{initC},
		Containers:                   []corev1.Container{main},
		Volumes:                      volumes,
	}
	if c.Env != nil && c.Env.Region != "" {
		pod.Affinity = regionAffinity(c.Env.Region)
	}
	podLabels := map[string]string{}
	for k, v := range labels {
		podLabels[k] = v
	}
	identityPod(b.Identity, podLabels, &pod)
	// A backup that could not start within the starting deadline is a
	// missed backup: better to report it than to pile up late runs.
	return cronJob(metav1.ObjectMeta{Name: name, Namespace: c.NS("data"), Labels: labels},
		cronRun{schedule: schedule, timeZone: spec.DefaultTimeZone, concurrency: batchv1.ForbidConcurrent,
			jobRun: jobRun{backoffLimit: 2, activeDeadline: 6 * 3600}},
		corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: podLabels}, Spec: pod}), nil
}

// vpa recommends (Off) or applies at pod creation (Initial) requests for a
// store's engine container; it never evicts a running database.
func vpa(c *Context, ds *spec.DataStore) *vpav1.VerticalPodAutoscaler {
	mode := vpav1.UpdateMode(ds.VPA)
	target := &autoscalingv1.CrossVersionObjectReference{APIVersion: "apps/v1", Kind: "StatefulSet", Name: ds.Name}
	container := string(ds.Type)
	switch {
	case underRedisOperator(c, ds):
		// The operator names the StatefulSet and its Redis container
		// after the store, and changes pods only when the StatefulSet
		// changes: requests set at pod creation stay.
		container = ds.Name
	case c.storeMode(ds) == spec.ModeOperator:
		container = "postgres" // CloudNativePG's instance container
		// Under CloudNativePG the VPA only recommends: the operator rolls
		// any instance whose resources differ from its Cluster's, so
		// requests set at pod creation would be undone by a restart.
		mode = vpav1.UpdateModeOff
		target = &autoscalingv1.CrossVersionObjectReference{APIVersion: CNPGAPIVersion, Kind: "Cluster", Name: ds.Name}
	}
	return &vpav1.VerticalPodAutoscaler{
		TypeMeta:   typeVPA,
		ObjectMeta: metav1.ObjectMeta{Name: ds.Name, Namespace: c.NS("data"), Labels: c.labels(ds.Name, string(ds.Type))},
		Spec: vpav1.VerticalPodAutoscalerSpec{
			TargetRef:    target,
			UpdatePolicy: &vpav1.PodUpdatePolicy{UpdateMode: &mode},
			ResourcePolicy: &vpav1.PodResourcePolicy{ContainerPolicies: []vpav1.ContainerResourcePolicy{{
				ContainerName:       container,
				ControlledResources: &[]corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory},
				ControlledValues:    ptr(vpav1.ContainerControlledValuesRequestsAndLimits),
			}}},
		},
	}
}
