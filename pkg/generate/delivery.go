package generate

import (
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/platformctl/platformctl/pkg/monitoring"
	"github.com/platformctl/platformctl/pkg/spec"
)

// Progressive delivery with Argo Rollouts: names and numbers docs/delivery.md states.
const (
	// RolloutsNamespace is where Argo Rollouts' controller runs (its
	// install manifests' namespace); it queries Prometheus from there.
	RolloutsNamespace = "argo-rollouts"
	// RolloutsController is the app.kubernetes.io/name of its pods.
	RolloutsController = "argo-rollouts"
	// PrometheusService is the Service prometheus-operator puts in front
	// of the Prometheus pods of its namespace.
	PrometheusService = "prometheus-operated"
	// LabelRolloutsHash is the label Argo Rollouts puts on the pods of each
	// revision, where a Deployment's controller puts pod-template-hash.
	LabelRolloutsHash = "rollouts-pod-template-hash"
	// AnalysisInterval is how often the analysis measures each gate.
	AnalysisInterval = "1m"
	// AnalysisFailureLimit is how many failed measurements of a gate are
	// tolerated: one more fails the analysis, which aborts the rollout
	// (two minutes of a breach, on a 5-minute window, is a burn, not noise).
	AnalysisFailureLimit = 1
	// BlueGreenAnalysisCount is how many measurements a blue/green rollout
	// takes before it switches traffic, and again after.
	BlueGreenAnalysisCount = 5
	// namespaceArg is the analysis argument the Rollout fills in with its
	// own namespace, so the AnalysisTemplate's queries are the same in
	// every environment.
	namespaceArg = "namespace"
)

// PreviewService is the Service of a blue/green service's new version
// before it is promoted.
func PreviewService(svc string) string { return svc + "-preview" }

// analyzed says whether a service's rollout is gated on its SLO.
func analyzed(c *Context, svc *spec.Service) bool {
	d := svc.Delivery
	return d != nil && d.Analysis != nil && *d.Analysis && c.metricsOn() && svc.Kind == spec.KindServer
}

// anyAnalyzed says whether any service's rollout queries Prometheus.
func anyAnalyzed(c *Context) bool {
	for i := range c.P.Spec.Services {
		if analyzed(c, &c.P.Spec.Services[i]) {
			return true
		}
	}
	return false
}

// rollout turns a service's Deployment into the Rollout that replaces it:
// the same metadata, selector and pod template, and the spec's strategy.
func rollout(c *Context, svc *spec.Service, d *appsv1.Deployment) *Rollout {
	tmpl := *d.Spec.Template.DeepCopy()
	// Spread each revision on its own, as for a Deployment, by the label
	// the Rollouts controller sets (a Deployment's is absent here).
	for i := range tmpl.Spec.TopologySpreadConstraints {
		tmpl.Spec.TopologySpreadConstraints[i].MatchLabelKeys = []string{LabelRolloutsHash}
	}
	r := &Rollout{
		TypeMeta:   typeRollout,
		ObjectMeta: d.ObjectMeta,
		Spec: RolloutSpec{
			Replicas:             d.Spec.Replicas,
			Selector:             d.Spec.Selector,
			Template:             tmpl,
			MinReadySeconds:      d.Spec.MinReadySeconds,
			RevisionHistoryLimit: d.Spec.RevisionHistoryLimit,
		},
	}
	var analysis *RolloutAnalysis
	if analyzed(c, svc) {
		analysis = &RolloutAnalysis{
			Templates: []AnalysisTemplateRef{{TemplateName: svc.Name}},
			Args: []AnalysisRunArgument{{Name: namespaceArg,
				ValueFrom: &ArgumentValueFrom{FieldRef: &FieldRef{FieldPath: "metadata.namespace"}}}},
		}
	}
	dl := svc.Delivery
	if dl.Strategy == spec.DeliveryBlueGreen {
		r.Spec.Strategy.BlueGreen = &BlueGreenStrategy{
			ActiveService:  svc.Name,
			PreviewService: PreviewService(svc.Name),
			// Before: no switch while the service already burns its
			// budget. After: the new version under all the traffic; a
			// failure switches the Service back to the old pods.
			PrePromotionAnalysis:  analysis,
			PostPromotionAnalysis: analysis,
		}
		return r
	}
	rs := d.Spec.Strategy.RollingUpdate
	canary := &CanaryStrategy{MaxUnavailable: rs.MaxUnavailable, MaxSurge: rs.MaxSurge}
	for _, s := range dl.Steps {
		canary.Steps = append(canary.Steps, CanaryStep{SetWeight: ptr(s.Weight)})
		p := &RolloutPause{}
		if s.Pause != "" {
			p.Duration = ptr(intstr.FromString(s.Pause))
		}
		canary.Steps = append(canary.Steps, CanaryStep{Pause: p})
	}
	if analysis != nil {
		// From the end of the first setWeight, when the new pods exist,
		// until the rollout completes.
		canary.Analysis = &RolloutAnalysisBackground{RolloutAnalysis: *analysis, StartingStep: ptr(int32(1))}
	}
	r.Spec.Strategy.Canary = canary
	return r
}

// analysisTemplate measures a service's SLO gates (monitoring.Gates) on
// the environment's Prometheus: a gate above its threshold fails, and
// AnalysisFailureLimit+1 failures fail the analysis. No data (NaN: no
// requests in the window) passes.
func analysisTemplate(c *Context, svc *spec.Service) *AnalysisTemplate {
	var count *intstr.IntOrString
	if svc.Delivery.Strategy == spec.DeliveryBlueGreen {
		// Promotion waits for the analysis to end: it must have an end.
		count = ptr(intstr.FromInt32(BlueGreenAnalysisCount))
	}
	address := fmt.Sprintf("http://%s.%s.svc:%d", PrometheusService, c.NS("observability"), prometheusPort)
	var metrics []Metric
	for _, g := range monitoring.Gates(target(c, svc), "{{args."+namespaceArg+"}}") {
		metrics = append(metrics, Metric{
			Name:             g.Name,
			Interval:         AnalysisInterval,
			Count:            count,
			SuccessCondition: fmt.Sprintf("isNaN(result) || result <= %s", g.Max),
			FailureLimit:     ptr(intstr.FromInt32(AnalysisFailureLimit)),
			Provider:         MetricProvider{Prometheus: &PrometheusMetric{Address: address, Query: g.Query}},
		})
	}
	return &AnalysisTemplate{
		TypeMeta:   typeAnalysisTemplate,
		ObjectMeta: metav1.ObjectMeta{Name: svc.Name, Namespace: c.NS("apps"), Labels: c.labels(svc.Name, "analysis")},
		Spec:       AnalysisTemplateSpec{Args: []Argument{{Name: namespaceArg}}, Metrics: metrics},
	}
}

// previewService is a blue/green service's Service for its new version
// (Argo Rollouts adds the revision's hash to both Services' selectors). Its
// name label is its own: the service's ServiceMonitor selects Services by
// the service's name, and once promoted both Services select the same pods,
// which would be scraped twice and count every request twice.
func previewService(c *Context, svc *spec.Service) *corev1.Service {
	s := service(c, svc, PreviewService(svc.Name), TrackStable)
	s.Labels[LabelName] = PreviewService(svc.Name)
	return s
}

// rolloutsIngress admits Argo Rollouts' controller, which runs the
// analyses, to Prometheus's API.
func rolloutsIngress() networkingv1.NetworkPolicyIngressRule {
	return networkingv1.NetworkPolicyIngressRule{
		From: []networkingv1.NetworkPolicyPeer{{
			NamespaceSelector: systemSelector(RolloutsNamespace),
			PodSelector:       &metav1.LabelSelector{MatchLabels: map[string]string{LabelName: RolloutsController}},
		}},
		Ports: []networkingv1.NetworkPolicyPort{tcpPort(prometheusPort)},
	}
}
