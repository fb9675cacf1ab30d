package lint

// PodKinds are the kinds that carry a pod, as Object.Pod finds it: a
// policy on pods matches them all, so a Deployment that would create a
// violating pod is refused itself, not only its pods one by one.
var PodKinds = []string{"CronJob", "DaemonSet", "Deployment", "Job", "Pod", "ReplicaSet", "ReplicationController", "StatefulSet"}

// podVariables find the pod spec and metadata (the template's: its
// annotations) of any of PodKinds, and its containers of every kind (init
// and ephemeral too), for the built-in rules' CEL. They
// read with optional fields, so a manifest without a template is judged
// as one without containers, not an evaluation error.
var podVariables = []CustomVariable{
	{Name: "podSpec", Expression: "object.kind == 'Pod' ? object.?spec.orValue({}) : " +
		"object.kind == 'CronJob' ? object.?spec.?jobTemplate.?spec.?template.?spec.orValue({}) : " +
		"object.?spec.?template.?spec.orValue({})"},
	{Name: "podMetadata", Expression: "object.kind == 'Pod' ? object.?metadata.orValue({}) : " +
		"object.kind == 'CronJob' ? object.?spec.?jobTemplate.?spec.?template.?metadata.orValue({}) : " +
		"object.?spec.?template.?metadata.orValue({})"},
	{Name: "containers", Expression: "variables.podSpec.?containers.orValue([]) + " +
		"variables.podSpec.?initContainers.orValue([]) + variables.podSpec.?ephemeralContainers.orValue([])"},
}

// PodCEL is a built-in pod rule in CEL: expression reads variables.podSpec,
// variables.podMetadata and variables.containers and is true for a pod that passes.
func PodCEL(expression, message string) *CEL {
	return &CEL{Kinds: PodKinds, Variables: podVariables, Expression: expression, Message: message}
}

// CELHasPod is true when Object.Pod finds a pod on an object of PodKinds:
// a Pod with a spec, a workload whose template is a mapping. Rules that
// report what a pod lacks start with it, so an object without a pod
// passes, as the Go check leaves it alone.
const CELHasPod = "(object.kind == 'Pod' ? object.?spec.hasValue() : " +
	"type((object.kind == 'CronJob' ? object.?spec.?jobTemplate.?spec.?template : object.?spec.?template).orValue(null)) == map)"

// PodCELOf is PodCEL on some of PodKinds only.
func PodCELOf(kinds []string, expression, message string) *CEL {
	c := PodCEL(expression, message)
	c.Kinds = kinds
	return c
}
