package security

import (
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/platformctl/platformctl/pkg/celexpr"
	"github.com/platformctl/platformctl/pkg/lint"
)

// Host access: namespaces, ports, filesystems and kernel parameters the pod
// shares with the node.

func hostRules() []lint.Rule {
	return []lint.Rule{
		{
			ID: "host-network", Title: "Pod uses the host network", Category: lint.CategorySecurity, Severity: lint.Error,
			Description: "hostNetwork: true puts the pod in the node's network namespace: it can bind any node port, sniff traffic on the node's interfaces, reach services listening on localhost (the kubelet's read-only port, node-local admin endpoints) and is not isolated by NetworkPolicy.",
			Remediation: "Remove spec.hostNetwork (or set it to false) and expose the pod through a Service. CNI and node agents that need it belong in a dedicated namespace with an ignore annotation that says why.",
			References:  []string{pssBaseline, "CIS 5.2.5", nsaGuide, pssDoc},
			CEL:         lint.PodCEL("variables.podSpec.?hostNetwork.orValue(false) != true", "the pod shares the node's network namespace (hostNetwork: true)"),
			Check:       hostNamespace("hostNetwork", "the pod shares the node's network namespace (hostNetwork: true)"),
		},
		{
			ID: "host-pid", Title: "Pod uses the host PID namespace", Category: lint.CategorySecurity, Severity: lint.Error,
			Description: "hostPID: true lets the pod see every process on the node, read their environment and command lines (often with secrets in them) and, with ptrace or root, enter or kill them; nsenter into PID 1 is a one-line escape.",
			Remediation: "Remove spec.hostPID (or set it to false). To share processes between the containers of one pod, use shareProcessNamespace instead.",
			References:  []string{pssBaseline, "CIS 5.2.3", nsaGuide, pssDoc},
			CEL:         lint.PodCEL("variables.podSpec.?hostPID.orValue(false) != true", "the pod shares the node's process namespace (hostPID: true)"),
			Check:       hostNamespace("hostPID", "the pod shares the node's process namespace (hostPID: true)"),
		},
		{
			ID: "host-ipc", Title: "Pod uses the host IPC namespace", Category: lint.CategorySecurity, Severity: lint.Error,
			Description: "hostIPC: true shares the node's System V IPC and POSIX shared memory with the pod: it can read and tamper with shared memory segments of any process on the node.",
			Remediation: "Remove spec.hostIPC (or set it to false); containers of the same pod already share an IPC namespace.",
			References:  []string{pssBaseline, "CIS 5.2.4", nsaGuide, pssDoc},
			CEL:         lint.PodCEL("variables.podSpec.?hostIPC.orValue(false) != true", "the pod shares the node's IPC namespace (hostIPC: true)"),
			Check:       hostNamespace("hostIPC", "the pod shares the node's IPC namespace (hostIPC: true)"),
		},
		{
			ID: "host-port", Title: "Container binds a host port", Category: lint.CategorySecurity, Severity: lint.Warning,
			Description: "A hostPort opens the port on the node's address, bypassing the Service and, with many CNIs, NetworkPolicy; it also limits the workload to one pod per node per port. Host networking pods are reported by host-network instead.",
			Remediation: "Remove ports[].hostPort and expose the container through a Service (ClusterIP, or a LoadBalancer in the edge namespace).",
			References:  []string{pssBaseline, "CIS 5.2.13", pssDoc},
			CEL:         lint.PodCEL("variables.podSpec.?hostNetwork.orValue(false) == true || variables.containers.all(c, c.?ports.orValue([]).all(p, p.?hostPort.orValue(0) <= 0))", "a container binds a host port"),
			Check:       checkHostPort,
		},
		{
			ID: "host-path-volume", Title: "Pod mounts a hostPath volume", Category: lint.CategorySecurity, Severity: lint.Warning,
			Description: "A hostPath volume gives the pod a directory of the node: data written there outlives the pod and is visible to other pods, symlinks in it can lead to other host files, and the pod is tied to what is on that node. Sensitive paths and container runtime sockets are reported by sensitive-host-path and container-runtime-socket instead.",
			Remediation: "Use an emptyDir for scratch space, a PersistentVolumeClaim for data, or a ConfigMap/Secret/projected volume for configuration. If a node agent needs the host path, mount it readOnly and ignore this rule on it with the reason.",
			References:  []string{pssBaseline, "CIS 5.2.12", nsaGuide, pssDoc},
			Check:       hostPathCheck(hostPathPlain),
		},
		{
			ID: "sensitive-host-path", Title: "Pod mounts a sensitive host path", Category: lint.CategorySecurity, Severity: lint.Error,
			Description: "Mounting the node's root, /etc, /proc, /sys, /dev, /boot, /root, system binaries or the kubelet's and etcd's state gives the pod the node's credentials (kubelet client certificates, service account tokens of every pod on the node) or a way to rewrite the node's configuration and binaries: a node takeover.",
			Remediation: "Do not mount the path. Read what the workload needs through the API (downward API, ConfigMaps), or, for a node agent, mount the narrowest subdirectory readOnly and ignore this rule on it with the reason.",
			References:  []string{pssBaseline, "CIS 5.2.12", nsaGuide, pssDoc},
			Check:       hostPathCheck(hostPathSensitive),
		},
		{
			ID: "container-runtime-socket", Title: "Pod mounts the container runtime socket", Category: lint.CategorySecurity, Severity: lint.Error,
			Description: "The Docker, containerd or CRI-O socket is an unauthenticated root API on the node: whoever can talk to it can start a privileged container with the host's filesystem mounted, and read or exec into every container on the node. Mounting it readOnly does not help; a socket is written to by connecting.",
			Remediation: "Remove the volume. Build images with a daemonless builder (BuildKit rootless, kaniko, buildah) and get container metadata from the API or the kubelet instead of the runtime.",
			References:  []string{pssBaseline, "CIS 5.2.12", nsaGuide, pssDoc},
			Check:       hostPathCheck(hostPathRuntime),
		},
		{
			ID: "disallowed-volume-type", Title: "Volume type outside the restricted profile", Category: lint.CategorySecurity, Severity: lint.Warning,
			Description: "The restricted profile allows only configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected and secret volumes. Other in-tree types (nfs, iscsi, rbd, cephfs, gitRepo, flexVolume ...) mount storage with the node's credentials and bypass the PersistentVolume access controls; gitRepo runs git on the node (CVE-2024-10220). hostPath volumes are reported by the host path rules.",
			Remediation: "Define the storage as a PersistentVolume (or a StorageClass) and mount it through a persistentVolumeClaim; use an init container instead of gitRepo.",
			References:  []string{pssRestricted, "CVE-2024-10220", pssDoc},
			CEL:         lint.PodCEL("variables.podSpec.?volumes.orValue([]).all(v, v.all(t, t in "+celexpr.List(append([]string{"name", "hostPath"}, slices.Sorted(maps.Keys(restrictedVolumeTypes))...))+"))", "a volume is of a type the restricted profile does not allow"),
			Check:       checkVolumeTypes,
		},
		{
			ID: "unsafe-sysctl", Title: "Pod sets an unsafe sysctl", Category: lint.CategorySecurity, Severity: lint.Warning,
			Description: "Only a small set of sysctls is namespaced and isolated from other pods. Others change the node's kernel for every pod on it, or let the pod starve kernel resources; the kubelet rejects them unless allowed with --allowed-unsafe-sysctls, so the pod also fails to start on an ordinary node.",
			Remediation: "Remove the sysctl, or tune it on the node. The safe set is kernel.shm_rmid_forced, net.ipv4.ip_local_port_range, net.ipv4.ip_unprivileged_port_start, net.ipv4.tcp_syncookies, net.ipv4.ping_group_range, net.ipv4.ip_local_reserved_ports, net.ipv4.tcp_keepalive_time, net.ipv4.tcp_fin_timeout, net.ipv4.tcp_keepalive_intvl, net.ipv4.tcp_keepalive_probes, net.ipv4.tcp_rmem and net.ipv4.tcp_wmem.",
			References:  []string{pssBaseline, pssDoc, "https://kubernetes.io/docs/tasks/administer-cluster/sysctl-cluster/"},
			CEL:         lint.PodCEL(celSysctls, "the pod sets an unsafe sysctl, which is not namespaced and isolated per pod"),
			Check:       checkSysctls,
		},
	}
}

func hostNamespace(field, msg string) func(o *lint.Object, _ *lint.Context, r *lint.Reporter) {
	return func(o *lint.Object, _ *lint.Context, r *lint.Reporter) {
		p := o.Pod()
		if p != nil && lint.IsTrue(lint.Field(p.Spec, field)) {
			r.Report(o, p.Path+"."+field, "%s", msg)
		}
	}
}

func checkHostPort(o *lint.Object, _ *lint.Context, r *lint.Reporter) {
	p, cs := o.Containers()
	if p == nil || lint.IsTrue(lint.Field(p.Spec, "hostNetwork")) {
		return
	}
	for i := range cs {
		c := &cs[i]
		for j, port := range lint.Items(lint.Field(c.Node, "ports")) {
			if hp, ok := lint.Int(lint.Field(port, "hostPort")); ok && hp > 0 {
				r.Report(o, fmt.Sprintf("%s.ports[%d].hostPort", c.Path, j), "%s binds host port %d on the node", c.Who(), hp)
			}
		}
	}
}

type hostPathClass int

const (
	hostPathPlain hostPathClass = iota
	hostPathSensitive
	hostPathRuntime
)

// runtimeSockets are container runtime API sockets and the directories that
// hold them; a socket file is matched wherever it lives.
var (
	runtimeSocketDirs = map[string]bool{
		"/run": true, "/var/run": true,
		"/run/containerd": true, "/var/run/containerd": true,
		"/run/crio": true, "/var/run/crio": true,
		"/run/docker": true, "/var/run/docker": true,
		"/run/podman": true, "/var/run/podman": true,
		"/run/k3s/containerd": true,
	}
	runtimeSocketFiles = []string{"docker.sock", "containerd.sock", "crio.sock", "cri-dockerd.sock", "podman.sock", "dockershim.sock"}
)

// sensitiveExact are node directories dangerous to mount as a whole;
// sensitivePrefix are trees in which any subdirectory is dangerous. Other
// subdirectories of /etc, /var or /sys (e.g. /etc/ssl/certs, /var/log,
// /sys/fs/cgroup) are ordinary hostPath mounts.
var (
	sensitiveExact = map[string]bool{
		"/": true, "/etc": true, "/var": true, "/usr": true, "/lib": true, "/lib64": true, "/bin": true, "/sbin": true,
		"/home": true, "/sys": true, "/dev": true, "/var/lib": true, "/etc/shadow": true, "/etc/sudoers": true,
		"/etc/passwd": true, "/etc/crontab": true, "/dev/mem": true, "/dev/kmem": true, "/dev/port": true, "/etc/cron.d": true, "/etc/systemd": true, "/etc/ssh": true,
	}
	sensitivePrefix = []string{
		"/proc", "/boot", "/root", "/var/lib/kubelet", "/etc/kubernetes", "/var/lib/etcd", "/etc/etcd",
		"/var/lib/docker", "/var/lib/containerd", "/var/lib/containers", "/var/lib/rancher", "/etc/rancher",
		"/sys/kernel", "/sys/firmware", "/sys/module", "/etc/cni", "/opt/cni",
	}
)

func classifyHostPath(p string) hostPathClass {
	p = path.Clean("/" + strings.TrimSpace(p))
	if runtimeSocketDirs[p] {
		return hostPathRuntime
	}
	base := path.Base(p)
	for _, s := range runtimeSocketFiles {
		if base == s {
			return hostPathRuntime
		}
	}
	if sensitiveExact[p] {
		return hostPathSensitive
	}
	for _, pre := range sensitivePrefix {
		if p == pre || strings.HasPrefix(p, pre+"/") {
			return hostPathSensitive
		}
	}
	return hostPathPlain
}

func hostPathCheck(class hostPathClass) func(o *lint.Object, _ *lint.Context, r *lint.Reporter) {
	return func(o *lint.Object, _ *lint.Context, r *lint.Reporter) {
		p := o.Pod()
		if p == nil {
			return
		}
		for i, v := range lint.Items(lint.Field(p.Spec, "volumes")) {
			hp := lint.Field(v, "hostPath")
			if hp == nil {
				continue
			}
			hostPath := lint.Str(lint.Field(hp, "path"))
			if classifyHostPath(hostPath) != class {
				continue
			}
			at := fmt.Sprintf("%s.volumes[%d].hostPath.path", p.Path, i)
			name := lint.Str(lint.Field(v, "name"))
			switch class {
			case hostPathRuntime:
				r.Report(o, at, "volume %q mounts the container runtime socket %s: control of every container on the node", name, hostPath)
			case hostPathSensitive:
				r.Report(o, at, "volume %q mounts the sensitive host path %s", name, hostPath)
			default:
				r.Report(o, at, "volume %q mounts host path %s", name, hostPath)
			}
		}
	}
}

// restrictedVolumeTypes are the volume sources the restricted profile
// allows (image since Kubernetes 1.33).
var restrictedVolumeTypes = map[string]bool{
	"configMap": true, "csi": true, "downwardAPI": true, "emptyDir": true, "ephemeral": true, "image": true,
	"persistentVolumeClaim": true, "projected": true, "secret": true,
}

func checkVolumeTypes(o *lint.Object, _ *lint.Context, r *lint.Reporter) {
	p := o.Pod()
	if p == nil {
		return
	}
	for i, v := range lint.Items(lint.Field(p.Spec, "volumes")) {
		name := lint.Str(lint.Field(v, "name"))
		lint.Pairs(v, func(k, _ *yaml.Node) {
			t := k.Value
			if t == "name" || t == "hostPath" || restrictedVolumeTypes[t] {
				return
			}
			r.Report(o, fmt.Sprintf("%s.volumes[%d].%s", p.Path, i, t), "volume %q is of type %s, which the restricted profile does not allow", name, t)
		})
	}
}

// safeSysctls are namespaced and isolated per pod: the baseline profile's
// allowed list as of Kubernetes 1.32.
var safeSysctls = map[string]bool{
	"kernel.shm_rmid_forced":              true,
	"net.ipv4.ip_local_port_range":        true,
	"net.ipv4.ip_unprivileged_port_start": true,
	"net.ipv4.tcp_syncookies":             true,
	"net.ipv4.ping_group_range":           true,
	"net.ipv4.ip_local_reserved_ports":    true,
	"net.ipv4.tcp_keepalive_time":         true,
	"net.ipv4.tcp_fin_timeout":            true,
	"net.ipv4.tcp_keepalive_intvl":        true,
	"net.ipv4.tcp_keepalive_probes":       true,
	"net.ipv4.tcp_rmem":                   true,
	"net.ipv4.tcp_wmem":                   true,
}

// sysctlName normalizes the slash form (net/ipv4/tcp_syncookies), which the
// kubelet accepts as well.
func sysctlName(s string) string {
	if strings.Contains(s, "/") && !strings.Contains(s, ".") {
		return strings.ReplaceAll(s, "/", ".")
	}
	return s
}

// celSysctls is checkSysctls in CEL: sysctlName's slash form, then the
// safe set; a sysctl without a name is left to the schema.
var celSysctls = "variables.podSpec.?securityContext.?sysctls.orValue([]).all(s, " + celUnset("s.?name") +
	" || type(s.name) == string && (s.name.contains('/') && !s.name.contains('.') ? s.name.replace('/', '.') : s.name) in " +
	celSet(safeSysctls) + ")"

func checkSysctls(o *lint.Object, _ *lint.Context, r *lint.Reporter) {
	p := o.Pod()
	if p == nil {
		return
	}
	for i, s := range lint.Items(lint.Get(p.Spec, "securityContext", "sysctls")) {
		name := lint.Str(lint.Field(s, "name"))
		if name == "" || safeSysctls[sysctlName(name)] {
			continue
		}
		r.Report(o, fmt.Sprintf("%s.securityContext.sysctls[%d].name", p.Path, i), "the pod sets unsafe sysctl %s, which is not namespaced and isolated per pod", name)
	}
}
