package kube

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// podTemplatePaths says where each workload kind keeps its pod template.
// Argo Rollouts' Rollout is here because its controller builds each
// revision's ReplicaSet from spec.template as a Deployment's does (adding
// only its hash label), and its CRD does not validate the template, so the
// Pod is the only check the template gets. Other CRD workloads are left
// out: their controllers decide how pods are built from them.
var podTemplatePaths = map[string][]string{
	"argoproj.io/Rollout": {"spec", "template"},
	"apps/Deployment":     {"spec", "template"},
	"apps/StatefulSet":    {"spec", "template"},
	"apps/DaemonSet":      {"spec", "template"},
	"apps/ReplicaSet":     {"spec", "template"},
	"batch/Job":           {"spec", "template"},
	"batch/CronJob":       {"spec", "jobTemplate", "spec", "template"},
}

// PodFromWorkload returns the Pod a workload controller would create from
// obj's pod template, or nil if obj is not a built-in workload.
//
// The API server validates a Deployment's template, but admission that only
// applies to Pods — Pod Security enforce, the ServiceAccount lookup, priority
// and runtime class lookups — runs only when the controller creates the Pod,
// long after `kubectl apply` reported success. There are no controllers in
// this tier, so the harness submits that Pod itself (always with dryRun).
func PodFromWorkload(obj *unstructured.Unstructured) (*unstructured.Unstructured, error) {
	gvk := obj.GroupVersionKind()
	path, ok := podTemplatePaths[gvk.Group+"/"+gvk.Kind]
	if !ok {
		return nil, nil
	}
	tmpl, found, err := unstructured.NestedMap(obj.Object, path...)
	if err != nil {
		return nil, fmt.Errorf("%s: reading .%s: %w", Ref(obj), strings.Join(path, "."), err)
	}
	if !found && gvk.Kind == "Rollout" {
		// A Rollout with spec.workloadRef takes its template from the
		// Deployment it names, which is checked as itself.
		if _, ref, _ := unstructured.NestedMap(obj.Object, "spec", "workloadRef"); ref {
			return nil, nil
		}
	}
	if !found {
		return nil, fmt.Errorf("%s has no .%s", Ref(obj), strings.Join(path, "."))
	}
	meta, _, _ := unstructured.NestedMap(tmpl, "metadata")
	podMeta := map[string]any{}
	for _, k := range []string{"labels", "annotations"} {
		if v, ok := meta[k]; ok {
			podMeta[k] = v
		}
	}
	// Pod names are DNS subdomains like workload names; keep within their
	// 253 characters so an over-long name is reported on the workload, not
	// blamed on the harness.
	name := obj.GetName()
	const suffix = "-e2e-pod"
	if len(name) > 253-len(suffix) {
		name = name[:253-len(suffix)]
	}
	podMeta["name"] = name + suffix
	podMeta["namespace"] = obj.GetNamespace()
	spec, _ := tmpl["spec"].(map[string]any)
	if gvk.Kind == "StatefulSet" {
		spec = withClaimVolumes(obj, spec)
	}
	pod := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1",
		"kind":       "Pod",
		"metadata":   podMeta,
		"spec":       spec,
	}}
	return pod, nil
}

// withClaimVolumes adds a volume per volumeClaimTemplate, as the StatefulSet
// controller does (claim <template>-<pod>), so the Pod's volumeMounts resolve.
func withClaimVolumes(obj *unstructured.Unstructured, spec map[string]any) map[string]any {
	claims, _, _ := unstructured.NestedSlice(obj.Object, "spec", "volumeClaimTemplates")
	if len(claims) == 0 || spec == nil {
		return spec
	}
	out := make(map[string]any, len(spec))
	for k, v := range spec {
		out[k] = v
	}
	vols, _ := spec["volumes"].([]any)
	vols = append([]any(nil), vols...)
	for _, c := range claims {
		name, _, _ := unstructured.NestedString(c.(map[string]any), "metadata", "name")
		vols = append(vols, map[string]any{
			"name":                  name,
			"persistentVolumeClaim": map[string]any{"claimName": name + "-" + obj.GetName() + "-0"},
		})
	}
	out["volumes"] = vols
	return out
}
