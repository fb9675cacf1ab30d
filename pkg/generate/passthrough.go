package generate

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/platformctl/platformctl/pkg/spec"
)

// Pass-through: what a service's pods carry as the spec writes it — pod
// annotations and labels, extra named ports, volumes, sidecars and init
// containers. Validation has kept it clear of what platformctl renders
// itself (reserved label keys, volume names, mount paths, port names and
// numbers), so here it is only added.

// TmpVolume is the pod's /tmp, an emptyDir every container mounts: their
// root file systems are read-only.
const TmpVolume = "tmp"

// podAnnotations are the annotations of a service's pod template, nil
// when it sets none.
func podAnnotations(svc *spec.Service) map[string]string {
	if len(svc.PodAnnotations) == 0 {
		return nil
	}
	out := make(map[string]string, len(svc.PodAnnotations))
	for k, v := range svc.PodAnnotations {
		out[k] = v
	}
	return out
}

// addPodLabels adds the service's own pod labels; platformctl's, set
// after, win (validation refuses a clash anyway).
func addPodLabels(svc *spec.Service, labels map[string]string) map[string]string {
	out := make(map[string]string, len(labels)+len(svc.PodLabels))
	for k, v := range svc.PodLabels {
		out[k] = v
	}
	for k, v := range labels {
		out[k] = v
	}
	return out
}

// namedPorts are the container ports of a server's extra ports.
func namedPorts(ports []spec.NamedPort) []corev1.ContainerPort {
	var out []corev1.ContainerPort
	for _, p := range ports {
		out = append(out, corev1.ContainerPort{Name: p.Name, ContainerPort: p.Port, Protocol: corev1.ProtocolTCP})
	}
	return out
}

// extraServicePorts are the Service ports of a server's extra ports, its
// own and its sidecars'.
func extraServicePorts(svc *spec.Service) []corev1.ServicePort {
	var out []corev1.ServicePort
	for _, p := range svc.ExtraPorts() {
		out = append(out, corev1.ServicePort{Name: p.Name, Port: p.Port, TargetPort: intstr.FromString(p.Name), Protocol: corev1.ProtocolTCP})
	}
	return out
}

// addVolumes adds a service's own volumes to its pod, mounts them into its
// container, and grows the container's requests and limits by what its
// emptyDirs may hold: a disk emptyDir counts against the pod's
// ephemeral-storage, a Memory one against its memory, and the kubelet
// evicts (or the kernel kills) a pod over its containers' limits. The
// container is the pod's first.
func addVolumes(svc *spec.Service, pod *corev1.PodSpec) error {
	ctr := &pod.Containers[0]
	for _, v := range svc.Volumes {
		vol := corev1.Volume{Name: v.Name}
		switch {
		case v.EmptyDir != nil:
			size, err := quantity(v.EmptyDir.SizeLimit)
			if err != nil {
				return fmt.Errorf("volume %s: %w", v.Name, err)
			}
			ed := &corev1.EmptyDirVolumeSource{SizeLimit: ptr(size)}
			grown := corev1.ResourceEphemeralStorage
			if v.EmptyDir.Medium == spec.MediumMemory {
				ed.Medium = corev1.StorageMediumMemory
				grown = corev1.ResourceMemory
			}
			for _, list := range []corev1.ResourceList{ctr.Resources.Requests, ctr.Resources.Limits} {
				q := list[grown]
				q.Add(size)
				list[grown] = q
			}
			vol.EmptyDir = ed
		default:
			vol.PersistentVolumeClaim = &corev1.PersistentVolumeClaimVolumeSource{ClaimName: v.ClaimName, ReadOnly: v.ReadOnly}
		}
		pod.Volumes = append(pod.Volumes, vol)
		ctr.VolumeMounts = append(ctr.VolumeMounts, corev1.VolumeMount{Name: v.Name, MountPath: v.MountPath, ReadOnly: v.ReadOnly})
	}
	return nil
}

// extraContainers are a service's sidecars, as native sidecars (init
// containers that restart Always: they start before the service's
// container and stop after it, so a Job's pod still completes), then its
// init containers, each hardened like the service's container.
func extraContainers(svc *spec.Service) ([]corev1.Container, error) {
	var out []corev1.Container
	for i := range svc.Sidecars {
		ct, err := extraContainer(svc, &svc.Sidecars[i])
		if err != nil {
			return nil, fmt.Errorf("sidecar %s: %w", svc.Sidecars[i].Name, err)
		}
		ct.RestartPolicy = ptr(corev1.ContainerRestartPolicyAlways)
		ct.Ports = namedPorts(svc.Sidecars[i].Ports)
		out = append(out, ct)
	}
	for i := range svc.InitContainers {
		ct, err := extraContainer(svc, &svc.InitContainers[i])
		if err != nil {
			return nil, fmt.Errorf("init container %s: %w", svc.InitContainers[i].Name, err)
		}
		out = append(out, ct)
	}
	return out, nil
}

func extraContainer(svc *spec.Service, sc *spec.Container) (corev1.Container, error) {
	cpu, memory := spec.DefaultContainerCPU, spec.DefaultContainerMemory
	if r := sc.Resources; r != nil {
		if r.CPU != "" {
			cpu = r.CPU
		}
		if r.Memory != "" {
			memory = r.Memory
		}
	}
	res, err := resources(cpu, memory)
	if err != nil {
		return corev1.Container{}, err
	}
	var env []corev1.EnvVar
	for _, k := range spec.SortedKeys(sc.Env) {
		env = append(env, corev1.EnvVar{Name: k, Value: sc.Env[k]})
	}
	mounts := []corev1.VolumeMount{{Name: TmpVolume, MountPath: "/tmp"}}
	for _, m := range sc.Mounts {
		at := m.MountPath
		if at == "" {
			for _, v := range svc.Volumes {
				if v.Name == m.Volume {
					at = v.MountPath
				}
			}
		}
		mounts = append(mounts, corev1.VolumeMount{Name: m.Volume, MountPath: at, ReadOnly: m.ReadOnly})
	}
	return corev1.Container{
		Name:                     sc.Name,
		Image:                    sc.Image,
		ImagePullPolicy:          pullPolicy,
		Command:                  sc.Command,
		Args:                     sc.Args,
		Env:                      env,
		Resources:                res,
		SecurityContext:          restrictedContainer(),
		VolumeMounts:             mounts,
		TerminationMessagePolicy: corev1.TerminationMessageFallbackToLogsOnError,
	}, nil
}
