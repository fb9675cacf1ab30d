package generate

import (
	"fmt"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/platformctl/platformctl/pkg/imageref"
	"github.com/platformctl/platformctl/pkg/spec"
)

var typeStatefulSet = metav1.TypeMeta{APIVersion: "apps/v1", Kind: "StatefulSet"}

// CredentialsSecret is the Secret holding an in-cluster store's credentials.
func CredentialsSecret(ds string) string { return ds + "-credentials" }

// engine describes how one data store engine runs under the restricted Pod
// Security Standard: a non-root UID, the directories it writes besides the
// data volume (the root filesystem is read-only), and how it reads its
// credentials from files.
type engine struct {
	// uid is the UID and GID the engine runs as, and the fsGroup that owns
	// its volumes. storeUID for every engine whose image runs as any user
	// (docs/peers.md): a UID of 10000 or more is no user of the node's own
	// (image users such as postgres's 999 or kafka's 1000 often are), so a
	// process that escapes the container holds no host account's files.
	uid      int64
	dataPath string
	scratch  []string // emptyDir mounts
	cpu, mem string
	// env, command and args configure the container; secretsDir is where
	// the credentials Secret is mounted.
	env     func(ds *spec.DataStore) []corev1.EnvVar
	command []string
	args    []string
	// secretsDir is where the credentials Secret is mounted.
	secretsDir string
	// templates render the credentials into a config file the engine reads
	// (external-secrets templating), for engines without *_FILE support.
	templates map[string]string
	// ready is the readiness check; liveness is a TCP check on the port, so
	// a slow query does not restart the database. readyPeriod and
	// readyTimeout default to 10 s and 5 s.
	ready                     *corev1.ProbeHandler
	readyPeriod, readyTimeout int32
	// extraPorts are container ports besides the client port (a
	// monitoring endpoint the readiness probe or exporter uses).
	extraPorts []corev1.ContainerPort
}

const credsDir = SecretsDir

// storeUID is the UID, GID and fsGroup of the data stores and their backup
// and restore-test jobs. The official postgres, mysql, redis and rabbitmq
// images and apache/kafka run as an arbitrary user when their data
// directory is writable to it, which fsGroup makes it: the kubelet gives the
// volume (and every emptyDir) group storeUID with group write. postgres's
// entrypoint adds the missing passwd entry itself (nss_wrapper, in /tmp).
const storeUID = 10001

func execProbe(cmd ...string) *corev1.ProbeHandler {
	return &corev1.ProbeHandler{Exec: &corev1.ExecAction{Command: cmd}}
}

func dbName(ds *spec.DataStore) string { return strings.ReplaceAll(ds.Name, "-", "_") }

var engines = map[spec.DataStoreType]engine{
	spec.DataPostgres: {
		uid: storeUID, dataPath: "/var/lib/postgresql/data", scratch: []string{"/tmp", "/var/run/postgresql"},
		cpu: "250m", mem: "512Mi", secretsDir: credsDir,
		env: func(ds *spec.DataStore) []corev1.EnvVar {
			return []corev1.EnvVar{
				{Name: "PGDATA", Value: "/var/lib/postgresql/data/pgdata"},
				{Name: "POSTGRES_DB", Value: dbName(ds)},
				{Name: "POSTGRES_PASSWORD_FILE", Value: credsDir + "/password"},
				{Name: "POSTGRES_USER_FILE", Value: credsDir + "/username"},
			}
		},
		ready: execProbe("pg_isready", "-h", "127.0.0.1", "-p", "5432"),
	},
	spec.DataMySQL: {
		uid: storeUID, dataPath: "/var/lib/mysql", scratch: []string{"/tmp", "/var/run/mysqld"},
		cpu: "250m", mem: "512Mi", secretsDir: credsDir,
		env: func(ds *spec.DataStore) []corev1.EnvVar {
			return []corev1.EnvVar{
				{Name: "MYSQL_DATABASE", Value: dbName(ds)},
				{Name: "MYSQL_PASSWORD_FILE", Value: credsDir + "/password"},
				{Name: "MYSQL_RANDOM_ROOT_PASSWORD", Value: "yes"},
				{Name: "MYSQL_USER_FILE", Value: credsDir + "/username"},
			}
		},
		ready: execProbe("mysqladmin", "ping", "-h", "127.0.0.1"),
	},
	spec.DataRedis: {
		uid: storeUID, dataPath: "/data", scratch: []string{"/tmp"}, cpu: "100m", mem: "256Mi", secretsDir: credsDir,
		// The password is read from the mounted file at start; it never
		// appears in the pod spec or the environment.
		command: []string{"sh", "-c", `exec redis-server --appendonly yes --requirepass "$(cat ` + credsDir + `/password)"`},
		ready:   execProbe("sh", "-c", `REDISCLI_AUTH="$(cat `+credsDir+`/password)" redis-cli -h 127.0.0.1 ping | grep -q PONG`),
	},
	spec.DataRabbitMQ: {
		uid: storeUID, dataPath: "/var/lib/rabbitmq", scratch: []string{"/tmp"}, cpu: "250m", mem: "512Mi",
		// RabbitMQ reads extra configuration from conf.d; the credentials
		// file is rendered there by external-secrets.
		secretsDir: "/etc/rabbitmq/conf.d",
		templates: map[string]string{
			"20-credentials.conf": "default_user = {{ .username }}\ndefault_pass = {{ .password }}\n",
		},
		ready: execProbe("rabbitmq-diagnostics", "-q", "ping"),
	},
	spec.DataNATS: {
		uid: 65532, dataPath: "/data", scratch: []string{"/tmp"}, cpu: "100m", mem: "128Mi", secretsDir: credsDir,
		args: []string{"--config", credsDir + "/nats.conf"},
		templates: map[string]string{
			"nats.conf": "port: 4222\nhttp_port: 8222\njetstream { store_dir: /data }\nauthorization { user: \"{{ .username }}\", password: \"{{ .password }}\" }\n",
		},
		ready:      &corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/healthz", Port: intstr.FromString("monitor"), Scheme: corev1.URISchemeHTTP}},
		extraPorts: []corev1.ContainerPort{{Name: "monitor", ContainerPort: 8222, Protocol: corev1.ProtocolTCP}},
	},
	spec.DataKafka: {
		uid: storeUID, dataPath: "/var/lib/kafka/data", scratch: []string{"/tmp", "/opt/kafka/config"}, cpu: "500m", mem: "1Gi",
		secretsDir: credsDir,
		env: func(ds *spec.DataStore) []corev1.EnvVar {
			// A single KRaft node acting as broker and controller.
			return []corev1.EnvVar{
				{Name: "KAFKA_ADVERTISED_LISTENERS", Value: fmt.Sprintf("PLAINTEXT://%s:9092", ds.Name)},
				{Name: "KAFKA_CONTROLLER_LISTENER_NAMES", Value: "CONTROLLER"},
				{Name: "KAFKA_CONTROLLER_QUORUM_VOTERS", Value: "1@127.0.0.1:9093"},
				{Name: "KAFKA_LISTENERS", Value: "PLAINTEXT://:9092,CONTROLLER://127.0.0.1:9093"},
				{Name: "KAFKA_LOG_DIRS", Value: "/var/lib/kafka/data"},
				{Name: "KAFKA_NODE_ID", Value: "1"},
				{Name: "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", Value: "1"},
				{Name: "KAFKA_PROCESS_ROLES", Value: "broker,controller"},
			}
		},
		// An open port is not a working broker: ask it for its API
		// versions. The client is a JVM, hence the long period and timeout.
		ready:       execProbe("/opt/kafka/bin/kafka-broker-api-versions.sh", "--bootstrap-server", "127.0.0.1:9092"),
		readyPeriod: 30, readyTimeout: 20,
	},
}

// dataStores renders each in-cluster store: ServiceAccount, headless
// Service, credentials ExternalSecret and a single-replica StatefulSet with a
// volume. A single primary is the honest default: replication and failover
// belong to an operator or, preferably, a managed service (mode: managed).
func dataStores(c *Context) ([]Object, error) {
	var out []Object
	for i := range c.P.Spec.Data {
		ds := &c.P.Spec.Data[i]
		if c.storeMode(ds) != spec.ModeInCluster {
			continue
		}
		src := fmt.Sprintf("spec.data[%d]", i)
		eng, ok := engines[ds.Type]
		if !ok {
			return nil, fmt.Errorf("data store %s: no engine for type %s", ds.Name, ds.Type)
		}
		ns := c.NS("data")
		labels := c.labels(ds.Name, string(ds.Type))
		add := func(kind, name string, obj any) {
			out = append(out, Object{ID: id("data", kind, name), Area: "data", Source: src, Obj: obj})
		}
		add("ServiceAccount", ds.Name, &corev1.ServiceAccount{
			TypeMeta: typeServiceAccount, ObjectMeta: metav1.ObjectMeta{Name: ds.Name, Namespace: ns, Labels: labels},
			AutomountServiceAccountToken: ptr(false),
		})
		add("Service", ds.Name, &corev1.Service{
			TypeMeta:   typeService,
			ObjectMeta: metav1.ObjectMeta{Name: ds.Name, Namespace: ns, Labels: labels},
			Spec: corev1.ServiceSpec{
				ClusterIP: corev1.ClusterIPNone,
				Selector:  map[string]string{LabelName: ds.Name},
				Ports:     storeServicePorts(c, ds),
			},
		})
		templates := eng.templates
		if c.metricsOn() {
			templates = mergeTemplates(eng.templates, exporterTemplates(ds))
		}
		if len(templates) > 0 && eng.secretsDir == credsDir {
			// A templated Secret holds only the templated keys; the engine
			// still reads its plain username and password files.
			templates = mergeTemplates(templates, map[string]string{"password": "{{ .password }}", "username": "{{ .username }}"})
		}
		add("ExternalSecret", CredentialsSecret(ds.Name), credentialsSecret(c, ds, ns, CredentialsSecret(ds.Name), templates))
		sts, err := statefulSet(c, ds, eng, labels)
		if err != nil {
			return nil, fmt.Errorf("data store %s: %w", ds.Name, err)
		}
		add("StatefulSet", ds.Name, sts)
		// One voluntary disruption at a time: a drain may move the single
		// primary (minAvailable: 1 would block every drain for good), and
		// a store replicated later is never drained more than a pod at once.
		add("PodDisruptionBudget", ds.Name, &policyv1.PodDisruptionBudget{
			TypeMeta:   typePDB,
			ObjectMeta: metav1.ObjectMeta{Name: ds.Name, Namespace: ns, Labels: labels},
			Spec: policyv1.PodDisruptionBudgetSpec{
				MaxUnavailable:             ptr(intstr.FromInt32(1)),
				Selector:                   &metav1.LabelSelector{MatchLabels: map[string]string{LabelName: ds.Name}},
				UnhealthyPodEvictionPolicy: ptr(policyv1.AlwaysAllow),
			},
		})
	}
	return out, nil
}

// credentialsSecret fetches a store's username and password from the secret
// store; templates, when given, render them into configuration files.
func credentialsSecret(c *Context, ds *spec.DataStore, ns, name string, templates map[string]string) *ExternalSecret {
	key, _, _ := strings.Cut(ds.Credentials, "#")
	es := externalSecret(c, ns, name, c.labels(ds.Name, "secret"))
	es.Spec.Data = []ExternalSecretData{
		{SecretKey: "password", RemoteRef: RemoteReference{Key: key, Property: "password"}},
		{SecretKey: "username", RemoteRef: RemoteReference{Key: key, Property: "username"}},
	}
	if len(templates) > 0 {
		es.Spec.Target.Template = &ExternalSecretTemplate{EngineVersion: "v2", Data: templates}
	}
	return es
}

// storeResources are a store's requests and limits: its engine's, with
// the spec's resources over them.
func storeResources(ds *spec.DataStore, eng engine) (corev1.ResourceRequirements, error) {
	cpu, mem := eng.cpu, eng.mem
	if ds.Resources != nil {
		if ds.Resources.CPU != "" {
			cpu = ds.Resources.CPU
		}
		if ds.Resources.Memory != "" {
			mem = ds.Resources.Memory
		}
	}
	return resources(cpu, mem)
}

func statefulSet(c *Context, ds *spec.DataStore, eng engine, labels map[string]string) (*appsv1.StatefulSet, error) {
	res, err := storeResources(ds, eng)
	if err != nil {
		return nil, err
	}
	storage, err := quantity(ds.Storage)
	if err != nil {
		return nil, err
	}
	port := spec.DataPorts[ds.Type]
	mounts := []corev1.VolumeMount{
		{Name: "data", MountPath: eng.dataPath},
		{Name: "credentials", MountPath: eng.secretsDir, ReadOnly: true},
	}
	volumes := []corev1.Volume{{Name: "credentials", VolumeSource: corev1.VolumeSource{
		Secret: &corev1.SecretVolumeSource{SecretName: CredentialsSecret(ds.Name), DefaultMode: ptr(int32(0o440))},
	}}}
	for i, dir := range eng.scratch {
		name := fmt.Sprintf("scratch-%d", i)
		mounts = append(mounts, corev1.VolumeMount{Name: name, MountPath: dir})
		volumes = append(volumes, corev1.Volume{Name: name, VolumeSource: corev1.VolumeSource{
			EmptyDir: &corev1.EmptyDirVolumeSource{SizeLimit: ptr(resource.MustParse("256Mi"))},
		}})
	}
	var env []corev1.EnvVar
	if eng.env != nil {
		env = eng.env(ds)
	}
	tcp := &corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromString(string(ds.Type))}}
	podLabels := map[string]string{}
	for k, v := range labels {
		podLabels[k] = v
	}
	if v := imageref.Parse(ds.Image).Tag; v != "" && len(v) <= 63 {
		podLabels[LabelVersion] = v
	}
	container := corev1.Container{
		Name: string(ds.Type), Image: ds.Image, ImagePullPolicy: pullPolicy,
		Command: eng.command, Args: eng.args, Env: env,
		Ports:                    append([]corev1.ContainerPort{{Name: string(ds.Type), ContainerPort: port, Protocol: corev1.ProtocolTCP}}, eng.extraPorts...),
		Resources:                res,
		SecurityContext:          restrictedContainer(),
		ReadinessProbe:           &corev1.Probe{ProbeHandler: *eng.ready, PeriodSeconds: orDefault(eng.readyPeriod, 10), TimeoutSeconds: orDefault(eng.readyTimeout, 5), FailureThreshold: 3, SuccessThreshold: 1},
		LivenessProbe:            &corev1.Probe{ProbeHandler: *tcp, PeriodSeconds: 20, TimeoutSeconds: 5, FailureThreshold: 6, SuccessThreshold: 1},
		StartupProbe:             &corev1.Probe{ProbeHandler: *tcp, PeriodSeconds: 5, TimeoutSeconds: 5, FailureThreshold: 60, SuccessThreshold: 1},
		VolumeMounts:             mounts,
		TerminationMessagePolicy: corev1.TerminationMessageFallbackToLogsOnError,
	}
	if c.metricsOn() {
		if ds.Type == spec.DataRabbitMQ {
			container.Ports = append(container.Ports, corev1.ContainerPort{Name: "metrics", ContainerPort: exporters[ds.Type].port, Protocol: corev1.ProtocolTCP})
		}
	}
	containers := []corev1.Container{container}
	if c.metricsOn() {
		ex, err := exporterContainer(c.P, ds)
		if err != nil {
			return nil, err
		}
		if ex != nil {
			ex.VolumeMounts = []corev1.VolumeMount{{Name: "credentials", MountPath: credsDir, ReadOnly: true}}
			containers = append(containers, *ex)
		}
	}
	pod := corev1.PodSpec{
		PriorityClassName:            c.PriorityClassName(PriorityPlatform),
		ServiceAccountName:           ds.Name,
		AutomountServiceAccountToken: ptr(false),
		EnableServiceLinks:           ptr(false),
		// Databases flush on SIGTERM; give them time to shut down cleanly.
		TerminationGracePeriodSeconds: ptr(int64(120)),
		SecurityContext:               eng.podSecurity(),
		Containers:                    containers,
		Volumes:                       volumes,
		TopologySpreadConstraints:     spread(map[string]string{LabelName: ds.Name}, false),
	}
	// Stateful pods never run on spot capacity.
	if c.Env != nil && c.Env.Region != "" {
		pod.Affinity = regionAffinity(c.Env.Region)
	}
	pvc := corev1.PersistentVolumeClaim{
		ObjectMeta: metav1.ObjectMeta{Name: "data", Labels: map[string]string{LabelName: ds.Name}},
		Spec: corev1.PersistentVolumeClaimSpec{
			AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			Resources:   corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: storage}},
		},
	}
	if ds.StorageClass != "" {
		pvc.Spec.StorageClassName = ptr(ds.StorageClass)
	}
	meta := metav1.ObjectMeta{Name: ds.Name, Namespace: c.NS("data"), Labels: labels}
	ignoreRule(&meta, RuleReplicasBelowMinimum, "a single-primary data store; replication and failover come from an operator or a managed service (mode: managed)")
	return &appsv1.StatefulSet{
		TypeMeta:   typeStatefulSet,
		ObjectMeta: meta,
		Spec: appsv1.StatefulSetSpec{
			Replicas:             ptr(int32(1)),
			ServiceName:          ds.Name,
			Selector:             &metav1.LabelSelector{MatchLabels: map[string]string{LabelName: ds.Name}},
			PodManagementPolicy:  appsv1.OrderedReadyPodManagement,
			RevisionHistoryLimit: ptr(int32(5)),
			UpdateStrategy:       appsv1.StatefulSetUpdateStrategy{Type: appsv1.RollingUpdateStatefulSetStrategyType},
			PersistentVolumeClaimRetentionPolicy: &appsv1.StatefulSetPersistentVolumeClaimRetentionPolicy{
				// Deleting or scaling the StatefulSet must never delete data.
				WhenDeleted: appsv1.RetainPersistentVolumeClaimRetentionPolicyType,
				WhenScaled:  appsv1.RetainPersistentVolumeClaimRetentionPolicyType,
			},
			Template:             corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: podLabels}, Spec: pod},
			VolumeClaimTemplates: []corev1.PersistentVolumeClaim{pvc},
		},
	}, nil
}

// storeServicePorts are the client port and, with metrics, the exporter's.
func storeServicePorts(c *Context, ds *spec.DataStore) []corev1.ServicePort {
	ports := []corev1.ServicePort{{Name: string(ds.Type), Port: spec.DataPorts[ds.Type], TargetPort: intstr.FromString(string(ds.Type)),
		Protocol: corev1.ProtocolTCP}}
	if c.metricsOn() {
		ports = append(ports, corev1.ServicePort{Name: "metrics", Port: exporters[ds.Type].port, TargetPort: intstr.FromString("metrics"),
			Protocol: corev1.ProtocolTCP})
	}
	return ports
}

func mergeTemplates(a, b map[string]string) map[string]string {
	if len(a) == 0 && len(b) == 0 {
		return nil
	}
	out := map[string]string{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		if _, ok := out[k]; !ok {
			out[k] = v
		}
	}
	return out
}

func orDefault(v, d int32) int32 {
	if v == 0 {
		return d
	}
	return v
}

// podSecurity runs an engine's pods (and its backup jobs) as its UID, with
// the volumes' group as fsGroup so the data directory is writable to it;
// OnRootMismatch changes the ownership once, not at every start.
func (eng engine) podSecurity() *corev1.PodSecurityContext {
	return &corev1.PodSecurityContext{
		RunAsNonRoot: ptr(true), RunAsUser: ptr(eng.uid), RunAsGroup: ptr(eng.uid), FSGroup: ptr(eng.uid),
		FSGroupChangePolicy: ptr(corev1.FSGroupChangeOnRootMismatch),
		SeccompProfile:      &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
	}
}
