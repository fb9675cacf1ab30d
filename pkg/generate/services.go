package generate

import (
	"fmt"
	"sort"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/platformctl/platformctl/pkg/imageref"
	"github.com/platformctl/platformctl/pkg/spec"
)

var (
	typeDeployment     = metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"}
	typeService        = metav1.TypeMeta{APIVersion: "v1", Kind: "Service"}
	typeServiceAccount = metav1.TypeMeta{APIVersion: "v1", Kind: "ServiceAccount"}
	typeHPA            = metav1.TypeMeta{APIVersion: "autoscaling/v2", Kind: "HorizontalPodAutoscaler"}
	typePDB            = metav1.TypeMeta{APIVersion: "policy/v1", Kind: "PodDisruptionBudget"}
)

// Track values separate stable pods from canary pods, so each has a Service.
const (
	TrackStable = "stable"
	TrackCanary = "canary"
)

// SecretsDir is where a service's secrets are mounted, one file per key.
const SecretsDir = "/var/run/secrets/platformctl"

// SecretName is the Secret an ExternalSecret materialises for a service.
func SecretName(svc string) string { return svc + "-secrets" }

// PortName is the named container port of a service.
func PortName(svc *spec.Service) string { return spec.PortName(svc.Protocol) }

func services(c *Context) ([]Object, error) {
	var out []Object
	for i := range c.P.Spec.Services {
		svc := &c.P.Spec.Services[i]
		objs, err := serviceObjects(c, svc, fmt.Sprintf("spec.services[%d]", i))
		if err != nil {
			return nil, fmt.Errorf("service %s: %w", svc.Name, err)
		}
		out = append(out, objs...)
	}
	return out, nil
}

func serviceObjects(c *Context, svc *spec.Service, src string) ([]Object, error) {
	ns := c.NS("apps")
	plan := spec.Resolve(svc, c.Env)
	if err := checkEnv(c, svc, plan, src); err != nil {
		return nil, err
	}
	component := string(svc.Kind)
	add := func(kind, name string, obj any) Object {
		return Object{ID: id("apps", kind, name), Area: "apps", Source: src, Obj: obj}
	}
	sa := &corev1.ServiceAccount{
		TypeMeta:   typeServiceAccount,
		ObjectMeta: metav1.ObjectMeta{Name: svc.Name, Namespace: ns, Labels: c.labels(svc.Name, component)},
		// Pods that need the API opt in through a projected token; none of
		// ours do, and workload identity projects a token of its own.
		AutomountServiceAccountToken: ptr(false),
	}
	identityServiceAccount(spec.IdentityIn(svc, c.Env), sa)
	out := []Object{add("ServiceAccount", svc.Name, sa)}
	// The config every pod of the service mounts: the Deployments', the
	// CronJob's and the migration Job's (see deployment).
	if cfg, err := configFor(c, svc); err != nil {
		return nil, err
	} else if cfg != nil {
		out = append(out, configObject(svc, cfg, src))
	}
	if svc.Kind == spec.KindCronJob {
		cj, err := serviceCronJob(c, svc, plan)
		if err != nil {
			return nil, err
		}
		return append(out, add("CronJob", svc.Name, cj), add("NetworkPolicy", svc.Name, servicePolicy(c, svc))), nil
	}
	dep, err := deployment(c, svc, plan, TrackStable, plan.Image)
	if err != nil {
		return nil, err
	}
	if svc.Delivery != nil {
		out = append(out, add("Rollout", svc.Name, rollout(c, svc, dep)))
	} else {
		out = append(out, add("Deployment", svc.Name, dep))
	}
	if svc.Kind == spec.KindServer {
		out = append(out, add("Service", svc.Name, service(c, svc, svc.Name, TrackStable)))
	}
	if svc.Delivery != nil && svc.Delivery.Strategy == spec.DeliveryBlueGreen {
		out = append(out, add("Service", PreviewService(svc.Name), previewService(c, svc)))
	}
	if analyzed(c, svc) {
		out = append(out, add("AnalysisTemplate", svc.Name, analysisTemplate(c, svc)))
	}
	if svc.Canary != nil {
		cplan := plan
		cplan.HPA = nil
		cplan.Replicas = 1
		canary, err := deployment(c, svc, cplan, TrackCanary, svc.Canary.Image)
		if err != nil {
			return nil, err
		}
		out = append(out,
			add("Deployment", svc.Name+"-canary", canary),
			add("Service", svc.Name+"-canary", service(c, svc, svc.Name+"-canary", TrackCanary)))
	}
	if plan.HPA != nil {
		out = append(out, add("HorizontalPodAutoscaler", svc.Name, hpa(c, svc, plan)))
	}
	if plan.PDB {
		out = append(out, add("PodDisruptionBudget", svc.Name, &policyv1.PodDisruptionBudget{
			TypeMeta:   typePDB,
			ObjectMeta: metav1.ObjectMeta{Name: svc.Name, Namespace: ns, Labels: c.labels(svc.Name, component)},
			Spec: policyv1.PodDisruptionBudgetSpec{
				MaxUnavailable: ptr(intstr.FromInt32(1)),
				Selector:       &metav1.LabelSelector{MatchLabels: selector(svc.Name, TrackStable)},
				// Pods that never became ready must not block a node drain.
				UnhealthyPodEvictionPolicy: ptr(policyv1.AlwaysAllow),
			},
		}))
	}
	out = append(out, add("NetworkPolicy", svc.Name, servicePolicy(c, svc)))
	return migrationObjects(c, svc, plan, src, out)
}

func selector(name, track string) map[string]string {
	return map[string]string{LabelName: name, LabelTrack: track}
}

func quantity(s string) (resource.Quantity, error) {
	q, err := resource.ParseQuantity(s)
	if err != nil {
		return q, fmt.Errorf("quantity %q: %w", s, err)
	}
	return q, nil
}

func resources(cpu, memory string) (corev1.ResourceRequirements, error) {
	c, err := quantity(cpu)
	if err != nil {
		return corev1.ResourceRequirements{}, err
	}
	m, err := quantity(memory)
	if err != nil {
		return corev1.ResourceRequirements{}, err
	}
	// CPU may burst to twice its request; memory is not compressible, so its
	// limit equals the request and the scheduler's promise holds.
	cl := c.DeepCopy()
	cl.Add(c)
	return corev1.ResourceRequirements{
		Requests: corev1.ResourceList{
			corev1.ResourceCPU:              c,
			corev1.ResourceMemory:           m,
			corev1.ResourceEphemeralStorage: resource.MustParse(EphemeralStorageRequest),
		},
		Limits: corev1.ResourceList{
			corev1.ResourceCPU:              cl,
			corev1.ResourceMemory:           m,
			corev1.ResourceEphemeralStorage: resource.MustParse(EphemeralStorageLimit),
		},
	}, nil
}

func deployment(c *Context, svc *spec.Service, plan spec.Plan, track, image string) (*appsv1.Deployment, error) {
	name := svc.Name
	if track == TrackCanary {
		name += "-canary"
	}
	res, err := resources(plan.CPU, plan.Memory)
	if err != nil {
		return nil, err
	}
	if svc.GPUs > 0 {
		// Extended resources are requested and limited alike.
		gpus := *resource.NewQuantity(int64(svc.GPUs), resource.DecimalSI)
		res.Requests[spec.GPUResource] = gpus
		res.Limits[spec.GPUResource] = gpus
	}
	podLabels := addPodLabels(svc, c.labels(svc.Name, string(svc.Kind)))
	podLabels[LabelTrack] = track
	// A tag may be up to 128 characters, a label value only 63: an
	// unrepresentable version is left out rather than made invalid.
	if v := imageref.Parse(image).Tag; v != "" && len(validation.IsValidLabelValue(v)) == 0 {
		podLabels[LabelVersion] = v
	}
	depLabels := c.labels(svc.Name, string(svc.Kind))
	depLabels[LabelTrack] = track
	container := corev1.Container{
		Name:                     svc.Name,
		Image:                    image,
		ImagePullPolicy:          pullPolicy,
		Command:                  svc.Command,
		Args:                     svc.Args,
		Env:                      containerEnv(c, svc, plan, image),
		Resources:                res,
		SecurityContext:          restrictedContainer(),
		VolumeMounts:             []corev1.VolumeMount{{Name: TmpVolume, MountPath: "/tmp"}},
		TerminationMessagePolicy: corev1.TerminationMessageFallbackToLogsOnError,
	}
	ports := []corev1.ContainerPort{}
	if svc.Kind == spec.KindServer {
		ports = append(ports, corev1.ContainerPort{Name: PortName(svc), ContainerPort: svc.Port, Protocol: corev1.ProtocolTCP})
	}
	if svc.MetricsPort != svc.Port || svc.Kind == spec.KindWorker {
		ports = append(ports, corev1.ContainerPort{Name: spec.MetricsPortName, ContainerPort: svc.MetricsPort, Protocol: corev1.ProtocolTCP})
	}
	ports = append(ports, namedPorts(svc.Ports)...)
	container.Ports = ports
	probePort := svc.Port
	if svc.Kind == spec.KindWorker {
		probePort = svc.MetricsPort
	}
	container.ReadinessProbe = probe(svc, svc.Health.Readiness, probePort, ReadinessProbe.PeriodSeconds, ReadinessProbe.FailureThreshold)
	container.LivenessProbe = probe(svc, svc.Health.Liveness, probePort, LivenessProbe.PeriodSeconds, LivenessProbe.FailureThreshold)
	if svc.Protocol == spec.ProtocolGRPC && svc.Health.Liveness == "" && svc.Kind == spec.KindServer {
		// The gRPC health service reports serving status, which is what
		// readiness needs; liveness only asks whether the process still
		// accepts connections, so a dependency outage takes the pod out of
		// rotation without restarting it.
		container.LivenessProbe.GRPC = nil
		container.LivenessProbe.TCPSocket = &corev1.TCPSocketAction{Port: intstr.FromInt32(probePort)}
	}
	container.StartupProbe = probe(svc, svc.Health.Startup, probePort, StartupProbe.PeriodSeconds, StartupProbe.FailureThreshold)
	if container.LivenessProbe != nil && container.ReadinessProbe != nil && svc.Protocol != spec.ProtocolGRPC {
		// Liveness waits longer than readiness so a slow pod is taken out of
		// rotation before it is restarted.
		container.LivenessProbe.TimeoutSeconds = LivenessTimeoutSeconds
	}
	container.Lifecycle = &corev1.Lifecycle{
		// Keep serving while endpoints controllers and load balancers notice
		// the pod is terminating.
		PreStop: &corev1.LifecycleHandler{Sleep: &corev1.SleepAction{Seconds: PreStopSleepSeconds}},
	}
	if len(svc.Secrets) > 0 {
		container.VolumeMounts = append(container.VolumeMounts, corev1.VolumeMount{Name: "secrets", MountPath: SecretsDir, ReadOnly: true})
	}
	pod := corev1.PodSpec{
		PriorityClassName:             c.PriorityClassName(PriorityApps),
		ServiceAccountName:            svc.Name,
		AutomountServiceAccountToken:  ptr(false),
		EnableServiceLinks:            ptr(false),
		TerminationGracePeriodSeconds: ptr(int64(30)),
		SecurityContext: &corev1.PodSecurityContext{
			RunAsNonRoot:   ptr(true),
			RunAsUser:      svc.RunAsUser,
			RunAsGroup:     svc.RunAsUser,
			FSGroup:        svc.RunAsUser,
			SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
		},
		Containers: []corev1.Container{container},
		Volumes: []corev1.Volume{{Name: TmpVolume, VolumeSource: corev1.VolumeSource{
			EmptyDir: &corev1.EmptyDirVolumeSource{SizeLimit: ptr(resource.MustParse(TmpSizeLimit))},
		}}},
		TopologySpreadConstraints: spread(selector(svc.Name, track), plan.HardZoneSpread),
	}
	if len(svc.Secrets) > 0 {
		pod.Volumes = append(pod.Volumes, corev1.Volume{Name: "secrets", VolumeSource: corev1.VolumeSource{
			// Readable by the pod's group (fsGroup) only.
			Secret: &corev1.SecretVolumeSource{SecretName: SecretName(svc.Name), DefaultMode: ptr(int32(0o440))},
		}})
	}
	vols, mounts := bindingVolumes(c, svc)
	pod.Volumes = append(pod.Volumes, vols...)
	pod.Containers[0].VolumeMounts = append(pod.Containers[0].VolumeMounts, mounts...)
	if cfg, err := configFor(c, svc); err != nil {
		return nil, err
	} else if cfg != nil {
		pod.Volumes = append(pod.Volumes, cfg.volume)
		pod.Containers[0].VolumeMounts = append(pod.Containers[0].VolumeMounts, cfg.mount)
	}
	if err := addVolumes(svc, &pod); err != nil {
		return nil, err
	}
	if pod.InitContainers, err = extraContainers(svc); err != nil {
		return nil, err
	}
	scheduling(c, svc, &pod)
	identityPod(spec.IdentityIn(svc, c.Env), podLabels, &pod)
	d := &appsv1.Deployment{
		TypeMeta:   typeDeployment,
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: c.NS("apps"), Labels: depLabels},
		Spec: appsv1.DeploymentSpec{
			Selector:             &metav1.LabelSelector{MatchLabels: selector(svc.Name, track)},
			RevisionHistoryLimit: ptr(int32(5)),
			Strategy: appsv1.DeploymentStrategy{
				Type: appsv1.RollingUpdateDeploymentStrategyType,
				RollingUpdate: &appsv1.RollingUpdateDeployment{
					// Never drop below the serving capacity during a rollout.
					MaxUnavailable: ptr(intstr.FromInt32(0)),
					MaxSurge:       ptr(intstr.FromString("25%")),
				},
			},
			MinReadySeconds: 5,
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: podLabels, Annotations: podAnnotations(svc)},
				Spec:       pod,
			},
		},
	}
	if plan.HPA == nil {
		d.Spec.Replicas = ptr(plan.Replicas)
	}
	switch {
	case track == TrackCanary:
		ignoreRule(&d.ObjectMeta, RuleReplicasBelowMinimum, "a canary runs one replica by design; the stable Deployment carries the capacity")
	case plan.HPA == nil && plan.Replicas < 2:
		ignoreRule(&d.ObjectMeta, RuleReplicasBelowMinimum, fmt.Sprintf("the %s tier runs one replica by design (platformctl tier defaults)", c.Tier()))
	}
	return d, nil
}

// Numbers of a service's pods that docs/spec.md states (pkg/specdoc reads
// them from here).
const (
	// PreStopSleepSeconds keeps a terminating pod serving while endpoints
	// controllers and load balancers notice it is going.
	PreStopSleepSeconds = 5
	// TmpSizeLimit bounds the /tmp emptyDir of a read-only container.
	TmpSizeLimit = "64Mi"
	// EphemeralStorageRequest and EphemeralStorageLimit are every
	// service container's local disk.
	EphemeralStorageRequest = "64Mi"
	EphemeralStorageLimit   = "256Mi"
	// ScaleDownStabilizationSeconds is how long an autoscaler waits for
	// stable load before removing pods.
	ScaleDownStabilizationSeconds = 300
)

// ProbeTiming is the schedule of one probe of a service.
type ProbeTiming struct {
	PeriodSeconds, FailureThreshold int32
}

// The probes of a service; startup allows two minutes to start.
var (
	ReadinessProbe = ProbeTiming{PeriodSeconds: 5, FailureThreshold: 3}
	LivenessProbe  = ProbeTiming{PeriodSeconds: 10, FailureThreshold: 3}
	StartupProbe   = ProbeTiming{PeriodSeconds: 2, FailureThreshold: 60}
)

const (
	// ProbeTimeoutSeconds is every probe's timeout but one.
	ProbeTimeoutSeconds = 2
	// LivenessTimeoutSeconds is the timeout of an HTTP liveness probe next
	// to a readiness probe: it waits longer, so a slow pod leaves rotation
	// before it is restarted.
	LivenessTimeoutSeconds = 3
)

func probe(svc *spec.Service, path string, port int32, period, failures int32) *corev1.Probe {
	p := &corev1.Probe{PeriodSeconds: period, FailureThreshold: failures, TimeoutSeconds: ProbeTimeoutSeconds, SuccessThreshold: 1}
	switch {
	case svc.Protocol == spec.ProtocolGRPC && path == "":
		p.GRPC = &corev1.GRPCAction{Port: port}
	case path == "":
		return nil
	default:
		p.HTTPGet = &corev1.HTTPGetAction{Path: path, Port: intstr.FromInt32(port), Scheme: corev1.URISchemeHTTP}
	}
	return p
}

func spread(sel map[string]string, hardZones bool) []corev1.TopologySpreadConstraint {
	zoneWhen := corev1.ScheduleAnyway
	if hardZones {
		zoneWhen = corev1.DoNotSchedule
	}
	// pod-template-hash makes the spread count only the pods of the same
	// rollout revision, so a rolling update does not skew the new pods.
	keys := []string{"pod-template-hash"}
	return []corev1.TopologySpreadConstraint{
		{MaxSkew: 1, TopologyKey: "topology.kubernetes.io/zone", WhenUnsatisfiable: zoneWhen,
			LabelSelector: &metav1.LabelSelector{MatchLabels: sel}, MatchLabelKeys: keys},
		{MaxSkew: 1, TopologyKey: "kubernetes.io/hostname", WhenUnsatisfiable: corev1.ScheduleAnyway,
			LabelSelector: &metav1.LabelSelector{MatchLabels: sel}, MatchLabelKeys: keys},
	}
}

// scheduling pins pods to their node pool and, when the environment names a
// region, to that region (data residency).
func scheduling(c *Context, svc *spec.Service, pod *corev1.PodSpec) {
	if svc.NodePool != "" {
		np := c.P.Spec.NodePools[svc.NodePool]
		pod.NodeSelector = map[string]string{}
		for k, v := range np.Labels {
			pod.NodeSelector[k] = v
		}
		for _, t := range np.Taints {
			tol := corev1.Toleration{Key: t.Key, Effect: corev1.TaintEffect(t.Effect), Operator: corev1.TolerationOpEqual, Value: t.Value}
			if t.Value == "" {
				tol.Operator = corev1.TolerationOpExists
			}
			pod.Tolerations = append(pod.Tolerations, tol)
		}
	}
	if c.Env != nil && c.Env.Region != "" {
		pod.Affinity = regionAffinity(c.Env.Region)
	}
}

// regionAffinity keeps pods in one region: data residency.
func regionAffinity(region string) *corev1.Affinity {
	return &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{
		RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{
			NodeSelectorTerms: []corev1.NodeSelectorTerm{{MatchExpressions: []corev1.NodeSelectorRequirement{{
				Key: "topology.kubernetes.io/region", Operator: corev1.NodeSelectorOpIn, Values: []string{region},
			}}}},
		},
	}}
}

// containerEnv is a service container's environment: the variables whose
// value can differ between environments first (addresses naming a
// namespace, the OpenTelemetry endpoint and resource attributes, variables
// an environment overrides), then the others, each group in name order.
// An environment's overlay patches env by name, and Kustomize puts a patch's
// entries first: with the varying ones already first, the patch names only
// them, and adding another variable changes no overlay.
func containerEnv(c *Context, svc *spec.Service, plan spec.Plan, image string) []corev1.EnvVar {
	varies := map[string]bool{EnvOTLPEndpoint: true, EnvOTELResourceAttributes: true}
	calls := callEnv(c, svc)
	for _, e := range calls {
		varies[e.Name] = true
	}
	for _, ds := range dependencies(c.P, svc) {
		varies[hostVar(ds)] = true
	}
	for i := range c.P.Spec.Environments {
		for k := range c.P.Spec.Environments[i].Overrides.Services[svc.Name].Env {
			varies[k] = true
		}
	}
	env := append(append(append(envVars(svc, plan), otelEnv(c, svc, image)...), bindingEnv(c, svc)...), calls...)
	sort.SliceStable(env, func(i, j int) bool {
		if vi, vj := varies[env[i].Name], varies[env[j].Name]; vi != vj {
			return vi
		}
		return env[i].Name < env[j].Name
	})
	return env
}

func envVars(svc *spec.Service, plan spec.Plan) []corev1.EnvVar {
	var env []corev1.EnvVar
	for _, k := range spec.SortedKeys(plan.Env) {
		env = append(env, corev1.EnvVar{Name: k, Value: plan.Env[k]})
	}
	// Secrets arrive as files, never as environment values (which leak into
	// crash dumps, child processes and /proc); the <NAME>_FILE variable is
	// the common convention for "read the value from this path".
	for _, k := range spec.SortedKeys(svc.Secrets) {
		env = append(env, corev1.EnvVar{Name: k + "_FILE", Value: SecretsDir + "/" + k})
	}
	sort.SliceStable(env, func(i, j int) bool { return env[i].Name < env[j].Name })
	return env
}

func service(c *Context, svc *spec.Service, name, track string) *corev1.Service {
	appProto := map[spec.Protocol]string{
		spec.ProtocolHTTP:      "http",
		spec.ProtocolGRPC:      "kubernetes.io/h2c",
		spec.ProtocolWebSocket: "kubernetes.io/ws",
	}[svc.Protocol]
	labels := c.labels(svc.Name, string(svc.Kind))
	labels[LabelTrack] = track
	ports := []corev1.ServicePort{{
		Name: PortName(svc), Port: svc.Port, TargetPort: intstr.FromString(PortName(svc)),
		Protocol: corev1.ProtocolTCP, AppProtocol: ptr(appProto),
	}}
	if c.metricsOn() && MetricsPortName(svc) == spec.MetricsPortName {
		// A ServiceMonitor scrapes through a Service port.
		ports = append(ports, corev1.ServicePort{Name: spec.MetricsPortName, Port: svc.MetricsPort, TargetPort: intstr.FromString(spec.MetricsPortName),
			Protocol: corev1.ProtocolTCP, AppProtocol: ptr("http")})
	}
	ports = append(ports, extraServicePorts(svc)...)
	return &corev1.Service{
		TypeMeta:   typeService,
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: c.NS("apps"), Labels: labels},
		Spec: corev1.ServiceSpec{
			Type:     corev1.ServiceTypeClusterIP,
			Selector: selector(svc.Name, track),
			Ports:    ports,
		},
	}
}

// Metric names the HPA reads through a custom/external metrics adapter such
// as prometheus-adapter (the recording rules of pkg/monitoring publish them).
const (
	MetricRequestsPerSecond = "http_requests_per_second"
	MetricQueueDepth        = "queue_messages_ready"
)

func hpa(c *Context, svc *spec.Service, plan spec.Plan) *autoscalingv2.HorizontalPodAutoscaler {
	a := plan.HPA
	var metrics []autoscalingv2.MetricSpec
	if a.CPUPercent > 0 {
		metrics = append(metrics, autoscalingv2.MetricSpec{Type: autoscalingv2.ResourceMetricSourceType,
			Resource: &autoscalingv2.ResourceMetricSource{Name: corev1.ResourceCPU,
				Target: autoscalingv2.MetricTarget{Type: autoscalingv2.UtilizationMetricType, AverageUtilization: ptr(a.CPUPercent)}}})
	}
	if a.MemoryPercent > 0 {
		metrics = append(metrics, autoscalingv2.MetricSpec{Type: autoscalingv2.ResourceMetricSourceType,
			Resource: &autoscalingv2.ResourceMetricSource{Name: corev1.ResourceMemory,
				Target: autoscalingv2.MetricTarget{Type: autoscalingv2.UtilizationMetricType, AverageUtilization: ptr(a.MemoryPercent)}}})
	}
	if a.RequestsPerSecond > 0 {
		metrics = append(metrics, autoscalingv2.MetricSpec{Type: autoscalingv2.PodsMetricSourceType,
			Pods: &autoscalingv2.PodsMetricSource{Metric: autoscalingv2.MetricIdentifier{Name: MetricRequestsPerSecond},
				Target: autoscalingv2.MetricTarget{Type: autoscalingv2.AverageValueMetricType, AverageValue: ptr(resource.MustParse(fmt.Sprint(a.RequestsPerSecond)))}}})
	}
	if a.QueueDepth > 0 && svc.Consumes != nil {
		metrics = append(metrics, autoscalingv2.MetricSpec{Type: autoscalingv2.ExternalMetricSourceType,
			External: &autoscalingv2.ExternalMetricSource{
				Metric: autoscalingv2.MetricIdentifier{Name: MetricQueueDepth, Selector: &metav1.LabelSelector{
					MatchLabels: map[string]string{"queue": svc.Consumes.Queue}}},
				Target: autoscalingv2.MetricTarget{Type: autoscalingv2.AverageValueMetricType, AverageValue: ptr(resource.MustParse(fmt.Sprint(a.QueueDepth)))}}})
	}
	return &autoscalingv2.HorizontalPodAutoscaler{
		TypeMeta:   typeHPA,
		ObjectMeta: metav1.ObjectMeta{Name: svc.Name, Namespace: c.NS("apps"), Labels: c.labels(svc.Name, string(svc.Kind))},
		Spec: autoscalingv2.HorizontalPodAutoscalerSpec{
			ScaleTargetRef: scaleTarget(svc),
			MinReplicas:    ptr(a.Min),
			MaxReplicas:    a.Max,
			Metrics:        metrics,
			Behavior: &autoscalingv2.HorizontalPodAutoscalerBehavior{
				// Scale up fast, down slowly: flapping costs more than idle pods.
				ScaleDown: &autoscalingv2.HPAScalingRules{StabilizationWindowSeconds: ptr(int32(ScaleDownStabilizationSeconds))},
			},
		},
	}
}

// scaleTarget is the workload a service's autoscaler scales: its Rollout
// with delivery, else its Deployment.
func scaleTarget(svc *spec.Service) autoscalingv2.CrossVersionObjectReference {
	if svc.Delivery != nil {
		return autoscalingv2.CrossVersionObjectReference{APIVersion: RolloutAPIVersion, Kind: typeRollout.Kind, Name: svc.Name}
	}
	return autoscalingv2.CrossVersionObjectReference{APIVersion: "apps/v1", Kind: "Deployment", Name: svc.Name}
}

// servicePolicy allows exactly the traffic a service needs besides DNS:
// edge → its port when exposed, its callers → the port each calls, and
// egress to the services it calls, the outside addresses of its egress and
// the data stores it uses.
func servicePolicy(c *Context, svc *spec.Service) *networkingv1.NetworkPolicy {
	np := workloadPolicy(c, "apps", svc.Name)
	if svc.Expose != nil {
		np.Spec.Ingress = append(np.Spec.Ingress, networkingv1.NetworkPolicyIngressRule{
			From:  []networkingv1.NetworkPolicyPeer{c.edgePeer()},
			Ports: []networkingv1.NetworkPolicyPort{tcpPort(svc.Port)},
		})
	}
	np.Spec.Ingress = append(np.Spec.Ingress, callIngress(c, svc)...)
	if c.metricsOn() && svc.Kind != spec.KindCronJob {
		np.Spec.Ingress = append(np.Spec.Ingress, scrapeIngress(c, svc.MetricsPort))
	}
	np.Spec.Egress = append(np.Spec.Egress, callEgress(c, svc)...)
	np.Spec.Egress = append(np.Spec.Egress, externalEgress(svc)...)
	np.Spec.Egress = append(np.Spec.Egress, identityEgress(spec.IdentityIn(svc, c.Env))...)
	if c.P.Spec.Observability.Tracing != nil {
		np.Spec.Egress = append(np.Spec.Egress, collectorEgress(c))
	}
	for _, name := range storesOf(svc) {
		ds := c.P.DataStore(name)
		if ds == nil {
			continue
		}
		if ds.Mode == spec.ModeManaged {
			np.Spec.Egress = append(np.Spec.Egress, managedEgress(ds)...)
			continue
		}
		np.Spec.Egress = append(np.Spec.Egress, storeEgress(c, ds)...)
	}
	return np
}

// workloadPolicy is a policy for one workload's pods that, until rules are
// appended, allows nothing in either direction (empty lists, not absent ones,
// so the intent survives a round trip through the API).
func workloadPolicy(c *Context, area, name string) *networkingv1.NetworkPolicy {
	return &networkingv1.NetworkPolicy{
		TypeMeta:   typeNetworkPolicy,
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: c.NS(area), Labels: c.labels(name, "network-policy")},
		Spec: networkingv1.NetworkPolicySpec{
			PodSelector: metav1.LabelSelector{MatchLabels: map[string]string{LabelName: name}},
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress},
			Ingress:     []networkingv1.NetworkPolicyIngressRule{},
			Egress:      []networkingv1.NetworkPolicyEgressRule{},
		},
	}
}
