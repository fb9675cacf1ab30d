package lint

import (
	"fmt"
	"slices"
	"strings"
)

// PodKinds are the kinds that carry a pod, as Object.Pod finds it (its
// podPaths; PodTemplate aside: nothing runs a template itself): a policy
// on pods matches them all, so a Deployment that would create a violating
// pod is refused itself, not only its pods one by one.
var PodKinds = func() []string {
	var kinds []string
	for k := range podPaths {
		if k != "PodTemplate" {
			kinds = append(kinds, k)
		}
	}
	slices.Sort(kinds)
	return kinds
}()

// defaultPodPath is where most workloads keep their pod template; the CEL
// below names the kinds that keep it elsewhere and falls back to it.
const defaultPodPath = "spec.template"

// podCEL is a CEL conditional over PodKinds: for each kind whose pod is
// not at defaultPodPath, what at(base) gives for its pod's base path
// ("" for a Pod), then at(defaultPodPath) for the rest.
func podCEL(at func(base string) string) string {
	var b strings.Builder
	for _, k := range PodKinds {
		if base := podPaths[k]; base != defaultPodPath {
			fmt.Fprintf(&b, "object.kind == '%s' ? %s : ", k, at(base))
		}
	}
	b.WriteString(at(defaultPodPath))
	return b.String()
}

// optionalPath is a field path as CEL's optional selection: object.?a.?b.
func optionalPath(path string) string {
	out := "object"
	for f := range strings.SplitSeq(path, ".") {
		if f != "" {
			out += ".?" + f
		}
	}
	return out
}

// podVariables find the pod spec and metadata (the template's: its
// annotations) of any of PodKinds, and its containers of every kind (init
// and ephemeral too), for the built-in rules' CEL. They read with optional
// fields, so a manifest without a template is judged as one without
// containers, not an evaluation error.
var podVariables = []CustomVariable{
	{Name: "podSpec", Expression: podCEL(func(base string) string { return optionalPath(base+".spec") + ".orValue({})" })},
	{Name: "podMetadata", Expression: podCEL(func(base string) string { return optionalPath(base+".metadata") + ".orValue({})" })},
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
var CELHasPod = "(" + podCEL(func(base string) string {
	if base == "" {
		return "object.?spec.hasValue()"
	}
	return "type(" + optionalPath(base) + ".orValue(null)) == map"
}) + ")"

// PodCELOf is PodCEL on some of PodKinds only.
func PodCELOf(kinds []string, expression, message string) *CEL {
	c := PodCEL(expression, message)
	c.Kinds = kinds
	return c
}
