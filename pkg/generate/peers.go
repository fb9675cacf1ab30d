package generate

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/platformctl/platformctl/pkg/spec"
)

// Peer linters' exemption annotations (spec.lint.peerAnnotations): where
// platformctl departs from a peer's advice by design, a team that runs the
// peer in CI opts in to the peer's own exemption on the object, and
// AnnotationPeerReason records why next to it. docs/peers.md lists every
// case with its reasoning.
const (
	// AnnotationKubeScoreIgnore holds the kube-score checks skipped on an
	// object, comma-separated.
	AnnotationKubeScoreIgnore = "kube-score/ignore"
	// AnnotationKubeLinterIgnore prefixes kube-linter's exemption of one
	// check, whose value is the reason.
	AnnotationKubeLinterIgnore = "ignore-check.kube-linter.io/"
	// AnnotationPeerReason prefixes the reason for one exemption:
	// peer.platformctl.dev/<linter>.<check>.
	AnnotationPeerReason = "peer.platformctl.dev/"
)

// The peer checks platformctl exempts objects from, and why.
const (
	checkNetpolTargetsPod    = "networkpolicy-targets-pod"
	checkDeploymentAntiAff   = "deployment-has-host-podantiaffinity"
	checkStatefulSetAntiAff  = "statefulset-has-host-podantiaffinity"
	checkPolarisSensitiveEnv = "sensitiveContainerEnvVar"
	checkDeploymentReplicas  = "deployment-replicas"
	checkServiceTargetsPod   = "service-targets-pod"
	// kube-linter's default checks.
	checkLinterAntiAffinity    = "no-anti-affinity"
	checkLinterEnvSecret       = "env-var-secret"
	checkLinterDanglingSvc     = "dangling-service"
	checkHPAHasTarget          = "horizontalpodautoscaler-has-target"
	reasonServiceAddon         = "selects pods that run in this namespace without being in this output: the edge controller the platform installs next to it (ingress-nginx), which kube-score cannot see"
	reasonNetpolAddon          = "selects pods that run in this namespace without being in this output: the add-ons the platform installs next to it (the edge controller, Prometheus, Grafana), which kube-score cannot see; default-deny and allow-dns confine them too"
	reasonAntiAffinityBySpread = "spread over nodes and zones with topologySpreadConstraints (kubernetes.io/hostname, topology.kubernetes.io/zone), which kube-score does not read; a required pod anti-affinity would leave replicas beyond the node count unschedulable"
	reasonRolloutPods          = "selects the pods of an Argo Rollout (services[].delivery) in this output; the peer knows only the built-in workload kinds, so it sees no pods"
	reasonRolloutTarget        = "scales an Argo Rollout (services[].delivery) in this output through its scale subresource; the peer knows only the built-in workload kinds"
	reasonFileEnv              = "the *_FILE variables hold the path of a mounted Secret file (the images' own convention, e.g. POSTGRES_PASSWORD_FILE), never a secret value"
)

// polarisSensitiveName is what Polaris's sensitiveContainerEnvVar matches
// in an environment variable's name (with a value, not valueFrom).
var polarisSensitiveName = regexp.MustCompile(`(?i)(password|secret|token|key|credential)`)

type peerExemption struct {
	peer          spec.PeerLinter
	check, reason string
}

// peerAnnotations adds the exemption annotations of the peers the spec opts
// in to, to every object of all the peer would judge wrongly.
func peerAnnotations(c *Context, all []Object) error {
	l := c.P.Spec.Lint
	if len(l.PeerAnnotations) == 0 {
		return nil
	}
	// The pod templates rendered in each area, which a policy or Service
	// may select: those of the built-in kinds the peers see, and those of
	// Rollouts, which they do not know.
	pods, rolloutPods := map[string][]labels.Set{}, map[string][]labels.Set{}
	rollouts := map[string]bool{}
	for _, o := range all {
		if _, t, kind := podTemplate(o.Obj); t != nil {
			if kind == "Rollout" {
				rolloutPods[o.Area] = append(rolloutPods[o.Area], labels.Set(t.Labels))
				rollouts[o.Area+"/"+o.Obj.(*Rollout).Name] = true
				continue
			}
			pods[o.Area] = append(pods[o.Area], labels.Set(t.Labels))
		}
	}
	// unseen says why a selector matches no pod a peer sees, or "" when
	// it matches one: a Rollout's pods, or an add-on's (why).
	unseen := func(area string, sel labels.Selector, why string) string {
		switch {
		case selectsAny(sel, pods[area]):
			return ""
		case selectsAny(sel, rolloutPods[area]):
			return reasonRolloutPods
		}
		return why
	}
	for _, o := range all {
		var ex []peerExemption
		meta, t, kind := podTemplate(o.Obj)
		if np, ok := o.Obj.(*networkingv1.NetworkPolicy); ok {
			meta = &np.ObjectMeta
			sel, err := metav1.LabelSelectorAsSelector(&np.Spec.PodSelector)
			if err != nil {
				return fmt.Errorf("%s: %w", o.ID, err)
			}
			if why := unseen(o.Area, sel, reasonNetpolAddon); why != "" && l.Peer(spec.PeerKubeScore) {
				ex = append(ex, peerExemption{spec.PeerKubeScore, checkNetpolTargetsPod, why})
			}
		}
		if svc, ok := o.Obj.(*corev1.Service); ok && len(svc.Spec.Selector) > 0 {
			meta = &svc.ObjectMeta
			// kube-linter does not know Rollouts either (its issue 848).
			if why := unseen(o.Area, labels.SelectorFromSet(svc.Spec.Selector), reasonServiceAddon); why != "" {
				if l.Peer(spec.PeerKubeScore) {
					ex = append(ex, peerExemption{spec.PeerKubeScore, checkServiceTargetsPod, why})
				}
				if l.Peer(spec.PeerKubeLinter) {
					ex = append(ex, peerExemption{spec.PeerKubeLinter, checkLinterDanglingSvc, why})
				}
			}
		}
		if hpa, ok := o.Obj.(*autoscalingv2.HorizontalPodAutoscaler); ok && l.Peer(spec.PeerKubeScore) &&
			hpa.Spec.ScaleTargetRef.Kind == "Rollout" && rollouts[o.Area+"/"+hpa.Spec.ScaleTargetRef.Name] {
			meta = &hpa.ObjectMeta
			ex = append(ex, peerExemption{spec.PeerKubeScore, checkHPAHasTarget, reasonRolloutTarget})
		}
		if t != nil {
			if l.Peer(spec.PeerKubeScore) && spreadsOverNodes(&t.Spec) {
				switch kind {
				case "Deployment":
					ex = append(ex, peerExemption{spec.PeerKubeScore, checkDeploymentAntiAff, reasonAntiAffinityBySpread})
				case "StatefulSet":
					ex = append(ex, peerExemption{spec.PeerKubeScore, checkStatefulSetAntiAff, reasonAntiAffinityBySpread})
				}
			}
			// One replica by design (a canary, a tier default) is what our
			// own replicas-below-minimum is told, with its reason.
			if why, ok := meta.Annotations[ignorePrefix+RuleReplicasBelowMinimum]; ok && kind == "Deployment" && l.Peer(spec.PeerKubeScore) {
				ex = append(ex, peerExemption{spec.PeerKubeScore, checkDeploymentReplicas, why})
			}
			if l.Peer(spec.PeerKubeLinter) && spreadsOverNodes(&t.Spec) && (kind == "Deployment" || kind == "StatefulSet") {
				ex = append(ex, peerExemption{spec.PeerKubeLinter, checkLinterAntiAffinity, reasonAntiAffinityBySpread})
			}
			if l.Peer(spec.PeerKubeLinter) && fileEnv(&t.Spec) {
				ex = append(ex, peerExemption{spec.PeerKubeLinter, checkLinterEnvSecret, reasonFileEnv})
			}
			if l.Peer(spec.PeerPolaris) && fileEnv(&t.Spec) {
				ex = append(ex, peerExemption{spec.PeerPolaris, checkPolarisSensitiveEnv, reasonFileEnv})
			}
		}
		if len(ex) > 0 {
			exempt(meta, ex)
		}
	}
	return nil
}

func selectsAny(sel labels.Selector, pods []labels.Set) bool {
	for _, p := range pods {
		if sel.Matches(p) {
			return true
		}
	}
	return false
}

// exempt writes the exemptions on an object: kube-score's checks in one
// comma-separated annotation and Polaris's one annotation per check, each
// with its reason next to it; kube-linter's annotation holds the reason.
func exempt(meta *metav1.ObjectMeta, ex []peerExemption) {
	if meta.Annotations == nil {
		meta.Annotations = map[string]string{}
	}
	var ks []string
	for _, e := range ex {
		if e.peer == spec.PeerKubeLinter {
			meta.Annotations[AnnotationKubeLinterIgnore+e.check] = e.reason
			continue
		}
		meta.Annotations[AnnotationPeerReason+string(e.peer)+"."+e.check] = e.reason
		switch e.peer {
		case spec.PeerKubeScore:
			ks = append(ks, e.check)
		case spec.PeerPolaris:
			meta.Annotations["polaris.fairwinds.com/"+e.check+"-exempt"] = "true"
		}
	}
	if len(ks) > 0 {
		sort.Strings(ks)
		meta.Annotations[AnnotationKubeScoreIgnore] = strings.Join(ks, ",")
	}
}

// podTemplate returns a workload's metadata, pod template and kind, or nils
// for an object without pods.
func podTemplate(obj any) (*metav1.ObjectMeta, *corev1.PodTemplateSpec, string) {
	switch w := obj.(type) {
	case *appsv1.Deployment:
		return &w.ObjectMeta, &w.Spec.Template, "Deployment"
	case *Rollout:
		return &w.ObjectMeta, &w.Spec.Template, "Rollout"
	case *appsv1.StatefulSet:
		return &w.ObjectMeta, &w.Spec.Template, "StatefulSet"
	case *appsv1.DaemonSet:
		return &w.ObjectMeta, &w.Spec.Template, "DaemonSet"
	case *batchv1.Job:
		return &w.ObjectMeta, &w.Spec.Template, "Job"
	case *batchv1.CronJob:
		return &w.ObjectMeta, &w.Spec.JobTemplate.Spec.Template, "CronJob"
	}
	return nil, nil, ""
}

// spreadsOverNodes says whether the pods spread over nodes by topology
// spread constraints rather than by pod anti-affinity.
func spreadsOverNodes(pod *corev1.PodSpec) bool {
	if pod.Affinity != nil && pod.Affinity.PodAntiAffinity != nil {
		return false
	}
	for _, t := range pod.TopologySpreadConstraints {
		if t.TopologyKey == "kubernetes.io/hostname" {
			return true
		}
	}
	return false
}

// fileEnv says whether the variables with names Polaris takes for secrets
// all hold a file's path (NAME_FILE=/path), and there is one: a plain
// value under such a name (spec env API_TOKEN: …) keeps the finding.
func fileEnv(pod *corev1.PodSpec) bool {
	found := false
	for _, cs := range [][]corev1.Container{pod.InitContainers, pod.Containers} {
		for _, ctr := range cs {
			for _, e := range ctr.Env {
				if e.ValueFrom != nil || !polarisSensitiveName.MatchString(e.Name) {
					continue
				}
				if !strings.HasSuffix(e.Name, "_FILE") || !strings.HasPrefix(e.Value, "/") {
					return false
				}
				found = true
			}
		}
	}
	return found
}
