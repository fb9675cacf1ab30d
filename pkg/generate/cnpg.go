package generate

import (
	"fmt"
	"strings"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	"github.com/platformctl/platformctl/pkg/imageref"
	"github.com/platformctl/platformctl/pkg/manifest"
	"github.com/platformctl/platformctl/pkg/spec"
)

// Operator-managed PostgreSQL (mode operator, the staging and production
// default): a CloudNativePG Cluster of spec.StoreInstances instances, one
// primary and streaming replicas spread over zones, failed over by the
// operator; the Barman Cloud plugin archives WAL continuously and writes
// base backups to the backup storage (point-in-time recovery within the
// retention); a restore test recovers a throwaway cluster from there.
// The operator and the plugin are the platform owner's install
// (docs/namespaces/data.md), in CNPGOperatorNS.

// storeMode is ds's mode in the environment being generated.
func (c *Context) storeMode(ds *spec.DataStore) spec.DataStoreMode { return spec.StoreMode(ds, c.Env) }

// RWService and ROService are the Services CloudNativePG creates for a
// cluster: the primary, and the replicas.
func RWService(ds string) string { return ds + "-rw" }

// ROService is the read-only Service of a cluster's replicas.
func ROService(ds string) string { return ds + "-ro" }

// ObjectStoreName names a store's Barman Cloud ObjectStore.
func ObjectStoreName(ds string) string { return ds + "-backups" }

// RestoreTestCluster names the throwaway cluster a restore test recovers.
func RestoreTestCluster(ds string) string { return ds + "-recovered" }

// cnpgObjects renders each postgres store under the operator in c.Env.
func cnpgObjects(c *Context) ([]Object, error) {
	var out []Object
	for i := range c.P.Spec.Data {
		ds := &c.P.Spec.Data[i]
		if !underCNPG(c, ds) {
			continue
		}
		src := fmt.Sprintf("spec.data[%d]", i)
		add := func(kind, name, src string, obj any) {
			if obj != nil {
				out = append(out, Object{ID: id("data", kind, name), Area: "data", Source: src, Obj: obj})
			}
		}
		es := credentialsSecret(c, ds, c.NS("data"), CredentialsSecret(ds.Name), map[string]string{
			"username": dbName(ds), "password": "{{ .password }}",
		})
		// initdb's owner must be the Secret's user: the application role
		// is named after the database, whatever the secret store holds.
		es.Spec.Target.Template.Type = CNPGSecretBasicAuth
		add("ExternalSecret", CredentialsSecret(ds.Name), src, es)
		cluster, err := cnpgCluster(c, ds)
		if err != nil {
			return nil, fmt.Errorf("data store %s: %w", ds.Name, err)
		}
		add("Cluster", ds.Name, src, cluster)
		np := cnpgPolicy(c, ds, ds.Name, consumers(c.P, ds.Name))
		add("NetworkPolicy", ds.Name, src, np)
		if cnp := apiServerPolicy(c, np); cnp != nil {
			add("CiliumNetworkPolicy", cnp.Name, src, cnp)
		}
		if ds.Type == spec.DataFerretDB {
			objs, err := ferretDBProxy(c, ds)
			if err != nil {
				return nil, fmt.Errorf("data store %s: %w", ds.Name, err)
			}
			for _, o := range objs {
				add(o.kind, o.name, src, o.obj)
			}
		}
		b, prefix := backupStorage(c, ds)
		if ds.Backup == nil || b == nil {
			continue
		}
		bsrc := src + ".backup"
		sidecar, err := sidecarConfiguration(b)
		if err != nil {
			return nil, fmt.Errorf("data store %s: %w", ds.Name, err)
		}
		add("ObjectStore", ObjectStoreName(ds.Name), bsrc, &ObjectStore{
			TypeMeta:   typeObjectStore,
			ObjectMeta: metav1.ObjectMeta{Name: ObjectStoreName(ds.Name), Namespace: c.NS("data"), Labels: c.labels(ds.Name, "backup")},
			Spec: ObjectStoreSpec{
				Configuration:                barmanConfiguration(ds, b, prefix),
				RetentionPolicy:              fmt.Sprintf("%dd", ds.Backup.RetentionDays),
				InstanceSidecarConfiguration: sidecar,
			},
		})
		if es := storageCredentials(c, ds, b); es != nil {
			add("ExternalSecret", es.Name, bsrc, es)
		}
		if cnp := storagePolicy(c, b, ds.Name+"-backups", map[string]string{LabelName: ds.Name}); cnp != nil {
			add("CiliumNetworkPolicy", cnp.Name, bsrc, cnp)
		}
		add("ScheduledBackup", ds.Name, bsrc, &ScheduledBackup{
			TypeMeta:   typeScheduledBackup,
			ObjectMeta: metav1.ObjectMeta{Name: ds.Name, Namespace: c.NS("data"), Labels: c.labels(ds.Name, "backup")},
			Spec: ScheduledBackupSpec{
				Schedule: cnpgSchedule(ds.Backup.Schedule),
				Cluster:  corev1.LocalObjectReference{Name: ds.Name},
				// A base backup right after the cluster is created, so
				// point-in-time recovery works from the first day.
				Immediate:            ptr(true),
				BackupOwnerReference: "self",
				Method:               "plugin",
				Target:               "prefer-standby",
				PluginConfiguration:  &CNPGPluginConfig{Name: BarmanCloudPlugin},
			},
		})
		objs, err := cnpgRestoreTest(c, ds, b)
		if err != nil {
			return nil, fmt.Errorf("data store %s: %w", ds.Name, err)
		}
		for _, o := range objs {
			add(o.kind, o.name, bsrc, o.obj)
		}
	}
	return out, nil
}

// underCNPG says whether CloudNativePG runs ds's PostgreSQL in c.Env: a
// postgres store under the operator, and every ferretdb store not managed.
// Its instances are PostgreSQL whatever the store's type:
// engines[spec.DataPostgres] sizes them, and its UID runs their restore
// tests.
func underCNPG(c *Context, ds *spec.DataStore) bool {
	return (ds.Type == spec.DataPostgres || ds.Type == spec.DataFerretDB) && c.storeMode(ds) == spec.ModeOperator
}

// cnpgSchedule is a cron schedule as CloudNativePG reads it: six fields,
// seconds first, or a descriptor (@daily) as it is.
func cnpgSchedule(cron string) string {
	if strings.HasPrefix(cron, "@") {
		return cron
	}
	return "0 " + cron
}

// sidecarConfiguration sizes the plugin's sidecar (it has no resources
// otherwise, which the platform's admission policy refuses, and would be
// BestEffort) and gives it the bucket's region.
func sidecarConfiguration(b *spec.BackupStorage) (*BarmanSidecarConfiguration, error) {
	res, err := resources("100m", "256Mi")
	if err != nil {
		return nil, err
	}
	sc := &BarmanSidecarConfiguration{Resources: &res}
	if b.Provider == spec.StorageS3 && b.Region != "" {
		sc.Env = []corev1.EnvVar{{Name: "AWS_DEFAULT_REGION", Value: b.Region}}
	}
	return sc, nil
}

// postgresUIDs are the UID (and GID) of the postgres user in image
// repositories CloudNativePG does not build: it runs every instance as
// UID 26, its own images' postgres user, and initdb refuses a UID that has
// no user in the image ("could not look up effective user ID 26"). The
// official image and the images built on it have postgres as 999. Other
// images keep the operator's 26 (its own, and those built like them).
var postgresUIDs = map[string]int64{
	"docker.io/library/postgres":           999,
	"docker.io/postgis/postgis":            999,
	"ghcr.io/ferretdb/postgres-documentdb": 999,
}

// postgresUID is the UID of the postgres user of image, 0 for the
// operator's default.
func postgresUID(image string) int64 { return postgresUIDs[imageref.Parse(image).Resolved()] }

// cnpgCluster is the store's Cluster.
func cnpgCluster(c *Context, ds *spec.DataStore) (*CNPGCluster, error) {
	res, err := storeResources(ds, engines[spec.DataPostgres])
	if err != nil {
		return nil, err
	}
	labels := c.labels(ds.Name, string(ds.Type))
	cl := &CNPGCluster{
		TypeMeta:   typeCNPGCluster,
		ObjectMeta: metav1.ObjectMeta{Name: ds.Name, Namespace: c.NS("data"), Labels: labels},
		Spec: CNPGClusterSpec{
			Instances:       spec.StoreInstances(ds, c.Env),
			ImageName:       ds.Image,
			ImagePullPolicy: pullPolicy,
			PostgresUID:     postgresUID(ds.Image),
			PostgresGID:     postgresUID(ds.Image),
			// Replicas first, then a switchover to an updated replica,
			// never a restart of the primary in place.
			PrimaryUpdateStrategy: "unsupervised",
			PrimaryUpdateMethod:   "switchover",
			EnablePDB:             ptr(true),
			EnableSuperuserAccess: ptr(false),
			PriorityClassName:     c.PriorityClassName(PriorityPlatform),
			// The pods carry the store's name label, so its NetworkPolicy
			// and the consumers' egress select them as they select an
			// in-cluster store's pod.
			InheritedMetadata: &CNPGEmbeddedMetadata{Labels: labels},
			Bootstrap: &CNPGBootstrap{InitDB: &CNPGBootstrapInitDB{
				Database: dbName(ds), Owner: dbName(ds), Secret: &corev1.LocalObjectReference{Name: CredentialsSecret(ds.Name)},
			}},
			Storage:   CNPGStorage{Size: ds.Storage},
			Resources: res,
			Affinity:  cnpgAffinity(c, spec.StoreInstances(ds, c.Env)),
			// Databases flush on shutdown; give them the StatefulSet's 120 s.
			StopDelay: 120,
		},
	}
	if ds.StorageClass != "" {
		cl.Spec.Storage.StorageClass = ptr(ds.StorageClass)
	}
	if ds.Type == spec.DataFerretDB {
		documentDB(ds, cl)
	}
	if ds.Synchronous != "" {
		if cl.Spec.PostgreSQL == nil {
			cl.Spec.PostgreSQL = &CNPGPostgresConfiguration{}
		}
		cl.Spec.PostgreSQL.Synchronous = &CNPGSynchronousReplicas{
			Method: "any", Number: 1, DataDurability: string(ds.Synchronous),
		}
	}
	b, _ := backupStorage(c, ds)
	if ds.Backup != nil && b != nil {
		cl.Spec.Plugins = []CNPGPlugin{{Name: BarmanCloudPlugin, IsWALArchiver: ptr(true),
			Parameters: map[string]string{"barmanObjectName": ObjectStoreName(ds.Name)}}}
		if b.Identity != nil {
			sa := &corev1.ServiceAccount{}
			identityServiceAccount(b.Identity, sa)
			cl.Spec.ServiceAccountTemplate = &CNPGServiceAccountTemplate{Metadata: CNPGEmbeddedMetadata{Annotations: sa.Annotations}}
			if b.Identity.Provider == spec.IdentityAzure {
				l := map[string]string{}
				for k, v := range labels {
					l[k] = v
				}
				l[LabelAzureWorkloadIdentity] = "true"
				cl.Spec.InheritedMetadata.Labels = l
			}
			if b.Identity.Provider == spec.IdentityGCP {
				cl.Spec.Affinity.NodeSelector = map[string]string{NodeLabelGKEMetadataServer: "true"}
			}
		}
	}
	return cl, nil
}

// cnpgAffinity keeps instances on different nodes, and in production with
// two or more zones on different zones; an environment's region pins them.
func cnpgAffinity(c *Context, instances int32) *CNPGAffinity {
	a := &CNPGAffinity{EnablePodAntiAffinity: ptr(true), TopologyKey: "kubernetes.io/hostname", PodAntiAffinityType: "preferred"}
	// Required only where every instance can have a zone of its own:
	// with fewer zones the extra instances would never be scheduled.
	if c.Env != nil && c.Env.Tier == spec.TierProduction && len(c.Env.Zones) >= 2 && int32(len(c.Env.Zones)) >= instances {
		a.TopologyKey, a.PodAntiAffinityType = "topology.kubernetes.io/zone", "required"
	} else if c.Env != nil && len(c.Env.Zones) >= 2 {
		a.TopologyKey = "topology.kubernetes.io/zone"
	}
	if c.Env != nil && c.Env.Region != "" {
		a.NodeAffinity = regionAffinity(c.Env.Region).NodeAffinity
	}
	return a
}

// cnpgPolicy admits to a cluster's pods (name: the store, or its restore
// test) its consumers on 5432, the other instances (streaming replication,
// and the instance manager's status port), the operator (status port) and
// Prometheus; they reach each other, the API server (the instance manager
// watches its Cluster) and the backup storage.
func cnpgPolicy(c *Context, ds *spec.DataStore, name string, users []string) *networkingv1.NetworkPolicy {
	np := workloadPolicy(c, "data", name)
	self := []networkingv1.NetworkPolicyPeer{namePeer(name)}
	pg := spec.DataPorts[spec.DataPostgres] // a document store's too
	if ds.Type == spec.DataFerretDB {
		// Its clients are FerretDB's pods, which speak PostgreSQL to it;
		// the apps reach FerretDB, never the database.
		if len(users) > 0 {
			np.Spec.Ingress = append(np.Spec.Ingress, networkingv1.NetworkPolicyIngressRule{
				From: []networkingv1.NetworkPolicyPeer{namePeer(FerretDBProxy(ds.Name))}, Ports: []networkingv1.NetworkPolicyPort{tcpPort(pg)}})
		}
	} else {
		np.Spec.Ingress = append(np.Spec.Ingress, consumerIngress(c, users, pg)...)
	}
	np.Spec.Ingress = append(np.Spec.Ingress,
		networkingv1.NetworkPolicyIngressRule{From: self, Ports: []networkingv1.NetworkPolicyPort{tcpPort(pg), tcpPort(CNPGStatusPort)}},
		networkingv1.NetworkPolicyIngressRule{
			From:  []networkingv1.NetworkPolicyPeer{{NamespaceSelector: systemSelector(CNPGOperatorNS)}},
			Ports: []networkingv1.NetworkPolicyPort{tcpPort(CNPGStatusPort)},
		})
	if c.metricsOn() {
		np.Spec.Ingress = append(np.Spec.Ingress, scrapeIngress(c, CNPGMetricsPort))
	}
	np.Spec.Egress = append(np.Spec.Egress,
		networkingv1.NetworkPolicyEgressRule{To: self, Ports: []networkingv1.NetworkPolicyPort{tcpPort(pg), tcpPort(CNPGStatusPort)}},
		apiServerEgress())
	if b, _ := backupStorage(c, ds); b != nil && ds.Backup != nil {
		np.Spec.Egress = append(np.Spec.Egress, storageEgress(b)...)
	}
	return np
}

// cnpgRestoreTest renders the restore test of an operator-managed store: a
// CronJob whose kubectl creates a one-instance cluster recovered from the
// backup storage (the newest base backup, then every archived WAL segment),
// waits until it is Ready — CloudNativePG reports Ready only once recovery
// finished and the instance accepts connections — and deletes it. Any failure fails the Job, which the store's
// alerts report. No exec into the instance: the Role stays on the one
// cluster.
func cnpgRestoreTest(c *Context, ds *spec.DataStore, b *spec.BackupStorage) ([]named, error) {
	ns := c.NS("data")
	name := RestoreTestJob(ds.Name)
	// No recovery target: the whole archive is replayed, so a quiet
	// database with no commit after a chosen time does not fail the test
	// (PostgreSQL ends recovery in error when it cannot reach a target).
	recovery, err := recoveryManifest(c, ds, RestoreTestCluster(ds.Name), "")
	if err != nil {
		return nil, err
	}
	sa := &corev1.ServiceAccount{
		TypeMeta:                     typeServiceAccount,
		ObjectMeta:                   metav1.ObjectMeta{Name: name, Namespace: ns, Labels: c.labels(name, "backup")},
		AutomountServiceAccountToken: ptr(false),
	}
	role := &rbacv1.Role{
		TypeMeta:   typeRole,
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: c.labels(name, "backup")},
		Rules: []rbacv1.PolicyRule{
			// kubectl wait lists and watches by name (a field selector),
			// which a rule with resourceNames allows.
			{APIGroups: []string{"postgresql.cnpg.io"}, Resources: []string{"clusters"}, ResourceNames: []string{RestoreTestCluster(ds.Name)},
				Verbs: []string{"delete", "get", "list", "watch"}},
			// create cannot be limited by name: the name is in the body.
			{APIGroups: []string{"postgresql.cnpg.io"}, Resources: []string{"clusters"}, Verbs: []string{"create"}},
		},
	}
	rb := &rbacv1.RoleBinding{
		TypeMeta:   typeRoleBinding,
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: c.labels(name, "backup")},
		RoleRef:    rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "Role", Name: name},
		Subjects:   []rbacv1.Subject{{Kind: "ServiceAccount", Name: name, Namespace: ns}},
	}
	// The CronJob's pod talks to the API server only.
	jobPolicy := workloadPolicy(c, "data", name)
	jobPolicy.Spec.Egress = append(jobPolicy.Spec.Egress, apiServerEgress())
	script := `set -eu
fail() { echo "RESTORE TEST FAILED for ` + ds.Name + `: $*" >&2; kubectl delete cluster ` + RestoreTestCluster(ds.Name) + ` --ignore-not-found --wait=false; exit 1; }
kubectl delete cluster ` + RestoreTestCluster(ds.Name) + ` --ignore-not-found --wait=true || fail "could not remove an earlier throwaway cluster"
kubectl create -f - <<'EOF' || fail "could not create the throwaway cluster"
` + recovery + `EOF
kubectl wait cluster/` + RestoreTestCluster(ds.Name) + ` --for=condition=Ready --timeout=5h || fail "no instance recovered from the backups within 5 hours"
kubectl delete cluster ` + RestoreTestCluster(ds.Name) + ` --wait=false
echo "restore test passed: the newest base backup and all archived WAL recovered"
`
	res, err := resources("100m", "128Mi")
	if err != nil {
		return nil, err
	}
	pod := corev1.PodSpec{
		PriorityClassName:            c.PriorityClassName(PriorityBatch),
		ServiceAccountName:           name,
		AutomountServiceAccountToken: ptr(true),
		EnableServiceLinks:           ptr(false),
		RestartPolicy:                corev1.RestartPolicyNever,
		SecurityContext:              engines[spec.DataPostgres].podSecurity(),
		Containers: []corev1.Container{{
			Name: "restore-test", Image: b.Kubectl(), ImagePullPolicy: pullPolicy,
			Command:   []string{"bash", "-c", script},
			Env:       []corev1.EnvVar{{Name: "HOME", Value: "/tmp"}},
			Resources: res, SecurityContext: restrictedContainer(),
			VolumeMounts:             []corev1.VolumeMount{{Name: "tmp", MountPath: "/tmp"}},
			TerminationMessagePolicy: corev1.TerminationMessageFallbackToLogsOnError,
		}},
		Volumes: []corev1.Volume{{Name: "tmp", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{SizeLimit: ptr(resource.MustParse("64Mi"))}}}},
	}
	labels := c.labels(name, "backup")
	meta := metav1.ObjectMeta{Name: name, Namespace: ns, Labels: labels}
	ignoreRule(&meta, "automount-service-account-token", "the restore test creates and deletes its throwaway CloudNativePG cluster through the API server, with a Role limited to that cluster")
	cj := cronJob(meta, cronRun{schedule: ds.Backup.RestoreTestSchedule, timeZone: spec.DefaultTimeZone, concurrency: batchv1.ForbidConcurrent,
		jobRun: jobRun{backoffLimit: 0, activeDeadline: 6 * 3600}},
		corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels}, Spec: pod})
	recovered := recoveryPolicy(c, ds, RestoreTestCluster(ds.Name))
	out := []named{
		{"ServiceAccount", sa.Name, sa},
		{"Role", role.Name, role},
		{"RoleBinding", rb.Name, rb},
		{"NetworkPolicy", name, jobPolicy},
		{"NetworkPolicy", recovered.Name, recovered},
		{"CronJob", cj.Name, cj},
	}
	for _, np := range []*networkingv1.NetworkPolicy{jobPolicy, recovered} {
		if cnp := apiServerPolicy(c, np); cnp != nil {
			out = append(out, named{"CiliumNetworkPolicy", cnp.Name, cnp})
		}
	}
	if cnp := storagePolicy(c, b, RestoreTestCluster(ds.Name)+"-backups", map[string]string{LabelName: RestoreTestCluster(ds.Name)}); cnp != nil {
		out = append(out, named{"CiliumNetworkPolicy", cnp.Name, cnp})
	}
	return out, nil
}

// recoveryPolicy is cnpgPolicy for a recovered cluster named name: no
// consumers; it reads the backups and needs nothing else.
func recoveryPolicy(c *Context, ds *spec.DataStore, name string) *networkingv1.NetworkPolicy {
	np := cnpgPolicy(c, ds, name, nil)
	np.Name = name + "-instances"
	np.Labels = c.labels(np.Name, "network-policy")
	// Its pods exist only while a restore test runs, so lint sees none.
	ignoreRule(&np.ObjectMeta, "networkpolicy-no-pods", "selects the instance of the throwaway cluster the restore test creates while it runs")
	if b, _ := backupStorage(c, ds); b != nil && b.Identity != nil && b.Identity.Provider == spec.IdentityGCP {
		ignoreRule(&np.ObjectMeta, "metadata-endpoint-reachable", "the throwaway cluster's instance runs on GKE metadata server nodes (its Cluster's nodeSelector), where 169.254.169.254 serves only its own Workload Identity")
	}
	return np
}

// recoveryManifest is recoveryCluster as YAML.
func recoveryManifest(c *Context, ds *spec.DataStore, name, target string) (string, error) {
	cl, err := recoveryCluster(c, ds, name, target)
	if err != nil {
		return "", err
	}
	m, err := manifest.ToMap(cl)
	if err != nil {
		return "", fmt.Errorf("recovery cluster: %w", err)
	}
	y, err := yaml.Marshal(m)
	if err != nil {
		return "", fmt.Errorf("recovery cluster: %w", err)
	}
	return string(y), nil
}

// recoveryCluster is the cluster a restore test (or a restore drill)
// creates: one instance named name, bootstrapped by recovery from the
// store's backups up to target (empty: the end of the archive), archiving
// nothing.
func recoveryCluster(c *Context, ds *spec.DataStore, name, target string) (*CNPGCluster, error) {
	live, err := cnpgCluster(c, ds)
	if err != nil {
		return nil, err
	}
	labels := c.labels(name, "backup")
	cl := &CNPGCluster{
		TypeMeta:   typeCNPGCluster,
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: c.NS("data"), Labels: labels},
		Spec: CNPGClusterSpec{
			Instances: 1, ImageName: ds.Image, ImagePullPolicy: pullPolicy,
			PostgresUID: live.Spec.PostgresUID, PostgresGID: live.Spec.PostgresGID,
			EnableSuperuserAccess:  ptr(false),
			PriorityClassName:      c.PriorityClassName(PriorityBatch),
			InheritedMetadata:      &CNPGEmbeddedMetadata{Labels: labels},
			ServiceAccountTemplate: live.Spec.ServiceAccountTemplate,
			Bootstrap:              &CNPGBootstrap{Recovery: &CNPGBootstrapRecovery{Source: "origin"}},
			// One throwaway instance: a budget would only block drains.
			EnablePDB: ptr(false),
			Storage:   CNPGStorage{Size: ds.Backup.Storage},
			Resources: live.Spec.Resources,
			Affinity:  live.Spec.Affinity,
			ExternalClusters: []CNPGExternalCluster{{Name: "origin", Plugin: &CNPGPluginConfig{
				Name: BarmanCloudPlugin, Parameters: map[string]string{"barmanObjectName": ObjectStoreName(ds.Name), "serverName": ds.Name},
			}}},
		},
	}
	if ds.Backup.StorageClass != "" {
		cl.Spec.Storage.StorageClass = ptr(ds.Backup.StorageClass)
	}
	// The same libraries and settings (DocumentDB's): the recovered data
	// needs them; one instance has no standby to wait for.
	if pg := live.Spec.PostgreSQL; pg != nil {
		copied := *pg
		copied.Synchronous = nil
		cl.Spec.PostgreSQL = &copied
	}
	if target != "" {
		cl.Spec.Bootstrap.Recovery.RecoveryTarget = &CNPGRecoveryTarget{TargetTime: target}
	}
	if l := live.Spec.InheritedMetadata.Labels; l[LabelAzureWorkloadIdentity] != "" {
		cl.Spec.InheritedMetadata.Labels[LabelAzureWorkloadIdentity] = "true"
	}
	return cl, nil
}

// Recovery is what a restore drill of ds in env creates: a one-instance
// Cluster named name recovered from the store's backups to target (RFC
// 3339), and the NetworkPolicy its instance needs. The store must run
// under the operator there, with backups.
func Recovery(p *spec.Platform, env *spec.Environment, ds *spec.DataStore, name, target string) (cluster, policy any, err error) {
	c := &Context{P: p, Env: env}
	if !underCNPG(c, ds) {
		return nil, nil, fmt.Errorf("data store %s does not run under CloudNativePG in environment %s", ds.Name, c.EnvName())
	}
	if b, _ := backupStorage(c, ds); ds.Backup == nil || b == nil {
		return nil, nil, fmt.Errorf("data store %s has no backups to recover from", ds.Name)
	}
	cl, err := recoveryCluster(c, ds, name, target)
	if err != nil {
		return nil, nil, err
	}
	return cl, recoveryPolicy(c, ds, name), nil
}
