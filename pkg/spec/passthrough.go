package spec

import (
	"fmt"
	"path"
	"strings"
)

// Pass-through: what a service's pods carry besides what platformctl
// derives — pod annotations and labels, extra named ports, volumes,
// sidecars and init containers. The generator renders them as written;
// these rules keep them from clashing with what it renders itself, so a
// spec that validates renders pods the API server admits.

// Defaults of a sidecar's or init container's requests (docs/spec.md
// states them; pkg/generate reads them).
const (
	DefaultContainerCPU    = "50m"
	DefaultContainerMemory = "64Mi"
)

// maxAnnotationBytes is what the API server accepts of an object's
// annotations, keys and values added up (apimachinery's
// TotalAnnotationSizeLimitB).
const maxAnnotationBytes = 256 << 10

// MetricsPortName is the name of a service's metrics port when it is not
// its service port.
const MetricsPortName = "metrics"

// Volume names platformctl gives a service's pod volumes itself.
var platformVolumes = []string{"tmp", "secrets", "config"}

// platformVolumePrefix starts the names of the data store binding volumes.
const platformVolumePrefix = "binding-"

// ReservedPodLabel says who owns the pod label key k, or "" when a
// service may set it: the labels platformctl selects and identifies pods
// by, and the ones the Deployment and Job controllers write.
func ReservedPodLabel(k string) string {
	prefix, name, hasPrefix := strings.Cut(k, "/")
	if !hasPrefix {
		prefix, name = "", k
	}
	switch {
	case prefix == "app.kubernetes.io":
		return "platformctl sets the app.kubernetes.io/* labels, and selects the service's pods by them"
	case prefix == "platformctl.dev" || strings.HasSuffix(prefix, ".platformctl.dev"):
		return "platformctl sets its own platformctl.dev/* labels (the track, the area)"
	case k == "azure.workload.identity/use":
		return "workload identity sets it (identity: {provider: azure})"
	case prefix == "" && name == "pod-template-hash":
		return "the Deployment controller sets it on every pod"
	case prefix == "batch.kubernetes.io" || prefix == "" && (name == "job-name" || name == "controller-uid"):
		return "the Job controller sets it on every pod of a Job"
	}
	return ""
}

// reservedPodAnnotation says which message of podAnnotationsOwned refuses
// the pod annotation key k, or -1 when a service may set it.
func reservedPodAnnotation(k string) int {
	prefix, _, hasPrefix := strings.Cut(k, "/")
	switch {
	case !hasPrefix:
		return -1
	case prefix == "ignore.platformctl.dev":
		return 0
	case prefix == "platformctl.dev" || strings.HasSuffix(prefix, ".platformctl.dev"):
		return 1
	}
	return -1
}

// metricsPort is the service's metrics port as Default would set it.
func (s *Service) metricsPort() int32 {
	switch _, port := s.ServicePort(); {
	case s.MetricsPort != 0:
		return s.MetricsPort
	case s.Protocol == ProtocolGRPC && s.Kind != KindWorker:
		if port == DefaultGRPCMetricsPort {
			return DefaultGRPCMetricsPort + 1
		}
		return DefaultGRPCMetricsPort
	default:
		return port
	}
}

// portsOf calls fn for every extra port of svc (its own, then its
// sidecars'), with its path.
func portsOf(i int, svc *Service, fn func(path string, p NamedPort)) {
	for j, p := range svc.Ports {
		fn(fmt.Sprintf("spec.services[%d].ports[%d]", i, j), p)
	}
	for k, sc := range svc.Sidecars {
		for j, p := range sc.Ports {
			fn(fmt.Sprintf("spec.services[%d].sidecars[%d].ports[%d]", i, k, j), p)
		}
	}
}

// containersOf calls fn for every sidecar and init container of svc.
func containersOf(i int, svc *Service, fn func(path string, ct *Container)) {
	for j := range svc.Sidecars {
		fn(fmt.Sprintf("spec.services[%d].sidecars[%d]", i, j), &svc.Sidecars[j])
	}
	for j := range svc.InitContainers {
		fn(fmt.Sprintf("spec.services[%d].initContainers[%d]", i, j), &svc.InitContainers[j])
	}
}

func podLabelsOwned(c *checkContext, report reportFunc) {
	for i, svc := range c.s.Services {
		for _, k := range SortedKeys(svc.PodLabels) {
			if owner := ReservedPodLabel(k); owner != "" {
				report(fmt.Sprintf("spec.services[%d].podLabels[%s]", i, k), 0, k, owner)
			}
		}
	}
}

func podAnnotationsOwned(c *checkContext, report reportFunc) {
	for i, svc := range c.s.Services {
		total := 0
		for _, k := range SortedKeys(svc.PodAnnotations) {
			total += len(k) + len(svc.PodAnnotations[k])
			if msg := reservedPodAnnotation(k); msg >= 0 {
				report(fmt.Sprintf("spec.services[%d].podAnnotations[%s]", i, k), msg, k)
			}
		}
		if total > maxAnnotationBytes {
			report(fmt.Sprintf("spec.services[%d].podAnnotations", i), 2, total, maxAnnotationBytes)
		}
	}
}

// portsValid: extra ports only where a Service is, names and numbers
// unique in the pod (containers share its network namespace).
func portsValid(c *checkContext, report reportFunc) {
	for i := range c.s.Services {
		svc := &c.s.Services[i]
		kind := svc.Kind
		if kind == "" {
			kind = KindServer
		}
		for j, ic := range svc.InitContainers {
			if len(ic.Ports) > 0 {
				report(fmt.Sprintf("spec.services[%d].initContainers[%d].ports", i, j), 1)
			}
		}
		if kind != KindServer {
			if len(svc.Ports) > 0 {
				report(fmt.Sprintf("spec.services[%d].ports", i), 0, kind)
			}
			for j, sc := range svc.Sidecars {
				if len(sc.Ports) > 0 {
					report(fmt.Sprintf("spec.services[%d].sidecars[%d].ports", i, j), 0, kind)
				}
			}
			continue
		}
		mainName, mainPort := svc.ServicePort()
		names := map[string]string{mainName: "the service port's name", MetricsPortName: "the metrics port's name"}
		numbers := map[int32]string{mainPort: "the service port"}
		if mp := svc.metricsPort(); mp != mainPort {
			numbers[mp] = "the metrics port"
		}
		portsOf(i, svc, func(p string, np NamedPort) {
			if np.Name != "" {
				if owner, taken := names[np.Name]; taken {
					report(p+".name", 2, np.Name, owner)
				} else {
					names[np.Name] = "the name of " + p
				}
			}
			if np.Port != 0 {
				if owner, taken := numbers[np.Port]; taken {
					report(p+".port", 3, np.Port, owner)
				} else {
					numbers[np.Port] = p
				}
			}
		})
	}
}

// volumesValid: one source each, names of their own, and mount paths
// clear of what platformctl mounts, of the image's system directories and
// of each other.
func volumesValid(c *checkContext, report reportFunc) {
	for i := range c.s.Services {
		svc := &c.s.Services[i]
		names := map[string]bool{}
		cfgDir := configDirOf(c.s, svc)
		var paths []string
		for j, v := range svc.Volumes {
			p := fmt.Sprintf("spec.services[%d].volumes[%d]", i, j)
			switch {
			case v.EmptyDir != nil && v.ClaimName != "":
				report(p, 0)
			case v.EmptyDir == nil && v.ClaimName == "":
				report(p, 1)
			}
			switch {
			case v.Name == "":
			case names[v.Name]:
				report(p+".name", 2, v.Name)
			case isPlatformVolume(v.Name):
				report(p+".name", 3, v.Name)
			}
			names[v.Name] = true
			if !validMountPath(v.MountPath) {
				continue // the field rule reports it
			}
			switch {
			case overlappingMount(v.MountPath) != "":
				report(p+".mountPath", 4, v.MountPath, overlappingMount(v.MountPath))
			case cfgDir != "" && overlaps(v.MountPath, cfgDir):
				report(p+".mountPath", 5, v.MountPath, cfgDir)
			case systemDirs[v.MountPath]:
				report(p+".mountPath", 6, v.MountPath, v.MountPath, path.Join(v.MountPath, svc.Name))
			case firstOverlap(v.MountPath, paths) != "":
				report(p+".mountPath", 7, v.MountPath, firstOverlap(v.MountPath, paths))
			}
			paths = append(paths, v.MountPath)
		}
	}
}

// configDirOf is where svc's config files are mounted in any environment,
// or "" when it has none anywhere.
func configDirOf(s *PlatformSpec, svc *Service) string {
	has := svc.Config != nil
	for i := range s.Environments {
		if o, ok := s.Environments[i].Overrides.Services[svc.Name]; ok && o.Config != nil {
			has = true
		}
	}
	switch {
	case !has:
		return ""
	case svc.Config != nil && svc.Config.MountPath != "":
		return svc.Config.MountPath
	}
	return DefaultConfigDir(svc.Name)
}

func isPlatformVolume(name string) bool {
	for _, v := range platformVolumes {
		if name == v {
			return true
		}
	}
	return strings.HasPrefix(name, platformVolumePrefix)
}

// overlaps says whether one of two directories is, or lies inside, the other.
func overlaps(a, b string) bool {
	return a == b || strings.HasPrefix(a, b+"/") || strings.HasPrefix(b, a+"/")
}

func firstOverlap(p string, others []string) string {
	for _, o := range others {
		if overlaps(p, o) {
			return o
		}
	}
	return ""
}

// containersValid: names unique in the pod, mounts of existing volumes at
// paths clear of /tmp, the token directories and each other.
func containersValid(c *checkContext, report reportFunc) {
	for i := range c.s.Services {
		svc := &c.s.Services[i]
		names := map[string]string{svc.Name: "the service's own container"}
		if svc.Migrate != nil {
			names["migrate"] = "the migration's container"
		}
		volumes := map[string]*Volume{}
		for j := range svc.Volumes {
			volumes[svc.Volumes[j].Name] = &svc.Volumes[j]
		}
		containersOf(i, svc, func(p string, ct *Container) {
			if ct.Name != "" {
				if owner, taken := names[ct.Name]; taken {
					report(p+".name", 0, ct.Name, owner)
				} else {
					names[ct.Name] = p
				}
			}
			var paths []string
			seen := map[string]bool{}
			for k, m := range ct.Mounts {
				mp := fmt.Sprintf("%s.mounts[%d]", p, k)
				v := volumes[m.Volume]
				switch {
				case m.Volume == "":
					continue
				case v == nil:
					report(mp+".volume", 1, m.Volume, didYouMean(m.Volume, SortedKeys(volumes)))
					continue
				case seen[m.Volume]:
					report(mp+".volume", 2, m.Volume)
					continue
				}
				seen[m.Volume] = true
				at := m.MountPath
				if at == "" {
					at = v.MountPath
				}
				if !validMountPath(at) {
					continue // reported on the field
				}
				switch {
				case overlappingMount(at) != "":
					report(mp, 3, at, overlappingMount(at))
				case systemDirs[at]:
					report(mp, 4, at)
				case firstOverlap(at, paths) != "":
					report(mp, 5, at, firstOverlap(at, paths))
				}
				paths = append(paths, at)
			}
		})
	}
}

// passThroughRules are the rules of pod annotations and labels, extra
// ports, volumes, sidecars and init containers (rules.go lists them with
// the others).
func passThroughRules() []Rule {
	const svc = "spec.services[*]"
	return []Rule{
		{
			At:     []string{svc + ".podLabels[<key>]"},
			Doc:    "A pod label is not one platformctl or a controller sets: not `app.kubernetes.io/*`, `platformctl.dev/*`, `azure.workload.identity/use`, `pod-template-hash`, `batch.kubernetes.io/*`, `job-name` or `controller-uid`.",
			Msgs:   []string{"%s is not for podLabels: %s; choose a key of your own (e.g. team.example.com/owner)"},
			check:  podLabelsOwned,
			Schema: "a pattern could refuse the prefixes, but the reason differs per key; kept with the loader so each refusal says who owns the label",
		},
		{
			At:  []string{svc + ".podAnnotations[<key>]", svc + ".podAnnotations"},
			Doc: "A pod annotation is not a lint suppression (`ignore.platformctl.dev/*`) nor another `platformctl.dev` key, and a service's pod annotations add up to at most 256 KiB (what the API server accepts).",
			Msgs: []string{
				"%s is a lint suppression, which a pass-through annotation must not carry onto the pods: write the ignore where the finding is, with its reason, in a Kustomize component (spec.kustomize)",
				"%s has platformctl's own annotation prefix; choose a key of your own",
				"the pod annotations add up to %d bytes, over the %d the API server accepts: keep large values in a config file (config)",
			},
			check:  podAnnotationsOwned,
			Schema: "adds up the sizes of all keys and values, which no keyword does",
		},
		{
			At:  []string{svc + ".ports", svc + ".sidecars[*].ports", svc + ".initContainers[*].ports", svc + ".ports[*].name", svc + ".ports[*].port", svc + ".sidecars[*].ports[*].name", svc + ".sidecars[*].ports[*].port"},
			Doc: "Only a `server` has extra `ports` (its own or its sidecars'), and an init container none; their names and numbers are unique in the pod, and differ from the service port and the metrics port (and the name `metrics`): the pod's containers share one network namespace.",
			Msgs: []string{
				"a %s has no Service, so nothing can reach a port of it: remove ports, or make it kind: server",
				"an init container runs to completion before the service starts and listens on no port: remove ports, or make it a sidecar",
				"port name %q is already %s: name each port of the pod once",
				"port %d is already %s: the pod's containers share one network namespace, so each listens on ports of its own",
			},
			check:  portsValid,
			Schema: whyUnique,
		},
		{
			At:  []string{svc + ".volumes[*]", svc + ".volumes[*].name", svc + ".volumes[*].mountPath"},
			Doc: "A volume is an `emptyDir` or a `claimName`, not both; its name is unique and not one platformctl gives a volume (`tmp`, `secrets`, `config`, `binding-*`); its `mountPath` is not, does not contain and does not lie inside a directory platformctl mounts (" + codeJoin(PlatformMounts) + ", which hold /tmp and the service account token directories), the service's config directory or another volume's `mountPath`, and is not a system directory of the image.",
			Msgs: []string{
				"has both emptyDir and claimName; a volume is one of them",
				"needs emptyDir (scratch space, e.g. emptyDir: {sizeLimit: 1Gi}) or claimName (an existing PersistentVolumeClaim)",
				"volume %q is declared twice",
				"%q is a volume name platformctl uses itself (tmp, secrets, config, binding-*): choose another",
				"%s overlaps %s, which platformctl mounts into every service container: mount the volume in a directory of its own",
				"%s overlaps %s, where the service's config files are mounted: mount the volume in a directory of its own",
				"mounting a volume at %s would hide the image's %s (CA certificates, users, libraries): mount it in a directory of its own, e.g. %s",
				"%s overlaps %s, where another volume is mounted: mount each volume in a directory of its own",
			},
			check:  volumesValid,
			Schema: whyUnique,
		},
		{
			At:  []string{svc + ".sidecars[*].name", svc + ".initContainers[*].name", svc + ".sidecars[*].mounts[*]", svc + ".initContainers[*].mounts[*]", svc + ".sidecars[*].mounts[*].volume", svc + ".initContainers[*].mounts[*].volume"},
			Doc: "A sidecar's or init container's name is unique in the pod and is neither the service's name nor, with `migrate`, `migrate` (the names of the service's own containers); each of its `mounts` names a volume of the service's `volumes` (with a suggestion for a misspelling), once, at a path (default: the volume's `mountPath`) clear of " + codeJoin(PlatformMounts) + ", of the image's system directories and of its other mounts.",
			Msgs: []string{
				"container name %q is already %s: name each container of the pod once",
				"no volume named %q in this service's volumes%s",
				"volume %q is mounted twice in this container",
				"%s overlaps %s, which platformctl mounts itself (the pod's /tmp, the service account token directories): mount the volume elsewhere (set mountPath)",
				"mounting a volume at %s would hide a system directory of the image: mount it in a directory of its own (set mountPath)",
				"%s overlaps %s, where this container mounts another volume: mount each volume in a directory of its own",
			},
			check:  containersValid,
			Schema: whyReference,
		},
	}
}
