package reliability

import (
	yaml "go.yaml.in/yaml/v3"

	"github.com/platformctl/platformctl/pkg/imageref"
	"github.com/platformctl/platformctl/pkg/lint"
	"github.com/platformctl/platformctl/pkg/lint/rules/internal/facts"
)

const docsResources = "https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/"

func latestImageTag() lint.Rule {
	return lint.Rule{
		ID: "latest-image-tag", Title: "Image without a pinned tag", Category: lint.CategoryReliability, Severity: lint.Warning,
		Description: "A container image has no tag or the tag latest, and no digest. The tag then names whatever was pushed last: " +
			"two nodes pulling minutes apart run different code, a rollback redeploys the broken build, and nobody can tell from the manifest what is running. " +
			"With the default imagePullPolicy (Always for :latest) every pod start also depends on the registry being up.",
		Remediation: "Pin the image to a version tag (ghcr.io/acme/web:1.4.2) or, better, a digest (ghcr.io/acme/web@sha256:…), and let CI update it.",
		References:  []string{"https://kubernetes.io/docs/concepts/containers/images/#image-names", "kube-score container-image-tag", "kube-linter latest-tag"},
		CEL:         lint.PodCEL(celLatestTag, "a container runs an image without a tag or by the tag latest"),
		Check: func(o *lint.Object, _ *lint.Context, r *lint.Reporter) {
			p := o.Pod()
			if p == nil {
				return
			}
			for ci := range p.Containers() {
				c := &p.Containers()[ci]
				img := lint.Str(lint.Field(c.Node, "image"))
				if img == "" {
					continue
				}
				ref := imageref.Parse(img)
				switch {
				case ref.Pinned():
				case ref.Tag == "":
					r.Report(o, c.Path+".image", "container %q runs image %q without a tag, which means :latest", c.Name, img)
				case ref.Tag == "latest":
					r.Report(o, c.Path+".image", "container %q runs image %q: latest is not a version", c.Name, img)
				}
			}
		},
	}
}

// resources answers whether a container ends up with a request or limit.
type resources struct {
	defaults map[string]*facts.NSDefaults
}

func (rs resources) has(o *lint.Object, p *lint.Pod, c *yaml.Node, want, res string) bool {
	res2 := lint.Field(c, "resources")
	// Pod-level resources (spec.resources) cover containers that set none.
	podRes := lint.Field(p.Spec, "resources")
	set := func(n *yaml.Node, kind string) bool { return lint.Field(lint.Field(n, kind), res) != nil }
	if set(res2, "limits") || set(podRes, "limits") {
		return true // a limit is also the request when no request is given
	}
	if want == "requests" && (set(res2, "requests") || set(podRes, "requests")) {
		return true
	}
	if d := rs.defaults[o.Namespace]; d != nil {
		if want == "requests" {
			return d.Request[res]
		}
		return d.Limit[res]
	}
	return false
}

// resourceCheck reports containers (regular and init; ephemeral containers
// cannot set resources) missing want ("requests" or "limits") of res.
func resourceCheck(res, want, what string) func(*lint.Set, *lint.Context, *lint.Reporter) {
	return func(s *lint.Set, _ *lint.Context, r *lint.Reporter) {
		f := facts.Of(s)
		rs := resources{defaults: f.Limits}
		for _, pi := range f.Pods {
			o, p := pi.Obj, pi.Pod
			for ci := range pi.Containers {
				c := &pi.Containers[ci]
				if c.Kind == lint.EphemeralContainer || rs.has(o, p, c.Node, want, res) {
					continue
				}
				r.Report(o, c.Path+".resources."+want+"."+res, "%s has no %s %s", c.Who(), res, what)
			}
		}
	}
}

func missingCPURequest() lint.Rule {
	return lint.Rule{
		ID: "missing-cpu-request", Title: "Container without a CPU request", Category: lint.CategoryReliability, Severity: lint.Warning,
		Description: "The scheduler places pods by their requests. A container without a CPU request counts as needing nothing: " +
			"nodes get overcommitted, the pod gets the smallest CPU share under contention, it is in the BestEffort or Burstable QoS class and among the first evicted, " +
			"and an HPA with a CPU utilization target cannot compute utilization at all. A LimitRange default in the namespace or a CPU limit (which becomes the request) counts as set.",
		Remediation: "Set resources.requests.cpu to the container's steady-state usage (e.g. 100m), measured from its metrics.",
		References:  []string{docsResources, "kube-score container-resources", "kube-linter unset-cpu-requirements"},
		CheckSet:    resourceCheck("cpu", "requests", "request"),
	}
}

func missingMemoryRequest() lint.Rule {
	return lint.Rule{
		ID: "missing-memory-request", Title: "Container without a memory request", Category: lint.CategoryReliability, Severity: lint.Warning,
		Description: "Without a memory request the scheduler assumes the container needs no memory, packs nodes beyond what they hold, and the kubelet then evicts " +
			"or the kernel OOM-kills pods under memory pressure — requestless pods first. A LimitRange default in the namespace or a memory limit (which becomes the request) counts as set.",
		Remediation: "Set resources.requests.memory to the container's working set under load (e.g. 256Mi).",
		References:  []string{docsResources, "kube-score container-resources", "kube-linter unset-memory-requirements"},
		CheckSet:    resourceCheck("memory", "requests", "request"),
	}
}

func missingMemoryLimit() lint.Rule {
	return lint.Rule{
		ID: "missing-memory-limit", Title: "Container without a memory limit", Category: lint.CategoryReliability, Severity: lint.Warning,
		Description: "Memory cannot be throttled, only reclaimed by killing. A container without a memory limit can grow (a leak, a cache, a large request) until the node runs out, " +
			"and then the kernel OOM-kills or the kubelet evicts whatever it picks — often other teams' pods. With a limit, only the offending container is restarted. " +
			"A LimitRange default in the namespace counts as set.",
		Remediation: "Set resources.limits.memory; equal to the request gives the Guaranteed QoS class and the most predictable behaviour.",
		References:  []string{docsResources, "kube-score container-resources", "kube-linter unset-memory-requirements"},
		CheckSet:    resourceCheck("memory", "limits", "limit"),
	}
}

func missingCPULimit() lint.Rule {
	return lint.Rule{
		ID: "missing-cpu-limit", Title: "Container without a CPU limit", Category: lint.CategoryReliability, Severity: lint.Info,
		Description: "Informational on purpose. CPU is compressible: a container over its request is only slowed down, never killed, so a missing CPU limit does not endanger neighbours the way a missing memory limit does. " +
			"CPU limits have a cost — CFS quota throttles the container even when the node has idle cores, which shows up as latency spikes — and many teams deliberately set none. " +
			"A limit still matters where a runaway process must not take a whole node's CPU, or where the Guaranteed QoS class (requests equal to limits for CPU and memory) is needed for CPU pinning.",
		Remediation: "Set resources.limits.cpu where bounded CPU matters (multi-tenant nodes, Guaranteed QoS); otherwise disable this rule in .platformctl.yaml.",
		References:  []string{docsResources, "kube-score container-resources (--ignore-container-cpu-limit)"},
		CheckSet:    resourceCheck("cpu", "limits", "limit"),
	}
}

func missingEphemeralStorage() lint.Rule {
	return lint.Rule{
		ID: "missing-ephemeral-storage", Title: "Container without an ephemeral-storage limit", Category: lint.CategoryReliability, Severity: lint.Info,
		Description: "Logs, emptyDir volumes without a sizeLimit and the writable layer all use the node's disk. A container without an ephemeral-storage limit can fill it; " +
			"the kubelet then reports DiskPressure and evicts pods on the node until space is back, including ones that did nothing wrong. " +
			"The request lets the scheduler account for disk; a limit alone sets both. A LimitRange default counts as set.",
		Remediation: "Set resources.requests.ephemeral-storage and resources.limits.ephemeral-storage (e.g. 64Mi and 256Mi), and a sizeLimit on emptyDir volumes.",
		References:  []string{"https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/#local-ephemeral-storage"},
		CheckSet: func(s *lint.Set, _ *lint.Context, r *lint.Reporter) {
			f := facts.Of(s)
			rs := resources{defaults: f.Limits}
			const res = "ephemeral-storage"
			for _, pi := range f.Pods {
				o, p := pi.Obj, pi.Pod
				for ci := range pi.Containers {
					c := &pi.Containers[ci]
					if c.Kind == lint.EphemeralContainer || rs.has(o, p, c.Node, "limits", res) {
						continue
					}
					if rs.has(o, p, c.Node, "requests", res) {
						r.Report(o, c.Path+".resources.limits."+res, "%s has an ephemeral-storage request but no limit", c.Who())
					} else {
						r.Report(o, c.Path+".resources", "%s has no ephemeral-storage request or limit", c.Who())
					}
				}
			}
		},
	}
}
