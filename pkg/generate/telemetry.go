package generate

import (
	"fmt"
	"strconv"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/platformctl/platformctl/pkg/imageref"
	"github.com/platformctl/platformctl/pkg/spec"
)

// Collector is the OpenTelemetry Collector every service sends traces to.
const (
	Collector         = "otel-collector"
	CollectorOTLPGRPC = 4317
	CollectorOTLPHTTP = 4318
	collectorHealth   = 13133
	collectorUID      = 10001
)

var typeConfigMap = metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"}

// CollectorEndpoint is the OTLP/gRPC address services export to.
func (c *Context) CollectorEndpoint() string {
	return fmt.Sprintf("http://%s.%s.svc.cluster.local:%d", Collector, c.NS("observability"), CollectorOTLPGRPC)
}

// The OpenTelemetry variables whose values name the environment or a
// namespace.
const (
	EnvOTLPEndpoint           = "OTEL_EXPORTER_OTLP_ENDPOINT"
	EnvOTELResourceAttributes = "OTEL_RESOURCE_ATTRIBUTES"
)

// otelEnv are the OpenTelemetry SDK settings of one container: the standard
// OTEL_* variables every SDK reads, so no code change is needed to export.
func otelEnv(c *Context, svc *spec.Service, image string) []corev1.EnvVar {
	t := c.P.Spec.Observability.Tracing
	if t == nil {
		return nil
	}
	env := c.EnvName()
	if env == "" {
		env = string(c.Tier())
	}
	attrs := []string{"deployment.environment=" + env, "k8s.namespace.name=" + c.NS("apps")}
	if v := imageref.Parse(image).Tag; v != "" {
		attrs = append(attrs, "service.version="+v)
	}
	return []corev1.EnvVar{
		{Name: EnvOTLPEndpoint, Value: c.CollectorEndpoint()},
		{Name: "OTEL_EXPORTER_OTLP_PROTOCOL", Value: "grpc"},
		{Name: EnvOTELResourceAttributes, Value: strings.Join(attrs, ",")},
		{Name: "OTEL_SERVICE_NAME", Value: svc.Name},
		{Name: "OTEL_TRACES_SAMPLER", Value: "parentbased_traceidratio"},
		{Name: "OTEL_TRACES_SAMPLER_ARG", Value: strconv.FormatFloat(t.SampleRatio, 'f', -1, 64)},
	}
}

// collectorEgress lets a service reach the collector, and nothing else there.
func collectorEgress(c *Context) networkingv1.NetworkPolicyEgressRule {
	return networkingv1.NetworkPolicyEgressRule{
		To: []networkingv1.NetworkPolicyPeer{{
			NamespaceSelector: c.areaSelector("observability"),
			PodSelector:       &metav1.LabelSelector{MatchLabels: map[string]string{LabelName: Collector}},
		}},
		Ports: []networkingv1.NetworkPolicyPort{tcpPort(CollectorOTLPGRPC)},
	}
}

func collectorConfig(t *spec.Tracing) string {
	exporter, pipeline := "  debug:\n    verbosity: basic\n", "debug"
	if t.Endpoint != "" {
		exporter, pipeline = fmt.Sprintf("  otlp:\n    endpoint: %s\n", t.Endpoint), "otlp"
	}
	return "extensions:\n  health_check:\n    endpoint: 0.0.0.0:13133\n" +
		"receivers:\n  otlp:\n    protocols:\n      grpc:\n        endpoint: 0.0.0.0:4317\n      http:\n        endpoint: 0.0.0.0:4318\n" +
		"processors:\n  memory_limiter:\n    check_interval: 1s\n    limit_percentage: 80\n    spike_limit_percentage: 20\n  batch: {}\n" +
		"exporters:\n" + exporter +
		"service:\n  extensions: [health_check]\n  pipelines:\n    traces:\n      receivers: [otlp]\n      processors: [memory_limiter, batch]\n      exporters: [" + pipeline + "]\n"
}

// telemetry renders the collector in the observability namespace when
// tracing is on: config, Deployment, Service, budget and a policy that
// admits the apps namespace on OTLP and lets the collector reach only the
// tracer's port.
func telemetry(c *Context) ([]Object, error) {
	t := c.P.Spec.Observability.Tracing
	if t == nil {
		return nil, nil
	}
	ns := c.NS("observability")
	labels := c.labels(Collector, "telemetry")
	src := "spec.observability.tracing"
	var out []Object
	add := func(kind string, obj any) {
		out = append(out, Object{ID: id("observability", kind, Collector), Area: "observability", Source: src, Obj: obj})
	}
	meta := func() metav1.ObjectMeta { return metav1.ObjectMeta{Name: Collector, Namespace: ns, Labels: labels} }
	add("ServiceAccount", &corev1.ServiceAccount{TypeMeta: typeServiceAccount, ObjectMeta: meta(), AutomountServiceAccountToken: ptr(false)})
	add("ConfigMap", &corev1.ConfigMap{TypeMeta: typeConfigMap, ObjectMeta: meta(), Data: map[string]string{"config.yaml": collectorConfig(t)}})

	strict := c.Tier() == spec.TierProduction || c.Tier() == spec.TierStaging
	replicas := int32(1)
	if strict {
		replicas = 2
	}
	res, err := resources("200m", "256Mi")
	if err != nil {
		return nil, err
	}
	sel := map[string]string{LabelName: Collector}
	podLabels := map[string]string{}
	for k, v := range labels {
		podLabels[k] = v
	}
	if v := imageref.Parse(t.CollectorImage).Tag; v != "" && len(v) <= 63 {
		podLabels[LabelVersion] = v
	}
	tcp := corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromString("otlp-grpc")}}
	dep := &appsv1.Deployment{
		TypeMeta: typeDeployment, ObjectMeta: meta(),
		Spec: appsv1.DeploymentSpec{
			Replicas:             ptr(replicas),
			Selector:             &metav1.LabelSelector{MatchLabels: sel},
			RevisionHistoryLimit: ptr(int32(5)),
			Strategy: appsv1.DeploymentStrategy{Type: appsv1.RollingUpdateDeploymentStrategyType,
				RollingUpdate: &appsv1.RollingUpdateDeployment{MaxUnavailable: ptr(intstr.FromInt32(0)), MaxSurge: ptr(intstr.FromString("25%"))}},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: podLabels},
				Spec: corev1.PodSpec{
					PriorityClassName:  c.PriorityClassName(PriorityPlatform),
					ServiceAccountName: Collector, AutomountServiceAccountToken: ptr(false), EnableServiceLinks: ptr(false),
					TerminationGracePeriodSeconds: ptr(int64(30)),
					SecurityContext: &corev1.PodSecurityContext{
						RunAsNonRoot: ptr(true), RunAsUser: ptr(int64(collectorUID)), RunAsGroup: ptr(int64(collectorUID)),
						SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
					},
					Containers: []corev1.Container{{
						Name: "collector", Image: t.CollectorImage, ImagePullPolicy: pullPolicy,
						Args: []string{"--config=/etc/otelcol/config.yaml"},
						Env:  []corev1.EnvVar{{Name: "GOMEMLIMIT", Value: "200MiB"}},
						Ports: []corev1.ContainerPort{
							{Name: "otlp-grpc", ContainerPort: CollectorOTLPGRPC, Protocol: corev1.ProtocolTCP},
							{Name: "otlp-http", ContainerPort: CollectorOTLPHTTP, Protocol: corev1.ProtocolTCP},
							{Name: "health", ContainerPort: collectorHealth, Protocol: corev1.ProtocolTCP},
						},
						Resources:       res,
						SecurityContext: restrictedContainer(),
						ReadinessProbe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{
							Path: "/", Port: intstr.FromString("health"), Scheme: corev1.URISchemeHTTP}},
							PeriodSeconds: 5, TimeoutSeconds: 2, FailureThreshold: 3, SuccessThreshold: 1},
						LivenessProbe: &corev1.Probe{ProbeHandler: tcp, PeriodSeconds: 10, TimeoutSeconds: 2, FailureThreshold: 3, SuccessThreshold: 1},
						StartupProbe:  &corev1.Probe{ProbeHandler: tcp, PeriodSeconds: 2, TimeoutSeconds: 2, FailureThreshold: 30, SuccessThreshold: 1},
						VolumeMounts: []corev1.VolumeMount{
							{Name: "config", MountPath: "/etc/otelcol", ReadOnly: true},
							{Name: "tmp", MountPath: "/tmp"},
						},
						TerminationMessagePolicy: corev1.TerminationMessageFallbackToLogsOnError,
					}},
					Volumes: []corev1.Volume{
						{Name: "config", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
							LocalObjectReference: corev1.LocalObjectReference{Name: Collector}}}},
						{Name: "tmp", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{SizeLimit: ptr(resource.MustParse("64Mi"))}}},
					},
					TopologySpreadConstraints: spread(sel, false),
				},
			},
		},
	}
	if !strict {
		ignoreRule(&dep.ObjectMeta, RuleReplicasBelowMinimum, fmt.Sprintf("the %s tier runs one replica by design (platformctl tier defaults)", c.Tier()))
	}
	add("Deployment", dep)
	add("Service", &corev1.Service{
		TypeMeta: typeService, ObjectMeta: meta(),
		Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeClusterIP, Selector: sel, Ports: []corev1.ServicePort{
			{Name: "otlp-grpc", Port: CollectorOTLPGRPC, TargetPort: intstr.FromString("otlp-grpc"), Protocol: corev1.ProtocolTCP, AppProtocol: ptr("grpc")},
			{Name: "otlp-http", Port: CollectorOTLPHTTP, TargetPort: intstr.FromString("otlp-http"), Protocol: corev1.ProtocolTCP, AppProtocol: ptr("http")},
		}},
	})
	if strict {
		add("PodDisruptionBudget", &policyv1.PodDisruptionBudget{
			TypeMeta: typePDB, ObjectMeta: meta(),
			Spec: policyv1.PodDisruptionBudgetSpec{
				MaxUnavailable: ptr(intstr.FromInt32(1)), Selector: &metav1.LabelSelector{MatchLabels: sel},
				UnhealthyPodEvictionPolicy: ptr(policyv1.AlwaysAllow),
			},
		})
	}
	np := workloadPolicy(c, "observability", Collector)
	np.Spec.Ingress = append(np.Spec.Ingress, networkingv1.NetworkPolicyIngressRule{
		From:  []networkingv1.NetworkPolicyPeer{{NamespaceSelector: c.areaSelector("apps")}},
		Ports: []networkingv1.NetworkPolicyPort{tcpPort(CollectorOTLPGRPC), tcpPort(CollectorOTLPHTTP)},
	})
	if t.Endpoint != "" {
		_, port := endpointPort(&spec.DataStore{Endpoint: t.Endpoint})
		np.Spec.Egress = append(np.Spec.Egress, networkingv1.NetworkPolicyEgressRule{
			To:    []networkingv1.NetworkPolicyPeer{{IPBlock: &networkingv1.IPBlock{CIDR: "0.0.0.0/0"}}},
			Ports: []networkingv1.NetworkPolicyPort{tcpPort(port)},
		})
	}
	add("NetworkPolicy", np)
	return out, nil
}
