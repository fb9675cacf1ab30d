package generate

import (
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/platformctl/platformctl/pkg/spec"
)

// The document store (type ferretdb): MongoDB drivers speak to FerretDB
// v2, a stateless proxy, which stores the documents in PostgreSQL with
// Microsoft's DocumentDB extension. Its PostgreSQL is a CloudNativePG
// Cluster named after the store (cnpgObjects: replicated, failed over,
// WAL archived and backed up like a postgres store's), on FerretDB's
// DocumentDB image; FerretDB runs as the Deployment <store>-ferretdb
// behind the Service <store>, which the bindings name. Chosen over the
// MongoDB community operator, archived upstream, whose server is under
// the SSPL: the data layer stays one engine, with one operator, one
// backup path and one set of alerts.

// FerretDB's ports: the MongoDB protocol, and its debug handlers
// (metrics, probes).
const (
	FerretDBDebugPort = 8088
	ferretDBURLFile   = "postgresql-url"
)

// FerretDBProxy names a ferretdb store's FerretDB Deployment and pods.
func FerretDBProxy(ds string) string { return ds + "-ferretdb" }

// ferretDBReplicas are FerretDB's pods: stateless, two so that one can be
// drained or fail.
const ferretDBReplicas = 2

// documentDB configures a ferretdb store's Cluster for the DocumentDB
// extension, as the image's own entrypoint scripts would (CloudNativePG
// runs none of them): the libraries loaded at start, pg_cron's database
// (the extension's jobs run in the application database, which CREATE
// EXTENSION documentdb CASCADE gives pg_cron), the extension created and
// its administrator role granted to the application's owner (FerretDB
// connects as that owner, not as a superuser), and loopback connections
// trusted: DocumentDB runs its DDL over a libpq connection to the same
// server with no password, which CloudNativePG's scram-sha-256 rules
// would refuse.
func documentDB(ds *spec.DataStore, cl *CNPGCluster) {
	cl.Spec.PostgreSQL = &CNPGPostgresConfiguration{
		SharedPreloadLibraries: []string{"pg_cron", "pg_documentdb_core", "pg_documentdb"},
		Parameters: map[string]string{
			"cron.database_name": dbName(ds),
			// FerretDB's createUser, dropUser and usersInfo go through
			// DocumentDB's user management.
			"documentdb.enableUserCrud": "true",
			"documentdb.maxUserLimit":   "100",
		},
		PgHBA: []string{"host all all 127.0.0.1/32 trust", "host all all ::1/128 trust"},
	}
	cl.Spec.Bootstrap.InitDB.PostInitApplicationSQL = []string{
		"CREATE EXTENSION IF NOT EXISTS documentdb CASCADE",
		"GRANT documentdb_admin_role TO " + dbName(ds),
	}
}

// ferretDBProxy renders a ferretdb store's FerretDB: its ServiceAccount,
// the Secret holding its PostgreSQL URL, the Deployment, the Service its
// clients connect to, a budget and its NetworkPolicy.
func ferretDBProxy(c *Context, ds *spec.DataStore) ([]named, error) {
	ns := c.NS("data")
	name := FerretDBProxy(ds.Name)
	labels := c.labels(name, "ferretdb")
	sel := map[string]string{LabelName: name}
	sa := &corev1.ServiceAccount{
		TypeMeta: typeServiceAccount, ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: labels},
		AutomountServiceAccountToken: ptr(false),
	}
	// The URL is rendered from the store's password into a file, which
	// FerretDB reads (--postgresql-url-file): the password is never in
	// the pod spec or the environment. sslmode=require: CloudNativePG
	// serves TLS with a CA of its own.
	url := fmt.Sprintf("postgres://%s:{{ .password | urlquery }}@%s.%s.svc:5432/%s?sslmode=require",
		dbName(ds), RWService(ds.Name), ns, dbName(ds))
	es := credentialsSecret(c, ds, ns, name, map[string]string{ferretDBURLFile: url})
	res, err := resources("100m", "256Mi")
	if err != nil {
		return nil, err
	}
	probe := func(path string, period, failures int32) *corev1.Probe {
		return &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{
			Path: path, Port: intstr.FromString("metrics"), Scheme: corev1.URISchemeHTTP}},
			PeriodSeconds: period, TimeoutSeconds: 5, FailureThreshold: failures, SuccessThreshold: 1}
	}
	container := corev1.Container{
		Name: "ferretdb", Image: spec.ProxyImageOf(ds), ImagePullPolicy: pullPolicy,
		Args: []string{
			"--listen-addr=:" + fmt.Sprint(spec.DataPorts[ds.Type]),
			fmt.Sprintf("--debug-addr=:%d", FerretDBDebugPort),
			"--postgresql-url-file=" + SecretsDir + "/" + ferretDBURLFile,
			"--state-dir=/state",
			// No beacon to FerretDB's servers (its egress is closed anyway).
			"--telemetry=disable",
			"--log-format=json",
		},
		Ports: []corev1.ContainerPort{
			{Name: "mongodb", ContainerPort: spec.DataPorts[ds.Type], Protocol: corev1.ProtocolTCP},
			{Name: "metrics", ContainerPort: FerretDBDebugPort, Protocol: corev1.ProtocolTCP},
		},
		Resources:       res,
		SecurityContext: restrictedContainer(),
		// readyz fails while PostgreSQL does not answer; livez only when
		// FerretDB itself is stuck, so a database failover restarts nothing.
		ReadinessProbe: probe("/debug/readyz", 10, 3),
		LivenessProbe:  probe("/debug/livez", 20, 3),
		StartupProbe:   probe("/debug/livez", 2, 60),
		VolumeMounts: []corev1.VolumeMount{
			{Name: "url", MountPath: SecretsDir, ReadOnly: true},
			{Name: "state", MountPath: "/state"},
		},
		TerminationMessagePolicy: corev1.TerminationMessageFallbackToLogsOnError,
	}
	pod := corev1.PodSpec{
		PriorityClassName:            c.PriorityClassName(PriorityPlatform),
		ServiceAccountName:           name,
		AutomountServiceAccountToken: ptr(false),
		EnableServiceLinks:           ptr(false),
		SecurityContext:              engines[spec.DataPostgres].podSecurity(),
		Containers:                   []corev1.Container{container},
		Volumes: []corev1.Volume{
			{Name: "url", VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: name, DefaultMode: ptr(int32(0o440))}}},
			{Name: "state", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{SizeLimit: ptr(resource.MustParse("64Mi"))}}},
		},
		TopologySpreadConstraints: spread(sel, false),
	}
	if c.Env != nil && c.Env.Region != "" {
		pod.Affinity = regionAffinity(c.Env.Region)
	}
	dep := &appsv1.Deployment{
		TypeMeta:   typeDeployment,
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: labels},
		Spec: appsv1.DeploymentSpec{
			Replicas:             ptr(int32(ferretDBReplicas)),
			Selector:             &metav1.LabelSelector{MatchLabels: sel},
			RevisionHistoryLimit: ptr(int32(5)),
			Strategy: appsv1.DeploymentStrategy{Type: appsv1.RollingUpdateDeploymentStrategyType, RollingUpdate: &appsv1.RollingUpdateDeployment{
				MaxUnavailable: ptr(intstr.FromInt32(0)), MaxSurge: ptr(intstr.FromInt32(1))}},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels}, Spec: pod},
		},
	}
	svc := &corev1.Service{
		TypeMeta:   typeService,
		ObjectMeta: metav1.ObjectMeta{Name: ds.Name, Namespace: ns, Labels: c.labels(ds.Name, string(ds.Type))},
		Spec: corev1.ServiceSpec{
			Selector: sel,
			Ports: []corev1.ServicePort{
				{Name: "mongodb", Port: spec.DataPorts[ds.Type], TargetPort: intstr.FromString("mongodb"), Protocol: corev1.ProtocolTCP},
				{Name: "metrics", Port: FerretDBDebugPort, TargetPort: intstr.FromString("metrics"), Protocol: corev1.ProtocolTCP},
			},
		},
	}
	pdb := &policyv1.PodDisruptionBudget{
		TypeMeta:   typePDB,
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: labels},
		Spec: policyv1.PodDisruptionBudgetSpec{
			MaxUnavailable:             ptr(intstr.FromInt32(1)),
			Selector:                   &metav1.LabelSelector{MatchLabels: sel},
			UnhealthyPodEvictionPolicy: ptr(policyv1.AlwaysAllow),
		},
	}
	// Its consumers and Prometheus reach it; it reaches its PostgreSQL.
	np := workloadPolicy(c, "data", name)
	np.Spec.Ingress = append(np.Spec.Ingress, consumerIngress(c, consumers(c.P, ds.Name), spec.DataPorts[ds.Type])...)
	if c.metricsOn() {
		np.Spec.Ingress = append(np.Spec.Ingress, scrapeIngress(c, FerretDBDebugPort))
	}
	np.Spec.Egress = append(np.Spec.Egress, networkingv1.NetworkPolicyEgressRule{
		To: []networkingv1.NetworkPolicyPeer{namePeer(ds.Name)}, Ports: []networkingv1.NetworkPolicyPort{tcpPort(spec.DataPorts[spec.DataPostgres])}})
	return []named{
		{"ServiceAccount", name, sa},
		{"ExternalSecret", name, es},
		{"Deployment", name, dep},
		{"Service", ds.Name, svc},
		{"PodDisruptionBudget", name, pdb},
		{"NetworkPolicy", name, np},
	}, nil
}
