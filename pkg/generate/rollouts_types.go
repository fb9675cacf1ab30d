package generate

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// Argo Rollouts' API module brings its controller's dependencies (Argo CD's
// among them) into every start-up of the CLI; these are the few fields
// platformctl emits, with the upstream JSON names. The e2e tier checks
// every object against the upstream CRD schemas (testdata/crds), and
// TestRolloutsMatchTheCRDs against the same schemas closed to unknown fields.

var (
	typeRollout          = metav1.TypeMeta{APIVersion: RolloutAPIVersion, Kind: "Rollout"}
	typeAnalysisTemplate = metav1.TypeMeta{APIVersion: RolloutAPIVersion, Kind: "AnalysisTemplate"}
)

// RolloutAPIVersion is the API version of Argo Rollouts' kinds.
const RolloutAPIVersion = "argoproj.io/v1alpha1"

// Rollout is argoproj.io/v1alpha1 Rollout: a Deployment with a
// progressive strategy.
type Rollout struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              RolloutSpec `json:"spec"`
}

// RolloutSpec is the subset of the upstream spec platformctl sets; the
// fields it shares with a Deployment mean the same.
type RolloutSpec struct {
	Replicas             *int32                 `json:"replicas,omitempty"`
	Selector             *metav1.LabelSelector  `json:"selector"`
	Template             corev1.PodTemplateSpec `json:"template"`
	MinReadySeconds      int32                  `json:"minReadySeconds,omitempty"`
	RevisionHistoryLimit *int32                 `json:"revisionHistoryLimit,omitempty"`
	Strategy             RolloutStrategy        `json:"strategy"`
}

// RolloutStrategy is canary or blueGreen.
type RolloutStrategy struct {
	Canary    *CanaryStrategy    `json:"canary,omitempty"`
	BlueGreen *BlueGreenStrategy `json:"blueGreen,omitempty"`
}

// CanaryStrategy without trafficRouting: traffic follows the share of pods.
type CanaryStrategy struct {
	MaxUnavailable *intstr.IntOrString        `json:"maxUnavailable,omitempty"`
	MaxSurge       *intstr.IntOrString        `json:"maxSurge,omitempty"`
	Steps          []CanaryStep               `json:"steps,omitempty"`
	Analysis       *RolloutAnalysisBackground `json:"analysis,omitempty"`
}

// CanaryStep is one step: setWeight or pause.
type CanaryStep struct {
	SetWeight *int32        `json:"setWeight,omitempty"`
	Pause     *RolloutPause `json:"pause,omitempty"`
}

// RolloutPause waits for duration, or until promoted when it has none.
type RolloutPause struct {
	Duration *intstr.IntOrString `json:"duration,omitempty"`
}

// BlueGreenStrategy switches activeService to the new pods when promoted.
type BlueGreenStrategy struct {
	ActiveService         string           `json:"activeService"`
	PreviewService        string           `json:"previewService,omitempty"`
	PrePromotionAnalysis  *RolloutAnalysis `json:"prePromotionAnalysis,omitempty"`
	PostPromotionAnalysis *RolloutAnalysis `json:"postPromotionAnalysis,omitempty"`
}

// RolloutAnalysis runs AnalysisTemplates with arguments.
type RolloutAnalysis struct {
	Templates []AnalysisTemplateRef `json:"templates,omitempty"`
	Args      []AnalysisRunArgument `json:"args,omitempty"`
}

// RolloutAnalysisBackground is a canary's analysis, run from startingStep
// until the rollout completes.
type RolloutAnalysisBackground struct {
	RolloutAnalysis `json:",inline"`
	StartingStep    *int32 `json:"startingStep,omitempty"`
}

// AnalysisTemplateRef names an AnalysisTemplate in the Rollout's namespace.
type AnalysisTemplateRef struct {
	TemplateName string `json:"templateName"`
}

// AnalysisRunArgument is an argument's value, literal or from the Rollout.
type AnalysisRunArgument struct {
	Name      string             `json:"name"`
	ValueFrom *ArgumentValueFrom `json:"valueFrom,omitempty"`
}

// ArgumentValueFrom reads an argument from a field of the Rollout.
type ArgumentValueFrom struct {
	FieldRef *FieldRef `json:"fieldRef,omitempty"`
}

// FieldRef is a field path of the Rollout (metadata.namespace).
type FieldRef struct {
	FieldPath string `json:"fieldPath"`
}

// AnalysisTemplate is argoproj.io/v1alpha1 AnalysisTemplate.
type AnalysisTemplate struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              AnalysisTemplateSpec `json:"spec"`
}

// AnalysisTemplateSpec is the metrics to measure and the arguments they read.
type AnalysisTemplateSpec struct {
	Args    []Argument `json:"args,omitempty"`
	Metrics []Metric   `json:"metrics"`
}

// Argument is an argument the Rollout passes.
type Argument struct {
	Name string `json:"name"`
}

// Metric is one measurement, repeated every interval (count times, or
// until the rollout completes without count).
type Metric struct {
	Name             string              `json:"name"`
	Interval         string              `json:"interval,omitempty"`
	Count            *intstr.IntOrString `json:"count,omitempty"`
	SuccessCondition string              `json:"successCondition,omitempty"`
	FailureLimit     *intstr.IntOrString `json:"failureLimit,omitempty"`
	Provider         MetricProvider      `json:"provider"`
}

// MetricProvider is where a metric is measured.
type MetricProvider struct {
	Prometheus *PrometheusMetric `json:"prometheus,omitempty"`
}

// PrometheusMetric is an instant query of a Prometheus server.
type PrometheusMetric struct {
	Address string `json:"address"`
	Query   string `json:"query"`
}
