package generate

import (
	"fmt"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/platformctl/platformctl/pkg/imageref"
	"github.com/platformctl/platformctl/pkg/spec"
)

// LogAgent is the OpenTelemetry Collector DaemonSet that ships every pod's
// logs (spec.observability.logs).
const (
	LogAgent = "log-agent"
	// PodLogDir is where the container runtime writes pod logs on a node:
	// <namespace>_<pod>_<uid>/<container>/<restart>.log.
	PodLogDir = "/var/log/pods"
	// RuleHostPathVolume is the lint rule the agent's one hostPath opts out of.
	RuleHostPathVolume = "host-path-volume"
	// RuleAutomountToken is the lint rule a pod that calls the API opts out of.
	RuleAutomountToken = "automount-service-account-token"
)

var (
	typeDaemonSet          = metav1.TypeMeta{APIVersion: "apps/v1", Kind: "DaemonSet"}
	typeClusterRole        = metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "ClusterRole"}
	typeClusterRoleBinding = metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "ClusterRoleBinding"}
)

// logAgentConfig tails the log files of this environment's namespaces only
// (environments that share a cluster each run an agent, and none ships
// another's logs), not the agent's own (its export errors would feed
// themselves), parses the runtime's log format (the container operator:
// containerd, CRI-O and Docker's JSON), and labels each record through
// k8sattributes with the pod's environment (the overlay's
// platformctl.dev/environment label), namespace, app and version labels.
// Without persistent offsets an agent that restarts starts at the end of
// each file: it may miss what was written while it was down, but never
// ships a file twice.
func logAgentConfig(c *Context, l *spec.Logs) string {
	var include strings.Builder
	for _, area := range spec.Areas {
		fmt.Fprintf(&include, "      - %s/%s_*/*/*.log\n", PodLogDir, c.NS(area))
	}
	return "extensions:\n  health_check:\n    endpoint: 0.0.0.0:13133\n" +
		"receivers:\n  filelog:\n    include:\n" + include.String() +
		fmt.Sprintf("    exclude:\n      - %s/%s_%s-*/*/*.log\n", PodLogDir, c.NS("observability"), LogAgent) +
		"    start_at: end\n    include_file_path: true\n    include_file_name: false\n" +
		"    operators:\n      - type: container\n        id: container-parser\n" +
		"processors:\n  memory_limiter:\n    check_interval: 1s\n    limit_percentage: 80\n    spike_limit_percentage: 20\n" +
		"  k8sattributes:\n    auth_type: serviceAccount\n    filter:\n      node_from_env_var: K8S_NODE_NAME\n" +
		"    pod_association:\n      - sources:\n          - from: resource_attribute\n            name: k8s.pod.uid\n" +
		"    extract:\n      metadata: [k8s.namespace.name, k8s.pod.name, k8s.pod.uid, k8s.node.name, k8s.deployment.name, k8s.statefulset.name, k8s.daemonset.name, k8s.cronjob.name, k8s.job.name]\n" +
		"      labels:\n" +
		"        - {tag_name: deployment.environment, key: " + LabelEnvironment + ", from: pod}\n" +
		"        - {tag_name: app, key: " + LabelName + ", from: pod}\n" +
		"        - {tag_name: service.name, key: " + LabelName + ", from: pod}\n" +
		"        - {tag_name: service.version, key: " + LabelVersion + ", from: pod}\n" +
		"  batch: {}\n" +
		"exporters:\n  otlp:\n    endpoint: " + l.Endpoint + "\n" +
		"service:\n  extensions: [health_check]\n  pipelines:\n    logs:\n      receivers: [filelog]\n      processors: [memory_limiter, k8sattributes, batch]\n      exporters: [otlp]\n"
}

// logAgent renders the log agent in the observability namespace when
// spec.observability.logs is set: its ServiceAccount with a ClusterRole to
// read what k8sattributes labels records with, its config, the DaemonSet
// and its NetworkPolicy.
//
// The DaemonSet is the one workload platformctl renders with a hostPath:
// PodLogDir only, read-only, type Directory, in the observability
// namespace, which then enforces privileged (no other Pod Security level
// admits a hostPath; see namespaces); it carries the host-path-volume
// ignore annotation with that reason. It runs as UID 10001, non-root, with
// supplementary group 0: containerd and CRI-O (conmon 2.1.13 on) write log
// files 0640 root:root, so group read is all it needs — no root, no
// capability.
func logAgent(c *Context) ([]Object, error) {
	l := c.P.Spec.Observability.Logs
	if l == nil {
		return nil, nil
	}
	ns := c.NS("observability")
	labels := c.labels(LogAgent, "telemetry")
	src := "spec.observability.logs"
	var out []Object
	add := func(kind, name string, obj any) {
		out = append(out, Object{ID: id("observability", kind, name), Area: "observability", Source: src, Obj: obj})
	}
	meta := func() metav1.ObjectMeta { return metav1.ObjectMeta{Name: LogAgent, Namespace: ns, Labels: labels} }
	add("ServiceAccount", LogAgent, &corev1.ServiceAccount{TypeMeta: typeServiceAccount, ObjectMeta: meta()})
	// Cluster-wide: the agent labels the records of pods in every
	// namespace of the environment; read-only, and only what k8sattributes
	// reads (replicasets name a pod's Deployment).
	role := c.ClusterName(LogAgent)
	add("ClusterRole", LogAgent, &rbacv1.ClusterRole{
		TypeMeta: typeClusterRole, ObjectMeta: metav1.ObjectMeta{Name: role, Labels: labels},
		Rules: []rbacv1.PolicyRule{
			{APIGroups: []string{""}, Resources: []string{"namespaces", "pods"}, Verbs: []string{"get", "list", "watch"}},
			{APIGroups: []string{"apps"}, Resources: []string{"replicasets"}, Verbs: []string{"get", "list", "watch"}},
		},
	})
	add("ClusterRoleBinding", LogAgent, &rbacv1.ClusterRoleBinding{
		TypeMeta: typeClusterRoleBinding, ObjectMeta: metav1.ObjectMeta{Name: role, Labels: labels},
		RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role},
		Subjects: []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Name: LogAgent, Namespace: ns}},
	})
	add("ConfigMap", LogAgent, &corev1.ConfigMap{TypeMeta: typeConfigMap, ObjectMeta: meta(), Data: map[string]string{"config.yaml": logAgentConfig(c, l)}})

	res, err := resources("100m", "256Mi")
	if err != nil {
		return nil, err
	}
	sel := map[string]string{LabelName: LogAgent}
	podLabels := map[string]string{}
	for k, v := range labels {
		podLabels[k] = v
	}
	if v := imageref.Parse(l.AgentImage).Tag; v != "" && len(v) <= 63 {
		podLabels[LabelVersion] = v
	}
	health := corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/", Port: intstr.FromString("health"), Scheme: corev1.URISchemeHTTP}}
	ds := &appsv1.DaemonSet{
		TypeMeta: typeDaemonSet, ObjectMeta: meta(),
		Spec: appsv1.DaemonSetSpec{
			Selector:             &metav1.LabelSelector{MatchLabels: sel},
			RevisionHistoryLimit: ptr(int32(5)),
			UpdateStrategy: appsv1.DaemonSetUpdateStrategy{Type: appsv1.RollingUpdateDaemonSetStrategyType,
				RollingUpdate: &appsv1.RollingUpdateDaemonSet{MaxUnavailable: ptr(intstr.FromInt32(1))}},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: podLabels},
				Spec: corev1.PodSpec{
					PriorityClassName:  c.PriorityClassName(PriorityPlatform),
					ServiceAccountName: LogAgent, AutomountServiceAccountToken: ptr(true), EnableServiceLinks: ptr(false),
					TerminationGracePeriodSeconds: ptr(int64(30)),
					SecurityContext: &corev1.PodSecurityContext{
						RunAsNonRoot: ptr(true), RunAsUser: ptr(int64(collectorUID)), RunAsGroup: ptr(int64(collectorUID)),
						SupplementalGroups: []int64{0},
						SeccompProfile:     &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
					},
					// Every node's pods log, tainted pools (spot, GPU) included.
					Tolerations: []corev1.Toleration{{Operator: corev1.TolerationOpExists}},
					Containers: []corev1.Container{{
						Name: "agent", Image: l.AgentImage, ImagePullPolicy: pullPolicy,
						Args: []string{"--config=/etc/otelcol/config.yaml"},
						Env: []corev1.EnvVar{
							{Name: "GOMEMLIMIT", Value: "200MiB"},
							{Name: "K8S_NODE_NAME", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{APIVersion: "v1", FieldPath: "spec.nodeName"}}},
						},
						Ports:           []corev1.ContainerPort{{Name: "health", ContainerPort: collectorHealth, Protocol: corev1.ProtocolTCP}},
						Resources:       res,
						SecurityContext: restrictedContainer(),
						ReadinessProbe:  &corev1.Probe{ProbeHandler: health, PeriodSeconds: 10, TimeoutSeconds: 2, FailureThreshold: 3, SuccessThreshold: 1},
						LivenessProbe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromString("health")}},
							PeriodSeconds: 20, TimeoutSeconds: 2, FailureThreshold: 3, SuccessThreshold: 1},
						StartupProbe: &corev1.Probe{ProbeHandler: health, PeriodSeconds: 2, TimeoutSeconds: 2, FailureThreshold: 30, SuccessThreshold: 1},
						VolumeMounts: []corev1.VolumeMount{
							{Name: "config", MountPath: "/etc/otelcol", ReadOnly: true},
							{Name: "pod-logs", MountPath: PodLogDir, ReadOnly: true},
							{Name: "tmp", MountPath: "/tmp"},
						},
						TerminationMessagePolicy: corev1.TerminationMessageFallbackToLogsOnError,
					}},
					Volumes: []corev1.Volume{
						{Name: "config", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
							LocalObjectReference: corev1.LocalObjectReference{Name: LogAgent}}}},
						{Name: "pod-logs", VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{
							Path: PodLogDir, Type: ptr(corev1.HostPathDirectory)}}},
						{Name: "tmp", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{SizeLimit: ptr(resource.MustParse("64Mi"))}}},
					},
				},
			},
		},
	}
	ignoreRule(&ds.ObjectMeta, RuleHostPathVolume, "the log agent reads the node's pod logs: "+PodLogDir+" only, read-only, in the observability namespace alone")
	ignoreRule(&ds.ObjectMeta, RuleAutomountToken, "k8sattributes reads pods, namespaces and replicasets from the API to label each record")
	add("DaemonSet", LogAgent, ds)

	// No ingress (the kubelet's probes are not subject to policies); egress
	// to the API server (k8sattributes) and the log endpoint's port.
	np := workloadPolicy(c, "observability", LogAgent)
	_, port := endpointPort(&spec.DataStore{Endpoint: l.Endpoint})
	np.Spec.Egress = append(np.Spec.Egress, apiServerEgress(), networkingv1.NetworkPolicyEgressRule{
		To:    []networkingv1.NetworkPolicyPeer{{IPBlock: &networkingv1.IPBlock{CIDR: "0.0.0.0/0"}}},
		Ports: []networkingv1.NetworkPolicyPort{tcpPort(port)},
	})
	add("NetworkPolicy", LogAgent, np)
	if cnp := apiServerPolicy(c, np); cnp != nil {
		add("CiliumNetworkPolicy", cnp.Name, cnp)
	}
	return out, nil
}
